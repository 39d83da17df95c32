//! Go module versions: SemVer with a `v` prefix (optional here, since OSV records omit it),
//! `+incompatible` (build metadata, ignored by ordering) and pseudo-versions
//! (`v0.0.0-20191109021931-daa7c04131f5`, ordinary pre-releases that sort by timestamp).
//! `v1` and `v1.2` are accepted as `v1.0.0` and `v1.2.0`, as golang.org/x/mod/semver does.

use crate::VersionError;
use crate::semver::Version as Sem;
use std::cmp::Ordering;

/// A Go module version.
#[derive(Clone, Debug)]
pub struct Version {
    original: Box<str>,
    sem: Sem,
}

impl Version {
    /// Parses a Go module version.
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        let s = input.trim();
        let body = s.strip_prefix('v').unwrap_or(s);
        let bad = |r| VersionError::invalid("go", input, r);
        let sem = if !body.contains(['-', '+']) && body.split('.').count() < 3 {
            let mut it = body.split('.');
            let major = crate::semver::numeric(it.next().unwrap_or_default()).map_err(bad)?;
            let minor = match it.next() {
                Some(m) => crate::semver::numeric(m).map_err(bad)?,
                None => 0,
            };
            Sem::new(major, minor, 0, Vec::new())
        } else {
            Sem::parse_core(body).map_err(bad)?
        };
        Ok(Version {
            original: s.into(),
            sem,
        })
    }

    /// Whether this is a pseudo-version (`vX.Y.Z-[pre.]yyyymmddhhmmss-abcdefabcdef`).
    pub fn is_pseudo(&self) -> bool {
        let p = self.sem.precedence_string();
        let Some((_, tail)) = p.rsplit_once('-') else {
            return false;
        };
        let stamp = p
            .len()
            .checked_sub(tail.len() + 15)
            .and_then(|i| p.get(i..i + 14));
        tail.len() == 12
            && tail.bytes().all(|b| b.is_ascii_hexdigit())
            && stamp.is_some_and(|s| s.bytes().all(|b| b.is_ascii_digit()))
    }

    /// Whether the version carries `+incompatible`.
    pub fn is_incompatible(&self) -> bool {
        self.sem.build.iter().any(|b| &**b == "incompatible")
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sem.cmp(&other.sem)
    }
}
impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Version {}
impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.original)
    }
}
