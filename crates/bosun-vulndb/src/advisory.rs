//! The advisory model: the subset of an OSV record that matching and reporting need, and its
//! lenient conversion from OSV JSON/YAML (unknown fields ignored, hostile sizes capped).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Most references kept per advisory (reports link a few; the full list stays upstream).
pub const MAX_REFERENCES: usize = 16;
/// Longest identifier accepted (ids, aliases).
const MAX_ID_LEN: usize = 256;

/// One vulnerability advisory (an OSV record, reduced).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// OSV id (`GHSA-...`, `DSA-3029-1`, `ALPINE-CVE-...`).
    pub id: String,
    /// `aliases`: the same vulnerability under other ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// `upstream`: ids this record derives from (OSV 1.6; the Alpine records name their CVE here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upstream: Vec<String>,
    /// `modified` timestamp as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// `published` timestamp as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// `withdrawn` timestamp: the record no longer applies (kept, matchers skip it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<String>,
    /// One-line summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Record-level `severity[]` (CVSS vectors).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Severity>,
    /// Affected packages.
    #[serde(default)]
    pub affected: Vec<Affected>,
    /// `database_specific.severity` (GHSA: `HIGH`, ...), when a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_severity: Option<String>,
    /// Reference URLs (first [`MAX_REFERENCES`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
}

/// One `severity[]` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Severity {
    /// `CVSS_V2`, `CVSS_V3`, `CVSS_V4`, `Ubuntu`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The vector or rating.
    pub score: String,
}

/// One `affected[]` entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// The package.
    pub package: AffectedPackage,
    /// Version ranges (`GIT` ranges are kept out: they never match versions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranges: Vec<Range>,
    /// Exact affected versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// Per-package `severity[]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Severity>,
    /// `ecosystem_specific`, reduced to [`KEPT_SPECIFIC_KEYS`] (Debian `urgency`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecosystem_specific: Option<Value>,
    /// `database_specific`, reduced to [`KEPT_SPECIFIC_KEYS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_specific: Option<Value>,
}

/// The package of an affected entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AffectedPackage {
    /// OSV ecosystem with its release suffix (`Debian:12`, `PyPI`).
    pub ecosystem: String,
    /// Package name as written.
    pub name: String,
    /// Package URL, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
}

/// An `ECOSYSTEM` or `SEMVER` range.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Range {
    /// `ECOSYSTEM` or `SEMVER`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Events in record order.
    pub events: Vec<Event>,
}

/// One range event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Affected from here (`"0"`: from the start).
    Introduced(String),
    /// Fixed in this version.
    Fixed(String),
    /// Last affected version (inclusive).
    LastAffected(String),
    /// Exclusive upper bound.
    Limit(String),
}

impl Advisory {
    /// The record's id, then its aliases and upstream ids (deduplicated, in that order).
    pub fn all_ids(&self) -> Vec<&str> {
        let mut out: Vec<&str> = vec![self.id.as_str()];
        for a in self.aliases.iter().chain(&self.upstream) {
            if !out.contains(&a.as_str()) {
                out.push(a);
            }
        }
        out
    }

    /// Whether the record is withdrawn.
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn.as_deref().is_some_and(|w| !w.is_empty())
    }
}

/// The part of the OSV schema read at import (anything else is ignored).
#[derive(Deserialize)]
pub(crate) struct RawOsv {
    id: String,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    upstream: Option<Vec<String>>,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    severity: Option<Vec<Severity>>,
    #[serde(default)]
    affected: Option<Vec<RawAffected>>,
    #[serde(default)]
    database_specific: Option<Value>,
    #[serde(default)]
    references: Option<Vec<RawReference>>,
}

/// A reference: an OSV `{type, url}` object, or a bare URL (as [`Advisory`] writes them,
/// so exported advisories import again).
#[derive(Deserialize)]
#[serde(untagged)]
enum RawReference {
    Object {
        #[serde(default)]
        url: Option<String>,
    },
    Url(String),
}

#[derive(Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default)]
    ranges: Option<Vec<RawRange>>,
    #[serde(default)]
    versions: Option<Vec<String>>,
    #[serde(default)]
    severity: Option<Vec<Severity>>,
    #[serde(default)]
    ecosystem_specific: Option<Value>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Deserialize)]
struct RawPackage {
    #[serde(default)]
    ecosystem: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    purl: Option<String>,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<RawEvent>,
}

/// Range events as read: `GIT` ranges carry other keys (`repo` beside events is fine, but
/// events are plain maps), so unknown event kinds are tolerated here and dropped later.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum RawEvent {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

impl From<RawEvent> for Event {
    fn from(e: RawEvent) -> Event {
        match e {
            RawEvent::Introduced(s) => Event::Introduced(s),
            RawEvent::Fixed(s) => Event::Fixed(s),
            RawEvent::LastAffected(s) => Event::LastAffected(s),
            RawEvent::Limit(s) => Event::Limit(s),
        }
    }
}

impl RawOsv {
    /// Validates and reduces a record. Documented rejections (the record is skipped and
    /// counted): empty or oversized id; a range (of any type, `GIT` included) with no
    /// `introduced` event (a schema violation osv-linter reports; such a range has no start). Affected entries without a
    /// package (or with an empty name/ecosystem) are dropped, not the whole record: such a
    /// record stays reachable by id and alias but names no package.
    pub(crate) fn into_advisory(self) -> Result<Advisory, String> {
        let id = self.id.trim().to_string();
        if id.is_empty() || id.len() > MAX_ID_LEN {
            return Err("empty or oversized id".into());
        }
        let clean = |v: Option<Vec<String>>| -> Vec<String> {
            let mut v: Vec<String> = v
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty() && s.len() <= MAX_ID_LEN && *s != id)
                .collect();
            v.dedup();
            v
        };
        let mut affected = Vec::new();
        for a in self.affected.unwrap_or_default() {
            let mut ranges = Vec::new();
            for r in a.ranges.unwrap_or_default() {
                if !r
                    .events
                    .iter()
                    .any(|e| matches!(e, RawEvent::Introduced(_)))
                {
                    return Err(format!("{} range without introduced event", r.kind));
                }
                if r.kind != "ECOSYSTEM" && r.kind != "SEMVER" {
                    continue;
                }
                ranges.push(Range {
                    kind: r.kind,
                    events: r.events.into_iter().map(Event::from).collect(),
                });
            }
            let Some(p) = a.package else { continue };
            let (Some(ecosystem), Some(name)) = (p.ecosystem, p.name) else {
                continue;
            };
            if ecosystem.trim().is_empty() || name.trim().is_empty() {
                continue;
            }
            affected.push(Affected {
                package: AffectedPackage {
                    ecosystem: ecosystem.trim().to_string(),
                    name: name.trim().to_string(),
                    purl: p.purl,
                },
                ranges,
                versions: a.versions.unwrap_or_default(),
                severity: a.severity.unwrap_or_default(),
                ecosystem_specific: a.ecosystem_specific.and_then(prune),
                database_specific: a.database_specific.and_then(prune),
            });
        }
        let database_severity = self
            .database_specific
            .as_ref()
            .and_then(|d| d.get("severity"))
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(Advisory {
            aliases: clean(self.aliases),
            upstream: clean(self.upstream),
            id,
            modified: self.modified,
            published: self.published,
            withdrawn: self.withdrawn.filter(|w| !w.is_empty()),
            summary: self.summary,
            severity: self.severity.unwrap_or_default(),
            affected,
            database_severity,
            references: self
                .references
                .unwrap_or_default()
                .into_iter()
                .filter_map(|r| match r {
                    RawReference::Object { url } => url,
                    RawReference::Url(u) => Some(u),
                })
                .take(MAX_REFERENCES)
                .collect(),
        })
    }
}

/// Keys of `ecosystem_specific` / `database_specific` kept: the ones that rate or qualify a
/// fix (the rest, e.g. source paths and CWE lists, is not needed to match and costs time on
/// every lookup).
pub const KEPT_SPECIFIC_KEYS: [&str; 8] = [
    "severity",
    "urgency",
    "priority",
    "status",
    "fix_status",
    "resolution",
    "tag",
    "cvss",
];

fn prune(v: Value) -> Option<Value> {
    let Value::Object(m) = v else { return None };
    let kept: serde_json::Map<String, Value> = m
        .into_iter()
        .filter(|(k, _)| KEPT_SPECIFIC_KEYS.contains(&k.as_str()))
        .collect();
    (!kept.is_empty()).then_some(Value::Object(kept))
}

/// The index key of a package name: PyPI names are compared in PEP 503 normal form
/// (lowercase, runs of `-_.` as one `-`); other ecosystems compare names exactly.
pub fn normalize_name(ecosystem_base: &str, name: &str) -> String {
    if ecosystem_base == "PyPI" {
        bosun_version::pep440::normalize_name(name)
    } else {
        name.to_string()
    }
}

/// `Debian:12` → (`Debian`, `Some("12")`); `PyPI` → (`PyPI`, `None`).
pub fn split_ecosystem(eco: &str) -> (&str, Option<&str>) {
    match eco.split_once(':') {
        Some((b, r)) if !r.is_empty() => (b.trim(), Some(r.trim())),
        Some((b, _)) => (b.trim(), None),
        None => (eco.trim(), None),
    }
}

/// Whether an affected entry's ecosystem applies to a query ecosystem: same base, and either
/// side without a release, or the same release (`Debian` applies to `Debian:12`).
pub fn ecosystem_applies(record: &str, query: &str) -> bool {
    let (rb, rr) = split_ecosystem(record);
    let (qb, qr) = split_ecosystem(query);
    rb == qb
        && match (rr, qr) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
}
