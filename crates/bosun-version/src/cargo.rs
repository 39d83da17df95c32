//! crates.io versions: parsed by the `semver` crate (Cargo's own parser, so exactly the
//! versions crates.io accepts), ordered by SemVer precedence (build metadata ignored, as OSV
//! and the SemVer spec require; the crate's own `Ord` would order metadata lexically).

use crate::VersionError;
use std::cmp::Ordering;

/// A crates.io version.
#[derive(Clone, Debug)]
pub struct Version(pub ::semver::Version);

impl Version {
    /// Parses with the `semver` crate.
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        ::semver::Version::parse(input.trim())
            .map(Version)
            .map_err(|_| VersionError::invalid("cargo", input, "not a semver version"))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp_precedence(&other.0)
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
        self.0.fmt(f)
    }
}
