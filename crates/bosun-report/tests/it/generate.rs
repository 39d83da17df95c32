//! proptest strategies for inventories, with awkward strings and real license declarations.

use bosun_inventory::{
    Diagnostic, DiagnosticLevel, Inventory, Layer, LayerRef, OsInfo, Package, PackageType,
    SourceInfo,
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
    (0usize..5, opt()).prop_map(|(index, diff_id)| LayerRef { index, diff_id })
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
