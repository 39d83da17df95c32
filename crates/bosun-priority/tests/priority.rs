//! The score's promises: bounded, monotonic in each input, and the documented orderings.
#![allow(clippy::unwrap_used)] // tests: unwrap is the assertion

use bosun_inventory::vuln::{CvssScore, EpssInfo, KevInfo, Severity, Status, Vulnerability};
use bosun_priority::{
    FindingContext, LayerRole, Priority, PriorityInputs, prioritize, score, sort_by_priority,
};
use proptest::prelude::*;

fn severity() -> impl Strategy<Value = Severity> {
    prop::sample::select(Severity::ALL.to_vec())
}

fn layer() -> impl Strategy<Value = Option<LayerRole>> {
    prop::sample::select(vec![None, Some(LayerRole::Base), Some(LayerRole::App)])
}

fn inputs() -> impl Strategy<Value = PriorityInputs> {
    (
        prop::option::of(prop_oneof![0.0f64..=10.0, any::<f64>()]),
        severity(),
        prop::option::of(prop_oneof![0.0f32..=1.0, any::<f32>()]),
        any::<bool>(),
        any::<bool>(),
        layer(),
        prop::option::of(any::<bool>()),
    )
        .prop_map(
            |(cvss, severity, epss, kev, fixable, layer_role, loaded)| PriorityInputs {
                cvss,
                severity,
                epss,
                kev,
                fixable,
                layer_role,
                loaded,
            },
        )
}

/// The layer roles from least to most urgent.
fn layer_rank(l: Option<LayerRole>) -> u8 {
    match l {
        Some(LayerRole::Base) => 0,
        None => 1,
        Some(LayerRole::App) => 2,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn score_is_bounded_0_to_100_whatever_the_inputs(i in inputs()) {
        let s = score(&i);
        prop_assert!((0.0..=100.0).contains(&s), "{s} for {i:?}");
    }

    #[test]
    fn higher_cvss_never_lowers_the_score(i in inputs(), a in 0.0f64..=10.0, b in 0.0f64..=10.0) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let s_lo = score(&PriorityInputs { cvss: Some(lo), ..i.clone() });
        let s_hi = score(&PriorityInputs { cvss: Some(hi), ..i });
        prop_assert!(s_hi >= s_lo);
    }

    #[test]
    fn higher_known_severity_never_lowers_the_score_without_cvss(
        i in inputs(), a in 1usize..5, b in 1usize..5,
    ) {
        // Severity::ALL is highest first; index 4 (Unknown) is left out: it is neutral.
        let known = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];
        let (hi, lo) = (known[a.min(b) - 1], known[a.max(b) - 1]);
        let s_lo = score(&PriorityInputs { cvss: None, severity: lo, ..i.clone() });
        let s_hi = score(&PriorityInputs { cvss: None, severity: hi, ..i });
        prop_assert!(s_hi >= s_lo, "{hi:?} {s_hi} < {lo:?} {s_lo}");
    }

    #[test]
    fn higher_epss_never_lowers_the_score(i in inputs(), a in 0.0f32..=1.0, b in 0.0f32..=1.0) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let s_lo = score(&PriorityInputs { epss: Some(lo), ..i.clone() });
        let s_hi = score(&PriorityInputs { epss: Some(hi), ..i });
        prop_assert!(s_hi >= s_lo);
    }

    #[test]
    fn adding_kev_never_lowers_the_score(i in inputs()) {
        let without = score(&PriorityInputs { kev: false, ..i.clone() });
        let with = score(&PriorityInputs { kev: true, ..i });
        prop_assert!(with >= without);
    }

    #[test]
    fn a_fix_never_lowers_the_score(i in inputs()) {
        let without = score(&PriorityInputs { fixable: false, ..i.clone() });
        let with = score(&PriorityInputs { fixable: true, ..i });
        prop_assert!(with >= without);
    }

    #[test]
    fn app_layer_never_scores_below_unknown_nor_unknown_below_base(
        i in inputs(), a in layer(), b in layer(),
    ) {
        let (lo, hi) = if layer_rank(a) <= layer_rank(b) { (a, b) } else { (b, a) };
        let s_lo = score(&PriorityInputs { layer_role: lo, ..i.clone() });
        let s_hi = score(&PriorityInputs { layer_role: hi, ..i });
        prop_assert!(s_hi >= s_lo);
    }

    #[test]
    fn not_loaded_never_raises_the_score(i in inputs(), other in prop::option::of(any::<bool>())) {
        let not_loaded = score(&PriorityInputs { loaded: Some(false), ..i.clone() });
        let other = score(&PriorityInputs { loaded: other, ..i });
        prop_assert!(not_loaded <= other);
    }

    #[test]
    fn unknown_loaded_state_is_neutral(i in inputs()) {
        let unknown = score(&PriorityInputs { loaded: None, ..i.clone() });
        let loaded = score(&PriorityInputs { loaded: Some(true), ..i });
        prop_assert_eq!(unknown, loaded);
    }

    #[test]
    fn prioritize_round_trips_through_json_and_matches_score(i in inputs()) {
        let v = vuln_from(&i);
        let ctx = FindingContext { layer_role: i.layer_role, loaded: i.loaded };
        let p = prioritize(&v, &ctx);
        prop_assert_eq!(p.score, score(&p.inputs));
        prop_assert!(p.inputs.cvss.is_none_or(|c| (0.0..=10.0).contains(&c)));
        prop_assert!(p.inputs.epss.is_none_or(|e| (0.0..=1.0).contains(&e)));
        let back: Priority = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
        // NaN never reaches the inputs (prioritize drops it); JSON floats may differ in the
        // last bit, so the numbers are compared within a tolerance.
        prop_assert_eq!(back.score, p.score);
        prop_assert_eq!(&back.reasons, &p.reasons);
        prop_assert_eq!((back.inputs.kev, back.inputs.fixable), (p.inputs.kev, p.inputs.fixable));
        prop_assert_eq!((back.inputs.layer_role, back.inputs.loaded), (p.inputs.layer_role, p.inputs.loaded));
        prop_assert_eq!(back.inputs.severity, p.inputs.severity);
        match (back.inputs.cvss, p.inputs.cvss) {
            (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-9),
            (a, b) => prop_assert_eq!(a, b),
        }
        match (back.inputs.epss, p.inputs.epss) {
            (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-6),
            (a, b) => prop_assert_eq!(a, b),
        }
    }
}

/// A finding carrying the inputs (NaN and out-of-range numbers as they come).
fn vuln_from(i: &PriorityInputs) -> Vulnerability {
    Vulnerability {
        id: "CVE-2024-0001".into(),
        severity: i.severity,
        cvss: i
            .cvss
            .map(|score| CvssScore {
                version: "3.1".into(),
                vector: "CVSS:3.1/AV:N".into(),
                score,
            })
            .into_iter()
            .filter(|c| c.score.is_finite())
            .collect(),
        status: if i.fixable {
            Status::Fixed
        } else {
            Status::Affected
        },
        fixed_versions: if i.fixable {
            vec!["1.2.4".into()]
        } else {
            vec![]
        },
        kev: i.kev.then(|| KevInfo {
            cve: "CVE-2024-0001".into(),
            date_added: "2024-03-01".into(),
            due_date: None,
            ransomware: Some("Known".into()),
        }),
        epss: i.epss.filter(|e| e.is_finite()).map(|score| EpssInfo {
            cve: "CVE-2024-0001".into(),
            score,
            percentile: 0.5,
        }),
        ..Vulnerability::default()
    }
}

fn finding(id: &str, cvss: f64, epss: f32, kev: bool, fixed: bool) -> Vulnerability {
    let mut v = vuln_from(&PriorityInputs {
        cvss: Some(cvss),
        severity: Severity::Unknown,
        epss: Some(epss),
        kev,
        fixable: fixed,
        layer_role: None,
        loaded: None,
    });
    v.id = id.into();
    v
}

const APP_LOADED: FindingContext = FindingContext {
    layer_role: Some(LayerRole::App),
    loaded: Some(true),
};

#[test]
fn kev_and_fixable_high_ranks_above_unfixable_critical_with_low_epss() {
    let high = prioritize(&finding("H", 7.5, 0.0005, true, true), &APP_LOADED);
    let crit = prioritize(&finding("C", 9.8, 0.0005, false, false), &APP_LOADED);
    assert!(high.score > crit.score, "{high:?} vs {crit:?}");
}

#[test]
fn fixable_high_ranks_above_unfixable_critical_at_equal_epss_but_fixable_medium_does_not() {
    let crit = prioritize(&finding("C", 9.8, 0.001, false, false), &APP_LOADED);
    let high = prioritize(&finding("H", 7.5, 0.001, false, true), &APP_LOADED);
    let medium = prioritize(&finding("M", 5.0, 0.001, false, true), &APP_LOADED);
    assert!(high.score > crit.score, "{high:?} vs {crit:?}");
    assert!(crit.score > medium.score, "{crit:?} vs {medium:?}");
}

#[test]
fn kev_medium_ranks_above_non_kev_critical_with_the_same_epss_and_fix() {
    let kev = prioritize(&finding("K", 5.0, 0.01, true, false), &APP_LOADED);
    let crit = prioritize(&finding("C", 10.0, 0.01, false, false), &APP_LOADED);
    assert!(kev.score > crit.score, "{kev:?} vs {crit:?}");
}

#[test]
fn not_loaded_kev_critical_falls_below_a_loaded_fixable_medium() {
    let cold = prioritize(
        &finding("K", 9.8, 0.9, true, true),
        &FindingContext {
            loaded: Some(false),
            ..APP_LOADED
        },
    );
    let warm = prioritize(&finding("M", 5.5, 0.01, false, true), &APP_LOADED);
    assert!(warm.score > cold.score, "{warm:?} vs {cold:?}");
    assert!(cold.reasons.iter().any(|r| r.starts_with("not loaded")));
}

#[test]
fn extremes_reach_the_documented_bounds() {
    let top = prioritize(&finding("T", 10.0, 1.0, true, true), &APP_LOADED);
    assert_eq!(top.score, 100.0);
    let bottom = prioritize(
        &finding("B", 0.0, 0.0, false, false),
        &FindingContext {
            layer_role: Some(LayerRole::Base),
            loaded: Some(false),
        },
    );
    assert_eq!(bottom.score, 0.0);
    // Without KEV the ceiling is 75.
    let no_kev = prioritize(&finding("N", 10.0, 1.0, false, true), &APP_LOADED);
    assert_eq!(no_kev.score, 75.0);
}

#[test]
fn sort_by_priority_puts_the_most_urgent_first_and_is_stable_on_ties() {
    let vulns = [
        finding("LOW", 3.1, 0.0001, false, false),
        finding("KEV", 8.8, 0.6, true, true),
        finding("TIE-A", 5.0, 0.01, false, true),
        finding("CRIT", 9.8, 0.2, false, true),
        finding("TIE-B", 5.0, 0.01, false, true),
    ];
    let mut items: Vec<(String, Priority)> = vulns
        .iter()
        .map(|v| (v.id.clone(), prioritize(v, &APP_LOADED)))
        .collect();
    sort_by_priority(&mut items, |(_, p)| p);
    let ids: Vec<&str> = items.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["KEV", "CRIT", "TIE-A", "TIE-B", "LOW"]);
    for w in items.windows(2) {
        assert!(w[0].1.score >= w[1].1.score);
    }
}

#[test]
fn missing_cvss_uses_the_severity_and_says_so() {
    let v = Vulnerability {
        severity: Severity::Critical,
        ..Vulnerability::default()
    };
    let p = prioritize(&v, &FindingContext::default());
    assert_eq!(p.inputs.cvss, None);
    assert!(p.reasons.iter().any(|r| r.contains("severity CRITICAL")));
    let with_cvss = Vulnerability {
        cvss: vec![CvssScore {
            version: "3.1".into(),
            vector: String::new(),
            score: 9.5,
        }],
        ..v
    };
    assert_eq!(
        prioritize(&with_cvss, &FindingContext::default()).score,
        p.score
    );
}

#[test]
fn json_carries_inputs_with_lowercase_layer_role() {
    let p = prioritize(&finding("X", 7.0, 0.1, true, true), &APP_LOADED);
    let j = serde_json::to_value(&p).unwrap();
    assert_eq!(j["inputs"]["layer_role"], "app");
    assert_eq!(j["inputs"]["kev"], true);
    assert_eq!(j["inputs"]["loaded"], true);
    assert_eq!(j["inputs"]["cvss"], 7.0);
    assert!(j["reasons"].as_array().unwrap().len() >= 4);
}
