//! Inventories with findings of every kind: a hand-built one with every mapping case, and the
//! real-data inventory with findings attached to its real packages.

use bosun_inventory::vuln::{
    CvssScore, EpssInfo, KevInfo, Severity, Status, Suppression, VulnPackage, Vulnerability,
};
use bosun_inventory::{Inventory, LayerRef, Misconfiguration, OsInfo, SecretFinding, SourceInfo};

fn layer(index: usize) -> LayerRef {
    LayerRef {
        index,
        diff_id: Some(format!("sha256:{}", format!("{index:02x}").repeat(32))),
        role: None,
    }
}

fn vex(reason: &str) -> Option<Suppression> {
    Some(Suppression {
        reason: reason.into(),
        source: "vex:app.openvex.json".into(),
        expires: None,
    })
}

/// A Debian image with an npm app: one finding of each severity, a KEV-listed and an
/// EPSS-scored one, a suppressed one, secrets in a file, in a deleted file and in the config,
/// and two misconfigurations (one suppressed).
pub(crate) fn findings_inventory() -> Inventory {
    let deb = |name: &str, version: &str| VulnPackage {
        name: name.into(),
        version: version.into(),
        purl: format!("pkg:deb/debian/{name}@{version}?arch=amd64&distro=debian-12"),
        ecosystem: "Debian:12".into(),
        location: Some("/var/lib/dpkg/status".into()),
        matched_name: None,
        matched_version: None,
    };
    let npm = |name: &str, version: &str| VulnPackage {
        name: name.into(),
        version: version.into(),
        purl: format!("pkg:npm/{name}@{version}"),
        ecosystem: "npm".into(),
        location: Some("/app/package-lock.json".into()),
        matched_name: None,
        matched_version: None,
    };
    Inventory {
        source: SourceInfo {
            kind: "registry".into(),
            name: "registry.example/shop/web:1.4".into(),
            image_id: Some(format!("sha256:{}", "ee".repeat(32))),
            repo_tags: vec!["registry.example/shop/web:1.4".into()],
            platform: Some("linux/amd64".into()),
            ..SourceInfo::default()
        },
        os: Some(OsInfo {
            id: "debian".into(),
            version_id: Some("12".into()),
            codename: Some("bookworm".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
            id_like: Vec::new(),
            source_file: "/etc/os-release".into(),
        }),
        vulnerabilities: vec![
            Vulnerability {
                id: "CVE-2024-0001".into(),
                aliases: vec!["DSA-5600-1".into()],
                summary: Some("openssl: buffer overread in X.509 name checks".into()),
                severity: Severity::Critical,
                severity_source: "cvss_v3".into(),
                cvss: vec![CvssScore {
                    version: "3.1".into(),
                    vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
                    score: 9.8,
                }],
                package: deb("libssl3", "3.0.11-1~deb12u2"),
                fixed_versions: vec!["3.0.13-1~deb12u1".into()],
                status: Status::Fixed,
                layer: layer(0),
                kev: Some(KevInfo {
                    cve: "CVE-2024-0001".into(),
                    date_added: "2024-03-01".into(),
                    due_date: Some("2024-03-22".into()),
                    ransomware: Some("Unknown".into()),
                }),
                epss: Some(EpssInfo {
                    cve: "CVE-2024-0001".into(),
                    score: 0.91,
                    percentile: 0.99,
                }),
                records: vec!["DEBIAN-CVE-2024-0001".into()],
                suppressed: None,
                priority: None,
            },
            Vulnerability {
                id: "GHSA-xxxx-yyyy-zzzz".into(),
                aliases: vec!["CVE-2024-0002".into()],
                summary: Some("Prototype pollution in lodash".into()),
                severity: Severity::High,
                severity_source: "ghsa".into(),
                package: npm("lodash", "4.17.20"),
                fixed_versions: vec!["4.17.21".into()],
                status: Status::Fixed,
                layer: layer(2),
                epss: Some(EpssInfo {
                    cve: "CVE-2024-0002".into(),
                    score: 0.02,
                    percentile: 0.5,
                }),
                records: vec!["GHSA-xxxx-yyyy-zzzz".into()],
                ..Vulnerability::default()
            },
            Vulnerability {
                id: "CVE-2024-0003".into(),
                summary: None,
                severity: Severity::Medium,
                severity_source: "cvss_v4".into(),
                cvss: vec![CvssScore {
                    version: "4.0".into(),
                    vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N"
                        .into(),
                    score: 6.9,
                }],
                package: deb("bash", "5.2.15-2+b2"),
                status: Status::Affected,
                layer: layer(0),
                records: vec!["DEBIAN-CVE-2024-0003".into()],
                ..Vulnerability::default()
            },
            Vulnerability {
                id: "CVE-2024-0004".into(),
                summary: Some("zlib: minor leak".into()),
                severity: Severity::Low,
                severity_source: "debian".into(),
                package: VulnPackage {
                    location: None,
                    ..deb("zlib1g", "1:1.2.13.dfsg-1")
                },
                status: Status::WillNotFix,
                layer: layer(0),
                ..Vulnerability::default()
            },
            Vulnerability {
                id: "OSV-2024-5".into(),
                severity: Severity::Unknown,
                severity_source: "none".into(),
                package: npm("left-pad", "1.3.0"),
                layer: layer(2),
                ..Vulnerability::default()
            },
            Vulnerability {
                id: "CVE-2023-9999".into(),
                summary: Some("express: open redirect".into()),
                severity: Severity::High,
                severity_source: "cvss_v3".into(),
                cvss: vec![CvssScore {
                    version: "3.1".into(),
                    vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:N/A:N".into(),
                    score: 7.5,
                }],
                package: npm("express", "4.17.1"),
                fixed_versions: vec!["4.19.2".into()],
                status: Status::Fixed,
                layer: layer(2),
                suppressed: vex("not_affected: vulnerable_code_not_in_execute_path"),
                priority: None,
                ..Vulnerability::default()
            },
        ],
        secrets: vec![
            SecretFinding {
                rule_id: "aws-access-key-id".into(),
                title: "AWS Access Key ID".into(),
                severity: "CRITICAL".into(),
                category: "AWS".into(),
                path: "/app/.env".into(),
                line: 3,
                column: 19,
                match_masked: "AKIA****************".into(),
                layer: Some(layer(2)),
                in_final: true,
                suppressed: None,
            },
            SecretFinding {
                rule_id: "github-pat".into(),
                title: "GitHub Personal Access Token".into(),
                severity: "HIGH".into(),
                category: "GitHub".into(),
                path: "/home/app/.git-credentials".into(),
                line: 1,
                column: 1,
                match_masked: "ghp_****".into(),
                layer: Some(layer(1)),
                in_final: false,
                suppressed: None,
            },
            SecretFinding {
                rule_id: "generic-password".into(),
                title: "Password in environment".into(),
                severity: "MEDIUM".into(),
                category: "General".into(),
                path: "config:Env".into(),
                line: 1,
                column: 14,
                match_masked: "PASSWORD=****".into(),
                layer: None,
                in_final: false,
                suppressed: Some(Suppression {
                    reason: "test fixture password, not a real one".into(),
                    source: "exceptions:.bosun.yaml".into(),
                    expires: Some("2027-01-01".into()),
                }),
            },
        ],
        misconfigurations: vec![
            Misconfiguration {
                id: "BOSUN-CFG-001".into(),
                severity: "HIGH".into(),
                title: "Image runs as root".into(),
                message: "the image sets no USER".into(),
                resolution: "add a USER instruction".into(),
                evidence: "User is not set".into(),
                suppressed: None,
            },
            Misconfiguration {
                id: "BOSUN-CFG-004".into(),
                severity: "LOW".into(),
                title: "No HEALTHCHECK".into(),
                message: "the image defines no health check".into(),
                resolution: "add a HEALTHCHECK".into(),
                evidence: "Healthcheck is not set".into(),
                suppressed: Some(Suppression {
                    reason: "health is checked by the orchestrator".into(),
                    source: "exceptions:.bosun.yaml".into(),
                    expires: None,
                }),
            },
        ],
        ..Inventory::default()
    }
}

/// The real-data inventory with one finding for every 9th real package, severities cycling
/// through all five, every 4th one fixed and every 10th suppressed.
pub(crate) fn real_with_findings() -> Option<Inventory> {
    let mut inv = crate::data::real_inventory()?;
    let vulns: Vec<Vulnerability> = inv
        .packages
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 9 == 0)
        .enumerate()
        .map(|(n, (_, p))| Vulnerability {
            id: format!("CVE-2025-{:04}", 1000 + n),
            summary: Some(format!("{}: flaw number {n}", p.name)),
            severity: Severity::ALL[n % 5],
            severity_source: "debian".into(),
            package: VulnPackage {
                name: p.name.clone(),
                version: p.version.clone(),
                purl: p.purl.clone(),
                ecosystem: p.ecosystem.clone().unwrap_or_default(),
                location: p.locations.first().cloned(),
                matched_name: None,
                matched_version: None,
            },
            fixed_versions: if n % 4 == 0 {
                vec![format!("{}+fix1", p.version)]
            } else {
                Vec::new()
            },
            status: if n % 4 == 0 {
                Status::Fixed
            } else {
                Status::Affected
            },
            layer: p.layer.clone(),
            suppressed: (n % 10 == 0).then(|| Suppression {
                reason: "accepted risk".into(),
                source: "exceptions:.bosun.yaml".into(),
                expires: None,
            }),
            ..Vulnerability::default()
        })
        .collect();
    inv.vulnerabilities = vulns;
    Some(inv)
}
