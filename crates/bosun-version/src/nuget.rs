//! NuGet versions (NuGet.Versioning `NuGetVersion`): one to four numbers (missing ones are 0,
//! leading zeros allowed), an optional `-label.label` pre-release compared case-insensitively
//! (numeric labels numerically, below alphanumeric ones), and `+metadata` that does not count.
//! Numbers may exceed 32 bits here (OSV data has such versions). Written by hand.

use crate::VersionError;
use crate::num::Num;
use crate::semver::Ident;
use std::cmp::Ordering;

/// A NuGet version.
#[derive(Clone, Debug)]
pub struct Version {
    original: Box<str>,
    nums: [Num; 4],
    pre: Vec<Ident>,
}

impl Version {
    /// Parses a NuGet version.
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        let bad = |r| VersionError::invalid("nuget", input, r);
        let s = input.trim();
        let (rest, meta) = match s.split_once('+') {
            Some((r, m)) => (r, Some(m)),
            None => (s, None),
        };
        if let Some(m) = meta
            && m.split('.')
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        {
            return Err(bad("bad metadata"));
        }
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (rest, None),
        };
        let mut nums: [Num; 4] = [Num::zero(), Num::zero(), Num::zero(), Num::zero()];
        let mut count = 0;
        for (i, part) in core.split('.').enumerate() {
            let slot = nums
                .get_mut(i)
                .ok_or_else(|| bad("more than four numbers"))?;
            *slot = Num::parse(part).ok_or_else(|| bad("version number is not numeric"))?;
            count += 1;
        }
        if count == 0 {
            return Err(bad("empty version"));
        }
        let pre = match pre {
            None => Vec::new(),
            Some(p) => p
                .split('.')
                .map(|l| {
                    if l.is_empty() || !l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                        return Err(bad("bad pre-release label"));
                    }
                    Ok(match Num::parse(l) {
                        Some(n) => Ident::Num(n),
                        None => Ident::Alpha(l.to_ascii_lowercase().into()),
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(Version {
            original: s.into(),
            nums,
            pre,
        })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nums
            .cmp(&other.nums)
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.pre.cmp(&other.pre),
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
        f.write_str(&self.original)
    }
}
