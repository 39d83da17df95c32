//! Runtime classifiers: fixtures built here (byte blobs holding the evidence syft's
//! classifiers look for, as syft's own snippet fixtures do), a real Go binary, and the real
//! interpreters of this machine checked against the version they report when run.

use std::path::{Path, PathBuf};
use std::process::Command;

use bosun_binary::runtime::{classify_binary, classify_text};
use bosun_binary::{BinaryPackage, PackageKind, analyze};

fn one(found: Vec<BinaryPackage>) -> Option<(String, String, String)> {
    assert!(found.len() <= 1, "{found:?}");
    found.into_iter().next().map(|p| {
        assert_eq!(p.kind, PackageKind::Runtime);
        assert_eq!(p.ecosystem, None);
        assert_eq!(p.purl_type(), "generic");
        (p.name, p.version, p.purl)
    })
}

/// Decodes `%XX` escapes (purl qualifier values may escape `/`; syft's escape `:` too).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn blob(parts: &[&[u8]]) -> Vec<u8> {
    let mut b = vec![0x55u8; 100];
    for p in parts {
        b.extend_from_slice(p);
        b.extend_from_slice(&[0x90; 37]);
    }
    b
}

#[test]
fn python_binary_and_libpython_fixtures_give_the_version_literal() {
    let b = blob(&[
        b"/usr/local/lib/python3.12\0",
        b"\x003.12.1\0",
        b"\x003.12.0\0",
    ]);
    let want = Some((
        "python".into(),
        "3.12.1".into(),
        "pkg:generic/python@3.12.1".into(),
    ));
    assert_eq!(one(classify_binary("usr/local/bin/python3.12", &b)), want);
    assert_eq!(
        one(classify_binary("usr/local/lib/libpython3.12.so.1.0", &b)),
        want
    );
    let rc = blob(&[b"\x003.13.0rc2\0"]);
    assert_eq!(
        one(classify_binary("python3.13", &rc)).map(|p| p.1),
        Some("3.13.0rc2".to_owned())
    );
}

#[test]
fn python_classifier_needs_the_versioned_name_and_a_matching_literal() {
    let b = blob(&[b"\x003.11.2\0"]);
    // `python3` carries no minor version to look for (syft's file-name rule).
    assert_eq!(one(classify_binary("usr/bin/python3", &b)), None);
    // The literal must start with the version the name gives.
    assert_eq!(one(classify_binary("usr/bin/python3.12", &b)), None);
    // The literal must be NUL-delimited on both sides.
    assert_eq!(
        one(classify_binary("usr/bin/python3.11", b"x/Python-3.11.7\0")),
        None
    );
}

#[test]
fn node_fixtures_cover_modern_and_old_version_strings() {
    let modern = blob(&[
        b"https://nodejs.org/download/release/v22.9.0/",
        b"node.js/v22.9.0",
    ]);
    assert_eq!(
        one(classify_binary("usr/local/bin/node", &modern)),
        Some((
            "node".into(),
            "22.9.0".into(),
            "pkg:generic/node@22.9.0".into()
        ))
    );
    let old = blob(&[b"\0node v0.10.48\0"]);
    assert_eq!(
        one(classify_binary("node", &old)).map(|p| p.1),
        Some("0.10.48".into())
    );
    let v4 = blob(&[b"\0v4.9.1\0"]);
    assert_eq!(
        one(classify_binary("node", &v4)).map(|p| p.1),
        Some("4.9.1".into())
    );
    // A bare `\0v22.1.0\0` is only trusted for 0.x and 4-6, as in syft.
    assert_eq!(one(classify_binary("node", &blob(&[b"\0v22.1.0\0"]))), None);
    // A shared build keeps the version in libnode (Debian's libnode108 has `node.js/v18.20.4`).
    assert_eq!(
        one(classify_binary(
            "usr/lib/x86_64-linux-gnu/libnode.so.108",
            &modern
        ))
        .map(|p| p.1),
        Some("22.9.0".into())
    );
    // Other names are not node.
    assert_eq!(one(classify_binary("usr/bin/nodejs-helper", &modern)), None);
}

#[test]
fn go_toolchain_fixtures_binary_literal_and_version_file() {
    let b = blob(&[b"go1.22\0", b"go1.22.1\0"]);
    // The first literal wins, as syft's pattern does (`go1.22` is a valid toolchain version).
    assert_eq!(
        one(classify_binary("usr/local/go/bin/go", &b)).map(|p| p.1),
        Some("1.22".into())
    );
    let b = blob(&[b"gopher\0", b"go1.21rc2\0"]);
    assert_eq!(
        one(classify_binary("usr/local/go/bin/go", &b)),
        Some((
            "go".into(),
            "1.21rc2".into(),
            "pkg:generic/go@1.21rc2".into()
        ))
    );
    let file = b"go1.22.1\ntime 2024-02-29T18:18:15Z\n";
    assert_eq!(
        classify_text("usr/local/go/VERSION", file).map(|p| p.purl),
        Some("pkg:generic/go@1.22.1".to_owned())
    );
    assert_eq!(
        classify_text("usr/local/go/VERSION", b"go1.20.5").map(|p| p.version),
        Some("1.20.5".into())
    );
    assert_eq!(
        classify_text("usr/local/go/VERSION", b"devel go1.23-abc\n"),
        None
    );
    assert_eq!(
        classify_text("usr/local/go/VERSION", b"go1.22.1 extra\n"),
        None
    );
}

#[test]
fn a_real_go_binary_named_go_reports_its_toolchain() {
    let p = bosun_testdata::require!(
        "data/app-deps/binaries/go/osv-scalibr-binary_with_module_replacement-linux-amd64"
    );
    let bytes = std::fs::read(p).unwrap();
    // Not cmd/go, so the body's runtime.buildVersion literal is what identifies it; the
    // recorded `go version -m` output says go1.22.0.
    let pkgs = analyze("usr/local/go/bin/go", &bytes).unwrap();
    let rt: Vec<_> = pkgs
        .iter()
        .filter(|p| p.kind == PackageKind::Runtime)
        .collect();
    assert_eq!(rt.len(), 1);
    assert_eq!(rt[0].purl, "pkg:generic/go@1.22.0");
    // The same bytes under another name carry no runtime.
    let other = analyze("usr/bin/app", &bytes).unwrap();
    assert!(other.iter().all(|p| p.kind != PackageKind::Runtime));
}

#[test]
fn jvm_release_files_follow_syfts_naming() {
    let temurin = br#"IMPLEMENTOR="Eclipse Adoptium"
IMPLEMENTOR_VERSION="Temurin-21.0.4+7"
JAVA_RUNTIME_VERSION="21.0.4+7-LTS"
JAVA_VERSION="21.0.4"
JAVA_VERSION_DATE="2024-07-16"
SOURCE_REPO="https://github.com/adoptium/jdk21u.git"
FULL_VERSION="21.0.4+7-LTS"
SEMANTIC_VERSION="21.0.4+7"
IMAGE_TYPE="JDK"
"#;
    let p = classify_text("opt/java/openjdk/release", temurin).unwrap();
    assert_eq!(
        (p.name.as_str(), p.version.as_str()),
        ("openjdk", "21.0.4+7-LTS")
    );
    let (head, repo) = p.purl.split_once("?repository_url=").unwrap();
    assert_eq!(head, "pkg:generic/oracle/openjdk@21.0.4%2B7-LTS");
    assert_eq!(
        percent_decode(repo),
        "https://github.com/adoptium/jdk21u.git"
    );

    let oracle = b"IMPLEMENTOR=\"Oracle Corporation\"\nJAVA_RUNTIME_VERSION=\"22.0.2+9-70\"\nJAVA_VERSION=\"22.0.2\"\n";
    let p = classify_text("usr/java/jdk-22/release", oracle).unwrap();
    assert_eq!(p.purl, "pkg:generic/oracle/jdk@22.0.2%2B9-70");

    let zulu_jre =
        b"IMPLEMENTOR=\"Azul Systems, Inc.\"\nJAVA_VERSION=\"17.0.9\"\nIMAGE_TYPE=\"JRE\"\n";
    let p = classify_text("usr/lib/jvm/zulu17/release", zulu_jre).unwrap();
    assert_eq!(p.purl, "pkg:generic/azul/zulu@17.0.9");

    let sun_jre =
        b"IMPLEMENTOR=\"Sun Microsystems Inc.\"\nJAVA_VERSION=\"1.6.0_45\"\nIMAGE_TYPE=\"JRE\"\n";
    assert_eq!(
        classify_text("x/release", sun_jre).unwrap().purl,
        "pkg:generic/sun/jre@1.6.0_45"
    );

    // OpenJDK 8: FULL_VERSION shares JAVA_VERSION's major, so it is the more precise one.
    let jdk8 = b"JAVA_VERSION=\"1.8.0_422\"\nFULL_VERSION=\"1.8.0_422-b05\"\nSEMANTIC_VERSION=\"8.0.422+5\"\n";
    assert_eq!(
        classify_text("x/release", jdk8).unwrap().version,
        "1.8.0_422-b05"
    );

    // An executable that happens to be named `release` is still read as one.
    if let Some(p) = bosun_testdata::path("data/app-deps/binaries/go/trivy-test.elf") {
        let got = bosun_binary::analyze("usr/bin/release", &std::fs::read(p).unwrap()).unwrap();
        assert_eq!(
            got.first().map(|p| p.purl.as_str()),
            Some("pkg:golang/stdlib@1.15.2")
        );
    }

    // Some other `release` file.
    assert!(classify_text("etc/release", b"NAME=\"Foo\"\nVERSION=\"1\"\n").is_none());
}

#[test]
fn analyze_runs_the_binary_classifiers_only_on_executables() {
    // A real ELF (a cargo-auditable binary) with a Node.js version string appended.
    let p = bosun_testdata::require!("data/app-deps/binaries/rust-cargo-auditable/trivy-test.elf");
    let mut elf = std::fs::read(p).unwrap();
    elf.extend_from_slice(b"\0node.js/v18.20.4\0");
    let got = analyze("usr/local/bin/node", &elf).unwrap();
    assert_eq!(
        got.iter().map(|p| p.purl.as_str()).collect::<Vec<_>>(),
        ["pkg:generic/node@18.20.4"]
    );
    // The same evidence outside an executable is not a runtime.
    assert!(
        analyze("usr/local/bin/node", b"#!/bin/sh\n\0node.js/v18.20.4\0")
            .unwrap()
            .is_empty()
    );
}

// ---- real interpreters on this machine ----

/// Whether missing tools fail the test instead of skipping it (CI).
fn tools_required() -> bool {
    std::env::var_os("BOSUN_REQUIRE_TOOLS").is_some()
}

fn run(cmd: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn which_all(name: &str) -> Vec<PathBuf> {
    let Some(path) = std::env::var_os("PATH") else {
        return Vec::new();
    };
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .filter(|p| p.is_file())
        .collect()
}

fn skip_or_fail(what: &str) {
    assert!(!tools_required(), "BOSUN_REQUIRE_TOOLS is set but {what}");
    eprintln!("skipped: {what}");
}

#[test]
fn real_python_interpreter_is_classified_at_the_version_it_reports() {
    let mut candidates = which_all("python3");
    candidates.push(PathBuf::from("/usr/bin/python3"));
    let script = "import sys, os, platform, sysconfig\n\
print(platform.python_version())\n\
print(os.path.realpath(sys.executable))\n\
print(os.path.join(sysconfig.get_config_var('LIBDIR') or '', sysconfig.get_config_var('INSTSONAME') or ''))";
    let mut checked = 0;
    let mut seen = Vec::new();
    for c in candidates.iter().filter(|c| c.exists()) {
        let Some(out) = run(c, &["-c", script]) else {
            continue;
        };
        let lines: Vec<&str> = out.lines().collect();
        let [reported, exe, lib] = lines[..] else {
            continue;
        };
        // The interpreter itself, else its libpython (a --enable-shared build).
        let mut got = None;
        for file in [Path::new(exe), Path::new(lib)] {
            let Ok(bytes) = std::fs::read(file) else {
                continue;
            };
            let name = file.to_string_lossy();
            let found: Vec<_> = analyze(&name, &bytes)
                .unwrap()
                .into_iter()
                .filter(|p| p.kind == PackageKind::Runtime)
                .collect();
            if let Some(p) = found.first() {
                got = Some(p.version.clone());
                break;
            }
        }
        match got {
            Some(v) => {
                assert_eq!(v, reported, "{exe}");
                checked += 1;
            }
            None => eprintln!("note: {exe} ({reported}) carries no NUL-delimited version literal"),
        }
        seen.push(format!("{exe} {reported}"));
    }
    if seen.is_empty() {
        return skip_or_fail("no python3 on this machine");
    }
    assert!(checked > 0, "no python3 recognized among {seen:?}");
}

/// The `libnode.so*` a dynamically linked `node` loads, from `ldd`.
fn linked_libnode(node: &Path) -> Option<PathBuf> {
    let out = Command::new("ldd").arg(node).output().ok()?;
    String::from_utf8_lossy(&out.stdout).lines().find_map(|l| {
        let (name, rest) = l.trim().split_once(" => ")?;
        let lib = rest.split_whitespace().next()?;
        name.starts_with("libnode.so").then(|| PathBuf::from(lib))
    })
}

#[test]
fn real_node_binary_is_classified_at_the_version_it_reports() {
    let Some(node) = which_all("node").into_iter().next() else {
        return skip_or_fail("no node on this machine");
    };
    let reported = run(&node, &["--version"]).expect("node --version");
    let real = std::fs::canonicalize(&node).unwrap();
    // A static node carries its version; a shared build (Debian's) keeps it in libnode.
    let file = linked_libnode(&real).unwrap_or(real);
    let bytes = std::fs::read(&file).unwrap();
    let got = one(analyze(&file.to_string_lossy(), &bytes)
        .unwrap()
        .into_iter()
        .filter(|p| p.kind == PackageKind::Runtime)
        .collect());
    assert_eq!(
        got.map(|p| p.1),
        Some(reported.trim_start_matches('v').to_owned()),
        "{}",
        file.display()
    );
}

#[test]
fn real_jdk_release_file_gives_the_runtime_version_java_reports() {
    let Some(java) = which_all("java").into_iter().next() else {
        // Not required in CI: a JDK is a large install for one test.
        eprintln!("skipped: no java on this machine");
        return;
    };
    let real = std::fs::canonicalize(&java).unwrap(); // JAVA_HOME/bin/java
    let Some(home) = real.parent().and_then(Path::parent) else {
        return;
    };
    let release = home.join("release");
    let Ok(bytes) = std::fs::read(&release) else {
        eprintln!("skipped: {} has no release file", home.display());
        return;
    };
    let out = Command::new(&real)
        .args(["-XshowSettings:properties", "-version"])
        .output()
        .unwrap();
    let props = String::from_utf8_lossy(&out.stderr);
    let reported = props
        .lines()
        .find_map(|l| l.trim().strip_prefix("java.runtime.version = "))
        .expect("java.runtime.version")
        .to_owned();
    let p = classify_text(&release.to_string_lossy(), &bytes).expect("a JVM release file");
    assert_eq!(p.version, reported);
}
