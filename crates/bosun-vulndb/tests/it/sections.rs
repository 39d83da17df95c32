//! Format 2 sections: index sections are checked on first use (damage there is named when a
//! reader needs it, and does not stop lookups that do not), inconsistent but correctly
//! checksummed indexes are typed errors, and an open database keeps reading its own file
//! while another writer replaces it.

use bosun_vulndb::{Db, DbBuilder, VulnDbError};
use sha2::{Digest, Sha256};
use std::path::Path;

/// A small real database (the crates.io records) as bytes.
fn small_bytes() -> Option<Vec<u8>> {
    let osv = bosun_testdata::path("data/osv")?;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = DbBuilder::new();
    b.add_path(osv.join("crates.io")).expect("import");
    b.write(dir.path()).expect("write");
    Some(std::fs::read(dir.path().join(bosun_vulndb::DB_FILE)).expect("read"))
}

fn header(bytes: &[u8]) -> serde_json::Value {
    let hlen = u32::from_le_bytes(bytes[12..16].try_into().expect("len")) as usize;
    serde_json::from_slice(&bytes[56..56 + hlen]).expect("header")
}

/// (offset, length) of a section, read from the header independently of the crate.
fn section(bytes: &[u8], name: &str) -> (usize, usize) {
    let h = header(bytes);
    let s = h["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["name"] == name)
        .expect("section");
    (
        s["offset"].as_u64().expect("off") as usize,
        s["len"].as_u64().expect("len") as usize,
    )
}

/// Recomputes the sha256 of section `name` in the header, and the header's own checksum, so
/// that a deliberate change passes every checksum.
fn reseal(bytes: &mut [u8], name: &str) {
    let h = header(bytes);
    let old = h["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["name"] == name)
        .and_then(|s| s["sha256"].as_str())
        .expect("sha")
        .to_string();
    let (off, len) = section(bytes, name);
    let new = hex::encode(Sha256::digest(&bytes[off..off + len]));
    let hlen = u32::from_le_bytes(bytes[12..16].try_into().expect("len")) as usize;
    let hjson = &mut bytes[56..56 + hlen];
    let at = hjson
        .windows(old.len())
        .position(|w| w == old.as_bytes())
        .expect("hash in header");
    hjson[at..at + new.len()].copy_from_slice(new.as_bytes());
    let digest = Sha256::digest(&bytes[56..56 + hlen]);
    bytes[24..56].copy_from_slice(&digest);
}

fn open(bytes: &[u8]) -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(bosun_vulndb::DB_FILE), bytes).expect("write");
    let db = Db::open(dir.path()).expect("open");
    (dir, db)
}

fn corrupt_section(e: &VulnDbError) -> &str {
    match e {
        VulnDbError::Corrupt { section, .. } => section,
        other => panic!("expected a corrupt error, got {other:?}"),
    }
}

/// The first key of the key index: (ecosystem base, name), and its entry's offset.
fn first_key(bytes: &[u8]) -> (String, String, usize) {
    let (off, _) = section(bytes, "packages");
    let p = &bytes[off..];
    let n = u32::from_le_bytes(p[0..4].try_into().expect("n")) as usize;
    let keys_at = 4 + n * 24;
    let klen = u32::from_le_bytes(p[8..12].try_into().expect("klen")) as usize;
    let key = std::str::from_utf8(&p[keys_at..keys_at + klen]).expect("utf8");
    let mut parts = key.split('\0');
    let base = parts.next().expect("base").to_string();
    let name = parts.next().expect("name").to_string();
    (base, name, off + 4)
}

#[test]
fn damaged_id_and_alias_maps_stop_only_the_readers_that_use_them() {
    let Some(good) = small_bytes() else { return };
    let (base, name, _) = first_key(&good);
    for (sec, use_it) in [
        ("ids", 0usize),
        ("aliases", 1),
        ("record_table", 2),
        ("kev", 3),
        ("epss", 4),
    ] {
        let (off, len) = section(&good, sec);
        if len == 0 {
            continue;
        }
        let mut bad = good.clone();
        bad[off + len / 2] ^= 0x55;
        let (_d, db) = open(&bad);
        // Lookups read only the key index and the records.
        assert!(
            !db.lookup(&base, &name).expect("lookup").is_empty(),
            "{sec}"
        );
        let e = match use_it {
            0 => db.get("RUSTSEC-2021-0003").expect_err("ids damaged"),
            1 => db.by_alias("CVE-2021-25900").expect_err("aliases damaged"),
            2 => db.record_at(0).expect_err("record table damaged"),
            3 => db.kev("CVE-2021-44228").expect_err("kev damaged"),
            _ => db.epss("CVE-2021-44228").expect_err("epss damaged"),
        };
        assert_eq!(corrupt_section(&e), sec);
        assert!(e.to_string().contains(bosun_vulndb::DB_FILE), "{e}");
        assert_eq!(corrupt_section(&db.verify().expect_err("verify")), sec);
    }
}

#[test]
fn a_damaged_key_index_is_named_on_the_first_lookup() {
    let Some(good) = small_bytes() else { return };
    let (off, len) = section(&good, "packages");
    let mut bad = good.clone();
    bad[off + len - 1] ^= 0x55;
    let (_d, db) = open(&bad);
    let e = db
        .lookup("crates.io", "anything")
        .expect_err("damaged index");
    assert_eq!(corrupt_section(&e), "packages");
    // Reading by id does not need the key index.
    assert!(db.get("RUSTSEC-2021-0003").expect("get").is_some());
}

#[test]
fn inconsistent_groups_with_valid_checksums_are_typed_errors() {
    let Some(good) = small_bytes() else { return };
    let (base, name, entry) = first_key(&good);
    let (_d, db) = open(&good);
    assert!(!db.lookup(&base, &name).expect("intact").is_empty());
    db.verify().expect("intact verifies");
    // Entry layout: key_off u32, key_len u32, group_off u64, group_len u32, count u32.
    let cases: [(&str, usize, Vec<u8>); 3] = [
        (
            "group offset past the records",
            entry + 8,
            u64::MAX.to_le_bytes().to_vec(),
        ),
        (
            "group length past the records",
            entry + 16,
            u32::MAX.to_le_bytes().to_vec(),
        ),
        ("record count off by one", entry + 20, {
            let c = u32::from_le_bytes(good[entry + 20..entry + 24].try_into().expect("c"));
            (c + 1).to_le_bytes().to_vec()
        }),
    ];
    for (what, at, val) in cases {
        let mut bad = good.clone();
        bad[at..at + val.len()].copy_from_slice(&val);
        reseal(&mut bad, "packages");
        let (_d, db) = open(&bad);
        let e = db.lookup(&base, &name).expect_err(what);
        assert_eq!(corrupt_section(&e), "packages", "{what}: {e}");
        assert_eq!(corrupt_section(&db.verify().expect_err(what)), "packages");
    }
}

#[test]
fn an_undecodable_record_with_valid_checksums_is_named() {
    let Some(good) = small_bytes() else { return };
    let (base, name, _) = first_key(&good);
    let (roff, rlen) = section(&good, "records");
    let mut bad = good.clone();
    // The first group starts at the records section: a varint frame length, then the
    // id's length (one byte for any real id), then the id: make its first byte invalid UTF-8.
    let frame = bad[roff..]
        .iter()
        .position(|b| b & 0x80 == 0)
        .expect("varint")
        + 1;
    bad[roff + frame + 1] = 0xff;
    // Re-seal the first block's hash, then the block-hash section.
    let (boff, _) = section(&bad, "record_blocks");
    let block = &bad[roff..roff + rlen.min(64 * 1024)];
    let digest = Sha256::digest(block);
    bad[boff..boff + 32].copy_from_slice(&digest);
    reseal(&mut bad, "record_blocks");
    let (_d, db) = open(&bad);
    let e = db.lookup(&base, &name).expect_err("bad record");
    assert_eq!(corrupt_section(&e), "records", "{e}");
    assert!(e.to_string().contains("UTF-8"), "{e}");
}

fn build(dir: &Path, folder: &str) -> usize {
    let osv = bosun_testdata::path("data/osv").expect("data");
    let mut b = DbBuilder::new();
    b.add_path(osv.join(folder)).expect("import");
    b.write(dir).expect("write").records
}

#[test]
fn an_open_database_reads_its_own_file_while_a_writer_replaces_it() {
    if bosun_testdata::path("data/osv").is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let rust = build(dir.path(), "crates.io");
    let old = Db::open(dir.path()).expect("open");
    let (base, name, _) = first_key(&std::fs::read(old.path()).expect("read"));
    let before = old.lookup(&base, &name).expect("lookup");
    assert!(!before.is_empty());
    // A writer replaces the file several times while readers open and look up.
    let writer_dir = dir.path().to_path_buf();
    let writer = std::thread::spawn(move || {
        for i in 0..4 {
            build(&writer_dir, if i % 2 == 0 { "go" } else { "crates.io" });
        }
        build(&writer_dir, "go")
    });
    let mut opened = 0;
    while !writer.is_finished() || opened == 0 {
        let db = Db::open(dir.path()).expect("every open sees a whole file");
        db.verify().expect("and that file verifies");
        opened += 1;
    }
    let go = writer.join().expect("writer");
    // The handle opened first still reads the file it opened, index sections included
    // (read lazily, after the replacements).
    assert_eq!(old.len(), rust);
    assert_eq!(old.lookup(&base, &name).expect("old lookup"), before);
    old.verify().expect("old file verifies");
    assert_eq!(Db::open(dir.path()).expect("reopen").len(), go);
    assert_ne!(rust, go);
}
