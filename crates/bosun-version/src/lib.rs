//! Version parsing, ordering and OSV range membership for every ecosystem bosun scans.
//!
//! Each ecosystem has its own module with a `Version` type that is `Ord` exactly as the
//! ecosystem's own tool orders versions (dpkg, rpm, apk-tools, pypa/packaging, node-semver,
//! Maven, RubyGems, Go, NuGet, Composer, Cargo). [`Ecosystem`] ties them together and maps OSV
//! ecosystem names; [`osv`] evaluates OSV `affected` ranges; [`npm::Range`] evaluates npm
//! range syntax. Malformed input is a [`VersionError`], never a panic.
//!
//! ```
//! use bosun_version::Ecosystem;
//! use std::cmp::Ordering;
//!
//! let deb = Ecosystem::from_osv("Debian:12").unwrap();
//! assert_eq!(deb.compare("1.2.3-1~deb12u1", "1.2.3-1")?, Ordering::Less);
//! assert!(Ecosystem::Pep440.parse("1.0rc1")? < Ecosystem::Pep440.parse("1.0")?);
//! # Ok::<(), bosun_version::VersionError>(())
//! ```

pub mod apk;
pub mod cargo;
pub mod composer;
pub mod dpkg;
mod fuzz;
pub mod go;
pub mod maven;
pub mod npm;
pub mod nuget;
mod num;
pub mod osv;
pub mod pep440;
pub mod rpm;
pub mod rubygems;
pub mod semver;

pub use fuzz::fuzz_one;
pub use num::Num;

use std::cmp::Ordering;

/// Longest version string accepted (bounds work on hostile input).
pub const MAX_VERSION_LEN: usize = 1024;

/// Errors of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// A version string the ecosystem rejects.
    #[error("invalid {ecosystem} version {input:?}: {reason}")]
    Invalid {
        /// Ecosystem name.
        ecosystem: &'static str,
        /// The input (cut to 80 characters).
        input: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A version longer than [`MAX_VERSION_LEN`].
    #[error("version too long: {len} bytes (max {MAX_VERSION_LEN})")]
    TooLong {
        /// Its length.
        len: usize,
    },
    /// A malformed npm range.
    #[error("invalid npm range {input:?}: {reason}")]
    Range {
        /// The input (cut to 80 characters).
        input: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// An OSV range that cannot be evaluated.
    #[error("invalid osv range: {reason}")]
    Osv {
        /// What is wrong.
        reason: &'static str,
    },
    /// Versions of two different ecosystems compared.
    #[error("cannot compare a {0:?} version with a {1:?} version")]
    Mismatch(Ecosystem, Ecosystem),
}

fn cut(s: &str) -> String {
    s.chars().take(80).collect()
}

impl VersionError {
    pub(crate) fn invalid(ecosystem: &'static str, input: &str, reason: &'static str) -> Self {
        VersionError::Invalid {
            ecosystem,
            input: cut(input),
            reason,
        }
    }
    pub(crate) fn range(input: &str, reason: &'static str) -> Self {
        VersionError::Range {
            input: cut(input),
            reason,
        }
    }
}

/// A version-ordering scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    /// Debian, Ubuntu (dpkg).
    Dpkg,
    /// Red Hat family, SUSE, Mariner, Amazon Linux (rpm).
    Rpm,
    /// Alpine, Wolfi, Chainguard (apk-tools).
    Apk,
    /// PyPI (PEP 440).
    Pep440,
    /// Plain SemVer 2.0 (OSV `SEMVER` ranges).
    Semver,
    /// npm (node-semver).
    Npm,
    /// Maven.
    Maven,
    /// RubyGems.
    RubyGems,
    /// Go modules.
    Go,
    /// NuGet.
    NuGet,
    /// Packagist (Composer).
    Composer,
    /// crates.io (Cargo's SemVer).
    Cargo,
}

impl Ecosystem {
    /// Every ecosystem.
    pub const ALL: [Ecosystem; 12] = [
        Ecosystem::Dpkg,
        Ecosystem::Rpm,
        Ecosystem::Apk,
        Ecosystem::Pep440,
        Ecosystem::Semver,
        Ecosystem::Npm,
        Ecosystem::Maven,
        Ecosystem::RubyGems,
        Ecosystem::Go,
        Ecosystem::NuGet,
        Ecosystem::Composer,
        Ecosystem::Cargo,
    ];

    /// Maps an OSV `affected[].package.ecosystem` value (with or without `:release` suffix).
    pub fn from_osv(name: &str) -> Option<Ecosystem> {
        let base = name.split(':').next().unwrap_or(name).trim();
        Some(match base {
            "Debian" | "Ubuntu" | "Linux Mint" | "Echo" => Ecosystem::Dpkg,
            "Alpine"
            | "Wolfi"
            | "Chainguard"
            | "Alpaquita"
            | "BellSoft Hardened Containers"
            | "MinimOS" => Ecosystem::Apk,
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "SUSE" | "openSUSE" | "Mariner"
            | "Azure Linux" | "Amazon Linux" | "openEuler" | "Photon OS" | "Oracle Linux"
            | "CentOS" | "Fedora" => Ecosystem::Rpm,
            "PyPI" => Ecosystem::Pep440,
            "npm" => Ecosystem::Npm,
            "Maven" => Ecosystem::Maven,
            "RubyGems" => Ecosystem::RubyGems,
            "Go" => Ecosystem::Go,
            "NuGet" => Ecosystem::NuGet,
            "Packagist" => Ecosystem::Composer,
            "crates.io" => Ecosystem::Cargo,
            "Hex" | "Pub" | "SwiftURL" | "Bitnami" => Ecosystem::Semver,
            _ => return None,
        })
    }

    /// Parses a version of this ecosystem.
    pub fn parse(&self, s: &str) -> Result<Version, VersionError> {
        if s.len() > MAX_VERSION_LEN {
            return Err(VersionError::TooLong { len: s.len() });
        }
        Ok(match self {
            Ecosystem::Dpkg => Version::Dpkg(dpkg::Version::parse(s)?),
            Ecosystem::Rpm => Version::Rpm(rpm::Version::parse(s)?),
            Ecosystem::Apk => Version::Apk(apk::Version::parse(s)?),
            Ecosystem::Pep440 => Version::Pep440(pep440::Version::parse(s)?),
            Ecosystem::Semver => Version::Semver(semver::Version::parse(s)?),
            Ecosystem::Npm => Version::Npm(npm::Version::parse(s)?),
            Ecosystem::Maven => Version::Maven(maven::Version::parse(s)?),
            Ecosystem::RubyGems => Version::RubyGems(rubygems::Version::parse(s)?),
            Ecosystem::Go => Version::Go(go::Version::parse(s)?),
            Ecosystem::NuGet => Version::NuGet(nuget::Version::parse(s)?),
            Ecosystem::Composer => Version::Composer(composer::Version::parse(s)?),
            Ecosystem::Cargo => Version::Cargo(cargo::Version::parse(s)?),
        })
    }

    /// Parses both and compares them.
    pub fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        Ok(self.parse(a)?.cmp(&self.parse(b)?))
    }
}

/// A parsed version of some ecosystem. Versions of one ecosystem order as that ecosystem's tool
/// does; versions of different ecosystems order by ecosystem first, so the order stays total.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum Version {
    Dpkg(dpkg::Version),
    Rpm(rpm::Version),
    Apk(apk::Version),
    Pep440(pep440::Version),
    Semver(semver::Version),
    Npm(npm::Version),
    Maven(maven::Version),
    RubyGems(rubygems::Version),
    Go(go::Version),
    NuGet(nuget::Version),
    Composer(composer::Version),
    Cargo(cargo::Version),
}

impl Version {
    /// The ecosystem this version belongs to.
    pub fn ecosystem(&self) -> Ecosystem {
        match self {
            Version::Dpkg(_) => Ecosystem::Dpkg,
            Version::Rpm(_) => Ecosystem::Rpm,
            Version::Apk(_) => Ecosystem::Apk,
            Version::Pep440(_) => Ecosystem::Pep440,
            Version::Semver(_) => Ecosystem::Semver,
            Version::Npm(_) => Ecosystem::Npm,
            Version::Maven(_) => Ecosystem::Maven,
            Version::RubyGems(_) => Ecosystem::RubyGems,
            Version::Go(_) => Ecosystem::Go,
            Version::NuGet(_) => Ecosystem::NuGet,
            Version::Composer(_) => Ecosystem::Composer,
            Version::Cargo(_) => Ecosystem::Cargo,
        }
    }

    /// Compares with another version of the same ecosystem; a typed error otherwise.
    pub fn try_cmp(&self, other: &Version) -> Result<Ordering, VersionError> {
        if self.ecosystem() != other.ecosystem() {
            return Err(VersionError::Mismatch(self.ecosystem(), other.ecosystem()));
        }
        Ok(self.cmp(other))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Version::Dpkg(v) => v.fmt(f),
            Version::Rpm(v) => v.fmt(f),
            Version::Apk(v) => v.fmt(f),
            Version::Pep440(v) => v.fmt(f),
            Version::Semver(v) => v.fmt(f),
            Version::Npm(v) => v.fmt(f),
            Version::Maven(v) => v.fmt(f),
            Version::RubyGems(v) => v.fmt(f),
            Version::Go(v) => v.fmt(f),
            Version::NuGet(v) => v.fmt(f),
            Version::Composer(v) => v.fmt(f),
            Version::Cargo(v) => v.fmt(f),
        }
    }
}
