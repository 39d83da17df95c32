//! `--format junit`: XML that parses, fits Jenkins' JUnit XSD, and maps findings to failed or
//! skipped test cases.
//!
//! No maintained pure-Rust XSD validator exists, so the XSD itself is read (with roxmltree)
//! into what it declares per element: allowed and required attributes, allowed child elements,
//! whether text is allowed; the output is then checked element by element against that. This
//! covers everything junit-10.xsd constrains except the `SUREFIRE_TIME` pattern (checked by
//! hand below: bosun always writes `0`).

use std::collections::{BTreeMap, BTreeSet};

use bosun_inventory::Inventory;
use bosun_report::{Format, RenderOptions, render};

#[derive(Debug, Default)]
pub(crate) struct Decl {
    attrs: BTreeSet<String>,
    required: BTreeSet<String>,
    children: BTreeSet<String>,
    text: bool,
}

const XS: &str = "http://www.w3.org/2001/XMLSchema";

/// The top-level element declarations of an XSD, with complex types resolved one level.
fn read_xsd(xsd: &str) -> BTreeMap<String, Decl> {
    let doc = roxmltree::Document::parse(xsd).unwrap();
    let root = doc.root_element();
    let types: BTreeMap<&str, roxmltree::Node<'_, '_>> = root
        .children()
        .filter(|n| n.has_tag_name((XS, "complexType")))
        .filter_map(|n| Some((n.attribute("name")?, n)))
        .collect();
    let mut decls = BTreeMap::new();
    for el in root.children().filter(|n| n.has_tag_name((XS, "element"))) {
        let name = el.attribute("name").unwrap().to_owned();
        let mut d = Decl::default();
        let ty = el.attribute("type");
        let body = match ty {
            Some("xs:string") => {
                d.text = true;
                None
            }
            Some(t) => types.get(t).copied(),
            None => el.children().find(|n| n.has_tag_name((XS, "complexType"))),
        };
        if let Some(ct) = body {
            d.text |= ct.attribute("mixed") == Some("true");
            for n in ct.descendants() {
                if n.has_tag_name((XS, "attribute")) {
                    let a = n.attribute("name").unwrap().to_owned();
                    if n.attribute("use") == Some("required") {
                        d.required.insert(a.clone());
                    }
                    d.attrs.insert(a);
                } else if n.has_tag_name((XS, "element"))
                    && let Some(r) = n.attribute("ref").or(n.attribute("name"))
                {
                    d.children.insert(r.to_owned());
                }
            }
        }
        decls.insert(name, d);
    }
    decls
}

/// Every way `xml` departs from the declarations (empty when it fits).
pub(crate) fn xsd_problems(xml: &str, decls: &BTreeMap<String, Decl>) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let mut problems = Vec::new();
    for n in doc.descendants().filter(roxmltree::Node::is_element) {
        let name = n.tag_name().name();
        let Some(d) = decls.get(name) else {
            problems.push(format!("undeclared element {name}"));
            continue;
        };
        for a in n.attributes() {
            if !d.attrs.contains(a.name()) {
                problems.push(format!("{name}: undeclared attribute {}", a.name()));
            }
        }
        for r in &d.required {
            if n.attribute(r.as_str()).is_none() {
                problems.push(format!("{name}: missing required attribute {r}"));
            }
        }
        for c in n.children() {
            if c.is_element() && !d.children.contains(c.tag_name().name()) {
                problems.push(format!("{name}: child {} not allowed", c.tag_name().name()));
            }
            if c.is_text() && !d.text && !c.text().unwrap_or_default().trim().is_empty() {
                problems.push(format!("{name}: text not allowed"));
            }
        }
        if let Some(t) = n.attribute("time")
            && t != "0"
        {
            problems.push(format!("{name}: time {t}"));
        }
    }
    problems
}

/// What Jenkins' xUnit JUnit XSD declares, or `None` (with a notice) without the shared
/// schemas.
pub(crate) fn xsd() -> Option<BTreeMap<String, Decl>> {
    let path = bosun_testdata::path("schemas/junit/jenkins-xunit/junit-10.xsd")?;
    Some(read_xsd(&std::fs::read_to_string(path).unwrap()))
}

/// The XSD problems of `xml`; none when the shared schemas are absent (the skip is announced
/// by `bosun_testdata::path`, and CI requires them).
pub(crate) fn junit_problems(xml: &str) -> Vec<String> {
    xsd().map_or_else(Vec::new, |decls| xsd_problems(xml, &decls))
}

fn junit(inv: &Inventory) -> String {
    let mut out = Vec::new();
    let opts = RenderOptions {
        timestamp: Some("2026-11-28T03:31:30Z".into()),
        ..RenderOptions::default()
    };
    render(inv, Format::Junit, &opts, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The checker reads what the XSD declares, and rejects what it must.
#[test]
fn xsd_checker_reads_the_schema_and_rejects_drift() {
    let Some(decls) = xsd() else { return };
    let suite = &decls["testsuite"];
    for a in ["name", "tests", "failures", "errors"] {
        assert!(suite.required.contains(a), "{a}");
    }
    assert!(decls["testcase"].children.contains("failure"));
    assert!(decls["failure"].text);
    let ok = r#"<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase name="x"/></testsuite></testsuites>"#;
    assert_eq!(xsd_problems(ok, &decls), Vec::<String>::new());
    for bad in [
        r#"<testsuites><testsuite name="a" tests="1" failures="0"><testcase name="x"/></testsuite></testsuites>"#,
        r#"<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase/></testsuite></testsuites>"#,
        r#"<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><case name="x"/></testsuite></testsuites>"#,
        r#"<testsuites><testcase name="x"/></testsuites>"#,
    ] {
        assert!(!xsd_problems(bad, &decls).is_empty(), "{bad}");
    }
}

#[test]
fn junit_fits_the_xsd_and_maps_findings() {
    let inv = crate::sample::findings_inventory();
    let xml = junit(&inv);
    assert_eq!(junit_problems(&xml), Vec::<String>::new());
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root
        .children()
        .filter(roxmltree::Node::is_element)
        .collect();
    let names: Vec<&str> = suites
        .iter()
        .map(|s| s.attribute("name").unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Debian GNU/Linux 12 (bookworm) (os packages)",
            "/app/package-lock.json",
            "secrets",
            "misconfigurations"
        ]
    );
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let findings = inv.vulnerabilities.len() + inv.secrets.len() + inv.misconfigurations.len();
    assert_eq!(cases.len(), findings);
    assert_eq!(root.attribute("tests"), Some(findings.to_string().as_str()));
    let suppressed = inv
        .vulnerabilities
        .iter()
        .filter(|v| v.suppressed.is_some())
        .count()
        + inv
            .secrets
            .iter()
            .filter(|s| s.suppressed.is_some())
            .count()
        + inv
            .misconfigurations
            .iter()
            .filter(|m| m.suppressed.is_some())
            .count();
    let failed = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .count();
    let skipped = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("skipped")))
        .count();
    assert_eq!(failed, findings - suppressed);
    assert_eq!(skipped, suppressed);
    assert_eq!(
        root.attribute("failures"),
        Some(failed.to_string().as_str())
    );
    // Per-suite counts add up.
    for s in &suites {
        let n = s.children().filter(|c| c.has_tag_name("testcase")).count();
        assert_eq!(s.attribute("tests"), Some(n.to_string().as_str()));
    }
    // The critical finding: failure typed with its severity, named after package and id.
    let case = cases
        .iter()
        .find(|c| c.attribute("name") == Some("libssl3@3.0.11-1~deb12u2: CVE-2024-0001"))
        .unwrap();
    let failure = case.children().find(|n| n.has_tag_name("failure")).unwrap();
    assert_eq!(failure.attribute("type"), Some("CRITICAL"));
    assert!(
        failure
            .text()
            .unwrap()
            .contains("Fix: fixed in 3.0.13-1~deb12u1")
    );
    let express = cases
        .iter()
        .find(|c| c.attribute("name").unwrap().contains("CVE-2023-9999"))
        .unwrap();
    let skip = express
        .children()
        .find(|n| n.has_tag_name("skipped"))
        .unwrap();
    assert!(
        skip.attribute("message")
            .unwrap()
            .contains("vulnerable_code_not_in_execute_path")
    );
}

/// Hostile names survive as text: markup, quotes and control characters are escaped or
/// replaced, and the document still parses to the same names.
#[test]
fn junit_escapes_hostile_text() {
    let mut inv = crate::sample::findings_inventory();
    let name = "<script>alert('x')</script>\"&\u{1}";
    inv.vulnerabilities[0].package.name = name.into();
    inv.secrets[0].path = "/app/<b>&.env".into();
    let xml = junit(&inv);
    assert!(!xml.contains("<script>"));
    assert_eq!(junit_problems(&xml), Vec::<String>::new());
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert!(doc.descendants().any(|n| {
        n.attribute("name")
            .is_some_and(|a| a.starts_with("<script>alert('x')</script>\"&\u{FFFD}@"))
    }));
    assert!(doc.descendants().any(|n| {
        n.attribute("name")
            .is_some_and(|a| a.contains("/app/<b>&.env"))
    }));
}

#[test]
fn junit_real_inventory_fits_and_empty_inventory_has_one_passing_case() {
    let Some(decls) = xsd() else { return };
    if let Some(inv) = crate::sample::real_with_findings() {
        let xml = junit(&inv);
        assert_eq!(xsd_problems(&xml, &decls), Vec::<String>::new());
        let doc = roxmltree::Document::parse(&xml).unwrap();
        assert_eq!(
            doc.descendants()
                .filter(|n| n.has_tag_name("testcase"))
                .count(),
            inv.vulnerabilities.len()
        );
    }
    let xml = junit(&Inventory::default());
    assert_eq!(xsd_problems(&xml, &decls), Vec::<String>::new());
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(doc.root_element().attribute("failures"), Some("0"));
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .count(),
        1
    );
}
