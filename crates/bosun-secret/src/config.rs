//! The YAML configuration file (see CONFIG.md): custom rules, allow rules, disabled rules.
//!
//! The shape is trivy's `trivy-secret.yaml`, so an existing trivy config works unchanged, plus a
//! few bosun keys (`path-globs`, `max-file-size`, `skip-paths`, `disable-default-skip-paths`).

use serde::Deserialize;

use crate::SecretError;

/// Largest config file we parse: a config is a few KiB; this bounds hostile input.
const MAX_CONFIG_BYTES: usize = 1 << 20;

/// Parsed configuration. `Config::default()` is the built-in behaviour.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    /// Custom rules, run before the built-in ones.
    #[serde(default)]
    pub rules: Vec<RuleConfig>,
    /// Global allow rules: a finding matching any of them is dropped.
    #[serde(default)]
    pub allow_rules: Vec<AllowRule>,
    /// Rule ids (built-in or custom) to turn off.
    #[serde(default)]
    pub disable_rules: Vec<String>,
    /// Ids of built-in allow rules (the default skip paths) to turn off.
    #[serde(default)]
    pub disable_allow_rules: Vec<String>,
    /// When non-empty, only these built-in rules run (custom rules always run).
    #[serde(default)]
    pub enable_builtin_rules: Vec<String>,
    /// Regions removed from every file before matching (trivy's `exclude-block`).
    #[serde(default)]
    pub exclude_block: Option<ExcludeBlock>,
    /// Files larger than this are not scanned (default 10 MiB).
    #[serde(default)]
    pub max_file_size: Option<u64>,
    /// Extra path globs never scanned.
    #[serde(default)]
    pub skip_paths: Vec<String>,
    /// Turn off every built-in skip path at once.
    #[serde(default)]
    pub disable_default_skip_paths: bool,
}

/// A custom rule.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RuleConfig {
    /// Rule id, reported in findings.
    pub id: String,
    /// Free-form grouping (trivy's `category`).
    #[serde(default)]
    pub category: Option<String>,
    /// Human title; defaults to the id.
    #[serde(default)]
    pub title: Option<String>,
    /// CRITICAL, HIGH, MEDIUM, LOW (case-insensitive); absent or UNKNOWN means LOW.
    #[serde(default)]
    pub severity: Option<String>,
    /// Regex (Rust `regex` syntax).
    pub regex: String,
    /// Lowercase literals for the prefilter; without keywords the rule runs on every file.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Name of the capture group holding the secret; default: the whole match.
    #[serde(default)]
    pub secret_group_name: Option<String>,
    /// Minimum Shannon entropy of the secret.
    #[serde(default)]
    pub entropy: Option<f64>,
    /// Rule applies only to paths matching this regex.
    #[serde(default)]
    pub path: Option<String>,
    /// Allow rules local to this rule.
    #[serde(default)]
    pub allow_rules: Vec<AllowRule>,
    /// Regions removed before this rule matches.
    #[serde(default)]
    pub exclude_block: Option<ExcludeBlock>,
}

/// An allow rule: drops findings whose path or secret matches.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AllowRule {
    /// Id, so `disable-allow-rules` can name it.
    #[serde(default)]
    pub id: Option<String>,
    /// Why it exists.
    #[serde(default)]
    pub description: Option<String>,
    /// Regex on the secret (or on the match when the rule has no secret group).
    #[serde(default)]
    pub regex: Option<String>,
    /// Regex on the file path (trivy semantics).
    #[serde(default)]
    pub path: Option<String>,
    /// Glob on the file path (bosun; `**` crosses directories).
    #[serde(default)]
    pub path_glob: Option<String>,
    /// Only drop findings of these rule ids (empty: all rules).
    #[serde(default)]
    pub rule_ids: Vec<String>,
}

/// Regions of a file that are never reported.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ExcludeBlock {
    /// Why.
    #[serde(default)]
    pub description: Option<String>,
    /// Regexes matching whole blocks.
    #[serde(default)]
    pub regexes: Vec<String>,
}

impl Config {
    /// Parses a YAML config document.
    ///
    /// # Errors
    /// [`SecretError::Config`] when the YAML is malformed or has unknown keys,
    /// [`SecretError::ConfigTooLarge`] past 1 MiB.
    pub fn from_yaml(text: &str) -> Result<Self, SecretError> {
        if text.len() > MAX_CONFIG_BYTES {
            return Err(SecretError::ConfigTooLarge(text.len()));
        }
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        serde_saphyr::from_str(text).map_err(|e| SecretError::Config(e.to_string()))
    }
}
