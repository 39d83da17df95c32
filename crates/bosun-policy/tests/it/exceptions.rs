//! The exceptions file: suppression, narrowing, expiry, unused entries, load errors.

use crate::common::{inventory, pair, suppressed_ids, today};
use bosun_inventory::{DiagnosticLevel, Suppression};
use bosun_policy::{
    Context, Error, Exceptions, Policy, Rule, apply_exceptions, evaluate, gate_fails, parse_date,
};

fn load(yaml: &str) -> Exceptions {
    Exceptions::parse(".bosunignore.yaml", yaml.as_bytes()).unwrap()
}

fn ctx() -> Context<'static> {
    Context {
        today: today(),
        created: None,
        base: None,
        root_user: None,
    }
}

#[test]
fn an_exception_suppresses_with_reason_source_and_expiry() {
    let mut inv = inventory();
    let ex = load(
        "vulnerabilities:\n  - id: CVE-2024-0003\n    reason: not reachable from our code\n    expires: 2026-12-31\n    by: alice\n",
    );
    let warnings = apply_exceptions(&mut inv, &ex, today());
    assert_eq!(warnings, vec![]);
    assert_eq!(suppressed_ids(&inv), vec![pair("CVE-2024-0003", "lodash")]);
    assert_eq!(
        inv.vulnerabilities[3].suppressed,
        Some(Suppression {
            reason: "not reachable from our code (by alice)".into(),
            source: "exceptions:.bosunignore.yaml".into(),
            expires: Some("2026-12-31".into()),
        })
    );
}

#[test]
fn an_expired_exception_fails_the_gate_again_and_warns() {
    let yaml = "vulnerabilities:\n  - id: CVE-2024-0003\n    reason: waiting for upstream\n    expires: 2026-11-01\n";
    let policy = Policy::parse("p", b"fail_on: CRITICAL\n").unwrap();

    // Before expiry (and on the day itself) the finding is suppressed and the gate passes.
    for day in ["2026-10-15", "2026-11-01"] {
        let mut inv = inventory();
        let w = apply_exceptions(&mut inv, &load(yaml), parse_date(day).unwrap());
        assert_eq!(w, vec![], "{day}");
        let ctx = Context {
            today: parse_date(day).unwrap(),
            ..ctx()
        };
        assert!(!gate_fails(&evaluate(&inv, &policy, &ctx)), "{day}");
    }

    // After: not suppressed, a warning, and the gate fails on that finding.
    let mut inv = inventory();
    let w = apply_exceptions(&mut inv, &load(yaml), today());
    assert_eq!(suppressed_ids(&inv), vec![]);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].level, DiagnosticLevel::Warning);
    assert!(
        w[0].message
            .contains("exception for CVE-2024-0003 expired on 2026-11-01 (waiting for upstream)"),
        "{}",
        w[0].message
    );
    assert!(
        w[0].message.contains("1 finding(s) count again"),
        "{}",
        w[0].message
    );
    let vs = evaluate(&inv, &policy, &ctx());
    assert!(gate_fails(&vs));
    assert_eq!(vs.len(), 1);
    assert_eq!(vs[0].rule, Rule::FailOn);
}

#[test]
fn an_entry_without_reason_is_a_load_error_naming_file_and_index() {
    let yaml = "vulnerabilities:\n  - id: CVE-1\n    reason: ok\n  - id: CVE-2\n";
    match Exceptions::parse("team/.bosunignore.yaml", yaml.as_bytes()) {
        Err(e @ Error::Entry { .. }) => {
            let Error::Entry {
                ref file,
                section,
                index,
                ..
            } = e
            else {
                unreachable!()
            };
            assert_eq!(
                (file.as_str(), section, index),
                ("team/.bosunignore.yaml", "vulnerabilities", 1)
            );
            assert!(
                e.to_string().contains(
                    "team/.bosunignore.yaml: vulnerabilities[1]: exception for CVE-2 has no reason"
                ),
                "{e}"
            );
        }
        other => panic!("expected an entry error, got {other:?}"),
    }
    let blank = "secrets:\n  - id: x\n    reason: '  '\n";
    assert!(matches!(
        Exceptions::parse("f", blank.as_bytes()),
        Err(Error::Entry {
            section: "secrets",
            index: 0,
            ..
        })
    ));
}

#[test]
fn bad_entries_are_load_errors() {
    for (yaml, what) in [
        (
            "vulnerabilities:\n  - id: CVE-1\n    reason: r\n    expires: 2026-13-01\n",
            "date",
        ),
        (
            "vulnerabilities:\n  - id: CVE-1\n    reason: r\n    colour: red\n",
            "unknown key",
        ),
        (
            "secrets:\n  - id: x\n    reason: r\n    package: p\n",
            "package on a secret",
        ),
        (
            "misconfigurations:\n  - id: x\n    reason: r\n    path: /a\n",
            "path on a misconfiguration",
        ),
        (
            "secrets:\n  - id: x\n    reason: r\n    path: 'a[b'\n",
            "glob",
        ),
        ("vulnerabilities:\n  - id: ''\n    reason: r\n", "empty id"),
        ("ignore: []\n", "unknown section"),
        (
            "vulnerabilities:\n  - id: CVE-1\n    reason: r\n    justification: because\n",
            "justification",
        ),
    ] {
        assert!(
            Exceptions::parse("f", yaml.as_bytes()).is_err(),
            "{what} accepted"
        );
    }
}

#[test]
fn an_unused_exception_warns() {
    let mut inv = inventory();
    let w = apply_exceptions(
        &mut inv,
        &load("vulnerabilities:\n  - id: CVE-1999-0001\n    reason: old\n"),
        today(),
    );
    assert_eq!(w.len(), 1);
    assert!(
        w[0].message
            .contains("CVE-1999-0001 matched no finding (vulnerabilities[0])"),
        "{}",
        w[0].message
    );
    assert_eq!(w[0].source, "exceptions:.bosunignore.yaml");
}

#[test]
fn package_and_purl_narrow_to_one_package() {
    let mut inv = inventory();
    apply_exceptions(
        &mut inv,
        &load("vulnerabilities:\n  - id: CVE-2024-0001\n    package: curl\n    reason: r\n"),
        today(),
    );
    assert_eq!(suppressed_ids(&inv), vec![pair("CVE-2024-0001", "curl")]);

    let mut inv = inventory();
    // A purl without version matches every version; qualifiers left out are not compared.
    apply_exceptions(
        &mut inv,
        &load(
            "vulnerabilities:\n  - id: cve-2024-0001\n    purl: pkg:deb/debian/openssl\n    reason: r\n",
        ),
        today(),
    );
    assert_eq!(suppressed_ids(&inv), vec![pair("CVE-2024-0001", "openssl")]);

    let mut inv = inventory();
    let w = apply_exceptions(
        &mut inv,
        &load(
            "vulnerabilities:\n  - id: CVE-2024-0001\n    purl: pkg:deb/debian/openssl@3.0.0\n    reason: r\n",
        ),
        today(),
    );
    assert_eq!(suppressed_ids(&inv), vec![]);
    assert_eq!(w.len(), 1, "other version: unused");

    let mut inv = inventory();
    apply_exceptions(
        &mut inv,
        &load(
            "vulnerabilities:\n  - id: CVE-2024-0001\n    path: /var/lib/dpkg/*\n    reason: r\n",
        ),
        today(),
    );
    assert_eq!(
        suppressed_ids(&inv),
        vec![pair("CVE-2024-0001", "openssl")],
        "curl has no location"
    );
}

#[test]
fn an_alias_names_the_finding() {
    let mut inv = inventory();
    apply_exceptions(
        &mut inv,
        &load("vulnerabilities:\n  - id: GHSA-zzzz-yyyy-xxxx\n    reason: r\n"),
        today(),
    );
    assert_eq!(suppressed_ids(&inv), vec![pair("CVE-2024-0003", "lodash")]);
}

#[test]
fn secret_path_globs_suppress_only_matching_paths() {
    let mut inv = inventory();
    let ex = load(
        "secrets:\n  - id: private-key\n    path: /app/tests/**\n    reason: test fixture\n  - id: aws-access-key-id\n    path: /etc/**\n    reason: r\n",
    );
    let w = apply_exceptions(&mut inv, &ex, today());
    assert!(inv.secrets[1].suppressed.is_some());
    assert!(inv.secrets[0].suppressed.is_none());
    assert_eq!(w.len(), 1, "the /etc entry matched nothing: {w:?}");
    let vs = evaluate(
        &inv,
        &Policy::parse("p", b"secrets: fail\n").unwrap(),
        &ctx(),
    );
    assert_eq!(vs.len(), 1);
    assert_eq!(vs[0].layer, inv.secrets[0].layer);
}

#[test]
fn a_misconfiguration_exception_passes_the_root_user_gate() {
    let mut inv = inventory();
    let p = Policy::parse("p", b"root_user: fail\n").unwrap();
    assert!(gate_fails(&evaluate(&inv, &p, &ctx())));
    apply_exceptions(
        &mut inv,
        &load("misconfigurations:\n  - id: BOSUN-CFG-001\n    reason: init container\n"),
        today(),
    );
    assert!(!gate_fails(&evaluate(&inv, &p, &ctx())));
}

#[test]
fn an_earlier_suppression_is_kept() {
    let mut inv = inventory();
    let first = Suppression {
        reason: "vex".into(),
        source: "vex:a.json".into(),
        expires: None,
    };
    inv.vulnerabilities[3].suppressed = Some(first.clone());
    let w = apply_exceptions(
        &mut inv,
        &load("vulnerabilities:\n  - id: CVE-2024-0003\n    reason: r\n"),
        today(),
    );
    assert_eq!(w, vec![], "it matched, so it is not unused");
    assert_eq!(inv.vulnerabilities[3].suppressed, Some(first));
}

#[test]
fn entries_are_listed_in_file_order() {
    let ex = load(
        "misconfigurations:\n  - id: m\n    reason: r\nvulnerabilities:\n  - id: v\n    reason: r\n    justification: component_not_present\n",
    );
    let ids: Vec<&str> = ex.entries().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["v", "m"]);
    assert_eq!(ex.file(), ".bosunignore.yaml");
}

#[test]
fn a_single_star_stays_in_one_path_segment() {
    let mut inv = inventory();
    let w = apply_exceptions(
        &mut inv,
        &load("secrets:\n  - id: private-key\n    path: /app/*\n    reason: r\n"),
        today(),
    );
    assert!(
        inv.secrets[1].suppressed.is_none(),
        "/app/* must not match /app/tests/fixtures/key.pem"
    );
    assert_eq!(w.len(), 1);
}
