//! A priority score per vulnerability finding, in `0..=100`, with the inputs it was computed
//! from and the reasons in words.
//!
//! This crate owns the *order in which findings should be worked on*. It combines what the
//! matcher knows about a finding (CVSS base score or qualitative severity, EPSS probability,
//! CISA KEV listing, whether a fix exists) with what the scan knows about where the finding
//! lives (the base image's layers or the application's, and whether the vulnerable code is
//! loaded by any executable of the image). The formula, its weights and the reasons for them
//! are in `PRIORITY.md` next to this crate's `Cargo.toml`, and summed up in [`score`].
//!
//! ```
//! use bosun_inventory::vuln::{EpssInfo, KevInfo, Severity, Status, Vulnerability};
//! use bosun_priority::{FindingContext, LayerRole, prioritize};
//!
//! let mut v = Vulnerability {
//!     id: "CVE-2024-0001".into(),
//!     severity: Severity::High,
//!     status: Status::Fixed,
//!     ..Vulnerability::default()
//! };
//! v.kev = Some(KevInfo {
//!     cve: v.id.clone(),
//!     date_added: "2024-02-01".into(),
//!     due_date: None,
//!     ransomware: None,
//! });
//! let ctx = FindingContext { layer_role: Some(LayerRole::App), loaded: Some(true) };
//! let p = prioritize(&v, &ctx);
//! assert!(p.score >= 40.0, "a KEV finding never scores below 40 while loaded in the app layer");
//! assert!(p.inputs.kev && p.inputs.fixable);
//!
//! // The same finding in a library no executable loads drops far down.
//! let cold = prioritize(&v, &FindingContext { loaded: Some(false), ..ctx });
//! assert!(cold.score < p.score / 2.0);
//! ```
//!
//! Nothing here reads input from outside the process: the functions are total over any
//! [`Vulnerability`] (NaN or out-of-range numbers are clamped or treated as unknown) and
//! never panic.

#![deny(missing_docs)]

use std::cmp::Ordering;

use bosun_inventory::Inventory;
use bosun_inventory::vuln::{Severity, Status, VulnPackage, Vulnerability};
use serde::{Deserialize, Serialize};

pub use bosun_inventory::LayerRole;
pub use bosun_inventory::vuln::{Priority, PriorityInputs};

/// What the scan knows about where a finding lives, beyond the finding itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FindingContext {
    /// Base or application layer; `None` when the base image could not be identified.
    #[serde(default)]
    pub layer_role: Option<LayerRole>,
    /// Whether the package's code is loaded by an executable of the image: `Some(true)` when
    /// it ships an executable or a library some executable links, `Some(false)` when it ships
    /// shared libraries no executable links, `None` when unknown (no ELF files, a language
    /// package, no link analysis run).
    #[serde(default)]
    pub loaded: Option<bool>,
}

/// Weight of the CVSS component in the base (CVSS / 10, or the severity's stand-in).
pub const W_CVSS: f64 = 50.0;
/// Weight of the EPSS component in the base (log-scaled probability).
pub const W_EPSS: f64 = 35.0;
/// Weight of fix availability in the base.
pub const W_FIX: f64 = 15.0;
/// A KEV-listed finding starts here, before context ...
pub const KEV_FLOOR: f64 = 40.0;
/// ... and gains this much per point of base.
pub const KEV_SLOPE: f64 = 0.6;
/// A finding not in KEV gains this much per point of base (so it tops out at 75).
pub const NON_KEV_SLOPE: f64 = 0.75;
/// Multiplier for a finding in an application layer.
pub const M_APP: f64 = 1.0;
/// Multiplier when the layer's role is unknown (halfway between app and base).
pub const M_LAYER_UNKNOWN: f64 = 0.9;
/// Multiplier for a finding in a base image layer.
pub const M_BASE: f64 = 0.8;
/// Multiplier for a package whose code no executable loads.
pub const M_NOT_LOADED: f64 = 0.3;
/// EPSS probability standing in for an unscored finding: about the median of EPSS scores,
/// so that no score at all neither raises nor lowers a finding against a typical one.
pub const EPSS_UNKNOWN: f32 = 0.001;
/// EPSS probabilities at or below this count as 0 on the log scale.
pub const EPSS_FLOOR: f64 = 1e-4;

/// The CVSS base score standing in for a qualitative severity when no vector was scored:
/// the middle of each CVSS v3 band, and 5.0 (neutral) for an unknown severity.
#[must_use]
pub fn severity_stand_in(s: Severity) -> f64 {
    match s {
        Severity::Critical => 9.5,
        Severity::High => 8.0,
        Severity::Medium => 5.5,
        Severity::Low => 2.0,
        Severity::Unknown => 5.0,
    }
}

/// EPSS on a log scale in `0..=1`: `1e-4` or less is 0, `1e-3` is 0.25, `1e-2` is 0.5,
/// `1e-1` is 0.75, `1` is 1. `None` or NaN counts as [`EPSS_UNKNOWN`].
#[must_use]
pub fn epss_component(p: Option<f32>) -> f64 {
    let p = match p {
        Some(p) if !p.is_nan() => f64::from(p).clamp(0.0, 1.0),
        _ => f64::from(EPSS_UNKNOWN),
    };
    if p <= EPSS_FLOOR {
        return 0.0;
    }
    ((p.log10() - EPSS_FLOOR.log10()) / -EPSS_FLOOR.log10()).clamp(0.0, 1.0)
}

/// CVSS in `0..=1`: the score over 10 (clamped), or the severity's stand-in when the score is
/// missing or NaN.
#[must_use]
pub fn cvss_component(cvss: Option<f64>, severity: Severity) -> f64 {
    let c = match cvss {
        Some(c) if !c.is_nan() => c,
        _ => severity_stand_in(severity),
    };
    (c / 10.0).clamp(0.0, 1.0)
}

/// The score of a set of inputs, in `0..=100`, rounded to one decimal.
///
/// ```text
/// base  = 50·cvss/10 + 35·epss_log + 15·fixable                 (0..=100)
/// raw   = kev ? 40 + 0.6·base : 0.75·base                       (KEV 40..=100, else 0..=75)
/// score = raw · layer (app 1.0, unknown 0.9, base 0.8)
///             · loaded (not loaded 0.3, loaded or unknown 1.0)
/// ```
///
/// Every term is non-decreasing in its input and the multipliers are positive, so raising
/// CVSS or EPSS, adding KEV, a fix, or moving from base to app never lowers the score, and
/// `loaded: Some(false)` never raises it.
#[must_use]
pub fn score(inputs: &PriorityInputs) -> f32 {
    let base = W_CVSS * cvss_component(inputs.cvss, inputs.severity)
        + W_EPSS * epss_component(inputs.epss)
        + if inputs.fixable { W_FIX } else { 0.0 };
    let raw = if inputs.kev {
        KEV_FLOOR + KEV_SLOPE * base
    } else {
        NON_KEV_SLOPE * base
    };
    let layer = match inputs.layer_role {
        Some(LayerRole::App) => M_APP,
        Some(LayerRole::Base) => M_BASE,
        None => M_LAYER_UNKNOWN,
    };
    let loaded = if inputs.loaded == Some(false) {
        M_NOT_LOADED
    } else {
        1.0
    };
    let s = (raw * layer * loaded).clamp(0.0, 100.0);
    // One decimal: stable in JSON, and rounding is non-decreasing so order is kept.
    #[allow(clippy::cast_possible_truncation)] // 0..=1000 fits an f32 exactly
    let s = ((s * 10.0).round() / 10.0) as f32;
    s
}

/// The inputs of a finding in its context.
///
/// `cvss` is the score of the first vector (the matcher sorts them best first), clamped to
/// `0..=10`; `epss` is clamped to `0..=1`; NaN counts as missing. `fixable` is true when the
/// status is [`Status::Fixed`] or a fixed version is known.
#[must_use]
pub fn inputs(v: &Vulnerability, ctx: &FindingContext) -> PriorityInputs {
    PriorityInputs {
        cvss: v
            .cvss
            .first()
            .map(|c| c.score)
            .filter(|c| !c.is_nan())
            .map(|c| c.clamp(0.0, 10.0)),
        severity: v.severity,
        epss: v
            .epss
            .as_ref()
            .map(|e| e.score)
            .filter(|e| !e.is_nan())
            .map(|e| e.clamp(0.0, 1.0)),
        kev: v.kev.is_some(),
        fixable: v.status == Status::Fixed || !v.fixed_versions.is_empty(),
        layer_role: ctx.layer_role,
        loaded: ctx.loaded,
    }
}

/// The priority of one finding in its context.
#[must_use]
pub fn prioritize(v: &Vulnerability, ctx: &FindingContext) -> Priority {
    let inputs = inputs(v, ctx);
    let mut reasons = Vec::new();
    if let Some(k) = &v.kev {
        let mut r = format!("listed in CISA KEV since {}", k.date_added);
        if k.ransomware.as_deref() == Some("Known") {
            r.push_str(" (known ransomware use)");
        }
        reasons.push(r);
    }
    match (inputs.cvss, v.cvss.first()) {
        (Some(c), Some(s)) => reasons.push(format!("CVSS {} base score {c:.1}", s.version)),
        _ => reasons.push(format!(
            "no CVSS score: severity {} counts as {:.1}",
            v.severity,
            severity_stand_in(v.severity)
        )),
    }
    match (&v.epss, inputs.epss) {
        (Some(e), Some(p)) => reasons.push(format!(
            "EPSS {:.2}% (percentile {:.0})",
            f64::from(p) * 100.0,
            f64::from(e.percentile) * 100.0
        )),
        _ => reasons.push("no EPSS score: counted as a typical one (0.1%)".into()),
    }
    if inputs.fixable {
        match v.fixed_versions.first() {
            Some(f) => reasons.push(format!("fix available ({f})")),
            None => reasons.push("fix available".into()),
        }
    } else if v.status == Status::WillNotFix {
        reasons.push("no fix: the distribution will not fix it".into());
    } else {
        reasons.push("no fix yet".into());
    }
    match inputs.layer_role {
        Some(LayerRole::App) => reasons.push("in an application layer".into()),
        Some(LayerRole::Base) => reasons.push("in the base image".into()),
        None => {}
    }
    if inputs.loaded == Some(false) {
        reasons.push("not loaded: no executable of the image links its libraries".into());
    }
    Priority {
        score: score(&inputs),
        inputs,
        reasons,
    }
}

/// The order of two priorities, most urgent first: by score, then (ties) KEV, EPSS, CVSS.
/// A total order (NaN-free scores; any NaN is ordered by [`f32::total_cmp`]).
#[must_use]
pub fn compare(a: &Priority, b: &Priority) -> Ordering {
    let cv = |p: &Priority| cvss_component(p.inputs.cvss, p.inputs.severity);
    b.score
        .total_cmp(&a.score)
        .then_with(|| b.inputs.kev.cmp(&a.inputs.kev))
        .then_with(|| epss_component(b.inputs.epss).total_cmp(&epss_component(a.inputs.epss)))
        .then_with(|| cv(b).total_cmp(&cv(a)))
}

/// Computes the priority of every finding of `inv` in its context: the layer role its
/// layer reference carries (set once the base image is known) and whether its package's
/// code is loaded, as `loaded` answers for the finding's package (`None`: unknown).
pub fn assign_with(inv: &mut Inventory, loaded: impl Fn(&VulnPackage) -> Option<bool>) {
    for v in &mut inv.vulnerabilities {
        let ctx = FindingContext {
            layer_role: v.layer.role,
            loaded: loaded(&v.package),
        };
        v.priority = Some(prioritize(v, &ctx));
    }
}

/// The order of two findings by their priorities ([`compare`]), findings with a priority
/// before those without; `Equal` when neither has one.
#[must_use]
pub fn compare_findings(a: &Vulnerability, b: &Vulnerability) -> Ordering {
    match (&a.priority, &b.priority) {
        (Some(x), Some(y)) => compare(x, y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Sorts findings most urgent first; findings without a priority go last, in their order.
pub fn sort_findings(vulns: &mut [Vulnerability]) {
    vulns.sort_by(compare_findings);
}

/// Sorts items most urgent first by the priority `key` returns (a stable sort: equal
/// priorities keep their order, e.g. the matcher's by id).
pub fn sort_by_priority<T>(items: &mut [T], key: impl Fn(&T) -> &Priority) {
    items.sort_by(|a, b| compare(key(a), key(b)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epss_component_is_the_documented_log_scale() {
        for (p, want) in [
            (1e-5_f32, 0.0),
            (1e-4, 0.0),
            (1e-3, 0.25),
            (1e-2, 0.5),
            (1e-1, 0.75),
            (1.0, 1.0),
        ] {
            assert!((epss_component(Some(p)) - want).abs() < 1e-6, "{p}");
        }
        assert_eq!(epss_component(None), epss_component(Some(0.001)));
        assert_eq!(epss_component(Some(f32::NAN)), epss_component(None));
    }
}
