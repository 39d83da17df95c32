//! Licenses from machine-readable Debian copyright files
//! (`usr/share/doc/<package>/copyright`, DEP-5 format).
//!
//! Only files whose first paragraph carries a `Format:` field naming the copyright format are
//! read: free-text copyright files name licenses in prose, and guessing from prose would
//! report licenses the package does not carry. Each `License:` field's first line is a short
//! name or an expression of short names (`GPL-2+ or Artistic`); the names are kept, common
//! ones translated to SPDX identifiers where the translation is unambiguous.

/// Most license names kept from one file.
const MAX_NAMES: usize = 256;
/// Longest license name kept.
const MAX_NAME_LEN: usize = 256;

/// The license short names a DEP-5 copyright file declares, in order of first appearance,
/// normalized to SPDX where unambiguous. Empty for files that are not machine-readable.
///
/// ```
/// let text = b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n\
/// Files: *\nCopyright: someone\nLicense: GPL-2+\n\nFiles: lib/*\nLicense: Expat or BSD-3-clause\n";
/// assert_eq!(bosun_catalog::copyright::licenses(text), ["GPL-2.0-or-later", "MIT", "BSD-3-Clause"]);
/// ```
#[must_use]
pub fn licenses(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    // The header paragraph must come first and carry `Format:`.
    let machine_readable = lines
        .by_ref()
        .take_while(|l| !l.trim().is_empty())
        .any(|l| {
            field(l, "format").is_some_and(|v| {
                let v = v.to_ascii_lowercase();
                v.contains("copyright-format") || v.contains("dep5") || v.contains("dep-5")
            })
        });
    if !machine_readable {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        let Some(value) = field(line.trim_end_matches('\r'), "license") else {
            continue;
        };
        for name in split_expression(value) {
            let name = normalize(name);
            if !out.contains(&name) {
                out.push(name);
            }
            if out.len() >= MAX_NAMES {
                return out;
            }
        }
    }
    out
}

/// The value of `Name: value` when the line is that field (case-insensitive name).
fn field<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    if line.starts_with([' ', '\t']) {
        return None;
    }
    let (n, v) = line.split_once(':')?;
    n.eq_ignore_ascii_case(name).then_some(v.trim())
}

/// Splits a license expression into its short names (`A or B`, `A and B`, `A | B`,
/// `A, B`); `with` exceptions stay attached to their license.
fn split_expression(value: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = value;
    loop {
        let lower = rest.to_ascii_lowercase();
        // The earliest separator; at the same place the longest (` and/or ` over ` and `).
        let cut = [" and/or ", " or ", " and ", " | ", ", ", " & "]
            .iter()
            .filter_map(|sep| lower.find(sep).map(|i| (i, sep.len())))
            .min_by_key(|&(i, len)| (i, std::cmp::Reverse(len)));
        let (head, tail) = match cut {
            Some((i, len)) => (
                rest.get(..i).unwrap_or(""),
                rest.get(i.saturating_add(len)..).unwrap_or(""),
            ),
            None => (rest, ""),
        };
        let head = head.trim().trim_matches(|c| c == '(' || c == ')').trim();
        if !head.is_empty() && head.len() <= MAX_NAME_LEN {
            names.push(head);
        }
        if cut.is_none() {
            return names;
        }
        rest = tail;
    }
}

/// Translates a DEP-5 short name to its SPDX identifier where the meaning is unambiguous;
/// anything else is kept as written.
#[must_use]
pub fn normalize(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let fixed = match lower.as_str() {
        "expat" | "mit" => Some("MIT"),
        "apache-2" | "apache-2.0" => Some("Apache-2.0"),
        "bsd-2-clause" => Some("BSD-2-Clause"),
        "bsd-3-clause" => Some("BSD-3-Clause"),
        "bsd-4-clause" => Some("BSD-4-Clause"),
        "isc" => Some("ISC"),
        "zlib" => Some("Zlib"),
        "cc0-1.0" | "cc0" => Some("CC0-1.0"),
        "mpl-1.1" => Some("MPL-1.1"),
        "mpl-2.0" | "mpl-2" => Some("MPL-2.0"),
        "bsl-1.0" => Some("BSL-1.0"),
        "openssl" => Some("OpenSSL"),
        "curl" => Some("curl"),
        "x11" => Some("X11"),
        "fsfap" => Some("FSFAP"),
        "fsful" => Some("FSFUL"),
        "fsfullr" => Some("FSFULLR"),
        "unicode-dfs-2016" => Some("Unicode-DFS-2016"),
        _ => None,
    };
    if let Some(f) = fixed {
        return f.to_owned();
    }
    gnu(&lower).unwrap_or_else(|| name.to_owned())
}

/// `GPL-2+` → `GPL-2.0-or-later`, `LGPL-2.1` → `LGPL-2.1-only`, and the like for AGPL and
/// GFDL.
fn gnu(lower: &str) -> Option<String> {
    let (family, rest) = ["lgpl-", "agpl-", "gfdl-", "gpl-"]
        .iter()
        .find_map(|p| lower.strip_prefix(p).map(|r| (*p, r)))?;
    let (version, plus) = match rest.strip_suffix('+') {
        Some(v) => (v, true),
        None => (rest, false),
    };
    let version = match version {
        "1" | "1.0" => "1.0",
        "2" | "2.0" => "2.0",
        "2.1" => "2.1",
        "3" | "3.0" => "3.0",
        "1.1" => "1.1",
        "1.2" => "1.2",
        "1.3" => "1.3",
        _ => return None,
    };
    let family = match family {
        "lgpl-" => "LGPL",
        "agpl-" => "AGPL",
        "gfdl-" => "GFDL",
        _ => "GPL",
    };
    let known = matches!(
        (family, version),
        ("GPL", "1.0" | "2.0" | "3.0")
            | ("LGPL", "2.0" | "2.1" | "3.0")
            | ("AGPL", "1.0" | "3.0")
            | ("GFDL", "1.1" | "1.2" | "1.3")
    );
    known.then(|| {
        format!(
            "{family}-{version}-{}",
            if plus { "or-later" } else { "only" }
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gnu_names() {
        assert_eq!(normalize("GPL-2+"), "GPL-2.0-or-later");
        assert_eq!(normalize("GPL-2"), "GPL-2.0-only");
        assert_eq!(normalize("LGPL-2.1+"), "LGPL-2.1-or-later");
        assert_eq!(normalize("GPL-3.0+"), "GPL-3.0-or-later");
        assert_eq!(normalize("GFDL-1.3"), "GFDL-1.3-only");
        assert_eq!(normalize("GPL-4"), "GPL-4");
        assert_eq!(normalize("public-domain"), "public-domain");
    }

    #[test]
    fn and_or_splits() {
        assert_eq!(
            split_expression("Apache-2.0 and/or Expat"),
            ["Apache-2.0", "Expat"]
        );
        assert_eq!(
            split_expression("(GPL-2+ or BSD), MIT"),
            ["GPL-2+", "BSD", "MIT"]
        );
    }

    #[test]
    fn not_machine_readable_is_empty() {
        assert!(licenses(b"This is free software.\nLicense: GPL-2\n").is_empty());
    }

    #[test]
    fn with_exception_kept() {
        let t = b"Format: http://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-3+ with autoconf exception\n";
        assert_eq!(licenses(t), ["GPL-3+ with autoconf exception"]);
    }
}
