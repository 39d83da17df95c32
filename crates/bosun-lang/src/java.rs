//! Java archives (JAR, WAR, EAR and their relatives) and bare `pom.properties` files.
//!
//! An archive is read from memory with the `zip` crate; nothing is written to disk. Only three
//! kinds of entries are ever inflated: `pom.properties` files, the main `META-INF/MANIFEST.MF`
//! and nested archives (`WEB-INF/lib/x.jar`, `BOOT-INF/lib/x.jar`, `lib/x.war`...), which are
//! read recursively. Everything else is seen by name only, from the central directory.
//!
//! Which packages an archive yields (the rules of Trivy's jar parser in offline mode, with the
//! differences said below):
//! 1. every `pom.properties`, wherever it is in the archive, with a `groupId`, an `artifactId`
//!    and a `version` is a package `groupId:artifactId` (a shaded jar yields one per bundled
//!    library, as Trivy's `hadoop-shaded-guava` test expects); a missing `groupId` or
//!    `artifactId` comes from a `META-INF/maven/<group>/<artifact>/pom.properties` path, as
//!    Syft takes it;
//! 2. when none of them is the archive's own, the archive itself is a package, named from
//!    `META-INF/MANIFEST.MF` with Trivy's precedence (group: `Implementation-Vendor-Id`,
//!    `Bundle-SymbolicName` up to its last dot but never a single segment (`com.h2database`
//!    stays whole where Trivy would say `com`; `groovy` is no group), `Implementation-Vendor`,
//!    `Specification-Vendor`;
//!    artifact: `Implementation-Title`, `Specification-Title`, `Bundle-Name`; version:
//!    `Implementation-Version`, `Bundle-Version`, `Specification-Version` (Trivy puts the
//!    last two the other way round, but a specification version is an API's: `5` for JNA
//!    5.13.0), the first whitespace-separated token of the value (`5.13.0 (b0)`), which must
//!    start with a digit (not `private-19991231`); a one-component version (`0`) gives way to
//!    a dotted one from the file name, and an artifact that is the file name's stem with its
//!    version (`lz4-java-1.8.0`) to the file name's artifact; a Jenkins plugin's
//!    `Group-Id`, `Short-Name` and `Plugin-Version` first, as Syft), reading only the
//!    main section, unfolding continuation lines; a value that is not a Maven coordinate (free
//!    text with spaces such as `Apache Hadoop shaded Guava`, or an unresolved `%name`/`${x}`) is
//!    skipped for the next field, as osv-scalibr does, where Trivy would keep it;
//! 3. failing that, the file name (`name-1.2.3.jar`, Trivy's pattern: the last `-` followed by
//!    a digit splits artifact and version), with the manifest's group when it has a valid one,
//!    else no group (such a package has no namespace in its purl and cannot match Maven
//!    advisories, which are keyed `group:artifact`). Trivy (offline) reports nothing here;
//! 4. failing that, a file name without a version (Debian's `jetty9-io.jar`) with the
//!    manifest's version and group, the artifact being the file name's stem (`jetty9-io`), as
//!    Syft does, unless one of its `pom.properties` has that version (Debian's
//!    `maven3-slf4j-provider.jar` is `org.apache.maven:maven-slf4j-provider@3.8.7`, which
//!    Syft reports twice). An archive with no version in its manifest nor its file name is
//!    no package.
//!
//! A `pom.properties` is the archive's own when its artifact and version are those of the
//! file name (`guava-31.1-jre.jar`; also `groupId.artifactId-version.jar`, the Quarkus and
//! Fedora layout: Trivy's gizmo test), or when its artifact is the whole file name without
//! its extension (Debian's versionless `httpclient-osgi.jar`, `log4j-1.2-api.jar`, whose
//! `1.2-api` the file name pattern takes for a version), or when it is the only one under
//! `META-INF/maven/` and
//! the file name has no version or the same artifact (`xalan2-2.7.2.jar` holding only bcel's
//! `pom.properties` is xalan2 and a bundled bcel, not bcel alone).
//!
//! Locations: a package found in a nested archive is located at the nested archive, written
//! as the outer path, [`NESTED_SEPARATOR`] (`!/`, as in Java's `jar:` URLs) and the entry
//! name: `app.ear!/web.war!/WEB-INF/lib/x.jar`. The same `group:artifact@version` found
//! several times in one archive is one package with every location it was found at.
//!
//! Hostile archives are refused as a whole with a [`LangError`] that names the (nested) path
//! and the limit: nesting deeper than [`Limits::max_depth`], entry names with more path
//! components than [`Limits::max_name_components`], more entries in all than
//! [`Limits::max_entries`], an entry whose size (declared, then actually inflated) is over its
//! limit or over [`Limits::max_ratio`] times its compressed size, or more than
//! [`Limits::max_total_bytes`] inflated in all. Sizes are checked as declared before anything
//! is inflated, so an honest bomb costs nothing; a lying one stops at its declared size (the
//! zip reader errors past it) and is skipped as corrupt. A nested entry that is merely corrupt
//! (not a zip, a bad checksum) is skipped and listed in [`JavaArchive::skipped`], as Trivy
//! and Syft skip it. Memory: the archive's bytes, the zip reader's record per entry (about
//! 240 bytes), and the inflated nested archives on the current path (each dropped once read).

use std::io::{Cursor, Read};

use crate::limits::{Cx, MAX_DEPTH, MAX_ENTRIES, MAX_INPUT_BYTES};
use crate::{LangEcosystem, LangError, LangPackage};

/// What joins an outer archive's path and a nested archive's entry name in a location
/// (`app.war!/WEB-INF/lib/x.jar`).
pub const NESTED_SEPARATOR: &str = "!/";

/// File name extensions (lower case, without the dot) read as Java archives, at the top level
/// and nested: Syft's list (`jar`, `war`, `ear`, `par`, `sar`, `nar`, `jpi`, `hpi`, `lpkg`),
/// a superset of Trivy's (`jar`, `war`, `ear`, `par`).
pub const ARCHIVE_EXTENSIONS: &[&str] = &[
    "jar", "war", "ear", "par", "sar", "nar", "jpi", "hpi", "lpkg",
];

/// Whether a file name (or path) ends in one of [`ARCHIVE_EXTENSIONS`], in any case.
#[must_use]
pub fn is_archive_name(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ARCHIVE_EXTENSIONS
            .iter()
            .any(|e| e.eq_ignore_ascii_case(ext)),
        _ => false,
    }
}

/// Whether `path` is a bare `META-INF/maven/<group>/<artifact>/pom.properties` (an exploded
/// archive, such as a WAR unpacked under a servlet container's `webapps/`).
#[must_use]
pub fn is_pom_properties_path(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("pom.properties"), Some(a), Some(g), Some("maven"), Some("META-INF"))
            if !a.is_empty() && !g.is_empty()
    )
}

/// Bounds on hostile archives. [`Limits::default`] is what [`crate::parse`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest archive nesting: the top archive is level 0, a jar in it level 1 (16).
    pub max_depth: usize,
    /// Most `/`-separated components in one entry name ([`MAX_DEPTH`], 100; real jars stay
    /// under 30).
    pub max_name_components: usize,
    /// Most entries in all archives together, nested ones included ([`MAX_ENTRIES`]).
    pub max_entries: usize,
    /// Largest inflated `pom.properties` or `MANIFEST.MF` (4 MiB; Trivy reads 10 MiB of a
    /// manifest, real ones are a few KiB, big OSGi bundles a few hundred).
    pub max_metadata_bytes: u64,
    /// Largest inflated nested archive (256 MiB, the size [`crate::parse`] accepts at the top).
    pub max_nested_bytes: u64,
    /// Most bytes inflated in all, nested archives and metadata of every level (512 MiB).
    pub max_total_bytes: u64,
    /// Largest ratio of inflated to compressed size of one entry (100: jars inside wars
    /// deflate to about 1:1, text to 10:1; deflate itself reaches 1032:1).
    pub max_ratio: u64,
    /// Entries inflating to at most this many bytes are exempt from the ratio (1 MiB).
    pub ratio_floor: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 16,
            max_name_components: MAX_DEPTH,
            max_entries: MAX_ENTRIES,
            max_metadata_bytes: 4 << 20,
            max_nested_bytes: 256 << 20,
            max_total_bytes: 512 << 20,
            max_ratio: 100,
            ratio_floor: 1 << 20,
        }
    }
}

/// Where a package's coordinates came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// A `pom.properties` file.
    PomProperties,
    /// The archive's `META-INF/MANIFEST.MF`.
    Manifest,
    /// The archive's file name.
    FileName,
}

/// One package found in an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaPackage {
    /// The package (`name` is `group:artifact`, or the artifact alone when no group is known).
    pub package: LangPackage,
    /// Where it was found, first one first: the archive path given, or a nested path joined
    /// with [`NESTED_SEPARATOR`].
    pub locations: Vec<String>,
    /// Where the coordinates came from (at the first location).
    pub source: Source,
}

/// A nested entry that could not be read and was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The entry's location (`app.war!/WEB-INF/lib/broken.jar`).
    pub location: String,
    /// Why.
    pub reason: String,
}

/// Everything found in one archive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JavaArchive {
    /// The packages, in archive order, one per `group:artifact@version`.
    pub packages: Vec<JavaPackage>,
    /// Nested entries left out because they are corrupt.
    pub skipped: Vec<Skipped>,
}

/// Reads a Java archive with the default [`Limits`]. `path` names the archive in locations and
/// errors, and its file name is the last resort for the archive's own coordinates.
///
/// # Errors
/// When the archive is not a zip file, or breaks one of the [`Limits`].
pub fn parse_archive(path: &str, bytes: &[u8]) -> Result<JavaArchive, LangError> {
    parse_archive_with(path, bytes, &Limits::default())
}

/// Reads a Java archive with the given limits (an archive over [`MAX_INPUT_BYTES`] is refused
/// as [`crate::parse`] refuses it).
///
/// # Errors
/// As [`parse_archive`].
pub fn parse_archive_with(
    path: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<JavaArchive, LangError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(LangError::TooLarge {
            path: path.to_owned(),
            size: bytes.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    let mut walk = Walk {
        limits,
        entries: 0,
        inflated: 0,
        found: Vec::new(),
        skipped: Vec::new(),
    };
    match walk.archive(path, bytes, 0) {
        Ok(()) => {}
        Err(Fail::Limit(e)) => return Err(e),
        Err(Fail::Corrupt(what)) => {
            return Err(LangError::Format {
                path: path.to_owned(),
                what,
            });
        }
    }
    Ok(JavaArchive {
        packages: merge(walk.found),
        skipped: walk.skipped,
    })
}

/// Reads a bare `pom.properties`: its package, or `None` when it lacks a group, an artifact
/// or a version.
///
/// # Errors
/// Never for now (the format is lenient); kept fallible like the other parsers.
pub fn parse_pom_properties(path: &str, bytes: &[u8]) -> Result<Option<LangPackage>, LangError> {
    Ok(pom_properties(path, bytes).map(|g| g.package()))
}

/// The fuzz target body: reads `bytes` as an archive (with small limits, so a fuzzer's
/// inputs stay fast) and as a `pom.properties`. Never panics; returns how many packages were
/// found.
#[must_use]
pub fn fuzz(bytes: &[u8]) -> usize {
    let limits = Limits {
        max_nested_bytes: 1 << 20,
        max_total_bytes: 4 << 20,
        max_metadata_bytes: 64 << 10,
        ..Limits::default()
    };
    let archive = parse_archive_with("fuzz-1.0.jar", bytes, &limits)
        .map(|a| a.packages.len())
        .unwrap_or(0);
    let pom = parse_pom_properties("fuzz", bytes)
        .ok()
        .flatten()
        .map_or(0, |_| 1);
    archive.saturating_add(pom)
}

/// The `parse` dispatch for [`crate::ManifestKind::JavaArchive`].
pub(crate) fn archive(cx: &Cx<'_>, bytes: &[u8]) -> Result<Vec<LangPackage>, LangError> {
    Ok(parse_archive(cx.path, bytes)?
        .packages
        .into_iter()
        .map(|p| p.package)
        .collect())
}

/// The `parse` dispatch for [`crate::ManifestKind::JavaPomProperties`].
pub(crate) fn pom_properties_file(
    cx: &Cx<'_>,
    bytes: &[u8],
) -> Result<Vec<LangPackage>, LangError> {
    Ok(parse_pom_properties(cx.path, bytes)?.into_iter().collect())
}

/// Maven coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Gav {
    group: Option<String>,
    artifact: String,
    version: String,
}

impl Gav {
    fn name(&self) -> String {
        match &self.group {
            Some(g) => format!("{g}:{}", self.artifact),
            None => self.artifact.clone(),
        }
    }

    fn package(&self) -> LangPackage {
        LangPackage::new(LangEcosystem::Maven, &self.name(), &self.version)
    }
}

/// Why a walk stopped: a limit (refuses the whole archive) or a corrupt archive (refuses the
/// top one, skips a nested one).
enum Fail {
    Limit(LangError),
    Corrupt(String),
}

struct Walk<'l> {
    limits: &'l Limits,
    entries: usize,
    inflated: u64,
    found: Vec<(Gav, String, Source)>,
    skipped: Vec<Skipped>,
}

/// What to do with an entry, from its name.
enum Want {
    PomProperties,
    Manifest,
    Nested,
}

fn want(name: &str) -> Option<Want> {
    let base = name.rsplit('/').next().unwrap_or(name);
    if base == "pom.properties" {
        Some(Want::PomProperties)
    } else if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
        Some(Want::Manifest)
    } else if is_archive_name(name) {
        Some(Want::Nested)
    } else {
        None
    }
}

/// An entry name for messages: at most 80 characters.
fn short(name: &str) -> String {
    match name.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", name.get(..i).unwrap_or("")),
        None => name.to_owned(),
    }
}

fn nested(outer: &str, name: &str) -> String {
    format!("{outer}{NESTED_SEPARATOR}{name}")
}

impl Walk<'_> {
    /// Reads one archive at nesting `depth`, adding what it finds to `self.found`.
    fn archive(&mut self, path: &str, bytes: &[u8], depth: usize) -> Result<(), Fail> {
        if depth > self.limits.max_depth {
            return Err(Fail::Limit(LangError::TooDeep {
                path: path.to_owned(),
                limit: self.limits.max_depth,
            }));
        }
        // The zip reader keeps a record per central directory entry: bound them before it
        // reads any. Every entry starts with this signature, so their count is at most the
        // signature's; stored nested archives count twice here, which errs on refusing.
        let signatures = bytes.windows(4).filter(|w| *w == b"PK\x01\x02").count();
        if signatures > self.limits.max_entries {
            return Err(self.too_many(path));
        }
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| Fail::Corrupt(format!("not a zip archive: {e}")))?;
        self.entries = self.entries.saturating_add(zip.len());
        if self.entries > self.limits.max_entries {
            return Err(self.too_many(path));
        }
        let mut poms: Vec<(String, Gav)> = Vec::new();
        let mut manifest: Option<Manifest> = None;
        let mut inner: Vec<(Gav, String, Source)> = Vec::new();
        for i in 0..zip.len() {
            let (name, compressed, declared, is_dir) = match zip.by_index_data(i) {
                Ok(e) => (
                    String::from_utf8_lossy(e.name_raw()).into_owned(),
                    e.compressed_size(),
                    e.size(),
                    e.is_dir(),
                ),
                Err(e) => return Err(Fail::Corrupt(format!("entry {i}: {e}"))),
            };
            let components = name.split('/').filter(|c| !c.is_empty()).count();
            if components > self.limits.max_name_components {
                return Err(Fail::Limit(LangError::TooDeep {
                    path: nested(path, &short(&name)),
                    limit: self.limits.max_name_components,
                }));
            }
            if is_dir {
                continue;
            }
            let Some(what) = want(&name) else { continue };
            let location = nested(path, &name);
            let limit = match what {
                Want::Nested => self.limits.max_nested_bytes,
                Want::PomProperties | Want::Manifest => self.limits.max_metadata_bytes,
            };
            let body = match self.inflate(&mut zip, i, &location, compressed, declared, limit) {
                Ok(b) => b,
                Err(Fail::Corrupt(reason)) => {
                    self.skipped.push(Skipped { location, reason });
                    continue;
                }
                Err(limit) => return Err(limit),
            };
            match what {
                Want::PomProperties => {
                    if let Some(gav) = pom_properties(&name, &body) {
                        poms.push((name, gav));
                    }
                }
                Want::Manifest => manifest = Some(Manifest::parse(&body)),
                Want::Nested => {
                    let before = self.found.len();
                    match self.archive(&location, &body, depth.saturating_add(1)) {
                        Ok(()) => {}
                        Err(Fail::Corrupt(reason)) => {
                            self.found.truncate(before);
                            self.skipped.push(Skipped { location, reason });
                        }
                        Err(limit) => return Err(limit),
                    }
                    inner.extend(self.found.drain(before..));
                }
            }
        }
        // This archive's own identity, first, then its pom.properties, then nested archives.
        let file = file_name_gav(path);
        let mut under_maven = poms
            .iter()
            .filter(|(n, _)| n.starts_with("META-INF/maven/"));
        let lone = match (under_maven.next(), under_maven.next()) {
            (Some((_, g)), None) => Some(g),
            _ => None,
        };
        let stem = file_stem(path);
        let own_pom = poms.iter().any(|(_, g)| {
            file.as_ref().is_some_and(|f| is_own(g, f)) || stem.is_some_and(|s| is_stem(g, s))
        }) || lone.is_some_and(|g| file.as_ref().is_none_or(|f| same_artifact(g, f)));
        if !own_pom {
            let m = manifest.unwrap_or_default();
            if let Some(gav) = m.gav() {
                let gav = with_file_name(gav, file.as_ref());
                self.found.push((gav, path.to_owned(), Source::Manifest));
            } else if let Some(mut gav) = file {
                gav.group = m.group();
                self.found.push((gav, path.to_owned(), Source::FileName));
            } else if let (Some(artifact), Some(version)) = (file_stem(path), m.version())
                && !poms.iter().any(|(_, g)| g.version == version)
            {
                // A versionless file name (Debian's `jetty9-io.jar`) with a manifest version,
                // unless a pom.properties at that version already names it under its Maven
                // artifact id (`maven3-slf4j-provider.jar`: `maven-slf4j-provider`).
                let gav = Gav {
                    group: m.group(),
                    artifact: artifact.to_owned(),
                    version: version.to_owned(),
                };
                self.found.push((gav, path.to_owned(), Source::FileName));
            }
        }
        for (_, gav) in poms {
            self.found
                .push((gav, path.to_owned(), Source::PomProperties));
        }
        self.found.extend(inner);
        Ok(())
    }

    fn too_many(&self, path: &str) -> Fail {
        Fail::Limit(LangError::TooManyEntries {
            path: path.to_owned(),
            limit: self.limits.max_entries,
        })
    }

    /// Inflates entry `i`, refusing it past `limit` bytes, past the ratio, or past the total.
    fn inflate(
        &mut self,
        zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
        i: usize,
        location: &str,
        compressed: u64,
        declared: u64,
        limit: u64,
    ) -> Result<Vec<u8>, Fail> {
        let too_large = |size: u64| {
            Fail::Limit(LangError::TooLarge {
                path: location.to_owned(),
                size: usize::try_from(size).unwrap_or(usize::MAX),
                limit: usize::try_from(limit).unwrap_or(usize::MAX),
            })
        };
        let over_total = || {
            Fail::Limit(LangError::Format {
                path: location.to_owned(),
                what: format!(
                    "refused: the archive inflates to more than the {}-byte total limit",
                    self.limits.max_total_bytes
                ),
            })
        };
        let over_ratio = |size: u64| {
            Fail::Limit(LangError::Format {
                path: location.to_owned(),
                what: format!(
                    "refused as a zip bomb: {compressed} compressed bytes inflate to {size}, \
                     over the {}:1 compression ratio limit",
                    self.limits.max_ratio
                ),
            })
        };
        let by_ratio = compressed
            .saturating_mul(self.limits.max_ratio)
            .max(self.limits.ratio_floor);
        let total_left = self.limits.max_total_bytes.saturating_sub(self.inflated);
        // The declared size first: an honest bomb is refused before a byte is inflated.
        if declared > limit {
            return Err(too_large(declared));
        }
        if declared > by_ratio {
            return Err(over_ratio(declared));
        }
        if declared > total_left {
            return Err(over_total());
        }
        // A lying declared size: the zip reader stops with an error past it (the entry is
        // then skipped as corrupt), and never takes more than `compressed` bytes of the
        // stream; the same bounds are enforced here on what is actually inflated.
        let cap = limit.min(by_ratio).min(total_left);
        let mut entry = zip
            .by_index(i)
            .map_err(|e| Fail::Corrupt(format!("unreadable entry: {e}")))?;
        // Sizes found in the input are never trusted for allocation beyond a small start.
        let mut body =
            Vec::with_capacity(usize::try_from(declared.min(cap).min(1 << 20)).unwrap_or(0));
        let read = (&mut entry)
            .take(cap.saturating_add(1))
            .read_to_end(&mut body);
        let got = u64::try_from(body.len()).unwrap_or(u64::MAX);
        self.inflated = self.inflated.saturating_add(got);
        read.map_err(|e| Fail::Corrupt(format!("unreadable entry: {e}")))?;
        if got > cap {
            return Err(if got > limit {
                too_large(got)
            } else if got > total_left {
                over_total()
            } else {
                over_ratio(got)
            });
        }
        Ok(body)
    }
}

/// Whether a `pom.properties` names the archive whose file name gave `file`.
fn is_own(pom: &Gav, file: &Gav) -> bool {
    pom.version == file.version && same_artifact(pom, file)
}

/// Whether a `pom.properties` has the artifact of the file name that gave `file` (`guava`,
/// or `groupId.artifactId` as Quarkus and Fedora name their jars), whatever the versions.
fn same_artifact(pom: &Gav, file: &Gav) -> bool {
    pom.artifact == file.artifact
        || pom
            .group
            .as_ref()
            .is_some_and(|g| file.artifact == format!("{g}.{}", pom.artifact))
}

/// Whether a `pom.properties` names the archive whose file name without its extension is
/// `stem`, with no version in it (`httpclient-osgi.jar`) or a version-like part that the file
/// name pattern mistakes for one (`log4j-1.2-api.jar`).
fn is_stem(pom: &Gav, stem: &str) -> bool {
    pom.artifact == stem
        || pom
            .group
            .as_ref()
            .is_some_and(|g| stem == format!("{g}.{}", pom.artifact))
}

/// Groups the same `group:artifact@version` found at several places into one package.
fn merge(found: Vec<(Gav, String, Source)>) -> Vec<JavaPackage> {
    let mut index: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::new();
    let mut out: Vec<JavaPackage> = Vec::new();
    for (gav, location, source) in found {
        let key = (gav.name(), gav.version.clone());
        if let Some(p) = index.get(&key).and_then(|&i| out.get_mut(i)) {
            if !p.locations.contains(&location) {
                p.locations.push(location);
            }
            continue;
        }
        index.insert(key, out.len());
        out.push(JavaPackage {
            package: gav.package(),
            locations: vec![location],
            source,
        });
    }
    out
}

/// A Maven groupId or artifactId: Maven's own pattern, `[A-Za-z0-9_.-]+`.
fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// A version: no whitespace, not an unresolved placeholder.
fn valid_version(s: &str) -> bool {
    !s.is_empty() && !s.starts_with('%') && !s.contains("${") && !s.chars().any(char::is_whitespace)
}

/// The group and artifact of a `.../META-INF/maven/<group>/<artifact>/pom.properties` path.
fn path_coordinates(path: &str) -> Option<(&str, &str)> {
    if !is_pom_properties_path(path) {
        return None;
    }
    let mut parts = path.rsplit('/').skip(1);
    let artifact = parts.next()?;
    let group = parts.next()?;
    Some((group, artifact))
}

/// The coordinates of a `pom.properties` at `path` (Java properties: `key=value`,
/// `key: value` or `key value`; `#` and `!` comments), when all three are there and valid.
/// A missing (or empty) `groupId` or `artifactId` is taken from a
/// `META-INF/maven/<group>/<artifact>/` path, the group only when the artifact agrees
/// (`jnr-x86asm`'s has no `groupId`, as Syft reads it too).
fn pom_properties(path: &str, bytes: &[u8]) -> Option<Gav> {
    let text = String::from_utf8_lossy(bytes);
    let (mut group, mut artifact, mut version) = (None, None, None);
    for line in text.lines() {
        let line = line.trim_start_matches(['\u{feff}', ' ', '\t', '\x0c']);
        if line.starts_with(['#', '!']) || line.is_empty() {
            continue;
        }
        let split = line.find(['=', ':', ' ', '\t']).unwrap_or(line.len());
        let (key, rest) = line.split_at(split);
        let value = rest
            .trim_start_matches([' ', '\t'])
            .strip_prefix(['=', ':'])
            .unwrap_or(rest.trim_start_matches([' ', '\t']))
            .trim();
        match key {
            "groupId" => group = Some(value.to_owned()),
            "artifactId" => artifact = Some(value.to_owned()),
            "version" => version = Some(value.to_owned()),
            _ => {}
        }
    }
    let (group, artifact) = fill_from_path(path, group, artifact);
    let (group, artifact, version) = (group?, artifact?, version?);
    (valid_id(&group) && valid_id(&artifact) && valid_version(&version)).then_some(Gav {
        group: Some(group),
        artifact,
        version,
    })
}

/// `group` and `artifact` of a `pom.properties`, the missing or empty ones filled from its
/// path (see [`pom_properties`]).
fn fill_from_path(
    path: &str,
    group: Option<String>,
    artifact: Option<String>,
) -> (Option<String>, Option<String>) {
    let present = |v: Option<String>| v.filter(|s| !s.is_empty());
    let (group, artifact) = (present(group), present(artifact));
    let Some((path_group, path_artifact)) = path_coordinates(path) else {
        return (group, artifact);
    };
    let artifact = artifact.unwrap_or_else(|| path_artifact.to_owned());
    let group = group.or_else(|| (artifact == path_artifact).then(|| path_group.to_owned()));
    (group, Some(artifact))
}

/// The main section of a `MANIFEST.MF`: the attributes Trivy reads.
#[derive(Debug, Default)]
struct Manifest {
    implementation_version: Option<String>,
    implementation_title: Option<String>,
    implementation_vendor: Option<String>,
    implementation_vendor_id: Option<String>,
    specification_title: Option<String>,
    specification_version: Option<String>,
    specification_vendor: Option<String>,
    bundle_name: Option<String>,
    bundle_version: Option<String>,
    bundle_symbolic_name: Option<String>,
    /// Jenkins plugins (`.hpi`, `.jpi`): `Group-Id`, `Short-Name`, `Plugin-Version`.
    group_id: Option<String>,
    short_name: Option<String>,
    plugin_version: Option<String>,
}

impl Manifest {
    fn parse(bytes: &[u8]) -> Self {
        let text = String::from_utf8_lossy(bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut m = Self::default();
        let mut attr = String::new();
        // Lines end in CRLF, LF or a lone CR; a line starting with one space continues the
        // previous one; the main section ends at the first empty line.
        for line in manifest_lines(text) {
            if line.is_empty() {
                break;
            }
            if let Some(more) = line.strip_prefix(' ') {
                attr.push_str(more);
                continue;
            }
            m.add(&attr);
            attr.clear();
            attr.push_str(line);
        }
        m.add(&attr);
        m
    }

    fn add(&mut self, attr: &str) {
        let Some((key, value)) = attr.split_once(':') else {
            return;
        };
        let value = value.trim();
        if value.is_empty() {
            return;
        }
        let slot = match key.trim().to_ascii_lowercase().as_str() {
            "implementation-version" => &mut self.implementation_version,
            "implementation-title" => &mut self.implementation_title,
            "implementation-vendor" => &mut self.implementation_vendor,
            "implementation-vendor-id" => &mut self.implementation_vendor_id,
            "specification-title" => &mut self.specification_title,
            "specification-version" => &mut self.specification_version,
            "specification-vendor" => &mut self.specification_vendor,
            "bundle-name" => &mut self.bundle_name,
            "bundle-version" => &mut self.bundle_version,
            "bundle-symbolicname" => &mut self.bundle_symbolic_name,
            "group-id" => &mut self.group_id,
            "short-name" => &mut self.short_name,
            "plugin-version" => &mut self.plugin_version,
            _ => return,
        };
        *slot = Some(value.to_owned());
    }

    /// The group: the first valid of Implementation-Vendor-Id, Bundle-SymbolicName (see
    /// [`symbolic_group`]), Implementation-Vendor, Specification-Vendor.
    fn group(&self) -> Option<String> {
        let symbolic = self
            .bundle_symbolic_name
            .as_deref()
            .and_then(symbolic_group);
        [
            self.implementation_vendor_id.as_deref(),
            symbolic,
            self.implementation_vendor.as_deref(),
            self.specification_vendor.as_deref(),
        ]
        .into_iter()
        .flatten()
        .find(|s| valid_id(s))
        .map(str::to_owned)
    }

    fn gav(&self) -> Option<Gav> {
        // A Jenkins plugin's manifest carries its Maven coordinates exactly (maven-hpi-plugin
        // writes them; Syft and osv-scalibr read them too).
        if let (Some(g), Some(a), Some(v)) =
            (&self.group_id, &self.short_name, &self.plugin_version)
            && valid_id(g)
            && valid_id(a)
            && valid_version(v)
        {
            return Some(Gav {
                group: Some(g.clone()),
                artifact: a.clone(),
                version: v.clone(),
            });
        }
        let artifact = [
            &self.implementation_title,
            &self.specification_title,
            &self.bundle_name,
        ]
        .into_iter()
        .flatten()
        .find(|s| valid_id(s))?;
        Some(Gav {
            group: Some(self.group()?),
            artifact: artifact.clone(),
            version: self.version()?.to_owned(),
        })
    }

    /// The version: the first of Implementation-Version, Bundle-Version and
    /// Specification-Version (an API version, `5` for JNA 5.13.0, hence last) that
    /// [`manifest_version`] accepts.
    fn version(&self) -> Option<&str> {
        [
            &self.implementation_version,
            &self.bundle_version,
            &self.specification_version,
        ]
        .into_iter()
        .flatten()
        .find_map(|s| manifest_version(s))
    }
}

/// A manifest version: its first whitespace-separated token (`5.13.0 (b0)` -> `5.13.0`),
/// which must start with a digit (`private-19991231` is a build label, not a version).
fn manifest_version(s: &str) -> Option<&str> {
    let token = s.split_whitespace().next()?;
    (token.bytes().next().is_some_and(|b| b.is_ascii_digit()) && valid_version(token))
        .then_some(token)
}

/// Corrects manifest coordinates with the file name's where the manifest is plainly worse:
/// an artifact that is the file name's stem, version included (`Bundle-Name:
/// lz4-java-1.8.0`), becomes the file name's artifact; a one-component version (`0`, `5`)
/// loses to a dotted one from the file name (`lz4-java-1.8.0.jar`).
fn with_file_name(mut gav: Gav, file: Option<&Gav>) -> Gav {
    if let Some(f) = file {
        if gav.artifact == format!("{}-{}", f.artifact, f.version) {
            gav.artifact.clone_from(&f.artifact);
        }
        if !gav.version.contains('.') && f.version.contains('.') {
            gav.version.clone_from(&f.version);
        }
    }
    gav
}

/// The group a `Bundle-SymbolicName` gives: without its directives, up to its last dot
/// (`com.google.guava` -> `com.google`), but the whole name when that would leave a single
/// segment (`com.h2database` -> `com.h2database`, not `com`: a one-segment group such as
/// `com` or `org` is never a real one), and none for a name without a dot (`groovy`) or with
/// a segment that starts with a digit (`lz4-java-1.8.0`: a file name, not a package name).
fn symbolic_group(symbolic: &str) -> Option<&str> {
    let s = symbolic.split(';').next().unwrap_or(symbolic).trim();
    let segments_ok = s
        .split('.')
        .all(|seg| seg.bytes().next().is_some_and(|b| !b.is_ascii_digit()));
    if !segments_ok {
        return None;
    }
    let (cut, _) = s.rsplit_once('.')?;
    Some(if cut.contains('.') { cut } else { s })
}

/// The lines of a manifest: ended by CRLF, LF or a lone CR (the JAR specification's
/// newlines; `str::lines` misses the lone CR).
fn manifest_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
        let line = rest.get(..end).unwrap_or("");
        let after = rest.get(end..).unwrap_or("");
        rest = after
            .strip_prefix("\r\n")
            .or_else(|| after.strip_prefix('\r'))
            .or_else(|| after.strip_prefix('\n'))
            .unwrap_or(after);
        Some(line)
    })
}

/// Artifact and version from an archive's file name, Trivy's pattern
/// `^([a-zA-Z0-9._-]*[^-*])-(\d\S*).jar$` (the last `-` followed by a digit splits them),
/// for every extension in [`ARCHIVE_EXTENSIONS`].
fn file_name_gav(path: &str) -> Option<Gav> {
    let base = path.rsplit(['/', '!']).next().unwrap_or(path);
    let (stem, ext) = base.rsplit_once('.')?;
    if !ARCHIVE_EXTENSIONS
        .iter()
        .any(|e| e.eq_ignore_ascii_case(ext))
    {
        return None;
    }
    let bytes = stem.as_bytes();
    for (i, &b) in bytes.iter().enumerate().rev() {
        if b != b'-' {
            continue;
        }
        let (artifact, version) = (stem.get(..i)?, stem.get(i + 1..)?);
        let starts_digit = version.bytes().next().is_some_and(|c| c.is_ascii_digit());
        if !starts_digit || version.chars().any(char::is_whitespace) {
            continue;
        }
        if valid_id(artifact) && !artifact.ends_with('-') {
            return Some(Gav {
                group: None,
                artifact: artifact.to_owned(),
                version: version.to_owned(),
            });
        }
    }
    None
}

/// An archive's file name without its extension (`jetty9-io` for `jetty9-io.jar`), when it is
/// a valid Maven artifact id.
fn file_stem(path: &str) -> Option<&str> {
    let base = path.rsplit(['/', '!']).next().unwrap_or(path);
    let (stem, _) = base.rsplit_once('.')?;
    valid_id(stem).then_some(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_split_at_the_last_dash_before_a_digit() {
        let f = |p: &str| file_name_gav(p).map(|g| (g.artifact, g.version));
        let s = |a: &str, v: &str| Some((a.to_owned(), v.to_owned()));
        assert_eq!(f("lib/guava-31.1-jre.jar"), s("guava", "31.1-jre"));
        assert_eq!(
            f("spring-core-5.3.4-SNAPSHOT.jar"),
            s("spring-core", "5.3.4-SNAPSHOT")
        );
        assert_eq!(f("log4j-1.2-api-2.17.1.jar"), s("log4j-1.2-api", "2.17.1"));
        assert_eq!(f("a.war!/WEB-INF/lib/x-1.WAR"), s("x", "1"));
        assert_eq!(f("app.jar"), None);
        assert_eq!(f("-1.0.jar"), None);
        assert_eq!(f("x-1.0.txt"), None);
    }

    #[test]
    fn symbolic_name_groups_keep_two_segments_at_least() {
        assert_eq!(
            symbolic_group("com.google.guava;singleton:=true"),
            Some("com.google")
        );
        assert_eq!(symbolic_group("com.h2database"), Some("com.h2database"));
        assert_eq!(symbolic_group("org.python"), Some("org.python"));
        assert_eq!(symbolic_group("org.hamcrest"), Some("org.hamcrest"));
        assert_eq!(symbolic_group("groovy"), None);
        assert_eq!(symbolic_group("lz4-java-1.8.0"), None);
        assert_eq!(symbolic_group("a..b"), None);
    }

    #[test]
    fn manifest_main_section_only_with_continuations() {
        let m = Manifest::parse(
            b"Manifest-Version: 1.0\r\nImplementation-Title: spring-co\r\n re\r\nImplementation-Version: 5.3.3\r\nImplementation-Vendor-Id: org.springframework\r\n\r\nName: x/\r\nImplementation-Version: 9\r\n",
        );
        let gav = m.gav().unwrap();
        assert_eq!(gav.name(), "org.springframework:spring-core");
        assert_eq!(gav.version, "5.3.3");
    }

    #[test]
    fn jenkins_plugin_manifest_gives_its_maven_coordinates() {
        let m = Manifest::parse(
            b"Manifest-Version: 1.0\nImplementation-Title: Git plugin\nGroup-Id: org.jenkins-ci.plugins\nShort-Name: git\nPlugin-Version: 5.2.1\nImplementation-Version: 5.2.1\n",
        );
        let gav = m.gav().unwrap();
        assert_eq!(gav.name(), "org.jenkins-ci.plugins:git");
        assert_eq!(gav.version, "5.2.1");
    }

    #[test]
    fn manifest_free_text_is_skipped_for_the_next_field() {
        let m = Manifest::parse(
            b"Bundle-Name: Guava: Google Core Libraries\nBundle-SymbolicName: com.google.guava;singleton:=true\nSpecification-Title: guava\nBundle-Version: 31.1.0.jre\nImplementation-Title: %name\n",
        );
        let gav = m.gav().unwrap();
        assert_eq!(gav.name(), "com.google:guava");
        assert_eq!(gav.version, "31.1.0.jre");
    }
}
