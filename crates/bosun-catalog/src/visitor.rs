//! The layer visitor: picks the files the catalogers read, by path, and parses them while the
//! layer streams by (layers are walked in parallel, so parsing is too). What it keeps is the
//! parsed result, not the bytes, except for the small OS release files.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use bosun_binary::elf_links::{self, ElfLinks, LdCacheEntry, LdSoConf};

use bosun_image::{EntryMeta, LayerMeta, LayerVisitor, VisitorFactory};
use bosun_inventory::{Diagnostic, DiagnosticLevel, LayerRef, Package, PackageType};

use crate::{apk, copyright, dpkg, os_release, rpm};

/// Largest rpm database read (rpm databases of big images reach hundreds of MiB).
pub const MAX_RPMDB_BYTES: u64 = 512 << 20;
/// Largest dpkg or apk database, list or copyright file read.
pub const MAX_TEXT_BYTES: u64 = 64 << 20;
/// Largest OS release file read.
pub const MAX_OS_BYTES: u64 = 1 << 20;
/// Largest executable read for build info (layers are read in parallel, so this bounds the
/// memory per layer; Go and Rust binaries past it are rare).
pub const MAX_BINARY_BYTES: u64 = 256 << 20;

/// The rpm database locations, in the order one is preferred when several are present.
pub const RPM_DBS: &[&str] = &[
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages.db",
    "var/lib/rpm/Packages.db",
    "usr/lib/sysimage/rpm/Packages",
    "var/lib/rpm/Packages",
];

/// The apk database locations.
pub const APK_DBS: &[&str] = &["lib/apk/db/installed", "usr/lib/apk/db/installed"];

/// The dpkg status file.
pub const DPKG_STATUS: &str = "var/lib/dpkg/status";
const DPKG_STATUS_D: &str = "var/lib/dpkg/status.d/";
const DPKG_INFO: &str = "var/lib/dpkg/info/";

/// What a wanted file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `os-release` or a fallback.
    OsRelease,
    /// `var/lib/dpkg/status`.
    DpkgStatus,
    /// A distroless `var/lib/dpkg/status.d/<name>`.
    DpkgStatusD,
    /// `var/lib/dpkg/info/<name>.list`.
    DpkgList,
    /// `usr/share/doc/<name>/copyright`.
    Copyright,
    /// `lib/apk/db/installed`.
    Apk,
    /// An rpm database.
    Rpm,
    /// A language package manifest or lockfile (`package-lock.json`, `*.dist-info/METADATA`...).
    Lang(bosun_lang::ManifestKind),
    /// An executable or runtime file (Go build info, cargo-auditable data, a runtime's
    /// version): chosen from the header's mode and size, see [`FileKind::of_entry`].
    Binary,
    /// A shared object that is not executable (`*.so*` installed `0644`): read only for its
    /// dynamic section, for the link graph ([`bosun_binary::elf_links::wants_links`]).
    Library,
    /// A file of the dynamic loader's configuration: `etc/ld.so.cache`, `etc/ld.so.conf`,
    /// `etc/ld.so.conf.d/*`, musl's `etc/ld-musl-*.path`.
    Loader,
}

/// The environment variable that turns the link graph off (`1`): no shared object is read for
/// its dynamic section and every package's `loaded` is left unknown. It exists to measure the
/// cost of the ELF pass (BENCHMARKS.md); it is part of the cache key.
pub const NO_ELF_LINKS_ENV: &str = "BOSUN_BENCH_NO_ELF_LINKS";

/// Whether the link graph is built (see [`NO_ELF_LINKS_ENV`]); read once per process.
#[must_use]
pub fn elf_links_enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os(NO_ELF_LINKS_ENV).is_none_or(|v| v != "1"))
}

/// Whether `path` is a file of the dynamic loader's configuration.
fn is_loader_path(path: &str) -> bool {
    path == LD_SO_CACHE
        || path == LD_SO_CONF
        || path
            .strip_prefix(LD_SO_CONF_D)
            .is_some_and(|n| !n.is_empty() && !n.contains('/'))
        || path
            .strip_prefix("etc/ld-musl-")
            .is_some_and(|n| n.ends_with(".path") && !n.contains('/'))
}

/// glibc's loader cache.
pub const LD_SO_CACHE: &str = "etc/ld.so.cache";
/// glibc's loader configuration.
pub const LD_SO_CONF: &str = "etc/ld.so.conf";
const LD_SO_CONF_D: &str = "etc/ld.so.conf.d/";
/// Largest loader configuration file read (a big `ld.so.cache` is a few hundred KiB).
pub const MAX_LOADER_BYTES: u64 = 16 << 20;

/// One loader configuration file, parsed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoaderFile {
    /// `etc/ld.so.cache`: its entries, or `None` when it does not parse.
    Cache(Option<Vec<LdCacheEntry>>),
    /// `etc/ld.so.conf` or a file it includes.
    Conf(LdSoConf),
    /// musl's `etc/ld-musl-ARCH.path`: directories, in order.
    MuslPath(Vec<String>),
}

impl FileKind {
    /// Which wanted file `path` is, if any.
    #[must_use]
    pub fn of(path: &str) -> Option<FileKind> {
        if os_release::PRIMARY.contains(&path)
            || os_release::FALLBACKS.iter().any(|(p, _)| *p == path)
        {
            return Some(FileKind::OsRelease);
        }
        if path == DPKG_STATUS {
            return Some(FileKind::DpkgStatus);
        }
        if let Some(name) = path.strip_prefix(DPKG_STATUS_D) {
            let unit = !name.is_empty()
                && !name.contains('/')
                && !name.starts_with('.')
                && !name.ends_with(".md5sums");
            return unit.then_some(FileKind::DpkgStatusD);
        }
        if let Some(name) = path.strip_prefix(DPKG_INFO) {
            return (!name.contains('/') && name.ends_with(".list")).then_some(FileKind::DpkgList);
        }
        if let Some(rest) = path.strip_prefix("usr/share/doc/") {
            return rest
                .strip_suffix("/copyright")
                .is_some_and(|name| !name.is_empty() && !name.contains('/'))
                .then_some(FileKind::Copyright);
        }
        if APK_DBS.contains(&path) {
            return Some(FileKind::Apk);
        }
        if RPM_DBS.contains(&path) {
            return Some(FileKind::Rpm);
        }
        if is_loader_path(path) {
            return elf_links_enabled().then_some(FileKind::Loader);
        }
        bosun_lang::ManifestKind::from_path(path).map(FileKind::Lang)
    }

    /// Which wanted file a tar entry is: by path, else an executable by mode and size, else
    /// a shared object by name and size (when the link graph is on).
    #[must_use]
    pub fn of_entry(entry: &EntryMeta<'_>) -> Option<FileKind> {
        FileKind::of(entry.path).or_else(|| {
            if bosun_binary::wants(entry.path, entry.mode, entry.size) {
                Some(FileKind::Binary)
            } else {
                (elf_links_enabled() && elf_links::wants_links(entry.path, entry.mode, entry.size))
                    .then_some(FileKind::Library)
            }
        })
    }

    fn cap(self) -> u64 {
        match self {
            FileKind::OsRelease => MAX_OS_BYTES,
            FileKind::Rpm => MAX_RPMDB_BYTES,
            FileKind::Binary => MAX_BINARY_BYTES,
            FileKind::Library => elf_links::MAX_LINKS_FILE_SIZE,
            FileKind::Loader => MAX_LOADER_BYTES,
            FileKind::Lang(bosun_lang::ManifestKind::JavaArchive) => {
                bosun_lang::MAX_INPUT_BYTES as u64
            }
            _ => MAX_TEXT_BYTES,
        }
    }

    /// The package type of a database kind.
    #[must_use]
    pub fn package_type(self) -> Option<PackageType> {
        match self {
            FileKind::DpkgStatus | FileKind::DpkgStatusD => Some(PackageType::Deb),
            FileKind::Apk => Some(PackageType::Apk),
            FileKind::Rpm => Some(PackageType::Rpm),
            FileKind::Lang(m) => Some(lang_type(m.ecosystem())),
            FileKind::Binary => Some(PackageType::Generic),
            _ => None,
        }
    }
}

/// A package as one copy of a database lists it, before the OS, purl and layer are known.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Found {
    /// The package, `purl`, `ecosystem`, `layer` and `locations` not yet set.
    pub package: Package,
    /// The version the purl carries (rpm: without the epoch).
    pub purl_version: String,
    /// The rpm epoch, for the purl qualifier.
    pub epoch: Option<u32>,
}

impl Found {
    /// What identifies a package across copies of its database: name, version, arch.
    #[must_use]
    pub fn key(&self) -> (&str, &str, Option<&str>) {
        (
            &self.package.name,
            &self.package.version,
            self.package.arch.as_deref(),
        )
    }
}

/// One copy of a package database in one layer.
///
/// Serialized with its kind as a tag (`dpkg-status`, `lang`, `binary`...): every kind but
/// `binary` follows from the path, so reading one back re-derives it with [`FileKind::of`]
/// and refuses a tag the path contradicts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "DbCopyRepr", into = "DbCopyRepr")]
pub struct DbCopy {
    /// Normalized path.
    pub path: String,
    /// Which kind.
    pub kind: FileKind,
    /// The packages it lists (installed ones only), or `None` when it could not be read.
    pub packages: Option<Vec<Found>>,
}

/// The tag a [`DbCopy`] is serialized with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
enum KindTag {
    OsRelease,
    DpkgStatus,
    DpkgStatusD,
    DpkgList,
    Copyright,
    Apk,
    Rpm,
    Lang,
    Binary,
    Library,
    Loader,
}

impl From<FileKind> for KindTag {
    fn from(k: FileKind) -> Self {
        match k {
            FileKind::OsRelease => KindTag::OsRelease,
            FileKind::DpkgStatus => KindTag::DpkgStatus,
            FileKind::DpkgStatusD => KindTag::DpkgStatusD,
            FileKind::DpkgList => KindTag::DpkgList,
            FileKind::Copyright => KindTag::Copyright,
            FileKind::Apk => KindTag::Apk,
            FileKind::Rpm => KindTag::Rpm,
            FileKind::Lang(_) => KindTag::Lang,
            FileKind::Binary => KindTag::Binary,
            FileKind::Library => KindTag::Library,
            FileKind::Loader => KindTag::Loader,
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct DbCopyRepr {
    path: String,
    kind: KindTag,
    packages: Option<Vec<Found>>,
}

impl From<DbCopy> for DbCopyRepr {
    fn from(c: DbCopy) -> Self {
        DbCopyRepr {
            path: c.path,
            kind: c.kind.into(),
            packages: c.packages,
        }
    }
}

impl TryFrom<DbCopyRepr> for DbCopy {
    type Error = String;

    fn try_from(r: DbCopyRepr) -> Result<Self, String> {
        let kind = if r.kind == KindTag::Binary {
            FileKind::Binary
        } else if r.kind == KindTag::Library {
            FileKind::Library
        } else {
            match FileKind::of(&r.path) {
                Some(k) if KindTag::from(k) == r.kind => k,
                _ => return Err(format!("{}: not a {:?} database", r.path, r.kind)),
            }
        };
        Ok(DbCopy {
            path: r.path,
            kind,
            packages: r.packages,
        })
    }
}

/// Sees one layer's files and keeps what the catalogers need.
///
/// Serializable: what it kept of a layer depends only on the layer's content (and the
/// analyzers' code), so a caller may keep it by diff_id and build an inventory from it later
/// ([`crate::inventory::build`]) without reading the layer again.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CatalogVisitor {
    /// The layer.
    pub layer: LayerMeta,
    /// OS release files: path → bytes.
    pub os_files: HashMap<String, Vec<u8>>,
    /// Package database copies.
    pub dbs: Vec<DbCopy>,
    /// dpkg `.list` files: path → absolute paths listed.
    pub lists: HashMap<String, Vec<String>>,
    /// Copyright files: path → license names.
    pub copyrights: HashMap<String, Vec<String>>,
    /// ELF files with a dynamic section or an interpreter: path → their link facts, for the
    /// link graph ([`crate::inventory`] builds it from the final view's copies).
    #[serde(default)]
    pub elf: HashMap<String, ElfLinks>,
    /// The loader's configuration files: path → parsed.
    #[serde(default)]
    pub loader: HashMap<String, LoaderFile>,
    /// What went wrong, with paths absolute.
    pub diagnostics: Vec<Diagnostic>,
}

impl CatalogVisitor {
    /// A visitor for the given layer.
    #[must_use]
    pub fn new(layer: LayerMeta) -> Self {
        CatalogVisitor {
            layer,
            os_files: HashMap::new(),
            dbs: Vec::new(),
            lists: HashMap::new(),
            copyrights: HashMap::new(),
            elf: HashMap::new(),
            loader: HashMap::new(),
            diagnostics: Vec::new(),
        }
    }

    /// Keeps the link facts of an ELF file; `report` says whether a malformed one deserves a
    /// diagnostic (an executable's is already reported by the build-info reader).
    fn accept_elf(&mut self, path: &str, bytes: &[u8], report: bool) {
        if !elf_links_enabled() || !elf_links::is_elf(bytes) || path.starts_with("usr/lib/debug/") {
            return;
        }
        match elf_links::elf_links(bytes) {
            Ok(Some(links)) => {
                self.elf.insert(path.to_owned(), links);
            }
            Ok(None) => {}
            Err(e) if report => self.diag(
                DiagnosticLevel::Warning,
                "elf-links",
                path,
                format!("unreadable dynamic section, left out of the link graph: {e}"),
            ),
            Err(_) => {}
        }
    }

    fn accept_loader(&mut self, path: &str, bytes: &[u8]) {
        let file = if path == LD_SO_CACHE {
            match elf_links::parse_ld_so_cache(bytes) {
                Ok(entries) => LoaderFile::Cache(Some(entries)),
                Err(e) => {
                    self.diag(
                        DiagnosticLevel::Warning,
                        "elf-links",
                        path,
                        format!("unreadable loader cache, default search paths used: {e}"),
                    );
                    LoaderFile::Cache(None)
                }
            }
        } else if path.starts_with("etc/ld-musl-") {
            let text = String::from_utf8_lossy(bytes);
            LoaderFile::MuslPath(
                text.split([':', '\n'])
                    .map(str::trim)
                    .filter(|d| !d.is_empty())
                    .take(1024)
                    .map(str::to_owned)
                    .collect(),
            )
        } else {
            LoaderFile::Conf(elf_links::parse_ld_so_conf(&String::from_utf8_lossy(bytes)))
        };
        self.loader.insert(path.to_owned(), file);
    }

    fn diag(&mut self, level: DiagnosticLevel, source: &str, path: &str, message: String) {
        self.diagnostics.push(Diagnostic {
            level,
            source: source.to_owned(),
            message,
            path: Some(format!("/{path}")),
            layer: Some(LayerRef {
                index: self.layer.index,
                diff_id: self.layer.diff_id.clone(),
                role: None,
            }),
        });
    }

    /// Parses a wanted file's bytes and keeps the result; this is what `visit` does after
    /// reading, exposed so tests and fuzzers can drive it without a layer.
    pub fn accept(&mut self, path: &str, kind: FileKind, bytes: &[u8]) {
        match kind {
            FileKind::OsRelease => {
                self.os_files.insert(path.to_owned(), bytes.to_vec());
            }
            FileKind::DpkgList => {
                self.lists.insert(path.to_owned(), dpkg::parse_list(bytes));
            }
            FileKind::Copyright => {
                self.copyrights
                    .insert(path.to_owned(), copyright::licenses(bytes));
            }
            FileKind::DpkgStatus | FileKind::DpkgStatusD => {
                let packages = match dpkg::parse_status(bytes) {
                    Ok(db) => {
                        for why in &db.skipped {
                            self.diag(
                                DiagnosticLevel::Warning,
                                "dpkg",
                                path,
                                format!("skipped a package: {why}"),
                            );
                        }
                        // Distroless writes one status.d file per installed package,
                        // older ones without a Status field: there, no Status means installed.
                        let unmarked_ok = kind == FileKind::DpkgStatusD;
                        Some(
                            db.entries
                                .iter()
                                .filter(|e| e.is_installed() || (unmarked_ok && e.status.is_none()))
                                .map(found_dpkg)
                                .collect(),
                        )
                    }
                    Err(e) => {
                        self.diag(
                            DiagnosticLevel::Error,
                            "dpkg",
                            path,
                            format!("unreadable dpkg database, its packages are missing: {e}"),
                        );
                        None
                    }
                };
                self.push_db(path, kind, packages);
            }
            FileKind::Apk => {
                let packages = match apk::parse_installed(bytes) {
                    Ok(db) => {
                        for why in &db.skipped {
                            self.diag(
                                DiagnosticLevel::Warning,
                                "apk",
                                path,
                                format!("skipped a record: {why}"),
                            );
                        }
                        Some(db.entries.into_iter().map(found_apk).collect())
                    }
                    Err(e) => {
                        self.diag(
                            DiagnosticLevel::Error,
                            "apk",
                            path,
                            format!("unreadable apk database, its packages are missing: {e}"),
                        );
                        None
                    }
                };
                self.push_db(path, kind, packages);
            }
            FileKind::Lang(manifest) => self.accept_lang(path, kind, manifest, bytes),
            FileKind::Binary => {
                let packages = match bosun_binary::analyze(path, bytes) {
                    Ok(pkgs) => pkgs.into_iter().map(found_binary).collect::<Vec<_>>(),
                    Err(e) => {
                        self.diag(
                            DiagnosticLevel::Warning,
                            "binary",
                            path,
                            format!("unreadable executable, its packages are missing: {e}"),
                        );
                        self.accept_elf(path, bytes, false);
                        return;
                    }
                };
                // Most executables carry no package: keep no copy for them.
                if !packages.is_empty() {
                    self.push_db(path, kind, Some(packages));
                }
                self.accept_elf(path, bytes, false);
            }
            FileKind::Library => self.accept_elf(path, bytes, true),
            FileKind::Loader => self.accept_loader(path, bytes),
            FileKind::Rpm => {
                let result = match bosun_rpmdb::detect(bytes) {
                    Some(format) => {
                        bosun_rpmdb::read_packages(bytes, format).map_err(|e| e.to_string())
                    }
                    None => Err("not an rpm database (unknown format)".to_owned()),
                };
                let packages = match result {
                    Ok(pkgs) => Some(
                        pkgs.into_iter()
                            .filter_map(rpm::entry)
                            .map(found_rpm)
                            .collect(),
                    ),
                    Err(e) => {
                        self.diag(
                            DiagnosticLevel::Error,
                            "rpm",
                            path,
                            format!("unreadable rpm database, its packages are missing: {e}"),
                        );
                        None
                    }
                };
                self.push_db(path, kind, packages);
            }
        }
    }

    fn accept_lang(
        &mut self,
        path: &str,
        kind: FileKind,
        manifest: bosun_lang::ManifestKind,
        bytes: &[u8],
    ) {
        if manifest == bosun_lang::ManifestKind::JavaArchive {
            return self.accept_java(path, kind, bytes);
        }
        let packages = match bosun_lang::parse(manifest, path, bytes) {
            Ok(pkgs) => Some(pkgs.into_iter().map(found_lang).collect()),
            Err(e) => {
                self.diag(
                    DiagnosticLevel::Warning,
                    "lang",
                    path,
                    format!("unreadable manifest, its packages are missing: {e}"),
                );
                None
            }
        };
        self.push_db(path, kind, packages);
    }

    /// A JAR, WAR or EAR: packages carry their nested location (`/app.war!/WEB-INF/lib/x.jar`).
    fn accept_java(&mut self, path: &str, kind: FileKind, bytes: &[u8]) {
        match bosun_lang::java::parse_archive(path, bytes) {
            Ok(archive) => {
                for s in &archive.skipped {
                    self.diag(
                        DiagnosticLevel::Warning,
                        "java",
                        path,
                        format!("{}: left out: {}", s.location, s.reason),
                    );
                }
                let packages = archive
                    .packages
                    .into_iter()
                    .map(|j| {
                        let mut f = found_lang(j.package);
                        f.package.locations = j.locations.iter().map(|l| format!("/{l}")).collect();
                        f
                    })
                    .collect();
                self.push_db(path, kind, Some(packages));
            }
            Err(e) => {
                self.diag(
                    DiagnosticLevel::Warning,
                    "java",
                    path,
                    format!("unreadable archive, its packages are missing: {e}"),
                );
                self.push_db(path, kind, None);
            }
        }
    }

    fn push_db(&mut self, path: &str, kind: FileKind, packages: Option<Vec<Found>>) {
        self.dbs.push(DbCopy {
            path: path.to_owned(),
            kind,
            packages,
        });
    }
}

/// The package type of a language ecosystem.
#[must_use]
pub fn lang_type(e: bosun_lang::LangEcosystem) -> PackageType {
    use bosun_lang::LangEcosystem as L;
    match e {
        L::PyPI => PackageType::Python,
        L::Npm => PackageType::Npm,
        L::Maven => PackageType::Maven,
        L::RubyGems => PackageType::Gem,
        L::Packagist => PackageType::Composer,
        L::NuGet => PackageType::NuGet,
        L::CratesIo => PackageType::Cargo,
        L::Go => PackageType::Go,
    }
}

/// The OSV ecosystem name of a language ecosystem.
#[must_use]
pub fn lang_osv_ecosystem(e: bosun_lang::LangEcosystem) -> &'static str {
    use bosun_lang::LangEcosystem as L;
    match e {
        L::PyPI => "PyPI",
        L::Npm => "npm",
        L::Maven => "Maven",
        L::RubyGems => "RubyGems",
        L::Packagist => "Packagist",
        L::NuGet => "NuGet",
        L::CratesIo => "crates.io",
        L::Go => "Go",
    }
}

/// A language package: its purl and ecosystem are known from the manifest alone.
fn found_lang(p: bosun_lang::LangPackage) -> Found {
    Found {
        purl_version: p.version.clone(),
        epoch: None,
        package: Package {
            package_type: lang_type(p.ecosystem),
            ecosystem: Some(lang_osv_ecosystem(p.ecosystem).to_owned()),
            name: p.name,
            version: p.version,
            purl: p.purl,
            licenses: p.licenses,
            dev: p.dev,
            ..Package::default()
        },
    }
}

/// A package read from an executable: Go modules and toolchain, Rust crates, runtimes.
fn found_binary(p: bosun_binary::BinaryPackage) -> Found {
    let package_type = match p.kind {
        bosun_binary::PackageKind::GoModule | bosun_binary::PackageKind::GoStdlib => {
            PackageType::Go
        }
        bosun_binary::PackageKind::RustCrate => PackageType::Cargo,
        bosun_binary::PackageKind::Runtime => PackageType::Generic,
    };
    Found {
        purl_version: p.version.clone(),
        epoch: None,
        package: Package {
            package_type,
            ecosystem: p.ecosystem.map(|e| e.osv_name().to_owned()),
            name: p.name,
            version: p.version,
            purl: p.purl,
            ..Package::default()
        },
    }
}

fn found_dpkg(e: &dpkg::DpkgEntry) -> Found {
    Found {
        purl_version: e.version.clone(),
        epoch: None,
        package: Package {
            name: e.package.clone(),
            version: e.version.clone(),
            package_type: PackageType::Deb,
            arch: e.architecture.clone(),
            source_name: Some(e.source_name.clone()),
            source_version: Some(e.source_version.clone()),
            vendor: e.maintainer.clone(),
            ..Package::default()
        },
    }
}

fn found_apk(e: apk::ApkEntry) -> Found {
    Found {
        purl_version: e.version.clone(),
        epoch: None,
        package: Package {
            source_name: Some(e.origin.unwrap_or_else(|| e.name.clone())),
            source_version: Some(e.version.clone()),
            name: e.name,
            version: e.version,
            package_type: PackageType::Apk,
            arch: e.arch,
            licenses: e.license.into_iter().filter(|l| !l.is_empty()).collect(),
            vendor: e.maintainer,
            files: e.files,
            ..Package::default()
        },
    }
}

fn found_rpm(e: rpm::RpmEntry) -> Found {
    Found {
        purl_version: e.purl_version,
        epoch: e.epoch,
        package: Package {
            name: e.name,
            version: e.version,
            package_type: PackageType::Rpm,
            arch: e.arch,
            source_name: e.source_name,
            source_version: e.source_version,
            licenses: e.license.into_iter().collect(),
            vendor: e.vendor,
            files: e.files,
            ..Package::default()
        },
    }
}

impl LayerVisitor for CatalogVisitor {
    fn wants(&mut self, entry: &EntryMeta<'_>) -> bool {
        FileKind::of_entry(entry).is_some()
    }

    fn visit(&mut self, entry: &EntryMeta<'_>, body: &mut dyn Read) {
        let Some(kind) = FileKind::of_entry(entry) else {
            return;
        };
        let cap = kind.cap();
        if entry.size > cap {
            self.diag(
                DiagnosticLevel::Warning,
                "catalog",
                entry.path,
                format!(
                    "file of {} bytes exceeds the {cap}-byte limit, skipped",
                    entry.size
                ),
            );
            return;
        }
        let mut bytes = Vec::with_capacity(usize::try_from(entry.size).unwrap_or(0));
        if let Err(e) = body.take(cap).read_to_end(&mut bytes) {
            self.diag(
                DiagnosticLevel::Error,
                "catalog",
                entry.path,
                format!("reading failed: {e}"),
            );
            return;
        }
        self.accept(entry.path, kind, &bytes);
    }
}

/// Makes a [`CatalogVisitor`] per layer.
#[derive(Debug, Clone, Copy, Default)]
pub struct CatalogFactory;

impl AsRef<CatalogVisitor> for CatalogVisitor {
    fn as_ref(&self) -> &CatalogVisitor {
        self
    }
}

impl VisitorFactory for CatalogFactory {
    type Visitor = CatalogVisitor;

    fn visitor(&self, layer: &LayerMeta) -> CatalogVisitor {
        CatalogVisitor::new(layer.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitor_round_trips_through_json() {
        let mut v = CatalogVisitor::new(LayerMeta {
            index: 2,
            diff_id: Some("sha256:ab".into()),
        });
        v.accept("etc/os-release", FileKind::OsRelease, b"ID=debian\n");
        v.accept(
            DPKG_STATUS,
            FileKind::DpkgStatus,
            b"Package: zlib1g\nStatus: install ok installed\nVersion: 1.2\nArchitecture: amd64\n\nbroken",
        );
        v.accept(
            "lib/apk/db/installed",
            FileKind::Apk,
            b"P:musl\nV:1.2.5-r0\n\n",
        );
        v.accept(
            "app/package-lock.json",
            FileKind::of("app/package-lock.json").unwrap_or(FileKind::Binary),
            br#"{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.0"}}}"#,
        );
        v.accept("var/lib/rpm/Packages", FileKind::Rpm, b"not rpm");
        v.accept(
            "var/lib/dpkg/info/zlib1g.list",
            FileKind::DpkgList,
            b"/usr/lib/x\n",
        );
        v.accept(
            "usr/share/doc/zlib1g/copyright",
            FileKind::Copyright,
            b"License: Zlib\n",
        );
        v.dbs.push(DbCopy {
            path: "usr/bin/app".into(),
            kind: FileKind::Binary,
            packages: Some(Vec::new()),
        });
        assert!(v.dbs.iter().any(|d| matches!(d.kind, FileKind::Lang(_))));
        assert!(!v.diagnostics.is_empty());
        let json = serde_json::to_vec(&v).unwrap_or_default();
        let back: CatalogVisitor = serde_json::from_slice(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, v);
    }

    #[test]
    fn db_copy_kind_contradicting_its_path_is_refused() {
        let bad = r#"{"path":"etc/passwd","kind":"dpkg-status","packages":null}"#;
        assert!(serde_json::from_str::<DbCopy>(bad).is_err());
        let wrong = r#"{"path":"lib/apk/db/installed","kind":"rpm","packages":null}"#;
        assert!(serde_json::from_str::<DbCopy>(wrong).is_err());
        let ok = r#"{"path":"lib/apk/db/installed","kind":"apk","packages":[]}"#;
        let copy: DbCopy = serde_json::from_str(ok).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(copy.kind, FileKind::Apk);
    }

    #[test]
    fn wanted_paths() {
        assert_eq!(FileKind::of("etc/os-release"), Some(FileKind::OsRelease));
        assert_eq!(
            FileKind::of("var/lib/dpkg/status.d/netbase"),
            Some(FileKind::DpkgStatusD)
        );
        assert_eq!(FileKind::of("var/lib/dpkg/status.d/netbase.md5sums"), None);
        assert_eq!(
            FileKind::of("var/lib/dpkg/info/libc6:amd64.list"),
            Some(FileKind::DpkgList)
        );
        assert_eq!(FileKind::of("var/lib/dpkg/info/libc6.md5sums"), None);
        assert_eq!(
            FileKind::of("usr/share/doc/curl/copyright"),
            Some(FileKind::Copyright)
        );
        assert_eq!(FileKind::of("usr/share/doc/curl/x/copyright"), None);
        assert_eq!(FileKind::of("var/lib/rpm/Packages"), Some(FileKind::Rpm));
        assert_eq!(FileKind::of("lib/apk/db/installed"), Some(FileKind::Apk));
        assert_eq!(FileKind::of("etc/passwd"), None);
    }
}
