//! Picking an image from a multi-image docker archive and a platform from an OCI index.

use bosun_image::{Image, ImageError, OpenOptions, Source};
use bosun_testkit::ImageBuilder;

use crate::common::open_walk;

fn tagged(tag: &str, file: &str) -> ImageBuilder {
    ImageBuilder::new()
        .layer(|l| l.file(file, tag))
        .repo_tag(tag)
}

#[test]
fn multi_image_docker_archive_needs_image_and_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("multi.tar");
    let a = tagged("alpha:1", "a");
    let b = tagged("docker.io/library/beta:latest", "b");
    ImageBuilder::write_docker_archive_multi(&[&a, &b], &p).unwrap();
    let src = Source::DockerArchive(p);
    let err = Image::open(&src, &OpenOptions::default()).unwrap_err();
    let ImageError::AmbiguousImage { available, .. } = &err else {
        panic!("{err}");
    };
    assert!(
        available.contains("alpha:1") && available.contains("beta:latest"),
        "{err}"
    );
    for (want, file) in [
        ("alpha:1", "a"),
        ("beta", "b"),
        ("docker.io/library/beta:latest", "b"),
    ] {
        let opts = OpenOptions {
            image: Some(want.into()),
            ..OpenOptions::default()
        };
        let (img, walks) = open_walk(&src, &opts).unwrap();
        assert_eq!(walks[0].index.entries[0].path, file, "{want}");
        assert_eq!(img.source_info().repo_tags.len(), 1);
    }
    let opts = OpenOptions {
        image: Some("gamma:2".into()),
        ..OpenOptions::default()
    };
    let err = Image::open(&src, &opts).unwrap_err();
    assert!(
        matches!(&err, ImageError::ImageNotFound { available, .. } if available.contains("alpha:1")),
        "{err}"
    );
}

fn platforms() -> Vec<ImageBuilder> {
    [("amd64", None), ("arm64", Some("v8")), ("arm", Some("v7"))]
        .into_iter()
        .map(|(arch, v)| {
            ImageBuilder::new()
                .platform("linux", arch, v)
                .layer(|l| l.file("arch", arch))
        })
        .collect()
}

#[test]
fn oci_index_platform_selection_flat_and_nested() {
    let dir = tempfile::tempdir().unwrap();
    let images = platforms();
    let refs: Vec<&ImageBuilder> = images.iter().collect();
    for nested in [false, true] {
        let p = dir.path().join(format!("idx-{nested}"));
        ImageBuilder::write_oci_multi_platform_dir(&refs, nested, &p).unwrap();
        let src = Source::OciDir(p);
        for (platform, arch) in [
            (None, "amd64"),
            (Some("linux/amd64"), "amd64"),
            (Some("linux/arm64"), "arm64"),
            (Some("linux/arm64/v8"), "arm64"),
            (Some("linux/arm/v7"), "arm"),
        ] {
            let opts = OpenOptions {
                platform: platform.map(str::to_owned),
                ..OpenOptions::default()
            };
            let (img, walks) = open_walk(&src, &opts).unwrap();
            assert_eq!(
                walks[0].visitor.bodies["arch"],
                arch.as_bytes(),
                "{platform:?}"
            );
            assert_eq!(img.config().unwrap().architecture, arch);
        }
        let opts = OpenOptions {
            platform: Some("linux/s390x".into()),
            ..OpenOptions::default()
        };
        let err = Image::open(&src, &opts).unwrap_err();
        let ImageError::PlatformNotFound { available, .. } = &err else {
            panic!("{err}");
        };
        assert_eq!(available, "linux/amd64, linux/arm64/v8, linux/arm/v7");
    }
}

#[test]
fn index_without_platforms_is_resolved_through_configs() {
    // Docker writes no platform in index.json: with several manifests the configs tell.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("oci");
    let images = platforms();
    let refs: Vec<&ImageBuilder> = images.iter().collect();
    ImageBuilder::write_oci_multi_platform_dir(&refs, false, &p).unwrap();
    let index = std::fs::read_to_string(p.join("index.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&index).unwrap();
    for m in v["manifests"].as_array_mut().unwrap() {
        m.as_object_mut().unwrap().remove("platform");
    }
    std::fs::write(p.join("index.json"), v.to_string()).unwrap();
    let opts = OpenOptions {
        platform: Some("linux/arm/v7".into()),
        ..OpenOptions::default()
    };
    let img = Image::open(&Source::OciDir(p), &opts).unwrap();
    assert_eq!(img.config().unwrap().architecture, "arm");
}
