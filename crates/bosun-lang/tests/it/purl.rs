//! Purls against the purl-spec test suite (`schemas/purl/v1.0.1/tests/types/*-test.json`).

use bosun_lang::{LangEcosystem, purl, purl_parts};
use serde_json::Value;

const TYPES: [(&str, LangEcosystem); 8] = [
    ("pypi", LangEcosystem::PyPI),
    ("npm", LangEcosystem::Npm),
    ("maven", LangEcosystem::Maven),
    ("gem", LangEcosystem::RubyGems),
    ("composer", LangEcosystem::Packagist),
    ("nuget", LangEcosystem::NuGet),
    ("cargo", LangEcosystem::CratesIo),
    ("golang", LangEcosystem::Go),
];

fn str_of(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_owned)
}

#[test]
fn purls_match_the_purl_spec_build_tests() {
    let mut checked = 0;
    let mut via_name = 0;
    for (ty, eco) in TYPES {
        let Some(p) =
            bosun_testdata::path(&format!("schemas/purl/v1.0.1/tests/types/{ty}-test.json"))
        else {
            return;
        };
        let doc: Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        for t in doc["tests"].as_array().unwrap() {
            if t["test_type"] != "build" || t["expected_failure"] == true {
                continue;
            }
            let input = &t["input"];
            let expected = t["expected_output"].as_str().unwrap();
            if input["subpath"].is_string() {
                continue; // no manifest here has subpaths
            }
            let ns = str_of(input, "namespace");
            let name = str_of(input, "name").unwrap();
            let version = str_of(input, "version");
            let quals: Vec<(String, String)> = input["qualifiers"]
                .as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            let q: Vec<(&str, &str)> = quals
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let got = purl_parts(ty, ns.as_deref(), &name, version.as_deref(), &q);
            assert_eq!(got.as_deref(), Some(expected), "{ty}: {input}");
            checked += 1;
            // The crate's own entry point, from a name as manifests write it.
            if q.is_empty()
                && let Some(v) = &version
            {
                let joined = match (&ns, eco) {
                    (Some(ns), LangEcosystem::Maven) => format!("{ns}:{name}"),
                    (Some(ns), _) => format!("{ns}/{name}"),
                    (None, _) => name.clone(),
                };
                assert_eq!(purl(eco, &joined, v), expected, "{ty}: {joined}");
                via_name += 1;
            }
        }
    }
    assert!(checked >= 20, "only {checked} purl-spec cases checked");
    assert!(
        via_name >= 10,
        "only {via_name} purl-spec cases checked through purl()"
    );
}
