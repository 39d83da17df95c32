//! `rpmdb.sqlite` against the expected lists.

use bosun_rpmdb::DbFormat;

use crate::expected::{assert_db_matches, go_rpmdb_csv, rpm_qa_tsv};

#[test]
fn cbl_mariner_matches_rpm_qa() {
    let db = bosun_testdata::require!("data/rpmdb/cbl-mariner-2.0/rpmdb.sqlite");
    let exp = bosun_testdata::require!("data/rpmdb/cbl-mariner-2.0/expected-rpm-qa.tsv");
    assert_db_matches(&db, DbFormat::Sqlite, &rpm_qa_tsv(&exp));
}

#[test]
fn cbl_mariner_curl_files_match_go_rpmdb() {
    let db = bosun_testdata::require!("data/rpmdb/cbl-mariner-2.0/rpmdb.sqlite");
    let names =
        bosun_testdata::require!("data/rpmdb/cbl-mariner-2.0/expected-curl_file_names.json");
    let files = bosun_testdata::require!("data/rpmdb/cbl-mariner-2.0/expected-curl_files.json");
    let curl_json = bosun_testdata::require!("data/rpmdb/cbl-mariner-2.0/expected-curl.json");
    let bytes = std::fs::read(db).expect("readable");
    let pkgs = bosun_rpmdb::read_packages(&bytes, DbFormat::Sqlite).expect("reads");
    let curl: Vec<_> = pkgs.iter().filter(|p| p.name == "curl").collect();
    assert_eq!(curl.len(), 1);
    let curl = curl[0];

    let expected_names: Vec<String> =
        serde_json::from_slice(&std::fs::read(names).expect("readable")).expect("json");
    assert_eq!(curl.files, expected_names);

    let expected_files: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(files).expect("readable")).expect("json");
    let paths: Vec<&str> = expected_files
        .iter()
        .map(|f| f["Path"].as_str().expect("Path is a string"))
        .collect();
    assert_eq!(curl.files, paths);

    let c: serde_json::Value =
        serde_json::from_slice(&std::fs::read(curl_json).expect("readable")).expect("json");
    assert_eq!(c["Version"], curl.version.as_str());
    assert_eq!(c["Release"], curl.release.as_str());
    assert_eq!(c["License"], curl.license.as_deref().unwrap_or_default());
    assert_eq!(c["Vendor"], curl.vendor.as_deref().unwrap_or_default());
    assert_eq!(
        c["SourceRpm"],
        curl.source_rpm.as_deref().unwrap_or_default()
    );
}

#[test]
fn amazonlinux2023_matches_go_rpmdb_csv_and_rpm_qa() {
    let db = bosun_testdata::require!("data/rpmdb/amazonlinux2023-plain/rpmdb.sqlite");
    let csv = bosun_testdata::require!("data/rpmdb/amazonlinux2023-plain/packages.csv");
    let tsv = bosun_testdata::require!("data/rpmdb/amazonlinux2023-plain/expected-rpm-qa.tsv");
    assert_db_matches(&db, DbFormat::Sqlite, &go_rpmdb_csv(&csv));
    assert_db_matches(&db, DbFormat::Sqlite, &rpm_qa_tsv(&tsv));
}

#[test]
fn rpm_upstream_testsuite_matches_rpm_qa() {
    let db = bosun_testdata::require!("data/rpmdb/rpm-upstream-testsuite/rpmdb.sqlite");
    let exp = bosun_testdata::require!("data/rpmdb/rpm-upstream-testsuite/expected-rpm-qa.tsv");
    assert_db_matches(&db, DbFormat::Sqlite, &rpm_qa_tsv(&exp));
}

#[test]
fn database_without_packages_table_is_empty_not_error() {
    let db = bosun_testdata::require!("data/rpmdb/edge-cases/no_packages.sqlite");
    let bytes = std::fs::read(db).expect("readable");
    assert_eq!(bosun_rpmdb::detect(&bytes), Some(DbFormat::Sqlite));
    let pkgs = bosun_rpmdb::read_packages(&bytes, DbFormat::Sqlite).expect("reads");
    assert!(pkgs.is_empty());
}

#[test]
fn reading_never_modifies_the_input_bytes() {
    // The WAL flag is patched in SQLite's copy, not in the caller's bytes.
    let db = bosun_testdata::require!("data/rpmdb/rpm-upstream-testsuite/rpmdb.sqlite");
    let bytes = std::fs::read(db).expect("readable");
    let before = bytes.clone();
    bosun_rpmdb::read_packages(&bytes, DbFormat::Sqlite).expect("reads");
    assert_eq!(bytes, before);
}
