//! Readers for the expected-list formats shipped beside the databases, and the comparison
//! every format's test shares.

use std::path::Path;

use bosun_rpmdb::{DbFormat, RpmPackage};

/// The fields an expected list can name. `license`/`vendor` are `None` when the list does
/// not carry them (rpm -qa TSVs), in which case they are not compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) epoch: Option<u32>,
    pub(crate) version: String,
    pub(crate) release: String,
    pub(crate) arch: Option<String>,
    pub(crate) source_rpm: Option<String>,
    pub(crate) license_vendor: Option<(Option<String>, Option<String>)>,
}

/// rpm prints an absent tag as `(none)`; the lists also leave some empty.
fn opt(field: &str) -> Option<String> {
    match field {
        "" | "(none)" => None,
        s => Some(s.to_owned()),
    }
}

fn epoch(field: &str) -> Option<u32> {
    opt(field).map(|e| e.parse().expect("expected list has a numeric epoch"))
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).expect("expected list is readable UTF-8")
}

/// `expected-rpm-qa.tsv`: `#` comments, then epoch, name, version, release, arch, sourcerpm.
pub(crate) fn rpm_qa_tsv(path: &Path) -> Vec<Row> {
    let mut rows: Vec<Row> = text(path)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 6, "rpm -qa line has 6 fields: {l:?}");
            Row {
                epoch: epoch(f[0]),
                name: f[1].to_owned(),
                version: f[2].to_owned(),
                release: f[3].to_owned(),
                arch: opt(f[4]),
                source_rpm: opt(f[5]),
                license_vendor: None,
            }
        })
        .collect();
    rows.sort();
    rows
}

/// go-rpmdb `packages.csv`: `¶`-separated EPOCH, NAME, VERSION, RELEASE, ARCH, SOURCERPM,
/// SIZE, LICENSE, VENDOR, SUMMARY, SIGMD5.
pub(crate) fn go_rpmdb_csv(path: &Path) -> Vec<Row> {
    let mut rows: Vec<Row> = text(path)
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\u{b6}').collect();
            assert_eq!(f.len(), 11, "packages.csv line has 11 fields: {l:?}");
            Row {
                epoch: epoch(f[0]),
                name: f[1].to_owned(),
                version: f[2].to_owned(),
                release: f[3].to_owned(),
                arch: opt(f[4]),
                source_rpm: opt(f[5]),
                license_vendor: Some((opt(f[7]), opt(f[8]))),
            }
        })
        .collect();
    rows.sort();
    rows
}

/// sle15-bci `expected-packages.tsv`: header line, then epoch, name, version, release, arch,
/// sourcerpm, size, license, vendor, modularitylabel, summary, sigmd5.
pub(crate) fn sle_tsv(path: &Path) -> Vec<Row> {
    let mut rows: Vec<Row> = text(path)
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(
                f.len(),
                12,
                "expected-packages.tsv line has 12 fields: {l:?}"
            );
            Row {
                epoch: epoch(f[0]),
                name: f[1].to_owned(),
                version: f[2].to_owned(),
                release: f[3].to_owned(),
                arch: opt(f[4]),
                source_rpm: opt(f[5]),
                license_vendor: Some((opt(f[7]), opt(f[8]))),
            }
        })
        .collect();
    rows.sort();
    rows
}

/// Our packages in the shape of `expected` (license/vendor only when it has them).
pub(crate) fn rows_of(packages: &[RpmPackage], with_license_vendor: bool) -> Vec<Row> {
    let mut rows: Vec<Row> = packages
        .iter()
        .map(|p| Row {
            name: p.name.clone(),
            epoch: p.epoch,
            version: p.version.clone(),
            release: p.release.clone(),
            arch: p.arch.clone(),
            source_rpm: p.source_rpm.clone(),
            license_vendor: with_license_vendor.then(|| (p.license.clone(), p.vendor.clone())),
        })
        .collect();
    rows.sort();
    rows
}

/// Detects, reads (timed) and compares with `expected`; returns the packages.
pub(crate) fn assert_db_matches(db: &Path, format: DbFormat, expected: &[Row]) -> Vec<RpmPackage> {
    let bytes = std::fs::read(db).expect("database is readable");
    assert_eq!(
        bosun_rpmdb::detect(&bytes),
        Some(format),
        "{}",
        db.display()
    );
    let start = std::time::Instant::now();
    let packages = bosun_rpmdb::read_packages(&bytes, format)
        .unwrap_or_else(|e| panic!("{}: {}", db.display(), error_chain(&e)));
    let took = start.elapsed();
    eprintln!(
        "timing: {} ({} bytes, {} packages) read in {:.2} ms",
        db.display(),
        bytes.len(),
        packages.len(),
        took.as_secs_f64() * 1e3
    );
    let with_lv = expected.first().is_some_and(|r| r.license_vendor.is_some());
    let ours = rows_of(&packages, with_lv);
    assert!(!expected.is_empty(), "expected list is empty");
    assert_eq!(
        ours.len(),
        expected.len(),
        "package count of {}",
        db.display()
    );
    for (o, e) in ours.iter().zip(expected) {
        assert_eq!(o, e, "{}", db.display());
    }
    packages
}

pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
