//! Integration tests of bosun-lang against the shared app-deps fixtures (trivy, syft,
//! osv-scanner and osv-scalibr test data). Oracles, per format: the upstream projects'
//! published expected lists where they exist, the package manager's own tool where one reads
//! the file offline (`npm ls`), and otherwise an independent count from a generic JSON/TOML
//! reader or a line scan written here.
#![allow(clippy::unwrap_used, clippy::print_stderr)] // tests: unwrap is the assertion; skip notices go to stderr

mod hostile;
mod javascript;
mod others;
mod paths;
mod purl;
mod python;

use std::collections::BTreeSet;

use bosun_lang::{LangPackage, ManifestKind, parse, parse_full};

/// Reads a fixture under `data/app-deps/`, or `None` (test skipped) without shared data.
fn fixture(rel: &str) -> Option<Vec<u8>> {
    let p = bosun_testdata::path(&format!("data/app-deps/{rel}"))?;
    Some(std::fs::read(p).expect("read fixture"))
}

/// Parses a fixture as the kind the given manifest file name implies.
fn parse_as(rel: &str, as_name: &str) -> Option<Vec<LangPackage>> {
    let bytes = fixture(rel)?;
    let kind = ManifestKind::from_path(as_name).expect("known manifest name");
    Some(parse(kind, rel, &bytes).unwrap_or_else(|e| panic!("{rel}: {e}")))
}

fn parse_full_as(rel: &str, as_name: &str) -> Option<bosun_lang::Parsed> {
    let bytes = fixture(rel)?;
    let kind = ManifestKind::from_path(as_name).expect("known manifest name");
    Some(parse_full(kind, rel, &bytes).unwrap_or_else(|e| panic!("{rel}: {e}")))
}

/// `(name, version)` pairs.
fn pairs(pkgs: &[LangPackage]) -> BTreeSet<(String, String)> {
    pkgs.iter()
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect()
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

/// Whether an external tool may be missing: tests that need one skip with a reason, unless
/// `BOSUN_REQUIRE_TOOLS=1` (CI after crates/bosun-lang/ci-deps.sh), which makes it a failure.
fn tool(name: &str) -> bool {
    let found = std::process::Command::new(name)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var_os("BOSUN_REQUIRE_TOOLS").is_none(),
            "BOSUN_REQUIRE_TOOLS is set but {name} is not installed"
        );
        eprintln!("skipped: {name} not installed (crates/bosun-lang/ci-deps.sh installs it)");
    }
    found
}
