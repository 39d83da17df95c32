//! Analyzers that turn image files into an inventory: OS release, dpkg, apk, rpm.
//!
//! A walk of the image hands every layer to a [`CatalogVisitor`] (made by
//! [`CatalogFactory`]), which keeps only the files the catalogers read, already parsed:
//! `os-release` and its fallbacks, the dpkg status file and distroless `status.d` entries
//! with their `info/*.list` and copyright files, the apk `installed` database, and the rpm
//! databases (read by `bosun_rpmdb`). [`inventory::build`] then takes the final filesystem
//! view of the walk and produces the [`Inventory`]: the OS, and every package of the final
//! package databases with its purl, OSV ecosystem, files, licenses and the layer that
//! introduced it (see [`attribution`]).
//!
//! Each package also says whether its code is loaded ([`bosun_inventory::Package::loaded`],
//! see [`links`]): the visitors keep the dynamic-linking facts of every ELF file they read
//! (executables, and shared objects chosen by name with
//! [`bosun_binary::elf_links::wants_links`]) and the loader's configuration, and the
//! inventory resolves the link graph of the final filesystem from them.
//!
//! The parsers are pure functions over bytes ([`dpkg::parse_status`],
//! [`apk::parse_installed`], [`os_release::parse`], [`copyright::licenses`]), so they can be
//! fuzzed; malformed input gives an error or skipped records, never a panic, and never a
//! failed scan: a corrupt database becomes a [`bosun_inventory::Diagnostic`].
//!
//! ```
//! use bosun_catalog::visitor::{CatalogVisitor, FileKind};
//! use bosun_image::{LayerIndex, LayerMeta, LayerWalk, IndexEntry, EntryKind};
//! use bosun_inventory::SourceInfo;
//!
//! let status = b"Package: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n";
//! let meta = LayerMeta { index: 0, diff_id: Some("sha256:aa".into()) };
//! let mut visitor = CatalogVisitor::new(meta.clone());
//! visitor.accept("var/lib/dpkg/status", FileKind::DpkgStatus, status);
//! let entry = IndexEntry { path: "var/lib/dpkg/status".into(), kind: EntryKind::File, size: 0, mode: 0o644 };
//! let walk = LayerWalk { meta, index: LayerIndex { entries: vec![entry], ..LayerIndex::default() }, visitor };
//! let inv = bosun_catalog::inventory::build(&[walk], SourceInfo::default(), Vec::new());
//! assert_eq!(inv.packages[0].purl, "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64");
//! assert_eq!(inv.packages[0].source_name.as_deref(), Some("zlib"));
//! ```

pub mod apk;
pub mod attribution;
pub mod copyright;
pub mod distro;
pub mod dpkg;
pub mod fuzzing;
pub mod inventory;
pub mod links;
pub mod os_release;
pub mod purl;
pub mod rpm;
pub mod visitor;

pub use bosun_inventory::Inventory;
pub use visitor::{CatalogFactory, CatalogVisitor};

/// Why a package database could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The dpkg status file breaks the format where dpkg itself would refuse it.
    #[error("dpkg status: line {line}: {what}")]
    Dpkg {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// The apk database is not a text database.
    #[error("apk installed: line {line}: {what}")]
    Apk {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        what: &'static str,
    },
}

/// Walks every layer of an opened image once and catalogs it.
///
/// # Errors
/// When the image cannot be walked (an unreadable or corrupt layer, a digest mismatch): the
/// walk's error, unchanged. Problems inside package databases are diagnostics, never errors.
pub fn catalog(image: &bosun_image::Image) -> Result<Inventory, bosun_image::ImageError> {
    let walks = image.walk(&CatalogFactory)?;
    let options = inventory::BuildOptions::for_image(image);
    Ok(inventory::build_with(
        &walks,
        image.source_info(),
        image.layers().to_vec(),
        &options,
    ))
}
