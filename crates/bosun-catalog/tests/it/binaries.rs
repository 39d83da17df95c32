//! Executables and Java archives in an image: Go build info and cargo-auditable data from the shared real
//! binaries, and runtimes installed outside the package manager, each with its layer.
//! Expected lists come from the fixtures' own expected files (`go version -m`, the audit
//! JSON), parsed here.

use std::collections::BTreeSet;

use bosun_inventory::{Inventory, PackageType};
use bosun_testkit::ImageBuilder;

fn read(p: &std::path::Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

const GO: &str = "data/app-deps/binaries/go/trivy-test.elf";
const RUST: &str = "data/app-deps/binaries/rust-cargo-auditable/osv-scalibr-uses_serde_json";

fn scan(builder: &ImageBuilder) -> Inventory {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("image.tar");
    builder.write_docker_archive(&path).unwrap();
    let source = bosun_image::Source::parse(path.to_str().unwrap()).unwrap();
    let image = bosun_image::Image::open(&source, &bosun_image::OpenOptions::default()).unwrap();
    bosun_catalog::catalog(&image).unwrap()
}

#[test]
fn go_and_rust_binaries_and_unowned_runtimes_are_cataloged_with_their_layer() {
    let go = bosun_testdata::require!(GO);
    let rust = bosun_testdata::require!(RUST);
    let go_expected =
        String::from_utf8(read(&go.with_extension("elf.expected-go-version-m.txt"))).unwrap();
    let audit: serde_json::Value = serde_json::from_slice(&read(
        &rust.with_file_name("osv-scalibr-uses_serde_json.expected-audit-data.json"),
    ))
    .unwrap();
    let jdk_release = "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"17.0.9\"\n";
    let status = "Package: openjdk-17-jre-headless\nStatus: install ok installed\nArchitecture: amd64\nVersion: 17.0.9+9-1~deb12u1\n";
    let owned = "/usr/lib/jvm/java-17-openjdk-amd64/release\n";
    let image = ImageBuilder::new()
        .layer(|l| {
            l.file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
                .file("var/lib/dpkg/status", status)
                .file(
                    "var/lib/dpkg/info/openjdk-17-jre-headless:amd64.list",
                    owned,
                )
                .file("usr/lib/jvm/java-17-openjdk-amd64/release", jdk_release)
                .file_mode("usr/local/bin/app", read(&go), 0o755)
                // Not executable: no build info is looked for.
                .file_mode("usr/share/doc/app.elf", read(&go), 0o644)
        })
        .layer(|l| {
            l.file_mode("opt/tool/uses_serde_json", read(&rust), 0o755)
                .file("opt/java/openjdk/release", jdk_release)
        });
    let inv = scan(&image);
    let of = |ty: PackageType| -> Vec<&bosun_inventory::Package> {
        inv.packages
            .iter()
            .filter(|p| p.package_type == ty)
            .collect()
    };

    // Go: every `dep` line of `go version -m`, plus the toolchain as `stdlib`.
    let mut want: BTreeSet<(String, String)> = go_expected
        .lines()
        .filter_map(|l| l.trim().strip_prefix("dep\t"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_owned(), f[1].to_owned())
        })
        .collect();
    let toolchain = go_expected
        .lines()
        .next()
        .unwrap()
        .rsplit(" go")
        .next()
        .unwrap();
    want.insert(("stdlib".to_owned(), toolchain.to_owned()));
    let go_pkgs = of(PackageType::Go);
    let got: BTreeSet<(String, String)> = go_pkgs
        .iter()
        .filter(|p| p.name != "github.com/aquasecurity/test") // the main module, (devel)
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect();
    assert_eq!(got, want);
    for p in &go_pkgs {
        assert_eq!(
            p.locations,
            vec!["/usr/local/bin/app".to_owned()],
            "{}",
            p.name
        );
        assert_eq!(p.layer.index, 0);
        assert_eq!(p.ecosystem.as_deref(), Some("Go"));
        assert!(p.purl.starts_with("pkg:golang/"), "{}", p.purl);
    }

    // Rust: the crates.io runtime crates of the audit data.
    let want: BTreeSet<(String, String)> = audit["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["source"] == "crates.io" && p["kind"].as_str().unwrap_or("runtime") == "runtime"
        })
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let cargo = of(PackageType::Cargo);
    let got: BTreeSet<(String, String)> = cargo
        .iter()
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want);
    assert!(cargo.iter().all(|p| p.layer.index == 1
        && p.locations == vec!["/opt/tool/uses_serde_json".to_owned()]
        && p.ecosystem.as_deref() == Some("crates.io")));

    // Runtimes: the JDK under /opt is reported; the one the dpkg package owns is not.
    let runtimes = of(PackageType::Generic);
    let where_: Vec<&str> = runtimes
        .iter()
        .flat_map(|p| p.locations.iter().map(String::as_str))
        .collect();
    assert_eq!(where_, vec!["/opt/java/openjdk/release"]);
    assert_eq!(runtimes[0].version, "17.0.9");
    assert_eq!(runtimes[0].layer.index, 1);
    assert!(runtimes[0].ecosystem.is_none());
}

/// A jar inside the image: Trivy's `wantDuplicatesJar` list for gizmo (nested log4j jars
/// located inside it), each with the jar's layer; the packages are matched as Maven.
#[test]
fn java_archives_are_cataloged_with_nested_locations() {
    let jar = bosun_testdata::require!("data/app-deps/java/io.quarkus.gizmo.gizmo-1.1.jar");
    let image = ImageBuilder::new()
        .layer(|l| l.file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"))
        .layer(|l| l.file("app/lib/io.quarkus.gizmo.gizmo-1.1.jar", read(&jar)));
    let inv = scan(&image);
    let maven: Vec<_> = inv
        .packages
        .iter()
        .filter(|p| p.package_type == PackageType::Maven)
        .collect();
    let got: BTreeSet<(&str, &str)> = maven
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    let want = BTreeSet::from([
        ("io.quarkus.gizmo:gizmo", "1.1"),
        ("log4j:log4j", "1.2.16"),
        ("log4j:log4j", "1.2.17"),
        ("com.fasterxml.jackson.core:jackson-databind", "2.12.3"),
        ("com.fasterxml.jackson.core:jackson-databind", "2.13.4"),
    ]);
    assert_eq!(got, want);
    let log4j = maven
        .iter()
        .find(|p| p.name == "log4j:log4j" && p.version == "1.2.16")
        .unwrap();
    assert_eq!(
        log4j.locations,
        vec!["/app/lib/io.quarkus.gizmo.gizmo-1.1.jar!/jars/log4j-1.2.16.jar".to_owned()]
    );
    assert!(maven.iter().all(|p| p.layer.index == 1
        && p.ecosystem.as_deref() == Some("Maven")
        && p.purl.starts_with("pkg:maven/")));
}
