//! A real OCI registry for tests: the Debian `docker-registry` (distribution 2.x) started on
//! 127.0.0.1 with a random port and temporary storage, optionally behind htpasswd basic auth
//! or TLS, and images pushed to it with `skopeo`.
//!
//! Missing tools skip the calling test ([`tools`] returns false, with a notice) or fail it
//! when `BOSUN_REQUIRE_TOOLS=1` (crates/bosun-registry/ci-deps.sh installs them).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)] // test support

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether `BOSUN_REQUIRE_TOOLS=1` (CI): missing tools fail the test instead of skipping it.
pub fn require_tools() -> bool {
    std::env::var("BOSUN_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
}

/// Whether `tool arg` runs successfully.
pub fn has(tool: &str, arg: &str) -> bool {
    Command::new(tool)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether the registry and skopeo are here; skips (false) or fails when they are not.
pub fn tools() -> bool {
    let ok = has("docker-registry", "--version") && has("skopeo", "--version");
    if !ok {
        assert!(
            !require_tools(),
            "BOSUN_REQUIRE_TOOLS=1 but docker-registry or skopeo is missing (run crates/bosun-registry/ci-deps.sh)"
        );
        println!(
            "skipped: docker-registry or skopeo not installed (crates/bosun-registry/ci-deps.sh installs them)"
        );
    }
    ok
}

/// Whether htpasswd (apache2-utils) is here; skips (false) or fails when it is not.
pub fn has_htpasswd() -> bool {
    let ok = Command::new("htpasswd")
        .args(["-nbB", "u", "p"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            !require_tools(),
            "BOSUN_REQUIRE_TOOLS=1 but htpasswd is missing (run crates/bosun-registry/ci-deps.sh)"
        );
        println!("skipped: htpasswd not installed (crates/bosun-registry/ci-deps.sh installs it)");
    }
    ok
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A real registry on 127.0.0.1.
pub struct RealRegistry {
    child: Child,
    /// The port it listens on.
    pub port: u16,
    /// Its configuration, storage and logs.
    pub dir: tempfile::TempDir,
    creds: Option<(String, String)>,
}

impl RealRegistry {
    /// Starts a registry; with `creds`, behind htpasswd basic auth (bcrypt).
    pub fn start(creds: Option<(&str, &str)>) -> RealRegistry {
        Self::start_in(tempfile::tempdir().unwrap(), creds, None)
    }

    /// Starts a registry in `dir`; with `tls` (certificate, key), serving https.
    pub fn start_in(
        dir: tempfile::TempDir,
        creds: Option<(&str, &str)>,
        tls: Option<(&Path, &Path)>,
    ) -> RealRegistry {
        let port = free_port();
        let mut auth = String::new();
        if let Some((u, p)) = creds {
            let out = Command::new("htpasswd")
                .args(["-nbB", u, p])
                .output()
                .expect("htpasswd (apache2-utils) is needed for the basic-auth test");
            assert!(out.status.success());
            std::fs::write(dir.path().join("htpasswd"), &out.stdout).unwrap();
            auth = format!(
                "auth:\n  htpasswd:\n    realm: bosun-test\n    path: {}\n",
                dir.path().join("htpasswd").display()
            );
        }
        let tls = tls.map_or(String::new(), |(cert, key)| {
            format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                cert.display(),
                key.display()
            )
        });
        let config = format!(
            "version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n{tls}{auth}",
            dir.path().join("storage").display()
        );
        std::fs::write(dir.path().join("config.yml"), config).unwrap();
        let child = Self::spawn(dir.path(), "registry.log");
        let r = RealRegistry {
            child,
            port,
            dir,
            creds: creds.map(|(u, p)| (u.to_owned(), p.to_owned())),
        };
        r.wait_ready();
        r
    }

    fn spawn(dir: &Path, log: &str) -> Child {
        let log = std::fs::File::create(dir.join(log)).unwrap();
        Command::new("docker-registry")
            .arg("serve")
            .arg(dir.join("config.yml"))
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap()
    }

    fn wait_ready(&self) {
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "registry did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the registry and starts it again on the same port and storage.
    pub fn restart(&mut self, log: &str) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.child = Self::spawn(self.dir.path(), log);
        self.wait_ready();
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Pushes an OCI layout directory as `repo:tag` (`all`: the whole index).
    pub fn push(&self, oci: &Path, repo_tag: &str, all: bool) {
        self.push_from(&format!("oci:{}", oci.display()), repo_tag, all);
    }

    /// Pushes any skopeo source (`oci:DIR`, `docker-archive:PATH`) as `repo:tag`.
    pub fn push_from(&self, from: &str, repo_tag: &str, all: bool) {
        let mut cmd = Command::new("skopeo");
        cmd.args(["copy", "--quiet", "--dest-tls-verify=false"]);
        if all {
            cmd.arg("--all");
        }
        if let Some((u, p)) = &self.creds {
            cmd.arg(format!("--dest-creds={u}:{p}"));
        }
        cmd.arg(from);
        cmd.arg(format!("docker://{}/{repo_tag}", self.host()));
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "skopeo failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Where the registry stores a blob.
    pub fn blob_file(&self, hex: &str) -> PathBuf {
        self.dir
            .path()
            .join("storage/docker/registry/v2/blobs/sha256")
            .join(hex.get(..2).unwrap())
            .join(hex)
            .join("data")
    }

    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default()
    }
}

impl Drop for RealRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
