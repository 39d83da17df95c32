//! `--format html`: one self-contained, well-formed page with every finding, escaped.

use bosun_inventory::Inventory;
use bosun_report::{Format, RenderOptions, render};

fn html(inv: &Inventory) -> String {
    let mut out = Vec::new();
    render(inv, Format::Html, &RenderOptions::default(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The page as an XML tree (the `<!DOCTYPE html>` line is a DTD to an XML parser).
fn parse(h: &str) -> roxmltree::Document<'_> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(h, opts).unwrap()
}

/// No script, no external stylesheet, image, font or frame: links out are plain `<a href>`.
fn assert_self_contained(h: &str) {
    let lower = h.to_ascii_lowercase();
    for banned in [
        "<script", "<link", "<img", "<iframe", "src=", "url(", "@import",
    ] {
        assert!(!lower.contains(banned), "{banned}");
    }
}

#[test]
fn html_lists_every_finding_and_marks_suppressed_rows() {
    let inv = crate::sample::findings_inventory();
    let h = html(&inv);
    assert_self_contained(&h);
    // Well-formed (written as XHTML-compatible HTML), so a strict XML parser reads it.
    let doc = parse(&h);
    let rows: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .filter(|n| n.children().any(|c| c.has_tag_name("td")))
        .collect();
    let findings = inv.vulnerabilities.len() + inv.secrets.len() + inv.misconfigurations.len();
    assert_eq!(rows.len(), findings);
    let suppressed: Vec<_> = rows
        .iter()
        .filter(|r| r.attribute("class") == Some("suppressed"))
        .collect();
    assert_eq!(suppressed.len(), 3);
    let text = |n: &roxmltree::Node<'_, '_>| {
        n.descendants()
            .filter_map(|d| d.text())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(suppressed.iter().any(|r| text(r).contains("CVE-2023-9999")
        && text(r).contains("Suppressed: not_affected: vulnerable_code_not_in_execute_path")));
    // Most urgent first, with its severity class and advisory link.
    let first = rows[0];
    assert!(text(&first).contains("CVE-2024-0001"));
    let sev = first.children().find(|c| c.has_tag_name("td")).unwrap();
    assert_eq!(sev.attribute("class"), Some("sev CRITICAL"));
    assert!(
        first
            .descendants()
            .any(|a| a.attribute("href") == Some("https://nvd.nist.gov/vuln/detail/CVE-2024-0001"))
    );
    assert!(h.contains("KEV"));
}

/// Hostile names from the image come out as text, never as markup.
#[test]
fn html_escapes_hostile_package_names() {
    let mut inv = crate::sample::findings_inventory();
    let evil = "<script>alert('x')</script><img src=x onerror=alert(1)>\"&";
    inv.source.name = evil.into();
    inv.vulnerabilities[0].package.name = evil.into();
    inv.vulnerabilities[0].summary = Some(evil.into());
    inv.secrets[0].path = evil.into();
    inv.misconfigurations[0].evidence = evil.into();
    let h = html(&inv);
    assert!(!h.contains("<script>"));
    assert!(!h.contains("<img"));
    assert!(h.contains("&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;"));
    let doc = parse(&h);
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    // The hostile string is there as text, several times (title, heading, cells).
    assert!(texts.iter().filter(|t| t.contains(evil)).count() >= 5);
    assert!(
        doc.descendants()
            .all(|n| !n.has_tag_name("script") && !n.has_tag_name("img"))
    );
}

#[test]
fn html_real_inventory_lists_packages() {
    let Some(inv) = crate::sample::real_with_findings() else {
        return;
    };
    let h = html(&inv);
    assert_self_contained(&h);
    let doc = parse(&h);
    let rows = doc
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .filter(|n| n.children().any(|c| c.has_tag_name("td")))
        .count();
    assert_eq!(rows, inv.vulnerabilities.len() + inv.packages.len());
}
