//! The parsers' fuzz entry points under proptest: arbitrary bytes, and mutations of valid
//! documents, never panic. Plus the input bounds.

use bosun_policy::{Error, Exceptions, MAX_VEX_BYTES, MAX_YAML_BYTES, Policy, Vex, fuzz};
use proptest::prelude::*;

const POLICY: &str = include_str!("../fixtures/policy.yaml");
const EXCEPTIONS: &str = "vulnerabilities:\n  - id: CVE-2024-0001\n    package: openssl\n    purl: pkg:deb/debian/openssl\n    path: /var/lib/**\n    reason: r\n    expires: 2026-12-31\n    by: a\n    justification: component_not_present\nsecrets:\n  - id: private-key\n    path: /app/*\n    reason: r\nmisconfigurations:\n  - id: BOSUN-CFG-001\n    reason: r\n";
const OPENVEX: &str = r#"{"@context":"https://openvex.dev/ns/v0.2.0","@id":"x","author":"a","timestamp":"2026-11-01T00:00:00Z","version":1,"statements":[{"vulnerability":{"name":"CVE-2024-0001","aliases":["GHSA-x"]},"products":[{"@id":"pkg:oci/app@sha256%3Aab","subcomponents":[{"@id":"pkg:deb/debian/openssl"}]},{"identifiers":{"purl":"pkg:deb/debian/openssl@3.0.0"}}],"status":"not_affected","justification":"component_not_present"}]}"#;
const CDX: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","bom-ref":"r","name":"openssl","purl":"pkg:deb/debian/openssl@3.0.0","components":[{"type":"library","bom-ref":"s","name":"x"}]}],"vulnerabilities":[{"id":"CVE-2024-0001","analysis":{"state":"not_affected","justification":"code_not_present"},"affects":[{"ref":"r"},{"ref":"urn:cdx:a/1#r"}]}]}"#;
const CSAF: &str = r#"{"document":{"csaf_version":"2.0"},"product_tree":{"branches":[{"branches":[{"product":{"product_id":"P","product_identification_helper":{"purl":"pkg:deb/debian/openssl"}}}]}],"relationships":[{"product_reference":"P","relates_to_product_reference":"Q","full_product_name":{"product_id":"Q:P"}}]},"vulnerabilities":[{"cve":"CVE-2024-0001","product_status":{"known_not_affected":["Q:P"],"fixed":["P"]},"flags":[{"label":"component_not_present","product_ids":["P"]}]}]}"#;

/// A seed with a few bytes overwritten, inserted or removed.
fn mutated(seed: &'static str) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 0..8).prop_map(move |edits| {
        let mut b = seed.as_bytes().to_vec();
        for (at, byte, op) in edits {
            if b.is_empty() {
                b.push(byte);
                continue;
            }
            let i = at % b.len();
            match op {
                0 => b[i] = byte,
                1 => b.insert(i, byte),
                _ => {
                    b.remove(i);
                }
            }
        }
        b
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn policy_parser_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz::policy(&data);
    }

    #[test]
    fn policy_mutations_never_panic(data in mutated(POLICY)) {
        fuzz::policy(&data);
    }

    #[test]
    fn exceptions_parser_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz::exceptions(&data);
    }

    #[test]
    fn exceptions_mutations_never_panic(data in mutated(EXCEPTIONS)) {
        fuzz::exceptions(&data);
    }

    #[test]
    fn vex_parser_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz::vex(&data);
    }

    #[test]
    fn vex_mutations_never_panic(o in mutated(OPENVEX), c in mutated(CDX), s in mutated(CSAF)) {
        fuzz::vex(&o);
        fuzz::vex(&c);
        fuzz::vex(&s);
    }

    #[test]
    fn license_evaluation_never_panics(s in "[A-Za-z0-9.+/() -]{0,64}") {
        fuzz::license(s.as_bytes());
    }
}

#[test]
fn the_seeds_are_valid() {
    // The mutations start from documents that parse, so they reach deep into the parsers.
    Policy::parse("p", POLICY.as_bytes()).unwrap();
    Exceptions::parse("e", EXCEPTIONS.as_bytes()).unwrap();
    for doc in [OPENVEX, CDX, CSAF] {
        assert_eq!(
            Vex::parse("v", doc.as_bytes()).unwrap().statements.len(),
            1 + usize::from(doc == CSAF),
            "{doc}"
        );
    }
}

#[test]
fn oversized_inputs_are_refused_before_parsing() {
    let big = vec![b' '; MAX_YAML_BYTES + 1];
    assert!(matches!(
        Policy::parse("p", &big),
        Err(Error::TooLarge { .. })
    ));
    assert!(matches!(
        Exceptions::parse("e", &big),
        Err(Error::TooLarge { .. })
    ));
    let huge = vec![b' '; MAX_VEX_BYTES + 1];
    assert!(matches!(
        Vex::parse("v", &huge),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let yaml = format!("deny: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    assert!(Policy::parse("p", yaml.as_bytes()).is_err());
    let json = format!(
        "{{\"statements\": {}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert!(Vex::parse("v", json.as_bytes()).is_err());
}

#[test]
fn alias_bombs_fail_without_expanding() {
    // Ten to the twelfth strings once expanded: a parser that expanded it would never return.
    // The alias budget and the typed structs (no nested lists anywhere) stop it at once.
    let mut y =
        String::from("version: 1\nfixable_only: false\ndeny: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut prev = "a".to_owned();
    for i in 0..12 {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        y.push_str(&format!("kev: &l{i} [{refs}]\n"));
        prev = format!("l{i}");
    }
    assert!(Policy::parse("p", y.as_bytes()).is_err());
    assert!(Exceptions::parse("e", y.replace("deny", "secrets").as_bytes()).is_err());
}
