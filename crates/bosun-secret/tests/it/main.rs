//! Integration tests of bosun-secret: the shared corpora (trivy, detect-secrets, gitleaks),
//! trivy-format configs, image config scanning, masking and hostile input.
#![allow(clippy::print_stdout, clippy::unwrap_used)] // tests print their measured figures

mod config;
mod corpora;
mod families;
mod image_config;
mod props;

use std::path::Path;

use bosun_secret::{Config, Scanner};

/// Every regular file under `dir`, with its path relative to `dir`.
pub(crate) fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// One scanner for all tests (building one compiles every rule).
pub(crate) fn default_scanner() -> &'static Scanner {
    static S: std::sync::OnceLock<Scanner> = std::sync::OnceLock::new();
    S.get_or_init(|| Scanner::new(Config::default()).unwrap())
}
