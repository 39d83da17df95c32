//! Format names, the table, and reading SBOMs bosun did not write.

use bosun_report::{Format, RenderOptions, ReportError, read_sbom, render};

#[test]
fn format_names_parse_and_display() {
    for (name, f) in [
        ("json", Format::Json),
        ("cyclonedx-json", Format::CycloneDxJson),
        ("spdx-json", Format::SpdxJson),
        ("table", Format::Table),
        ("sarif", Format::Sarif),
        ("gitlab", Format::Gitlab),
        ("junit", Format::Junit),
        ("markdown", Format::Markdown),
        ("html", Format::Html),
    ] {
        assert_eq!(name.parse::<Format>().unwrap(), f);
        assert_eq!(f.to_string(), name);
    }
    assert!(matches!(
        "cyclonedx".parse::<Format>(),
        Err(ReportError::UnknownFormatName(n)) if n == "cyclonedx"
    ));
    assert_eq!(Format::default(), Format::Json);
    assert_eq!(Format::ALL.len(), 9);
}

fn table(color: bool) -> Option<(bosun_inventory::Inventory, String)> {
    let inv = crate::data::real_inventory()?;
    let opts = RenderOptions {
        color,
        ..RenderOptions::default()
    };
    let mut out = Vec::new();
    render(&inv, Format::Table, &opts, &mut out).unwrap();
    Some((inv, String::from_utf8(out).unwrap()))
}

/// One row per package with name, version, type and layer index, then a count line; no
/// escape codes without colour.
#[test]
fn table_lists_every_package_plainly_without_color() {
    let Some((inv, text)) = table(false) else {
        return;
    };
    assert!(!text.contains('\u{1b}'));
    let lines: Vec<&str> = text.lines().collect();
    // Header, one line per package, summary.
    assert_eq!(lines.len(), inv.packages.len() + 2);
    for (p, line) in inv.packages.iter().zip(&lines[1..]) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            cols,
            [
                p.name.as_str(),
                p.version.as_str(),
                p.package_type.purl_type(),
                &p.layer.index.to_string()
            ]
        );
    }
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with(&format!("{} packages", inv.packages.len()))
    );
}

#[test]
fn table_with_color_styles_the_header() {
    let Some((_, text)) = table(true) else {
        return;
    };
    assert!(text.lines().next().unwrap().contains('\u{1b}'));
}

/// Every valid BOM of the CycloneDX spec's test suite reads without error; their packages are
/// of purl types bosun does not catalog yet, so they come back as skip diagnostics, never as
/// packages of a wrong type.
#[test]
fn cyclonedx_spec_valid_boms_read() {
    let dir = bosun_testdata::require!("schemas/cyclonedx/1.6/tests");
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("valid-") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let inv = read_sbom(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        for p in &inv.packages {
            let ty = p.purl.split(['/', ':']).nth(1).unwrap_or_default();
            assert_eq!(ty, p.package_type.purl_type(), "{name}: {}", p.purl);
        }
        read += 1;
    }
    assert!(read > 30, "{read}");
}

/// The official SPDX 2.3 example reads: its root is the described package, its packages
/// have no deb/apk/rpm purl, so they are reported as skipped.
#[test]
fn spdx_official_example_reads_with_skip_diagnostics() {
    let path = bosun_testdata::require!("schemas/spdx/2.3/SPDXJSONExample-v2.3.spdx.json");
    let bytes = std::fs::read(&path).unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let inv = read_sbom(&bytes).unwrap();
    assert_eq!(inv.source.kind, "sbom");
    let describes: Vec<&str> = doc["documentDescribes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(serde_json::Value::as_str)
        .collect();
    let described = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| describes.contains(&p["SPDXID"].as_str().unwrap()))
        .count();
    let skipped: usize = inv
        .diagnostics
        .iter()
        .filter_map(|d| d.message.strip_prefix("skipped "))
        .filter_map(|m| m.split(' ').next()?.parse::<usize>().ok())
        .sum();
    let total = doc["packages"].as_array().unwrap().len();
    // Every package is read (a known purl type), skipped with a diagnostic, or the described
    // document root.
    assert_eq!(
        inv.packages.len() + skipped + described,
        total,
        "{:?}",
        inv.diagnostics
    );
    assert!(inv.packages.iter().all(|p| {
        p.purl
            .starts_with(&format!("pkg:{}/", p.package_type.purl_type()))
    }));
}

/// A syft-shaped CycloneDX BOM (OS component, deb packages with `upstream` qualifiers, an npm
/// package, a generic one): deb packages come back with arch and source from the purl, npm as
/// npm, the generic purl is skipped with a diagnostic.
#[test]
fn foreign_cyclonedx_maps_purls() {
    let bom = serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "metadata": {"component": {"type": "container", "name": "debian:12"}},
        "components": [
            {"type": "library", "name": "libc6", "version": "2.36-9+deb12u4",
             "purl": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&upstream=glibc&distro=debian-12",
             "licenses": [{"license": {"id": "LGPL-2.1-only"}}, {"license": {"name": "GPL-2+"}}]},
            {"type": "library", "name": "bash", "version": "5.2.15-2+b2",
             "purl": "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64&upstream=bash%405.2.15-2&distro=debian-12",
             "licenses": [{"expression": "GPL-3.0-or-later"}]},
            {"type": "library", "name": "left-pad", "version": "1.3.0", "purl": "pkg:npm/left-pad@1.3.0"},
            {"type": "library", "name": "blob", "version": "1", "purl": "pkg:bitbucket/acme/blob@1"},
            {"type": "operating-system", "name": "debian", "version": "12"}
        ]
    });
    let inv = read_sbom(bom.to_string().as_bytes()).unwrap();
    assert_eq!(inv.source.name, "debian:12");
    assert_eq!(inv.os.as_ref().unwrap().id, "debian");
    let names: Vec<&str> = inv.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["bash", "libc6", "left-pad"]);
    assert_eq!(
        inv.packages[2].package_type,
        bosun_inventory::PackageType::Npm
    );
    let bash = &inv.packages[0];
    assert_eq!(bash.source_name.as_deref(), Some("bash"));
    assert_eq!(bash.source_version.as_deref(), Some("5.2.15-2"));
    assert_eq!(bash.licenses, ["GPL-3.0-or-later"]);
    let libc = &inv.packages[1];
    assert_eq!(libc.arch.as_deref(), Some("amd64"));
    assert_eq!(libc.source_name.as_deref(), Some("glibc"));
    assert_eq!(libc.licenses, ["LGPL-2.1-only", "GPL-2+"]);
    assert_eq!(inv.diagnostics.len(), 1);
    assert!(
        inv.diagnostics[0].message.contains("bitbucket"),
        "{:?}",
        inv.diagnostics
    );
}

/// trivy's shapes: image id, tags and layers on the image component; the source version split into `SrcVersion`/`SrcRelease` properties in
/// CycloneDX, `sourceInfo` in SPDX; both give bosun's full source version.
#[test]
fn foreign_trivy_source_versions() {
    let bom = serde_json::json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {"component": {"type": "container", "name": "peers/bookworm:test", "properties": [
            {"name": "aquasecurity:trivy:DiffID", "value": "sha256:1111111111111111111111111111111111111111111111111111111111111111"},
            {"name": "aquasecurity:trivy:DiffID", "value": "sha256:a277c422f103a97e7fdb2a29e919a2a627ceb16fa513f59bfe17a0416ad41598"},
            {"name": "aquasecurity:trivy:ImageID", "value": "sha256:ebb8830a6893630cf4e8863d34a4d33096342cb3dfef68f21b9f42ca39464d15"},
            {"name": "aquasecurity:trivy:RepoTag", "value": "docker.io/peers/bookworm:test"}]}},
        "components": [
            {"type": "library", "name": "bsdutils", "version": "1:2.38.1-5+deb12u3",
             "purl": "pkg:deb/debian/bsdutils@2.38.1-5%2Bdeb12u3?arch=amd64&epoch=1&distro=debian-12.15",
             "properties": [
                {"name": "aquasecurity:trivy:LayerDiffID", "value": "sha256:a277c422f103a97e7fdb2a29e919a2a627ceb16fa513f59bfe17a0416ad41598"},
                {"name": "aquasecurity:trivy:SrcName", "value": "util-linux"},
                {"name": "aquasecurity:trivy:SrcRelease", "value": "5+deb12u3"},
                {"name": "aquasecurity:trivy:SrcVersion", "value": "2.38.1"}]}
        ]
    });
    let inv = read_sbom(bom.to_string().as_bytes()).unwrap();
    let p = &inv.packages[0];
    assert_eq!(p.version, "1:2.38.1-5+deb12u3");
    assert_eq!(p.source_name.as_deref(), Some("util-linux"));
    assert_eq!(p.source_version.as_deref(), Some("2.38.1-5+deb12u3"));
    assert_eq!(
        p.layer.diff_id.as_deref(),
        Some("sha256:a277c422f103a97e7fdb2a29e919a2a627ceb16fa513f59bfe17a0416ad41598")
    );
    assert_eq!(p.layer.index, 1);
    assert_eq!(inv.layers.len(), 2);
    assert_eq!(inv.source.repo_tags, ["docker.io/peers/bookworm:test"]);
    assert_eq!(
        inv.source.image_id.as_deref(),
        Some("sha256:ebb8830a6893630cf4e8863d34a4d33096342cb3dfef68f21b9f42ca39464d15")
    );
    let doc = serde_json::json!({
        "spdxVersion": "SPDX-2.3",
        "SPDXID": "SPDXRef-DOCUMENT",
        "packages": [
            {"SPDXID": "SPDXRef-Package-1", "name": "libc6", "versionInfo": "2.36-9+deb12u14",
             "downloadLocation": "NONE", "sourceInfo": "built package from: glibc 2.36-9+deb12u14",
             "licenseDeclared": "LGPL-2.1-only AND GPL-2.0-only",
             "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                "referenceLocator": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12.15"}]}
        ]
    });
    let inv = read_sbom(doc.to_string().as_bytes()).unwrap();
    let p = &inv.packages[0];
    assert_eq!(p.source_name.as_deref(), Some("glibc"));
    assert_eq!(p.source_version.as_deref(), Some("2.36-9+deb12u14"));
    assert_eq!(p.licenses, ["LGPL-2.1-only AND GPL-2.0-only"]);
    assert_eq!(p.arch.as_deref(), Some("amd64"));
}

/// The table counts only open findings and shows suppressed ones last, with their reason.
#[test]
fn table_marks_suppressed_findings_and_counts_them_apart() {
    use bosun_inventory::vuln::{Severity, Suppression, VulnPackage, Vulnerability};
    let vuln = |id: &str, suppressed: Option<Suppression>| Vulnerability {
        id: id.into(),
        severity: Severity::High,
        package: VulnPackage {
            name: "openssl".into(),
            version: "3.0.1".into(),
            purl: "pkg:npm/openssl@3.0.1".into(),
            ecosystem: "npm".into(),
            location: Some("/app/package-lock.json".into()),
            ..VulnPackage::default()
        },
        suppressed,
        ..Vulnerability::default()
    };
    let inv = bosun_inventory::Inventory {
        vulnerabilities: vec![
            vuln(
                "CVE-2024-0001",
                Some(Suppression {
                    reason: "not reachable (SEC-9)".into(),
                    source: "exceptions:.bosunignore.yaml".into(),
                    expires: None,
                }),
            ),
            vuln("CVE-2024-0002", None),
        ],
        ..bosun_inventory::Inventory::default()
    };
    let mut out = Vec::new();
    let opts = bosun_report::RenderOptions {
        list_packages: false,
        ..bosun_report::RenderOptions::default()
    };
    bosun_report::render(&inv, Format::Table, &opts, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("/app/package-lock.json: 1 vulnerability (HIGH 1), 1 suppressed"),
        "{text}"
    );
    assert!(
        text.contains("Total: 1 vulnerability (HIGH 1), 1 suppressed"),
        "{text}"
    );
    let open = text.find("CVE-2024-0002").unwrap();
    let closed = text.find("CVE-2024-0001").unwrap();
    assert!(open < closed, "open findings first: {text}");
    assert!(text.contains("suppressed: not reachable (SEC-9)"), "{text}");
}

/// With priorities, the table sorts each target most urgent first by default, shows the
/// score, and marks code nothing loads; `SortOrder::Severity` goes back to severity order.
#[test]
fn table_sorts_by_priority_by_default_and_by_severity_on_request() {
    use bosun_inventory::vuln::{EpssInfo, KevInfo, Severity, Status, VulnPackage, Vulnerability};
    let vuln = |id: &str, severity: Severity, name: &str| Vulnerability {
        id: id.into(),
        severity,
        status: Status::Fixed,
        fixed_versions: vec!["2.0".into()],
        package: VulnPackage {
            name: name.into(),
            version: "1.0".into(),
            purl: format!("pkg:npm/{name}@1.0"),
            ecosystem: "npm".into(),
            location: Some("/app/package-lock.json".into()),
            ..VulnPackage::default()
        },
        ..Vulnerability::default()
    };
    // A CRITICAL in code nothing loads, a HIGH listed in KEV with a high EPSS, a MEDIUM.
    let critical = vuln("CVE-2024-0001", Severity::Critical, "cold");
    let mut exploited = vuln("CVE-2024-0002", Severity::High, "hot");
    exploited.kev = Some(KevInfo {
        cve: "CVE-2024-0002".into(),
        date_added: "2024-05-01".into(),
        due_date: None,
        ransomware: None,
    });
    exploited.epss = Some(EpssInfo {
        cve: "CVE-2024-0002".into(),
        score: 0.9,
        percentile: 0.99,
    });
    let medium = vuln("CVE-2024-0003", Severity::Medium, "mid");
    let mut inv = bosun_inventory::Inventory {
        vulnerabilities: vec![medium, critical, exploited],
        ..bosun_inventory::Inventory::default()
    };
    bosun_priority::assign_with(&mut inv, |p| (p.name == "cold").then_some(false));
    let render_with = |sort| {
        let mut out = Vec::new();
        let opts = bosun_report::RenderOptions {
            list_packages: false,
            sort,
            ..bosun_report::RenderOptions::default()
        };
        bosun_report::render(&inv, Format::Table, &opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let order = |text: &str| {
        let mut ids = ["CVE-2024-0001", "CVE-2024-0002", "CVE-2024-0003"];
        ids.sort_by_key(|id| text.find(id).unwrap());
        ids
    };
    let text = render_with(bosun_report::SortOrder::default());
    assert!(text.contains("PRIORITY"), "{text}");
    assert_eq!(
        order(&text),
        ["CVE-2024-0002", "CVE-2024-0003", "CVE-2024-0001"],
        "KEV first, the unloaded CRITICAL last: {text}"
    );
    let cold = text.lines().find(|l| l.contains("CVE-2024-0001")).unwrap();
    assert!(cold.contains("not loaded"), "{cold}");
    let score = |id: &str| {
        inv.vulnerabilities
            .iter()
            .find(|v| v.id == id)
            .and_then(|v| v.priority.as_ref())
            .map(|p| format!("{:.1}", p.score))
            .unwrap()
    };
    assert!(cold.contains(&score("CVE-2024-0001")), "{cold}");
    let text = render_with(bosun_report::SortOrder::Severity);
    assert_eq!(
        order(&text),
        ["CVE-2024-0001", "CVE-2024-0002", "CVE-2024-0003"],
        "{text}"
    );
}
