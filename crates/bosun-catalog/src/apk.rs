//! The apk database, `lib/apk/db/installed`: records of `X:value` lines separated by blank
//! lines (`P:` name, `V:` version, `A:` arch, `o:` origin, `L:` license, `m:` maintainer,
//! `F:` a directory followed by `R:` files inside it).
//!
//! A record holding a line that is not `X:value` is skipped and reported; the other records
//! still count (apk itself stops at such a line, but a scanner that drops a whole image's
//! packages for one bad line hides more than it protects).

use crate::CatalogError;

/// One installed apk package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApkEntry {
    /// `P:`.
    pub name: String,
    /// `V:` (`1.36.1-r29`).
    pub version: String,
    /// `A:` (`x86_64`).
    pub arch: Option<String>,
    /// `o:`, the origin (source) package.
    pub origin: Option<String>,
    /// `L:`, the license expression.
    pub license: Option<String>,
    /// `m:`, the maintainer.
    pub maintainer: Option<String>,
    /// Files (`R:` under the last `F:`), absolute.
    pub files: Vec<String>,
}

/// What an `installed` file holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApkDb {
    /// The packages, in file order.
    pub entries: Vec<ApkEntry>,
    /// Why records were skipped (`line 1: not a field: ...`).
    pub skipped: Vec<String>,
}

#[derive(Default)]
struct Record {
    start_line: usize,
    entry: ApkEntry,
    dir: String,
    bad: Option<String>,
    any: bool,
}

impl Record {
    fn finish(self, db: &mut ApkDb) {
        if !self.any {
            return;
        }
        let line = self.start_line;
        if let Some(why) = self.bad {
            db.skipped.push(why);
        } else if self.entry.name.is_empty() {
            db.skipped
                .push(format!("line {line}: record without a name"));
        } else if self.entry.version.is_empty() {
            db.skipped
                .push(format!("line {line}: {}: no version", self.entry.name));
        } else {
            db.entries.push(self.entry);
        }
    }
}

/// Parses an apk `installed` database.
///
/// # Errors
/// When the bytes hold a NUL: the file is binary, not an apk database.
///
/// ```
/// let db = bosun_catalog::apk::parse_installed(b"P:musl\nV:1.2.5-r0\nA:x86_64\nF:lib\nR:libc.musl-x86_64.so.1\n").unwrap();
/// assert_eq!(db.entries[0].files, ["/lib/libc.musl-x86_64.so.1"]);
/// ```
pub fn parse_installed(bytes: &[u8]) -> Result<ApkDb, CatalogError> {
    let mut db = ApkDb::default();
    let mut rec = Record::default();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let lineno = i.saturating_add(1);
        if raw.contains(&0) {
            return Err(CatalogError::Apk {
                line: lineno,
                what: "nul byte",
            });
        }
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            std::mem::take(&mut rec).finish(&mut db);
            continue;
        }
        if !rec.any {
            rec.any = true;
            rec.start_line = lineno;
        }
        let (Some(&key), Some(b':')) = (raw.first(), raw.get(1)) else {
            if rec.bad.is_none() {
                let shown: String = String::from_utf8_lossy(raw).chars().take(40).collect();
                rec.bad = Some(format!("line {lineno}: not a field: {shown:?}"));
            }
            continue;
        };
        let value = String::from_utf8_lossy(raw.get(2..).unwrap_or(b"")).into_owned();
        let e = &mut rec.entry;
        match key {
            b'P' => e.name = value,
            b'V' => e.version = value,
            b'A' => e.arch = Some(value),
            b'o' => e.origin = Some(value),
            b'L' => e.license = Some(value),
            b'm' => e.maintainer = Some(value),
            b'F' => rec.dir = value,
            b'R' => {
                let path = if rec.dir.is_empty() {
                    format!("/{value}")
                } else {
                    format!("/{}/{value}", rec.dir)
                };
                e.files.push(path);
            }
            _ => {}
        }
    }
    rec.finish(&mut db);
    Ok(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_record_skipped_others_kept() {
        let db = parse_installed(b"this is corrupt\n\nP:a\nV:1-r0\n\nP:b\n").unwrap();
        assert_eq!(db.entries.len(), 1);
        assert_eq!(db.skipped.len(), 2);
    }

    #[test]
    fn files_follow_dirs() {
        let db =
            parse_installed(b"P:a\r\nV:1\r\nR:top\r\nF:usr/bin\r\nR:x\r\nF:etc\r\nR:y").unwrap();
        assert_eq!(db.entries[0].files, ["/top", "/usr/bin/x", "/etc/y"]);
    }
}
