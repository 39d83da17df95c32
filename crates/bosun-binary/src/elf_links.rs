//! The dynamic link graph of an image's ELF files: which shared libraries its executables
//! load, and so which packages ship code no executable loads.
//!
//! Three pieces, all over data the caller already holds (nothing touches the disk):
//!
//! - [`elf_links`]: one ELF file's dynamic section: `DT_SONAME`, `DT_NEEDED`, `DT_RPATH`,
//!   `DT_RUNPATH`, the `PT_INTERP` interpreter, and whether the file is an executable or a
//!   shared library.
//! - [`parse_ld_so_cache`]: glibc's `/etc/ld.so.cache`, both formats; [`parse_ld_so_conf`]:
//!   the directories an `ld.so.conf` file lists.
//! - [`resolve`]: from every executable of the final filesystem, the libraries the dynamic
//!   loader would map, followed transitively, with symlinks resolved inside the root; then
//!   [`LinkResolution::package_state`] says whether a package's code is loaded.
//!
//! # Search order
//!
//! For each `DT_NEEDED` name of an object, as glibc's `_dl_map_object` does:
//!
//! 1. a name holding a `/` is a path, taken as is (relative to `/`) after `$ORIGIN`
//!    expansion;
//! 2. when the object has no `DT_RUNPATH`: its `DT_RPATH`, then the executable's `DT_RPATH`
//!    (when the executable has no `DT_RUNPATH` either);
//! 3. `LD_LIBRARY_PATH` ([`SearchConfig::ld_library_path`], e.g. from the image config's
//!    `Env`; empty unless the caller passes it);
//! 4. the object's `DT_RUNPATH`;
//! 5. `/etc/ld.so.cache` entries with that name ([`SearchConfig::ld_cache`]), in cache order;
//! 6. the directories of `ld.so.conf` ([`SearchConfig::conf_dirs`]): a stand-in for a cache
//!    that is missing or stale (a fresh cache already holds them);
//! 7. the default directories ([`SearchConfig::default_dirs`], [`DEFAULT_DIRS`]).
//!
//! A candidate is taken when it resolves (symlinks followed inside the root) to an ELF file of
//! the same class and machine as the object that needs it; otherwise the search goes on, as
//! the loader skips a library of the wrong architecture. `$ORIGIN` expands to the directory of
//! the object's real path, `$LIB` to `lib64` or `lib` by ELF class; an entry with `$PLATFORM`
//! or another token is skipped.
//!
//! # Limits
//!
//! - No `dlopen`: plugins (NSS modules, OpenSSL engines and providers, PAM modules, GTK
//!   modules, Python or Perl extension modules loaded by an interpreter) are not loaded in this
//!   graph. A package that ships only such plugins is [`LoadState::NotLoaded`].
//! - No `LD_PRELOAD`, no `/etc/ld.so.preload`, no `DF_1_NODEFLIB`, no hwcaps subdirectories;
//!   the RPATH chain is the object's then the executable's, not every intermediate loader's.
//!   Like the loader, a name already loaded for the executable (by the name it was needed
//!   by, or its soname) is reused without a search, objects being loaded breadth first.
//! - musl's loader (Alpine) searches `LD_LIBRARY_PATH`, then `/etc/ld-musl-ARCH.path` or
//!   `/lib:/usr/local/lib:/usr/lib`, and treats RPATH and RUNPATH alike: pass those files'
//!   directories as [`SearchConfig::conf_dirs`]; the default directories hold musl's.
//! - Bounds: strings in the dynamic section are read up to [`MAX_DYN_STRING`] bytes, at most
//!   [`MAX_DYN_ENTRIES`] dynamic entries and [`MAX_NEEDED`] names per file; the cache holds at
//!   most [`MAX_CACHE_ENTRIES`] entries; a path resolution follows at most
//!   [`MAX_SYMLINK_HOPS`] symlinks; the resolution does at most [`MAX_RESOLVE_STEPS`] lookups
//!   and says when it stopped early ([`LinkResolution::truncated`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use object::elf;
use object::read::elf::{Dyn, FileHeader, ProgramHeader};
use object::{Endianness, FileKind};
use serde::{Deserialize, Serialize};

use crate::BinaryError;

/// At most this many dynamic entries are read from one file.
pub const MAX_DYN_ENTRIES: usize = 16_384;
/// At most this many `DT_NEEDED` names are kept per file.
pub const MAX_NEEDED: usize = 1_024;
/// Longest string read from the dynamic string table.
pub const MAX_DYN_STRING: usize = 4_096;
/// At most this many `ld.so.cache` entries are read.
pub const MAX_CACHE_ENTRIES: usize = 1 << 20;
/// At most this many symlinks are followed in one path resolution (Linux's `MAXSYMLINKS`).
pub const MAX_SYMLINK_HOPS: usize = 40;
/// At most this many library lookups in one [`resolve`].
pub const MAX_RESOLVE_STEPS: usize = 5_000_000;

/// The default library directories searched last: glibc's trusted directories for 64- and
/// 32-bit, the Debian/Ubuntu multiarch directories of the common architectures, and musl's.
pub const DEFAULT_DIRS: &[&str] = &[
    "/lib64",
    "/usr/lib64",
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/lib/aarch64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/lib/i386-linux-gnu",
    "/usr/lib/i386-linux-gnu",
    "/lib/arm-linux-gnueabihf",
    "/usr/lib/arm-linux-gnueabihf",
    "/lib/powerpc64le-linux-gnu",
    "/usr/lib/powerpc64le-linux-gnu",
    "/lib/s390x-linux-gnu",
    "/usr/lib/s390x-linux-gnu",
    "/lib",
    "/usr/lib",
    "/usr/local/lib",
];

/// Largest file read for its dynamic section by a walker that follows [`wants_links`]: the
/// bound the catalog already puts on executables it reads (256 MiB, since layers are read in
/// parallel and a body is held whole). Shared objects past it exist (CUDA and PyTorch ship
/// some of several hundred MiB) but are rare; left out of the graph, a package made only of
/// them is unknown rather than not loaded.
pub const MAX_LINKS_FILE_SIZE: u64 = 256 << 20;

/// Whether a file may be an ELF object the link graph needs, from its tar header alone:
/// a regular file of ELF-header size up to [`MAX_LINKS_FILE_SIZE`], either executable (an
/// execute bit) or named like a shared object (`*.so`, `*.so.*`: Debian installs libraries
/// `0644`), and not a detached debug file under `usr/lib/debug/`. The caller still checks the
/// `\x7fELF` magic in the body.
///
/// ```
/// use bosun_binary::elf_links::wants_links;
/// assert!(wants_links("usr/lib/x86_64-linux-gnu/libz.so.1.3", 0o100644, 120_000));
/// assert!(wants_links("usr/bin/ls", 0o755, 140_000));
/// assert!(!wants_links("usr/lib/debug/.build-id/ab/cd.debug", 0o644, 120_000));
/// assert!(!wants_links("usr/share/doc/x/README.solaris", 0o644, 120_000));
/// assert!(!wants_links("usr/lib/libz.so.1", 0o120777, 0));
/// ```
#[must_use]
pub fn wants_links(path: &str, mode: u32, size: u64) -> bool {
    const S_IFMT: u32 = 0o170_000;
    const S_IFREG: u32 = 0o100_000;
    if mode & S_IFMT != 0 && mode & S_IFMT != S_IFREG {
        return false;
    }
    if !(52..=MAX_LINKS_FILE_SIZE).contains(&size) {
        return false;
    }
    let path = path.trim_start_matches('/');
    if path.starts_with("usr/lib/debug/") {
        return false;
    }
    mode & 0o111 != 0 || is_shared_object_name(path.rsplit('/').next().unwrap_or(path))
}

/// `libz.so`, `libz.so.1`, `libz.so.1.3.1`: `.so` at the end or followed by `.` and a version.
fn is_shared_object_name(name: &str) -> bool {
    name.match_indices(".so").any(|(i, _)| {
        let rest = name.get(i + 3..).unwrap_or("");
        i > 0
            && (rest.is_empty()
                || rest
                    .strip_prefix('.')
                    .is_some_and(|v| v.chars().next().is_some_and(|c| c.is_ascii_digit())))
    })
}

/// Whether the bytes start with the ELF magic.
#[must_use]
pub fn is_elf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x7fELF")
}

/// The dynamic-linking facts of one ELF file.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ElfLinks {
    /// `DT_SONAME`.
    pub soname: Option<String>,
    /// `DT_NEEDED` names, in order.
    pub needed: Vec<String>,
    /// `DT_RUNPATH` entries (split on `:`, empty entries dropped).
    pub runpath: Vec<String>,
    /// `DT_RPATH` entries (split on `:`, empty entries dropped).
    pub rpath: Vec<String>,
    /// The `PT_INTERP` path (`/lib64/ld-linux-x86-64.so.2`).
    pub interpreter: Option<String>,
    /// A program: `ET_EXEC`, or `ET_DYN` flagged `DF_1_PIE`, or `ET_DYN` with an interpreter
    /// and no soname (a PIE from a linker that does not set `DF_1_PIE`). `libc.so.6` has an
    /// interpreter but also a soname: a library.
    pub is_executable: bool,
    /// `ET_DYN` and not a program by the rule above.
    pub is_shared_library: bool,
    /// 64-bit (`ELFCLASS64`).
    pub is_64: bool,
    /// `e_machine` (62 is x86-64, 183 AArch64).
    pub machine: u16,
}

/// Reads the dynamic-linking facts of an ELF file; `Ok(None)` when the bytes are not ELF.
///
/// The dynamic entries come from `PT_DYNAMIC` and their strings from `DT_STRTAB` mapped
/// through the `PT_LOAD` segments, as the loader reads them (section headers are not needed:
/// `sstrip`ped files work).
///
/// # Errors
/// [`BinaryError::Object`] when the file has ELF magic but its headers, dynamic segment or
/// string table do not parse.
pub fn elf_links(bytes: &[u8]) -> Result<Option<ElfLinks>, BinaryError> {
    if bytes.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Ok(None);
    }
    match FileKind::parse(bytes) {
        Ok(FileKind::Elf32) => parse::<elf::FileHeader32<Endianness>>(bytes).map(Some),
        Ok(FileKind::Elf64) => parse::<elf::FileHeader64<Endianness>>(bytes).map(Some),
        Ok(_) => Ok(None),
        Err(e) => Err(BinaryError::Object(e.to_string())),
    }
}

fn obj_err(e: object::read::Error) -> BinaryError {
    BinaryError::Object(e.to_string())
}

fn parse<Elf: FileHeader<Endian = Endianness>>(bytes: &[u8]) -> Result<ElfLinks, BinaryError> {
    let header = Elf::parse(bytes).map_err(obj_err)?;
    let endian = header.endian().map_err(obj_err)?;
    let phdrs = header.program_headers(endian, bytes).map_err(obj_err)?;
    let mut out = ElfLinks {
        is_64: header.is_class_64(),
        machine: header.e_machine(endian).0,
        ..ElfLinks::default()
    };
    let mut dynamic = None;
    for ph in phdrs {
        if let Some(interp) = ph.interpreter(endian, bytes).map_err(obj_err)? {
            out.interpreter = Some(lossy(interp.get(..MAX_DYN_STRING).unwrap_or(interp)));
        }
        if dynamic.is_none() {
            dynamic = ph.dynamic(endian, bytes).map_err(obj_err)?;
        }
    }
    let mut flags_1 = 0u64;
    if let Some(dyns) = dynamic {
        let dyns = dyns.get(..MAX_DYN_ENTRIES).unwrap_or(dyns);
        let mut strtab = None;
        let mut strsz = None;
        let mut entries = Vec::new();
        for d in dyns {
            let tag = d.tag(endian);
            if tag == elf::DT_NULL {
                break;
            }
            let val = d.val(endian);
            match tag {
                elf::DT_STRTAB => strtab = Some(val),
                elf::DT_STRSZ => strsz = Some(val),
                elf::DT_FLAGS_1 => flags_1 = val,
                elf::DT_NEEDED | elf::DT_SONAME | elf::DT_RPATH | elf::DT_RUNPATH => {
                    entries.push((tag, val));
                }
                _ => {}
            }
        }
        if !entries.is_empty() {
            let addr = strtab.ok_or_else(|| {
                BinaryError::Object("dynamic string entries without DT_STRTAB".into())
            })?;
            let table = string_table::<Elf>(phdrs, endian, bytes, addr, strsz)?;
            for (tag, val) in entries {
                let s = dyn_string(table, val)?;
                match tag {
                    elf::DT_NEEDED if out.needed.len() < MAX_NEEDED => out.needed.push(s),
                    elf::DT_SONAME => out.soname = Some(s),
                    elf::DT_RPATH => out.rpath = split_path_list(&s),
                    elf::DT_RUNPATH => out.runpath = split_path_list(&s),
                    _ => {}
                }
            }
        }
    }
    let e_type = header.e_type(endian);
    let pie = flags_1 & elf::DF_1_PIE.0 != 0;
    out.is_executable = e_type == elf::ET_EXEC
        || (e_type == elf::ET_DYN && (pie || (out.interpreter.is_some() && out.soname.is_none())));
    out.is_shared_library = e_type == elf::ET_DYN && !out.is_executable;
    Ok(out)
}

/// The bytes of the dynamic string table, found through the `PT_LOAD` segment holding
/// `addr`; `size` when `DT_STRSZ` gave one, else to the end of the segment.
fn string_table<'a, Elf: FileHeader<Endian = Endianness>>(
    phdrs: &'a [Elf::ProgramHeader],
    endian: Endianness,
    bytes: &'a [u8],
    addr: u64,
    size: Option<u64>,
) -> Result<&'a [u8], BinaryError> {
    for ph in phdrs {
        if ph.p_type(endian) != elf::PT_LOAD {
            continue;
        }
        let Ok(data) = ph.data(endian, bytes) else {
            continue;
        };
        let start: u64 = ph.p_vaddr(endian).into();
        let Some(off) = addr.checked_sub(start) else {
            continue;
        };
        let Ok(off) = usize::try_from(off) else {
            continue;
        };
        let Some(tail) = data.get(off..) else {
            continue;
        };
        let len = size
            .and_then(|s| usize::try_from(s).ok())
            .map_or(tail.len(), |s| s.min(tail.len()));
        return Ok(tail.get(..len).unwrap_or(tail));
    }
    Err(BinaryError::Object(format!(
        "DT_STRTAB {addr:#x} is in no loaded segment"
    )))
}

/// The NUL-terminated string at `off` in the table, at most [`MAX_DYN_STRING`] bytes.
fn dyn_string(table: &[u8], off: u64) -> Result<String, BinaryError> {
    let tail = usize::try_from(off)
        .ok()
        .and_then(|o| table.get(o..))
        .ok_or_else(|| BinaryError::Object(format!("dynamic string offset {off} out of table")))?;
    let tail = tail.get(..MAX_DYN_STRING).unwrap_or(tail);
    let end = memchr::memchr(0, tail).unwrap_or(tail.len());
    Ok(lossy(tail.get(..end).unwrap_or(tail)))
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn split_path_list(s: &str) -> Vec<String> {
    s.split(':')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

// ---------------------------------------------------------------------------------------
// ld.so.cache

/// One entry of `/etc/ld.so.cache`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LdCacheEntry {
    /// The library name looked up (a soname, or a `.so` development link name).
    pub name: String,
    /// The path the loader maps for it.
    pub path: String,
    /// The entry's flags: the low byte is the kind (`3` is a glibc ELF library), the next
    /// byte the architecture (`0x03` x86-64, `0x0a` AArch64 ... as in glibc's `ldconfig.h`).
    pub flags: u32,
}

/// Why an `ld.so.cache` could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum LdCacheError {
    /// Neither `ld.so-1.7.0` nor `glibc-ld.so.cache1.1` magic.
    #[error("not an ld.so.cache (unknown magic)")]
    BadMagic,
    /// The header or the entry table runs past the end of the file.
    #[error("ld.so.cache truncated: {0}")]
    Truncated(&'static str),
    /// More entries than [`MAX_CACHE_ENTRIES`].
    #[error("ld.so.cache declares {0} entries, over the cap")]
    TooManyEntries(u64),
    /// A key or value offset points outside the file.
    #[error("ld.so.cache string offset {0} out of range")]
    BadOffset(u64),
}

const OLD_MAGIC: &[u8] = b"ld.so-1.7.0";
const NEW_MAGIC: &[u8] = b"glibc-ld.so.cache1.1";
/// Old header: 11 magic bytes padded to 12, then `u32 nlibs`.
const OLD_HEADER: usize = 16;
/// Old entry: `i32 flags, u32 key, u32 value`.
const OLD_ENTRY: usize = 12;
/// New header: magic and version (20), `u32 nlibs`, `u32 len_strings`, `u8 flags`,
/// 3 padding bytes, `u32 extension_offset`, `u32 unused[3]`.
const NEW_HEADER: usize = 48;
/// New entry: `i32 flags, u32 key, u32 value, u32 osversion, u64 hwcap`.
const NEW_ENTRY: usize = 24;

/// Parses glibc's `/etc/ld.so.cache`: the new format (`glibc-ld.so.cache1.1`, glibc 2.32
/// and later write only this), the old one (`ld.so-1.7.0`), and the old format followed by
/// the new one (what ldconfig wrote before 2.32, compat mode). When both are present the new
/// table is read, as the loader does.
///
/// Layouts (glibc `sysdeps/generic/dl-cache.h`): the old format is the magic padded to 12
/// bytes, a `u32` count, 12-byte entries `{flags, key, value}` whose key and value are
/// offsets from the end of the entry table. The new format is a 48-byte header (magic and
/// version, count, string table length, an endianness byte: 2 little, 3 big, 0 unset = the
/// host's, taken as little), 24-byte entries `{flags, key, value, osversion, hwcap}` whose
/// offsets count from the start of the new header. Strings are NUL-terminated.
///
/// # Errors
/// [`LdCacheError`] when the magic is unknown, a table runs past the end, the count is over
/// [`MAX_CACHE_ENTRIES`], or a string offset is out of range.
pub fn parse_ld_so_cache(bytes: &[u8]) -> Result<Vec<LdCacheEntry>, LdCacheError> {
    if bytes.starts_with(NEW_MAGIC) {
        return parse_new(bytes);
    }
    if !bytes.starts_with(OLD_MAGIC) {
        return Err(LdCacheError::BadMagic);
    }
    let n = read_u32(bytes, 12, false).ok_or(LdCacheError::Truncated("old header"))?;
    let n_usize = checked_count(n)?;
    let table_end = n_usize
        .checked_mul(OLD_ENTRY)
        .and_then(|t| t.checked_add(OLD_HEADER))
        .filter(|&e| e <= bytes.len())
        .ok_or(LdCacheError::Truncated("old entry table"))?;
    // The new format, if any, follows the old strings, aligned to 8 bytes. Find it by its
    // magic at an aligned offset after the table.
    let mut at = table_end.next_multiple_of(8);
    while at + NEW_MAGIC.len() <= bytes.len() {
        if bytes.get(at..at + NEW_MAGIC.len()) == Some(NEW_MAGIC)
            && let Some(new) = bytes.get(at..)
        {
            return parse_new(new);
        }
        at += 8;
    }
    let strings = bytes.get(table_end..).unwrap_or_default();
    let mut out = Vec::with_capacity(n_usize.min(bytes.len() / OLD_ENTRY));
    for i in 0..n_usize {
        let e = OLD_HEADER + i * OLD_ENTRY;
        let (Some(flags), Some(key), Some(value)) = (
            read_u32(bytes, e, false),
            read_u32(bytes, e + 4, false),
            read_u32(bytes, e + 8, false),
        ) else {
            return Err(LdCacheError::Truncated("old entry"));
        };
        out.push(LdCacheEntry {
            name: cstr(strings, key)?,
            path: cstr(strings, value)?,
            flags,
        });
    }
    Ok(out)
}

fn parse_new(b: &[u8]) -> Result<Vec<LdCacheEntry>, LdCacheError> {
    if b.len() < NEW_HEADER {
        return Err(LdCacheError::Truncated("new header"));
    }
    let big = b.get(28).is_some_and(|f| f & 3 == 3);
    let n = read_u32(b, 20, big).ok_or(LdCacheError::Truncated("new header"))?;
    let n_usize = checked_count(n)?;
    n_usize
        .checked_mul(NEW_ENTRY)
        .and_then(|t| t.checked_add(NEW_HEADER))
        .filter(|&e| e <= b.len())
        .ok_or(LdCacheError::Truncated("new entry table"))?;
    let mut out = Vec::with_capacity(n_usize);
    for i in 0..n_usize {
        let e = NEW_HEADER + i * NEW_ENTRY;
        let (Some(flags), Some(key), Some(value)) = (
            read_u32(b, e, big),
            read_u32(b, e + 4, big),
            read_u32(b, e + 8, big),
        ) else {
            return Err(LdCacheError::Truncated("new entry"));
        };
        out.push(LdCacheEntry {
            name: cstr(b, key)?,
            path: cstr(b, value)?,
            flags,
        });
    }
    Ok(out)
}

fn checked_count(n: u32) -> Result<usize, LdCacheError> {
    usize::try_from(n)
        .ok()
        .filter(|&n| n <= MAX_CACHE_ENTRIES)
        .ok_or(LdCacheError::TooManyEntries(u64::from(n)))
}

fn read_u32(b: &[u8], at: usize, big: bool) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(if big {
        u32::from_be_bytes(s)
    } else {
        u32::from_le_bytes(s)
    })
}

fn cstr(b: &[u8], off: u32) -> Result<String, LdCacheError> {
    let tail = usize::try_from(off)
        .ok()
        .and_then(|o| b.get(o..))
        .ok_or(LdCacheError::BadOffset(u64::from(off)))?;
    let tail = tail.get(..MAX_DYN_STRING).unwrap_or(tail);
    let end = memchr::memchr(0, tail).ok_or(LdCacheError::BadOffset(u64::from(off)))?;
    Ok(lossy(tail.get(..end).unwrap_or(tail)))
}

/// The contents of an `ld.so.conf` file: the directories it lists, in order, and the
/// `include` patterns (globs, relative to `/etc` when not absolute; the caller expands them
/// against the image's files and parses each).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LdSoConf {
    /// Directories, in order.
    pub dirs: Vec<String>,
    /// `include` patterns, as written.
    pub includes: Vec<String>,
}

/// Parses an `ld.so.conf` (or `ld.so.conf.d/*.conf`) file as ldconfig does: `#` starts a
/// comment; `include PATTERN...` lines name more files; `hwcap` lines are ignored; other
/// words, separated by blanks, `:` or `,`, are directories (a `=TYPE` suffix is cut). At most
/// 64 KiB of text are read.
#[must_use]
pub fn parse_ld_so_conf(text: &str) -> LdSoConf {
    let mut out = LdSoConf::default();
    let text = text.get(..65_536).unwrap_or(text);
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        match words.next() {
            Some("include") => out.includes.extend(words.map(str::to_owned)),
            Some("hwcap") => {}
            _ => {
                for d in line.split(|c: char| c.is_whitespace() || c == ':' || c == ',') {
                    let d = d.split('=').next().unwrap_or(d);
                    if !d.is_empty() {
                        out.dirs.push(d.to_owned());
                    }
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The resolver

/// The ELF files and symlinks of a final filesystem. Paths are absolute (`/usr/bin/curl`);
/// a path given without the leading `/` is taken from the root.
#[derive(Debug, Clone, Default)]
pub struct ElfFilesystem {
    files: BTreeMap<String, ElfLinks>,
    symlinks: BTreeMap<String, String>,
}

impl ElfFilesystem {
    /// An empty filesystem.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a regular ELF file (its real path, no symlink in it).
    pub fn add_file(&mut self, path: &str, links: ElfLinks) {
        self.files.insert(normalize(path), links);
    }

    /// Adds a symlink: `path` points to `target` (absolute, or relative to `path`'s
    /// directory), as the tar header's link name says.
    pub fn add_symlink(&mut self, path: &str, target: &str) {
        self.symlinks.insert(normalize(path), target.to_owned());
    }

    /// The ELF files.
    #[must_use]
    pub fn files(&self) -> &BTreeMap<String, ElfLinks> {
        &self.files
    }

    /// The real path `path` resolves to inside the root (symlinks in any component followed,
    /// `..` never above `/`), whether or not a file is there; `None` after more than
    /// [`MAX_SYMLINK_HOPS`] symlinks (a loop).
    #[must_use]
    pub fn real_path(&self, path: &str) -> Option<String> {
        let mut pending: Vec<String> = path.split('/').rev().map(str::to_owned).collect();
        let mut cur: Vec<String> = Vec::new();
        let mut hops = 0usize;
        while let Some(c) = pending.pop() {
            match c.as_str() {
                "" | "." => {}
                ".." => {
                    cur.pop();
                }
                _ => {
                    cur.push(c);
                    let joined = join(&cur);
                    if let Some(target) = self.symlinks.get(&joined) {
                        hops += 1;
                        if hops > MAX_SYMLINK_HOPS {
                            return None;
                        }
                        cur.pop();
                        if target.starts_with('/') {
                            cur.clear();
                        }
                        pending.extend(target.split('/').rev().map(str::to_owned));
                    }
                }
            }
        }
        Some(join(&cur))
    }

    /// The ELF file `path` resolves to, with its real path.
    fn lookup(&self, path: &str) -> Option<(String, &ElfLinks)> {
        let real = self.real_path(path)?;
        let links = self.files.get(&real)?;
        Some((real, links))
    }
}

fn join(parts: &[String]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum::<usize>().max(1));
    for p in parts {
        s.push('/');
        s.push_str(p);
    }
    if s.is_empty() {
        s.push('/');
    }
    s
}

fn normalize(path: &str) -> String {
    let parts: Vec<String> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .map(str::to_owned)
        .collect();
    join(&parts)
}

/// Where the resolver looks besides the objects' own RPATH and RUNPATH.
#[derive(Debug, Clone)]
pub struct SearchConfig {
    /// `/etc/ld.so.cache` of the image, parsed ([`parse_ld_so_cache`]); empty when absent.
    pub ld_cache: Vec<LdCacheEntry>,
    /// `LD_LIBRARY_PATH` from the image config's `Env`, split on `:`; empty when unset.
    pub ld_library_path: Vec<String>,
    /// The directories of `/etc/ld.so.conf` and its includes ([`parse_ld_so_conf`]).
    pub conf_dirs: Vec<String>,
    /// Searched last; [`DEFAULT_DIRS`] by default.
    pub default_dirs: Vec<String>,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            ld_cache: Vec::new(),
            ld_library_path: Vec::new(),
            conf_dirs: Vec::new(),
            default_dirs: DEFAULT_DIRS.iter().map(|d| (*d).to_owned()).collect(),
        }
    }
}

/// Whether a package's code is loaded by an executable of the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadState {
    /// The package ships an executable, or a file some executable loads.
    Loaded,
    /// The package ships ELF shared libraries and no executable loads any of them, and it
    /// ships no executable.
    NotLoaded,
    /// The package ships no executable and no shared library (data, scripts, headers, static
    /// archives): link analysis says nothing about it. Scripts run by an interpreter and data
    /// read by a program are used without being linked, so neither `Loaded` nor `NotLoaded`
    /// would be true.
    Unknown,
}

/// What [`resolve`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkResolution {
    /// Real paths of every file mapped by some executable: the executables, their
    /// interpreters and every library reached through `DT_NEEDED`.
    pub loaded: BTreeSet<String>,
    /// Real paths of the executables the walk started from.
    pub executables: BTreeSet<String>,
    /// Real paths of the shared libraries of the filesystem.
    pub shared_libraries: BTreeSet<String>,
    /// `(real path of the object, needed name)` pairs no search found.
    pub unresolved: BTreeSet<(String, String)>,
    /// True when [`MAX_RESOLVE_STEPS`] stopped the walk: `loaded` may then miss files.
    pub truncated: bool,
}

impl LinkResolution {
    /// The load state of a package from its file list (as its package database lists them:
    /// real paths or symlinks, with or without a leading `/`). Each path is resolved inside
    /// the root; files that are not ELF, or no longer in the final filesystem, are ignored.
    ///
    /// [`LoadState::Loaded`] if one file is an executable or loaded; otherwise
    /// [`LoadState::NotLoaded`] if one is a shared library; otherwise
    /// [`LoadState::Unknown`]. A truncated resolution never says `NotLoaded`.
    #[must_use]
    pub fn package_state(&self, fs: &ElfFilesystem, files: &[String]) -> LoadState {
        let mut ships_library = false;
        for f in files {
            let Some((real, links)) = fs.lookup(f) else {
                continue;
            };
            if links.is_executable
                || self.executables.contains(&real)
                || self.loaded.contains(&real)
            {
                return LoadState::Loaded;
            }
            ships_library |= links.is_shared_library;
        }
        if ships_library && !self.truncated {
            LoadState::NotLoaded
        } else {
            LoadState::Unknown
        }
    }
}

/// Computes the files the dynamic loader maps, from every executable of `fs`, in the order
/// and with the limits given in the [module docs](self).
#[must_use]
pub fn resolve(fs: &ElfFilesystem, cfg: &SearchConfig) -> LinkResolution {
    let mut out = LinkResolution::default();
    for (path, links) in &fs.files {
        if links.is_shared_library {
            out.shared_libraries.insert(path.clone());
        }
    }
    let mut cache_by_name: HashMap<&str, Vec<&str>> = HashMap::new();
    for e in &cfg.ld_cache {
        cache_by_name
            .entry(e.name.as_str())
            .or_default()
            .push(e.path.as_str());
    }
    let mut r = Resolver {
        fs,
        cfg,
        cache_by_name,
        memo: HashMap::new(),
        steps: 0,
        truncated: false,
    };
    let mut unresolved = BTreeSet::new();
    for (exe_path, exe) in &fs.files {
        if !exe.is_executable {
            continue;
        }
        out.executables.insert(exe_path.clone());
        out.loaded.insert(exe_path.clone());
        let exe_rpath: &[String] = if exe.runpath.is_empty() {
            &exe.rpath
        } else {
            &[]
        };
        // The loader's list of loaded objects, by every name they answer to (the name
        // they were needed by and their soname): a name already loaded is reused, not
        // searched again (glibc's `_dl_name_match_p`).
        let mut by_name: HashMap<&str, &str> = HashMap::new();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        if let Some(interp) = &exe.interpreter
            && let Some((real, l)) = fs
                .files
                .get_key_value(fs.real_path(interp).as_deref().unwrap_or(""))
        {
            out.loaded.insert(real.clone());
            seen.insert(real.as_str());
            if let Some(so) = &l.soname {
                by_name.insert(so.as_str(), real.as_str());
            }
        }
        // Breadth first, as `_dl_map_object_deps` loads.
        let mut queue: VecDeque<&str> = VecDeque::from([exe_path.as_str()]);
        seen.insert(exe_path.as_str());
        while let Some(obj) = queue.pop_front() {
            let Some(links) = fs.files.get(obj) else {
                continue;
            };
            for name in &links.needed {
                let real = match by_name.get(name.as_str()) {
                    Some(&p) => Some(p),
                    None => r
                        .find_memo(obj, links, name, exe_rpath)
                        .and_then(|p| fs.files.get_key_value(p.as_str()))
                        .map(|(k, _)| k.as_str()),
                };
                let Some(real) = real else {
                    if r.truncated {
                        break;
                    }
                    unresolved.insert((obj.to_owned(), name.clone()));
                    continue;
                };
                by_name.insert(name.as_str(), real);
                if seen.insert(real) {
                    if let Some((k, l)) = fs.files.get_key_value(real)
                        && let Some(so) = &l.soname
                    {
                        by_name.entry(so.as_str()).or_insert(k.as_str());
                    }
                    out.loaded.insert(real.to_owned());
                    queue.push_back(real);
                }
            }
            if r.truncated {
                break;
            }
        }
        if r.truncated {
            break;
        }
    }
    out.unresolved = unresolved;
    out.truncated = r.truncated;
    out
}

/// `(object, needed name, executable RPATH in effect)`.
type MemoKey = (String, String, Vec<String>);

struct Resolver<'a> {
    fs: &'a ElfFilesystem,
    cfg: &'a SearchConfig,
    cache_by_name: HashMap<&'a str, Vec<&'a str>>,
    /// What each search found (the executable's RPATH matters only for objects without
    /// RUNPATH, so it is part of the key only then).
    memo: HashMap<MemoKey, Option<String>>,
    steps: usize,
    truncated: bool,
}

impl Resolver<'_> {
    /// [`Self::find`], remembered.
    fn find_memo(
        &mut self,
        obj: &str,
        links: &ElfLinks,
        name: &str,
        exe_rpath: &[String],
    ) -> Option<String> {
        let rpath = if links.runpath.is_empty() {
            exe_rpath.to_vec()
        } else {
            Vec::new()
        };
        let key = (obj.to_owned(), name.to_owned(), rpath);
        if let Some(found) = self.memo.get(&key) {
            return found.clone();
        }
        let found = self.find(obj, links, name, &key.2);
        if !self.truncated {
            self.memo.insert(key, found.clone());
        }
        found
    }

    /// Searches for `name` needed by `obj` in glibc's order.
    fn find(
        &mut self,
        obj: &str,
        links: &ElfLinks,
        name: &str,
        exe_rpath: &[String],
    ) -> Option<String> {
        let origin = obj.rsplit_once('/').map_or("/", |(d, _)| d);
        let origin = if origin.is_empty() { "/" } else { origin };
        if name.contains('/') {
            // The loader expands `$ORIGIN` in a `DT_NEEDED` path too (a bundled Python's
            // `$ORIGIN/../lib/libpython3.12.so.1.0`).
            let path = expand(name, origin, links.is_64)?;
            return self.candidate(links, &path);
        }
        if links.runpath.is_empty() {
            for dir in links.rpath.iter().chain(exe_rpath) {
                if let Some(p) = self.in_dir(links, dir, origin, name) {
                    return Some(p);
                }
            }
        }
        let cfg = self.cfg;
        for dir in cfg.ld_library_path.iter().chain(&links.runpath) {
            if let Some(p) = self.in_dir(links, dir, origin, name) {
                return Some(p);
            }
        }
        let cached: Vec<&str> = self.cache_by_name.get(name).cloned().unwrap_or_default();
        for path in cached {
            if let Some(p) = self.candidate(links, path) {
                return Some(p);
            }
        }
        for dir in cfg.conf_dirs.iter().chain(&cfg.default_dirs) {
            if let Some(p) = self.in_dir(links, dir, origin, name) {
                return Some(p);
            }
        }
        None
    }

    fn in_dir(&mut self, links: &ElfLinks, dir: &str, origin: &str, name: &str) -> Option<String> {
        let dir = expand(dir, origin, links.is_64)?;
        self.candidate(links, &format!("{dir}/{name}"))
    }

    /// The real path of `path` if it is an ELF file the object can load (same class and
    /// machine).
    fn candidate(&mut self, links: &ElfLinks, path: &str) -> Option<String> {
        self.steps += 1;
        if self.steps > MAX_RESOLVE_STEPS {
            self.truncated = true;
            return None;
        }
        let (real, lib) = self.fs.lookup(path)?;
        (lib.is_64 == links.is_64 && lib.machine == links.machine).then_some(real)
    }
}

/// Expands `$ORIGIN` and `$LIB` in a search directory; `None` for other `$` tokens.
fn expand(dir: &str, origin: &str, is_64: bool) -> Option<String> {
    if !dir.contains('$') {
        return Some(dir.to_owned());
    }
    let lib = if is_64 { "lib64" } else { "lib" };
    let d = dir
        .replace("${ORIGIN}", origin)
        .replace("$ORIGIN", origin)
        .replace("${LIB}", lib)
        .replace("$LIB", lib);
    (!d.contains('$')).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lib(soname: &str, needed: &[&str]) -> ElfLinks {
        ElfLinks {
            soname: Some(soname.into()),
            needed: needed.iter().map(|s| (*s).to_owned()).collect(),
            is_shared_library: true,
            is_64: true,
            machine: 62,
            ..ElfLinks::default()
        }
    }

    #[test]
    fn real_path_follows_relative_absolute_and_directory_symlinks_and_stops_loops() {
        let mut fs = ElfFilesystem::new();
        fs.add_symlink("lib", "usr/lib");
        fs.add_symlink("/usr/lib/libz.so.1", "libz.so.1.3");
        fs.add_symlink("/usr/lib/up", "../share/x");
        fs.add_symlink("/a", "/b");
        fs.add_symlink("/b", "/a");
        assert_eq!(
            fs.real_path("/lib/libz.so.1").as_deref(),
            Some("/usr/lib/libz.so.1.3")
        );
        assert_eq!(fs.real_path("/lib/up").as_deref(), Some("/usr/share/x"));
        assert_eq!(fs.real_path("/../../etc").as_deref(), Some("/etc"));
        assert_eq!(fs.real_path("/a/x"), None);
    }

    #[test]
    fn rpath_wins_over_default_dirs_and_runpath_disables_rpath() {
        let mut fs = ElfFilesystem::new();
        let mut exe = lib("x", &["libfoo.so.1"]);
        exe.soname = None;
        exe.is_shared_library = false;
        exe.is_executable = true;
        exe.rpath = vec!["$ORIGIN/../private".into()];
        fs.add_file("/opt/app/bin/app", exe.clone());
        fs.add_file("/opt/app/private/libfoo.so.1", lib("libfoo.so.1", &[]));
        fs.add_file("/usr/lib/libfoo.so.1", lib("libfoo.so.1", &[]));
        let r = resolve(&fs, &SearchConfig::default());
        assert!(r.loaded.contains("/opt/app/private/libfoo.so.1"));
        assert!(!r.loaded.contains("/usr/lib/libfoo.so.1"));

        exe.runpath = vec!["/nowhere".into()];
        fs.add_file("/opt/app/bin/app", exe);
        let r = resolve(&fs, &SearchConfig::default());
        assert!(r.loaded.contains("/usr/lib/libfoo.so.1"));
        assert!(!r.loaded.contains("/opt/app/private/libfoo.so.1"));
    }

    fn exe(needed: &[&str]) -> ElfLinks {
        let mut e = lib("x", needed);
        e.soname = None;
        e.is_shared_library = false;
        e.is_executable = true;
        e.interpreter = Some("/lib64/ld-linux-x86-64.so.2".into());
        e
    }

    #[test]
    fn a_name_already_loaded_is_reused_and_origin_expands_in_needed_paths() {
        let mut fs = ElfFilesystem::new();
        // The program finds libshared through its RPATH; libcore needs it too but has no
        // search path that holds it: the loader reuses the loaded one.
        let mut app = exe(&["$ORIGIN/../lib/libcore.so", "libshared.so"]);
        app.runpath = vec!["/opt/app/private".into()];
        fs.add_file("/opt/app/bin/app", app);
        fs.add_file(
            "/opt/app/lib/libcore.so",
            lib("libcore.so", &["libshared.so"]),
        );
        fs.add_file("/opt/app/private/libshared.so", lib("libshared.so", &[]));
        fs.add_file(
            "/lib64/ld-linux-x86-64.so.2",
            lib("ld-linux-x86-64.so.2", &[]),
        );
        let r = resolve(&fs, &SearchConfig::default());
        let want: BTreeSet<String> = [
            "/opt/app/bin/app",
            "/opt/app/lib/libcore.so",
            "/opt/app/private/libshared.so",
            "/lib64/ld-linux-x86-64.so.2",
        ]
        .map(str::to_owned)
        .into();
        assert_eq!(r.loaded, want);
        assert!(r.unresolved.is_empty(), "{:?}", r.unresolved);
    }

    #[test]
    fn wrong_machine_candidate_is_skipped() {
        let mut fs = ElfFilesystem::new();
        let mut exe = lib("x", &["libbar.so"]);
        exe.soname = None;
        exe.is_shared_library = false;
        exe.is_executable = true;
        fs.add_file("/bin/x", exe);
        let mut arm = lib("libbar.so", &[]);
        arm.machine = 183;
        fs.add_file("/lib64/libbar.so", arm);
        fs.add_file("/usr/lib/libbar.so", lib("libbar.so", &[]));
        let r = resolve(&fs, &SearchConfig::default());
        assert!(r.loaded.contains("/usr/lib/libbar.so"));
        assert!(!r.loaded.contains("/lib64/libbar.so"));
    }

    #[test]
    fn ld_so_conf_lists_dirs_and_includes() {
        let c = parse_ld_so_conf(
            "# comment\ninclude /etc/ld.so.conf.d/*.conf\n/usr/local/lib\n/opt/a:/opt/b, /opt/c=libc6 # x\nhwcap 0 nosegneg\n",
        );
        assert_eq!(c.includes, ["/etc/ld.so.conf.d/*.conf"]);
        assert_eq!(c.dirs, ["/usr/local/lib", "/opt/a", "/opt/b", "/opt/c"]);
    }
}
