//! Corrupt, hostile and oversized inputs give typed errors naming what failed.

use std::io::Write;

use bosun_image::{Image, ImageError, Limits, OpenOptions, Source};
use bosun_testkit::{Compression, DockerLayout, ImageBuilder};

use crate::common::{docker, open_walk};

fn base() -> ImageBuilder {
    ImageBuilder::new()
        .layer(|l| l.file("etc/a", "a").compression(Compression::Gzip))
        .layer(|l| l.file("etc/b", "b").compression(Compression::Gzip))
}

fn walk_err(src: &Source) -> ImageError {
    open_walk(src, &OpenOptions::default()).expect_err("an error")
}

#[test]
fn wrong_diff_id_names_the_layer_and_both_digests() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x");
    base().corrupt_diff_id(1).write_oci_dir(&p).unwrap();
    let err = walk_err(&Source::OciDir(p));
    let msg = err.to_string();
    let ImageError::DigestMismatch {
        what,
        expected,
        actual,
    } = &err
    else {
        panic!("{err}");
    };
    assert!(
        what.starts_with("layer 1 (sha256:") && what.ends_with("diff_id"),
        "{msg}"
    );
    assert_ne!(expected, actual);
    assert!(msg.contains(expected) && msg.contains(actual));
}

#[test]
fn wrong_blob_digest_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.tar");
    base().corrupt_blob_digest(0).write_oci_archive(&p).unwrap();
    let err = walk_err(&Source::OciArchive(p));
    assert!(
        matches!(&err, ImageError::DigestMismatch { what, .. } if what.starts_with("layer 0 (") && what.ends_with("blob")),
        "{err}"
    );
}

#[test]
fn wrong_config_digest_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for layout in [DockerLayout::Legacy, DockerLayout::Oci] {
        let p = dir.path().join(format!("{layout:?}.tar"));
        base()
            .docker_layout(layout)
            .corrupt_config_digest()
            .write_docker_archive(&p)
            .unwrap();
        let err = Image::open(&docker(&p), &OpenOptions::default()).unwrap_err();
        assert!(
            matches!(&err, ImageError::DigestMismatch { what, .. } if what == "config"),
            "{err}"
        );
    }
    let p = dir.path().join("oci");
    base().corrupt_config_digest().write_oci_dir(&p).unwrap();
    let err = Image::open(&Source::OciDir(p), &OpenOptions::default()).unwrap_err();
    assert!(
        matches!(&err, ImageError::DigestMismatch { what, .. } if what.starts_with("config")),
        "{err}"
    );
}

#[test]
fn layer_count_must_match_diff_ids() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.tar");
    base().extra_diff_id().write_docker_archive(&p).unwrap();
    let err = Image::open(&docker(&p), &OpenOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            ImageError::LayerCountMismatch {
                layers: 2,
                diff_ids: 3
            }
        ),
        "{err}"
    );
}

#[test]
fn parent_and_absolute_names_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    for (i, name) in [&b"../etc/passwd"[..], b"/etc/passwd", b"usr/../../x"]
        .iter()
        .enumerate()
    {
        let p = dir.path().join(format!("{i}.tar"));
        ImageBuilder::new()
            .layer(|l| l.file("ok", "1").raw_entry(name, "evil"))
            .write_docker_archive(&p)
            .unwrap();
        let err = walk_err(&docker(&p));
        let ImageError::BadEntryName { layer, entry, .. } = &err else {
            panic!("{err}");
        };
        assert!(layer.starts_with("layer 0 (sha256:"));
        assert_eq!(entry.as_bytes(), *name);
    }
}

#[test]
fn hardlink_outside_root_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("h.tar");
    ImageBuilder::new()
        .layer(|l| l.hardlink("etc/shadow2", "../../etc/shadow"))
        .write_docker_archive(&p)
        .unwrap();
    let err = walk_err(&docker(&p));
    assert!(matches!(err, ImageError::LinkOutsideRoot { .. }), "{err}");
}

#[test]
fn truncated_layers_and_archives_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    // Incompressible, so that cutting the blob cuts the stream.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let big = |l: bosun_testkit::LayerBuilder| l.file("f", &noise);
    for c in [Compression::Plain, Compression::Gzip, Compression::Zstd] {
        let p = dir.path().join(format!("{c:?}"));
        ImageBuilder::new()
            .layer(|l| big(l).compression(c))
            .truncate_layer(0, 1000)
            .write_oci_dir(&p)
            .unwrap();
        let err = walk_err(&Source::OciDir(p));
        assert!(
            matches!(&err, ImageError::CorruptLayer { layer, .. } if layer.starts_with("layer 0 (")),
            "{c:?}: {err}"
        );
    }
    // The outer archive cut in the middle of a layer.
    let p = dir.path().join("full.tar");
    ImageBuilder::new()
        .layer(big)
        .write_docker_archive(&p)
        .unwrap();
    let bytes = std::fs::read(&p).unwrap();
    let cut = dir.path().join("cut.tar");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert!(open_walk(&docker(&cut), &OpenOptions::default()).is_err());
}

#[test]
fn missing_blob_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("oci");
    base().write_oci_dir(&p).unwrap();
    let img = Image::open(&Source::OciDir(p.clone()), &OpenOptions::default()).unwrap();
    let hex = img.layers()[1].digest.clone().unwrap();
    let hex = hex.strip_prefix("sha256:").unwrap();
    std::fs::remove_file(p.join("blobs/sha256").join(hex)).unwrap();
    let err = Image::open(&Source::OciDir(p), &OpenOptions::default()).unwrap_err();
    assert!(
        matches!(&err, ImageError::Missing { name, .. } if name.ends_with(hex)),
        "{err}"
    );
}

#[test]
fn unsupported_media_type_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("oci");
    ImageBuilder::new()
        .layer(|l| {
            l.file("a", "b")
                .media_type("application/vnd.oci.image.layer.v1.tar+gzip+encrypted")
        })
        .write_oci_dir(&p)
        .unwrap();
    let err = Image::open(&Source::OciDir(p), &OpenOptions::default()).unwrap_err();
    assert!(
        matches!(err, ImageError::UnsupportedMediaType { .. }),
        "{err}"
    );
}

#[test]
fn oversized_json_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.tar");
    base().write_docker_archive(&p).unwrap();
    let opts = OpenOptions {
        limits: Limits {
            max_json_bytes: 10,
            ..Limits::default()
        },
        ..OpenOptions::default()
    };
    let err = Image::open(&docker(&p), &opts).unwrap_err();
    assert!(
        matches!(&err, ImageError::JsonTooLarge { what, .. } if what == "manifest.json"),
        "{err}"
    );
}

#[test]
fn too_many_entries_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.tar");
    ImageBuilder::new()
        .layer(|l| (0..20).fold(l, |l, i| l.file(&format!("f{i}"), "x")))
        .write_docker_archive(&p)
        .unwrap();
    let opts = OpenOptions {
        limits: Limits {
            max_entries: 10,
            ..Limits::default()
        },
        ..OpenOptions::default()
    };
    let err = open_walk(&docker(&p), &opts).unwrap_err();
    assert!(
        matches!(err, ImageError::TooManyEntries { limit: 10, .. }),
        "{err}"
    );
}

/// A layer holding one file of `gib` GiB of zeros, as concatenated compressed members so that
/// building it stays cheap: the compressed 1 MiB block is repeated.
fn zero_bomb(c: Compression, total: u64) -> Vec<u8> {
    let block = 1u64 << 20;
    let mut header = tar::Header::new_gnu();
    header.set_path("zeros").unwrap();
    header.set_size(total);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    let mut out = c.compress(header.as_bytes()).unwrap();
    let zeros = c.compress(&vec![0u8; block as usize]).unwrap();
    for _ in 0..total / block {
        out.write_all(&zeros).unwrap();
    }
    out.extend(c.compress(&[0u8; 1024]).unwrap());
    out
}

/// The ratio is enforced past this many bytes (64 MiB by default; less keeps debug builds
/// quick).
const GRACE: u64 = 4 << 20;

fn peak_rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn decompression_bombs_are_refused_with_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    // 1 GiB of zeros in about 1 MiB of gzip: a ratio above 100 is refused.
    let gz = zero_bomb(Compression::Gzip, 1 << 30);
    assert!(gz.len() < 2 << 20);
    let p = dir.path().join("gz");
    ImageBuilder::new()
        .layer(|l| l.blob_unchecked(gz))
        .write_oci_dir(&p)
        .unwrap_or_else(|e| panic!("{e}"));
    let before = peak_rss_kib();
    let opts = OpenOptions {
        limits: Limits {
            max_ratio: 100,
            ratio_grace_bytes: GRACE,
            ..Limits::default()
        },
        ..OpenOptions::default()
    };
    let err = open_walk(&Source::OciDir(p.clone()), &opts).unwrap_err();
    assert!(
        matches!(err, ImageError::RatioExceeded { limit: 100, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("--max-ratio"), "{err}");
    // The size limit, with the ratio allowed.
    let opts = OpenOptions {
        limits: Limits {
            max_ratio: u64::MAX,
            max_layer_bytes: 32 << 20,
            ..Limits::default()
        },
        ..OpenOptions::default()
    };
    let err = open_walk(&Source::OciDir(p), &opts).unwrap_err();
    assert!(matches!(err, ImageError::LayerTooLarge { .. }), "{err}");
    assert!(err.to_string().contains("--max-layer-size"), "{err}");
    // zstd compresses zeros far better: the default ratio catches it.
    let zs = zero_bomb(Compression::Zstd, 1 << 30);
    let p = dir.path().join("zs");
    ImageBuilder::new()
        .layer(|l| l.blob_unchecked(zs))
        .write_oci_dir(&p)
        .unwrap();
    let opts = OpenOptions {
        limits: Limits {
            ratio_grace_bytes: GRACE,
            ..Limits::default()
        },
        ..OpenOptions::default()
    };
    let err = open_walk(&Source::OciDir(p), &opts).unwrap_err();
    assert!(matches!(err, ImageError::RatioExceeded { .. }), "{err}");
    let grown = peak_rss_kib().saturating_sub(before);
    assert!(grown < 300 << 10, "peak memory grew by {grown} KiB");
}
