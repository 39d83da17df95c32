//! Language packages end to end (issue 5): real trees made by `pip install --target` and
//! `npm install` of pinned old versions go into an image; `bosun scan --scanners vuln` must
//! list every package the package managers themselves list (`pip list`, `npm ls`), in the
//! layer it was put in, and report exactly the advisories of the shared OSV data that an
//! independent oracle finds: Python `packaging.version` for PyPI, node's `semver` for npm.
//! Nothing expected here is computed by bosun.
//!
//! Needs pip, python3 with `packaging` and `yaml`, npm, and node with the `semver` package
//! (crates/bosun/ci-deps.sh installs them), and the PyPI and npm registries. Without them
//! the tests skip and say why; with `BOSUN_REQUIRE_TOOLS=1` (CI) they fail instead.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use bosun_testkit::{ImageBuilder, LayerBuilder};
use serde_json::Value;

use crate::support::{bosun, bosun_ok};

const PYPI_OSV: &str = "data/osv/pypi";
const NPM_OSV: &str = "data/osv/ghsa-npm";

/// Where the Python tree goes in the image (layer 0), without the leading `/`.
const SITE: &str = "usr/local/lib/python3.11/site-packages";
/// Where the node project goes in the image (layer 1).
const APP: &str = "app";

/// Pure-Python wheels, each with advisories in `data/osv/pypi/<name>/`.
const PIP_PINS: &[&str] = &[
    "flask==0.12.2",
    "jinja2==2.10",
    "urllib3==1.24.1",
    "requests==2.19.1",
    "werkzeug==0.15.3",
    "certifi==2019.11.28",
    "idna==2.7",
    "pygments==2.5.2",
    "sqlparse==0.4.1",
];

/// lodash and semver (with semver's own dependencies) at run time; minimist for development
/// only. All three have a record in `data/osv/ghsa-npm/`.
const PACKAGE_JSON: &str = r#"{
  "name": "bosun-lang-e2e",
  "version": "1.0.0",
  "private": true,
  "dependencies": { "lodash": "4.17.20", "semver": "7.5.1" },
  "devDependencies": { "minimist": "1.2.5" }
}
"#;

/// OSV range evaluation (the spec's "Evaluation" pseudocode) with `packaging.version` over
/// every YAML record under argv[1]. stdin: `[[name, version], ...]` as `pip list` printed them;
/// stdout: `[[name, record id], ...]` for every affected one.
const PY_ORACLE: &str = r#"
import json, os, re, sys
import yaml
from packaging.version import Version

def norm(n):
    return re.sub(r"[-_.]+", "-", n).lower()

def in_range(events, v):
    evs = sorted(((k, x) for e in events for k, x in e.items() if k != "limit"),
                 key=lambda e: (e[1] != "0", Version(e[1]) if e[1] != "0" else None))
    hit = False
    for k, x in evs:
        if k == "introduced":
            if x == "0" or v >= Version(x):
                hit = True
        elif k == "fixed":
            if v >= Version(x):
                hit = False
        elif k == "last_affected":
            if v > Version(x):
                hit = False
        else:
            raise SystemExit("unknown event " + k)
    return hit

loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
by_name = {}
for d, _, files in os.walk(sys.argv[1]):
    for f in files:
        if f.endswith((".yaml", ".yml")):
            with open(os.path.join(d, f), encoding="utf-8") as fh:
                r = yaml.load(fh, Loader=loader)
            if r.get("withdrawn"):
                continue
            for a in r.get("affected") or []:
                p = a.get("package") or {}
                if p.get("ecosystem") == "PyPI":
                    by_name.setdefault(norm(p["name"]), []).append((r["id"], a))
out = set()
for name, version in json.load(sys.stdin):
    v = Version(version)
    for rid, a in by_name.get(norm(name), []):
        hit = version in [str(x) for x in a.get("versions") or []]
        for rg in a.get("ranges") or []:
            if rg["type"] == "ECOSYSTEM":
                hit = hit or in_range(rg["events"], v)
            elif rg["type"] != "GIT":
                raise SystemExit("unexpected range type " + rg["type"])
        if hit:
            out.add((name, rid))
json.dump(sorted(out), sys.stdout)
"#;

/// The same for npm with node's `semver` over the JSON records in argv[1].
const NODE_ORACLE: &str = r#"
const fs = require('fs'), path = require('path'), semver = require('semver');
const dir = process.argv[1];
const cmp = (a, b) => a === b ? 0 : a === '0' ? -1 : b === '0' ? 1 : semver.compare(a, b);
function inRange(events, v) {
  const evs = events.flatMap(e => Object.entries(e)).filter(([k]) => k !== 'limit');
  evs.sort((a, b) => cmp(a[1], b[1]));
  let hit = false;
  for (const [k, x] of evs) {
    if (k === 'introduced') { if (x === '0' || semver.gte(v, x)) hit = true; }
    else if (k === 'fixed') { if (semver.gte(v, x)) hit = false; }
    else if (k === 'last_affected') { if (semver.gt(v, x)) hit = false; }
    else throw new Error('unknown event ' + k);
  }
  return hit;
}
const recs = fs.readdirSync(dir).filter(f => f.endsWith('.json'))
  .map(f => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
  .filter(r => !r.withdrawn);
const out = new Set();
for (const [name, version] of JSON.parse(fs.readFileSync(0, 'utf8'))) {
  for (const r of recs) {
    for (const a of r.affected || []) {
      if (!a.package || a.package.ecosystem !== 'npm' || a.package.name !== name) continue;
      let hit = (a.versions || []).includes(version);
      for (const rg of a.ranges || []) {
        if (rg.type !== 'ECOSYSTEM' && rg.type !== 'SEMVER') throw new Error('range ' + rg.type);
        hit = hit || inRange(rg.events, version);
      }
      if (hit) out.add(JSON.stringify([name, r.id]));
    }
  }
}
process.stdout.write(JSON.stringify([...out].sort().map(x => JSON.parse(x))));
"#;

/// `(name, version)` pairs.
type Pkgs = BTreeSet<(String, String)>;
/// `(package name, advisory record id)` pairs.
type Hits = BTreeSet<(String, String)>;

struct Setup {
    db: PathBuf,
    image: PathBuf,
    /// `pip list --path` of the Python tree.
    pip: Pkgs,
    /// `npm ls --all` of the node project.
    npm: Pkgs,
    /// The part of `npm` that `npm ls --all --omit=dev` leaves out.
    npm_dev: Pkgs,
    /// The oracle's findings for the Python packages.
    py_hits: Hits,
    /// The oracle's findings for every npm package, dev ones included.
    npm_hits: Hits,
}

fn tools_required() -> bool {
    std::env::var("BOSUN_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// Returns `None` after saying why (or fails under `BOSUN_REQUIRE_TOOLS=1`).
#[allow(clippy::print_stderr)] // the skip notice, as bosun-testdata prints it
fn missing(what: &str) -> Option<Setup> {
    assert!(
        !tools_required(),
        "BOSUN_REQUIRE_TOOLS=1 but {what} (crates/bosun/ci-deps.sh installs the tools)"
    );
    eprintln!("skipped: {what} (crates/bosun/ci-deps.sh installs the tools)");
    None
}

fn runs(cmd: &mut Command) -> bool {
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A python3 whose `pip`, `packaging` and `yaml` all import: Debian's `/usr/bin/python3`
/// first (python3-pip, python3-packaging, python3-yaml), then the one on PATH.
fn python() -> Option<&'static str> {
    ["/usr/bin/python3", "python3"]
        .into_iter()
        .find(|p| runs(Command::new(p).args(["-c", "import pip, packaging.version, yaml"])))
}

/// The npm `semver` package's `node_modules`, as crates/bosun-version/ci-deps.sh installs it.
fn node_semver_path() -> Option<PathBuf> {
    let dir = std::env::var_os("BOSUN_NODE_SEMVER_DIR").map_or_else(
        || PathBuf::from("/usr/local/lib/bosun-node-semver"),
        PathBuf::from,
    );
    let nm = dir.join("node_modules");
    runs(
        Command::new("node")
            .env("NODE_PATH", &nm)
            .args(["-e", "require('semver')"]),
    )
    .then_some(nm)
}

fn output(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

/// Runs `cmd` with `input` on stdin; its stdout as JSON (the command must succeed).
fn json_from(cmd: &mut Command, input: &str) -> Value {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn pairs(v: &Value) -> BTreeSet<(String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn to_json(p: &Pkgs) -> String {
    serde_json::to_string(&p.iter().collect::<Vec<_>>()).unwrap()
}

/// Every `(name, version)` of an `npm ls --json` tree.
fn npm_tree(node: &Value, out: &mut Pkgs) {
    for (name, dep) in node["dependencies"].as_object().into_iter().flatten() {
        out.insert((name.clone(), dep["version"].as_str().unwrap().to_owned()));
        npm_tree(dep, out);
    }
}

/// Adds `src` (recursively, in name order) under `dest` in the layer: directories, files
/// with their mode, symbolic links as they are.
fn add_tree(mut l: LayerBuilder, src: &Path, dest: &str) -> LayerBuilder {
    l = l.dir(dest);
    let mut entries: Vec<_> = std::fs::read_dir(src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let to = format!("{dest}/{}", p.file_name().unwrap().to_str().unwrap());
        let meta = std::fs::symlink_metadata(&p).unwrap();
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&p).unwrap();
            l = l.symlink(&to, target.to_str().unwrap());
        } else if meta.is_dir() {
            l = add_tree(l, &p, &to);
        } else {
            use std::os::unix::fs::PermissionsExt;
            l = l.file_mode(
                &to,
                std::fs::read(&p).unwrap(),
                meta.permissions().mode() & 0o777,
            );
        }
    }
    l
}

/// The trees, the database, the image and the expectations, made once for every test here.
fn setup() -> Option<&'static Setup> {
    static SETUP: OnceLock<Option<Setup>> = OnceLock::new();
    SETUP.get_or_init(build).as_ref()
}

fn build() -> Option<Setup> {
    let pypi_osv = bosun_testdata::path(PYPI_OSV)?;
    let npm_osv = bosun_testdata::path(NPM_OSV)?;
    let Some(py) = python() else {
        return missing(
            "no python3 with pip, packaging and yaml (python3-pip, python3-packaging, python3-yaml)",
        );
    };
    if !runs(Command::new("npm").arg("--version")) {
        return missing("npm is not installed");
    }
    let Some(semver) = node_semver_path() else {
        return missing(
            "node with the npm semver package is not available (BOSUN_NODE_SEMVER_DIR)",
        );
    };

    // A fixed folder under cargo's per-target tmp dir: the trees outlive no run (wiped here).
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bosun-it-lang");
    let _ = std::fs::remove_dir_all(&root);
    let (site, app) = (root.join("site-packages"), root.join("app"));
    std::fs::create_dir_all(&app).unwrap();

    // One pip call, one npm call. Both need their registry.
    let out = output(
        Command::new(py)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args([
                "--no-input",
                "--no-deps",
                "--only-binary=:all:",
                "--no-compile",
            ])
            .arg("--target")
            .arg(&site)
            .args(PIP_PINS),
    );
    if !out.status.success() {
        return missing(&format!(
            "pip install failed (is PyPI reachable?): {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    std::fs::write(app.join("package.json"), PACKAGE_JSON).unwrap();
    let out = output(
        Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--prefix",
            ])
            .arg(&app),
    );
    if !out.status.success() {
        return missing(&format!(
            "npm install failed (is the npm registry reachable?): {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }

    // What the package managers say is installed.
    let out = output(
        Command::new(py)
            .args([
                "-m",
                "pip",
                "list",
                "--disable-pip-version-check",
                "--format",
                "json",
                "--path",
            ])
            .arg(&site),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let pip: Pkgs = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        pip.len(),
        PIP_PINS.len(),
        "pip installed every pin: {pip:?}"
    );
    let npm_ls = |omit_dev: bool| -> Pkgs {
        let mut cmd = Command::new("npm");
        cmd.args(["ls", "--all", "--json", "--prefix"]).arg(&app);
        if omit_dev {
            cmd.arg("--omit=dev");
        }
        let out = output(&mut cmd);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mut set = Pkgs::new();
        npm_tree(&serde_json::from_slice(&out.stdout).unwrap(), &mut set);
        set
    };
    let npm = npm_ls(false);
    let npm_dev: Pkgs = npm.difference(&npm_ls(true)).cloned().collect();
    assert!(
        npm_dev.iter().any(|(n, _)| n == "minimist"),
        "npm calls minimist dev-only: {npm_dev:?}"
    );

    // The oracles.
    let py_hits = pairs(&json_from(
        Command::new(py).arg("-c").arg(PY_ORACLE).arg(&pypi_osv),
        &to_json(&pip),
    ));
    let npm_hits = pairs(&json_from(
        Command::new("node")
            .env("NODE_PATH", &semver)
            .arg("-e")
            .arg(NODE_ORACLE)
            .arg(&npm_osv),
        &to_json(&npm),
    ));

    let db = root.join("db");
    bosun_ok(&[
        "db",
        "import",
        "--db-dir",
        db.to_str().unwrap(),
        pypi_osv.to_str().unwrap(),
        npm_osv.to_str().unwrap(),
    ]);

    let image = root.join("image.tar");
    ImageBuilder::new()
        .layer(|l| add_tree(l, &site, SITE).created_by("pip install --target"))
        .layer(|l| add_tree(l, &app, APP).created_by("npm install"))
        .write_docker_archive(&image)
        .unwrap();
    Some(Setup {
        db,
        image,
        pip,
        npm,
        npm_dev,
        py_hits,
        npm_hits,
    })
}

fn scan(s: &Setup, extra: &[&str]) -> Value {
    let mut args = vec![
        "scan",
        "--scanners",
        "vuln",
        "--format",
        "json",
        "--offline",
        "--db-dir",
        s.db.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args.push(s.image.to_str().unwrap());
    let out = bosun(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_else(|| panic!("{key} in {v}"))
}

/// Packages of `ty` with a location under `/dir/`.
fn packages_under<'a>(report: &'a Value, ty: &str, dir: &str) -> Vec<&'a Value> {
    report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == ty)
        .filter(|p| {
            p["locations"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l.as_str().unwrap().starts_with(&format!("/{dir}/")))
        })
        .collect()
}

/// `(package name, record)` of every finding in `ecosystem`.
fn hits(report: &Value, ecosystem: &str) -> Hits {
    report["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["package"]["ecosystem"] == ecosystem)
        .flat_map(|f| {
            let name = str_of(&f["package"], "name").to_owned();
            f["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |r| (name.clone(), r.as_str().unwrap().to_owned()))
        })
        .collect()
}

fn is_installed_package_json(l: &str) -> bool {
    l.starts_with("/app/node_modules/") && l.ends_with("/package.json")
}

#[test]
fn pip_and_npm_trees_are_found_completely_with_their_advisories() {
    let Some(s) = setup() else { return };
    let report = scan(s, &[]);

    // Python: one package per dist-info, named and versioned as pip lists them, all in layer 0.
    let py = packages_under(&report, "pypi", SITE);
    let got: Vec<(String, String)> = py
        .iter()
        .map(|p| {
            (
                str_of(p, "name").to_owned(),
                str_of(p, "version").to_owned(),
            )
        })
        .collect();
    assert_eq!(got.len(), s.pip.len(), "each Python package once: {got:?}");
    assert_eq!(got.into_iter().collect::<Pkgs>(), s.pip);
    for p in &py {
        assert_eq!(p["layer"]["index"], 0, "{p}");
        assert_eq!(p["ecosystem"], "PyPI", "{p}");
        assert!(str_of(p, "purl").starts_with("pkg:pypi/"), "{p}");
        assert_eq!(p["dev"], false, "{p}");
        let at = p["locations"].as_array().unwrap();
        assert!(
            at.len() == 1 && at[0].as_str().unwrap().ends_with(".dist-info/METADATA"),
            "{p}"
        );
    }

    // npm: one entry per installed `node_modules/<name>/package.json`, as `npm ls` lists
    // them; the lockfiles beside the tree (`/app/package-lock.json`, npm's hidden
    // `/app/node_modules/.package-lock.json`) add no second entry, only the dev flag.
    let npm = packages_under(&report, "npm", APP);
    let mut got: Vec<(String, String)> = npm
        .iter()
        .map(|p| {
            (
                str_of(p, "name").to_owned(),
                str_of(p, "version").to_owned(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        s.npm.iter().cloned().collect::<Vec<_>>(),
        "npm packages under /app"
    );
    for p in &npm {
        assert_eq!(p["layer"]["index"], 1, "{p}");
        assert_eq!(p["ecosystem"], "npm", "{p}");
        assert!(str_of(p, "purl").starts_with("pkg:npm/"), "{p}");
        let at = p["locations"].as_array().unwrap();
        assert!(
            at.len() == 1 && is_installed_package_json(at[0].as_str().unwrap()),
            "{p}"
        );
        let key = (
            str_of(p, "name").to_owned(),
            str_of(p, "version").to_owned(),
        );
        assert_eq!(p["dev"], s.npm_dev.contains(&key), "dev flag of {p}");
    }

    // Advisories: exactly the oracle's, dev-only packages left out by default.
    assert!(!s.py_hits.is_empty(), "the Python packages have advisories");
    assert_eq!(hits(&report, "PyPI"), s.py_hits, "PyPI findings");
    let prod = prod_hits(s);
    assert!(
        !prod.is_empty(),
        "the run-time npm packages have advisories"
    );
    assert_eq!(
        hits(&report, "npm"),
        prod,
        "npm findings without --include-dev"
    );
    for f in report["vulnerabilities"].as_array().unwrap() {
        let (layer, dir) = match str_of(&f["package"], "ecosystem") {
            "PyPI" => (0, SITE),
            "npm" => (1, APP),
            e => panic!("unexpected ecosystem {e}"),
        };
        assert_eq!(f["layer"]["index"], layer, "{f}");
        assert!(
            str_of(&f["package"], "location").starts_with(&format!("/{dir}/")),
            "{f}"
        );
    }
}

/// The oracle's npm findings of packages npm does not call dev-only.
fn prod_hits(s: &Setup) -> Hits {
    s.npm_hits
        .iter()
        .filter(|(n, _)| !s.npm_dev.iter().any(|(d, _)| d == n))
        .cloned()
        .collect()
}

#[test]
fn dev_dependencies_are_matched_only_with_include_dev() {
    let Some(s) = setup() else { return };
    let prod = prod_hits(s);
    let dev: Hits = s.npm_hits.difference(&prod).cloned().collect();
    assert!(!dev.is_empty(), "the dev-only package has advisories");

    let without = scan(s, &[]);
    let with = scan(s, &["--include-dev"]);
    assert_eq!(
        hits(&with, "npm"),
        s.npm_hits,
        "npm findings with --include-dev"
    );
    let got = hits(&without, "npm");
    assert!(
        got.is_disjoint(&dev),
        "dev-only findings without --include-dev: {:?}",
        got.intersection(&dev).collect::<Vec<_>>()
    );
    assert_eq!(got, prod, "npm findings without --include-dev");
    // The PyPI side does not depend on the flag.
    assert_eq!(hits(&with, "PyPI"), s.py_hits);
}
