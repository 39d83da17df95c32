//! Disabling rules and allowing findings, from YAML (same keys as bosun-secret's config).

use serde::Deserialize;

use crate::MisconfigError;

const MAX_CONFIG_BYTES: usize = 1 << 20;

/// Which rules run and which findings are allowed.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Config {
    /// Rule ids (`BOSUN-CFG-003`) that never run.
    #[serde(default)]
    pub disable_rules: Vec<String>,
    /// Findings matching any of these are dropped.
    #[serde(default)]
    pub allow_rules: Vec<AllowRule>,
}

/// Drops findings of the given rules, optionally only for evidence paths matching a glob.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AllowRule {
    /// Why.
    #[serde(default)]
    pub description: Option<String>,
    /// Rule ids it applies to (empty: all).
    #[serde(default)]
    pub rule_ids: Vec<String>,
    /// Glob on the evidence path (filesystem rules only); absent: every finding of the rules.
    #[serde(default)]
    pub path_glob: Option<String>,
}

impl Config {
    /// Parses a YAML document.
    ///
    /// # Errors
    /// [`MisconfigError::Config`] when malformed, with unknown keys, or over 1 MiB.
    pub fn from_yaml(text: &str) -> Result<Self, MisconfigError> {
        if text.len() > MAX_CONFIG_BYTES {
            return Err(MisconfigError::Config(format!(
                "too large: {} bytes",
                text.len()
            )));
        }
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        serde_saphyr::from_str(text).map_err(|e| MisconfigError::Config(e.to_string()))
    }
}
