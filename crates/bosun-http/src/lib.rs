//! bosun's blocking HTTP client, shared by the feed updater and (later) the registry client.
//!
//! This crate owns everything bosun does on the wire: the agent (ureq 3 over rustls, user
//! agent `bosun/VERSION`, timeouts, optional CA file), the scheme policy (plain `http://` only
//! for loopback hosts unless [`ClientOptions::insecure`] is set, checked on every redirect
//! hop), the [`RetryPolicy`] (connection errors, `429` and `5xx`, with exponential backoff
//! and jitter, honouring `Retry-After` in seconds or as an HTTP-date, capped), and
//! [`Client::download_to`], a conditional download written to a temporary file beside the
//! destination and renamed into place only when complete.
//!
//! ```no_run
//! use bosun_http::{Client, ClientOptions, Conditional, Download};
//! let client = Client::new(ClientOptions::default())?;
//! let got = client.download_to(
//!     "https://example.org/feed.json",
//!     std::path::Path::new("feed.json"),
//!     &Conditional::default(),
//!     64 << 20,
//!     &mut (),
//! )?;
//! if let Download::Modified { etag, bytes, .. } = got {
//!     let _ = (etag, bytes);
//! }
//! # Ok::<(), bosun_http::HttpError>(())
//! ```
//!
//! Every error names the URL and says what to do ([`HttpError`]).

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use ureq::http::{StatusCode, Uri};

/// The user agent sent with every request.
pub const USER_AGENT: &str = concat!("bosun/", env!("CARGO_PKG_VERSION"));

/// Most redirects followed for one request.
pub const MAX_REDIRECTS: u32 = 10;

/// Largest PEM file read for [`ClientOptions::ca_file`].
const MAX_PEM: u64 = 16 << 20;

/// Errors of this crate. Each names the URL and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The URL is not an absolute `http(s)://` URL.
    #[error("{url}: not a valid http(s) URL ({reason})")]
    BadUrl {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// Plain HTTP to a host that is not loopback, without `insecure`.
    #[error(
        "{url}: plain http is allowed only for localhost; use https, or allow it explicitly (--insecure)"
    )]
    InsecureScheme {
        /// The URL.
        url: String,
    },
    /// 404 or 410.
    #[error("{url}: not found (HTTP {status}); check the URL or the mirror's layout")]
    NotFound {
        /// The URL.
        url: String,
        /// 404 or 410.
        status: u16,
    },
    /// 401 or 403.
    #[error("{url}: access denied (HTTP {status}); check credentials or the server's access rules")]
    Unauthorized {
        /// The URL.
        url: String,
        /// 401 or 403.
        status: u16,
    },
    /// Another status that retrying will not change.
    #[error("{url}: server answered HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// The body (or its announced length) exceeds the limit.
    #[error(
        "{url}: response larger than the limit of {limit} bytes; raise the limit if the source grew"
    )]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// Every attempt failed with a retryable error.
    #[error(
        "{url}: giving up after {attempts} attempts (last: {last}); check the network or the server, then retry"
    )]
    RetriesExhausted {
        /// The URL.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The last failure: `HTTP 503`, or the connection error.
        last: String,
        /// The last HTTP status, when the last failure was one.
        last_status: Option<u16>,
    },
    /// More than [`MAX_REDIRECTS`] redirects, or a redirect without a usable `Location`.
    #[error("{url}: bad redirect ({reason})")]
    Redirect {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// A transport error that is not retried (TLS, protocol).
    #[error("{url}: {message}")]
    Transport {
        /// The URL.
        url: String,
        /// What failed.
        message: String,
    },
    /// The CA file cannot be read or holds no certificate.
    #[error("CA file {path}: {reason}")]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A local file could not be written.
    #[error("{url}: cannot write {path}: {source}")]
    Write {
        /// The URL being downloaded.
        url: String,
        /// The file.
        path: PathBuf,
        /// Cause.
        #[source]
        source: io::Error,
    },
}

/// When and how often to retry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// Delay before the second attempt; doubled for each further one.
    pub base_delay: Duration,
    /// Longest computed backoff.
    pub max_delay: Duration,
    /// Longest wait honoured from a `Retry-After` header.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, 1 s doubling up to 30 s, `Retry-After` honoured up to 60 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The backoff before attempt `attempt + 1` (attempt counts from 1): `base * 2^(attempt-1)`
    /// capped at `max_delay`, then scaled by a random factor in [0.5, 1.0].
    #[must_use]
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(20);
        let d = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        d.mul_f64(0.5 + fastrand::f64() / 2.0)
    }

    /// The wait before the next attempt, given the `Retry-After` header if any: the header's
    /// value capped at `max_retry_after` when present and valid, else [`RetryPolicy::backoff`].
    #[must_use]
    pub fn delay(&self, attempt: u32, retry_after: Option<&str>) -> Duration {
        match retry_after.and_then(|v| parse_retry_after(v, SystemTime::now())) {
            Some(d) => d.min(self.max_retry_after),
            None => self.backoff(attempt),
        }
    }
}

/// Parses a `Retry-After` value: delta-seconds or an HTTP-date (relative to `now`; a date in
/// the past is zero). `None` when it is neither.
#[must_use]
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() || v.len() > 64 {
        return None;
    }
    if v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse::<u64>().ok().map(Duration::from_secs);
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// How the client is set up.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The `User-Agent` header ([`USER_AGENT`] by default).
    pub user_agent: String,
    /// Allow plain `http://` to any host (by default only loopback hosts).
    pub insecure: bool,
    /// A PEM file of extra CA certificates, trusted in addition to Mozilla's roots (which
    /// are always trusted; the system store is not read).
    pub ca_file: Option<PathBuf>,
    /// Connecting (DNS included).
    pub connect_timeout: Duration,
    /// Waiting for the response head, and for each read of the body (an idle timeout, so a
    /// large download that keeps moving is never cut).
    pub read_timeout: Duration,
    /// Retries.
    pub retry: RetryPolicy,
}

impl Default for ClientOptions {
    /// 30 s to connect, 60 s read timeout, [`RetryPolicy::default`], no CA file.
    fn default() -> Self {
        ClientOptions {
            user_agent: USER_AGENT.to_string(),
            insecure: false,
            ca_file: None,
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
        }
    }
}

/// Conditional request validators from a previous download.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Conditional {
    /// Sent as `If-None-Match`.
    pub etag: Option<String>,
    /// Sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// What [`Client::download_to`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Download {
    /// A new body was written to the destination.
    Modified {
        /// The response's `ETag`.
        etag: Option<String>,
        /// The response's `Last-Modified`.
        last_modified: Option<String>,
        /// Bytes written.
        bytes: u64,
    },
    /// The server answered 304; the destination was not touched.
    NotModified,
}

/// Progress of a download. Every method has a no-op default; `()` implements it.
pub trait DownloadProgress {
    /// A body starts (again, after a retry), with its announced length.
    fn start(&mut self, _total: Option<u64>) {}
    /// `bytes` more bytes were written.
    fn advance(&mut self, _bytes: u64) {}
    /// An attempt failed; the next starts after `delay`.
    fn retry(&mut self, _attempt: u32, _delay: Duration, _reason: &str) {}
}

impl DownloadProgress for () {}

/// A response whose head has been read; the body is read through [`Response::into_reader`].
pub struct Response {
    url: String,
    status: u16,
    headers: Vec<(String, String)>,
    body: ureq::Body,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("url", &self.url)
            .field("status", &self.status)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

impl Response {
    /// The final URL (after redirects).
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The status code.
    #[must_use]
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Response headers, names in lower case, in order.
    #[must_use]
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The first value of header `name` (case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The announced `Content-Length`.
    #[must_use]
    pub fn content_length(&self) -> Option<u64> {
        self.header("content-length")?.trim().parse().ok()
    }

    /// `Ok(self)` for 2xx and 304, else the typed error for the status (404/410 →
    /// [`HttpError::NotFound`], 401/403 → [`HttpError::Unauthorized`], else
    /// [`HttpError::Status`]).
    ///
    /// # Errors
    /// As above.
    pub fn error_for_status(self) -> Result<Response, HttpError> {
        match self.status {
            200..=299 | 304 => Ok(self),
            s => Err(status_error(&self.url, s)),
        }
    }

    /// The body as a reader (unlimited: wrap it in `take`, or use [`Response::read_to_vec`]).
    #[must_use]
    pub fn into_reader(self) -> impl Read + Send + 'static {
        self.body.into_reader()
    }

    /// Reads the whole body, failing past `limit` bytes.
    ///
    /// # Errors
    /// [`HttpError::TooLarge`], or [`HttpError::Transport`] when the connection fails.
    pub fn read_to_vec(self, limit: u64) -> Result<Vec<u8>, HttpError> {
        let url = self.url.clone();
        if self.content_length().is_some_and(|n| n > limit) {
            return Err(HttpError::TooLarge { url, limit });
        }
        let mut out = Vec::new();
        self.into_reader()
            .take(limit.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|e| HttpError::Transport {
                url: url.clone(),
                message: format!("reading the body: {e}"),
            })?;
        if out.len() as u64 > limit {
            return Err(HttpError::TooLarge { url, limit });
        }
        Ok(out)
    }
}

fn status_error(url: &str, status: u16) -> HttpError {
    let url = url.to_string();
    match status {
        404 | 410 => HttpError::NotFound { url, status },
        401 | 403 => HttpError::Unauthorized { url, status },
        _ => HttpError::Status { url, status },
    }
}

/// Whether a status is worth retrying: 408, 429 and every 5xx.
#[must_use]
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// One failed attempt.
enum Attempt {
    /// Retry may help.
    Retry {
        last: String,
        status: Option<u16>,
        retry_after: Option<String>,
    },
    /// It will not.
    Fatal(HttpError),
}

/// The HTTP client. Cheap to clone; share one per process.
#[derive(Clone, Debug)]
pub struct Client {
    agent: ureq::Agent,
    opts: ClientOptions,
}

impl Client {
    /// Builds a client.
    ///
    /// # Errors
    /// [`HttpError::CaFile`] when the CA file cannot be read or holds no certificate.
    pub fn new(opts: ClientOptions) -> Result<Client, HttpError> {
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(path) = &opts.ca_file {
            tls = tls.root_certs(load_ca(path)?);
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(opts.user_agent.as_str())
            .timeout_connect(Some(opts.connect_timeout))
            .timeout_resolve(Some(opts.connect_timeout))
            .timeout_recv_response(Some(opts.read_timeout))
            .timeout_per_read(Some(opts.read_timeout))
            .tls_config(tls.build())
            .build();
        Ok(Client {
            agent: ureq::Agent::new_with_config(config),
            opts,
        })
    }

    /// The options the client was built with.
    #[must_use]
    pub fn options(&self) -> &ClientOptions {
        &self.opts
    }

    /// Checks the scheme policy for `url`.
    ///
    /// # Errors
    /// [`HttpError::BadUrl`] or [`HttpError::InsecureScheme`].
    pub fn check_url(&self, url: &str) -> Result<(), HttpError> {
        let uri: Uri = url.parse().map_err(|e| HttpError::BadUrl {
            url: url.to_string(),
            reason: format!("{e}"),
        })?;
        let host = uri.host().ok_or_else(|| HttpError::BadUrl {
            url: url.to_string(),
            reason: "no host".into(),
        })?;
        match uri.scheme_str() {
            Some("https") => Ok(()),
            Some("http") if self.opts.insecure || is_loopback(host) => Ok(()),
            Some("http") => Err(HttpError::InsecureScheme {
                url: url.to_string(),
            }),
            _ => Err(HttpError::BadUrl {
                url: url.to_string(),
                reason: "the scheme must be http or https".into(),
            }),
        }
    }

    /// GET with headers, retried per the policy on connection errors, 408, 429 and 5xx.
    /// Any other status is returned as is (see [`Response::error_for_status`]).
    ///
    /// # Errors
    /// Scheme, redirect or transport errors; [`HttpError::RetriesExhausted`].
    pub fn get(&self, url: &str, headers: &[(&str, &str)]) -> Result<Response, HttpError> {
        self.with_retries(url, &mut (), |_| self.send_checked("GET", url, headers))
    }

    /// HEAD with headers, retried like [`Client::get`].
    ///
    /// # Errors
    /// As [`Client::get`].
    pub fn head(&self, url: &str, headers: &[(&str, &str)]) -> Result<Response, HttpError> {
        self.with_retries(url, &mut (), |_| self.send_checked("HEAD", url, headers))
    }

    /// One request, redirects followed (each hop checked against the scheme policy), no retry.
    ///
    /// # Errors
    /// Scheme, redirect or transport errors (connection failures as
    /// [`HttpError::Transport`]).
    pub fn send_once(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<Response, HttpError> {
        match self.send(method, url, headers) {
            Ok(r) => Ok(r),
            Err(Attempt::Fatal(e)) => Err(e),
            Err(Attempt::Retry { last, .. }) => Err(HttpError::Transport {
                url: url.to_string(),
                message: last,
            }),
        }
    }

    fn with_retries<T>(
        &self,
        url: &str,
        progress: &mut dyn DownloadProgress,
        mut f: impl FnMut(&mut dyn DownloadProgress) -> Result<T, Attempt>,
    ) -> Result<T, HttpError> {
        let max = self.opts.retry.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            let (last, status, retry_after) = match f(progress) {
                Ok(r) => return Ok(r),
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Retry {
                    last,
                    status,
                    retry_after,
                }) => (last, status, retry_after),
            };
            if attempt >= max {
                return Err(HttpError::RetriesExhausted {
                    url: url.to_string(),
                    attempts: attempt,
                    last,
                    last_status: status,
                });
            }
            let delay = self.opts.retry.delay(attempt, retry_after.as_deref());
            progress.retry(attempt, delay, &last);
            std::thread::sleep(delay);
            attempt += 1;
        }
    }

    /// One request whose retryable statuses become retryable failures.
    fn send_checked(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<Response, Attempt> {
        let r = self.send(method, url, headers)?;
        if is_retryable_status(r.status) {
            return Err(Attempt::Retry {
                last: format!("HTTP {}", r.status),
                status: Some(r.status),
                retry_after: r.header("retry-after").map(str::to_string),
            });
        }
        Ok(r)
    }

    fn send(&self, method: &str, url: &str, headers: &[(&str, &str)]) -> Result<Response, Attempt> {
        let mut current = url.to_string();
        let first_origin = origin(url);
        for _ in 0..=MAX_REDIRECTS {
            self.check_url(&current).map_err(Attempt::Fatal)?;
            let mut req = ureq::http::Request::builder()
                .method(method)
                .uri(current.as_str());
            // Credentials go only to the origin they were meant for: a registry redirecting a
            // blob to a CDN or a pre-signed S3 URL must not hand them over.
            let same_origin = origin(&current) == first_origin;
            for (k, v) in headers {
                if !same_origin && k.eq_ignore_ascii_case("authorization") {
                    continue;
                }
                req = req.header(*k, *v);
            }
            let req = req.body(()).map_err(|e| {
                Attempt::Fatal(HttpError::BadUrl {
                    url: current.clone(),
                    reason: e.to_string(),
                })
            })?;
            let res = self.agent.run(req).map_err(|e| classify(&current, e))?;
            let status = res.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let loc = res
                    .headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| {
                        Attempt::Fatal(HttpError::Redirect {
                            url: current.clone(),
                            reason: format!("HTTP {} without Location", status.as_u16()),
                        })
                    })?;
                current = resolve(&current, loc).map_err(Attempt::Fatal)?;
                continue;
            }
            let headers = res
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_ascii_lowercase(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            return Ok(Response {
                url: current,
                status: status.as_u16(),
                headers,
                body: res.into_body(),
            });
        }
        Err(Attempt::Fatal(HttpError::Redirect {
            url: url.to_string(),
            reason: format!("more than {MAX_REDIRECTS} redirects"),
        }))
    }

    /// Downloads `url` to `dest`: the body goes to a temporary file in `dest`'s directory,
    /// which replaces `dest` only once complete (an interrupted download leaves the old file).
    /// `conditional` validators are sent as `If-None-Match` / `If-Modified-Since`; a 304
    /// returns [`Download::NotModified`] without touching `dest`. A body cut short is retried
    /// like a connection error (the whole body again).
    ///
    /// # Errors
    /// [`HttpError::NotFound`], [`HttpError::Unauthorized`], [`HttpError::Status`],
    /// [`HttpError::TooLarge`] (announced or actual length over `max_bytes`),
    /// [`HttpError::RetriesExhausted`], [`HttpError::Write`], scheme and transport errors.
    pub fn download_to(
        &self,
        url: &str,
        dest: &Path,
        conditional: &Conditional,
        max_bytes: u64,
        progress: &mut dyn DownloadProgress,
    ) -> Result<Download, HttpError> {
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(e) = &conditional.etag {
            headers.push(("If-None-Match", e));
        }
        if let Some(m) = &conditional.last_modified {
            headers.push(("If-Modified-Since", m));
        }
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let werr = |source: io::Error| HttpError::Write {
            url: url.to_string(),
            path: dest.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(&dir).map_err(werr)?;
        let got = self.with_retries(url, progress, |p| {
            let r = self.send_checked("GET", url, &headers)?;
            match r.status {
                304 => Ok(None),
                200 => write_body(url, dest, &dir, r, max_bytes, p).map(Some),
                s if (200..300).contains(&s) => Err(Attempt::Fatal(HttpError::Status {
                    url: url.to_string(),
                    status: s,
                })),
                s => Err(Attempt::Fatal(status_error(url, s))),
            }
        })?;
        let Some((tmp, dl)) = got else {
            return Ok(Download::NotModified);
        };
        tmp.as_file().sync_all().map_err(werr)?;
        tmp.persist(dest).map_err(|e| werr(e.error))?;
        Ok(dl)
    }
}

fn write_body(
    url: &str,
    dest: &Path,
    dir: &Path,
    r: Response,
    max_bytes: u64,
    progress: &mut dyn DownloadProgress,
) -> Result<(tempfile::NamedTempFile, Download), Attempt> {
    let werr = |source: io::Error| {
        Attempt::Fatal(HttpError::Write {
            url: url.to_string(),
            path: dest.to_path_buf(),
            source,
        })
    };
    let total = r.content_length();
    if total.is_some_and(|n| n > max_bytes) {
        return Err(Attempt::Fatal(HttpError::TooLarge {
            url: url.to_string(),
            limit: max_bytes,
        }));
    }
    let etag = r.header("etag").map(str::to_string);
    let last_modified = r.header("last-modified").map(str::to_string);
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".part")
        .tempfile_in(dir)
        .map_err(werr)?;
    progress.start(total);
    let mut reader = r.into_reader();
    let mut buf = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    let mut w = io::BufWriter::new(tmp.as_file_mut());
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Attempt::Retry {
                    last: format!("connection failed after {bytes} body bytes: {e}"),
                    status: None,
                    retry_after: None,
                });
            }
        };
        bytes += n as u64;
        if bytes > max_bytes {
            return Err(Attempt::Fatal(HttpError::TooLarge {
                url: url.to_string(),
                limit: max_bytes,
            }));
        }
        w.write_all(buf.get(..n).unwrap_or_default())
            .map_err(werr)?;
        progress.advance(n as u64);
    }
    w.flush().map_err(werr)?;
    drop(w);
    if total.is_some_and(|t| t != bytes) {
        return Err(Attempt::Retry {
            last: format!("body cut short ({bytes} of {} bytes)", total.unwrap_or(0)),
            status: None,
            retry_after: None,
        });
    }
    Ok((
        tmp,
        Download::Modified {
            etag,
            last_modified,
            bytes,
        },
    ))
}

/// Whether `host` (as in a URL) is a loopback name or address.
#[must_use]
pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    if h.eq_ignore_ascii_case("localhost") {
        return true;
    }
    h.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

/// `scheme://host:port` of a URL, lowercased (`None` when it does not parse).
fn origin(url: &str) -> Option<String> {
    let uri: Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_ascii_lowercase();
    let host = uri.host()?.to_ascii_lowercase();
    let port = uri
        .port_u16()
        .unwrap_or(if scheme == "https" { 443 } else { 80 });
    Some(format!("{scheme}://{host}:{port}"))
}

/// Resolves a `Location` header against the URL that answered it.
fn resolve(base: &str, loc: &str) -> Result<String, HttpError> {
    let lower = loc.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Ok(loc.to_string());
    }
    let bad = || HttpError::Redirect {
        url: base.to_string(),
        reason: format!("unusable Location {loc:?}"),
    };
    let uri: Uri = base.parse().map_err(|_| bad())?;
    let scheme = uri.scheme_str().ok_or_else(bad)?;
    let authority = uri.authority().ok_or_else(bad)?;
    if let Some(rest) = loc.strip_prefix("//") {
        return Ok(format!("{scheme}://{rest}"));
    }
    if loc.starts_with('/') {
        return Ok(format!("{scheme}://{authority}{loc}"));
    }
    let path = uri.path();
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    Ok(format!("{scheme}://{authority}{dir}/{loc}"))
}

/// Sorts a ureq error into retryable (network) and fatal (TLS, protocol misuse).
fn classify(url: &str, e: ureq::Error) -> Attempt {
    match e {
        ureq::Error::Io(_)
        | ureq::Error::Timeout(_)
        | ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::Protocol(_) => Attempt::Retry {
            last: e.to_string(),
            status: None,
            retry_after: None,
        },
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) => Attempt::Fatal(HttpError::Transport {
            url: url.to_string(),
            message: format!(
                "TLS failed: {e}; if the server uses a private CA, pass its certificate as a CA file"
            ),
        }),
        other => Attempt::Fatal(HttpError::Transport {
            url: url.to_string(),
            message: other.to_string(),
        }),
    }
}

/// Reads the certificates of a PEM file.
fn load_ca(path: &Path) -> Result<ureq::tls::RootCerts, HttpError> {
    let err = |reason: String| HttpError::CaFile {
        path: path.to_path_buf(),
        reason,
    };
    let mut pem = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_PEM).read_to_end(&mut pem))
        .map_err(|e| err(e.to_string()))?;
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => certs.push(c.to_owned()),
            Ok(_) => {}
            Err(e) => return Err(err(format!("bad PEM: {e}"))),
        }
    }
    if certs.is_empty() {
        return Err(err("no certificate found".into()));
    }
    certs.extend(
        webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|c| ureq::tls::Certificate::from_der(c.as_ref())),
    );
    Ok(ureq::tls::RootCerts::new_with_certs(&certs))
}

/// Fuzz entry points (also run by proptest on stable): never panic on any bytes.
pub mod fuzz {
    /// Parses `bytes` as a `Retry-After` value and as a `Location` against a fixed base.
    pub fn header_values(bytes: &[u8]) {
        let s = String::from_utf8_lossy(bytes);
        let _ = super::parse_retry_after(&s, std::time::SystemTime::now());
        let _ = super::resolve("https://example.org/a/b", &s);
        let _ = super::is_loopback(&s);
    }
}
