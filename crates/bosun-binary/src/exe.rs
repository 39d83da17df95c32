//! A parsed executable (ELF, PE, thin Mach-O) through the `object` crate, and the few reads the
//! readers need: a section by name, the bytes at a virtual address.

use object::{Object, ObjectSection, ObjectSegment};

use crate::BinaryError;

/// The container format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Elf,
    Pe,
    MachO,
}

/// A parsed executable over borrowed bytes.
pub(crate) struct Exe<'a> {
    pub(crate) file: object::File<'a>,
    pub(crate) format: Format,
}

/// The format from the magic, before any parsing.
fn sniff(bytes: &[u8]) -> Option<Format> {
    let magic = bytes.get(..4)?;
    match magic {
        [0x7f, b'E', b'L', b'F'] => Some(Format::Elf),
        [b'M', b'Z', ..] => Some(Format::Pe),
        [0xfe, 0xed, 0xfa, 0xce | 0xcf] | [0xce | 0xcf, 0xfa, 0xed, 0xfe] => Some(Format::MachO),
        _ => None,
    }
}

/// Whether the bytes start with the magic of a format read here.
pub(crate) fn is_executable(bytes: &[u8]) -> bool {
    sniff(bytes).is_some()
}

impl<'a> Exe<'a> {
    /// `Ok(None)` when the bytes are not an executable of a known format.
    pub(crate) fn parse(bytes: &'a [u8]) -> Result<Option<Self>, BinaryError> {
        let Some(format) = sniff(bytes) else {
            return Ok(None);
        };
        match object::File::parse(bytes) {
            Ok(file) => Ok(Some(Self { file, format })),
            // `MZ` starts many things that are not PE files (DOS stubs, data): not an error.
            Err(_) if format == Format::Pe => Ok(None),
            Err(e) => Err(BinaryError::Object(e.to_string())),
        }
    }

    /// The data of the first section with that name, with its virtual address.
    pub(crate) fn section(&self, name: &str) -> Option<(u64, &'a [u8])> {
        let s = self.file.section_by_name(name)?;
        let data = s.data().ok()?;
        Some((s.address(), data))
    }

    /// The file-backed bytes from virtual address `addr` to the end of the segment (or, for
    /// files without segments, the section) that holds it.
    pub(crate) fn tail_at(&self, addr: u64) -> Option<&'a [u8]> {
        for seg in self.file.segments() {
            let start = seg.address();
            let Some(off) = addr.checked_sub(start) else {
                continue;
            };
            if off >= seg.size() {
                continue;
            }
            let Ok(data) = seg.data() else { continue };
            let off = usize::try_from(off).ok()?;
            return data.get(off..);
        }
        for sec in self.file.sections() {
            let start = sec.address();
            let Some(off) = addr.checked_sub(start) else {
                continue;
            };
            if off >= sec.size() {
                continue;
            }
            let Ok(data) = sec.data() else { continue };
            let off = usize::try_from(off).ok()?;
            return data.get(off..);
        }
        None
    }

    /// Exactly `len` bytes at virtual address `addr`, if the file holds them.
    pub(crate) fn read_at(&self, addr: u64, len: usize) -> Option<&'a [u8]> {
        self.tail_at(addr)?.get(..len)
    }

    /// Where Go's linker puts the build info when there is no dedicated section: the first
    /// writable, non-executable ELF load segment, or the first Mach-O segment mapped
    /// read-write (as `debug/buildinfo` looks); its address and bytes.
    pub(crate) fn first_data_segment(&self) -> Option<(u64, &'a [u8])> {
        const PF_X: u32 = 1;
        const PF_W: u32 = 2;
        const VM_RW: u32 = 3;
        self.file.segments().find_map(|seg| {
            let fits = match seg.flags() {
                object::SegmentFlags::Elf { p_flags, .. } => p_flags.0 & (PF_X | PF_W) == PF_W,
                object::SegmentFlags::MachO {
                    maxprot, initprot, ..
                } => seg.address() != 0 && maxprot.0 == VM_RW && initprot.0 == VM_RW,
                _ => false,
            };
            let data = seg.data().ok().filter(|d| !d.is_empty())?;
            fits.then_some((seg.address(), data))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniff_knows_the_three_magics_and_nothing_else() {
        assert_eq!(sniff(b"\x7fELF\x02\x01"), Some(Format::Elf));
        assert_eq!(sniff(b"MZ\x90\x00"), Some(Format::Pe));
        assert_eq!(sniff(&[0xcf, 0xfa, 0xed, 0xfe]), Some(Format::MachO));
        assert_eq!(sniff(&[0xfe, 0xed, 0xfa, 0xce]), Some(Format::MachO));
        assert_eq!(sniff(b"#!/bin/sh"), None);
        assert_eq!(sniff(&[0xca, 0xfe, 0xba, 0xbe]), None); // fat Mach-O or a Java class
        assert_eq!(sniff(b"\x7fEL"), None);
    }
}
