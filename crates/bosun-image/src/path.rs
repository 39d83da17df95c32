//! Normalization of the names written in layer tars.

/// Why an entry name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameProblem {
    /// The name starts with `/`.
    Absolute,
    /// The name has a `..` component.
    ParentDir,
}

impl NameProblem {
    /// A short description, for error messages.
    #[must_use]
    pub fn reason(self) -> &'static str {
        match self {
            NameProblem::Absolute => "absolute name",
            NameProblem::ParentDir => "name with a `..` component",
        }
    }
}

/// Normalizes a tar entry name: strips leading `./`, drops empty and `.` components, refuses
/// absolute names and `..` components. Returns `Ok(None)` for the root itself (`./`).
/// Non-UTF-8 bytes are replaced (U+FFFD), which keeps the path usable in reports.
///
/// ```
/// use bosun_image::normalize_entry_name;
/// assert_eq!(normalize_entry_name(b"./etc//os-release").unwrap().as_deref(), Some("etc/os-release"));
/// assert_eq!(normalize_entry_name(b"./").unwrap(), None);
/// assert!(normalize_entry_name(b"a/../../etc").is_err());
/// ```
pub fn normalize_entry_name(raw: &[u8]) -> Result<Option<String>, NameProblem> {
    if raw.first() == Some(&b'/') {
        return Err(NameProblem::Absolute);
    }
    let name = String::from_utf8_lossy(raw);
    normalize_components(&name)
}

/// Normalizes a path that may be absolute (a hard link target, a path asked of a
/// [`crate::FinalView`]): a leading `/` is allowed and dropped, `..` is refused.
pub fn normalize_rooted(raw: &str) -> Result<Option<String>, NameProblem> {
    normalize_components(raw.trim_start_matches('/'))
}

fn normalize_components(name: &str) -> Result<Option<String>, NameProblem> {
    // Fast path: already normalized names (the vast majority) are copied once.
    if is_normalized(name) {
        return Ok(if name.is_empty() {
            None
        } else {
            Some(name.to_owned())
        });
    }
    let mut out = String::with_capacity(name.len());
    for comp in name.split('/') {
        match comp {
            "" | "." => {}
            ".." => return Err(NameProblem::ParentDir),
            c => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(c);
            }
        }
    }
    Ok(if out.is_empty() { None } else { Some(out) })
}

fn is_normalized(name: &str) -> bool {
    if name.is_empty() {
        return true;
    }
    name.split('/').all(|c| !matches!(c, "" | "." | ".."))
}

/// The parent of a normalized path (`""` for top-level names).
#[must_use]
pub(crate) fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => path.get(..i).unwrap_or(""),
        None => "",
    }
}

/// The last component of a normalized path.
#[must_use]
pub(crate) fn file_name(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) => path.get(i + 1..).unwrap_or(""),
        None => path,
    }
}

/// Joins a normalized directory and a name.
#[must_use]
pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        let mut s = String::with_capacity(dir.len() + 1 + name.len());
        s.push_str(dir);
        s.push('/');
        s.push_str(name);
        s
    }
}

/// What a whiteout marker means.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Whiteout {
    /// `.wh.NAME`: the path is deleted.
    Delete(String),
    /// `.wh..wh..opq`: the directory is opaque.
    Opaque(String),
    /// Another `.wh..wh.` AUFS-internal marker, ignored.
    Internal,
}

/// Classifies a normalized path as a whiteout marker, if it is one.
pub(crate) fn whiteout(path: &str) -> Option<Whiteout> {
    let name = file_name(path);
    let rest = name.strip_prefix(".wh.")?;
    let dir = parent(path);
    if rest == ".wh..opq" {
        return Some(Whiteout::Opaque(dir.to_owned()));
    }
    if rest.starts_with(".wh.") || rest.is_empty() {
        return Some(Whiteout::Internal);
    }
    Some(Whiteout::Delete(join(dir, rest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        let n = |s: &str| normalize_entry_name(s.as_bytes());
        assert_eq!(n("etc/passwd").unwrap().as_deref(), Some("etc/passwd"));
        assert_eq!(n("./etc/").unwrap().as_deref(), Some("etc"));
        assert_eq!(n("a/./b//c").unwrap().as_deref(), Some("a/b/c"));
        assert_eq!(n(".").unwrap(), None);
        assert_eq!(n("").unwrap(), None);
        assert_eq!(n("/etc"), Err(NameProblem::Absolute));
        assert_eq!(n("../x"), Err(NameProblem::ParentDir));
        assert_eq!(n("a/.."), Err(NameProblem::ParentDir));
        assert_eq!(n("a/..b").unwrap().as_deref(), Some("a/..b"));
    }

    #[test]
    fn whiteouts() {
        assert_eq!(
            whiteout("etc/.wh.passwd"),
            Some(Whiteout::Delete("etc/passwd".into()))
        );
        assert_eq!(whiteout(".wh.tmp"), Some(Whiteout::Delete("tmp".into())));
        assert_eq!(
            whiteout("var/lib/.wh..wh..opq"),
            Some(Whiteout::Opaque("var/lib".into()))
        );
        assert_eq!(
            whiteout(".wh..wh..opq"),
            Some(Whiteout::Opaque(String::new()))
        );
        assert_eq!(whiteout("a/.wh..wh.plnk"), Some(Whiteout::Internal));
        assert_eq!(whiteout("a/b.wh.c"), None);
    }
}
