//! JavaScript: installed `package.json`, `package-lock.json` v1–v3, `yarn.lock` (v1 and
//! berry) and `pnpm-lock.yaml` (v5, v6, v9).

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use serde_json::Value;

use crate::limits::{Cx, MAX_DEPTH};
use crate::python::reachable;
use crate::{LangEcosystem, LangError, LangPackage};

fn pkg(name: &str, version: &str) -> LangPackage {
    LangPackage::new(LangEcosystem::Npm, name, version)
}

/// License forms of package.json: `"MIT"`, `{"type": "MIT"}`, and the old
/// `"licenses": [{"type": "MIT"}, "BSD"]`.
fn licenses(license: Option<&Value>, licenses: Option<&Value>) -> Vec<String> {
    fn one(v: &Value) -> Option<String> {
        match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Object(o) => o.get("type").and_then(one),
            _ => None,
        }
    }
    let mut out: Vec<String> = license.and_then(one).into_iter().collect();
    match licenses {
        Some(Value::Array(a)) => out.extend(a.iter().filter_map(one)),
        Some(v) => out.extend(one(v)),
        None => {}
    }
    out.dedup();
    out
}

/// An installed package's own `package.json`.
pub(crate) fn package_json(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let v: Value = cx.json(bytes)?;
    let name = v.get("name").and_then(Value::as_str).unwrap_or("");
    let version = v.get("version").and_then(Value::as_str).unwrap_or("");
    if name.is_empty() || version.is_empty() {
        return Err(cx.format("package.json without name and version"));
    }
    let mut p = pkg(name, version);
    p.licenses = licenses(v.get("license"), v.get("licenses"));
    Ok(vec![p])
}

#[derive(Deserialize)]
struct NpmLock {
    #[serde(default)]
    packages: Option<BTreeMap<String, NpmEntry>>,
    #[serde(default)]
    dependencies: Option<BTreeMap<String, V1Dep>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct NpmEntry {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    link: bool,
    #[serde(default)]
    license: Option<Value>,
    #[serde(default)]
    licenses: Option<Value>,
    #[serde(default)]
    dependencies: BTreeMap<String, Value>,
    #[serde(default)]
    dev_dependencies: BTreeMap<String, Value>,
    #[serde(default)]
    optional_dependencies: BTreeMap<String, Value>,
    #[serde(default)]
    peer_dependencies: BTreeMap<String, Value>,
}

#[derive(Deserialize)]
struct V1Dep {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    dependencies: BTreeMap<String, V1Dep>,
}

/// `package-lock.json`: v2 and v3 list every installed path in `packages`; v1 nests
/// `dependencies`. The root project, workspace members (paths outside `node_modules`) and
/// links are not packages.
pub(crate) fn package_lock(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let lock: NpmLock = cx.json(bytes)?;
    if let Some(packages) = lock.packages.filter(|p| !p.is_empty()) {
        cx.check_entries(packages.len())?;
        // Direct dependencies are those named by the root or a workspace member (any kind:
        // run time, dev, optional, peer) and installed at the top of a node_modules folder.
        // Trivy counts only the root's; as workspace members are the project's own code and
        // not reported, their dependencies are direct here.
        let mut direct_names: HashSet<&str> = HashSet::new();
        for (path, e) in &packages {
            if !path.contains("node_modules/") {
                direct_names.extend(
                    e.dependencies
                        .keys()
                        .chain(e.dev_dependencies.keys())
                        .chain(e.optional_dependencies.keys())
                        .chain(e.peer_dependencies.keys())
                        .map(String::as_str),
                );
            }
        }
        let mut out = Vec::new();
        for (path, e) in &packages {
            let Some((prefix, tail)) = path.rsplit_once("node_modules/") else {
                continue;
            };
            if e.link || tail.is_empty() {
                continue;
            }
            let name = e.name.as_deref().unwrap_or(tail);
            let Some(version) = e.version.as_deref().filter(|v| !v.is_empty()) else {
                continue;
            };
            let mut p = pkg(name, version);
            p.dev = e.dev;
            p.licenses = licenses(e.license.as_ref(), e.licenses.as_ref());
            let top = !prefix.contains("node_modules/");
            p.direct = Some(top && direct_names.contains(tail));
            out.push(p);
        }
        return Ok(out);
    }
    let mut out = Vec::new();
    if let Some(deps) = &lock.dependencies {
        walk_v1(cx, deps, 0, &mut out)?;
    }
    Ok(out)
}

fn walk_v1(
    cx: &Cx<'_>,
    deps: &BTreeMap<String, V1Dep>,
    depth: usize,
    out: &mut Vec<LangPackage>,
) -> Result<(), LangError> {
    if depth > MAX_DEPTH {
        return Err(cx.too_deep());
    }
    for (name, d) in deps {
        cx.check_entries(out.len())?;
        if let Some(version) = d.version.as_deref() {
            // `npm:real@1.0.0` is an alias; `file:`, `git+...` and URLs carry no version.
            let (name, version) = match version.strip_prefix("npm:") {
                Some(alias) => split_name_version(alias).unwrap_or((name, alias)),
                None => (name.as_str(), version),
            };
            if !version.contains(':') && !version.is_empty() {
                let mut p = pkg(name, version);
                // v1 does not say which are direct: the top level also holds hoisted ones.
                p.dev = d.dev;
                out.push(p);
            }
        }
        walk_v1(cx, &d.dependencies, depth.saturating_add(1), out)?;
    }
    Ok(())
}

/// Splits `name@rest` where the name may be scoped (`@scope/name@rest`).
fn split_name_version(s: &str) -> Option<(&str, &str)> {
    let start = usize::from(s.starts_with('@'));
    let at = s.get(start..)?.find('@')?.checked_add(start)?;
    let name = s.get(..at)?;
    let rest = s.get(at.checked_add(1)?..)?;
    (!name.is_empty()).then_some((name, rest))
}

/// `yarn.lock`: berry files (with `__metadata`) are YAML; v1 files are yarn's own format.
pub(crate) fn yarn_lock(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let text = cx.lossy(bytes);
    if text.lines().any(|l| l.starts_with("__metadata:")) {
        yarn_berry(cx, bytes)
    } else {
        yarn_v1(cx, &text)
    }
}

/// yarn v1: unindented header lines list the requested ranges (`a@^1, a@^1.2:`), and the
/// indented `version` line under them gives the resolved version.
fn yarn_v1(cx: &Cx<'_>, text: &str) -> Result<Vec<LangPackage>, LangError> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        cx.check_entries(out.len())?;
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            let first = line.trim_end_matches(':').split(',').next().unwrap_or("");
            let first = first.trim().trim_matches('"');
            current = split_name_version(first).and_then(|(name, range)| {
                let local = ["file:", "link:", "workspace:", "portal:"]
                    .iter()
                    .any(|p| range.starts_with(p));
                // `alias@npm:real@^1.0.0` installs `real`.
                let name = range
                    .strip_prefix("npm:")
                    .and_then(split_name_version)
                    .map_or(name, |(real, _)| real);
                (!local).then(|| name.to_owned())
            });
            continue;
        }
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if indent != 2 {
            continue;
        }
        if let Some(v) = trimmed.strip_prefix("version ") {
            let v = v.trim().trim_matches('"');
            if let Some(name) = current.take().filter(|_| !v.is_empty()) {
                out.push(pkg(&name, v));
            }
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
struct BerryEntry {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    resolution: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, Value>,
}

/// yarn berry: keys are `name@npm:range[, ...]`; `resolution` names the resolved package
/// and protocol. The project's own workspaces are not packages; their dependencies are the
/// direct ones. Patched packages (`patch:`) are the same name and version as the original.
fn yarn_berry(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let lock: BTreeMap<String, Value> = cx.yaml(bytes)?;
    cx.check_entries(lock.len())?;
    let mut entries = Vec::new();
    for (key, v) in &lock {
        if key == "__metadata" {
            continue;
        }
        let Ok(e) = serde_json::from_value::<BerryEntry>(v.clone()) else {
            continue;
        };
        entries.push((key, e));
    }
    let protocol_of = |e: &BerryEntry, key: &str| -> Option<(String, String)> {
        let res = e.resolution.as_deref().unwrap_or(key);
        let first = res.split(',').next().unwrap_or(res).trim();
        let (name, rest) = split_name_version(first)?;
        Some((name.to_owned(), rest.to_owned()))
    };
    let mut direct: HashSet<String> = HashSet::new();
    for (key, e) in &entries {
        if let Some((_, rest)) = protocol_of(e, key)
            && rest.starts_with("workspace:")
        {
            direct.extend(e.dependencies.keys().cloned());
        }
    }
    let mut out = Vec::new();
    for (key, e) in &entries {
        let Some((name, rest)) = protocol_of(e, key) else {
            continue;
        };
        if ["workspace:", "link:", "portal:", "file:"]
            .iter()
            .any(|p| rest.starts_with(p))
        {
            continue;
        }
        let Some(version) = e
            .version
            .as_deref()
            .filter(|v| !v.is_empty() && *v != "0.0.0-use.local")
        else {
            continue;
        };
        let mut p = pkg(&name, version);
        if !direct.is_empty() {
            p.direct = Some(direct.contains(&name));
        }
        out.push(p);
    }
    Ok(out)
}

/// pnpm's key for a package without its peer-dependency suffix: `(…)` in v6+, `_…` in v5.
fn strip_peer(s: &str, v5: bool) -> &str {
    let s = s.split('(').next().unwrap_or(s);
    if v5 {
        s.split('_').next().unwrap_or(s)
    } else {
        s
    }
}

/// `(name, version)` from a `packages` key: `/name/1.0.0_peer` (v5), `/name@1.0.0(peer)`
/// (v6) or `name@1.0.0(peer)` (v9).
fn pnpm_key(key: &str, v5: bool) -> Option<(&str, &str)> {
    let key = key.strip_prefix('/').unwrap_or(key);
    let key = strip_peer(key, v5);
    if v5 {
        let (name, version) = key.rsplit_once('/')?;
        Some((name, version))
    } else {
        split_name_version(key)
    }
}

/// `pnpm-lock.yaml`: v5 and v6 mark dev-only packages with `dev: true`; v9 does not, so
/// dev-only is computed through `snapshots` as "reachable from a dev dependency of an
/// importer and not from a run-time one". Entries with a `version` field (tarballs, git) use it.
pub(crate) fn pnpm_lock(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let lock: Value = cx.yaml(bytes)?;
    let major = match lock.get("lockfileVersion") {
        Some(Value::String(s)) => s.split('.').next().and_then(|m| m.parse::<u32>().ok()),
        Some(Value::Number(n)) => n.as_f64().map(|f| f as u32),
        _ => None,
    }
    .unwrap_or(9);
    let v5 = major < 6;
    let empty = serde_json::Map::new();
    let packages = lock
        .get("packages")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let snapshots = lock.get("snapshots").and_then(Value::as_object);
    cx.check_entries(packages.len())?;

    // Importers: the root file itself (v5/v6 single project) or `importers` (workspaces, v9).
    let mut importers: Vec<&Value> = vec![&lock];
    if let Some(imp) = lock.get("importers").and_then(Value::as_object) {
        importers.extend(imp.values());
    }
    let ref_of = |v: &Value| -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("version").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        }
    };
    // Snapshot or package ids of an importer's dependencies, run time and dev.
    let mut prod_ids = Vec::new();
    let mut dev_ids = Vec::new();
    for imp in &importers {
        for (field, dev) in [
            ("dependencies", false),
            ("optionalDependencies", false),
            ("devDependencies", true),
        ] {
            let Some(deps) = imp.get(field).and_then(Value::as_object) else {
                continue;
            };
            for (name, v) in deps {
                let Some(r) = ref_of(v) else { continue };
                let id = dep_id(name, &r, v5);
                if dev {
                    dev_ids.push(id)
                } else {
                    prod_ids.push(id)
                }
            }
        }
    }
    let direct: HashSet<String> = prod_ids
        .iter()
        .chain(dev_ids.iter())
        .map(|id| strip_peer(id, v5).to_owned())
        .collect();

    // (reachable from run-time roots, reachable from dev roots), v9 only.
    let (prod, dev_reach): (HashSet<String>, HashSet<String>) = if v5 || major < 9 {
        (HashSet::new(), HashSet::new())
    } else {
        let graph = snapshots.unwrap_or(packages);
        let edges = |id: &str| -> Vec<String> {
            let Some(entry) = graph.get(id) else {
                return Vec::new();
            };
            ["dependencies", "optionalDependencies"]
                .iter()
                .filter_map(|f| entry.get(*f).and_then(Value::as_object))
                .flatten()
                .filter_map(|(n, v)| ref_of(v).map(|r| dep_id(n, &r, v5)))
                .collect()
        };
        let strip = |set: HashSet<String>| -> HashSet<String> {
            set.into_iter()
                .map(|id| strip_peer(&id, v5).to_owned())
                .collect()
        };
        (
            strip(reachable(&prod_ids, edges)),
            strip(reachable(&dev_ids, edges)),
        )
    };

    let mut out = Vec::new();
    for (key, entry) in packages {
        let Some((key_name, key_version)) = pnpm_key(key, v5) else {
            continue;
        };
        let name = entry
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(key_name);
        let version = entry
            .get("version")
            .and_then(Value::as_str)
            .unwrap_or(key_version);
        if name.is_empty() || version.is_empty() || version.contains(':') {
            continue;
        }
        let mut p = pkg(name, version);
        let id = strip_peer(key.strip_prefix('/').unwrap_or(key), v5);
        let id = if v5 {
            format!("{key_name}@{key_version}")
        } else {
            id.to_owned()
        };
        // Dev-only: needed by a dev dependency and by nothing at run time (a package no root
        // reaches is not called dev: nothing says it is).
        p.dev = if major >= 9 {
            dev_reach.contains(&id) && !prod.contains(&id)
        } else {
            entry.get("dev").and_then(Value::as_bool) == Some(true)
        };
        p.direct = Some(direct.contains(&id));
        out.push(p);
    }
    Ok(out)
}

/// The id of a dependency reference: `name@ref` normally, or the ref itself when it names
/// another package (an alias `npm:` or `other@1.0.0`). In v5, `/name/1.0.0` ids are
/// rewritten to `name@1.0.0` so both sides compare equal.
fn dep_id(name: &str, r: &str, v5: bool) -> String {
    if let Some(rest) = r.strip_prefix('/') {
        // v5/v6 absolute reference to another package key.
        if let Some((n, v)) = pnpm_key(rest, v5) {
            return format!("{n}@{v}");
        }
    }
    let r = if v5 { strip_peer(r, true) } else { r };
    if r.starts_with(|c: char| c.is_ascii_digit()) || r.contains(':') {
        format!("{name}@{r}")
    } else {
        r.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yarn_v1_aliases_name_the_real_package() {
        let lock = "\"string-width-cjs@npm:string-width@^4.2.0\":\n  version \"4.2.3\"\n";
        let cx = Cx { path: "yarn.lock" };
        let got = yarn_v1(&cx, lock).unwrap_or_default();
        assert_eq!(got.len(), 1);
        assert_eq!(got.first().map(|p| p.name.as_str()), Some("string-width"));
    }

    #[test]
    fn pnpm_keys() {
        assert_eq!(
            pnpm_key("/@babel/runtime/7.18.3_abc", true),
            Some(("@babel/runtime", "7.18.3"))
        );
        assert_eq!(
            pnpm_key("/@babel/runtime@7.22.3(react@18.0.0)", false),
            Some(("@babel/runtime", "7.22.3"))
        );
        assert_eq!(pnpm_key("debug@4.3.4", false), Some(("debug", "4.3.4")));
    }
}
