//! Credentials and challenges: `WWW-Authenticate` parsing, `~/.docker/config.json` (`auths`,
//! `credHelpers`, `credsStore`), credential helpers, and basic auth headers.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::RegistryError;

/// Largest Docker config or helper answer read.
const MAX_CONFIG: u64 = 4 << 20;
/// Longest `WWW-Authenticate` value parsed.
const MAX_CHALLENGE: usize = 8 << 10;
/// Most parameters of one challenge.
const MAX_PARAMS: usize = 32;

/// A username and password (or token used as a password).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The username.
    pub username: String,
    /// The password; never printed by `Debug`.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Credentials {
    /// The value of an `Authorization: Basic ...` header.
    #[must_use]
    pub fn basic_header(&self) -> String {
        format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", self.username, self.password))
        )
    }
}

/// Where to look for stored credentials when none are given explicitly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum DockerConfig {
    /// `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json` (a missing file means
    /// anonymous).
    #[default]
    Default,
    /// This file.
    Path(PathBuf),
    /// Never read stored credentials.
    Ignore,
}

impl DockerConfig {
    /// The file to read, if any.
    #[must_use]
    pub fn path(&self) -> Option<PathBuf> {
        match self {
            DockerConfig::Default => std::env::var_os("DOCKER_CONFIG")
                .map(|d| PathBuf::from(d).join("config.json"))
                .or_else(|| {
                    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker/config.json"))
                }),
            DockerConfig::Path(p) => Some(p.clone()),
            DockerConfig::Ignore => None,
        }
    }
}

/// One authentication challenge from `WWW-Authenticate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// `bearer` or `basic` (lower case).
    pub scheme: String,
    /// Parameters, names in lower case.
    pub params: BTreeMap<String, String>,
}

/// Parses the first challenge of a `WWW-Authenticate` value (`Bearer realm="...",service=...`).
/// `None` when it is empty or malformed.
#[must_use]
pub fn parse_challenge(value: &str) -> Option<Challenge> {
    if value.len() > MAX_CHALLENGE {
        return None;
    }
    let v = value.trim_start();
    let scheme_end = v.find(|c: char| c.is_ascii_whitespace()).unwrap_or(v.len());
    let scheme = v.get(..scheme_end)?.to_ascii_lowercase();
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return None;
    }
    let mut rest = v.get(scheme_end..)?.as_bytes();
    let mut params = BTreeMap::new();
    loop {
        // Skip separators.
        while let Some((&c, r)) = rest.split_first() {
            if c == b',' || c.is_ascii_whitespace() {
                rest = r;
            } else {
                break;
            }
        }
        if rest.is_empty() || params.len() >= MAX_PARAMS {
            break;
        }
        let eq = rest.iter().position(|&c| c == b'=')?;
        let key = std::str::from_utf8(rest.get(..eq)?).ok()?.trim();
        if key.is_empty() || key.contains(|c: char| c.is_ascii_whitespace() || c == ',') {
            // Another challenge starts here (`Basic realm=...` after a comma): stop.
            break;
        }
        rest = rest.get(eq + 1..)?;
        let mut val = Vec::new();
        if rest.first() == Some(&b'"') {
            rest = rest.get(1..)?;
            let mut closed = false;
            while let Some((&c, r)) = rest.split_first() {
                rest = r;
                match c {
                    b'\\' => {
                        let (&n, r2) = rest.split_first()?;
                        val.push(n);
                        rest = r2;
                    }
                    b'"' => {
                        closed = true;
                        break;
                    }
                    _ => val.push(c),
                }
            }
            if !closed {
                return None;
            }
        } else {
            let end = rest.iter().position(|&c| c == b',').unwrap_or(rest.len());
            val.extend_from_slice(rest.get(..end)?.trim_ascii());
            rest = rest.get(end..)?;
        }
        params.insert(
            key.to_ascii_lowercase(),
            String::from_utf8_lossy(&val).into_owned(),
        );
    }
    Some(Challenge { scheme, params })
}

#[derive(serde::Deserialize, Default)]
struct ConfigFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: BTreeMap<String, String>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
}

#[derive(serde::Deserialize, Default)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// `host[:port]` of a config key (`https://index.docker.io/v1/`, `ghcr.io`, `http://h:5000/`).
fn key_host(key: &str) -> String {
    let k = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let k = k.split('/').next().unwrap_or(k);
    canonical_registry(k).to_owned()
}

/// Docker Hub has several names; they all mean `docker.io`.
fn canonical_registry(host: &str) -> &str {
    match host {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => "docker.io",
        h => h,
    }
}

/// The server URL a credential helper knows a registry by.
fn helper_server(registry: &str) -> String {
    if registry == "docker.io" {
        "https://index.docker.io/v1/".to_owned()
    } else {
        registry.to_owned()
    }
}

/// Finds stored credentials for `registry` (normalized, e.g. `docker.io`, `localhost:5000`):
/// `credHelpers[registry]`, else `credsStore`, else `auths[registry]`. A missing file or an
/// entry the helper does not know means anonymous (`Ok(None)`).
///
/// # Errors
/// [`RegistryError::Credentials`] when the file is unreadable or malformed, or a helper fails
/// in another way than "not found".
pub fn stored_credentials(
    config: &DockerConfig,
    registry: &str,
) -> Result<Option<Credentials>, RegistryError> {
    let Some(path) = config.path() else {
        return Ok(None);
    };
    let err = |message: String| RegistryError::Credentials {
        registry: registry.to_owned(),
        message,
    };
    let mut raw = Vec::new();
    match std::fs::File::open(&path) {
        Ok(f) => {
            f.take(MAX_CONFIG)
                .read_to_end(&mut raw)
                .map_err(|e| err(format!("reading {}: {e}", path.display())))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(err(format!("reading {}: {e}", path.display()))),
    }
    credentials_from_config(&raw, registry, &path, &|helper, server| {
        run_helper(helper, server)
    })
}

/// What a credential helper answered.
pub(crate) type HelperAnswer = Result<Option<Credentials>, String>;

/// The lookup behind [`stored_credentials`], with the helper runner injectable for tests.
pub(crate) fn credentials_from_config(
    raw: &[u8],
    registry: &str,
    path: &Path,
    helper: &dyn Fn(&str, &str) -> HelperAnswer,
) -> Result<Option<Credentials>, RegistryError> {
    let registry = canonical_registry(registry);
    let err = |message: String| RegistryError::Credentials {
        registry: registry.to_owned(),
        message,
    };
    let cfg: ConfigFile = serde_json::from_slice(raw).map_err(|e| {
        err(format!(
            "{} is not a valid Docker config: {e}",
            path.display()
        ))
    })?;
    let helper_name = cfg
        .cred_helpers
        .iter()
        .find(|(k, _)| key_host(k) == registry)
        .map(|(_, v)| v.clone())
        .or(cfg.creds_store.clone())
        .filter(|h| !h.is_empty());
    if let Some(h) = helper_name {
        let got = helper(&h, &helper_server(registry))
            .map_err(|m| err(format!("docker-credential-{h}: {m}")))?;
        if got.is_some() {
            return Ok(got);
        }
    }
    let Some(entry) = cfg
        .auths
        .iter()
        .find(|(k, _)| key_host(k) == registry)
        .map(|(_, v)| v)
    else {
        return Ok(None);
    };
    if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
        let decoded = STANDARD
            .decode(auth.trim())
            .map_err(|e| err(format!("bad base64 in auths.{registry}.auth: {e}")))?;
        let s = String::from_utf8(decoded)
            .map_err(|_| err(format!("auths.{registry}.auth is not UTF-8")))?;
        let (u, p) = s
            .split_once(':')
            .ok_or_else(|| err(format!("auths.{registry}.auth is not user:password")))?;
        return Ok(Some(Credentials {
            username: u.to_owned(),
            password: p.to_owned(),
        }));
    }
    match (&entry.username, &entry.password) {
        (Some(u), Some(p)) if !u.is_empty() => Ok(Some(Credentials {
            username: u.clone(),
            password: p.clone(),
        })),
        _ => Ok(None),
    }
}

#[derive(serde::Deserialize)]
struct HelperOutput {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

/// Parses a credential helper's `get` answer.
pub(crate) fn parse_helper_output(out: &[u8]) -> HelperAnswer {
    let h: HelperOutput =
        serde_json::from_slice(out).map_err(|e| format!("unreadable answer: {e}"))?;
    if h.secret.is_empty() {
        return Ok(None);
    }
    Ok(Some(Credentials {
        username: h.username,
        password: h.secret,
    }))
}

/// Runs `docker-credential-NAME get` with the server URL on stdin.
fn run_helper(name: &str, server: &str) -> HelperAnswer {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(format!("bad helper name {name:?}"));
    }
    let prog = format!("docker-credential-{name}");
    let mut child = Command::new(&prog)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {prog}: {e}; install it or fix credHelpers/credsStore"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(server.as_bytes())
            .map_err(|e| format!("writing to {prog}: {e}"))?;
    }
    let mut out = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        stdout
            .take(MAX_CONFIG)
            .read_to_end(&mut out)
            .map_err(|e| format!("reading from {prog}: {e}"))?;
    }
    let status = child
        .wait()
        .map_err(|e| format!("waiting for {prog}: {e}"))?;
    if !status.success() {
        let text = String::from_utf8_lossy(&out);
        if text.to_ascii_lowercase().contains("credentials not found") {
            return Ok(None);
        }
        return Err(format!("{prog} get failed ({status}): {}", text.trim()));
    }
    parse_helper_output(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bearer_challenge() {
        let c = parse_challenge(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull""#,
        )
        .unwrap();
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.params["realm"], "https://auth.docker.io/token");
        assert_eq!(c.params["service"], "registry.docker.io");
        assert_eq!(c.params["scope"], "repository:library/alpine:pull");
    }

    #[test]
    fn parses_basic_challenge_and_escapes() {
        let c = parse_challenge(r#"Basic realm="Registry \"Realm\"""#).unwrap();
        assert_eq!(c.scheme, "basic");
        assert_eq!(c.params["realm"], "Registry \"Realm\"");
        let c = parse_challenge("Bearer realm=http://x/token, service=x").unwrap();
        assert_eq!(c.params["realm"], "http://x/token");
        assert_eq!(c.params["service"], "x");
    }

    #[test]
    fn rejects_malformed_challenges() {
        assert!(parse_challenge("").is_none());
        assert!(parse_challenge(r#"Bearer realm="unterminated"#).is_none());
    }

    #[test]
    fn credentials_debug_hides_password() {
        let c = Credentials {
            username: "u".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(
            c.basic_header(),
            format!("Basic {}", STANDARD.encode("u:hunter2"))
        );
    }

    fn no_helper(_: &str, _: &str) -> HelperAnswer {
        Err("no helper expected".into())
    }

    #[test]
    fn reads_auths_entries() {
        let auth = STANDARD.encode("alice:s3cret");
        let raw = format!(
            r#"{{"auths":{{"https://index.docker.io/v1/":{{"auth":"{auth}"}},"localhost:5000":{{"username":"bob","password":"pw"}}}}}}"#
        );
        let p = Path::new("config.json");
        let hub = credentials_from_config(raw.as_bytes(), "docker.io", p, &no_helper)
            .unwrap()
            .unwrap();
        assert_eq!(
            (hub.username.as_str(), hub.password.as_str()),
            ("alice", "s3cret")
        );
        let local = credentials_from_config(raw.as_bytes(), "localhost:5000", p, &no_helper)
            .unwrap()
            .unwrap();
        assert_eq!(
            (local.username.as_str(), local.password.as_str()),
            ("bob", "pw")
        );
        assert!(
            credentials_from_config(raw.as_bytes(), "ghcr.io", p, &no_helper)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn helpers_take_precedence() {
        let raw = br#"{"auths":{"ghcr.io":{"auth":"eDp5"}},"credHelpers":{"ghcr.io":"gh"},"credsStore":"desktop"}"#;
        let p = Path::new("config.json");
        let calls = std::cell::RefCell::new(Vec::new());
        let helper = |name: &str, server: &str| -> HelperAnswer {
            calls
                .borrow_mut()
                .push((name.to_owned(), server.to_owned()));
            Ok(Some(Credentials {
                username: format!("{name}-user"),
                password: "tok".into(),
            }))
        };
        let c = credentials_from_config(raw, "ghcr.io", p, &helper)
            .unwrap()
            .unwrap();
        assert_eq!(c.username, "gh-user");
        let c = credentials_from_config(raw, "docker.io", p, &helper)
            .unwrap()
            .unwrap();
        assert_eq!(c.username, "desktop-user");
        assert_eq!(
            calls.borrow().as_slice(),
            &[
                ("gh".to_owned(), "ghcr.io".to_owned()),
                (
                    "desktop".to_owned(),
                    "https://index.docker.io/v1/".to_owned()
                )
            ]
        );
    }

    #[test]
    fn helper_output_parsed() {
        let c = parse_helper_output(br#"{"ServerURL":"x","Username":"u","Secret":"s"}"#)
            .unwrap()
            .unwrap();
        assert_eq!((c.username.as_str(), c.password.as_str()), ("u", "s"));
        assert!(
            parse_helper_output(br#"{"Username":"u","Secret":""}"#)
                .unwrap()
                .is_none()
        );
        assert!(parse_helper_output(b"nope").is_err());
    }
}
