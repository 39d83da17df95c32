//! NDB `Packages.db` (SUSE), as rpm's `lib/backend/ndb/rpmpkg.c` writes it.
//!
//! All integers little-endian. The file is a sequence of 16-byte blocks:
//!
//! ```text
//! page 0..slotnpages (4096 bytes each): slot table
//!   bytes 0..32 of page 0: header  "RpmP", version 0, generation, slotnpages, nextpkgidx, ...
//!   then 16-byte slots             "Slot", pkgidx (0 = free), blkoff, blkcnt
//! blobs at blkoff × 16, blkcnt blocks each:
//!   head  "BlbS", pkgidx, generation, bloblen
//!   bloblen bytes of rpm header, zero padding
//!   tail  adler32(head + blob + padding), bloblen, "BlbE"   (last 12 bytes of the blocks)
//! ```
//!
//! Every check rpm makes when it reads a blob is made here too, checksum included, so a
//! flipped byte anywhere in a package's blob is an error rather than a wrong package.

use crate::{RpmPackage, RpmdbError, header};

const MAGIC: &[u8; 4] = b"RpmP";
const SLOT_MAGIC: &[u8; 4] = b"Slot";
const BLOB_HEAD_MAGIC: &[u8; 4] = b"BlbS";
const BLOB_TAIL_MAGIC: &[u8; 4] = b"BlbE";
const VERSION: u32 = 0;
const PAGE_SIZE: usize = 4096;
const SLOT_SIZE: usize = 16;
const BLK_SIZE: usize = 16;
const HEADER_SIZE: usize = 32;
const BLOB_HEAD_SIZE: usize = 16;
const BLOB_TAIL_SIZE: usize = 12;

fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn bad(what: &'static str) -> RpmdbError {
    RpmdbError::Ndb(what)
}

pub(crate) fn is_ndb(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC) && le_u32(bytes, 4) == Some(VERSION)
}

/// RFC 1950 Adler-32, as rpm checksums blobs with.
fn adler32(bytes: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 is the largest run for which `b` cannot overflow before the modulo.
    for chunk in bytes.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

pub(crate) fn read(bytes: &[u8]) -> Result<Vec<RpmPackage>, RpmdbError> {
    if !is_ndb(bytes) {
        return Err(bad("bad magic or version"));
    }
    let slot_pages = le_u32(bytes, 12).ok_or(bad("truncated header"))? as usize;
    if slot_pages == 0 {
        return Err(bad("no slot pages"));
    }
    // The slot table must lie inside the file; that also bounds the loop below.
    let slot_end = slot_pages
        .checked_mul(PAGE_SIZE)
        .ok_or(bad("slot page count overflows"))?;
    let slots = bytes
        .get(HEADER_SIZE..slot_end)
        .ok_or(bad("slot pages run past the end of the file"))?;
    let min_blkoff = slot_end / BLK_SIZE;
    let file_blks = bytes.len() / BLK_SIZE;

    // Slots may not share a blob: the blobs together fit in the file, whatever the slots say.
    let mut budget = bytes.len();
    let mut packages = Vec::new();
    for slot in slots.chunks_exact(SLOT_SIZE) {
        if slot.get(..4) != Some(SLOT_MAGIC.as_slice()) {
            return Err(bad("bad slot magic"));
        }
        let word = |i| le_u32(slot, i).unwrap_or(0);
        let (pkgidx, blkoff, blkcnt) = (word(4), word(8) as usize, word(12) as usize);
        if pkgidx == 0 {
            continue;
        }
        let blob = read_blob(bytes, pkgidx, blkoff, blkcnt, min_blkoff, file_blks)
            .map_err(|e| e.in_package("ndb", pkgidx.into()))?;
        budget = budget
            .checked_sub(blob.len())
            .ok_or(bad("blobs add up to more than the file"))?;
        let pkg = header::parse_header(blob).map_err(|e| e.in_package("ndb", pkgidx.into()))?;
        packages.push(pkg);
    }
    Ok(packages)
}

/// The header bytes of one package's blob, after rpm's checks (`rpmpkgReadBlob`).
fn read_blob(
    bytes: &[u8],
    pkgidx: u32,
    blkoff: usize,
    blkcnt: usize,
    min_blkoff: usize,
    file_blks: usize,
) -> Result<&[u8], RpmdbError> {
    if blkoff < min_blkoff {
        return Err(bad("blob inside the slot pages"));
    }
    let end_blk = blkoff
        .checked_add(blkcnt)
        .filter(|&end| end <= file_blks)
        .ok_or(bad("blob runs past the end of the file"))?;
    let blocks = bytes
        .get(blkoff * BLK_SIZE..end_blk * BLK_SIZE)
        .ok_or(bad("blob runs past the end of the file"))?;
    if blocks.get(..4) != Some(BLOB_HEAD_MAGIC.as_slice()) {
        return Err(bad("bad blob head magic"));
    }
    if le_u32(blocks, 4) != Some(pkgidx) {
        return Err(bad("blob belongs to another package"));
    }
    let bloblen = le_u32(blocks, 12).ok_or(bad("truncated blob head"))? as usize;
    let expected_blks = bloblen
        .checked_add(BLOB_HEAD_SIZE + BLOB_TAIL_SIZE)
        .map(|n| n.div_ceil(BLK_SIZE));
    if Some(blkcnt) != expected_blks {
        return Err(bad("blob block count disagrees with its length"));
    }
    let (body, tail) = blocks
        .len()
        .checked_sub(BLOB_TAIL_SIZE)
        .and_then(|at| blocks.split_at_checked(at))
        .ok_or(bad("truncated blob"))?;
    if le_u32(tail, 4) != Some(bloblen as u32) || tail.get(8..12) != Some(BLOB_TAIL_MAGIC) {
        return Err(bad("bad blob tail"));
    }
    if le_u32(tail, 0) != Some(adler32(body)) {
        return Err(bad("blob checksum mismatch"));
    }
    body.get(BLOB_HEAD_SIZE..)
        .and_then(|b| b.get(..bloblen))
        .ok_or(bad("truncated blob"))
}

#[cfg(test)]
mod tests {
    use super::adler32;

    #[test]
    fn adler32_matches_rfc1950_example() {
        // The checksum of "Wikipedia" given in RFC 1950's usual worked example.
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
        assert_eq!(adler32(&[]), 1);
        // Long input exercises the deferred modulo.
        assert_eq!(adler32(&[0xff; 100_000]), adler32_naive(&[0xff; 100_000]));
    }

    fn adler32_naive(bytes: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for &x in bytes {
            a = (a + u32::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }
}
