//! Hostile input: truncated, random and byte-flipped copies of every real database and header
//! go through the same public functions the fuzz targets call (`crates/bosun-rpmdb/fuzz`), and
//! must give `Ok` or a typed error: never a panic, and never output out of proportion to the
//! input.

use std::path::PathBuf;

use bosun_rpmdb::{DbFormat, RpmPackage, RpmdbError};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// A mutation of a real file, expressed as a strategy over the file's length.
#[derive(Debug, Clone)]
enum Mutation {
    /// Keep only the first `n` bytes.
    Truncate(usize),
    /// XOR these bytes at these positions (positions are taken modulo the length).
    Flip(Vec<(usize, u8)>),
    /// Keep the first `keep` bytes (the magic), replace the rest with random bytes.
    RandomTail { keep: usize, tail: Vec<u8> },
}

fn mutation(len: usize, hot: usize) -> impl Strategy<Value = Mutation> {
    // Half of the flips land in the first `hot` bytes, where the structure (metadata page,
    // slot table, header index) lives; a flip in the middle of a file name tests little.
    let pos = prop_oneof![0..hot.min(len).max(1), 0..len.max(1)];
    prop_oneof![
        (0..len).prop_map(Mutation::Truncate),
        prop::collection::vec((pos, 1u8..=255), 1..16).prop_map(Mutation::Flip),
        (0usize..64, prop::collection::vec(any::<u8>(), 0..8192))
            .prop_map(|(keep, tail)| Mutation::RandomTail { keep, tail }),
    ]
}

fn apply(original: &[u8], m: &Mutation) -> Vec<u8> {
    match m {
        Mutation::Truncate(n) => original.get(..*n).unwrap_or(original).to_vec(),
        Mutation::Flip(flips) => {
            let mut b = original.to_vec();
            for &(p, x) in flips {
                if let Some(byte) = b.get_mut(p % original.len().max(1)) {
                    *byte ^= x;
                }
            }
            b
        }
        Mutation::RandomTail { keep, tail } => {
            let mut b = original.get(..*keep).unwrap_or(original).to_vec();
            b.extend_from_slice(tail);
            b
        }
    }
}

/// The output a reader may produce for `input_len` bytes: paths are capped at 16 bytes per
/// byte of header data, plus the fixed strings of each package.
fn assert_bounded(packages: &[RpmPackage], input_len: usize) {
    let bytes: usize = packages
        .iter()
        .map(|p| {
            p.name.len()
                + p.version.len()
                + p.release.len()
                + p.files.iter().map(String::len).sum::<usize>()
        })
        .sum();
    assert!(
        bytes <= 17 * input_len + 1024,
        "{bytes} output bytes for {input_len} input bytes"
    );
}

fn run(path: PathBuf, format: Option<DbFormat>, cases: u32, hot: usize) {
    let original = std::fs::read(&path).expect("readable");
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&mutation(original.len(), hot), |m| {
        let bytes = apply(&original, &m);
        // Every input goes through detection too, as the catalog does.
        let _ = bosun_rpmdb::detect(&bytes);
        match format {
            Some(f) => {
                if let Ok(pkgs) = bosun_rpmdb::read_packages(&bytes, f) {
                    assert_bounded(&pkgs, bytes.len());
                }
            }
            None => {
                if let Ok(pkg) = bosun_rpmdb::parse_header(&bytes) {
                    assert_bounded(std::slice::from_ref(&pkg), bytes.len());
                }
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{}: {e}", path.display());
    }
}

#[test]
fn mutated_header_blobs_never_panic() {
    let claircore = bosun_testdata::require!("data/rpmdb/rpm-header-blob/claircore-package.header");
    let go_rpmdb = bosun_testdata::require!("data/rpmdb/rpm-header-blob/blob.bin");
    run(claircore, None, 2000, 8 + 78 * 16);
    run(go_rpmdb, None, 2000, 8 + 69 * 16);
}

#[test]
fn mutated_sqlite_databases_never_panic() {
    let small = bosun_testdata::require!("data/rpmdb/rpm-upstream-testsuite/rpmdb.sqlite");
    let big = bosun_testdata::require!("data/rpmdb/cbl-mariner-2.0/rpmdb.sqlite");
    let empty = bosun_testdata::require!("data/rpmdb/edge-cases/no_packages.sqlite");
    run(small, Some(DbFormat::Sqlite), 300, 8192);
    run(empty, Some(DbFormat::Sqlite), 200, 8192);
    run(big, Some(DbFormat::Sqlite), 40, 65536);
}

#[test]
fn mutated_ndb_databases_never_panic() {
    let a = bosun_testdata::require!("data/rpmdb/sle15-bci/Packages.db");
    let b = bosun_testdata::require!("data/rpmdb/sle15-bci-pr42/Packages.db");
    run(a, Some(DbFormat::Ndb), 300, 4096);
    run(b, Some(DbFormat::Ndb), 300, 4096);
}

#[test]
fn mutated_berkeleydb_databases_never_panic() {
    let a = bosun_testdata::require!("data/rpmdb/syft-single-pkg-bdb/Packages");
    let b = bosun_testdata::require!("data/rpmdb/libuuid-bdb/Packages");
    run(a, Some(DbFormat::BerkeleyDb), 1000, 16384);
    run(b, Some(DbFormat::BerkeleyDb), 1000, 16384);
}

proptest! {
    /// Random bytes in every reader, with and without each format's magic in front.
    #[test]
    fn random_bytes_never_panic(
        body in prop::collection::vec(any::<u8>(), 0..4096),
        magic in 0usize..4,
    ) {
        let mut bytes = match magic {
            0 => Vec::new(),
            1 => b"SQLite format 3\0".to_vec(),
            2 => b"RpmP\0\0\0\0".to_vec(),
            _ => {
                let mut m = vec![0u8; 12];
                m.extend_from_slice(&0x0006_1561u32.to_le_bytes());
                m
            }
        };
        bytes.extend_from_slice(&body);
        let _ = bosun_rpmdb::detect(&bytes);
        let _ = bosun_rpmdb::parse_header(&bytes);
        for f in [DbFormat::Sqlite, DbFormat::Ndb, DbFormat::BerkeleyDb] {
            if let Ok(p) = bosun_rpmdb::read_packages(&bytes, f) {
                assert_bounded(&p, bytes.len());
            }
        }
    }
}

/// Every byte removed from the end of a BerkeleyDB file cuts a page the metadata counts.
#[test]
fn truncated_berkeleydb_is_an_error() {
    let p = bosun_testdata::require!("data/rpmdb/libuuid-bdb/Packages");
    let bytes = std::fs::read(p).expect("readable");
    for cut in [1, 100, 4095, 4096, 40_000, bytes.len() - 100] {
        let short = &bytes[..bytes.len() - cut];
        assert!(
            matches!(
                bosun_rpmdb::read_packages(short, DbFormat::BerkeleyDb),
                Err(RpmdbError::BerkeleyDb(_))
            ),
            "cut {cut}"
        );
    }
}

/// NDB blobs carry an adler32: a flipped byte anywhere in any package's blob is detected.
#[test]
fn flipped_byte_in_an_ndb_blob_is_an_error() {
    let p = bosun_testdata::require!("data/rpmdb/sle15-bci/Packages.db");
    let bytes = std::fs::read(p).expect("readable");
    // The first slot's blob (blkoff at byte 40, in 16-byte blocks): flip a byte in its middle.
    let blkoff = u32::from_le_bytes(bytes[40..44].try_into().expect("4 bytes")) as usize;
    let blkcnt = u32::from_le_bytes(bytes[44..48].try_into().expect("4 bytes")) as usize;
    let mut flipped = bytes.clone();
    flipped[blkoff * 16 + blkcnt * 8] ^= 0x20;
    let err = bosun_rpmdb::read_packages(&flipped, DbFormat::Ndb).expect_err("checksum catches it");
    assert!(
        crate::expected::error_chain(&err).contains("checksum"),
        "{err}"
    );
}

/// A view named `Packages` (here an endless recursive one) is refused, not run.
#[test]
fn sqlite_view_named_packages_is_refused() {
    let mut conn = rusqlite::Connection::open_in_memory().expect("memory db");
    conn.execute_batch(
        "CREATE VIEW Packages AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r)
         SELECT x AS hnum, x AS blob FROM r;",
    )
    .expect("create view");
    let bytes = conn
        .serialize(rusqlite::MAIN_DB)
        .expect("serialize")
        .to_vec();
    drop(conn);
    assert_eq!(bosun_rpmdb::detect(&bytes), Some(DbFormat::Sqlite));
    let err = bosun_rpmdb::read_packages(&bytes, DbFormat::Sqlite).expect_err("refused");
    assert!(err.to_string().contains("not a table"), "{err}");
}

/// A `Packages` table whose blob is computed (`zeroblob` of 900 MB in a generated column)
/// from a file of a few kilobytes: the length limit refuses it instead of allocating.
#[test]
fn sqlite_generated_giant_blob_is_refused() {
    let mut conn = rusqlite::Connection::open_in_memory().expect("memory db");
    conn.execute_batch(
        "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY,
           blob BLOB GENERATED ALWAYS AS (zeroblob(900000000)) VIRTUAL);
         INSERT INTO Packages (hnum) VALUES (1);",
    )
    .expect("create table");
    let bytes = conn
        .serialize(rusqlite::MAIN_DB)
        .expect("serialize")
        .to_vec();
    drop(conn);
    assert!(bytes.len() < 100_000);
    let err = bosun_rpmdb::read_packages(&bytes, DbFormat::Sqlite).expect_err("refused");
    assert!(matches!(err, RpmdbError::Sqlite { .. }), "{err}");
    assert!(
        crate::expected::error_chain(&err).contains("too big"),
        "{}",
        crate::expected::error_chain(&err)
    );
}
