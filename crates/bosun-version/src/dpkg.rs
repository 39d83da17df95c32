//! Debian package versions: `[epoch:]upstream[-revision]`, ordered like `dpkg --compare-versions`
//! (lib/dpkg/version.c `verrevcmp`). Written by hand: the algorithm is 30 lines, while the
//! `debversion` crate (0.5) depends on `lazy-regex`, `chrono` and `num-bigint`.

use crate::VersionError;
use std::cmp::Ordering;

/// A parsed dpkg version.
#[derive(Clone, Debug)]
pub struct Version {
    epoch: u32,
    upstream: Box<str>,
    revision: Box<str>,
}

fn err(input: &str, reason: &'static str) -> VersionError {
    VersionError::invalid("dpkg", input, reason)
}

impl Version {
    /// Parses like `dpkg --compare-versions`: dpkg's hard errors (empty parts, bad epoch,
    /// whitespace) are errors; its warnings (upstream not starting with a digit, unusual
    /// characters) are accepted, as dpkg compares such versions anyway.
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        Self::parse_with(input, false)
    }

    /// Parses like dpkg's `parseversion` when installing: warnings are errors too.
    pub fn parse_strict(input: &str) -> Result<Version, VersionError> {
        Self::parse_with(input, true)
    }

    fn parse_with(input: &str, strict: bool) -> Result<Version, VersionError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(err(input, "empty version"));
        }
        if s.bytes().any(|b| b.is_ascii_whitespace()) {
            return Err(err(input, "embedded whitespace"));
        }
        let (epoch, rest) = match s.split_once(':') {
            Some((e, rest)) => {
                if e.is_empty() || !e.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err(input, "epoch is not a number"));
                }
                let e: u32 = e.parse().map_err(|_| err(input, "epoch too big"))?;
                if e > i32::MAX as u32 {
                    return Err(err(input, "epoch too big"));
                }
                if rest.is_empty() {
                    return Err(err(input, "nothing after colon"));
                }
                (e, rest)
            }
            None => (0, s),
        };
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((u, r)) => {
                if r.is_empty() {
                    return Err(err(input, "empty revision"));
                }
                (u, r)
            }
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(err(input, "empty upstream version"));
        }
        if !strict {
            return Ok(Version {
                epoch,
                upstream: upstream.into(),
                revision: revision.into(),
            });
        }
        if !upstream.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            return Err(err(input, "upstream version does not start with a digit"));
        }
        if !upstream
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-+~:".contains(&b))
        {
            return Err(err(input, "invalid character in upstream version"));
        }
        if !revision
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".+~".contains(&b))
        {
            return Err(err(input, "invalid character in revision"));
        }
        Ok(Version {
            epoch,
            upstream: upstream.into(),
            revision: revision.into(),
        })
    }

    /// The epoch (0 when absent).
    pub fn epoch(&self) -> u32 {
        self.epoch
    }
    /// The upstream part.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }
    /// The Debian revision ("" when absent).
    pub fn revision(&self) -> &str {
        &self.revision
    }
}

fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp` on one part (upstream or revision).
pub(crate) fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0usize, 0usize);
    let digit = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !digit(a, i)) || (j < b.len() && !digit(b, j)) {
            let ac = order(a.get(i).copied());
            let bc = order(b.get(j).copied());
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while digit(a, i) && digit(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a.get(i).cmp(&b.get(j));
            }
            i += 1;
            j += 1;
        }
        if digit(a, i) {
            return Ordering::Greater;
        }
        if digit(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(&self.upstream, &other.upstream))
            .then_with(|| verrevcmp(&self.revision, &other.revision))
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
        if self.epoch != 0 {
            write!(f, "{}:", self.epoch)?;
        }
        f.write_str(&self.upstream)?;
        if !self.revision.is_empty() {
            write!(f, "-{}", self.revision)?;
        }
        Ok(())
    }
}
