//! `bosun scan`: secrets in every layer and in the config, and configuration checks.

use bosun_testkit::{Compression, ImageBuilder};
use serde_json::Value;

use crate::support::bosun;

// Made-up credentials in the shapes the rules look for (the same as the peers' test image).
const AWS_ID: &str = "AKIA2E0A8F3B244C9986";
const AWS_SECRET: &str = "Ex1sU3q7tYv9pR2mZk8LwN4bH6cJd0FgTaQeVuXo";
const GITHUB: &str = "ghp_4Xq9Lm2Rt7Vz1Kp8Ns3Wd6Yb0Hc5Jf2Ge9Ta";
const NPM: &str = "npm_Zq8Xv3Lm9Rt2Wp7Ks4Nd1Yb6Hc0Jf5Ge8TaQ";

/// Layer 0 writes a credentials file, layer 1 deletes it; the config leaks two more.
fn leaky_image(path: &std::path::Path) {
    let env_file = format!("AWS_ACCESS_KEY_ID={AWS_ID}\nAWS_SECRET_ACCESS_KEY={AWS_SECRET}\n");
    ImageBuilder::new()
        .env(&format!("GITHUB_TOKEN={GITHUB}"))
        .env("PATH=/usr/bin")
        .layer(|l| {
            l.created_by("COPY . /app")
                .dir("app")
                .file("app/.env", &env_file)
                .file("app/main.py", "print('hello')\n")
        })
        .layer(|l| {
            l.compression(Compression::Gzip)
                .created_by(&format!("|1 NPM_TOKEN={NPM} /bin/sh -c rm /app/.env"))
                .whiteout("app/.env")
        })
        .write_docker_archive(path)
        .unwrap();
}

fn scan_json(args: &[&str]) -> (Value, std::process::Output) {
    let out = bosun(args);
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (report, out)
}

#[test]
fn secret_deleted_in_a_later_layer_is_reported_with_its_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("leaky.tar");
    leaky_image(&image);
    let (report, out) = scan_json(&[
        "scan",
        "--scanners",
        "secret,config",
        "--format",
        "json",
        image.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let secrets = report["secrets"].as_array().unwrap();
    let in_file: Vec<&Value> = secrets
        .iter()
        .filter(|s| s["path"] == "/app/.env")
        .collect();
    let rules: Vec<&str> = in_file
        .iter()
        .map(|s| s["rule_id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["aws-access-key-id", "aws-secret-access-key"]);
    let diff_id0 = &report["layers"][0]["diff_id"];
    for s in &in_file {
        assert_eq!(s["layer"]["index"], 0);
        assert_eq!(&s["layer"]["diff_id"], diff_id0);
        assert_eq!(s["in_final"], false, "the file was deleted by layer 1");
    }
    assert_eq!(in_file[0]["line"], 1);
    assert_eq!(in_file[1]["line"], 2);
}

#[test]
fn secrets_in_env_and_history_are_reported_from_the_config() {
    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("leaky.tar");
    leaky_image(&image);
    let (report, _) = scan_json(&[
        "scan",
        "--scanners",
        "secret,config",
        "--format",
        "json",
        image.to_str().unwrap(),
    ]);
    let secrets = report["secrets"].as_array().unwrap();
    let env = secrets
        .iter()
        .find(|s| s["path"] == "config:Env")
        .expect("github token in Env");
    assert_eq!(env["rule_id"], "github-pat");
    assert!(env["layer"].is_null());
    let history = secrets
        .iter()
        .find(|s| s["path"].as_str().unwrap().starts_with("config:history["))
        .expect("npm token in history");
    assert_eq!(history["rule_id"], "npm-access-token");
}

#[test]
fn no_output_format_reveals_a_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("leaky.tar");
    leaky_image(&image);
    for format in ["json", "table"] {
        let out = bosun(&[
            "scan",
            "--scanners",
            "secret,config",
            "--format",
            format,
            image.to_str().unwrap(),
        ]);
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("AKIA"),
            "{format}: the masked prefix is shown"
        );
        for secret in [AWS_ID, AWS_SECRET, GITHUB, NPM] {
            assert!(!text.contains(secret), "{format} leaks {secret}");
            assert!(
                !text.contains(&secret[8..]),
                "{format} leaks the tail of {secret}"
            );
        }
    }
}

#[test]
fn configuration_checks_flag_root_and_missing_healthcheck() {
    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("leaky.tar");
    leaky_image(&image);
    let (report, _) = scan_json(&[
        "scan",
        "--scanners",
        "config",
        "--format",
        "json",
        image.to_str().unwrap(),
    ]);
    let ids: Vec<&str> = report["misconfigurations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"BOSUN-CFG-001"), "runs as root: {ids:?}");
    assert!(ids.contains(&"BOSUN-CFG-002"), "secret in ENV: {ids:?}");
    assert!(ids.contains(&"BOSUN-CFG-003"), "no healthcheck: {ids:?}");
    assert!(
        report["secrets"].as_array().unwrap().is_empty(),
        "secret scanner was off"
    );
}

#[test]
fn exit_code_and_severity_filter() {
    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("leaky.tar");
    leaky_image(&image);
    let path = image.to_str().unwrap();
    let out = bosun(&[
        "scan",
        "--scanners",
        "secret,config",
        "--exit-code",
        "3",
        path,
    ]);
    assert_eq!(out.status.code(), Some(3), "findings with --exit-code 3");
    // Only LOW findings requested, and the secret rules here are CRITICAL: the LOW
    // healthcheck finding remains.
    let (report, out) = scan_json(&[
        "scan",
        "--scanners",
        "secret,config",
        "--severity",
        "LOW",
        "--format",
        "json",
        path,
    ]);
    assert!(out.status.success());
    assert!(report["secrets"].as_array().unwrap().is_empty());
    assert!(
        report["misconfigurations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["severity"] == "LOW")
    );
    let clean = tmp.path().join("clean.tar");
    ImageBuilder::new()
        .user("app")
        .layer(|l| l.file("app/main.py", "print('hi')\n"))
        .write_docker_archive(&clean)
        .unwrap();
    let out = bosun(&[
        "scan",
        "--scanners",
        "secret",
        "--exit-code",
        "3",
        clean.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "no findings: exit 0");
    let out = bosun(&["scan", "--scanners", "license", path]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "unavailable scanner is a usage error"
    );
}
