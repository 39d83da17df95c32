//! JavaScript formats. Oracle for package-lock.json: npm itself (`npm ls --all --json
//! --package-lock-only`, offline, on a copy of the lock with the root's package.json rebuilt
//! from the lock's `""` entry), and a serde_json count of the `packages` map.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{fixture, pairs, parse_as};

const LOCKS: [&str; 6] = [
    "npm/trivy-package-lock_v1.json",
    "npm/trivy-package-lock_v2.json",
    "npm/trivy-package-lock_v3.json",
    "npm/trivy-package-lock_v3_with_peer.json",
    "npm/trivy-package-lock_v3_with_workspace.json",
    "npm/osv-scanner-in-place-npm.package-lock.json",
];

/// `(name, version)` of every installed package in a lock: v2/v3 `packages` paths under
/// `node_modules/` that are not links, v1 nested `dependencies`.
fn json_oracle(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    if let Some(p) = doc.get("packages").and_then(Value::as_object) {
        for (path, e) in p {
            let Some(i) = path.rfind("node_modules/") else {
                continue;
            };
            if e.get("link") == Some(&Value::Bool(true)) {
                continue;
            }
            let name = e
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or(&path[i + 13..]);
            if let Some(v) = e.get("version").and_then(Value::as_str) {
                out.insert((name.to_owned(), v.to_owned()));
            }
        }
        return out;
    }
    fn walk(deps: &Value, out: &mut BTreeSet<(String, String)>) {
        for (n, d) in deps.as_object().into_iter().flatten() {
            out.insert((n.clone(), d["version"].as_str().unwrap().to_owned()));
            if let Some(sub) = d.get("dependencies") {
                walk(sub, out);
            }
        }
    }
    walk(&doc["dependencies"], &mut out);
    out
}

#[test]
fn package_locks_match_a_json_count() {
    for rel in LOCKS {
        let Some(bytes) = fixture(rel) else { return };
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        let got = parse_as(rel, "package-lock.json").unwrap();
        assert_eq!(pairs(&got), json_oracle(&doc), "{rel}");
        for p in &got {
            assert!(p.purl.starts_with("pkg:npm/"), "{}", p.purl);
        }
    }
}

/// The v1, v2 and v3 fixtures are the same project: same packages, same dev flags.
#[test]
fn package_lock_versions_agree() {
    let Some(v1) = parse_as("npm/trivy-package-lock_v1.json", "package-lock.json") else {
        return;
    };
    let v2 = parse_as("npm/trivy-package-lock_v2.json", "package-lock.json").unwrap();
    let v3 = parse_as("npm/trivy-package-lock_v3.json", "package-lock.json").unwrap();
    let dev = |ps: &[bosun_lang::LangPackage]| -> BTreeSet<(String, String)> {
        pairs(&ps.iter().filter(|p| p.dev).cloned().collect::<Vec<_>>())
    };
    assert_eq!(pairs(&v1), pairs(&v2));
    assert_eq!(pairs(&v2), pairs(&v3));
    assert_eq!(dev(&v1), dev(&v2));
    assert_eq!(dev(&v2), dev(&v3));
    assert_eq!(dev(&v3).len(), 2);
}

fn npm_ls(lock: &[u8]) -> BTreeSet<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let doc: Value = serde_json::from_slice(lock).unwrap();
    let mut root = serde_json::Map::new();
    if let Some(r) = doc.pointer("/packages/").and_then(Value::as_object) {
        for k in [
            "name",
            "version",
            "dependencies",
            "devDependencies",
            "optionalDependencies",
            "peerDependencies",
            "workspaces",
        ] {
            if let Some(v) = r.get(k) {
                root.insert(k.to_owned(), v.clone());
            }
        }
    } else {
        root.insert(
            "name".into(),
            doc.get("name").cloned().unwrap_or(Value::from("x")),
        );
        root.insert(
            "version".into(),
            doc.get("version").cloned().unwrap_or(Value::from("1.0.0")),
        );
        let deps: serde_json::Map<String, Value> = doc["dependencies"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(n, d)| (n.clone(), d["version"].clone()))
            .collect();
        root.insert("dependencies".into(), Value::Object(deps));
    }
    std::fs::write(
        dir.path().join("package.json"),
        serde_json::to_vec(&root).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.path().join("package-lock.json"), lock).unwrap();
    let out = std::process::Command::new("npm")
        .args(["ls", "--all", "--json", "--package-lock-only", "--offline"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let tree: Value = serde_json::from_slice(&out.stdout).unwrap();
    fn walk(node: &Value, out: &mut BTreeSet<(String, String)>, depth: usize) {
        assert!(depth < 200);
        for (n, d) in node
            .get("dependencies")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let Some(v) = d.get("version").and_then(Value::as_str)
                && !d
                    .get("resolved")
                    .and_then(Value::as_str)
                    .is_some_and(|r| r.starts_with("file:"))
            {
                out.insert((n.clone(), v.to_owned()));
            }
            walk(d, out, depth + 1);
        }
    }
    let mut set = BTreeSet::new();
    walk(&tree, &mut set, 0);
    set
}

/// npm's own reading of the v1, v2 and v3 locks lists the same packages (for v1, whose
/// lock has no root entry, the rebuilt package.json lists the top-level packages).
#[test]
fn package_locks_match_npm_ls() {
    if !super::tool("npm") {
        return;
    }
    // Not the workspace lock: npm ls wants the workspace folders on disk.
    for rel in [LOCKS[0], LOCKS[1], LOCKS[2], LOCKS[3], LOCKS[5]] {
        let Some(bytes) = fixture(rel) else { return };
        let got = parse_as(rel, "package-lock.json").unwrap();
        assert_eq!(pairs(&got), npm_ls(&bytes), "{rel}");
    }
}

#[test]
fn installed_package_json_license_forms() {
    let k = bosun_lang::ManifestKind::NpmInstalledPackageJson;
    let path = "node_modules/x/package.json";
    let a = bosun_lang::parse(
        k,
        path,
        br#"{"name": "@scope/x", "version": "1.0.0", "license": "MIT"}"#,
    )
    .unwrap();
    assert_eq!(a[0].purl, "pkg:npm/%40scope/x@1.0.0");
    assert_eq!(a[0].licenses, vec!["MIT"]);
    let b = bosun_lang::parse(
        k,
        path,
        br#"{"name": "x", "version": "1.0.0", "license": {"type": "ISC"}}"#,
    )
    .unwrap();
    assert_eq!(b[0].licenses, vec!["ISC"]);
    let c = bosun_lang::parse(k, path, br#"{"name": "x", "version": "1.0.0", "licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}]}"#).unwrap();
    assert_eq!(c[0].licenses, vec!["MIT", "Apache-2.0"]);
    assert!(bosun_lang::parse(k, path, br#"{"name": "x"}"#).is_err());
}

/// Oracle: yarn v1 blocks are one resolved package each: a header line, then an indented
/// `version "x"` line.
#[test]
fn yarn_v1_gives_one_package_per_block() {
    let rel = "yarn/trivy-yarn_v1_happy.lock";
    let Some(bytes) = fixture(rel) else { return };
    let text = String::from_utf8(bytes).unwrap();
    let mut want = BTreeSet::new();
    let mut header = String::new();
    for l in text.lines() {
        if !l.starts_with(' ') && l.ends_with(':') {
            header = l.trim_matches('"').to_owned();
        } else if let Some(v) = l.strip_prefix("  version ") {
            let spec = header.split(',').next().unwrap().trim_matches('"');
            let at = spec[1..].find('@').unwrap() + 1;
            want.insert((spec[..at].to_owned(), v.trim_matches('"').to_owned()));
        }
    }
    let got = parse_as(rel, "yarn.lock").unwrap();
    assert_eq!(pairs(&got), want);
    assert_eq!(got.len(), 18);
}

/// Oracle: each berry block's `resolution` names the package; workspaces are the project.
#[test]
fn yarn_berry_lists_resolved_packages() {
    for rel in [
        "yarn/trivy-yarn_v2_happy.lock",
        "yarn/syft-yarn-berry.yarn.lock",
    ] {
        let Some(bytes) = fixture(rel) else { return };
        let text = String::from_utf8(bytes).unwrap();
        let mut want = BTreeSet::new();
        let mut version = String::new();
        for l in text.lines() {
            if let Some(v) = l.strip_prefix("  version: ") {
                version = v.trim_matches('"').to_owned();
            } else if let Some(r) = l.strip_prefix("  resolution: ") {
                let r = r.trim_matches('"');
                let at = r[1..].find('@').unwrap() + 1;
                if !r[at..].starts_with("@workspace:") {
                    want.insert((r[..at].to_owned(), version.clone()));
                }
            }
        }
        let got = parse_as(rel, "yarn.lock").unwrap();
        assert_eq!(pairs(&got), want, "{rel}");
        // `fsevents@patch:` is the same package as `fsevents@npm:2.1.3`.
        assert_eq!(got.len(), want.len(), "{rel}");
    }
}

/// Oracle: the keys of `packages:` (two-space indent) minus local `file:`/`link:` directory
/// entries, with the version from the key or the entry's `version:` line; dev flags: v5/v6
/// `dev: true` lines.
#[test]
fn pnpm_locks_list_packages_with_dev_flags() {
    for rel in [
        "pnpm/trivy-pnpm-lock_many.yaml",
        "pnpm/trivy-pnpm-lock_v6_with_dev.yaml",
        "pnpm/trivy-pnpm-lock_v9.yaml",
    ] {
        let Some(bytes) = fixture(rel) else { return };
        let text = String::from_utf8(bytes).unwrap();
        let mut keys = 0usize;
        let mut dev = 0usize;
        let mut in_packages = false;
        for l in text.lines() {
            if !l.starts_with(' ') && !l.is_empty() {
                in_packages = l == "packages:";
                continue;
            }
            if in_packages && l.starts_with("  ") && !l.starts_with("   ") && l.ends_with(':') {
                keys += 1;
            }
            // A local directory is the project's own code, not a package.
            if in_packages && l.starts_with("    resolution: {directory:") {
                keys -= 1;
            }
            dev += usize::from(in_packages && l == "    dev: true");
        }
        let got = parse_as(rel, "pnpm-lock.yaml").unwrap();
        assert_eq!(got.len(), keys, "{rel}");
        if !rel.contains("v9") {
            assert_eq!(got.iter().filter(|p| p.dev).count(), dev, "{rel}");
        }
    }
}

/// Trivy's expected list for this fixture (`pnpm/parse_testcase.go`, `pnpmV9`): names,
/// versions, dev flags and direct/indirect. v9 has no dev flags, so dev-only is computed from
/// the importers. One deliberate difference: Trivy also lists `package1`, a local directory
/// (`file:package1`) without a version; here the project's own directories are not packages.
#[test]
fn pnpm_v9_gives_trivys_expected_list() {
    let Some(got) = parse_as("pnpm/trivy-pnpm-lock_v9.yaml", "pnpm-lock.yaml") else {
        return;
    };
    // (name, version, dev, direct)
    let want = [
        ("@babel/helper-string-parser", "7.24.1", false, true),
        ("asap", "2.0.6", false, false),
        ("asynckit", "0.4.0", false, false),
        ("await-sleep", "0.0.1", true, true),
        ("debug", "4.3.4", false, false),
        ("debug", "4.3.5", false, true),
        ("ee-first", "1.1.1", false, false),
        ("encodeurl", "1.0.2", false, false),
        ("escape-html", "1.0.3", false, false),
        ("finalhandler", "1.1.1", false, true),
        ("is-negative", "2.0.1", false, true),
        ("jquery", "3.6.0", true, true),
        ("lodash", "4.17.21", true, true),
        ("ms", "2.0.0", false, true),
        ("ms", "2.1.2", false, false),
        ("on-finished", "2.3.0", false, true),
        ("parseurl", "1.3.3", false, false),
        ("promise", "8.1.0", false, true),
        ("sleep-utils", "1.0.3", false, true),
        ("statuses", "1.4.0", false, false),
        ("unpipe", "1.0.0", false, false),
    ];
    let got: BTreeSet<(String, String, bool, Option<bool>)> = got
        .iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.dev, p.direct))
        .collect();
    let want: BTreeSet<(String, String, bool, Option<bool>)> = want
        .iter()
        .map(|(n, v, d, r)| ((*n).to_owned(), (*v).to_owned(), *d, Some(*r)))
        .collect();
    assert_eq!(got, want);
}

/// `(name, version, direct)` of a parse.
fn with_direct(ps: &[bosun_lang::LangPackage]) -> BTreeSet<(String, String, Option<bool>)> {
    ps.iter()
        .map(|p| (p.name.clone(), p.version.clone(), p.direct))
        .collect()
}

fn want_direct(items: &[(&str, &str, bool)]) -> BTreeSet<(String, String, Option<bool>)> {
    items
        .iter()
        .map(|(n, v, d)| ((*n).to_owned(), (*v).to_owned(), Some(*d)))
        .collect()
}

/// Trivy's expected list (`npm/parse_testcase.go`, `npmV3WithPeerDependenciesPkgs`): a peer
/// dependency of the root is direct.
#[test]
fn package_lock_with_peer_gives_trivys_expected_list() {
    let Some(got) = parse_as(
        "npm/trivy-package-lock_v3_with_peer.json",
        "package-lock.json",
    ) else {
        return;
    };
    assert_eq!(
        with_direct(&got),
        want_direct(&[
            ("lodash", "4.17.21", true),
            ("winston-mail", "2.0.0", true),
            ("mustache", "2.3.2", false),
            ("triple-beam", "1.4.1", false),
            ("winston", "3.17.0", false),
        ])
    );
}

/// Trivy's expected list (`npmV3WithWorkspacePkgs`) minus the two workspace members
/// (`function1`, `nested_func`), which are the project's own code; so debug 2.6.9, needed by
/// the `nested_func` workspace, is direct here where Trivy says indirect.
#[test]
fn package_lock_with_workspace_gives_trivys_list_without_the_workspaces() {
    let Some(got) = parse_as(
        "npm/trivy-package-lock_v3_with_workspace.json",
        "package-lock.json",
    ) else {
        return;
    };
    assert_eq!(
        with_direct(&got),
        want_direct(&[
            ("debug", "2.5.2", true),
            ("debug", "2.6.9", true),
            ("ms", "0.7.2", false),
            ("ms", "2.0.0", false),
        ])
    );
}

/// Trivy's expected lists (`yarn/parse_testcase.go`): `yarnHappy` for v1 (18 packages) and
/// `yarnV2Happy` for berry (16), plus, on purpose, fsevents 2.1.3: the lock has it only as a
/// `patch:` entry (yarn's built-in compatibility patch of the npm package), which Trivy drops;
/// the patched code is still fsevents 2.1.3 and advisories for it apply.
#[test]
fn yarn_locks_give_trivys_expected_lists() {
    let Some(v1) = parse_as("yarn/trivy-yarn_v1_happy.lock", "yarn.lock") else {
        return;
    };
    let want_v1 = "@babel/helper-regex 7.4.4, ansi-regex 2.1.1, ansi-regex 3.0.0, asap 2.0.6, \
        inherits 2.0.3, is-fullwidth-code-point 2.0.0, jquery 3.4.1, js-tokens 4.0.0, \
        lodash 4.17.11, promise 8.0.3, safe-buffer 5.1.2, safer-buffer 2.1.2, statuses 1.5.0, \
        string-width 2.1.1, strip-ansi 3.0.1, strip-ansi 4.0.0, whatwg-fetch 3.0.0, wide-align 1.1.3";
    assert_eq!(pairs(&v1), list(want_v1));
    let v2 = parse_as("yarn/trivy-yarn_v2_happy.lock", "yarn.lock").unwrap();
    let want_v2 = "@types/color-name 1.1.1, abbrev 1.1.1, ansi-styles 3.2.1, ansi-styles 4.2.1, \
        assert-plus 1.0.0, async 3.2.0, color-convert 1.9.3, color-convert 2.0.1, \
        color-name 1.1.3, color-name 1.1.4, ipaddr.js 1.9.1, js-tokens 4.0.0, \
        loose-envify 1.4.0, node-gyp 7.1.0, once 1.4.0, wrappy 1.0.2, fsevents 2.1.3";
    assert_eq!(pairs(&v2), list(want_v2));
}

fn list(s: &str) -> BTreeSet<(String, String)> {
    s.split(", ")
        .map(|e| {
            let (n, v) = e.trim().split_once(' ').unwrap();
            (n.to_owned(), v.to_owned())
        })
        .collect()
}

/// Trivy's expected list for the v6 lock with dev dependencies (`pnpmV6WithDev`, made with
/// `pnpm list --prod`): Trivy drops dev packages, so it equals our non-dev ones.
#[test]
fn pnpm_v6_run_time_packages_match_trivys_list() {
    let Some(got) = parse_as("pnpm/trivy-pnpm-lock_v6_with_dev.yaml", "pnpm-lock.yaml") else {
        return;
    };
    let prod: Vec<_> = got.iter().filter(|p| !p.dev).cloned().collect();
    assert_eq!(
        with_direct(&prod),
        want_direct(&[
            ("@babel/runtime", "7.22.3", false),
            ("js-tokens", "4.0.0", false),
            ("loose-envify", "1.4.0", false),
            ("react", "18.1.0", true),
            ("redux", "4.2.0", true),
            ("regenerator-runtime", "0.13.11", false),
        ])
    );
}

/// Syft's expected list for its berry fixture (`javascript/parse_yarn_lock_test.go`) minus
/// `c0n-fab_u.laTION`, the project's own workspace (`@workspace:.`), which is not a package
/// here; its dependencies are the direct ones.
#[test]
fn syft_yarn_berry_gives_syfts_expected_list_without_the_workspace() {
    let Some(got) = parse_as("yarn/syft-yarn-berry.yarn.lock", "yarn.lock") else {
        return;
    };
    assert_eq!(
        with_direct(&got),
        want_direct(&[
            ("@babel/code-frame", "7.10.4", true),
            ("@types/minimatch", "3.0.3", true),
            ("@types/qs", "6.9.4", true),
            ("ajv", "6.12.3", true),
            ("asn1.js", "4.10.1", true),
            ("atob", "2.1.2", true),
            ("aws-sdk", "2.706.0", false),
            ("jhipster-core", "7.3.4", false),
        ])
    );
    assert!(
        got.iter()
            .any(|p| p.purl == "pkg:npm/%40babel/code-frame@7.10.4")
    );
}
