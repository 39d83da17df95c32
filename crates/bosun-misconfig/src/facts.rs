//! The input: what the caller knows about an image.

use std::collections::BTreeSet;

/// Facts about one image, filled by the caller from its config and final filesystem.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageFacts {
    /// `config.User` (empty when unset).
    pub user: String,
    /// `config.Env`, `KEY=value` entries.
    pub env: Vec<String>,
    /// `config.ExposedPorts` keys, e.g. `22/tcp`.
    pub exposed_ports: Vec<String>,
    /// `config.Healthcheck`, `None` when the image has none.
    pub healthcheck: Option<Healthcheck>,
    /// `history`, oldest first.
    pub history: Vec<HistoryEntry>,
    /// `config.Labels`.
    pub labels: Vec<(String, String)>,
    /// Paths of the final filesystem (after whiteouts), without a leading `/` or `./`;
    /// directories may be listed or only implied by their children.
    pub paths: BTreeSet<String>,
}

/// `config.Healthcheck`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Healthcheck {
    /// `Test`, e.g. `["CMD", "curl", "-f", "http://localhost/"]`; `["NONE"]` disables it.
    pub test: Vec<String>,
}

/// One `history` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryEntry {
    /// `created_by`.
    pub created_by: String,
    /// `comment`.
    pub comment: String,
}

impl ImageFacts {
    /// Whether a path exists (leading `/` or `./` ignored).
    #[must_use]
    pub fn has(&self, path: &str) -> bool {
        self.paths.contains(normalize(path))
    }

    /// Paths strictly below a directory, in order.
    pub fn under<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let dir = normalize(dir).trim_end_matches('/');
        let prefix = format!("{dir}/");
        self.paths
            .range::<str, _>((
                std::ops::Bound::Excluded(prefix.as_str()),
                std::ops::Bound::Unbounded,
            ))
            .map(String::as_str)
            .take_while(move |p| p.starts_with(&prefix))
            .collect::<Vec<_>>()
            .into_iter()
    }
}

pub(crate) fn normalize(path: &str) -> &str {
    let p = path.strip_prefix("./").unwrap_or(path);
    p.trim_start_matches('/')
}
