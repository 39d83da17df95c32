//! Output validated against the official CycloneDX 1.6 and SPDX 2.3 schemas and bosun's own
//! schema; the validator setup is proven on the CycloneDX spec's own test BOMs.

use std::path::Path;
use std::sync::OnceLock;

use bosun_report::{Format, RenderOptions, render};
use jsonschema::{Draft, Registry, Validator};
use serde_json::Value;

fn load(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn build_cyclonedx() -> Option<Validator> {
    let dir = bosun_testdata::path("schemas/cyclonedx/1.6")?;
    let bom = load(&dir.join("bom-1.6.schema.json"));
    let mut registry = Registry::new();
    for file in ["spdx.schema.json", "jsf-0.82.schema.json"] {
        let schema = load(&dir.join(file));
        let id = schema["$id"].as_str().unwrap().to_owned();
        registry = registry.add(id, schema).unwrap();
    }
    let registry = registry.prepare().unwrap();
    Some(
        jsonschema::options()
            .with_draft(Draft::Draft7)
            .should_validate_formats(true)
            .with_registry(&registry)
            .build(&bom)
            .unwrap(),
    )
}

fn build_spdx() -> Option<Validator> {
    draft7("schemas/spdx/2.3/spdx-schema.json")
}

fn build_bosun() -> Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/bosun-report.schema.json");
    let schema = load(&path);
    jsonschema::meta::validate(&schema).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

/// The validator for a JSON format, or `None` when the shared schemas are absent.
pub(crate) fn validator(format: Format) -> Option<&'static Validator> {
    static CDX: OnceLock<Option<Validator>> = OnceLock::new();
    static SPDX: OnceLock<Option<Validator>> = OnceLock::new();
    static BOSUN: OnceLock<Validator> = OnceLock::new();
    match format {
        Format::Json => Some(BOSUN.get_or_init(build_bosun)),
        Format::CycloneDxJson => CDX.get_or_init(build_cyclonedx).as_ref(),
        Format::SpdxJson => SPDX.get_or_init(build_spdx).as_ref(),
        _ => None,
    }
}

/// Every schema error of `doc` against `format`'s schema, as text (empty when valid).
pub(crate) fn schema_errors(format: Format, doc: &Value) -> Vec<String> {
    let Some(v) = validator(format) else {
        return Vec::new();
    };
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(10)
        .collect()
}

/// The CycloneDX spec's test BOMs: `valid-*` must validate and `invalid-*` must not. The
/// shared schemas' README names three valid BOMs that some strict draft-07 validators reject
/// because of an upstream `oneOf` quirk in jsf-0.82; only those may miss (with jsonschema
/// 0.61 none does).
#[test]
fn cyclonedx_spec_test_boms_prove_the_validator() {
    let dir = bosun_testdata::require!("schemas/cyclonedx/1.6/tests");
    let Some(v) = validator(Format::CycloneDxJson) else {
        return;
    };
    let known_quirks = [
        "valid-attestation-1.6.json",
        "valid-signatures-1.6.json",
        "valid-standard-1.6.json",
    ];
    let mut checked = 0;
    let mut mismatched = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".json") {
            continue;
        }
        let expect_valid = name.starts_with("valid-");
        assert!(expect_valid || name.starts_with("invalid-"), "{name}");
        if v.is_valid(&load(&path)) != expect_valid {
            mismatched.push(name);
        }
        checked += 1;
    }
    mismatched.sort();
    assert_eq!(checked, 70);
    assert!(
        mismatched
            .iter()
            .all(|m| known_quirks.contains(&m.as_str())),
        "files not meeting expectations: {mismatched:?}"
    );
}

/// The official SPDX 2.3 example validates, so the SPDX validator accepts real documents.
#[test]
fn spdx_official_example_validates() {
    let path = bosun_testdata::require!("schemas/spdx/2.3/SPDXJSONExample-v2.3.spdx.json");
    let doc = load(&path);
    assert_eq!(schema_errors(Format::SpdxJson, &doc), Vec::<String>::new());
    let mut broken = doc.clone();
    broken.as_object_mut().unwrap().remove("SPDXID");
    assert!(!schema_errors(Format::SpdxJson, &broken).is_empty());
}

/// bosun's real-data inventory, rendered in each JSON format, validates against the format's
/// schema.
#[test]
fn real_inventory_output_validates_in_every_json_format() {
    let Some(inv) = crate::data::real_inventory() else {
        return;
    };
    for format in [Format::Json, Format::CycloneDxJson, Format::SpdxJson] {
        let mut out = Vec::new();
        render(&inv, format, &RenderOptions::default(), &mut out).unwrap();
        let doc: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            schema_errors(format, &doc),
            Vec::<String>::new(),
            "{format}"
        );
    }
}

/// The bosun schema rejects what it must: a wrong schema_version and a missing key.
#[test]
fn bosun_schema_rejects_drift() {
    let mut out = Vec::new();
    render(
        &bosun_inventory::Inventory::default(),
        Format::Json,
        &RenderOptions::default(),
        &mut out,
    )
    .unwrap();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    assert!(schema_errors(Format::Json, &doc).is_empty());
    let mut v2 = doc.clone();
    v2["schema_version"] = "2".into();
    assert!(!schema_errors(Format::Json, &v2).is_empty());
    let mut missing = doc.clone();
    missing.as_object_mut().unwrap().remove("secrets");
    assert!(!schema_errors(Format::Json, &missing).is_empty());
    let mut extra = doc;
    extra["packages"] = serde_json::json!([{"name": "x"}]);
    assert!(!schema_errors(Format::Json, &extra).is_empty());
}

/// The embedded list of ids written as CycloneDX `license.id` is exactly the schema's enum.
#[test]
fn embedded_cyclonedx_license_ids_match_the_schema_enum() {
    let path = bosun_testdata::require!("schemas/cyclonedx/1.6/spdx.schema.json");
    let schema = load(&path);
    let ids: Vec<&str> = schema["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(ids.len(), 729);
    for id in &ids {
        assert!(bosun_report::is_cyclonedx_license_id(id), "{id}");
    }
    // Ids of the newer SPDX list the enum lacks are not written as ids.
    for id in ["NOASSERTION", "HDF5", "mit", "GPL-2+", ""] {
        assert!(!bosun_report::is_cyclonedx_license_id(id), "{id}");
    }
}

fn draft7(rel: &str) -> Option<Validator> {
    let schema = load(&bosun_testdata::path(rel)?);
    Some(
        jsonschema::options()
            .with_draft(Draft::Draft7)
            .should_validate_formats(true)
            .build(&schema)
            .unwrap(),
    )
}

/// The SARIF 2.1.0 validator (SchemaStore's draft-07 copy, the one GitHub's docs name), or
/// `None` (with a notice) without the shared schemas.
pub(crate) fn sarif_validator() -> Option<&'static Validator> {
    static V: OnceLock<Option<Validator>> = OnceLock::new();
    V.get_or_init(|| draft7("schemas/sarif/schemastore/sarif-2.1.0.json"))
        .as_ref()
}

/// The GitLab container scanning report 15.0.7 validator, or `None` (with a notice) without
/// the shared schemas.
pub(crate) fn gitlab_validator() -> Option<&'static Validator> {
    static V: OnceLock<Option<Validator>> = OnceLock::new();
    V.get_or_init(|| draft7("schemas/gitlab/15.0.7/container-scanning-report-format.json"))
        .as_ref()
}

/// The SARIF schema errors of `doc`; none when the shared schemas are absent (the skip is
/// announced by `bosun_testdata::path`, and CI requires them).
pub(crate) fn sarif_errors(doc: &Value) -> Vec<String> {
    sarif_validator().map_or_else(Vec::new, |v| errors_of(v, doc))
}

/// The GitLab schema errors of `doc`; none when the shared schemas are absent.
pub(crate) fn gitlab_errors(doc: &Value) -> Vec<String> {
    gitlab_validator().map_or_else(Vec::new, |v| errors_of(v, doc))
}

/// Every error of `doc` against `v`, as text (empty when valid).
pub(crate) fn errors_of(v: &Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(10)
        .collect()
}

/// The validators accept the peer examples kept with the shared schemas (trivy's real SARIF
/// and GitLab output) and reject a broken copy, so a pass means something.
#[test]
fn ci_validators_accept_peer_examples() {
    let shared = bosun_testdata::require!("schemas");
    let (Some(sarif), Some(gitlab)) = (sarif_validator(), gitlab_validator()) else {
        return;
    };
    for (v, file) in [
        (sarif, "sarif/trivy-example/alpine-310.sarif.golden"),
        (gitlab, "gitlab/trivy-example/alpine-310.gitlab.golden"),
    ] {
        let mut doc = load(&shared.join(file));
        assert_eq!(errors_of(v, &doc), Vec::<String>::new(), "{file}");
        doc.as_object_mut().unwrap().remove("version");
        assert!(!errors_of(v, &doc).is_empty(), "{file} without version");
    }
}
