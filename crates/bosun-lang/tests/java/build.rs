//! Building archives in tests: with the zip crate's writer, and by hand where the writer
//! cannot lie (a declared size that is not the real one, a pre-compressed bomb stream).

use std::io::{Cursor, Write};

use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

/// How an entry is written.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Method {
    Stored,
    Deflated,
}

/// A zip archive of the given entries, in order.
pub(crate) fn zip(entries: &[(&str, &[u8])], method: Method) -> Vec<u8> {
    let method = match method {
        Method::Stored => CompressionMethod::Stored,
        Method::Deflated => CompressionMethod::Deflated,
    };
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, body) in entries {
        let options = SimpleFileOptions::default().compression_method(method);
        w.start_file(*name, options).unwrap();
        w.write_all(body).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A `pom.properties` as Maven writes it.
pub(crate) fn pom(group: &str, artifact: &str, version: &str) -> Vec<u8> {
    format!(
        "#Created by Apache Maven 3.9.6\nversion={version}\ngroupId={group}\nartifactId={artifact}\n"
    )
    .into_bytes()
}

/// A raw deflate stream inflating to `mib` MiB of zeros, about 1 KiB per MiB: one
/// sync-flushed block of a MiB of zeros repeated (its back-references only reach zeros, so
/// each copy is valid after the previous one), then an empty final block. Built without ever
/// holding the inflated bytes.
pub(crate) fn zeros_deflate(mib: usize) -> Vec<u8> {
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let input = vec![0u8; 1 << 20];
    let mut block = Vec::with_capacity(64 << 10);
    c.compress_vec(&input, &mut block, flate2::FlushCompress::Sync)
        .unwrap();
    assert_eq!(c.total_in(), 1 << 20, "the block holds the whole MiB");
    let mut out = Vec::with_capacity(block.len() * mib + 2);
    for _ in 0..mib {
        out.extend_from_slice(&block);
    }
    // BFINAL=1, BTYPE=01 (fixed Huffman), end-of-block: the bits 1,1,0 then seven zeros.
    out.extend_from_slice(&[0x03, 0x00]);
    out
}

/// A one-entry zip written by hand, with `data` as the entry's (already compressed) bytes and
/// whatever `declared` uncompressed size and `crc` the caller wants.
pub(crate) fn raw_zip(name: &str, deflated: bool, data: &[u8], declared: u32, crc: u32) -> Vec<u8> {
    let method: u16 = if deflated { 8 } else { 0 };
    let name = name.as_bytes();
    let name_len = u16::try_from(name.len()).unwrap();
    let compressed = u32::try_from(data.len()).unwrap();
    let mut z = Vec::with_capacity(data.len() + 2 * name.len() + 128);
    // Local file header.
    z.extend_from_slice(b"PK\x03\x04");
    z.extend_from_slice(&20u16.to_le_bytes()); // version needed
    z.extend_from_slice(&0u16.to_le_bytes()); // flags
    z.extend_from_slice(&method.to_le_bytes());
    z.extend_from_slice(&0u32.to_le_bytes()); // time, date
    z.extend_from_slice(&crc.to_le_bytes());
    z.extend_from_slice(&compressed.to_le_bytes());
    z.extend_from_slice(&declared.to_le_bytes());
    z.extend_from_slice(&name_len.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes()); // extra length
    z.extend_from_slice(name);
    z.extend_from_slice(data);
    let cd_start = u32::try_from(z.len()).unwrap();
    // Central directory header.
    z.extend_from_slice(b"PK\x01\x02");
    z.extend_from_slice(&20u16.to_le_bytes()); // version made by
    z.extend_from_slice(&20u16.to_le_bytes()); // version needed
    z.extend_from_slice(&0u16.to_le_bytes()); // flags
    z.extend_from_slice(&method.to_le_bytes());
    z.extend_from_slice(&0u32.to_le_bytes()); // time, date
    z.extend_from_slice(&crc.to_le_bytes());
    z.extend_from_slice(&compressed.to_le_bytes());
    z.extend_from_slice(&declared.to_le_bytes());
    z.extend_from_slice(&name_len.to_le_bytes());
    z.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
    z.extend_from_slice(&0u32.to_le_bytes()); // external attributes
    z.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    z.extend_from_slice(name);
    let cd_size = u32::try_from(z.len()).unwrap() - cd_start;
    // End of central directory.
    z.extend_from_slice(b"PK\x05\x06");
    z.extend_from_slice(&[0; 4]); // disk numbers
    z.extend_from_slice(&1u16.to_le_bytes());
    z.extend_from_slice(&1u16.to_le_bytes());
    z.extend_from_slice(&cd_size.to_le_bytes());
    z.extend_from_slice(&cd_start.to_le_bytes());
    z.extend_from_slice(&0u16.to_le_bytes()); // comment length
    z
}

/// `levels` stored archives each holding the next as `n.jar`, around `inner`, written in one
/// pass (linear in `levels`, where wrapping one archive in the next is quadratic): all the
/// local headers, `inner`, then every level's central directory and end record, innermost
/// first. Only the outermost `checked` levels get real CRCs (computed innermost first, as an
/// outer CRC covers the inner headers); deeper ones are never read in full by a reader that
/// stops at its depth limit.
pub(crate) fn deep_chain(levels: usize, inner: &[u8], checked: usize) -> Vec<u8> {
    const NAME: &[u8] = b"n.jar";
    const LH: usize = 30 + NAME.len();
    const TAIL: usize = 46 + NAME.len() + 22;
    let total = inner.len() + levels * (LH + TAIL);
    let mut z = Vec::with_capacity(total);
    // Level k (0 = outermost) starts at k * LH and ends TAIL * k bytes before the end; its
    // entry's data is level k + 1.
    let size_of = |k: usize| total - k * (LH + TAIL);
    for k in 0..levels {
        let data = u32::try_from(size_of(k + 1)).unwrap();
        z.extend_from_slice(b"PK\x03\x04");
        z.extend_from_slice(&[20, 0, 0, 0, 0, 0]); // version, flags, method stored
        z.extend_from_slice(&[0; 4]); // time, date
        z.extend_from_slice(&0u32.to_le_bytes()); // crc, patched below
        z.extend_from_slice(&data.to_le_bytes());
        z.extend_from_slice(&data.to_le_bytes());
        z.extend_from_slice(&u16::try_from(NAME.len()).unwrap().to_le_bytes());
        z.extend_from_slice(&[0, 0]);
        z.extend_from_slice(NAME);
    }
    z.extend_from_slice(inner);
    for k in (0..levels).rev() {
        let data = u32::try_from(size_of(k + 1)).unwrap();
        let cd_start = u32::try_from(LH + size_of(k + 1)).unwrap();
        z.extend_from_slice(b"PK\x01\x02");
        z.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0]); // made by, needed, flags, stored
        z.extend_from_slice(&[0; 4]); // time, date
        z.extend_from_slice(&0u32.to_le_bytes()); // crc, patched below
        z.extend_from_slice(&data.to_le_bytes());
        z.extend_from_slice(&data.to_le_bytes());
        z.extend_from_slice(&u16::try_from(NAME.len()).unwrap().to_le_bytes());
        z.extend_from_slice(&[0; 8]);
        z.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        z.extend_from_slice(&0u32.to_le_bytes()); // local header at the level's start
        z.extend_from_slice(NAME);
        z.extend_from_slice(b"PK\x05\x06");
        z.extend_from_slice(&[0; 4]);
        z.extend_from_slice(&1u16.to_le_bytes());
        z.extend_from_slice(&1u16.to_le_bytes());
        z.extend_from_slice(&u32::try_from(46 + NAME.len()).unwrap().to_le_bytes());
        z.extend_from_slice(&cd_start.to_le_bytes());
        z.extend_from_slice(&[0, 0]);
    }
    assert_eq!(z.len(), total);
    for k in (0..checked.min(levels)).rev() {
        let start = (k + 1) * LH;
        let mut crc = flate2::Crc::new();
        crc.update(&z[start..start + size_of(k + 1)]);
        let sum = crc.sum().to_le_bytes();
        let lh_crc = k * LH + 14;
        z[lh_crc..lh_crc + 4].copy_from_slice(&sum);
        let cd = total - (k + 1) * TAIL;
        z[cd + 16..cd + 20].copy_from_slice(&sum);
    }
    z
}
