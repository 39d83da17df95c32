//! proptest strategies for inventories, with awkward strings and real license declarations.

use bosun_inventory::vuln::{
    CvssScore, EpssInfo, KevInfo, Severity, Status, Suppression, VulnPackage, Vulnerability,
};
use bosun_inventory::{
    Diagnostic, DiagnosticLevel, Inventory, Layer, LayerRef, Misconfiguration, OsInfo, Package,
    PackageType, SecretFinding, SourceInfo,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

/// Short plain words most of the time, any Unicode (controls, `=`, `:`, newlines) sometimes.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9.+~:-]{0,12}",
        1 => any::<String>(),
        1 => Just("a=b:c\nd".to_owned()),
    ]
}

fn opt() -> impl Strategy<Value = Option<String>> {
    option::of(text())
}

fn list() -> impl Strategy<Value = Vec<String>> {
    vec(text(), 0..3)
}

/// Declared licenses as real package databases write them.
fn license() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("MIT".to_owned()),
        Just("GPL-2.0-only".to_owned()),
        Just("GPL-2.0+".to_owned()),
        Just("GPL-2+".to_owned()),
        Just("BSD-like".to_owned()),
        Just("MIT AND BSD-2-Clause AND GPL-2.0-or-later".to_owned()),
        Just("LGPL-2.1-or-later OR MPL-1.1".to_owned()),
        Just("Apache-2.0 WITH LLVM-exception".to_owned()),
        Just("LicenseRef-scancode-public-domain".to_owned()),
        Just("GPLv2+".to_owned()),
        // In the spdx crate's newer list but not in CycloneDX 1.6's enum.
        Just("HDF5".to_owned()),
        Just("NOASSERTION".to_owned()),
        text(),
    ]
}

fn layer_ref() -> impl Strategy<Value = LayerRef> {
    (0usize..5, opt()).prop_map(|(index, diff_id)| LayerRef {
        index,
        diff_id,
        role: None,
    })
}

fn package() -> impl Strategy<Value = Package> {
    let ty = proptest::sample::select(PackageType::ALL.to_vec());
    let purl = prop_oneof![
        Just(String::new()),
        "pkg:deb/debian/[a-z]{1,8}@[0-9.]{1,5}",
        text()
    ];
    (
        (text(), text(), ty, purl, opt(), opt(), opt(), opt()),
        (
            vec(license(), 0..4),
            layer_ref(),
            list(),
            list(),
            opt(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (name, version, package_type, purl, ecosystem, arch, source_name, source_version),
                (licenses, layer, locations, files, vendor, dev),
            )| Package {
                name,
                version,
                package_type,
                purl,
                ecosystem,
                arch,
                source_name,
                source_version,
                licenses,
                layer,
                locations,
                files,
                vendor,
                dev,
                loaded: None,
            },
        )
}

fn diagnostic() -> impl Strategy<Value = Diagnostic> {
    let level = prop_oneof![
        Just(DiagnosticLevel::Info),
        Just(DiagnosticLevel::Warning),
        Just(DiagnosticLevel::Error)
    ];
    (level, text(), text(), opt(), option::of(layer_ref())).prop_map(
        |(level, source, message, path, layer)| Diagnostic {
            level,
            source,
            message,
            path,
            layer,
        },
    )
}

fn layer() -> impl Strategy<Value = Layer> {
    (
        0usize..5,
        opt(),
        opt(),
        opt(),
        option::of(any::<u64>()),
        opt(),
    )
        .prop_map(
            |(index, digest, diff_id, media_type, size, created_by)| Layer {
                index,
                digest,
                diff_id,
                media_type,
                size,
                created_by,
            },
        )
}

fn os() -> impl Strategy<Value = OsInfo> {
    (text(), opt(), opt(), opt(), list(), text()).prop_map(
        |(id, version_id, codename, pretty_name, id_like, source_file)| OsInfo {
            id,
            version_id,
            codename,
            pretty_name,
            id_like,
            source_file,
        },
    )
}

fn source() -> impl Strategy<Value = SourceInfo> {
    (text(), text(), opt(), opt(), list(), opt()).prop_map(
        |(kind, name, image_id, manifest_digest, repo_tags, platform)| SourceInfo {
            kind,
            name,
            image_id,
            manifest_digest,
            repo_tags,
            platform,
        },
    )
}

/// Any inventory: every field exercised, `None` and `Some("")` both.
pub(crate) fn inventory() -> impl Strategy<Value = Inventory> {
    (
        source(),
        option::of(os()),
        vec(layer(), 0..3),
        vec(package(), 0..5),
        vec(diagnostic(), 0..3),
    )
        .prop_map(|(source, os, layers, packages, diagnostics)| Inventory {
            source,
            os,
            layers,
            packages,
            diagnostics,
            // Findings exist only in bosun JSON (the SBOM formats carry none): see the
            // findings round trip in roundtrip.rs.
            ..Inventory::default()
        })
}

fn suppression() -> impl Strategy<Value = Suppression> {
    let reason = prop_oneof![
        Just("not_affected: vulnerable_code_not_in_execute_path".to_owned()),
        Just("fixed".to_owned()),
        Just("under_investigation".to_owned()),
        text(),
    ];
    let source = prop_oneof![
        Just("vex:a.json".to_owned()),
        Just("exceptions:.bosun.yaml".to_owned()),
        text()
    ];
    (reason, source, opt()).prop_map(|(reason, source, expires)| Suppression {
        reason,
        source,
        expires,
    })
}

fn severity() -> impl Strategy<Value = Severity> {
    proptest::sample::select(Severity::ALL.to_vec())
}

fn cvss() -> impl Strategy<Value = CvssScore> {
    let version = proptest::sample::select(vec!["4.0", "3.1", "3.0", "2.0", "9"]);
    (version, text(), 0.0f64..=10.0).prop_map(|(version, vector, score)| CvssScore {
        version: version.to_owned(),
        vector,
        score,
    })
}

fn vulnerability() -> impl Strategy<Value = Vulnerability> {
    let id = prop_oneof![
        "CVE-20[0-9]{2}-[0-9]{4,6}",
        "GHSA-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}",
        text()
    ];
    let purl = prop_oneof![
        "pkg:deb/debian/[a-z]{1,8}@[0-9.]{1,5}",
        "pkg:npm/[a-z]{1,8}@[0-9.]{1,5}",
        text()
    ];
    let status = prop_oneof![
        Just(Status::Fixed),
        Just(Status::Affected),
        Just(Status::WillNotFix)
    ];
    let kev = option::of((text(), text(), opt(), opt()).prop_map(
        |(cve, date_added, due_date, ransomware)| KevInfo {
            cve,
            date_added,
            due_date,
            ransomware,
        },
    ));
    let epss = option::of((text(), 0.0f32..=1.0, 0.0f32..=1.0).prop_map(
        |(cve, score, percentile)| EpssInfo {
            cve,
            score,
            percentile,
        },
    ));
    (
        (id, list(), opt(), severity(), text(), vec(cvss(), 0..3)),
        (text(), text(), purl, text(), opt(), opt(), opt()),
        (
            list(),
            status,
            layer_ref(),
            kev,
            epss,
            list(),
            option::of(suppression()),
        ),
    )
        .prop_map(
            |(
                (id, aliases, summary, severity, severity_source, cvss),
                (name, version, purl, ecosystem, location, matched_name, matched_version),
                (fixed_versions, status, layer, kev, epss, records, suppressed),
            )| Vulnerability {
                id,
                aliases,
                summary,
                severity,
                severity_source,
                cvss,
                package: VulnPackage {
                    name,
                    version,
                    purl,
                    ecosystem,
                    location,
                    matched_name,
                    matched_version,
                },
                fixed_versions,
                status,
                layer,
                kev,
                epss,
                records,
                suppressed,
                priority: None,
            },
        )
        // Half of the findings carry a priority, computed as a scan would.
        .prop_map(|mut v| {
            if v.id.len() % 2 == 0 {
                let ctx = bosun_priority::FindingContext {
                    layer_role: v.layer.role,
                    loaded: (v.records.len() % 3 != 0).then_some(v.records.len() % 2 == 0),
                };
                v.priority = Some(bosun_priority::prioritize(&v, &ctx));
            }
            v
        })
}

fn severity_word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("CRITICAL".to_owned()),
        Just("HIGH".to_owned()),
        Just("MEDIUM".to_owned()),
        Just("LOW".to_owned()),
        text()
    ]
}

fn secret() -> impl Strategy<Value = SecretFinding> {
    (
        (text(), text(), severity_word(), text(), text()),
        (
            0usize..100,
            0usize..100,
            text(),
            option::of(layer_ref()),
            any::<bool>(),
        ),
        option::of(suppression()),
    )
        .prop_map(
            |(
                (rule_id, title, severity, category, path),
                (line, column, match_masked, layer, in_final),
                suppressed,
            )| SecretFinding {
                rule_id,
                title,
                severity,
                category,
                path,
                line,
                column,
                match_masked,
                layer,
                in_final,
                suppressed,
            },
        )
}

fn misconfiguration() -> impl Strategy<Value = Misconfiguration> {
    (
        (text(), severity_word(), text(), text()),
        (text(), text(), option::of(suppression())),
    )
        .prop_map(
            |((id, severity, title, message), (resolution, evidence, suppressed))| {
                Misconfiguration {
                    id,
                    severity,
                    title,
                    message,
                    resolution,
                    evidence,
                    suppressed,
                }
            },
        )
}

/// Any inventory with findings of every kind.
pub(crate) fn inventory_with_findings() -> impl Strategy<Value = Inventory> {
    (
        inventory(),
        vec(vulnerability(), 0..6),
        vec(secret(), 0..3),
        vec(misconfiguration(), 0..3),
    )
        .prop_map(|(mut inv, vulnerabilities, secrets, misconfigurations)| {
            inv.vulnerabilities = vulnerabilities;
            inv.secrets = secrets;
            inv.misconfigurations = misconfigurations;
            inv
        })
}
