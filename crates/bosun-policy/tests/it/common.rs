//! A small inventory every test starts from, written by hand.

use bosun_inventory::vuln::{KevInfo, Status, VulnPackage};
use bosun_inventory::{
    Inventory, LayerRef, Misconfiguration, Package, PackageType, SecretFinding, Severity,
    SourceInfo, Vulnerability,
};

pub(crate) const TODAY: &str = "2026-11-28";
pub(crate) const IMAGE_DIGEST: &str =
    "sha256:1111111111111111111111111111111111111111111111111111111111111111";

pub(crate) fn today() -> bosun_policy::Date {
    bosun_policy::parse_date(TODAY).unwrap()
}

pub(crate) fn layer(i: usize) -> LayerRef {
    LayerRef {
        index: i,
        diff_id: Some(format!("sha256:{i:064}")),
        role: None,
    }
}

pub(crate) fn package(
    name: &str,
    version: &str,
    ty: PackageType,
    purl: &str,
    licenses: &[&str],
    l: usize,
) -> Package {
    Package {
        name: name.into(),
        version: version.into(),
        package_type: ty,
        purl: purl.into(),
        licenses: licenses.iter().map(|s| (*s).to_owned()).collect(),
        layer: layer(l),
        ..Package::default()
    }
}

pub(crate) fn vuln(
    id: &str,
    aliases: &[&str],
    sev: Severity,
    pkg: &Package,
    fixed: &[&str],
) -> Vulnerability {
    Vulnerability {
        id: id.into(),
        aliases: aliases.iter().map(|s| (*s).to_owned()).collect(),
        severity: sev,
        severity_source: "cvss_v3".into(),
        package: VulnPackage {
            name: pkg.name.clone(),
            version: pkg.version.clone(),
            purl: pkg.purl.clone(),
            ecosystem: "Debian:12".into(),
            location: pkg.locations.first().cloned(),
            ..VulnPackage::default()
        },
        fixed_versions: fixed.iter().map(|s| (*s).to_owned()).collect(),
        status: if fixed.is_empty() {
            Status::Affected
        } else {
            Status::Fixed
        },
        layer: pkg.layer.clone(),
        ..Vulnerability::default()
    }
}

/// openssl (layer 0) and curl (layer 1) share CVE-2024-0001; openssl also has a KEV-listed
/// LOW CVE-2024-0002 (alias GHSA-aaaa-bbbb-cccc); lodash (layer 2) a CRITICAL without fix.
pub(crate) fn inventory() -> Inventory {
    let mut openssl = package(
        "openssl",
        "3.0.11-1~deb12u2",
        PackageType::Deb,
        "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12",
        &["OpenSSL"],
        0,
    );
    openssl.locations = vec!["/var/lib/dpkg/status".into()];
    let curl = package(
        "curl",
        "7.88.1-10",
        PackageType::Deb,
        "pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12",
        &["curl"],
        1,
    );
    let mut lodash = package(
        "lodash",
        "4.17.20",
        PackageType::Npm,
        "pkg:npm/lodash@4.17.20",
        &["MIT"],
        2,
    );
    lodash.locations = vec!["/app/node_modules/lodash/package.json".into()];
    let dual = package(
        "dual",
        "1.0.0",
        PackageType::Npm,
        "pkg:npm/dual@1.0.0",
        &["MIT OR GPL-3.0-only"],
        2,
    );
    let both = package(
        "both",
        "2.0.0",
        PackageType::Npm,
        "pkg:npm/both@2.0.0",
        &["MIT AND GPL-3.0-only"],
        3,
    );
    let later = package(
        "later",
        "1.2.0",
        PackageType::Deb,
        "pkg:deb/debian/later@1.2.0",
        &["GPL-2.0-or-later"],
        1,
    );
    let odd = package(
        "odd",
        "0.1",
        PackageType::Python,
        "pkg:pypi/odd@0.1",
        &["Artistic"],
        3,
    );
    let mut kev = vuln(
        "CVE-2024-0002",
        &["GHSA-aaaa-bbbb-cccc"],
        Severity::Low,
        &openssl,
        &[],
    );
    kev.kev = Some(KevInfo {
        cve: "CVE-2024-0002".into(),
        date_added: "2024-05-01".into(),
        due_date: None,
        ransomware: None,
    });
    Inventory {
        source: SourceInfo {
            kind: "docker-archive".into(),
            name: "app.tar".into(),
            manifest_digest: Some(IMAGE_DIGEST.into()),
            repo_tags: vec!["registry.example.com/team/myapp:1.0".into()],
            ..SourceInfo::default()
        },
        vulnerabilities: vec![
            vuln(
                "CVE-2024-0001",
                &[],
                Severity::High,
                &openssl,
                &["3.0.13-1~deb12u1"],
            ),
            vuln("CVE-2024-0001", &[], Severity::High, &curl, &[]),
            kev,
            vuln(
                "CVE-2024-0003",
                &["GHSA-zzzz-yyyy-xxxx"],
                Severity::Critical,
                &lodash,
                &[],
            ),
        ],
        packages: vec![openssl, curl, lodash, dual, both, later, odd],
        secrets: vec![
            SecretFinding {
                rule_id: "aws-access-key-id".into(),
                title: "AWS Access Key ID".into(),
                severity: "CRITICAL".into(),
                category: "AWS".into(),
                path: "/app/.env".into(),
                line: 3,
                column: 10,
                match_masked: "AKIA************".into(),
                layer: Some(layer(2)),
                in_final: true,
                suppressed: None,
            },
            SecretFinding {
                rule_id: "private-key".into(),
                title: "Private key".into(),
                severity: "HIGH".into(),
                category: "General".into(),
                path: "/app/tests/fixtures/key.pem".into(),
                line: 1,
                column: 1,
                match_masked: "-----BEGIN****".into(),
                layer: Some(layer(3)),
                in_final: false,
                suppressed: None,
            },
        ],
        misconfigurations: vec![Misconfiguration {
            id: "BOSUN-CFG-001".into(),
            severity: "HIGH".into(),
            title: "Image runs as root".into(),
            message: "config User is empty".into(),
            resolution: "USER app".into(),
            evidence: "User: \"\"".into(),
            suppressed: None,
        }],
        ..Inventory::default()
    }
}

pub(crate) fn suppressed_ids(inv: &Inventory) -> Vec<(String, String)> {
    inv.vulnerabilities
        .iter()
        .filter(|v| v.suppressed.is_some())
        .map(|v| (v.id.clone(), v.package.name.clone()))
        .collect()
}

pub(crate) fn pair(id: &str, pkg: &str) -> (String, String) {
    (id.to_owned(), pkg.to_owned())
}
