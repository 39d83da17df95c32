//! KEV and EPSS.

use bosun_vulndb::{Db, DbBuilder};
use std::io::Write;

#[test]
fn kev_catalog_has_1404_entries_with_dates() {
    let Some(p) = bosun_testdata::path("data/osv/kev/known_exploited_vulnerabilities.json") else {
        return;
    };
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&p).expect("read")).expect("json");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = DbBuilder::new();
    let s = b.add_path(&p).expect("import");
    assert_eq!(s.kev, 1404);
    let info = b.write(dir.path()).expect("write");
    assert_eq!(info.kev, 1404);
    assert_eq!(info.kev_catalog.as_deref(), Some("2025.08.25"));
    let db = Db::open(dir.path()).expect("open");
    for e in v["vulnerabilities"].as_array().expect("list") {
        let cve = e["cveID"].as_str().expect("cve");
        let k = db.kev(cve).expect("kev").expect("present");
        assert_eq!(Some(k.date_added.as_str()), e["dateAdded"].as_str());
        assert_eq!(k.due_date.as_deref(), e["dueDate"].as_str());
        assert_eq!(
            k.ransomware.as_deref(),
            e["knownRansomwareCampaignUse"].as_str()
        );
    }
    assert_eq!(db.kev("CVE-1999-0000").expect("kev"), None);
}

const EPSS: &str = "#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z\n\
cve,epss,percentile\n\
CVE-1999-0001,0.0123,0.5\n\
CVE-2021-44228,0.94358,0.99957\n\
CVE-2024-3094,0.84,0.98\n\
not-a-cve,0.1,0.1\n\
CVE-2024-0001,1.5,0.2\n";

#[test]
fn epss_csv_and_gz_import_with_bad_rows_counted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("epss_scores-2025-08-25.csv");
    std::fs::write(&csv, EPSS).expect("write");
    let gz = dir.path().join("epss_scores-current.csv.gz");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(EPSS.as_bytes()).expect("gz");
    std::fs::write(&gz, e.finish().expect("gz")).expect("write");
    for input in [&csv, &gz] {
        let mut b = DbBuilder::new();
        let s = b.add_path(input).expect("import");
        assert_eq!((s.epss, s.skipped_rows), (3, 2), "{:?}", s.problems);
        let out = dir.path().join("db");
        let info = b.write(&out).expect("write");
        assert_eq!(
            info.epss_model.as_deref(),
            Some("model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z")
        );
        let db = Db::open(&out).expect("open");
        let l = db.epss("CVE-2021-44228").expect("epss").expect("present");
        assert!((l.score - 0.94358).abs() < 1e-6 && (l.percentile - 0.99957).abs() < 1e-6);
        assert!(db.epss("CVE-2024-0001").expect("epss").is_none());
        assert!(db.epss("CVE-2000-0001").expect("epss").is_none());
    }
}
