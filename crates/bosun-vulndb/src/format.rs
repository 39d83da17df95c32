//! The on-disk format and its reader.
//!
//! One file, `bosun-vulndb.bin`:
//!
//! ```text
//! 0..8    magic "BOSUNVDB"
//! 8..12   format version (u32 LE)
//! 12..16  header JSON length (u32 LE)
//! 16..24  build time, unix seconds (u64 LE): the only input-independent bytes
//! 24..56  sha256 of the header JSON
//! 56..    header JSON: DbInfo (sources, counts) and the section table
//!         (name, offset, length, sha256 of each section)
//! then the sections:
//!   record_blocks sha256 of each 64 KiB block of `records`
//!   records       one group per package key, in key order: the records (in id order)
//!                 with an affected entry for that key, each as a varint length and its
//!                 compact encoding ([`crate::codec`]); then one group of the records
//!                 naming no package. A record naming several keys is stored in each of
//!                 their groups.
//!   record_table  per record (sorted by id): offset u64, length u32 of one stored copy
//!   ids           string map id -> record number
//!   packages      key index "Base\0name\0release" -> (group offset, group length, count)
//!                 (name in index form: PEP 503 for PyPI; release empty for entries
//!                 without one, so a package's bare key sorts first and its releases
//!                 follow, adjacent in the index and in `records`)
//!   aliases       string map alias/upstream id -> record numbers
//!   kev           JSON array of KEV entries sorted by CVE
//!   epss          per CVE: key u64, epss f32, percentile f32 (sorted by key)
//! ```
//!
//! A string map is `n u32 | n × (key_off u32, key_len u32, val_off u32, val_count u32) |
//! key bytes | u32 values`, entries sorted by key bytes. The key index is `n u32 |
//! n × (key_off u32, key_len u32, group_off u64, group_len u32, count u32) | key bytes`.
//!
//! Opening reads and checks the header and the block hashes only (32 bytes per 64 KiB of
//! records: 60 kB for 210k records). Each index section is read and checked as a whole on
//! its first use (the key index on the first lookup; the id and alias maps and the record
//! table only for [`Db::get`], [`Db::by_alias`], [`Db::record_at`]). A lookup is a binary
//! search in the key index for the package's first key, a scan of its adjacent release
//! keys, and one `read_at` of the groups it needs (the query's release and the bare key;
//! every release for a bare query), whose 64 KiB blocks are hashed on their first read.
//! Readers hold the file open: a writer replacing it (temporary file, then rename) never
//! changes what an open [`Db`] reads, lazily loaded sections included.
//! [`Db::verify`] checks every section, every record and every package group.

use crate::codec::{self, AdvisoryView};
use crate::{Advisory, DbInfo, Epss, Kev, VulnDbError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use smallvec::SmallVec;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

pub(crate) const MAGIC: &[u8; 8] = b"BOSUNVDB";
/// Format version written and accepted.
pub const FORMAT_VERSION: u32 = 2;
/// File name inside the database directory.
pub const DB_FILE: &str = "bosun-vulndb.bin";
const FIXED: usize = 56;
const BLOCK: u64 = 64 * 1024;
/// Largest header / index section read at open (hostile-file bound).
const MAX_SECTION: u64 = 1 << 31;
/// Largest single record.
const MAX_RECORD: u32 = 64 << 20;
/// Largest lookup buffer kept for reuse by a thread.
const MAX_SCRATCH: usize = 4 << 20;

thread_local! {
    /// The reusable buffer of [`Db::lookup_with`].
    static SCRATCH: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Bytes per key-index entry.
const KEY_ENTRY: usize = 24;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct SectionDesc {
    pub(crate) name: String,
    pub(crate) offset: u64,
    pub(crate) len: u64,
    pub(crate) sha256: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Header {
    pub(crate) info: DbInfo,
    pub(crate) sections: Vec<SectionDesc>,
}

/// Encodes a string map (keys already sorted by the BTreeMap).
pub(crate) fn encode_map(map: &BTreeMap<String, Vec<u32>>) -> Vec<u8> {
    let mut entries = Vec::with_capacity(map.len() * 16);
    let mut keys = Vec::new();
    let mut vals = Vec::new();
    let mut nvals: u32 = 0;
    for (k, v) in map {
        entries.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        entries.extend_from_slice(&(k.len() as u32).to_le_bytes());
        entries.extend_from_slice(&nvals.to_le_bytes());
        entries.extend_from_slice(&(v.len() as u32).to_le_bytes());
        keys.extend_from_slice(k.as_bytes());
        for x in v {
            vals.extend_from_slice(&x.to_le_bytes());
        }
        nvals = nvals.saturating_add(v.len() as u32);
    }
    let mut out = Vec::with_capacity(4 + entries.len() + keys.len() + vals.len());
    out.extend_from_slice(&(map.len() as u32).to_le_bytes());
    out.extend_from_slice(&entries);
    out.extend_from_slice(&keys);
    out.extend_from_slice(&vals);
    out
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    let s = b.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(u64::from_le_bytes(a))
}

/// A decoded (borrowed-bytes) string map.
struct StrMap {
    bytes: Vec<u8>,
    n: usize,
    keys_at: usize,
    vals_at: usize,
}

impl StrMap {
    fn parse(bytes: Vec<u8>) -> Option<StrMap> {
        let n = u32_at(&bytes, 0)? as usize;
        let keys_at = n.checked_mul(16)?.checked_add(4)?;
        if keys_at > bytes.len() {
            return None;
        }
        // Key bytes end where the last entry's key ends (entries are in key order and keys
        // are laid out in the same order).
        let keys_len = if n == 0 {
            0
        } else {
            let last = 4 + (n - 1) * 16;
            (u32_at(&bytes, last)? as usize).checked_add(u32_at(&bytes, last + 4)? as usize)?
        };
        let vals_at = keys_at.checked_add(keys_len)?;
        if vals_at > bytes.len() || !(bytes.len() - vals_at).is_multiple_of(4) {
            return None;
        }
        Some(StrMap {
            bytes,
            n,
            keys_at,
            vals_at,
        })
    }

    fn key(&self, i: usize) -> Option<&[u8]> {
        let e = 4 + i.checked_mul(16)?;
        let off = self.keys_at.checked_add(u32_at(&self.bytes, e)? as usize)?;
        let len = u32_at(&self.bytes, e + 4)? as usize;
        self.bytes.get(off..off.checked_add(len)?)
    }

    /// Values for `key`; `Err(())` when the map is inconsistent.
    fn get(&self, key: &[u8]) -> Result<Vec<u32>, ()> {
        let (mut lo, mut hi) = (0usize, self.n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let k = self.key(mid).ok_or(())?;
            match k.cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let e = 4 + mid * 16;
                    let off = u32_at(&self.bytes, e + 8).ok_or(())? as usize;
                    let cnt = u32_at(&self.bytes, e + 12).ok_or(())? as usize;
                    let mut out = Vec::with_capacity(cnt.min(4096));
                    for j in 0..cnt {
                        let at = off
                            .checked_add(j)
                            .and_then(|x| x.checked_mul(4))
                            .and_then(|x| x.checked_add(self.vals_at))
                            .ok_or(())?;
                        out.push(u32_at(&self.bytes, at).ok_or(())?);
                    }
                    return Ok(out);
                }
            }
        }
        Ok(Vec::new())
    }
}

/// One package key's group in `records`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Group {
    pub(crate) offset: u64,
    pub(crate) len: u32,
    pub(crate) count: u32,
}

/// Encodes the key index (keys already sorted by the BTreeMap).
pub(crate) fn encode_key_index(map: &BTreeMap<String, Group>) -> Vec<u8> {
    let mut entries = Vec::with_capacity(map.len() * KEY_ENTRY);
    let mut keys = Vec::new();
    for (k, g) in map {
        entries.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        entries.extend_from_slice(&(k.len() as u32).to_le_bytes());
        entries.extend_from_slice(&g.offset.to_le_bytes());
        entries.extend_from_slice(&g.len.to_le_bytes());
        entries.extend_from_slice(&g.count.to_le_bytes());
        keys.extend_from_slice(k.as_bytes());
    }
    let mut out = Vec::with_capacity(4 + entries.len() + keys.len());
    out.extend_from_slice(&(map.len() as u32).to_le_bytes());
    out.extend_from_slice(&entries);
    out.extend_from_slice(&keys);
    out
}

/// The key index: binary search over fixed-size entries.
struct KeyIndex {
    bytes: Vec<u8>,
    n: usize,
    keys_at: usize,
}

impl KeyIndex {
    fn parse(bytes: Vec<u8>) -> Option<KeyIndex> {
        let n = u32_at(&bytes, 0)? as usize;
        let keys_at = n.checked_mul(KEY_ENTRY)?.checked_add(4)?;
        let keys_len = if n == 0 {
            0
        } else {
            let last = 4 + (n - 1) * KEY_ENTRY;
            (u32_at(&bytes, last)? as usize).checked_add(u32_at(&bytes, last + 4)? as usize)?
        };
        if keys_at.checked_add(keys_len)? != bytes.len() {
            return None;
        }
        Some(KeyIndex { bytes, n, keys_at })
    }

    fn key(&self, i: usize) -> Option<&[u8]> {
        let e = 4 + i.checked_mul(KEY_ENTRY)?;
        let off = self.keys_at.checked_add(u32_at(&self.bytes, e)? as usize)?;
        let len = u32_at(&self.bytes, e + 4)? as usize;
        self.bytes.get(off..off.checked_add(len)?)
    }

    fn group(&self, i: usize) -> Option<Group> {
        let e = 4 + i.checked_mul(KEY_ENTRY)?;
        Some(Group {
            offset: u64_at(&self.bytes, e + 8)?,
            len: u32_at(&self.bytes, e + 16)?,
            count: u32_at(&self.bytes, e + 20)?,
        })
    }

    /// Every key starting with `prefix`, in key order: (the rest of the key, its group).
    fn with_prefix(&self, prefix: &[u8]) -> Result<Vec<(&[u8], Group)>, ()> {
        let (mut lo, mut hi) = (0usize, self.n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.key(mid).ok_or(())? < prefix {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let mut out = Vec::new();
        for i in lo..self.n {
            match self.key(i).ok_or(())?.strip_prefix(prefix) {
                Some(rest) => out.push((rest, self.group(i).ok_or(())?)),
                None => break,
            }
        }
        Ok(out)
    }
}

/// Writes the whole file (atomically: temp file in `dir`, then rename).
pub(crate) fn write_file(
    dir: &Path,
    build_time: u64,
    mut info: DbInfo,
    sections: Vec<(&'static str, Vec<u8>)>,
) -> Result<DbInfo, VulnDbError> {
    let path = dir.join(DB_FILE);
    let werr = |source: std::io::Error| VulnDbError::Write {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(werr)?;
    // Section offsets depend on the header length, which depends on the offsets' digits:
    // iterate until the header length is stable (two rounds in practice).
    let mut header_len = 0usize;
    let mut header_json;
    let mut descs;
    loop {
        let mut off = (FIXED + header_len) as u64;
        descs = Vec::new();
        for (name, bytes) in &sections {
            descs.push(SectionDesc {
                name: (*name).to_string(),
                offset: off,
                len: bytes.len() as u64,
                sha256: hex::encode(Sha256::digest(bytes)),
            });
            off += bytes.len() as u64;
        }
        info.file_size = off;
        let h = Header {
            info: info.clone(),
            sections: descs.clone(),
        };
        header_json = serde_json::to_vec(&h).map_err(|e| werr(std::io::Error::other(e)))?;
        if header_json.len() == header_len {
            break;
        }
        header_len = header_json.len();
    }
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(werr)?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        w.write_all(MAGIC).map_err(werr)?;
        w.write_all(&FORMAT_VERSION.to_le_bytes()).map_err(werr)?;
        w.write_all(&(header_json.len() as u32).to_le_bytes())
            .map_err(werr)?;
        w.write_all(&build_time.to_le_bytes()).map_err(werr)?;
        w.write_all(&Sha256::digest(&header_json)).map_err(werr)?;
        w.write_all(&header_json).map_err(werr)?;
        for (_, bytes) in &sections {
            w.write_all(bytes).map_err(werr)?;
        }
        w.flush().map_err(werr)?;
    }
    tmp.as_file().sync_all().map_err(werr)?;
    tmp.persist(&path).map_err(|e| werr(e.error))?;
    info.build_time = build_time;
    info.path = Some(path);
    Ok(info)
}

/// Splits the records blob into blocks and returns their hashes.
pub(crate) fn block_hashes(records: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in records.chunks(BLOCK as usize) {
        out.extend_from_slice(&Sha256::digest(chunk));
    }
    out
}

/// A section read and checked on first use: the value, or why it is unusable.
type Lazy<T> = OnceLock<Result<T, String>>;

/// An opened database. Cheap to share between threads (`&Db` is `Sync`).
pub struct Db {
    file: File,
    path: PathBuf,
    info: DbInfo,
    records: SectionDesc,
    block_hashes: Vec<u8>,
    verified: Vec<AtomicBool>,
    record_table_sec: SectionDesc,
    ids_sec: SectionDesc,
    packages_sec: SectionDesc,
    aliases_sec: SectionDesc,
    kev_sec: SectionDesc,
    epss_sec: SectionDesc,
    record_table: Lazy<Vec<u8>>,
    ids: Lazy<StrMap>,
    packages: Lazy<KeyIndex>,
    aliases: Lazy<StrMap>,
    kev: Lazy<Vec<Kev>>,
    epss: Lazy<Vec<u8>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

/// Whether an affected entry names package `norm` (index form) in query ecosystem `query`.
fn names_package(af: &codec::AffectedRef<'_>, base: &str, query: &str, norm: &str) -> bool {
    crate::advisory::ecosystem_applies(af.ecosystem, query)
        && if base == "PyPI" {
            crate::advisory::normalize_name(base, af.name) == norm
        } else {
            af.name == norm
        }
}

impl Db {
    fn corrupt(&self, section: &str, reason: impl Into<String>) -> VulnDbError {
        VulnDbError::Corrupt {
            path: self.path.clone(),
            section: section.to_string(),
            reason: reason.into(),
        }
    }

    /// Opens the database in `dir` (the file [`DB_FILE`]; a path to the file itself is
    /// accepted too), checking the header and the record block hashes. The index sections
    /// are read and checked on first use, so opening costs the same at any size.
    pub fn open(dir: impl AsRef<Path>) -> Result<Db, VulnDbError> {
        let dir = dir.as_ref();
        let path = if dir.is_file() {
            dir.to_path_buf()
        } else {
            dir.join(DB_FILE)
        };
        let file = File::open(&path).map_err(|source| VulnDbError::Io {
            path: path.clone(),
            source,
        })?;
        let corrupt = |section: &str, reason: &str| VulnDbError::Corrupt {
            path: path.clone(),
            section: section.to_string(),
            reason: reason.to_string(),
        };
        let size = file
            .metadata()
            .map_err(|source| VulnDbError::Io {
                path: path.clone(),
                source,
            })?
            .len();
        let mut fixed = [0u8; FIXED];
        read_exact_at(&file, &mut fixed, 0).map_err(|_| corrupt("header", "file too short"))?;
        if &fixed[0..8] != MAGIC {
            return Err(VulnDbError::BadMagic { path });
        }
        let version = u32_at(&fixed, 8).unwrap_or(0);
        if version != FORMAT_VERSION {
            return Err(VulnDbError::UnsupportedVersion {
                path,
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        let hlen = u64::from(u32_at(&fixed, 12).unwrap_or(0));
        let build_time = u64_at(&fixed, 16).unwrap_or(0);
        if hlen > MAX_SECTION || (FIXED as u64).saturating_add(hlen) > size {
            return Err(corrupt("header", "header length beyond end of file"));
        }
        let mut hjson = vec![0u8; hlen as usize];
        read_exact_at(&file, &mut hjson, FIXED as u64)
            .map_err(|_| corrupt("header", "short read"))?;
        if Sha256::digest(&hjson).as_slice() != &fixed[24..56] {
            return Err(corrupt("header", "checksum mismatch"));
        }
        let header: Header = serde_json::from_slice(&hjson)
            .map_err(|_| corrupt("header", "header is not valid JSON"))?;
        let find = |name: &str| -> Result<SectionDesc, VulnDbError> {
            let s = header
                .sections
                .iter()
                .find(|s| s.name == name)
                .cloned()
                .ok_or_else(|| corrupt(name, "section missing"))?;
            if s.offset.checked_add(s.len).is_none_or(|end| end > size) {
                return Err(corrupt(name, "section beyond end of file"));
            }
            if s.len > MAX_SECTION && name != "records" {
                return Err(corrupt(name, "section too large"));
            }
            Ok(s)
        };
        let records = find("records")?;
        let blocks_sec = find("record_blocks")?;
        let block_hashes =
            load_checked(&file, &blocks_sec).map_err(|e| corrupt("record_blocks", &e))?;
        let nblocks = records.len.div_ceil(BLOCK);
        if block_hashes.len() as u64 != nblocks.saturating_mul(32) {
            return Err(corrupt("record_blocks", "block count mismatch"));
        }
        let mut info = header.info.clone();
        info.build_time = build_time;
        info.path = Some(path.clone());
        Ok(Db {
            verified: (0..nblocks).map(|_| AtomicBool::new(false)).collect(),
            record_table_sec: find("record_table")?,
            ids_sec: find("ids")?,
            packages_sec: find("packages")?,
            aliases_sec: find("aliases")?,
            kev_sec: find("kev")?,
            epss_sec: find("epss")?,
            file,
            path,
            info,
            records,
            block_hashes,
            record_table: OnceLock::new(),
            ids: OnceLock::new(),
            packages: OnceLock::new(),
            aliases: OnceLock::new(),
            kev: OnceLock::new(),
            epss: OnceLock::new(),
        })
    }

    /// What the database holds (for `bosun db status`).
    pub fn info(&self) -> &DbInfo {
        &self.info
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.info.records
    }

    /// Whether the database holds no record.
    pub fn is_empty(&self) -> bool {
        self.info.records == 0
    }

    /// A lazily loaded section: read, checksum-checked and parsed on first use.
    fn lazy<'s, T>(
        &'s self,
        cell: &'s Lazy<T>,
        sec: &SectionDesc,
        parse: impl FnOnce(Vec<u8>) -> Result<T, String>,
    ) -> Result<&'s T, VulnDbError> {
        cell.get_or_init(|| parse(load_checked(&self.file, sec)?))
            .as_ref()
            .map_err(|e| self.corrupt(&sec.name, e.clone()))
    }

    fn record_table(&self) -> Result<&[u8], VulnDbError> {
        let n = self.info.records;
        self.lazy(&self.record_table, &self.record_table_sec, |b| {
            if Some(b.len()) == n.checked_mul(12) {
                Ok(b)
            } else {
                Err("bad length".to_string())
            }
        })
        .map(Vec::as_slice)
    }

    fn str_map<'s>(
        &'s self,
        cell: &'s Lazy<StrMap>,
        sec: &SectionDesc,
    ) -> Result<&'s StrMap, VulnDbError> {
        self.lazy(cell, sec, |b| {
            StrMap::parse(b).ok_or_else(|| "inconsistent map".to_string())
        })
    }

    fn key_index(&self) -> Result<&KeyIndex, VulnDbError> {
        self.lazy(&self.packages, &self.packages_sec, |b| {
            KeyIndex::parse(b).ok_or_else(|| "inconsistent index".to_string())
        })
    }

    fn verify_block(&self, k: u64) -> Result<(), VulnDbError> {
        let flag = self
            .verified
            .get(k as usize)
            .ok_or_else(|| self.corrupt("records", "record beyond last block"))?;
        if flag.load(Ordering::Acquire) {
            return Ok(());
        }
        let start = k * BLOCK;
        let len = BLOCK.min(self.records.len.saturating_sub(start));
        let mut buf = vec![0u8; len as usize];
        read_exact_at(&self.file, &mut buf, self.records.offset + start)
            .map_err(|_| self.corrupt("records", "short read"))?;
        let want = self
            .block_hashes
            .get(k as usize * 32..k as usize * 32 + 32)
            .ok_or_else(|| self.corrupt("record_blocks", "missing block hash"))?;
        if Sha256::digest(&buf).as_slice() != want {
            return Err(self.corrupt("records", format!("checksum mismatch in block {k}")));
        }
        flag.store(true, Ordering::Release);
        Ok(())
    }

    /// Reads `len` bytes at `off` of the records section, after checking their blocks.
    fn read_records(&self, off: u64, len: u64, what: &str) -> Result<Vec<u8>, VulnDbError> {
        self.check_span(off, len, what)?;
        let mut buf = vec![0u8; len as usize];
        self.read_records_into(off, &mut buf, what)?;
        Ok(buf)
    }

    /// Fails unless `len` bytes at `off` lie inside the records section (checked before
    /// anything is allocated for them).
    fn check_span(&self, off: u64, len: u64, what: &str) -> Result<(), VulnDbError> {
        match off.checked_add(len) {
            Some(end) if end <= self.records.len => Ok(()),
            _ => Err(self.corrupt(what, "points beyond the records section")),
        }
    }

    /// Fills `buf` from offset `off` of the records section, after checking its blocks.
    fn read_records_into(&self, off: u64, buf: &mut [u8], what: &str) -> Result<(), VulnDbError> {
        let len = buf.len() as u64;
        self.check_span(off, len, what)?;
        if len == 0 {
            return Ok(());
        }
        for k in off / BLOCK..=(off + len - 1) / BLOCK {
            self.verify_block(k)?;
        }
        read_exact_at(&self.file, buf, self.records.offset + off)
            .map_err(|_| self.corrupt("records", "short read"))
    }

    /// Reads record number `n`.
    pub(crate) fn record(&self, n: u32) -> Result<Advisory, VulnDbError> {
        let table = self.record_table()?;
        let e = (n as usize)
            .checked_mul(12)
            .ok_or_else(|| self.corrupt("record_table", "bad record number"))?;
        let (Some(off), Some(len)) = (u64_at(table, e), u32_at(table, e + 8)) else {
            return Err(self.corrupt("record_table", "record number out of range"));
        };
        if len == 0 || len > MAX_RECORD {
            return Err(self.corrupt("record_table", "bad record length"));
        }
        let buf = self.read_records(off, u64::from(len), "record_table")?;
        codec::decode(&buf).map_err(|e| self.corrupt("records", format!("bad record: {e}")))
    }

    /// The groups a query reads: for `Base:release`, the key's bare group and that
    /// release's; for a bare `Base`, every group of the key (adjacent in the index).
    fn groups_for(
        &self,
        base: &str,
        norm: &str,
        release: Option<&str>,
    ) -> Result<Vec<Group>, VulnDbError> {
        let index = self.key_index()?;
        let bad = |()| self.corrupt("packages", "inconsistent index");
        let prefix = format!("{base}\0{norm}\0");
        // The key's groups are adjacent in the index: the bare one ("…\0") first.
        let all = index.with_prefix(prefix.as_bytes()).map_err(bad)?;
        Ok(match release {
            None => all.into_iter().map(|(_, g)| g).collect(),
            Some(r) => all
                .into_iter()
                .filter(|(k, _)| k.is_empty() || *k == r.as_bytes())
                .map(|(_, g)| g)
                .collect(),
        })
    }

    /// Reads `groups` into one buffer: one `read_at` when they are adjacent in the file
    /// (always for a single group), else one per group.
    fn read_groups(&self, groups: &[Group], buf: &mut Vec<u8>) -> Result<(), VulnDbError> {
        for g in groups {
            self.check_span(g.offset, u64::from(g.len), "packages")?;
        }
        // Each group lies inside the records section, and they do not repeat: the total
        // is bounded by the file.
        let total: u64 = groups.iter().map(|g| u64::from(g.len)).sum();
        if total > self.records.len {
            return Err(self.corrupt("packages", "groups overlap"));
        }
        let total =
            usize::try_from(total).map_err(|_| self.corrupt("packages", "groups too large"))?;
        let adjacent = groups.windows(2).all(
            |w| matches!(w, [a, b] if a.offset.checked_add(u64::from(a.len)) == Some(b.offset)),
        );
        buf.clear();
        buf.resize(total, 0);
        match groups.first() {
            Some(first) if adjacent => self.read_records_into(first.offset, buf, "packages")?,
            _ => {
                let mut at = 0usize;
                for g in groups {
                    let end = at + g.len as usize;
                    let part = buf
                        .get_mut(at..end)
                        .ok_or_else(|| self.corrupt("packages", "inconsistent index"))?;
                    self.read_records_into(g.offset, part, "packages")?;
                    at = end;
                }
            }
        }
        Ok(())
    }

    /// Calls `f` with the records naming package `name` in OSV ecosystem `ecosystem`
    /// (the records [`Db::lookup`] returns, in id order), borrowed from one read of the
    /// key's groups (two for a release query when the key also has release-less
    /// records): nothing is decoded or allocated per record beyond what `f` asks for.
    pub fn lookup_with<T>(
        &self,
        ecosystem: &str,
        name: &str,
        f: impl FnOnce(&[AdvisoryView<'_>]) -> T,
    ) -> Result<T, VulnDbError> {
        let (base, release) = crate::advisory::split_ecosystem(ecosystem);
        let norm = crate::advisory::normalize_name(base, name);
        let groups = self.groups_for(base, &norm, release)?;
        // One buffer per thread, reused across lookups (taken out while `f` runs, so a
        // nested lookup simply gets a fresh one).
        let mut bytes = SCRATCH.with(Cell::take);
        let r = self.read_groups(&groups, &mut bytes).and_then(|()| {
            self.views_of(&bytes, &groups, base, ecosystem, &norm)
                .map(|views| f(&views))
        });
        if bytes.capacity() <= MAX_SCRATCH {
            SCRATCH.with(|s| s.set(bytes));
        }
        r
    }

    /// The records of `groups` (read into `bytes`) that name the package, in id order.
    fn views_of<'b>(
        &self,
        bytes: &'b [u8],
        groups: &[Group],
        base: &str,
        ecosystem: &str,
        norm: &str,
    ) -> Result<SmallVec<[AdvisoryView<'b>; 8]>, VulnDbError> {
        let count: usize = groups.iter().map(|g| g.count as usize).sum();
        // Each record takes at least one byte: the count is bounded by what was read.
        let mut views = SmallVec::with_capacity(count.min(bytes.len()));
        let mut rest = bytes;
        for g in groups {
            let (mine, tail) = rest.split_at(rest.len().min(g.len as usize));
            rest = tail;
            let mut n = 0u32;
            for rec in codec::framed(mine) {
                let rec = rec.map_err(|e| self.corrupt("records", format!("bad group: {e}")))?;
                n += 1;
                if n > g.count {
                    break;
                }
                let v = AdvisoryView::parse(rec)
                    .map_err(|e| self.corrupt("records", format!("bad record: {e}")))?;
                if v.affected()
                    .any(|af| names_package(&af, base, ecosystem, norm))
                {
                    views.push(v);
                }
            }
            if n != g.count {
                return Err(self.corrupt("packages", "group record count mismatch"));
            }
        }
        if groups.len() > 1 {
            // A record naming several releases is stored in each of their groups.
            views.sort_by(|a: &AdvisoryView<'_>, b: &AdvisoryView<'_>| a.id.cmp(b.id));
            views.dedup_by(|a: &mut AdvisoryView<'_>, b: &mut AdvisoryView<'_>| a.id == b.id);
        }
        Ok(views)
    }

    /// Advisories naming package `name` in OSV ecosystem `ecosystem` (`Debian:12`, `PyPI`).
    /// A record applies when one of its affected entries has the same ecosystem base and
    /// name (PyPI names normalized) and either no release on one side or the same release.
    pub fn lookup(&self, ecosystem: &str, name: &str) -> Result<Vec<Advisory>, VulnDbError> {
        self.lookup_with(ecosystem, name, |views| {
            views
                .iter()
                .map(|v| v.to_advisory())
                .collect::<Result<Vec<_>, _>>()
        })?
        .map_err(|e| self.corrupt("records", format!("bad record: {e}")))
    }

    /// The record with this id.
    pub fn get(&self, id: &str) -> Result<Option<Advisory>, VulnDbError> {
        let nums = self
            .str_map(&self.ids, &self.ids_sec)?
            .get(id.as_bytes())
            .map_err(|()| self.corrupt("ids", "inconsistent map"))?;
        match nums.first() {
            Some(&n) => self.record(n).map(Some),
            None => Ok(None),
        }
    }

    /// Records listing `id` among their aliases or upstream ids.
    pub fn by_alias(&self, id: &str) -> Result<Vec<Advisory>, VulnDbError> {
        let nums = self
            .str_map(&self.aliases, &self.aliases_sec)?
            .get(id.as_bytes())
            .map_err(|()| self.corrupt("aliases", "inconsistent map"))?;
        nums.into_iter().map(|n| self.record(n)).collect()
    }

    /// Record number `n` (0..[`Db::len`], in id order): for exports and full scans.
    pub fn record_at(&self, n: usize) -> Result<Advisory, VulnDbError> {
        let n = u32::try_from(n).map_err(|_| self.corrupt("record_table", "bad record number"))?;
        self.record(n)
    }

    /// Checks every section and decodes every record and every package group (`bosun db
    /// status --verify`); a plain open checks only the header and block hashes.
    pub fn verify(&self) -> Result<(), VulnDbError> {
        for k in 0..self.verified.len() as u64 {
            self.verify_block(k)?;
        }
        for n in 0..self.len() {
            self.record_at(n)?;
        }
        let ids = self.str_map(&self.ids, &self.ids_sec)?;
        if ids.n != self.len() {
            return Err(self.corrupt("ids", "id count differs from the record count"));
        }
        self.str_map(&self.aliases, &self.aliases_sec)?;
        let index = self.key_index()?;
        for i in 0..index.n {
            let g = index
                .group(i)
                .ok_or_else(|| self.corrupt("packages", "inconsistent index"))?;
            let bytes = self.read_records(g.offset, u64::from(g.len), "packages")?;
            let mut n = 0u32;
            for rec in codec::framed(&bytes) {
                let rec = rec.map_err(|e| self.corrupt("records", format!("bad group: {e}")))?;
                codec::decode(rec)
                    .map_err(|e| self.corrupt("records", format!("bad record: {e}")))?;
                n = n.saturating_add(1);
            }
            if n != g.count {
                return Err(self.corrupt("packages", "group record count mismatch"));
            }
        }
        self.kev("CVE-0000-0000")?;
        self.epss("CVE-0000-0000")?;
        Ok(())
    }

    /// The CISA KEV entry for a CVE id.
    pub fn kev(&self, cve: &str) -> Result<Option<Kev>, VulnDbError> {
        let all = self.lazy(&self.kev, &self.kev_sec, |b| {
            serde_json::from_slice::<Vec<Kev>>(&b).map_err(|e| format!("bad JSON: {e}"))
        })?;
        Ok(all
            .binary_search_by(|k| k.cve.as_str().cmp(cve))
            .ok()
            .and_then(|i| all.get(i).cloned()))
    }

    /// The EPSS score for a CVE id.
    pub fn epss(&self, cve: &str) -> Result<Option<Epss>, VulnDbError> {
        let b = self.lazy(&self.epss, &self.epss_sec, |b| {
            if b.len().is_multiple_of(16) {
                Ok(b)
            } else {
                Err("bad length".into())
            }
        })?;
        let Some(key) = cve_key(cve) else {
            return Ok(None);
        };
        let (mut lo, mut hi) = (0usize, b.len() / 16);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let k = u64_at(b, mid * 16).unwrap_or(u64::MAX);
            match k.cmp(&key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let f = |at| f32::from_bits(u32_at(b, at).unwrap_or(0));
                    return Ok(Some(Epss {
                        cve: cve.to_string(),
                        score: f(mid * 16 + 8),
                        percentile: f(mid * 16 + 12),
                    }));
                }
            }
        }
        Ok(None)
    }
}

/// Reads a whole section and checks its sha256.
fn load_checked(file: &File, s: &SectionDesc) -> Result<Vec<u8>, String> {
    if s.len > MAX_SECTION {
        return Err("section too large".into());
    }
    let mut buf = vec![0u8; s.len as usize];
    read_exact_at(file, &mut buf, s.offset).map_err(|_| "short read".to_string())?;
    if hex::encode(Sha256::digest(&buf)) != s.sha256 {
        return Err("checksum mismatch".into());
    }
    Ok(buf)
}

/// `CVE-2024-12345` → a sortable integer key.
pub(crate) fn cve_key(cve: &str) -> Option<u64> {
    let rest = cve.trim().strip_prefix("CVE-")?;
    let (y, n) = rest.split_once('-')?;
    if y.len() != 4 || n.is_empty() || n.len() > 12 {
        return None;
    }
    let y: u64 = y.parse().ok()?;
    let n: u64 = n.parse().ok()?;
    Some(y * 1_000_000_000_000 + n)
}

pub(crate) fn encode_epss(map: &BTreeMap<u64, (f32, f32)>) -> Vec<u8> {
    let mut out = Vec::with_capacity(map.len() * 16);
    for (k, (e, p)) in map {
        out.extend_from_slice(&k.to_le_bytes());
        out.extend_from_slice(&e.to_bits().to_le_bytes());
        out.extend_from_slice(&p.to_bits().to_le_bytes());
    }
    out
}

fn read_exact_at(file: &File, buf: &mut [u8], off: u64) -> std::io::Result<()> {
    file.read_exact_at(buf, off)
}
