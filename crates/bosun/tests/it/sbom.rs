//! `bosun sbom` on real package databases put into images built here, in every archive format.
//!
//! Expected lists come from the package managers' own answers kept with the shared data
//! (`dpkg-query`, `rpm -qa`) or from the database file read independently in the test, never
//! from bosun's own output.

use std::path::Path;

use bosun_testkit::{Compression, ImageBuilder};

use crate::support::{bosun, bosun_ok, packages, read, sbom_json};

const DEBIAN: &str = "data/dpkg/debian-generated/bookworm-minbase-amd64";

/// The dpkg status with the paragraph of `name` left out.
fn status_without(status: &str, name: &str) -> String {
    status
        .split("\n\n")
        .filter(|para| !para.lines().any(|l| l == format!("Package: {name}")))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// `(name, version, arch)` from dpkg-query's answer for the installed packages.
fn dpkg_query_expected(dir: &Path) -> Vec<(String, String, String)> {
    let text = String::from_utf8(read(&dir.join("expected-dpkg-query.tsv"))).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            assert!(
                f[5].starts_with("ii"),
                "only installed packages expected: {l}"
            );
            (f[0].to_owned(), f[1].to_owned(), f[2].to_owned())
        })
        .collect()
}

/// Three layers: the real bookworm status; the same with `gzip` removed; `gzip` back again.
/// So `gzip` must come from layer 2 and everything else from layer 0.
fn debian_image(dir: &Path, compression: [Compression; 3]) -> ImageBuilder {
    let status = String::from_utf8(read(&dir.join("status"))).unwrap();
    let os_release = read(&dir.join("os-release"));
    let without = status_without(&status, "gzip");
    assert_ne!(without.len(), status.len(), "fixture holds gzip");
    ImageBuilder::new()
        .repo_tag("test/debian:12")
        .layer(|l| {
            l.compression(compression[0])
                .created_by("debootstrap")
                .dir("usr/lib")
                .file("usr/lib/os-release", &os_release)
                .symlink("etc/os-release", "../usr/lib/os-release")
                .file("var/lib/dpkg/status", &status)
        })
        .layer(|l| {
            l.compression(compression[1])
                .created_by("dpkg --purge gzip")
                .file("var/lib/dpkg/status", &without)
        })
        .layer(|l| {
            l.compression(compression[2])
                .created_by("dpkg -i gzip")
                .file("var/lib/dpkg/status", &status)
        })
}

#[test]
fn debian_packages_and_layers_agree_with_dpkg_query_in_every_format() {
    let dir = bosun_testdata::require!(DEBIAN);
    let expected = dpkg_query_expected(&dir);
    let tmp = tempfile::tempdir().unwrap();
    let docker = tmp.path().join("debian.tar");
    let oci_tar = tmp.path().join("debian-oci.tar");
    let oci_dir = tmp.path().join("debian-oci");
    use Compression::{Gzip, Plain, Zstd};
    debian_image(&dir, [Plain, Plain, Plain])
        .write_docker_archive(&docker)
        .unwrap();
    debian_image(&dir, [Gzip, Zstd, Plain])
        .write_oci_archive(&oci_tar)
        .unwrap();
    debian_image(&dir, [Zstd, Gzip, Gzip])
        .write_oci_dir(&oci_dir)
        .unwrap();

    let sources = [
        format!("docker-archive:{}", docker.display()),
        format!("oci-archive:{}", oci_tar.display()),
        format!("oci-dir:{}", oci_dir.display()),
        // Bare paths are recognized by their contents.
        docker.display().to_string(),
        oci_dir.display().to_string(),
    ];
    for source in &sources {
        let report = sbom_json(source);
        let got = packages(&report);
        let got_nva: Vec<_> = got
            .iter()
            .map(|(n, v, a, _)| (n.clone(), v.clone(), a.clone()))
            .collect();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(got_nva, want, "{source}: package list");
        for (name, _, _, layer) in &got {
            let want_layer = if name == "gzip" { 2 } else { 0 };
            assert_eq!(*layer, want_layer, "{source}: layer of {name}");
        }
        assert_eq!(report["os"]["id"], "debian", "{source}");
        assert_eq!(report["os"]["version_id"], "12", "{source}");
        let layers = report["layers"].as_array().unwrap();
        assert_eq!(layers.len(), 3, "{source}");
        assert_eq!(layers[1]["created_by"], "dpkg --purge gzip", "{source}");
        let bash = report["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "bash")
            .unwrap();
        assert_eq!(bash["ecosystem"], "Debian:12");
        assert_eq!(bash["source_version"], "5.2.15-2");
        assert_eq!(
            bash["purl"],
            "pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64&distro=debian-12"
        );
        assert_eq!(bash["layer"]["diff_id"], layers[0]["diff_id"]);
    }
}

#[test]
fn package_removed_in_a_later_layer_is_gone() {
    let dir = bosun_testdata::require!(DEBIAN);
    let status = String::from_utf8(read(&dir.join("status"))).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("img.tar");
    ImageBuilder::new()
        .layer(|l| l.file("var/lib/dpkg/status", &status))
        .layer(|l| l.file("var/lib/dpkg/status", status_without(&status, "gzip")))
        .write_docker_archive(&image)
        .unwrap();
    let got = packages(&sbom_json(&format!("docker-archive:{}", image.display())));
    assert!(!got.iter().any(|p| p.0 == "gzip"));
    assert_eq!(got.len(), dpkg_query_expected(&dir).len() - 1);
}

#[test]
fn alpine_minirootfs_lists_the_apk_database() {
    let tarball =
        bosun_testdata::require!("data/alpine/minirootfs/alpine-minirootfs-3.20.3-x86_64.tar.gz");
    let installed =
        bosun_testdata::require!("data/alpine/installed/alpine-3.20.3-x86_64.installed");
    // The oracle: the P:/V:/A: lines of the real database, read here.
    let text = String::from_utf8(read(&installed)).unwrap();
    let mut want = Vec::new();
    for para in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        let field = |k: &str| {
            para.lines()
                .find_map(|l| l.strip_prefix(k))
                .unwrap_or_default()
                .to_owned()
        };
        want.push((field("P:"), field("V:"), field("A:"), 0));
    }
    want.sort();
    assert_eq!(want.len(), 14);

    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("alpine.tar");
    ImageBuilder::new()
        .layer(|l| l.blob(read(&tarball)))
        .write_oci_archive(&image)
        .unwrap();
    let report = sbom_json(&image.display().to_string());
    assert_eq!(packages(&report), want);
    assert_eq!(report["os"]["id"], "alpine");
    assert_eq!(report["os"]["version_id"], "3.20.3");
    let busybox = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "busybox")
        .unwrap();
    assert_eq!(busybox["ecosystem"], "Alpine:v3.20");
    assert!(
        busybox["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "/bin/busybox")
    );
}

#[test]
fn rpm_sqlite_database_agrees_with_rpm_qa() {
    let db = bosun_testdata::require!("data/rpmdb/cbl-mariner-2.0/rpmdb.sqlite");
    let qa = bosun_testdata::require!("data/rpmdb/cbl-mariner-2.0/expected-rpm-qa.tsv");
    let text = String::from_utf8(read(&qa)).unwrap();
    let mut want: Vec<_> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let evr = if f[0].is_empty() {
                format!("{}-{}", f[2], f[3])
            } else {
                format!("{}:{}-{}", f[0], f[2], f[3])
            };
            (f[1].to_owned(), evr, f[4].to_owned(), 1)
        })
        .collect();
    want.sort();

    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("mariner");
    ImageBuilder::new()
        .layer(|l| {
            l.file(
                "etc/os-release",
                "ID=mariner\nVERSION_ID=\"2.0\"\nNAME=\"Common Base Linux Mariner\"\n",
            )
        })
        .layer(|l| {
            l.compression(Compression::Gzip)
                .file("var/lib/rpm/rpmdb.sqlite", read(&db))
        })
        .write_oci_dir(&image)
        .unwrap();
    let report = sbom_json(&format!("oci-dir:{}", image.display()));
    assert_eq!(packages(&report), want);
    let curl = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "curl")
        .unwrap();
    assert_eq!(curl["ecosystem"], "Azure Linux:2.0");
    assert_eq!(curl["locations"][0], "/var/lib/rpm/rpmdb.sqlite");
}

#[test]
fn sbom_formats_carry_every_package() {
    let dir = bosun_testdata::require!(DEBIAN);
    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("d.tar");
    use Compression::Gzip;
    debian_image(&dir, [Gzip, Gzip, Gzip])
        .write_docker_archive(&image)
        .unwrap();
    let n = dpkg_query_expected(&dir).len();
    let source = image.display().to_string();
    for format in ["cyclonedx-json", "spdx-json"] {
        let out_path = tmp.path().join(format);
        bosun_ok(&[
            "sbom",
            "--format",
            format,
            "-o",
            out_path.to_str().unwrap(),
            &source,
        ]);
        let doc: serde_json::Value = serde_json::from_slice(&read(&out_path)).unwrap();
        let with_purl = |items: &serde_json::Value| {
            items
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c.to_string().contains("pkg:deb/"))
                .count()
        };
        let count = if format == "spdx-json" {
            with_purl(&doc["packages"])
        } else {
            with_purl(&doc["components"])
        };
        assert_eq!(count, n, "{format}");
        // bosun reads its own SBOM back with every package in its layer.
        let back = sbom_json(&format!("sbom:{}", out_path.display()));
        let layers: Vec<u64> = packages(&back).iter().map(|p| p.3).collect();
        assert_eq!(layers.len(), n, "{format} read back");
        assert_eq!(
            layers.iter().filter(|l| **l == 2).count(),
            1,
            "{format}: gzip in layer 2"
        );
    }
}

#[test]
fn digest_mismatch_is_one_error_line_naming_the_layer_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("bad.tar");
    ImageBuilder::new()
        .layer(|l| l.file("etc/os-release", "ID=alpine\n"))
        .layer(|l| l.compression(Compression::Gzip).file("a", "b"))
        .corrupt_diff_id(1)
        .write_docker_archive(&image)
        .unwrap();
    let out = bosun(&["sbom", &format!("docker-archive:{}", image.display())]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains("layer 1"), "names the layer: {err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn missing_source_and_bad_flags_exit_2() {
    let out = bosun(&["sbom", "docker-archive:/nonexistent/image.tar"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/image.tar"));
    let out = bosun(&["sbom", "--format", "xml", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let out = bosun(&["sbom"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `(name, version, dev)` of the registry packages a package-lock v3 installs, read here from
/// its `packages` map: every `node_modules/...` key that is not a link.
fn package_lock_expected(text: &str) -> std::collections::BTreeSet<(String, String, bool)> {
    let lock: serde_json::Value = serde_json::from_str(text).unwrap();
    lock["packages"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, v)| k.contains("node_modules/") && v["link"] != true)
        .map(|(k, v)| {
            let name = k.rsplit("node_modules/").next().unwrap().to_owned();
            let version = v["version"].as_str().unwrap().to_owned();
            (name, version, v["dev"] == true)
        })
        .collect()
}

#[test]
fn lockfiles_in_later_layers_give_language_packages_with_their_layer() {
    let lock = bosun_testdata::require!("data/app-deps/npm/trivy-package-lock_v3.json");
    let cargo = bosun_testdata::require!("data/app-deps/rust/trivy-ci-test.Cargo.lock");
    let lock_text = String::from_utf8(read(&lock)).unwrap();
    let cargo_text = String::from_utf8(read(&cargo)).unwrap();
    let want_npm = package_lock_expected(&lock_text);
    // Registry crates: `[[package]]` tables with a `source` line.
    let want_crates = cargo_text
        .split("[[package]]")
        .filter(|t| t.contains("\nsource = "))
        .count();
    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("app.tar");
    ImageBuilder::new()
        .layer(|l| l.file("etc/os-release", "ID=alpine\nVERSION_ID=3.20.3\n"))
        .layer(|l| l.file("app/package-lock.json", &lock_text))
        .layer(|l| {
            l.compression(Compression::Gzip)
                .file("src/tool/Cargo.lock", &cargo_text)
        })
        .write_docker_archive(&image)
        .unwrap();
    let report = sbom_json(&image.display().to_string());
    let packages = report["packages"].as_array().unwrap();
    let npm: std::collections::BTreeSet<(String, String, bool)> = packages
        .iter()
        .filter(|p| p["type"] == "npm")
        .map(|p| {
            assert_eq!(p["layer"]["index"], 1);
            assert_eq!(p["ecosystem"], "npm");
            assert_eq!(p["locations"][0], "/app/package-lock.json");
            let name = p["name"].as_str().unwrap();
            assert!(
                p["purl"].as_str().unwrap().starts_with("pkg:npm/"),
                "{name}"
            );
            (
                name.to_owned(),
                p["version"].as_str().unwrap().to_owned(),
                p["dev"] == true,
            )
        })
        .collect();
    assert_eq!(npm, want_npm);
    let crates: Vec<&serde_json::Value> =
        packages.iter().filter(|p| p["type"] == "cargo").collect();
    assert_eq!(crates.len(), want_crates);
    assert!(
        crates
            .iter()
            .all(|p| p["layer"]["index"] == 2 && p["ecosystem"] == "crates.io")
    );
}

/// `bosun sbom IMAGE | head`: the reader leaving early is not an error, and never a panic.
#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = bosun_testdata::require!(DEBIAN);
    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("debian.tar");
    use Compression::Plain;
    debian_image(&dir, [Plain, Plain, Plain])
        .write_docker_archive(&image)
        .unwrap();
    let script = format!(
        "set -o pipefail; {} sbom --format json {} | head -c 1 >/dev/null",
        env!("CARGO_BIN_EXE_bosun"),
        image.display()
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &script])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
