//! bosun's own output of every JSON format reads back to the inventory it was written from,
//! and validates against the format's schema.

use bosun_inventory::Inventory;
use bosun_report::{Format, RenderOptions, read_sbom, render};
use proptest::prelude::*;

use crate::schemas::schema_errors;

const JSON_FORMATS: [Format; 3] = [Format::Json, Format::CycloneDxJson, Format::SpdxJson];

fn fixed() -> RenderOptions {
    RenderOptions {
        tool_version: "0.1.0-test".into(),
        color: false,
        timestamp: Some("2026-11-28T03:31:30Z".into()),
        list_packages: true,
        ..RenderOptions::default()
    }
}

fn render_to_vec(inv: &Inventory, format: Format) -> Vec<u8> {
    let mut out = Vec::new();
    render(inv, format, &fixed(), &mut out).unwrap();
    out
}

#[test]
fn real_inventory_round_trips_through_every_json_format() {
    let Some(inv) = crate::data::real_inventory() else {
        return;
    };
    assert!(inv.packages.len() > 100, "{}", inv.packages.len());
    for format in JSON_FORMATS {
        let out = render_to_vec(&inv, format);
        let back = read_sbom(&out).unwrap();
        assert_eq!(back, inv, "{format}");
    }
}

#[test]
fn output_is_reproducible_with_a_fixed_timestamp() {
    let Some(inv) = crate::data::real_inventory() else {
        return;
    };
    for format in Format::ALL {
        assert_eq!(
            render_to_vec(&inv, format),
            render_to_vec(&inv, format),
            "{format}"
        );
    }
    // A different time gives a different serial number and namespace.
    let later = RenderOptions {
        timestamp: Some("2026-11-28T03:31:31Z".into()),
        ..fixed()
    };
    for (format, key) in [
        (Format::CycloneDxJson, "serialNumber"),
        (Format::SpdxJson, "documentNamespace"),
    ] {
        let mut b = Vec::new();
        render(&inv, format, &later, &mut b).unwrap();
        let a: serde_json::Value = serde_json::from_slice(&render_to_vec(&inv, format)).unwrap();
        let b: serde_json::Value = serde_json::from_slice(&b).unwrap();
        assert_ne!(a[key], b[key], "{format}");
    }
}

/// SPDX rules the JSON schema does not check: every `licenseDeclared` is a valid SPDX
/// expression (or NOASSERTION), and every `LicenseRef-` it uses has an extracted-licensing
/// entry.
fn spdx_license_problems(doc: &serde_json::Value) -> Vec<String> {
    let extracted: Vec<&str> = doc["hasExtractedLicensingInfos"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["licenseId"].as_str()).collect())
        .unwrap_or_default();
    let mode = spdx::ParseMode {
        allow_deprecated: true,
        allow_postfix_plus_on_gpl: true,
        ..spdx::ParseMode::STRICT
    };
    let mut problems = Vec::new();
    for p in doc["packages"].as_array().unwrap() {
        let Some(declared) = p["licenseDeclared"].as_str() else {
            continue;
        };
        if declared == "NOASSERTION" {
            continue;
        }
        match spdx::Expression::parse_mode(declared, mode) {
            Err(e) => problems.push(format!("{declared:?}: {e}")),
            Ok(expr) => {
                for req in expr.requirements() {
                    let id = req.req.license.to_string();
                    if id.starts_with("LicenseRef-") && !extracted.contains(&id.as_str()) {
                        problems.push(format!("{id} has no extracted entry"));
                    }
                }
            }
        }
    }
    problems
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::cases(128), ..ProptestConfig::default() })]

    /// Any inventory survives every JSON format unchanged and every output is schema-valid.
    #[test]
    fn generated_inventories_round_trip_and_validate(inv in crate::generate::inventory()) {
        for format in JSON_FORMATS {
            let out = render_to_vec(&inv, format);
            let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let errors = schema_errors(format, &doc);
            prop_assert!(errors.is_empty(), "{} invalid: {:?}", format, errors);
            if format == Format::SpdxJson {
                let problems = spdx_license_problems(&doc);
                prop_assert!(problems.is_empty(), "{:?}", problems);
            }
            let back = read_sbom(&out);
            prop_assert!(back.is_ok(), "{} unreadable: {:?}", format, back);
            prop_assert_eq!(back.unwrap(), inv.clone(), "{}", format);
        }
    }
}

#[test]
fn findings_round_trip_through_bosun_json_and_validate() {
    use bosun_inventory::vuln::{
        CvssScore, EpssInfo, KevInfo, Severity, Status, Suppression, VulnPackage, Vulnerability,
    };
    use bosun_inventory::{LayerRef, Misconfiguration, SecretFinding};
    let inv = Inventory {
        secrets: vec![
            SecretFinding {
                rule_id: "aws-access-key-id".into(),
                title: "AWS Access Key ID".into(),
                severity: "CRITICAL".into(),
                category: "AWS".into(),
                path: "/app/.env".into(),
                line: 1,
                column: 19,
                match_masked: "AKIA****************".into(),
                layer: Some(LayerRef {
                    index: 0,
                    diff_id: Some(format!("sha256:{}", "ab".repeat(32))),
                    role: None,
                }),
                in_final: false,
                suppressed: None,
            },
            SecretFinding {
                rule_id: "github-pat".into(),
                title: "GitHub Personal Access Token".into(),
                severity: "CRITICAL".into(),
                category: "GitHub".into(),
                path: "config:Env".into(),
                line: 1,
                column: 14,
                match_masked: "ghp_****".into(),
                layer: None,
                in_final: false,
                suppressed: None,
            },
        ],
        misconfigurations: vec![Misconfiguration {
            id: "BOSUN-CFG-001".into(),
            severity: "HIGH".into(),
            title: "Image runs as root".into(),
            message: "the image sets no USER".into(),
            resolution: "add USER".into(),
            evidence: "User is not set".into(),
            suppressed: Some(Suppression {
                reason: "runs as root by design: needs to bind port 80".into(),
                source: "exceptions:.bosunignore.yaml".into(),
                expires: None,
            }),
        }],
        vulnerabilities: vec![
            Vulnerability {
                id: "CVE-2021-44228".into(),
                aliases: vec!["GHSA-jfh8-c2jp-5v3q".into()],
                summary: Some("Remote code injection in Log4j".into()),
                severity: Severity::Critical,
                severity_source: "cvss_v3".into(),
                cvss: vec![CvssScore {
                    version: "3.1".into(),
                    vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H".into(),
                    score: 10.0,
                }],
                package: VulnPackage {
                    name: "org.apache.logging.log4j:log4j-core".into(),
                    version: "2.14.1".into(),
                    purl: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".into(),
                    ecosystem: "Maven".into(),
                    location: Some("/app/app.jar".into()),
                    matched_name: None,
                    matched_version: None,
                },
                fixed_versions: vec!["2.15.0".into()],
                status: Status::Fixed,
                layer: LayerRef {
                    index: 1,
                    diff_id: Some(format!("sha256:{}", "cd".repeat(32))),
                    role: None,
                },
                kev: Some(KevInfo {
                    cve: "CVE-2021-44228".into(),
                    date_added: "2021-12-10".into(),
                    due_date: Some("2021-12-24".into()),
                    ransomware: Some("Known".into()),
                }),
                epss: Some(EpssInfo {
                    cve: "CVE-2021-44228".into(),
                    score: 0.944,
                    percentile: 0.99,
                }),
                records: vec!["GHSA-jfh8-c2jp-5v3q".into()],
                suppressed: Some(Suppression {
                    reason: "not_affected: vulnerable_code_not_in_execute_path".into(),
                    source: "vex:app.openvex.json".into(),
                    expires: Some("2027-01-31".into()),
                }),
                priority: None,
            },
            Vulnerability {
                id: "DSA-5000-1".into(),
                severity: Severity::Unknown,
                severity_source: "none".into(),
                package: VulnPackage {
                    name: "bash".into(),
                    version: "5.2.15-2+b2".into(),
                    purl: "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64".into(),
                    ecosystem: "Debian:12".into(),
                    matched_version: Some("5.2.15-2".into()),
                    ..VulnPackage::default()
                },
                status: Status::WillNotFix,
                records: vec!["DSA-5000-1".into()],
                ..Vulnerability::default()
            },
        ],
        ..Inventory::default()
    };
    let out = render_to_vec(&inv, Format::Json);
    let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(schema_errors(Format::Json, &doc), Vec::<String>::new());
    assert_eq!(read_sbom(&out).unwrap(), inv);
    let mut bad = doc.clone();
    bad["secrets"][0]["severity"] = "SEVERE".into();
    assert!(
        !schema_errors(Format::Json, &bad).is_empty(),
        "the schema checks severities"
    );
    let mut bad = doc.clone();
    bad["vulnerabilities"][0]["status"] = "patched".into();
    assert!(
        !schema_errors(Format::Json, &bad).is_empty(),
        "the schema checks statuses"
    );
}
