//! VEX in (OpenVEX, CycloneDX, CSAF; documents written here and real ones from the shared
//! schemas folder) and VEX out (validated against the OpenVEX JSON schema).

use crate::common::{IMAGE_DIGEST, inventory, layer, package, pair, suppressed_ids, today, vuln};
use bosun_inventory::{DiagnosticLevel, Inventory, PackageType, Severity, Suppression};
use bosun_policy::{
    Error, Exceptions, Vex, VexFormat, VexStatus, apply_exceptions, apply_vex, openvex_document,
};
use serde_json::{Value, json};

fn openvex(statements: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.com/vex/1",
        "author": "Example Security",
        "timestamp": "2026-11-01T00:00:00Z",
        "version": 1,
        "statements": statements,
    }))
    .unwrap()
}

fn apply(doc: &[u8]) -> (Inventory, Vec<bosun_inventory::Diagnostic>) {
    let mut inv = inventory();
    let vex = Vex::parse("vendor.vex.json", doc).unwrap();
    let d = apply_vex(&mut inv, &vex);
    (inv, d)
}

#[test]
fn not_affected_suppresses_exactly_the_named_package() {
    let doc = openvex(json!([{
        "vulnerability": {"name": "CVE-2024-0001"},
        "products": [{"@id": "pkg:deb/debian/openssl"}],
        "status": "not_affected",
        "justification": "vulnerable_code_not_in_execute_path",
        "impact_statement": "the affected cipher is disabled"
    }]));
    let (inv, diags) = apply(&doc);
    // Same CVE in curl stays; other CVEs of openssl stay.
    assert_eq!(suppressed_ids(&inv), vec![pair("CVE-2024-0001", "openssl")]);
    assert_eq!(
        inv.vulnerabilities[0].suppressed,
        Some(Suppression {
            reason: "not_affected (vulnerable_code_not_in_execute_path): the affected cipher is disabled".into(),
            source: "vex:vendor.vex.json".into(),
            expires: None,
        })
    );
    assert!(diags.iter().all(|d| d.level == DiagnosticLevel::Info));
}

#[test]
fn a_versioned_product_applies_to_that_version_only() {
    let st = |purl: &str| {
        openvex(json!([{
            "vulnerability": {"name": "CVE-2024-0001"},
            "products": [{"identifiers": {"purl": purl}}],
            "status": "fixed"
        }]))
    };
    let (inv, _) = apply(&st(
        "pkg:deb/debian/openssl@3.0.11-1~deb12u2?distro=debian-12",
    ));
    assert_eq!(suppressed_ids(&inv), vec![pair("CVE-2024-0001", "openssl")]);
    let (inv, diags) = apply(&st("pkg:deb/debian/openssl@3.0.10-1"));
    assert_eq!(suppressed_ids(&inv), vec![]);
    assert!(
        diags.iter().any(|d| d
            .message
            .contains("1 of 1 vex statement(s) apply to no finding")),
        "{diags:?}"
    );
    let (inv, _) = apply(&st("pkg:deb/debian/openssl?distro=debian-11"));
    assert_eq!(suppressed_ids(&inv), vec![], "a qualifier that differs");
}

#[test]
fn an_alias_on_either_side_names_the_finding() {
    let doc = openvex(json!([
        {"vulnerability": {"name": "GHSA-aaaa-bbbb-cccc"}, "products": [{"@id": "pkg:deb/debian/openssl"}], "status": "fixed"},
        {"vulnerability": {"name": "GO-2099-0001", "aliases": ["CVE-2024-0003"]}, "products": [{"@id": "pkg:npm/lodash"}],
         "status": "not_affected", "justification": "component_not_present"}
    ]));
    let (inv, _) = apply(&doc);
    assert_eq!(
        suppressed_ids(&inv),
        vec![
            pair("CVE-2024-0002", "openssl"),
            pair("CVE-2024-0003", "lodash")
        ]
    );
}

#[test]
fn affected_and_under_investigation_do_not_suppress_but_are_reported() {
    let doc = openvex(json!([
        {"vulnerability": {"name": "CVE-2024-0001"}, "products": [{"@id": "pkg:deb/debian/curl"}],
         "status": "affected", "action_statement": "upgrade to 8.5"},
        {"vulnerability": {"name": "CVE-2024-0003"}, "products": [{"@id": "pkg:npm/lodash"}], "status": "under_investigation"}
    ]));
    let (inv, diags) = apply(&doc);
    assert_eq!(suppressed_ids(&inv), vec![]);
    let msgs: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        msgs,
        [
            "CVE-2024-0001 in curl@7.88.1-10 is affected per vex (upgrade to 8.5)",
            "CVE-2024-0003 in lodash@4.17.20 is under_investigation per vex",
        ]
    );
    assert_eq!(diags[0].layer, Some(layer(1)));
}

#[test]
fn subcomponents_apply_inside_the_scanned_image_only() {
    let st = |image: &str| {
        openvex(json!([{
            "vulnerability": {"name": "CVE-2024-0001"},
            "products": [{"@id": image, "subcomponents": [{"@id": "pkg:deb/debian/curl"}]}],
            "status": "not_affected", "justification": "vulnerable_code_not_present"
        }]))
    };
    let ours = format!("pkg:oci/myapp@{}", IMAGE_DIGEST.replace(':', "%3A"));
    let (inv, _) = apply(&st(&ours));
    assert_eq!(suppressed_ids(&inv), vec![pair("CVE-2024-0001", "curl")]);
    let (inv, _) = apply(&st(
        "pkg:oci/myapp@sha256%3A9999999999999999999999999999999999999999999999999999999999999999",
    ));
    assert_eq!(suppressed_ids(&inv), vec![], "another image");
    let (inv, _) = apply(&st(
        "pkg:oci/myapp?repository_url=registry.example.com/team/myapp",
    ));
    assert_eq!(
        suppressed_ids(&inv),
        vec![pair("CVE-2024-0001", "curl")],
        "by name, no digest"
    );
    let (inv, _) = apply(&st("pkg:oci/otherapp"));
    assert_eq!(suppressed_ids(&inv), vec![]);
}

#[test]
fn the_latest_statement_wins() {
    let doc = openvex(json!([
        {"vulnerability": {"name": "CVE-2024-0003"}, "products": [{"@id": "pkg:npm/lodash"}], "status": "not_affected",
         "justification": "vulnerable_code_not_present", "timestamp": "2026-11-10T00:00:00Z"},
        {"vulnerability": {"name": "CVE-2024-0003"}, "products": [{"@id": "pkg:npm/lodash"}], "status": "affected",
         "action_statement": "upgrade", "timestamp": "2026-11-05T00:00:00Z"},
    ]));
    let (inv, _) = apply(&doc);
    assert_eq!(suppressed_ids(&inv), vec![pair("CVE-2024-0003", "lodash")]);
    let doc = openvex(json!([
        {"vulnerability": {"name": "CVE-2024-0003"}, "products": [{"@id": "pkg:npm/lodash"}], "status": "not_affected",
         "justification": "vulnerable_code_not_present", "timestamp": "2026-11-10T00:00:00Z"},
        {"vulnerability": {"name": "CVE-2024-0003"}, "products": [{"@id": "pkg:npm/lodash"}], "status": "affected",
         "action_statement": "upgrade", "timestamp": "2026-11-10T12:00:00+02:00"},
        // 10:00Z: later than the first, so "affected" wins
    ]));
    let (inv, _) = apply(&doc);
    assert_eq!(suppressed_ids(&inv), vec![]);
}

#[test]
fn an_existing_suppression_is_kept() {
    let mut inv = inventory();
    let ex = Exceptions::parse(
        "ign",
        b"vulnerabilities:\n  - id: CVE-2024-0003\n    reason: ours\n",
    )
    .unwrap();
    apply_exceptions(&mut inv, &ex, today());
    let doc = openvex(
        json!([{"vulnerability": {"name": "CVE-2024-0003"}, "products": [{"@id": "pkg:npm/lodash"}], "status": "fixed"}]),
    );
    apply_vex(&mut inv, &Vex::parse("v", &doc).unwrap());
    assert_eq!(
        inv.vulnerabilities[3].suppressed.as_ref().unwrap().source,
        "exceptions:ign"
    );
}

fn cyclonedx_vex() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {"timestamp": "2026-11-01T00:00:00Z"},
        "components": [
            {"type": "library", "bom-ref": "openssl-ref", "name": "openssl", "version": "3.0.11-1~deb12u2",
             "purl": "pkg:deb/debian/openssl@3.0.11-1~deb12u2"},
            {"type": "application", "bom-ref": "app", "name": "app", "components": [
                {"type": "library", "bom-ref": "lodash-ref", "name": "lodash", "purl": "pkg:npm/lodash@4.17.20"}
            ]}
        ],
        "vulnerabilities": [
            {"id": "CVE-2024-0001", "analysis": {"state": "not_affected", "justification": "code_not_reachable",
              "detail": "TLS 1.0 is disabled"}, "affects": [{"ref": "openssl-ref"}]},
            {"id": "CVE-2024-0003", "analysis": {"state": "resolved"},
             "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#lodash-ref"}]},
            {"id": "CVE-2024-0002", "analysis": {"state": "in_triage"}, "affects": [{"ref": "openssl-ref"}]},
            {"id": "CVE-2024-0009", "ratings": []}
        ]
    }))
    .unwrap()
}

#[test]
fn cyclonedx_vex_resolves_bom_refs_to_packages() {
    let vex = Vex::parse("bom.cdx.json", &cyclonedx_vex()).unwrap();
    assert_eq!(vex.format, VexFormat::CycloneDx);
    assert_eq!(
        vex.statements.len(),
        3,
        "the vulnerability without analysis is not a statement"
    );
    let mut inv = inventory();
    let diags = apply_vex(&mut inv, &vex);
    assert_eq!(
        suppressed_ids(&inv),
        vec![
            pair("CVE-2024-0001", "openssl"),
            pair("CVE-2024-0003", "lodash")
        ]
    );
    assert_eq!(
        inv.vulnerabilities[0].suppressed.as_ref().unwrap().reason,
        "not_affected (vulnerable_code_not_in_execute_path): TLS 1.0 is disabled"
    );
    assert_eq!(
        inv.vulnerabilities[3].suppressed.as_ref().unwrap().reason,
        "fixed"
    );
    assert!(
        diags
            .iter()
            .any(|d| d.message.contains("CVE-2024-0002 in openssl")
                && d.message.contains("under_investigation"))
    );
}

#[test]
fn cyclonedx_vex_written_here_is_valid_cyclonedx() {
    let Some(dir) = bosun_testdata::path("schemas/cyclonedx/1.6") else {
        return;
    };
    let load = |f: &str| -> Value {
        serde_json::from_slice(&std::fs::read(dir.join(f)).unwrap()).unwrap()
    };
    let mut registry = jsonschema::Registry::new();
    for f in ["spdx.schema.json", "jsf-0.82.schema.json"] {
        let s = load(f);
        let id = String::from(s["$id"].as_str().unwrap());
        registry = registry.add(id, s).unwrap();
    }
    let registry = registry.prepare().unwrap();
    let v = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .with_registry(&registry)
        .build(&load("bom-1.6.schema.json"))
        .unwrap();
    let doc: Value = serde_json::from_slice(&cyclonedx_vex()).unwrap();
    let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert_eq!(errors, Vec::<String>::new());
}

fn csaf_vex() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "document": {"category": "csaf_vex", "csaf_version": "2.0", "title": "t",
                     "publisher": {"category": "vendor", "name": "Example", "namespace": "https://example.com"},
                     "tracking": {"id": "EX-1", "current_release_date": "2026-11-01T00:00:00Z",
                                  "initial_release_date": "2026-11-01T00:00:00Z", "status": "final", "version": "1",
                                  "revision_history": [{"date": "2026-11-01T00:00:00Z", "number": "1", "summary": "first"}]}},
        "product_tree": {
            "branches": [{"category": "vendor", "name": "Example", "branches": [
                {"category": "product_name", "name": "myapp", "product": {"name": "myapp", "product_id": "APP"}},
                {"category": "product_version", "name": "curl", "product": {"name": "curl", "product_id": "CURL",
                 "product_identification_helper": {"purl": "pkg:deb/debian/curl@7.88.1-10"}}}
            ]}],
            "relationships": [{"category": "default_component_of", "product_reference": "CURL",
                               "relates_to_product_reference": "APP",
                               "full_product_name": {"name": "curl in myapp", "product_id": "APP:CURL"}}]
        },
        "vulnerabilities": [
            {"cve": "CVE-2024-0001", "product_status": {"known_not_affected": ["APP:CURL"]},
             "flags": [{"label": "vulnerable_code_not_present", "product_ids": ["APP:CURL"]}],
             "threats": [{"category": "impact", "details": "built without the affected protocol", "product_ids": ["APP:CURL"]}]},
            {"cve": "CVE-2024-0003", "product_status": {"known_not_affected": ["APP"]}}
        ]
    }))
    .unwrap()
}

#[test]
fn csaf_vex_matches_products_by_purl() {
    let vex = Vex::parse("ex.csaf.json", &csaf_vex()).unwrap();
    assert_eq!(vex.format, VexFormat::Csaf);
    assert_eq!(
        vex.statements.len(),
        1,
        "APP has no purl and cannot be matched"
    );
    let mut inv = inventory();
    apply_vex(&mut inv, &vex);
    assert_eq!(suppressed_ids(&inv), vec![pair("CVE-2024-0001", "curl")]);
    assert_eq!(
        inv.vulnerabilities[1].suppressed.as_ref().unwrap().reason,
        "not_affected (vulnerable_code_not_present): built without the affected protocol"
    );
}

#[test]
fn real_csaf_vex_examples_parse() {
    let Some(dir) = bosun_testdata::path("schemas/csaf/2.0/examples") else {
        return;
    };
    let mut n = 0;
    for sub in ["csaf_vex", "real-redhat-vex"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json") {
                let vex =
                    Vex::parse(&p.display().to_string(), &std::fs::read(&p).unwrap()).unwrap();
                assert_eq!(vex.format, VexFormat::Csaf);
                // These name products by CPE or by name only: nothing bosun can match.
                assert_eq!(vex.statements.len(), 0, "{}", p.display());
                n += 1;
            }
        }
    }
    assert_eq!(n, 7);
}

/// The OpenVEX project's own example: apk packages inside an alpine image given by digest.
#[test]
fn real_openvex_example_applies_inside_its_image() {
    let Some(p) = bosun_testdata::path("schemas/openvex/examples/v0.2.0.json") else {
        return;
    };
    let vex = Vex::parse("v0.2.0.json", &std::fs::read(p).unwrap()).unwrap();
    assert_eq!(vex.format, VexFormat::OpenVex);
    assert_eq!(vex.statements.len(), 5);
    let libssl = package(
        "libssl3",
        "3.0.8-r3",
        PackageType::Apk,
        "pkg:apk/alpine/libssl3@3.0.8-r3?arch=x86_64",
        &[],
        0,
    );
    let busybox = package(
        "busybox",
        "1.36.0-r9",
        PackageType::Apk,
        "pkg:apk/alpine/busybox@1.36.0-r9",
        &[],
        0,
    );
    let make = |digest: &str| Inventory {
        source: bosun_inventory::SourceInfo {
            manifest_digest: Some(digest.into()),
            ..Default::default()
        },
        vulnerabilities: vec![
            vuln("CVE-2023-3446", &[], Severity::Medium, &libssl, &[]),
            vuln("CVE-2023-1255", &[], Severity::Medium, &libssl, &[]),
            vuln("CVE-2023-3446", &[], Severity::Medium, &busybox, &[]),
        ],
        packages: vec![libssl.clone(), busybox.clone()],
        ..Inventory::default()
    };
    let mut inv = make("sha256:124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126");
    apply_vex(&mut inv, &vex);
    assert_eq!(
        suppressed_ids(&inv),
        vec![
            pair("CVE-2023-3446", "libssl3"),
            pair("CVE-2023-1255", "libssl3")
        ]
    );
    assert_eq!(
        inv.vulnerabilities[0].suppressed.as_ref().unwrap().reason,
        "not_affected (vulnerable_code_not_present): affected functions were removed before packaging"
    );
    let mut other = make("sha256:0000000000000000000000000000000000000000000000000000000000000000");
    apply_vex(&mut other, &vex);
    assert_eq!(
        suppressed_ids(&other),
        vec![],
        "the statements are about another image"
    );
}

/// Trivy's published VEX: Go modules inside the trivy binary, by GO- id with CVE aliases.
#[test]
fn real_trivy_openvex_applies_to_modules_of_the_trivy_binary() {
    let Some(p) = bosun_testdata::path("schemas/openvex/examples/real-trivy/trivy.openvex.json")
    else {
        return;
    };
    let vex = Vex::parse("trivy.openvex.json", &std::fs::read(p).unwrap()).unwrap();
    assert_eq!(vex.statements.len(), 21);
    let at = |mut p: bosun_inventory::Package, loc: &str| {
        p.locations = vec![loc.into()];
        p
    };
    let trivy = at(
        package(
            "github.com/aquasecurity/trivy",
            "v0.53.0",
            PackageType::Go,
            "pkg:golang/github.com/aquasecurity/trivy@v0.53.0",
            &[],
            1,
        ),
        "/usr/local/bin/trivy",
    );
    let helm = at(
        package(
            "helm.sh/helm/v3",
            "v3.14.0",
            PackageType::Go,
            "pkg:golang/helm.sh/helm/v3@v3.14.0",
            &[],
            1,
        ),
        "/usr/local/bin/trivy",
    );
    let other_helm = at(
        package(
            "helm.sh/helm/v3",
            "v3.14.0",
            PackageType::Go,
            "pkg:golang/helm.sh/helm/v3@v3.14.0",
            &[],
            2,
        ),
        "/usr/local/bin/helm",
    );
    let mut inv = Inventory {
        vulnerabilities: vec![
            vuln(
                "CVE-2024-26147",
                &["GHSA-r53h-jv2g-vpx6", "GO-2024-2575"],
                Severity::High,
                &helm,
                &["3.14.2"],
            ),
            vuln(
                "CVE-2024-26147",
                &["GHSA-r53h-jv2g-vpx6", "GO-2024-2575"],
                Severity::High,
                &other_helm,
                &["3.14.2"],
            ),
        ],
        packages: vec![trivy, helm.clone(), other_helm],
        ..Inventory::default()
    };
    apply_vex(&mut inv, &vex);
    assert!(
        inv.vulnerabilities[0].suppressed.is_some(),
        "helm inside trivy"
    );
    assert!(
        inv.vulnerabilities[1].suppressed.is_none(),
        "helm in another binary is not trivy's"
    );
    // Without trivy in the image, the statement's product is absent: nothing applies.
    let mut alone = Inventory {
        vulnerabilities: vec![vuln(
            "CVE-2024-26147",
            &["GO-2024-2575"],
            Severity::High,
            &helm,
            &[],
        )],
        packages: vec![helm],
        ..Inventory::default()
    };
    apply_vex(&mut alone, &vex);
    assert!(alone.vulnerabilities[0].suppressed.is_none());
}

#[test]
fn older_openvex_without_timestamp_reads_leniently() {
    let Some(p) = bosun_testdata::path("schemas/openvex/examples/v020-1.vex.json") else {
        return;
    };
    let vex = Vex::parse("v020-1.vex.json", &std::fs::read(p).unwrap()).unwrap();
    assert_eq!(vex.statements.len(), 1);
    assert_eq!(vex.statements[0].status, VexStatus::UnderInvestigation);
    assert_eq!(
        vex.statements[0].targets[0].package,
        "pkg:apk/wolfi/bash@1.0.0"
    );
}

#[test]
fn bad_vex_documents_are_errors() {
    assert!(matches!(
        Vex::parse("x", b"{\"hello\": 1}"),
        Err(Error::UnknownVexFormat { .. })
    ));
    assert!(matches!(
        Vex::parse("x", b"not json"),
        Err(Error::Syntax { .. })
    ));
    let bad =
        openvex(json!([{"vulnerability": {"name": "CVE-1"}, "products": [], "status": "maybe"}]));
    let e = Vex::parse("x", &bad).unwrap_err().to_string();
    assert!(e.contains("statements[0]") && e.contains("maybe"), "{e}");
}

// ---- VEX out ----

fn openvex_validator() -> Option<jsonschema::Validator> {
    let p = bosun_testdata::path("schemas/openvex/openvex_json_schema.json")?;
    let schema: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
    Some(
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap(),
    )
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// openssl CVE-2024-0001: VEX not_affected; curl CVE-2024-0001: exception with
/// justification; openssl CVE-2024-0002: --ignore-unfixed; lodash: nothing.
fn mixed() -> Inventory {
    let mut inv = inventory();
    let doc = openvex(
        json!([{"vulnerability": {"name": "CVE-2024-0001"}, "products": [{"@id": "pkg:deb/debian/openssl"}],
        "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path", "impact_statement": "cipher disabled"}]),
    );
    apply_vex(&mut inv, &Vex::parse("v.json", &doc).unwrap());
    let ex = Exceptions::parse("ign", b"vulnerabilities:\n  - id: CVE-2024-0001\n    package: curl\n    reason: curl is never called\n    by: bob\n    justification: vulnerable_code_not_in_execute_path\n").unwrap();
    apply_exceptions(&mut inv, &ex, today());
    inv.vulnerabilities[2].suppressed = Some(Suppression {
        reason: "no fix".into(),
        source: "--ignore-unfixed".into(),
        expires: None,
    });
    inv
}

#[test]
fn vex_out_has_one_statement_per_finding_with_the_right_status() {
    let doc = openvex_document(&mixed(), "Example CI", "2026-11-28T12:00:00Z");
    let st = doc["statements"].as_array().unwrap();
    assert_eq!(st.len(), 4);
    let image = format!("pkg:oci/myapp@{}", IMAGE_DIGEST.replace(':', "%3A"));
    assert_eq!(st[0]["products"][0]["@id"], image.as_str());
    assert_eq!(
        st[0]["products"][0]["subcomponents"][0]["@id"],
        inventory().vulnerabilities[0].package.purl.as_str()
    );
    assert_eq!(
        (st[0]["status"].as_str(), st[0]["justification"].as_str()),
        (
            Some("not_affected"),
            Some("vulnerable_code_not_in_execute_path")
        )
    );
    assert_eq!(st[0]["impact_statement"], "cipher disabled");
    assert_eq!(
        (st[1]["status"].as_str(), st[1]["justification"].as_str()),
        (
            Some("not_affected"),
            Some("vulnerable_code_not_in_execute_path")
        )
    );
    assert_eq!(st[1]["impact_statement"], "curl is never called (by bob)");
    assert_eq!(st[2]["status"], "affected");
    assert!(
        st[2]["action_statement"]
            .as_str()
            .unwrap()
            .contains("Suppressed by --ignore-unfixed")
    );
    assert_eq!(
        st[2]["vulnerability"]["aliases"],
        json!(["GHSA-aaaa-bbbb-cccc"])
    );
    assert_eq!(st[3]["status"], "affected");
    assert_eq!(
        st[3]["action_statement"],
        "No fix is available for lodash yet; mitigate or accept the risk"
    );
    assert!(
        doc["@id"]
            .as_str()
            .unwrap()
            .starts_with("urn:bosun:vex:sha256:")
    );
}

#[test]
fn vex_out_is_valid_openvex() {
    let Some(v) = openvex_validator() else { return };
    // The validator rejects what it should (a proof it is not vacuous).
    assert!(!v.is_valid(&json!({"@context": "x"})));
    let with_image = openvex_document(&mixed(), "Example CI", "2026-11-28T12:00:00Z");
    assert_eq!(errors(&v, &with_image), Vec::<String>::new());
    let mut no_digest = mixed();
    no_digest.source.manifest_digest = None;
    let plain = openvex_document(&no_digest, "Example CI", "2026-11-28T12:00:00+01:00");
    assert_eq!(
        plain["statements"][0]["products"][0]["@id"],
        no_digest.vulnerabilities[0].package.purl.as_str()
    );
    assert_eq!(errors(&v, &plain), Vec::<String>::new());
    // A fixed statement from VEX round-trips as fixed.
    let mut inv = inventory();
    let doc = openvex(
        json!([{"vulnerability": {"name": "CVE-2024-0003"}, "products": [{"@id": "pkg:npm/lodash"}], "status": "fixed"}]),
    );
    apply_vex(&mut inv, &Vex::parse("v", &doc).unwrap());
    let out = openvex_document(&inv, "a", "2026-11-28T12:00:00Z");
    assert_eq!(out["statements"][3]["status"], "fixed");
    assert_eq!(errors(&v, &out), Vec::<String>::new());
}

#[test]
fn vex_out_read_back_suppresses_the_same_findings() {
    let inv = mixed();
    let doc = serde_json::to_vec(&openvex_document(
        &inv,
        "Example CI",
        "2026-11-28T12:00:00Z",
    ))
    .unwrap();
    let mut fresh = inventory();
    apply_vex(&mut fresh, &Vex::parse("out.json", &doc).unwrap());
    // not_affected statements come back; affected ones (incl. --ignore-unfixed) do not.
    assert_eq!(
        suppressed_ids(&fresh),
        vec![
            pair("CVE-2024-0001", "openssl"),
            pair("CVE-2024-0001", "curl")
        ]
    );
}

#[test]
fn identical_findings_give_one_statement() {
    let mut inv = inventory();
    let dup = inv.vulnerabilities[3].clone();
    inv.vulnerabilities.push(dup);
    let doc = openvex_document(&inv, "a", "2026-11-28T12:00:00Z");
    assert_eq!(doc["statements"].as_array().unwrap().len(), 4);
}

/// The CycloneDX specification's own VEX test BOM: a Snyk id with the CVE as reference.
#[test]
fn real_cyclonedx_vex_example_suppresses_its_component() {
    let Some(p) = bosun_testdata::path("schemas/cyclonedx/1.6/tests/valid-vulnerability-1.6.json")
    else {
        return;
    };
    let vex = Vex::parse("valid-vulnerability-1.6.json", &std::fs::read(p).unwrap()).unwrap();
    assert_eq!(vex.format, VexFormat::CycloneDx);
    let databind = package(
        "jackson-databind",
        "2.9.4",
        PackageType::Maven,
        "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4",
        &[],
        1,
    );
    let core = package(
        "jackson-core",
        "2.9.4",
        PackageType::Maven,
        "pkg:maven/com.fasterxml.jackson.core/jackson-core@2.9.4",
        &[],
        1,
    );
    let mut inv = Inventory {
        vulnerabilities: vec![
            vuln(
                "CVE-2018-7489",
                &["GHSA-cggj-fvv3-cqwv"],
                Severity::Critical,
                &databind,
                &["2.9.5"],
            ),
            vuln("CVE-2018-7489", &[], Severity::Critical, &core, &[]),
        ],
        packages: vec![databind, core],
        ..Inventory::default()
    };
    apply_vex(&mut inv, &vex);
    assert_eq!(
        suppressed_ids(&inv),
        vec![pair("CVE-2018-7489", "jackson-databind")]
    );
    assert_eq!(
        inv.vulnerabilities[0].suppressed.as_ref().unwrap().reason,
        "not_affected (vulnerable_code_not_in_execute_path): An optional explanation of why the application is not affected by the vulnerable component."
    );
}
