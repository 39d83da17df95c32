//! The operating system release: `os-release` and the older per-distribution files.
//!
//! `os-release` is a shell-compatible `KEY=value` file (see `os-release(5)`); values may be
//! quoted with `"` or `'` and use backslash escapes inside double quotes. The fallbacks are
//! one-line files (`3.20.3`, `12.4`, `Red Hat Enterprise Linux release 8.6 (Ootpa)`).

use bosun_inventory::OsInfo;

/// Longest value kept from any field, so a hostile file cannot make us keep megabytes.
const MAX_VALUE: usize = 4096;

/// Parses an `os-release` file. Returns `None` when it names no `ID`.
///
/// ```
/// let os = bosun_catalog::os_release::parse(b"ID=debian\nVERSION_ID=\"12\"\n", "etc/os-release").unwrap();
/// assert_eq!((os.id.as_str(), os.version_id.as_deref()), ("debian", Some("12")));
/// ```
#[must_use]
pub fn parse(bytes: &[u8], source_file: &str) -> Option<OsInfo> {
    let text = String::from_utf8_lossy(bytes);
    let mut os = OsInfo {
        source_file: source_file.to_owned(),
        ..OsInfo::default()
    };
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, raw)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(raw.trim());
        if value.is_empty() {
            continue;
        }
        match key.trim() {
            "ID" => os.id = value.to_ascii_lowercase(),
            "VERSION_ID" => os.version_id = Some(value),
            "VERSION_CODENAME" => os.codename = Some(value),
            "PRETTY_NAME" => os.pretty_name = Some(value),
            "ID_LIKE" => {
                os.id_like = value.split_whitespace().map(str::to_owned).collect();
            }
            _ => {}
        }
    }
    (!os.id.is_empty()).then_some(os)
}

/// Removes shell quoting from an `os-release` value.
fn unquote(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars();
    let quote = match raw.chars().next() {
        Some(q @ ('"' | '\'')) => {
            chars.next();
            Some(q)
        }
        _ => None,
    };
    while let Some(c) = chars.next() {
        if out.len() >= MAX_VALUE {
            break;
        }
        match (quote, c) {
            (Some(q), c) if c == q => break,
            (Some('"') | None, '\\') => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            (None, '#') => break,
            (None, c) if c.is_whitespace() => break,
            (_, c) => out.push(c),
        }
    }
    out
}

/// Which fallback file it is; decides how its one line is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// `etc/alpine-release`: `3.20.3`.
    Alpine,
    /// `etc/debian_version`: `12.4` or `bookworm/sid`.
    Debian,
    /// `etc/redhat-release`, `etc/centos-release`, `etc/fedora-release`,
    /// `etc/rocky-release`, `etc/almalinux-release`, `etc/system-release`:
    /// `<Name> release <version> (<codename>)`.
    RedHatLike,
}

/// The fallback files, in the order they are tried, with their kind.
pub const FALLBACKS: &[(&str, Fallback)] = &[
    ("etc/alpine-release", Fallback::Alpine),
    ("etc/centos-release", Fallback::RedHatLike),
    ("etc/fedora-release", Fallback::RedHatLike),
    ("etc/rocky-release", Fallback::RedHatLike),
    ("etc/almalinux-release", Fallback::RedHatLike),
    ("etc/redhat-release", Fallback::RedHatLike),
    ("etc/system-release", Fallback::RedHatLike),
    ("etc/debian_version", Fallback::Debian),
];

/// The primary files, in the order they are tried.
pub const PRIMARY: &[&str] = &["etc/os-release", "usr/lib/os-release"];

/// Reads one fallback file. Returns `None` when its first line says nothing usable.
///
/// ```
/// use bosun_catalog::os_release::{parse_fallback, Fallback};
/// let os = parse_fallback(b"CentOS Linux release 7.9.2009 (Core)\n", Fallback::RedHatLike, "etc/centos-release").unwrap();
/// assert_eq!((os.id.as_str(), os.version_id.as_deref()), ("centos", Some("7.9.2009")));
/// ```
#[must_use]
pub fn parse_fallback(bytes: &[u8], kind: Fallback, source_file: &str) -> Option<OsInfo> {
    let text = String::from_utf8_lossy(bytes.get(..MAX_VALUE).unwrap_or(bytes));
    let line = text.lines().next()?.trim();
    if line.is_empty() {
        return None;
    }
    let mut os = OsInfo {
        source_file: source_file.to_owned(),
        ..OsInfo::default()
    };
    match kind {
        Fallback::Alpine => {
            os.id = "alpine".into();
            os.version_id = Some(line.to_owned());
        }
        Fallback::Debian => {
            os.id = "debian".into();
            if line.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                // `12.4` → VERSION_ID is the major release, as in os-release.
                os.version_id = line.split('.').next().map(str::to_owned);
            } else {
                // `bookworm/sid`: a testing or unstable system.
                os.codename = line.split('/').next().map(str::to_owned);
            }
        }
        Fallback::RedHatLike => {
            let (name, rest) = line.split_once(" release ")?;
            os.pretty_name = Some(line.to_owned());
            os.id = redhat_id(name).to_owned();
            os.version_id = rest.split_whitespace().next().map(str::to_owned);
        }
    }
    Some(os)
}

/// Maps the distribution name of a `*-release` line to its os-release `ID`.
fn redhat_id(name: &str) -> &'static str {
    let lower = name.to_ascii_lowercase();
    if lower.contains("centos") {
        "centos"
    } else if lower.contains("fedora") {
        "fedora"
    } else if lower.contains("rocky") {
        "rocky"
    } else if lower.contains("alma") {
        "almalinux"
    } else if lower.contains("amazon") {
        "amzn"
    } else if lower.contains("oracle") {
        "ol"
    } else if lower.contains("mariner") {
        "mariner"
    } else {
        "rhel"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_escapes() {
        let os = parse(
            b"ID='ubuntu'\nPRETTY_NAME=\"Ubuntu \\\"22.04\\\" LTS\"\nID_LIKE=\"rhel  fedora\"\nVERSION_ID=1.0 # comment\n",
            "x",
        )
        .unwrap();
        assert_eq!(os.id, "ubuntu");
        assert_eq!(os.pretty_name.as_deref(), Some("Ubuntu \"22.04\" LTS"));
        assert_eq!(os.id_like, ["rhel", "fedora"]);
        assert_eq!(os.version_id.as_deref(), Some("1.0"));
    }

    #[test]
    fn no_id_is_none() {
        assert!(parse(b"NAME=foo\n", "x").is_none());
        assert!(parse(b"", "x").is_none());
    }

    #[test]
    fn debian_version_testing() {
        let os = parse_fallback(b"trixie/sid\n", Fallback::Debian, "etc/debian_version").unwrap();
        assert_eq!(os.codename.as_deref(), Some("trixie"));
        assert_eq!(os.version_id, None);
    }
}
