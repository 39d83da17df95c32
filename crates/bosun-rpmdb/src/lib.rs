//! Readers for rpm databases: SQLite `rpmdb.sqlite`, NDB `Packages.db`, BerkeleyDB hash
//! `Packages`, and the rpm header blobs they store.
//!
//! Every reader takes the database bytes (never a path: the bytes come out of an image layer)
//! and returns the packages it holds, or a typed error. Malformed input never panics.
//!
//! INTERFACE CONTRACT (used by bosun-catalog): `DbFormat`, `detect`, `read_packages`,
//! `RpmPackage`. Change only together with the catalog.

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
