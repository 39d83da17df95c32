//! Matches an [`Inventory`]'s packages against a [`bosun_vulndb::Db`] with OSV semantics:
//! `ECOSYSTEM` and `SEMVER` ranges and `versions` lists (`GIT` ranges ignored), each
//! ecosystem's own version order (from `bosun-version`), withdrawn records skipped. One
//! [`Finding`] per vulnerability per package, and a vulnerability is a CVE when there is one:
//! records naming the same CVE (a GHSA and a DSA) merge into its finding, and an advisory
//! naming several CVEs (a DSA fixing ten) gives one finding per CVE, as trivy and grype count
//! them. Records without a CVE join the CVE of a record they share an id with, else group
//! by shared ids.
//!
//! ```no_run
//! use bosun_match::{match_inventory, MatchOptions};
//! # fn f(inv: &bosun_inventory::Inventory) -> Result<(), bosun_vulndb::VulnDbError> {
//! let db = bosun_vulndb::Db::open("db/")?;
//! let r = match_inventory(inv, &db, &MatchOptions::default());
//! for f in &r.findings {
//!     let _ = (&f.id, &f.package.name, f.severity, &f.fixed_versions);
//! }
//! # Ok(()) }
//! ```
//!
//! Which name and version are matched:
//! - dpkg (Debian, Ubuntu): the **source** package name and the **source** version when the
//!   status file gives one (`Source: bash (5.2.15-2)`), else the binary's. The advisories are
//!   per source package and their fixed versions are source versions; this is what
//!   osv-scanner and Trivy do. A binNMU (`5.2.15-2+b13`) thus compares as `5.2.15-2`.
//! - apk (Alpine, Wolfi...): the origin (`source_name`), the package's own version (apk
//!   packages share their origin's version).
//! - rpm and language ecosystems: the package's name and version.

mod severity;

pub use bosun_inventory::vuln::{
    CvssScore, EpssInfo, KevInfo, Severity, Status, VulnPackage, Vulnerability,
    Vulnerability as Finding,
};
pub use severity::score_vector;

use bosun_inventory::{Diagnostic, DiagnosticLevel, Inventory, LayerRef, Package};
use bosun_version::osv as vosv;
use bosun_version::{Ecosystem, Version, VersionError};
use bosun_vulndb::advisory::{ecosystem_applies, normalize_name, split_ecosystem};
use bosun_vulndb::{AdvisoryView, AffectedRef, Db, EventRef};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;
use smallvec::SmallVec;
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Matching options.
#[derive(Clone, Debug, Default)]
pub struct MatchOptions {
    /// Keep findings whose status is `will_not_fix` (default: kept).
    pub skip_will_not_fix: bool,
    /// Drop findings without a fix (`--ignore-unfixed`).
    pub skip_unfixed: bool,
    /// Match development dependencies too (`--include-dev`); by default they are left out.
    pub include_dev: bool,
}

/// What matching produced.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MatchResult {
    /// Findings, sorted by package then id.
    pub findings: Vec<Finding>,
    /// Problems met (unparseable versions, unknown ecosystems, database errors).
    pub diagnostics: Vec<Diagnostic>,
    /// Withdrawn records met and skipped.
    pub withdrawn_skipped: usize,
    /// Packages matched (with a known ecosystem).
    pub packages_matched: usize,
    /// Development dependencies left out (see [`MatchOptions::include_dev`]).
    pub dev_skipped: usize,
}

/// The (ecosystem, name, version) a package is matched with.
pub fn match_key(p: &Package) -> Option<(String, String, String)> {
    let eco = p.ecosystem.clone()?;
    let scheme = Ecosystem::from_osv(&eco);
    let (name, version) = match scheme {
        Some(Ecosystem::Dpkg) => (
            p.source_name.clone().unwrap_or_else(|| p.name.clone()),
            p.source_version
                .clone()
                .unwrap_or_else(|| p.version.clone()),
        ),
        Some(Ecosystem::Apk) => (
            p.source_name.clone().unwrap_or_else(|| p.name.clone()),
            p.version.clone(),
        ),
        _ => (p.name.clone(), p.version.clone()),
    };
    Some((eco, name, version))
}

/// One record's verdict for one package.
struct Hit<'v, 'a> {
    adv: &'v AdvisoryView<'a>,
    /// The record's id, aliases and upstream ids (repeats possible).
    ids: SmallVec<[&'a str; 4]>,
    /// The entries that hold the version: a range of the package's `matched` list.
    affected: std::ops::Range<usize>,
    fixed: Vec<String>,
    will_not_fix: bool,
}

/// The installed version, parsed at most once per ordering scheme it is compared under.
struct Installed<'s> {
    text: &'s str,
    scheme: Ecosystem,
    own: OnceCell<Result<Version, VersionError>>,
    semver: OnceCell<Result<Version, VersionError>>,
}

impl<'s> Installed<'s> {
    fn new(text: &'s str, scheme: Ecosystem) -> Self {
        Installed {
            text,
            scheme,
            own: OnceCell::new(),
            semver: OnceCell::new(),
        }
    }

    /// The version parsed under `eco` (the package's scheme, or SemVer for `SEMVER` ranges).
    fn parsed(&self, eco: Ecosystem) -> Result<&Version, VersionError> {
        let cell = if eco == self.scheme {
            &self.own
        } else {
            &self.semver
        };
        cell.get_or_init(|| eco.parse(self.text))
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// A reusable OSV range: the event strings of one evaluation are kept for the next, so
/// that evaluating a range allocates nothing once a thread has warmed up.
#[derive(Default)]
struct RangeBuf {
    range: Option<vosv::Range>,
    pool: Vec<String>,
}

impl RangeBuf {
    /// The range of `kind` with `events`, built in the kept buffers.
    fn fill<'e>(
        &mut self,
        kind: vosv::RangeType,
        events: impl Iterator<Item = EventRef<'e>>,
    ) -> &vosv::Range {
        let range = self
            .range
            .get_or_insert_with(|| vosv::Range::new(kind, Vec::new()));
        for e in range.events.drain(..) {
            let (vosv::Event::Introduced(s)
            | vosv::Event::Fixed(s)
            | vosv::Event::LastAffected(s)
            | vosv::Event::Limit(s)) = e;
            self.pool.push(s);
        }
        range.kind = kind;
        for e in events {
            let mut s = self.pool.pop().unwrap_or_default();
            s.clear();
            s.push_str(e.version());
            range.events.push(match e {
                EventRef::Introduced(_) => vosv::Event::Introduced(s),
                EventRef::Fixed(_) => vosv::Event::Fixed(s),
                EventRef::LastAffected(_) => vosv::Event::LastAffected(s),
                EventRef::Limit(_) => vosv::Event::Limit(s),
            });
        }
        range
    }
}

/// The OSV evaluation shared by [`affected_by`] and the matcher: `versions` listed as
/// written, each `ECOSYSTEM`/`SEMVER` range (an error in any range is the entry's error),
/// then `versions` equal under the ecosystem's order; fixes kept when above the version.
fn evaluate<'e, E>(
    versions: impl Iterator<Item = &'e str> + Clone,
    ranges: impl Iterator<Item = (&'e str, E)>,
    v: &Installed<'_>,
    buf: &mut RangeBuf,
) -> Result<(bool, Vec<String>), VersionError>
where
    E: Iterator<Item = EventRef<'e>>,
{
    let mut hit = versions.clone().any(|x| x == v.text);
    let mut fixed = Vec::new();
    for (kind, events) in ranges {
        let (kind, eco) = match kind {
            "ECOSYSTEM" => (vosv::RangeType::Ecosystem, v.scheme),
            "SEMVER" => (vosv::RangeType::Semver, Ecosystem::Semver),
            _ => continue,
        };
        let installed = v.parsed(eco)?;
        let range = buf.fill(kind, events);
        if range.affects_parsed(eco, installed)? {
            hit = true;
            fixed.extend(range.events.iter().filter_map(|e| match e {
                vosv::Event::Fixed(s) => Some(s.clone()),
                _ => None,
            }));
        }
    }
    if !hit {
        for listed in versions {
            // Listed versions equal under the ecosystem's order (`1.0` vs `1.0.0` in PyPI).
            if let Ok(installed) = v.parsed(v.scheme)
                && v.scheme.parse(listed).is_ok_and(|l| &l == installed)
            {
                hit = true;
                break;
            }
        }
    }
    if hit && !fixed.is_empty() {
        // Keep only fixes above the installed version (a range may list several).
        match v.parsed(v.scheme) {
            Ok(installed) => fixed.retain(|f| v.scheme.parse(f).is_ok_and(|f| &f > installed)),
            Err(_) => fixed.clear(),
        }
    }
    Ok((hit, fixed))
}

/// Whether `version` is affected by `af`, and the `fixed` events of the ranges that hold it.
pub fn affected_by(
    af: &bosun_vulndb::Affected,
    scheme: Ecosystem,
    version: &str,
) -> Result<(bool, Vec<String>), bosun_version::VersionError> {
    let ranges = af.ranges.iter().map(|r| {
        let events = r.events.iter().map(|e| match e {
            bosun_vulndb::Event::Introduced(s) => EventRef::Introduced(s),
            bosun_vulndb::Event::Fixed(s) => EventRef::Fixed(s),
            bosun_vulndb::Event::LastAffected(s) => EventRef::LastAffected(s),
            bosun_vulndb::Event::Limit(s) => EventRef::Limit(s),
        });
        (r.kind.as_str(), events)
    });
    evaluate(
        af.versions.iter().map(String::as_str),
        ranges,
        &Installed::new(version, scheme),
        &mut RangeBuf::default(),
    )
}

/// [`affected_by`] over a borrowed entry, with the installed version parsed once.
fn affected_by_ref(
    af: &AffectedRef<'_>,
    v: &Installed<'_>,
    buf: &mut RangeBuf,
) -> Result<(bool, Vec<String>), VersionError> {
    let ranges = af.ranges().map(|r| (r.kind, r.events()));
    evaluate(af.versions(), ranges, v, buf)
}

/// Whether an affected entry's vendor data says the issue will not be fixed.
fn will_not_fix(af: &AffectedRef<'_>) -> bool {
    const WORDS: [&str; 8] = [
        "unimportant",
        "no-dsa",
        "ignored",
        "postponed",
        "end-of-life",
        "will_not_fix",
        "wont-fix",
        "will not fix",
    ];
    [af.ecosystem_specific, af.database_specific]
        .into_iter()
        .flatten()
        .filter_map(|json| serde_json::from_str::<Value>(json).ok())
        .any(|spec| {
            ["urgency", "status", "fix_status", "resolution", "tag"]
                .iter()
                .filter_map(|k| spec.get(k).and_then(Value::as_str))
                .any(|w| {
                    let w = w.trim().to_ascii_lowercase();
                    WORDS
                        .iter()
                        .any(|x| w == *x || w.contains(&format!("({x})")))
                })
        })
}

fn diag(level: DiagnosticLevel, message: String, layer: Option<LayerRef>) -> Diagnostic {
    Diagnostic {
        level,
        source: "match".to_string(),
        message,
        path: None,
        layer,
    }
}

/// Per-key work: the packages sharing one (ecosystem, name) and what matching them gave.
#[derive(Default)]
struct KeyOutcome {
    findings: Vec<Finding>,
    diagnostics: Vec<Diagnostic>,
    withdrawn: Vec<String>,
    bad_versions: usize,
}

/// Matches every package of `inv`. Packages are grouped by lookup key (binary packages of one
/// source share their advisories), and the keys are matched in parallel.
pub fn match_inventory(inv: &Inventory, db: &Db, opts: &MatchOptions) -> MatchResult {
    let mut out = MatchResult::default();
    let mut unknown_eco: BTreeMap<String, usize> = BTreeMap::new();
    let mut no_eco = 0usize;
    // (ecosystem, normalized name) -> [(package, name, version, scheme)]
    type Group<'a> = Vec<(&'a Package, String, String, Ecosystem)>;
    let mut groups: BTreeMap<(String, String), Group<'_>> = BTreeMap::new();
    for p in &inv.packages {
        if p.dev && !opts.include_dev {
            out.dev_skipped += 1;
            continue;
        }
        let Some((eco, name, version)) = match_key(p) else {
            no_eco += 1;
            continue;
        };
        let Some(scheme) = Ecosystem::from_osv(&eco) else {
            *unknown_eco.entry(eco).or_default() += 1;
            continue;
        };
        out.packages_matched += 1;
        let (base, _) = split_ecosystem(&eco);
        let key = (eco.clone(), normalize_name(base, &name));
        groups
            .entry(key)
            .or_default()
            .push((p, name, version, scheme));
    }
    let groups: Vec<_> = groups.into_iter().collect();
    let outcomes: Vec<KeyOutcome> = groups
        .par_iter()
        .map_init(RangeBuf::default, |buf, ((eco, norm), members)| {
            match_key_group(db, opts, eco, norm, members, buf)
        })
        .collect();
    let mut withdrawn_ids: BTreeSet<String> = BTreeSet::new();
    let mut bad_versions = 0usize;
    let mut found: Vec<Vec<Finding>> = Vec::with_capacity(outcomes.len());
    for o in outcomes {
        found.push(o.findings);
        out.diagnostics.extend(o.diagnostics);
        withdrawn_ids.extend(o.withdrawn);
        bad_versions += o.bad_versions;
    }
    out.findings = sorted_findings(found);
    out.withdrawn_skipped = withdrawn_ids.len();
    if no_eco > 0 {
        out.diagnostics.push(diag(
            DiagnosticLevel::Info,
            format!("{no_eco} packages have no ecosystem and were not matched"),
            None,
        ));
    }
    for (eco, n) in unknown_eco {
        out.diagnostics.push(diag(
            DiagnosticLevel::Warning,
            format!("{n} packages in unsupported ecosystem {eco:?} were not matched"),
            None,
        ));
    }
    if bad_versions > 0 {
        out.diagnostics.push(diag(
            DiagnosticLevel::Warning,
            format!("{bad_versions} version comparisons failed (unparseable version or range)"),
            None,
        ));
    }
    out
}

/// The order of findings: package name, version, layer, id.
fn finding_key(f: &Finding) -> (&String, &String, usize, &String) {
    (&f.package.name, &f.package.version, f.layer.index, &f.id)
}

/// All findings sorted by package name, version, layer and id (stable: ties keep the key
/// order). Positions are sorted, then each finding is moved once.
fn sorted_findings(mut found: Vec<Vec<Finding>>) -> Vec<Finding> {
    // Sorted on extracted keys (no indirection per comparison), on every core; stable.
    /// (name, version, layer, id) of a finding.
    type Key<'f> = (&'f str, &'f str, usize, &'f str);
    let mut order: Vec<(Key<'_>, usize, usize)> = found
        .iter()
        .enumerate()
        .flat_map(|(g, v)| {
            v.iter().enumerate().map(move |(i, f)| {
                let (n, v, l, id) = finding_key(f);
                ((n.as_str(), v.as_str(), l, id.as_str()), g, i)
            })
        })
        .collect();
    order.par_sort_by(|a, b| a.0.cmp(&b.0));
    let order: Vec<(usize, usize)> = order.into_iter().map(|(_, g, i)| (g, i)).collect();
    // Presized: a finding is large, and growing by doubling would copy them all again.
    let mut out = Vec::with_capacity(order.len());
    out.extend(order.into_iter().filter_map(|(g, i)| {
        found
            .get_mut(g)
            .and_then(|v| v.get_mut(i))
            .map(std::mem::take)
    }));
    out
}

fn match_key_group(
    db: &Db,
    opts: &MatchOptions,
    eco: &str,
    norm: &str,
    members: &[(&Package, String, String, Ecosystem)],
    buf: &mut RangeBuf,
) -> KeyOutcome {
    let Some((first, first_name, _, _)) = members.first() else {
        return KeyOutcome::default();
    };
    match db.lookup_with(eco, first_name, |views| {
        match_views(views, db, opts, eco, norm, members, buf)
    }) {
        Ok(o) => o,
        Err(e) => KeyOutcome {
            diagnostics: vec![diag(
                DiagnosticLevel::Error,
                format!("vulnerability lookup failed for {eco} {first_name}: {e}"),
                Some(first.layer.clone()),
            )],
            ..KeyOutcome::default()
        },
    }
}

/// Whether an affected entry's name is `norm` (the index form of the looked-up name).
fn same_name(base: &str, written: &str, norm: &str) -> bool {
    if base == "PyPI" {
        normalize_name(base, written) == norm
    } else {
        written == norm
    }
}

/// Matches the packages of one key against the records the key's lookup returned.
#[allow(clippy::too_many_arguments)]
fn match_views(
    views: &[AdvisoryView<'_>],
    db: &Db,
    opts: &MatchOptions,
    eco: &str,
    norm: &str,
    members: &[(&Package, String, String, Ecosystem)],
    buf: &mut RangeBuf,
) -> KeyOutcome {
    let mut o = KeyOutcome::default();
    let (base, _) = split_ecosystem(eco);
    // Each record's entries for this key, found once for every package of the key:
    // (record, its entries in `entries`).
    let mut candidates: SmallVec<[(&AdvisoryView<'_>, std::ops::Range<usize>); 8]> =
        SmallVec::new();
    let mut entries: SmallVec<[AffectedRef<'_>; 8]> = SmallVec::new();
    for adv in views {
        if adv.is_withdrawn() {
            o.withdrawn.push(adv.id.to_string());
            continue;
        }
        let start = entries.len();
        entries.extend(
            adv.affected().filter(|af| {
                ecosystem_applies(af.ecosystem, eco) && same_name(base, af.name, norm)
            }),
        );
        if entries.len() > start {
            candidates.push((adv, start..entries.len()));
        }
    }
    let mut matched: SmallVec<[AffectedRef<'_>; 8]> = SmallVec::new();
    for (p, name, version, scheme) in members {
        let installed = Installed::new(version, *scheme);
        let mut hits: SmallVec<[Hit<'_, '_>; 4]> = SmallVec::new();
        matched.clear();
        for (adv, range) in &candidates {
            let mut hit: Option<Hit<'_, '_>> = None;
            for af in entries.get(range.clone()).unwrap_or_default() {
                match affected_by_ref(af, &installed, buf) {
                    Ok((true, fixed)) => {
                        matched.push(*af);
                        let h = hit.get_or_insert_with(|| Hit {
                            adv,
                            ids: std::iter::once(adv.id)
                                .chain(adv.aliases())
                                .chain(adv.upstream())
                                .collect(),
                            affected: matched.len() - 1..matched.len() - 1,
                            fixed: Vec::new(),
                            will_not_fix: false,
                        });
                        h.affected.end = matched.len();
                        h.fixed.extend(fixed);
                        h.will_not_fix |= will_not_fix(af);
                    }
                    Ok((false, _)) => {}
                    Err(_) => o.bad_versions += 1,
                }
            }
            hits.extend(hit);
        }
        merge(
            hits,
            &matched,
            p,
            (eco, name, version, *scheme),
            db,
            opts,
            &mut o.findings,
        );
    }
    // Sorted here, in parallel: the final sort then meets sorted runs. Findings are large
    // structs: most keys come out of `merge` already in order, and checking is cheaper
    // than moving them.
    if !o
        .findings
        .is_sorted_by(|a, b| finding_key(a) <= finding_key(b))
    {
        o.findings
            .sort_by(|a, b| finding_key(a).cmp(&finding_key(b)));
    }
    o
}

fn is_cve(id: &str) -> bool {
    id.starts_with("CVE-")
}

/// Which hits make one finding: one group per CVE named by any hit (a hit naming several CVEs
/// is in each of their groups); hits naming no CVE join the CVE groups of a hit they share an
/// id with (a GHSA record and a GO record aliasing it), else group among themselves by shared
/// ids. Keys: the CVE, or `None` for a group without one. Groups come out in key order.
fn group_by_vulnerability<'a>(hits: &[Hit<'_, 'a>]) -> Vec<(Option<&'a str>, Vec<usize>)> {
    let mut by_cve: BTreeMap<&'a str, Vec<usize>> = BTreeMap::new();
    // Non-CVE id -> the CVEs of the hits that carry it.
    let mut cves_of_id: HashMap<&'a str, Vec<&'a str>> = HashMap::new();
    let mut without: Vec<usize> = Vec::new();
    for (i, h) in hits.iter().enumerate() {
        let cves: SmallVec<[&'a str; 4]> = h.ids.iter().copied().filter(|x| is_cve(x)).collect();
        if cves.is_empty() {
            without.push(i);
            continue;
        }
        for c in &cves {
            let members = by_cve.entry(c).or_default();
            if !members.contains(&i) {
                members.push(i);
            }
        }
        for id in h.ids.iter().copied().filter(|x| !is_cve(x)) {
            cves_of_id
                .entry(id)
                .or_default()
                .extend(cves.iter().copied());
        }
    }
    // CVE-less hits: attach to the CVE groups they share an id with, else union-find.
    let mut loose: Vec<usize> = Vec::new();
    for i in without {
        let Some(h) = hits.get(i) else { continue };
        let mut attached = false;
        for id in &h.ids {
            for c in cves_of_id.get(id).into_iter().flatten() {
                let members = by_cve.entry(c).or_default();
                if !members.contains(&i) {
                    members.push(i);
                }
                attached = true;
            }
        }
        if !attached {
            loose.push(i);
        }
    }
    let mut parent: Vec<usize> = (0..loose.len()).collect();
    fn root(parent: &[usize], mut i: usize) -> usize {
        while let Some(&p) = parent.get(i) {
            if p == i {
                break;
            }
            i = p;
        }
        i
    }
    let mut owner: HashMap<&'a str, usize> = HashMap::new();
    for (k, &i) in loose.iter().enumerate() {
        for id in hits.get(i).map(|h| h.ids.as_slice()).unwrap_or_default() {
            match owner.get(id) {
                Some(&j) => {
                    let (a, b) = (root(&parent, k), root(&parent, j));
                    if a != b
                        && let Some(slot) = parent.get_mut(a)
                    {
                        *slot = b;
                    }
                }
                None => {
                    owner.insert(id, k);
                }
            }
        }
    }
    let mut loose_groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (k, &i) in loose.iter().enumerate() {
        loose_groups.entry(root(&parent, k)).or_default().push(i);
    }
    by_cve
        .into_iter()
        .map(|(c, m)| (Some(c), m))
        .chain(loose_groups.into_values().map(|m| (None, m)))
        .collect()
}

/// Turns a package's hits into findings, one per vulnerability (see
/// [`group_by_vulnerability`]), and appends those `opts` keeps to `out` (built in place:
/// a finding is a large struct, each move of it costs).
fn merge(
    hits: SmallVec<[Hit<'_, '_>; 4]>,
    matched: &[AffectedRef<'_>],
    p: &Package,
    (eco, name, version, scheme): (&str, &str, &str, Ecosystem),
    db: &Db,
    opts: &MatchOptions,
    out: &mut Vec<Finding>,
) {
    let groups = group_by_vulnerability(&hits);
    // Reserved once: growing by doubling would move the (large) findings already built.
    out.reserve(groups.len());
    for (cve, members) in groups {
        let mut group: Vec<&Hit<'_, '_>> = members.iter().filter_map(|&i| hits.get(i)).collect();
        group.sort_by(|a, b| a.adv.id.cmp(b.adv.id));
        // A finding is one CVE: other CVEs named by a multi-CVE advisory (a DSA fixing
        // several) are findings of their own, not aliases.
        let mut ids: Vec<&str> = group
            .iter()
            .flat_map(|h| h.ids.iter().copied())
            .filter(|i| !is_cve(i) || Some(*i) == cve)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let primary = cve
            .or_else(|| group.first().map(|h| h.adv.id))
            .unwrap_or_default()
            .to_string();
        let aliases: Vec<String> = ids
            .iter()
            .filter(|i| **i != primary)
            .map(|i| i.to_string())
            .collect();
        let mut fixed: Vec<String> = group.iter().flat_map(|h| h.fixed.iter().cloned()).collect();
        fixed.sort_by(|a, b| scheme.compare(a, b).unwrap_or_else(|_| a.cmp(b)));
        fixed.dedup();
        let status = if !fixed.is_empty() {
            Status::Fixed
        } else if group.iter().any(|h| h.will_not_fix) {
            Status::WillNotFix
        } else {
            Status::Affected
        };
        if (opts.skip_unfixed && status != Status::Fixed)
            || (opts.skip_will_not_fix && status == Status::WillNotFix)
        {
            continue;
        }
        let sev_in: Vec<(&AdvisoryView<'_>, &[AffectedRef<'_>])> = group
            .iter()
            .map(|h| (h.adv, matched.get(h.affected.clone()).unwrap_or_default()))
            .collect();
        let (severity, severity_source, cvss) = severity::assess(&sev_in);
        let cves: Vec<&str> = ids.iter().copied().filter(|i| is_cve(i)).collect();
        let kev = cves.iter().find_map(|c| {
            db.kev(c).ok().flatten().map(|k| KevInfo {
                cve: k.cve,
                date_added: k.date_added,
                due_date: k.due_date,
                ransomware: k.ransomware,
            })
        });
        let epss = cves
            .iter()
            .filter_map(|c| db.epss(c).ok().flatten())
            .max_by(|a, b| a.score.total_cmp(&b.score))
            .map(|e| EpssInfo {
                cve: e.cve,
                score: e.score,
                percentile: e.percentile,
            });
        out.push(Finding {
            id: primary,
            aliases,
            summary: group.iter().find_map(|h| h.adv.summary.map(str::to_string)),
            severity,
            severity_source,
            cvss,
            package: VulnPackage {
                name: p.name.clone(),
                version: p.version.clone(),
                purl: p.purl.clone(),
                ecosystem: eco.to_string(),
                location: p.locations.first().cloned(),
                matched_name: (name != p.name).then(|| name.to_string()),
                matched_version: (version != p.version).then(|| version.to_string()),
            },
            fixed_versions: fixed,
            status,
            layer: p.layer.clone(),
            kev,
            epss,
            records: group.iter().map(|h| h.adv.id.to_string()).collect(),
            suppressed: None,
            priority: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bosun_vulndb::DbBuilder;

    /// The matcher's evaluation (borrowed entry, one reused range buffer for everything)
    /// gives what the public [`affected_by`] gives (owned entry, fresh buffers), for every
    /// affected entry of the real Go, crates.io, PyPI and Alpine records at each event's
    /// version and at `0.1`.
    #[test]
    fn reused_buffers_evaluate_like_fresh_ones() {
        let Some(osv) = bosun_testdata::path("data/osv") else {
            return;
        };
        let mut b = DbBuilder::new();
        for f in ["go", "crates.io", "pypi", "alpine-converted"] {
            b.add_path(osv.join(f)).expect("import");
        }
        let mut buf = RangeBuf::default();
        let (mut checked, mut hits) = (0usize, 0usize);
        for a in b.advisories() {
            let bytes = bosun_vulndb::codec::encode(a);
            let view = AdvisoryView::parse(&bytes).expect("view");
            for (owned, borrowed) in a.affected.iter().zip(view.affected()) {
                let Some(scheme) = Ecosystem::from_osv(&owned.package.ecosystem) else {
                    continue;
                };
                let mut versions: Vec<&str> = owned
                    .ranges
                    .iter()
                    .flat_map(|r| &r.events)
                    .map(|e| match e {
                        bosun_vulndb::Event::Introduced(v)
                        | bosun_vulndb::Event::Fixed(v)
                        | bosun_vulndb::Event::LastAffected(v)
                        | bosun_vulndb::Event::Limit(v) => v.as_str(),
                    })
                    .collect();
                versions.push("0.1");
                for v in versions {
                    let fresh = affected_by(owned, scheme, v);
                    let reused = affected_by_ref(&borrowed, &Installed::new(v, scheme), &mut buf);
                    assert_eq!(fresh, reused, "{} {v}", a.id);
                    checked += 1;
                    hits += usize::from(matches!(fresh, Ok((true, _))));
                }
            }
        }
        assert!(
            checked > 10_000 && hits > 1_000,
            "{checked} checked, {hits} hits"
        );
    }
}
