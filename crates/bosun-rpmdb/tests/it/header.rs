//! Raw header blobs.

use bosun_rpmdb::RpmdbError;

use crate::expected::error_chain;

/// go-rpmdb keeps `blob.bin` as the seed of its header fuzzer: its `DIRINDEXES` holds
/// `[0, 1, 2, 4]` for four `DIRNAMES`, an index past the end that once made readers panic.
/// It must come back as a typed error naming what is wrong.
#[test]
fn go_rpmdb_fuzz_seed_with_dirindex_past_dirnames_is_an_error() {
    let p = bosun_testdata::require!("data/rpmdb/rpm-header-blob/blob.bin");
    let blob = std::fs::read(p).expect("readable");
    match bosun_rpmdb::parse_header(&blob) {
        Err(e @ RpmdbError::Header(_)) => {
            assert!(e.to_string().contains("DIRINDEXES"), "{}", error_chain(&e));
        }
        other => panic!("expected a header error, got {other:?}"),
    }
}

#[test]
fn claircore_header_parses_with_absolute_file_paths() {
    let p = bosun_testdata::require!("data/rpmdb/rpm-header-blob/claircore-package.header");
    let blob = std::fs::read(p).expect("readable");
    let pkg = bosun_rpmdb::parse_header(&blob).unwrap_or_else(|e| panic!("{}", error_chain(&e)));
    // SOURCERPM is stored apart from NAME/VERSION/RELEASE; for this package (its own source)
    // they must spell the same thing, which checks all four strings were read whole.
    assert_eq!(
        pkg.source_rpm.as_deref(),
        Some(format!("{}-{}-{}.src.rpm", pkg.name, pkg.version, pkg.release).as_str())
    );
    assert!(!pkg.files.is_empty());
    assert!(
        pkg.files.iter().all(|f| f.starts_with('/')),
        "{:?}",
        pkg.files
    );
}

/// Builds a header blob from `(tag, type, count, data)` entries, laid out as rpm stores it.
fn build(entries: &[(i32, u32, u32, Vec<u8>)]) -> Vec<u8> {
    let mut index = Vec::new();
    let mut data = Vec::new();
    for (tag, kind, count, bytes) in entries {
        while *kind == 4 && data.len() % 4 != 0 {
            data.push(0);
        }
        index.extend_from_slice(&tag.to_be_bytes());
        index.extend_from_slice(&kind.to_be_bytes());
        index.extend_from_slice(&(data.len() as u32).to_be_bytes());
        index.extend_from_slice(&count.to_be_bytes());
        data.extend_from_slice(bytes);
    }
    let mut blob = Vec::new();
    blob.extend_from_slice(&(entries.len() as u32).to_be_bytes());
    blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
    blob.extend_from_slice(&index);
    blob.extend_from_slice(&data);
    blob
}

fn nevr() -> Vec<(i32, u32, u32, Vec<u8>)> {
    vec![
        (1000, 6, 1, b"pkg\0".to_vec()),
        (1001, 6, 1, b"1.0\0".to_vec()),
        (1002, 6, 1, b"1\0".to_vec()),
    ]
}

/// One 20 kB directory name shared by 20 000 empty basenames would join into 400 MB of
/// paths from a 100 kB blob: refused by the output cap instead.
#[test]
fn quadratic_file_list_is_refused() {
    let n = 20_000u32;
    let mut e = nevr();
    let mut dir = vec![b'a'; 20_000];
    dir.push(0);
    e.push((1118, 8, 1, dir));
    e.push((1117, 8, n, vec![0; n as usize]));
    e.push((1116, 4, n, vec![0; 4 * n as usize]));
    let err = bosun_rpmdb::parse_header(&build(&e)).expect_err("refused");
    assert!(err.to_string().contains("size limit"), "{err}");
}

/// The same layout at a sane size reads, which shows the builder above is a real header.
#[test]
fn small_synthetic_header_reads_files() {
    let mut e = nevr();
    e.push((1118, 8, 2, b"/usr/bin/\0/etc/\0".to_vec()));
    e.push((1117, 8, 3, b"a\0b\0c.conf\0".to_vec()));
    e.push((
        1116,
        4,
        3,
        [0u32, 0, 1].iter().flat_map(|i| i.to_be_bytes()).collect(),
    ));
    e.push((1003, 4, 1, 7u32.to_be_bytes().to_vec()));
    let pkg = bosun_rpmdb::parse_header(&build(&e)).expect("reads");
    assert_eq!(pkg.files, ["/usr/bin/a", "/usr/bin/b", "/etc/c.conf"]);
    assert_eq!(pkg.epoch, Some(7));
    assert_eq!((pkg.name.as_str(), pkg.arch), ("pkg", None));
}

/// Counts that promise more data than the blob has are errors, not huge allocations.
#[test]
fn counts_beyond_the_data_are_errors() {
    let mut basenames = nevr();
    basenames.push((1118, 8, 1, b"/\0".to_vec()));
    basenames.push((1117, 8, u32::MAX, b"x\0\0\0".to_vec()));
    basenames.push((1116, 4, 1, vec![0; 4]));
    assert!(bosun_rpmdb::parse_header(&build(&basenames)).is_err());

    let mut dirindexes = nevr();
    dirindexes.push((1118, 8, 1, b"/\0".to_vec()));
    dirindexes.push((1117, 8, 1, b"x\0".to_vec()));
    dirindexes.push((1116, 4, u32::MAX, vec![0; 4]));
    assert!(bosun_rpmdb::parse_header(&build(&dirindexes)).is_err());

    // An index entry count past the blob.
    let mut blob = build(&nevr());
    blob[..4].copy_from_slice(&0xffffu32.to_be_bytes());
    assert!(bosun_rpmdb::parse_header(&blob).is_err());
}
