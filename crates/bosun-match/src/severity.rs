//! Severity: CVSS vectors scored with the `cvss` crate (v4.0, v3.1, v3.0, v2.0, highest
//! version preferred), else the ecosystem's own rating, else `UNKNOWN`.

use bosun_inventory::vuln::{CvssScore, Severity};
use bosun_vulndb::{AdvisoryView, AffectedRef};
use serde_json::Value;
use std::str::FromStr;

/// Scores a CVSS vector string; `None` when it does not parse.
pub fn score_vector(vector: &str) -> Option<(CvssScore, Severity)> {
    let v = vector.trim();
    let (version, score, sev) = if v.starts_with("CVSS:4.0/") {
        let s = cvss::v4::Vector::from_str(v).ok()?.score();
        let sev = from_cvss(s.clone().severity());
        ("4.0", s.value(), sev)
    } else if let Some(ver) = ["3.1", "3.0"]
        .into_iter()
        .find(|x| v.starts_with(&format!("CVSS:{x}/")))
    {
        let s = cvss::v3::Vector::from_str(v).ok()?.score();
        (ver, s.value(), from_cvss(s.severity()))
    } else {
        // v2 vectors carry no prefix (`AV:N/AC:L/Au:N/C:P/I:P/A:P`).
        let s = cvss::v2::Vector::from_str(v.trim_start_matches("CVSS:2.0/"))
            .ok()?
            .score();
        // NVD's v2 bands: 0-3.9 low, 4-6.9 medium, 7-10 high.
        let sev = match s.value() {
            x if x >= 7.0 => Severity::High,
            x if x >= 4.0 => Severity::Medium,
            _ => Severity::Low,
        };
        ("2.0", s.value(), sev)
    };
    Some((
        CvssScore {
            version: version.to_string(),
            vector: v.to_string(),
            score,
        },
        sev,
    ))
}

fn from_cvss(s: cvss::Severity) -> Severity {
    match s {
        cvss::Severity::None => Severity::Unknown,
        cvss::Severity::Low => Severity::Low,
        cvss::Severity::Medium => Severity::Medium,
        cvss::Severity::High => Severity::High,
        cvss::Severity::Critical => Severity::Critical,
    }
}

fn version_rank(v: &str) -> u8 {
    match v {
        "4.0" => 4,
        "3.1" => 3,
        "3.0" => 2,
        _ => 1,
    }
}

/// The severity of a finding from its advisories (and the affected entries that matched):
/// `(severity, source, scored vectors)`.
pub(crate) fn assess(
    advisories: &[(&AdvisoryView<'_>, &[AffectedRef<'_>])],
) -> (Severity, String, Vec<CvssScore>) {
    let mut scored: Vec<(CvssScore, Severity)> = Vec::new();
    for (a, affected) in advisories {
        let per_pkg = affected.iter().flat_map(|af| af.severity());
        for s in a.severity().chain(per_pkg) {
            if s.kind.starts_with("CVSS_")
                && let Some(x) = score_vector(s.score)
                && !scored.iter().any(|(c, _)| c.vector == x.0.vector)
            {
                scored.push(x);
            }
        }
    }
    // Highest CVSS version first; within a version, the highest score.
    scored.sort_by(|a, b| {
        version_rank(&b.0.version)
            .cmp(&version_rank(&a.0.version))
            .then(b.0.score.total_cmp(&a.0.score))
    });
    if let Some((c, sev)) = scored.first() {
        let src = match c.version.as_str() {
            "4.0" => "cvss_v4",
            "2.0" => "cvss_v2",
            _ => "cvss_v3",
        };
        let (sev, src) = (*sev, src.to_string());
        return (sev, src, scored.into_iter().map(|(c, _)| c).collect());
    }
    // Vendor ratings: the highest one found, named after the database that gave it.
    let mut best: Option<(Severity, String)> = None;
    let mut consider = |sev: Option<Severity>, src: String| {
        if let Some(sev) = sev
            && best.as_ref().is_none_or(|(b, _)| sev > *b)
        {
            best = Some((sev, src));
        }
    };
    for (a, affected) in advisories {
        if let Some(w) = a.database_severity {
            consider(Severity::from_word(w), source_of(a.id).to_string());
        }
        for af in affected.iter() {
            for s in af.severity() {
                consider(Severity::from_word(s.score), source_of(a.id).to_string());
            }
            for spec in [af.ecosystem_specific, af.database_specific]
                .into_iter()
                .flatten()
                .filter_map(|json| serde_json::from_str::<Value>(json).ok())
            {
                for key in ["severity", "urgency", "priority"] {
                    if let Some(w) = spec.get(key).and_then(Value::as_str) {
                        consider(Severity::from_word(w), source_of(a.id).to_string());
                    }
                }
            }
        }
    }
    match best {
        Some((s, src)) => (s, src, Vec::new()),
        None => (Severity::Unknown, "none".to_string(), Vec::new()),
    }
}

/// Names the database of an advisory id, for `severity_source`.
fn source_of(id: &str) -> &'static str {
    let prefix = id.split('-').next().unwrap_or("");
    match prefix {
        "GHSA" => "ghsa",
        "DSA" | "DLA" | "DTSA" | "DEBIAN" => "debian",
        "USN" | "UBUNTU" => "ubuntu",
        "ALPINE" => "alpine",
        "RHSA" | "RHBA" | "RHEA" => "redhat",
        "SUSE" | "openSUSE" => "suse",
        "GO" => "go",
        "RUSTSEC" => "rustsec",
        "PYSEC" => "pypa",
        _ => "database_specific",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_vulndb::Advisory;

    /// Scores from the CVSS specifications' own examples / FIRST calculators.
    #[test]
    fn vectors_score_per_specification() {
        let (c, s) = score_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").expect("v3");
        assert_eq!(
            (c.version.as_str(), c.score, s),
            ("3.1", 9.8, Severity::Critical)
        );
        let (c, s) = score_vector("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H").expect("v3.0");
        assert_eq!(
            (c.version.as_str(), c.score, s),
            ("3.0", 6.5, Severity::Medium)
        );
        let (c, s) = score_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P").expect("v2");
        assert_eq!(
            (c.version.as_str(), c.score, s),
            ("2.0", 7.5, Severity::High)
        );
        let (c, s) =
            score_vector("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
                .expect("v4");
        assert_eq!(
            (c.version.as_str(), c.score, s),
            ("4.0", 9.3, Severity::Critical)
        );
        assert!(score_vector("CVSS:3.1/garbage").is_none());
        assert!(score_vector("").is_none());
    }

    #[test]
    fn vendor_words_map() {
        assert_eq!(Severity::from_word("MODERATE"), Some(Severity::Medium));
        assert_eq!(Severity::from_word("Important"), Some(Severity::High));
        assert_eq!(Severity::from_word("unimportant"), Some(Severity::Low));
        assert_eq!(Severity::from_word("not yet assigned"), None);
    }

    /// `assess` over one owned advisory with no matched entry.
    fn assess_one(adv: &Advisory) -> (Severity, String, Vec<CvssScore>) {
        let bytes = bosun_vulndb::codec::encode(adv);
        let view = AdvisoryView::parse(&bytes).expect("view");
        assess(&[(&view, &[])])
    }

    #[test]
    fn highest_cvss_version_wins_then_vendor_rating() {
        let adv: Advisory = serde_json::from_value(serde_json::json!({
            "id": "GHSA-aaaa-bbbb-cccc",
            "severity": [
                {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
                {"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:H/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N"}
            ],
            "affected": [],
            "database_severity": "HIGH"
        }))
        .expect("advisory");
        let (s, src, cv) = assess_one(&adv);
        assert_eq!(src, "cvss_v4");
        assert_eq!(cv.len(), 2);
        assert_eq!(cv[0].version, "4.0");
        assert!(s <= Severity::Medium);
        let mut no_cvss = adv.clone();
        no_cvss.severity.clear();
        assert_eq!(assess_one(&no_cvss).0, Severity::High);
        assert_eq!(assess_one(&no_cvss).1, "ghsa");
        no_cvss.database_severity = None;
        assert_eq!(assess_one(&no_cvss).0, Severity::Unknown);
    }
}
