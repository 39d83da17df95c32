//! Python formats.

use super::{pairs, parse_as, parse_full_as, set};
use bosun_lang::LangEcosystem;

/// Expected name, version and license from Trivy's `packaging/parse_test.go` (licenses: the
/// cases where Trivy reads a header or classifier, not a license file).
#[test]
fn metadata_files_give_trivys_expected_packages() {
    let cases = [
        (
            "python/site-packages/asyncssh-2.14.2.METADATA",
            "asyncssh",
            "2.14.2",
            Some("Eclipse Public License v2.0"),
        ),
        (
            "python/site-packages/iniconfig-2.0.0.METADATA",
            "iniconfig",
            "2.0.0",
            Some("MIT"),
        ),
        (
            "python/site-packages/zipp-3.12.1.METADATA",
            "zipp",
            "3.12.1",
            Some("MIT License"),
        ),
        (
            "python/site-packages/networkx-3.0.METADATA",
            "networkx",
            "3.0",
            None,
        ),
        (
            "python/site-packages/setuptools-51.3.3-py3.8.egg-info.PKG-INFO",
            "setuptools",
            "51.3.3",
            None,
        ),
    ];
    for (rel, name, version, license) in cases {
        let Some(pkgs) = parse_as(rel, "x.dist-info/METADATA") else {
            return;
        };
        assert_eq!(pkgs.len(), 1, "{rel}");
        assert_eq!(
            (pkgs[0].name.as_str(), pkgs[0].version.as_str()),
            (name, version),
            "{rel}"
        );
        if let Some(l) = license {
            assert_eq!(pkgs[0].licenses, vec![l.to_owned()], "{rel}");
        }
        assert_eq!(pkgs[0].ecosystem, LangEcosystem::PyPI);
    }
}

/// Python's own header parser (`email.parser`, what `importlib.metadata` uses) as the oracle
/// for the installed METADATA files of Flask and click.
#[test]
fn metadata_matches_python_email_parser() {
    if !super::tool("python3") {
        return;
    }
    for rel in [
        "python/site-packages/Flask-2.0.0.dist-info/METADATA",
        "python/site-packages/click-8.0.0.dist-info/METADATA",
    ] {
        let Some(p) = bosun_testdata::path(&format!("data/app-deps/{rel}")) else {
            return;
        };
        let out = std::process::Command::new("python3")
            .args([
                "-c",
                "import email,sys; m=email.message_from_binary_file(open(sys.argv[1],'rb')); print(m['Name']); print(m['Version']); print(m['License'] or '')",
            ])
            .arg(&p)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let mut lines = text.lines();
        let (name, version, license) = (
            lines.next().unwrap(),
            lines.next().unwrap(),
            lines.next().unwrap_or(""),
        );
        let pkgs = parse_as(rel, rel).unwrap();
        assert_eq!(
            (pkgs[0].name.as_str(), pkgs[0].version.as_str()),
            (name, version),
            "{rel}"
        );
        assert_eq!(pkgs[0].licenses, vec![license.to_owned()], "{rel}");
    }
}

/// Expected lists of osv-scalibr's `requirements/extractor_test.go` (example.txt,
/// per_req_options.txt) and Trivy's pip tests (hash, operator). Deviation, on purpose: `foo7`
/// (`foo7==1.0 junk --hash=...`), for which osv-scalibr reports the version
/// "1.0unexpected_text_before_options_stays_around", is skipped here as pip rejects the line.
/// The fixture is newer than that expected list and adds foo16–foo18 (plain `==1.0` pins).
#[test]
fn requirements_give_upstream_expected_lists() {
    let Some(p) = parse_full_as(
        "python/requirements/osv-scalibr-example.requirements.txt",
        "requirements.txt",
    ) else {
        return;
    };
    assert_eq!(pairs(&p.packages), set(&[("docopt", "0.6.1")]));
    assert_eq!(
        p.unresolved_includes,
        vec!["other-requirements.txt", "constraints.txt"]
    );

    let p = parse_as(
        "python/requirements/osv-scalibr-per_req_options.requirements.txt",
        "requirements.txt",
    )
    .unwrap();
    let mut want: Vec<(String, String)> = [1, 2, 3, 4, 5, 6, 8, 9, 11, 12, 13, 14]
        .iter()
        .map(|i| (format!("foo{i}"), "1.0".to_owned()))
        .collect();
    want.extend(
        [
            ("foo16-Client", "1.0"),
            ("foo17--hash", "1.0"),
            ("foo18-Client", "1.0"),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned())),
    );
    assert_eq!(pairs(&p), want.into_iter().collect());

    let p = parse_as(
        "python/requirements/trivy-requirements_hash.txt",
        "requirements.txt",
    )
    .unwrap();
    assert_eq!(
        pairs(&p),
        set(&[("FooProject", "1.2"), ("Jinja2", "3.0.0")])
    );
    let p = parse_as(
        "python/requirements/trivy-requirements_operator.txt",
        "requirements.txt",
    )
    .unwrap();
    assert_eq!(
        pairs(&p),
        set(&[("Django", "2.3.4"), ("SomeProject", "5.4")])
    );
    // Only ranges and wildcards: nothing is pinned.
    let p = parse_as(
        "python/requirements/trivy-requirements_compatible.txt",
        "requirements.txt",
    )
    .unwrap();
    assert!(p.is_empty(), "{p:?}");
}

/// pip-compile output: every `name==version` line is a package (line-scan oracle).
#[test]
fn pip_compile_output_gives_every_pinned_line() {
    let rel = "python/requirements/trivy-docs-build-requirements.txt";
    let Some(bytes) = super::fixture(rel) else {
        return;
    };
    let want: std::collections::BTreeSet<(String, String)> = String::from_utf8(bytes)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once("=="))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let got = parse_as(rel, "requirements.txt").unwrap();
    assert_eq!(got.len(), 39);
    assert_eq!(pairs(&got), want);
}

/// Oracle: the `[[package]]` tables read with `toml::Value`, and their `category`/`groups`.
#[test]
fn poetry_locks_v1_and_v2_list_every_package_with_dev_flags() {
    for rel in [
        "python/poetry/trivy-poetry_v1_flask.lock",
        "python/poetry/trivy-poetry_v2_flask.lock",
    ] {
        let Some(bytes) = super::fixture(rel) else {
            return;
        };
        let doc: toml::Value = toml::from_str(std::str::from_utf8(&bytes).unwrap()).unwrap();
        let tables = doc["package"].as_array().unwrap();
        let got = parse_as(rel, "poetry.lock").unwrap();
        assert_eq!(got.len(), tables.len(), "{rel}");
        for (t, p) in tables.iter().zip(&got) {
            assert_eq!(t["name"].as_str().unwrap(), p.name);
            assert_eq!(t["version"].as_str().unwrap(), p.version);
            let dev = match (t.get("category"), t.get("groups")) {
                (Some(c), _) => c.as_str() == Some("dev"),
                (None, Some(g)) => !g
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|g| g.as_str() == Some("main")),
                _ => false,
            };
            assert_eq!(p.dev, dev, "{rel} {}", p.name);
        }
        // Both fixtures lock the same Flask project: 15 packages, 7 of them dev-only.
        assert_eq!(got.iter().filter(|p| p.dev).count(), 7, "{rel}");
    }
}

/// Oracle: `default` and `develop` read with serde_json; a package in both is not dev.
#[test]
fn pipfile_locks_split_default_and_develop() {
    for rel in [
        "python/pipenv/trivy-Pipfile_many.lock",
        "python/pipenv/trivy-ci-test.Pipfile.lock",
    ] {
        let Some(bytes) = super::fixture(rel) else {
            return;
        };
        let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let pinned = |s: &str| -> std::collections::BTreeSet<(String, String)> {
            doc[s]
                .as_object()
                .unwrap()
                .iter()
                .filter_map(|(n, e)| {
                    Some((
                        n.clone(),
                        e["version"].as_str()?.strip_prefix("==")?.to_owned(),
                    ))
                })
                .collect()
        };
        let (default, develop) = (pinned("default"), pinned("develop"));
        let got = parse_as(rel, "Pipfile.lock").unwrap();
        assert_eq!(
            pairs(&got),
            default.union(&develop).cloned().collect(),
            "{rel}"
        );
        for p in &got {
            let key = (p.name.clone(), p.version.clone());
            assert_eq!(p.dev, !default.contains(&key), "{rel} {}", p.name);
        }
    }
}

/// Oracle: `[[package]]` tables minus the project itself (`source = { editable = "." }`).
#[test]
fn uv_lock_lists_all_but_the_project() {
    let rel = "python/uv/trivy-uv_normal.lock";
    let Some(bytes) = super::fixture(rel) else {
        return;
    };
    let doc: toml::Value = toml::from_str(std::str::from_utf8(&bytes).unwrap()).unwrap();
    let want: std::collections::BTreeSet<(String, String)> = doc["package"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            t.get("source")
                .and_then(|s| s.get("editable").or(s.get("virtual")))
                .is_none()
        })
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let got = parse_as(rel, "uv.lock").unwrap();
    assert_eq!(pairs(&got), want);
    // The project's own direct dependencies are marked direct, its dev group is dev-only.
    let root = doc["package"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| {
            t.get("source")
                .and_then(|s| s.get("editable").or(s.get("virtual")))
                .is_some()
        })
        .unwrap();
    let direct: Vec<&str> = root["dependencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    for name in &direct {
        let p = got.iter().find(|p| p.name == *name).unwrap();
        assert_eq!((p.direct, p.dev), (Some(true), false), "{name}");
    }
    for g in root["dev-dependencies"]
        .as_table()
        .into_iter()
        .flat_map(|t| t.values())
    {
        for d in g.as_array().unwrap() {
            let name = d["name"].as_str().unwrap();
            if !direct.contains(&name) {
                let p = got.iter().find(|p| p.name == name).unwrap();
                assert_eq!(p.direct, Some(true), "{name}");
            }
        }
    }
}

/// Trivy's expected list for the poetry v1 Flask lock (`poetry/parse_testcase.go`,
/// `poetryFlask`, made with `poetry show -a` and dev packages marked), which the v2 lock of
/// the same project must give too.
#[test]
fn poetry_flask_gives_trivys_expected_list() {
    let want: std::collections::BTreeSet<(String, String, bool)> = [
        ("atomicwrites", "1.4.1", true),
        ("attrs", "25.1.0", true),
        ("click", "8.1.8", false),
        ("colorama", "0.4.6", false),
        ("flask", "1.0.3", false),
        ("itsdangerous", "2.2.0", false),
        ("jinja2", "3.1.5", false),
        ("markupsafe", "3.0.2", false),
        ("more-itertools", "10.6.0", true),
        ("packaging", "24.2", true),
        ("pluggy", "0.13.1", false),
        ("py", "1.11.0", true),
        ("pytest", "5.4.3", true),
        ("wcwidth", "0.2.13", true),
        ("werkzeug", "3.1.3", false),
    ]
    .into_iter()
    .map(|(n, v, d)| (n.to_owned(), v.to_owned(), d))
    .collect();
    for rel in [
        "python/poetry/trivy-poetry_v1_flask.lock",
        "python/poetry/trivy-poetry_v2_flask.lock",
    ] {
        let Some(got) = parse_as(rel, "poetry.lock") else {
            return;
        };
        let got: std::collections::BTreeSet<(String, String, bool)> = got
            .iter()
            .map(|p| (p.name.clone(), p.version.clone(), p.dev))
            .collect();
        assert_eq!(got, want, "{rel}");
    }
}

/// Trivy's expected list for `Pipfile_many.lock` (`pipenv/parse_testcase.go`, `pipenvMany`,
/// made with `pipenv graph`): 24 packages, none dev.
#[test]
fn pipfile_many_gives_trivys_expected_list() {
    let Some(got) = parse_as("python/pipenv/trivy-Pipfile_many.lock", "Pipfile.lock") else {
        return;
    };
    let want = set(&[
        ("urllib3", "1.24.2"),
        ("sqlparse", "0.3.0"),
        ("six", "1.12.0"),
        ("simplejson", "3.16.0"),
        ("s3transfer", "0.2.0"),
        ("rsa", "3.4.2"),
        ("requests", "2.21.0"),
        ("pyyaml", "3.13"),
        ("pytz", "2019.1"),
        ("python-dateutil", "2.8.0"),
        ("pyasn1", "0.4.5"),
        ("markupsafe", "1.1.1"),
        ("jmespath", "0.9.4"),
        ("jinja2", "2.10.1"),
        ("idna", "2.8"),
        ("framework", "0.1.0"),
        ("docutils", "0.14"),
        ("djangorestframework", "3.9.3"),
        ("django", "2.2"),
        ("colorama", "0.3.9"),
        ("chardet", "3.0.4"),
        ("certifi", "2019.3.9"),
        ("botocore", "1.12.137"),
        ("awscli", "1.16.147"),
    ]);
    assert_eq!(pairs(&got), want);
    assert!(got.iter().all(|p| !p.dev));
}

/// A License header spanning lines holds the license text: the classifier names it.
#[test]
fn metadata_license_text_falls_back_to_classifiers() {
    let meta = b"Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nLicense: Copyright (c) 2020 Foo\n        Permission is hereby granted, free of charge\nClassifier: License :: OSI Approved :: MIT License\n\nlong description\nName: not-this\n";
    let got = bosun_lang::parse(
        bosun_lang::ManifestKind::PythonMetadata,
        "foo-1.0.dist-info/METADATA",
        meta,
    )
    .unwrap();
    assert_eq!(pairs(&got), set(&[("foo", "1.0")]));
    assert_eq!(got[0].licenses, vec!["MIT License"]);
}

/// Trivy's expected list for `uv_normal.lock` (`uv/parse_testcase.go`, `uvNormal`): names,
/// versions, dev flags and direct/indirect, without the root project `normal`.
#[test]
fn uv_normal_gives_trivys_expected_list() {
    let Some(got) = parse_as("python/uv/trivy-uv_normal.lock", "uv.lock") else {
        return;
    };
    // (name, version, direct, dev)
    let want: std::collections::BTreeSet<(String, String, Option<bool>, bool)> = [
        ("httpx", "0.28.1", true, false),
        ("orjson", "3.10.12", true, false),
        ("pytest", "8.3.4", true, true),
        ("requests", "2.32.0", true, false),
        ("anyio", "4.7.0", false, false),
        ("certifi", "2024.12.14", false, false),
        ("charset-normalizer", "3.4.0", false, false),
        ("colorama", "0.4.6", false, true),
        ("exceptiongroup", "1.2.2", false, false),
        ("h11", "0.14.0", false, false),
        ("httpcore", "1.0.7", false, false),
        ("idna", "3.10", false, false),
        ("iniconfig", "2.0.0", false, true),
        ("packaging", "24.2", false, true),
        ("pluggy", "1.5.0", false, true),
        ("sniffio", "1.3.1", false, false),
        ("socksio", "1.0.0", false, false),
        ("tomli", "2.2.1", false, true),
        ("typing-extensions", "4.12.2", false, false),
        ("urllib3", "2.2.3", false, false),
    ]
    .into_iter()
    .map(|(n, v, r, d)| (n.to_owned(), v.to_owned(), Some(r), d))
    .collect();
    let got: std::collections::BTreeSet<(String, String, Option<bool>, bool)> = got
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.direct, p.dev))
        .collect();
    assert_eq!(got, want);
}

/// pdm.lock as pdm 2 writes it: `groups` per package; `default` is the run-time group.
#[test]
fn pdm_lock_groups_give_dev_flags() {
    let lock = br#"# This file is @generated by PDM.
[metadata]
groups = ["default", "dev"]
strategy = ["cross_platform"]
lock_version = "4.4"
content_hash = "sha256:0"

[[package]]
name = "certifi"
version = "2024.2.2"
requires_python = ">=3.6"
summary = "Python package for providing Mozilla's CA Bundle."
groups = ["default"]
files = [
    {file = "certifi-2024.2.2-py3-none-any.whl", hash = "sha256:1"},
]

[[package]]
name = "pytest"
version = "8.0.0"
groups = ["dev"]
dependencies = [
    "iniconfig",
]

[[package]]
name = "idna"
version = "3.6"
groups = ["default", "dev"]
"#;
    let got = bosun_lang::parse(bosun_lang::ManifestKind::PdmLock, "pdm.lock", lock).unwrap();
    let got: Vec<_> = got
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.dev))
        .collect();
    assert_eq!(
        got,
        vec![
            ("certifi", "2024.2.2", false),
            ("pytest", "8.0.0", true),
            ("idna", "3.6", false)
        ]
    );
}

#[test]
fn requirements_include_forms() {
    let txt = b"-r base.txt\n--requirement=dev.txt\n-c constraints.txt\n--constraint other.txt\n-e .\n--index-url https://x/simple\nflask==2.0.0 ; python_version >= \"3.8\"\nrequests[socks]==2.31.0 \\\n    --hash=sha256:abc\n";
    let p = bosun_lang::parse_full(
        bosun_lang::ManifestKind::PythonRequirements,
        "requirements.txt",
        txt,
    )
    .unwrap();
    assert_eq!(
        p.unresolved_includes,
        vec!["base.txt", "dev.txt", "constraints.txt", "other.txt"]
    );
    assert_eq!(
        pairs(&p.packages),
        set(&[("flask", "2.0.0"), ("requests", "2.31.0")])
    );
}
