//! Streaming one layer: detect the compression, hash both streams, enforce the limits, and
//! index the tar while handing wanted bodies to the visitor.

use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use crate::gzip::GzipReader;
use crate::hash::OffloadedSha256;

use crate::path::{Whiteout, normalize_entry_name, normalize_rooted, whiteout};
use crate::{EntryKind, EntryMeta, ImageError, IndexEntry, LayerIndex, LayerVisitor, Limits};

/// Buffer size of the readers around the compressed and the uncompressed streams.
const BUF: usize = 256 << 10;

/// What a layer must hash to, and how to name it in errors.
#[derive(Debug, Clone)]
pub(crate) struct LayerCheck {
    /// `layer N (sha256:...)`.
    pub(crate) label: String,
    /// Expected sha256 of the blob as stored, hex.
    pub(crate) blob_hex: Option<String>,
    /// Expected sha256 of the uncompressed tar, hex.
    pub(crate) diff_hex: Option<String>,
}

/// Which limit a layer hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hit {
    Size,
    Ratio,
}

/// Counts and optionally hashes the compressed bytes.
struct BlobReader<R> {
    inner: R,
    hasher: Option<OffloadedSha256>,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for BlobReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let data = buf.get(..n).unwrap_or_default();
        if let Some(h) = &mut self.hasher {
            h.update(data);
        }
        self.count.set(self.count.get().saturating_add(n as u64));
        Ok(n)
    }
}

/// The decompressor, picked from the first bytes of the blob.
enum Decoder<R: BufRead> {
    Plain(R),
    Gzip(Box<GzipReader<R>>),
    Zstd(zstd::stream::read::Decoder<'static, R>),
}

impl<R: BufRead> Decoder<R> {
    fn new(mut r: R) -> io::Result<Self> {
        let head = r.fill_buf()?;
        if head.starts_with(&[0x1f, 0x8b]) {
            Ok(Decoder::Gzip(Box::new(GzipReader::new(r)?)))
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Ok(Decoder::Zstd(zstd::stream::read::Decoder::with_buffer(r)?))
        } else {
            Ok(Decoder::Plain(r))
        }
    }

    fn is_plain(&self) -> bool {
        matches!(self, Decoder::Plain(_))
    }

    fn into_inner(self) -> io::Result<R> {
        match self {
            Decoder::Plain(r) => Ok(r),
            Decoder::Gzip(d) => d
                .into_inner()
                .ok_or_else(|| io::Error::other("gzip stream ended in a broken member")),
            Decoder::Zstd(d) => Ok(d.finish()),
        }
    }
}

impl<R: BufRead> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Plain(r) => r.read(buf),
            Decoder::Gzip(d) => d.read(buf),
            Decoder::Zstd(d) => d.read(buf),
        }
    }
}

/// Hashes the uncompressed bytes and enforces the size and ratio limits.
struct TarReader<R> {
    inner: R,
    hasher: OffloadedSha256,
    out: u64,
    compressed: Rc<Cell<u64>>,
    hit: Rc<Cell<Option<Hit>>>,
    limits: Limits,
}

impl<R: Read> Read for TarReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.hit.get().is_some() {
            return Err(io::Error::other("layer limit exceeded"));
        }
        let n = self.inner.read(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        self.out = self.out.saturating_add(n as u64);
        if self.out > self.limits.max_layer_bytes {
            self.hit.set(Some(Hit::Size));
        } else if self.out > self.limits.ratio_grace_bytes
            && self.out / self.compressed.get().max(1) >= self.limits.max_ratio
        {
            self.hit.set(Some(Hit::Ratio));
        }
        if self.hit.get().is_some() {
            return Err(io::Error::other("layer limit exceeded"));
        }
        Ok(n)
    }
}

/// Walks one layer stream. `blob` yields the layer as stored.
pub(crate) fn walk_layer<V: LayerVisitor>(
    blob: Box<dyn Read + Send>,
    check: &LayerCheck,
    limits: &Limits,
    visitor: &mut V,
) -> Result<LayerIndex, ImageError> {
    let compressed = Rc::new(Cell::new(0u64));
    let hit = Rc::new(Cell::new(None));
    let fail = |e: io::Error, hit: &Rc<Cell<Option<Hit>>>| match hit.get() {
        Some(Hit::Size) => ImageError::LayerTooLarge {
            layer: check.label.clone(),
            limit: limits.max_layer_bytes,
        },
        Some(Hit::Ratio) => ImageError::RatioExceeded {
            layer: check.label.clone(),
            limit: limits.max_ratio,
        },
        None => match registry_cause(e) {
            Ok(source) => ImageError::LayerDownload {
                layer: check.label.clone(),
                source: Box::new(source),
            },
            Err(e) => ImageError::CorruptLayer {
                layer: check.label.clone(),
                source: e,
            },
        },
    };
    let blob = BlobReader {
        inner: blob,
        hasher: Some(OffloadedSha256::new()),
        count: compressed.clone(),
    };
    let mut decoder =
        Decoder::new(BufReader::with_capacity(BUF, blob)).map_err(|e| fail(e, &hit))?;
    let plain = decoder.is_plain();
    if plain {
        // The blob is the tar: hash it once, on the uncompressed side.
        if let Decoder::Plain(r) = &mut decoder {
            r.get_mut().hasher = None;
        }
    }
    let tar_reader = TarReader {
        inner: decoder,
        hasher: OffloadedSha256::new(),
        out: 0,
        compressed,
        hit: hit.clone(),
        limits: *limits,
    };
    let mut archive = tar::Archive::new(BufReader::with_capacity(BUF, tar_reader));
    let index = index_entries(&mut archive, check, limits, visitor).map_err(|e| match e {
        WalkFail::Io(e) => fail(e, &hit),
        WalkFail::Image(e) => e,
    })?;

    // Drain what follows the end of the tar, so both digests cover the whole stream.
    let mut rest = archive.into_inner();
    io::copy(&mut rest, &mut io::sink()).map_err(|e| fail(e, &hit))?;
    let tar_reader = rest.into_inner();
    let diff_hex = tar_reader.hasher.finalize_hex();
    let mut blob_rest = tar_reader.inner.into_inner().map_err(|e| fail(e, &hit))?;
    io::copy(&mut blob_rest, &mut io::sink()).map_err(|e| fail(e, &hit))?;
    let blob_hex = match blob_rest.into_inner().hasher {
        Some(h) => h.finalize_hex(),
        None => diff_hex.clone(),
    };
    if let Some(want) = &check.blob_hex
        && *want != blob_hex
    {
        return Err(ImageError::DigestMismatch {
            what: format!("{} blob", check.label),
            expected: format!("sha256:{want}"),
            actual: format!("sha256:{blob_hex}"),
        });
    }
    if let Some(want) = &check.diff_hex
        && *want != diff_hex
    {
        return Err(ImageError::DigestMismatch {
            what: format!("{} diff_id", check.label),
            expected: format!("sha256:{want}"),
            actual: format!("sha256:{diff_hex}"),
        });
    }
    Ok(index)
}

/// The registry error behind an I/O error of a registry blob stream, if that is what it is.
fn registry_cause(e: io::Error) -> Result<bosun_registry::RegistryError, io::Error> {
    if e.get_ref()
        .is_some_and(|r| r.is::<bosun_registry::RegistryError>())
    {
        let kind = e.kind();
        match e
            .into_inner()
            .map(|b| b.downcast::<bosun_registry::RegistryError>())
        {
            Some(Ok(r)) => Ok(*r),
            Some(Err(other)) => Err(io::Error::new(kind, other)),
            None => Err(io::Error::from(kind)),
        }
    } else {
        Err(e)
    }
}

enum WalkFail {
    Io(io::Error),
    Image(ImageError),
}

impl From<io::Error> for WalkFail {
    fn from(e: io::Error) -> Self {
        WalkFail::Io(e)
    }
}

fn index_entries<R: Read, V: LayerVisitor>(
    archive: &mut tar::Archive<R>,
    check: &LayerCheck,
    limits: &Limits,
    visitor: &mut V,
) -> Result<LayerIndex, WalkFail> {
    let mut index = LayerIndex::default();
    let mut count = 0u64;
    for entry in archive.entries()? {
        let mut entry = entry?;
        count += 1;
        if count > limits.max_entries {
            return Err(WalkFail::Image(ImageError::TooManyEntries {
                layer: check.label.clone(),
                limit: limits.max_entries,
            }));
        }
        let etype = entry.header().entry_type();
        if etype.is_pax_global_extensions() {
            continue;
        }
        let path = {
            let raw = entry.path_bytes();
            match normalize_entry_name(&raw) {
                Ok(Some(p)) => p,
                Ok(None) => continue,
                Err(problem) => {
                    return Err(WalkFail::Image(ImageError::BadEntryName {
                        layer: check.label.clone(),
                        entry: String::from_utf8_lossy(&raw).into_owned(),
                        reason: problem.reason(),
                    }));
                }
            }
        };
        if let Some(w) = whiteout(&path) {
            match w {
                Whiteout::Delete(p) => index.whiteouts.push(p),
                Whiteout::Opaque(d) => index.opaque_dirs.push(d),
                Whiteout::Internal => {}
            }
            continue;
        }
        let mode = entry.header().mode().unwrap_or(0);
        let kind = match etype {
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                EntryKind::File
            }
            tar::EntryType::Directory => EntryKind::Dir,
            tar::EntryType::Symlink => EntryKind::Symlink(
                entry
                    .link_name_bytes()
                    .map(|t| String::from_utf8_lossy(&t).into_owned())
                    .unwrap_or_default(),
            ),
            tar::EntryType::Link => {
                let target = entry
                    .link_name_bytes()
                    .map(|t| String::from_utf8_lossy(&t).into_owned())
                    .unwrap_or_default();
                match normalize_rooted(&target) {
                    Ok(Some(t)) => EntryKind::Hardlink(t),
                    Ok(None) => EntryKind::Other,
                    Err(_) => {
                        return Err(WalkFail::Image(ImageError::LinkOutsideRoot {
                            layer: check.label.clone(),
                            entry: path,
                            target,
                        }));
                    }
                }
            }
            _ => EntryKind::Other,
        };
        let size = if kind == EntryKind::File {
            entry.size()
        } else {
            0
        };
        if kind == EntryKind::File {
            let meta = EntryMeta {
                path: &path,
                size,
                mode,
                kind: &kind,
            };
            if visitor.wants(&meta) {
                visitor.visit(&meta, &mut entry);
            }
        }
        index.entries.push(IndexEntry {
            path,
            kind,
            size,
            mode,
        });
    }
    Ok(index)
}
