//! Arbitrary-length decimal numbers, compared by value without parsing into a machine integer
//! (upstream vectors use 30-digit components; overflow must not change the order).

use std::cmp::Ordering;

/// Compares two ASCII digit strings by numeric value (leading zeros ignored).
pub(crate) fn cmp_digits(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// A non-negative integer of any length, stored as normalized digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Num(Box<str>);

impl Num {
    /// Builds from ASCII digits; `None` when `s` is empty or has a non-digit.
    pub(crate) fn parse(s: &str) -> Option<Num> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let t = s.trim_start_matches('0');
        Some(Num(if t.is_empty() { "0".into() } else { t.into() }))
    }

    pub(crate) fn zero() -> Num {
        Num("0".into())
    }

    pub(crate) fn is_zero(&self) -> bool {
        &*self.0 == "0"
    }

    /// The digits, without leading zeros.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Ord for Num {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
