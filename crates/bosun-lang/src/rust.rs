//! Rust: `Cargo.lock` (v1–v4).

use serde::Deserialize;

use crate::limits::Cx;
use crate::{LangEcosystem, LangError, LangPackage};

#[derive(Deserialize)]
struct CargoPackage {
    name: String,
    version: String,
    #[serde(default)]
    source: Option<String>,
}

/// `Cargo.lock`: packages with a `source` (a registry or git) are dependencies. Packages
/// without one are the workspace's own crates or path dependencies: they are the
/// application, not something an advisory database knows, so they are left out (Trivy
/// reports them; cargo-audit looks them up but never matches them).
pub(crate) fn cargo_lock(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let package: Vec<CargoPackage> = cx.toml_packages(bytes)?;
    Ok(package
        .iter()
        .filter(|p| p.source.is_some())
        .map(|p| LangPackage::new(LangEcosystem::CratesIo, &p.name, &p.version))
        .collect())
}
