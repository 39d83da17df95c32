//! Readers for rpm databases: SQLite `rpmdb.sqlite`, NDB `Packages.db`, BerkeleyDB hash
//! `Packages`, and the rpm header blobs they store.
//!
//! Every reader takes the database bytes (never a path: the bytes come out of an image layer)
//! and returns the packages it holds, or a typed error. Malformed input never panics, every
//! count and offset is checked against the bytes it points into, and every loop is bounded by
//! the input's size. Nothing is written to disk: SQLite databases are deserialized into an
//! in-memory connection.
//!
//! INTERFACE CONTRACT (used by bosun-catalog): `DbFormat`, `detect`, `read_packages`,
//! `RpmPackage`. Change only together with the catalog.
//!
//! ```no_run
//! let bytes = std::fs::read("var/lib/rpm/rpmdb.sqlite")?;
//! if let Some(format) = bosun_rpmdb::detect(&bytes) {
//!     for pkg in bosun_rpmdb::read_packages(&bytes, format)? {
//!         let evr = format!("{}-{}", pkg.version, pkg.release);
//!         let _ = (pkg.name, evr, pkg.files.len());
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod bdb;
mod header;
mod ndb;
mod sqlite;

pub use header::parse_header;

/// Which on-disk format a database uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbFormat {
    /// `var/lib/rpm/rpmdb.sqlite` (rpm >= 4.16 default).
    Sqlite,
    /// `var/lib/rpm/Packages.db` (SUSE).
    Ndb,
    /// `var/lib/rpm/Packages` (BerkeleyDB hash; EL <= 8, Amazon Linux 2).
    BerkeleyDb,
}

/// One package as rpm records it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RpmPackage {
    /// `NAME`.
    pub name: String,
    /// `EPOCH`, absent for most packages.
    pub epoch: Option<u32>,
    /// `VERSION`.
    pub version: String,
    /// `RELEASE`.
    pub release: String,
    /// `ARCH` (`x86_64`, `noarch`); absent for `gpg-pubkey` pseudo-packages.
    pub arch: Option<String>,
    /// `SOURCERPM` (`curl-7.76.1-14.el9.src.rpm`).
    pub source_rpm: Option<String>,
    /// `LICENSE`.
    pub license: Option<String>,
    /// `VENDOR`.
    pub vendor: Option<String>,
    /// Files the package owns, absolute paths, from `DIRNAMES`/`BASENAMES`/`DIRINDEXES`
    /// (or the old `OLDFILENAMES`).
    pub files: Vec<String>,
}

/// Why a database or header could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RpmdbError {
    /// A header blob is malformed (truncated, offset outside its data, missing `NAME`, ...).
    #[error("malformed rpm header: {0}")]
    Header(&'static str),
    /// A header blob inside a database is malformed.
    #[error("rpm {db} database: package record {record}")]
    Package {
        /// Which database format held it.
        db: &'static str,
        /// The record's key (`hnum`, NDB package index, or BerkeleyDB page number).
        record: u64,
        /// What was wrong with the header.
        #[source]
        source: Box<RpmdbError>,
    },
    /// SQLite refused the database or the `Packages` query.
    #[error("rpm sqlite database: {what}")]
    Sqlite {
        /// The step that failed.
        what: &'static str,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },
    /// The SQLite database is not rpm's (not SQLite at all, or `Packages` is a view).
    #[error("rpm sqlite database: {0}")]
    SqliteSchema(&'static str),
    /// The NDB `Packages.db` structure is malformed.
    #[error("malformed rpm ndb database: {0}")]
    Ndb(&'static str),
    /// The BerkeleyDB `Packages` structure is malformed or uses an unsupported feature.
    #[error("malformed rpm berkeleydb database: {0}")]
    BerkeleyDb(&'static str),
}

impl RpmdbError {
    fn in_package(self, db: &'static str, record: u64) -> Self {
        Self::Package {
            db,
            record,
            source: Box::new(self),
        }
    }
}

/// The format of a database by its magic bytes, or `None` when it is none of the three.
#[must_use]
pub fn detect(bytes: &[u8]) -> Option<DbFormat> {
    if sqlite::is_sqlite(bytes) {
        Some(DbFormat::Sqlite)
    } else if ndb::is_ndb(bytes) {
        Some(DbFormat::Ndb)
    } else if bdb::is_bdb(bytes) {
        Some(DbFormat::BerkeleyDb)
    } else {
        None
    }
}

/// Every package in a database of the given format.
///
/// An SQLite database without a `Packages` table holds no packages (an empty list, not an
/// error): rpm creates the table lazily and some images ship the empty file.
///
/// # Errors
/// When the bytes are not a well-formed database of `format`, or any package header in it is
/// malformed. The reader stops at the first error rather than return a silently partial list.
pub fn read_packages(bytes: &[u8], format: DbFormat) -> Result<Vec<RpmPackage>, RpmdbError> {
    match format {
        DbFormat::Sqlite => sqlite::read(bytes),
        DbFormat::Ndb => ndb::read(bytes),
        DbFormat::BerkeleyDb => bdb::read(bytes),
    }
}
