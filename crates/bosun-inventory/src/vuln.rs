//! Vulnerability findings: what the matcher produces and every report reads.

use crate::{LayerRef, LayerRole};
use serde::{Deserialize, Serialize};

/// A qualitative severity, ordered `Unknown < Low < Medium < High < Critical`.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// No rating found.
    #[default]
    Unknown,
    /// Low (also Debian `unimportant`, Ubuntu `negligible`).
    Low,
    /// Medium / moderate.
    Medium,
    /// High / important.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Every severity, highest first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Unknown,
    ];

    /// Maps a vendor rating word (GHSA `MODERATE`, Debian urgency `high`, Red Hat
    /// `Important`, Ubuntu `negligible`, bosun's own `CRITICAL`...); `None` for words that
    /// rate nothing.
    pub fn from_word(w: &str) -> Option<Severity> {
        let w = w.trim().to_ascii_lowercase();
        let w = w.trim_end_matches('*').trim_end_matches(" (no dsa)");
        Some(match w {
            "critical" => Severity::Critical,
            "high" | "important" => Severity::High,
            "medium" | "moderate" => Severity::Medium,
            "low" | "negligible" | "unimportant" | "minor" => Severity::Low,
            "unknown" => Severity::Unknown,
            _ => return None,
        })
    }

    /// The upper-case name (`HIGH`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "UNKNOWN",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One scored CVSS vector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CvssScore {
    /// `4.0`, `3.1`, `3.0` or `2.0`.
    pub version: String,
    /// The vector as written.
    pub vector: String,
    /// Base score (for v4: the CVSS-B/BT/BE/BTE score the vector defines).
    pub score: f64,
}

/// Whether a fix exists.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// A fixed version exists.
    Fixed,
    /// Affected, no fix known.
    #[default]
    Affected,
    /// The distribution decided not to fix it (Debian `unimportant` / `no-dsa` / `ignored`...).
    WillNotFix,
}

impl Status {
    /// The JSON name (`fixed`, `affected`, `will_not_fix`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Fixed => "fixed",
            Status::Affected => "affected",
            Status::WillNotFix => "will_not_fix",
        }
    }
}

/// The package a finding is about.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VulnPackage {
    /// Installed package name.
    pub name: String,
    /// Installed version.
    pub version: String,
    /// Package URL.
    pub purl: String,
    /// OSV ecosystem it was matched in.
    pub ecosystem: String,
    /// Where the package was found: its manifest or database path, when known.
    #[serde(default)]
    pub location: Option<String>,
    /// The name looked up (the source package for dpkg/apk), when it differs.
    #[serde(default)]
    pub matched_name: Option<String>,
    /// The version compared, when it differs (the dpkg source version).
    #[serde(default)]
    pub matched_version: Option<String>,
}

/// CISA KEV data of a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevInfo {
    /// The CVE found in the catalog.
    pub cve: String,
    /// `dateAdded`.
    pub date_added: String,
    /// `dueDate`.
    pub due_date: Option<String>,
    /// `knownRansomwareCampaignUse`.
    pub ransomware: Option<String>,
}

/// EPSS data of a finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpssInfo {
    /// The CVE scored.
    pub cve: String,
    /// Probability of exploitation (0..1).
    pub score: f32,
    /// Percentile (0..1).
    pub percentile: f32,
}

/// One vulnerability in one package.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// Primary id: a CVE when any merged record names one, else the first record id.
    pub id: String,
    /// Every other id of the merged records (record ids, aliases, upstream), sorted.
    pub aliases: Vec<String>,
    /// Summary of the first merged record that has one.
    #[serde(default)]
    pub summary: Option<String>,
    /// Severity.
    pub severity: Severity,
    /// Where it came from: `cvss_v4`, `cvss_v3`, `cvss_v2`, `ghsa`, `debian`, ..., `none`.
    pub severity_source: String,
    /// Scored CVSS vectors, best first.
    #[serde(default)]
    pub cvss: Vec<CvssScore>,
    /// The package.
    pub package: VulnPackage,
    /// Fixed versions from the matching ranges' `fixed` events, sorted, deduplicated.
    #[serde(default)]
    pub fixed_versions: Vec<String>,
    /// Fix status.
    pub status: Status,
    /// The layer that brought the package.
    pub layer: LayerRef,
    /// CISA KEV entry, if any id of the finding is listed.
    #[serde(default)]
    pub kev: Option<KevInfo>,
    /// EPSS score (the highest among the finding's CVEs).
    #[serde(default)]
    pub epss: Option<EpssInfo>,
    /// The advisory records merged into this finding.
    #[serde(default)]
    pub records: Vec<String>,
    /// Set when an exception or a VEX statement suppresses the finding; it stays in the
    /// report, marked.
    #[serde(default)]
    pub suppressed: Option<Suppression>,
    /// What to fix first: the score, its inputs and the reasons (computed by
    /// `bosun-priority` once the base image and the link graph are known).
    #[serde(default)]
    pub priority: Option<Priority>,
}

/// A finding's priority: the score, the inputs it came from, and the reasons in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priority {
    /// `0..=100`, higher first, rounded to one decimal.
    pub score: f32,
    /// What the score was computed from.
    pub inputs: PriorityInputs,
    /// One short sentence per input that moved the score, in the order of the formula.
    pub reasons: Vec<String>,
}

/// The inputs a priority score was computed from, as the report carries them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriorityInputs {
    /// The CVSS base score used (the first, best-ranked vector's score), if any.
    pub cvss: Option<f64>,
    /// The qualitative severity (used when there is no CVSS score).
    pub severity: Severity,
    /// EPSS probability of exploitation in the next 30 days (`0..=1`), if scored.
    pub epss: Option<f32>,
    /// Listed in CISA's Known Exploited Vulnerabilities catalog.
    pub kev: bool,
    /// A fixed version exists.
    pub fixable: bool,
    /// Base or application layer, if known.
    pub layer_role: Option<LayerRole>,
    /// Whether the vulnerable code is loaded, if known.
    pub loaded: Option<bool>,
}

/// Why a finding does not count: an exception or a VEX statement.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// The justification written down (`reason` of an exception, the VEX status and
    /// justification).
    pub reason: String,
    /// Where it comes from: `exceptions:FILE`, `vex:FILE`, `--ignore-unfixed`...
    pub source: String,
    /// The date after which it no longer applies (`YYYY-MM-DD`), if any.
    #[serde(default)]
    pub expires: Option<String>,
}
