//! trivy-format configs from trivy's own test data, applied to trivy's test files.

use bosun_secret::{Config, Scanner, SecretError};

fn scanner(name: &str) -> Scanner {
    let dir = bosun_testdata::shared()
        .unwrap()
        .join("data/secrets/trivy/pkg-fanal-secret-testdata");
    let text = std::fs::read_to_string(dir.join(name)).unwrap();
    Scanner::new(Config::from_yaml(&text).unwrap()).unwrap()
}

fn body(name: &str) -> Vec<u8> {
    let dir = bosun_testdata::shared()
        .unwrap()
        .join("data/secrets/trivy/pkg-fanal-secret-testdata");
    std::fs::read(dir.join(name)).unwrap()
}

fn rule_lines(s: &Scanner, path: &str, file: &str, rule: &str) -> Vec<usize> {
    s.scan(path, &body(file))
        .into_iter()
        .filter(|f| f.rule_id == rule)
        .map(|f| f.line)
        .collect()
}

#[test]
fn custom_rule_with_secret_group_finds_both_assignments() {
    if bosun_testdata::shared().is_none() {
        return;
    }
    let s = scanner("config.yaml");
    assert_eq!(
        rule_lines(&s, "secret.txt", "secret.txt", "rule1"),
        vec![2, 4]
    );
}

#[test]
fn rule_allow_path_and_global_allow_path_drop_txt_files() {
    if bosun_testdata::shared().is_none() {
        return;
    }
    for cfg in ["allow-path.yaml", "global-allow-path.yaml"] {
        let s = scanner(cfg);
        assert!(
            rule_lines(&s, "secret.txt", "secret.txt", "rule1").is_empty(),
            "{cfg}"
        );
        assert_eq!(
            rule_lines(&s, "secret.md", "secret.md", "rule1"),
            vec![2, 4],
            "{cfg}"
        );
    }
}

#[test]
fn allow_regex_drops_matching_secret_only() {
    if bosun_testdata::shared().is_none() {
        return;
    }
    for cfg in ["allow-regex.yaml", "global-allow-regex.yaml"] {
        let s = scanner(cfg);
        assert_eq!(
            rule_lines(&s, "secret.txt", "secret.txt", "rule1"),
            vec![2],
            "{cfg}"
        );
    }
}

#[test]
fn exclude_block_hides_the_block() {
    if bosun_testdata::shared().is_none() {
        return;
    }
    for cfg in ["exclude-block.yaml", "global-exclude-block.yaml"] {
        let s = scanner(cfg);
        assert_eq!(
            rule_lines(&s, "secret.txt", "secret.txt", "rule1"),
            vec![4],
            "{cfg}"
        );
    }
}

#[test]
fn keywords_gate_custom_rules() {
    if bosun_testdata::shared().is_none() {
        return;
    }
    assert_eq!(
        rule_lines(
            &scanner("config-happy-keywords.yaml"),
            "secret.txt",
            "secret.txt",
            "rule1"
        ),
        vec![2, 4]
    );
    assert!(
        rule_lines(
            &scanner("config-sad-keywords.yaml"),
            "secret.txt",
            "secret.txt",
            "rule1"
        )
        .is_empty()
    );
}

#[test]
fn disable_and_enable_rules_by_id() {
    if bosun_testdata::shared().is_none() {
        return;
    }
    let f = "builtin-rule-secret.txt";
    let off = scanner("config-disable-ghp.yaml");
    assert!(rule_lines(&off, f, f, "github-pat").is_empty());
    assert_eq!(rule_lines(&off, f, f, "aws-access-key-id"), vec![2]);
    let only = scanner("config-enable-ghp.yaml");
    assert_eq!(rule_lines(&only, f, f, "github-pat"), vec![1]);
    assert!(rule_lines(&only, f, f, "aws-access-key-id").is_empty());
    assert!(
        rule_lines(
            &scanner("config-disable-rule1.yaml"),
            "secret.txt",
            "secret.txt",
            "rule1"
        )
        .is_empty()
    );
}

#[test]
fn multi_line_flag_follows_the_regex() {
    if bosun_testdata::shared().is_none() {
        return;
    }
    let f = "multi-line.txt";
    assert!(rule_lines(&scanner("multi-line-off.yaml"), f, f, "multi-line-sect").is_empty());
    assert_eq!(
        rule_lines(&scanner("multi-line-on.yaml"), f, f, "multi-line-secret"),
        vec![2]
    );
}

#[test]
fn bad_severity_is_an_error_and_missing_severity_is_low() {
    let dir = bosun_testdata::require!("data/secrets/trivy/pkg-fanal-secret-testdata");
    let text = std::fs::read_to_string(dir.join("config-with-incorrect-severity.yaml")).unwrap();
    assert!(matches!(
        Scanner::new(Config::from_yaml(&text).unwrap()),
        Err(SecretError::Severity { .. })
    ));
    for ok in [
        "config-with-non-uppercase-severity.yaml",
        "config-without-severity.yaml",
    ] {
        let s = scanner(ok);
        let f = s.scan("secret.txt", &body("secret.txt"));
        assert!(
            f.iter()
                .any(|f| f.rule_id == "rule1" && f.severity == bosun_secret::Severity::Low),
            "{ok}"
        );
    }
}

#[test]
fn malformed_configs_are_typed_errors() {
    assert!(matches!(
        Config::from_yaml("rules: [{id: x}]"),
        Err(SecretError::Config(_))
    ));
    assert!(matches!(
        Config::from_yaml("nonsense-key: 1"),
        Err(SecretError::Config(_))
    ));
    let bad_re = Config::from_yaml("rules:\n  - id: x\n    regex: '('\n").unwrap();
    assert!(matches!(
        Scanner::new(bad_re),
        Err(SecretError::Regex { .. })
    ));
    let bad_glob = Config::from_yaml("allow-rules:\n  - path-glob: 'a[b'\n").unwrap();
    assert!(matches!(
        Scanner::new(bad_glob),
        Err(SecretError::Glob { .. })
    ));
    let bad_group =
        Config::from_yaml("rules:\n  - id: x\n    regex: 'a(b)'\n    secret-group-name: s\n")
            .unwrap();
    assert!(matches!(
        Scanner::new(bad_group),
        Err(SecretError::Group { .. })
    ));
}

#[test]
fn bosun_keys_glob_allow_skip_paths_and_size_cap() {
    let cfg = Config::from_yaml(
        "allow-rules:\n  - id: fixtures\n    path-glob: 'srv/fixtures/**'\n  - id: no-aws-in-docs\n    rule-ids: [aws-access-key-id]\n    path-glob: '**/*.md'\nskip-paths: ['opt/huge/**']\nmax-file-size: 100\n",
    )
    .unwrap();
    let s = Scanner::new(cfg).unwrap();
    let key = b"AWS_ACCESS_KEY_ID=AKIA0123456789ABCDEF\n";
    assert_eq!(s.scan("srv/app/.env", key).len(), 1);
    assert!(s.scan("srv/fixtures/a/.env", key).is_empty());
    assert!(s.scan("README.md", key).is_empty());
    assert!(!s.wants("opt/huge/x.txt", 10));
    assert!(!s.wants("srv/app/.env", 101));
    assert!(s.wants("/srv/app/.env", 100));
}

#[test]
fn default_skip_paths_are_documented_and_can_be_disabled() {
    let s = Scanner::new(Config::default()).unwrap();
    assert!(!s.wants("usr/share/doc/openssl/README", 10));
    assert!(!s.wants("./usr/lib/python3.11/__pycache__/x.cpython-311.pyc", 10));
    assert!(!s.wants("usr/lib/python3.11/test/keycert.pem", 10));
    assert!(s.wants("app/config/settings.py", 10));
    assert!(s.wants("root/.aws/credentials", 10));
    let cfg = Config::from_yaml("disable-allow-rules: [runtime-test-suites]").unwrap();
    assert!(
        Scanner::new(cfg)
            .unwrap()
            .wants("usr/lib/python3.11/test/keycert.pem", 10)
    );
    let cfg = Config::from_yaml("disable-default-skip-paths: true").unwrap();
    assert!(
        Scanner::new(cfg)
            .unwrap()
            .wants("usr/share/doc/openssl/README", 10)
    );
}

#[test]
fn binary_and_oversized_bodies_are_skipped() {
    let s = Scanner::new(Config::default()).unwrap();
    let mut bin = b"AKIA0123456789ABCDEF ".to_vec();
    bin.push(0);
    assert!(s.scan("bin/tool", &bin).is_empty());
    let mut late_nul = b"AKIA0123456789ABCDEF\n".to_vec();
    late_nul.extend(std::iter::repeat_n(b'a', 9000));
    late_nul.push(0);
    assert_eq!(
        s.scan("data.txt", &late_nul).len(),
        1,
        "NUL past 8 KiB is not binary"
    );
}

#[test]
fn inline_allow_markers_silence_a_line() {
    let s = Scanner::new(Config::default()).unwrap();
    assert!(
        s.scan(
            "a.py",
            b"key = 'AKIA0123456789ABCDEF'  # pragma: allowlist secret\n"
        )
        .is_empty()
    );
    assert!(
        s.scan("a.go", b"k := \"AKIA0123456789ABCDEF\" // gitleaks:allow\n")
            .is_empty()
    );
}
