//! bosun's OCI distribution client: image references, manifests, blobs and registry auth.
//!
//! This crate owns talking to registries, nothing else: [`Reference::parse`] reads references
//! as users write them (`alpine`, `alpine:3.20`, `ghcr.io/org/app@sha256:...`,
//! `localhost:5000/x:y`) with Docker Hub's normalization (`docker.io/library/alpine`, served by
//! `registry-1.docker.io`); [`Registry`] GETs manifests (asking for OCI and Docker v2
//! manifests and indexes) and streams blobs, resuming a broken download with `Range`.
//! Authentication: anonymous, basic, and the bearer token flow from
//! `WWW-Authenticate: Bearer realm=...,service=...,scope=...` (one token per scope, cached);
//! credentials come from [`RegistryOptions::credentials`], else `~/.docker/config.json`
//! (`auths`, `credHelpers`, `credsStore` through `docker-credential-NAME get`), else none.
//! Plain `http` is used only for loopback registries or with [`RegistryOptions::insecure`].
//! Every request goes through `bosun-http`, which retries 429 and 5xx honouring
//! `Retry-After`.
//!
//! Choosing a platform from an index and walking layers belong to `bosun-image`, whose
//! registry source is built on this crate; digests are verified there while layers stream.
//!
//! ```no_run
//! use bosun_registry::{Reference, Registry, RegistryOptions};
//! let r = Reference::parse("alpine:3.20")?;
//! assert_eq!(r.to_string(), "docker.io/library/alpine:3.20");
//! let reg = Registry::new(&r, &RegistryOptions::default())?;
//! let m = reg.get_manifest(r.target(), 4 << 20)?;
//! println!("{} {}", m.media_type, m.digest);
//! # Ok::<(), bosun_registry::RegistryError>(())
//! ```

mod auth;
mod client;
mod error;
mod reference;

pub use auth::{Challenge, Credentials, DockerConfig, parse_challenge, stored_credentials};
pub use bosun_http::RetryPolicy;
pub use client::{
    ACCEPT, BlobReader, DOCKER_LIST, DOCKER_MANIFEST, Manifest, NoObserver, OCI_INDEX,
    OCI_MANIFEST, Registry, RegistryOptions, Scheme, TransferObserver, is_index,
};
pub use error::RegistryError;
pub use reference::{DOCKER_HUB, DOCKER_HUB_API, MAX_NAME_LEN, Reference};

/// Fuzz entry points (also run under proptest in the tests): never panic on any bytes.
pub mod fuzz {
    /// Parses `bytes` as a reference, a challenge, and a Docker config.
    pub fn inputs(bytes: &[u8]) {
        let s = String::from_utf8_lossy(bytes);
        if let Ok(r) = crate::Reference::parse(&s) {
            let _ = (r.to_string(), r.api_host(), r.target(), r.host_only());
        }
        let _ = crate::parse_challenge(&s);
        let _ = crate::auth::credentials_from_config(
            bytes,
            "docker.io",
            std::path::Path::new("fuzz"),
            &|_, _| Ok(None),
        );
        let _ = crate::auth::parse_helper_output(bytes);
    }
}
