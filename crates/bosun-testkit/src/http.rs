//! A real HTTP/1.1 server on `127.0.0.1` (random port, one thread per connection) serving a
//! directory, for tests of bosun's network code.
//!
//! Files get an `ETag` (from their SHA-256) and a `Last-Modified` (their mtime);
//! `If-None-Match` / `If-Modified-Since` give `304`. Faults are scripted per path
//! ([`Fault`]: a status with an optional `Retry-After`, a connection dropped after K body
//! bytes, a delay), either queued (one per request) or persistent. Every request is logged
//! ([`TestServer::requests`]). A [`TestServer::set_hook`] closure sees each request first and
//! may answer it (auth checks). Dropping the server stops it and joins its thread.
//!
//! ```
//! use bosun_testkit::http::{Fault, TestServer};
//! let dir = std::env::temp_dir().join(format!("testkit-http-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(dir.join("a.txt"), b"hello").unwrap();
//! let server = TestServer::serve_dir(&dir).unwrap();
//! server.push_fault("/a.txt", Fault::Status { code: 503, retry_after: None });
//! let url = server.url("/a.txt"); // http://127.0.0.1:PORT/a.txt
//! # let _ = url;
//! # drop(server);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::collections::{HashMap, VecDeque};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

/// Largest request head read (bytes).
const MAX_HEAD: u64 = 64 * 1024;

/// One scripted fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status (and an empty body), with `Retry-After` if given.
    Status {
        /// The status code.
        code: u16,
        /// The `Retry-After` value (seconds or an HTTP-date), sent as is.
        retry_after: Option<String>,
    },
    /// Send the head and the first `after` bytes of the body, then close the connection.
    Drop {
        /// Body bytes sent before closing.
        after: usize,
    },
    /// Wait, then answer normally.
    Delay(Duration),
}

/// A logged request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// `GET`, `HEAD`, ...
    pub method: String,
    /// The path as sent (percent-encoded, with any query).
    pub path: String,
    /// Headers in order, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first value of header `name` (case-insensitive).
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response built by a hook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

/// A closure that sees every request first; `Some` answers it, `None` lets it through.
pub type Hook = Box<dyn Fn(&Request) -> Option<Reply> + Send + Sync>;

#[derive(Default)]
struct State {
    queued: HashMap<String, VecDeque<Fault>>,
    persistent: HashMap<String, Fault>,
    log: Vec<Request>,
    hook: Option<Arc<Hook>>,
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The running server. Dropping it stops it.
pub struct TestServer {
    addr: SocketAddr,
    root: PathBuf,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer")
            .field("addr", &self.addr)
            .field("root", &self.root)
            .finish_non_exhaustive()
    }
}

impl TestServer {
    /// Starts serving `root` on `127.0.0.1` at a random port.
    ///
    /// # Errors
    /// When the socket cannot be bound.
    pub fn serve_dir(root: &Path) -> io::Result<TestServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop, root) = (state.clone(), stop.clone(), root.to_path_buf());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let (state, root) = (state.clone(), root.clone());
                    std::thread::spawn(move || {
                        let _ = handle(conn, &root, &state);
                    });
                }
            })
        };
        Ok(TestServer {
            addr,
            root: root.to_path_buf(),
            state,
            stop,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The URL of `path` (which starts with `/`, already percent-encoded).
    #[must_use]
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url())
    }

    /// The directory served.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Queues a fault for the next request to `path` (decoded, without query: `/a b.zip`).
    /// Faults for a path are used one per request, in order.
    pub fn push_fault(&self, path: &str, fault: Fault) {
        lock(&self.state)
            .queued
            .entry(path.to_string())
            .or_default()
            .push_back(fault);
    }

    /// A fault applied to every request to `path` once its queue is empty (`None` clears it).
    pub fn set_persistent_fault(&self, path: &str, fault: Option<Fault>) {
        let mut s = lock(&self.state);
        match fault {
            Some(f) => s.persistent.insert(path.to_string(), f),
            None => s.persistent.remove(path),
        };
    }

    /// Sets (or clears) the hook that sees every request first.
    pub fn set_hook(&self, hook: Option<Hook>) {
        lock(&self.state).hook = hook.map(Arc::new);
    }

    /// Every request received so far, in order.
    #[must_use]
    pub fn requests(&self) -> Vec<Request> {
        lock(&self.state).log.clone()
    }

    /// Forgets the request log.
    pub fn clear_requests(&self) {
        lock(&self.state).log.clear();
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Decodes `%XX` escapes; `None` on a bad escape or non-UTF-8 result.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn read_request(r: &mut impl BufRead) -> io::Result<Option<Request>> {
    let mut limited = r.take(MAX_HEAD);
    let mut line = String::new();
    if limited.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "bad request line",
        ));
    };
    let (method, path) = (method.to_string(), path.to_string());
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if limited.read_line(&mut h)? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "head cut"));
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    Ok(Some(Request {
        method,
        path,
        headers,
    }))
}

fn write_head(w: &mut impl Write, status: u16, headers: &[(String, String)]) -> io::Result<()> {
    let reason = match status {
        200 => "OK",
        304 => "Not Modified",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    write!(w, "HTTP/1.1 {status} {reason}\r\n")?;
    for (k, v) in headers {
        write!(w, "{k}: {v}\r\n")?;
    }
    w.write_all(b"Connection: close\r\n\r\n")
}

fn handle(conn: TcpStream, root: &Path, state: &Mutex<State>) -> io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut w = conn;
    let Some(req) = read_request(&mut reader)? else {
        return Ok(());
    };
    let (fault, hook) = {
        let mut s = lock(state);
        s.log.push(req.clone());
        let key = percent_decode(req.path.split('?').next().unwrap_or(""));
        let fault = key.as_ref().and_then(|k| {
            s.queued
                .get_mut(k)
                .and_then(VecDeque::pop_front)
                .or_else(|| s.persistent.get(k).cloned())
        });
        (fault, s.hook.clone())
    };
    if let Some(h) = hook
        && let Some(reply) = h(&req)
    {
        let mut headers = reply.headers.clone();
        headers.push(("Content-Length".into(), reply.body.len().to_string()));
        write_head(&mut w, reply.status, &headers)?;
        if req.method != "HEAD" {
            w.write_all(&reply.body)?;
        }
        return w.flush();
    }
    let mut drop_after = None;
    match fault {
        Some(Fault::Status { code, retry_after }) => {
            let mut headers = vec![("Content-Length".to_string(), "0".to_string())];
            if let Some(ra) = retry_after {
                headers.push(("Retry-After".into(), ra));
            }
            write_head(&mut w, code, &headers)?;
            return w.flush();
        }
        Some(Fault::Delay(d)) => std::thread::sleep(d),
        Some(Fault::Drop { after }) => drop_after = Some(after),
        None => {}
    }
    serve_file(&mut w, root, &req, drop_after)
}

fn not_found(w: &mut impl Write) -> io::Result<()> {
    write_head(w, 404, &[("Content-Length".into(), "0".into())])?;
    w.flush()
}

fn serve_file(
    w: &mut TcpStream,
    root: &Path,
    req: &Request,
    drop_after: Option<usize>,
) -> io::Result<()> {
    let Some(path) = percent_decode(req.path.split('?').next().unwrap_or("")) else {
        return not_found(w);
    };
    let rel = path.trim_start_matches('/');
    if rel.split('/').any(|c| c == ".." || c.is_empty()) {
        return not_found(w);
    }
    let file = root.join(rel);
    let (Ok(meta), Ok(data)) = (std::fs::metadata(&file), std::fs::read(&file)) else {
        return not_found(w);
    };
    if !meta.is_file() {
        return not_found(w);
    }
    let etag = format!("\"{}\"", crate::sha256_hex(&data).get(..32).unwrap_or(""));
    let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
    let last_modified = httpdate::fmt_http_date(mtime);
    let not_modified = match (req.header("if-none-match"), req.header("if-modified-since")) {
        (Some(inm), _) => inm.split(',').any(|t| t.trim() == etag || t.trim() == "*"),
        (None, Some(ims)) => httpdate::parse_http_date(ims).is_ok_and(|since| {
            // HTTP dates have one-second resolution.
            let m = mtime
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let s = since
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            m <= s
        }),
        (None, None) => false,
    };
    let mut headers = vec![
        ("ETag".to_string(), etag),
        ("Last-Modified".to_string(), last_modified),
    ];
    if not_modified {
        write_head(w, 304, &headers)?;
        return w.flush();
    }
    headers.push(("Content-Length".into(), data.len().to_string()));
    write_head(w, 200, &headers)?;
    if req.method == "HEAD" {
        return w.flush();
    }
    match drop_after {
        Some(n) => {
            w.write_all(data.get(..n.min(data.len())).unwrap_or_default())?;
            w.flush()?;
            w.shutdown(std::net::Shutdown::Both)
        }
        None => {
            w.write_all(&data)?;
            w.flush()
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn raw(server: &TestServer, head: &str) -> String {
        let mut s = TcpStream::connect(server.addr).unwrap();
        s.write_all(head.as_bytes()).unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    }

    fn setup() -> (PathBuf, TestServer) {
        let dir = std::env::temp_dir().join(format!(
            "testkit-http-{}-{}",
            std::process::id(),
            fastrand_name()
        ));
        std::fs::create_dir_all(dir.join("Red Hat")).unwrap();
        std::fs::write(dir.join("Red Hat/all.zip"), b"zipbytes").unwrap();
        let s = TestServer::serve_dir(&dir).unwrap();
        (dir, s)
    }

    fn fastrand_name() -> u128 {
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    }

    #[test]
    fn serves_decoded_paths_and_answers_304_to_if_modified_since() {
        let (dir, s) = setup();
        let r = raw(&s, "GET /Red%20Hat/all.zip HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(r.starts_with("HTTP/1.1 200"), "{r}");
        assert!(r.ends_with("\r\n\r\nzipbytes"), "{r}");
        let lm = r
            .lines()
            .find_map(|l| l.strip_prefix("Last-Modified: "))
            .unwrap()
            .to_string();
        let r = raw(
            &s,
            &format!("GET /Red%20Hat/all.zip HTTP/1.1\r\nIf-Modified-Since: {lm}\r\n\r\n"),
        );
        assert!(r.starts_with("HTTP/1.1 304"), "{r}");
        let r = raw(&s, "HEAD /Red%20Hat/all.zip HTTP/1.1\r\n\r\n");
        assert!(
            r.starts_with("HTTP/1.1 200") && r.ends_with("\r\n\r\n"),
            "{r}"
        );
        let r = raw(&s, "GET /../etc/passwd HTTP/1.1\r\n\r\n");
        assert!(r.starts_with("HTTP/1.1 404"), "{r}");
        assert_eq!(s.requests().len(), 4);
        assert_eq!(
            s.requests()[1].header("IF-MODIFIED-SINCE"),
            Some(lm.as_str())
        );
        drop(s);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn queued_faults_apply_in_order_then_persistent_one() {
        let (dir, s) = setup();
        let p = "/Red Hat/all.zip";
        s.push_fault(
            p,
            Fault::Status {
                code: 503,
                retry_after: Some("7".into()),
            },
        );
        s.push_fault(p, Fault::Drop { after: 3 });
        s.set_persistent_fault(
            p,
            Some(Fault::Status {
                code: 500,
                retry_after: None,
            }),
        );
        let get = "GET /Red%20Hat/all.zip HTTP/1.1\r\n\r\n";
        let r = raw(&s, get);
        assert!(
            r.starts_with("HTTP/1.1 503") && r.contains("Retry-After: 7"),
            "{r}"
        );
        let r = raw(&s, get);
        assert!(
            r.starts_with("HTTP/1.1 200") && r.ends_with("\r\n\r\nzip"),
            "{r}"
        );
        assert!(raw(&s, get).starts_with("HTTP/1.1 500"));
        s.set_persistent_fault(p, None);
        assert!(raw(&s, get).starts_with("HTTP/1.1 200"));
        drop(s);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
