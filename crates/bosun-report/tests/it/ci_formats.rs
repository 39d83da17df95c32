//! Generated inventories with findings (awkward strings, any Unicode, empty values) render in
//! every finding format as valid documents: SARIF and GitLab against their schemas, JUnit
//! against the XSD, HTML well-formed, Markdown within the comment limit, CycloneDX valid and
//! read back with its findings.

use bosun_inventory::Inventory;
use bosun_report::{Format, RenderOptions, read_sbom, render};
use proptest::prelude::*;

use crate::schemas::{gitlab_errors, sarif_errors, schema_errors};

fn out(inv: &Inventory, format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    let opts = RenderOptions {
        timestamp: Some("2026-11-28T03:31:30Z".into()),
        ..RenderOptions::default()
    };
    render(inv, format, &opts, &mut out).unwrap();
    out
}

fn json(inv: &Inventory, format: Format) -> serde_json::Value {
    serde_json::from_slice(&out(inv, format)).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::cases(64), ..ProptestConfig::default() })]

    #[test]
    fn generated_findings_render_valid_documents(inv in crate::generate::inventory_with_findings()) {
        let sarif = json(&inv, Format::Sarif);
        prop_assert_eq!(sarif_errors(&sarif), Vec::<String>::new());
        let gitlab = json(&inv, Format::Gitlab);
        prop_assert_eq!(gitlab_errors(&gitlab), Vec::<String>::new());
        let junit = String::from_utf8(out(&inv, Format::Junit)).unwrap();
        prop_assert_eq!(crate::junit::junit_problems(&junit), Vec::<String>::new());
        let html = String::from_utf8(out(&inv, Format::Html)).unwrap();
        let opts = roxmltree::ParsingOptions { allow_dtd: true, ..roxmltree::ParsingOptions::default() };
        prop_assert!(roxmltree::Document::parse_with_options(&html, opts).is_ok());
        prop_assert!(!html.contains("<script"));
        let md = String::from_utf8(out(&inv, Format::Markdown)).unwrap();
        prop_assert!(md.chars().count() <= 65_536);
        let bom_bytes = out(&inv, Format::CycloneDxJson);
        let bom: serde_json::Value = serde_json::from_slice(&bom_bytes).unwrap();
        prop_assert_eq!(schema_errors(Format::CycloneDxJson, &bom), Vec::<String>::new());
        let back = read_sbom(&bom_bytes).unwrap();
        prop_assert_eq!(back.vulnerabilities, inv.vulnerabilities.clone());
        prop_assert_eq!(back.packages, inv.packages.clone());
    }
}
