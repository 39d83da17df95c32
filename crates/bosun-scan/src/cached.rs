//! Scanning with the layer cache: what the scanners keep of a layer depends only on the
//! layer's content (its diff_id), the analyzers' code and the scanner options, so it is kept
//! under a key made of those three and a layer found there is not read again.

use bosun_cache::{Cache, Key, Lookup};
use bosun_catalog::CatalogVisitor;
use bosun_image::{Image, ImageError, LayerIndex, LayerMeta, LayerWalk};
use bosun_inventory::{Inventory, LayerRef, SecretFinding};
use rayon::prelude::*;

use crate::{LayerResult, ScanFactory, Scanners, assemble};

/// The analyzer set's version. Bump it whenever any analyzer may keep something different for
/// the same layer (a parser fixed, a file kind added, a result field added): entries made by
/// another version are never read. The package version is part of it, so every release starts
/// afresh.
/// (2: ELF link facts and the loader's configuration, for `Package::loaded`.)
pub const ANALYZER_SET_VERSION: &str = concat!("analyzers-2/bosun-", env!("CARGO_PKG_VERSION"));

/// What a cached scan did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Layers in the image.
    pub layers: usize,
    /// Layers whose results came from the cache (not read).
    pub hits: usize,
    /// Layers read (their results then stored, when they have a diff_id).
    pub misses: usize,
    /// Entries found damaged: dropped, and their layers read again (counted in `misses`).
    pub corrupt: usize,
    /// Compressed size of the layers read, as the manifest gives it (0 when unknown).
    pub layer_bytes_read: u64,
    /// Bytes of cached results read back (uncompressed).
    pub cache_bytes_read: u64,
    /// Bytes written to the cache (on disk).
    pub cache_bytes_written: u64,
    /// Entries evicted to keep the cache within its bound.
    pub evicted: u64,
}

/// A cached layer as stored (borrowed for writing).
#[derive(serde::Serialize)]
struct EntryRef<'a> {
    diff_id: &'a str,
    index: &'a LayerIndex,
    catalog: &'a CatalogVisitor,
    secrets: &'a [SecretFinding],
}

/// A cached layer as read back.
#[derive(serde::Deserialize)]
struct Entry {
    diff_id: String,
    index: LayerIndex,
    catalog: CatalogVisitor,
    secrets: Vec<SecretFinding>,
}

/// What distinguishes per-layer results beyond the layer itself: the analyzer set, and the
/// secret scanner's rules when it is on (the configuration checks work on the whole image and
/// are always recomputed).
fn options_fingerprint(
    scanners: &Scanners,
    secret_config: Option<&bosun_secret::Config>,
) -> String {
    // The link graph's switch (a benchmark's) changes what a layer keeps.
    let elf = if bosun_catalog::visitor::elf_links_enabled() {
        ""
    } else {
        "\0elf-links:off"
    };
    match &scanners.secret {
        None => format!("{ANALYZER_SET_VERSION}{elf}\0secret:off"),
        Some(scanner) => {
            let default = bosun_secret::Config::default();
            let config = secret_config.unwrap_or(&default);
            format!("{ANALYZER_SET_VERSION}{elf}\0secret:{config:?}\0{scanner:?}")
        }
    }
}

/// The cache key of a layer under the given options.
fn key(diff_id: &str, fingerprint: &str) -> Key {
    Key::from_parts(&[diff_id.as_bytes(), fingerprint.as_bytes()])
}

/// Decodes a cached entry for the layer `meta`; `None` when it is not one (damaged JSON, or
/// an entry of another layer).
fn decode(payload: &[u8], meta: &LayerMeta) -> Option<LayerWalk<LayerResult>> {
    let entry: Entry = serde_json::from_slice(payload).ok()?;
    if Some(entry.diff_id.as_str()) != meta.diff_id.as_deref() {
        return None;
    }
    let mut catalog = entry.catalog;
    // The same layer may sit at another position in another image: the position is this
    // image's.
    let layer_ref = LayerRef {
        index: meta.index,
        diff_id: meta.diff_id.clone(),
        role: None,
    };
    for d in &mut catalog.diagnostics {
        if d.layer.is_some() {
            d.layer = Some(layer_ref.clone());
        }
    }
    catalog.layer = meta.clone();
    Some(LayerWalk {
        meta: meta.clone(),
        index: entry.index,
        visitor: LayerResult {
            catalog,
            secrets: entry.secrets,
        },
    })
}

fn encode(walk: &LayerWalk<LayerResult>, diff_id: &str) -> Option<Vec<u8>> {
    serde_json::to_vec(&EntryRef {
        diff_id,
        index: &walk.index,
        catalog: &walk.visitor.catalog,
        secrets: &walk.visitor.secrets,
    })
    .ok()
}

/// Looks a layer up: its results when cached and sound; a damaged entry is removed.
fn lookup(cache: &Cache, meta: &LayerMeta, fingerprint: &str) -> Lookup2 {
    let Some(diff_id) = &meta.diff_id else {
        return Lookup2::Miss;
    };
    let k = key(diff_id, fingerprint);
    match cache.get(&k) {
        Lookup::Hit(payload) => match decode(&payload, meta) {
            Some(w) => Lookup2::Hit(Box::new(w), payload.len() as u64),
            None => {
                cache.remove(&k);
                Lookup2::Corrupt
            }
        },
        Lookup::Miss => Lookup2::Miss,
        Lookup::Corrupt => Lookup2::Corrupt,
    }
}

enum Lookup2 {
    Hit(Box<LayerWalk<LayerResult>>, u64),
    Miss,
    Corrupt,
}

/// [`crate::scan`] with the layer cache: a layer whose results are cached (by diff_id,
/// [`ANALYZER_SET_VERSION`] and the scanner options) is neither read nor downloaded; the
/// others are walked as usual and their results stored. The inventory is the one
/// [`crate::scan`] would return. `secret_config` is the configuration the secret scanner was
/// built from (`None` means the default one); it is part of the key.
///
/// The cache never fails a scan: an entry that cannot be read or written is recomputed or
/// skipped, and eviction (to keep the cache within its bound) is best effort.
///
/// # Errors
/// When a layer that has to be read cannot be (as [`crate::scan`]).
pub fn scan_cached(
    image: &Image,
    scanners: &Scanners,
    cache: &Cache,
    secret_config: Option<&bosun_secret::Config>,
) -> Result<(Inventory, CacheStats), ImageError> {
    let fingerprint = options_fingerprint(scanners, secret_config);
    let metas = image.layer_metas();
    let mut stats = CacheStats {
        layers: metas.len(),
        ..CacheStats::default()
    };
    let found: Vec<Lookup2> = metas
        .par_iter()
        .map(|m| lookup(cache, m, &fingerprint))
        .collect();
    let cached: Vec<bool> = found
        .iter()
        .map(|f| matches!(f, Lookup2::Hit(..)))
        .collect();
    let factory = ScanFactory {
        secrets: scanners.secret.as_ref(),
    };
    let walked = image.walk_selected(&factory, &|m: &LayerMeta| {
        !cached.get(m.index).copied().unwrap_or(false)
    })?;
    let mut walks: Vec<LayerWalk<LayerResult>> = Vec::with_capacity(metas.len());
    let mut fresh: Vec<usize> = Vec::new();
    for (i, (f, w)) in found.into_iter().zip(walked).enumerate() {
        match (f, w) {
            (Lookup2::Hit(w, bytes), _) => {
                stats.hits += 1;
                stats.cache_bytes_read += bytes;
                walks.push(*w);
            }
            (miss, Some(w)) => {
                stats.misses += 1;
                if matches!(miss, Lookup2::Corrupt) {
                    stats.corrupt += 1;
                }
                stats.layer_bytes_read += image.layers().get(i).and_then(|l| l.size).unwrap_or(0);
                fresh.push(walks.len());
                walks.push(LayerResult::from_walk(w));
            }
            (_, None) => {
                // walk_selected walks every layer that is not a hit.
                return Err(ImageError::Malformed {
                    source_name: image.source_info().name,
                    message: format!("layer {i} was neither cached nor walked"),
                });
            }
        }
    }
    // Storing the fresh layers overlaps assembling the inventory.
    let (written, inv) = rayon::join(
        || -> u64 {
            fresh
                .par_iter()
                .filter_map(|&i| {
                    let w = walks.get(i)?;
                    let diff_id = w.meta.diff_id.as_deref()?;
                    let payload = encode(w, diff_id)?;
                    cache.put(&key(diff_id, &fingerprint), &payload).ok()
                })
                .sum()
        },
        || assemble(image, scanners, &walks),
    );
    stats.cache_bytes_written = written;
    if stats.cache_bytes_written > 0 {
        stats.evicted = cache.evict().entries;
    }
    Ok((inv, stats))
}

/// Fuzz entry points (run under proptest in the tests).
pub mod fuzz {
    use bosun_image::LayerMeta;

    /// Decodes arbitrary bytes as a cached layer's payload: never panics, and refuses what is
    /// not an entry of the layer asked for.
    pub fn decode_entry(data: &[u8]) -> bool {
        let meta = LayerMeta {
            index: 0,
            diff_id: Some("sha256:00".into()),
        };
        super::decode(data, &meta).is_some()
    }
}
