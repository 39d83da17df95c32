//! Parsers for application dependency manifests and lockfiles found in container images.
//!
//! Each parser is a pure function over the file's bytes: no filesystem access, no network.
//! The image walker decides from a path alone whether a file is worth inflating
//! ([`ManifestKind::from_path`]), then hands the bytes to [`parse`] (or [`parse_full`], which
//! also returns what could not be resolved from the file alone, like `-r other.txt` includes).
//!
//! Covered: Python (`METADATA`/`PKG-INFO`, `requirements*.txt`, `poetry.lock`,
//! `Pipfile.lock`, `uv.lock`, `pdm.lock`), JavaScript (installed `package.json`,
//! `package-lock.json` v1–v3, `yarn.lock` v1 and berry, `pnpm-lock.yaml` v5/v6/v9),
//! Ruby (`Gemfile.lock`, installed `*.gemspec`), PHP (`composer.lock`, `installed.json`),
//! .NET (`*.deps.json`, `packages.lock.json`), Rust (`Cargo.lock`), Go (`go.mod`) and Java
//! archives (JAR, WAR, EAR... read recursively from memory, see [`java`]) and bare
//! `META-INF/maven/**/pom.properties`.
//!
//! ```
//! use bosun_lang::{parse, LangEcosystem, ManifestKind};
//!
//! let path = "app/requirements.txt";
//! let kind = ManifestKind::from_path(path).unwrap();
//! let pkgs = parse(kind, path, b"flask==2.0.0  # web\nrequests>=2\n").unwrap();
//! assert_eq!(pkgs.len(), 1);
//! assert_eq!(pkgs[0].ecosystem, LangEcosystem::PyPI);
//! assert_eq!(pkgs[0].purl, "pkg:pypi/flask@2.0.0");
//! ```
//!
//! Conventions (where scanners differ, the choice made here):
//! - Only what names an exact version is a package: `requirements.txt` lines pinned with
//!   `==`/`===` (as Trivy and osv-scalibr), `Pipfile.lock` `==` entries.
//! - The project's own code is not a package: the root and workspace members of npm, yarn
//!   and pnpm locks, local directories (`file:`/`link:`), the `uv.lock` project, Cargo.lock
//!   packages without a `source` (workspace members and path dependencies; Trivy lists them,
//!   but advisory lookups such as cargo-audit's only match registry crates), and Go modules
//!   replaced by a local directory.
//! - Versions are as written: Go keeps its `v` (`v1.2.3`, also in the purl), Composer its
//!   `v1.27.0`; RubyGems platform suffixes (`-x86_64-linux`) are cut from the version and kept
//!   in the purl (`?platform=x86_64-linux`).
//! - Licenses are as written (`"MIT or BSD-2-Clause"` stays one string).
//! - `dev` comes from the file: v5/v6 pnpm and npm `dev` flags, poetry category/groups,
//!   Pipfile `develop`, composer `packages-dev`; for uv and pnpm v9 it is computed as "not
//!   reachable from a run-time dependency of the project".
//! - `direct` is `None` when the file cannot tell (npm v1, yarn v1, poetry, requirements).
//!
//! Hostile input: every parser bounds the number of entries ([`MAX_ENTRIES`]) and the nesting
//! depth ([`MAX_DEPTH`]) and returns a [`LangError`] instead of panicking.

mod dotnet;
mod golang;
pub mod java;
mod javascript;
mod limits;
mod php;
mod python;
mod ruby;
mod rust;

pub use limits::{MAX_DEPTH, MAX_ENTRIES, MAX_INPUT_BYTES};

/// The package ecosystem a dependency belongs to (the purl type follows from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LangEcosystem {
    /// Python packages (`pkg:pypi`).
    PyPI,
    /// JavaScript packages (`pkg:npm`).
    Npm,
    /// Java packages (`pkg:maven`), named `group:artifact` as OSV's Maven ecosystem.
    Maven,
    /// Ruby gems (`pkg:gem`).
    RubyGems,
    /// PHP Composer packages (`pkg:composer`).
    Packagist,
    /// .NET packages (`pkg:nuget`).
    NuGet,
    /// Rust crates (`pkg:cargo`).
    CratesIo,
    /// Go modules (`pkg:golang`).
    Go,
}

impl LangEcosystem {
    /// The purl type of this ecosystem.
    #[must_use]
    pub fn purl_type(self) -> &'static str {
        match self {
            Self::PyPI => "pypi",
            Self::Npm => "npm",
            Self::Maven => "maven",
            Self::RubyGems => "gem",
            Self::Packagist => "composer",
            Self::NuGet => "nuget",
            Self::CratesIo => "cargo",
            Self::Go => "golang",
        }
    }
}

/// One application dependency found in a manifest or lockfile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LangPackage {
    /// The name as written in the file (purl normalization is applied to `purl` only).
    pub name: String,
    /// The version as written in the file (Go keeps its `v` prefix).
    pub version: String,
    /// The ecosystem.
    pub ecosystem: LangEcosystem,
    /// The package URL (purl-spec 1.0).
    pub purl: String,
    /// True when the lockfile says the package is only needed for development.
    pub dev: bool,
    /// Declared licenses (SPDX expressions or free text as the file gives them).
    pub licenses: Vec<String>,
    /// `Some(true)` for a direct dependency of the project, `Some(false)` for a transitive one,
    /// `None` when the file does not say.
    pub direct: Option<bool>,
}

impl LangPackage {
    /// A package with its purl computed from the ecosystem, name and version.
    #[must_use]
    pub fn new(ecosystem: LangEcosystem, name: &str, version: &str) -> Self {
        Self {
            name: name.to_owned(),
            version: version.to_owned(),
            ecosystem,
            purl: purl(ecosystem, name, version),
            dev: false,
            licenses: Vec::new(),
            direct: None,
        }
    }
}

/// The purl of a package. Namespaces come from the name: `@scope/name` for npm,
/// `vendor/name` for Composer, `group:artifact` for Maven and the path up to the last `/`
/// for Go modules.
#[must_use]
pub fn purl(ecosystem: LangEcosystem, name: &str, version: &str) -> String {
    let (namespace, short) = match ecosystem {
        LangEcosystem::Npm | LangEcosystem::Packagist | LangEcosystem::Go => {
            match name.rsplit_once('/') {
                Some((ns, n)) if !ns.is_empty() && !n.is_empty() => (Some(ns), n),
                _ => (None, name),
            }
        }
        LangEcosystem::Maven => match name.split_once(':') {
            Some((g, a)) if !g.is_empty() && !a.is_empty() => (Some(g), a),
            _ => (None, name),
        },
        _ => (None, name),
    };
    let version = (!version.is_empty()).then_some(version);
    purl_parts(ecosystem.purl_type(), namespace, short, version, &[])
        .unwrap_or_else(|| format!("pkg:{}/{}", ecosystem.purl_type(), name))
}

/// Builds a purl from its parts; `None` when the parts are invalid (an empty name).
#[must_use]
pub fn purl_parts(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: Option<&str>,
    qualifiers: &[(&str, &str)],
) -> Option<String> {
    let mut p = packageurl::PackageUrl::new(ty, name).ok()?;
    if let Some(ns) = namespace {
        p.with_namespace(ns).ok()?;
    }
    if let Some(v) = version {
        p.with_version(v).ok()?;
    }
    for (k, v) in qualifiers {
        p.add_qualifier(*k, *v).ok()?;
    }
    Some(p.to_string())
}

/// The kind of manifest a file is, decided from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ManifestKind {
    /// `*.dist-info/METADATA`, `*.egg-info/PKG-INFO` or a `*.egg-info` file.
    PythonMetadata,
    /// `requirements*.txt`.
    PythonRequirements,
    /// `poetry.lock`.
    PoetryLock,
    /// `Pipfile.lock`.
    PipfileLock,
    /// `uv.lock`.
    UvLock,
    /// `pdm.lock`.
    PdmLock,
    /// `node_modules/**/package.json`: one installed package.
    NpmInstalledPackageJson,
    /// `package-lock.json` (also `npm-shrinkwrap.json` and `node_modules/.package-lock.json`).
    NpmPackageLock,
    /// `yarn.lock`, v1 or berry.
    YarnLock,
    /// `pnpm-lock.yaml`.
    PnpmLock,
    /// `specifications/*.gemspec`: one installed gem.
    Gemspec,
    /// `Gemfile.lock` (also `gems.locked`).
    GemfileLock,
    /// `composer.lock`.
    ComposerLock,
    /// `vendor/composer/installed.json`.
    ComposerInstalled,
    /// `*.deps.json`.
    DotnetDepsJson,
    /// `packages.lock.json`.
    NugetPackagesLock,
    /// `Cargo.lock`.
    CargoLock,
    /// `go.mod`.
    GoMod,
    /// A Java archive: `*.jar`, `*.war`, `*.ear` and the other [`java::ARCHIVE_EXTENSIONS`].
    JavaArchive,
    /// A bare `META-INF/maven/<group>/<artifact>/pom.properties` (an exploded archive).
    JavaPomProperties,
}

impl ManifestKind {
    /// The kind of manifest at `path` (`/`-separated, as in an image), or `None` when the file
    /// is not one this crate parses. Only the path is looked at, so the caller can decide
    /// before reading the body.
    #[must_use]
    pub fn from_path(path: &str) -> Option<Self> {
        let path = path.trim_end_matches('/');
        let (dir, base) = path.rsplit_once('/').unwrap_or(("", path));
        let parent = dir.rsplit('/').next().unwrap_or("");
        let kind = match base {
            "METADATA" if parent.ends_with(".dist-info") => Self::PythonMetadata,
            "PKG-INFO" if parent.ends_with(".egg-info") => Self::PythonMetadata,
            "poetry.lock" => Self::PoetryLock,
            "Pipfile.lock" => Self::PipfileLock,
            "uv.lock" => Self::UvLock,
            "pdm.lock" => Self::PdmLock,
            "package.json" if is_under_node_modules(dir) => Self::NpmInstalledPackageJson,
            "package-lock.json" | "npm-shrinkwrap.json" | ".package-lock.json" => {
                Self::NpmPackageLock
            }
            "yarn.lock" => Self::YarnLock,
            "pnpm-lock.yaml" => Self::PnpmLock,
            "Gemfile.lock" | "gems.locked" => Self::GemfileLock,
            "composer.lock" => Self::ComposerLock,
            "installed.json" if dir == "vendor/composer" || dir.ends_with("/vendor/composer") => {
                Self::ComposerInstalled
            }
            "packages.lock.json" => Self::NugetPackagesLock,
            "Cargo.lock" => Self::CargoLock,
            "go.mod" => Self::GoMod,
            // An egg-info may be a single file (`distlib-0.3.1-py3.9.egg-info`).
            _ if base.ends_with(".egg-info") && base.len() > ".egg-info".len() => {
                Self::PythonMetadata
            }
            // Installed gems, and Ruby's default gems under `specifications/default/`.
            _ if base.ends_with(".gemspec")
                && (parent == "specifications" || dir.ends_with("specifications/default")) =>
            {
                Self::Gemspec
            }
            _ if base.ends_with(".deps.json") && base.len() > ".deps.json".len() => {
                Self::DotnetDepsJson
            }
            _ if base.starts_with("requirements") && base.ends_with(".txt") => {
                Self::PythonRequirements
            }
            "pom.properties" if java::is_pom_properties_path(path) => Self::JavaPomProperties,
            _ if java::is_archive_name(base) => Self::JavaArchive,
            _ => return None,
        };
        // Lockfiles that installed npm packages ship (`node_modules/uri-js/yarn.lock`) are
        // their authors' development files, not what is installed: the installed tree is
        // read from each package's `package.json` (and npm's own hidden lockfile).
        if kind.is_lockfile()
            && base != ".package-lock.json"
            && dir.split('/').any(|c| c == "node_modules")
        {
            return None;
        }
        Some(kind)
    }

    /// Whether this kind is a lockfile or requirements file (what a project pins), rather
    /// than installed-package metadata or an archive.
    #[must_use]
    pub fn is_lockfile(self) -> bool {
        matches!(
            self,
            Self::PythonRequirements
                | Self::PoetryLock
                | Self::PipfileLock
                | Self::UvLock
                | Self::PdmLock
                | Self::NpmPackageLock
                | Self::YarnLock
                | Self::PnpmLock
                | Self::GemfileLock
                | Self::ComposerLock
                | Self::NugetPackagesLock
                | Self::CargoLock
                | Self::GoMod
        )
    }

    /// The ecosystem of the packages this kind of file lists.
    #[must_use]
    pub fn ecosystem(self) -> LangEcosystem {
        match self {
            Self::PythonMetadata
            | Self::PythonRequirements
            | Self::PoetryLock
            | Self::PipfileLock
            | Self::UvLock
            | Self::PdmLock => LangEcosystem::PyPI,
            Self::NpmInstalledPackageJson
            | Self::NpmPackageLock
            | Self::YarnLock
            | Self::PnpmLock => LangEcosystem::Npm,
            Self::Gemspec | Self::GemfileLock => LangEcosystem::RubyGems,
            Self::ComposerLock | Self::ComposerInstalled => LangEcosystem::Packagist,
            Self::DotnetDepsJson | Self::NugetPackagesLock => LangEcosystem::NuGet,
            Self::CargoLock => LangEcosystem::CratesIo,
            Self::GoMod => LangEcosystem::Go,
            Self::JavaArchive | Self::JavaPomProperties => LangEcosystem::Maven,
        }
    }
}

/// `node_modules/x/package.json` or `node_modules/@scope/x/package.json`, at any depth, but
/// not a package's own nested files (`node_modules/x/lib/package.json`).
fn is_under_node_modules(dir: &str) -> bool {
    let mut parts = dir.rsplit('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(name), Some("node_modules"), _) => !name.is_empty() && !name.starts_with('@'),
        (Some(name), Some(scope), Some("node_modules")) => {
            scope.starts_with('@') && !name.is_empty()
        }
        _ => false,
    }
}

/// Everything a parser found in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The packages, in file order, without duplicates.
    pub packages: Vec<LangPackage>,
    /// Other files this one refers to and that the caller may want to parse too
    /// (`-r other.txt` / `-c constraints.txt` lines of a requirements file), as written.
    pub unresolved_includes: Vec<String>,
}

/// Why a file could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum LangError {
    /// The file is larger than [`MAX_INPUT_BYTES`].
    #[error("{path}: {size} bytes is over the {limit}-byte limit")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The file lists more than [`MAX_ENTRIES`] entries.
    #[error("{path}: more than {limit} entries")]
    TooManyEntries {
        /// The file.
        path: String,
        /// The limit.
        limit: usize,
    },
    /// The file nests deeper than [`MAX_DEPTH`].
    #[error("{path}: nested deeper than {limit} levels")]
    TooDeep {
        /// The file.
        path: String,
        /// The limit.
        limit: usize,
    },
    /// A text format that must be UTF-8 is not.
    #[error("{path}: not valid utf-8")]
    Utf8 {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::str::Utf8Error,
    },
    /// Invalid JSON.
    #[error("{path}: invalid json")]
    Json {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// Invalid TOML.
    #[error("{path}: invalid toml")]
    Toml {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: toml::de::Error,
    },
    /// Invalid YAML.
    #[error("{path}: invalid yaml")]
    Yaml {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: Box<serde_saphyr::Error>,
    },
    /// Well-formed syntax but not the expected structure.
    #[error("{path}: {what}")]
    Format {
        /// The file.
        path: String,
        /// What was wrong.
        what: String,
    },
}

/// Parses one manifest and returns its packages (see [`parse_full`] for includes).
///
/// # Errors
/// When the file is too large, too deep, has too many entries or is not in the format of
/// `kind`.
pub fn parse(kind: ManifestKind, path: &str, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    parse_full(kind, path, bytes).map(|p| p.packages)
}

/// Parses one manifest.
///
/// # Errors
/// As [`parse`].
pub fn parse_full(kind: ManifestKind, path: &str, bytes: &[u8]) -> Result<Parsed, LangError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(LangError::TooLarge {
            path: path.to_owned(),
            size: bytes.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    let cx = limits::Cx { path };
    let mut parsed = match kind {
        ManifestKind::PythonMetadata => python::metadata(&cx, bytes)?.into(),
        ManifestKind::PythonRequirements => python::requirements(&cx, bytes)?,
        ManifestKind::PoetryLock => python::poetry(&cx, bytes)?.into(),
        ManifestKind::PipfileLock => python::pipfile(&cx, bytes)?.into(),
        ManifestKind::UvLock => python::uv(&cx, bytes)?.into(),
        ManifestKind::PdmLock => python::pdm(&cx, bytes)?.into(),
        ManifestKind::NpmInstalledPackageJson => javascript::package_json(&cx, bytes)?.into(),
        ManifestKind::NpmPackageLock => javascript::package_lock(&cx, bytes)?.into(),
        ManifestKind::YarnLock => javascript::yarn_lock(&cx, bytes)?.into(),
        ManifestKind::PnpmLock => javascript::pnpm_lock(&cx, bytes)?.into(),
        ManifestKind::Gemspec => ruby::gemspec(&cx, bytes)?.into(),
        ManifestKind::GemfileLock => ruby::gemfile_lock(&cx, bytes)?.into(),
        ManifestKind::ComposerLock => php::composer_lock(&cx, bytes)?.into(),
        ManifestKind::ComposerInstalled => php::installed_json(&cx, bytes)?.into(),
        ManifestKind::DotnetDepsJson => dotnet::deps_json(&cx, bytes)?.into(),
        ManifestKind::NugetPackagesLock => dotnet::packages_lock(&cx, bytes)?.into(),
        ManifestKind::CargoLock => rust::cargo_lock(&cx, bytes)?.into(),
        ManifestKind::GoMod => golang::go_mod(&cx, bytes)?.into(),
        ManifestKind::JavaArchive => java::archive(&cx, bytes)?.into(),
        ManifestKind::JavaPomProperties => java::pom_properties_file(&cx, bytes)?.into(),
    };
    parsed.packages = dedup(parsed.packages);
    Ok(parsed)
}

impl From<Vec<LangPackage>> for Parsed {
    fn from(packages: Vec<LangPackage>) -> Self {
        Self {
            packages,
            unresolved_includes: Vec::new(),
        }
    }
}

/// Drops repeated (name, version) pairs, keeping the first; a later non-dev or direct
/// occurrence upgrades the kept one (a package needed at run time anywhere is not dev-only).
fn dedup(pkgs: Vec<LangPackage>) -> Vec<LangPackage> {
    let mut seen: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::new();
    let mut out: Vec<LangPackage> = Vec::with_capacity(pkgs.len());
    for p in pkgs {
        let key = (p.name.clone(), p.version.clone());
        if let Some(&i) = seen.get(&key) {
            if let Some(kept) = out.get_mut(i) {
                kept.dev &= p.dev;
                if p.direct == Some(true) {
                    kept.direct = Some(true);
                }
            }
            continue;
        }
        seen.insert(key, out.len());
        out.push(p);
    }
    out
}

/// Runs every parser over the same bytes: the body of the fuzz target, also run by the
/// property tests on stable. Never panics; returns how many packages were found in total.
#[must_use]
pub fn fuzz_all(bytes: &[u8]) -> usize {
    // Java archives go through `java::fuzz`, whose small limits keep each input fast.
    const KINDS: [ManifestKind; 19] = [
        ManifestKind::PythonMetadata,
        ManifestKind::PythonRequirements,
        ManifestKind::PoetryLock,
        ManifestKind::PipfileLock,
        ManifestKind::UvLock,
        ManifestKind::PdmLock,
        ManifestKind::NpmInstalledPackageJson,
        ManifestKind::NpmPackageLock,
        ManifestKind::YarnLock,
        ManifestKind::PnpmLock,
        ManifestKind::Gemspec,
        ManifestKind::GemfileLock,
        ManifestKind::ComposerLock,
        ManifestKind::ComposerInstalled,
        ManifestKind::DotnetDepsJson,
        ManifestKind::NugetPackagesLock,
        ManifestKind::CargoLock,
        ManifestKind::GoMod,
        ManifestKind::JavaPomProperties,
    ];
    KINDS
        .iter()
        .filter_map(|&kind| parse(kind, "fuzz", bytes).ok())
        .fold(java::fuzz(bytes), |n, p| n.saturating_add(p.len()))
}
