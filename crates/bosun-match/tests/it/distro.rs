//! Debian (source package and source version) and Alpine (origin) matching.

use crate::oracle::{affected, db, inventory, package};
use bosun_match::{MatchOptions, Status, match_inventory};
use std::collections::BTreeSet;

fn deb(
    name: &str,
    version: &str,
    src: &str,
    src_version: Option<&str>,
    eco: &str,
) -> bosun_inventory::Package {
    let mut p = package(eco, name, version);
    p.source_name = Some(src.to_string());
    p.source_version = src_version.map(str::to_string);
    p
}

#[test]
fn debian_binnmu_matches_by_source_version() {
    // The peers fixture: bash 5.2.15-2+b13 (source 5.2.15-2) is affected by a fix in
    // 5.2.15-3. No Debian 12 bash advisory is in the April 2023 tracker copy, so this
    // record is written here with the converter's shape.
    let dir = tempfile::tempdir().expect("tempdir");
    let rec = serde_json::json!({"id": "DSA-9999-1", "modified": "2024-01-01T00:00:00Z",
        "aliases": ["CVE-2099-0001"],
        "affected": [{"package": {"ecosystem": "Debian:12", "name": "bash"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.2.15-3"}]}]}]});
    std::fs::write(dir.path().join("DSA-9999-1.json"), rec.to_string()).expect("write");
    let (_d, db) = db(&[dir.path().to_path_buf()]);
    let inv = inventory(vec![deb(
        "bash",
        "5.2.15-2+b13",
        "bash",
        Some("5.2.15-2"),
        "Debian:12",
    )]);
    let r = match_inventory(&inv, &db, &MatchOptions::default());
    assert_eq!(r.findings.len(), 1);
    let f = &r.findings[0];
    assert_eq!(f.id, "CVE-2099-0001");
    assert_eq!(f.aliases, ["DSA-9999-1"]);
    assert_eq!(f.fixed_versions, ["5.2.15-3"]);
    assert_eq!(f.package.version, "5.2.15-2+b13");
    assert_eq!(f.package.matched_version.as_deref(), Some("5.2.15-2"));
}

#[test]
fn debian_real_records_by_source_package() {
    let Some(d) = bosun_testdata::path("data/osv/debian-converted") else {
        return;
    };
    let (_d, db) = db(&[d]);
    let inv = inventory(vec![
        // zlib 1:1.2.13.dfsg-1 is above every zlib fix (1:1.2.11.dfsg-*): not matched.
        deb("zlib1g", "1:1.2.13.dfsg-1", "zlib", None, "Debian:11"),
        // At the DSA-5111-1 fix: only DSA-5218-1 (fixed in +deb11u2) applies.
        deb(
            "zlib1g",
            "1:1.2.11.dfsg-2+deb11u1",
            "zlib",
            None,
            "Debian:11",
        ),
        // Debian 8 bash binNMU of 4.3-11+deb8u1: DLA-1726-1 (fixed 4.3-11+deb8u2) applies.
        deb(
            "bash",
            "4.3-11+deb8u1+b1",
            "bash",
            Some("4.3-11+deb8u1"),
            "Debian:8",
        ),
    ]);
    let r = match_inventory(&inv, &db, &MatchOptions::default());
    let recs = |v: &str| -> BTreeSet<String> {
        r.findings
            .iter()
            .filter(|f| f.package.version == v)
            .flat_map(|f| f.records.clone())
            .collect()
    };
    assert!(recs("1:1.2.13.dfsg-1").is_empty());
    assert_eq!(
        recs("1:1.2.11.dfsg-2+deb11u1"),
        BTreeSet::from(["DSA-5218-1".to_string()])
    );
    assert!(recs("4.3-11+deb8u1+b1").contains("DLA-1726-1"));
    // Every finding agrees with the oracle, and every oracle hit is found.
    for p in &inv.packages {
        let src = p.source_name.clone().expect("src");
        let v = p.source_version.clone().unwrap_or(p.version.clone());
        let eco = p.ecosystem.clone().expect("eco");
        let want: BTreeSet<String> = db
            .lookup(&eco, &src)
            .expect("lookup")
            .into_iter()
            .filter(|a| affected(a, &eco, &src, &v))
            .map(|a| a.id)
            .collect();
        assert_eq!(recs(&p.version), want, "{} {}", p.name, p.version);
    }
    let f = r
        .findings
        .iter()
        .find(|f| f.records.contains(&"DSA-5218-1".to_string()))
        .expect("zlib");
    assert_eq!(f.id, "CVE-2022-37434");
    assert_eq!(f.status, Status::Fixed);
    assert_eq!(f.package.matched_name.as_deref(), Some("zlib"));
}

/// (name, version, origin) from an apk `installed` database.
fn apk_installed(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let get = |k: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(k))
                .map(str::to_string)
        };
        if let (Some(p), Some(v)) = (get("P:"), get("V:")) {
            let o = get("o:").unwrap_or(p.clone());
            out.push((p, v, o));
        }
    }
    out
}

#[test]
fn alpine_minirootfs_matches_the_oracle_by_origin() {
    let Some(inst) = bosun_testdata::path("data/alpine/installed/alpine-3.12.12-x86_64.installed")
    else {
        return;
    };
    let Some(conv) = bosun_testdata::path("data/osv/alpine-converted") else {
        return;
    };
    let (_d, db) = db(&[conv]);
    let text = std::fs::read_to_string(&inst).expect("read");
    let installed = apk_installed(&text);
    assert_eq!(installed.len(), 14);
    // The converted secdb stops at v3.11 (no v3.12 branch): the 3.12 package set is matched
    // against the v3.11 advisories, whose fixes the 3.12 versions mostly carry.
    let eco = "Alpine:v3.11";
    let pkgs: Vec<_> = installed
        .iter()
        .map(|(p, v, o)| {
            let mut x = package(eco, p, v);
            x.source_name = Some(o.clone());
            x
        })
        .collect();
    let inv = inventory(pkgs);
    let r = match_inventory(&inv, &db, &MatchOptions::default());
    let mut want = 0usize;
    for (p, v, o) in &installed {
        let ids: BTreeSet<String> = db
            .lookup(eco, o)
            .expect("lookup")
            .into_iter()
            .filter(|a| affected(a, eco, o, v))
            .map(|a| a.id)
            .collect();
        let got: BTreeSet<String> = r
            .findings
            .iter()
            .filter(|f| &f.package.name == p)
            .flat_map(|f| f.records.clone())
            .collect();
        assert_eq!(got, ids, "{p} {v}");
        want += ids.len();
    }
    // Each ALPINE-CVE record names one CVE: one finding per record.
    assert_eq!(r.findings.len(), want);
    eprintln!("alpine 3.12 packages vs v3.11 secdb: {want} findings");
    // And against a 3.6-era set of versions, the same packages are heavily affected.
    let old = inventory(
        installed
            .iter()
            .map(|(p, _, o)| {
                let mut x = package("Alpine:v3.6", p, "0.1-r0");
                x.source_name = Some(o.clone());
                x
            })
            .collect(),
    );
    let r6 = match_inventory(&old, &db, &MatchOptions::default());
    let mut want6 = 0usize;
    for (_, _, o) in &installed {
        want6 += db
            .lookup("Alpine:v3.6", o)
            .expect("lookup")
            .into_iter()
            .filter(|a| affected(a, "Alpine:v3.6", o, "0.1-r0"))
            .count();
    }
    assert_eq!(r6.findings.len(), want6);
    assert!(want6 > 20, "{want6}");
    eprintln!("same origins at 0.1-r0 vs v3.6 secdb: {want6} findings");
}

#[test]
fn unfixed_and_will_not_fix_status() {
    // osv.dev's Debian records carry `ecosystem_specific.urgency`; feeds2osv writes none, so
    // these two records are written here in osv.dev's shape.
    let dir = tempfile::tempdir().expect("tempdir");
    for (id, urgency) in [
        ("DEBIAN-CVE-2099-0002", "unimportant"),
        ("DEBIAN-CVE-2099-0003", "low"),
    ] {
        let rec = serde_json::json!({"id": id, "modified": "2024-01-01T00:00:00Z",
            "affected": [{"package": {"ecosystem": "Debian:12", "name": "tar"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}],
                "ecosystem_specific": {"urgency": urgency}}]});
        std::fs::write(dir.path().join(format!("{id}.json")), rec.to_string()).expect("write");
    }
    let (_d, db) = db(&[dir.path().to_path_buf()]);
    let inv = inventory(vec![deb("tar", "1.34+dfsg-1.2", "tar", None, "Debian:12")]);
    let r = match_inventory(&inv, &db, &MatchOptions::default());
    let st: Vec<(String, Status)> = r
        .findings
        .iter()
        .map(|f| (f.id.clone(), f.status))
        .collect();
    assert_eq!(
        st,
        [
            ("DEBIAN-CVE-2099-0002".to_string(), Status::WillNotFix),
            ("DEBIAN-CVE-2099-0003".to_string(), Status::Affected)
        ]
    );
    assert_eq!(r.findings[1].severity_source, "debian");
    let skip = MatchOptions {
        skip_will_not_fix: true,
        ..MatchOptions::default()
    };
    assert_eq!(match_inventory(&inv, &db, &skip).findings.len(), 1);
    let unfixed = MatchOptions {
        skip_unfixed: true,
        ..MatchOptions::default()
    };
    assert!(match_inventory(&inv, &db, &unfixed).findings.is_empty());
}
