//! Go, crates.io and PyPI records: packages at each introduced, each fixed and just below
//! each fixed version, matched against the oracle.

use crate::oracle::{affected, db, inventory, just_below, package};
use bosun_match::{MatchOptions, match_inventory};
use bosun_vulndb::Event;
use std::collections::{BTreeMap, BTreeSet};

#[test]
fn language_records_match_at_their_own_boundaries() {
    let Some(osv) = bosun_testdata::path("data/osv") else {
        return;
    };
    let (_d, db) = db(&[osv.join("go"), osv.join("crates.io"), osv.join("pypi")]);
    // (eco, name) -> candidate versions, from every record's events.
    let mut cands: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for n in 0..db.len() {
        let a = db.record_at(n).expect("record");
        for af in &a.affected {
            let set = cands
                .entry((af.package.ecosystem.clone(), af.package.name.clone()))
                .or_default();
            for r in &af.ranges {
                for e in &r.events {
                    match e {
                        Event::Introduced(v) if v != "0" => {
                            set.insert(v.clone());
                        }
                        Event::Fixed(v) => {
                            set.insert(v.clone());
                            set.extend(just_below(v));
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    let mut pkgs = Vec::new();
    for ((eco, name), vs) in &cands {
        for v in vs {
            pkgs.push(package(eco, name, v));
        }
    }
    let inv = inventory(pkgs);
    let t = std::time::Instant::now();
    let r = match_inventory(&inv, &db, &MatchOptions::default());
    let took = t.elapsed();
    let mut got: BTreeMap<(String, String, String), BTreeSet<String>> = BTreeMap::new();
    for f in &r.findings {
        got.entry((
            f.package.ecosystem.clone(),
            f.package.name.clone(),
            f.package.version.clone(),
        ))
        .or_default()
        .extend(f.records.iter().cloned());
    }
    let (mut pos, mut neg) = (0, 0);
    for p in &inv.packages {
        let eco = p.ecosystem.clone().expect("eco");
        let want: BTreeSet<String> = db
            .lookup(&eco, &p.name)
            .expect("lookup")
            .into_iter()
            .filter(|a| affected(a, &eco, &p.name, &p.version))
            .map(|a| a.id)
            .collect();
        let key = (eco.clone(), p.name.clone(), p.version.clone());
        let have = got.get(&key).cloned().unwrap_or_default();
        assert_eq!(have, want, "{eco} {} {}", p.name, p.version);
        if want.is_empty() { neg += 1 } else { pos += 1 }
    }
    assert!(
        pos > 1000 && neg > 500,
        "affected {pos}, not affected {neg}"
    );
    eprintln!(
        "{} packages ({pos} affected, {neg} not) matched in {took:?}",
        inv.packages.len()
    );
}

#[test]
fn a_version_at_fixed_is_not_affected_and_below_is() {
    // The simplest record shape, checked without the oracle: GO records with one range
    // [introduced 0, fixed F].
    let Some(osv) = bosun_testdata::path("data/osv/go") else {
        return;
    };
    let (_d, db) = db(std::slice::from_ref(&osv));
    let mut checked = 0;
    for n in 0..db.len() {
        let a = db.record_at(n).expect("record");
        if a.affected.len() != 1 {
            continue;
        }
        let af = &a.affected[0];
        let [r] = af.ranges.as_slice() else { continue };
        let [Event::Introduced(z), Event::Fixed(f)] = r.events.as_slice() else {
            continue;
        };
        if z != "0" || !af.versions.is_empty() {
            continue;
        }
        let Some(below) = just_below(f) else { continue };
        let inv = inventory(vec![
            package(&af.package.ecosystem, &af.package.name, f),
            package(&af.package.ecosystem, &af.package.name, &below),
        ]);
        let r = match_inventory(&inv, &db, &MatchOptions::default());
        let with = |v: &str| {
            r.findings
                .iter()
                .any(|x| x.package.version == v && x.records.contains(&a.id))
        };
        assert!(!with(f), "{} at fixed {f}", a.id);
        assert!(with(&below), "{} at {below} below {f}", a.id);
        let fnd = r
            .findings
            .iter()
            .find(|x| x.package.version == below && x.records.contains(&a.id))
            .expect("finding");
        assert!(fnd.fixed_versions.contains(f));
        assert_eq!(fnd.status, bosun_match::Status::Fixed);
        checked += 1;
    }
    assert!(checked > 100, "{checked}");
}
