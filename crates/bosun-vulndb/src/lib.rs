//! bosun's vulnerability database: imports OSV records (JSON, YAML, `{"vulns":[...]}`
//! bundles, per-ecosystem `all.zip`), CISA KEV and FIRST EPSS into one compiled,
//! versioned, checksummed file, then *opens* it for lookups by (ecosystem, package).
//!
//! ```no_run
//! use bosun_vulndb::{Db, DbBuilder};
//! let mut b = DbBuilder::new();
//! b.add_path("osv/")?;                 // any mix of the supported inputs
//! b.add_path("known_exploited_vulnerabilities.json")?;
//! b.write("db/")?;                     // atomic: temp file + rename
//! let db = Db::open("db/")?;
//! for adv in db.lookup("Debian:12", "bash")? {
//!     let _ = (&adv.id, db.kev(&adv.id)?, db.epss(&adv.id)?);
//! }
//! # Ok::<(), bosun_vulndb::VulnDbError>(())
//! ```
//!
//! [`Db::lookup`] returns owned [`Advisory`] values; [`Db::lookup_with`] lends the same
//! records as [`AdvisoryView`]s borrowed from one read of the package's group, with nothing
//! decoded or allocated per record (what the matcher uses). The file layout is documented
//! in [`format`](mod@format), the record encoding in [`codec`]. Records are kept as written except that
//! `GIT` ranges, affected entries without a package and references past
//! [`advisory::MAX_REFERENCES`] are dropped; withdrawn records are kept and flagged.

pub mod advisory;
pub mod codec;
pub mod format;
mod ingest;

pub use advisory::{Advisory, Affected, AffectedPackage, Event, Range, Severity};
pub use codec::{AdvisoryView, AffectedRef, DecodeError, EventRef, RangeRef, SeverityRef};
pub use format::{DB_FILE, Db, FORMAT_VERSION};
pub use ingest::{DbBuilder, ImportStats, InputKind, Problem};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
pub enum VulnDbError {
    /// A file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The database could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Not a bosun database.
    #[error("{path}: not a bosun vulnerability database")]
    BadMagic {
        /// The file.
        path: PathBuf,
    },
    /// Written by another format version.
    #[error("{path}: database format {found}, this bosun reads {expected}; run `bosun db update`")]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Version this crate reads.
        expected: u32,
    },
    /// A section fails its checksum or is inconsistent.
    #[error("{path}: corrupt database ({section}: {reason})")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The section (`header`, `records`, `packages`, ...).
        section: String,
        /// What is wrong.
        reason: String,
    },
    /// The input exceeds the format's 32-bit counts.
    #[error("database too large for the format")]
    TooLarge,
}

/// A CISA Known Exploited Vulnerabilities entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kev {
    /// CVE id.
    pub cve: String,
    /// `dateAdded`.
    pub date_added: String,
    /// `dueDate`.
    pub due_date: Option<String>,
    /// `knownRansomwareCampaignUse` (`Known` / `Unknown`).
    pub ransomware: Option<String>,
    /// `vendorProject`.
    pub vendor: Option<String>,
    /// `product`.
    pub product: Option<String>,
    /// `vulnerabilityName`.
    pub name: Option<String>,
}

/// A FIRST EPSS score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Epss {
    /// CVE id.
    pub cve: String,
    /// Probability of exploitation in the next 30 days (0..1).
    pub score: f32,
    /// Percentile among all scored CVEs (0..1).
    pub percentile: f32,
}

/// One imported source, as recorded in the header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// The path given to [`DbBuilder::add_path`].
    pub path: String,
    /// Files per detected kind.
    pub kinds: BTreeMap<String, usize>,
    /// OSV records accepted.
    pub records: usize,
    /// Malformed records skipped.
    pub skipped: usize,
    /// KEV entries.
    pub kev: usize,
    /// EPSS rows.
    pub epss: usize,
}

/// What a database holds (`bosun db status`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbInfo {
    /// Format version.
    pub format_version: u32,
    /// Build time, unix seconds (not part of the header checksum's determinism).
    #[serde(skip)]
    pub build_time: u64,
    /// Distinct records.
    pub records: usize,
    /// Of which withdrawn.
    pub withdrawn: usize,
    /// Distinct (ecosystem, package) keys.
    pub packages: usize,
    /// Distinct alias ids.
    pub aliases: usize,
    /// KEV entries.
    pub kev: usize,
    /// KEV `catalogVersion`.
    pub kev_catalog: Option<String>,
    /// EPSS scores.
    pub epss: usize,
    /// EPSS `#model_version...` comment line.
    pub epss_model: Option<String>,
    /// Package keys per ecosystem base name.
    pub package_keys_per_ecosystem: BTreeMap<String, usize>,
    /// Imported sources in order.
    pub sources: Vec<SourceInfo>,
    /// File size in bytes.
    pub file_size: u64,
    /// The database file (set when written or opened).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// Fuzz entry points (also run by proptest on stable): never panic on any bytes.
pub mod fuzz {
    /// Opens `bytes` as a database file and exercises every reader.
    pub fn open_bytes(bytes: &[u8]) {
        let Ok(dir) = tempfile::tempdir() else { return };
        let p = dir.path().join(crate::DB_FILE);
        if std::fs::write(&p, bytes).is_err() {
            return;
        }
        if let Ok(db) = crate::Db::open(dir.path()) {
            let _ = db.lookup("Debian:12", "bash");
            let _ = db.lookup_with("crates.io", "smallvec", |v| v.len());
            let _ = db.get("RUSTSEC-2021-0003");
            let _ = db.by_alias("CVE-2021-25900");
            let _ = db.record_at(0);
            let _ = db.verify();
            let _ = db.kev("CVE-2021-44228");
            let _ = db.epss("CVE-2021-44228");
        }
    }

    /// Decodes `bytes` as one compact record (format 2), walking every field of the view.
    pub fn decode_record(bytes: &[u8]) {
        if let Ok(v) = crate::AdvisoryView::parse(bytes) {
            let _ = v.all_ids();
            let _ = v.severity().count() + v.references().count();
            for af in v.affected() {
                for r in af.ranges() {
                    let _ = r.events().map(|e| e.version().len()).sum::<usize>();
                }
                let _ = af.versions().count() + af.severity().count();
            }
            let _ = v.to_advisory();
        }
    }

    /// Imports `bytes` as OSV JSON (record or bundle) and as OSV YAML.
    pub fn import_bytes(bytes: &[u8]) {
        let mut b = crate::DbBuilder::new();
        let _ = b.add_json_bytes("fuzz.json", bytes);
    }
}
