//! The test oracle: a deliberately simple OSV evaluation (exact `versions`, then each range's
//! events sorted by the ecosystem's order and walked), and helpers to build inventories.

use bosun_inventory::{Inventory, LayerRef, Package};
use bosun_version::Ecosystem;
use bosun_vulndb::{Advisory, Db, DbBuilder, Event};
use std::cmp::Ordering;

/// Whether `v` is affected by `adv` for package (`eco`, `name`).
pub(crate) fn affected(adv: &Advisory, eco: &str, name: &str, v: &str) -> bool {
    if adv.withdrawn.is_some() {
        return false;
    }
    let base = eco.split(':').next().unwrap_or(eco);
    let scheme = Ecosystem::from_osv(eco).expect("known ecosystem");
    let cmp = |a: &str, b: &str| scheme.compare(a, b).unwrap_or(Ordering::Less);
    adv.affected.iter().any(|af| {
        let e = &af.package.ecosystem;
        let same_eco =
            e == eco || e == base || (!eco.contains(':') && e.starts_with(&format!("{base}:")));
        if !same_eco || af.package.name != name {
            return false;
        }
        if af.versions.iter().any(|x| x == v) {
            return true;
        }
        af.ranges.iter().any(|r| {
            let s = if r.kind == "SEMVER" {
                Ecosystem::Semver
            } else {
                scheme
            };
            let cmp = |a: &str, b: &str| {
                if r.kind == "SEMVER" {
                    s.compare(a, b).unwrap_or(Ordering::Less)
                } else {
                    cmp(a, b)
                }
            };
            // (version, kind, is_zero)
            let mut ev: Vec<(&str, u8)> = r
                .events
                .iter()
                .map(|e| match e {
                    Event::Introduced(x) => (x.as_str(), 0),
                    Event::Fixed(x) => (x.as_str(), 1),
                    Event::LastAffected(x) => (x.as_str(), 2),
                    Event::Limit(x) => (x.as_str(), 3),
                })
                .collect();
            ev.sort_by(|a, b| match (a.0, b.0) {
                ("0", "0") => Ordering::Equal,
                ("0", _) => Ordering::Less,
                (_, "0") => Ordering::Greater,
                (x, y) => cmp(x, y),
            });
            let mut state = false;
            for (x, k) in ev {
                let o = if x == "0" { Ordering::Less } else { cmp(x, v) };
                match (k, o) {
                    (0, Ordering::Less | Ordering::Equal) => state = true,
                    (1 | 3, Ordering::Less | Ordering::Equal) => state = false,
                    (2, Ordering::Less) => state = false,
                    _ => {}
                }
            }
            state
        })
    })
}

pub(crate) fn package(eco: &str, name: &str, version: &str) -> Package {
    Package {
        name: name.to_string(),
        version: version.to_string(),
        purl: format!("pkg:generic/{name}@{version}"),
        ecosystem: Some(eco.to_string()),
        layer: LayerRef {
            index: 0,
            diff_id: None,
            role: None,
        },
        ..Package::default()
    }
}

pub(crate) fn inventory(packages: Vec<Package>) -> Inventory {
    Inventory {
        packages,
        ..Inventory::default()
    }
}

/// A database of the given shared folders / files.
pub(crate) fn db(paths: &[std::path::PathBuf]) -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut b = DbBuilder::new();
    for p in paths {
        b.add_path(p).expect("import");
    }
    b.write(dir.path()).expect("write");
    let db = Db::open(dir.path()).expect("open");
    (dir, db)
}

/// A version just below `v` when one is easy to write: the last non-zero numeric
/// dot-component decremented (`1.2.3` → `1.2.2`, `2.31.0` → `2.30.0`).
pub(crate) fn just_below(v: &str) -> Option<String> {
    let core = v.split(['-', '+']).next()?;
    let mut parts: Vec<u64> = core
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let i = parts.iter().rposition(|&x| x > 0)?;
    parts[i] -= 1;
    Some(
        parts
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    )
}
