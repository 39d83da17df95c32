//! Running the binary and reading its JSON.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// The bosun binary, with its cache in a directory of this test run (never the user's).
pub(crate) fn command() -> Command {
    static CACHE: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = CACHE.get_or_init(|| tempfile::tempdir().expect("cache dir"));
    let mut c = Command::new(env!("CARGO_BIN_EXE_bosun"));
    c.env("BOSUN_CACHE_DIR", dir.path());
    c
}

pub(crate) fn bosun(args: &[&str]) -> Output {
    command().args(args).output().expect("bosun runs")
}

/// Runs bosun with `args` and asserts it succeeded, showing its stderr when not.
pub(crate) fn bosun_ok(args: &[&str]) -> Output {
    let out = bosun(args);
    assert!(
        out.status.success(),
        "bosun {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `bosun sbom --format json SOURCE`, asserts success, returns the report.
pub(crate) fn sbom_json(source: &str) -> Value {
    let out = bosun(&["sbom", "--format", "json", source]);
    assert!(
        out.status.success(),
        "bosun sbom {source} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json report")
}

/// `(name, version, arch, layer index)` of every package, sorted.
pub(crate) fn packages(report: &Value) -> Vec<(String, String, String, u64)> {
    let mut v: Vec<_> = report["packages"]
        .as_array()
        .expect("packages array")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().to_owned(),
                p["version"].as_str().unwrap_or_default().to_owned(),
                p["arch"].as_str().unwrap_or_default().to_owned(),
                p["layer"]["index"].as_u64().expect("layer index"),
            )
        })
        .collect();
    v.sort();
    v
}

pub(crate) fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}
