//! NDB `Packages.db` against the expected lists.

use bosun_rpmdb::DbFormat;

use crate::expected::{assert_db_matches, go_rpmdb_csv, sle_tsv};

#[test]
fn sle15_bci_matches_go_rpmdb_table() {
    let db = bosun_testdata::require!("data/rpmdb/sle15-bci/Packages.db");
    let exp = bosun_testdata::require!("data/rpmdb/sle15-bci/expected-packages.tsv");
    assert_db_matches(&db, DbFormat::Ndb, &sle_tsv(&exp));
}

#[test]
fn sle15_bci_pr42_matches_go_rpmdb_csv() {
    let db = bosun_testdata::require!("data/rpmdb/sle15-bci-pr42/Packages.db");
    let exp = bosun_testdata::require!("data/rpmdb/sle15-bci-pr42/packages.csv");
    let pkgs = assert_db_matches(&db, DbFormat::Ndb, &go_rpmdb_csv(&exp));
    // Every package of a real system owns files, and every path is absolute.
    assert!(
        pkgs.iter()
            .filter(|p| p.name != "gpg-pubkey")
            .all(|p| !p.files.is_empty())
    );
    assert!(
        pkgs.iter()
            .flat_map(|p| &p.files)
            .all(|f| f.starts_with('/'))
    );
}
