//! Alpine (apk) versions: `digits{.digits}{letter}{_suffix{digits}}{~hash}{-rN}`, ordered like
//! apk-tools (src/version.c: a token state machine), in both the 2.x rules that Alpine 3.x
//! ships ([`v2`], used by [`Version`]) and the 3.x rules ([`compare_str`]). Written by hand: no crate implements it.
//! Leading-zero components after the first compare as strings (Gentoo rule), suffixes
//! `alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p`.

use crate::VersionError;
use std::cmp::Ordering;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Tok {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
    Invalid,
}

const SUFFIX_NONE: u8 = 5;

fn suffix_value(s: &[u8]) -> Option<u8> {
    Some(match s {
        b"alpha" => 1,
        b"beta" => 2,
        b"pre" => 3,
        b"rc" => 4,
        b"cvs" => 6,
        b"svn" => 7,
        b"git" => 8,
        b"hg" => 9,
        b"p" => 10,
        _ => return None,
    })
}

struct State<'a> {
    tok: Tok,
    suffix: u8,
    value: &'a [u8],
    rest: &'a [u8],
}

impl<'a> State<'a> {
    fn first(s: &'a [u8]) -> State<'a> {
        let mut st = State {
            tok: Tok::InitialDigit,
            suffix: 0,
            value: &[],
            rest: s,
        };
        st.digits();
        st
    }

    fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a [u8] {
        let n = self.rest.iter().take_while(|c| f(**c)).count();
        let (v, r) = self.rest.split_at(n.min(self.rest.len()));
        self.rest = r;
        v
    }

    fn digits(&mut self) {
        self.value = self.take_while(|c| c.is_ascii_digit());
        if self.value.is_empty() {
            self.tok = Tok::Invalid;
        }
    }

    fn advance(&mut self) {
        self.rest = self.rest.get(1..).unwrap_or_default();
    }

    fn next(&mut self) {
        let Some(&c) = self.rest.first() else {
            self.tok = Tok::End;
            return;
        };
        match c {
            b'a'..=b'z' => {
                if self.tok > Tok::Digit {
                    return self.invalid();
                }
                self.value = self.rest.get(..1).unwrap_or_default();
                self.tok = Tok::Letter;
                self.advance();
            }
            b'.' | b'0'..=b'9' => {
                if c == b'.' {
                    if self.tok > Tok::Digit {
                        return self.invalid();
                    }
                    self.advance();
                }
                self.tok = match self.tok {
                    Tok::InitialDigit | Tok::Digit => Tok::Digit,
                    Tok::Suffix => Tok::SuffixNo,
                    _ => return self.invalid(),
                };
                self.digits();
            }
            b'_' => {
                if self.tok > Tok::SuffixNo {
                    return self.invalid();
                }
                self.advance();
                self.value = self.take_while(|c| c.is_ascii_lowercase());
                match suffix_value(self.value) {
                    Some(v) => {
                        self.suffix = v;
                        self.tok = Tok::Suffix;
                    }
                    None => self.invalid(),
                }
            }
            b'~' => {
                if self.tok >= Tok::CommitHash {
                    return self.invalid();
                }
                self.advance();
                self.value = self.take_while(|c| c.is_ascii_hexdigit());
                if self.value.is_empty() {
                    return self.invalid();
                }
                self.tok = Tok::CommitHash;
            }
            b'-' => {
                if self.tok >= Tok::RevisionNo || self.rest.get(1) != Some(&b'r') {
                    return self.invalid();
                }
                self.rest = self.rest.get(2..).unwrap_or_default();
                self.tok = Tok::RevisionNo;
                self.digits();
            }
            _ => self.invalid(),
        }
    }

    fn invalid(&mut self) {
        self.tok = Tok::Invalid;
    }
}

fn token_cmp(a: &State<'_>, b: &State<'_>) -> Ordering {
    match a.tok {
        Tok::Digit if a.value.first() == Some(&b'0') || b.value.first() == Some(&b'0') => {
            a.value.cmp(b.value)
        }
        Tok::Digit | Tok::InitialDigit | Tok::SuffixNo | Tok::RevisionNo => {
            crate::num::cmp_digits(ascii(a.value), ascii(b.value))
        }
        Tok::Letter => a.value.first().cmp(&b.value.first()),
        Tok::Suffix => a.suffix.cmp(&b.suffix),
        _ => a.value.cmp(b.value),
    }
}

fn ascii(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_default()
}

fn compare_fuzzy(a: &str, b: &str, fuzzy: bool) -> Ordering {
    let mut ta = State::first(a.as_bytes());
    let mut tb = State::first(b.as_bytes());
    while ta.tok == tb.tok && ta.tok < Tok::End {
        let r = token_cmp(&ta, &tb);
        if r != Ordering::Equal {
            return r;
        }
        ta.next();
        tb.next();
    }
    if ta.tok == tb.tok || (tb.tok == Tok::End && fuzzy) {
        return Ordering::Equal;
    }
    if ta.tok == Tok::Suffix && ta.suffix < SUFFIX_NONE {
        return Ordering::Less;
    }
    if tb.tok == Tok::Suffix && tb.suffix < SUFFIX_NONE {
        return Ordering::Greater;
    }
    tb.tok.cmp(&ta.tok)
}

/// apk's comparison of two version strings, valid or not (invalid tails sort low), exactly as
/// `apk version -t` answers.
pub fn compare_str(a: &str, b: &str) -> Ordering {
    compare_fuzzy(a, b, false)
}

/// apk's fuzzy match `a ~ b`: `b` is a prefix of `a` in whole tokens (`3.6.9 ~ 3.6`).
pub fn fuzzy_match(a: &str, b: &str) -> bool {
    compare_fuzzy(a, b, true) == Ordering::Equal
}

/// Whether apk-tools accepts `s` as a version.
pub fn is_valid(s: &str) -> bool {
    let mut t = State::first(s.as_bytes());
    while t.tok < Tok::End {
        t.next();
    }
    t.tok == Tok::End
}

/// A valid apk version, ordered by apk-tools 2 rules (see [`v2`]).
#[derive(Clone, Debug)]
pub struct Version(Box<str>);

impl Version {
    /// Parses; versions apk-tools 2 would reject are an error.
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        // apk-tools 2 lets an empty component through (`1.18.-r2`); apk-tools 3 and osv.dev
        // reject it, and so do we.
        let empty_component = input
            .as_bytes()
            .windows(2)
            .any(|w| w.first() == Some(&b'.') && matches!(w.get(1), Some(b'.' | b'-')))
            || input.ends_with('.');
        if empty_component || !v2::is_valid(input) {
            return Err(VersionError::invalid("apk", input, "not an apk version"));
        }
        Ok(Version(input.into()))
    }
    /// The version text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        v2::compare_str(&self.0, &other.0)
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
        f.write_str(&self.0)
    }
}

/// apk-tools 2.x (the apk of every Alpine 3.x release, and of Wolfi): same grammar, but a
/// digit may follow a letter (`5.7.1p1`), leading zeros of later components count as
/// negative numbers, and an invalid tail sorts high instead of low. [`Version`] and
/// `Ecosystem::Apk` use these rules, since they decide real Alpine upgrades today; the
/// apk-tools 3 rules are [`compare_str`], [`fuzzy_match`] and [`is_valid`].
pub mod v2 {
    use std::cmp::Ordering;

    const INVALID: i8 = -1;
    const DIGIT_OR_ZERO: i8 = 0;
    const DIGIT: i8 = 1;
    const LETTER: i8 = 2;
    const SUFFIX: i8 = 3;
    const SUFFIX_NO: i8 = 4;
    const REVISION_NO: i8 = 5;
    const END: i8 = 6;

    fn next_token(t: &mut i8, b: &mut &[u8]) {
        let mut n = INVALID;
        match b.first() {
            None | Some(0) => n = END,
            Some(c) if (*t == DIGIT || *t == DIGIT_OR_ZERO) && c.is_ascii_lowercase() => n = LETTER,
            Some(c) if *t == LETTER && c.is_ascii_digit() => n = DIGIT,
            Some(c) if *t == SUFFIX && c.is_ascii_digit() => n = SUFFIX_NO,
            Some(c) => {
                match c {
                    b'.' => n = DIGIT_OR_ZERO,
                    b'_' => n = SUFFIX,
                    b'-' if b.get(1) == Some(&b'r') => {
                        n = REVISION_NO;
                        *b = b.get(1..).unwrap_or_default();
                    }
                    _ => {}
                }
                *b = b.get(1..).unwrap_or_default();
            }
        }
        if n < *t
            && !((n == DIGIT_OR_ZERO && *t == DIGIT)
                || (n == SUFFIX && *t == SUFFIX_NO)
                || (n == DIGIT && *t == LETTER))
        {
            n = INVALID;
        }
        *t = n;
    }

    fn get_token(t: &mut i8, b: &mut &[u8]) -> i128 {
        const PRE: [&[u8]; 4] = [b"alpha", b"beta", b"pre", b"rc"];
        const POST: [&[u8]; 5] = [b"cvs", b"svn", b"git", b"hg", b"p"];
        if b.is_empty() {
            *t = END;
            return 0;
        }
        let mut v: i128 = 0;
        let mut i = 0usize;
        let mut nt = INVALID;
        let digits = |b: &[u8], i: &mut usize, v: &mut i128| {
            while let Some(c) = b.get(*i).filter(|c| c.is_ascii_digit()) {
                *v = v.saturating_mul(10).saturating_add(i128::from(c - b'0'));
                *i += 1;
            }
        };
        match *t {
            DIGIT_OR_ZERO if b.first() == Some(&b'0') => {
                while b.get(i) == Some(&b'0') {
                    i += 1;
                }
                nt = DIGIT;
                v = -(i as i128);
            }
            DIGIT_OR_ZERO | DIGIT | SUFFIX_NO | REVISION_NO => digits(b, &mut i, &mut v),
            LETTER => {
                v = i128::from(b.first().copied().unwrap_or(0));
                i = 1;
            }
            SUFFIX => {
                if let Some(k) = PRE.iter().position(|s| b.starts_with(s)) {
                    i = PRE.get(k).map_or(0, |s| s.len());
                    v = k as i128 - PRE.len() as i128;
                } else if let Some(k) = POST.iter().position(|s| b.starts_with(s)) {
                    i = POST.get(k).map_or(0, |s| s.len());
                    v = k as i128;
                } else {
                    *t = INVALID;
                    return -1;
                }
            }
            _ => {
                *t = INVALID;
                return -1;
            }
        }
        *b = b.get(i..).unwrap_or_default();
        if b.is_empty() {
            *t = END;
        } else if nt != INVALID {
            *t = nt;
        } else {
            next_token(t, b);
        }
        v
    }

    /// apk-tools 2 comparison of two version strings, valid or not.
    pub fn compare_str(a: &str, b: &str) -> Ordering {
        let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
        let (mut at, mut bt) = (DIGIT, DIGIT);
        let (mut av, mut bv) = (0i128, 0i128);
        while at == bt && at != END && at != INVALID && av == bv {
            av = get_token(&mut at, &mut a);
            bv = get_token(&mut bt, &mut b);
        }
        if av != bv {
            return av.cmp(&bv);
        }
        if at == bt {
            return Ordering::Equal;
        }
        let mut tt = at;
        if at == SUFFIX && get_token(&mut tt, &mut { a }) < 0 {
            return Ordering::Less;
        }
        let mut tt = bt;
        if bt == SUFFIX && get_token(&mut tt, &mut { b }) < 0 {
            return Ordering::Greater;
        }
        bt.cmp(&at)
    }

    /// Whether apk-tools 2 accepts `s` as a version.
    pub fn is_valid(s: &str) -> bool {
        let mut b = s.as_bytes();
        let mut t = DIGIT;
        while t != END && t != INVALID {
            get_token(&mut t, &mut b);
        }
        t == END
    }
}
