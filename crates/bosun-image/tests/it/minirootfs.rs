//! Real Alpine minirootfs tarballs as single layers, checked against an independent reading of
//! the tarball (tar crate + flate2, not bosun-image).

use std::collections::BTreeSet;
use std::io::Read;

use bosun_image::{EntryKind, FinalView, OpenOptions, Source};
use bosun_testkit::{Compression, ImageBuilder, decompress};

use crate::common::{CollectFactory, open_walk};

/// Paths and kinds as `tar -t` would list them, `./` and trailing `/` removed.
fn listing(tgz: &[u8]) -> (Vec<(String, char)>, Vec<u8>) {
    let mut a = tar::Archive::new(flate2::read::GzDecoder::new(tgz));
    let mut out = Vec::new();
    let mut os_release = Vec::new();
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let p = e.path().unwrap().to_string_lossy().into_owned();
        let p = p.trim_start_matches("./").trim_end_matches('/').to_owned();
        if p.is_empty() || p == "." {
            continue;
        }
        let k = match e.header().entry_type() {
            tar::EntryType::Directory => 'd',
            tar::EntryType::Symlink => 'l',
            tar::EntryType::Link => 'h',
            tar::EntryType::Regular => 'f',
            _ => 'o',
        };
        if p == "etc/os-release" {
            e.read_to_end(&mut os_release).unwrap();
        }
        out.push((p, k));
    }
    (out, os_release)
}

fn check(rel: &str) -> Option<()> {
    let p = bosun_testdata::path(rel)?;
    let tgz = std::fs::read(&p).unwrap();
    let (expected, os_release) = listing(&tgz);
    assert!(expected.len() > 50);
    let dir = tempfile::tempdir().unwrap();
    for (name, builder) in [
        (
            "as-is-gzip",
            ImageBuilder::new().layer(|l| l.blob(tgz.clone())),
        ),
        (
            "zstd",
            ImageBuilder::new().layer(|l| {
                l.blob(
                    Compression::Zstd
                        .compress(&decompress(&tgz).unwrap())
                        .unwrap(),
                )
            }),
        ),
    ] {
        for fmt in ["docker", "oci"] {
            let out = dir.path().join(format!("{name}-{fmt}"));
            let src = if fmt == "docker" {
                builder.write_docker_archive(&out).unwrap();
                Source::DockerArchive(out)
            } else {
                builder.write_oci_dir(&out).unwrap();
                Source::OciDir(out)
            };
            let image = bosun_image::Image::open(&src, &OpenOptions::default()).unwrap();
            let walks = image
                .walk(&CollectFactory(|p| p.ends_with("os-release")))
                .unwrap();
            let got: Vec<(String, char)> = walks[0]
                .index
                .entries
                .iter()
                .map(|e| {
                    let k = match e.kind {
                        EntryKind::Dir => 'd',
                        EntryKind::Symlink(_) => 'l',
                        EntryKind::Hardlink(_) => 'h',
                        EntryKind::File => 'f',
                        EntryKind::Other => 'o',
                    };
                    (e.path.clone(), k)
                })
                .collect();
            assert_eq!(got.len(), expected.len(), "{rel} {name} {fmt}");
            assert_eq!(got, expected, "{rel} {name} {fmt}");
            assert!(os_release.starts_with(b"NAME=\"Alpine Linux\""));
            assert_eq!(walks[0].visitor.bodies["etc/os-release"], os_release);
            let view = FinalView::from_walks(&walks);
            let unique: BTreeSet<_> = expected.iter().map(|(p, _)| p).collect();
            assert_eq!(view.len(), unique.len());
            // bin/sh is a symlink to /bin/busybox in Alpine.
            assert!(expected.contains(&("bin/sh".to_owned(), 'l')));
            assert_eq!(
                view.resolve("/bin/sh").unwrap().map(|(p, _)| p),
                Some("bin/busybox".to_owned())
            );
        }
    }
    Some(())
}

#[test]
fn alpine_3_20_minirootfs_one_layer() {
    let _ = check("data/alpine/minirootfs/alpine-minirootfs-3.20.3-x86_64.tar.gz");
}

#[test]
fn alpine_3_12_minirootfs_one_layer() {
    let _ = check("data/alpine/minirootfs/alpine-minirootfs-3.12.12-x86_64.tar.gz");
}

#[test]
fn minirootfs_open_walk_default_compression_counts() {
    let Some(p) =
        bosun_testdata::path("data/alpine/minirootfs/alpine-minirootfs-3.20.3-x86_64.tar.gz")
    else {
        return;
    };
    let tgz = std::fs::read(&p).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("a.tar");
    ImageBuilder::new()
        .layer(|l| l.blob(tgz.clone()))
        .write_oci_archive(&out)
        .unwrap();
    let (img, walks) = open_walk(&Source::OciArchive(out), &OpenOptions::default()).unwrap();
    assert_eq!(img.layers()[0].size, Some(tgz.len() as u64));
    let files = walks[0]
        .index
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::File)
        .count();
    assert_eq!(walks[0].visitor.bodies.len(), files);
}
