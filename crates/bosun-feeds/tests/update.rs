//! `update`, `import`, `export` and `import_export` against a real HTTP server on loopback
//! serving a mirror built from the shared OSV, KEV data and a generated EPSS file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bosun_feeds::{
    FeedsError, NoProgress, SourceStatus, UpdateOptions, export, import, import_export, update,
};
use bosun_http::{ClientOptions, HttpError, RetryPolicy};
use bosun_testkit::http::{Fault, TestServer};
use bosun_vulndb::Db;
use serde_json::Value;

/// Shared folders zipped into `osv/<Ecosystem>/all.zip`.
const OSV_DIRS: &[(&str, &str)] = &[
    ("debian-converted", "Debian"),
    ("alpine-converted", "Alpine"),
    ("go", "Go"),
    ("crates.io", "crates.io"),
    ("pypi", "PyPI"),
];

const EPSS_ROWS: usize = 500;

/// The mirror's files (relative path, bytes) and the independent counts of what they hold.
struct Mirror {
    files: Vec<(String, Vec<u8>)>,
    /// Distinct OSV ids across every zip.
    ids: BTreeSet<String>,
    /// Distinct ids per ecosystem, in `OSV_DIRS` order.
    per_ecosystem: Vec<(String, usize)>,
    kev: usize,
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// YAML scalars that look like numbers (`1.10`) are versions in OSV: keep them as text.
fn numbers_to_strings(v: Value) -> Value {
    match v {
        Value::Number(n) => Value::String(n.to_string()),
        Value::Array(a) => Value::Array(a.into_iter().map(numbers_to_strings).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| (k, numbers_to_strings(v)))
                .collect(),
        ),
        other => other,
    }
}

fn mirror() -> Option<&'static Mirror> {
    static M: OnceLock<Option<Mirror>> = OnceLock::new();
    M.get_or_init(|| {
        let osv = bosun_testdata::path("data/osv")?;
        let mut files = Vec::new();
        let mut ids = BTreeSet::new();
        let mut per_ecosystem = Vec::new();
        for (dir, eco) in OSV_DIRS {
            let mut paths = Vec::new();
            files_under(&osv.join(dir), &mut paths);
            let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            let zo = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            let mut eco_ids = BTreeSet::new();
            for p in paths {
                let name = p.to_string_lossy().to_string();
                let v: Value = if name.ends_with(".json") {
                    serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap()
                } else if name.ends_with(".yaml") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    numbers_to_strings(serde_saphyr::from_str(&text).unwrap())
                } else {
                    continue;
                };
                let id = v["id"]
                    .as_str()
                    .expect("every record has an id")
                    .to_string();
                z.start_file(format!("{id}.json"), zo).unwrap();
                z.write_all(&serde_json::to_vec(&v).unwrap()).unwrap();
                eco_ids.insert(id.clone());
                ids.insert(id);
            }
            let bytes = z.finish().unwrap().into_inner();
            files.push((format!("osv/{eco}/all.zip"), bytes));
            per_ecosystem.push(((*eco).to_string(), eco_ids.len()));
        }
        let kev_bytes =
            std::fs::read(osv.join("kev/known_exploited_vulnerabilities.json")).unwrap();
        let kev_json: Value = serde_json::from_slice(&kev_bytes).unwrap();
        let kev: BTreeSet<&str> = kev_json["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["cveID"].as_str().unwrap())
            .collect();
        let kev = kev.len();
        files.push(("kev/known_exploited_vulnerabilities.json".into(), kev_bytes));
        let mut csv = String::from(
            "#model_version:v2025.03.14,score_date:2026-11-27T12:55:00Z\ncve,epss,percentile\n",
        );
        for i in 0..EPSS_ROWS {
            csv.push_str(&format!(
                "CVE-2024-{:05},{:.5},{:.5}\n",
                10_000 + i,
                i as f64 / EPSS_ROWS as f64,
                (i as f64 + 0.5) / EPSS_ROWS as f64
            ));
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(csv.as_bytes()).unwrap();
        files.push((
            "epss/epss_scores-current.csv.gz".into(),
            gz.finish().unwrap(),
        ));
        Some(Mirror {
            files,
            ids,
            per_ecosystem,
            kev,
        })
    })
    .as_ref()
}

struct Fixture {
    _dir: tempfile::TempDir,
    db_dir: PathBuf,
    server: TestServer,
}

impl Fixture {
    fn new(m: &Mirror) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("mirror");
        for (rel, bytes) in &m.files {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        let server = TestServer::serve_dir(&root).unwrap();
        Fixture {
            db_dir: dir.path().join("db"),
            _dir: dir,
            server,
        }
    }

    fn opts(&self, ecosystems: &[&str]) -> UpdateOptions {
        let mut o = UpdateOptions::new(&self.db_dir);
        o.mirror = Some(format!("{}/", self.server.base_url()));
        o.ecosystems = ecosystems.iter().map(|s| (*s).to_string()).collect();
        o.http = ClientOptions {
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(40),
                max_retry_after: Duration::from_secs(5),
            },
            ..ClientOptions::default()
        };
        o
    }
}

fn all_ecosystems() -> Vec<&'static str> {
    OSV_DIRS.iter().map(|(_, e)| *e).collect()
}

#[test]
fn update_counts_match_and_second_update_is_all_not_modified() {
    bosun_testdata::require!("data/osv");
    let m = mirror().unwrap();
    let f = Fixture::new(m);
    // Wolfi is not on this mirror: a warning, not a failure.
    let mut ecos = all_ecosystems();
    ecos.push("Wolfi");
    let opts = f.opts(&ecos);
    let report = update(&opts, &mut NoProgress).unwrap();

    let db = Db::open(&f.db_dir).unwrap();
    db.verify().unwrap();
    assert_eq!(
        db.info().records,
        m.ids.len(),
        "records = distinct ids put in"
    );
    assert_eq!(db.info().kev, m.kev);
    assert_eq!(db.info().epss, EPSS_ROWS);
    assert!(
        db.info()
            .epss_model
            .as_deref()
            .unwrap()
            .starts_with("model_version:")
    );
    for (eco, n) in &m.per_ecosystem {
        let r = report
            .sources
            .iter()
            .find(|s| s.source == format!("osv/{eco}"))
            .unwrap();
        assert_eq!(r.status, SourceStatus::Downloaded, "{eco}");
        assert_eq!(r.records, *n, "{eco}: records read");
        assert_eq!(r.skipped_records, 0, "{eco}");
        assert!(r.bytes > 0);
    }
    let wolfi = report
        .sources
        .iter()
        .find(|s| s.source == "osv/Wolfi")
        .unwrap();
    assert!(matches!(
        wolfi.status,
        SourceStatus::Skipped {
            previous_used: false,
            ..
        }
    ));
    assert!(report.warnings.iter().any(|w| w.starts_with("osv/Wolfi")));
    let kev = report.sources.iter().find(|s| s.source == "kev").unwrap();
    assert_eq!(kev.kev, m.kev);
    let epss = report.sources.iter().find(|s| s.source == "epss").unwrap();
    assert_eq!(epss.epss, EPSS_ROWS);
    let local = bosun_feeds::local_sources(&f.db_dir).unwrap();
    assert_eq!(
        local.len(),
        m.files.len(),
        "every source but the missing one is kept"
    );
    for l in &local {
        let r = report
            .sources
            .iter()
            .find(|s| s.source == l.source)
            .unwrap();
        assert_eq!(l.bytes, r.bytes, "{}", l.source);
        assert_eq!(l.url.as_deref(), Some(r.url.as_str()));
        assert!(l.etag.is_some() && l.last_modified.is_some());
    }
    // The mirror URL of an ecosystem with a dot is taken as is.
    assert!(
        f.server
            .requests()
            .iter()
            .any(|r| r.path == "/osv/crates.io/all.zip")
    );

    // Second update: conditional requests, 304 everywhere, same database content.
    let before = db.info().clone();
    drop(db);
    f.server.clear_requests();
    let report2 = update(&opts, &mut NoProgress).unwrap();
    let log = f.server.requests();
    let present: Vec<_> = report2
        .sources
        .iter()
        .filter(|s| s.source != "osv/Wolfi")
        .collect();
    assert_eq!(present.len(), m.files.len());
    for s in &present {
        assert_eq!(s.status, SourceStatus::NotModified, "{}", s.source);
        assert_eq!(s.bytes, 0);
    }
    for r in log.iter().filter(|r| !r.path.contains("Wolfi")) {
        assert!(
            r.header("if-none-match").is_some(),
            "{} without If-None-Match",
            r.path
        );
    }
    assert_eq!(log.len(), m.files.len() + 1);
    let db = Db::open(&f.db_dir).unwrap();
    db.verify().unwrap();
    assert_eq!(db.info().records, before.records);
    assert_eq!(db.info().kev, before.kev);
    assert_eq!(db.info().epss, before.epss);
    assert_eq!(db.info().packages, before.packages);
}

#[test]
fn missing_source_keeps_its_previous_copy() {
    bosun_testdata::require!("data/osv");
    let m = mirror().unwrap();
    let f = Fixture::new(m);
    let opts = f.opts(&["Go"]);
    update(&opts, &mut NoProgress).unwrap();
    let go = m.per_ecosystem.iter().find(|(e, _)| e == "Go").unwrap().1;
    std::fs::remove_file(f.server.root().join("osv/Go/all.zip")).unwrap();
    let report = update(&opts, &mut NoProgress).unwrap();
    let s = &report.sources[0];
    assert!(matches!(
        s.status,
        SourceStatus::Skipped {
            previous_used: true,
            ..
        }
    ));
    assert_eq!(s.records, go);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert_eq!(Db::open(&f.db_dir).unwrap().info().records, go);
}

#[derive(Default)]
struct Recorder {
    phases: Vec<String>,
    bytes: Vec<(String, u64)>,
    retries: Vec<String>,
    done: Vec<String>,
}

impl bosun_feeds::Progress for Recorder {
    fn phase(&mut self, message: &str) {
        self.phases.push(message.to_string());
    }
    fn source_bytes(&mut self, source: &str, bytes: u64) {
        match self.bytes.iter_mut().find(|(s, _)| s == source) {
            Some((_, n)) => *n += bytes,
            None => self.bytes.push((source.to_string(), bytes)),
        }
    }
    fn source_retry(&mut self, source: &str, _attempt: u32, _delay: Duration, _reason: &str) {
        self.retries.push(source.to_string());
    }
    fn source_done(&mut self, report: &bosun_feeds::SourceReport) {
        self.done.push(report.source.clone());
    }
}

#[test]
fn status_503_then_success_is_retried() {
    bosun_testdata::require!("data/osv");
    let m = mirror().unwrap();
    let f = Fixture::new(m);
    f.server.push_fault(
        "/osv/Go/all.zip",
        Fault::Status {
            code: 503,
            retry_after: None,
        },
    );
    let mut progress = Recorder::default();
    let report = update(&f.opts(&["Go"]), &mut progress).unwrap();
    assert_eq!(report.sources[0].status, SourceStatus::Downloaded);
    assert_eq!(progress.retries, vec!["osv/Go".to_string()]);
    let go_bytes = progress
        .bytes
        .iter()
        .find(|(s, _)| s == "osv/Go")
        .unwrap()
        .1;
    assert_eq!(go_bytes, report.sources[0].bytes, "progress bytes add up");
    assert_eq!(progress.done.len(), report.sources.len());
    assert!(progress.phases.len() >= 2, "{:?}", progress.phases);
    let go_requests = f
        .server
        .requests()
        .iter()
        .filter(|r| r.path == "/osv/Go/all.zip")
        .count();
    assert_eq!(go_requests, 2);
}

#[test]
fn status_429_with_retry_after_waits_a_second() {
    bosun_testdata::require!("data/osv");
    let m = mirror().unwrap();
    let f = Fixture::new(m);
    f.server.push_fault(
        "/kev/known_exploited_vulnerabilities.json",
        Fault::Status {
            code: 429,
            retry_after: Some("1".into()),
        },
    );
    let mut opts = f.opts(&[]);
    opts.epss = false;
    let t = Instant::now();
    let report = update(&opts, &mut NoProgress).unwrap();
    assert!(t.elapsed() >= Duration::from_secs(1), "{:?}", t.elapsed());
    assert_eq!(report.sources[0].status, SourceStatus::Downloaded);
    assert_eq!(report.db.kev, m.kev);
}

#[test]
fn dropped_connection_fails_update_and_keeps_previous_db() {
    bosun_testdata::require!("data/osv");
    let m = mirror().unwrap();
    let f = Fixture::new(m);
    let opts = f.opts(&["Go", "crates.io"]);
    update(&opts, &mut NoProgress).unwrap();
    let before = Db::open(&f.db_dir).unwrap().info().clone();
    // A newer Go file on the server, cut mid-body on every attempt.
    let go = f.server.root().join("osv/Go/all.zip");
    let mut bytes = std::fs::read(&go).unwrap();
    bytes.extend_from_slice(b"changed");
    std::fs::write(&go, bytes).unwrap();
    f.server
        .set_persistent_fault("/osv/Go/all.zip", Some(Fault::Drop { after: 1000 }));
    let err = update(&opts, &mut NoProgress).unwrap_err();
    let url = format!("{}/osv/Go/all.zip", f.server.base_url());
    assert!(err.to_string().contains(&url), "{err}");
    assert!(matches!(
        err,
        FeedsError::Download {
            error: HttpError::RetriesExhausted { attempts: 3, .. },
            ..
        }
    ));
    let after = Db::open(&f.db_dir).unwrap();
    after.verify().unwrap();
    assert_eq!(after.info(), &before);
}

#[test]
fn error_page_served_as_zip_fails_and_is_fetched_again_next_time() {
    bosun_testdata::require!("data/osv");
    let m = mirror().unwrap();
    let f = Fixture::new(m);
    let opts = f.opts(&["Go", "crates.io"]);
    update(&opts, &mut NoProgress).unwrap();
    let before = Db::open(&f.db_dir).unwrap().info().clone();
    let go = f.server.root().join("osv/Go/all.zip");
    let good = std::fs::read(&go).unwrap();
    std::fs::write(&go, b"<html><body>Service moved</body></html>").unwrap();
    let err = update(&opts, &mut NoProgress).unwrap_err();
    assert!(
        matches!(&err, FeedsError::BadSource { feed, .. } if feed == "osv/Go"),
        "{err:?}"
    );
    assert!(err.to_string().contains("/osv/Go/all.zip"), "{err}");
    assert_eq!(Db::open(&f.db_dir).unwrap().info(), &before);
    // The mirror is fixed: the next update downloads Go again (no stale validators).
    std::fs::write(&go, good).unwrap();
    f.server.clear_requests();
    let report = update(&opts, &mut NoProgress).unwrap();
    assert_eq!(report.sources[0].status, SourceStatus::Downloaded);
    let go_req = f
        .server
        .requests()
        .into_iter()
        .find(|r| r.path == "/osv/Go/all.zip")
        .unwrap();
    assert!(go_req.header("if-none-match").is_none());
    assert_eq!(report.db.records, before.records);
}

#[test]
fn export_import_round_trips_and_corrupt_export_is_refused() {
    bosun_testdata::require!("data/osv");
    let m = mirror().unwrap();
    let f = Fixture::new(m);
    update(&f.opts(&["Go", "PyPI"]), &mut NoProgress).unwrap();
    let original = Db::open(&f.db_dir).unwrap().info().clone();
    let out = f.db_dir.parent().unwrap().join("db.bosundb");
    let info = export(&f.db_dir, &out).unwrap();
    assert_eq!(info.db_bytes, original.file_size);
    assert!(info.export_bytes < info.db_bytes);

    let other = f.db_dir.parent().unwrap().join("other");
    let imported = import_export(&out, &other).unwrap();
    assert_eq!(imported.records, original.records);
    assert_eq!(imported.packages, original.packages);
    assert_eq!(imported.kev, original.kev);
    assert_eq!(imported.epss, original.epss);
    assert_eq!(imported.aliases, original.aliases);
    assert_eq!(
        std::fs::read(other.join(bosun_vulndb::DB_FILE)).unwrap(),
        std::fs::read(f.db_dir.join(bosun_vulndb::DB_FILE)).unwrap()
    );

    // Corrupt one byte in the compressed body: refused, old database kept.
    let mut bytes = std::fs::read(&out).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    let bad = f.db_dir.parent().unwrap().join("bad.bosundb");
    std::fs::write(&bad, &bytes).unwrap();
    let err = import_export(&bad, &f.db_dir).unwrap_err();
    assert!(matches!(err, FeedsError::BadExport { .. }), "{err:?}");
    assert_eq!(Db::open(&f.db_dir).unwrap().info(), &original);
    // A foreign file too.
    std::fs::write(&bad, b"PK\x03\x04 not an export").unwrap();
    assert!(matches!(
        import_export(&bad, &f.db_dir),
        Err(FeedsError::BadExport { .. })
    ));
    assert_eq!(Db::open(&f.db_dir).unwrap().info(), &original);
    // No temporary file left in the database directory.
    let names: Vec<String> = std::fs::read_dir(&f.db_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn import_builds_from_local_files() {
    let osv = bosun_testdata::require!("data/osv");
    let dir = tempfile::tempdir().unwrap();
    let go: BTreeSet<String> = std::fs::read_dir(osv.join("go"))
        .unwrap()
        .map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".json")
                .to_string()
        })
        .collect();
    let r = import(
        &[
            osv.join("go"),
            osv.join("kev/known_exploited_vulnerabilities.json"),
        ],
        dir.path(),
    )
    .unwrap();
    assert_eq!(r.db.records, go.len());
    assert_eq!(r.sources.len(), 2);
    assert_eq!(Db::open(dir.path()).unwrap().info().records, go.len());
}

#[test]
fn concurrent_updates_leave_a_valid_database() {
    bosun_testdata::require!("data/osv");
    let m = mirror().unwrap();
    let f = Fixture::new(m);
    let opts = f.opts(&["Go", "crates.io"]);
    std::thread::scope(|s| {
        let a = s.spawn(|| update(&opts, &mut NoProgress));
        let b = s.spawn(|| update(&opts, &mut NoProgress));
        a.join().unwrap().unwrap();
        b.join().unwrap().unwrap();
    });
    let db = Db::open(&f.db_dir).unwrap();
    db.verify().unwrap();
    let want: usize = m
        .per_ecosystem
        .iter()
        .filter(|(e, _)| e == "Go" || e == "crates.io")
        .map(|(_, n)| n)
        .sum();
    assert_eq!(db.info().records, want);
}

#[test]
fn mirror_layout_and_bad_names() {
    let mut o = UpdateOptions::new("db");
    o.mirror = Some("https://m.example/base/".into());
    o.ecosystems = vec!["Red Hat".into(), "crates.io".into()];
    let plan = bosun_feeds::plan(&o).unwrap();
    let urls: Vec<&str> = plan.iter().map(|s| s.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://m.example/base/osv/Red%20Hat/all.zip",
            "https://m.example/base/osv/crates.io/all.zip",
            "https://m.example/base/kev/known_exploited_vulnerabilities.json",
            "https://m.example/base/epss/epss_scores-current.csv.gz",
        ]
    );
    o.mirror = None;
    let plan = bosun_feeds::plan(&o).unwrap();
    assert_eq!(
        plan[0].url,
        "https://osv-vulnerabilities.storage.googleapis.com/Red%20Hat/all.zip"
    );
    assert_eq!(plan[2].url, bosun_feeds::KEV_URL);
    o.ecosystems = vec!["../etc".into()];
    assert!(matches!(
        bosun_feeds::plan(&o),
        Err(FeedsError::InvalidOption(_))
    ));
    // A plain-http mirror that is not loopback is refused before anything is fetched.
    let mut o = UpdateOptions::new(tempfile::tempdir().unwrap().path());
    o.mirror = Some("http://mirror.example".into());
    let e = update(&o, &mut NoProgress).unwrap_err();
    assert!(
        matches!(
            e,
            FeedsError::Download {
                error: HttpError::InsecureScheme { .. },
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn default_ecosystems_are_osv_names() {
    let path = bosun_testdata::require!("data/osv/schema/ecosystems.json");
    let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    for e in bosun_feeds::DEFAULT_ECOSYSTEMS {
        assert!(v.get(*e).is_some(), "{e} is not in ecosystems.json");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    #[test]
    fn fuzz_export_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        bosun_feeds::fuzz::export_bytes(&bytes);
    }

    #[test]
    fn fuzz_export_with_valid_magic(tail in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        let mut bytes = bosun_feeds::EXPORT_MAGIC.to_vec();
        bytes.extend_from_slice(&bosun_feeds::EXPORT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&tail);
        bosun_feeds::fuzz::export_bytes(&bytes);
    }
}
