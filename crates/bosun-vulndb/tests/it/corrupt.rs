//! A damaged file gives a typed error naming it, never a panic.

use bosun_vulndb::{Db, DbBuilder, VulnDbError};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A small real database (crates.io records, KEV, a few EPSS rows) as bytes.
fn small() -> Option<&'static Vec<u8>> {
    static B: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    B.get_or_init(|| {
        let osv = bosun_testdata::path("data/osv")?;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut b = DbBuilder::new();
        b.add_path(osv.join("crates.io")).expect("import");
        b.add_path(osv.join("kev/known_exploited_vulnerabilities.json"))
            .expect("kev");
        let csv = dir.path().join("e.csv");
        std::fs::write(&csv, "cve,epss,percentile\nCVE-2021-44228,0.9,0.99\n").expect("csv");
        b.add_path(&csv).expect("epss");
        b.write(dir.path().join("db")).expect("write");
        Some(std::fs::read(dir.path().join("db").join(bosun_vulndb::DB_FILE)).expect("read"))
    })
    .as_ref()
}

fn open_and_verify(bytes: &[u8]) -> (PathBuf, Result<(), VulnDbError>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join(bosun_vulndb::DB_FILE);
    std::fs::write(&p, bytes).expect("write");
    let r = Db::open(dir.path()).and_then(|db| db.verify());
    (p, r, dir)
}

fn names_file(e: &VulnDbError, p: &Path) -> bool {
    e.to_string().contains(&p.display().to_string())
}

/// Sections from the header, read independently of the crate.
fn sections(bytes: &[u8]) -> Vec<(String, usize, usize)> {
    let hlen = u32::from_le_bytes(bytes[12..16].try_into().expect("len")) as usize;
    let h: serde_json::Value = serde_json::from_slice(&bytes[56..56 + hlen]).expect("header");
    h["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().expect("name").to_string(),
                s["offset"].as_u64().expect("off") as usize,
                s["len"].as_u64().expect("len") as usize,
            )
        })
        .collect()
}

#[test]
fn a_flipped_byte_in_each_section_is_detected_and_named() {
    let Some(good) = small() else { return };
    let (_, r, _d) = open_and_verify(good);
    r.expect("intact database verifies");
    let secs = sections(good);
    assert_eq!(secs.len(), 8);
    for (name, off, len) in secs {
        if len == 0 {
            continue;
        }
        let mut bad = good.clone();
        bad[off + len / 2] ^= 0x55;
        let (p, r, _d) = open_and_verify(&bad);
        match r {
            Err(VulnDbError::Corrupt { ref section, .. }) => {
                assert!(section == &name, "{name}: {section}");
                assert!(names_file(r.as_ref().expect_err("err"), &p));
            }
            other => panic!("{name}: expected corrupt error, got {other:?}"),
        }
    }
    // Header JSON and magic.
    for at in [3usize, 60] {
        let mut bad = good.clone();
        bad[at] ^= 0x55;
        let (p, r, _d) = open_and_verify(&bad);
        let e = r.expect_err("damage detected");
        assert!(names_file(&e, &p), "{e}");
    }
}

#[test]
fn truncated_files_are_rejected() {
    let Some(good) = small() else { return };
    for cut in [0, 10, 56, 200, good.len() / 2, good.len() - 1] {
        let (p, r, _d) = open_and_verify(&good[..cut]);
        let e = r.expect_err("truncation detected");
        assert!(names_file(&e, &p), "{e}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_damage_is_an_error_not_a_panic(at in any::<prop::sample::Index>(), x in 1u8..=255, cut in any::<prop::sample::Index>(), truncate in any::<bool>()) {
        let Some(good) = small() else { return Ok(()) };
        let mut bad = good.clone();
        let i = at.index(bad.len());
        bad[i] ^= x;
        if truncate {
            bad.truncate(cut.index(good.len()));
        }
        let (_, r, _d) = open_and_verify(&bad);
        // Only the build time (bytes 16..24) is outside every checksum.
        if truncate || !(16..24).contains(&i) {
            prop_assert!(r.is_err());
        } else {
            prop_assert!(r.is_ok());
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut b = bytes.clone();
        if b.len() >= 8 && bytes.first() == Some(&0) {
            b[..8].copy_from_slice(b"BOSUNVDB");
        }
        let (_, r, _d) = open_and_verify(&b);
        prop_assert!(r.is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    /// The fuzz targets' bodies, on random and mutated real bytes.
    #[test]
    fn fuzz_bodies_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048), at in any::<prop::sample::Index>(), x in any::<u8>()) {
        bosun_vulndb::fuzz::open_bytes(&bytes);
        bosun_vulndb::fuzz::import_bytes(&bytes);
        if let Some(good) = small() {
            let mut m = good.clone();
            let i = at.index(m.len());
            m[i] ^= x;
            bosun_vulndb::fuzz::open_bytes(&m);
        }
        let rec = br#"{"id":"GHSA-x","modified":"2024","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}"#;
        let mut r = rec.to_vec();
        let i = at.index(r.len());
        r[i] ^= x;
        bosun_vulndb::fuzz::import_bytes(&r);
    }
}
