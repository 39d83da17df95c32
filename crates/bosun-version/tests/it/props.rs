//! Property tests: on valid input every ordering is total (reflexive, antisymmetric,
//! transitive), and the fuzz target body never panics on random or mutated bytes.

use bosun_version::Ecosystem;
use proptest::prelude::*;
use std::cmp::Ordering;

/// Version-shaped strings per ecosystem (many invalid ones too, which must just be errors).
fn version_like(eco: Ecosystem) -> BoxedStrategy<String> {
    let re = match eco {
        Ecosystem::Dpkg => "([0-9]:)?[0-9][0-9a-z.+~]{0,8}(-[0-9a-z.+~]{1,5})?",
        Ecosystem::Rpm => "([0-9]:)?[0-9a-zA-Z.~^_+]{1,10}(-[0-9a-zA-Z.~^_]{1,5})?",
        Ecosystem::Apk => {
            "[0-9]{1,2}(\\.[0-9]{1,2}){0,3}[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]?){0,2}(-r[0-9])?"
        }
        Ecosystem::Pep440 => {
            "([0-9]!)?[0-9]{1,2}(\\.[0-9]{1,2}){0,3}((a|b|rc|alpha|c)[0-9]?)?(\\.post[0-9])?(\\.dev[0-9])?(\\+[a-z0-9]{1,3}(\\.[a-z0-9]{1,3})?)?"
        }
        Ecosystem::Semver | Ecosystem::Npm | Ecosystem::Cargo | Ecosystem::Go => {
            "v?(0|[1-9][0-9]?)\\.(0|[1-9])\\.(0|[1-9])(-[0-9a-z]{1,3}(\\.[0-9a-z]{1,3}){0,2})?(\\+[0-9a-z]{1,3})?"
        }
        Ecosystem::Maven => "[0-9a-zA-Z]{1,4}([.-][0-9a-zA-Z]{1,6}){0,4}",
        Ecosystem::RubyGems => "[0-9]{1,2}(\\.[0-9a-z]{1,3}){0,4}(-[0-9a-z]{1,3})?",
        Ecosystem::NuGet => {
            "[0-9]{1,2}(\\.[0-9]{1,2}){0,3}(-[0-9a-zA-Z]{1,3}(\\.[0-9a-zA-Z]{1,3}){0,2})?(\\+[a-z]{1,3})?"
        }
        Ecosystem::Composer => "v?[0-9]{1,2}([._+-]?[0-9a-zA-Z]{1,4}){0,4}",
    };
    proptest::string::string_regex(re).expect("regex").boxed()
}

fn check_total(eco: Ecosystem, a: &str, b: &str, c: &str) -> Result<(), TestCaseError> {
    let (Ok(x), Ok(y), Ok(z)) = (eco.parse(a), eco.parse(b), eco.parse(c)) else {
        return Ok(());
    };
    prop_assert_eq!(x.cmp(&x), Ordering::Equal);
    prop_assert_eq!(x.cmp(&y), y.cmp(&x).reverse(), "antisymmetry {} {}", a, b);
    prop_assert_eq!(x == y, x.cmp(&y) == Ordering::Equal);
    if x <= y && y <= z {
        prop_assert!(x <= z, "transitivity {} <= {} <= {}", a, b, c);
    }
    if x >= y && y >= z {
        prop_assert!(x >= z, "transitivity {} >= {} >= {}", a, b, c);
    }
    Ok(())
}

macro_rules! total_order {
    ($name:ident, $eco:expr) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]
            #[test]
            fn $name(a in version_like($eco), b in version_like($eco), c in version_like($eco)) {
                check_total($eco, &a, &b, &c)?;
            }
        }
    };
}

total_order!(dpkg_order_is_total, Ecosystem::Dpkg);
total_order!(rpm_order_is_total, Ecosystem::Rpm);
total_order!(apk_order_is_total, Ecosystem::Apk);
total_order!(pep440_order_is_total, Ecosystem::Pep440);
total_order!(semver_order_is_total, Ecosystem::Semver);
total_order!(npm_order_is_total, Ecosystem::Npm);
total_order!(maven_order_is_total, Ecosystem::Maven);
total_order!(rubygems_order_is_total, Ecosystem::RubyGems);
total_order!(go_order_is_total, Ecosystem::Go);
total_order!(nuget_order_is_total, Ecosystem::NuGet);
total_order!(composer_order_is_total, Ecosystem::Composer);
total_order!(cargo_order_is_total, Ecosystem::Cargo);

/// Seeds for mutation: real-looking versions and ranges of every ecosystem.
const SEEDS: &[&str] = &[
    "1:2.36.1-8+deb11u1",
    "1.0^20230101-1.fc39",
    "1.2.3_rc1-r2",
    "1!2.0.post3.dev4+local.7",
    "1.0-alpha-1-SNAPSHOT",
    "1.0.a10-pre.2",
    "v0.0.0-20191109021931-daa7c04131f5",
    "6.0.0-preview.7.21377.19",
    "^1.2.3 || >=3.0.0-beta.1 <3.1 || 1.x - 2",
    "5.4.x-dev",
    "1.0~rc1\u{0}2.0",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn fuzz_body_survives_random_bytes(data in proptest::collection::vec(any::<u8>(), 0..64)) {
        bosun_version::fuzz_one(&data);
    }

    #[test]
    fn fuzz_body_survives_mutated_versions(
        seed in 0..SEEDS.len(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..6),
    ) {
        let mut d = SEEDS[seed].as_bytes().to_vec();
        for (pos, byte, kind) in edits {
            let i = if d.is_empty() { 0 } else { pos % d.len() };
            match kind {
                0 if !d.is_empty() => d[i] = byte,
                1 => d.insert(i, byte),
                _ if !d.is_empty() => { d.remove(i); }
                _ => {}
            }
        }
        bosun_version::fuzz_one(&d);
    }
}

#[test]
fn hostile_lengths_are_errors_not_hangs() {
    let long = "1.".repeat(5000);
    for eco in Ecosystem::ALL {
        assert!(eco.parse(&long).is_err(), "{eco:?}");
    }
    let many = "0.".repeat(500) + "1";
    for eco in Ecosystem::ALL {
        if let Ok(v) = eco.parse(&many) {
            assert_eq!(v.cmp(&v), Ordering::Equal);
        }
    }
    assert!(bosun_version::npm::Range::parse(&"1 ".repeat(2000)).is_err());
}
