//! Image sources and layer walks.
//!
//! `Source::parse` turns what the user typed into a source; `Image::open` reads its manifest
//! and config (verifying digests as it goes); `Image::walk` streams every layer once, in
//! parallel, handing each regular file's header to a [`LayerVisitor`] that decides whether the
//! body is wanted. Bodies nobody wants are never buffered. [`FinalView`] applies whiteouts to
//! the per-layer indexes and answers "which layer does this path come from in the final
//! filesystem", resolving links inside the image root only.
//!
//! INTERFACE CONTRACT (shared with bosun-catalog and bosun-secret; change it only together):
//! paths handed to visitors and stored in indexes are normalized: relative to the image root,
//! no leading `/` or `./`, no `..` or empty components, `/`-separated (`etc/os-release`).
//!
//! Layers are read straight out of archives (an outer tar is indexed once, then each layer is
//! read in place by offset, which is what lets layers stream in parallel), or streamed from a
//! registry (one GET per layer, layers in parallel, a broken download resumed with `Range`),
//! never written to disk. [`Image::walk_selected`] walks only the layers a caller asks for
//! (decided from [`Image::layer_metas`], i.e. diff_ids, before anything is read): a layer it
//! skips is neither read nor downloaded, which is what the layer cache builds on. Compression is
//! detected from the content (gzip, zstd or plain), blob and diff_id digests are checked while
//! streaming, and [`Limits`] bound what a hostile layer may cost.
//!
//! Registry sources: `Source::parse("registry:ghcr.io/org/app:1")`, or a bare reference
//! (`alpine:3.20`) that names no existing file. [`Image::open_with_registry`] takes a
//! [`RegistryOptions`]; a CLI fills it from its flags:
//!
//! ```no_run
//! use bosun_image::{Credentials, Image, OpenOptions, RegistryOptions, Source};
//! # let (username, password, insecure, ca_cert): (Option<String>, Option<String>, bool, Option<std::path::PathBuf>) = (None, None, false, None);
//! let registry = RegistryOptions {
//!     // --username plus the password read from stdin (--password-stdin); when absent,
//!     // ~/.docker/config.json (auths, credHelpers, credsStore) is used.
//!     credentials: username.zip(password).map(|(username, password)| Credentials { username, password }),
//!     insecure,         // --insecure: plain http to any registry (loopback always may)
//!     ca_file: ca_cert, // --ca-cert: extra CA certificates (PEM)
//!     ..RegistryOptions::default()
//! };
//! let src = Source::parse("alpine:3.20")?;
//! let image = Image::open_with_registry(&src, &OpenOptions::default(), &registry)?;
//! # Ok::<(), bosun_image::ImageError>(())
//! ```
//!
//! ```no_run
//! use std::io::Read;
//! use bosun_image::{EntryMeta, FinalView, Image, LayerMeta, LayerVisitor, OpenOptions, Source, VisitorFactory};
//!
//! struct OsRelease(Option<String>);
//! impl LayerVisitor for OsRelease {
//!     fn wants(&mut self, e: &EntryMeta<'_>) -> bool { e.path == "usr/lib/os-release" }
//!     fn visit(&mut self, _: &EntryMeta<'_>, body: &mut dyn Read) {
//!         let mut s = String::new();
//!         if body.read_to_string(&mut s).is_ok() { self.0 = Some(s); }
//!     }
//! }
//! struct Factory;
//! impl VisitorFactory for Factory {
//!     type Visitor = OsRelease;
//!     fn visitor(&self, _: &LayerMeta) -> OsRelease { OsRelease(None) }
//! }
//!
//! let src = Source::parse("oci-archive:image.tar")?;
//! let image = Image::open(&src, &OpenOptions::default())?;
//! let walks = image.walk(&Factory)?;
//! let view = FinalView::from_walks(&walks);
//! if let Some((path, layer)) = view.resolve("/etc/os-release")? {
//!     println!("{path} comes from layer {layer}");
//! }
//! # Ok::<(), bosun_image::ImageError>(())
//! ```

use std::io::Read;

mod config;
mod dir;
mod error;
mod final_view;
pub mod fuzzing;
mod gzip;
mod hash;
mod image;
mod layer;
mod path;
mod source;
mod store;

pub use bosun_registry::{
    Credentials, DockerConfig, NoObserver, Reference, RegistryError, RegistryOptions, RetryPolicy,
    Scheme, TransferObserver,
};
pub use config::{
    ContainerConfig, Descriptor, DockerManifestEntry, Healthcheck, History, ImageConfig, OciIndex,
    OciManifest, Platform, RootFs, parse_config, parse_docker_manifest, parse_index,
    parse_manifest, sha256_hex,
};
pub use error::ImageError;
pub use final_view::{FinalView, MAX_LINK_HOPS};
pub use image::{Image, MAX_INDEX_DEPTH, MAX_UNDESCRIBED};
pub use path::{NameProblem, normalize_entry_name, normalize_rooted};

/// What a layer entry is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link, with its target as written in the tar (may be relative or absolute).
    Symlink(String),
    /// A hard link to another path of the same layer (normalized).
    Hardlink(String),
    /// Devices, fifos and anything else.
    Other,
}

/// The header of one layer entry, as handed to a visitor.
#[derive(Debug, Clone, Copy)]
pub struct EntryMeta<'a> {
    /// Normalized path (see the crate docs).
    pub path: &'a str,
    /// Size of the body in bytes (0 for anything but regular files).
    pub size: u64,
    /// Unix mode bits.
    pub mode: u32,
    /// What it is.
    pub kind: &'a EntryKind,
}

/// Describes the layer being walked, for visitors that want to know.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LayerMeta {
    /// Position from the bottom, 0 for the base layer.
    pub index: usize,
    /// The layer's diff_id (`sha256:...`); `None` for a root filesystem directory.
    pub diff_id: Option<String>,
}

/// Watches a walk of an image's layers (a progress display); set with
/// [`Image::set_observer`]. Every method has a no-op default; calls come from the walk's
/// threads, several layers at once.
///
/// Layers of a registry image are downloaded while they are walked: their downloads are
/// reported through the [`TransferObserver`] methods (digest, the manifest's size, bytes as
/// they are read, never counted twice across resumes). Layers of archives and directories are
/// not downloads and get no such calls.
pub trait WalkObserver: TransferObserver {
    /// A walk starts over `total` layers (skipped ones included).
    fn walk_started(&self, total: usize) {
        let _ = total;
    }
    /// Layer `index` is not read (the caller has its results, e.g. cached).
    fn layer_skipped(&self, index: usize, digest: Option<&str>) {
        let _ = (index, digest);
    }
    /// Layer `index` was read to the end (or failed: the walk then ends with the error).
    fn layer_walked(&self, index: usize, digest: Option<&str>) {
        let _ = (index, digest);
    }
}

impl WalkObserver for NoObserver {}

/// Sees the regular files of one layer, in tar order.
pub trait LayerVisitor: Send {
    /// Decides from the header alone whether the body of this regular file is wanted.
    fn wants(&mut self, entry: &EntryMeta<'_>) -> bool;
    /// Receives the body of a wanted file. `body` yields exactly `entry.size` bytes (or an I/O
    /// error when the layer is corrupt). The visitor may stop reading early; the walker skips
    /// the rest. Visitors never fail the walk: they record their own diagnostics.
    fn visit(&mut self, entry: &EntryMeta<'_>, body: &mut dyn Read);
}

/// Makes one visitor per layer (layers are walked in parallel).
pub trait VisitorFactory: Sync {
    /// The visitor type.
    type Visitor: LayerVisitor;
    /// A fresh visitor for the given layer.
    fn visitor(&self, layer: &LayerMeta) -> Self::Visitor;
}

/// One entry of a layer index: every entry of the layer is listed, wanted or not.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IndexEntry {
    /// Normalized path.
    pub path: String,
    /// What it is.
    pub kind: EntryKind,
    /// Body size in bytes.
    pub size: u64,
    /// Unix mode bits.
    pub mode: u32,
}

/// Everything a layer holds, without file bodies. Serializable, so that a caller may keep it
/// (by diff_id) and build a [`FinalView`] later without reading the layer again.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LayerIndex {
    /// Entries in tar order, whiteout markers excluded.
    pub entries: Vec<IndexEntry>,
    /// Paths deleted by `.wh.NAME` markers (normalized, the `.wh.` prefix removed).
    pub whiteouts: Vec<String>,
    /// Directories made opaque by `.wh..wh..opq` (normalized).
    pub opaque_dirs: Vec<String>,
}

// ---- The API below is the contract the CLI and bosun-catalog code against. ----

use std::path::PathBuf;

/// Where an image comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `docker save` tar (`manifest.json` inside).
    DockerArchive(PathBuf),
    /// OCI image layout in a tar (`oci-layout` inside).
    OciArchive(PathBuf),
    /// OCI image layout directory.
    OciDir(PathBuf),
    /// A root filesystem directory (one pseudo-layer without digests).
    Dir(PathBuf),
    /// An image in a registry, by reference (`docker.io/library/alpine:3.20`, normalized).
    Registry(String),
}

/// Bounds on what a layer may cost; every one is configurable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most uncompressed bytes one layer may hold.
    pub max_layer_bytes: u64,
    /// Most uncompressed bytes per compressed byte, checked once past `ratio_grace_bytes`.
    pub max_ratio: u64,
    /// Uncompressed bytes read before the ratio is enforced.
    pub ratio_grace_bytes: u64,
    /// Most bytes of a manifest, index or config JSON.
    pub max_json_bytes: u64,
    /// Most entries in one layer.
    pub max_entries: u64,
}

/// How to open a source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenOptions {
    /// `os/arch[/variant]` to pick from an index; `None` means linux/amd64.
    pub platform: Option<String>,
    /// Which image of a multi-image docker-archive (`repo:tag`).
    pub image: Option<String>,
    /// Bounds.
    pub limits: Limits,
}

/// The result of walking one layer.
#[derive(Debug)]
pub struct LayerWalk<V> {
    /// Which layer.
    pub meta: LayerMeta,
    /// Every entry it holds.
    pub index: LayerIndex,
    /// The visitor that saw its files.
    pub visitor: V,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_layer_bytes: 64 << 30,
            max_ratio: 1000,
            ratio_grace_bytes: 64 << 20,
            max_json_bytes: 16 << 20,
            max_entries: 4_000_000,
        }
    }
}
