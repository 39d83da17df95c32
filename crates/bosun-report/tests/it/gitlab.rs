//! `--format gitlab`: a GitLab container scanning report (schema 15.0.7) that validates, with
//! GitLab's severities, stable ids, the location GitLab shows and no suppressed finding.

use bosun_inventory::Inventory;
use bosun_inventory::vuln::Severity;
use bosun_report::{Format, RenderOptions, render};
use serde_json::Value;

use crate::schemas::gitlab_errors;

fn gitlab(inv: &Inventory) -> Value {
    let mut out = Vec::new();
    let opts = RenderOptions {
        tool_version: "0.1.0-test".into(),
        timestamp: Some("2026-11-28T03:31:30Z".into()),
        ..RenderOptions::default()
    };
    render(inv, Format::Gitlab, &opts, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn by_id<'a>(doc: &'a Value, id: &str) -> Option<&'a Value> {
    doc["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["identifiers"][0]["value"] == id)
}

#[test]
fn gitlab_report_validates_and_maps_findings() {
    let inv = crate::sample::findings_inventory();
    let doc = gitlab(&inv);
    assert_eq!(gitlab_errors(&doc), Vec::<String>::new());
    assert_eq!(doc["version"], "15.0.7");
    let scan = &doc["scan"];
    assert_eq!(scan["type"], "container_scanning");
    assert_eq!(scan["status"], "success");
    assert_eq!(scan["start_time"], "2026-11-28T03:31:30");
    assert_eq!(scan["scanner"]["version"], "0.1.0-test");
    for (id, sev) in [
        ("CVE-2024-0001", "Critical"),
        ("GHSA-xxxx-yyyy-zzzz", "High"),
        ("CVE-2024-0003", "Medium"),
        ("CVE-2024-0004", "Low"),
        ("OSV-2024-5", "Unknown"),
    ] {
        assert_eq!(by_id(&doc, id).unwrap()["severity"], sev, "{id}");
    }
    let v = by_id(&doc, "CVE-2024-0001").unwrap();
    assert_eq!(v["solution"], "Upgrade libssl3 to 3.0.13-1~deb12u1");
    assert_eq!(v["location"]["dependency"]["package"]["name"], "libssl3");
    assert_eq!(v["location"]["dependency"]["version"], "3.0.11-1~deb12u2");
    assert_eq!(v["location"]["operating_system"], "debian 12");
    assert_eq!(v["location"]["image"], "registry.example/shop/web:1.4");
    assert_eq!(v["identifiers"][0]["type"], "cve");
    assert_eq!(
        v["identifiers"][0]["url"],
        "https://nvd.nist.gov/vuln/detail/CVE-2024-0001"
    );
    assert_eq!(v["identifiers"][1]["value"], "DSA-5600-1");
    let ghsa = by_id(&doc, "GHSA-xxxx-yyyy-zzzz").unwrap();
    assert_eq!(ghsa["identifiers"][0]["type"], "ghsa");
    assert_eq!(ghsa["identifiers"][1]["type"], "cve");
    // No fix: the solution says so rather than naming a version.
    let unfixed = by_id(&doc, "CVE-2024-0003").unwrap();
    assert!(
        unfixed["solution"]
            .as_str()
            .unwrap()
            .starts_with("No fixed version of bash")
    );
    // Suppressed findings are left out, and nothing else is.
    assert!(by_id(&doc, "CVE-2023-9999").is_none());
    assert_eq!(
        doc["vulnerabilities"].as_array().unwrap().len(),
        inv.vulnerabilities
            .iter()
            .filter(|v| v.suppressed.is_none())
            .count()
    );
}

/// Ids are UUID-shaped, unique per finding and the same from one run to the next, so GitLab
/// tracks a finding across pipelines.
#[test]
fn gitlab_ids_are_stable_and_unique() {
    let inv = crate::sample::findings_inventory();
    let a = gitlab(&inv);
    let mut later = inv.clone();
    later.vulnerabilities.reverse();
    let b = gitlab(&later);
    let ids = |d: &Value| {
        let mut v: Vec<String> = d["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["id"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    let (ia, ib) = (ids(&a), ids(&b));
    assert_eq!(ia, ib);
    let mut dedup = ia.clone();
    dedup.dedup();
    assert_eq!(dedup.len(), ia.len());
    assert!(
        ia.iter()
            .all(|i| i.len() == 36 && i.matches('-').count() == 4)
    );
}

#[test]
fn gitlab_real_inventory_validates() {
    let Some(inv) = crate::sample::real_with_findings() else {
        return;
    };
    let doc = gitlab(&inv);
    assert_eq!(gitlab_errors(&doc), Vec::<String>::new());
    let listed = doc["vulnerabilities"].as_array().unwrap();
    let unsuppressed: Vec<_> = inv
        .vulnerabilities
        .iter()
        .filter(|v| v.suppressed.is_none())
        .collect();
    assert_eq!(listed.len(), unsuppressed.len());
    let critical = unsuppressed
        .iter()
        .filter(|v| v.severity == Severity::Critical)
        .count();
    assert_eq!(
        listed
            .iter()
            .filter(|v| v["severity"] == "Critical")
            .count(),
        critical
    );
}
