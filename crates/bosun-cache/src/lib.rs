//! The layer cache: analysis results kept on disk by key, so that a layer is analyzed once.
//!
//! This crate owns the on-disk store only; what is stored (a layer's index and what the
//! analyzers kept of it) and how keys are made from a diff_id and the analyzer set is the
//! business of `bosun-scan`. The store is:
//!
//! - **one file per key** under `DIR/layers/ab/abcd…` (the key's hex, fanned out by its first
//!   two characters). An entry is a 60-byte header (magic, format version, stored length,
//!   payload length, SHA-256 of the stored bytes) followed by the payload compressed with
//!   zstd.
//! - **written atomically**: to a temporary file in the same directory, then renamed over the
//!   entry. Readers see the old entry or the new one, never half of one; two processes writing
//!   the same key both succeed (the entries are equal, the last rename wins). There is no lock,
//!   so a second process never waits for or fails because of the first.
//! - **checked on read**: a short, corrupt, or foreign entry is deleted and reported as
//!   [`Lookup::Corrupt`]; the caller recomputes it.
//! - **size-bounded, least recently used first out**: a hit sets the entry's modification time
//!   to now; [`Cache::evict`] removes the oldest entries until the total is within the bound.
//!   Eviction is best effort: a file another process removed first is skipped.
//!
//! ```
//! use bosun_cache::{Cache, Key, Lookup};
//! let dir = tempfile::tempdir()?;
//! let cache = Cache::open(dir.path(), 1 << 20)?;
//! let key = Key::from_parts(&[b"sha256:abc", b"analyzers-1"]);
//! assert!(matches!(cache.get(&key), Lookup::Miss));
//! cache.put(&key, b"what the analyzers kept")?;
//! assert!(matches!(cache.get(&key), Lookup::Hit(p) if p == b"what the analyzers kept"));
//! assert_eq!(cache.status()?.entries, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

/// The entry format; bump it when the header or the compression changes.
pub const FORMAT_VERSION: u32 = 1;

/// Default bound on the cache's total size: 2 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 2 << 30;

/// Largest payload an entry may inflate to (bounds what a hostile or corrupt entry costs).
pub const MAX_PAYLOAD_BYTES: u64 = 1 << 30;

/// Temporary files older than this are left over by a process that died while writing; they
/// are removed by [`Cache::evict`] and [`Cache::clean`].
pub const STALE_TEMP_AGE: Duration = Duration::from_secs(3600);

const MAGIC: &[u8; 8] = b"BOSUNLC\0";
const HEADER_LEN: usize = 60;
const TEMP_PREFIX: &str = ".tmp-";

/// Why the cache could not be opened or written. Reads never fail: a bad entry is a miss.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// A file system operation failed.
    #[error("cache {path}: {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// What failed.
        source: io::Error,
    },
    /// No cache directory was given and none could be found (no `XDG_CACHE_HOME` or `HOME`).
    #[error("no cache directory: set --cache-dir, XDG_CACHE_HOME or HOME")]
    NoDefaultDir,
}

impl CacheError {
    fn io(path: &Path, source: io::Error) -> Self {
        CacheError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// A cache key: the hex SHA-256 of what identifies an entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(String);

impl Key {
    /// The key of a sequence of parts (each length-prefixed, so `["ab", "c"]` and
    /// `["a", "bc"]` differ).
    #[must_use]
    pub fn from_parts(parts: &[&[u8]]) -> Key {
        let mut h = Sha256::new();
        for p in parts {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p);
        }
        Key(hex::encode(h.finalize()))
    }

    /// The key's hex.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The entry, checked and inflated.
    Hit(Vec<u8>),
    /// No entry.
    Miss,
    /// An entry was there but was short, corrupt or of another format: it was deleted.
    Corrupt,
}

/// How much the cache holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Status {
    /// Number of entries.
    pub entries: u64,
    /// Their total size on disk, in bytes.
    pub bytes: u64,
    /// The bound eviction keeps the total within.
    pub max_bytes: u64,
}

/// What an eviction (or a clean) removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Evicted {
    /// Entries removed.
    pub entries: u64,
    /// Bytes freed.
    pub bytes: u64,
}

/// The on-disk cache. Cheap to clone; any number of processes may share a directory.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
    max_bytes: u64,
}

/// The default cache directory: `$XDG_CACHE_HOME/bosun`, else `$HOME/.cache/bosun`.
///
/// # Errors
/// [`CacheError::NoDefaultDir`] when neither variable names an absolute directory.
pub fn default_dir() -> Result<PathBuf, CacheError> {
    let abs = |v: Option<std::ffi::OsString>| v.map(PathBuf::from).filter(|p| p.is_absolute());
    if let Some(x) = abs(std::env::var_os("XDG_CACHE_HOME")) {
        return Ok(x.join("bosun"));
    }
    abs(std::env::var_os("HOME"))
        .map(|h| h.join(".cache").join("bosun"))
        .ok_or(CacheError::NoDefaultDir)
}

/// Parses a size as a user writes it: `2GiB`, `500MiB`, `1G`, `750M`, `4096` (bytes). Units
/// are binary (K, M, G, T with or without `iB`/`B`), case-insensitive; `None` for anything
/// else or an overflow.
#[must_use]
pub fn parse_size(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits.parse().ok()?;
    let unit = unit.trim().to_ascii_lowercase();
    let unit = unit
        .strip_suffix("ib")
        .or_else(|| unit.strip_suffix('b'))
        .unwrap_or(&unit);
    let shift = match unit {
        "" => 0,
        "k" => 10,
        "m" => 20,
        "g" => 30,
        "t" => 40,
        _ => return None,
    };
    n.checked_mul(1u64 << shift)
}

impl Cache {
    /// Opens (creating it when needed) the cache in `dir`, bounded to `max_bytes` in total.
    ///
    /// # Errors
    /// When the directory cannot be created.
    pub fn open(dir: &Path, max_bytes: u64) -> Result<Cache, CacheError> {
        let layers = dir.join("layers");
        fs::create_dir_all(&layers).map_err(|e| CacheError::io(&layers, e))?;
        Ok(Cache {
            root: dir.to_owned(),
            max_bytes,
        })
    }

    /// The directory the cache lives in.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.root
    }

    /// The bound on the total size.
    #[must_use]
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    fn layers_dir(&self) -> PathBuf {
        self.root.join("layers")
    }

    /// Where the entry of `key` lives.
    #[must_use]
    pub fn entry_path(&self, key: &Key) -> PathBuf {
        let fan = key.0.get(..2).unwrap_or("00");
        self.layers_dir().join(fan).join(&key.0)
    }

    /// Reads the entry of `key`, checking it. A hit makes the entry the most recently used;
    /// a bad entry is deleted (best effort) and reported as [`Lookup::Corrupt`].
    #[must_use]
    pub fn get(&self, key: &Key) -> Lookup {
        let path = self.entry_path(key);
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(_) => return Lookup::Miss,
        };
        let mut data = Vec::new();
        // Bounded read: an entry larger than any we write is corrupt by definition.
        let bound = MAX_PAYLOAD_BYTES + HEADER_LEN as u64 + 1;
        if (&mut file).take(bound).read_to_end(&mut data).is_err() {
            let _ = fs::remove_file(&path);
            return Lookup::Corrupt;
        }
        match decode(&data) {
            Ok(payload) => {
                // Least recently used: a hit is a use. Failing to touch only ages the entry.
                let _ = file.set_modified(SystemTime::now());
                Lookup::Hit(payload)
            }
            Err(_) => {
                let _ = fs::remove_file(&path);
                Lookup::Corrupt
            }
        }
    }

    /// Removes the entry of `key`, if any (a caller that found its payload unusable). Best
    /// effort.
    pub fn remove(&self, key: &Key) {
        let _ = fs::remove_file(self.entry_path(key));
    }

    /// Stores `payload` under `key`, atomically (temporary file, then rename). Returns the
    /// entry's size on disk; an entry larger than the whole bound is not stored (returns 0).
    ///
    /// # Errors
    /// When the entry cannot be written; the cache is unchanged then.
    pub fn put(&self, key: &Key, payload: &[u8]) -> Result<u64, CacheError> {
        if payload.len() as u64 > MAX_PAYLOAD_BYTES {
            return Ok(0);
        }
        let bytes = encode(payload).map_err(|e| CacheError::io(&self.root, e))?;
        let size = bytes.len() as u64;
        if size > self.max_bytes {
            return Ok(0);
        }
        let path = self.entry_path(key);
        let dir = path.parent().unwrap_or(&self.root).to_owned();
        fs::create_dir_all(&dir).map_err(|e| CacheError::io(&dir, e))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(&dir)
            .map_err(|e| CacheError::io(&dir, e))?;
        tmp.write_all(&bytes)
            .map_err(|e| CacheError::io(tmp.path(), e))?;
        tmp.persist(&path)
            .map_err(|e| CacheError::io(&path, e.error))?;
        Ok(size)
    }

    /// Every entry (and stale temporary file) with its size and modification time.
    fn scan(&self) -> (Vec<(PathBuf, u64, SystemTime)>, Vec<PathBuf>) {
        let mut entries = Vec::new();
        let mut stale = Vec::new();
        let now = SystemTime::now();
        let Ok(fans) = fs::read_dir(self.layers_dir()) else {
            return (entries, stale);
        };
        for fan in fans.filter_map(Result::ok) {
            let Ok(files) = fs::read_dir(fan.path()) else {
                continue;
            };
            for f in files.filter_map(Result::ok) {
                let Ok(meta) = f.metadata() else { continue };
                if !meta.is_file() {
                    continue;
                }
                let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                let name = f.file_name();
                let name = name.to_string_lossy();
                if name.starts_with(TEMP_PREFIX) {
                    let age = now.duration_since(mtime).unwrap_or_default();
                    if age > STALE_TEMP_AGE {
                        stale.push(f.path());
                    }
                } else if name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
                    entries.push((f.path(), meta.len(), mtime));
                }
            }
        }
        (entries, stale)
    }

    /// How many entries the cache holds and their total size.
    ///
    /// # Errors
    /// Never in practice (unreadable directories count as empty); kept for the CLI's sake.
    pub fn status(&self) -> Result<Status, CacheError> {
        let (entries, _) = self.scan();
        Ok(Status {
            entries: entries.len() as u64,
            bytes: entries.iter().map(|(_, s, _)| s).sum(),
            max_bytes: self.max_bytes,
        })
    }

    /// Removes the least recently used entries until the total is within the bound, and
    /// temporary files left by dead writers. Best effort: never fails.
    #[must_use = "what was removed, for reporting"]
    pub fn evict(&self) -> Evicted {
        let (mut entries, stale) = self.scan();
        for p in stale {
            let _ = fs::remove_file(p);
        }
        let mut total: u64 = entries.iter().map(|(_, s, _)| s).sum();
        let mut out = Evicted::default();
        if total <= self.max_bytes {
            return out;
        }
        entries.sort_by_key(|(p, _, t)| (*t, p.clone()));
        for (path, size, _) in entries {
            if total <= self.max_bytes {
                break;
            }
            total = total.saturating_sub(size);
            if fs::remove_file(&path).is_ok() {
                out.entries += 1;
                out.bytes += size;
            }
        }
        out
    }

    /// Removes every entry.
    ///
    /// # Errors
    /// When an entry cannot be removed (other than one already gone).
    pub fn clean(&self) -> Result<Evicted, CacheError> {
        let (entries, stale) = self.scan();
        let mut out = Evicted::default();
        for (path, size, _) in entries {
            match fs::remove_file(&path) {
                Ok(()) => {
                    out.entries += 1;
                    out.bytes += size;
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(CacheError::io(&path, e)),
            }
        }
        for p in stale {
            let _ = fs::remove_file(p);
        }
        Ok(out)
    }
}

/// Header + zstd-compressed payload.
fn encode(payload: &[u8]) -> io::Result<Vec<u8>> {
    let stored = zstd::bulk::compress(payload, 3)?;
    let mut out = Vec::with_capacity(HEADER_LEN + stored.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(stored.len() as u64).to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(&stored));
    out.extend_from_slice(&stored);
    Ok(out)
}

/// Why an entry was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bad {
    Short,
    Magic,
    Version,
    Length,
    Checksum,
    Inflate,
}

fn u64_at(data: &[u8], at: usize) -> Option<u64> {
    let b: [u8; 8] = data.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

/// Checks an entry and inflates its payload.
fn decode(data: &[u8]) -> Result<Vec<u8>, Bad> {
    let (header, stored) = data.split_at_checked(HEADER_LEN).ok_or(Bad::Short)?;
    if header.get(..8) != Some(MAGIC.as_slice()) {
        return Err(Bad::Magic);
    }
    let version: [u8; 4] = header
        .get(8..12)
        .and_then(|b| b.try_into().ok())
        .ok_or(Bad::Short)?;
    if u32::from_le_bytes(version) != FORMAT_VERSION {
        return Err(Bad::Version);
    }
    let stored_len = u64_at(header, 12).ok_or(Bad::Short)?;
    let payload_len = u64_at(header, 20).ok_or(Bad::Short)?;
    if stored_len != stored.len() as u64 || payload_len > MAX_PAYLOAD_BYTES {
        return Err(Bad::Length);
    }
    if header.get(28..60) != Some(Sha256::digest(stored).as_slice()) {
        return Err(Bad::Checksum);
    }
    let mut out = Vec::new();
    let decoder = zstd::stream::read::Decoder::new(stored).map_err(|_| Bad::Inflate)?;
    decoder
        .take(payload_len + 1)
        .read_to_end(&mut out)
        .map_err(|_| Bad::Inflate)?;
    if out.len() as u64 != payload_len {
        return Err(Bad::Length);
    }
    Ok(out)
}

/// Fuzz entry points (run under proptest in the tests).
pub mod fuzz {
    /// Decodes arbitrary bytes as a cache entry: must never panic, and must refuse anything
    /// that is not an entry this crate wrote.
    pub fn decode_entry(data: &[u8]) -> Option<Vec<u8>> {
        super::decode(data).ok()
    }

    /// Encodes a payload as an entry (for round-trip properties).
    pub fn encode_entry(payload: &[u8]) -> Option<Vec<u8>> {
        super::encode(payload).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_damage_is_refused() {
        let good = encode(b"hello hello hello").unwrap_or_default();
        assert_eq!(decode(&good), Ok(b"hello hello hello".to_vec()));
        assert_eq!(decode(&good[..10]), Err(Bad::Short));
        assert_eq!(decode(&good[..good.len() - 1]), Err(Bad::Length));
        let mut magic = good.clone();
        magic[0] ^= 1;
        assert_eq!(decode(&magic), Err(Bad::Magic));
        let mut version = good.clone();
        version[8] ^= 1;
        assert_eq!(decode(&version), Err(Bad::Version));
        let mut body = good.clone();
        if let Some(b) = body.last_mut() {
            *b ^= 1;
        }
        assert_eq!(decode(&body), Err(Bad::Checksum));
        let mut sum = good.clone();
        sum[40] ^= 1;
        assert_eq!(decode(&sum), Err(Bad::Checksum));
        let mut huge = good;
        huge[20..28].copy_from_slice(&(MAX_PAYLOAD_BYTES + 1).to_le_bytes());
        assert_eq!(decode(&huge), Err(Bad::Length));
    }

    #[test]
    fn sizes_parse_in_binary_units() {
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("2GiB"), Some(2 << 30));
        assert_eq!(parse_size("500 MiB"), Some(500 << 20));
        assert_eq!(parse_size("1g"), Some(1 << 30));
        assert_eq!(parse_size("3KB"), Some(3 << 10));
        assert_eq!(parse_size("1T"), Some(1 << 40));
        assert_eq!(parse_size("GiB"), None);
        assert_eq!(parse_size("1.5G"), None);
        assert_eq!(parse_size("2PiB"), None);
        assert_eq!(parse_size("99999999999999999999"), None);
        assert_eq!(parse_size("17000000000T"), None);
    }

    #[test]
    fn keys_are_length_prefixed() {
        let a = Key::from_parts(&[b"ab", b"c"]);
        let b = Key::from_parts(&[b"a", b"bc"]);
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 64);
        assert_eq!(a, Key::from_parts(&[b"ab", b"c"]));
    }
}
