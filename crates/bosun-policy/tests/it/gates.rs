//! Every policy gate over a hand-written inventory: which findings break it, and that each
//! violation names its rule, finding and layer.

use crate::common::{inventory, layer, today};
use bosun_inventory::Suppression;
use bosun_policy::{
    BaseImage, Context, Finding, LicensePolicy, LicenseVerdict, Policy, Rule, UnknownLicense,
    Violation, ViolationLevel, evaluate, evaluate_license, gate_fails,
};

fn ctx() -> Context<'static> {
    Context {
        today: today(),
        created: None,
        base: None,
        root_user: None,
    }
}

fn policy(yaml: &str) -> Policy {
    Policy::parse("test.yaml", yaml.as_bytes()).unwrap()
}

fn of(vs: &[Violation], rule: Rule) -> Vec<&Violation> {
    vs.iter().filter(|v| v.rule == rule).collect()
}

fn vuln_of(v: &Violation) -> (String, String) {
    match &v.finding {
        Finding::Vulnerability { id, package, .. } => (id.clone(), package.clone()),
        other => panic!("not a vulnerability: {other:?}"),
    }
}

#[test]
fn fail_on_high_fails_high_and_critical_with_their_layers() {
    let inv = inventory();
    let vs = evaluate(&inv, &policy("fail_on: HIGH\n"), &ctx());
    let got: Vec<_> = of(&vs, Rule::FailOn)
        .into_iter()
        .map(|v| (vuln_of(v), v.layer.clone().unwrap()))
        .collect();
    // Expected from the fixture: openssl (layer 0) and curl (layer 1) HIGH, lodash (layer 2)
    // CRITICAL; the LOW one does not count.
    assert_eq!(
        got,
        vec![
            (crate::common::pair("CVE-2024-0001", "openssl"), layer(0)),
            (crate::common::pair("CVE-2024-0001", "curl"), layer(1)),
            (crate::common::pair("CVE-2024-0003", "lodash"), layer(2)),
        ]
    );
    assert!(vs.iter().all(|v| v.level == ViolationLevel::Fail));
    assert!(gate_fails(&vs));
    assert!(
        vs[0]
            .message
            .contains("CVE-2024-0001 in openssl@3.0.11-1~deb12u2"),
        "{}",
        vs[0].message
    );
    assert!(
        vs[0].message.contains("fixed in 3.0.13-1~deb12u1"),
        "{}",
        vs[0].message
    );
}

#[test]
fn fail_on_is_case_insensitive_and_unknown_words_are_errors() {
    assert_eq!(
        policy("fail_on: critical").fail_on,
        Some(bosun_inventory::Severity::Critical)
    );
    let err = Policy::parse("p.yaml", b"fail_on: severe")
        .unwrap_err()
        .to_string();
    assert!(err.contains("p.yaml") && err.contains("severe"), "{err}");
}

#[test]
fn fixable_only_counts_only_findings_with_a_fix() {
    let vs = evaluate(
        &inventory(),
        &policy("fail_on: LOW\nfixable_only: true\n"),
        &ctx(),
    );
    let got: Vec<_> = of(&vs, Rule::FailOn).into_iter().map(vuln_of).collect();
    assert_eq!(got, vec![crate::common::pair("CVE-2024-0001", "openssl")]);
}

#[test]
fn deny_list_matches_aliases_without_case() {
    let vs = evaluate(
        &inventory(),
        &policy("deny: [ghsa-aaaa-bbbb-cccc]\n"),
        &ctx(),
    );
    let got: Vec<_> = of(&vs, Rule::Deny).into_iter().map(vuln_of).collect();
    assert_eq!(got, vec![crate::common::pair("CVE-2024-0002", "openssl")]);
    assert_eq!(vs.len(), 1);
    assert_eq!(vs[0].layer, Some(layer(0)));
}

#[test]
fn kev_fail_fails_each_kev_listed_finding() {
    let vs = evaluate(&inventory(), &policy("kev: fail\n"), &ctx());
    let got: Vec<_> = of(&vs, Rule::Kev).into_iter().map(vuln_of).collect();
    assert_eq!(got, vec![crate::common::pair("CVE-2024-0002", "openssl")]);
    assert!(vs[0].message.contains("CISA KEV"), "{}", vs[0].message);
    let warn = evaluate(&inventory(), &policy("kev: warn\n"), &ctx());
    assert_eq!(warn.len(), 1);
    assert!(!gate_fails(&warn));
}

#[test]
fn suppressed_findings_never_count() {
    let mut inv = inventory();
    let s = Some(Suppression {
        reason: "accepted".into(),
        source: "exceptions:x".into(),
        expires: None,
    });
    for v in &mut inv.vulnerabilities {
        v.suppressed.clone_from(&s);
    }
    for x in &mut inv.secrets {
        x.suppressed.clone_from(&s);
    }
    for m in &mut inv.misconfigurations {
        m.suppressed.clone_from(&s);
    }
    let p =
        policy("fail_on: LOW\ndeny: [CVE-2024-0001]\nkev: fail\nsecrets: fail\nroot_user: fail\n");
    assert_eq!(evaluate(&inv, &p, &ctx()), vec![]);
    // The same policy on the unsuppressed inventory does find them (the test is not vacuous).
    assert!(!evaluate(&inventory(), &p, &ctx()).is_empty());
}

#[test]
fn license_or_passes_when_one_side_is_allowed() {
    let lp = LicensePolicy {
        allow: vec!["MIT".into()],
        ..LicensePolicy::default()
    };
    assert_eq!(
        evaluate_license("MIT OR GPL-3.0-only", &lp),
        LicenseVerdict::Pass
    );
    assert_eq!(
        evaluate_license("MIT AND GPL-3.0-only", &lp),
        LicenseVerdict::NotAllowed
    );
    assert_eq!(
        evaluate_license("GPL-3.0-only", &lp),
        LicenseVerdict::NotAllowed
    );
}

#[test]
fn license_deny_fails_only_when_every_way_needs_a_denied_license() {
    let lp = LicensePolicy {
        deny: vec!["GPL-3.0-only".into()],
        ..LicensePolicy::default()
    };
    // Not string matching: the expression names GPL-3.0-only but MIT avoids it.
    assert_eq!(
        evaluate_license("MIT OR GPL-3.0-only", &lp),
        LicenseVerdict::Pass
    );
    assert_eq!(
        evaluate_license("MIT AND GPL-3.0-only", &lp),
        LicenseVerdict::Denied
    );
    assert_eq!(
        evaluate_license(
            "(Apache-2.0 AND GPL-3.0-only) OR (MIT AND GPL-3.0-only)",
            &lp
        ),
        LicenseVerdict::Denied
    );
    assert_eq!(
        evaluate_license("MIT/GPL-3.0-only", &lp),
        LicenseVerdict::Pass
    );
}

#[test]
fn gpl_or_later_is_its_own_license_id_for_the_spdx_crate() {
    // spdx 0.13 reads GPL-2.0-or-later (and GPL-2.0+) as the id GPL-2.0-or-later, not as
    // "GPL-2.0 or any later GPL": denying GPL-3.0-only does not deny it, and allowing
    // GPL-2.0-only does not allow it.
    let deny3 = LicensePolicy {
        deny: vec!["GPL-3.0-only".into()],
        ..LicensePolicy::default()
    };
    assert_eq!(
        evaluate_license("GPL-2.0-or-later", &deny3),
        LicenseVerdict::Pass
    );
    assert_eq!(evaluate_license("GPL-2.0+", &deny3), LicenseVerdict::Pass);
    let allow2 = LicensePolicy {
        allow: vec!["GPL-2.0-only".into()],
        ..LicensePolicy::default()
    };
    assert_eq!(
        evaluate_license("GPL-2.0-or-later", &allow2),
        LicenseVerdict::NotAllowed
    );
    let deny_later = LicensePolicy {
        deny: vec!["GPL-2.0-or-later".into()],
        ..LicensePolicy::default()
    };
    assert_eq!(
        evaluate_license("GPL-2.0+", &deny_later),
        LicenseVerdict::Denied
    );
}

#[test]
fn imprecise_names_are_unknown_not_guessed() {
    let lp = LicensePolicy::default();
    assert!(matches!(
        evaluate_license("BSD", &lp),
        LicenseVerdict::Unknown(_)
    ));
    assert!(matches!(
        evaluate_license("Artistic", &lp),
        LicenseVerdict::Unknown(_)
    ));
}

#[test]
fn license_violations_name_package_expression_and_layer() {
    let p = policy("licenses:\n  deny: [GPL-3.0-only]\n  unknown: deny\n");
    let vs = evaluate(&inventory(), &p, &ctx());
    let denied = of(&vs, Rule::LicenseDenied);
    assert_eq!(denied.len(), 1, "{vs:#?}");
    assert_eq!(
        denied[0].finding,
        Finding::License {
            expression: "MIT AND GPL-3.0-only".into(),
            package: "both".into(),
            version: "2.0.0".into(),
            purl: "pkg:npm/both@2.0.0".into(),
        }
    );
    assert_eq!(denied[0].layer, Some(layer(3)));
    let unknown = of(&vs, Rule::LicenseUnknown);
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].level, ViolationLevel::Fail);
    assert!(
        unknown[0].message.contains("\"Artistic\" of odd@0.1"),
        "{}",
        unknown[0].message
    );
    // The dual-licensed package passes; nothing else is reported.
    assert_eq!(vs.len(), 2);
}

#[test]
fn unknown_license_setting_allow_warn_deny() {
    let inv = inventory();
    let count = |u: &str| {
        let vs = evaluate(
            &inv,
            &policy(&format!("licenses:\n  unknown: {u}\n")),
            &ctx(),
        );
        (vs.len(), gate_fails(&vs))
    };
    assert_eq!(count("allow"), (0, false));
    assert_eq!(count("warn"), (1, false));
    assert_eq!(count("deny"), (1, true));
    assert_eq!(LicensePolicy::default().unknown, UnknownLicense::Warn);
}

#[test]
fn allow_list_fails_what_it_does_not_cover() {
    let p = policy("licenses:\n  allow: [MIT, OpenSSL, curl]\n  unknown: allow\n");
    let vs = evaluate(&inventory(), &p, &ctx());
    let mut names: Vec<String> = of(&vs, Rule::LicenseNotAllowed)
        .iter()
        .map(|v| match &v.finding {
            Finding::License { package, .. } => package.clone(),
            _ => String::new(),
        })
        .collect();
    names.sort();
    // "MIT AND GPL-3.0-only" needs GPL; GPL-2.0-or-later is not listed.
    assert_eq!(names, ["both", "later"]);
}

#[test]
fn bad_license_ids_in_a_policy_are_load_errors() {
    let err = Policy::parse("p.yaml", b"licenses:\n  deny: [MIT, Not-A-License]\n")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("licenses.deny[1]") && err.contains("Not-A-License"),
        "{err}"
    );
}

#[test]
fn secrets_gate_names_rule_path_and_layer() {
    let vs = evaluate(&inventory(), &policy("secrets: fail\n"), &ctx());
    assert_eq!(vs.len(), 2);
    assert_eq!(
        vs[0].finding,
        Finding::Secret {
            rule_id: "aws-access-key-id".into(),
            path: "/app/.env".into(),
            line: 3
        }
    );
    assert_eq!(vs[0].layer, Some(layer(2)));
    assert_eq!(vs[1].layer, Some(layer(3)));
    assert!(
        vs[1].message.contains("deleted by a later layer"),
        "{}",
        vs[1].message
    );
}

#[test]
fn root_user_from_misconfiguration_or_from_the_caller() {
    let p = policy("root_user: fail\n");
    let vs = evaluate(&inventory(), &p, &ctx());
    assert_eq!(vs.len(), 1);
    assert_eq!(vs[0].rule, Rule::RootUser);
    assert!(
        matches!(&vs[0].finding, Finding::Misconfiguration { id, .. } if id == "BOSUN-CFG-001")
    );
    assert_eq!(vs[0].layer, None);
    let not_root = Context {
        root_user: Some(false),
        ..ctx()
    };
    assert_eq!(evaluate(&inventory(), &p, &not_root), vec![]);
    let mut inv = inventory();
    inv.misconfigurations.clear();
    let root = Context {
        root_user: Some(true),
        ..ctx()
    };
    assert_eq!(evaluate(&inv, &p, &root).len(), 1);
    assert_eq!(evaluate(&inv, &p, &ctx()), vec![]);
}

#[test]
fn max_image_age_counts_days_to_today() {
    let p = policy("max_image_age_days: 90\n");
    // 2026-08-20 to 2026-11-28: 11 + 30 + 31 + 28 = 100 days.
    let old = Context {
        created: Some("2026-08-20T10:00:00Z"),
        ..ctx()
    };
    let vs = evaluate(&inventory(), &p, &old);
    assert_eq!(vs.len(), 1);
    assert_eq!(vs[0].rule, Rule::MaxImageAge);
    assert_eq!(vs[0].level, ViolationLevel::Fail);
    assert!(vs[0].message.contains("100 days"), "{}", vs[0].message);
    let fresh = Context {
        created: Some("2026-11-01T00:00:00+02:00"),
        ..ctx()
    };
    assert_eq!(evaluate(&inventory(), &p, &fresh), vec![]);
    // Unknown or unreadable creation time: a warning, not a failure.
    for created in [None, Some("last tuesday")] {
        let vs = evaluate(&inventory(), &p, &Context { created, ..ctx() });
        assert_eq!(vs.len(), 1);
        assert_eq!(vs[0].level, ViolationLevel::Warn);
    }
}

#[test]
fn approved_base_images_compare_repository_and_digest() {
    let p = policy(
        "approved_base_images:\n  - repository: debian\n  - repository: cgr.dev/chainguard/static\n    digest: sha256:22\n",
    );
    let with = |repo, digest| Context {
        base: Some(BaseImage {
            repository: repo,
            digest,
        }),
        ..ctx()
    };
    assert_eq!(
        evaluate(
            &inventory(),
            &p,
            &with("docker.io/library/debian", Some("sha256:99"))
        ),
        vec![]
    );
    assert_eq!(
        evaluate(
            &inventory(),
            &p,
            &with("cgr.dev/chainguard/static", Some("sha256:22"))
        ),
        vec![]
    );
    let bad = evaluate(
        &inventory(),
        &p,
        &with("cgr.dev/chainguard/static", Some("sha256:33")),
    );
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].rule, Rule::ApprovedBase);
    assert_eq!(bad[0].level, ViolationLevel::Fail);
    assert_eq!(evaluate(&inventory(), &p, &with("ubuntu", None)).len(), 1);
    let unknown = evaluate(&inventory(), &p, &ctx());
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].level, ViolationLevel::Warn);
}

#[test]
fn documented_example_policy_parses_and_runs() {
    let text = include_str!("../fixtures/policy.yaml");
    let doc = include_str!("../../POLICY.md");
    assert!(
        doc.contains(text.trim()),
        "POLICY.md must show tests/fixtures/policy.yaml verbatim"
    );
    let p = policy(text);
    assert_eq!(p.deny.len(), 2);
    assert_eq!(p.approved_base_images.len(), 2);
    let vs = evaluate(&inventory(), &p, &ctx());
    for rule in [
        Rule::FailOn,
        Rule::Deny,
        Rule::Kev,
        Rule::LicenseDenied,
        Rule::LicenseUnknown,
        Rule::Secrets,
        Rule::RootUser,
        Rule::MaxImageAge,
        Rule::ApprovedBase,
    ] {
        assert!(
            vs.iter().any(|v| v.rule == rule),
            "no {rule} violation in {vs:#?}"
        );
    }
}

#[test]
fn unknown_keys_and_versions_are_load_errors() {
    assert!(Policy::parse("p", b"fail_onn: HIGH\n").is_err());
    assert!(Policy::parse("p", b"version: 2\n").is_err());
    assert!(Policy::parse("p", b"kev: maybe\n").is_err());
    assert_eq!(Policy::parse("p", b"{}\n").unwrap(), Policy::default());
}

#[test]
fn violations_serialize_with_rule_names() {
    let vs = evaluate(&inventory(), &policy("kev: fail\n"), &ctx());
    let j = serde_json::to_value(&vs).unwrap();
    assert_eq!(j[0]["rule"], "kev");
    assert_eq!(j[0]["level"], "fail");
    assert_eq!(j[0]["finding"]["kind"], "vulnerability");
    assert_eq!(j[0]["layer"]["index"], 0);
}
