//! Composer (Packagist) versions, ordered like Composer: a leading `v` is dropped, then PHP's
//! `version_compare` applies (canonicalize `-_+` to `.`, split digit/letter runs, special forms
//! `dev < alpha = a < beta = b < RC = rc < # (number) < pl = p`, unknown words lowest).
//! Written by hand: no crate implements it.

use crate::VersionError;
use std::cmp::Ordering;

/// A Composer version.
#[derive(Clone, Debug)]
pub struct Version {
    original: Box<str>,
    parts: Vec<Box<str>>,
}

fn canonicalize(v: &str) -> String {
    // php_canonicalize_version: separators become one '.', and a '.' goes between digit and
    // non-digit runs.
    let mut out = String::with_capacity(v.len() + 4);
    let mut chars = v.chars();
    let Some(first) = chars.next() else {
        return out;
    };
    out.push(first);
    let mut lp = first;
    let isdig = |c: char| c.is_ascii_digit();
    let isndig = |c: char| !c.is_ascii_digit() && c != '.';
    for c in chars {
        let dot = |out: &mut String| {
            if !out.ends_with('.') {
                out.push('.');
            }
        };
        if matches!(c, '-' | '_' | '+') {
            dot(&mut out);
        } else if (isndig(lp) && isdig(c)) || (isdig(lp) && isndig(c)) {
            dot(&mut out);
            out.push(c);
        } else {
            out.push(c);
        }
        lp = c;
    }
    out
}

fn special(s: &str) -> i32 {
    const FORMS: [(&str, i32); 10] = [
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", 4),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(f, _)| s.starts_with(f))
        .map_or(-1, |(_, o)| *o)
}

fn is_num(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn cmp_parts(a: &[Box<str>], b: &[Box<str>]) -> Ordering {
    for (x, y) in a.iter().zip(b.iter()) {
        let o = match (is_num(x), is_num(y)) {
            (true, true) => crate::num::cmp_digits(x, y),
            (false, false) => special(x).cmp(&special(y)),
            (true, false) => special("#").cmp(&special(y)),
            (false, true) => special(x).cmp(&special("#")),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    let hash: [Box<str>; 1] = ["#".into()];
    match a.len().cmp(&b.len()) {
        Ordering::Greater => {
            let rest = a.get(b.len()..).unwrap_or_default();
            if rest.first().is_some_and(|s| is_num(s)) {
                Ordering::Greater
            } else {
                cmp_parts(rest, &hash)
            }
        }
        Ordering::Less => {
            let rest = b.get(a.len()..).unwrap_or_default();
            if rest.first().is_some_and(|s| is_num(s)) {
                Ordering::Less
            } else {
                cmp_parts(&hash, rest)
            }
        }
        Ordering::Equal => Ordering::Equal,
    }
}

impl Version {
    /// Parses; only empty strings, whitespace and control characters are errors.
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        let s = input.trim();
        if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(VersionError::invalid(
                "composer",
                input,
                "empty or has whitespace",
            ));
        }
        let body = s.strip_prefix(['v', 'V']).unwrap_or(s);
        let parts = canonicalize(body)
            .split('.')
            .filter(|p| !p.is_empty())
            .map(Into::into)
            .collect();
        Ok(Version {
            original: s.into(),
            parts,
        })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_parts(&self.parts, &other.parts)
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
