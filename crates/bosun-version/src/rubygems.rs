//! RubyGems versions, ordered like `Gem::Version#<=>`: segments are runs of digits or letters
//! (`1.0.a10` → 1, 0, "a", 10; a `-` means `.pre.`), trailing zeros of the numeric and of the
//! string part are dropped, and a string segment (pre-release) sorts below any number.
//! Written by hand: no crate implements it.

use crate::VersionError;
use crate::num::Num;
use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Num(Num),
    Str(Box<str>),
}

/// A RubyGems version.
#[derive(Clone, Debug)]
pub struct Version {
    original: Box<str>,
    segs: Vec<Seg>,
}

impl Version {
    /// Parses like `Gem::Version.new` (`Gem::Version.correct?`): digits first, then `.`-separated
    /// alphanumerics, then an optional `-pre.release` tail. Blank means "0".
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        let bad = |r| VersionError::invalid("rubygems", input, r);
        let s = input.trim();
        let s = if s.is_empty() { "0" } else { s };
        let (main, pre) = match s.split_once('-') {
            Some((m, p)) => (m, Some(p)),
            None => (s, None),
        };
        let mut parts = main.split('.');
        let first = parts.next().unwrap_or_default();
        if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("must start with a number"));
        }
        for p in parts {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(bad("malformed version number string"));
            }
        }
        if let Some(pre) = pre
            && pre
                .split('.')
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return Err(bad("malformed pre-release"));
        }
        let canon = match pre {
            Some(p) => format!("{main}.pre.{}", p.replace('-', ".pre.")),
            None => main.to_string(),
        };
        // scan /[0-9]+|[a-z]+/i
        let mut raw = Vec::new();
        let b = canon.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let start = i;
            let c = b.get(i).copied().unwrap_or(b'.');
            if c.is_ascii_digit() {
                while b.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
                raw.push(Seg::Num(
                    Num::parse(canon.get(start..i).unwrap_or("0")).unwrap_or_else(Num::zero),
                ));
            } else if c.is_ascii_alphabetic() {
                while b.get(i).is_some_and(u8::is_ascii_alphabetic) {
                    i += 1;
                }
                raw.push(Seg::Str(canon.get(start..i).unwrap_or_default().into()));
            } else {
                i += 1;
            }
        }
        // canonical_segments: split at the first string, drop trailing zeros of each part.
        let split = raw
            .iter()
            .position(|s| matches!(s, Seg::Str(_)))
            .unwrap_or(raw.len());
        let strs = raw.split_off(split);
        let mut nums = raw;
        let trim = |v: &mut Vec<Seg>| {
            while v
                .last()
                .is_some_and(|s| matches!(s, Seg::Num(n) if n.is_zero()))
            {
                v.pop();
            }
        };
        trim(&mut nums);
        let mut strs = strs;
        trim(&mut strs);
        nums.extend(strs);
        Ok(Version {
            original: s.into(),
            segs: nums,
        })
    }

    /// Whether the version has a letter (RubyGems' `prerelease?`).
    pub fn is_prerelease(&self) -> bool {
        self.segs.iter().any(|s| matches!(s, Seg::Str(_)))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let zero = Seg::Num(Num::zero());
        let n = self.segs.len().max(other.segs.len());
        for i in 0..n {
            let l = self.segs.get(i).unwrap_or(&zero);
            let r = other.segs.get(i).unwrap_or(&zero);
            let o = match (l, r) {
                (Seg::Num(a), Seg::Num(b)) => a.cmp(b),
                (Seg::Str(a), Seg::Str(b)) => a.cmp(b),
                (Seg::Str(_), Seg::Num(_)) => Ordering::Less,
                (Seg::Num(_), Seg::Str(_)) => Ordering::Greater,
            };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
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
