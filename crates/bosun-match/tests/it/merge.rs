//! Alias merging, withdrawn records, KEV and severity on findings.

use crate::oracle::{db, inventory, package};
use bosun_match::{MatchOptions, Severity, match_inventory};
use std::collections::BTreeSet;

fn write(dir: &std::path::Path, v: &serde_json::Value) {
    let id = v["id"].as_str().expect("id");
    std::fs::write(dir.join(format!("{id}.json")), v.to_string()).expect("write");
}

#[test]
fn records_sharing_a_cve_merge_and_withdrawn_records_are_skipped() {
    let Some(go) = bosun_testdata::path("data/osv/go") else {
        return;
    };
    // A real GO record with a CVE and a GHSA alias, then the same vulnerability as a GHSA
    // record (id = the alias) and a withdrawn copy under another id.
    let mut src = None;
    for e in std::fs::read_dir(&go).expect("dir") {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(e.expect("e").path()).expect("r")).expect("j");
        let al: Vec<&str> = v["aliases"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str())
            .collect();
        if al.iter().any(|a| a.starts_with("CVE-"))
            && al.iter().any(|a| a.starts_with("GHSA-"))
            && v["affected"][0]["ranges"][0]["events"][1]["fixed"].is_string()
            && v.get("withdrawn").is_none()
        {
            src = Some(v);
            break;
        }
    }
    let go_rec = src.expect("a GO record with CVE and GHSA aliases");
    let aliases: Vec<String> = go_rec["aliases"]
        .as_array()
        .expect("a")
        .iter()
        .filter_map(|x| x.as_str().map(str::to_string))
        .collect();
    let cve = aliases
        .iter()
        .find(|a| a.starts_with("CVE-"))
        .expect("cve")
        .clone();
    let ghsa = aliases
        .iter()
        .find(|a| a.starts_with("GHSA-"))
        .expect("ghsa")
        .clone();
    let mut ghsa_rec = go_rec.clone();
    ghsa_rec["id"] = ghsa.clone().into();
    ghsa_rec["aliases"] = serde_json::json!([cve.clone()]);
    ghsa_rec["severity"] = serde_json::json!([{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]);
    let mut gone = go_rec.clone();
    gone["id"] = "GHSA-zzzz-zzzz-zzzz".into();
    gone["aliases"] = serde_json::json!(["CVE-2099-9999"]);
    gone["withdrawn"] = "2024-01-01T00:00:00Z".into();
    let dir = tempfile::tempdir().expect("tempdir");
    for r in [&go_rec, &ghsa_rec, &gone] {
        write(dir.path(), r);
    }
    let (_d, db) = db(&[dir.path().to_path_buf()]);
    let af = &go_rec["affected"][0];
    let name = af["package"]["name"].as_str().expect("name");
    let intro = af["ranges"][0]["events"][0]["introduced"]
        .as_str()
        .expect("intro");
    let v = if intro == "0" { "0.0.1" } else { intro };
    let inv = inventory(vec![package("Go", name, v)]);
    let r = match_inventory(&inv, &db, &MatchOptions::default());
    assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
    let f = &r.findings[0];
    assert_eq!(f.id, cve);
    let want: BTreeSet<String> = [go_rec["id"].as_str().expect("id").to_string(), ghsa.clone()]
        .into_iter()
        .collect();
    let got: BTreeSet<String> = f.records.iter().cloned().collect();
    assert_eq!(got, want);
    assert!(
        f.aliases.contains(&ghsa)
            && f.aliases
                .contains(&go_rec["id"].as_str().expect("id").to_string())
    );
    assert!(!f.aliases.iter().any(|a| a == "CVE-2099-9999"));
    assert_eq!(r.withdrawn_skipped, 1);
    // The GHSA copy's CVSS 3.1 vector (9.8) rates the merged finding.
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.severity_source, "cvss_v3");
    assert!((f.cvss[0].score - 9.8).abs() < 1e-9);
}

#[test]
fn findings_carry_kev_for_listed_cves() {
    let Some(osv) = bosun_testdata::path("data/osv") else {
        return;
    };
    let kev_path = osv.join("kev/known_exploited_vulnerabilities.json");
    let (_d, db) = db(&[osv.join("go"), kev_path.clone()]);
    let kev: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&kev_path).expect("r")).expect("j");
    let listed: BTreeSet<String> = kev["vulnerabilities"]
        .as_array()
        .expect("v")
        .iter()
        .filter_map(|e| e["cveID"].as_str().map(str::to_string))
        .collect();
    // Every Go stdlib record at version 1.0.0 (below most fixes).
    let inv = inventory(vec![
        package("Go", "stdlib", "1.0.0"),
        package("Go", "golang.org/x/net", "0.0.1"),
    ]);
    let r = match_inventory(&inv, &db, &MatchOptions::default());
    assert!(r.findings.len() > 50, "{}", r.findings.len());
    let mut with_kev = 0;
    for f in &r.findings {
        let ids: Vec<&String> = std::iter::once(&f.id).chain(&f.aliases).collect();
        let in_kev = ids.iter().any(|i| listed.contains(*i));
        assert_eq!(f.kev.is_some(), in_kev, "{}", f.id);
        if in_kev {
            with_kev += 1;
        }
    }
    eprintln!("{} go findings, {with_kev} in KEV", r.findings.len());
}

#[test]
fn development_dependencies_are_matched_only_when_asked() {
    let Some(npm) = bosun_testdata::path("data/osv/ghsa-npm") else {
        return;
    };
    let (_dir, db) = db(&[npm]);
    let mut dev = package("npm", "lodash", "4.17.20");
    dev.dev = true;
    let inv = inventory(vec![dev, package("npm", "minimist", "1.2.5")]);
    let names = |opts: &MatchOptions| -> BTreeSet<String> {
        match_inventory(&inv, &db, opts)
            .findings
            .into_iter()
            .map(|f| f.package.name)
            .collect()
    };
    // lodash 4.17.20 is below GHSA-35jh-r3h4-6jhm's fix (4.17.21), minimist 1.2.5 below
    // GHSA-xvch-5gv4-984h's (1.2.6): both affected, but lodash is a dev dependency.
    let default = MatchOptions::default();
    assert_eq!(names(&default), BTreeSet::from(["minimist".to_string()]));
    assert_eq!(match_inventory(&inv, &db, &default).dev_skipped, 1);
    let with_dev = MatchOptions {
        include_dev: true,
        ..MatchOptions::default()
    };
    assert_eq!(
        names(&with_dev),
        BTreeSet::from(["lodash".to_string(), "minimist".to_string()])
    );
}

/// A finding is one CVE. The real DSA-5000-1 names ten CVEs (openjdk-11): a package it affects
/// gets ten findings, each with the DSA as its record and alias and no other CVE as alias; a
/// GHSA record without a CVE that shares an id with a CVE-bearing record joins that CVE.
#[test]
fn a_multi_cve_advisory_gives_one_finding_per_cve() {
    let Some(dsa) = bosun_testdata::path("data/osv/debian-converted/DSA-5000-1.json") else {
        return;
    };
    let rec: serde_json::Value = serde_json::from_slice(&std::fs::read(&dsa).unwrap()).unwrap();
    let cves: BTreeSet<String> = rec["aliases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .filter(|a| a.starts_with("CVE-"))
        .collect();
    assert!(cves.len() > 1, "the fixture names several CVEs");
    let first = cves.iter().next().unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&dsa, dir.path().join("DSA-5000-1.json")).unwrap();
    // A GHSA whose upstream is the first CVE, and a record without any CVE (XSA-1) that
    // shares an id with the GHSA: both belong to the first CVE's finding only.
    write(
        dir.path(),
        &serde_json::json!({
            "id": "GHSA-aaaa-bbbb-cccc", "aliases": ["XSA-1"], "upstream": [first],
            "affected": rec["affected"].clone(),
        }),
    );
    write(
        dir.path(),
        &serde_json::json!({
            "id": "XSA-1", "aliases": ["GHSA-aaaa-bbbb-cccc"],
            "affected": rec["affected"].clone(),
        }),
    );
    let (_d, db) = db(&[dir.path().to_path_buf()]);
    let mut p = package("Debian:11", "openjdk-11-jre", "11.0.12+7-2");
    p.source_name = Some("openjdk-11".to_string());
    p.source_version = Some("11.0.12+7-2".to_string());
    let r = match_inventory(&inventory(vec![p]), &db, &MatchOptions::default());
    let ids: BTreeSet<String> = r.findings.iter().map(|f| f.id.clone()).collect();
    assert_eq!(ids, cves, "one finding per CVE, nothing else");
    for f in &r.findings {
        assert!(f.records.contains(&"DSA-5000-1".to_string()), "{f:?}");
        assert!(f.aliases.contains(&"DSA-5000-1".to_string()));
        assert!(
            f.aliases.iter().all(|a| !a.starts_with("CVE-")),
            "no other CVE as alias: {:?}",
            f.aliases
        );
        let with_ghsa = f.records.contains(&"GHSA-aaaa-bbbb-cccc".to_string());
        assert_eq!(with_ghsa, f.id == first, "{f:?}");
        assert_eq!(f.records.contains(&"XSA-1".to_string()), f.id == first);
    }
}
