//! The errors of this crate: each names the image and the registry and says what to do.

/// Errors talking to a registry.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The reference does not follow the grammar.
    #[error("bad image reference {input:?}: {reason}")]
    BadReference {
        /// What was typed (cut to 300 characters).
        input: String,
        /// What is wrong.
        reason: String,
    },
    /// 401: no credentials where some are needed, or wrong ones.
    #[error("{image}: {registry} {}", if *.had_credentials {
        "rejected the credentials (HTTP 401); check the username and password (or `docker login` again)"
    } else {
        "requires authentication (HTTP 401); log in with `docker login`, or pass --username and --password-stdin"
    })]
    Unauthorized {
        /// The image (normalized reference).
        image: String,
        /// The registry host.
        registry: String,
        /// Whether credentials were sent.
        had_credentials: bool,
    },
    /// 403: authenticated, but not allowed to pull.
    #[error(
        "{image}: {registry} denied access (HTTP 403{detail}); check that this account may pull the repository"
    )]
    Denied {
        /// The image.
        image: String,
        /// The registry host.
        registry: String,
        /// The registry's own message, `: CODE message` or empty.
        detail: String,
    },
    /// 404 for a manifest or blob.
    #[error(
        "{image}: {what} not found on {registry} (HTTP 404{detail}); check the repository name and the tag or digest"
    )]
    NotFound {
        /// The image.
        image: String,
        /// The registry host.
        registry: String,
        /// `manifest latest`, `blob sha256:...`.
        what: String,
        /// The registry's own message, `: CODE message` or empty.
        detail: String,
    },
    /// The token service failed or answered something unusable.
    #[error("{image}: getting a token from {realm} failed: {message}")]
    Token {
        /// The image.
        image: String,
        /// The token realm URL.
        realm: String,
        /// What failed.
        message: String,
    },
    /// The Docker config or a credential helper failed.
    #[error("credentials for {registry}: {message}")]
    Credentials {
        /// The registry host.
        registry: String,
        /// What failed.
        message: String,
    },
    /// A manifest the registry sent is unusable (wrong digest, too large, unknown type).
    #[error("{image}: bad manifest from {registry}: {message}")]
    BadManifest {
        /// The image.
        image: String,
        /// The registry host.
        registry: String,
        /// What is wrong.
        message: String,
    },
    /// A blob's content does not hash to its digest.
    #[error(
        "{image}: {what} from {registry} does not match its digest: expected {expected}, got {actual}"
    )]
    DigestMismatch {
        /// The image.
        image: String,
        /// The registry host.
        registry: String,
        /// Which blob.
        what: String,
        /// The digest asked for.
        expected: String,
        /// The digest of what arrived.
        actual: String,
    },
    /// The registry's TLS certificate is not trusted.
    #[error(
        "{image}: {registry}'s TLS certificate is not trusted ({message}); pass the registry's CA certificate (--ca-cert), or use plain http for a test registry (--insecure)"
    )]
    Tls {
        /// The image.
        image: String,
        /// The registry host.
        registry: String,
        /// What the TLS layer said.
        message: String,
    },
    /// Another HTTP failure (network, retries exhausted on 429/5xx, unexpected status).
    #[error("{image}: {source}")]
    Http {
        /// The image.
        image: String,
        /// The cause, which names the URL.
        #[source]
        source: bosun_http::HttpError,
    },
}
