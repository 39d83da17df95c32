//! The client against bosun-testkit's loopback HTTP server laid out as a registry's read API
//! (`/v2/REPO/manifests/REF`, `/v2/REPO/blobs/DIGEST` as files), with a hook acting as the
//! bearer token realm or as a registry that answers errors. Real-registry tests live in
//! bosun-image (tests/it/registry.rs), where the whole pull is walked.

#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bosun_registry::{
    Credentials, DockerConfig, OCI_INDEX, OCI_MANIFEST, Reference, Registry, RegistryError,
    RegistryOptions, RetryPolicy,
};
use bosun_testkit::http::{Fault, Reply, TestServer};
use bosun_testkit::{ImageBuilder, sha256_hex};

fn opts() -> RegistryOptions {
    RegistryOptions {
        docker_config: DockerConfig::Ignore,
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(2),
        },
        ..RegistryOptions::default()
    }
}

/// Writes an image as static registry files under `root`; returns (manifest digest, layer
/// digests).
fn layout(root: &Path, repo: &str, tag: &str, image: &ImageBuilder) -> (String, Vec<String>) {
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    image.write_oci_dir(&oci).unwrap();
    let base = root.join("v2").join(repo);
    std::fs::create_dir_all(base.join("manifests")).unwrap();
    std::fs::create_dir_all(base.join("blobs")).unwrap();
    for e in std::fs::read_dir(oci.join("blobs/sha256")).unwrap() {
        let e = e.unwrap();
        let name = format!("sha256:{}", e.file_name().to_string_lossy());
        std::fs::copy(e.path(), base.join("blobs").join(&name)).unwrap();
        std::fs::copy(e.path(), base.join("manifests").join(&name)).unwrap();
    }
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(oci.join("index.json")).unwrap()).unwrap();
    let top = index["manifests"][0]["digest"].as_str().unwrap().to_owned();
    std::fs::copy(
        base.join("manifests").join(&top),
        base.join("manifests").join(tag),
    )
    .unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(base.join("manifests").join(&top)).unwrap()).unwrap();
    let layers = manifest["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["digest"].as_str().unwrap().to_owned())
        .collect();
    (top, layers)
}

fn reference(server: &TestServer, rest: &str) -> Reference {
    let host = server.base_url().trim_start_matches("http://").to_owned();
    Reference::parse(&format!("{host}/{rest}")).unwrap()
}

fn sample() -> ImageBuilder {
    ImageBuilder::new()
        .layer(|l| l.file("a", "alpha"))
        .layer(|l| l.file("b", "beta".repeat(1000)))
}

#[test]
fn anonymous_manifest_and_blobs_are_fetched_and_verified() {
    let root = tempfile::tempdir().unwrap();
    let (mdigest, layers) = layout(root.path(), "app", "1", &sample());
    let server = TestServer::serve_dir(root.path()).unwrap();
    let r = reference(&server, "app:1");
    let reg = Registry::new(&r, &opts()).unwrap();
    let m = reg.get_manifest(r.target(), 1 << 20).unwrap();
    assert_eq!(m.digest, mdigest);
    assert_eq!(m.media_type, OCI_MANIFEST, "from the document's mediaType");
    assert_eq!(format!("sha256:{}", sha256_hex(&m.bytes)), mdigest);
    let by_digest = reg.get_manifest(&mdigest, 1 << 20).unwrap();
    assert_eq!(by_digest.bytes, m.bytes);
    for d in &layers {
        let blob = reg.read_blob(d, 1 << 20).unwrap();
        assert_eq!(&format!("sha256:{}", sha256_hex(&blob)), d);
        assert!(reg.has_blob(d).unwrap());
    }
    let missing = format!("sha256:{}", "0".repeat(64));
    assert!(!reg.has_blob(&missing).unwrap());
    let accept = server.requests()[0].header("accept").unwrap().to_owned();
    for t in [
        OCI_INDEX,
        OCI_MANIFEST,
        bosun_registry::DOCKER_LIST,
        bosun_registry::DOCKER_MANIFEST,
    ] {
        assert!(accept.contains(t), "{accept}");
    }
    assert!(
        server
            .requests()
            .iter()
            .all(|q| q.header("authorization").is_none())
    );
}

#[test]
fn blobs_and_manifests_that_do_not_match_their_digest_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let (mdigest, layers) = layout(root.path(), "app", "1", &sample());
    let base = root.path().join("v2/app");
    std::fs::write(base.join("blobs").join(&layers[0]), b"tampered").unwrap();
    std::fs::write(base.join("manifests").join(&mdigest), b"{\"layers\":[]}").unwrap();
    let server = TestServer::serve_dir(root.path()).unwrap();
    let r = reference(&server, "app:1");
    let reg = Registry::new(&r, &opts()).unwrap();
    let e = reg.read_blob(&layers[0], 1 << 20).unwrap_err();
    assert!(matches!(e, RegistryError::DigestMismatch { .. }), "{e:?}");
    assert!(e.to_string().contains(&layers[0]), "{e}");
    let e = reg.get_manifest(&mdigest, 1 << 20).unwrap_err();
    assert!(matches!(e, RegistryError::BadManifest { .. }), "{e:?}");
    assert!(e.to_string().contains("does not match its digest"), "{e}");
    let e = reg.read_blob(&layers[1], 10).unwrap_err();
    assert!(e.to_string().contains("larger than 10 bytes"), "{e}");
}

#[test]
fn bearer_token_flow_fetches_one_token_per_scope() {
    let root = tempfile::tempdir().unwrap();
    let (_, layers) = layout(root.path(), "org/app", "1", &sample());
    let server = TestServer::serve_dir(root.path()).unwrap();
    let realm = server.url("/token");
    let tokens = Arc::new(AtomicUsize::new(0));
    let basic = Credentials {
        username: "bob".into(),
        password: "pw".into(),
    }
    .basic_header();
    {
        let (tokens, realm) = (tokens.clone(), realm.clone());
        server.set_hook(Some(Box::new(move |req| {
            if req.path.starts_with("/token") {
                if req.header("authorization") != Some(basic.as_str()) {
                    return Some(Reply {
                        status: 401,
                        headers: vec![],
                        body: vec![],
                    });
                }
                if !req.path.contains("service=test-registry")
                    || !req.path.contains("scope=repository%3Aorg%2Fapp%3Apull")
                {
                    return Some(Reply {
                        status: 400,
                        headers: vec![],
                        body: vec![],
                    });
                }
                tokens.fetch_add(1, Ordering::SeqCst);
                return Some(Reply {
                    status: 200,
                    headers: vec![("Content-Type".into(), "application/json".into())],
                    body: br#"{"token":"tok-1","expires_in":300}"#.to_vec(),
                });
            }
            if req.header("authorization") != Some("Bearer tok-1") {
                return Some(Reply {
                    status: 401,
                    headers: vec![(
                        "WWW-Authenticate".into(),
                        format!(
                            r#"Bearer realm="{realm}",service="test-registry",scope="repository:org/app:pull""#
                        ),
                    )],
                    body: br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#.to_vec(),
                });
            }
            None
        })));
    }
    let r = reference(&server, "org/app:1");
    let good = RegistryOptions {
        credentials: Some(Credentials {
            username: "bob".into(),
            password: "pw".into(),
        }),
        ..opts()
    };
    let reg = Registry::new(&r, &good).unwrap();
    reg.get_manifest("1", 1 << 20).unwrap();
    for d in &layers {
        let mut v = Vec::new();
        reg.open_blob(d).unwrap().read_to_end(&mut v).unwrap();
        assert_eq!(&format!("sha256:{}", sha256_hex(&v)), d);
    }
    assert_eq!(
        tokens.load(Ordering::SeqCst),
        1,
        "one token for the scope, cached"
    );
    let unauthenticated = server
        .requests()
        .iter()
        .filter(|q| q.path.starts_with("/v2/") && q.header("authorization").is_none())
        .count();
    assert_eq!(
        unauthenticated, 1,
        "only the first request went without the token"
    );

    // Wrong credentials: the token realm refuses them.
    let bad = RegistryOptions {
        credentials: Some(Credentials {
            username: "bob".into(),
            password: "nope".into(),
        }),
        ..opts()
    };
    let e = Registry::new(&r, &bad)
        .unwrap()
        .get_manifest("1", 1 << 20)
        .unwrap_err();
    assert!(
        matches!(
            e,
            RegistryError::Unauthorized {
                had_credentials: true,
                ..
            }
        ),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(msg.contains("org/app:1") && msg.contains("401"), "{msg}");
}

#[test]
fn statuses_become_typed_errors_that_say_what_to_do() {
    let root = tempfile::tempdir().unwrap();
    layout(root.path(), "app", "1", &sample());
    let server = TestServer::serve_dir(root.path()).unwrap();
    server.set_hook(Some(Box::new(|req| {
        if req.path.contains("/denied/") {
            return Some(Reply {
                status: 403,
                headers: vec![],
                body: br#"{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"#.to_vec(),
            });
        }
        if req.path.contains("/basic/") && req.header("authorization").is_none() {
            return Some(Reply {
                status: 401,
                headers: vec![("WWW-Authenticate".into(), r#"Basic realm="x""#.into())],
                body: vec![],
            });
        }
        None
    })));
    let get = |rest: &str| {
        let r = reference(&server, rest);
        Registry::new(&r, &opts())
            .unwrap()
            .get_manifest(r.target(), 1 << 20)
    };
    let e = get("denied/app:1").unwrap_err();
    assert!(matches!(e, RegistryError::Denied { .. }), "{e:?}");
    assert!(e.to_string().contains("DENIED requested access"), "{e}");
    let e = get("basic/app:1").unwrap_err();
    assert!(
        matches!(
            e,
            RegistryError::Unauthorized {
                had_credentials: false,
                ..
            }
        ),
        "{e:?}"
    );
    let e = get("app:nope").unwrap_err();
    assert!(matches!(e, RegistryError::NotFound { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.contains("manifest nope") && msg.contains("app:nope"),
        "{msg}"
    );
    // 503 on every attempt: retries, then a clear error.
    server.set_persistent_fault(
        "/v2/app/manifests/1",
        Some(Fault::Status {
            code: 503,
            retry_after: None,
        }),
    );
    let e = get("app:1").unwrap_err();
    assert!(e.to_string().contains("giving up after 3 attempts"), "{e}");
}

#[test]
fn a_blob_cut_too_often_fails_with_a_clear_error() {
    let root = tempfile::tempdir().unwrap();
    let (_, layers) = layout(root.path(), "app", "1", &sample());
    let server = TestServer::serve_dir(root.path()).unwrap();
    let path = format!("/v2/app/blobs/{}", layers[1]);
    server.set_persistent_fault(&path, Some(Fault::Drop { after: 10 }));
    let r = reference(&server, "app:1");
    let reg = Registry::new(
        &r,
        &RegistryOptions {
            max_resumes: 2,
            ..opts()
        },
    )
    .unwrap();
    let mut v = Vec::new();
    let e = reg
        .open_blob(&layers[1])
        .unwrap()
        .read_to_end(&mut v)
        .unwrap_err();
    let inner = e.into_inner().unwrap().downcast::<RegistryError>().unwrap();
    let msg = inner.to_string();
    assert!(
        msg.contains("connection broke 3 times") && msg.contains("app:1"),
        "{msg}"
    );
    let gets = server.requests().iter().filter(|q| q.path == path).count();
    assert_eq!(gets, 3, "the first request and two resumes");
}

#[test]
fn index_media_type_comes_from_the_document() {
    let root = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    let amd = ImageBuilder::new().layer(|l| l.file("a", "1"));
    let arm = ImageBuilder::new()
        .platform("linux", "arm64", None)
        .layer(|l| l.file("a", "2"));
    ImageBuilder::write_oci_multi_platform_dir(&[&amd, &arm], false, &oci).unwrap();
    let base = root.path().join("v2/multi/manifests");
    std::fs::create_dir_all(&base).unwrap();
    std::fs::copy(oci.join("index.json"), base.join("latest")).unwrap();
    let server = TestServer::serve_dir(root.path()).unwrap();
    let r = reference(&server, "multi");
    let m = Registry::new(&r, &opts())
        .unwrap()
        .get_manifest(r.target(), 1 << 20)
        .unwrap();
    assert_eq!(m.media_type, OCI_INDEX);
    assert!(bosun_registry::is_index(&m.media_type));
}

mod resume {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        /// Wherever the connection is cut (up to three times), the blob arrives whole and
        /// every resume asks for exactly the bytes not yet read.
        #[test]
        fn cut_blobs_arrive_whole(cuts in proptest::collection::vec(1usize..20_000, 0..4)) {
            let root = tempfile::tempdir().unwrap();
            let big: Vec<u8> = (0..20_000u32).flat_map(|i| i.wrapping_mul(2_654_435_761).to_le_bytes()).collect();
            let (_, layers) = layout(root.path(), "app", "1", &ImageBuilder::new().layer(|l| l.file("f", &big)));
            let server = TestServer::serve_dir(root.path()).unwrap();
            let path = format!("/v2/app/blobs/{}", layers[0]);
            for c in &cuts {
                server.push_fault(&path, Fault::Drop { after: *c });
            }
            let r = reference(&server, "app:1");
            let reg = Registry::new(&r, &opts()).unwrap();
            let mut v = Vec::new();
            let mut blob = reg.open_blob(&layers[0]).unwrap();
            blob.read_to_end(&mut v).unwrap();
            prop_assert_eq!(format!("sha256:{}", sha256_hex(&v)), layers[0].clone());
            prop_assert_eq!(blob.resumes() as usize, cuts.len());
            let ranges: Vec<Option<String>> = server
                .requests()
                .iter()
                .filter(|q| q.path == path)
                .map(|q| q.header("range").map(str::to_owned))
                .collect();
            // Each resume starts where the bytes read so far end: the cut offsets add up
            // only while each cut lies past the previous resume point (the server ignores
            // Range and resends from 0, so a cut before it delivers nothing new).
            let mut offset = 0usize;
            let mut want = vec![None];
            for c in &cuts {
                offset = offset.max(*c);
                want.push(Some(format!("bytes={offset}-")));
            }
            prop_assert_eq!(ranges, want);
        }
    }
}

#[test]
fn plain_http_is_refused_for_remote_registries_unless_insecure() {
    let r = Reference::parse("registry.example.com/app:1").unwrap();
    let http = RegistryOptions {
        scheme: bosun_registry::Scheme::Http,
        ..opts()
    };
    let e = Registry::new(&r, &http)
        .unwrap()
        .get_manifest("1", 1 << 20)
        .unwrap_err();
    assert!(
        matches!(
            &e,
            RegistryError::Http {
                source: bosun_http::HttpError::InsecureScheme { .. },
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("--insecure"), "{e}");
}

#[test]
fn an_expired_token_is_replaced_once() {
    let root = tempfile::tempdir().unwrap();
    let (_, layers) = layout(root.path(), "app", "1", &sample());
    let server = TestServer::serve_dir(root.path()).unwrap();
    let realm = server.url("/token");
    // The registry accepts only the newest token; the first expires after the manifest.
    let issued = Arc::new(AtomicUsize::new(0));
    let valid = Arc::new(AtomicUsize::new(0));
    {
        let (issued, valid) = (issued.clone(), valid.clone());
        server.set_hook(Some(Box::new(move |req| {
            if req.path.starts_with("/token") {
                let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
                valid.store(n, Ordering::SeqCst);
                return Some(Reply {
                    status: 200,
                    headers: vec![],
                    body: format!(r#"{{"access_token":"tok-{n}"}}"#).into_bytes(),
                });
            }
            let want = format!("Bearer tok-{}", valid.load(Ordering::SeqCst));
            if req.header("authorization") != Some(want.as_str()) {
                return Some(Reply {
                    status: 401,
                    headers: vec![(
                        "WWW-Authenticate".into(),
                        format!(r#"Bearer realm="{realm}",service="s""#),
                    )],
                    body: vec![],
                });
            }
            if req.path.contains("/manifests/") {
                // Expire this token once the manifest is served.
                valid.store(usize::MAX, Ordering::SeqCst);
            }
            None
        })));
    }
    let r = reference(&server, "app:1");
    let reg = Registry::new(&r, &opts()).unwrap();
    reg.get_manifest("1", 1 << 20).unwrap();
    let blob = reg.read_blob(&layers[0], 1 << 20).unwrap();
    assert_eq!(format!("sha256:{}", sha256_hex(&blob)), layers[0]);
    assert_eq!(
        issued.load(Ordering::SeqCst),
        2,
        "a second token after the first expired"
    );
}

/// Counts what a [`bosun_registry::TransferObserver`] was told.
#[derive(Default)]
struct Counter {
    started: std::sync::Mutex<Vec<(String, Option<u64>)>>,
    bytes: std::sync::atomic::AtomicU64,
    finished: AtomicUsize,
}

impl bosun_registry::TransferObserver for Counter {
    fn started(&self, digest: &str, size: Option<u64>) {
        self.started.lock().unwrap().push((digest.to_owned(), size));
    }
    fn bytes(&self, _digest: &str, n: u64) {
        self.bytes.fetch_add(n, Ordering::SeqCst);
    }
    fn finished(&self, _digest: &str) {
        self.finished.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn blob_observer_counts_resumed_bytes_once_and_finishes_once() {
    let root = tempfile::tempdir().unwrap();
    let (_, layers) = layout(root.path(), "app", "1", &sample());
    let server = TestServer::serve_dir(root.path()).unwrap();
    let path = format!("/v2/app/blobs/{}", layers[1]);
    server.push_fault(&path, Fault::Drop { after: 10 });
    server.push_fault(&path, Fault::Drop { after: 200 });
    let reg = Registry::new(&reference(&server, "app:1"), &opts()).unwrap();
    let counter = Arc::new(Counter::default());
    let mut v = Vec::new();
    let mut blob = reg
        .open_blob(&layers[1])
        .unwrap()
        .observe(counter.clone(), None);
    blob.read_to_end(&mut v).unwrap();
    assert_eq!(blob.resumes(), 2, "cut twice");
    assert_eq!(
        *counter.started.lock().unwrap(),
        vec![(layers[1].clone(), Some(v.len() as u64))],
        "started once with the announced length"
    );
    assert_eq!(counter.bytes.load(Ordering::SeqCst), v.len() as u64);
    assert_eq!(format!("sha256:{}", sha256_hex(&v)), layers[1]);
    assert_eq!(counter.finished.load(Ordering::SeqCst), 1, "at the end");
    drop(blob);
    assert_eq!(
        counter.finished.load(Ordering::SeqCst),
        1,
        "not again on drop"
    );

    // Abandoned early: finished on drop, with the manifest's size passed through.
    let counter = Arc::new(Counter::default());
    let mut blob = reg
        .open_blob(&layers[1])
        .unwrap()
        .observe(counter.clone(), Some(12_345));
    let mut first = [0u8; 16];
    blob.read_exact(&mut first).unwrap();
    assert_eq!(counter.started.lock().unwrap()[0].1, Some(12_345));
    assert_eq!(counter.bytes.load(Ordering::SeqCst), 16);
    assert_eq!(counter.finished.load(Ordering::SeqCst), 0, "still going");
    drop(blob);
    assert_eq!(
        counter.finished.load(Ordering::SeqCst),
        1,
        "finished on drop"
    );
}
