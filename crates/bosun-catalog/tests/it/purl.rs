//! Package URLs against the purl-spec test vectors for the deb, apk and rpm types.

use bosun_catalog::purl::Purl;

#[test]
fn build_vectors_of_deb_apk_rpm() {
    let mut checked = 0;
    for ty in ["deb", "apk", "rpm"] {
        let p =
            bosun_testdata::require!(&format!("schemas/purl/v1.0.1/tests/types/{ty}-test.json"));
        let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        for t in doc["tests"].as_array().unwrap() {
            if t["test_type"] != "build" || t["expected_failure"] == true {
                continue;
            }
            let input = &t["input"];
            let qualifiers = input["qualifiers"]
                .as_object()
                .map(|q| {
                    q.iter()
                        .map(|(k, v)| (k.as_str(), v.as_str().unwrap().to_owned()))
                        .collect()
                })
                .unwrap_or_default();
            let purl = Purl {
                ty: input["type"].as_str().unwrap(),
                namespace: input["namespace"].as_str(),
                name: input["name"].as_str().unwrap(),
                version: input["version"].as_str().unwrap_or(""),
                qualifiers,
            };
            assert_eq!(
                purl.render(),
                t["expected_output"].as_str().unwrap(),
                "{}",
                t["description"]
            );
            checked += 1;
        }
    }
    assert!(checked >= 11, "{checked}");
}
