//! BerkeleyDB hash `Packages` (rpm < 4.16: EL <= 8, Amazon Linux 2, old SUSE).
//!
//! Only what rpm's database uses is read: a hash access method file whose records are
//! `(header instance: u32) -> (header blob)`. Page layout, from libdb's `dbinc/db_page.h`
//! (integers in the byte order of the machine that wrote the file; the metadata magic tells
//! which):
//!
//! ```text
//! page 0, hash metadata: magic 0x061561 at 12, pagesize at 20, encrypt_alg at 24,
//!                        type 8 at 25, metaflags at 26, last_pgno at 32
//! every other page:      pgno at 8, next_pgno at 16, entries (u16) at 20,
//!                        hf_offset (u16) at 22, type at 25, then at 26 the index:
//!                        `entries` u16 offsets of items inside the page
//! hash page (type 13, or 2 "unsorted" from EL5): items alternate key, value; an item
//!                        starts with its type byte: 1 inline data (runs to the previous
//!                        item's start), 3 off-page (pgno at +4, total length at +8)
//! overflow page (type 7): hf_offset bytes of the value at 26, continued on next_pgno
//! ```
//!
//! Every hash page is visited in file order (as go-rpmdb does), so bucket chains need not be
//! followed. Overflow chains are followed with a step limit and the bytes they yield are
//! counted against the file's size, so neither a loop nor many records sharing one chain can
//! make the reader spin or allocate without bound.

use crate::{RpmPackage, RpmdbError, header};

const HASH_MAGIC: u32 = 0x0006_1561;
const PAGE_HEADER: usize = 26;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;
const HOFFPAGE_LEN: usize = 12;
/// `DBMETA_CHKSUM`: pages carry a checksum, which moves the item index.
const DBMETA_CHKSUM: u8 = 0x01;

fn bad(what: &'static str) -> RpmdbError {
    RpmdbError::BerkeleyDb(what)
}

/// Byte order of the file, from its metadata magic.
#[derive(Clone, Copy)]
enum Order {
    Little,
    Big,
}

impl Order {
    fn u32(self, bytes: &[u8], at: usize) -> Option<u32> {
        let b: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(match self {
            Order::Little => u32::from_le_bytes(b),
            Order::Big => u32::from_be_bytes(b),
        })
    }

    fn u16(self, bytes: &[u8], at: usize) -> Option<u16> {
        let b: [u8; 2] = bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(match self {
            Order::Little => u16::from_le_bytes(b),
            Order::Big => u16::from_be_bytes(b),
        })
    }
}

fn order_of(bytes: &[u8]) -> Option<Order> {
    [Order::Little, Order::Big]
        .into_iter()
        .find(|o| o.u32(bytes, 12) == Some(HASH_MAGIC))
}

pub(crate) fn is_bdb(bytes: &[u8]) -> bool {
    order_of(bytes).is_some() && bytes.get(25) == Some(&P_HASHMETA)
}

/// The file cut into pages, with the byte order to read them in.
struct Db<'a> {
    order: Order,
    page_size: usize,
    pages: Vec<&'a [u8]>,
}

impl<'a> Db<'a> {
    fn open(bytes: &'a [u8]) -> Result<Self, RpmdbError> {
        let order = order_of(bytes).ok_or(bad("bad magic (not a hash database)"))?;
        if bytes.get(25) != Some(&P_HASHMETA) {
            return Err(bad("first page is not hash metadata"));
        }
        if bytes.get(24) != Some(&0) {
            return Err(bad("encrypted databases are not supported"));
        }
        if bytes.get(26).is_some_and(|f| f & DBMETA_CHKSUM != 0) {
            return Err(bad("page checksums are not supported"));
        }
        let page_size = order.u32(bytes, 20).ok_or(bad("truncated metadata"))? as usize;
        if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
            return Err(bad("invalid page size"));
        }
        let last_pgno = order.u32(bytes, 32).ok_or(bad("truncated metadata"))? as usize;
        let page_count = last_pgno
            .checked_add(1)
            .ok_or(bad("invalid last page number"))?;
        // Checked before the page table is allocated: its size is bounded by the file's.
        if page_count > bytes.len() / page_size {
            return Err(bad("file is shorter than its last page"));
        }
        let pages = bytes.chunks_exact(page_size).take(page_count).collect();
        Ok(Self {
            order,
            page_size,
            pages,
        })
    }

    fn page(&self, pgno: u32) -> Result<&'a [u8], RpmdbError> {
        // Page 0 is the metadata, never part of a value.
        if pgno == 0 {
            return Err(bad("page number 0 in a chain"));
        }
        self.pages
            .get(pgno as usize)
            .copied()
            .ok_or(bad("page number past the last page"))
    }

    /// The `i`th item offset of a page's index, checked to lie past the index, in the page.
    fn item_offset(&self, page: &[u8], entries: usize, i: usize) -> Result<usize, RpmdbError> {
        let at = PAGE_HEADER + 2 * i;
        let off = self
            .order
            .u16(page, at)
            .ok_or(bad("truncated item index"))? as usize;
        if off < PAGE_HEADER + 2 * entries || off >= self.page_size {
            return Err(bad("item offset outside the page"));
        }
        Ok(off)
    }

    /// The bytes of inline item `i`: after its type byte, up to where item `i - 1` starts
    /// (items are packed downward from the page's end).
    fn inline_item(
        &self,
        page: &'a [u8],
        entries: usize,
        i: usize,
    ) -> Result<&'a [u8], RpmdbError> {
        let start = self.item_offset(page, entries, i)?;
        let end = match i.checked_sub(1) {
            None => self.page_size,
            Some(prev) => self.item_offset(page, entries, prev)?,
        };
        page.get(start + 1..end)
            .ok_or(bad("inline item overlaps its neighbour"))
    }

    /// The value an off-page item points to, gathered from its overflow chain. `budget` is
    /// what is left of the file's size for all values together.
    fn overflow(&self, item: &[u8], budget: &mut usize) -> Result<Vec<u8>, RpmdbError> {
        let mut pgno = self
            .order
            .u32(item, 4)
            .ok_or(bad("truncated off-page item"))?;
        let total = self
            .order
            .u32(item, 8)
            .ok_or(bad("truncated off-page item"))? as usize;
        *budget = budget
            .checked_sub(total)
            .ok_or(bad("off-page values add up to more than the file"))?;
        let mut value = Vec::with_capacity(total);
        // A chain never visits a page twice, so it is at most as long as the file.
        for _ in 0..self.pages.len() {
            let page = self.page(pgno)?;
            if page.get(25) != Some(&P_OVERFLOW) {
                return Err(bad("off-page item points to a non-overflow page"));
            }
            let len = self
                .order
                .u16(page, 22)
                .ok_or(bad("truncated overflow page"))? as usize;
            let chunk = page
                .get(PAGE_HEADER..PAGE_HEADER + len)
                .ok_or(bad("overflow page length past the page"))?;
            if value.len() + chunk.len() > total {
                return Err(bad("overflow chain longer than its item says"));
            }
            value.extend_from_slice(chunk);
            pgno = self
                .order
                .u32(page, 16)
                .ok_or(bad("truncated overflow page"))?;
            if pgno == 0 {
                if value.len() != total {
                    return Err(bad("overflow chain shorter than its item says"));
                }
                return Ok(value);
            }
        }
        Err(bad("overflow chain loops"))
    }
}

pub(crate) fn read(bytes: &[u8]) -> Result<Vec<RpmPackage>, RpmdbError> {
    let db = Db::open(bytes)?;
    let mut budget = bytes.len();
    let mut packages = Vec::new();
    for (pgno, &page) in db.pages.iter().enumerate().skip(1) {
        let kind = page.get(25).copied().unwrap_or(0);
        if kind != P_HASH && kind != P_HASH_UNSORTED {
            continue;
        }
        let entries = db.order.u16(page, 20).ok_or(bad("truncated page"))? as usize;
        if !entries.is_multiple_of(2) {
            return Err(bad("hash page with an odd number of items"));
        }
        if PAGE_HEADER + 2 * entries > db.page_size {
            return Err(bad("hash page index past the page"));
        }
        for pair in 0..entries / 2 {
            let (k, v) = (2 * pair, 2 * pair + 1);
            let key_off = db.item_offset(page, entries, k)?;
            let val_off = db.item_offset(page, entries, v)?;
            let record = pgno as u64;
            let value = match page.get(val_off).copied() {
                Some(H_OFFPAGE) => {
                    let item = page
                        .get(val_off..val_off + HOFFPAGE_LEN)
                        .ok_or(bad("truncated off-page item"))?;
                    std::borrow::Cow::Owned(
                        db.overflow(item, &mut budget)
                            .map_err(|e| e.in_package("berkeleydb", record))?,
                    )
                }
                Some(H_KEYDATA) => {
                    // Key 0 is rpm's own counter record, not a package.
                    if page.get(key_off) == Some(&H_KEYDATA)
                        && db.inline_item(page, entries, k)?.iter().all(|&b| b == 0)
                    {
                        continue;
                    }
                    let item = db.inline_item(page, entries, v)?;
                    budget = budget
                        .checked_sub(item.len())
                        .ok_or(bad("values add up to more than the file"))?;
                    std::borrow::Cow::Borrowed(item)
                }
                _ => return Err(bad("unsupported hash item type (duplicates)")),
            };
            let pkg =
                header::parse_header(&value).map_err(|e| e.in_package("berkeleydb", record))?;
            packages.push(pkg);
        }
    }
    Ok(packages)
}
