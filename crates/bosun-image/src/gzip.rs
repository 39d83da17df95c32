//! gzip members read as raw deflate streams, without the CRC-32.
//!
//! Every layer is verified by SHA-256 (blob digest and diff_id), which makes gzip's own CRC-32
//! redundant; skipping it saves about a tenth of the time spent on a gzip layer. The header is
//! still parsed strictly and each member's length (`ISIZE`) checked, so a damaged stream is
//! still an error here and not only at the digest check. Concatenated members are read in
//! turn, as `gzip -d` does.

use std::io::{self, BufRead, Read};

use flate2::bufread::DeflateDecoder;

const FTEXT_RESERVED: u8 = 0b1110_0000;
const FHCRC: u8 = 0b0000_0010;
const FEXTRA: u8 = 0b0000_0100;
const FNAME: u8 = 0b0000_1000;
const FCOMMENT: u8 = 0b0001_0000;
/// Longest file name or comment accepted in a member header.
const MAX_HEADER_STRING: usize = 64 << 10;

/// Inflates one or more gzip members from a buffered reader.
pub(crate) struct GzipReader<R: BufRead> {
    /// `None` between members and after the end.
    member: Option<DeflateDecoder<R>>,
    /// The reader between members.
    idle: Option<R>,
    /// Bytes inflated from the current member, for the `ISIZE` check.
    out: u32,
}

impl<R: BufRead> GzipReader<R> {
    /// Starts reading; the first member's header must be valid.
    pub(crate) fn new(mut r: R) -> io::Result<Self> {
        read_header(&mut r)?;
        Ok(GzipReader {
            member: Some(DeflateDecoder::new(r)),
            idle: None,
            out: 0,
        })
    }

    /// The underlying reader, positioned after what was inflated (`None` only if a failed
    /// trailer read lost it, which the caller has already seen as an error).
    pub(crate) fn into_inner(self) -> Option<R> {
        match (self.member, self.idle) {
            (Some(d), _) => Some(d.into_inner()),
            (None, idle) => idle,
        }
    }

    /// Finishes the current member (trailer check) and starts the next one, if any.
    /// Returns false at the end of the stream.
    fn next_member(&mut self) -> io::Result<bool> {
        let Some(decoder) = self.member.take() else {
            return Ok(false);
        };
        let mut r = decoder.into_inner();
        let mut trailer = [0u8; 8];
        if r.read_exact(&mut trailer).is_err() {
            self.idle = Some(r);
            return Err(bad("gzip trailer is truncated"));
        }
        let isize = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
        if isize != self.out {
            self.idle = Some(r);
            return Err(bad("gzip member length does not match its trailer"));
        }
        self.out = 0;
        let more = r.fill_buf()?.starts_with(&[0x1f, 0x8b]);
        if more {
            let header = read_header(&mut r);
            if let Err(e) = header {
                self.idle = Some(r);
                return Err(e);
            }
            self.member = Some(DeflateDecoder::new(r));
        } else {
            // Whatever follows (zero padding, say) is not inflated but still hashed.
            self.idle = Some(r);
        }
        Ok(more)
    }
}

impl<R: BufRead> Read for GzipReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(d) = &mut self.member else {
                return Ok(0);
            };
            let n = d.read(buf)?;
            if n > 0 || buf.is_empty() {
                // ISIZE is the length modulo 2^32.
                #[allow(clippy::cast_possible_truncation)]
                {
                    self.out = self.out.wrapping_add(n as u32);
                }
                return Ok(n);
            }
            if !self.next_member()? {
                return Ok(0);
            }
        }
    }
}

fn bad(msg: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

fn read_u8<R: BufRead>(r: &mut R) -> io::Result<u8> {
    let mut b = [0u8; 1];
    r.read_exact(&mut b)
        .map_err(|_| bad("gzip header is truncated"))?;
    Ok(b[0])
}

fn skip_zero_terminated<R: BufRead>(r: &mut R) -> io::Result<()> {
    for _ in 0..MAX_HEADER_STRING {
        if read_u8(r)? == 0 {
            return Ok(());
        }
    }
    Err(bad("gzip header string is too long"))
}

/// Parses one member header (RFC 1952, section 2.3).
fn read_header<R: BufRead>(r: &mut R) -> io::Result<()> {
    let mut fixed = [0u8; 10];
    r.read_exact(&mut fixed)
        .map_err(|_| bad("gzip header is truncated"))?;
    if fixed[0] != 0x1f || fixed[1] != 0x8b {
        return Err(bad("not a gzip stream"));
    }
    if fixed[2] != 8 {
        return Err(bad("gzip compression method is not deflate"));
    }
    let flags = fixed[3];
    if flags & FTEXT_RESERVED != 0 {
        return Err(bad("gzip header has reserved flags set"));
    }
    if flags & FEXTRA != 0 {
        let len = u16::from_le_bytes([read_u8(r)?, read_u8(r)?]);
        let skipped = io::copy(&mut r.take(u64::from(len)), &mut io::sink())?;
        if skipped != u64::from(len) {
            return Err(bad("gzip header is truncated"));
        }
    }
    if flags & FNAME != 0 {
        skip_zero_terminated(r)?;
    }
    if flags & FCOMMENT != 0 {
        skip_zero_terminated(r)?;
    }
    if flags & FHCRC != 0 {
        read_u8(r)?;
        read_u8(r)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, GzBuilder, write::GzEncoder};
    use proptest::prelude::*;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn inflate(blob: &[u8]) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        GzipReader::new(blob)?.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn header_fields_and_concatenated_members_are_read() {
        let mut named = GzBuilder::new()
            .filename("layer.tar")
            .comment("c")
            .extra(vec![1, 2, 3])
            .write(Vec::new(), Compression::best());
        named.write_all(b"hello ").unwrap();
        let mut blob = named.finish().unwrap();
        blob.extend(gz(b"world"));
        assert_eq!(inflate(&blob).unwrap(), b"hello world");
    }

    #[test]
    fn damaged_streams_are_errors() {
        let blob = gz(&[7u8; 100_000]);
        assert!(
            inflate(&blob[..blob.len() - 4]).is_err(),
            "truncated trailer"
        );
        let mut wrong_len = blob.clone();
        let n = wrong_len.len();
        wrong_len[n - 1] ^= 1;
        assert!(inflate(&wrong_len).is_err(), "ISIZE mismatch");
        assert!(inflate(&blob[..5]).is_err(), "truncated header");
        let mut method = blob;
        method[2] = 7;
        assert!(inflate(&method).is_err(), "unknown method");
    }

    proptest! {
        #[test]
        fn inflates_like_flate2_and_never_panics(
            data in proptest::collection::vec(any::<u8>(), 0..20_000),
            cut in any::<proptest::sample::Index>(),
            flip in any::<proptest::sample::Index>(),
        ) {
            let blob = gz(&data);
            prop_assert_eq!(inflate(&blob).unwrap(), data);
            let _ = inflate(&blob[..cut.index(blob.len())]);
            let mut damaged = blob.clone();
            let i = flip.index(damaged.len());
            damaged[i] ^= 0x55;
            let _ = inflate(&damaged);
        }
    }
}
