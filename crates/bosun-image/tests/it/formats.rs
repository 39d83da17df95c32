//! The same image written in every format and compression reads the same.

use bosun_image::{EntryKind, FinalView, OpenOptions, Source};
use bosun_testkit::{Compression, DockerLayout, ImageBuilder};

use crate::common::open_walk;

fn image(c: Compression) -> ImageBuilder {
    ImageBuilder::new()
        .layer(|l| {
            l.compression(c)
                .created_by("ADD rootfs.tar /")
                .dir("etc")
                .file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
                .file_mode("usr/bin/tool", vec![7u8; 300_000], 0o755)
                .symlink("bin", "usr/bin")
                .hardlink("usr/bin/tool2", "usr/bin/tool")
                .file(&format!("{}/long-name", "d".repeat(150)), "long")
        })
        .empty_history("ENV A=b")
        .layer(|l| {
            l.compression(c)
                .created_by("RUN rm /etc/os-release")
                .whiteout("etc/os-release")
                .file("etc/new", "new")
        })
        .env("SECRET_TOKEN=abc")
        .user("1000")
        .label("maintainer", "me")
        .repo_tag("example/app:1.0")
}

#[test]
fn all_formats_and_compressions_give_identical_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let mut reference = None;
    for c in [Compression::Plain, Compression::Gzip, Compression::Zstd] {
        let b = image(c);
        let docker = dir.path().join(format!("{c:?}-docker.tar"));
        b.write_docker_archive(&docker).unwrap();
        let docker_oci = dir.path().join(format!("{c:?}-docker-oci.tar"));
        b.clone()
            .docker_layout(DockerLayout::Oci)
            .write_docker_archive(&docker_oci)
            .unwrap();
        let oci_tar = dir.path().join(format!("{c:?}-oci.tar"));
        b.write_oci_archive(&oci_tar).unwrap();
        let oci_dir = dir.path().join(format!("{c:?}-oci"));
        b.write_oci_dir(&oci_dir).unwrap();
        for (path, kind) in [
            (&docker, "docker-archive"),
            (&docker_oci, "docker-archive"),
            (&oci_tar, "oci-archive"),
            (&oci_dir, "oci-dir"),
        ] {
            // Bare paths are recognized by their contents.
            let src = Source::parse(path.to_str().unwrap()).unwrap();
            assert_eq!(src.kind(), kind, "{}", path.display());
            let (img, walks) = open_walk(&src, &OpenOptions::default()).unwrap();
            assert_eq!(walks.len(), 2);
            let indexes: Vec<_> = walks.iter().map(|w| w.index.clone()).collect();
            let bodies: Vec<_> = walks.iter().map(|w| w.visitor.bodies.clone()).collect();
            let diff_ids: Vec<_> = img.layers().iter().map(|l| l.diff_id.clone()).collect();
            match &reference {
                None => reference = Some((indexes, bodies, diff_ids)),
                Some(r) => {
                    assert_eq!(r.0, indexes, "{c:?} {kind}");
                    assert_eq!(r.1, bodies, "{c:?} {kind}");
                    // The uncompressed tars are the same whatever the compression.
                    assert_eq!(r.2, diff_ids, "{c:?} {kind}");
                }
            }
        }
    }
    let (indexes, bodies, _) = reference.unwrap();
    let l0 = &indexes[0];
    assert_eq!(l0.entries.len(), 6);
    assert!(l0.entries.iter().any(|e| e.path.len() > 150));
    assert!(
        l0.entries
            .iter()
            .any(|e| e.path == "usr/bin/tool2"
                && e.kind == EntryKind::Hardlink("usr/bin/tool".into()))
    );
    assert_eq!(bodies[0]["usr/bin/tool"].len(), 300_000);
    assert_eq!(indexes[1].whiteouts, ["etc/os-release"]);
}

#[test]
fn config_layers_and_source_info() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("oci");
    image(Compression::Gzip).write_oci_dir(&p).unwrap();
    let (img, walks) = open_walk(&Source::OciDir(p), &OpenOptions::default()).unwrap();
    let cfg = img.config().unwrap();
    assert_eq!(cfg.platform(), "linux/amd64");
    let cc = cfg.config.as_ref().unwrap();
    assert_eq!(cc.user.as_deref(), Some("1000"));
    assert!(cc.env.iter().any(|e| e == "SECRET_TOKEN=abc"));
    assert_eq!(cc.labels["maintainer"], "me");
    assert!(String::from_utf8_lossy(img.raw_config()).contains("SECRET_TOKEN=abc"));
    // The empty ENV history entry maps to no layer.
    let created: Vec<_> = img.layers().iter().map(|l| l.created_by.clone()).collect();
    assert_eq!(
        created,
        [
            Some("ADD rootfs.tar /".to_owned()),
            Some("RUN rm /etc/os-release".to_owned())
        ]
    );
    let l = &img.layers()[1];
    assert_eq!(l.index, 1);
    assert!(l.media_type.as_deref().unwrap().ends_with("+gzip"));
    assert_ne!(l.digest, l.diff_id);
    assert_eq!(walks[1].meta.diff_id, l.diff_id);
    let info = img.source_info();
    assert_eq!(info.kind, "oci-dir");
    assert_eq!(info.platform.as_deref(), Some("linux/amd64"));
    assert!(info.manifest_digest.is_some());
    assert_eq!(
        info.image_id,
        Some(format!(
            "sha256:{}",
            bosun_testkit::sha256_hex(img.raw_config())
        ))
    );
    assert!(info.repo_tags.contains(&"example/app:1.0".to_owned()));
    let view = FinalView::from_walks(&walks);
    assert!(view.get("etc/os-release").is_none());
    assert_eq!(
        view.resolve("bin/tool").unwrap(),
        Some(("usr/bin/tool".into(), 0))
    );
}

#[test]
fn legacy_docker_layer_digest_is_the_diff_id() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d.tar");
    image(Compression::Plain).write_docker_archive(&p).unwrap();
    let (img, _) = open_walk(&Source::DockerArchive(p), &OpenOptions::default()).unwrap();
    for l in img.layers() {
        assert_eq!(l.digest, l.diff_id);
        assert!(l.size.unwrap() >= 1024);
    }
    assert_eq!(img.source_info().repo_tags, ["example/app:1.0"]);
}

#[test]
fn docker_archive_layers_stored_as_links_are_followed() {
    // `docker save` stores a layer shared by two images once and links the other copy to it.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("plain.tar");
    image(Compression::Plain).write_docker_archive(&p).unwrap();
    let linked = dir.path().join("linked.tar");
    let mut out = tar::Builder::new(std::fs::File::create(&linked).unwrap());
    let mut archive = tar::Archive::new(std::fs::File::open(&p).unwrap());
    for e in archive.entries().unwrap() {
        let mut e = e.unwrap();
        let name = e.path().unwrap().to_string_lossy().into_owned();
        let mut h = e.header().clone();
        if name.ends_with("/layer.tar") {
            let id = name.trim_end_matches("/layer.tar").to_owned();
            out.append_data(&mut h, format!("real-{id}/layer.tar"), &mut e)
                .unwrap();
            let mut l = tar::Header::new_gnu();
            l.set_entry_type(tar::EntryType::Symlink);
            l.set_size(0);
            out.append_link(&mut l, &name, format!("../real-{id}/layer.tar"))
                .unwrap();
        } else {
            out.append_data(&mut h, &name, &mut e).unwrap();
        }
    }
    out.finish().unwrap();
    let (_, a) = open_walk(&Source::DockerArchive(p), &OpenOptions::default()).unwrap();
    let (_, b) = open_walk(&Source::DockerArchive(linked), &OpenOptions::default()).unwrap();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.index, y.index);
    }
}

#[test]
fn image_without_layers_walks_to_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("oci");
    ImageBuilder::new().write_oci_dir(&p).unwrap();
    let (img, walks) = open_walk(&Source::OciDir(p), &OpenOptions::default()).unwrap();
    assert!(img.layers().is_empty());
    assert!(walks.is_empty());
}
