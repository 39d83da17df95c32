//! Go build info: the blob `cmd/link` writes into module-aware executables (what
//! `go version -m` prints), and the packages it names.
//!
//! The blob starts with a 32-byte header, 16-byte aligned, found in the first 64 KiB of the
//! `.go.buildinfo` section (ELF), the `__go_buildinfo` section (Mach-O), the `.data` section
//! (PE), or else the first writable data segment (ELF, Mach-O), as `debug/buildinfo` does:
//!
//! ```text
//! 0   "\xff Go buildinf:"      14-byte magic
//! 14  pointer size             4 or 8
//! 15  flags                    bit 0: big-endian pointers; bit 1: inline strings (Go 1.18+)
//! 16  (pointer layout)         address of the Go string header of the toolchain version,
//!                              then of the module info; a string header is {data, len}
//! 32  (inline layout)          uvarint length + toolchain version, uvarint length + module info
//! ```
//!
//! The module info is framed by 16 sentinel bytes on each side; inside, one record a line:
//! `path\tP`, `mod\tPATH\tVERSION\tSUM`, `dep\t…`, `=>\t…` (the replacement of the previous
//! `mod`/`dep`), `build\tKEY=VALUE` (Go 1.18+, key and value Go-quoted when needed).

use crate::exe::{Exe, Format};
use crate::{BinaryError, BinaryPackage, Ecosystem, PackageKind};

/// The longest toolchain version or module info string read (4 MiB; a large binary such as
/// `kubectl` carries about 20 KiB).
pub const MAX_STRING: usize = 4 << 20;

/// How far into the data section the header is looked for (as `debug/buildinfo` does).
const SEARCH_WINDOW: usize = 64 << 10;

/// The most records read from module info (lines).
const MAX_RECORDS: usize = 100_000;

const MAGIC: &[u8] = b"\xff Go buildinf:";
const HEADER_SIZE: usize = 32;
const ALIGN: usize = 16;
const FLAG_BIG_ENDIAN: u8 = 1;
const FLAG_INLINE: u8 = 2;

/// A module as build info records it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct GoModule {
    /// The module path.
    pub path: String,
    /// The version (`v1.2.3`, a pseudo-version, or `(devel)` for the main module).
    pub version: String,
    /// The `go.sum` hash (`h1:…`), empty when not recorded.
    pub sum: String,
    /// The replacement (`=>`) of this module, if any.
    pub replace: Option<Box<GoModule>>,
}

/// Go build info: what `go version -m` prints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoBuildInfo {
    /// The toolchain version as recorded (`go1.22.1`, `go1.22.1 X:boringcrypto`,
    /// `devel go1.23-abcdef`).
    pub go_version: String,
    /// The main package path (`path` record).
    pub path: String,
    /// The main module (`mod` record); `None` for binaries built outside a module.
    pub main: Option<GoModule>,
    /// The dependencies (`dep` records, with their replacements), in order.
    pub deps: Vec<GoModule>,
    /// Build settings (`build` records), in order, unquoted.
    pub settings: Vec<(String, String)>,
}

impl GoBuildInfo {
    /// The value of a build setting (`-ldflags`, `vcs.revision`, `GOARCH`).
    #[must_use]
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The build info of an executable's bytes: `Ok(None)` for a non-executable or an executable
/// not built by Go.
///
/// # Errors
/// When the executable is malformed or its build info is.
pub fn build_info(bytes: &[u8]) -> Result<Option<GoBuildInfo>, BinaryError> {
    match Exe::parse(bytes)? {
        Some(exe) => read_build_info(&exe),
        None => Ok(None),
    }
}

/// Where the linker puts the build info: its address, and the bytes from there on.
fn data_start<'a>(exe: &Exe<'a>) -> Option<(u64, &'a [u8])> {
    match exe.format {
        Format::Elf => exe
            .section(".go.buildinfo")
            .or_else(|| exe.first_data_segment()),
        Format::MachO => exe
            .section("__go_buildinfo")
            .or_else(|| exe.first_data_segment()),
        Format::Pe => exe.section(".data"),
    }
}

/// The 16-byte-aligned offset of the header in `window`, if any.
fn find_header(window: &[u8]) -> Option<usize> {
    let mut from = 0usize;
    loop {
        let rest = window.get(from..)?;
        let i = from + memchr::memmem::find(rest, MAGIC)?;
        if i.is_multiple_of(ALIGN) {
            return (window.len() - i >= HEADER_SIZE).then_some(i);
        }
        from = i.checked_add(1)?;
    }
}

pub(crate) fn read_build_info(exe: &Exe<'_>) -> Result<Option<GoBuildInfo>, BinaryError> {
    let Some((_, data)) = data_start(exe) else {
        return Ok(None);
    };
    let window = data.get(..SEARCH_WINDOW.min(data.len())).unwrap_or(data);
    let Some(at) = find_header(window) else {
        return Ok(None);
    };
    let header = data.get(at..).unwrap_or_default();
    let ptr_size = usize::from(*header.get(14).unwrap_or(&0));
    let flags = *header.get(15).unwrap_or(&0);
    let (version, modinfo) = if flags & FLAG_INLINE != 0 {
        let rest = header.get(HEADER_SIZE..).unwrap_or_default();
        let (v, rest) = read_varint_string(rest)?;
        let (m, _) = read_varint_string(rest)?;
        (v, m)
    } else {
        if ptr_size != 4 && ptr_size != 8 {
            return Err(bad(format!("pointer size {ptr_size}")));
        }
        let big = flags & FLAG_BIG_ENDIAN != 0;
        let ptrs = Pointers { exe, ptr_size, big };
        let v = ptrs.string_at_ptr(header.get(16..).unwrap_or_default())?;
        let m = ptrs.string_at_ptr(header.get(16 + ptr_size..).unwrap_or_default())?;
        (v, m)
    };
    let version = String::from_utf8_lossy(version).into_owned();
    let modinfo = strip_sentinels(modinfo);
    let mut info = parse_mod_info(&String::from_utf8_lossy(modinfo))?;
    info.go_version = version;
    Ok(Some(info))
}

fn bad(msg: String) -> BinaryError {
    BinaryError::GoBuildInfo(msg)
}

/// The module info between the 16-byte sentinels; empty when the framing is absent (as
/// `debug/buildinfo` does).
fn strip_sentinels(m: &[u8]) -> &[u8] {
    if m.len() >= 33 && m.get(m.len() - 17) == Some(&b'\n') {
        m.get(16..m.len() - 16).unwrap_or_default()
    } else {
        &[]
    }
}

/// A uvarint-length-prefixed string, and what follows it.
fn read_varint_string(b: &[u8]) -> Result<(&[u8], &[u8]), BinaryError> {
    let mut len: u64 = 0;
    let mut used = 0usize;
    for (i, byte) in b.iter().enumerate().take(10) {
        len |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            used = i + 1;
            break;
        }
    }
    if used == 0 {
        return Err(bad("truncated string length".into()));
    }
    if len > MAX_STRING as u64 {
        return Err(BinaryError::TooLarge {
            what: "a Go build info string",
            size: len,
            limit: MAX_STRING as u64,
        });
    }
    let len = len as usize; // <= MAX_STRING
    let rest = b.get(used..).unwrap_or_default();
    match (rest.get(..len), rest.get(len..)) {
        (Some(s), Some(tail)) => Ok((s, tail)),
        _ => Err(bad("string runs past the end of the data".into())),
    }
}

/// Reads through pointers in the pre-1.18 layout.
struct Pointers<'e, 'a> {
    exe: &'e Exe<'a>,
    ptr_size: usize,
    big: bool,
}

impl<'a> Pointers<'_, 'a> {
    fn ptr(&self, b: &[u8]) -> Option<u64> {
        Some(match (self.ptr_size, self.big) {
            (4, false) => u64::from(u32::from_le_bytes(b.get(..4)?.try_into().ok()?)),
            (4, true) => u64::from(u32::from_be_bytes(b.get(..4)?.try_into().ok()?)),
            (_, false) => u64::from_le_bytes(b.get(..8)?.try_into().ok()?),
            (_, true) => u64::from_be_bytes(b.get(..8)?.try_into().ok()?),
        })
    }

    /// `b` starts with the address of a Go string header; the string's bytes.
    fn string_at_ptr(&self, b: &[u8]) -> Result<&'a [u8], BinaryError> {
        let hdr_addr = self.ptr(b).ok_or_else(|| bad("truncated header".into()))?;
        let hdr = self
            .exe
            .read_at(hdr_addr, 2 * self.ptr_size)
            .ok_or_else(|| bad(format!("string header at {hdr_addr:#x} is not in the file")))?;
        let data = self
            .ptr(hdr)
            .ok_or_else(|| bad("truncated string header".into()))?;
        let len = self
            .ptr(hdr.get(self.ptr_size..).unwrap_or_default())
            .ok_or_else(|| bad("truncated string header".into()))?;
        if len > MAX_STRING as u64 {
            return Err(BinaryError::TooLarge {
                what: "a Go build info string",
                size: len,
                limit: MAX_STRING as u64,
            });
        }
        if len == 0 {
            return Ok(&[]);
        }
        self.exe
            .read_at(data, len as usize)
            .ok_or_else(|| bad(format!("string data at {data:#x} is not in the file")))
    }
}

/// Parses module info text (the lines between the sentinels), as `runtime/debug.ParseBuildInfo`
/// does. `go_version` is left empty (the header holds it), unless a `go` line sets it.
///
/// # Errors
/// On a `mod`/`dep` line without a version, a `=>` line with nothing to replace, or too many
/// records.
pub fn parse_mod_info(text: &str) -> Result<GoBuildInfo, BinaryError> {
    let mut info = GoBuildInfo::default();
    // Which module the next `=>` replaces: the main module or the last dep.
    let mut last: Option<Last> = None;
    for (n, line) in text.lines().enumerate() {
        if n >= MAX_RECORDS {
            return Err(BinaryError::TooLarge {
                what: "Go module info (records)",
                size: text.lines().count() as u64,
                limit: MAX_RECORDS as u64,
            });
        }
        let Some((verb, rest)) = line.split_once('\t') else {
            continue;
        };
        match verb {
            "go" => info.go_version = rest.to_owned(),
            "path" => info.path = rest.to_owned(),
            "mod" => {
                info.main = Some(module(rest, n)?);
                last = Some(Last::Main);
            }
            "dep" => {
                info.deps.push(module(rest, n)?);
                last = Some(Last::Dep);
            }
            "=>" => {
                let r = Box::new(module(rest, n)?);
                let target = match last {
                    Some(Last::Main) => info.main.as_mut(),
                    Some(Last::Dep) => info.deps.last_mut(),
                    None => None,
                };
                let Some(t) = target else {
                    return Err(bad(format!("line {}: replacement without module", n + 1)));
                };
                t.replace = Some(r);
                last = None;
            }
            "build" => {
                let (k, v) = setting(rest);
                info.settings.push((k, v));
            }
            _ => {}
        }
    }
    Ok(info)
}

#[derive(Clone, Copy)]
enum Last {
    Main,
    Dep,
}

/// `PATH\tVERSION[\tSUM]`; a replacement by a directory has an empty version.
fn module(rest: &str, n: usize) -> Result<GoModule, BinaryError> {
    let mut f = rest.split('\t');
    let path = f.next().unwrap_or_default();
    let Some(version) = f.next() else {
        return Err(bad(format!("line {}: module without version", n + 1)));
    };
    let sum = f.next().unwrap_or_default();
    if path.is_empty() && version.is_empty() {
        return Err(bad(format!("line {}: empty module", n + 1)));
    }
    Ok(GoModule {
        path: path.to_owned(),
        version: version.to_owned(),
        sum: sum.to_owned(),
        replace: None,
    })
}

/// `KEY=VALUE`, each Go-quoted when it holds spaces, quotes or `=`.
fn setting(rest: &str) -> (String, String) {
    let (key, value) = if rest.starts_with('"') {
        match go_unquote_prefix(rest) {
            Some((k, after)) => (k, after.strip_prefix('=').unwrap_or(after).to_owned()),
            None => split_eq(rest),
        }
    } else {
        split_eq(rest)
    };
    let value = if value.starts_with('"') {
        match go_unquote_prefix(&value) {
            Some((v, "")) => v,
            _ => value,
        }
    } else {
        value
    };
    (key, value)
}

fn split_eq(s: &str) -> (String, String) {
    match s.split_once('=') {
        Some((k, v)) => (k.to_owned(), v.to_owned()),
        None => (s.to_owned(), String::new()),
    }
}

/// Unquotes the Go double-quoted string at the start of `s` (`strconv.Quote` escapes:
/// `\" \\ \n \t \r \a \b \f \v \xHH \uHHHH \UHHHHHHHH` and octal); the rest after the
/// closing quote. `None` when it is not a well-formed quoted string.
fn go_unquote_prefix(s: &str) -> Option<(String, &str)> {
    let body = s.strip_prefix('"')?;
    let mut out = String::new();
    let mut bytes: Vec<u8> = Vec::new(); // pending \x bytes, which may form UTF-8 together
    let mut chars = body.char_indices();
    let flush = |out: &mut String, bytes: &mut Vec<u8>| {
        if !bytes.is_empty() {
            out.push_str(&String::from_utf8_lossy(bytes));
            bytes.clear();
        }
    };
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                flush(&mut out, &mut bytes);
                return Some((out, body.get(i + 1..)?));
            }
            '\\' => {
                let (_, e) = chars.next()?;
                let simple = match e {
                    'n' => Some('\n'),
                    't' => Some('\t'),
                    'r' => Some('\r'),
                    'a' => Some('\u{7}'),
                    'b' => Some('\u{8}'),
                    'f' => Some('\u{c}'),
                    'v' => Some('\u{b}'),
                    '\\' => Some('\\'),
                    '"' => Some('"'),
                    '\'' => Some('\''),
                    _ => None,
                };
                if let Some(ch) = simple {
                    flush(&mut out, &mut bytes);
                    out.push(ch);
                    continue;
                }
                let hex = |chars: &mut std::str::CharIndices<'_>, n: usize| -> Option<u32> {
                    let mut v = 0u32;
                    for _ in 0..n {
                        v = v * 16 + chars.next()?.1.to_digit(16)?;
                    }
                    Some(v)
                };
                match e {
                    'x' => bytes.push(u8::try_from(hex(&mut chars, 2)?).ok()?),
                    'u' => {
                        flush(&mut out, &mut bytes);
                        out.push(char::from_u32(hex(&mut chars, 4)?)?);
                    }
                    'U' => {
                        flush(&mut out, &mut bytes);
                        out.push(char::from_u32(hex(&mut chars, 8)?)?);
                    }
                    '0'..='7' => {
                        let mut v = e.to_digit(8)?;
                        for _ in 0..2 {
                            v = v * 8 + chars.next()?.1.to_digit(8)?;
                        }
                        bytes.push(u8::try_from(v).ok()?);
                    }
                    _ => return None,
                }
            }
            c => {
                flush(&mut out, &mut bytes);
                out.push(c);
            }
        }
    }
    None
}

/// The `stdlib` version of a toolchain version, in the SemVer form the Go vulnerability
/// database (and so OSV) records it, as `golang.org/x/vuln`'s `GoTagToSemver` does:
/// `go1.22.1` -> `1.22.1`, `go1.20` -> `1.20.0`, `go1.21rc2` -> `1.21.0-rc.2`,
/// `go1.19beta1` -> `1.19.0-beta.1`; build tags after a space (`go1.22.1 X:boringcrypto`)
/// are cut. `None` for development toolchains (`devel go1.23-abc`) and anything else that
/// does not start with `go<digit>`.
#[must_use]
pub fn stdlib_version(go_version: &str) -> Option<String> {
    let first = go_version.split_whitespace().next()?;
    let v = first.strip_prefix("go")?;
    if !v.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let split = v
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(v.len());
    let (nums, suffix) = v.split_at(split);
    let parts: Vec<&str> = nums.split('.').collect();
    if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return Some(v.to_owned());
    }
    let mut core = parts.join(".");
    for _ in parts.len()..3 {
        core.push_str(".0");
    }
    if suffix.is_empty() {
        return Some(core);
    }
    for tag in ["rc", "beta", "alpha"] {
        if let Some(n) = suffix.strip_prefix(tag)
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
        {
            return Some(format!("{core}-{tag}.{n}"));
        }
    }
    Some(v.to_owned())
}

/// A replacement by a local directory: `./x`, `../x`, `/x`, or no version at all.
fn is_local(m: &GoModule) -> bool {
    m.version.is_empty()
        || m.path.starts_with("./")
        || m.path.starts_with("../")
        || m.path.starts_with('/')
}

/// The packages build info names: the `stdlib`, the main module, every dependency (see the
/// crate docs for the conventions).
#[must_use]
pub fn packages(info: &GoBuildInfo) -> Vec<BinaryPackage> {
    let mut out = Vec::with_capacity(info.deps.len() + 2);
    if let Some(v) = stdlib_version(&info.go_version) {
        out.push(go_package("stdlib", &v, PackageKind::GoStdlib, false));
    }
    if let Some(main) = info.main.as_ref().filter(|m| !m.path.is_empty()) {
        let version = main_version(info, main);
        out.push(go_package(
            &main.path,
            &version,
            PackageKind::GoModule,
            true,
        ));
    }
    for dep in &info.deps {
        let m = match dep.replace.as_deref() {
            Some(r) if is_local(r) => continue,
            Some(r) => r,
            None => dep,
        };
        if m.path.is_empty() {
            continue;
        }
        out.push(go_package(
            &m.path,
            &m.version,
            PackageKind::GoModule,
            false,
        ));
    }
    out
}

/// The main module's version: as recorded, unless `(devel)`.
fn main_version(info: &GoBuildInfo, main: &GoModule) -> String {
    let m = match main.replace.as_deref() {
        Some(r) if !is_local(r) => r,
        _ => main,
    };
    if m.version != "(devel)" {
        return m.version.clone();
    }
    if let Some(v) = info
        .setting("-ldflags")
        .and_then(|flags| ldflags_version(&m.path, flags))
    {
        return v;
    }
    if let (Some(rev), Some(time)) = (info.setting("vcs.revision"), info.setting("vcs.time"))
        && let Some(v) = pseudo_version(rev, time)
    {
        return v;
    }
    String::new()
}

/// `v0.0.0-YYYYMMDDHHMMSS-REV12` from a commit and its RFC 3339 UTC time (`2024-02-29T18:18:15Z`).
fn pseudo_version(rev: &str, time: &str) -> Option<String> {
    let t = time.strip_suffix('Z')?;
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 14 || t.len() != 19 {
        return None;
    }
    let rev: String = rev.chars().take(12).collect();
    if rev.is_empty() || !rev.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    Some(format!("v0.0.0-{digits}-{rev}"))
}

/// The version stamped into the main module with `-ldflags "-X pkg.var=value"`, by trivy's
/// rules (see the crate docs).
#[must_use]
pub fn ldflags_version(module: &str, ldflags: &str) -> Option<String> {
    let words = shell_words(ldflags);
    let mut assigns: Vec<&str> = Vec::new();
    let mut it = words.iter();
    while let Some(w) = it.next() {
        let w = w.as_str();
        if let Some(v) = w
            .strip_prefix("-X=")
            .or_else(|| w.strip_prefix("--X="))
            .or_else(|| w.strip_prefix("-X").filter(|v| !v.is_empty()))
        {
            assigns.push(v);
        } else if (w == "-X" || w == "--X")
            && let Some(v) = it.next()
        {
            assigns.push(v.as_str());
        }
    }
    let cmd_prefix = format!("{module}/cmd/");
    let (mut cmd, mut default, mut other) = (Vec::new(), Vec::new(), Vec::new());
    for a in assigns {
        let a = a.trim_matches(|c| c == '\'' || c == '"');
        let Some((key, value)) = a.split_once('=') else {
            continue;
        };
        let Some((pkg, var)) = key.rsplit_once('.') else {
            continue;
        };
        if !(var.eq_ignore_ascii_case("version") || var.eq_ignore_ascii_case("ver")) {
            continue;
        }
        let value = value.trim_matches(|c| c == '\'' || c == '"');
        if value.is_empty() {
            continue;
        }
        let last = pkg.rsplit('/').next().unwrap_or(pkg).to_ascii_lowercase();
        if key.starts_with(&cmd_prefix) {
            cmd.push(value);
        } else if matches!(last.as_str(), "main" | "common" | "version" | "cmd") {
            default.push(value);
        } else {
            other.push(value);
        }
    }
    for group in [cmd, default, other] {
        match group.as_slice() {
            [one] => return Some((*one).to_owned()),
            [] => continue,
            _ => return None,
        }
    }
    None
}

/// Splits a flag string as a POSIX shell would (quotes and backslashes), enough for `-ldflags`.
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    in_word = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

fn go_package(path: &str, version: &str, kind: PackageKind, main: bool) -> BinaryPackage {
    BinaryPackage {
        name: path.to_owned(),
        version: version.to_owned(),
        purl: go_purl(path, version),
        ecosystem: Some(Ecosystem::Go),
        kind,
        main_module: main,
    }
}

/// `pkg:golang/NAMESPACE/NAME@VERSION`, the namespace being the path up to its last `/`.
#[must_use]
pub fn go_purl(path: &str, version: &str) -> String {
    let (ns, name) = match path.rsplit_once('/') {
        Some((ns, n)) if !ns.is_empty() && !n.is_empty() => (Some(ns), n),
        _ => (None, path),
    };
    crate::runtime::purl("golang", ns, name, version, &[])
        .unwrap_or_else(|| format!("pkg:golang/{path}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdlib_version_is_the_vulndb_semver_form_and_refuses_devel() {
        let v = |s: &str| stdlib_version(s);
        assert_eq!(v("go1.22.1").as_deref(), Some("1.22.1"));
        assert_eq!(v("go1.22.1 X:boringcrypto").as_deref(), Some("1.22.1"));
        assert_eq!(v("go1.20").as_deref(), Some("1.20.0"));
        assert_eq!(v("go1").as_deref(), Some("1.0.0"));
        assert_eq!(v("go1.21rc2").as_deref(), Some("1.21.0-rc.2"));
        assert_eq!(v("go1.19beta1").as_deref(), Some("1.19.0-beta.1"));
        assert_eq!(v("go1.22-pre3").as_deref(), Some("1.22-pre3")); // unknown form: as is
        assert_eq!(v("devel go1.23-abcdef +x"), None);
        assert_eq!(v(""), None);
    }

    #[test]
    fn ldflags_version_follows_trivys_ranks() {
        let m = "github.com/aquasecurity/trivy";
        let v = |f: &str| ldflags_version(m, f);
        assert_eq!(
            v("-s -w -X=foo=bar -X='github.com/aquasecurity/trivy/pkg/version/app.ver=v0.50.1'")
                .as_deref(),
            Some("v0.50.1")
        );
        assert_eq!(v("-X main.version=v1.0.0").as_deref(), Some("v1.0.0"));
        assert_eq!(
            v("-X=\"github.com/aquasecurity/trivy/pkg/version.Ver=0.50.1\"").as_deref(),
            Some("0.50.1")
        );
        assert_eq!(v("-X='github.com/aquasecurity/trivy/cmd/Any.Ver=0.50.0' -X='github.com/aquasecurity/trivy/pkg/version.Ver=0.50.1'").as_deref(), Some("0.50.0"));
        assert_eq!(
            v(
                "-X='github.com/aquasecurity/trivy/pkg/Common.Ver=0.50.0' -X='github.com/aquasecurity/trivy/pkg/Main.Ver=0.50.1'"
            ),
            None
        );
        assert_eq!(
            v(
                "-X='github.com/aquasecurity/trivy/pkg/Any.Ver=0.50.1' -X='github.com/aquasecurity/trivy/pkg/Any-pref.Ver=0.50.0'"
            ),
            None
        );
        assert_eq!(
            ldflags_version(
                "github.com/argoproj/argo-cd/v2",
                "-s -w -X='github.com/argoproj/argo-cd/v2/common.kubectlVersion=v0.26.11'"
            ),
            None
        );
        assert_eq!(v(""), None);
    }

    #[test]
    fn pseudo_version_is_gos_form() {
        assert_eq!(
            pseudo_version("0123456789abcdef0123", "2024-02-29T18:18:15Z").as_deref(),
            Some("v0.0.0-20240229181815-0123456789ab")
        );
        assert_eq!(pseudo_version("abc", "2024-02-29T18:18:15+01:00"), None);
        assert_eq!(pseudo_version("xyz", "2024-02-29T18:18:15Z"), None);
    }

    #[test]
    fn settings_are_unquoted_like_go() {
        assert_eq!(setting("CGO_ENABLED=1"), ("CGO_ENABLED".into(), "1".into()));
        assert_eq!(setting("CGO_CFLAGS="), ("CGO_CFLAGS".into(), String::new()));
        assert_eq!(
            setting("-ldflags=\"-s -w -X \\\"main.version=1\\\"\""),
            ("-ldflags".into(), "-s -w -X \"main.version=1\"".into())
        );
        assert_eq!(setting("\"a=b\"=\"c\\td\""), ("a=b".into(), "c\td".into()));
        assert_eq!(setting("k=\"\\xe2\\x82\\xac\""), ("k".into(), "€".into()));
    }

    #[test]
    fn mod_info_parses_records_and_replacements() {
        let text = "path\tex.com/app\nmod\tex.com/app\t(devel)\t\ndep\ta.com/x\tv1.0.0\th1:x=\n=>\tb.com/y\tv1.1.0\th1:y=\ndep\tc.com/z\tv0.1.0\t\n=>\t../z\t\t\nbuild\tGOOS=linux\n";
        let info = parse_mod_info(text).unwrap();
        assert_eq!(info.path, "ex.com/app");
        assert_eq!(
            info.main.as_ref().map(|m| m.version.as_str()),
            Some("(devel)")
        );
        assert_eq!(info.deps.len(), 2);
        assert_eq!(
            info.deps[0].replace.as_ref().map(|r| r.path.as_str()),
            Some("b.com/y")
        );
        assert_eq!(info.settings, vec![("GOOS".to_owned(), "linux".to_owned())]);
        let pkgs = packages(&info);
        let names: Vec<_> = pkgs
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.main_module))
            .collect();
        // No toolchain version (the header holds it), main with (devel) -> empty, the local
        // replacement left out.
        assert_eq!(
            names,
            vec![("ex.com/app", "", true), ("b.com/y", "v1.1.0", false)]
        );
        assert_eq!(pkgs[0].purl, "pkg:golang/ex.com/app");
        assert_eq!(pkgs[1].purl, "pkg:golang/b.com/y@v1.1.0");
        assert!(parse_mod_info("=>\tx\tv1\t\n").is_err());
        assert!(parse_mod_info("dep\tx\n").is_err());
    }

    #[test]
    fn varint_strings_are_bounded() {
        assert_eq!(
            read_varint_string(b"\x03abcdef").unwrap(),
            (&b"abc"[..], &b"def"[..])
        );
        assert!(read_varint_string(b"\x05abc").is_err());
        assert!(read_varint_string(b"\xff\xff\xff\xff\x7f").is_err());
        assert!(read_varint_string(b"").is_err());
    }
}
