//! `--format sarif`: valid SARIF 2.1.0 with what GitHub code scanning requires, levels and
//! security severities from bosun's severities, locations in the image, suppressions.

use bosun_inventory::Inventory;
use bosun_report::{Format, RenderOptions, render};
use serde_json::Value;

use crate::schemas::sarif_errors;

pub(crate) fn sarif(inv: &Inventory) -> Value {
    let mut out = Vec::new();
    let opts = RenderOptions {
        tool_version: "0.1.0-test".into(),
        ..RenderOptions::default()
    };
    render(inv, Format::Sarif, &opts, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn result_for<'a>(doc: &'a Value, rule: &str) -> &'a Value {
    doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == rule)
        .unwrap_or_else(|| panic!("no result for {rule}"))
}

fn rule_of<'a>(doc: &'a Value, result: &Value) -> &'a Value {
    let rules = &doc["runs"][0]["tool"]["driver"]["rules"];
    let rule = &rules[usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap()];
    assert_eq!(rule["id"], result["ruleId"]);
    rule
}

fn uri(result: &Value) -> &str {
    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
}

/// Every finding of every kind gives one result, and the log validates.
#[test]
fn sarif_validates_with_one_result_per_finding() {
    let inv = crate::sample::findings_inventory();
    let doc = sarif(&inv);
    assert_eq!(sarif_errors(&doc), Vec::<String>::new());
    assert_eq!(doc["version"], "2.1.0");
    assert_eq!(doc["runs"].as_array().unwrap().len(), 1);
    let driver = &doc["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "bosun");
    assert_eq!(driver["version"], "0.1.0-test");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        inv.vulnerabilities.len() + inv.secrets.len() + inv.misconfigurations.len()
    );
    // GitHub's required properties are present and non-empty.
    for r in results {
        let rule = rule_of(&doc, r);
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(
                !rule[key]["text"].as_str().unwrap().is_empty(),
                "{key} of {}",
                rule["id"]
            );
        }
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        assert!(!uri(r).is_empty() && !uri(r).starts_with('/'), "{}", uri(r));
        assert_eq!(
            r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap()
                .len(),
            32
        );
    }
    // Rule ids are unique.
    let rules = driver["rules"].as_array().unwrap();
    let mut ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), rules.len());
}

/// Level from severity (error for critical and high, warning for medium, note below), and
/// security-severity from the CVSS score, or from the severity when there is none.
#[test]
fn sarif_levels_and_security_severities() {
    let doc = sarif(&crate::sample::findings_inventory());
    for (rule, level, score) in [
        ("CVE-2024-0001", "error", Some("9.8")),
        ("GHSA-xxxx-yyyy-zzzz", "error", Some("8.0")),
        ("CVE-2024-0003", "warning", Some("6.9")),
        ("CVE-2024-0004", "note", Some("2.0")),
        ("OSV-2024-5", "note", None),
        ("aws-access-key-id", "error", Some("9.5")),
        ("generic-password", "warning", Some("5.5")),
        ("BOSUN-CFG-004", "note", Some("2.0")),
    ] {
        let r = result_for(&doc, rule);
        assert_eq!(r["level"], level, "{rule}");
        let props = &rule_of(&doc, r)["properties"];
        assert_eq!(props["security-severity"].as_str(), score, "{rule}");
        let tags: Vec<&str> = props["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(tags.contains(&"security"), "{rule}: {tags:?}");
    }
}

/// Packages point at their database or manifest, secrets at their file and line, config
/// findings at the image name (percent-encoded so that `:` does not read as a scheme).
#[test]
fn sarif_locations() {
    let doc = sarif(&crate::sample::findings_inventory());
    let line = |r: &Value| r["locations"][0]["physicalLocation"]["region"]["startLine"].clone();
    let r = result_for(&doc, "CVE-2024-0001");
    assert_eq!(uri(r), "var/lib/dpkg/status");
    assert_eq!(line(r), 1);
    assert_eq!(
        uri(result_for(&doc, "GHSA-xxxx-yyyy-zzzz")),
        "app/package-lock.json"
    );
    // No recorded location: the package manager's database.
    assert_eq!(
        uri(result_for(&doc, "CVE-2024-0004")),
        "var/lib/dpkg/status"
    );
    let r = result_for(&doc, "aws-access-key-id");
    assert_eq!(uri(r), "app/.env");
    assert_eq!(line(r), 3);
    assert!(
        result_for(&doc, "github-pat")["message"]["text"]
            .as_str()
            .unwrap()
            .contains("deleted by a later layer")
    );
    let image = "registry.example/shop/web%3A1.4";
    assert_eq!(uri(result_for(&doc, "generic-password")), image);
    assert_eq!(uri(result_for(&doc, "BOSUN-CFG-001")), image);
}

/// Suppressed findings keep their result with an external suppression and its reason; the
/// others have none.
#[test]
fn sarif_marks_suppressed_findings() {
    let inv = crate::sample::findings_inventory();
    let doc = sarif(&inv);
    for r in doc["runs"][0]["results"].as_array().unwrap() {
        let id = r["ruleId"].as_str().unwrap();
        let suppressed = inv
            .vulnerabilities
            .iter()
            .filter(|v| v.id == id)
            .map(|v| v.suppressed.clone())
            .chain(
                inv.secrets
                    .iter()
                    .filter(|s| s.rule_id == id)
                    .map(|s| s.suppressed.clone()),
            )
            .chain(
                inv.misconfigurations
                    .iter()
                    .filter(|m| m.id == id)
                    .map(|m| m.suppressed.clone()),
            )
            .next()
            .unwrap();
        match suppressed {
            Some(s) => {
                let sup = &r["suppressions"][0];
                assert_eq!(sup["kind"], "external", "{id}");
                assert!(
                    sup["justification"].as_str().unwrap().contains(&s.reason),
                    "{id}"
                );
            }
            None => assert!(r.get("suppressions").is_none(), "{id}"),
        }
    }
}

/// The real-data inventory with findings validates, and its results point at each
/// ecosystem's real database path.
#[test]
fn sarif_real_inventory_validates() {
    let Some(inv) = crate::sample::real_with_findings() else {
        return;
    };
    let doc = sarif(&inv);
    assert_eq!(sarif_errors(&doc), Vec::<String>::new());
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), inv.vulnerabilities.len());
    let mut uris: Vec<&str> = results.iter().map(uri).collect();
    uris.sort_unstable();
    uris.dedup();
    assert_eq!(
        uris,
        [
            "lib/apk/db/installed",
            "var/lib/dpkg/status",
            "var/lib/rpm/rpmdb.sqlite"
        ]
    );
    let suppressed = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .count();
    assert_eq!(
        suppressed,
        inv.vulnerabilities
            .iter()
            .filter(|v| v.suppressed.is_some())
            .count()
    );
}

/// GitHub rejects a run of more than 25,000 results: the least urgent vulnerabilities are left
/// out, and a notification says how many.
#[test]
fn sarif_keeps_the_most_urgent_25000_results() {
    use bosun_inventory::vuln::{Severity, Vulnerability};
    let mut inv = crate::sample::findings_inventory();
    let base = inv.vulnerabilities[0].clone();
    inv.vulnerabilities = (0..25_010)
        .map(|i| Vulnerability {
            id: format!("CVE-2025-{i:05}"),
            // The last ten are the only LOW ones.
            severity: if i >= 25_000 {
                Severity::Low
            } else {
                Severity::High
            },
            cvss: Vec::new(),
            ..base.clone()
        })
        .collect();
    let doc = sarif(&inv);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 25_000);
    let findings = inv.vulnerabilities.len() + inv.secrets.len() + inv.misconfigurations.len();
    let left_out = findings - 25_000;
    assert!(
        results
            .iter()
            .all(|r| r["level"] != "note" || r["ruleId"] == "BOSUN-CFG-004")
    );
    let note = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
        .as_str()
        .unwrap();
    assert!(
        note.starts_with(&format!("{left_out} of {findings} findings left out")),
        "{note}"
    );
    // Validated with its notification, after trimming the lists (validating 25,000 results
    // takes seconds and checks nothing the other tests do not).
    let mut doc = doc;
    doc["runs"][0]["results"]
        .as_array_mut()
        .unwrap()
        .truncate(10);
    doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array_mut()
        .unwrap()
        .truncate(10);
    assert_eq!(sarif_errors(&doc), Vec::<String>::new());
}
