//! Secret detection for container image layers: built-in rules, a keyword prefilter and
//! masked findings.
//!
//! A credential baked into a layer stays in the image even when a later layer deletes it, so
//! the image walker hands every file of every layer to [`Scanner::scan`]. The scanner is built
//! once per scan and shared across threads.
//!
//! How it stays fast: one Aho-Corasick automaton over every rule's keywords (ASCII
//! case-insensitive) runs over the file once; a rule's regex runs only on the lines where one
//! of its keywords occurs (a bounded window after the keyword for multi-line PEM blocks).
//! [`Scanner::wants`] decides from the path and size alone, so the walker can skip a body
//! before inflating it.
//!
//! ```
//! use bosun_secret::{Config, Scanner};
//! let scanner = Scanner::new(Config::default()).unwrap();
//! let found = scanner.scan("app/.env", b"AWS_ACCESS_KEY_ID=AKIA0123456789ABCDEF\n");
//! assert_eq!(found[0].rule_id, "aws-access-key-id");
//! assert_eq!(found[0].line, 1);
//! assert!(!found[0].match_masked.contains("AKIA0123456789ABCDEF"));
//! ```

mod config;
mod engine;
mod mask;
mod rules;

pub use config::{AllowRule, Config, ExcludeBlock, RuleConfig};
pub use engine::{DEFAULT_MAX_FILE_SIZE, DEFAULT_SKIP_PATHS, Scanner};
pub use mask::{mask, shannon_entropy};

/// How bad a leaked secret is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// `CRITICAL`, `HIGH`, `MEDIUM`, `LOW`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "LOW",
            Self::Medium => "MEDIUM",
            Self::High => "HIGH",
            Self::Critical => "CRITICAL",
        }
    }

    /// Parses a severity name, case-insensitively.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "LOW" => Some(Self::Low),
            "MEDIUM" => Some(Self::Medium),
            "HIGH" => Some(Self::High),
            "CRITICAL" => Some(Self::Critical),
            _ => None,
        }
    }
}

/// One secret found. Its fields never hold the secret itself: `match_masked` keeps at most the
/// first four bytes and replaces the rest with `*`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// Rule id (`aws-access-key-id`, a custom rule's id, ...).
    pub rule_id: String,
    /// Rule title.
    pub title: String,
    /// Severity.
    pub severity: Severity,
    /// Rule family (`AWS`, `GitHub`, `General`, ...).
    pub category: String,
    /// File path as given to `scan`, or a pseudo-path such as `config:Env`.
    pub path: String,
    /// 1-based line of the secret's first byte.
    pub line: usize,
    /// 1-based byte column of the secret's first byte.
    pub column: usize,
    /// The secret, masked.
    pub match_masked: String,
}

/// What went wrong building a scanner.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The config file is not valid YAML of the expected shape.
    #[error("secret config: {0}")]
    Config(String),
    /// The config file is unreasonably large.
    #[error("secret config too large: {0} bytes")]
    ConfigTooLarge(usize),
    /// A rule's regex does not compile.
    #[error("secret rule {rule}: bad regex")]
    Regex {
        /// Rule (or allow rule) id.
        rule: String,
        /// Cause.
        #[source]
        source: regex::Error,
    },
    /// A path glob does not compile.
    #[error("secret config: bad path glob {glob}")]
    Glob {
        /// The glob.
        glob: String,
        /// Cause.
        #[source]
        source: globset::Error,
    },
    /// A custom rule has an unknown severity.
    #[error("secret rule {rule}: unknown severity {severity}")]
    Severity {
        /// Rule id.
        rule: String,
        /// The value given.
        severity: String,
    },
    /// A custom rule names a secret group its regex lacks.
    #[error("secret rule {rule}: regex has no group {group}")]
    Group {
        /// Rule id.
        rule: String,
        /// The group name.
        group: String,
    },
}

/// Fuzz entry point: scans arbitrary bytes under an arbitrary path with the default config.
/// Used by `fuzz/fuzz_targets/scan.rs` and by the proptests.
pub fn fuzz_scan(data: &[u8]) {
    static SCANNER: std::sync::OnceLock<Option<Scanner>> = std::sync::OnceLock::new();
    if let Some(s) = SCANNER.get_or_init(|| Scanner::new(Config::default()).ok()) {
        let split = data.iter().position(|&b| b == b'\n').unwrap_or(0);
        let (path, body) = data.split_at(split);
        let path = String::from_utf8_lossy(path);
        let _ = s.wants(&path, body.len() as u64);
        let _ = s.scan(&path, body);
    }
}

/// Fuzz entry point: parses arbitrary bytes as a config and builds a scanner from it.
pub fn fuzz_config(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(cfg) = Config::from_yaml(text)
        && cfg != Config::default() // the default scanner is exercised by fuzz_scan
        && let Ok(s) = Scanner::new(cfg)
    {
        let _ = s.scan(
            "a.txt",
            b"secret=\"0123456789abcdefXYZ\" AKIA0123456789ABCDEF",
        );
    }
}
