//! dpkg: every status fixture against dpkg's own answer (the generated expected lists, or
//! dpkg-query run on the fixture), distroless status.d, corrupt inputs.

use bosun_catalog::dpkg::parse_status;
use bosun_catalog::inventory::build;
use bosun_inventory::{PackageType, SourceInfo};

use crate::support::{dpkg_query, have_dpkg_query, layer, rows};

/// Our installed packages as the same 5-tuples dpkg-query prints.
fn ours(bytes: &[u8]) -> Vec<[String; 5]> {
    let db = parse_status(bytes).unwrap();
    let mut v: Vec<[String; 5]> = db
        .installed()
        .map(|e| {
            [
                e.package.clone(),
                e.version.clone(),
                e.architecture.clone().unwrap_or_default(),
                e.source_name.clone(),
                e.source_version.clone(),
            ]
        })
        .collect();
    v.sort();
    v
}

#[test]
fn debian_generated_status_matches_dpkg_query_lists() {
    let dir = bosun_testdata::require!("data/dpkg/debian-generated");
    let mut checked = 0;
    for d in std::fs::read_dir(dir).unwrap() {
        let d = d.unwrap().path();
        let status = std::fs::read(d.join("status")).unwrap();
        let expected = rows(&std::fs::read_to_string(d.join("expected-dpkg-query.tsv")).unwrap());
        assert!(!expected.is_empty());
        assert_eq!(ours(&status), expected, "{}", d.display());
        checked += expected.len();
    }
    assert_eq!(
        checked, 270,
        "bookworm 96 + bullseye 96 + trixie 78 packages"
    );
}

#[test]
fn status_fixtures_match_dpkg_query() {
    if !have_dpkg_query() {
        return;
    }
    for rel in [
        "data/dpkg/ubuntu-fixtures/trivy-ubuntu1804-base.status",
        "data/dpkg/ubuntu-fixtures/claircore-ubuntu1804-texlive.status",
        "data/dpkg/debian-fixtures/claircore-buster-postgresql.status",
        "data/dpkg/debian-fixtures/claircore-buster-debian-only.status",
        "data/dpkg/status.d-syft/single",
        "data/dpkg/status.d-syft/installed-size-4KB",
        "data/dpkg/status.d-syft/deinstall",
        "data/dpkg/status.d-syft/libpam-runtime",
        "data/dpkg/status.d-syft/coreutils-relationships",
        "data/dpkg/distroless-syft/var/lib/dpkg/status.d/dash",
        "data/dpkg/distroless-syft/var/lib/dpkg/status.d/netbase",
        "data/dpkg/distroless-syft/var/lib/dpkg/status.d/libsqlite3-0",
    ] {
        let p = bosun_testdata::require!(rel);
        let bytes = std::fs::read(p).unwrap();
        let expected = dpkg_query(&bytes).unwrap_or_else(|| panic!("dpkg-query refused {rel}"));
        assert_eq!(ours(&bytes), expected, "{rel}");
    }
}

/// A txtar section `-- name --` of a trivy fixture.
fn txtar_section(text: &str, name: &str) -> String {
    let header = format!("-- {name} --\n");
    let start = text.find(&header).unwrap() + header.len();
    let rest = &text[start..];
    let end = rest.find("\n-- ").map_or(rest.len(), |i| i + 1);
    rest[..end].to_owned()
}

#[test]
fn trivy_corrupted_status_keeps_the_good_packages() {
    let p = bosun_testdata::require!("data/dpkg/edge-cases/trivy-corrupted.txtar");
    let status = txtar_section(&std::fs::read_to_string(p).unwrap(), "var/lib/dpkg/status");
    let got = ours(status.as_bytes());
    assert_eq!(got.len(), 4);
    if have_dpkg_query() {
        assert_eq!(got, dpkg_query(status.as_bytes()).unwrap());
    }
}

#[test]
fn third_party_txtar_matches_dpkg_query() {
    if !have_dpkg_query() {
        return;
    }
    let p = bosun_testdata::require!("data/dpkg/edge-cases/trivy-third-party.txtar");
    let text = std::fs::read_to_string(p).unwrap();
    let status = txtar_section(&text, "var/lib/dpkg/status");
    assert_eq!(
        ours(status.as_bytes()),
        dpkg_query(status.as_bytes()).unwrap()
    );
}

#[test]
fn files_dpkg_refuses_never_fail_the_scan() {
    // dpkg-query rejects all four files outright. Ours: `corrupt` (a line that is no field)
    // is an error; the others break only rules we do not need (an empty name, a Depends
    // syntax), so their well-formed installed paragraphs still count.
    let read = |n: &str| {
        std::fs::read(bosun_testdata::path(&format!("data/dpkg/status.d-syft/{n}")).unwrap())
            .unwrap()
    };
    if bosun_testdata::shared().is_none() {
        return;
    }
    assert!(parse_status(&read("corrupt")).is_err());
    assert!(ours(&read("empty")).is_empty());
    // doc-examples has no Status fields: nothing is installed.
    assert!(ours(&read("doc-examples")).is_empty());
    let names: Vec<String> = ours(&read("multiple"))
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(names, ["tzdata", "util-linux"]);
}

/// The oracle for distroless files (dpkg-query does not apply: they carry no Status, since
/// each file exists only for an installed package): the file's `Package:`/`Version:` lines.
fn fields(bytes: &[u8]) -> (String, String) {
    let text = String::from_utf8_lossy(bytes);
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k))
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    (get("Package:"), get("Version:"))
}

#[test]
fn distroless_status_d_each_file_is_a_database() {
    let dir = bosun_testdata::require!("data/dpkg/distroless-syft/var/lib/dpkg/status.d");
    let corrupt =
        std::fs::read(bosun_testdata::require!("data/dpkg/status.d-syft/corrupt")).unwrap();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut expected = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&p).unwrap();
        if !name.ends_with(".md5sums") {
            let (n, v) = fields(&bytes);
            expected.push((n, v, format!("/var/lib/dpkg/status.d/{name}")));
        }
        files.push((format!("var/lib/dpkg/status.d/{name}"), bytes));
    }
    files.push(("var/lib/dpkg/status.d/corrupt".into(), corrupt));
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    let inv = build(
        &[layer(0, &borrowed, &[])],
        SourceInfo::default(),
        Vec::new(),
    );
    expected.sort();
    assert_eq!(
        expected.len(),
        3,
        "one package per status.d file, the .md5sums file ignored"
    );
    let got: Vec<(String, String, String)> = inv
        .packages
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.locations[0].clone()))
        .collect();
    assert_eq!(got, expected);
    assert!(
        inv.packages
            .iter()
            .all(|p| p.package_type == PackageType::Deb)
    );
    let d: Vec<_> = inv
        .diagnostics
        .iter()
        .filter(|d| d.source == "dpkg")
        .collect();
    assert_eq!(d.len(), 1, "{:?}", inv.diagnostics);
    assert_eq!(d[0].path.as_deref(), Some("/var/lib/dpkg/status.d/corrupt"));
}

#[test]
fn generated_debian_inventory_has_purls_ecosystem_and_os() {
    let d = bosun_testdata::require!("data/dpkg/debian-generated/bookworm-minbase-amd64");
    let status = std::fs::read(d.join("status")).unwrap();
    let osr = std::fs::read(d.join("os-release")).unwrap();
    // A symlinked etc/os-release, as Debian ships it.
    let mut w = layer(
        0,
        &[
            ("var/lib/dpkg/status", &status),
            ("usr/lib/os-release", &osr),
        ],
        &[],
    );
    w.index.entries.push(bosun_image::IndexEntry {
        path: "etc/os-release".into(),
        kind: bosun_image::EntryKind::Symlink("../usr/lib/os-release".into()),
        size: 0,
        mode: 0o777,
    });
    let inv = build(&[w], SourceInfo::default(), Vec::new());
    let os = inv.os.as_ref().unwrap();
    assert_eq!(
        (os.id.as_str(), os.version_id.as_deref()),
        ("debian", Some("12"))
    );
    assert_eq!(inv.packages.len(), 96);
    for p in &inv.packages {
        assert_eq!(p.ecosystem.as_deref(), Some("Debian:12"));
        let arch = p.arch.as_deref().unwrap();
        let enc = p.version.replace('+', "%2B");
        let name = p.name.replace('+', "%2B");
        assert_eq!(
            p.purl,
            format!("pkg:deb/debian/{name}@{enc}?arch={arch}&distro=debian-12")
        );
        assert_eq!(p.locations, ["/var/lib/dpkg/status"]);
    }
}
