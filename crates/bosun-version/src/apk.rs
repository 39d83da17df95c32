//! Alpine (apk) versions: `digits{.digits}{letter}{_suffix{digits}}{~hash}{-rN}`, ordered like
//! apk-tools 3 (src/version.c: a token state machine). Written by hand: no crate implements it.
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
        let mut st = State { tok: Tok::InitialDigit, suffix: 0, value: &[], rest: s };
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

/// A valid apk version.
#[derive(Clone, Debug)]
pub struct Version(Box<str>);

impl Version {
    /// Parses; versions apk-tools would reject are an error.
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        if !is_valid(input) {
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
        compare_str(&self.0, &other.0)
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
