//! SemVer 2.0.0 (<https://semver.org>): `MAJOR.MINOR.PATCH[-pre][+build]`, precedence ignoring
//! build metadata. The base of the npm and Go orderings. Written here rather than taken from
//! the `semver` crate because that crate orders build metadata (Cargo's choice) and npm/Go/OSV
//! need pure precedence and an optional `v` prefix.

use crate::VersionError;
use crate::num::Num;
use std::cmp::Ordering;

/// A pre-release identifier: numeric identifiers sort below alphanumeric ones.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ident {
    /// Digits only, compared by value.
    Num(Num),
    /// Letters, digits and hyphens, compared in ASCII order.
    Alpha(Box<str>),
}

impl std::fmt::Display for Ident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ident::Num(n) => write!(f, "{n}"),
            Ident::Alpha(s) => f.write_str(s),
        }
    }
}

/// A SemVer 2.0 version.
#[derive(Clone, Debug)]
pub struct Version {
    /// Major.
    pub major: u64,
    /// Minor.
    pub minor: u64,
    /// Patch.
    pub patch: u64,
    /// Pre-release identifiers (empty for a release).
    pub pre: Vec<Ident>,
    /// Build metadata identifiers (ignored by ordering).
    pub build: Vec<Box<str>>,
}

pub(crate) fn numeric(s: &str) -> Result<u64, &'static str> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("version number is not numeric");
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err("leading zero in version number");
    }
    s.parse().map_err(|_| "version number too big")
}

fn ident_ok(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

pub(crate) fn parse_pre(s: &str) -> Result<Vec<Ident>, &'static str> {
    s.split('.')
        .map(|id| {
            if !ident_ok(id) {
                return Err("bad pre-release identifier");
            }
            if id.bytes().all(|b| b.is_ascii_digit()) {
                if id.len() > 1 && id.starts_with('0') {
                    return Err("leading zero in numeric pre-release identifier");
                }
                Ok(Ident::Num(Num::parse(id).unwrap_or_else(Num::zero)))
            } else {
                Ok(Ident::Alpha(id.into()))
            }
        })
        .collect()
}

pub(crate) fn parse_build(s: &str) -> Result<Vec<Box<str>>, &'static str> {
    s.split('.')
        .map(|id| {
            if ident_ok(id) {
                Ok(id.into())
            } else {
                Err("bad build identifier")
            }
        })
        .collect()
}

impl Version {
    /// Parses strict SemVer 2.0, with an optional leading `v`.
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        Self::parse_core(input.strip_prefix('v').unwrap_or(input))
            .map_err(|r| VersionError::invalid("semver", input, r))
    }

    pub(crate) fn parse_core(s: &str) -> Result<Version, &'static str> {
        let (rest, build) = match s.split_once('+') {
            Some((r, b)) => (r, parse_build(b)?),
            None => (s, Vec::new()),
        };
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, parse_pre(p)?),
            None => (rest, Vec::new()),
        };
        let mut it = core.split('.');
        let major = numeric(it.next().unwrap_or_default())?;
        let minor = numeric(it.next().ok_or("missing minor version")?)?;
        let patch = numeric(it.next().ok_or("missing patch version")?)?;
        if it.next().is_some() {
            return Err("more than three version numbers");
        }
        Ok(Version {
            major,
            minor,
            patch,
            pre,
            build,
        })
    }

    /// Whether this has pre-release identifiers.
    pub fn is_prerelease(&self) -> bool {
        !self.pre.is_empty()
    }

    pub(crate) fn new(major: u64, minor: u64, patch: u64, pre: Vec<Ident>) -> Version {
        Version {
            major,
            minor,
            patch,
            pre,
            build: Vec::new(),
        }
    }

    /// The version without build metadata, as node-semver's `.version`.
    pub fn precedence_string(&self) -> String {
        let mut s = format!("{}.{}.{}", self.major, self.minor, self.patch);
        for (i, p) in self.pre.iter().enumerate() {
            s.push(if i == 0 { '-' } else { '.' });
            s.push_str(&p.to_string());
        }
        s
    }
}

/// SemVer precedence (build metadata ignored).
pub(crate) fn cmp_precedence(a: &Version, b: &Version) -> Ordering {
    (a.major, a.minor, a.patch)
        .cmp(&(b.major, b.minor, b.patch))
        .then_with(|| match (a.pre.is_empty(), b.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => a.pre.cmp(&b.pre),
        })
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_precedence(self, other)
    }
}
impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Version {}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.precedence_string())?;
        for (i, b) in self.build.iter().enumerate() {
            f.write_str(if i == 0 { "+" } else { "." })?;
            f.write_str(b)?;
        }
        Ok(())
    }
}
