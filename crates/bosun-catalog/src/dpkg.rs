//! The dpkg database: `var/lib/dpkg/status` (one paragraph per package), distroless
//! `var/lib/dpkg/status.d/<name>` files (same format, one file per package), and the
//! `var/lib/dpkg/info/<name>[:<arch>].list` files naming what each package installed.
//!
//! The format is deb822: paragraphs of `Field: value` lines separated by blank lines; a line
//! starting with a space or tab continues the previous field. We follow dpkg: a line that is
//! neither a field nor a continuation makes the whole file unreadable (dpkg refuses it too),
//! while a paragraph that lacks what a package needs is skipped and reported.

use crate::CatalogError;

/// One paragraph of a status file, with the fields bosun uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DpkgEntry {
    /// `Package`.
    pub package: String,
    /// `Version` (`[epoch:]upstream[-revision]`).
    pub version: String,
    /// `Architecture` (`amd64`, `all`).
    pub architecture: Option<String>,
    /// Source package name: `Source`'s name, or the package name when absent.
    pub source_name: String,
    /// Source package version: the `(version)` of `Source`, or the package version.
    pub source_version: String,
    /// `Status` (`install ok installed`), when present.
    pub status: Option<String>,
    /// `Maintainer`.
    pub maintainer: Option<String>,
}

impl DpkgEntry {
    /// Whether dpkg counts the package as installed: the third word of `Status` is
    /// `installed` (`install ok installed`, `hold ok installed`).
    #[must_use]
    pub fn is_installed(&self) -> bool {
        self.status.as_deref().is_some_and(|s| {
            let mut words = s.split_whitespace();
            matches!(
                (words.next(), words.next(), words.next()),
                (Some("install" | "hold"), Some("ok"), Some("installed"))
            )
        })
    }
}

/// What a status file holds: its packages and the paragraphs left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DpkgDb {
    /// Every paragraph with a package name and a valid version, installed or not.
    pub entries: Vec<DpkgEntry>,
    /// Why installed-looking paragraphs were skipped (`line 12: no version`).
    pub skipped: Vec<String>,
}

impl DpkgDb {
    /// The installed packages only.
    pub fn installed(&self) -> impl Iterator<Item = &DpkgEntry> {
        self.entries.iter().filter(|e| e.is_installed())
    }
}

/// Fields being collected for one paragraph.
#[derive(Default)]
struct Paragraph {
    start_line: usize,
    package: Option<String>,
    version: Option<String>,
    architecture: Option<String>,
    source: Option<String>,
    status: Option<String>,
    maintainer: Option<String>,
    any_field: bool,
}

impl Paragraph {
    fn finish(self, db: &mut DpkgDb) {
        if !self.any_field {
            return;
        }
        let installed_looking = self
            .status
            .as_deref()
            .is_some_and(|s| s.split_whitespace().nth(2) == Some("installed"));
        let line = self.start_line;
        let Some(package) = self.package.filter(|p| !p.is_empty()) else {
            if installed_looking {
                db.skipped
                    .push(format!("line {line}: paragraph without a package name"));
            }
            return;
        };
        let Some(version) = self.version.filter(|v| !v.is_empty()) else {
            if installed_looking {
                db.skipped
                    .push(format!("line {line}: {package}: no version"));
            }
            return;
        };
        if !valid_version(&version) {
            if installed_looking {
                db.skipped.push(format!(
                    "line {line}: {package}: invalid version {version:?}"
                ));
            }
            return;
        }
        let (source_name, source_version) = match self.source.as_deref() {
            Some(src) if !src.trim().is_empty() => {
                let (n, v) = split_source(src);
                (
                    n.to_owned(),
                    v.map_or_else(|| version.clone(), str::to_owned),
                )
            }
            _ => (package.clone(), version.clone()),
        };
        db.entries.push(DpkgEntry {
            package,
            version,
            architecture: self.architecture.filter(|a| !a.is_empty()),
            source_name,
            source_version,
            status: self.status,
            maintainer: self.maintainer,
        });
    }
}

/// Splits `Source: name (version)` into its parts.
fn split_source(src: &str) -> (&str, Option<&str>) {
    let src = src.trim();
    match src.split_once('(') {
        Some((name, rest)) => {
            let v = rest.split(')').next().unwrap_or("").trim();
            (name.trim(), (!v.is_empty()).then_some(v))
        }
        None => (src, None),
    }
}

/// dpkg's version syntax: optional numeric epoch, upstream starting with a digit, only
/// alphanumerics and `.+-~:` (colons only with an epoch).
#[must_use]
pub fn valid_version(v: &str) -> bool {
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) => (Some(e), r),
        None => (None, v),
    };
    if let Some(e) = epoch
        && (e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    rest.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.~:".contains(&b))
}

/// Parses a status file (or one `status.d` file).
///
/// # Errors
/// When a line is neither a field, a continuation nor blank, or the bytes hold a NUL: dpkg
/// would refuse the file, and so do we, naming the line.
///
/// ```
/// let db = bosun_catalog::dpkg::parse_status(
///     b"Package: libgcc1\nStatus: install ok installed\nSource: gcc-5 (5.1.1-12)\nVersion: 1:5.1.1-12\n",
/// ).unwrap();
/// let e = &db.entries[0];
/// assert!(e.is_installed());
/// assert_eq!((e.source_name.as_str(), e.source_version.as_str()), ("gcc-5", "5.1.1-12"));
/// ```
pub fn parse_status(bytes: &[u8]) -> Result<DpkgDb, CatalogError> {
    let mut db = DpkgDb::default();
    let mut para = Paragraph::default();
    // Which field the continuation lines belong to (only to reject a continuation that
    // opens a paragraph).
    let mut in_field = false;
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let lineno = i.saturating_add(1);
        if raw.contains(&0) {
            return Err(CatalogError::Dpkg {
                line: lineno,
                what: "nul byte",
            });
        }
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = String::from_utf8_lossy(raw);
        if line.trim().is_empty() {
            std::mem::take(&mut para).finish(&mut db);
            in_field = false;
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if !in_field {
                return Err(CatalogError::Dpkg {
                    line: lineno,
                    what: "continuation line outside a field",
                });
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(CatalogError::Dpkg {
                line: lineno,
                what: "field name not followed by a colon",
            });
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(CatalogError::Dpkg {
                line: lineno,
                what: "invalid field name",
            });
        }
        if !para.any_field {
            para.start_line = lineno;
            para.any_field = true;
        }
        in_field = true;
        let value = value.trim();
        let slot = match name.to_ascii_lowercase().as_str() {
            "package" => &mut para.package,
            "version" => &mut para.version,
            "architecture" => &mut para.architecture,
            "source" => &mut para.source,
            "status" => &mut para.status,
            "maintainer" => &mut para.maintainer,
            _ => continue,
        };
        // dpkg rejects duplicates; keeping the first is the lenient equivalent.
        if slot.is_none() {
            *slot = Some(value.to_owned());
        }
    }
    para.finish(&mut db);
    Ok(db)
}

/// Parses an `info/<name>.list` file into absolute paths (the `/.` root entry left out).
#[must_use]
pub fn parse_list(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .filter(|l| l.first() == Some(&b'/') && *l != b"/.")
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_continuations_and_no_trailing_newline() {
        let db = parse_status(
            b"Package: a\r\nStatus: hold ok installed\r\nDescription: x\r\n more\r\n .\r\nVersion: 1.0\r\n\r\nPackage: b\nStatus: deinstall ok config-files\nVersion: 2",
        )
        .unwrap();
        assert_eq!(db.entries.len(), 2);
        assert!(db.entries[0].is_installed());
        assert_eq!(db.entries[0].version, "1.0");
        assert!(!db.entries[1].is_installed());
        assert_eq!(db.installed().count(), 1);
    }

    #[test]
    fn source_forms() {
        assert_eq!(
            split_source("gcc-5 (5.1.1-12ubuntu1)"),
            ("gcc-5", Some("5.1.1-12ubuntu1"))
        );
        assert_eq!(split_source("pam"), ("pam", None));
        assert_eq!(split_source("x ()"), ("x", None));
    }

    #[test]
    fn bad_lines_fail_the_file() {
        assert!(parse_status(b"Package: a\nno colon here\n").is_err());
        assert!(parse_status(b"  Package: a\n\n").is_err());
        assert!(parse_status(b"Package: a\n\0\n").is_err());
    }

    #[test]
    fn versions() {
        for ok in [
            "1.0",
            "1:2.4-2+b1",
            "2020a-0+deb10u1",
            "6.14.0-1012.12~24.04.1",
        ] {
            assert!(valid_version(ok), "{ok}");
        }
        for bad in ["1:5.#", "a1.0", ":1", "x:1.0", ""] {
            assert!(!valid_version(bad), "{bad}");
        }
    }

    #[test]
    fn list_files() {
        assert_eq!(
            parse_list(b"/.\n/usr\n/usr/bin/x\r\n\n"),
            ["/usr", "/usr/bin/x"]
        );
    }
}
