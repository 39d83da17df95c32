//! Reference parsing: table cases from the distribution/reference grammar and Docker's
//! normalization, plus property tests.

#![allow(clippy::unwrap_used)]

use bosun_registry::{Reference, fuzz};
use proptest::prelude::*;

const D: &str = "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";

#[test]
fn normalizes_docker_hub_and_explicit_registries() {
    // (input, registry, repository, tag, digest, full form)
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        String,
    );
    let cases: &[Case<'_>] = &[
        ("alpine", "docker.io", "library/alpine", None, None, "docker.io/library/alpine:latest".into()),
        ("alpine:3.20", "docker.io", "library/alpine", Some("3.20"), None, "docker.io/library/alpine:3.20".into()),
        ("docker.io/library/alpine", "docker.io", "library/alpine", None, None, "docker.io/library/alpine:latest".into()),
        ("docker.io/alpine", "docker.io", "library/alpine", None, None, "docker.io/library/alpine:latest".into()),
        ("index.docker.io/library/debian", "docker.io", "library/debian", None, None, "docker.io/library/debian:latest".into()),
        ("dmcgowan/myapp:latest", "docker.io", "dmcgowan/myapp", Some("latest"), None, "docker.io/dmcgowan/myapp:latest".into()),
        ("library/foo/bar", "docker.io", "library/foo/bar", None, None, "docker.io/library/foo/bar:latest".into()),
        ("test_com/foo", "docker.io", "test_com/foo", None, None, "docker.io/test_com/foo:latest".into()),
        ("test.com:8080/foo", "test.com:8080", "foo", None, None, "test.com:8080/foo:latest".into()),
        ("test-com:8080/foo", "test-com:8080", "foo", None, None, "test-com:8080/foo:latest".into()),
        ("xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo", None, None, "xn--n3h.com:18080/foo:latest".into()),
        ("localhost:5000/x:y", "localhost:5000", "x", Some("y"), None, "localhost:5000/x:y".into()),
        ("localhost/x", "localhost", "x", None, None, "localhost/x:latest".into()),
        ("127.0.0.1:5000/library/debian", "127.0.0.1:5000", "library/debian", None, None, "127.0.0.1:5000/library/debian:latest".into()),
        ("[fc00::1%eth0]:5000/docker/docker", "[fc00::1%eth0]:5000", "docker/docker", None, None, "[fc00::1%eth0]:5000/docker/docker:latest".into()),
        (&format!("ghcr.io/org/app@{D}"), "ghcr.io", "org/app", None, Some(D), format!("ghcr.io/org/app@{D}")),
        (&format!("busybox:latest@{D}"), "docker.io", "library/busybox", Some("latest"), Some(D), format!("docker.io/library/busybox:latest@{D}")),
        ("docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "docker.io", "library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", None, None, "docker.io/library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a:latest".into()),
        ("docker---rules/docker", "docker.io", "docker---rules/docker", None, None, "docker.io/docker---rules/docker:latest".into()),
        ("dock__er/docker", "docker.io", "dock__er/docker", None, None, "docker.io/dock__er/docker:latest".into()),
        ("d/docker", "docker.io", "d/docker", None, None, "docker.io/d/docker:latest".into()),
    ];
    for (input, registry, repo, tag, digest, full) in cases {
        let r = Reference::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(r.registry(), *registry, "{input}");
        assert_eq!(r.repository(), *repo, "{input}");
        assert_eq!(r.tag(), *tag, "{input}");
        assert_eq!(r.digest(), *digest, "{input}");
        assert_eq!(&r.to_string(), full, "{input}");
    }
}

#[test]
fn docker_hub_is_served_by_registry_1() {
    let r = Reference::parse("alpine").unwrap();
    assert_eq!(r.api_host(), "registry-1.docker.io");
    assert_eq!(r.target(), "latest");
    let r = Reference::parse("localhost:5000/x:y").unwrap();
    assert_eq!(r.api_host(), "localhost:5000");
    assert_eq!(r.host_only(), "localhost");
    assert_eq!(r.target(), "y");
    let r = Reference::parse(&format!("ghcr.io/org/app:1@{D}")).unwrap();
    assert_eq!(r.target(), D, "a digest wins over a tag");
}

#[test]
fn rejects_what_the_grammar_rejects() {
    let long = format!("{}/docker", "a".repeat(256));
    let bad: &[&str] = &[
        "",
        "https://github.com/docker/docker",
        "docker/Docker",
        "-docker",
        "-docker/docker",
        "docker-/docker",
        "-docker-/docker",
        "docker///docker",
        "docker.io/docker/Docker",
        "docker.io/docker///docker",
        "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
        "____/____",
        "_docker/_docker",
        "dock..er/docker",
        "dock_.er/docker",
        "dock-.er/docker",
        "docker/",
        &long,
        "alpine:",
        "alpine:-bad",
        "alpine:.bad",
        "alpine@sha256:abc",
        "alpine@sha256:DBCC1C35AC38DF41FD2F5E4130B32FFDB93EBAE8B3DBE638C23575912276FC9C",
        "alpine@",
        "ex_ample.com/foo",
        "example.com:port/foo",
        "-example.com/foo",
        "alpine:a:b",
    ];
    for input in bad {
        assert!(
            Reference::parse(input).is_err(),
            "{input:?} should be rejected"
        );
    }
    let long_tag = format!("alpine:{}", "a".repeat(129));
    assert!(Reference::parse(&long_tag).is_err());
    let ok_tag = format!("alpine:{}", "a".repeat(128));
    assert!(Reference::parse(&ok_tag).is_ok());
}

#[test]
fn errors_name_the_input_and_reason() {
    let e = Reference::parse("docker/Docker").unwrap_err().to_string();
    assert!(
        e.contains("docker/Docker") && e.contains("lowercase"),
        "{e}"
    );
}

fn component() -> impl Strategy<Value = String> {
    "[a-z0-9]{1,5}([._-][a-z0-9]{1,5}){0,2}"
}

proptest! {
    #[test]
    fn fuzz_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        fuzz::inputs(&bytes);
    }

    #[test]
    fn fuzz_never_panics_on_reference_like_text(s in "[a-zA-Z0-9:/@._\\-\\[\\]%]{0,80}") {
        fuzz::inputs(s.as_bytes());
    }

    /// Any valid reference survives printing and parsing again unchanged.
    #[test]
    fn round_trips(
        host in proptest::option::of("[a-z][a-z0-9]{0,6}\\.(io|com)(:[0-9]{1,5})?"),
        comps in proptest::collection::vec(component(), 1..4),
        tag in proptest::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}"),
        digest in proptest::option::of("[0-9a-f]{64}"),
    ) {
        // Without a host, a first component holding '.' would name a registry.
        let mut comps = comps;
        if host.is_none() && let Some(c) = comps.first_mut() { *c = c.replace('.', "-"); }
        let mut s = String::new();
        if let Some(h) = &host { s.push_str(h); s.push('/'); }
        s.push_str(&comps.join("/"));
        if let Some(t) = &tag { s.push(':'); s.push_str(t); }
        if let Some(d) = &digest { s.push_str("@sha256:"); s.push_str(d); }
        let r = Reference::parse(&s).unwrap();
        prop_assert_eq!(r.tag(), tag.as_deref());
        prop_assert_eq!(r.digest().map(|d| d.trim_start_matches("sha256:").to_owned()), digest.clone());
        let again = Reference::parse(&r.to_string()).unwrap();
        prop_assert_eq!(again.registry(), r.registry());
        prop_assert_eq!(again.repository(), r.repository());
        prop_assert_eq!(again.digest(), r.digest());
        if host.is_none() {
            prop_assert_eq!(r.registry(), "docker.io");
        }
    }

    /// Uppercase anywhere in the path is refused.
    #[test]
    fn uppercase_paths_are_refused(comps in proptest::collection::vec(component(), 1..3), at in 0usize..3) {
        let mut comps = comps;
        let i = at % comps.len();
        if let Some(c) = comps.get_mut(i) { *c = format!("{}X", c); }
        let s = format!("example.com/{}", comps.join("/"));
        prop_assert!(Reference::parse(&s).is_err());
    }
}
