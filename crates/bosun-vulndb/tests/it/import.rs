//! Import counts against independent counts of the files, and determinism.

use crate::common::{files, full, json};
use bosun_vulndb::{Db, DbBuilder};
use std::collections::BTreeSet;

/// Records per OSV folder, counted from the files themselves.
fn expected_records(osv: &std::path::Path, folder: &str) -> usize {
    let d = osv.join(folder);
    match folder {
        "pypi" => files(&d, ".yaml").len(),
        "maven-ghsa-bundle" => files(&d, ".json")
            .iter()
            .map(|f| json(f)["vulns"].as_array().map_or(0, Vec::len))
            .sum(),
        "ghsa-conversion-pairs" => files(&d, ".osv.json").len(),
        "redhat" => files(&d, ".json")
            .iter()
            .filter(|f| !f.to_string_lossy().contains("csaf-"))
            .count(),
        _ => files(&d, ".json").len(),
    }
}

#[test]
fn each_osv_folder_imports_every_record() {
    let Some(osv) = bosun_testdata::path("data/osv") else {
        return;
    };
    for folder in [
        "go",
        "crates.io",
        "pypi",
        "maven-ghsa-bundle",
        "ghsa-npm",
        "ghsa-conversion-pairs",
        "distro-samples",
        "redhat",
        "alpine-converted",
        "debian-converted",
    ] {
        let mut b = DbBuilder::new();
        let s = b.add_path(osv.join(folder)).expect("import");
        let want = expected_records(&osv, folder);
        assert_eq!(s.records, want, "{folder}: {:?}", s.problems);
        assert_eq!(s.skipped, 0, "{folder}: {:?}", s.problems);
    }
}

#[test]
fn linter_samples_nointroduced_skipped_others_kept() {
    let Some(d) = bosun_testdata::path("data/osv/osv-linter-samples") else {
        return;
    };
    let mut b = DbBuilder::new();
    let s = b.add_path(&d).expect("import");
    let total = files(&d, ".json").len();
    // nointroduced-: a range without `introduced` cannot be evaluated: skipped.
    // nondistinct-: only its GIT range repeats events; GIT ranges are not used: kept.
    // nopackage-: a well-formed record for a package that does not exist: kept.
    assert_eq!(s.skipped, 1, "{:?}", s.problems);
    assert!(s.problems[0].file.contains("nointroduced-"));
    assert!(s.problems[0].reason.contains("introduced"));
    assert_eq!(s.records, total - 1);
    // The kept variants share their ids with the valid samples: one record per id.
    assert_eq!(s.duplicates, 2);
    assert_eq!(b.len(), total - 3);
}

#[test]
fn full_database_holds_every_distinct_id() {
    let Some(f) = full() else { return };
    let mut ids = BTreeSet::new();
    for p in files(&f.osv, ".json") {
        let s = p.to_string_lossy();
        if s.contains("nointroduced-")
            || s.contains("/kev/")
            || s.contains("/schema/")
            || s.contains("/epss-samples/")
            || s.contains("csaf-")
            || (s.contains("ghsa-conversion-pairs") && !s.ends_with(".osv.json"))
        {
            continue;
        }
        let v = json(&p);
        if let Some(vulns) = v["vulns"].as_array() {
            ids.extend(
                vulns
                    .iter()
                    .filter_map(|r| r["id"].as_str().map(str::to_string)),
            );
        } else if let Some(id) = v["id"].as_str() {
            ids.insert(id.to_string());
        }
    }
    for p in files(&f.osv.join("pypi"), ".yaml") {
        let text = std::fs::read_to_string(&p).expect("read");
        let id = text
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .expect("pypi id");
        ids.insert(id.trim().to_string());
    }
    assert_eq!(f.db.len(), ids.len());
    assert_eq!(f.db.info().records, ids.len());
    for (n, id) in ids.iter().enumerate().step_by(97) {
        let a = f.db.get(id).expect("get").expect("present");
        assert_eq!(&a.id, id, "record {n}");
    }
    // Non-OSV files are ignored, not counted as malformed records.
    assert_eq!(f.stats.skipped, 1);
    assert_eq!(f.stats.kev, 1404);
    f.db.verify().expect("verify");
}

#[test]
fn withdrawn_records_are_kept_and_flagged() {
    let Some(f) = full() else { return };
    let mut withdrawn = BTreeSet::new();
    for p in files(&f.osv, ".osv.json") {
        let v = json(&p);
        if v.get("withdrawn").is_some_and(|w| w.is_string()) {
            withdrawn.insert(v["id"].as_str().expect("id").to_string());
        }
    }
    assert!(!withdrawn.is_empty(), "the data has a withdrawn advisory");
    for id in &withdrawn {
        let a = f.db.get(id).expect("get").expect("kept");
        assert!(a.is_withdrawn(), "{id}");
    }
}

#[test]
fn rebuild_is_deterministic_except_build_time() {
    let Some(osv) = bosun_testdata::path("data/osv") else {
        return;
    };
    let build = || {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut b = DbBuilder::new();
        for f in ["go", "pypi", "maven-ghsa-bundle", "kev"] {
            b.add_path(osv.join(f)).expect("import");
        }
        b.write(dir.path()).expect("write");
        let mut bytes = std::fs::read(dir.path().join(bosun_vulndb::DB_FILE)).expect("read");
        Db::open(dir.path()).expect("open");
        bytes[16..24].fill(0);
        bytes
    };
    let a = build();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    assert!(a == build(), "two builds differ outside the build time");
}

#[test]
fn osv_all_zip_imports_like_the_folder() {
    let Some(go) = bosun_testdata::path("data/osv/go") else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let zpath = dir.path().join("all.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zpath).expect("create"));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let all = files(&go, ".json");
    for f in &all {
        let name = f.file_name().expect("name").to_string_lossy().to_string();
        z.start_file(name, opts).expect("start");
        std::io::Write::write_all(&mut z, &std::fs::read(f).expect("read")).expect("write");
    }
    z.finish().expect("finish");
    let mut b = DbBuilder::new();
    let s = b.add_path(&zpath).expect("import");
    assert_eq!(s.records, all.len());
    assert_eq!(s.kinds.get("osv_zip"), Some(&1));
}
