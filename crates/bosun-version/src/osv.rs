//! OSV `affected` evaluation (<https://ossf.github.io/osv-schema/>): `ranges` of type
//! `ECOSYSTEM` or `SEMVER` with `introduced` / `fixed` / `last_affected` / `limit` events, plus
//! the exact `versions` list. Events are sorted by version (`introduced: "0"` is the lowest);
//! a version is affected if the sweep over the events at or below it ends in the affected
//! state, i.e. it lies in some `[introduced, fixed)` or `[introduced, last_affected]`; a
//! `limit` caps the range (versions at or above it are not affected). `GIT` ranges name
//! commits, not versions, and never match here.
//!
//! ```
//! use bosun_version::{Ecosystem, osv::{Event, Range, RangeType}};
//! let r = Range::new(RangeType::Ecosystem, vec![
//!     Event::Introduced("0".into()),
//!     Event::Fixed("1.2.3-4".into()),
//! ]);
//! assert!(r.affects(Ecosystem::Dpkg, "1.2.3-3")?);
//! assert!(!r.affects(Ecosystem::Dpkg, "1.2.3-4")?);
//! # Ok::<(), bosun_version::VersionError>(())
//! ```

use crate::{Ecosystem, Version, VersionError};
use serde::Deserialize;
use std::cmp::Ordering;

/// The range `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum RangeType {
    /// SemVer 2.0 versions.
    #[serde(rename = "SEMVER")]
    Semver,
    /// The package ecosystem's own versions.
    #[serde(rename = "ECOSYSTEM")]
    Ecosystem,
    /// Git commits.
    #[serde(rename = "GIT")]
    Git,
    /// A type this crate does not know.
    #[serde(other)]
    Other,
}

/// One range event.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Affected from this version on (`"0"`: from the start).
    Introduced(String),
    /// Fixed in this version (not affected from here).
    Fixed(String),
    /// Last affected version (inclusive).
    LastAffected(String),
    /// Upper bound of the range (exclusive; `"*"`: none).
    Limit(String),
}

/// One `affected[].ranges[]` entry.
#[derive(Clone, Debug, Deserialize)]
pub struct Range {
    /// The range type.
    #[serde(rename = "type")]
    pub kind: RangeType,
    /// The events, in any order.
    #[serde(default)]
    pub events: Vec<Event>,
}

/// The package an `affected` entry names.
#[derive(Clone, Debug, Deserialize)]
pub struct Package {
    /// OSV ecosystem (`Debian:12`, `PyPI`, ...).
    #[serde(default)]
    pub ecosystem: String,
    /// Package name.
    #[serde(default)]
    pub name: String,
}

/// One `affected[]` entry.
#[derive(Clone, Debug, Deserialize)]
pub struct Affected {
    /// The package.
    pub package: Option<Package>,
    /// Version ranges.
    #[serde(default)]
    pub ranges: Vec<Range>,
    /// Exact affected versions.
    #[serde(default)]
    pub versions: Vec<String>,
}

/// Event bound: `Min` for introduced "0", `Max` for limit "*".
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Bound {
    Min,
    At(Version),
    Max,
}

/// Most events one range may have (hostile input bound).
const MAX_EVENTS: usize = 10_000;

impl Range {
    /// Builds a range.
    pub fn new(kind: RangeType, events: Vec<Event>) -> Range {
        Range { kind, events }
    }

    /// Whether `version` (of `eco`; `SEMVER` ranges always use SemVer) is in this range.
    pub fn affects(&self, eco: Ecosystem, version: &str) -> Result<bool, VersionError> {
        let eco = match self.kind {
            RangeType::Ecosystem => eco,
            RangeType::Semver => Ecosystem::Semver,
            RangeType::Git | RangeType::Other => return Ok(false),
        };
        let v = eco.parse(version)?;
        self.affects_parsed(eco, &v)
    }

    /// As [`Range::affects`] with a parsed version (of the range's ecosystem).
    pub fn affects_parsed(&self, eco: Ecosystem, v: &Version) -> Result<bool, VersionError> {
        if matches!(self.kind, RangeType::Git | RangeType::Other) {
            return Ok(false);
        }
        if self.events.len() > MAX_EVENTS {
            return Err(VersionError::Osv {
                reason: "too many events",
            });
        }
        if !self
            .events
            .iter()
            .any(|e| matches!(e, Event::Introduced(_)))
        {
            return Err(VersionError::Osv {
                reason: "range without introduced event",
            });
        }
        let mut evs: Vec<(Bound, &Event)> = Vec::with_capacity(self.events.len());
        for e in &self.events {
            let b = match e {
                Event::Introduced(s) if s == "0" => Bound::Min,
                Event::Limit(s) if s == "*" => Bound::Max,
                Event::Introduced(s)
                | Event::Fixed(s)
                | Event::LastAffected(s)
                | Event::Limit(s) => Bound::At(eco.parse(s)?),
            };
            evs.push((b, e));
        }
        evs.sort_by(|a, b| a.0.cmp(&b.0));
        let here = Bound::At(v.clone());
        let mut affected = false;
        for (b, e) in &evs {
            let o = b.cmp(&here);
            match e {
                Event::Introduced(_) if o != Ordering::Greater => affected = true,
                Event::Fixed(_) if o != Ordering::Greater => affected = false,
                Event::LastAffected(_) if o == Ordering::Less => affected = false,
                Event::Limit(_) if o != Ordering::Greater => affected = false,
                _ => {}
            }
        }
        Ok(affected)
    }
}

impl Affected {
    /// The ecosystem of the package, if known.
    pub fn ecosystem(&self) -> Option<Ecosystem> {
        self.package
            .as_ref()
            .and_then(|p| Ecosystem::from_osv(&p.ecosystem))
    }

    /// Whether `version` is affected, with the package's own ecosystem.
    pub fn affects(&self, version: &str) -> Result<bool, VersionError> {
        let eco = self.ecosystem().ok_or(VersionError::Osv {
            reason: "unknown or missing ecosystem",
        })?;
        self.affects_in(eco, version)
    }

    /// Whether `version` (of `eco`) is in any range or in the `versions` list.
    pub fn affects_in(&self, eco: Ecosystem, version: &str) -> Result<bool, VersionError> {
        if self.versions.iter().any(|v| v == version) {
            return Ok(true);
        }
        for r in &self.ranges {
            if r.affects(eco, version)? {
                return Ok(true);
            }
        }
        if let Ok(v) = eco.parse(version) {
            for listed in &self.versions {
                if eco.parse(listed).is_ok_and(|l| l == v) {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}
