//! Ruby: `Gemfile.lock` and installed `specifications/*.gemspec`.

use std::collections::HashSet;

use crate::limits::Cx;
use crate::{LangEcosystem, LangError, LangPackage};

fn pkg(name: &str, version: &str) -> LangPackage {
    LangPackage::new(LangEcosystem::RubyGems, name, version)
}

/// Drops a platform suffix: `nokogiri (1.13.10-x86_64-linux)` is nokogiri 1.13.10 (RubyGems
/// versions use `.` for pre-releases, so a `-` starts the platform); the purl keeps it as
/// `?platform=x86_64-linux`.
fn strip_platform(version: &str) -> &str {
    version.split('-').next().unwrap_or(version)
}

/// `Gemfile.lock`: every `specs:` block (GEM, GIT, PATH, PLUGIN SOURCE) lists resolved gems
/// at four spaces of indent; six-space lines are their dependencies. DEPENDENCIES names the
/// direct ones.
pub(crate) fn gemfile_lock(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let text = cx.lossy(bytes);
    let mut out = Vec::new();
    let mut direct: HashSet<String> = HashSet::new();
    let mut section = "";
    let mut in_specs = false;
    for line in text.lines() {
        cx.check_entries(out.len().saturating_add(direct.len()))?;
        let line = line.trim_end();
        if line.is_empty() {
            in_specs = false;
            continue;
        }
        if !line.starts_with(' ') {
            section = line;
            in_specs = false;
            continue;
        }
        if line == "  specs:" {
            in_specs = true;
            continue;
        }
        if section == "DEPENDENCIES" {
            if let Some(rest) = line.strip_prefix("  ").filter(|r| !r.starts_with(' ')) {
                let name = rest.split([' ', '!']).next().unwrap_or(rest);
                direct.insert(name.to_owned());
            }
            continue;
        }
        if !in_specs {
            continue;
        }
        let Some(spec) = line.strip_prefix("    ").filter(|r| !r.starts_with(' ')) else {
            continue;
        };
        let Some((name, rest)) = spec.split_once(" (") else {
            continue;
        };
        let Some(version) = rest.strip_suffix(')') else {
            continue;
        };
        let full = version.trim();
        let version = strip_platform(full);
        if !name.is_empty() && !version.is_empty() {
            let mut p = pkg(name, version);
            // The platform goes into the purl, as purl-spec's `platform` qualifier.
            if let Some(platform) = full.get(version.len()..).and_then(|r| r.strip_prefix('-'))
                && let Some(purl) =
                    crate::purl_parts("gem", None, name, Some(version), &[("platform", platform)])
            {
                p.purl = purl;
            }
            out.push(p);
        }
    }
    if !direct.is_empty() {
        for p in &mut out {
            p.direct = Some(direct.contains(&p.name));
        }
    }
    Ok(out)
}

/// An installed gemspec (`specifications/name-1.0.gemspec`), as RubyGems writes it:
/// `s.name = "x".freeze`, `s.version = "1.2"`, `s.licenses = ["MIT".freeze]`. Read with
/// simple line matching, as Syft does; a gemspec is Ruby code and is never evaluated.
pub(crate) fn gemspec(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    let text = cx.lossy(bytes);
    let mut name = None;
    let mut version = None;
    let mut licenses = Vec::new();
    for line in text.lines() {
        cx.check_entries(licenses.len())?;
        let line = line.trim();
        let Some((lhs, rhs)) = line.split_once('=') else {
            continue;
        };
        let Some((_, attr)) = lhs.trim().rsplit_once('.') else {
            continue;
        };
        let strings = quoted(rhs);
        match attr.trim() {
            "name" if name.is_none() => name = strings.into_iter().next(),
            "version" if version.is_none() => version = strings.into_iter().next(),
            "license" | "licenses" if licenses.is_empty() => licenses = strings,
            _ => {}
        }
    }
    let (Some(name), Some(version)) = (name, version) else {
        return Err(cx.format("gemspec without name and version"));
    };
    let mut p = pkg(&name, &version);
    p.licenses = licenses;
    Ok(vec![p])
}

/// The string literals (`"..."` or `'...'`) in a Ruby expression.
fn quoted(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find(['"', '\'']) {
        let Some(q) = rest.get(start..).and_then(|r| r.chars().next()) else {
            break;
        };
        let Some(after) = rest.get(start + 1..) else {
            break;
        };
        let Some(end) = after.find(q) else {
            break;
        };
        if let Some(lit) = after.get(..end).filter(|l| !l.is_empty()) {
            out.push(lit.to_owned());
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out
}
