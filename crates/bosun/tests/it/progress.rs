//! Progress display of registry pulls (bosun#7): per-layer bars go to a terminal's standard
//! error only; a pipe gets no progress at all, and standard output only ever gets the report.

use bosun_testkit::ImageBuilder;
use bosun_testkit::registry::{RealRegistry, tools};
use serde_json::Value;

/// A small image of three layers (one holding 2 MB, so a download takes a few reads).
fn push_sample(reg: &RealRegistry, repo_tag: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    let big: String = (0..200_000).map(|i| format!("{i:09}\n")).collect();
    ImageBuilder::new()
        .layer(|l| l.file("etc/os-release", "ID=alpine\nVERSION_ID=3.20.3\n"))
        .layer(|l| l.file("data/big.txt", &big))
        .layer(|l| l.file("app/main.py", "print('hi')\n"))
        .write_oci_dir(&oci)
        .unwrap();
    reg.push(&oci, repo_tag, false);
    tmp
}

/// Marks of a progress display: carriage returns, escape sequences, bar words.
fn progress_marks(stderr: &str) -> Vec<&'static str> {
    [
        "\r", "\x1b[", "cached", "analysis", "layers", "B/s", "reading", "opening",
    ]
    .into_iter()
    .filter(|m| stderr.contains(m))
    .collect()
}

#[test]
fn registry_pull_in_a_pipe_prints_no_progress() {
    if !tools() {
        return;
    }
    let reg = RealRegistry::start(None);
    let _image = push_sample(&reg, "team/progress:1");
    let reference = format!("{}/team/progress:1", reg.host());
    let out = crate::support::command()
        .args(["sbom", "--format", "json", &reference])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        progress_marks(&stderr).is_empty(),
        "progress on a pipe's stderr: {:?} in {stderr:?}",
        progress_marks(&stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is only the JSON report");
    assert_eq!(v["source"]["kind"], "registry");
    // The layers really were downloaded (three of them, per the report).
    assert_eq!(v["layers"].as_array().map(Vec::len), Some(3));
}

#[test]
fn registry_pull_on_a_terminal_keeps_progress_off_stdout() {
    if !tools() {
        return;
    }
    if !bosun_testkit::registry::has("script", "--version") {
        eprintln!("skipped: util-linux `script` (a pseudo-terminal) is missing");
        return;
    }
    let reg = RealRegistry::start(None);
    let _image = push_sample(&reg, "team/progress:2");
    let reference = format!("{}/team/progress:2", reg.host());
    let tmp = tempfile::tempdir().unwrap();
    let report = tmp.path().join("report.json");
    let piped = crate::support::command()
        .args(["sbom", "--format", "json", &reference])
        .output()
        .unwrap();
    assert!(piped.status.success());
    // stderr is the pseudo-terminal `script` records; stdout goes to a file.
    let inner = format!(
        "'{}' sbom --format json '{}' > '{}'",
        env!("CARGO_BIN_EXE_bosun"),
        reference,
        report.display()
    );
    let run = std::process::Command::new("script")
        .args(["-qefc", &inner, "/dev/null"])
        .env("BOSUN_CACHE_DIR", tmp.path().join("cache"))
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    let terminal = String::from_utf8_lossy(&run.stdout);
    assert!(
        terminal.contains("layers") && terminal.contains("B/s"),
        "the terminal shows the analysis and download bars: {terminal:?}"
    );
    let on_terminal = std::fs::read(&report).unwrap();
    let v: Value =
        serde_json::from_slice(&on_terminal).expect("stdout is only the JSON report on a tty");
    let p: Value = serde_json::from_slice(&piped.stdout).unwrap();
    assert_eq!(v["packages"], p["packages"], "same report as in a pipe");
    assert_eq!(v["source"], p["source"]);
}

#[test]
fn cached_layers_are_marked_on_a_terminal_and_stdout_stays_clean() {
    if !tools() {
        return;
    }
    if !bosun_testkit::registry::has("script", "--version") {
        eprintln!("skipped: util-linux `script` (a pseudo-terminal) is missing");
        return;
    }
    let reg = RealRegistry::start(None);
    let _image = push_sample(&reg, "team/progress:3");
    let reference = format!("{}/team/progress:3", reg.host());
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let scan = |n: usize| {
        let report = tmp.path().join(format!("report{n}.json"));
        let inner = format!(
            "'{}' scan --scanners secret --offline --cache-dir '{}' --format json '{}' > '{}'",
            env!("CARGO_BIN_EXE_bosun"),
            cache.display(),
            reference,
            report.display()
        );
        let run = std::process::Command::new("script")
            .args(["-qefc", &inner, "/dev/null"])
            .env("TERM", "xterm")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let terminal = String::from_utf8_lossy(&run.stdout).into_owned();
        assert!(run.status.success(), "{terminal}");
        let v: Value = serde_json::from_slice(&std::fs::read(&report).unwrap())
            .expect("stdout is only the JSON report on a tty");
        (terminal, v)
    };
    let (first, v1) = scan(1);
    assert!(!first.contains("cached"), "nothing cached yet: {first:?}");
    let (second, v2) = scan(2);
    assert!(
        second.contains("cached"),
        "the second scan marks its layers cached: {second:?}"
    );
    assert!(!second.contains("B/s"), "and downloads nothing: {second:?}");
    assert_eq!(v1["layers"], v2["layers"]);
}
