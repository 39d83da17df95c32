//! `--format markdown`: a pull-request comment with counts, the most urgent findings first,
//! everything else collapsed, suppressed findings apart, within GitHub's comment limit.

use bosun_inventory::Inventory;
use bosun_inventory::vuln::{Severity, Vulnerability};
use bosun_report::{Format, RenderOptions, render};

fn markdown(inv: &Inventory) -> String {
    let mut out = Vec::new();
    render(inv, Format::Markdown, &RenderOptions::default(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn row<'a>(md: &'a str, label: &str) -> Vec<&'a str> {
    md.lines()
        .find(|l| l.starts_with(&format!("| {label} |")))
        .unwrap()
        .split('|')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

#[test]
fn markdown_counts_by_severity_with_suppressed_apart() {
    let md = markdown(&crate::sample::findings_inventory());
    // Critical, High, Medium, Low, Unknown, Suppressed: the suppressed HIGH is not in High.
    assert_eq!(
        row(&md, "Vulnerabilities"),
        ["Vulnerabilities", "1", "1", "1", "1", "1", "1"]
    );
    assert_eq!(
        row(&md, "Secrets"),
        ["Secrets", "1", "1", "0", "0", "0", "1"]
    );
    assert_eq!(
        row(&md, "Misconfigurations"),
        ["Misconfigurations", "0", "1", "0", "0", "0", "1"]
    );
    assert!(
        md.contains("**5 vulnerabilities** (1 in CISA KEV, 2 fixable)"),
        "{md}"
    );
}

#[test]
fn markdown_top_findings_sorted_by_severity_kev_epss() {
    let mut inv = crate::sample::findings_inventory();
    // A second critical, not in KEV but with a higher EPSS: KEV still goes first.
    let mut other = inv.vulnerabilities[0].clone();
    other.id = "CVE-2024-0100".into();
    other.kev = None;
    if let Some(e) = other.epss.as_mut() {
        e.score = 0.99;
    }
    let mut third = other.clone();
    third.id = "CVE-2024-0101".into();
    third.epss = None;
    inv.vulnerabilities.push(third);
    inv.vulnerabilities.push(other);
    let md = markdown(&inv);
    let top = md.split("### Top findings").nth(1).unwrap();
    let top = top.split("<details>").next().unwrap();
    let ids: Vec<&str> = top
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Severity") && !l.starts_with("| ---"))
        .map(|l| l.split('|').nth(2).unwrap().trim())
        .map(|c| c.trim_start_matches('[').split(']').next().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "CVE-2024-0001",
            "CVE-2024-0100",
            "CVE-2024-0101",
            "GHSA-xxxx-yyyy-zzzz",
            "CVE-2024-0003",
            "CVE-2024-0004",
            "OSV-2024-5"
        ]
    );
    assert!(top.contains("KEV, EPSS 91%"));
    // The suppressed finding is not a top finding, but is listed and marked below.
    assert!(!top.contains("CVE-2023-9999"));
    let all = md.split("<details><summary>All").nth(1).unwrap();
    let line = all.lines().find(|l| l.contains("CVE-2023-9999")).unwrap();
    assert!(
        line.contains("suppressed: not\\_affected: vulnerable\\_code"),
        "{line}"
    );
    assert!(md.contains("<details><summary>Secrets (3)</summary>"));
    assert!(md.contains("<details><summary>Misconfigurations (2)</summary>"));
}

/// Thousands of findings stay under GitHub's 65,536-character limit, with a note saying how
/// many rows were left out.
#[test]
fn markdown_truncates_to_the_comment_limit() {
    let mut inv = crate::sample::findings_inventory();
    let base = inv.vulnerabilities[0].clone();
    inv.vulnerabilities = (0..5000)
        .map(|i| Vulnerability {
            id: format!("CVE-2025-{i:05}"),
            severity: Severity::ALL[i % 5],
            ..base.clone()
        })
        .collect();
    let md = markdown(&inv);
    assert!(md.chars().count() <= 65_536, "{}", md.chars().count());
    // Rows shown in the collapsed lists (headers and separators aside).
    let details = md.split_once("<details>").unwrap().1;
    let shown = details
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Severity") && !l.starts_with("| ---"))
        .count();
    let note = md.lines().last().unwrap();
    let left: usize = note
        .trim_start_matches('_')
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(left > 0);
    assert_eq!(
        shown + left,
        5000 + inv.secrets.len() + inv.misconfigurations.len(),
        "{note}"
    );
}

#[test]
fn markdown_escapes_hostile_names() {
    let mut inv = crate::sample::findings_inventory();
    inv.vulnerabilities[0].package.name = "<script>alert(1)</script>|**x**".into();
    let md = markdown(&inv);
    assert!(!md.contains("<script>"));
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;&#124;\\*\\*x\\*\\*"));
    // Every table row keeps its column count.
    let top = md.split("### Top findings").nth(1).unwrap();
    for l in top.lines().take_while(|l| !l.starts_with("<details>")) {
        if l.starts_with('|') {
            assert_eq!(l.matches('|').count(), 7, "{l}");
        }
    }
}

#[test]
fn markdown_real_inventory_summary() {
    let Some(inv) = crate::sample::real_with_findings() else {
        return;
    };
    let md = markdown(&inv);
    let active: Vec<_> = inv
        .vulnerabilities
        .iter()
        .filter(|v| v.suppressed.is_none())
        .collect();
    let counts = row(&md, "Vulnerabilities");
    for (i, s) in Severity::ALL.iter().enumerate() {
        let n = active.iter().filter(|v| v.severity == *s).count();
        assert_eq!(counts[i + 1], n.to_string(), "{s}");
    }
    assert!(md.len() <= 65_536);
}
