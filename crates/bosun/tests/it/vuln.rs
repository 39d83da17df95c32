//! `bosun db` and `bosun scan --scanners vuln` on a Debian image built from the shared real
//! data, against expectations computed here: the advisories are walked independently and
//! every version comparison is `dpkg --compare-versions`' answer, never bosun's.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use bosun_testkit::ImageBuilder;
use serde_json::Value;

use crate::support::{bosun, bosun_ok, read};

const BULLSEYE: &str = "data/dpkg/debian-generated/bullseye-minbase-amd64";
const DEBIAN_OSV: &str = "data/osv/debian-converted";
const KEV: &str = "data/osv/kev/known_exploited_vulnerabilities.json";

/// `dpkg --compare-versions a op b`.
fn dpkg_cmp(a: &str, op: &str, b: &str) -> bool {
    Command::new("dpkg")
        .args(["--compare-versions", a, op, b])
        .status()
        .expect("dpkg runs (install dpkg)")
        .success()
}

/// One installed binary package: (name, source name, source version).
fn installed(status: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for para in status.split("\n\n") {
        let field = |k: &str| {
            para.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}: ")))
                .map(str::to_owned)
        };
        let (Some(name), Some(version)) = (field("Package"), field("Version")) else {
            continue;
        };
        if !field("Status").is_some_and(|s| s.ends_with(" installed")) {
            continue;
        }
        let (src, src_version) = match field("Source") {
            Some(s) => match s.split_once(" (") {
                Some((n, v)) => (n.to_owned(), v.trim_end_matches(')').to_owned()),
                None => (s, version.clone()),
            },
            None => (name.clone(), version.clone()),
        };
        out.push((name, src, src_version));
    }
    out
}

/// Debian 11 records per source package, from the OSV files.
fn records_by_source(dir: &Path) -> BTreeMap<String, Vec<Value>> {
    let mut by: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let v: Value = serde_json::from_slice(&read(&path)).unwrap();
        let names: BTreeSet<String> = v["affected"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["package"]["ecosystem"] == "Debian:11")
            .filter_map(|a| a["package"]["name"].as_str().map(str::to_owned))
            .collect();
        for n in names {
            by.entry(n).or_default().push(v.clone());
        }
    }
    by
}

/// Whether `version` of `source` is affected by record `v`, by OSV's range rules with
/// dpkg's ordering.
fn affected(v: &Value, source: &str, version: &str) -> bool {
    v["affected"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["package"]["ecosystem"] == "Debian:11" && a["package"]["name"] == source)
        .any(|a| {
            let listed = a["versions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|x| x == version);
            listed
                || a["ranges"].as_array().into_iter().flatten().any(|r| {
                    assert_eq!(r["type"], "ECOSYSTEM", "only ECOSYSTEM ranges expected");
                    let mut hit = false;
                    for ev in r["events"].as_array().unwrap() {
                        if let Some(i) = ev["introduced"].as_str() {
                            hit = i == "0" || dpkg_cmp(version, "ge", i);
                        } else if let Some(f) = ev["fixed"].as_str() {
                            hit = hit && dpkg_cmp(version, "lt", f);
                        } else {
                            panic!("unexpected event {ev}");
                        }
                    }
                    hit
                })
        })
}

fn fixed_versions(records: &[Value], source: &str) -> Vec<String> {
    let mut v: Vec<String> = records
        .iter()
        .flat_map(|r| r["affected"].as_array().unwrap().iter())
        .filter(|a| a["package"]["ecosystem"] == "Debian:11" && a["package"]["name"] == source)
        .flat_map(|a| a["ranges"].as_array().unwrap().iter())
        .flat_map(|r| r["events"].as_array().unwrap().iter())
        .filter_map(|e| e["fixed"].as_str().map(str::to_owned))
        .collect();
    v.sort_by(|a, b| {
        if a == b {
            std::cmp::Ordering::Equal
        } else if dpkg_cmp(a, "lt", b) {
            std::cmp::Ordering::Less
        } else {
            std::cmp::Ordering::Greater
        }
    });
    v.dedup();
    v
}

/// The bullseye status with up to `n` source packages moved back to the earliest fixed
/// version of their advisories (so the later advisories apply). Returns the new status and
/// the binaries changed.
fn downgraded(
    status: &str,
    by_source: &BTreeMap<String, Vec<Value>>,
    n: usize,
) -> (String, BTreeSet<String>) {
    let mut changed = BTreeSet::new();
    let mut sources_done = BTreeSet::new();
    let mut paras = Vec::new();
    for para in status.split("\n\n") {
        let pkgs = installed(para);
        let Some((name, src, src_version)) = pkgs.first() else {
            paras.push(para.to_owned());
            continue;
        };
        let fixes = by_source
            .get(src)
            .map(|r| fixed_versions(r, src))
            .unwrap_or_default();
        let pick = (sources_done.len() < n || sources_done.contains(src)) && fixes.len() >= 2;
        if !pick {
            paras.push(para.to_owned());
            continue;
        }
        let old = &fixes[0];
        sources_done.insert(src.clone());
        changed.insert(name.clone());
        let p = para
            .lines()
            .map(|l| {
                if l.starts_with("Version: ") {
                    format!("Version: {old}")
                } else if l.starts_with("Source: ") {
                    format!("Source: {src} ({old})")
                } else {
                    l.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        assert!(p.contains(&format!("Version: {old}")), "{src_version}");
        paras.push(p);
    }
    (paras.join("\n\n"), changed)
}

struct Setup {
    _tmp: tempfile::TempDir,
    db: PathBuf,
    image: PathBuf,
    /// The same image as an OCI layout.
    oci: PathBuf,
    /// The dpkg status of the image's second (app) layer.
    app_status: String,
    /// (binary, record id) expected.
    expected: BTreeSet<(String, String)>,
    changed: BTreeSet<String>,
    kev: BTreeSet<String>,
    epss: BTreeMap<String, f64>,
}

fn setup() -> Option<Setup> {
    let dir = bosun_testdata::path(BULLSEYE)?;
    let osv = bosun_testdata::path(DEBIAN_OSV)?;
    let kev_path = bosun_testdata::path(KEV)?;
    let tmp = tempfile::tempdir().unwrap();
    let by_source = records_by_source(&osv);
    let status = String::from_utf8(read(&dir.join("status"))).unwrap();
    let (new_status, changed) = downgraded(&status, &by_source, 4);
    assert!(!changed.is_empty(), "some package could be downgraded");

    let mut expected = BTreeSet::new();
    for (name, src, ver) in installed(&new_status) {
        for r in by_source.get(&src).into_iter().flatten() {
            if affected(r, &src, &ver) {
                expected.insert((name.clone(), r["id"].as_str().unwrap().to_owned()));
            }
        }
    }
    let kev_json: Value = serde_json::from_slice(&read(&kev_path)).unwrap();
    let kev: BTreeSet<String> = kev_json["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["cveID"].as_str().unwrap().to_owned())
        .collect();
    // EPSS in FIRST's format for every CVE the advisories name, with made-up scores.
    let mut epss = BTreeMap::new();
    let mut csv = String::from(
        "#model_version:v2025.03.14,score_date:2026-11-27T12:55:00Z\ncve,epss,percentile\n",
    );
    for recs in by_source.values() {
        for r in recs {
            for a in r["aliases"].as_array().into_iter().flatten() {
                let cve = a.as_str().unwrap();
                if cve.starts_with("CVE-") && !epss.contains_key(cve) {
                    let score = (cve.len() as f64 * 7.0 + epss.len() as f64) % 100.0 / 100.0;
                    csv.push_str(&format!("{cve},{score:.5},{score:.5}\n"));
                    epss.insert(cve.to_owned(), score);
                }
            }
        }
    }
    let epss_file = tmp.path().join("epss_scores-current.csv");
    std::fs::write(&epss_file, csv).unwrap();

    let db = tmp.path().join("db");
    bosun_ok(&[
        "db",
        "import",
        "--db-dir",
        db.to_str().unwrap(),
        osv.to_str().unwrap(),
        kev_path.to_str().unwrap(),
        epss_file.to_str().unwrap(),
    ]);

    let os_release = read(&dir.join("os-release"));
    let image = tmp.path().join("bullseye.tar");
    let oci = tmp.path().join("bullseye-oci");
    let builder = ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", &os_release)
                .file("var/lib/dpkg/status", status.as_bytes())
        })
        .layer(|l| l.file("var/lib/dpkg/status", new_status.as_bytes()));
    builder.write_docker_archive(&image).unwrap();
    builder.write_oci_dir(&oci).unwrap();
    Some(Setup {
        _tmp: tmp,
        db,
        image,
        oci,
        app_status: new_status.clone(),
        expected,
        changed,
        kev,
        epss,
    })
}

fn scan(s: &Setup, extra: &[&str]) -> (Value, std::process::Output) {
    scan_image(s, &s.image, extra)
}

fn scan_image(s: &Setup, image: &Path, extra: &[&str]) -> (Value, std::process::Output) {
    let mut args = vec![
        "scan",
        "--scanners",
        "vuln",
        "--format",
        "json",
        "--offline",
        "--db-dir",
        s.db.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args.push(image.to_str().unwrap());
    let out = bosun(&args);
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (v, out)
}

fn ids(f: &Value) -> BTreeSet<String> {
    std::iter::once(&f["id"])
        .chain(f["aliases"].as_array().unwrap())
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn debian_findings_equal_an_independent_walk_of_the_advisories() {
    let Some(s) = setup() else { return };
    let (report, out) = scan(&s, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let vulns = report["vulnerabilities"].as_array().unwrap();
    let got: BTreeSet<(String, String)> = vulns
        .iter()
        .flat_map(|f| {
            let name = f["package"]["name"].as_str().unwrap().to_owned();
            f["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |r| (name.clone(), r.as_str().unwrap().to_owned()))
        })
        .collect();
    assert!(!s.expected.is_empty());
    assert_eq!(got, s.expected);
    for f in vulns {
        let name = f["package"]["name"].as_str().unwrap();
        // The downgraded packages come from layer 1, the rest from the base layer.
        let layer = u64::from(s.changed.contains(name));
        assert_eq!(f["layer"]["index"], layer, "{name}");
        assert!(
            f["layer"]["diff_id"]
                .as_str()
                .unwrap()
                .starts_with("sha256:")
        );
        assert!(
            f["package"]["purl"]
                .as_str()
                .unwrap()
                .starts_with("pkg:deb/debian/")
        );
        assert_eq!(f["package"]["ecosystem"], "Debian:11");
        let cves: BTreeSet<String> = ids(f)
            .into_iter()
            .filter(|i| i.starts_with("CVE-"))
            .collect();
        let listed = cves.iter().any(|c| s.kev.contains(c));
        assert_eq!(f["kev"].is_object(), listed, "KEV flag of {}", f["id"]);
        let best = cves
            .iter()
            .filter_map(|c| s.epss.get(c))
            .copied()
            .reduce(f64::max);
        match best {
            Some(b) => {
                let got = f["epss"]["score"].as_f64().unwrap();
                assert!((got - b).abs() < 1e-4, "EPSS of {}: {got} vs {b}", f["id"]);
            }
            None => assert!(f["epss"].is_null()),
        }
        let status = f["status"].as_str().unwrap();
        assert_eq!(
            status == "fixed",
            !f["fixed_versions"].as_array().unwrap().is_empty()
        );
    }
    // Every finding is one vulnerability: no CVE appears in two findings of one package.
    let mut seen = BTreeSet::new();
    for f in vulns {
        for id in ids(f).into_iter().filter(|i| i.starts_with("CVE-")) {
            assert!(
                seen.insert((f["package"]["name"].clone().to_string(), id.clone())),
                "{id} twice"
            );
        }
    }
}

#[test]
fn filters_gates_and_table() {
    let Some(s) = setup() else { return };
    let (all, _) = scan(&s, &[]);
    let all = all["vulnerabilities"].as_array().unwrap().clone();
    let (fixed, out) = scan(&s, &["--ignore-unfixed"]);
    assert!(out.status.success());
    let fixed = fixed["vulnerabilities"].as_array().unwrap();
    assert_eq!(
        fixed.len(),
        all.iter().filter(|f| f["status"] == "fixed").count()
    );
    // Severity filter and gate, against the severities of the full report.
    let worst = all
        .iter()
        .map(|f| f["severity"].as_str().unwrap().to_owned())
        .collect::<BTreeSet<_>>();
    for sev in ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"] {
        let (r, out) = scan(&s, &["--severity", sev]);
        assert!(out.status.success());
        let n = all.iter().filter(|f| f["severity"] == sev).count();
        assert_eq!(r["vulnerabilities"].as_array().unwrap().len(), n, "{sev}");
        let (_, out) = scan(&s, &["--fail-on", sev]);
        let order = ["UNKNOWN", "LOW", "MEDIUM", "HIGH", "CRITICAL"];
        let at = order.iter().position(|x| *x == sev).unwrap();
        let failing = worst
            .iter()
            .any(|w| order.iter().position(|x| x == w).unwrap() >= at);
        assert_eq!(
            out.status.code(),
            Some(if failing { 1 } else { 0 }),
            "--fail-on {sev}"
        );
    }
    let (_, out) = scan(&s, &["--fail-on", "UNKNOWN", "--exit-code", "7"]);
    assert_eq!(out.status.code(), Some(7));
    // The table: one group for the OS, and the total.
    let out = bosun(&[
        "scan",
        "--scanners",
        "vuln",
        "--offline",
        "--db-dir",
        s.db.to_str().unwrap(),
        s.image.to_str().unwrap(),
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("(os packages):"), "{text}");
    assert!(
        text.contains(&format!("Total: {} vulnerabilit", all.len())),
        "{text}"
    );
    let first = all[0]["id"].as_str().unwrap();
    assert!(text.contains(first), "{first} in the table");
}

#[test]
fn database_status_age_and_errors() {
    let Some(s) = setup() else { return };
    let osv = bosun_testdata::path(DEBIAN_OSV).unwrap();
    let files = std::fs::read_dir(&osv)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    let out = bosun(&[
        "db",
        "status",
        "--format",
        "json",
        "--db-dir",
        s.db.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let st: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(st["records"].as_u64().unwrap() as usize, files);
    assert_eq!(st["kev"].as_u64().unwrap() as usize, s.kev.len());
    assert_eq!(st["epss"].as_u64().unwrap() as usize, s.epss.len());

    // A database older than --db-max-age warns, and says what to do.
    let (_, out) = scan(&s, &["--db-max-age", "0m"]);
    std::thread::sleep(std::time::Duration::from_millis(10));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("run `bosun db update`"), "{err}");
    let (_, out) = scan(&s, &[]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("bosun db update"));

    // No database, offline: a usage error naming the directory.
    let empty = s._tmp.path().join("none");
    let out = bosun(&[
        "scan",
        "--scanners",
        "vuln",
        "--offline",
        "--db-dir",
        empty.to_str().unwrap(),
        s.image.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(empty.to_str().unwrap()) && err.contains("bosun db"),
        "{err}"
    );

    // A corrupt database is named: `db status` checks every byte, a scan what it reads
    // (the header and index always).
    let file = s.db.join("bosun-vulndb.bin");
    let good = std::fs::read(&file).unwrap();
    let flip = |at: usize| {
        let mut bytes = good.clone();
        for b in &mut bytes[at..at + 16] {
            *b ^= 0xff;
        }
        std::fs::write(&file, bytes).unwrap();
    };
    flip(good.len() / 2);
    let out = bosun(&["db", "status", "--db-dir", s.db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bosun-vulndb.bin") && err.contains("corrupt"),
        "{err}"
    );
    flip(100);
    let (_, out) = scan(&s, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bosun-vulndb.bin") && err.contains("corrupt"),
        "{err}"
    );
}

/// `osv/Debian/all.zip` and the KEV file of a mirror, built from the shared data.
fn mirror(root: &Path) -> usize {
    let osv = bosun_testdata::path(DEBIAN_OSV).unwrap();
    let dir = root.join("osv/Debian");
    std::fs::create_dir_all(&dir).unwrap();
    let mut z = zip::ZipWriter::new(std::fs::File::create(dir.join("all.zip")).unwrap());
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut n = 0;
    for e in std::fs::read_dir(&osv).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            z.start_file(p.file_name().unwrap().to_str().unwrap(), opts)
                .unwrap();
            std::io::Write::write_all(&mut z, &read(&p)).unwrap();
            n += 1;
        }
    }
    z.finish().unwrap();
    std::fs::create_dir_all(root.join("kev")).unwrap();
    std::fs::copy(
        bosun_testdata::path(KEV).unwrap(),
        root.join("kev/known_exploited_vulnerabilities.json"),
    )
    .unwrap();
    n
}

#[test]
fn update_from_a_loopback_mirror_then_export_and_import() {
    let Some(s) = setup() else { return };
    let site = s._tmp.path().join("mirror");
    let records = mirror(&site);
    let server = bosun_testkit::http::TestServer::serve_dir(&site).unwrap();
    let db = s._tmp.path().join("db-online");
    let update = || {
        bosun(&[
            "db",
            "update",
            "--db-dir",
            db.to_str().unwrap(),
            "--db-mirror",
            &server.base_url(),
            "--ecosystems",
            "Debian",
            "--no-epss",
        ])
    };
    let out = update();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = |dir: &Path| -> Value {
        let out = bosun_ok(&[
            "db",
            "status",
            "--format",
            "json",
            "--db-dir",
            dir.to_str().unwrap(),
        ]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let st = status(&db);
    assert_eq!(st["records"].as_u64().unwrap() as usize, records);
    assert_eq!(st["kev"].as_u64().unwrap() as usize, s.kev.len());

    // The second update asks with validators and downloads nothing.
    server.clear_requests();
    let out = update();
    assert!(out.status.success());
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "one request per feed");
    assert!(reqs.iter().all(|r| r.header("if-none-match").is_some()));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("0 of 2 feeds downloaded"), "{err}");

    // A scan with the mirrored database finds what the imported one finds (no EPSS here).
    let findings = |dir: &Path| -> BTreeSet<(String, String)> {
        let out = bosun_ok(&[
            "scan",
            "--scanners",
            "vuln",
            "--format",
            "json",
            "--offline",
            "--db-dir",
            dir.to_str().unwrap(),
            s.image.to_str().unwrap(),
        ]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["package"]["name"].to_string(), f["id"].to_string()))
            .collect()
    };
    assert_eq!(findings(&db), findings(&s.db));

    // Across the air gap: one file out, the same database in.
    let file = s._tmp.path().join("bosun-db.zst");
    bosun_ok(&[
        "db",
        "export",
        "--db-dir",
        db.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    let other = s._tmp.path().join("db-airgap");
    bosun_ok(&[
        "db",
        "import",
        "--db-dir",
        other.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    let (a, b) = (status(&db), status(&other));
    assert_eq!(
        (a["records"].clone(), a["kev"].clone()),
        (b["records"].clone(), b["kev"].clone())
    );

    // A missing database is downloaded by the scan itself, from the mirror.
    let fresh = s._tmp.path().join("db-auto");
    bosun_ok(&[
        "scan",
        "--scanners",
        "vuln",
        "--format",
        "json",
        "--db-dir",
        fresh.to_str().unwrap(),
        "--db-mirror",
        &server.base_url(),
        s.image.to_str().unwrap(),
    ]);
    assert!(fresh.join("bosun-vulndb.bin").exists());
}

#[test]
fn an_sbom_is_matched_like_the_image_it_describes() {
    let Some(s) = setup() else { return };
    let findings = |source: &str| -> BTreeSet<(String, String, u64)> {
        let (v, out) = {
            let out = bosun(&[
                "scan",
                "--scanners",
                "vuln",
                "--format",
                "json",
                "--offline",
                "--db-dir",
                s.db.to_str().unwrap(),
                source,
            ]);
            (
                serde_json::from_slice::<Value>(&out.stdout).unwrap_or(Value::Null),
                out,
            )
        };
        assert!(
            out.status.success(),
            "{source}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        v["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["package"]["name"].as_str().unwrap().to_owned(),
                    f["id"].as_str().unwrap().to_owned(),
                    f["layer"]["index"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let direct = findings(s.image.to_str().unwrap());
    assert!(!direct.is_empty());
    for format in ["json", "cyclonedx-json", "spdx-json"] {
        let sbom = s._tmp.path().join(format!("sbom.{format}"));
        let out = bosun(&[
            "sbom",
            "--format",
            format,
            "-o",
            sbom.to_str().unwrap(),
            s.image.to_str().unwrap(),
        ]);
        assert!(out.status.success());
        let via = findings(&format!("sbom:{}", sbom.display()));
        assert_eq!(via, direct, "through {format}");
    }
}

/// The same image pushed to a real registry behind basic auth: pulled with
/// `--username`/`--password-stdin`, it gives the findings of the archive; without
/// credentials, one clear error.
#[test]
fn a_registry_image_is_scanned_like_its_archive() {
    use bosun_testkit::registry::{RealRegistry, has_htpasswd, tools};
    if !tools() || !has_htpasswd() {
        return;
    }
    let Some(s) = setup() else { return };
    let reg = RealRegistry::start(Some(("bosun", "s3cret")));
    reg.push_from(
        &format!("docker-archive:{}", s.image.display()),
        "team/debian:11",
        false,
    );
    let reference = format!("{}/team/debian:11", reg.host());
    let run = |args: &[&str], stdin: &str| {
        let mut child = crate::support::command()
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let ids = |out: &std::process::Output| -> BTreeSet<(String, String)> {
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["package"]["name"].to_string(), f["id"].to_string()))
            .collect()
    };
    let db = s.db.to_str().unwrap();
    let base = [
        "scan",
        "--scanners",
        "vuln",
        "--format",
        "json",
        "--offline",
        "--db-dir",
        db,
    ];
    let archive = run(&[&base[..], &[s.image.to_str().unwrap()]].concat(), "");
    let pulled = run(
        &[
            &base[..],
            &["--username", "bosun", "--password-stdin", &reference],
        ]
        .concat(),
        "s3cret\n",
    );
    assert!(
        pulled.status.success(),
        "{}",
        String::from_utf8_lossy(&pulled.stderr)
    );
    let v: Value = serde_json::from_slice(&pulled.stdout).unwrap();
    assert_eq!(v["source"]["kind"], "registry");
    assert_eq!(ids(&pulled), ids(&archive));
    assert!(!ids(&pulled).is_empty());

    let denied = run(&[&base[..], &[reference.as_str()]].concat(), "");
    assert_eq!(denied.status.code(), Some(2));
    let err = String::from_utf8_lossy(&denied.stderr);
    assert!(
        err.contains(&reg.host()) && err.lines().count() == 1,
        "{err}"
    );
}

/// The CI formats of a real scan validate against their official schemas (in the shared
/// test data).
#[test]
fn sarif_and_gitlab_reports_of_a_scan_validate() {
    let Some(s) = setup() else { return };
    let schemas = bosun_testdata::require!("schemas");
    for (format, schema) in [
        ("sarif", "sarif/schemastore/sarif-2.1.0.json"),
        (
            "gitlab",
            "gitlab/15.0.7/container-scanning-report-format.json",
        ),
    ] {
        let out = bosun_ok(&[
            "scan",
            "--scanners",
            "vuln",
            "--offline",
            "--db-dir",
            s.db.to_str().unwrap(),
            "--format",
            format,
            s.image.to_str().unwrap(),
        ]);
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        let schema: Value = serde_json::from_slice(&read(&schemas.join(schema))).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert_eq!(errors, Vec::<String>::new(), "{format}");
        let n = match format {
            "sarif" => doc["runs"][0]["results"].as_array().unwrap().len(),
            _ => doc["vulnerabilities"].as_array().unwrap().len(),
        };
        assert!(n > 0, "{format} lists the findings");
    }
}

/// Exceptions, VEX and a policy on a real scan: suppressed findings stay in the report,
/// marked, and stop counting; an expired exception fails the gate again; the policy's deny
/// list fails naming the rule, the finding and the layer; `--vex-out` validates against the
/// OpenVEX schema and, read back as `--vex`, suppresses what it says.
#[test]
fn exceptions_vex_and_policy_gate_a_scan() {
    let Some(s) = setup() else { return };
    let dir = s._tmp.path();
    let (all, _) = scan(&s, &[]);
    let all = all["vulnerabilities"].as_array().unwrap().clone();
    assert!(all.len() >= 2);
    let id = |f: &Value| f["id"].as_str().unwrap().to_owned();
    let pkg = |f: &Value| f["package"]["name"].as_str().unwrap().to_owned();

    // Every finding excepted until a future date: the gate passes, all marked.
    let entries = |expires: &str| -> String {
        let mut y = String::from("vulnerabilities:\n");
        for f in &all {
            y.push_str(&format!(
                "  - id: {}\n    package: {}\n    reason: backported fix, see SEC-1\n    expires: {expires}\n",
                id(f),
                pkg(f)
            ));
        }
        y
    };
    let ignore = dir.join("ignore.yaml");
    std::fs::write(&ignore, entries("2999-12-31")).unwrap();
    let ig = ignore.to_str().unwrap();
    let (r, out) = scan(&s, &["--ignorefile", ig, "--fail-on", "UNKNOWN"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let vulns = r["vulnerabilities"].as_array().unwrap();
    assert_eq!(
        vulns.len(),
        all.len(),
        "suppressed findings keep their place"
    );
    for f in vulns {
        assert_eq!(f["suppressed"]["expires"], "2999-12-31", "{f}");
        assert!(
            f["suppressed"]["reason"]
                .as_str()
                .unwrap()
                .contains("SEC-1")
        );
        assert!(
            f["suppressed"]["source"]
                .as_str()
                .unwrap()
                .starts_with("exceptions:")
        );
    }
    // Expired: they count again, and bosun says so.
    std::fs::write(&ignore, entries("2020-01-01")).unwrap();
    let (r, out) = scan(&s, &["--ignorefile", ig, "--fail-on", "UNKNOWN"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expired on 2020-01-01"));
    assert!(
        r["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["suppressed"].is_null())
    );

    // VEX: not_affected for the first finding's package and id only.
    let first = &all[0];
    let vex = serde_json::json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.com/vex/1",
        "author": "security@example.com",
        "timestamp": "2026-11-01T00:00:00Z",
        "version": 1,
        "statements": [{
            "vulnerability": {"name": id(first)},
            "products": [{"@id": first["package"]["purl"]}],
            "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path"
        }]
    });
    let vex_file = dir.join("in.openvex.json");
    std::fs::write(&vex_file, vex.to_string()).unwrap();
    let vex_out = dir.join("out.openvex.json");
    let (r, out) = scan(
        &s,
        &[
            "--vex",
            vex_file.to_str().unwrap(),
            "--vex-out",
            vex_out.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let marked: Vec<(String, String)> = r["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["suppressed"].is_null())
        .map(|f| (pkg(f), id(f)))
        .collect();
    assert_eq!(marked, vec![(pkg(first), id(first))]);
    let doc: Value = serde_json::from_slice(&read(&vex_out)).unwrap();
    let schema_path = bosun_testdata::path("schemas/openvex/openvex_json_schema.json").unwrap();
    let schema: Value = serde_json::from_slice(&read(&schema_path)).unwrap();
    let errors: Vec<String> = jsonschema::validator_for(&schema)
        .unwrap()
        .iter_errors(&doc)
        .map(|e| e.to_string())
        .collect();
    assert_eq!(errors, Vec::<String>::new());
    let (r, _) = scan(&s, &["--vex", vex_out.to_str().unwrap()]);
    let again: Vec<(String, String)> = r["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !f["suppressed"].is_null())
        .map(|f| (pkg(f), id(f)))
        .collect();
    assert_eq!(again, marked, "bosun's own VEX suppresses what it recorded");

    // Policy: a denied id fails, naming rule, finding and layer.
    let policy = dir.join("policy.yaml");
    std::fs::write(&policy, format!("deny:\n  - {}\n", id(first))).unwrap();
    let (_, out) = scan(&s, &["--policy", policy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("policy:"))
        .unwrap_or_default();
    assert!(
        line.contains("deny") && line.contains(&id(first)) && line.contains("layer"),
        "{err}"
    );
    // A bad policy file is one clear error.
    std::fs::write(&policy, "fail_on: SEVERE\n").unwrap();
    let (_, out) = scan(&s, &["--policy", policy.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("policy.yaml"));
}

/// A rescan of a cached image reads no layer: with every layer blob destroyed after the first
/// scan, the cached scan still gives the same findings, and an uncached one fails.
#[test]
fn a_cached_image_is_rescanned_without_reading_its_layers() {
    let Some(s) = setup() else { return };
    let cache = s._tmp.path().join("cache");
    let source = format!("oci-dir:{}", s.oci.display());
    let run = |extra: &[&str]| {
        let mut args = vec![
            "scan",
            "--scanners",
            "vuln",
            "--format",
            "json",
            "--offline",
            "--db-dir",
            s.db.to_str().unwrap(),
            "--cache-dir",
            cache.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        args.push(&source);
        bosun(&args)
    };
    let findings = |out: &std::process::Output| -> Value {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["vulnerabilities"].clone()
    };
    let first = findings(&run(&[]));
    assert!(!first.as_array().unwrap().is_empty());
    let status = bosun(&["cache", "status", "--cache-dir", cache.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&status.stdout);
    assert!(text.contains(": 2 entries"), "one entry per layer: {text}");

    // Destroy every layer blob (the manifest and config stay readable).
    let index: Value = serde_json::from_slice(&read(&s.oci.join("index.json"))).unwrap();
    let blob = |digest: &str| {
        s.oci
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:"))
    };
    let manifest: Value = serde_json::from_slice(&read(&blob(
        index["manifests"][0]["digest"].as_str().unwrap(),
    )))
    .unwrap();
    for layer in manifest["layers"].as_array().unwrap() {
        std::fs::write(blob(layer["digest"].as_str().unwrap()), b"gone").unwrap();
    }
    assert_eq!(findings(&run(&[])), first, "from the cache alone");
    let out = run(&["--no-cache"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "without the cache the layers are needed"
    );

    let out = bosun(&["cache", "clean", "--cache-dir", cache.to_str().unwrap()]);
    assert!(out.status.success());
    let status = bosun(&["cache", "status", "--cache-dir", cache.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&status.stdout).contains(": 0 entries"));
}

/// An app layer on a known base: `bosun base add` records the base's layer chain; the scan
/// names the base (by layer chain, or by its annotation/label), and every finding carries the
/// role of its layer: the downgraded packages are the app's, the rest the base's.
#[test]
fn findings_are_split_between_the_base_image_and_the_app() {
    let Some(s) = setup() else { return };
    let dir = bosun_testdata::path(BULLSEYE).unwrap();
    let cache = s._tmp.path().join("cache-base");
    let base_tar = s._tmp.path().join("base.tar");
    let status = read(&dir.join("status"));
    let os_release = read(&dir.join("os-release"));
    let base_layer = |l: bosun_testkit::LayerBuilder| {
        l.file("etc/os-release", &os_release)
            .file("var/lib/dpkg/status", &status)
    };
    ImageBuilder::new()
        .layer(base_layer)
        .write_docker_archive(&base_tar)
        .unwrap();
    let c = cache.to_str().unwrap();
    bosun_ok(&[
        "base",
        "add",
        "--cache-dir",
        c,
        "--name",
        "debian:11-test",
        base_tar.to_str().unwrap(),
    ]);
    let list = bosun(&["base", "list", "--cache-dir", c]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("debian:11-test  1 layers"));

    let check = |image: &Path, method: &str| {
        let (r, out) = scan_image(&s, image, &["--cache-dir", c]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(r["base"]["name"], "debian:11-test");
        assert_eq!(r["base"]["method"], method);
        assert_eq!(r["base"]["layers"], 1);
        assert_eq!(r["layers"][0]["role"], "base");
        assert_eq!(r["layers"][1]["role"], "app");
        let vulns = r["vulnerabilities"].as_array().unwrap();
        assert!(!vulns.is_empty());
        for f in vulns {
            let name = f["package"]["name"].as_str().unwrap();
            let want = if s.changed.contains(name) {
                "app"
            } else {
                "base"
            };
            assert_eq!(f["layer"]["role"], want, "{name}");
        }
        for p in r["packages"].as_array().unwrap() {
            assert!(p["layer"]["role"] == "base" || p["layer"]["role"] == "app");
        }
    };
    check(&s.image, "layer_chain");

    // The same image labelled with its base: found by annotation, counted by the catalog.
    let labelled = s._tmp.path().join("labelled.tar");
    let new_status = s.app_status.clone();
    ImageBuilder::new()
        .label("org.opencontainers.image.base.name", "debian:11-test")
        .layer(base_layer)
        .layer(|l| l.file("var/lib/dpkg/status", new_status.as_bytes()))
        .write_docker_archive(&labelled)
        .unwrap();
    check(&labelled, "annotation");

    // The table splits the counts.
    let out = bosun(&[
        "scan",
        "--scanners",
        "vuln",
        "--offline",
        "--db-dir",
        s.db.to_str().unwrap(),
        "--cache-dir",
        c,
        s.image.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Base image debian:11-test (its 1 layers; found by layer chain"),
        "{text}"
    );
    assert!(text.contains("Added on top of it: "), "{text}");
    // The table is sorted by priority: a PRIORITY column, non-increasing within the target.
    assert!(text.contains("PRIORITY"), "{text}");

    // Every finding carries its priority, computed from its own fields and layer role, and
    // `--sort priority` orders every format by it.
    let (r, _) = scan_image(&s, &s.image, &["--cache-dir", c, "--sort", "priority"]);
    let vulns = r["vulnerabilities"].as_array().unwrap();
    let mut last = f64::INFINITY;
    for f in vulns {
        let p = &f["priority"];
        let score = p["score"].as_f64().unwrap();
        assert!((0.0..=100.0).contains(&score), "{p}");
        assert!(
            score <= last,
            "sorted most urgent first: {score} after {last}"
        );
        last = score;
        assert_eq!(p["inputs"]["layer_role"], f["layer"]["role"]);
        let pkg = r["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["purl"] == f["package"]["purl"])
            .unwrap();
        assert_eq!(
            p["inputs"]["loaded"], pkg["loaded"],
            "the package's load state"
        );
        assert_eq!(p["inputs"]["kev"], !f["kev"].is_null());
        assert_eq!(p["inputs"]["fixable"], f["status"] == "fixed");
        assert_eq!(p["inputs"]["severity"], f["severity"]);
        assert!(!p["reasons"].as_array().unwrap().is_empty());
    }

    // On a base with vulnerable packages (the downgraded status), with a newer image of the
    // base's repository in the catalog that lacks three of them: the scan says rebuilding on
    // it fixes exactly those packages' open findings, and the table says so.
    let c2 = s._tmp.path().join("cache-upgrade");
    let c2 = c2.to_str().unwrap();
    let old_base = |l: bosun_testkit::LayerBuilder| {
        l.file("etc/os-release", &os_release)
            .file("var/lib/dpkg/status", s.app_status.as_bytes())
    };
    let add = |tar: &Path, name: &str| {
        bosun_ok(&[
            "base",
            "add",
            "--cache-dir",
            c2,
            "--name",
            name,
            tar.to_str().unwrap(),
        ]);
    };
    let old_tar = s._tmp.path().join("old-base.tar");
    ImageBuilder::new()
        .layer(old_base)
        .write_docker_archive(&old_tar)
        .unwrap();
    add(&old_tar, "debian:11.1-test");
    let app_tar = s._tmp.path().join("on-old-base.tar");
    ImageBuilder::new()
        .layer(old_base)
        .layer(|l| l.file("app/run.sh", b"#!/bin/sh\n"))
        .write_docker_archive(&app_tar)
        .unwrap();
    let (r, _) = scan_image(&s, &app_tar, &["--cache-dir", c2]);
    assert_eq!(r["base"]["name"], "debian:11.1-test");
    assert_eq!(
        r["base"]["upgrades"],
        serde_json::json!([]),
        "no newer image known yet"
    );
    let base_findings: Vec<Value> = r["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["layer"]["role"] == "base")
        .cloned()
        .collect();
    let mut gone: Vec<String> = base_findings
        .iter()
        .map(|f| f["package"]["name"].as_str().unwrap().to_owned())
        .collect();
    gone.sort_unstable();
    gone.dedup();
    gone.truncate(3);
    assert_eq!(gone.len(), 3, "the old base has vulnerable packages");
    let newer_status = s
        .app_status
        .split("\n\n")
        .filter(|stanza| {
            !gone
                .iter()
                .any(|g| stanza.lines().any(|l| l == format!("Package: {g}")))
        })
        .collect::<Vec<_>>()
        .join("\n\n");
    let newer_tar = s._tmp.path().join("newer-base.tar");
    ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", &os_release)
                .file("var/lib/dpkg/status", newer_status.as_bytes())
        })
        .write_docker_archive(&newer_tar)
        .unwrap();
    add(&newer_tar, "debian:11.2-test");
    let want: BTreeSet<(String, String)> = base_findings
        .iter()
        .filter(|f| gone.iter().any(|g| f["package"]["name"] == g.as_str()))
        .map(|f| (f["id"].to_string(), f["package"]["name"].to_string()))
        .collect();
    let (r, _) = scan_image(&s, &app_tar, &["--cache-dir", c2]);
    let upgrades = r["base"]["upgrades"].as_array().unwrap();
    assert_eq!(upgrades.len(), 1, "{upgrades:?}");
    assert_eq!(upgrades[0]["name"], "debian:11.2-test");
    assert_eq!(upgrades[0]["fixes"], want.len());
    assert_eq!(upgrades[0]["adds"], 0);
    let out = bosun(&[
        "scan",
        "--scanners",
        "vuln",
        "--offline",
        "--db-dir",
        s.db.to_str().unwrap(),
        "--cache-dir",
        c2,
        app_tar.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "Rebuilding on debian:11.1-test -> debian:11.2-test fixes {}",
            want.len()
        )),
        "{text}"
    );

    // The policy's approved base images see the identified base.
    let policy = |repo: &str| {
        let path = s
            ._tmp
            .path()
            .join(format!("policy-{}.yaml", repo.replace('/', "_")));
        std::fs::write(
            &path,
            format!("approved_base_images:\n  - repository: {repo}\n"),
        )
        .unwrap();
        path
    };
    for (repo, ok) in [
        ("debian", true),
        ("docker.io/library/debian", true),
        ("alpine", false),
    ] {
        let p = policy(repo);
        let (_, out) = scan_image(
            &s,
            &s.image,
            &["--cache-dir", c, "--policy", p.to_str().unwrap()],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.success(), ok, "{repo}: {err}");
        assert_eq!(
            err.contains("base debian") && err.contains("is not an approved base image"),
            !ok,
            "{repo}: {err}"
        );
    }
}
