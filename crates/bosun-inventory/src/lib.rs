//! The inventory of an image: its OS, its layers, the packages it carries and what went wrong
//! while reading it.
//!
//! The inventory is the pivot of bosun: catalogers produce it, SBOM readers rebuild it, the
//! matcher and the reporters consume it. It holds plain data only, so that every crate can
//! depend on it without pulling in any parser.
//!
//! ```
//! use bosun_inventory::{Inventory, Package, PackageType, LayerRef};
//! let mut inv = Inventory::default();
//! inv.packages.push(Package {
//!     name: "zlib".into(),
//!     version: "1.3.1-r0".into(),
//!     package_type: PackageType::Apk,
//!     ..Package::default()
//! });
//! assert_eq!(inv.packages[0].layer, LayerRef::default());
//! ```

use serde::{Deserialize, Serialize};

pub mod vuln;
pub use vuln::{Severity, Suppression, Vulnerability};

/// Everything bosun learned about one image (or root filesystem, or SBOM).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// What was scanned.
    pub source: SourceInfo,
    /// The operating system of the final filesystem, when one was recognized.
    pub os: Option<OsInfo>,
    /// Layers bottom (index 0) to top. A root filesystem directory is one layer without digests.
    pub layers: Vec<Layer>,
    /// Packages present in the final filesystem, sorted by (type, name, version, location).
    pub packages: Vec<Package>,
    /// Problems met while reading: a corrupt database, a skipped file, an unsupported format.
    pub diagnostics: Vec<Diagnostic>,
    /// Secrets found in any layer (also ones deleted later) or in the image config.
    #[serde(default)]
    pub secrets: Vec<SecretFinding>,
    /// Risky image configuration.
    #[serde(default)]
    pub misconfigurations: Vec<Misconfiguration>,
    /// Known vulnerabilities of the packages, one per vulnerability per package.
    #[serde(default)]
    pub vulnerabilities: Vec<Vulnerability>,
    /// The base image, when identified.
    #[serde(default)]
    pub base: Option<BaseImage>,
}

/// A secret found in a layer file or in the image config. The secret itself is never kept:
/// only a masked prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretFinding {
    /// Rule id (`aws-access-key-id`, `github-pat`, a custom rule's id).
    pub rule_id: String,
    /// Rule title.
    pub title: String,
    /// `CRITICAL`, `HIGH`, `MEDIUM` or `LOW`.
    pub severity: String,
    /// Rule family (`AWS`, `GitHub`, `General`...).
    pub category: String,
    /// Absolute path in the image, or `config:Env`, `config:Labels`, `config:history[N]`.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based byte column.
    pub column: usize,
    /// The match with all but a short prefix masked.
    pub match_masked: String,
    /// The layer whose file holds it; `None` for the image config.
    #[serde(default)]
    pub layer: Option<LayerRef>,
    /// Whether the file is still visible in the final filesystem. A secret deleted by a later
    /// layer is still in the image: anyone who pulls it can read that layer.
    #[serde(default)]
    pub in_final: bool,
    /// Set when an exception suppresses the finding; it stays in the report, marked.
    #[serde(default)]
    pub suppressed: Option<Suppression>,
}

/// A risky setting of the image config or final filesystem.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Misconfiguration {
    /// Rule id, `BOSUN-CFG-nnn`.
    pub id: String,
    /// `CRITICAL`, `HIGH`, `MEDIUM` or `LOW`.
    pub severity: String,
    /// Rule title.
    pub title: String,
    /// What was found in this image.
    pub message: String,
    /// How to fix it.
    pub resolution: String,
    /// The config entry or path that shows it (secret values masked).
    pub evidence: String,
    /// Set when an exception suppresses the finding; it stays in the report, marked.
    #[serde(default)]
    pub suppressed: Option<Suppression>,
}

/// The scanned artifact.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// `docker-archive`, `oci-archive`, `oci-dir`, `dir`, `registry` or `sbom`.
    pub kind: String,
    /// What the user gave (a path or a reference).
    pub name: String,
    /// Digest of the image config (`sha256:...`), the image ID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// Digest of the manifest, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest_digest: Option<String>,
    /// Tags the archive or index records for the image (`repo:tag`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repo_tags: Vec<String>,
    /// `os/architecture[/variant]` from the image config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
}

/// The operating system, from `os-release` or its fallbacks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsInfo {
    /// `ID` (`debian`, `alpine`, `rhel`, `sles`, `mariner`, `amzn`...).
    pub id: String,
    /// `VERSION_ID` (`12`, `3.20.3`, `2.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// `VERSION_CODENAME` (`bookworm`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub codename: Option<String>,
    /// `PRETTY_NAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretty_name: Option<String>,
    /// `ID_LIKE`, split on whitespace.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_like: Vec<String>,
    /// The file the answer came from (`etc/os-release`, `etc/alpine-release`...).
    pub source_file: String,
}

/// One layer of the image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Layer {
    /// Position from the bottom, 0 for the base layer.
    pub index: usize,
    /// Digest of the blob as stored (compressed), `sha256:...`.
    #[serde(default)]
    pub digest: Option<String>,
    /// Digest of the uncompressed tar, from the config's `rootfs.diff_ids`.
    #[serde(default)]
    pub diff_id: Option<String>,
    /// Media type of the blob, where the manifest gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Size of the blob in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The history line that made the layer (`created_by`).
    #[serde(default)]
    pub created_by: Option<String>,
}

/// A reference from a finding or package to the layer that introduced it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LayerRef {
    /// Position from the bottom, 0 for the base layer.
    pub index: usize,
    /// The layer's diff_id; `None` for a root filesystem directory.
    pub diff_id: Option<String>,
    /// Whether the layer comes from the base image or was added on top, once the base image
    /// is known.
    #[serde(default)]
    pub role: Option<LayerRole>,
}

/// Which part of the image a layer belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LayerRole {
    /// A layer of the base image (`FROM`).
    Base,
    /// A layer the image's own build added.
    App,
}

/// The image this one was built `FROM`, and how bosun knows.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseImage {
    /// `repository:tag` or `repository`, when known.
    #[serde(default)]
    pub name: Option<String>,
    /// Its manifest digest, when known.
    #[serde(default)]
    pub digest: Option<String>,
    /// How many layers, from the bottom, are the base image's.
    pub layers: usize,
    /// `annotation` (OCI base annotations or labels), `layer_chain` (a known base image's
    /// layers are a prefix of this one's) or `history` (the build history's first stage).
    pub method: String,
    /// `high`, `medium` or `low`.
    pub confidence: String,
    /// Newer images of the same repository that the catalog of known base images holds, and
    /// what rebuilding on each would change in this image's base-layer findings.
    #[serde(default)]
    pub upgrades: Vec<BaseUpgrade>,
}

/// What moving to another image of the base's repository would change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseUpgrade {
    /// The candidate, `repository:tag`.
    pub name: String,
    /// Its manifest digest, when known.
    #[serde(default)]
    pub digest: Option<String>,
    /// Open base-layer findings (vulnerability id and package) the candidate no longer has.
    pub fixes: usize,
    /// `fixes` per severity (`CRITICAL`, `HIGH`...; zeros left out).
    pub fixes_by_severity: std::collections::BTreeMap<Severity, usize>,
    /// Findings the candidate has that this image's base layers do not.
    pub adds: usize,
}

/// The kind of package, which says which database or manifest it came from. Serialized as
/// its purl type.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub enum PackageType {
    /// A Debian package from the dpkg database.
    #[default]
    #[serde(rename = "deb")]
    Deb,
    /// An Alpine (or Wolfi, Chainguard) package from the apk database.
    #[serde(rename = "apk")]
    Apk,
    /// An RPM package from the rpm database.
    #[serde(rename = "rpm")]
    Rpm,
    /// A Python distribution (installed metadata or a lockfile).
    #[serde(rename = "pypi")]
    Python,
    /// An npm package (installed `package.json` or a lockfile).
    #[serde(rename = "npm")]
    Npm,
    /// A Maven artifact.
    #[serde(rename = "maven")]
    Maven,
    /// A Ruby gem.
    #[serde(rename = "gem")]
    Gem,
    /// A PHP Composer package.
    #[serde(rename = "composer")]
    Composer,
    /// A .NET NuGet package.
    #[serde(rename = "nuget")]
    NuGet,
    /// A Rust crate.
    #[serde(rename = "cargo")]
    Cargo,
    /// A Go module.
    #[serde(rename = "golang")]
    Go,
    /// Software identified from its files rather than a package manager: a language runtime
    /// (CPython, Node.js, OpenJDK, Go) installed from a tarball or built from source.
    #[serde(rename = "generic")]
    Generic,
}

impl PackageType {
    /// Every package type.
    pub const ALL: [PackageType; 12] = [
        PackageType::Deb,
        PackageType::Apk,
        PackageType::Rpm,
        PackageType::Python,
        PackageType::Npm,
        PackageType::Maven,
        PackageType::Gem,
        PackageType::Composer,
        PackageType::NuGet,
        PackageType::Cargo,
        PackageType::Go,
        PackageType::Generic,
    ];

    /// The purl type of packages of this kind.
    #[must_use]
    pub fn purl_type(self) -> &'static str {
        match self {
            PackageType::Deb => "deb",
            PackageType::Apk => "apk",
            PackageType::Rpm => "rpm",
            PackageType::Python => "pypi",
            PackageType::Npm => "npm",
            PackageType::Maven => "maven",
            PackageType::Gem => "gem",
            PackageType::Composer => "composer",
            PackageType::NuGet => "nuget",
            PackageType::Cargo => "cargo",
            PackageType::Go => "golang",
            PackageType::Generic => "generic",
        }
    }

    /// The package type of a purl type, if bosun knows it.
    #[must_use]
    pub fn from_purl_type(ty: &str) -> Option<PackageType> {
        PackageType::ALL.into_iter().find(|t| t.purl_type() == ty)
    }

    /// Whether packages of this kind belong to the operating system (a distro's package
    /// manager), rather than to an application.
    #[must_use]
    pub fn is_os(self) -> bool {
        matches!(self, PackageType::Deb | PackageType::Apk | PackageType::Rpm)
    }
}

/// One installed (or locked) package.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Name as the package manager knows it.
    pub name: String,
    /// Full version as the package manager orders it: dpkg `[epoch:]upstream[-revision]`,
    /// apk `1.2.3-r0`, rpm `[epoch:]version-release`.
    pub version: String,
    /// Which package manager.
    #[serde(rename = "type")]
    pub package_type: PackageType,
    /// Package URL (purl-spec).
    pub purl: String,
    /// The OSV ecosystem the package is matched in (`Debian:12`, `Alpine:v3.20`, `Red Hat`).
    #[serde(default)]
    pub ecosystem: Option<String>,
    /// Architecture (`amd64`, `x86_64`, `noarch`, `all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Source package name (dpkg `Source:`, apk origin, rpm source rpm name).
    #[serde(default)]
    pub source_name: Option<String>,
    /// Source package version, when it differs from or is known besides the binary version.
    #[serde(default)]
    pub source_version: Option<String>,
    /// License expressions or names, as declared.
    #[serde(default)]
    pub licenses: Vec<String>,
    /// The layer that introduced the package.
    pub layer: LayerRef,
    /// Where the package was found: the database or manifest file (absolute path in the image).
    #[serde(default)]
    pub locations: Vec<String>,
    /// Files the package owns (absolute paths in the image), where the database lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// Vendor or maintainer, where recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// A development-only dependency (a lockfile's dev group); left out of matching by default.
    #[serde(default)]
    pub dev: bool,
    /// Whether the package's code is loaded in the final image: `Some(true)` when it ships
    /// an executable, or a shared library some executable of the final filesystem links
    /// (through `DT_NEEDED`, transitively); for language packages, when their installed files
    /// are present in the final view. `Some(false)` when it is not loaded (an OS package whose
    /// shared libraries nothing links, a language package known only from a lockfile with no
    /// installed copy). `None` when unknown (no ELF file, or not analyzed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loaded: Option<bool>,
}

/// How bad a diagnostic is.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticLevel {
    /// Informational: something was skipped on purpose.
    Info,
    /// Some results may be missing.
    #[default]
    Warning,
    /// A part of the scan failed; its results are missing.
    Error,
}

/// A problem met while reading the image; the scan carries on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// How bad it is.
    pub level: DiagnosticLevel,
    /// Which part of bosun reported it (`dpkg`, `apk`, `rpm`, `os-release`, `image`...).
    pub source: String,
    /// One line, lowercase, saying what happened.
    pub message: String,
    /// The file concerned, as an absolute path in the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The layer concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layer: Option<LayerRef>,
}

impl Inventory {
    /// The role of layer `index`, once the base image is known.
    #[must_use]
    pub fn layer_role(&self, index: usize) -> Option<LayerRole> {
        self.base.as_ref().map(|b| {
            if index < b.layers {
                LayerRole::Base
            } else {
                LayerRole::App
            }
        })
    }

    /// Records the base image and marks every layer reference (packages, vulnerabilities,
    /// secrets, diagnostics) `base` or `app`.
    pub fn set_base(&mut self, base: Option<BaseImage>) {
        self.base = base;
        let roles: Vec<Option<LayerRole>> = (0..self.layers.len().max(1))
            .map(|i| self.layer_role(i))
            .collect();
        let role = |l: &mut LayerRef| {
            l.role = roles.get(l.index).copied().flatten();
        };
        self.packages.iter_mut().for_each(|p| role(&mut p.layer));
        self.vulnerabilities
            .iter_mut()
            .for_each(|v| role(&mut v.layer));
        self.secrets
            .iter_mut()
            .filter_map(|s| s.layer.as_mut())
            .for_each(role);
        self.diagnostics
            .iter_mut()
            .filter_map(|d| d.layer.as_mut())
            .for_each(role);
    }

    /// Sort packages into the stable order the reports rely on.
    pub fn sort(&mut self) {
        self.packages.sort_by(|a, b| {
            (a.package_type, &a.name, &a.version, &a.locations).cmp(&(
                b.package_type,
                &b.name,
                &b.version,
                &b.locations,
            ))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_type_serializes_as_purl_type() {
        for t in PackageType::ALL {
            let s = serde_json::to_string(&t).unwrap();
            assert_eq!(s, format!("\"{}\"", t.purl_type()));
            assert_eq!(PackageType::from_purl_type(t.purl_type()), Some(t));
        }
        assert_eq!(PackageType::from_purl_type("bitbucket"), None);
    }

    #[test]
    fn sort_orders_by_type_then_name() {
        let pkg = |t, n: &str| Package {
            name: n.into(),
            package_type: t,
            ..Package::default()
        };
        let mut inv = Inventory {
            packages: vec![
                pkg(PackageType::Rpm, "a"),
                pkg(PackageType::Deb, "z"),
                pkg(PackageType::Deb, "b"),
            ],
            ..Inventory::default()
        };
        inv.sort();
        let names: Vec<_> = inv.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["b", "z", "a"]);
    }
}
