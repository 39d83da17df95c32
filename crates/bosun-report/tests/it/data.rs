//! Inventories built from real package lists in the shared test data.

use std::path::Path;

use bosun_inventory::{
    Diagnostic, DiagnosticLevel, Inventory, Layer, LayerRef, OsInfo, Package, PackageType,
    SourceInfo,
};
use sha2::{Digest, Sha256};

fn sha256_of(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    format!("sha256:{}", hex::encode(Sha256::digest(&bytes)))
}

/// License declarations in the style of Debian copyright files (short names that are not SPDX
/// ids, SPDX ids, compound expressions), attached to real Debian packages by position.
const DEB_LICENSES: [&[&str]; 6] = [
    &["GPL-2+"],
    &["GPL-3+", "BSD-like"],
    &["MIT"],
    &["LGPL-2.1-or-later OR GPL-2.0-or-later"],
    &[],
    &["Zlib", "public-domain", "GPL-2.0+"],
];

/// Three layers (bottom: Debian 12 minbase, then Alpine 3.20 apk database, then CBL-Mariner
/// rpm list) with the real packages of each, and the Debian os-release. Digests are the
/// sha256 of the real source files, so they are real digests of real bytes.
pub(crate) fn real_inventory() -> Option<Inventory> {
    let deb_dir = bosun_testdata::path("data/dpkg/debian-generated/bookworm-minbase-amd64")?;
    let apk = bosun_testdata::path("data/alpine/installed/alpine-3.20.3-x86_64.installed")?;
    let rpm = bosun_testdata::path("data/rpmdb/cbl-mariner-2.0/expected-rpm-qa.tsv")?;
    let deb = deb_dir.join("expected-dpkg-query.tsv");
    let layers: Vec<Layer> = [&deb, &apk, &rpm]
        .iter()
        .enumerate()
        .map(|(index, p)| Layer {
            index,
            digest: Some(sha256_of(p)),
            diff_id: Some(sha256_of(p)),
            media_type: Some("application/vnd.oci.image.layer.v1.tar+gzip".into()),
            size: Some(std::fs::metadata(p).unwrap().len()),
            created_by: Some(format!(
                "COPY {} /",
                p.file_name().unwrap().to_string_lossy()
            )),
        })
        .collect();
    let diff_ids: Vec<Option<String>> = layers.iter().map(|l| l.diff_id.clone()).collect();
    let layer_ref = |i: usize| LayerRef {
        index: i,
        diff_id: diff_ids[i].clone(),
        role: None,
    };
    let mut packages = Vec::new();
    let deb_text = std::fs::read_to_string(&deb).unwrap();
    for (i, line) in deb_text.lines().filter(|l| !l.starts_with('#')).enumerate() {
        let f: Vec<&str> = line.split('\t').collect();
        let (name, version, arch, src, src_version) = (f[0], f[1], f[2], f[3], f[4]);
        packages.push(Package {
            name: name.into(),
            version: version.into(),
            package_type: PackageType::Deb,
            purl: format!("pkg:deb/debian/{name}@{version}?arch={arch}&distro=debian-12"),
            ecosystem: Some("Debian:12".into()),
            arch: Some(arch.into()),
            source_name: Some(src.into()),
            source_version: (src_version != version).then(|| src_version.into()),
            licenses: DEB_LICENSES[i % DEB_LICENSES.len()]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            layer: layer_ref(0),
            locations: vec!["/var/lib/dpkg/status".into()],
            files: if i % 7 == 0 {
                vec![format!("/usr/share/doc/{name}/copyright")]
            } else {
                Vec::new()
            },
            vendor: None,
            dev: false,
            loaded: None,
        });
    }
    let apk_text = std::fs::read_to_string(&apk).unwrap();
    for stanza in apk_text.split("\n\n") {
        let field = |k: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(k))
                .map(str::to_owned)
        };
        let (Some(name), Some(version)) = (field("P:"), field("V:")) else {
            continue;
        };
        let files: Vec<String> = stanza
            .lines()
            .filter_map(|l| l.strip_prefix("F:"))
            .take(3)
            .map(|d| format!("/{d}"))
            .collect();
        packages.push(Package {
            purl: format!("pkg:apk/alpine/{name}@{version}?arch=x86_64&distro=3.20.3"),
            name,
            version,
            package_type: PackageType::Apk,
            ecosystem: Some("Alpine:v3.20".into()),
            arch: field("A:"),
            source_name: field("o:"),
            source_version: None,
            licenses: field("L:").into_iter().collect(),
            layer: layer_ref(1),
            locations: vec!["/lib/apk/db/installed".into()],
            files,
            vendor: field("m:"),
            dev: false,
            loaded: None,
        });
    }
    let rpm_text = std::fs::read_to_string(&rpm).unwrap();
    for line in rpm_text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        let (epoch, name, version, release, arch, srpm) = (f[0], f[1], f[2], f[3], f[4], f[5]);
        let evr = if epoch.is_empty() {
            format!("{version}-{release}")
        } else {
            format!("{epoch}:{version}-{release}")
        };
        packages.push(Package {
            purl: format!("pkg:rpm/mariner/{name}@{version}-{release}?arch={arch}"),
            name: name.into(),
            version: evr,
            package_type: PackageType::Rpm,
            ecosystem: Some("Mariner:2.0".into()),
            arch: Some(arch.into()),
            source_name: Some(srpm.into()),
            source_version: None,
            // Fedora-style license names, as rpm headers declare them.
            licenses: vec!["GPLv2+".into()],
            layer: layer_ref(2),
            locations: vec!["/var/lib/rpm/rpmdb.sqlite".into()],
            files: Vec::new(),
            vendor: Some("Microsoft Corporation".into()),
            dev: false,
            loaded: None,
        });
    }
    let mut inv = Inventory {
        source: SourceInfo {
            kind: "oci-archive".into(),
            name: "test/mixed:latest".into(),
            image_id: Some(sha256_of(&deb_dir.join("status"))),
            manifest_digest: Some(sha256_of(&deb_dir.join("os-release"))),
            repo_tags: vec!["test/mixed:latest".into(), "test/mixed:1".into()],
            platform: Some("linux/amd64".into()),
        },
        os: Some(OsInfo {
            id: "debian".into(),
            version_id: Some("12".into()),
            codename: Some("bookworm".into()),
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
            id_like: Vec::new(),
            source_file: "/etc/os-release".into(),
        }),
        layers,
        packages,
        diagnostics: vec![Diagnostic {
            level: DiagnosticLevel::Warning,
            source: "rpm".into(),
            message: "rpm database read from a list, not a database".into(),
            path: Some("/var/lib/rpm/rpmdb.sqlite".into()),
            layer: Some(layer_ref(2)),
        }],
        ..Inventory::default()
    };
    inv.sort();
    Some(inv)
}
