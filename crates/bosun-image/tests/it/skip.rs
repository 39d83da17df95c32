//! `Image::walk_selected`: a layer the caller refuses is neither read nor downloaded.

use bosun_image::{Image, ImageError, OpenOptions, RegistryOptions, Source};
use bosun_testkit::registry::{RealRegistry, tools};
use bosun_testkit::{Compression, ImageBuilder};

use crate::common::{CollectFactory, all};

fn two_layers() -> ImageBuilder {
    ImageBuilder::new()
        .layer(|l| {
            l.file("base.txt", "x".repeat(4096))
                .compression(Compression::Gzip)
        })
        .layer(|l| l.file("top.txt", "top").compression(Compression::Gzip))
}

/// Flips bytes in the middle of a file: its digest no longer matches, whatever it holds.
fn corrupt(path: &std::path::Path) {
    let mut data = std::fs::read(path).unwrap();
    let mid = data.len() / 2;
    for b in data.iter_mut().skip(mid).take(16) {
        *b ^= 0xff;
    }
    std::fs::write(path, data).unwrap();
}

#[test]
fn skipped_layer_of_an_oci_dir_is_never_read() {
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    two_layers().write_oci_dir(&oci).unwrap();
    let src = Source::OciDir(oci.clone());
    let image = Image::open(&src, &OpenOptions::default()).unwrap();
    let metas = image.layer_metas();
    assert_eq!(metas.len(), 2);
    assert_eq!(metas[0].diff_id, image.layers()[0].diff_id);
    let base = image.layers()[0].digest.clone().unwrap();
    corrupt(
        &oci.join("blobs/sha256")
            .join(base.trim_start_matches("sha256:")),
    );

    // Walking everything reads the corrupt layer and fails...
    let e = image.walk(&CollectFactory(all)).unwrap_err();
    assert!(
        matches!(
            e,
            ImageError::DigestMismatch { .. } | ImageError::CorruptLayer { .. }
        ),
        "{e:?}"
    );
    // ...skipping it succeeds, and the other layer is walked as usual.
    let walks = image
        .walk_selected(&CollectFactory(all), &|m| m.index != 0)
        .unwrap();
    assert_eq!(walks.len(), 2);
    assert!(walks[0].is_none());
    let top = walks[1].as_ref().unwrap();
    assert_eq!(top.meta, metas[1]);
    assert_eq!(top.visitor.bodies["top.txt"], b"top");
}

#[test]
fn walk_selected_of_everything_equals_walk() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("img.tar");
    two_layers().write_docker_archive(&path).unwrap();
    let image = Image::open(&Source::DockerArchive(path), &OpenOptions::default()).unwrap();
    let walked = image.walk(&CollectFactory(all)).unwrap();
    let selected = image
        .walk_selected(&CollectFactory(all), &|_| true)
        .unwrap();
    assert_eq!(walked.len(), selected.len());
    for (w, s) in walked.iter().zip(&selected) {
        let s = s.as_ref().unwrap();
        assert_eq!(w.meta, s.meta);
        assert_eq!(w.index, s.index);
        assert_eq!(w.visitor.bodies, s.visitor.bodies);
    }
    let none = image
        .walk_selected(&CollectFactory(all), &|_| false)
        .unwrap();
    assert!(none.iter().all(Option::is_none));
}

#[test]
fn skipped_registry_layer_is_never_downloaded() {
    if !tools() {
        return;
    }
    let reg = RealRegistry::start(None);
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    two_layers().write_oci_dir(&oci).unwrap();
    reg.push(&oci, "skip/app:1", false);
    let src = Source::parse(&format!("registry:{}/skip/app:1", reg.host())).unwrap();
    let opts = RegistryOptions {
        docker_config: bosun_image::DockerConfig::Ignore,
        ..RegistryOptions::default()
    };
    let image = Image::open_with_registry(&src, &OpenOptions::default(), &opts).unwrap();
    let base = image.layers()[0].digest.clone().unwrap();
    let base_hex = base.trim_start_matches("sha256:").to_owned();
    let before = reg.log("registry.log");
    let walks = image
        .walk_selected(&CollectFactory(all), &|m| m.index != 0)
        .unwrap();
    assert!(walks[0].is_none());
    assert_eq!(walks[1].as_ref().unwrap().visitor.bodies["top.txt"], b"top");
    let top_hex = image.layers()[1]
        .digest
        .clone()
        .unwrap()
        .trim_start_matches("sha256:")
        .to_owned();
    // The registry's access log: the top layer was fetched, the base layer never.
    let log = reg.log("registry.log");
    let new = log.get(before.len()..).unwrap_or_default();
    assert!(new.contains(&format!("blobs/sha256:{top_hex}")), "{new}");
    assert!(!new.contains(&format!("blobs/sha256:{base_hex}")), "{new}");
}
