//! BerkeleyDB `Packages` against the expected lists.

use bosun_rpmdb::DbFormat;

use crate::expected::{assert_db_matches, rpm_qa_tsv};

#[test]
fn syft_single_package_matches_rpm_qa() {
    let db = bosun_testdata::require!("data/rpmdb/syft-single-pkg-bdb/Packages");
    let exp = bosun_testdata::require!("data/rpmdb/syft-single-pkg-bdb/expected-rpm-qa.tsv");
    assert_db_matches(&db, DbFormat::BerkeleyDb, &rpm_qa_tsv(&exp));
}

#[test]
fn libuuid_matches_rpm_qa() {
    let db = bosun_testdata::require!("data/rpmdb/libuuid-bdb/Packages");
    let exp = bosun_testdata::require!("data/rpmdb/libuuid-bdb/expected-rpm-qa.tsv");
    let pkgs = assert_db_matches(&db, DbFormat::BerkeleyDb, &rpm_qa_tsv(&exp));
    assert!(pkgs.iter().all(|p| !p.files.is_empty()));
}
