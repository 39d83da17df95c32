//! Base image identification by each method, and the catalog file.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use bosun_base::{
    BASE_DIGEST, BASE_NAME, BaseContents, Catalog, Facts, HistoryEntry, KnownBase,
    base_layers_from_history, identify, upgrade,
};
use bosun_inventory::BaseImage;
use bosun_inventory::vuln::{Severity, VulnPackage, Vulnerability};

fn h(created_by: &str, empty: bool) -> HistoryEntry {
    HistoryEntry {
        created_by: created_by.into(),
        empty_layer: empty,
    }
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("sha256:{i:064x}")).collect()
}

/// debian:12 as the classic builder records it, then an application's steps.
fn classic() -> Vec<HistoryEntry> {
    vec![
        h("/bin/sh -c #(nop) ADD file:b4e3b8 in / ", false),
        h("/bin/sh -c #(nop)  CMD [\"bash\"]", true),
        h(
            "/bin/sh -c apt-get update && apt-get install -y curl",
            false,
        ),
        h("/bin/sh -c #(nop) WORKDIR /app", true),
        h("/bin/sh -c #(nop) COPY dir:0a1b in /app ", false),
        h("/bin/sh -c #(nop)  CMD [\"/app/run\"]", true),
    ]
}

#[test]
fn history_marks_the_base_at_its_last_cmd_before_new_layers() {
    assert_eq!(base_layers_from_history(&classic()), Some(1));
    // BuildKit spells instructions without the shell prefix.
    let buildkit = vec![
        h("ADD rootfs.tar.xz / # buildkit", false),
        h(
            "RUN /bin/sh -c set -eux; apk add --no-cache ca-certificates # buildkit",
            false,
        ),
        h("CMD [\"/bin/sh\"]", true),
        h("COPY app /app # buildkit", false),
        h("ENTRYPOINT [\"/app\"]", true),
    ];
    assert_eq!(base_layers_from_history(&buildkit), Some(2));
    // A base image alone: its CMD is followed by no layer, nothing to split.
    assert_eq!(base_layers_from_history(&classic()[..2]), None);
    assert_eq!(base_layers_from_history(&[]), None);
}

#[test]
fn the_longest_known_chain_wins_and_names_the_base() {
    let image = ids(4);
    let mut catalog = Catalog::default();
    catalog.add(KnownBase {
        name: "debian:12".into(),
        digest: Some("sha256:d1".into()),
        diff_ids: image[..1].to_vec(),
        ..KnownBase::default()
    });
    catalog.add(KnownBase {
        name: "python:3.12".into(),
        digest: None,
        diff_ids: image[..3].to_vec(),
        ..KnownBase::default()
    });
    catalog.add(KnownBase {
        name: "alpine:3.20".into(),
        digest: None,
        diff_ids: ids(1).iter().map(|s| s.replace('0', "f")).collect(),
        ..KnownBase::default()
    });
    let facts = Facts {
        diff_ids: &image,
        history: &classic(),
        ..Facts::default()
    };
    let b = identify(&facts, &catalog).unwrap();
    assert_eq!(b.name.as_deref(), Some("python:3.12"));
    assert_eq!(
        (b.layers, b.method.as_str(), b.confidence.as_str()),
        (3, "layer_chain", "high")
    );
    // Nothing known: the history answers, without a name.
    let b = identify(&facts, &Catalog::default()).unwrap();
    assert_eq!((b.name, b.layers, b.method.as_str()), (None, 1, "history"));
    // Nothing at all: unknown.
    let bare = Facts {
        diff_ids: &image,
        ..Facts::default()
    };
    assert_eq!(identify(&bare, &Catalog::default()), None);
}

#[test]
fn annotations_name_the_base_and_the_catalog_or_history_counts_its_layers() {
    let image = ids(3);
    let mut ann = BTreeMap::new();
    ann.insert(
        BASE_NAME.to_owned(),
        "docker.io/library/debian:12".to_owned(),
    );
    ann.insert(BASE_DIGEST.to_owned(), "sha256:d1".to_owned());
    let history = classic();
    let facts = Facts {
        annotations: Some(&ann),
        diff_ids: &image,
        history: &history,
        ..Facts::default()
    };
    let b = identify(&facts, &Catalog::default()).unwrap();
    assert_eq!(b.name.as_deref(), Some("docker.io/library/debian:12"));
    assert_eq!(b.digest.as_deref(), Some("sha256:d1"));
    assert_eq!(
        (b.layers, b.method.as_str(), b.confidence.as_str()),
        (1, "annotation", "medium")
    );
    let mut catalog = Catalog::default();
    catalog.add(KnownBase {
        name: "debian:12".into(),
        digest: None,
        diff_ids: image[..2].to_vec(),
        ..KnownBase::default()
    });
    let b = identify(&facts, &catalog).unwrap();
    assert_eq!(
        (b.layers, b.confidence.as_str()),
        (2, "high"),
        "the catalog knows debian:12"
    );
    // The same keys as config labels work too.
    let labels_only = Facts {
        labels: Some(&ann),
        diff_ids: &image,
        ..Facts::default()
    };
    let b = identify(&labels_only, &Catalog::default()).unwrap();
    assert_eq!(
        (b.method.as_str(), b.layers, b.confidence.as_str()),
        ("annotation", 0, "low")
    );
}

#[test]
fn the_catalog_file_round_trips_and_bad_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/base-images.json");
    assert_eq!(
        Catalog::load(&path).unwrap(),
        Catalog::default(),
        "missing: empty"
    );
    let mut c = Catalog::default();
    c.add(KnownBase {
        name: "debian:12".into(),
        digest: None,
        diff_ids: ids(1),
        ..KnownBase::default()
    });
    // Re-adding the same name replaces it.
    c.add(KnownBase {
        name: "debian:12".into(),
        digest: Some("sha256:new".into()),
        diff_ids: ids(1),
        ..KnownBase::default()
    });
    assert_eq!(c.images.len(), 1);
    c.save(&path).unwrap();
    assert_eq!(Catalog::load(&path).unwrap(), c);
    std::fs::write(&path, b"{\"version\": 7}").unwrap();
    let e = Catalog::load(&path).unwrap_err().to_string();
    assert!(
        e.contains("base-images.json") && e.contains("version 7"),
        "{e}"
    );
    std::fs::write(&path, b"not json").unwrap();
    assert!(Catalog::load(&path).is_err());
}

proptest::proptest! {
    #[test]
    fn catalog_parsing_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
        bosun_base::fuzz::catalog_bytes(&bytes);
    }

    #[test]
    fn history_counts_never_exceed_the_layers(steps in proptest::collection::vec((proptest::bool::ANY, 0u8..4), 0..40)) {
        let history: Vec<HistoryEntry> = steps
            .iter()
            .map(|(empty, k)| h(["CMD [\"x\"]", "RUN x", "ENTRYPOINT [\"y\"]", "ENV A=b"][*k as usize], *empty))
            .collect();
        let layers = history.iter().filter(|e| !e.empty_layer).count();
        if let Some(n) = base_layers_from_history(&history) {
            proptest::prop_assert!(n > 0 && n < layers);
        }
    }
}

fn vuln(id: &str, pkg: &str, sev: Severity) -> Vulnerability {
    Vulnerability {
        id: id.into(),
        severity: sev,
        package: VulnPackage {
            name: pkg.into(),
            ..VulnPackage::default()
        },
        ..Vulnerability::default()
    }
}

fn known(name: &str, created: Option<&str>, with_contents: bool) -> KnownBase {
    KnownBase {
        name: name.into(),
        diff_ids: vec![format!("sha256:{name}")],
        created: created.map(str::to_owned),
        contents: with_contents.then(BaseContents::default),
        ..KnownBase::default()
    }
}

/// Newer means created later when both times are known, else a later tag in natural order;
/// other repositories, the base itself and images without contents are left out.
#[test]
fn newer_images_of_the_same_repository_are_upgrade_candidates() {
    let mut catalog = Catalog::default();
    for k in [
        known("debian:12.9", None, true),
        known("debian:12.10", None, true),
        known("debian:12.8", None, true),
        known("debian:12.11", None, false),
        known("docker.io/library/debian:13", None, true),
        known("debian:bookworm", None, true),
        known("alpine:3.21", None, true),
    ] {
        catalog.add(k);
    }
    let base = |name: &str| BaseImage {
        name: Some(name.into()),
        ..BaseImage::default()
    };
    let names = |b: &BaseImage| -> Vec<String> {
        catalog
            .newer_than(b)
            .iter()
            .map(|k| k.name.clone())
            .collect()
    };
    assert_eq!(
        names(&base("debian:12.9")),
        ["debian:12.10", "docker.io/library/debian:13"]
    );
    assert!(
        names(&base("debian:bookworm")).is_empty(),
        "words are not ordered"
    );
    assert!(names(&base("debian:13")).is_empty());
    assert!(
        names(&BaseImage::default()).is_empty(),
        "no name, no candidates"
    );

    // With creation times, time decides, whatever the tags say.
    let mut catalog = Catalog::default();
    catalog.add(known("debian:stable", Some("2024-01-01T00:00:00Z"), true));
    catalog.add(known(
        "debian:stable-new",
        Some("2024-06-01T00:00:00Z"),
        true,
    ));
    catalog.add(known("debian:old", Some("2023-01-01T00:00:00Z"), true));
    let got: Vec<&str> = catalog
        .newer_than(&base("debian:stable"))
        .iter()
        .map(|k| k.name.as_str())
        .collect();
    assert_eq!(got, ["debian:stable-new"]);
}

/// Fixes are the current base findings the candidate no longer has, per severity; adds are
/// the candidate's findings the current base does not have.
#[test]
fn an_upgrade_counts_what_it_fixes_and_adds() {
    let current = [
        vuln("CVE-1", "openssl", Severity::High),
        vuln("CVE-2", "zlib", Severity::Critical),
        vuln("CVE-3", "bash", Severity::Low),
        vuln("CVE-4", "curl", Severity::High),
    ];
    let refs: Vec<&Vulnerability> = current.iter().collect();
    let after = [
        vuln("CVE-3", "bash", Severity::Low),
        vuln("CVE-9", "curl", Severity::Medium),
    ];
    let u = upgrade(&known("debian:12.9", None, true), &refs, &after);
    assert_eq!(u.name, "debian:12.9");
    assert_eq!(u.fixes, 3);
    assert_eq!(
        u.fixes_by_severity,
        BTreeMap::from([(Severity::Critical, 1), (Severity::High, 2)])
    );
    assert_eq!(u.adds, 1);
}
