//! Go build info from real binaries, checked against `go version -m` output recorded beside
//! them (parsed here, independently of the crate's parser).

use std::path::Path;

use bosun_binary::go::{GoBuildInfo, GoModule};
use bosun_binary::{BinaryPackage, Ecosystem, PackageKind, analyze};

const DIR: &str = "data/app-deps/binaries/go";

/// `go version -m` output: `NAME: goX`, then tab-indented `path`, `mod`, `dep`, `=>`, `build`.
fn parse_go_version_m(text: &str) -> GoBuildInfo {
    let mut info = GoBuildInfo::default();
    let mut lines = text.lines();
    let first = lines.next().expect("a first line");
    info.go_version = first.rsplit_once(": ").expect("NAME: VERSION").1.to_owned();
    for line in lines {
        let Some(line) = line.strip_prefix('\t') else {
            continue;
        };
        let f: Vec<&str> = line.split('\t').collect();
        let module = |f: &[&str]| GoModule {
            path: f[1].to_owned(),
            version: f.get(2).copied().unwrap_or("").to_owned(),
            sum: f.get(3).copied().unwrap_or("").to_owned(),
            replace: None,
        };
        match f[0] {
            "path" => info.path = f[1].to_owned(),
            "mod" => info.main = Some(module(&f)),
            "dep" => info.deps.push(module(&f)),
            "=>" => {
                info.deps.last_mut().expect("a dep before =>").replace = Some(Box::new(module(&f)))
            }
            "build" => {
                let (k, v) = f[1].split_once('=').unwrap_or((f[1], ""));
                info.settings.push((k.to_owned(), v.to_owned()));
            }
            "" => {}
            other => panic!("unexpected record {other}"),
        }
    }
    info
}

/// The packages the recorded output implies: stdlib (version without `go`), the main module
/// (a `(devel)` version, with no ldflags or VCS stamp in these binaries, becomes empty), each
/// dep or its replacement.
fn expected_packages(info: &GoBuildInfo) -> Vec<(String, String, PackageKind, bool)> {
    let mut out = vec![(
        "stdlib".to_owned(),
        info.go_version.strip_prefix("go").unwrap().to_owned(),
        PackageKind::GoStdlib,
        false,
    )];
    let main = info.main.as_ref().unwrap();
    let v = if main.version == "(devel)" {
        String::new()
    } else {
        main.version.clone()
    };
    out.push((main.path.clone(), v, PackageKind::GoModule, true));
    for d in &info.deps {
        let m = d.replace.as_deref().unwrap_or(d);
        out.push((
            m.path.clone(),
            m.version.clone(),
            PackageKind::GoModule,
            false,
        ));
    }
    out
}

fn binaries(dir: &Path) -> Vec<(std::path::PathBuf, std::path::PathBuf)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_string_lossy().ends_with(".txt"))
        .map(|p| {
            let expected = p.with_file_name(format!(
                "{}.expected-go-version-m.txt",
                p.file_name().unwrap().to_string_lossy()
            ));
            (p, expected)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn build_info_equals_go_version_m_for_every_real_binary() {
    let dir = bosun_testdata::require!(DIR);
    let bins = binaries(&dir);
    assert_eq!(bins.len(), 2, "expected the two shared Go binaries");
    for (bin, expected) in bins {
        let want = parse_go_version_m(&std::fs::read_to_string(&expected).unwrap());
        let bytes = std::fs::read(&bin).unwrap();
        let got = bosun_binary::go::build_info(&bytes)
            .unwrap()
            .expect("build info");
        assert_eq!(got, want, "{}", bin.display());
    }
}

#[test]
fn packages_equal_the_recorded_modules_for_every_real_binary() {
    let dir = bosun_testdata::require!(DIR);
    for (bin, expected) in binaries(&dir) {
        let want_info = parse_go_version_m(&std::fs::read_to_string(&expected).unwrap());
        let want = expected_packages(&want_info);
        let bytes = std::fs::read(&bin).unwrap();
        let path = format!("usr/bin/{}", bin.file_name().unwrap().to_string_lossy());
        let got = analyze(&path, &bytes).unwrap();
        let got_tuples: Vec<_> = got
            .iter()
            .map(|p| (p.name.clone(), p.version.clone(), p.kind, p.main_module))
            .collect();
        assert_eq!(got_tuples, want, "{}", bin.display());
        for p in &got {
            assert_eq!(p.ecosystem, Some(Ecosystem::Go));
            assert_eq!(p.purl_type(), "golang");
        }
    }
}

#[test]
fn old_pointer_layout_binary_gives_trivys_packages_and_purls() {
    // trivy's own expectations for this file (pkg/dependency/parser/golang/binary/parse_test.go),
    // with the stdlib version in OSV's form (no `v`).
    let p = bosun_testdata::require!("data/app-deps/binaries/go/trivy-test.elf");
    let got: Vec<BinaryPackage> = analyze("usr/bin/test", &std::fs::read(p).unwrap()).unwrap();
    let purls: Vec<&str> = got.iter().map(|p| p.purl.as_str()).collect();
    assert_eq!(
        purls,
        [
            "pkg:golang/stdlib@1.15.2",
            "pkg:golang/github.com/aquasecurity/test",
            "pkg:golang/github.com/aquasecurity/go-pep440-version@v0.0.0-20210121094942-22b2f8951d46",
            "pkg:golang/github.com/aquasecurity/go-version@v0.0.0-20210121072130-637058cfe492",
            "pkg:golang/golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1",
        ]
    );
}

#[test]
fn inline_layout_binary_applies_the_replacement() {
    let p = bosun_testdata::require!(
        "data/app-deps/binaries/go/osv-scalibr-binary_with_module_replacement-linux-amd64"
    );
    let got = analyze("app", &std::fs::read(p).unwrap()).unwrap();
    let dep = got
        .iter()
        .find(|p| !p.main_module && p.kind == PackageKind::GoModule)
        .unwrap();
    assert_eq!(
        dep.purl,
        "pkg:golang/github.com/golang/xerrors@v0.0.0-20220907171357-04be3eba64a2"
    );
    assert!(!got.iter().any(|p| p.name == "golang.org/x/xerrors"));
}

#[test]
fn stdlib_versions_order_against_the_go_vulndb_forms() {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let go = bosun_version::Ecosystem::Go;
    let v = |t: &str| bosun_binary::go::stdlib_version(t).unwrap();
    // (toolchain tag, a version as OSV's Go records write it, expected order)
    for (tag, osv, want) in [
        ("go1.21rc2", "1.21.0-rc.4", Less),
        ("go1.21rc4", "1.21.0-rc.4", Equal),
        ("go1.21.0", "1.21.0-rc.4", Greater),
        ("go1.20", "1.20.0", Equal),
        ("go1.19beta1", "1.19.0", Less),
        ("go1.22.1 X:boringcrypto", "1.22.2", Less),
        ("go1.15.2", "1.16.1", Less),
    ] {
        assert_eq!(go.compare(&v(tag), osv).unwrap(), want, "{tag} vs {osv}");
    }
}

#[test]
fn stdlib_of_the_real_binaries_parses_as_a_go_version() {
    // The stdlib version of each real binary parses as a Go version (it is what the matcher
    // will compare with OSV's `introduced`/`fixed` events).
    let dir = bosun_testdata::require!(DIR);
    for (bin, _) in binaries(&dir) {
        let pkgs = analyze("app", &std::fs::read(&bin).unwrap()).unwrap();
        let stdlib = pkgs
            .iter()
            .find(|p| p.kind == PackageKind::GoStdlib)
            .unwrap();
        assert!(
            bosun_version::Ecosystem::Go.parse(&stdlib.version).is_ok(),
            "{}",
            stdlib.version
        );
    }
}
