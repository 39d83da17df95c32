//! Each rule, positive and negative, plus disabling and allowing.

use bosun_misconfig::{Checker, Config, Healthcheck, HistoryEntry, ImageFacts};
use proptest::prelude::*;

use crate::{checker, clean, ids};

fn with_paths(paths: &[&str]) -> ImageFacts {
    ImageFacts {
        paths: paths.iter().map(|p| (*p).to_owned()).collect(),
        ..clean()
    }
}

fn hist(lines: &[&str]) -> ImageFacts {
    ImageFacts {
        history: lines
            .iter()
            .map(|l| HistoryEntry {
                created_by: (*l).to_owned(),
                comment: String::new(),
            })
            .collect(),
        ..clean()
    }
}

#[test]
fn clean_facts_have_no_findings() {
    assert!(checker().check(&clean()).is_empty());
}

#[test]
fn cfg001_root_user() {
    for u in ["", "root", "0", "0:0", "root:root"] {
        let f = ImageFacts {
            user: u.to_owned(),
            ..clean()
        };
        assert_eq!(ids(&checker().check(&f)), ["BOSUN-CFG-001"], "{u:?}");
    }
    for u in ["app", "1000", "10001:10001", "nobody", "65534:0"] {
        let f = ImageFacts {
            user: u.to_owned(),
            ..clean()
        };
        assert!(checker().check(&f).is_empty(), "{u:?}");
    }
}

#[test]
fn cfg002_secret_env_by_name_and_content_masked() {
    let f = ImageFacts {
        env: vec![
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            "DB_PASSWORD=hunter2hunter2".into(),
            "HELPER=xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx".into(),
        ],
        ..clean()
    };
    let found = checker().check(&f);
    assert_eq!(found.len(), 3, "{found:?}");
    for m in &found {
        assert_eq!(m.id, "BOSUN-CFG-002");
        assert!(
            !m.evidence.contains("hunter2hunter2")
                && !m.evidence.contains("bPxRfiCY")
                && !m.evidence.contains("AbCdEfGh")
        );
    }
    let neg = ImageFacts {
        env: vec![
            "PATH=/usr/bin".into(),
            "GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305".into(),
            "POSTGRES_PASSWORD_FILE=/run/secrets/pg".into(),
            "API_TOKEN=".into(),
            "APP_TOKEN=${APP_TOKEN}".into(),
        ],
        ..clean()
    };
    assert!(
        checker().check(&neg).is_empty(),
        "{:?}",
        checker().check(&neg)
    );
}

#[test]
fn cfg003_healthcheck_missing_or_none() {
    assert_eq!(
        ids(&checker().check(&ImageFacts {
            healthcheck: None,
            ..clean()
        })),
        ["BOSUN-CFG-003"]
    );
    let none = ImageFacts {
        healthcheck: Some(Healthcheck {
            test: vec!["NONE".into()],
        }),
        ..clean()
    };
    assert_eq!(ids(&checker().check(&none)), ["BOSUN-CFG-003"]);
}

#[test]
fn cfg004_remote_add_classic_and_buildkit() {
    for l in [
        "/bin/sh -c #(nop) ADD https://example.com/a.tgz /opt/",
        "ADD --chmod=755 https://example.com/tool /usr/local/bin/tool # buildkit",
    ] {
        assert_eq!(ids(&checker().check(&hist(&[l]))), ["BOSUN-CFG-004"], "{l}");
    }
    for l in [
        "/bin/sh -c #(nop) ADD file:abc in / ",
        "RUN curl -fsSL https://example.com/a | sh # buildkit",
        "COPY https.txt /x",
    ] {
        assert!(checker().check(&hist(&[l])).is_empty(), "{l}");
    }
}

#[test]
fn cfg005_sshd_or_port_22() {
    assert_eq!(
        ids(&checker().check(&with_paths(&["usr/sbin/sshd"]))),
        ["BOSUN-CFG-005"]
    );
    let port = ImageFacts {
        exposed_ports: vec!["22/tcp".into()],
        ..clean()
    };
    assert_eq!(ids(&checker().check(&port)), ["BOSUN-CFG-005"]);
    let other = ImageFacts {
        exposed_ports: vec!["2222/tcp".into(), "8022/tcp".into()],
        ..with_paths(&["usr/bin/ssh"])
    };
    assert!(checker().check(&other).is_empty());
}

#[test]
fn cfg006_sudo() {
    assert_eq!(
        ids(&checker().check(&with_paths(&["/usr/bin/sudo"]))),
        ["BOSUN-CFG-006"]
    );
    assert!(
        checker()
            .check(&with_paths(&["usr/bin/sudoedit-docs"]))
            .is_empty()
    );
}

#[test]
fn cfg007_package_caches() {
    for p in [
        "var/cache/apt/archives/curl_7.88.1-10_amd64.deb",
        "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease",
        "var/cache/apk/APKINDEX.abc.tar.gz",
        "var/cache/yum/x86_64/8/base/repomd.xml",
        "var/cache/dnf/fedora.solv",
        "root/.cache/pip/http/1/2/3",
        "root/.npm/_cacache/index-v5/aa",
    ] {
        assert_eq!(
            ids(&checker().check(&with_paths(&[p]))),
            ["BOSUN-CFG-007"],
            "{p}"
        );
    }
    // What a cleaned apt leaves behind.
    let cleaned = with_paths(&[
        "var/lib/apt/lists/lock",
        "var/lib/apt/lists/partial",
        "var/cache/apt/archives/lock",
        "var/cache/apt/archives/partial",
        "var/cache/apt",
    ]);
    assert!(checker().check(&cleaned).is_empty());
}

#[test]
fn cfg008_unpinned_base() {
    for l in [
        "ARG BASE_IMAGE=node:latest",
        "FROM ubuntu",
        "/bin/sh -c #(nop) FROM python:latest AS build",
    ] {
        assert_eq!(ids(&checker().check(&hist(&[l]))), ["BOSUN-CFG-008"], "{l}");
    }
    for l in [
        "ARG BASE_IMAGE=node:20.10-bookworm",
        "FROM debian:12@sha256:abc",
        "FROM scratch",
        "FROM ${BASE}",
        "ARG VERSION=latest",
    ] {
        assert!(checker().check(&hist(&[l])).is_empty(), "{l}");
    }
    let comment = ImageFacts {
        history: vec![HistoryEntry {
            created_by: "RUN true".into(),
            comment: "FROM alpine:latest".into(),
        }],
        ..clean()
    };
    assert_eq!(ids(&checker().check(&comment)), ["BOSUN-CFG-008"]);
}

#[test]
fn disable_by_id_and_allow_by_path_glob() {
    let facts = ImageFacts {
        user: String::new(),
        ..with_paths(&["usr/bin/sudo", "var/cache/apk/APKINDEX.tar.gz"])
    };
    let cfg = Config::from_yaml(
        "disable-rules: [BOSUN-CFG-001]\nallow-rules:\n  - description: apk index is tiny\n    rule-ids: [BOSUN-CFG-007]\n    path-glob: 'var/cache/apk/**'\n",
    )
    .unwrap();
    let c = Checker::new(cfg).unwrap();
    assert_eq!(ids(&c.check(&facts)), ["BOSUN-CFG-006"]);
    let all =
        Checker::new(Config::from_yaml("allow-rules:\n  - rule-ids: [BOSUN-CFG-006]\n").unwrap())
            .unwrap();
    assert!(!ids(&all.check(&facts)).contains(&"BOSUN-CFG-006"));
    assert!(Config::from_yaml("bogus: 1").is_err());
    assert!(
        Checker::new(Config::from_yaml("allow-rules:\n  - path-glob: 'a[b'\n").unwrap()).is_err()
    );
}

#[test]
fn every_rule_has_id_title_and_resolution() {
    for r in bosun_misconfig::RULES {
        assert!(r.id.starts_with("BOSUN-CFG-") && !r.title.is_empty() && !r.resolution.is_empty());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn arbitrary_facts_never_panic(user in "\\PC{0,20}", env in proptest::collection::vec("\\PC{0,60}", 0..6),
                                   hist in proptest::collection::vec("\\PC{0,80}", 0..6),
                                   paths in proptest::collection::vec("[a-z/._]{0,30}", 0..10),
                                   cfg in proptest::collection::vec(any::<u8>(), 0..200)) {
        let f = ImageFacts {
            user, env,
            history: hist.into_iter().map(|h| HistoryEntry { comment: h.clone(), created_by: h }).collect(),
            paths: paths.into_iter().collect(),
            ..ImageFacts::default()
        };
        let _ = checker().check(&f);
        bosun_misconfig::fuzz_config(&cfg);
    }
}
