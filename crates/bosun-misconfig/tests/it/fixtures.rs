//! Whole configs shaped like real images' (OCI image config JSON), with a list of final paths.

use std::path::PathBuf;

use bosun_misconfig::{Healthcheck, HistoryEntry, ImageFacts};
use serde_json::Value;

use crate::{checker, ids};

/// Reads `tests/fixtures/<name>.json` (an OCI image config) and `<name>.paths` (final paths).
fn load(name: &str) -> ImageFacts {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let v: Value =
        serde_json::from_slice(&std::fs::read(dir.join(format!("{name}.json"))).unwrap()).unwrap();
    let c = &v["config"];
    let strs = |x: &Value| -> Vec<String> {
        x.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    ImageFacts {
        user: c["User"].as_str().unwrap_or("").to_owned(),
        env: strs(&c["Env"]),
        exposed_ports: c["ExposedPorts"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default(),
        healthcheck: c.get("Healthcheck").map(|h| Healthcheck {
            test: strs(&h["Test"]),
        }),
        history: v["history"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| HistoryEntry {
                created_by: h["created_by"].as_str().unwrap_or("").to_owned(),
                comment: h["comment"].as_str().unwrap_or("").to_owned(),
            })
            .collect(),
        labels: c["Labels"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                    .collect()
            })
            .unwrap_or_default(),
        paths: std::fs::read_to_string(dir.join(format!("{name}.paths")))
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect(),
    }
}

#[test]
fn nginx_official_runs_as_root_without_healthcheck_only() {
    assert_eq!(
        ids(&checker().check(&load("nginx-1.25"))),
        ["BOSUN-CFG-001", "BOSUN-CFG-003"]
    );
}

#[test]
fn python_slim_gpg_key_env_is_not_a_secret() {
    let found = checker().check(&load("python-3.12-slim"));
    assert_eq!(ids(&found), ["BOSUN-CFG-001", "BOSUN-CFG-003"], "{found:?}");
}

#[test]
fn leaky_app_trips_every_rule_with_masked_evidence() {
    let found = checker().check(&load("leaky-app"));
    let got = ids(&found);
    for id in bosun_misconfig::RULES.iter().map(|r| r.id) {
        assert!(got.contains(&id), "{id} missing in {got:?}");
    }
    let env: Vec<&str> = found
        .iter()
        .filter(|m| m.id == "BOSUN-CFG-002")
        .map(|m| m.evidence.as_str())
        .collect();
    assert_eq!(
        env.len(),
        2,
        "DB_PASSWORD by name, CI_BOT by content: {env:?}"
    );
    for m in &found {
        assert!(
            !m.evidence.contains("Pr0d-DB-pa55w0rd")
                && !m.evidence.contains("ghp_0123456789ABCDEF"),
            "{m:?}"
        );
    }
    // Port 22 and sshd both count, as do four separate caches.
    assert_eq!(found.iter().filter(|m| m.id == "BOSUN-CFG-005").count(), 2);
    assert_eq!(found.iter().filter(|m| m.id == "BOSUN-CFG-007").count(), 4);
}

#[test]
fn hardened_app_is_clean() {
    let found = checker().check(&load("hardened-app"));
    assert!(found.is_empty(), "{found:?}");
}
