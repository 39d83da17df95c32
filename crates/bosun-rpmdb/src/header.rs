//! The rpm header blob every database stores per package.
//!
//! Layout (all integers big-endian), as rpm's `headerImport` reads it:
//!
//! ```text
//! u32 il            number of index entries
//! u32 dl            length of the data store
//! il × { i32 tag, u32 type, i32 offset, u32 count }
//! dl bytes          data store; entry offsets are relative to its start
//! ```
//!
//! The first entry is usually a region tag (`HEADER_IMMUTABLE`, 63) whose data is a trailer;
//! the entries it covers and any added after it ("dribbles") are all in the same index, so a
//! flat walk of the index sees every tag. A dribble that repeats a tag replaces the earlier
//! value, which is what rpm does, so the last occurrence wins here.

use crate::{RpmPackage, RpmdbError};

/// rpm refuses headers with more index entries than this (`HEADER_TAGS_MAX`).
const MAX_ENTRIES: u32 = 0xffff;
/// rpm refuses headers with a larger data store than this (`HEADER_DATA_MAX`).
const MAX_DATA: u32 = 0x0fff_ffff;
/// Cap on the joined file paths' total length, per byte of the header's data store.
const PATH_BYTES_PER_DATA_BYTE: usize = 16;
/// Bytes per index entry.
const ENTRY_LEN: usize = 16;

mod tag {
    pub(super) const NAME: i32 = 1000;
    pub(super) const VERSION: i32 = 1001;
    pub(super) const RELEASE: i32 = 1002;
    pub(super) const EPOCH: i32 = 1003;
    pub(super) const VENDOR: i32 = 1011;
    pub(super) const LICENSE: i32 = 1014;
    pub(super) const ARCH: i32 = 1022;
    pub(super) const OLDFILENAMES: i32 = 1027;
    pub(super) const SOURCERPM: i32 = 1044;
    pub(super) const DIRINDEXES: i32 = 1116;
    pub(super) const BASENAMES: i32 = 1117;
    pub(super) const DIRNAMES: i32 = 1118;
}

mod kind {
    pub(super) const INT32: u32 = 4;
    pub(super) const STRING: u32 = 6;
    pub(super) const STRING_ARRAY: u32 = 8;
    pub(super) const I18NSTRING: u32 = 9;
}

/// One index entry, validated only as far as "offset lies inside the data store".
#[derive(Clone, Copy)]
struct Entry {
    tag: i32,
    kind: u32,
    offset: usize,
    count: u32,
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

fn malformed(what: &'static str) -> RpmdbError {
    RpmdbError::Header(what)
}

/// A parsed header: the index plus the data store it points into.
struct Header<'a> {
    entries: Vec<Entry>,
    data: &'a [u8],
}

impl<'a> Header<'a> {
    fn parse(blob: &'a [u8]) -> Result<Self, RpmdbError> {
        let il = be_u32(blob, 0).ok_or(malformed("header shorter than its preamble"))?;
        let dl = be_u32(blob, 4).ok_or(malformed("header shorter than its preamble"))?;
        if il == 0 || il > MAX_ENTRIES {
            return Err(malformed("header index entry count out of range"));
        }
        if dl > MAX_DATA {
            return Err(malformed("header data length out of range"));
        }
        // Both fit in usize on every target we build for (il <= 0xffff, dl < 2^28).
        let il = il as usize;
        let dl = dl as usize;
        let index_end = 8 + il * ENTRY_LEN;
        let data_end = index_end
            .checked_add(dl)
            .ok_or(malformed("header length overflows"))?;
        let index = blob
            .get(8..index_end)
            .ok_or(malformed("header index runs past the blob"))?;
        // Databases may pad the blob (NDB rounds to blocks), so only a short blob is an error.
        let data = blob
            .get(index_end..data_end)
            .ok_or(malformed("header data runs past the blob"))?;

        let mut entries = Vec::with_capacity(il);
        for raw in index.chunks_exact(ENTRY_LEN) {
            let word = |i| be_u32(raw, i).unwrap_or(0);
            let offset = word(8) as usize;
            let entry = Entry {
                tag: word(0) as i32,
                kind: word(4),
                offset,
                count: word(12),
            };
            entries.push(entry);
        }
        Ok(Self { entries, data })
    }

    /// The last entry carrying `tag`, if any.
    fn find(&self, tag: i32) -> Option<Entry> {
        self.entries.iter().rev().find(|e| e.tag == tag).copied()
    }

    /// The data store from an entry's offset on, or an error when the offset is outside it.
    fn tail(&self, e: Entry) -> Result<&'a [u8], RpmdbError> {
        self.data
            .get(e.offset..)
            .filter(|t| !t.is_empty())
            .ok_or(malformed("header entry offset outside the data store"))
    }

    /// A single string (`STRING`, or the first locale of an `I18NSTRING`).
    fn string(&self, tag: i32) -> Result<Option<String>, RpmdbError> {
        let Some(e) = self.find(tag) else {
            return Ok(None);
        };
        if e.kind != kind::STRING && e.kind != kind::I18NSTRING && e.kind != kind::STRING_ARRAY {
            return Err(malformed("header string tag has a non-string type"));
        }
        if e.count == 0 {
            return Err(malformed("header string tag has count 0"));
        }
        let (s, _) = cstr(self.tail(e)?)?;
        Ok(Some(s))
    }

    /// A `STRING_ARRAY` (or a lone `STRING`, which old headers sometimes use).
    fn strings(&self, tag: i32) -> Result<Vec<String>, RpmdbError> {
        let Some(e) = self.find(tag) else {
            return Ok(Vec::new());
        };
        if e.kind != kind::STRING_ARRAY && e.kind != kind::STRING {
            return Err(malformed("header string array tag has a non-string type"));
        }
        let mut rest = self.tail(e)?;
        // Each string takes at least one byte (its NUL), so the count is capped by the bytes
        // left: no allocation beyond the blob's own size.
        if e.count as usize > rest.len() {
            return Err(malformed("header string array count exceeds its data"));
        }
        let mut out = Vec::with_capacity(e.count as usize);
        for _ in 0..e.count {
            let (s, used) = cstr(rest)?;
            out.push(s);
            rest = rest.get(used..).unwrap_or_default();
        }
        Ok(out)
    }

    /// An `INT32` array.
    fn int32s(&self, tag: i32) -> Result<Vec<u32>, RpmdbError> {
        let Some(e) = self.find(tag) else {
            return Ok(Vec::new());
        };
        if e.kind != kind::INT32 {
            return Err(malformed("header int32 tag has a non-int32 type"));
        }
        let len = (e.count as usize)
            .checked_mul(4)
            .ok_or(malformed("header int32 count overflows"))?;
        let end = e
            .offset
            .checked_add(len)
            .ok_or(malformed("header int32 count overflows"))?;
        let bytes = self
            .data
            .get(e.offset..end)
            .ok_or(malformed("header int32 array runs past the data store"))?;
        Ok(bytes
            .chunks_exact(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    fn int32(&self, tag: i32) -> Result<Option<u32>, RpmdbError> {
        if self.find(tag).is_some_and(|e| e.count == 0) {
            return Err(malformed("header int32 tag has count 0"));
        }
        Ok(self.int32s(tag)?.first().copied())
    }
}

/// The NUL-terminated string at the start of `bytes` and the bytes it used (NUL included).
/// Non-UTF-8 bytes (old Latin-1 vendors, summaries) are replaced, not refused.
fn cstr(bytes: &[u8]) -> Result<(String, usize), RpmdbError> {
    let nul = bytes
        .iter()
        .position(|&b| b == 0)
        .ok_or(malformed("header string has no terminating NUL"))?;
    let s = String::from_utf8_lossy(bytes.get(..nul).unwrap_or_default()).into_owned();
    Ok((s, nul + 1))
}

/// Parses one rpm header blob (as stored in `rpmdb.sqlite`, `Packages.db` or `Packages`:
/// no lead, no `8eade8` magic) into the package it describes.
///
/// # Errors
/// [`RpmdbError::Header`] when the blob is truncated, an offset or count points outside the
/// data store, a tag has an unexpected type, or `NAME`/`VERSION`/`RELEASE` is missing.
pub fn parse_header(blob: &[u8]) -> Result<RpmPackage, RpmdbError> {
    let h = Header::parse(blob)?;
    let name = h
        .string(tag::NAME)?
        .ok_or(malformed("header has no NAME"))?;
    let version = h
        .string(tag::VERSION)?
        .ok_or(malformed("header has no VERSION"))?;
    let release = h
        .string(tag::RELEASE)?
        .ok_or(malformed("header has no RELEASE"))?;
    Ok(RpmPackage {
        name,
        epoch: h.int32(tag::EPOCH)?,
        version,
        release,
        arch: present(h.string(tag::ARCH)?),
        source_rpm: present(h.string(tag::SOURCERPM)?),
        license: present(h.string(tag::LICENSE)?),
        vendor: present(h.string(tag::VENDOR)?),
        files: files(&h)?,
    })
}

/// rpm stores the literal `(none)` for some absent values (the `SOURCERPM` of `gpg-pubkey`
/// pseudo-packages), the same text it prints for a missing tag: both mean "absent".
fn present(value: Option<String>) -> Option<String> {
    value.filter(|v| v != "(none)")
}

/// File paths: `DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]`, or `OLDFILENAMES` in headers from
/// before rpm 4.0's compressed file lists.
fn files(h: &Header<'_>) -> Result<Vec<String>, RpmdbError> {
    let basenames = h.strings(tag::BASENAMES)?;
    if basenames.is_empty() {
        return h.strings(tag::OLDFILENAMES);
    }
    let dirnames = h.strings(tag::DIRNAMES)?;
    let dirindexes = h.int32s(tag::DIRINDEXES)?;
    if dirindexes.len() != basenames.len() {
        return Err(malformed(
            "header BASENAMES and DIRINDEXES differ in length",
        ));
    }
    // One long dirname shared by many one-byte basenames would make the paths quadratic in
    // the blob's size; real packages spell out far less than this.
    let mut budget = h.data.len().saturating_mul(PATH_BYTES_PER_DATA_BYTE);
    let mut out = Vec::with_capacity(basenames.len());
    for (base, &i) in basenames.iter().zip(&dirindexes) {
        let dir = dirnames
            .get(i as usize)
            .ok_or(malformed("header DIRINDEXES entry outside DIRNAMES"))?;
        let len = dir.len() + base.len();
        budget = budget
            .checked_sub(len)
            .ok_or(malformed("header file paths exceed the size limit"))?;
        let mut path = String::with_capacity(len);
        path.push_str(dir);
        path.push_str(base);
        out.push(path);
    }
    Ok(out)
}
