//! PHP Composer: `composer.lock` and `vendor/composer/installed.json`.

use std::collections::HashSet;

use serde::Deserialize;
use serde_json::Value;

use crate::limits::Cx;
use crate::{LangEcosystem, LangError, LangPackage};

#[derive(Deserialize)]
struct ComposerPackage {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    license: Option<Value>,
}

fn pkg(p: &ComposerPackage, dev: bool) -> Option<LangPackage> {
    let version = p.version.as_deref().filter(|v| !v.is_empty())?;
    let mut out = LangPackage::new(LangEcosystem::Packagist, &p.name, version);
    out.dev = dev;
    out.licenses = match &p.license {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    Some(out)
}

#[derive(Deserialize)]
struct ComposerLock {
    #[serde(default)]
    packages: Vec<ComposerPackage>,
    #[serde(default, rename = "packages-dev")]
    packages_dev: Vec<ComposerPackage>,
}

/// `composer.lock`: `packages` are run time, `packages-dev` are dev.
pub(crate) fn composer_lock(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let lock: ComposerLock = cx.json(bytes)?;
    cx.check_entries(lock.packages.len().saturating_add(lock.packages_dev.len()))?;
    Ok(lock
        .packages
        .iter()
        .filter_map(|p| pkg(p, false))
        .chain(lock.packages_dev.iter().filter_map(|p| pkg(p, true)))
        .collect())
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Installed {
    V1(Vec<ComposerPackage>),
    V2 {
        packages: Vec<ComposerPackage>,
        #[serde(default, rename = "dev-package-names")]
        dev_package_names: Vec<String>,
    },
}

/// `installed.json`: Composer 1 writes an array, Composer 2 `{"packages": [...],
/// "dev-package-names": [...]}`.
pub(crate) fn installed_json(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let installed: Installed = cx.json(bytes)?;
    let (packages, dev): (Vec<ComposerPackage>, HashSet<String>) = match installed {
        Installed::V1(p) => (p, HashSet::new()),
        Installed::V2 {
            packages,
            dev_package_names,
        } => (packages, dev_package_names.into_iter().collect()),
    };
    cx.check_entries(packages.len())?;
    Ok(packages
        .iter()
        .filter_map(|p| pkg(p, dev.contains(&p.name)))
        .collect())
}
