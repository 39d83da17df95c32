//! CycloneDX 1.6 `vulnerabilities`: valid against the official schema, ratings and analysis
//! mapped, each finding affecting its package's component, and read back without loss.

use bosun_inventory::{Inventory, Package, PackageType};
use bosun_report::{Format, RenderOptions, read_sbom, render};
use serde_json::Value;

use crate::schemas::schema_errors;

/// The sample findings with the packages they are about.
fn with_packages() -> Inventory {
    let mut inv = crate::sample::findings_inventory();
    for v in &inv.vulnerabilities {
        let ty = v.package.purl.split(['/', ':']).nth(1).unwrap();
        inv.packages.push(Package {
            name: v.package.name.clone(),
            version: v.package.version.clone(),
            package_type: PackageType::from_purl_type(ty).unwrap(),
            purl: v.package.purl.clone(),
            locations: v.package.location.iter().cloned().collect(),
            ..Package::default()
        });
    }
    inv.sort();
    inv
}

fn bom(inv: &Inventory) -> (Vec<u8>, Value) {
    let mut out = Vec::new();
    let opts = RenderOptions {
        timestamp: Some("2026-11-28T03:31:30Z".into()),
        ..RenderOptions::default()
    };
    render(inv, Format::CycloneDxJson, &opts, &mut out).unwrap();
    let doc = serde_json::from_slice(&out).unwrap();
    (out, doc)
}

fn entry<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap()
}

fn prop<'a>(v: &'a Value, name: &str) -> Option<&'a str> {
    v["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["value"].as_str())
}

#[test]
fn cyclonedx_vulnerabilities_validate_and_map() {
    let inv = with_packages();
    let (_, doc) = bom(&inv);
    assert_eq!(
        schema_errors(Format::CycloneDxJson, &doc),
        Vec::<String>::new()
    );
    assert_eq!(
        doc["vulnerabilities"].as_array().unwrap().len(),
        inv.vulnerabilities.len()
    );
    let crit = entry(&doc, "CVE-2024-0001");
    assert_eq!(crit["source"]["name"], "NVD");
    assert_eq!(crit["ratings"][0]["method"], "CVSSv31");
    assert_eq!(crit["ratings"][0]["score"], 9.8);
    assert_eq!(crit["ratings"][0]["severity"], "critical");
    assert_eq!(crit["references"][0]["id"], "DSA-5600-1");
    assert_eq!(crit["advisories"][0]["title"], "DEBIAN-CVE-2024-0001");
    assert_eq!(
        crit["recommendation"],
        "Upgrade libssl3 to 3.0.13-1~deb12u1"
    );
    assert_eq!(prop(crit, "bosun:kev:cve"), Some("CVE-2024-0001"));
    assert_eq!(prop(crit, "bosun:epss:score"), Some("0.91"));
    assert!(crit.get("analysis").is_none());
    // It affects the component of its package, by bom-ref.
    let reference = crit["affects"][0]["ref"].as_str().unwrap();
    let component = doc["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["bom-ref"] == reference)
        .unwrap();
    assert_eq!(component["name"], "libssl3");
    assert_eq!(
        entry(&doc, "CVE-2024-0003")["ratings"][0]["method"],
        "CVSSv4"
    );
    // A vendor severity without a vector: method `other`, the vendor as source.
    let ghsa = entry(&doc, "GHSA-xxxx-yyyy-zzzz");
    assert_eq!(ghsa["source"]["name"], "GitHub");
    assert_eq!(ghsa["ratings"][0]["method"], "other");
    assert_eq!(ghsa["ratings"][0]["severity"], "high");
    assert_eq!(ghsa["ratings"][0]["source"]["name"], "ghsa");
    assert!(
        entry(&doc, "OSV-2024-5")["ratings"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // A VEX statement becomes the analysis.
    let vexed = entry(&doc, "CVE-2023-9999");
    assert_eq!(vexed["analysis"]["state"], "not_affected");
    assert_eq!(vexed["analysis"]["justification"], "code_not_reachable");
    assert!(
        vexed["analysis"]["detail"]
            .as_str()
            .unwrap()
            .contains("vex:app.openvex.json")
    );
}

/// An exception (not a VEX statement) is an accepted risk: exploitable, will not fix.
#[test]
fn cyclonedx_exception_is_an_accepted_risk() {
    let mut inv = with_packages();
    inv.vulnerabilities[0].suppressed = Some(bosun_inventory::Suppression {
        reason: "no network exposure".into(),
        source: "exceptions:.bosun.yaml".into(),
        expires: Some("2027-01-01".into()),
    });
    let id = inv.vulnerabilities[0].id.clone();
    let (out, doc) = bom(&inv);
    assert_eq!(
        schema_errors(Format::CycloneDxJson, &doc),
        Vec::<String>::new()
    );
    let a = &entry(&doc, &id)["analysis"];
    assert_eq!(a["state"], "exploitable");
    assert_eq!(a["response"][0], "will_not_fix");
    assert!(a.get("justification").is_none());
    assert_eq!(
        read_sbom(&out).unwrap().vulnerabilities,
        inv.vulnerabilities
    );
}

/// Packages and findings come back exactly; secrets and misconfigurations have no place in
/// CycloneDX.
#[test]
fn cyclonedx_vulnerabilities_round_trip() {
    let inv = with_packages();
    let (out, _) = bom(&inv);
    let back = read_sbom(&out).unwrap();
    assert_eq!(back.vulnerabilities, inv.vulnerabilities);
    assert_eq!(back.packages, inv.packages);
    let Some(real) = crate::sample::real_with_findings() else {
        return;
    };
    let (out, doc) = bom(&real);
    assert_eq!(
        schema_errors(Format::CycloneDxJson, &doc),
        Vec::<String>::new()
    );
    assert_eq!(read_sbom(&out).unwrap(), real);
}
