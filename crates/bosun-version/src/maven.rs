//! Maven versions, ordered like Maven 3's `ComparableVersion`: the string is split on `.`, `-`
//! and digit/letter transitions into a tree of lists; `-` opens a sub-list; trailing "null"
//! items (`0`, `""`, `final`, `ga`, `release`) are dropped; qualifiers order
//! `alpha < beta < milestone < rc = cr < snapshot < "" = ga = final < sp < unknown (lexical)`;
//! `a1`/`b1`/`m1` mean alpha/beta/milestone. Written by hand: no crate implements it.

use crate::VersionError;
use crate::num::Num;
use std::cmp::Ordering;

#[derive(Clone, Debug)]
enum Item {
    Int(Num),
    Str(Box<str>),
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

/// `comparableQualifier`: index for known qualifiers, "7-<q>" for unknown ones (so unknown
/// ones sort after all known ones and lexically among themselves).
fn qual_key(q: &str) -> String {
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn string_item(s: &str, followed_by_digit: bool) -> Item {
    let s = if followed_by_digit && s.len() == 1 {
        match s {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            o => o,
        }
    } else {
        s
    };
    let s = match s {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        o => o,
    };
    Item::Str(s.into())
}

fn parse_item(is_digit: bool, s: &str) -> Item {
    if is_digit {
        Item::Int(Num::parse(s).unwrap_or_else(Num::zero))
    } else {
        string_item(s, false)
    }
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(n) => n.is_zero(),
            Item::Str(s) => s.is_empty(),
            Item::List(l) => l.is_empty(),
        }
    }

    fn cmp_opt(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Int(n), None) => {
                if n.is_zero() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Int(a), Some(Item::Int(b))) => a.cmp(b),
            (Item::Int(_), Some(_)) => Ordering::Greater,
            (Item::Str(s), None) => qual_key(s).cmp(&"5".to_string()),
            (Item::Str(_), Some(Item::Int(_) | Item::List(_))) => Ordering::Less,
            (Item::Str(a), Some(Item::Str(b))) => qual_key(a).cmp(&qual_key(b)),
            (Item::List(l), None) => {
                for i in l {
                    let r = i.cmp_opt(None);
                    if r != Ordering::Equal {
                        return r;
                    }
                }
                Ordering::Equal
            }
            (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
            (Item::List(a), Some(Item::List(b))) => {
                let n = a.len().max(b.len());
                for k in 0..n {
                    let r = match (a.get(k), b.get(k)) {
                        (None, None) => Ordering::Equal,
                        (None, Some(r)) => r.cmp_opt(None).reverse(),
                        (Some(l), r) => l.cmp_opt(r),
                    };
                    if r != Ordering::Equal {
                        return r;
                    }
                }
                Ordering::Equal
            }
        }
    }
}

fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        let Some(last) = list.get(i) else { break };
        if last.is_null() {
            list.remove(i);
        } else if !matches!(last, Item::List(_)) {
            break;
        }
    }
}

/// A Maven version.
#[derive(Clone, Debug)]
pub struct Version {
    original: Box<str>,
    items: Item,
}

fn push(stack: &mut [Vec<Item>], item: Item) {
    if let Some(top) = stack.last_mut() {
        top.push(item);
    }
}

impl Version {
    /// Parses any string (Maven accepts every string as a version); only empty strings,
    /// control characters and very long inputs are errors.
    pub fn parse(input: &str) -> Result<Version, VersionError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(VersionError::invalid("maven", input, "empty version"));
        }
        if s.chars().any(char::is_control) {
            return Err(VersionError::invalid("maven", input, "control character"));
        }
        let v = s.to_lowercase();
        let b = v.as_bytes();
        // Once `-` or a transition opens a sub-list, every later item goes into it, so the
        // tree is a chain: keep one Vec per level and nest them at the end.
        let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
        let mut is_digit = false;
        let mut start = 0usize;
        let sub = |a: usize, e: usize| v.get(a..e).unwrap_or_default();
        for (i, &c) in b.iter().enumerate() {
            if c == b'.' || c == b'-' {
                let item = if i == start {
                    Item::Int(Num::zero())
                } else {
                    parse_item(is_digit, sub(start, i))
                };
                push(&mut stack, item);
                start = i + 1;
                if c == b'-' {
                    stack.push(Vec::new());
                }
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    // Maven 3.8+: ".X1" is treated as "-X1" (a string opens a sub-list
                    // unless it is first in its list).
                    if stack.last().is_some_and(|l| !l.is_empty()) {
                        stack.push(Vec::new());
                    }
                    push(&mut stack, string_item(sub(start, i), true));
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    push(&mut stack, parse_item(true, sub(start, i)));
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = false;
            }
        }
        if b.len() > start {
            // Same rule for a trailing string qualifier: "1.0.0.X" is "1.0.0-X".
            if !is_digit && stack.last().is_some_and(|l| !l.is_empty()) {
                stack.push(Vec::new());
            }
            push(&mut stack, parse_item(is_digit, sub(start, b.len())));
        }
        let mut inner: Option<Vec<Item>> = None;
        while let Some(mut list) = stack.pop() {
            if let Some(child) = inner.take() {
                list.push(Item::List(child));
            }
            normalize(&mut list);
            inner = Some(list);
        }
        Ok(Version {
            original: s.into(),
            items: Item::List(inner.unwrap_or_default()),
        })
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.items.cmp_opt(Some(&other.items))
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
