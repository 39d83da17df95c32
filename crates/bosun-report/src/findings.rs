//! What the finding formats (SARIF, GitLab, JUnit, Markdown, HTML) share: severities of every
//! kind of finding, where a finding is in the image, advisory links, stable fingerprints and
//! the order findings are listed in.

use bosun_inventory::vuln::{Severity, Vulnerability};
use bosun_inventory::{Inventory, PackageType};
use sha2::{Digest, Sha256};

/// The severity of a secret or misconfiguration, whose severity is a word.
pub(crate) fn severity_of(word: &str) -> Severity {
    Severity::from_word(word).unwrap_or_default()
}

/// A CVSS-like score standing for a severity when no CVSS score is known: the middle of the
/// band GitHub shows it in (`None` for an unknown severity).
pub(crate) fn score_for(sev: Severity) -> Option<f64> {
    match sev {
        Severity::Critical => Some(9.5),
        Severity::High => Some(8.0),
        Severity::Medium => Some(5.5),
        Severity::Low => Some(2.0),
        Severity::Unknown => None,
    }
}

/// The score of a finding: its best CVSS score when it has one in 0.1..=10, else the score of
/// its severity.
pub(crate) fn vuln_score(v: &Vulnerability) -> Option<f64> {
    v.cvss
        .first()
        .map(|c| c.score)
        .filter(|s| s.is_finite() && *s > 0.0 && *s <= 10.0)
        .or_else(|| score_for(v.severity))
}

/// An `f32` as the JSON number it reads as (`0.91`, not `0.9100000262260437`).
pub(crate) fn f32_json(x: f32) -> serde_json::Value {
    x.to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// A page describing an advisory id.
pub(crate) fn advisory_url(id: &str) -> String {
    let id_enc = encode_path(id);
    if id.starts_with("CVE-") {
        format!("https://nvd.nist.gov/vuln/detail/{id_enc}")
    } else if id.starts_with("GHSA-") {
        format!("https://github.com/advisories/{id_enc}")
    } else {
        format!("https://osv.dev/vulnerability/{id_enc}")
    }
}

/// The purl type of a purl (`deb` of `pkg:deb/debian/bash@5`), empty when it is none.
pub(crate) fn purl_type(purl: &str) -> &str {
    purl.strip_prefix("pkg:")
        .and_then(|r| r.split('/').next())
        .unwrap_or("")
}

/// Whether the finding is about an operating-system package.
pub(crate) fn is_os(v: &Vulnerability) -> bool {
    PackageType::from_purl_type(purl_type(&v.package.purl)).is_some_and(PackageType::is_os)
}

/// The path (relative to the image root, no leading `/`) of the database or manifest that
/// lists the finding's package: its recorded location, else the usual database of its
/// package manager.
pub(crate) fn package_path(v: &Vulnerability) -> Option<String> {
    if let Some(l) = v.package.location.as_deref().filter(|l| !l.is_empty()) {
        return Some(relative(l));
    }
    let db = match purl_type(&v.package.purl) {
        "deb" => "var/lib/dpkg/status",
        "apk" => "lib/apk/db/installed",
        "rpm" => "var/lib/rpm/rpmdb.sqlite",
        _ => return None,
    };
    Some(db.to_owned())
}

/// An image path without its leading slashes.
pub(crate) fn relative(path: &str) -> String {
    path.trim_start_matches('/').to_owned()
}

/// Percent-encode everything but unreserved characters and `/`, so that any path is a valid
/// relative URI reference (a `:` in the first segment would otherwise read as a scheme).
pub(crate) fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A stable fingerprint of a finding: 32 hex digits of a SHA-256 over its identifying parts.
pub(crate) fn fingerprint(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let d = h.finalize();
    hex::encode(d.get(..16).unwrap_or_default())
}

/// At most `max` characters of `s`, with `…` when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// How a finding's fix reads: `fixed in 1.2, 1.3`, `no fix yet`, `will not be fixed`.
pub(crate) fn fix_text(v: &Vulnerability) -> String {
    if v.fixed_versions.is_empty() {
        match v.status {
            bosun_inventory::vuln::Status::WillNotFix => "will not be fixed".to_owned(),
            _ => "no fix yet".to_owned(),
        }
    } else {
        format!("fixed in {}", v.fixed_versions.join(", "))
    }
}

/// The vulnerabilities, most urgent first: by priority where the scan computed one (those
/// with one first), then severity, listed in KEV, EPSS score, then id and package for a
/// stable order.
pub(crate) fn sorted_vulns(inv: &Inventory) -> Vec<&Vulnerability> {
    let mut v: Vec<&Vulnerability> = inv.vulnerabilities.iter().collect();
    v.sort_by(|a, b| {
        bosun_priority::compare_findings(a, b)
            .then_with(|| b.severity.cmp(&a.severity))
            .then_with(|| b.kev.is_some().cmp(&a.kev.is_some()))
            .then_with(|| {
                let ea = a.epss.as_ref().map_or(-1.0, |e| e.score);
                let eb = b.epss.as_ref().map_or(-1.0, |e| e.score);
                eb.total_cmp(&ea)
            })
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.package.name.cmp(&b.package.name))
            .then_with(|| a.package.version.cmp(&b.package.version))
    });
    v
}

/// A one-line title for a finding: its summary, else `ID in PACKAGE`.
pub(crate) fn title(v: &Vulnerability) -> String {
    v.summary
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map_or_else(
            || format!("{} in {}", v.id, v.package.name),
            |s| s.lines().next().unwrap_or(s).to_owned(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_cuts_on_characters() {
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
        assert_eq!(truncate("ééé", 2), "é…");
        assert_eq!(truncate("", 0), "");
    }

    #[test]
    fn encode_path_keeps_paths_relative() {
        assert_eq!(encode_path("alpine:3.20"), "alpine%3A3.20");
        assert_eq!(encode_path("app/a b+c"), "app/a%20b%2Bc");
    }
}
