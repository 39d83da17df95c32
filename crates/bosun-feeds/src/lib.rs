//! Fetching bosun's vulnerability feeds and (re)building the database from them.
//!
//! This crate owns the feed sources and their URLs, the local copy of each downloaded feed
//! (with its HTTP validators, so the next [`update`] sends conditional requests), the rebuild
//! of the database from those copies through [`bosun_vulndb::DbBuilder`], and the one-file
//! database export ([`export`], [`import_export`]) for offline machines.
//!
//! # Sources
//!
//! | source | upstream |
//! | --- | --- |
//! | OSV, one per ecosystem | `https://osv-vulnerabilities.storage.googleapis.com/<Ecosystem>/all.zip` |
//! | CISA KEV | `https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json` |
//! | FIRST EPSS | `https://epss.empiricalsecurity.com/epss_scores-current.csv.gz` |
//!
//! The default ecosystems ([`DEFAULT_ECOSYSTEMS`]) cover what container images carry: the
//! distributions and the language registries.
//!
//! # Mirror layout
//!
//! With [`UpdateOptions::mirror`] set to `BASE`, every source comes from under that one URL:
//!
//! ```text
//! BASE/osv/<Ecosystem>/all.zip                      e.g. BASE/osv/Red%20Hat/all.zip
//! BASE/kev/known_exploited_vulnerabilities.json
//! BASE/epss/epss_scores-current.csv.gz
//! ```
//!
//! (`<Ecosystem>` is the OSV name, percent-encoded in the URL: `Red Hat` → `Red%20Hat`.) A
//! site fills a mirror with `wget` and serves the folder with any static web server:
//!
//! ```sh
//! for e in Debian Ubuntu Alpine Wolfi Chainguard "Red Hat" "Rocky Linux" AlmaLinux SUSE \
//!          openSUSE PyPI npm Go Maven crates.io RubyGems Packagist NuGet; do
//!   mkdir -p "mirror/osv/$e"
//!   wget -O "mirror/osv/$e/all.zip" \
//!     "https://osv-vulnerabilities.storage.googleapis.com/${e// /%20}/all.zip"
//! done
//! wget -N -P mirror/kev https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json
//! wget -N -P mirror/epss https://epss.empiricalsecurity.com/epss_scores-current.csv.gz
//! ```
//!
//! The local copies an update keeps in `<db_dir>/sources/` use the same layout (next to
//! each file, a `.http-cache` sidecar holds its `ETag` and `Last-Modified`), so that folder
//! can itself be served as a mirror.
//!
//! # Failure rules
//!
//! A source the mirror does not have (HTTP 404/410) is skipped with a warning in the report;
//! its previous copy, if any, is still used. Any other failure fails the whole update before
//! the database is touched: the previous database file stays as it was and keeps opening.
//! The database is written through a temporary file and a rename, so readers never see a
//! partial file and need no lock; two concurrent updates only ever rename complete files
//! (every temporary name is unique).
//!
//! ```no_run
//! use bosun_feeds::{update, NoProgress, UpdateOptions};
//! let mut opts = UpdateOptions::new("/var/lib/bosun/db");
//! opts.mirror = Some("https://mirror.example.org/bosun".into());
//! let report = update(&opts, &mut NoProgress)?;
//! for s in &report.sources {
//!     let _ = (&s.source, &s.status, s.bytes, s.records);
//! }
//! # Ok::<(), bosun_feeds::FeedsError>(())
//! ```

use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use bosun_http::{Client, ClientOptions, Conditional, Download, DownloadProgress, HttpError};
use bosun_vulndb::{DB_FILE, Db, DbBuilder, DbInfo, ImportStats, VulnDbError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where OSV publishes its per-ecosystem `all.zip`.
pub const OSV_BASE: &str = "https://osv-vulnerabilities.storage.googleapis.com";
/// The CISA KEV catalog.
pub const KEV_URL: &str =
    "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json";
/// The current FIRST EPSS scores.
pub const EPSS_URL: &str = "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz";
/// The OSV ecosystems fetched by default (names as in the OSV schema's `ecosystems.json`).
pub const DEFAULT_ECOSYSTEMS: &[&str] = &[
    "Debian",
    "Ubuntu",
    "Alpine",
    "Wolfi",
    "Chainguard",
    "Red Hat",
    "Rocky Linux",
    "AlmaLinux",
    "SUSE",
    "openSUSE",
    "PyPI",
    "npm",
    "Go",
    "Maven",
    "crates.io",
    "RubyGems",
    "Packagist",
    "NuGet",
];
/// Largest download accepted per source by default (the database builder reads at most
/// 1 GiB per file).
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;
/// The folder under the database directory that keeps the downloaded feeds.
pub const SOURCES_DIR: &str = "sources";
/// Magic bytes opening an export file.
pub const EXPORT_MAGIC: &[u8; 8] = b"BOSUNDBX";
/// Export format version.
pub const EXPORT_VERSION: u32 = 1;
/// Largest database accepted from an export file.
pub const MAX_EXPORT_DB: u64 = 16 << 30;
/// Suffix of the sidecar file that keeps a download's validators.
const SIDECAR_SUFFIX: &str = ".http-cache";
/// Largest sidecar read.
const MAX_SIDECAR: u64 = 64 * 1024;
/// Export header: magic, version, length, SHA-256.
const EXPORT_HEADER_LEN: usize = 8 + 4 + 8 + 32;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum FeedsError {
    /// An option is unusable (bad ecosystem name, bad mirror URL).
    #[error("{0}")]
    InvalidOption(String),
    /// The HTTP client could not be set up.
    #[error(transparent)]
    Client(HttpError),
    /// A source failed to download; the database was not changed.
    #[error("{feed}: {error}; the previous database is unchanged")]
    Download {
        /// The source (`osv/Debian`, `kev`, `epss`).
        feed: String,
        /// What failed (names the URL).
        #[source]
        error: HttpError,
    },
    /// A downloaded file is not what its source should hold (an HTML error page served as
    /// `all.zip`, a cut gzip); the database was not changed, and the next update fetches the
    /// source again in full.
    #[error(
        "{feed}: the file from {url} is not a valid {expected} ({reason}); the previous database is unchanged; check the mirror"
    )]
    BadSource {
        /// The source.
        feed: String,
        /// Where it came from.
        url: String,
        /// What it should be (`OSV all.zip`, ...).
        expected: &'static str,
        /// The first problem the database builder reported.
        reason: String,
    },
    /// Building, writing or opening the database failed.
    #[error(transparent)]
    Db(#[from] VulnDbError),
    /// A local file could not be read or written.
    #[error("{path}: {error}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Cause.
        #[source]
        error: io::Error,
    },
    /// An export file is not a valid bosun database export; nothing was changed.
    #[error("{path}: not a usable bosun database export ({reason}); the existing database is kept")]
    BadExport {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> FeedsError + '_ {
    move |error| FeedsError::Io {
        path: path.to_path_buf(),
        error,
    }
}

/// What a source is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// OSV `all.zip` of one ecosystem.
    Osv {
        /// The OSV ecosystem name.
        ecosystem: String,
    },
    /// CISA KEV JSON.
    Kev,
    /// FIRST EPSS CSV (gzip).
    Epss,
}

/// One feed to fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// Its name in reports: `osv/<Ecosystem>`, `kev`, `epss`.
    pub name: String,
    /// What it is.
    pub kind: SourceKind,
    /// Where it is fetched from.
    pub url: String,
    /// Its path relative to a mirror base and to `<db_dir>/sources`
    /// (`osv/<Ecosystem>/all.zip`, ...; not percent-encoded).
    pub rel_path: String,
}

/// How to update.
#[derive(Clone, Debug)]
pub struct UpdateOptions {
    /// The database directory (the database is `<db_dir>/bosun-vulndb.bin`, the feeds are
    /// kept in `<db_dir>/sources/`).
    pub db_dir: PathBuf,
    /// A mirror base URL (see the crate docs for its layout); `None` fetches upstream.
    pub mirror: Option<String>,
    /// OSV ecosystems to fetch ([`DEFAULT_ECOSYSTEMS`] by default).
    pub ecosystems: Vec<String>,
    /// Fetch CISA KEV (default true).
    pub kev: bool,
    /// Fetch EPSS (default true).
    pub epss: bool,
    /// The HTTP client's options: retry policy, timeouts, CA file, `insecure`.
    pub http: ClientOptions,
    /// Largest download accepted per source.
    pub max_bytes: u64,
}

impl UpdateOptions {
    /// Defaults: upstream, [`DEFAULT_ECOSYSTEMS`], KEV and EPSS, [`ClientOptions::default`],
    /// [`DEFAULT_MAX_BYTES`].
    pub fn new(db_dir: impl Into<PathBuf>) -> UpdateOptions {
        UpdateOptions {
            db_dir: db_dir.into(),
            mirror: None,
            ecosystems: DEFAULT_ECOSYSTEMS
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
            kev: true,
            epss: true,
            http: ClientOptions::default(),
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// Progress callbacks for the CLI (indicatif bars). Every method has a no-op default.
pub trait Progress {
    /// A phase starts (`downloading`, `building the database`, ...).
    fn phase(&mut self, _message: &str) {}
    /// A source's body starts (again, after a retry), with its announced length.
    fn source_start(&mut self, _source: &str, _total: Option<u64>) {}
    /// `bytes` more bytes of a source were received.
    fn source_bytes(&mut self, _source: &str, _bytes: u64) {}
    /// An attempt failed and will be retried after `delay`.
    fn source_retry(&mut self, _source: &str, _attempt: u32, _delay: Duration, _reason: &str) {}
    /// A source is fetched (or skipped).
    fn source_done(&mut self, _report: &SourceReport) {}
}

/// A [`Progress`] that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoProgress;

impl Progress for NoProgress {}

/// What happened to a source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum SourceStatus {
    /// A new copy was downloaded.
    Downloaded,
    /// The server said 304; the kept copy was used.
    NotModified,
    /// The server does not have it (404/410).
    Skipped {
        /// Why.
        reason: String,
        /// Whether a previously downloaded copy was used.
        previous_used: bool,
    },
}

/// Per source outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceReport {
    /// `osv/<Ecosystem>`, `kev`, `epss`.
    pub source: String,
    /// The URL fetched.
    pub url: String,
    /// What happened.
    #[serde(flatten)]
    pub status: SourceStatus,
    /// Bytes downloaded (0 when not modified or skipped).
    pub bytes: u64,
    /// OSV records read from it.
    pub records: usize,
    /// Malformed records (and KEV/EPSS rows) skipped.
    pub skipped_records: usize,
    /// KEV entries read from it.
    pub kev: usize,
    /// EPSS rows read from it.
    pub epss: usize,
}

/// What [`update`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UpdateReport {
    /// One entry per source, in fetch order.
    pub sources: Vec<SourceReport>,
    /// Skipped sources and sources with skipped records, one line each.
    pub warnings: Vec<String>,
    /// The database written.
    pub db: DbInfo,
}

/// What [`import`] did.
#[derive(Clone, Debug)]
pub struct ImportReport {
    /// Per path given.
    pub sources: Vec<ImportStats>,
    /// The database written.
    pub db: DbInfo,
}

/// What [`export`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportInfo {
    /// The export file.
    pub path: PathBuf,
    /// Size of the database file.
    pub db_bytes: u64,
    /// Size of the export file.
    pub export_bytes: u64,
    /// Hex SHA-256 of the database file.
    pub sha256: String,
}

/// The validators kept beside a downloaded feed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Sidecar {
    url: String,
    etag: Option<String>,
    last_modified: Option<String>,
    /// Size of the file these validators describe: a copy of another size (another update
    /// renamed its file in between) is fetched without validators.
    bytes: u64,
}

/// Percent-encodes one URL path segment (everything but RFC 3986 unreserved characters).
#[must_use]
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn check_ecosystem(e: &str) -> Result<(), FeedsError> {
    let ok = !e.is_empty()
        && e.len() <= 64
        && e != "."
        && e != ".."
        && e.chars().all(|c| !c.is_control() && c != '/' && c != '\\');
    if ok {
        Ok(())
    } else {
        Err(FeedsError::InvalidOption(format!(
            "{e:?} is not an OSV ecosystem name (for example Debian, PyPI, crates.io)"
        )))
    }
}

/// The sources an update with these options fetches, in order (OSV ecosystems, KEV, EPSS).
///
/// # Errors
/// [`FeedsError::InvalidOption`] for an unusable ecosystem name.
pub fn plan(opts: &UpdateOptions) -> Result<Vec<Source>, FeedsError> {
    let mirror = opts.mirror.as_deref().map(|m| m.trim_end_matches('/'));
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for e in &opts.ecosystems {
        check_ecosystem(e)?;
        if !seen.insert(e.clone()) {
            continue;
        }
        let url = match mirror {
            Some(m) => format!("{m}/osv/{}/all.zip", encode_segment(e)),
            None => format!("{OSV_BASE}/{}/all.zip", encode_segment(e)),
        };
        out.push(Source {
            name: format!("osv/{e}"),
            kind: SourceKind::Osv {
                ecosystem: e.clone(),
            },
            url,
            rel_path: format!("osv/{e}/all.zip"),
        });
    }
    if opts.kev {
        out.push(Source {
            name: "kev".into(),
            kind: SourceKind::Kev,
            url: mirror.map_or_else(
                || KEV_URL.to_string(),
                |m| format!("{m}/kev/known_exploited_vulnerabilities.json"),
            ),
            rel_path: "kev/known_exploited_vulnerabilities.json".into(),
        });
    }
    if opts.epss {
        out.push(Source {
            name: "epss".into(),
            kind: SourceKind::Epss,
            url: mirror.map_or_else(
                || EPSS_URL.to_string(),
                |m| format!("{m}/epss/epss_scores-current.csv.gz"),
            ),
            rel_path: "epss/epss_scores-current.csv.gz".into(),
        });
    }
    Ok(out)
}

fn sidecar_path(file: &Path) -> PathBuf {
    let mut s = file.as_os_str().to_owned();
    s.push(SIDECAR_SUFFIX);
    PathBuf::from(s)
}

/// The validators for `file` when they describe it (same URL, same size).
fn read_sidecar(file: &Path, url: &str) -> Conditional {
    let Ok(meta) = std::fs::metadata(file) else {
        return Conditional::default();
    };
    let mut text = Vec::new();
    let read = std::fs::File::open(sidecar_path(file))
        .and_then(|f| f.take(MAX_SIDECAR).read_to_end(&mut text));
    match read
        .ok()
        .and_then(|_| serde_json::from_slice::<Sidecar>(&text).ok())
    {
        Some(s) if s.url == url && s.bytes == meta.len() => Conditional {
            etag: s.etag,
            last_modified: s.last_modified,
        },
        _ => Conditional::default(),
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FeedsError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err(path))?;
    tmp.write_all(bytes).map_err(io_err(path))?;
    tmp.persist(path).map_err(|e| io_err(path)(e.error))?;
    Ok(())
}

/// Bridges a download's progress to the update's.
struct Bridge<'a> {
    source: &'a str,
    inner: &'a mut dyn Progress,
}

impl DownloadProgress for Bridge<'_> {
    fn start(&mut self, total: Option<u64>) {
        self.inner.source_start(self.source, total);
    }
    fn advance(&mut self, bytes: u64) {
        self.inner.source_bytes(self.source, bytes);
    }
    fn retry(&mut self, attempt: u32, delay: Duration, reason: &str) {
        self.inner.source_retry(self.source, attempt, delay, reason);
    }
}

/// Fetches every planned source into `<db_dir>/sources/` (conditionally, reusing copies the
/// server says are current), then rebuilds the database from the local copies and writes it
/// atomically. See the crate docs for the failure rules.
///
/// # Errors
/// [`FeedsError::Download`] for any download failure but a missing source, and
/// [`FeedsError::BadSource`] for a downloaded file of the wrong kind (the database is then
/// unchanged); [`FeedsError::InvalidOption`], [`FeedsError::Client`],
/// [`FeedsError::Db`], [`FeedsError::Io`].
pub fn update(
    opts: &UpdateOptions,
    progress: &mut dyn Progress,
) -> Result<UpdateReport, FeedsError> {
    let sources = plan(opts)?;
    let client = Client::new(opts.http.clone()).map_err(FeedsError::Client)?;
    for s in &sources {
        client
            .check_url(&s.url)
            .map_err(|error| FeedsError::Download {
                feed: s.name.clone(),
                error,
            })?;
    }
    let root = opts.db_dir.join(SOURCES_DIR);
    progress.phase("downloading vulnerability feeds");
    let mut reports = Vec::new();
    let mut warnings = Vec::new();
    for s in &sources {
        let file = root.join(&s.rel_path);
        let cond = read_sidecar(&file, &s.url);
        let mut bridge = Bridge {
            source: &s.name,
            inner: progress,
        };
        let got = client.download_to(&s.url, &file, &cond, opts.max_bytes, &mut bridge);
        let (status, bytes) = match got {
            Ok(Download::Modified {
                etag,
                last_modified,
                bytes,
            }) => {
                let side = Sidecar {
                    url: s.url.clone(),
                    etag,
                    last_modified,
                    bytes,
                };
                let json = serde_json::to_vec(&side).map_err(|e| io_err(&file)(e.into()))?;
                write_atomic(&sidecar_path(&file), &json)?;
                (SourceStatus::Downloaded, bytes)
            }
            Ok(Download::NotModified) => (SourceStatus::NotModified, 0),
            Err(HttpError::NotFound { status, .. }) => {
                let previous_used = file.is_file();
                let reason = format!("HTTP {status} at {}", s.url);
                warnings.push(format!(
                    "{}: not found ({reason}); {}",
                    s.name,
                    if previous_used {
                        "using the copy from the previous update"
                    } else {
                        "no previous copy, source left out"
                    }
                ));
                (
                    SourceStatus::Skipped {
                        reason,
                        previous_used,
                    },
                    0,
                )
            }
            Err(error) => {
                return Err(FeedsError::Download {
                    feed: s.name.clone(),
                    error,
                });
            }
        };
        reports.push(SourceReport {
            source: s.name.clone(),
            url: s.url.clone(),
            status,
            bytes,
            records: 0,
            skipped_records: 0,
            kev: 0,
            epss: 0,
        });
    }
    progress.phase("building the vulnerability database");
    let mut builder = DbBuilder::new();
    for (s, r) in sources.iter().zip(reports.iter_mut()) {
        let file = root.join(&s.rel_path);
        if !file.is_file() {
            progress.source_done(r);
            continue;
        }
        let stats = builder.add_path(&file)?;
        let (kind, expected) = match s.kind {
            SourceKind::Osv { .. } => ("osv_zip", "OSV all.zip"),
            SourceKind::Kev => ("kev", "CISA KEV JSON catalog"),
            SourceKind::Epss => ("epss", "gzip EPSS CSV"),
        };
        if !stats.kinds.contains_key(kind) {
            // Forget the validators so the next update does not get a 304 for this file.
            let _ = std::fs::remove_file(sidecar_path(&file));
            return Err(FeedsError::BadSource {
                feed: s.name.clone(),
                url: s.url.clone(),
                expected,
                reason: stats
                    .problems
                    .first()
                    .map_or_else(|| "unrecognized content".to_string(), |p| p.reason.clone()),
            });
        }
        r.records = stats.records;
        r.skipped_records = stats.skipped + stats.skipped_rows;
        r.kev = stats.kev;
        r.epss = stats.epss;
        if r.skipped_records > 0 {
            warnings.push(format!(
                "{}: {} malformed records skipped{}",
                s.name,
                r.skipped_records,
                stats
                    .problems
                    .first()
                    .map(|p| format!(" (first: {}: {})", p.file, p.reason))
                    .unwrap_or_default()
            ));
        }
        progress.source_done(r);
    }
    progress.phase("writing the vulnerability database");
    let db = builder.write(&opts.db_dir)?;
    Ok(UpdateReport {
        sources: reports,
        warnings,
        db,
    })
}

/// A feed copy kept under `<db_dir>/sources/` (for `bosun db status`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LocalSource {
    /// `osv/<Ecosystem>`, `kev`, `epss`.
    pub source: String,
    /// The file.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// The URL it was downloaded from, when its sidecar describes it.
    pub url: Option<String>,
    /// Its `ETag`, when known.
    pub etag: Option<String>,
    /// Its `Last-Modified`, when known.
    pub last_modified: Option<String>,
}

/// The feed copies kept under `<db_dir>/sources/`, in name order (empty when there are none).
///
/// # Errors
/// [`FeedsError::Io`] when a folder exists but cannot be listed.
pub fn local_sources(db_dir: &Path) -> Result<Vec<LocalSource>, FeedsError> {
    let root = db_dir.join(SOURCES_DIR);
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let osv = root.join("osv");
    if osv.is_dir() {
        for e in std::fs::read_dir(&osv).map_err(io_err(&osv))? {
            let e = e.map_err(io_err(&osv))?;
            let zip = e.path().join("all.zip");
            if zip.is_file() {
                let name = format!("osv/{}", e.file_name().to_string_lossy());
                files.push((name, zip));
            }
        }
    }
    files.sort();
    for (name, rel) in [
        ("kev", "kev/known_exploited_vulnerabilities.json"),
        ("epss", "epss/epss_scores-current.csv.gz"),
    ] {
        let p = root.join(rel);
        if p.is_file() {
            files.push((name.to_string(), p));
        }
    }
    let mut out = Vec::with_capacity(files.len());
    for (source, path) in files {
        let bytes = std::fs::metadata(&path).map_err(io_err(&path))?.len();
        let mut text = Vec::new();
        let side = std::fs::File::open(sidecar_path(&path))
            .and_then(|f| f.take(MAX_SIDECAR).read_to_end(&mut text))
            .ok()
            .and_then(|_| serde_json::from_slice::<Sidecar>(&text).ok())
            .filter(|s| s.bytes == bytes);
        out.push(LocalSource {
            source,
            path,
            bytes,
            url: side.as_ref().map(|s| s.url.clone()),
            etag: side.as_ref().and_then(|s| s.etag.clone()),
            last_modified: side.and_then(|s| s.last_modified),
        });
    }
    Ok(out)
}

/// Builds the database in `db_dir` from local files and folders (any mix of OSV JSON/YAML,
/// bundles, `all.zip`, KEV JSON, EPSS CSV), written atomically.
///
/// # Errors
/// [`FeedsError::Db`] when a path cannot be read or the database cannot be written.
pub fn import(paths: &[PathBuf], db_dir: &Path) -> Result<ImportReport, FeedsError> {
    let mut builder = DbBuilder::new();
    let mut sources = Vec::new();
    for p in paths {
        sources.push(builder.add_path(p)?);
    }
    let db = builder.write(db_dir)?;
    Ok(ImportReport { sources, db })
}

/// Writes the database of `db_dir` as one file: [`EXPORT_MAGIC`], the format version (u32
/// LE), the database's length (u64 LE) and SHA-256, then the database compressed with zstd.
/// The database is opened and verified first; the export is written atomically.
///
/// # Errors
/// [`FeedsError::Db`] when the database does not open or verify, [`FeedsError::Io`].
pub fn export(db_dir: &Path, out_file: &Path) -> Result<ExportInfo, FeedsError> {
    let db = Db::open(db_dir)?;
    db.verify()?;
    let db_path = db.path().to_path_buf();
    // One handle for both passes: a concurrent update renames a new file in, this one stays.
    let mut f = std::fs::File::open(&db_path).map_err(io_err(&db_path))?;
    drop(db);
    let mut h = Sha256::new();
    let db_bytes = io::copy(&mut f, &mut HashWriter(&mut h)).map_err(io_err(&db_path))?;
    let sha: [u8; 32] = h.finalize().into();
    f.rewind().map_err(io_err(&db_path))?;
    let dir = match out_file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err(out_file))?;
    {
        let mut w = io::BufWriter::new(tmp.as_file_mut());
        w.write_all(EXPORT_MAGIC).map_err(io_err(out_file))?;
        w.write_all(&EXPORT_VERSION.to_le_bytes())
            .map_err(io_err(out_file))?;
        w.write_all(&db_bytes.to_le_bytes())
            .map_err(io_err(out_file))?;
        w.write_all(&sha).map_err(io_err(out_file))?;
        let mut enc = zstd::stream::write::Encoder::new(&mut w, 9).map_err(io_err(out_file))?;
        let copied = io::copy(&mut (&mut f).take(db_bytes), &mut enc).map_err(io_err(&db_path))?;
        if copied != db_bytes {
            return Err(io_err(&db_path)(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "database file shrank while exporting",
            )));
        }
        enc.finish().map_err(io_err(out_file))?;
        w.flush().map_err(io_err(out_file))?;
    }
    tmp.as_file().sync_all().map_err(io_err(out_file))?;
    let export_bytes = tmp.as_file().metadata().map_err(io_err(out_file))?.len();
    tmp.persist(out_file)
        .map_err(|e| io_err(out_file)(e.error))?;
    Ok(ExportInfo {
        path: out_file.to_path_buf(),
        db_bytes,
        export_bytes,
        sha256: hex::encode(sha),
    })
}

struct HashWriter<'a>(&'a mut Sha256);

impl Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The header of an export file: (database length, SHA-256).
fn parse_export_header(h: &[u8]) -> Result<(u64, [u8; 32]), String> {
    let get = |r: std::ops::Range<usize>| h.get(r).ok_or_else(|| "file too short".to_string());
    if get(0..8)? != EXPORT_MAGIC {
        return Err("wrong magic: not made by `bosun db export`".into());
    }
    let version = u32::from_le_bytes(get(8..12)?.try_into().map_err(|_| "short header")?);
    if version != EXPORT_VERSION {
        return Err(format!(
            "export format {version}, this bosun reads {EXPORT_VERSION}"
        ));
    }
    let len = u64::from_le_bytes(get(12..20)?.try_into().map_err(|_| "short header")?);
    if len > MAX_EXPORT_DB {
        return Err(format!("announced database of {len} bytes is too large"));
    }
    let sha: [u8; 32] = get(20..52)?.try_into().map_err(|_| "short header")?;
    Ok((len, sha))
}

/// Installs an export file made by [`export`] as the database of `db_dir`: decompressed to a
/// temporary file in `db_dir`, checked (length, SHA-256, [`Db::open`] and [`Db::verify`]),
/// then renamed over the database. A bad file changes nothing.
///
/// # Errors
/// [`FeedsError::BadExport`] for a corrupt or foreign file, [`FeedsError::Io`].
pub fn import_export(file: &Path, db_dir: &Path) -> Result<DbInfo, FeedsError> {
    let bad = |reason: String| FeedsError::BadExport {
        path: file.to_path_buf(),
        reason,
    };
    let mut f = std::fs::File::open(file).map_err(io_err(file))?;
    let mut header = [0u8; EXPORT_HEADER_LEN];
    f.read_exact(&mut header)
        .map_err(|_| bad("file too short".into()))?;
    let (len, sha) = parse_export_header(&header).map_err(bad)?;
    std::fs::create_dir_all(db_dir).map_err(io_err(db_dir))?;
    let target = db_dir.join(DB_FILE);
    let mut tmp = tempfile::Builder::new()
        .prefix(".import.")
        .tempfile_in(db_dir)
        .map_err(io_err(&target))?;
    let mut h = Sha256::new();
    {
        let dec = zstd::stream::read::Decoder::new(io::BufReader::new(f))
            .map_err(|e| bad(format!("zstd: {e}")))?;
        let mut w = io::BufWriter::new(tmp.as_file_mut());
        let mut r = dec.take(len.saturating_add(1));
        let mut buf = vec![0u8; 64 * 1024];
        let mut n_total = 0u64;
        loop {
            let n = match r.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(bad(format!("decompression failed: {e}"))),
            };
            let chunk = buf.get(..n).unwrap_or_default();
            h.update(chunk);
            w.write_all(chunk).map_err(io_err(&target))?;
            n_total += n as u64;
        }
        if n_total != len {
            return Err(bad(format!(
                "database is {n_total} bytes, the header says {len}"
            )));
        }
        w.flush().map_err(io_err(&target))?;
    }
    let got: [u8; 32] = h.finalize().into();
    if got != sha {
        return Err(bad("SHA-256 mismatch: the file is corrupt".into()));
    }
    tmp.as_file().sync_all().map_err(io_err(&target))?;
    {
        let db = Db::open(tmp.path()).map_err(|e| bad(e.to_string()))?;
        db.verify().map_err(|e| bad(e.to_string()))?;
    }
    tmp.persist(&target).map_err(|e| io_err(&target)(e.error))?;
    Ok(Db::open(db_dir)?.info().clone())
}

/// Fuzz entry points (also run by proptest on stable): never panic on any bytes.
pub mod fuzz {
    /// Parses `bytes` as an export header, then installs them as an export file into a
    /// scratch directory.
    pub fn export_bytes(bytes: &[u8]) {
        let _ = super::parse_export_header(bytes);
        let Ok(dir) = tempfile::tempdir() else { return };
        let p = dir.path().join("x.bosundb");
        if std::fs::write(&p, bytes).is_err() {
            return;
        }
        let _ = super::import_export(&p, &dir.path().join("db"));
    }
}
