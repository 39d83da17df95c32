//! Secrets in an image config: environment, labels and build-time history lines.

use crate::default_scanner;

#[test]
fn build_arg_in_history_and_env_secret_are_found_with_pseudo_paths() {
    let s = default_scanner();
    let env = vec![
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_owned(),
        "GITHUB_TOKEN=ghp_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".to_owned(),
    ];
    let labels = vec![(
        "org.opencontainers.image.source".to_owned(),
        "https://github.com/acme/app".to_owned(),
    )];
    let history = vec![
        "/bin/sh -c #(nop) ADD file:1234 in / ".to_owned(),
        "ARG NPM_TOKEN".to_owned(),
        "|1 NPM_TOKEN=npm_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 /bin/sh -c npm ci".to_owned(),
        "ENV DATABASE_URL=postgres://app:Sup3rS3cretPw@db:5432/app".to_owned(),
    ];
    let f = s.scan_config(&env, &labels, &history);
    let got: Vec<(String, usize, String)> = f
        .iter()
        .map(|f| (f.path.clone(), f.line, f.rule_id.clone()))
        .collect();
    assert!(
        got.contains(&("config:Env".to_owned(), 2, "github-pat".to_owned())),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "config:history[2]".to_owned(),
            1,
            "npm-access-token".to_owned()
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "config:history[3]".to_owned(),
            1,
            "database-url-password".to_owned()
        )),
        "{got:?}"
    );
    assert!(!got.iter().any(|g| g.0 == "config:Labels"), "{got:?}");
    for x in &f {
        assert!(
            !x.match_masked.contains("Sup3rS3cretPw")
                && !x.match_masked.contains("0123456789ABCDEFGHIJ")
        );
    }
}

#[test]
fn aws_history_line_from_trivy_corpus_is_found() {
    // trivy's aws-secrets.txt line 5 is a docker history `created_by` fragment.
    let dir = bosun_testdata::require!("data/secrets/trivy/pkg-fanal-secret-testdata");
    let text = std::fs::read_to_string(dir.join("aws-secrets.txt")).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("created_by"))
        .unwrap()
        .to_owned();
    let f = default_scanner().scan_config(&[], &[], &[line]);
    assert!(
        f.iter()
            .any(|f| f.rule_id == "aws-secret-access-key" && f.path == "config:history[0]"),
        "{f:?}"
    );
}
