//! Registry sources against a real registry (distribution 2.x, the Debian `docker-registry`
//! package) started on 127.0.0.1 for each test, with images built by bosun-testkit and pushed
//! with skopeo; and against the testkit HTTP server serving the same content as static files,
//! which is where faults are scripted (429 with Retry-After, a connection cut mid-blob).
//!
//! Why static files for faults: the testkit server scripts faults only for the files it serves
//! itself (its hook answers whole responses and bypasses them), and a registry's read API is
//! static content: `GET /v2/REPO/manifests/REF` and `GET /v2/REPO/blobs/DIGEST`. Serving the
//! pushed layout from files exercises the same client code as the real registry, with faults
//! at exact byte offsets. The "registry restarted mid-pull" case uses the real registry: it is
//! killed while a large layer streams and started again on the same port and storage.
//!
//! Missing `docker-registry` or `skopeo` skips these tests with a message, or fails them when
//! `BOSUN_REQUIRE_TOOLS=1` (crates/bosun-registry/ci-deps.sh installs them).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bosun_image::{
    Credentials, DockerConfig, EntryMeta, Image, ImageError, LayerMeta, LayerVisitor, OpenOptions,
    RegistryError, RegistryOptions, Scheme, Source, VisitorFactory,
};
use bosun_testkit::http::{Fault, TestServer};
use bosun_testkit::registry::{RealRegistry, has, has_htpasswd, require_tools, tools};
use bosun_testkit::{Compression, ImageBuilder};

use crate::common::{CollectFactory, all};

/// Registry options for tests: no stored credentials, quick retries.
fn reg_opts() -> RegistryOptions {
    RegistryOptions {
        docker_config: DockerConfig::Ignore,
        retry: bosun_http_retry(),
        ..RegistryOptions::default()
    }
}

fn bosun_http_retry() -> bosun_image::RetryPolicy {
    bosun_image::RetryPolicy {
        max_attempts: 6,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(800),
        max_retry_after: Duration::from_secs(5),
    }
}

/// An image with a few layers worth comparing: files, a whiteout, a symlink, gzip and zstd,
/// and the real Alpine minirootfs as its base when the shared data is there.
fn sample_image() -> ImageBuilder {
    let mut b = ImageBuilder::new();
    if let Some(p) =
        bosun_testdata::path("data/alpine/minirootfs/alpine-minirootfs-3.20.3-x86_64.tar.gz")
    {
        let tgz = std::fs::read(p).unwrap();
        b = b.layer(|l| l.blob(tgz));
    }
    b.layer(|l| {
        l.file("etc/os-release", "ID=alpine\nVERSION_ID=3.20.3\n")
            .file("var/lib/dpkg/status", "Package: demo\nVersion: 1.0\n\n")
            .symlink("usr/bin/sh", "busybox")
            .compression(Compression::Gzip)
    })
    .layer(|l| {
        l.whiteout("var/lib/dpkg/status")
            .file("app/main.py", "print('hi')\n")
            .compression(Compression::Zstd)
    })
    .env("APP=1")
}

type Walked = (
    Vec<bosun_inventory::Layer>,
    Vec<(bosun_image::LayerIndex, BTreeMap<String, Vec<u8>>)>,
);

fn walk_all(image: &Image) -> Walked {
    let walks = image.walk(&CollectFactory(all)).unwrap();
    (
        image.layers().to_vec(),
        walks
            .into_iter()
            .map(|w| (w.index, w.visitor.bodies))
            .collect(),
    )
}

#[test]
fn registry_pull_walks_like_the_oci_layout() {
    if !tools() {
        return;
    }
    let reg = RealRegistry::start(None);
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    sample_image().write_oci_dir(&oci).unwrap();
    reg.push(&oci, "team/app:1.0", false);

    let local = Image::open(&Source::OciDir(oci.clone()), &OpenOptions::default()).unwrap();
    let reference = format!("{}/team/app:1.0", reg.host());
    for typed in [format!("registry:{reference}"), reference.clone()] {
        let src = Source::parse(&typed).unwrap();
        assert_eq!(src, Source::Registry(reference.clone()), "{typed}");
        let remote = Image::open_with_registry(&src, &OpenOptions::default(), &reg_opts()).unwrap();
        assert_eq!(remote.raw_config(), local.raw_config());
        let info = remote.source_info();
        assert_eq!(info.kind, "registry");
        assert_eq!(info.name, reference);
        assert_eq!(info.image_id, local.source_info().image_id);
        let (rl, rw) = walk_all(&remote);
        let (ll, lw) = walk_all(&local);
        assert_eq!(rl, ll, "layers (digests, diff_ids, sizes, history)");
        assert!(rl.len() >= 2);
        assert_eq!(rw, lw, "every layer's index and every file body");
    }
    // Each blob was downloaded once: one GET per layer in the access log.
    let log = reg.log("registry.log");
    for l in local.layers() {
        let d = l.digest.clone().unwrap();
        let gets = log
            .lines()
            .filter(|x| x.contains(&format!("GET /v2/team/app/blobs/{d}")))
            .count();
        assert_eq!(gets, 2, "layer {d}: one GET per open+walk, two walks");
    }
}

#[test]
fn docker_v2_manifests_pushed_from_a_docker_archive_walk_alike() {
    if !tools() {
        return;
    }
    let reg = RealRegistry::start(None);
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("image.tar");
    sample_image()
        .repo_tag("team/legacy:2")
        .write_docker_archive(&archive)
        .unwrap();
    reg.push_from(
        &format!("docker-archive:{}", archive.display()),
        "team/legacy:2",
        false,
    );
    let local = Image::open(&Source::DockerArchive(archive), &OpenOptions::default()).unwrap();
    let src = Source::parse(&format!("{}/team/legacy:2", reg.host())).unwrap();
    let remote = Image::open_with_registry(&src, &OpenOptions::default(), &reg_opts()).unwrap();
    assert!(
        remote.layers().iter().all(|l| l
            .media_type
            .as_deref()
            .is_some_and(|m| m.starts_with("application/vnd.docker.image.rootfs"))),
        "a Docker v2 manifest: {:?}",
        remote.layers()
    );
    assert_eq!(remote.raw_config(), local.raw_config());
    let (rl, rw) = walk_all(&remote);
    let (ll, lw) = walk_all(&local);
    let ids =
        |l: &[bosun_inventory::Layer]| l.iter().map(|l| l.diff_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&rl), ids(&ll), "same diff_ids");
    assert_eq!(rw, lw, "every layer's index and every file body");
}

#[test]
fn basic_auth_right_and_wrong_credentials() {
    if !tools() {
        return;
    }
    if !has_htpasswd() {
        return;
    }
    let reg = RealRegistry::start(Some(("alice", "s3cret-pw")));
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    ImageBuilder::new()
        .layer(|l| l.file("etc/hello", "hi"))
        .write_oci_dir(&oci)
        .unwrap();
    reg.push(&oci, "private/app:v1", false);
    let src = Source::parse(&format!("registry:{}/private/app:v1", reg.host())).unwrap();
    let with = |u: &str, p: &str| RegistryOptions {
        credentials: Some(Credentials {
            username: u.into(),
            password: p.into(),
        }),
        ..reg_opts()
    };

    let image =
        Image::open_with_registry(&src, &OpenOptions::default(), &with("alice", "s3cret-pw"))
            .unwrap();
    let walks = image.walk(&CollectFactory(all)).unwrap();
    assert_eq!(walks[0].visitor.bodies["etc/hello"], b"hi");

    // The same credentials from a Docker config file (`auths` with base64 `auth`).
    let config = reg.dir.path().join("docker-config.json");
    let auth = base64_encode(b"alice:s3cret-pw");
    std::fs::write(
        &config,
        format!(
            r#"{{"auths":{{"http://{}":{{"auth":"{auth}"}}}}}}"#,
            reg.host()
        ),
    )
    .unwrap();
    let from_config = RegistryOptions {
        docker_config: DockerConfig::Path(config),
        ..reg_opts()
    };
    Image::open_with_registry(&src, &OpenOptions::default(), &from_config)
        .unwrap()
        .walk(&CollectFactory(all))
        .unwrap();

    let e = Image::open_with_registry(&src, &OpenOptions::default(), &with("alice", "wrong"))
        .unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(&e, ImageError::Registry(r) if matches!(**r, RegistryError::Unauthorized { had_credentials: true, .. })),
        "{e:?}"
    );
    assert!(
        msg.contains("private/app:v1")
            && msg.contains(&reg.host())
            && msg.contains("401")
            && msg.contains("check the username and password"),
        "{msg}"
    );

    let e = Image::open_with_registry(&src, &OpenOptions::default(), &reg_opts()).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(&e, ImageError::Registry(r) if matches!(**r, RegistryError::Unauthorized { had_credentials: false, .. })),
        "{e:?}"
    );
    assert!(
        msg.contains("docker login") && msg.contains("--username"),
        "{msg}"
    );
}

#[test]
fn multi_arch_index_is_picked_by_platform() {
    if !tools() {
        return;
    }
    let reg = RealRegistry::start(None);
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    let amd = ImageBuilder::new().layer(|l| l.file("arch", "amd64"));
    let arm = ImageBuilder::new()
        .platform("linux", "arm64", Some("v8"))
        .layer(|l| l.file("arch", "arm64"));
    ImageBuilder::write_oci_multi_platform_dir(&[&amd, &arm], true, &oci).unwrap();
    reg.push(&oci, "multi:latest", true);
    let src = Source::parse(&format!("{}/multi", reg.host())).unwrap();
    for (platform, want) in [
        ("linux/amd64", "amd64"),
        ("linux/arm64", "arm64"),
        ("linux/arm64/v8", "arm64"),
    ] {
        let opts = OpenOptions {
            platform: Some(platform.into()),
            ..OpenOptions::default()
        };
        let image = Image::open_with_registry(&src, &opts, &reg_opts()).unwrap();
        assert_eq!(image.config().unwrap().architecture, want, "{platform}");
        let walks = image.walk(&CollectFactory(all)).unwrap();
        assert_eq!(
            walks[0].visitor.bodies["arch"],
            want.as_bytes(),
            "{platform}"
        );
    }
    let opts = OpenOptions {
        platform: Some("linux/s390x".into()),
        ..OpenOptions::default()
    };
    let e = Image::open_with_registry(&src, &opts, &reg_opts()).unwrap_err();
    assert!(matches!(e, ImageError::PlatformNotFound { .. }), "{e:?}");
    assert!(e.to_string().contains("linux/arm64"), "{e}");
}

#[test]
fn corrupt_blob_in_registry_storage_names_the_layer() {
    if !tools() {
        return;
    }
    let reg = RealRegistry::start(None);
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    ImageBuilder::new()
        .layer(|l| l.file("ok", "fine").compression(Compression::Gzip))
        .layer(|l| {
            l.file("data.txt", "x".repeat(4096))
                .compression(Compression::Gzip)
        })
        .write_oci_dir(&oci)
        .unwrap();
    reg.push(&oci, "corrupt:1", false);
    let src = Source::parse(&format!("registry:{}/corrupt:1", reg.host())).unwrap();
    let remote = Image::open_with_registry(&src, &OpenOptions::default(), &reg_opts()).unwrap();
    remote.walk(&CollectFactory(all)).unwrap();
    let digest = remote.layers()[1].digest.clone().unwrap();
    // Change the gzip header's MTIME (bytes 4..8): the layer still inflates to the same tar,
    // so only the blob digest can catch it.
    let path = reg.blob_file(digest.trim_start_matches("sha256:"));
    let mut data = std::fs::read(&path).unwrap();
    data[5] ^= 0x01;
    std::fs::write(&path, data).unwrap();

    let remote = Image::open_with_registry(&src, &OpenOptions::default(), &reg_opts()).unwrap();
    let e = remote.walk(&CollectFactory(all)).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, ImageError::DigestMismatch { .. }), "{e:?}");
    assert!(msg.contains(&format!("layer 1 ({digest}) blob")), "{msg}");
}

/// Writes a CA and a certificate for 127.0.0.1 signed by it; returns (ca, cert, key).
fn make_certs(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=bosun test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        "-out",
        "server.pem",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    )
}

#[test]
fn tls_registry_needs_its_ca_file() {
    if !tools() || !has("openssl", "version") {
        assert!(
            !require_tools(),
            "BOSUN_REQUIRE_TOOLS=1 but openssl is missing"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = make_certs(dir.path());
    let reg = RealRegistry::start_in(dir, None, Some((&cert, &key)));
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    ImageBuilder::new()
        .layer(|l| l.file("etc/tls", "yes"))
        .write_oci_dir(&oci)
        .unwrap();
    reg.push(&oci, "secure:1", false);
    let src = Source::parse(&format!("registry:{}/secure:1", reg.host())).unwrap();
    let https = |ca_file: Option<PathBuf>| RegistryOptions {
        scheme: Scheme::Https,
        ca_file,
        ..reg_opts()
    };
    let e = Image::open_with_registry(&src, &OpenOptions::default(), &https(None)).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(&e, ImageError::Registry(r) if matches!(**r, RegistryError::Tls { .. })),
        "{e:?}"
    );
    assert!(
        msg.contains("--ca-cert") && msg.contains(&reg.host()),
        "{msg}"
    );
    let image = Image::open_with_registry(&src, &OpenOptions::default(), &https(Some(ca))).unwrap();
    let walks = image.walk(&CollectFactory(all)).unwrap();
    assert_eq!(walks[0].visitor.bodies["etc/tls"], b"yes");
}

/// Reads part of one big file, has the registry restarted, then reads the rest.
struct Restarter {
    reg: Arc<Mutex<Option<RealRegistry>>>,
    got: Vec<u8>,
}

impl LayerVisitor for Restarter {
    fn wants(&mut self, e: &EntryMeta<'_>) -> bool {
        e.path == "big.bin"
    }
    fn visit(&mut self, _: &EntryMeta<'_>, body: &mut dyn Read) {
        let mut first = vec![0u8; 64 << 10];
        body.read_exact(&mut first).unwrap();
        if let Some(r) = self.reg.lock().unwrap().as_mut() {
            r.restart("registry-restarted.log");
        }
        self.got = first;
        body.read_to_end(&mut self.got).unwrap();
    }
}

struct RestarterFactory(Arc<Mutex<Option<RealRegistry>>>);

impl VisitorFactory for RestarterFactory {
    type Visitor = Restarter;
    fn visitor(&self, _: &LayerMeta) -> Restarter {
        Restarter {
            reg: self.0.clone(),
            got: Vec::new(),
        }
    }
}

#[test]
fn registry_restarted_mid_pull_resumes_with_range() {
    if !tools() {
        return;
    }
    let reg = RealRegistry::start(None);
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    // 32 MiB that do not compress, far more than socket buffers hold.
    let mut big = vec![0u8; 32 << 20];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for chunk in big.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        chunk.copy_from_slice(&x.to_le_bytes()[..chunk.len()]);
    }
    ImageBuilder::new()
        .layer(|l| l.file("big.bin", &big))
        .write_oci_dir(&oci)
        .unwrap();
    reg.push(&oci, "big:1", false);
    let src = Source::parse(&format!("registry:{}/big:1", reg.host())).unwrap();
    let image = Image::open_with_registry(&src, &OpenOptions::default(), &reg_opts()).unwrap();
    let digest = image.layers()[0].digest.clone().unwrap();
    let shared = Arc::new(Mutex::new(Some(reg)));
    let walks = image.walk(&RestarterFactory(shared.clone())).unwrap();
    assert!(
        walks[0].visitor.got == big,
        "the body survived the restart intact"
    );
    let reg = shared.lock().unwrap().take().unwrap();
    let log = reg.log("registry-restarted.log");
    // The access log line: `"GET /v2/big/blobs/DIGEST HTTP/1.1" 206 BYTES`.
    let line = log
        .lines()
        .find(|l| l.contains(&format!("\"GET /v2/big/blobs/{digest} HTTP/1.1\"")))
        .unwrap_or_else(|| panic!("the restarted registry served no blob:\n{log}"));
    let mut after = line.split("HTTP/1.1\" ").nth(1).unwrap().split(' ');
    assert_eq!(after.next(), Some("206"), "a Range request: {line}");
    let rest: u64 = after.next().unwrap().parse().unwrap();
    assert!(
        rest > 0 && rest < big.len() as u64,
        "only the rest was sent: {line}"
    );
}

/// Lays out an OCI directory as a registry's static read API under `root`:
/// `v2/REPO/manifests/{TAG,DIGEST}` and `v2/REPO/blobs/DIGEST`.
fn serve_layout(oci: &Path, root: &Path, repo: &str, tag: &str) {
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
    let top = index["manifests"][0]["digest"].as_str().unwrap();
    std::fs::copy(
        base.join("manifests").join(top),
        base.join("manifests").join(tag),
    )
    .unwrap();
}

#[test]
fn retry_after_429_and_a_cut_connection_are_survived() {
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    let root = tmp.path().join("www");
    let body = "y".repeat(200_000);
    ImageBuilder::new()
        .layer(|l| l.file("one", "1"))
        .layer(|l| l.file("two", &body))
        .write_oci_dir(&oci)
        .unwrap();
    serve_layout(&oci, &root, "app", "1");
    let server = TestServer::serve_dir(&root).unwrap();
    let local = Image::open(&Source::OciDir(oci.clone()), &OpenOptions::default()).unwrap();
    let d0 = local.layers()[0].digest.clone().unwrap();
    let d1 = local.layers()[1].digest.clone().unwrap();
    let p0 = format!("/v2/app/blobs/{d0}");
    let p1 = format!("/v2/app/blobs/{d1}");
    server.push_fault(
        &p0,
        Fault::Status {
            code: 429,
            retry_after: Some("1".into()),
        },
    );
    server.push_fault(&p1, Fault::Drop { after: 100 });
    server.push_fault(&p1, Fault::Drop { after: 300 });

    let host = server.base_url().trim_start_matches("http://").to_owned();
    let src = Source::parse(&format!("registry:{host}/app:1")).unwrap();
    let start = Instant::now();
    let remote = Image::open_with_registry(&src, &OpenOptions::default(), &reg_opts()).unwrap();
    let (rl, rw) = walk_all(&remote);
    let (ll, lw) = walk_all(&local);
    assert_eq!(rl, ll);
    assert_eq!(rw, lw);
    assert!(
        start.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    let reqs = server.requests();
    let gets = |p: &str| reqs.iter().filter(|r| r.path == p).collect::<Vec<_>>();
    assert_eq!(gets(&p0).len(), 2, "429 then success");
    let g1 = gets(&p1);
    assert_eq!(g1.len(), 3, "cut twice, resumed twice");
    assert_eq!(g1[0].header("range"), None);
    assert_eq!(g1[1].header("range"), Some("bytes=100-"));
    assert_eq!(g1[2].header("range"), Some("bytes=300-"));
}

#[test]
fn a_layer_that_never_downloads_names_the_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    let root = tmp.path().join("www");
    ImageBuilder::new()
        .layer(|l| l.file("one", "1"))
        .layer(|l| l.file("two", "2".repeat(10_000)))
        .write_oci_dir(&oci)
        .unwrap();
    serve_layout(&oci, &root, "app", "1");
    let server = TestServer::serve_dir(&root).unwrap();
    let host = server.base_url().trim_start_matches("http://").to_owned();
    let src = Source::parse(&format!("registry:{host}/app:1")).unwrap();
    let image = Image::open_with_registry(&src, &OpenOptions::default(), &reg_opts()).unwrap();
    let d1 = image.layers()[1].digest.clone().unwrap();
    server.set_persistent_fault(
        &format!("/v2/app/blobs/{d1}"),
        Some(Fault::Drop { after: 50 }),
    );
    let e = image.walk(&CollectFactory(all)).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, ImageError::LayerDownload { .. }), "{e:?}");
    assert!(
        msg.contains(&format!("layer 1 ({d1})")) && msg.contains("connection broke"),
        "{msg}"
    );
}

#[test]
fn nested_indexes_in_a_registry_are_followed_to_the_platform() {
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    let root = tmp.path().join("www");
    let amd = ImageBuilder::new().layer(|l| l.file("arch", "amd64"));
    let arm = ImageBuilder::new()
        .platform("linux", "arm64", None)
        .layer(|l| l.file("arch", "arm64"));
    ImageBuilder::write_oci_multi_platform_dir(&[&amd, &arm], true, &oci).unwrap();
    serve_layout(&oci, &root, "multi", "inner");
    // The tag names the outer index, which names the inner index by digest.
    std::fs::copy(
        oci.join("index.json"),
        root.join("v2/multi/manifests/latest"),
    )
    .unwrap();
    let server = TestServer::serve_dir(&root).unwrap();
    let host = server.base_url().trim_start_matches("http://").to_owned();
    let src = Source::parse(&format!("registry:{host}/multi")).unwrap();
    let opts = OpenOptions {
        platform: Some("linux/arm64".into()),
        ..OpenOptions::default()
    };
    let image = Image::open_with_registry(&src, &opts, &reg_opts()).unwrap();
    let walks = image.walk(&CollectFactory(all)).unwrap();
    assert_eq!(walks[0].visitor.bodies["arch"], b"arm64");
    let inner_hex = {
        let top: serde_json::Value =
            serde_json::from_slice(&std::fs::read(oci.join("index.json")).unwrap()).unwrap();
        top["manifests"][0]["digest"].as_str().unwrap().to_owned()
    };
    assert!(
        server
            .requests()
            .iter()
            .any(|r| r.path == format!("/v2/multi/manifests/{inner_hex}")),
        "the inner index was fetched by digest from the manifests endpoint"
    );
}

#[test]
fn an_index_of_many_undescribed_manifests_is_refused_before_fetching_them() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("www");
    let dir = root.join("v2/many/manifests");
    std::fs::create_dir_all(&dir).unwrap();
    let n = bosun_image::MAX_UNDESCRIBED + 1;
    let manifests: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": format!("sha256:{:064x}", i),
                "size": 100,
            })
        })
        .collect();
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": manifests,
    });
    std::fs::write(dir.join("latest"), serde_json::to_vec(&index).unwrap()).unwrap();
    let server = TestServer::serve_dir(&root).unwrap();
    let host = server.base_url().trim_start_matches("http://").to_owned();
    let src = Source::parse(&format!("registry:{host}/many")).unwrap();
    let e = Image::open_with_registry(&src, &OpenOptions::default(), &reg_opts()).unwrap_err();
    assert!(matches!(e, ImageError::Malformed { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains(&format!("{n} manifests without a platform")),
        "{e}"
    );
    assert_eq!(server.requests().len(), 1, "only the index was fetched");
}

#[test]
fn missing_tag_and_unknown_registry_errors_are_clear() {
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    let root = tmp.path().join("www");
    ImageBuilder::new()
        .layer(|l| l.file("one", "1"))
        .write_oci_dir(&oci)
        .unwrap();
    serve_layout(&oci, &root, "app", "1");
    let server = TestServer::serve_dir(&root).unwrap();
    let host = server.base_url().trim_start_matches("http://").to_owned();
    let src = Source::parse(&format!("registry:{host}/app:2")).unwrap();
    let e = Image::open_with_registry(&src, &OpenOptions::default(), &reg_opts()).unwrap_err();
    let msg = e.to_string();
    assert!(
        matches!(&e, ImageError::Registry(r) if matches!(**r, RegistryError::NotFound { .. })),
        "{e:?}"
    );
    assert!(
        msg.contains("manifest 2") && msg.contains(&host) && msg.contains("app:2"),
        "{msg}"
    );
}

#[test]
fn source_parse_prefers_existing_paths_and_spots_typos() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("alpine");
    std::fs::create_dir(&dir).unwrap();
    // An existing directory named like an image is a path.
    let cwd_rel = dir.to_str().unwrap();
    assert_eq!(Source::parse(cwd_rel).unwrap(), Source::Dir(dir.clone()));
    // Bare references that name nothing are registry images, normalized.
    assert_eq!(
        Source::parse("alpine:3.20").unwrap(),
        Source::Registry("docker.io/library/alpine:3.20".into())
    );
    assert_eq!(
        Source::parse("registry:ghcr.io/org/app").unwrap(),
        Source::Registry("ghcr.io/org/app:latest".into())
    );
    // Missing files that are clearly paths stay file errors.
    for p in ["./missing.tar", "missing.tar", "/nope/x", "image.tar.gz"] {
        assert!(
            matches!(Source::parse(p), Err(ImageError::Io { .. })),
            "{p}"
        );
    }
    assert!(matches!(
        Source::parse("registry:Bad/Name"),
        Err(ImageError::Registry(_))
    ));
    let s = Source::parse("registry:localhost:5000/x:y").unwrap();
    assert_eq!(s.to_string(), "registry:localhost:5000/x:y");
    assert_eq!(Source::parse(&s.to_string()).unwrap(), s);
}

/// Standard base64 with padding (what `docker login` writes into `auths.*.auth`).
fn base64_encode(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// What a [`bosun_image::WalkObserver`] was told, in order.
#[derive(Default)]
struct Recorder(Mutex<Vec<Event>>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    WalkStarted(usize),
    Skipped(usize),
    Walked(usize),
    Started(String, Option<u64>),
    Bytes(String, u64),
    Finished(String),
}

impl bosun_image::TransferObserver for Recorder {
    fn started(&self, digest: &str, size: Option<u64>) {
        self.0
            .lock()
            .unwrap()
            .push(Event::Started(digest.into(), size));
    }
    fn bytes(&self, digest: &str, n: u64) {
        self.0.lock().unwrap().push(Event::Bytes(digest.into(), n));
    }
    fn finished(&self, digest: &str) {
        self.0.lock().unwrap().push(Event::Finished(digest.into()));
    }
}

impl bosun_image::WalkObserver for Recorder {
    fn walk_started(&self, total: usize) {
        self.0.lock().unwrap().push(Event::WalkStarted(total));
    }
    fn layer_skipped(&self, index: usize, _digest: Option<&str>) {
        self.0.lock().unwrap().push(Event::Skipped(index));
    }
    fn layer_walked(&self, index: usize, _digest: Option<&str>) {
        self.0.lock().unwrap().push(Event::Walked(index));
    }
}

impl Recorder {
    fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap().clone()
    }

    /// For one digest: the `started` sizes, the sum of `bytes`, how many `finished`, and
    /// whether every `bytes` came after `started` and before `finished`.
    fn download(&self, digest: &str) -> (Vec<Option<u64>>, u64, usize, bool) {
        let mut sizes = Vec::new();
        let mut sum = 0;
        let mut finished = 0;
        let mut ordered = true;
        for e in self.events() {
            match e {
                Event::Started(d, s) if d == digest => sizes.push(s),
                Event::Bytes(d, n) if d == digest => {
                    ordered &= sizes.len() == 1 && finished == 0;
                    sum += n;
                }
                Event::Finished(d) if d == digest => finished += 1,
                _ => {}
            }
        }
        (sizes, sum, finished, ordered)
    }
}

#[test]
fn walk_observer_sees_each_layer_download_from_a_real_registry() {
    if !tools() {
        return;
    }
    let reg = RealRegistry::start(None);
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    sample_image().write_oci_dir(&oci).unwrap();
    reg.push(&oci, "team/progress:1", false);
    let src = Source::parse(&format!("{}/team/progress:1", reg.host())).unwrap();
    let mut remote = Image::open_with_registry(&src, &OpenOptions::default(), &reg_opts()).unwrap();
    let recorder = Arc::new(Recorder::default());
    remote.set_observer(recorder.clone());
    assert!(recorder.events().is_empty(), "opening reports nothing");

    // Layer 0 is "cached": skipped, never downloaded.
    let walked = remote
        .walk_selected(&CollectFactory(all), &|m: &LayerMeta| m.index != 0)
        .unwrap();
    let layers = remote.layers().to_vec();
    assert!(layers.len() >= 2);
    assert_eq!(
        walked.iter().filter(|w| w.is_some()).count(),
        layers.len() - 1
    );
    let events = recorder.events();
    assert_eq!(events.first(), Some(&Event::WalkStarted(layers.len())));
    assert!(events.contains(&Event::Skipped(0)));
    for l in &layers {
        let digest = l.digest.clone().unwrap();
        let blob_size = std::fs::metadata(reg.blob_file(digest.trim_start_matches("sha256:")))
            .unwrap()
            .len();
        let (sizes, sum, finished, ordered) = recorder.download(&digest);
        if l.index == 0 {
            assert_eq!((sizes.len(), sum, finished), (0, 0, 0), "skipped layer");
            assert!(!events.contains(&Event::Walked(0)));
            continue;
        }
        assert_eq!(
            sizes,
            vec![Some(blob_size)],
            "layer {}: started once",
            l.index
        );
        assert_eq!(
            sum, blob_size,
            "layer {}: bytes add up to the blob",
            l.index
        );
        assert_eq!(finished, 1, "layer {}: finished once", l.index);
        assert!(
            ordered,
            "layer {}: bytes between started and finished",
            l.index
        );
        assert!(events.contains(&Event::Walked(l.index)));
    }
}

#[test]
fn walk_observer_counts_resumed_downloads_once() {
    let tmp = tempfile::tempdir().unwrap();
    let oci = tmp.path().join("oci");
    let root = tmp.path().join("www");
    let body = "z".repeat(200_000);
    ImageBuilder::new()
        .layer(|l| l.file("big", &body).compression(Compression::Plain))
        .write_oci_dir(&oci)
        .unwrap();
    serve_layout(&oci, &root, "app", "1");
    let server = TestServer::serve_dir(&root).unwrap();
    let local = Image::open(&Source::OciDir(oci.clone()), &OpenOptions::default()).unwrap();
    let digest = local.layers()[0].digest.clone().unwrap();
    let size = local.layers()[0].size.unwrap();
    let path = format!("/v2/app/blobs/{digest}");
    server.push_fault(&path, Fault::Drop { after: 1000 });
    server.push_fault(&path, Fault::Drop { after: 50_000 });

    let host = server.base_url().trim_start_matches("http://").to_owned();
    let src = Source::parse(&format!("registry:{host}/app:1")).unwrap();
    let mut remote = Image::open_with_registry(&src, &OpenOptions::default(), &reg_opts()).unwrap();
    let recorder = Arc::new(Recorder::default());
    remote.set_observer(recorder.clone());
    remote.walk(&CollectFactory(all)).unwrap();
    let resumed = server.requests().iter().filter(|r| r.path == path).count();
    assert_eq!(resumed, 3, "cut twice, resumed twice");
    let (sizes, sum, finished, ordered) = recorder.download(&digest);
    assert_eq!(sizes, vec![Some(size)]);
    assert_eq!(sum, size, "each byte counted once across resumes");
    assert_eq!(finished, 1);
    assert!(ordered);
    assert_eq!(
        recorder.events().last(),
        Some(&Event::Walked(0)),
        "the walk ends after the download"
    );
}
