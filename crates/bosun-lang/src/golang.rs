//! Go: `go.mod`.

use std::collections::HashMap;

use crate::limits::Cx;
use crate::{LangEcosystem, LangError, LangPackage};

/// A `go.mod` line without its comment; also tells whether the comment was `// indirect`.
fn split_comment(line: &str) -> (&str, bool) {
    match line.split_once("//") {
        Some((code, comment)) => (
            code.trim(),
            comment.trim().split(';').next().unwrap_or("").trim() == "indirect",
        ),
        None => (line.trim(), false),
    }
}

/// A module path and, for `replace`, the version it applies to (all versions when `None`).
type ModVersion = (String, Option<String>);

fn unquote(s: &str) -> &str {
    s.trim_matches(['"', '`'])
}

/// `go.mod`: `require` lines (single or in a block), `// indirect` for transitive ones, and
/// `replace` directives applied: a replacement by another module changes the name and
/// version, a replacement by a local directory (`./x`, `../x`, `/x`) drops the requirement
/// (its code is the application's, as Trivy does). The main module and the Go toolchain are
/// not reported. Versions keep Go's `v` prefix.
pub(crate) fn go_mod(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let text = cx.lossy(bytes);
    let mut requires: Vec<(String, String, bool)> = Vec::new();
    // (module, optional version) -> replacement (module, version) or None for a local path.
    let mut replaces: HashMap<ModVersion, Option<(String, String)>> = HashMap::new();
    let mut block: Option<&str> = None;
    // Lines are bounded by the input size; entries by MAX_ENTRIES.
    for raw in text.lines() {
        cx.check_entries(requires.len().saturating_add(replaces.len()))?;
        let (line, indirect) = split_comment(raw);
        if line.is_empty() {
            continue;
        }
        let body = if let Some(b) = block {
            if line == ")" {
                block = None;
                continue;
            }
            Some((b, line))
        } else {
            let (verb, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let rest = rest.trim();
            if rest == "(" {
                block = Some(match verb {
                    "require" => "require",
                    "replace" => "replace",
                    _ => "other",
                });
                continue;
            }
            Some((verb, rest))
        };
        let Some((verb, rest)) = body else { continue };
        match verb {
            "require" => {
                let mut it = rest.split_whitespace();
                if let (Some(m), Some(v)) = (it.next(), it.next()) {
                    requires.push((unquote(m).to_owned(), unquote(v).to_owned(), !indirect));
                }
            }
            "replace" => {
                let Some((old, new)) = rest.split_once("=>") else {
                    continue;
                };
                let mut old = old.split_whitespace();
                let Some(old_mod) = old.next() else { continue };
                let old_ver = old.next().map(|v| unquote(v).to_owned());
                let mut new = new.split_whitespace();
                let Some(new_mod) = new.next().map(unquote) else {
                    continue;
                };
                // No version: the replacement is a directory.
                let target = new
                    .next()
                    .map(|v| (new_mod.to_owned(), unquote(v).to_owned()));
                replaces.insert((unquote(old_mod).to_owned(), old_ver), target);
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (module, version, direct) in requires {
        let replacement = replaces
            .get(&(module.clone(), Some(version.clone())))
            .or_else(|| replaces.get(&(module.clone(), None)));
        let (name, version) = match replacement {
            Some(Some((m, v))) => (m.clone(), v.clone()),
            Some(None) => continue,
            None => (module, version),
        };
        let mut p = LangPackage::new(LangEcosystem::Go, &name, &version);
        p.direct = Some(direct);
        out.push(p);
    }
    Ok(out)
}
