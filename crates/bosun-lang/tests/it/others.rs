//! Ruby, PHP, Rust and Go formats.

use std::collections::BTreeSet;

use super::{fixture, pairs, parse_as, set};

/// Oracle: a line scan of `specs:` blocks (four-space `name (version)` lines), platform
/// suffixes cut at the first `-`; DEPENDENCIES lines name the direct gems.
#[test]
fn gemfile_locks_list_every_spec() {
    for rel in [
        "ruby/syft-Gemfile.lock",
        "ruby/osv-scanner-docs-site-Gemfile.lock",
    ] {
        let Some(bytes) = fixture(rel) else { return };
        let text = String::from_utf8(bytes).unwrap();
        let mut want = BTreeSet::new();
        let mut in_specs = false;
        for l in text.lines() {
            if l == "  specs:" {
                in_specs = true;
            } else if !l.starts_with("    ") {
                in_specs = false;
            } else if in_specs && !l.starts_with("     ") {
                let (n, v) = l.trim().split_once(" (").unwrap();
                let v = v.trim_end_matches(')');
                want.insert((n.to_owned(), v.split('-').next().unwrap().to_owned()));
            }
        }
        let got = parse_as(rel, "Gemfile.lock").unwrap();
        assert_eq!(pairs(&got), want, "{rel}");
        assert!(got.iter().any(|p| p.direct == Some(true)), "{rel}");
    }
}

#[test]
fn gemspec_reads_name_version_and_licenses() {
    let spec = br#"# -*- encoding: utf-8 -*-
# stub: rack 2.2.3 ruby lib

Gem::Specification.new do |s|
  s.name = "rack".freeze
  s.version = "2.2.3"
  s.licenses = ["MIT".freeze]
  s.summary = "a modular Ruby webserver interface".freeze
end
"#;
    let kind = bosun_lang::ManifestKind::Gemspec;
    let got = bosun_lang::parse(kind, "specifications/rack-2.2.3.gemspec", spec).unwrap();
    assert_eq!(pairs(&got), set(&[("rack", "2.2.3")]));
    assert_eq!(got[0].licenses, vec!["MIT"]);
    assert_eq!(got[0].purl, "pkg:gem/rack@2.2.3");
}

/// Oracle: `packages` and `packages-dev` read with serde_json.
#[test]
fn composer_locks_split_packages_and_dev() {
    for rel in [
        "php/trivy-composer_happy.lock",
        "php/osv-scanner-locks-many-with-insecure.composer.lock",
    ] {
        let Some(bytes) = fixture(rel) else { return };
        let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let list = |k: &str| -> BTreeSet<(String, String)> {
            doc[k]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|p| {
                            (
                                p["name"].as_str().unwrap().to_owned(),
                                p["version"].as_str().unwrap().to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let got = parse_as(rel, "composer.lock").unwrap();
        let (prod, dev) = (list("packages"), list("packages-dev"));
        assert_eq!(pairs(&got), prod.union(&dev).cloned().collect(), "{rel}");
        for p in &got {
            assert_eq!(
                p.dev,
                !prod.contains(&(p.name.clone(), p.version.clone())),
                "{rel}"
            );
            assert!(p.purl.starts_with("pkg:composer/"), "{}", p.purl);
        }
    }
}

#[test]
fn composer_installed_json_v1_and_v2() {
    let v1 = br#"[{"name": "monolog/monolog", "version": "1.25.3", "license": ["MIT"]}]"#;
    let v2 = br#"{"packages": [{"name": "monolog/monolog", "version": "2.0.0"}, {"name": "phpunit/phpunit", "version": "9.5.0"}], "dev": true, "dev-package-names": ["phpunit/phpunit"]}"#;
    let k = bosun_lang::ManifestKind::ComposerInstalled;
    let a = bosun_lang::parse(k, "vendor/composer/installed.json", v1).unwrap();
    assert_eq!(pairs(&a), set(&[("monolog/monolog", "1.25.3")]));
    assert_eq!(a[0].licenses, vec!["MIT"]);
    let b = bosun_lang::parse(k, "vendor/composer/installed.json", v2).unwrap();
    assert_eq!(
        b.iter().map(|p| p.dev).collect::<Vec<_>>(),
        vec![false, true]
    );
}

#[test]
fn dotnet_deps_json_and_packages_lock() {
    let deps = br#"{"runtimeTarget": {"name": ".NETCoreApp,Version=v6.0"},
      "libraries": {
        "MyApp/1.0.0": {"type": "project", "serviceable": false, "sha512": ""},
        "Newtonsoft.Json/13.0.1": {"type": "package", "serviceable": true, "sha512": "sha512-x"}
      }}"#;
    let got = bosun_lang::parse(
        bosun_lang::ManifestKind::DotnetDepsJson,
        "MyApp.deps.json",
        deps,
    )
    .unwrap();
    assert_eq!(pairs(&got), set(&[("Newtonsoft.Json", "13.0.1")]));
    assert_eq!(got[0].purl, "pkg:nuget/Newtonsoft.Json@13.0.1");
    let lock = br#"{"version": 1, "dependencies": {"net6.0": {
        "Newtonsoft.Json": {"type": "Direct", "requested": "[13.0.1, )", "resolved": "13.0.1"},
        "System.Memory": {"type": "Transitive", "resolved": "4.5.4"},
        "mylib": {"type": "Project"}},
      "net48": {"Newtonsoft.Json": {"type": "Direct", "requested": "[13.0.1, )", "resolved": "13.0.1"}}}}"#;
    let got = bosun_lang::parse(
        bosun_lang::ManifestKind::NugetPackagesLock,
        "packages.lock.json",
        lock,
    )
    .unwrap();
    assert_eq!(
        pairs(&got),
        set(&[("Newtonsoft.Json", "13.0.1"), ("System.Memory", "4.5.4")])
    );
    let direct: Vec<_> = got.iter().map(|p| (p.name.as_str(), p.direct)).collect();
    assert!(
        direct.contains(&("Newtonsoft.Json", Some(true)))
            && direct.contains(&("System.Memory", Some(false)))
    );
}

/// Oracle: `[[package]]` tables with a `source`, read with `toml::Value`.
#[test]
fn cargo_locks_list_registry_and_git_packages() {
    for rel in ["rust/trivy-cargo_v3.lock", "rust/trivy-ci-test.Cargo.lock"] {
        let Some(bytes) = fixture(rel) else { return };
        let doc: toml::Value = toml::from_str(std::str::from_utf8(&bytes).unwrap()).unwrap();
        let want: BTreeSet<(String, String)> = doc["package"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t.get("source").is_some())
            .map(|t| {
                (
                    t["name"].as_str().unwrap().to_owned(),
                    t["version"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let got = parse_as(rel, "Cargo.lock").unwrap();
        assert_eq!(pairs(&got), want, "{rel}");
        assert!(!want.is_empty());
    }
}

/// The file's one `replace` directive swaps go-dep-parser's version, as `go mod graph` would.
#[test]
fn go_mod_applies_replace_directives() {
    let Some(got) = parse_as("go/trivy-replaced/go.mod", "go.mod") else {
        return;
    };
    assert_eq!(
        pairs(&got),
        set(&[
            (
                "github.com/aquasecurity/go-dep-parser",
                "v0.0.0-20220406074731-71021a481237"
            ),
            ("golang.org/x/xerrors", "v0.0.0-20200804184101-5ec99f83aff1"),
        ])
    );
    assert_eq!(
        got.iter().map(|p| p.direct).collect::<Vec<_>>(),
        vec![Some(true), Some(false)]
    );
    assert_eq!(
        got[0].purl,
        "pkg:golang/github.com/aquasecurity/go-dep-parser@v0.0.0-20220406074731-71021a481237"
    );
}

/// Oracle: a line scan of `require` lines and blocks; `// indirect` ones are not direct.
#[test]
fn go_mod_requires_match_a_line_scan() {
    for rel in [
        "go/trivy-integration-gomod/go.mod",
        "go/osv-scanner-project-root/go.mod",
    ] {
        let Some(bytes) = fixture(rel) else { return };
        let text = String::from_utf8(bytes).unwrap();
        assert!(
            !text.contains("replace"),
            "{rel}: the line scan ignores replace"
        );
        let mut want = BTreeSet::new();
        let mut indirect = 0;
        let mut block = false;
        for l in text.lines() {
            let l = l.trim();
            if l == "require (" {
                block = true;
                continue;
            }
            if l == ")" {
                block = false;
                continue;
            }
            let body = if block {
                Some(l)
            } else {
                l.strip_prefix("require ")
            };
            if let Some(b) = body.filter(|b| !b.is_empty() && !b.starts_with("//")) {
                let mut it = b.split_whitespace();
                want.insert((it.next().unwrap().to_owned(), it.next().unwrap().to_owned()));
                indirect += usize::from(b.ends_with("// indirect"));
            }
        }
        let got = parse_as(rel, "go.mod").unwrap();
        assert_eq!(pairs(&got), want, "{rel}");
        assert_eq!(
            got.iter().filter(|p| p.direct == Some(false)).count(),
            indirect,
            "{rel}"
        );
    }
}

/// Syft's expected list for its fixture (`ruby/parse_gemfile_lock_test.go`): 52 gems from the
/// GEM, GIT and PATH sections, with their purls.
#[test]
fn syft_gemfile_lock_gives_syfts_expected_list() {
    let Some(got) = parse_as("ruby/syft-Gemfile.lock", "Gemfile.lock") else {
        return;
    };
    let want = "actionmailer 4.1.1, actionpack 4.1.1, actionview 4.1.1, activemodel 4.1.1, \
        activerecord 4.1.1, activesupport 4.1.1, arel 5.0.1.20140414130214, bootstrap-sass 3.1.1.1, \
        builder 3.2.2, coffee-rails 4.0.1, coffee-script 2.2.0, coffee-script-source 1.7.0, \
        erubis 2.7.0, execjs 2.0.2, google-cloud-errors 1.3.0, hike 1.2.3, i18n 0.6.9, \
        jbuilder 2.0.7, jquery-rails 3.1.0, json 1.8.1, kgio 2.9.2, libv8 3.16.14.3, mail 2.5.4, \
        mime-types 1.25.1, minitest 5.3.4, multi_json 1.10.1, mysql2 0.3.16, polyglot 0.3.4, \
        rack 1.5.2, rack-test 0.6.2, rails 4.1.1, railties 4.1.1, raindrops 0.13.0, rake 10.3.2, \
        rdoc 4.1.1, ref 1.0.5, sass 3.2.19, sass-rails 4.0.3, sdoc 0.4.0, spring 1.1.3, \
        sprockets 2.11.0, sprockets-rails 2.1.3, sqlite3 1.3.9, therubyracer 0.12.1, thor 0.19.1, \
        thread_safe 0.3.3, tilt 1.4.1, treetop 1.4.15, turbolinks 3.0.0, tzinfo 1.2.0, \
        uglifier 2.5.0, unicorn 4.8.3";
    let want: BTreeSet<(String, String)> = want
        .split(", ")
        .map(|e| {
            let (n, v) = e.trim().split_once(' ').unwrap();
            (n.to_owned(), v.to_owned())
        })
        .collect();
    assert_eq!(want.len(), 52);
    assert_eq!(pairs(&got), want);
    for p in &got {
        assert_eq!(p.purl, format!("pkg:gem/{}@{}", p.name, p.version));
    }
}

/// Trivy's expected list (`php/composer/parse_test.go`, `composerPkgs`, made with
/// `composer show -i --no-dev`): the eight run-time packages with their licenses. Trivy drops
/// `packages-dev`; here they are kept and marked dev. polyfill-php72's license is written as
/// the string "MIT or BSD-2-Clause": Trivy splits it into two licenses, here it is kept as
/// written (an OR choice is not a list of licenses that all apply).
#[test]
fn composer_happy_gives_trivys_expected_list() {
    let Some(got) = parse_as("php/trivy-composer_happy.lock", "composer.lock") else {
        return;
    };
    let prod: BTreeSet<(String, String, Vec<String>)> = got
        .iter()
        .filter(|p| !p.dev)
        .map(|p| (p.name.clone(), p.version.clone(), p.licenses.clone()))
        .collect();
    let mit = || vec!["MIT".to_owned()];
    let want: BTreeSet<(String, String, Vec<String>)> = [
        ("guzzlehttp/guzzle", "6.5.8", mit()),
        ("guzzlehttp/promises", "1.5.2", mit()),
        ("guzzlehttp/psr7", "1.9.0", mit()),
        ("psr/http-message", "1.0.1", mit()),
        ("ralouphie/getallheaders", "3.0.3", mit()),
        ("symfony/polyfill-intl-idn", "v1.27.0", mit()),
        ("symfony/polyfill-intl-normalizer", "v1.27.0", mit()),
        (
            "symfony/polyfill-php72",
            "v1.27.0",
            vec!["MIT or BSD-2-Clause".to_owned()],
        ),
    ]
    .into_iter()
    .map(|(n, v, l)| (n.to_owned(), v.to_owned(), l))
    .collect();
    assert_eq!(prod, want);
    assert_eq!(got.iter().filter(|p| p.dev).count(), 2);
    assert!(
        got.iter()
            .any(|p| p.purl == "pkg:composer/guzzlehttp/guzzle@6.5.8")
    );
}

/// Trivy's expected list for `cargo_v3.lock` (`rust/cargo/parse_test.go`, `cargoV3Pkgs`)
/// minus `app 0.1.0`, the workspace's own crate (no `source`), which is not reported here.
#[test]
fn cargo_v3_gives_trivys_expected_list_without_the_workspace_crate() {
    let Some(got) = parse_as("rust/trivy-cargo_v3.lock", "Cargo.lock") else {
        return;
    };
    let want = set(&[
        ("aho-corasick", "0.7.20"),
        ("libc", "0.2.140"),
        ("memchr", "1.0.2"),
        ("memchr", "2.5.0"),
        ("regex", "1.7.3"),
        ("regex-syntax", "0.5.6"),
        ("regex-syntax", "0.6.29"),
        ("ucd-util", "0.1.10"),
    ]);
    assert_eq!(pairs(&got), want);
    assert!(
        got.iter()
            .all(|p| p.purl == format!("pkg:cargo/{}@{}", p.name, p.version))
    );
}

/// Go's replace semantics: a directory replacement removes the module (its code is local), a
/// versioned replacement applies only to that version.
#[test]
fn go_mod_replace_forms() {
    let gomod = b"module example.com/app\n\ngo 1.21\n\nrequire (\n\ta.com/m v1.0.0\n\tb.com/m v1.0.0 // indirect\n\tc.com/m v1.2.0\n)\n\nreplace a.com/m => ../local\n\nreplace (\n\tb.com/m v1.0.0 => d.com/m v2.0.0\n\tc.com/m v1.1.0 => e.com/m v1.0.0 // another version: no effect\n)\n";
    let got = bosun_lang::parse(bosun_lang::ManifestKind::GoMod, "go.mod", gomod).unwrap();
    let got: Vec<_> = got
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.direct))
        .collect();
    assert_eq!(
        got,
        vec![
            ("d.com/m", "v2.0.0", Some(false)),
            ("c.com/m", "v1.2.0", Some(true)),
        ]
    );
}

/// Platform gems: the version without the platform, the platform as the purl qualifier
/// (purl-spec: `pkg:gem/jruby-launcher@1.1.2?platform=java`).
#[test]
fn gemfile_lock_platform_gems() {
    let Some(got) = parse_as("ruby/osv-scanner-docs-site-Gemfile.lock", "Gemfile.lock") else {
        return;
    };
    let ffi = got.iter().find(|p| p.name == "ffi").unwrap();
    assert_eq!(ffi.version, "1.17.4");
    assert_eq!(ffi.purl, "pkg:gem/ffi@1.17.4?platform=x86_64-linux-gnu");
}
