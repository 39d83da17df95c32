//! The registry client: manifests and blobs over the OCI distribution API, with auth.

use std::collections::HashMap;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bosun_http::{Client, ClientOptions, HttpError, Response, RetryPolicy};
use sha2::{Digest, Sha256};

use crate::auth::{Credentials, DockerConfig, parse_challenge, stored_credentials};
use crate::reference::check_digest;
use crate::{Reference, RegistryError};

/// OCI image index.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// OCI image manifest.
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// Docker manifest list.
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// Docker image manifest, schema 2.
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
/// Every manifest type asked for, in order of preference.
pub const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

/// Largest token response read.
const MAX_TOKEN: u64 = 1 << 20;
/// Largest error body read from the registry.
const MAX_ERROR_BODY: u64 = 64 << 10;

/// Whether a media type is an index (OCI index or Docker manifest list).
#[must_use]
pub fn is_index(media_type: &str) -> bool {
    media_type == OCI_INDEX || media_type == DOCKER_LIST
}

/// Which scheme to speak to the registry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scheme {
    /// Plain `http` for loopback registries (and every registry with
    /// [`RegistryOptions::insecure`]), `https` otherwise.
    #[default]
    Auto,
    /// Always `https` (a loopback registry serving TLS).
    Https,
    /// Always plain `http` (refused for non-loopback registries unless `insecure`).
    Http,
}

/// How to reach and authenticate to a registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryOptions {
    /// Explicit credentials; they take precedence over the Docker config.
    pub credentials: Option<Credentials>,
    /// Where stored credentials are looked up when none are explicit.
    pub docker_config: DockerConfig,
    /// Allow plain `http://` to any registry (loopback registries always may), and use it
    /// under [`Scheme::Auto`].
    pub insecure: bool,
    /// Which scheme to use.
    pub scheme: Scheme,
    /// A PEM file of extra CA certificates.
    pub ca_file: Option<PathBuf>,
    /// Retries of each request (429 and 5xx honour `Retry-After`).
    pub retry: RetryPolicy,
    /// Idle timeout of each read.
    pub read_timeout: Duration,
    /// How many times one blob download may be resumed after the connection breaks.
    pub max_resumes: u32,
}

impl Default for RegistryOptions {
    fn default() -> Self {
        RegistryOptions {
            credentials: None,
            docker_config: DockerConfig::Default,
            insecure: false,
            scheme: Scheme::Auto,
            ca_file: None,
            retry: RetryPolicy::default(),
            read_timeout: Duration::from_secs(60),
            max_resumes: 5,
        }
    }
}

/// A manifest or index as the registry sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The bytes, verified against the digest.
    pub bytes: Vec<u8>,
    /// The media type (from `Content-Type`, else the document's `mediaType`).
    pub media_type: String,
    /// `sha256:...` of the bytes.
    pub digest: String,
}

#[derive(Default)]
struct AuthState {
    /// `Authorization` values by scope (`repository:x:pull`); basic auth uses the scope `""`.
    headers: HashMap<String, String>,
    /// Use basic auth for every request (the registry asked for it).
    basic: bool,
}

impl std::fmt::Debug for AuthState {
    /// Scopes only: tokens never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthState")
            .field("token_scopes", &self.headers.keys().collect::<Vec<_>>())
            .field("basic", &self.basic)
            .finish()
    }
}

#[derive(Debug)]
struct Inner {
    http: Client,
    reference: Reference,
    base: String,
    credentials: Option<Credentials>,
    auth: Mutex<AuthState>,
    max_resumes: u32,
}

/// A client for one repository of one registry. Cheap to clone and shareable across threads.
#[derive(Debug, Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

/// `: CODE message` from an OCI error body, or empty.
fn error_detail(resp: Response) -> String {
    let Ok(body) = resp.read_to_vec(MAX_ERROR_BODY) else {
        return String::new();
    };
    #[derive(serde::Deserialize)]
    struct Errs {
        errors: Vec<Err1>,
    }
    #[derive(serde::Deserialize)]
    struct Err1 {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    match serde_json::from_slice::<Errs>(&body) {
        Ok(e) => e
            .errors
            .first()
            .map(|e| {
                let s = format!(": {} {}", e.code, e.message);
                s.chars().take(300).collect()
            })
            .unwrap_or_default(),
        Err(_) => String::new(),
    }
}

fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// The media type of a manifest whose `Content-Type` says nothing useful: its `mediaType`,
/// else guessed from its shape.
fn sniff_media_type(bytes: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Shape {
        #[serde(rename = "mediaType")]
        media_type: Option<String>,
        manifests: Option<serde_json::Value>,
        layers: Option<serde_json::Value>,
    }
    let s: Shape = serde_json::from_slice(bytes).ok()?;
    s.media_type.or_else(|| {
        if s.manifests.is_some() {
            Some(OCI_INDEX.to_owned())
        } else if s.layers.is_some() {
            Some(OCI_MANIFEST.to_owned())
        } else {
            None
        }
    })
}

impl Registry {
    /// A client for `reference`'s repository. Plain `http` is used for loopback registries
    /// and, with `insecure`, for any; `https` otherwise. Credentials: explicit ones, else the
    /// Docker config's (helpers included), else anonymous.
    ///
    /// # Errors
    /// [`RegistryError::Credentials`] for an unreadable Docker config or failing helper,
    /// [`RegistryError::Http`] for an unusable CA file.
    pub fn new(reference: &Reference, opts: &RegistryOptions) -> Result<Registry, RegistryError> {
        let http = Client::new(ClientOptions {
            insecure: opts.insecure,
            ca_file: opts.ca_file.clone(),
            read_timeout: opts.read_timeout,
            retry: opts.retry.clone(),
            ..ClientOptions::default()
        })
        .map_err(|source| RegistryError::Http {
            image: reference.to_string(),
            source,
        })?;
        let host = reference.api_host();
        let scheme = match opts.scheme {
            Scheme::Https => "https",
            Scheme::Http => "http",
            Scheme::Auto if opts.insecure || bosun_http::is_loopback(reference.host_only()) => {
                "http"
            }
            Scheme::Auto => "https",
        };
        let credentials = match &opts.credentials {
            Some(c) => Some(c.clone()),
            None => stored_credentials(&opts.docker_config, reference.registry())?,
        };
        Ok(Registry {
            inner: Arc::new(Inner {
                http,
                reference: reference.clone(),
                base: format!("{scheme}://{host}/v2/{}", reference.repository()),
                credentials,
                auth: Mutex::new(AuthState::default()),
                max_resumes: opts.max_resumes,
            }),
        })
    }

    /// The reference this client was made for.
    #[must_use]
    pub fn reference(&self) -> &Reference {
        &self.inner.reference
    }

    fn image(&self) -> String {
        self.inner.reference.to_string()
    }

    fn registry_name(&self) -> String {
        self.inner.reference.registry().to_owned()
    }

    fn http_err(&self, source: HttpError) -> RegistryError {
        let text = source.to_string();
        if text.contains("invalid peer certificate") || text.contains("TLS failed") {
            let message = match &source {
                HttpError::RetriesExhausted { last, .. } => last.clone(),
                HttpError::Transport { message, .. } => message.clone(),
                _ => text,
            };
            return RegistryError::Tls {
                image: self.image(),
                registry: self.registry_name(),
                message,
            };
        }
        RegistryError::Http {
            image: self.image(),
            source,
        }
    }

    fn scope(&self) -> String {
        format!("repository:{}:pull", self.inner.reference.repository())
    }

    fn current_auth(&self, scope: &str) -> Option<String> {
        let st = self
            .inner
            .auth
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if st.basic {
            return self
                .inner
                .credentials
                .as_ref()
                .map(Credentials::basic_header);
        }
        st.headers.get(scope).cloned()
    }

    /// Fetches a bearer token for `scope` from the challenge's realm.
    fn fetch_token(
        &self,
        params: &std::collections::BTreeMap<String, String>,
        scope: &str,
    ) -> Result<String, RegistryError> {
        let realm = params.get("realm").cloned().unwrap_or_default();
        let terr = |message: String| RegistryError::Token {
            image: self.image(),
            realm: realm.clone(),
            message,
        };
        if realm.is_empty() {
            return Err(terr("the registry's Bearer challenge has no realm".into()));
        }
        let mut url = realm.clone();
        let mut sep = if url.contains('?') { '&' } else { '?' };
        if let Some(service) = params.get("service") {
            url.push(sep);
            url.push_str(&format!("service={}", encode_query(service)));
            sep = '&';
        }
        url.push(sep);
        url.push_str(&format!("scope={}", encode_query(scope)));
        let basic = self
            .inner
            .credentials
            .as_ref()
            .map(Credentials::basic_header);
        let mut headers = vec![("Accept", "application/json")];
        if let Some(b) = &basic {
            headers.push(("Authorization", b.as_str()));
        }
        let resp = self
            .inner
            .http
            .get(&url, &headers)
            .map_err(|e| terr(e.to_string()))?;
        match resp.status() {
            200..=299 => {}
            401 | 403 => {
                return Err(RegistryError::Unauthorized {
                    image: self.image(),
                    registry: self.registry_name(),
                    had_credentials: basic.is_some(),
                });
            }
            s => return Err(terr(format!("HTTP {s}"))),
        }
        let body = resp
            .read_to_vec(MAX_TOKEN)
            .map_err(|e| terr(e.to_string()))?;
        #[derive(serde::Deserialize)]
        struct Tok {
            token: Option<String>,
            access_token: Option<String>,
        }
        let t: Tok = serde_json::from_slice(&body).map_err(|e| terr(format!("bad JSON: {e}")))?;
        t.token
            .or(t.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| terr("the answer holds no token".into()))
    }

    /// Sends a request with auth; on a 401 answers the challenge once and retries.
    fn send(
        &self,
        method: &str,
        url: &str,
        extra: &[(&str, &str)],
    ) -> Result<Response, RegistryError> {
        let scope = self.scope();
        let mut answered = false;
        loop {
            let auth = self.current_auth(&scope);
            let mut headers: Vec<(&str, &str)> = extra.to_vec();
            if let Some(a) = &auth {
                headers.push(("Authorization", a.as_str()));
            }
            let resp = if method == "HEAD" {
                self.inner.http.head(url, &headers)
            } else {
                self.inner.http.get(url, &headers)
            }
            .map_err(|e| self.http_err(e))?;
            if resp.status() != 401 {
                return Ok(resp);
            }
            let unauthorized = || RegistryError::Unauthorized {
                image: self.image(),
                registry: self.registry_name(),
                had_credentials: self.inner.credentials.is_some(),
            };
            if answered {
                return Err(unauthorized());
            }
            answered = true;
            let challenge = resp
                .header("www-authenticate")
                .and_then(parse_challenge)
                .ok_or_else(unauthorized)?;
            match challenge.scheme.as_str() {
                "bearer" => {
                    let token = self.fetch_token(&challenge.params, &scope)?;
                    let mut st = self
                        .inner
                        .auth
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    st.headers.insert(scope.clone(), format!("Bearer {token}"));
                }
                "basic" => {
                    if self.inner.credentials.is_none() {
                        return Err(unauthorized());
                    }
                    self.inner
                        .auth
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .basic = true;
                }
                _ => return Err(unauthorized()),
            }
        }
    }

    /// Maps a non-success status to the typed error.
    fn status_error(&self, resp: Response, what: &str) -> RegistryError {
        let status = resp.status();
        match status {
            401 => RegistryError::Unauthorized {
                image: self.image(),
                registry: self.registry_name(),
                had_credentials: self.inner.credentials.is_some(),
            },
            403 => RegistryError::Denied {
                image: self.image(),
                registry: self.registry_name(),
                detail: error_detail(resp),
            },
            404 => RegistryError::NotFound {
                image: self.image(),
                registry: self.registry_name(),
                what: what.to_owned(),
                detail: error_detail(resp),
            },
            _ => {
                let url = resp.url().to_owned();
                self.http_err(HttpError::Status { url, status })
            }
        }
    }

    /// GETs a manifest or index by tag or digest, reading at most `max_bytes`. The bytes are
    /// verified against the digest asked for (or the `Docker-Content-Digest` the registry
    /// sent).
    ///
    /// # Errors
    /// Auth, not-found and HTTP errors; [`RegistryError::BadManifest`] for a digest mismatch,
    /// an oversized body or an unknown type.
    pub fn get_manifest(&self, target: &str, max_bytes: u64) -> Result<Manifest, RegistryError> {
        let url = format!("{}/manifests/{target}", self.inner.base);
        let resp = self.send("GET", &url, &[("Accept", ACCEPT)])?;
        if !(200..=299).contains(&resp.status()) {
            return Err(self.status_error(resp, &format!("manifest {target}")));
        }
        let bad = |message: String| RegistryError::BadManifest {
            image: self.image(),
            registry: self.registry_name(),
            message,
        };
        let content_type = resp
            .header("content-type")
            .map(|c| c.split(';').next().unwrap_or(c).trim().to_owned());
        let header_digest = resp.header("docker-content-digest").map(str::to_owned);
        let bytes = resp.read_to_vec(max_bytes).map_err(|e| match e {
            HttpError::TooLarge { .. } => bad(format!("larger than {max_bytes} bytes")),
            e => self.http_err(e),
        })?;
        let digest = sha256_digest(&bytes);
        if check_digest(target).is_ok() && !target.starts_with("sha256:") {
            return Err(bad(format!(
                "only sha256 digests are supported, not {target}"
            )));
        }
        let expected = if check_digest(target).is_ok() {
            Some(target.to_owned())
        } else {
            header_digest.filter(|d| d.starts_with("sha256:"))
        };
        if let Some(want) = expected
            && want != digest
        {
            return Err(bad(format!(
                "manifest {target} does not match its digest: expected {want}, got {digest}"
            )));
        }
        let media_type = match content_type {
            Some(ct) if ct.starts_with("application/vnd.") => ct,
            _ => sniff_media_type(&bytes)
                .ok_or_else(|| bad(format!("manifest {target} has no recognizable media type")))?,
        };
        if media_type == "application/vnd.docker.distribution.manifest.v1+json"
            || media_type == "application/vnd.docker.distribution.manifest.v1+prettyjws"
        {
            return Err(bad(
                "Docker schema 1 manifests are not supported; push the image again with a current client".into(),
            ));
        }
        Ok(Manifest {
            bytes,
            media_type,
            digest,
        })
    }

    /// Whether a blob exists (HEAD).
    ///
    /// # Errors
    /// Auth and HTTP errors other than 404.
    pub fn has_blob(&self, digest: &str) -> Result<bool, RegistryError> {
        let url = format!("{}/blobs/{digest}", self.inner.base);
        let resp = self.send("HEAD", &url, &[])?;
        match resp.status() {
            200..=299 => Ok(true),
            404 => Ok(false),
            _ => Err(self.status_error(resp, &format!("blob {digest}"))),
        }
    }

    /// Opens a blob for streaming. The reader resumes (with `Range`) when the connection
    /// breaks, up to `max_resumes` times; it does not verify the digest (the caller hashes
    /// what it reads; see [`Registry::read_blob`] for small blobs).
    ///
    /// # Errors
    /// Auth, not-found and HTTP errors for the first request.
    pub fn open_blob(&self, digest: &str) -> Result<BlobReader, RegistryError> {
        if let Err(why) = check_digest(digest) {
            return Err(RegistryError::BadManifest {
                image: self.image(),
                registry: self.registry_name(),
                message: why,
            });
        }
        let first = self.request_blob(digest, 0)?;
        Ok(BlobReader {
            registry: self.clone(),
            digest: digest.to_owned(),
            len: first.len,
            discard: first.discard,
            body: Some(first.body),
            offset: 0,
            resumes: 0,
            observer: None,
        })
    }

    /// One GET of a blob from `offset`; returns the body, how many of its first bytes to
    /// discard (when the server ignored the range and sent the whole blob), and the total
    /// length when known.
    fn request_blob(&self, digest: &str, offset: u64) -> Result<BlobBody, RegistryError> {
        let url = format!("{}/blobs/{digest}", self.inner.base);
        let range = format!("bytes={offset}-");
        let headers: Vec<(&str, &str)> = if offset > 0 {
            vec![("Range", range.as_str())]
        } else {
            Vec::new()
        };
        let resp = self.send("GET", &url, &headers)?;
        match resp.status() {
            206 => {
                // `Content-Range: bytes START-END/TOTAL`
                let content_range = resp.header("content-range").unwrap_or_default();
                let total = content_range
                    .rsplit('/')
                    .next()
                    .and_then(|t| t.trim().parse().ok());
                let start: Option<u64> = content_range
                    .trim()
                    .strip_prefix("bytes ")
                    .and_then(|v| v.split('-').next())
                    .and_then(|s| s.trim().parse().ok());
                if start != Some(offset) {
                    return Err(self.http_err(HttpError::Status {
                        url: resp.url().to_owned(),
                        status: 206,
                    }));
                }
                Ok(BlobBody {
                    body: Box::new(resp.into_reader()),
                    discard: 0,
                    len: total,
                })
            }
            200..=299 => {
                let len = resp.content_length();
                Ok(BlobBody {
                    body: Box::new(resp.into_reader()),
                    // The server ignored the range: skip what was already read.
                    discard: offset,
                    len,
                })
            }
            _ => Err(self.status_error(resp, &format!("blob {digest}"))),
        }
    }

    /// Reads a whole blob (at most `max_bytes`) and verifies its sha256 digest.
    ///
    /// # Errors
    /// As [`Registry::open_blob`]; [`RegistryError::DigestMismatch`];
    /// [`RegistryError::BadManifest`] past `max_bytes`.
    pub fn read_blob(&self, digest: &str, max_bytes: u64) -> Result<Vec<u8>, RegistryError> {
        let reader = self.open_blob(digest)?;
        let mut out = Vec::new();
        reader
            .take(max_bytes.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| self.io_to_error(e, digest))?;
        if out.len() as u64 > max_bytes {
            return Err(RegistryError::BadManifest {
                image: self.image(),
                registry: self.registry_name(),
                message: format!("blob {digest} is larger than {max_bytes} bytes"),
            });
        }
        let actual = sha256_digest(&out);
        if digest.starts_with("sha256:") && actual != digest {
            return Err(RegistryError::DigestMismatch {
                image: self.image(),
                registry: self.registry_name(),
                what: format!("blob {digest}"),
                expected: digest.to_owned(),
                actual,
            });
        }
        Ok(out)
    }

    fn io_to_error(&self, e: io::Error, digest: &str) -> RegistryError {
        match e.into_inner().map(|b| b.downcast::<RegistryError>()) {
            Some(Ok(r)) => *r,
            Some(Err(other)) => self.http_err(HttpError::Transport {
                url: format!("{}/blobs/{digest}", self.inner.base),
                message: other.to_string(),
            }),
            None => self.http_err(HttpError::Transport {
                url: format!("{}/blobs/{digest}", self.inner.base),
                message: "read failed".into(),
            }),
        }
    }
}

/// Percent-encodes a query value.
fn encode_query(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One response body of a blob download.
struct BlobBody {
    body: Box<dyn Read + Send>,
    /// Leading bytes already delivered by an earlier response.
    discard: u64,
    len: Option<u64>,
}

/// A blob being downloaded; resumes after broken connections. Errors it cannot recover from
/// are `io::Error`s wrapping a [`RegistryError`] (get it back with `into_inner` and
/// `downcast`).
pub struct BlobReader {
    registry: Registry,
    digest: String,
    body: Option<Box<dyn Read + Send>>,
    /// Bytes of the current body to drop before delivering (a resume the server answered
    /// from the start).
    discard: u64,
    /// Bytes delivered so far.
    offset: u64,
    len: Option<u64>,
    resumes: u32,
    /// Told of the download's progress, with whether `finished` was already sent.
    observer: Option<(Arc<dyn TransferObserver>, bool)>,
}

/// Watches blob downloads (a progress display). Every method has a no-op default; calls may
/// come from several threads at once (one per layer being downloaded).
///
/// For one [`BlobReader`] the calls are: [`TransferObserver::started`] once, then
/// [`TransferObserver::bytes`] for each chunk delivered to the reader's caller, then
/// [`TransferObserver::finished`] once (at the end of the blob, or when the reader is dropped
/// early). Bytes are counted when delivered, so a resumed download never counts a byte twice:
/// the `n`s add up to the bytes the caller read, the blob's size when it is read to the end.
pub trait TransferObserver: Send + Sync {
    /// A download starts; `size` is the expected size (from the manifest, else the
    /// `Content-Length`), when known.
    fn started(&self, digest: &str, size: Option<u64>) {
        let _ = (digest, size);
    }
    /// `n` more bytes of the blob were delivered.
    fn bytes(&self, digest: &str, n: u64) {
        let _ = (digest, n);
    }
    /// The download ended: read to the end, failed, or abandoned.
    fn finished(&self, digest: &str) {
        let _ = digest;
    }
}

/// A [`TransferObserver`] that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl TransferObserver for NoObserver {}

impl std::fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlobReader")
            .field("digest", &self.digest)
            .field("offset", &self.offset)
            .field("len", &self.len)
            .field("resumes", &self.resumes)
            .finish_non_exhaustive()
    }
}

impl BlobReader {
    /// The blob's total length, when the registry announced it.
    #[must_use]
    pub fn len(&self) -> Option<u64> {
        self.len
    }

    /// Whether the blob is known to be empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == Some(0)
    }

    /// How many times the download was resumed.
    #[must_use]
    pub fn resumes(&self) -> u32 {
        self.resumes
    }

    /// Reports this download to `observer` (see [`TransferObserver`] for the calls made);
    /// `size` is the expected size when the caller knows it (a manifest's layer size), else
    /// the length the registry announced is used.
    #[must_use]
    pub fn observe(mut self, observer: Arc<dyn TransferObserver>, size: Option<u64>) -> Self {
        if let Some((old, false)) = self.observer.take() {
            old.finished(&self.digest);
        }
        observer.started(&self.digest, size.or(self.len));
        self.observer = Some((observer, false));
        self
    }

    fn finish_observer(&mut self) {
        if let Some((observer, done)) = &mut self.observer
            && !*done
        {
            *done = true;
            observer.finished(&self.digest);
        }
    }

    fn resume(&mut self, why: &str) -> io::Result<()> {
        self.body = None;
        if self.resumes >= self.registry.inner.max_resumes {
            return Err(io::Error::other(self.registry.http_err(
                HttpError::Transport {
                    url: format!("{}/blobs/{}", self.registry.inner.base, self.digest),
                    message: format!(
                        "connection broke {} times while downloading (last: {why}); retry later",
                        self.resumes + 1
                    ),
                },
            )));
        }
        self.resumes += 1;
        let next = self
            .registry
            .request_blob(&self.digest, self.offset)
            .map_err(io::Error::other)?;
        if self.len.is_none() {
            self.len = next.len;
        }
        self.discard = next.discard;
        self.body = Some(next.body);
        Ok(())
    }
}

impl Drop for BlobReader {
    fn drop(&mut self) {
        self.finish_observer();
    }
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let Some(body) = self.body.as_mut() else {
                self.resume("no connection")?;
                continue;
            };
            let want = if self.discard > 0 {
                usize::try_from(self.discard)
                    .unwrap_or(usize::MAX)
                    .min(buf.len())
            } else {
                buf.len()
            };
            let chunk = buf.get_mut(..want).unwrap_or_default();
            match body.read(chunk) {
                Ok(0) => {
                    let expected = self.len.map(|l| l.max(self.offset + self.discard));
                    if self.discard > 0 || expected.is_some_and(|l| self.offset < l) {
                        self.resume("connection closed early")?;
                        continue;
                    }
                    self.finish_observer();
                    return Ok(0);
                }
                Ok(n) if self.discard > 0 => {
                    self.discard -= n as u64;
                }
                Ok(n) => {
                    self.offset += n as u64;
                    if let Some((observer, _)) = &self.observer {
                        observer.bytes(&self.digest, n as u64);
                    }
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let why = e.to_string();
                    self.resume(&why)?;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_tokens_and_passwords() {
        let mut st = AuthState::default();
        st.headers
            .insert("repository:x:pull".into(), "Bearer secret-token".into());
        let reference = Reference::parse("localhost:5000/x").unwrap();
        let reg = Registry::new(
            &reference,
            &RegistryOptions {
                credentials: Some(Credentials {
                    username: "u".into(),
                    password: "hunter2".into(),
                }),
                docker_config: DockerConfig::Ignore,
                ..RegistryOptions::default()
            },
        )
        .unwrap();
        *reg.inner.auth.lock().unwrap() = st;
        let text = format!("{reg:?}");
        assert!(text.contains("repository:x:pull"), "{text}");
        assert!(
            !text.contains("secret-token") && !text.contains("hunter2"),
            "{text}"
        );
    }

    #[test]
    fn encodes_query_values() {
        assert_eq!(
            encode_query("repository:library/alpine:pull"),
            "repository%3Alibrary%2Falpine%3Apull"
        );
    }

    #[test]
    fn sniffs_media_types() {
        assert_eq!(
            sniff_media_type(br#"{"schemaVersion":2,"manifests":[]}"#).as_deref(),
            Some(OCI_INDEX)
        );
        assert_eq!(
            sniff_media_type(br#"{"schemaVersion":2,"layers":[]}"#).as_deref(),
            Some(OCI_MANIFEST)
        );
        assert_eq!(
            sniff_media_type(br#"{"mediaType":"x","layers":[]}"#).as_deref(),
            Some("x")
        );
        assert_eq!(sniff_media_type(b"{}"), None);
    }
}
