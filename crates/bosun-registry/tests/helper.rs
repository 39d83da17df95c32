//! Credential helpers run for real: `docker-credential-NAME get` found on `PATH`, fed the
//! server URL on stdin, its JSON answer used. This file holds one test so that changing
//! `PATH` cannot race another test of the same process.

#![allow(clippy::unwrap_used)]

use std::os::unix::fs::PermissionsExt;

use bosun_registry::{DockerConfig, stored_credentials};

#[test]
fn credential_helpers_are_run_with_the_server_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let seen = dir.path().join("seen");
    // A helper that records what it was asked and answers for ghcr.io only.
    let script = format!(
        "#!/bin/sh\n[ \"$1\" = get ] || exit 2\nread -r server\nprintf '%s\\n' \"$server\" >> '{}'\nif [ \"$server\" = ghcr.io ]; then\n  printf '{{\"ServerURL\":\"ghcr.io\",\"Username\":\"octo\",\"Secret\":\"ghp_x\"}}'\nelse\n  echo 'credentials not found in native keychain'\n  exit 1\nfi\n",
        seen.display()
    );
    let helper = bin.join("docker-credential-bosuntest");
    std::fs::write(&helper, script).unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // SAFETY: this is the only test of this binary, and no other thread reads the
    // environment while it is changed.
    #[allow(unsafe_code)]
    unsafe {
        std::env::set_var("PATH", path);
    }
    let config = dir.path().join("config.json");
    std::fs::write(&config, r#"{"credsStore":"bosuntest"}"#).unwrap();
    let cfg = DockerConfig::Path(config.clone());

    let c = stored_credentials(&cfg, "ghcr.io").unwrap().unwrap();
    assert_eq!(
        (c.username.as_str(), c.password.as_str()),
        ("octo", "ghp_x")
    );
    // "credentials not found" means anonymous, not an error.
    assert!(stored_credentials(&cfg, "docker.io").unwrap().is_none());
    let asked = std::fs::read_to_string(&seen).unwrap();
    assert_eq!(asked, "ghcr.io\nhttps://index.docker.io/v1/\n");

    // A helper that is not installed is an error that says so.
    std::fs::write(
        &config,
        r#"{"credHelpers":{"quay.io":"bosun-missing-helper"}}"#,
    )
    .unwrap();
    let e = stored_credentials(&cfg, "quay.io").unwrap_err().to_string();
    assert!(
        e.contains("docker-credential-bosun-missing-helper") && e.contains("quay.io"),
        "{e}"
    );
    // A missing config file means anonymous.
    let none = DockerConfig::Path(dir.path().join("absent.json"));
    assert!(stored_credentials(&none, "ghcr.io").unwrap().is_none());
}
