//! The client against a real HTTP server on loopback (bosun-testkit's).
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant, SystemTime};

use bosun_http::{
    Client, ClientOptions, Conditional, Download, HttpError, RetryPolicy, parse_retry_after,
};
use bosun_testkit::http::{Fault, Reply, TestServer};

fn fast() -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
        },
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    }
}

fn setup(body: &[u8]) -> (tempfile::TempDir, TestServer, Client) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("srv")).unwrap();
    std::fs::write(dir.path().join("srv/f.bin"), body).unwrap();
    let server = TestServer::serve_dir(&dir.path().join("srv")).unwrap();
    (dir, server, Client::new(fast()).unwrap())
}

#[test]
fn download_then_conditional_request_gets_not_modified() {
    let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let (dir, server, client) = setup(&body);
    let dest = dir.path().join("out/f.bin");
    let got = client
        .download_to(
            &server.url("/f.bin"),
            &dest,
            &Conditional::default(),
            1 << 20,
            &mut (),
        )
        .unwrap();
    let Download::Modified {
        etag,
        last_modified,
        bytes,
    } = got
    else {
        panic!("expected a body");
    };
    assert_eq!(bytes, body.len() as u64);
    assert_eq!(std::fs::read(&dest).unwrap(), body);
    let cond = Conditional {
        etag,
        last_modified,
    };
    assert!(cond.etag.is_some() && cond.last_modified.is_some());
    let again = client
        .download_to(&server.url("/f.bin"), &dest, &cond, 1 << 20, &mut ())
        .unwrap();
    assert_eq!(again, Download::NotModified);
    let log = server.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].header("if-none-match"), cond.etag.as_deref());
    assert_eq!(
        log[0].header("user-agent"),
        Some(bosun_http::USER_AGENT),
        "user agent is bosun/VERSION"
    );
    // No temp file left beside the destination.
    let names: Vec<_> = std::fs::read_dir(dir.path().join("out")).unwrap().collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn status_503_then_success_is_retried() {
    let (dir, server, client) = setup(b"payload");
    server.push_fault(
        "/f.bin",
        Fault::Status {
            code: 503,
            retry_after: None,
        },
    );
    let dest = dir.path().join("f.bin");
    let got = client
        .download_to(
            &server.url("/f.bin"),
            &dest,
            &Conditional::default(),
            100,
            &mut (),
        )
        .unwrap();
    assert!(matches!(got, Download::Modified { bytes: 7, .. }));
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn retry_after_one_second_is_honoured() {
    let (_dir, server, client) = setup(b"payload");
    server.push_fault(
        "/f.bin",
        Fault::Status {
            code: 429,
            retry_after: Some("1".into()),
        },
    );
    let t = Instant::now();
    let r = client.get(&server.url("/f.bin"), &[]).unwrap();
    assert!(
        t.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        t.elapsed()
    );
    assert_eq!(r.status(), 200);
    assert_eq!(r.read_to_vec(100).unwrap(), b"payload");
}

#[test]
fn dropped_body_on_every_attempt_keeps_old_file_and_names_url() {
    let (dir, server, client) = setup(&[7u8; 10_000]);
    let dest = dir.path().join("f.bin");
    std::fs::write(&dest, b"old").unwrap();
    server.set_persistent_fault("/f.bin", Some(Fault::Drop { after: 100 }));
    let url = server.url("/f.bin");
    let err = client
        .download_to(&url, &dest, &Conditional::default(), 1 << 20, &mut ())
        .unwrap_err();
    assert!(
        matches!(err, HttpError::RetriesExhausted { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains(&url), "{err}");
    assert_eq!(std::fs::read(&dest).unwrap(), b"old");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "srv and f.bin only"
    );
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn exhausted_status_retries_report_last_status() {
    let (_dir, server, client) = setup(b"x");
    server.set_persistent_fault(
        "/f.bin",
        Some(Fault::Status {
            code: 502,
            retry_after: None,
        }),
    );
    let err = client.get(&server.url("/f.bin"), &[]).unwrap_err();
    assert!(
        matches!(
            err,
            HttpError::RetriesExhausted {
                last_status: Some(502),
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn not_found_forbidden_and_too_large_are_typed() {
    let (dir, server, client) = setup(&[1u8; 1000]);
    let dest = dir.path().join("x");
    let e = client
        .download_to(
            &server.url("/missing"),
            &dest,
            &Conditional::default(),
            10,
            &mut (),
        )
        .unwrap_err();
    assert!(
        matches!(e, HttpError::NotFound { status: 404, .. }),
        "{e:?}"
    );
    let e = client
        .download_to(
            &server.url("/f.bin"),
            &dest,
            &Conditional::default(),
            999,
            &mut (),
        )
        .unwrap_err();
    assert!(matches!(e, HttpError::TooLarge { limit: 999, .. }), "{e:?}");
    assert!(!dest.exists());
    server.set_hook(Some(Box::new(|r| {
        (r.header("authorization").is_none()).then(|| Reply {
            status: 401,
            headers: vec![],
            body: vec![],
        })
    })));
    let e = client
        .download_to(
            &server.url("/f.bin"),
            &dest,
            &Conditional::default(),
            9999,
            &mut (),
        )
        .unwrap_err();
    assert!(
        matches!(e, HttpError::Unauthorized { status: 401, .. }),
        "{e:?}"
    );
    let r = client
        .get(&server.url("/f.bin"), &[("Authorization", "Bearer t")])
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn plain_http_only_for_loopback_unless_insecure() {
    let client = Client::new(fast()).unwrap();
    let e = client.check_url("http://example.org/x").unwrap_err();
    assert!(matches!(e, HttpError::InsecureScheme { .. }));
    assert!(client.check_url("http://127.0.0.1:1/x").is_ok());
    assert!(client.check_url("http://localhost/x").is_ok());
    assert!(client.check_url("http://[::1]:8080/x").is_ok());
    assert!(client.check_url("https://example.org/x").is_ok());
    assert!(client.check_url("ftp://example.org/x").is_err());
    let insecure = Client::new(ClientOptions {
        insecure: true,
        ..fast()
    })
    .unwrap();
    assert!(insecure.check_url("http://example.org/x").is_ok());
}

#[test]
fn ca_file_without_certificates_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ca.pem");
    std::fs::write(&p, "not a certificate\n").unwrap();
    let e = Client::new(ClientOptions {
        ca_file: Some(p),
        ..ClientOptions::default()
    })
    .unwrap_err();
    assert!(matches!(e, HttpError::CaFile { .. }), "{e:?}");
}

#[test]
fn ca_file_with_a_certificate_is_accepted() {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/test-ca.pem");
    let client = Client::new(ClientOptions {
        ca_file: Some(p),
        ..ClientOptions::default()
    });
    assert!(client.is_ok(), "{client:?}");
}

#[test]
fn slow_response_times_out_and_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f.bin"), b"late").unwrap();
    let server = TestServer::serve_dir(dir.path()).unwrap();
    let client = Client::new(ClientOptions {
        read_timeout: Duration::from_millis(300),
        ..fast()
    })
    .unwrap();
    server.push_fault("/f.bin", Fault::Delay(Duration::from_millis(1500)));
    let t = Instant::now();
    let r = client.get(&server.url("/f.bin"), &[]).unwrap();
    assert_eq!(r.read_to_vec(10).unwrap(), b"late");
    assert!(
        t.elapsed() < Duration::from_millis(1400),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(
        server.requests().len(),
        2,
        "the slow attempt, then the retry"
    );
}

#[test]
fn retry_after_parses_seconds_and_dates() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
    assert_eq!(
        parse_retry_after("120", now),
        Some(Duration::from_secs(120))
    );
    // 2015-10-21 07:28:00 GMT is 1445412480; one minute later:
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:29:00 GMT", now),
        Some(Duration::from_secs(60))
    );
    assert_eq!(
        parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
        Some(Duration::ZERO)
    );
    assert_eq!(parse_retry_after("soon", now), None);
    let p = RetryPolicy {
        max_retry_after: Duration::from_secs(5),
        ..RetryPolicy::default()
    };
    assert_eq!(p.delay(1, Some("3600")), Duration::from_secs(5), "capped");
    let b = p.backoff(3);
    assert!(
        b >= Duration::from_secs(2) && b <= Duration::from_secs(4),
        "{b:?}"
    );
}

#[test]
fn redirect_is_followed() {
    let (_dir, server, client) = setup(b"target");
    server.set_hook(Some(Box::new(|r| {
        (r.path == "/old").then(|| Reply {
            status: 302,
            headers: vec![("Location".into(), "/f.bin".into())],
            body: vec![],
        })
    })));
    let r = client.get(&server.url("/old"), &[]).unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.url().ends_with("/f.bin"));
    assert_eq!(r.read_to_vec(100).unwrap(), b"target");
}

/// Credentials follow a redirect on the same origin, never to another one (a registry's blob
/// redirect to a CDN must not leak the registry token).
#[test]
fn authorization_is_dropped_on_a_redirect_to_another_origin() {
    let (_dir, server, client) = setup(b"target");
    let (_dir2, other, _) = setup(b"elsewhere");
    let elsewhere = other.url("/f.bin");
    server.set_hook(Some(Box::new(move |r| match r.path.as_str() {
        "/same" => Some(Reply {
            status: 307,
            headers: vec![("Location".into(), "/f.bin".into())],
            body: vec![],
        }),
        "/away" => Some(Reply {
            status: 307,
            headers: vec![("Location".into(), elsewhere.clone())],
            body: vec![],
        }),
        _ => None,
    })));
    let auth = [("Authorization", "Bearer s3cr3t")];
    let r = client.get(&server.url("/same"), &auth).unwrap();
    assert_eq!(r.read_to_vec(100).unwrap(), b"target");
    let kept = server.requests();
    assert!(
        kept.iter()
            .filter(|q| q.path == "/f.bin")
            .all(|q| q.header("authorization") == Some("Bearer s3cr3t")),
        "same origin keeps the header"
    );
    let r = client.get(&server.url("/away"), &auth).unwrap();
    assert_eq!(r.read_to_vec(100).unwrap(), b"elsewhere");
    let seen = other.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].header("authorization"),
        None,
        "not sent to another origin"
    );
}

proptest::proptest! {
    #[test]
    fn fuzz_header_values(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
        bosun_http::fuzz::header_values(&bytes);
    }
}
