//! Risky image configuration: rules over an image's config and final filesystem.
//!
//! The input is [`ImageFacts`], a plain struct the caller fills from the image config and the
//! merged layer tree, so this crate does not depend on the image reader. Each rule has a
//! stable id (`BOSUN-CFG-001` ...), a severity, a title and fix advice; see [`RULES`]. Rules
//! can be disabled by id and findings allowed by id and path glob ([`Config`]). Evidence that
//! could hold a secret (environment values) is masked with [`bosun_secret::mask`].
//!
//! ```
//! use bosun_misconfig::{Checker, Config, ImageFacts};
//! let checker = Checker::new(Config::default()).unwrap();
//! let facts = ImageFacts { user: String::new(), ..ImageFacts::default() };
//! let found = checker.check(&facts);
//! assert!(found.iter().any(|m| m.id == "BOSUN-CFG-001")); // runs as root
//! ```

mod checks;
mod config;
mod facts;

pub use bosun_secret::Severity;
pub use checks::{Checker, RULES, RuleInfo};
pub use config::{AllowRule, Config};
pub use facts::{Healthcheck, HistoryEntry, ImageFacts};

/// One risky configuration found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Misconfiguration {
    /// Rule id, `BOSUN-CFG-nnn`.
    pub id: String,
    /// Severity.
    pub severity: Severity,
    /// Rule title.
    pub title: String,
    /// What was found, in this image.
    pub message: String,
    /// How to fix it.
    pub resolution: String,
    /// The config entry or path that shows it (secret values masked).
    pub evidence: String,
}

/// What went wrong building a checker.
#[derive(Debug, thiserror::Error)]
pub enum MisconfigError {
    /// The config file is not valid YAML of the expected shape, or too large.
    #[error("misconfig config: {0}")]
    Config(String),
    /// A path glob does not compile.
    #[error("misconfig config: bad path glob {glob}")]
    Glob {
        /// The glob.
        glob: String,
        /// Cause.
        #[source]
        source: globset::Error,
    },
    /// The embedded secret scanner failed to build.
    #[error("misconfig: secret scanner")]
    Secret(#[source] bosun_secret::SecretError),
}

/// Fuzz entry point: parses arbitrary bytes as a config (and, when valid, runs a check).
pub fn fuzz_config(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(cfg) = Config::from_yaml(text)
        && let Ok(c) = Checker::new(cfg)
    {
        let _ = c.check(&ImageFacts::default());
    }
}
