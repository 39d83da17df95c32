//! The one error type of this crate.

use std::path::PathBuf;

/// Everything that can go wrong while opening or walking an image.
///
/// Messages are short, lowercase, and name the file or layer concerned; layers are named
/// `layer N (sha256:...)` so that users can match them with `docker history`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageError {
    /// A file of the source could not be read.
    #[error("reading {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// What the user typed is not a source bosun knows.
    #[error("{0}")]
    BadSource(String),
    /// The outer archive is not a readable tar.
    #[error("{path} is not a readable tar archive: {source}")]
    CorruptArchive {
        /// The archive.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A file the manifest refers to is not in the source.
    #[error("{name} is missing from {source_name}")]
    Missing {
        /// The file inside the source.
        name: String,
        /// The source.
        source_name: String,
    },
    /// A manifest, index or config is not valid JSON of the expected shape.
    #[error("bad JSON in {what}: {source}")]
    Json {
        /// Which file.
        what: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
    /// A manifest, index or config is larger than `limits.max_json_bytes`.
    #[error("{what} is larger than {limit} bytes")]
    JsonTooLarge {
        /// Which file.
        what: String,
        /// The limit.
        limit: u64,
    },
    /// A digest does not match the content it names.
    #[error("digest mismatch for {what}: expected {expected}, got {actual}")]
    DigestMismatch {
        /// What was hashed (`layer 2 (sha256:...) blob`, `config`, `manifest`).
        what: String,
        /// The digest the manifest or config records.
        expected: String,
        /// The digest of the bytes read.
        actual: String,
    },
    /// A digest bosun cannot check (not `sha256:<64 hex>`).
    #[error("unsupported digest {digest:?} in {what}")]
    UnsupportedDigest {
        /// The digest as written.
        digest: String,
        /// Where it was found.
        what: String,
    },
    /// The manifest and the config disagree on the number of layers.
    #[error("manifest lists {layers} layers but the config lists {diff_ids} diff_ids")]
    LayerCountMismatch {
        /// Layers in the manifest.
        layers: usize,
        /// `rootfs.diff_ids` in the config.
        diff_ids: usize,
    },
    /// A media type bosun cannot read.
    #[error("unsupported media type {media_type} for {what}")]
    UnsupportedMediaType {
        /// The media type.
        media_type: String,
        /// What carried it.
        what: String,
    },
    /// A layer entry has an absolute name or a `..` component.
    #[error("{layer}: bad entry name {entry:?}: {reason}")]
    BadEntryName {
        /// `layer N (digest)`.
        layer: String,
        /// The name as written in the tar.
        entry: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A hard link points outside the image root.
    #[error("{layer}: hard link {entry:?} points outside the root: {target:?}")]
    LinkOutsideRoot {
        /// `layer N (digest)`.
        layer: String,
        /// The link.
        entry: String,
        /// Its target as written.
        target: String,
    },
    /// A layer is corrupt or truncated (tar or compressed stream).
    #[error("{layer} is corrupt or truncated: {source}")]
    CorruptLayer {
        /// `layer N (digest)`.
        layer: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A layer decompresses to more than `limits.max_layer_bytes`.
    #[error(
        "{layer} holds more than {limit} uncompressed bytes (raise the limit with --max-layer-size)"
    )]
    LayerTooLarge {
        /// `layer N (digest)`.
        layer: String,
        /// The limit.
        limit: u64,
    },
    /// A layer expands more than `limits.max_ratio` times: likely a decompression bomb.
    #[error(
        "{layer} expands more than {limit} times when decompressed (raise the limit with --max-ratio)"
    )]
    RatioExceeded {
        /// `layer N (digest)`.
        layer: String,
        /// The limit.
        limit: u64,
    },
    /// A layer holds more than `limits.max_entries` entries.
    #[error("{layer} holds more than {limit} entries")]
    TooManyEntries {
        /// `layer N (digest)`.
        layer: String,
        /// The limit.
        limit: u64,
    },
    /// A multi-image docker archive was opened without saying which image.
    #[error("{source_name} holds several images; pick one with --image: {available}")]
    AmbiguousImage {
        /// The archive.
        source_name: String,
        /// The images it holds, comma-separated.
        available: String,
    },
    /// The image asked for with `--image` is not in the archive.
    #[error("{source_name} holds no image {wanted}; it holds: {available}")]
    ImageNotFound {
        /// The archive.
        source_name: String,
        /// What was asked.
        wanted: String,
        /// The images it holds, comma-separated.
        available: String,
    },
    /// No manifest of an index matches the platform asked for.
    #[error("{source_name} has no image for platform {wanted}; available: {available}")]
    PlatformNotFound {
        /// The source.
        source_name: String,
        /// The platform asked for.
        wanted: String,
        /// The platforms it has, comma-separated.
        available: String,
    },
    /// Indexes nest deeper than bosun follows.
    #[error("{source_name}: image indexes nest deeper than {limit} levels")]
    IndexTooDeep {
        /// The source.
        source_name: String,
        /// The depth limit.
        limit: usize,
    },
    /// Something else in the layout is malformed.
    #[error("{source_name}: {message}")]
    Malformed {
        /// The source.
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// Following symbolic links did not end.
    #[error("too many levels of symbolic links resolving {path}")]
    LinkLoop {
        /// The path being resolved.
        path: String,
    },
    /// Talking to a registry failed (auth, not found, network); the error names the image,
    /// the registry and what to do.
    #[error(transparent)]
    Registry(Box<bosun_registry::RegistryError>),
    /// Downloading a layer from a registry failed for good (after retries and resumes).
    #[error("{layer}: {source}")]
    LayerDownload {
        /// `layer N (sha256:...)`.
        layer: String,
        /// The cause.
        #[source]
        source: Box<bosun_registry::RegistryError>,
    },
}

impl From<bosun_registry::RegistryError> for ImageError {
    fn from(e: bosun_registry::RegistryError) -> Self {
        ImageError::Registry(Box::new(e))
    }
}

impl ImageError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ImageError::Io {
            path: path.into(),
            source,
        }
    }
}
