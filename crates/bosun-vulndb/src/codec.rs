//! The compact binary record encoding (format 2) and its zero-copy reader.
//!
//! Every value is length-prefixed so that a reader can skip what it does not need:
//!
//! ```text
//! varint    LEB128, at most 10 bytes
//! str       varint byte length, UTF-8 bytes
//! opt str   varint (byte length + 1), 0 for none, then the bytes
//! list<T>   varint item count, varint byte length of the items, the items
//!
//! record    str id, list<str> aliases, list<str> upstream,
//!           opt str modified, published, withdrawn, summary,
//!           list<severity> severity, list<affected> affected,
//!           opt str database_severity, list<str> references
//! severity  str type, str score
//! affected  str ecosystem, str name, opt str purl, list<range> ranges, list<str> versions,
//!           list<severity> severity,
//!           opt str ecosystem_specific (JSON text), opt str database_specific (JSON text)
//! range     str type, list<event> events
//! event     u8 kind (0 introduced, 1 fixed, 2 last_affected, 3 limit), str version
//! ```
//!
//! [`AdvisoryView::parse`] checks a whole record (bounds, counts, UTF-8, exact length) once;
//! after that its accessors borrow from the bytes and never allocate. [`AdvisoryView::to_advisory`]
//! builds the owned [`Advisory`].

use crate::advisory::{Advisory, Affected, AffectedPackage, Event, Range, Severity};

/// Most items one list of a record may hold (hostile-input bound on loops).
const MAX_ITEMS: u64 = 1 << 20;

// ---------------------------------------------------------------------------------------
// Writing

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn put_opt(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => put_varint(out, 0),
        Some(s) => {
            put_varint(out, s.len() as u64 + 1);
            out.extend_from_slice(s.as_bytes());
        }
    }
}

/// Writes a list: count, byte length, then the items written by `item`.
fn put_list<T>(out: &mut Vec<u8>, items: &[T], mut item: impl FnMut(&mut Vec<u8>, &T)) {
    let mut body = Vec::new();
    for x in items {
        item(&mut body, x);
    }
    put_varint(out, items.len() as u64);
    put_varint(out, body.len() as u64);
    out.extend_from_slice(&body);
}

fn put_strs(out: &mut Vec<u8>, items: &[String]) {
    put_list(out, items, |b, s| put_str(b, s));
}

fn put_severities(out: &mut Vec<u8>, items: &[Severity]) {
    put_list(out, items, |b, s| {
        put_str(b, &s.kind);
        put_str(b, &s.score);
    });
}

/// Encodes an advisory.
pub fn encode(a: &Advisory) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    put_str(&mut out, &a.id);
    put_strs(&mut out, &a.aliases);
    put_strs(&mut out, &a.upstream);
    put_opt(&mut out, a.modified.as_deref());
    put_opt(&mut out, a.published.as_deref());
    put_opt(&mut out, a.withdrawn.as_deref());
    put_opt(&mut out, a.summary.as_deref());
    put_severities(&mut out, &a.severity);
    put_list(&mut out, &a.affected, |b, af| {
        put_str(b, &af.package.ecosystem);
        put_str(b, &af.package.name);
        put_opt(b, af.package.purl.as_deref());
        put_list(b, &af.ranges, |b, r| {
            put_str(b, &r.kind);
            put_list(b, &r.events, |b, e| {
                let (tag, v) = match e {
                    Event::Introduced(v) => (0u8, v),
                    Event::Fixed(v) => (1, v),
                    Event::LastAffected(v) => (2, v),
                    Event::Limit(v) => (3, v),
                };
                b.push(tag);
                put_str(b, v);
            });
        });
        put_strs(b, &af.versions);
        put_severities(b, &af.severity);
        let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
        put_opt(b, json(&af.ecosystem_specific).as_deref());
        put_opt(b, json(&af.database_specific).as_deref());
    });
    put_opt(&mut out, a.database_severity.as_deref());
    put_strs(&mut out, &a.references);
    out
}

/// Appends `bytes` with a varint length prefix (records back to back in a group).
pub(crate) fn put_framed(out: &mut Vec<u8>, bytes: &[u8]) {
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

// ---------------------------------------------------------------------------------------
// Reading

/// Why a record does not decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DecodeError(&'static str);

type R<T> = Result<T, DecodeError>;

#[derive(Clone, Copy)]
struct Cursor<'a> {
    b: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn varint(&mut self) -> R<u64> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let (&byte, rest) = self
                .b
                .split_first()
                .ok_or(DecodeError("truncated varint"))?;
            self.b = rest;
            let low = u64::from(byte & 0x7f);
            if i == 9 && byte > 1 {
                return Err(DecodeError("varint overflow"));
            }
            v |= low << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(DecodeError("varint too long"))
    }

    fn bytes(&mut self, n: u64) -> R<&'a [u8]> {
        let n = usize::try_from(n).map_err(|_| DecodeError("length overflow"))?;
        if n > self.b.len() {
            return Err(DecodeError("length beyond record"));
        }
        let (head, rest) = self.b.split_at(n);
        self.b = rest;
        Ok(head)
    }

    fn str(&mut self) -> R<&'a str> {
        let n = self.varint()?;
        let b = self.bytes(n)?;
        std::str::from_utf8(b).map_err(|_| DecodeError("string is not UTF-8"))
    }

    fn opt(&mut self) -> R<Option<&'a str>> {
        match self.varint()? {
            0 => Ok(None),
            n => {
                let b = self.bytes(n - 1)?;
                std::str::from_utf8(b)
                    .map(Some)
                    .map_err(|_| DecodeError("string is not UTF-8"))
            }
        }
    }

    /// Checks a string without building it (ASCII, the common case, checked word-wise).
    fn check_str(&mut self) -> R<()> {
        let n = self.varint()?;
        let b = self.bytes(n)?;
        if b.is_ascii() || std::str::from_utf8(b).is_ok() {
            Ok(())
        } else {
            Err(DecodeError("string is not UTF-8"))
        }
    }

    fn u8(&mut self) -> R<u8> {
        let (&x, rest) = self
            .b
            .split_first()
            .ok_or(DecodeError("truncated record"))?;
        self.b = rest;
        Ok(x)
    }

    /// A list's count and bytes; its items are checked separately ([`check_items`]).
    fn list(&mut self) -> R<List<'a>> {
        let count = self.varint()?;
        if count > MAX_ITEMS {
            return Err(DecodeError("too many items"));
        }
        let len = self.varint()?;
        let body = self.bytes(len)?;
        Ok(List {
            count: count as usize,
            body,
        })
    }
}

/// Checks that a list holds exactly `count` items that `read` accepts.
fn check_items<'a, T>(l: List<'a>, read: fn(&mut Cursor<'a>) -> R<T>) -> R<()> {
    let mut c = Cursor { b: l.body };
    for _ in 0..l.count {
        read(&mut c)?;
    }
    if c.b.is_empty() {
        Ok(())
    } else {
        Err(DecodeError("list length mismatch"))
    }
}

/// A list's item count and bytes.
#[derive(Clone, Copy, Debug, Default)]
struct List<'a> {
    count: usize,
    body: &'a [u8],
}

/// Iterator over a checked list's items.
#[derive(Clone, Debug)]
pub struct Items<'a, T> {
    left: usize,
    c: &'a [u8],
    read: fn(&mut Cursor<'a>) -> R<T>,
}

impl<'a, T> Items<'a, T> {
    fn new(l: List<'a>, read: fn(&mut Cursor<'a>) -> R<T>) -> Self {
        Items {
            left: l.count,
            c: l.body,
            read,
        }
    }
}

impl<T> Iterator for Items<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        if self.left == 0 {
            return None;
        }
        let mut c = Cursor { b: self.c };
        // The list was checked when the record was parsed; a failure here cannot happen,
        // and would end the iteration rather than panic.
        let x = (self.read)(&mut c).ok();
        self.c = c.b;
        self.left = if x.is_some() { self.left - 1 } else { 0 };
        x
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<T> ExactSizeIterator for Items<'_, T> {}

impl std::fmt::Debug for Cursor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Cursor({} bytes)", self.b.len())
    }
}

/// Strings of a record (aliases, versions, references).
pub type Strs<'a> = Items<'a, &'a str>;

/// A borrowed `severity[]` entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeverityRef<'a> {
    /// `CVSS_V3`, `Ubuntu`, ...
    pub kind: &'a str,
    /// The vector or rating.
    pub score: &'a str,
}

/// A borrowed range event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventRef<'a> {
    /// Affected from here.
    Introduced(&'a str),
    /// Fixed in this version.
    Fixed(&'a str),
    /// Last affected version.
    LastAffected(&'a str),
    /// Exclusive upper bound.
    Limit(&'a str),
}

impl<'a> EventRef<'a> {
    /// The event's version.
    pub fn version(&self) -> &'a str {
        match *self {
            EventRef::Introduced(v)
            | EventRef::Fixed(v)
            | EventRef::LastAffected(v)
            | EventRef::Limit(v) => v,
        }
    }

    /// The owned event.
    pub fn to_event(&self) -> Event {
        match *self {
            EventRef::Introduced(v) => Event::Introduced(v.to_string()),
            EventRef::Fixed(v) => Event::Fixed(v.to_string()),
            EventRef::LastAffected(v) => Event::LastAffected(v.to_string()),
            EventRef::Limit(v) => Event::Limit(v.to_string()),
        }
    }
}

/// A borrowed range.
#[derive(Clone, Copy, Debug)]
pub struct RangeRef<'a> {
    /// `ECOSYSTEM` or `SEMVER`.
    pub kind: &'a str,
    events: List<'a>,
}

impl<'a> RangeRef<'a> {
    /// The events in record order.
    pub fn events(&self) -> Items<'a, EventRef<'a>> {
        Items::new(self.events, read_event)
    }

    /// Number of events.
    pub fn event_count(&self) -> usize {
        self.events.count
    }
}

/// A borrowed `affected[]` entry.
#[derive(Clone, Copy, Debug)]
pub struct AffectedRef<'a> {
    /// OSV ecosystem with its release suffix.
    pub ecosystem: &'a str,
    /// Package name as written.
    pub name: &'a str,
    /// Package URL.
    pub purl: Option<&'a str>,
    ranges: List<'a>,
    versions: List<'a>,
    severity: List<'a>,
    /// `ecosystem_specific` as JSON text (already reduced to the kept keys).
    pub ecosystem_specific: Option<&'a str>,
    /// `database_specific` as JSON text (already reduced to the kept keys).
    pub database_specific: Option<&'a str>,
}

impl<'a> AffectedRef<'a> {
    /// Version ranges.
    pub fn ranges(&self) -> Items<'a, RangeRef<'a>> {
        Items::new(self.ranges, read_range)
    }

    /// Exact affected versions.
    pub fn versions(&self) -> Strs<'a> {
        Items::new(self.versions, read_str)
    }

    /// Whether the `versions` list is empty.
    pub fn has_versions(&self) -> bool {
        self.versions.count > 0
    }

    /// Per-package `severity[]`.
    pub fn severity(&self) -> Items<'a, SeverityRef<'a>> {
        Items::new(self.severity, read_severity)
    }

    /// The owned entry; `Err` when a `*_specific` value is not JSON.
    pub fn to_affected(&self) -> Result<Affected, DecodeError> {
        let json = |s: Option<&str>| -> R<Option<serde_json::Value>> {
            s.map(|s| serde_json::from_str(s).map_err(|_| DecodeError("bad *_specific JSON")))
                .transpose()
        };
        Ok(Affected {
            package: AffectedPackage {
                ecosystem: self.ecosystem.to_string(),
                name: self.name.to_string(),
                purl: self.purl.map(str::to_string),
            },
            ranges: self
                .ranges()
                .map(|r| Range {
                    kind: r.kind.to_string(),
                    events: r.events().map(|e| e.to_event()).collect(),
                })
                .collect(),
            versions: self.versions().map(str::to_string).collect(),
            severity: self.severity().map(|s| s.to_severity()).collect(),
            ecosystem_specific: json(self.ecosystem_specific)?,
            database_specific: json(self.database_specific)?,
        })
    }
}

impl SeverityRef<'_> {
    /// The owned entry.
    pub fn to_severity(&self) -> Severity {
        Severity {
            kind: self.kind.to_string(),
            score: self.score.to_string(),
        }
    }
}

/// A checked, borrowed record: every accessor reads from the encoded bytes.
#[derive(Clone, Copy, Debug)]
pub struct AdvisoryView<'a> {
    /// OSV id.
    pub id: &'a str,
    aliases: List<'a>,
    upstream: List<'a>,
    /// `modified`.
    pub modified: Option<&'a str>,
    /// `published`.
    pub published: Option<&'a str>,
    /// `withdrawn`.
    pub withdrawn: Option<&'a str>,
    /// `summary`.
    pub summary: Option<&'a str>,
    severity: List<'a>,
    affected: List<'a>,
    /// `database_specific.severity`.
    pub database_severity: Option<&'a str>,
    references: List<'a>,
}

fn read_str<'a>(c: &mut Cursor<'a>) -> R<&'a str> {
    c.str()
}

fn read_severity<'a>(c: &mut Cursor<'a>) -> R<SeverityRef<'a>> {
    Ok(SeverityRef {
        kind: c.str()?,
        score: c.str()?,
    })
}

fn read_event<'a>(c: &mut Cursor<'a>) -> R<EventRef<'a>> {
    let tag = c.u8()?;
    let v = c.str()?;
    Ok(match tag {
        0 => EventRef::Introduced(v),
        1 => EventRef::Fixed(v),
        2 => EventRef::LastAffected(v),
        3 => EventRef::Limit(v),
        _ => return Err(DecodeError("unknown event kind")),
    })
}

fn read_range<'a>(c: &mut Cursor<'a>) -> R<RangeRef<'a>> {
    Ok(RangeRef {
        kind: c.str()?,
        events: c.list()?,
    })
}

fn check_event(c: &mut Cursor<'_>) -> R<()> {
    if c.u8()? > 3 {
        return Err(DecodeError("unknown event kind"));
    }
    c.check_str()
}

fn check_severity(c: &mut Cursor<'_>) -> R<()> {
    c.check_str()?;
    c.check_str()
}

fn check_str(c: &mut Cursor<'_>) -> R<()> {
    c.check_str()
}

fn check_range(c: &mut Cursor<'_>) -> R<()> {
    check_items(read_range(c)?.events, check_event)
}

fn read_affected<'a>(c: &mut Cursor<'a>) -> R<AffectedRef<'a>> {
    Ok(AffectedRef {
        ecosystem: c.str()?,
        name: c.str()?,
        purl: c.opt()?,
        ranges: c.list()?,
        versions: c.list()?,
        severity: c.list()?,
        ecosystem_specific: c.opt()?,
        database_specific: c.opt()?,
    })
}

fn check_affected(c: &mut Cursor<'_>) -> R<()> {
    let a = read_affected(c)?;
    check_items(a.ranges, check_range)?;
    check_items(a.versions, check_str)?;
    check_items(a.severity, check_severity)
}

impl<'a> AdvisoryView<'a> {
    /// Checks and opens an encoded record (the whole of `bytes`).
    pub fn parse(bytes: &'a [u8]) -> Result<AdvisoryView<'a>, DecodeError> {
        let mut c = Cursor { b: bytes };
        let v = AdvisoryView {
            id: c.str()?,
            aliases: c.list()?,
            upstream: c.list()?,
            modified: c.opt()?,
            published: c.opt()?,
            withdrawn: c.opt()?,
            summary: c.opt()?,
            severity: c.list()?,
            affected: c.list()?,
            database_severity: c.opt()?,
            references: c.list()?,
        };
        if !c.b.is_empty() {
            return Err(DecodeError("trailing bytes after record"));
        }
        for l in [v.aliases, v.upstream, v.references] {
            check_items(l, check_str)?;
        }
        check_items(v.severity, check_severity)?;
        check_items(v.affected, check_affected)?;
        Ok(v)
    }

    /// `aliases`.
    pub fn aliases(&self) -> Strs<'a> {
        Items::new(self.aliases, read_str)
    }

    /// `upstream`.
    pub fn upstream(&self) -> Strs<'a> {
        Items::new(self.upstream, read_str)
    }

    /// Record-level `severity[]`.
    pub fn severity(&self) -> Items<'a, SeverityRef<'a>> {
        Items::new(self.severity, read_severity)
    }

    /// `affected[]`.
    pub fn affected(&self) -> Items<'a, AffectedRef<'a>> {
        Items::new(self.affected, read_affected)
    }

    /// References.
    pub fn references(&self) -> Strs<'a> {
        Items::new(self.references, read_str)
    }

    /// The id, then aliases and upstream ids, deduplicated in that order (as
    /// [`Advisory::all_ids`]).
    pub fn all_ids(&self) -> Vec<&'a str> {
        let mut out: Vec<&'a str> = vec![self.id];
        for a in self.aliases().chain(self.upstream()) {
            if !out.contains(&a) {
                out.push(a);
            }
        }
        out
    }

    /// Whether the record is withdrawn.
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn.is_some_and(|w| !w.is_empty())
    }

    /// The owned record; `Err` when a `*_specific` value is not JSON.
    pub fn to_advisory(&self) -> Result<Advisory, DecodeError> {
        let owned = |s: Option<&str>| s.map(str::to_string);
        Ok(Advisory {
            id: self.id.to_string(),
            aliases: self.aliases().map(str::to_string).collect(),
            upstream: self.upstream().map(str::to_string).collect(),
            modified: owned(self.modified),
            published: owned(self.published),
            withdrawn: owned(self.withdrawn),
            summary: owned(self.summary),
            severity: self.severity().map(|s| s.to_severity()).collect(),
            affected: self
                .affected()
                .map(|a| a.to_affected())
                .collect::<R<Vec<_>>>()?,
            database_severity: owned(self.database_severity),
            references: self.references().map(str::to_string).collect(),
        })
    }
}

/// Decodes a record into the owned [`Advisory`].
pub fn decode(bytes: &[u8]) -> Result<Advisory, DecodeError> {
    AdvisoryView::parse(bytes)?.to_advisory()
}

/// The records of a group (each framed by its varint length); an item is `Err` when the
/// framing is broken, and ends the iteration.
pub(crate) fn framed(group: &[u8]) -> impl Iterator<Item = R<&[u8]>> {
    let mut rest = Some(group);
    std::iter::from_fn(move || {
        let g = rest.filter(|g| !g.is_empty())?;
        let mut c = Cursor { b: g };
        let r = c.varint().and_then(|n| c.bytes(n));
        rest = if r.is_ok() { Some(c.b) } else { None };
        Some(r)
    })
}
