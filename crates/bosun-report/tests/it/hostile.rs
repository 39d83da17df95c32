//! Malformed input gives a typed error, never a panic.

use bosun_report::{Format, RenderOptions, ReportError, fuzz_read_sbom, read_sbom, render};
use proptest::prelude::*;

#[test]
fn typed_errors_for_wrong_input() {
    assert!(matches!(
        read_sbom(b"not json"),
        Err(ReportError::NotJson(_))
    ));
    assert!(matches!(read_sbom(b"{}"), Err(ReportError::UnknownSbom)));
    assert!(matches!(read_sbom(b"[1,2]"), Err(ReportError::UnknownSbom)));
    assert!(matches!(
        read_sbom(br#"{"bomFormat":"CycloneDX","specVersion":"2.0"}"#),
        Err(ReportError::UnsupportedVersion {
            format: "cyclonedx",
            ..
        })
    ));
    assert!(matches!(
        read_sbom(br#"{"spdxVersion":"SPDX-3.0"}"#),
        Err(ReportError::UnsupportedVersion { format: "spdx", .. })
    ));
    assert!(matches!(
        read_sbom(br#"{"schema_version":"1","packages":7}"#),
        Err(ReportError::Malformed {
            format: "bosun",
            ..
        })
    ));
    assert!(matches!(
        read_sbom(br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":{}}"#),
        Err(ReportError::Malformed {
            format: "cyclonedx",
            ..
        })
    ));
    let bad_index = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
        {"type":"library","name":"x","properties":[
          {"name":"bosun:package:type","value":"deb"},
          {"name":"bosun:layer:index","value":"minus one"}]}]}"#;
    assert!(matches!(
        read_sbom(bad_index),
        Err(ReportError::BadProperty { key, .. }) if key == "bosun:layer:index"
    ));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(
        read_sbom(deep.as_bytes()),
        Err(ReportError::NotJson(_))
    ));
    let mut nested = String::from(r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":["#);
    for _ in 0..60 {
        nested.push_str(r#"{"type":"library","name":"a","components":["#);
    }
    nested.push_str(&"]}".repeat(60));
    nested.push_str("]}");
    // Within serde_json's depth limit: read, nested components walked without recursion.
    assert!(read_sbom(nested.as_bytes()).is_ok());
}

/// Real outputs of every format, to mutate (built once).
fn seeds() -> &'static [Vec<u8>] {
    static SEEDS: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(build_seeds)
}

fn build_seeds() -> Vec<Vec<u8>> {
    let Some(mut inv) = crate::data::real_inventory() else {
        return Vec::new();
    };
    // A few packages keep each mutation run fast while covering every field.
    inv.packages.truncate(4);
    // Findings of every kind, so that mutations reach the finding readers too.
    let findings = crate::sample::findings_inventory();
    inv.vulnerabilities = findings.vulnerabilities;
    inv.secrets = findings.secrets;
    inv.misconfigurations = findings.misconfigurations;
    [Format::Json, Format::CycloneDxJson, Format::SpdxJson]
        .iter()
        .map(|f| {
            let mut out = Vec::new();
            render(&inv, *f, &RenderOptions::default(), &mut out).unwrap();
            out
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: crate::cases(256), ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        fuzz_read_sbom(&data);
    }

    /// Byte flips, cuts and splices of real outputs: read (if still readable), re-render and
    /// re-read without panic and with a lossless round trip.
    #[test]
    fn mutated_real_outputs_never_panic(
        which in 0usize..3,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..8),
    ) {
        let seeds = seeds();
        let Some(seed) = seeds.get(which) else { return Ok(()) };
        let mut data = seed.clone();
        for (at, byte, op) in edits {
            if data.is_empty() { break; }
            let i = at.index(data.len());
            match op {
                0 => data[i] = byte,
                1 => data.truncate(i),
                2 => data.insert(i, byte),
                _ => { data.remove(i); }
            }
        }
        fuzz_read_sbom(&data);
    }

    /// JSON-aware mutations: a value anywhere in a real output replaced by another type.
    #[test]
    fn retyped_values_never_panic(which in 0usize..3, path_seed in any::<u64>(), kind in 0u8..5) {
        let seeds = seeds();
        let Some(seed) = seeds.get(which) else { return Ok(()) };
        let mut doc: serde_json::Value = serde_json::from_slice(seed).unwrap();
        let replacement = match kind {
            0 => serde_json::Value::Null,
            1 => serde_json::json!(-1),
            2 => serde_json::json!("bosun:layer:index=x"),
            3 => serde_json::json!([]),
            _ => serde_json::json!({}),
        };
        let mut node = &mut doc;
        let mut seed_bits = path_seed;
        for _ in 0..6 {
            let len = match node {
                serde_json::Value::Object(m) => m.len(),
                serde_json::Value::Array(a) => a.len(),
                _ => 0,
            };
            if len == 0 || seed_bits % 5 == 0 { break; }
            let i = (seed_bits as usize / 5) % len;
            seed_bits /= 7;
            node = match node {
                serde_json::Value::Object(m) => m.values_mut().nth(i).unwrap(),
                serde_json::Value::Array(a) => &mut a[i],
                _ => unreachable!(),
            };
        }
        *node = replacement;
        fuzz_read_sbom(&serde_json::to_vec(&doc).unwrap());
    }
}
