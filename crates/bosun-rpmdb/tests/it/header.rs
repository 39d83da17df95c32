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
