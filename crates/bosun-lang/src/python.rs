//! Python: installed metadata (`METADATA`, `PKG-INFO`), `requirements*.txt`, and the
//! `poetry.lock`, `Pipfile.lock`, `uv.lock` and `pdm.lock` lockfiles.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use serde::Deserialize;

use crate::limits::Cx;
use crate::{LangEcosystem, LangError, LangPackage, Parsed};

fn pkg(name: &str, version: &str) -> LangPackage {
    LangPackage::new(LangEcosystem::PyPI, name, version)
}

/// The comparison key PyPI uses for names (PEP 503): lowercase, runs of `-_.` as one `-`.
pub(crate) fn normalize(name: &str) -> String {
    bosun_version::pep440::normalize_name(name)
}

/// Core metadata (RFC 822 style headers up to the first blank line; the body is the
/// description and is ignored).
pub(crate) fn metadata(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let text = cx.lossy(bytes);
    let mut name = None;
    let mut version = None;
    let mut license = None;
    let mut expression = None;
    let mut classifiers = Vec::new();
    let mut in_license = false;
    let mut license_is_text = false;
    for line in text.lines() {
        cx.check_entries(classifiers.len())?;
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            // A continuation line: a License header that goes on is the license's full text,
            // not its name; classifiers name it better.
            license_is_text |= in_license;
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let key = key.to_ascii_lowercase();
        in_license = key == "license";
        match key.as_str() {
            "name" => name = Some(value.to_owned()),
            "version" => version = Some(value.to_owned()),
            "license" => license = Some(value.to_owned()),
            "license-expression" => expression = Some(value.to_owned()),
            "classifier" => {
                if let Some(rest) = value.strip_prefix("License ::") {
                    let last = rest.rsplit("::").next().unwrap_or(rest).trim();
                    if !last.is_empty() && last != "OSI Approved" {
                        classifiers.push(last.to_owned());
                    }
                }
            }
            _ => {}
        }
    }
    let (Some(name), Some(version)) = (name, version) else {
        return Err(cx.format("no Name and Version headers"));
    };
    let mut p = pkg(&name, &version);
    p.licenses = if let Some(e) = expression.filter(|e| !e.is_empty()) {
        vec![e]
    } else if let Some(l) = license.filter(|l| {
        !license_is_text && !l.is_empty() && l.len() <= 200 && !l.eq_ignore_ascii_case("UNKNOWN")
    }) {
        vec![l]
    } else {
        classifiers
    };
    Ok(vec![p])
}

/// `requirements*.txt`: only exactly pinned requirements (`name==1.0` or `name===1.0`) name
/// a version, so only those become packages, as in Trivy and osv-scalibr. `-r`/`-c` includes
/// are returned for the caller to resolve.
pub(crate) fn requirements(cx: &Cx<'_>, bytes: &[u8]) -> Result<Parsed, LangError> {
    // Windows tools (PowerShell's `pip freeze > requirements.txt`) write UTF-16LE.
    let text = match bytes.strip_prefix(b"\xff\xfe") {
        Some(utf16) => {
            let units: Vec<u16> = utf16
                .chunks_exact(2)
                .map(|c| {
                    u16::from_le_bytes([
                        c.first().copied().unwrap_or(0),
                        c.get(1).copied().unwrap_or(0),
                    ])
                })
                .collect();
            std::borrow::Cow::Owned(String::from_utf16_lossy(&units))
        }
        None => cx.lossy(bytes),
    };
    let mut out = Parsed::default();
    // Backslash-newline continues a line.
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    for raw in joined.lines() {
        cx.check_entries(
            out.packages
                .len()
                .saturating_add(out.unresolved_includes.len()),
        )?;
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line
            .strip_prefix("-r")
            .or_else(|| line.strip_prefix("--requirement"))
            .or_else(|| line.strip_prefix("-c"))
            .or_else(|| line.strip_prefix("--constraint"))
        {
            let target = rest.trim_start_matches('=').trim();
            if !target.is_empty() {
                out.unresolved_includes.push(target.to_owned());
            }
            continue;
        }
        if line.starts_with('-') {
            continue; // --index-url, -e ., --hash on its own line, ...
        }
        // Per-requirement options (`--hash=...`, `-C x`: whitespace then a dash) and
        // environment markers (`; python_version < "3"`).
        let req = match line.find([' ', '\t']).and_then(|_| find_option(line)) {
            Some(i) => line.get(..i).unwrap_or(line),
            None => line,
        };
        let req = req.split(';').next().unwrap_or(req).trim();
        let Some((name, version)) = req.split_once("==") else {
            continue;
        };
        let version = version.trim_start_matches('=').trim();
        // `name[extra1,extra2]` and `name @ url` forms.
        let name = name.split('[').next().unwrap_or(name).trim();
        if name.is_empty()
            || version.is_empty()
            || version.contains(['*', ',', ' ', '<', '>', '!', '~'])
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            continue;
        }
        out.packages.push(pkg(name, version));
    }
    Ok(out)
}

/// Where the first per-requirement option starts (whitespace followed by `-`).
fn find_option(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    b.windows(2).position(|w| matches!(w, [b' ' | b'\t', b'-']))
}

/// A `#` starts a comment at line start or after whitespace (not inside a URL fragment).
fn strip_comment(line: &str) -> &str {
    if line.starts_with('#') {
        return "";
    }
    match line.find(" #").or_else(|| line.find("\t#")) {
        Some(i) => line.get(..i).unwrap_or(line),
        None => line,
    }
}

#[derive(Deserialize)]
struct LockPackage {
    name: String,
    #[serde(default)]
    version: Option<String>,
    // poetry v1
    #[serde(default)]
    category: Option<String>,
    // poetry v2 and pdm
    #[serde(default)]
    groups: Option<Vec<String>>,
    // uv
    #[serde(default)]
    source: Option<toml::Table>,
    // uv: arrays of `{ name = ... }`; poetry: a table of constraints (unused).
    #[serde(default)]
    dependencies: Option<toml::Value>,
    #[serde(default, rename = "dev-dependencies")]
    dev_dependencies: Option<toml::Value>,
    #[serde(default, rename = "optional-dependencies")]
    optional_dependencies: Option<toml::Value>,
}

/// The normalized names in a uv dependency list (`[{ name = "x" }]`) or in a table of such
/// lists (`{ dev = [...] }`).
fn uv_names(v: Option<&toml::Value>) -> Vec<String> {
    fn list(v: &toml::Value, out: &mut Vec<String>) {
        if let Some(a) = v.as_array() {
            out.extend(
                a.iter()
                    .filter_map(|d| d.get("name").and_then(toml::Value::as_str))
                    .map(normalize),
            );
        }
    }
    let mut out = Vec::new();
    match v {
        Some(toml::Value::Table(t)) => t.values().for_each(|l| list(l, &mut out)),
        Some(l) => list(l, &mut out),
        None => {}
    }
    out
}

/// `poetry.lock` v1 (`category = "dev"`) and v2 (`groups = [...]`; a package outside the
/// `main` group is dev-only).
pub(crate) fn poetry(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let package: Vec<LockPackage> = cx.toml_packages(bytes)?;
    Ok(package
        .iter()
        .filter_map(|p| {
            let mut out = pkg(&p.name, p.version.as_deref()?);
            out.dev = match (&p.category, &p.groups) {
                (Some(c), _) => c == "dev",
                (None, Some(g)) => !g.iter().any(|g| g == "main"),
                (None, None) => false,
            };
            Some(out)
        })
        .collect())
}

/// `pdm.lock`: `groups` lists the groups needing the package; `default` is the run-time one.
pub(crate) fn pdm(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let package: Vec<LockPackage> = cx.toml_packages(bytes)?;
    Ok(package
        .iter()
        .filter_map(|p| {
            let mut out = pkg(&p.name, p.version.as_deref()?);
            out.dev = p
                .groups
                .as_ref()
                .is_some_and(|g| !g.iter().any(|g| g == "default"));
            Some(out)
        })
        .collect())
}

/// `uv.lock`: the project itself (an editable or virtual source) is not reported; its
/// dependencies are direct, and packages reachable through its dev dependencies but not its
/// run-time ones are dev.
pub(crate) fn uv(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let package: Vec<LockPackage> = cx.toml_packages(bytes)?;
    let is_root = |p: &LockPackage| {
        p.source
            .as_ref()
            .is_some_and(|s| s.contains_key("editable") || s.contains_key("virtual"))
    };
    let by_name: HashMap<String, &LockPackage> =
        package.iter().map(|p| (normalize(&p.name), p)).collect();
    let mut prod_roots = Vec::new();
    let mut dev_roots = Vec::new();
    for root in package.iter().filter(|p| is_root(p)) {
        prod_roots.extend(uv_names(root.dependencies.as_ref()));
        prod_roots.extend(uv_names(root.optional_dependencies.as_ref()));
        dev_roots.extend(uv_names(root.dev_dependencies.as_ref()));
    }
    let has_root = package.iter().any(&is_root);
    let edges = |n: &str| -> Vec<String> {
        by_name
            .get(n)
            .map(|p| {
                let mut d = uv_names(p.dependencies.as_ref());
                d.extend(uv_names(p.optional_dependencies.as_ref()));
                d
            })
            .unwrap_or_default()
    };
    let prod = reachable(&prod_roots, edges);
    let dev_reach = reachable(&dev_roots, edges);
    let direct: HashSet<&String> = prod_roots.iter().chain(dev_roots.iter()).collect();
    Ok(package
        .iter()
        .filter(|p| !is_root(p))
        .filter_map(|p| {
            let mut out = pkg(&p.name, p.version.as_deref()?);
            let key = normalize(&p.name);
            if has_root {
                out.dev = dev_reach.contains(&key) && !prod.contains(&key);
                out.direct = Some(direct.contains(&key));
            }
            Some(out)
        })
        .collect())
}

/// Names reachable from `roots` through `edges`, each visited once (bounded by the number of
/// distinct names).
pub(crate) fn reachable(
    roots: &[String],
    mut edges: impl FnMut(&str) -> Vec<String>,
) -> HashSet<String> {
    let mut seen: HashSet<String> = HashSet::new();
    let mut queue: VecDeque<String> = roots.iter().cloned().collect();
    while let Some(n) = queue.pop_front() {
        if !seen.insert(n.clone()) {
            continue;
        }
        queue.extend(edges(&n).into_iter().filter(|d| !seen.contains(d)));
    }
    seen
}

#[derive(Deserialize)]
struct Pipfile {
    #[serde(default)]
    default: BTreeMap<String, PipfileEntry>,
    #[serde(default)]
    develop: BTreeMap<String, PipfileEntry>,
}

#[derive(Deserialize)]
struct PipfileEntry {
    #[serde(default)]
    version: Option<String>,
}

/// `Pipfile.lock`: `default` is run time, `develop` is dev; only `==` pinned entries (VCS
/// and path entries have no version). A package in both sections is not dev.
pub(crate) fn pipfile(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let lock: Pipfile = cx.json(bytes)?;
    cx.check_entries(lock.default.len().saturating_add(lock.develop.len()))?;
    let mut out = Vec::new();
    for (section, dev) in [(&lock.default, false), (&lock.develop, true)] {
        for (name, entry) in section {
            let Some(v) = entry.version.as_deref().and_then(|v| v.strip_prefix("==")) else {
                continue;
            };
            let mut p = pkg(name, v.trim_start_matches('='));
            p.dev = dev;
            out.push(p);
        }
    }
    Ok(out)
}
