//! OSV range evaluation: hand-built ranges for each event kind, and real GHSA records whose
//! `versions` lists osv.dev enumerated from the same ranges (every listed version must be
//! inside the ranges by our evaluation).

use bosun_version::Ecosystem;
use bosun_version::osv::{Affected, Event, Range, RangeType};
use serde::Deserialize;

fn range(events: Vec<Event>) -> Range {
    Range::new(RangeType::Ecosystem, events)
}
fn intro(s: &str) -> Event {
    Event::Introduced(s.into())
}
fn fixed(s: &str) -> Event {
    Event::Fixed(s.into())
}

#[test]
fn introduced_zero_and_fixed_bound_a_half_open_interval() {
    let r = range(vec![intro("0"), fixed("2.4.1-1")]);
    for (v, want) in [
        ("0.1-1", true),
        ("2.4.1-0.1", true),
        ("2.4.1-1", false),
        ("1:0.1-1", false),
    ] {
        assert_eq!(r.affects(Ecosystem::Dpkg, v).expect(v), want, "{v}");
    }
}

#[test]
fn last_affected_is_inclusive() {
    let r = range(vec![intro("1.0"), Event::LastAffected("1.5".into())]);
    for (v, want) in [
        ("0.9", false),
        ("1.0", true),
        ("1.5", true),
        ("1.5.post1", false),
        ("1.5rc1", true),
    ] {
        assert_eq!(r.affects(Ecosystem::Pep440, v).expect(v), want, "{v}");
    }
}

#[test]
fn unsorted_events_with_several_intervals() {
    // [1.0, 1.2) and [2.0, 2.3), given out of order
    let r = range(vec![
        fixed("2.3.0"),
        intro("2.0.0"),
        fixed("1.2.0"),
        intro("1.0.0"),
    ]);
    for (v, want) in [
        ("0.9.0", false),
        ("1.0.0", true),
        ("1.1.9", true),
        ("1.2.0", false),
        ("1.9.9", false),
        ("2.0.0-rc.1", false),
        ("2.0.0", true),
        ("2.2.9", true),
        ("2.3.0", false),
    ] {
        assert_eq!(r.affects(Ecosystem::Npm, v).expect(v), want, "{v}");
    }
}

#[test]
fn limit_caps_an_open_range() {
    let r = range(vec![intro("1.0.0"), Event::Limit("1.5.0".into())]);
    assert!(r.affects(Ecosystem::Cargo, "1.4.0").expect("parse"));
    assert!(!r.affects(Ecosystem::Cargo, "1.5.0").expect("parse"));
    let open = range(vec![intro("1.0.0"), Event::Limit("*".into())]);
    assert!(open.affects(Ecosystem::Cargo, "99.0.0").expect("parse"));
}

#[test]
fn semver_ranges_use_semver_whatever_the_ecosystem() {
    let r = Range::new(RangeType::Semver, vec![intro("0"), fixed("1.20.3")]);
    assert!(r.affects(Ecosystem::Go, "1.20.2").expect("parse"));
    assert!(!r.affects(Ecosystem::Go, "v1.20.3").expect("parse"));
    let git = Range::new(RangeType::Git, vec![intro("0"), fixed("abc")]);
    assert!(
        !git.affects(Ecosystem::Go, "1.0.0")
            .expect("git ranges never match versions")
    );
}

#[test]
fn invalid_versions_are_typed_errors() {
    let r = range(vec![intro("0"), fixed("not a version")]);
    assert!(r.affects(Ecosystem::Dpkg, "1.0").is_err());
    assert!(r.affects(Ecosystem::Dpkg, "").is_err());
    let no_intro = range(vec![fixed("1.0")]);
    assert!(no_intro.affects(Ecosystem::Dpkg, "0.5").is_err());
}

#[test]
fn versions_list_matches_exactly_or_by_value() {
    let a: Affected = serde_json::from_str(
        r#"{"package":{"ecosystem":"PyPI","name":"x"},"versions":["1.0","2.0rc1"],"ranges":[]}"#,
    )
    .expect("json");
    assert!(a.affects("1.0").expect("parse"));
    assert!(
        a.affects("2.0RC1").expect("parse"),
        "normalized PEP 440 spelling"
    );
    assert!(!a.affects("1.1").expect("parse"));
}

#[test]
fn osv_ecosystem_names_map() {
    for (name, eco) in [
        ("Debian:12", Ecosystem::Dpkg),
        ("Ubuntu:22.04:LTS", Ecosystem::Dpkg),
        ("Alpine:v3.20", Ecosystem::Apk),
        ("Wolfi", Ecosystem::Apk),
        ("Chainguard", Ecosystem::Apk),
        ("Red Hat:enterprise_linux:9::appstream", Ecosystem::Rpm),
        ("Rocky Linux:9", Ecosystem::Rpm),
        ("AlmaLinux:8", Ecosystem::Rpm),
        ("SUSE:Linux Enterprise Server 15 SP5", Ecosystem::Rpm),
        ("openSUSE:Tumbleweed", Ecosystem::Rpm),
        ("Mariner:2.0", Ecosystem::Rpm),
        ("Azure Linux:3.0", Ecosystem::Rpm),
        ("Amazon Linux:2023", Ecosystem::Rpm),
        ("PyPI", Ecosystem::Pep440),
        ("npm", Ecosystem::Npm),
        ("Maven", Ecosystem::Maven),
        ("RubyGems", Ecosystem::RubyGems),
        ("Go", Ecosystem::Go),
        ("NuGet", Ecosystem::NuGet),
        ("Packagist", Ecosystem::Composer),
        ("crates.io", Ecosystem::Cargo),
    ] {
        assert_eq!(Ecosystem::from_osv(name), Some(eco), "{name}");
    }
    assert_eq!(Ecosystem::from_osv("NoSuchEcosystem"), None);
}

#[derive(Deserialize)]
struct Bundle {
    vulns: Vec<Record>,
}
#[derive(Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    affected: Vec<Affected>,
}

#[test]
fn ghsa_enumerated_versions_lie_inside_their_ranges() {
    let Some(dir) = bosun_testdata::path("data/osv/maven-ghsa-bundle") else {
        return;
    };
    let mut checked = std::collections::BTreeMap::<String, (usize, usize)>::new();
    let mut misses = Vec::new();
    let mut unparsable = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("dir") {
        let p = entry.expect("entry").path();
        if p.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let b: Bundle =
            serde_json::from_str(&std::fs::read_to_string(&p).expect("read")).expect("bundle json");
        for rec in &b.vulns {
            for a in &rec.affected {
                let Some(eco) = a.ecosystem() else { continue };
                if !a
                    .ranges
                    .iter()
                    .any(|r| r.kind == RangeType::Ecosystem || r.kind == RangeType::Semver)
                {
                    continue;
                }
                let ranges_only = Affected {
                    package: a.package.clone(),
                    ranges: a.ranges.clone(),
                    versions: Vec::new(),
                };
                for v in &a.versions {
                    let slot = checked.entry(format!("{eco:?}")).or_default();
                    match ranges_only.affects_in(eco, v) {
                        Ok(true) => slot.0 += 1,
                        Ok(false) => misses.push(format!("{} {eco:?} {v}", rec.id)),
                        Err(e) => unparsable.push(format!("{} {eco:?} {v}: {e}", rec.id)),
                    }
                    slot.1 += 1;
                }
            }
        }
    }
    println!("per ecosystem (inside ranges, listed): {checked:?}");
    println!("unparsable: {unparsable:#?}");
    // osv.dev lists tomcat-coyote 9.0.0.M1..M10 under a range introduced at 9.0.0-M11. Maven
    // 3.8.7's own ComparableVersion (Debian's jar) orders 9.0.0.M10 < 9.0.0-M11 (a `.M10`
    // qualifier is read as `-M10`), as we do, so those 7 are outside the range for Maven too.
    let expected: Vec<String> = ["1", "10", "3", "4", "6", "8", "9"]
        .iter()
        .map(|m| format!("GHSA-f4qf-m5gf-8jm8 Maven 9.0.0.M{m}"))
        .collect();
    misses.sort();
    assert_eq!(misses, expected, "listed versions outside their ranges");
    assert_eq!(unparsable.len(), 0, "{unparsable:#?}");
    let total: usize = checked.values().map(|c| c.1).sum();
    assert!(total > 5000, "{total}");
}

#[derive(Deserialize)]
struct OneRecord {
    id: String,
    #[serde(default)]
    affected: Vec<Affected>,
}

/// Every event version and listed version in the real OSV records of these folders parses
/// with the ecosystem the record names, and every range evaluates without error.
#[test]
fn real_osv_records_parse_and_evaluate() {
    let mut parsed = 0usize;
    let mut failures = Vec::new();
    for folder in ["go", "crates.io", "ghsa-npm", "distro-samples", "redhat"] {
        let Some(dir) = bosun_testdata::path(&format!("data/osv/{folder}")) else {
            return;
        };
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let p = entry.expect("entry").path();
            if p.extension().is_none_or(|e| e != "json")
                || p.to_string_lossy().ends_with(".csaf.json")
            {
                continue;
            }
            let Ok(rec) =
                serde_json::from_str::<OneRecord>(&std::fs::read_to_string(&p).expect("read"))
            else {
                continue; // not an OSV record (e.g. an input document)
            };
            for a in &rec.affected {
                let Some(eco) = a.ecosystem() else { continue };
                for r in &a.ranges {
                    if !matches!(r.kind, RangeType::Ecosystem | RangeType::Semver) {
                        continue;
                    }
                    let range_eco = if r.kind == RangeType::Semver {
                        Ecosystem::Semver
                    } else {
                        eco
                    };
                    for e in &r.events {
                        let (Event::Introduced(v)
                        | Event::Fixed(v)
                        | Event::LastAffected(v)
                        | Event::Limit(v)) = e;
                        if v == "0" || v == "*" {
                            continue;
                        }
                        match range_eco.parse(v) {
                            Ok(_) => parsed += 1,
                            Err(err) => failures.push(format!("{} {}: {err}", rec.id, p.display())),
                        }
                    }
                    if let Some(Event::Introduced(v) | Event::Fixed(v)) = r.events.last()
                        && v != "0"
                        && let Err(err) = r.affects(
                            eco,
                            if range_eco == Ecosystem::Go {
                                "v0.0.1"
                            } else {
                                v
                            },
                        )
                    {
                        failures.push(format!("{} evaluate: {err}", rec.id));
                    }
                }
            }
        }
    }
    println!("{parsed} event versions parsed");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(parsed > 1000, "{parsed}");
}

#[test]
fn go_incompatible_and_pseudo_versions() {
    let go = |s: &str| bosun_version::go::Version::parse(s).expect(s);
    assert_eq!(go("v2.0.0+incompatible"), go("v2.0.0"));
    assert!(go("v2.0.0+incompatible").is_incompatible());
    let pseudo = go("v0.0.0-20191109021931-daa7c04131f5");
    assert!(pseudo.is_pseudo());
    assert!(pseudo < go("v0.0.1"));
    assert!(go("v1.2.4-0.20191109021931-daa7c04131f5") > go("v1.2.3"));
    assert!(go("v1.2.4-0.20191109021931-daa7c04131f5") < go("v1.2.4"));
    assert!(!go("v1.2.3").is_pseudo());
}
