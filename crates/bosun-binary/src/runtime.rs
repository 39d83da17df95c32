//! Runtimes installed outside a package manager (a `python:3.12` image's `/usr/local`, a JDK
//! unpacked in `/opt`), identified from their files as syft's binary classifiers and JVM
//! `release` cataloger do:
//!
//! | runtime | file | evidence | purl |
//! | --- | --- | --- | --- |
//! | CPython | `python3.12` (name has the version) | `\0` + `3.12…` + `\0` in the body | `pkg:generic/python@3.12.1` |
//! | CPython | `libpython3.12.so*` | the same | `pkg:generic/python@3.12.1` |
//! | Node.js | `node` | `node.js/v22.9.0`, or `\0v6.17.1\0` (`\0node v0.10.48\0`) for 0.x and 4–6 | `pkg:generic/node@22.9.0` |
//! | Node.js | `libnode.so*` (a `node` built with `--shared`, as Debian's) | the same | `pkg:generic/node@18.20.4` |
//! | Go | `go`, `go.exe` | the binary's own Go build info, else `go1.22.1\0` in the body | `pkg:generic/go@1.22.1` |
//! | Go | `…/go/VERSION` | a first line `go1.22.1` | `pkg:generic/go@1.22.1` |
//! | JDK/JRE | `…/release` | `JAVA_RUNTIME_VERSION=`/`JAVA_VERSION=` lines, `IMPLEMENTOR` | `pkg:generic/oracle/openjdk@17.0.15%2B6` |
//!
//! JVM naming follows syft: Azul (or a path with `zulu`) is `azul/zulu`; Sun and Oracle builds
//! are `sun/…` and `oracle/…` with product `jdk` (or `jre` when `IMAGE_TYPE` says so); every
//! other implementor (Eclipse Adoptium, Debian, Amazon, Microsoft…) is `oracle/openjdk`. The
//! version is `JAVA_RUNTIME_VERSION`, else `FULL_VERSION` when its major matches
//! `JAVA_VERSION`, else `JAVA_VERSION`; the purl carries `repository_url` from `SOURCE_REPO`
//! (or `BUILD_SOURCE_REPO`).
//!
//! Known limit (shared with syft): a CPython whose version literal the linker merged into
//! the tail of a longer string (some pyenv builds: only `/Python-3.11.7\0` is present) is
//! not recognized.

use crate::{BinaryPackage, PackageKind};

/// The largest text file a classifier reads (a JDK `release` file is about 2 KiB; syft
/// reads up to 500 KB).
pub const MAX_TEXT_FILE: usize = 512 << 10;

/// A purl from its parts; `None` when the parts are invalid (an empty name or type).
pub(crate) fn purl(
    ty: &str,
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> Option<String> {
    let mut p = packageurl::PackageUrl::new(ty, name).ok()?;
    if let Some(ns) = namespace {
        p.with_namespace(ns).ok()?;
    }
    if !version.is_empty() {
        p.with_version(version).ok()?;
    }
    for (k, v) in qualifiers {
        p.add_qualifier(*k, *v).ok()?;
    }
    Some(p.to_string())
}

fn runtime_package(
    namespace: Option<&str>,
    name: &str,
    version: &str,
    qualifiers: &[(&str, &str)],
) -> Option<BinaryPackage> {
    Some(BinaryPackage {
        name: name.to_owned(),
        version: version.to_owned(),
        purl: purl("generic", namespace, name, version, qualifiers)?,
        ecosystem: None,
        kind: PackageKind::Runtime,
        main_module: false,
    })
}

fn file_name(path: &str) -> &str {
    crate::file_name(path)
}

/// Whether the path is one of the text files a classifier reads (`…/go/VERSION`, `release`).
#[must_use]
pub fn is_text_classifier_path(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    path.ends_with("/go/VERSION") || path == "go/VERSION" || file_name(path) == "release"
}

/// The runtime a text file names (`…/go/VERSION`, a JVM `release` file), if any.
#[must_use]
pub fn classify_text(path: &str, bytes: &[u8]) -> Option<BinaryPackage> {
    if bytes.len() > MAX_TEXT_FILE {
        return None;
    }
    if file_name(path) == "release" {
        return jvm_release(path, bytes);
    }
    let first = bytes.split(|&b| b == b'\n').next()?;
    let first = std::str::from_utf8(first).ok()?.trim();
    let v = first.strip_prefix("go")?;
    let len = go_version_len(v.as_bytes(), true)?;
    (len == v.len()).then_some(())?;
    runtime_package(None, "go", v, &[])
}

/// The length of a Go toolchain version at the start of `b` (after `go`):
/// `\d+\.\d+(\.\d+|beta\d+|alpha\d+|rc\d+)?`, and with `dash` also `-[_0-9a-z]+`.
fn go_version_len(b: &[u8], dash: bool) -> Option<usize> {
    let digits = |from: usize| {
        b.get(from..)
            .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count())
    };
    let major = digits(0);
    if major == 0 || b.get(major) != Some(&b'.') {
        return None;
    }
    let minor = digits(major + 1);
    if minor == 0 {
        return None;
    }
    let end = major + 1 + minor;
    let rest = b.get(end..).unwrap_or_default();
    let suffix = if rest.first() == Some(&b'.') {
        match digits(end + 1) {
            0 => 0,
            n => n + 1,
        }
    } else if let Some(tag) = [&b"beta"[..], b"alpha", b"rc"]
        .into_iter()
        .find(|t| rest.starts_with(t))
    {
        match digits(end + tag.len()) {
            0 => 0,
            n => n + tag.len(),
        }
    } else if dash && rest.first() == Some(&b'-') {
        let n = rest
            .get(1..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.is_ascii_digit() || c.is_ascii_lowercase() || **c == b'_')
            .count();
        if n == 0 { 0 } else { n + 1 }
    } else {
        0
    };
    Some(end + suffix)
}

/// A JVM `release` file: `KEY="value"` lines.
fn jvm_release(path: &str, bytes: &[u8]) -> Option<BinaryPackage> {
    let text = String::from_utf8_lossy(bytes);
    let get = |key: &str| -> Option<&str> {
        text.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key)
                .then(|| v.trim().trim_matches('"'))
                .filter(|v| !v.is_empty())
        })
    };
    let java_version = get("JAVA_VERSION");
    let runtime_version = get("JAVA_RUNTIME_VERSION");
    if java_version.is_none() && runtime_version.is_none() {
        return None;
    }
    let version = match (runtime_version, get("FULL_VERSION"), java_version) {
        (Some(v), _, _) => v,
        (None, Some(full), Some(java)) if full.split('.').next() == java.split('.').next() => full,
        (None, Some(full), None) => full,
        (None, _, Some(java)) => java,
        (None, _, None) => return None,
    };
    let implementor = get("IMPLEMENTOR")
        .unwrap_or_default()
        .to_ascii_lowercase()
        .replace(' ', "");
    let product = if get("IMAGE_TYPE").is_some_and(|t| t.to_ascii_lowercase().contains("jre")) {
        "jre"
    } else {
        "jdk"
    };
    let (vendor, name) = if implementor.contains("azul") || path.contains("zulu") {
        ("azul", "zulu")
    } else if implementor.contains("sun") {
        ("sun", product)
    } else if implementor.contains("oracle") || path.contains("oracle") {
        ("oracle", product)
    } else {
        ("oracle", "openjdk")
    };
    let repo = get("SOURCE_REPO").or_else(|| get("BUILD_SOURCE_REPO"));
    let quals: Vec<(&str, &str)> = repo.map(|r| ("repository_url", r)).into_iter().collect();
    runtime_package(Some(vendor), name, version, &quals)
}

/// The runtimes an executable's file name and body identify (CPython, Node.js, the Go
/// toolchain).
#[must_use]
pub fn classify_binary(path: &str, bytes: &[u8]) -> Vec<BinaryPackage> {
    let name = file_name(path);
    let found = if let Some(prefix) = python_version_prefix(name) {
        python_version(bytes, prefix).and_then(|v| runtime_package(None, "python", &v, &[]))
    } else if name == "node" || name.starts_with("libnode.so") {
        node_version(bytes).and_then(|v| runtime_package(None, "node", &v, &[]))
    } else if name == "go" || name == "go.exe" {
        go_toolchain_version(bytes).and_then(|v| runtime_package(None, "go", &v, &[]))
    } else {
        None
    };
    found.into_iter().collect()
}

/// Whether a shared library is one a classifier reads (`libpython3.12.so.1.0`,
/// `libnode.so.108`), so it is
/// wanted even without an execute bit.
#[must_use]
pub fn is_classified_library(name: &str) -> bool {
    (name.starts_with("libpython") && python_version_prefix(name).is_some())
        || name.starts_with("libnode.so")
}

/// `3.12` from `python3.12` or `libpython3.12.so.1.0` / `libpython3.12d.so`.
fn python_version_prefix(name: &str) -> Option<&str> {
    let (rest, lib) = match name.strip_prefix("libpython") {
        Some(r) => (r, true),
        None => (name.strip_prefix("python")?, false),
    };
    let len = rest
        .bytes()
        .take_while(|c| c.is_ascii_digit() || *c == b'.')
        .count();
    let ver = rest.get(..len)?.trim_end_matches('.');
    // digits, then at least one `.digits`
    let mut parts = ver.split('.');
    let ok =
        ver.contains('.') && parts.all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()));
    if !ok {
        return None;
    }
    let after = rest.get(ver.len()..)?;
    if lib {
        // `[a-z]?\.so.*`
        let after = after
            .strip_prefix(|c: char| c.is_ascii_lowercase())
            .unwrap_or(after);
        after.starts_with(".so").then_some(ver)
    } else {
        after.is_empty().then_some(ver)
    }
}

/// The first `\0PREFIX[-._a-zA-Z0-9]*\0` in the body: CPython's `PY_VERSION` literal.
fn python_version(bytes: &[u8], prefix: &str) -> Option<String> {
    let mut needle = Vec::with_capacity(prefix.len() + 1);
    needle.push(0u8);
    needle.extend_from_slice(prefix.as_bytes());
    for at in memchr::memmem::find_iter(bytes, &needle) {
        let start = at + 1;
        let tail = bytes.get(start + prefix.len()..)?;
        let n = tail
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_'))
            .count();
        if tail.get(n) == Some(&0) {
            return std::str::from_utf8(bytes.get(start..start + prefix.len() + n)?)
                .ok()
                .map(str::to_owned);
        }
    }
    None
}

/// `d+.d+.d+` at the start of `b`: its length.
fn triple_len(b: &[u8]) -> Option<usize> {
    let mut i = 0;
    for part in 0..3 {
        let n = b
            .get(i..)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if n == 0 {
            return None;
        }
        i += n;
        if part < 2 {
            if b.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
    }
    Some(i)
}

fn ascii(b: &[u8]) -> Option<String> {
    std::str::from_utf8(b).ok().map(str::to_owned)
}

/// Node.js: `node.js/vX.Y.Z` (modern builds), else `\0vX.Y.Z\0` / `\0node vX.Y.Z\0` for
/// 0.x and 4–6.
fn node_version(bytes: &[u8]) -> Option<String> {
    const TAG: &[u8] = b"node.js/v";
    for at in memchr::memmem::find_iter(bytes, TAG) {
        let rest = bytes.get(at + TAG.len()..)?;
        if let Some(n) = triple_len(rest) {
            return ascii(rest.get(..n)?);
        }
    }
    for at in memchr::memmem::find_iter(bytes, b"\0v") {
        let rest = bytes.get(at + 2..)?;
        if let Some(v) = old_node(rest) {
            return Some(v);
        }
    }
    for at in memchr::memmem::find_iter(bytes, b"\0node v") {
        let rest = bytes.get(at + 7..)?;
        if let Some(v) = old_node(rest) {
            return Some(v);
        }
    }
    None
}

/// `(0|4|5|6).d+.d+\0` at the start of `rest`.
fn old_node(rest: &[u8]) -> Option<String> {
    if !matches!(rest.first(), Some(b'0' | b'4' | b'5' | b'6')) || rest.get(1) != Some(&b'.') {
        return None;
    }
    let n = triple_len(rest)?;
    (rest.get(n) == Some(&0)).then(|| ascii(rest.get(..n)?))?
}

/// The Go toolchain a `go` binary belongs to: the toolchain it was built with (`cmd/go` is
/// built by its own toolchain), else the first `go1.X[.Y]\0` literal (syft's pattern).
fn go_toolchain_version(bytes: &[u8]) -> Option<String> {
    if let Ok(Some(info)) = crate::go::build_info(bytes)
        && info.path == "cmd/go"
        && let Some(v) = info.go_version.split_whitespace().next()
        && let Some(v) = v.strip_prefix("go")
        && v.starts_with(|c: char| c.is_ascii_digit())
    {
        return Some(v.to_owned());
    }
    for at in memchr::memmem::find_iter(bytes, b"go1.") {
        let rest = bytes.get(at + 2..)?;
        if let Some(n) = go_version_len(rest, false)
            && rest.get(n) == Some(&0)
        {
            return ascii(rest.get(..n)?);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_names() {
        assert_eq!(python_version_prefix("python3.12"), Some("3.12"));
        assert_eq!(python_version_prefix("python3"), None);
        assert_eq!(python_version_prefix("python3.12-config"), None);
        assert_eq!(python_version_prefix("libpython3.12.so.1.0"), Some("3.12"));
        assert_eq!(python_version_prefix("libpython3.7m.so"), Some("3.7"));
        assert_eq!(python_version_prefix("libpython3.12.a"), None);
        assert_eq!(python_version_prefix("pythonista"), None);
    }

    #[test]
    fn go_versions() {
        assert_eq!(go_version_len(b"1.22.1\0", false), Some(6));
        assert_eq!(go_version_len(b"1.21rc2 ", false), Some(7));
        assert_eq!(go_version_len(b"1.22", false), Some(4));
        assert_eq!(go_version_len(b"1.22-pre3", true), Some(9));
        assert_eq!(go_version_len(b"1.22-pre3", false), Some(4));
        assert_eq!(go_version_len(b"x1.2", false), None);
        assert_eq!(go_version_len(b"1.", false), None);
    }
}
