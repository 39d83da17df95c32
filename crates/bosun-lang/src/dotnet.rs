//! .NET: `*.deps.json` (next to published assemblies) and NuGet `packages.lock.json`.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::limits::Cx;
use crate::{LangEcosystem, LangError, LangPackage};

#[derive(Deserialize)]
struct DepsJson {
    #[serde(default)]
    libraries: BTreeMap<String, Library>,
}

#[derive(Deserialize)]
struct Library {
    #[serde(default, rename = "type")]
    ty: String,
}

/// `*.deps.json`: `libraries` keys are `Name/Version`; only `"type": "package"` entries are
/// NuGet packages (`project` is the application itself or a referenced project).
pub(crate) fn deps_json(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let deps: DepsJson = cx.json(bytes)?;
    cx.check_entries(deps.libraries.len())?;
    Ok(deps
        .libraries
        .iter()
        .filter(|(_, l)| l.ty.eq_ignore_ascii_case("package"))
        .filter_map(|(key, _)| {
            let (name, version) = key.split_once('/')?;
            (!name.is_empty() && !version.is_empty())
                .then(|| LangPackage::new(LangEcosystem::NuGet, name, version))
        })
        .collect())
}

#[derive(Deserialize)]
struct PackagesLock {
    #[serde(default)]
    dependencies: BTreeMap<String, BTreeMap<String, LockDep>>,
}

#[derive(Deserialize)]
struct LockDep {
    #[serde(default, rename = "type")]
    ty: String,
    #[serde(default)]
    resolved: Option<String>,
}

/// `packages.lock.json`: per target framework, `Direct`, `Transitive` and
/// `CentralTransitive` packages with their resolved version; `Project` references are skipped.
pub(crate) fn packages_lock(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let lock: PackagesLock = cx.json(bytes)?;
    let mut out = Vec::new();
    for deps in lock.dependencies.values() {
        cx.check_entries(out.len().saturating_add(deps.len()))?;
        for (name, d) in deps {
            if d.ty.eq_ignore_ascii_case("project") {
                continue;
            }
            let Some(v) = d.resolved.as_deref().filter(|v| !v.is_empty()) else {
                continue;
            };
            let mut p = LangPackage::new(LangEcosystem::NuGet, name, v);
            p.direct = Some(d.ty.eq_ignore_ascii_case("direct"));
            out.push(p);
        }
    }
    Ok(out)
}
