//! The rules and the checker that runs them.

use std::sync::OnceLock;

use globset::{GlobBuilder, GlobMatcher};
use regex::Regex;

use crate::config::Config;
use crate::facts::{ImageFacts, normalize};
use crate::{MisconfigError, Misconfiguration, Severity};

/// Static description of one rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleInfo {
    /// `BOSUN-CFG-nnn`.
    pub id: &'static str,
    /// Severity.
    pub severity: Severity,
    /// Title.
    pub title: &'static str,
    /// Fix advice.
    pub resolution: &'static str,
}

/// Every rule, by id.
pub const RULES: &[RuleInfo] = &[
    RuleInfo {
        id: "BOSUN-CFG-001",
        severity: Severity::High,
        title: "Image runs as root",
        resolution: "Add a non-root user and switch to it with `USER <name>` (or a numeric UID) in the Dockerfile.",
    },
    RuleInfo {
        id: "BOSUN-CFG-002",
        severity: Severity::Critical,
        title: "Secret in environment variable",
        resolution: "Do not bake secrets into ENV: pass them at run time (orchestrator secrets, mounted files, `--secret` build mounts) and rotate the exposed value.",
    },
    RuleInfo {
        id: "BOSUN-CFG-003",
        severity: Severity::Low,
        title: "No HEALTHCHECK defined",
        resolution: "Add a `HEALTHCHECK` instruction so the runtime can detect an unhealthy container.",
    },
    RuleInfo {
        id: "BOSUN-CFG-004",
        severity: Severity::Medium,
        title: "ADD of a remote URL",
        resolution: "Download with `RUN curl`/`wget` and verify a checksum, or use `ADD --checksum=sha256:...`; prefer COPY for local files.",
    },
    RuleInfo {
        id: "BOSUN-CFG-005",
        severity: Severity::Medium,
        title: "SSH server in image",
        resolution: "Remove the SSH server and do not expose port 22; use `docker exec`/`kubectl exec` for access.",
    },
    RuleInfo {
        id: "BOSUN-CFG-006",
        severity: Severity::Medium,
        title: "sudo installed",
        resolution: "Remove sudo; run as the needed user with `USER`, and do privileged setup at build time.",
    },
    RuleInfo {
        id: "BOSUN-CFG-007",
        severity: Severity::Low,
        title: "Package manager cache left in image",
        resolution: "Clean caches in the same RUN that installs (`rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `dnf clean all`, `pip install --no-cache-dir`, `npm cache clean --force`) or use a cache mount.",
    },
    RuleInfo {
        id: "BOSUN-CFG-008",
        severity: Severity::Low,
        title: "Base image not pinned",
        resolution: "Pin the base image to a version tag and digest (`FROM image:1.2.3@sha256:...`) instead of `latest` or no tag.",
    },
];

fn info(id: &str) -> RuleInfo {
    RULES
        .iter()
        .copied()
        .find(|r| r.id == id)
        .unwrap_or(RuleInfo {
            id: "BOSUN-CFG-000",
            severity: Severity::Low,
            title: "",
            resolution: "",
        })
}

/// Environment variable names that hold secrets by convention. `*_FILE` (a path to a secret)
/// and well-known public values (`GPG_KEY`, a key fingerprint in official images) do not.
fn secret_env_name(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    if n.ends_with("_FILE")
        || n.ends_with("_PATH")
        || n == "GPG_KEY"
        || n.ends_with("_GPG_KEY")
        || n.ends_with("_KEYS")
    {
        return false;
    }
    const SUFFIXES: &[&str] = &[
        "_TOKEN",
        "_PASSWORD",
        "_PASSWD",
        "_PASS",
        "_PWD",
        "_SECRET",
        "_SECRET_KEY",
        "_API_KEY",
        "_APIKEY",
        "_ACCESS_KEY",
        "_PRIVATE_KEY",
        "_AUTH",
        "_CREDENTIALS",
    ];
    const EXACT: &[&str] = &[
        "PASSWORD",
        "SECRET",
        "TOKEN",
        "API_KEY",
        "APIKEY",
        "AWS_SECRET_ACCESS_KEY",
        "SECRET_KEY",
    ];
    EXACT.contains(&n.as_str()) || SUFFIXES.iter().any(|s| n.ends_with(s))
}

/// Values that are references or placeholders rather than secrets.
fn placeholder_value(v: &str) -> bool {
    let v = v.trim();
    v.is_empty()
        || v.starts_with('$')
        || v.starts_with('/')
        || matches!(
            v.to_ascii_lowercase().as_str(),
            "changeme" | "none" | "null" | "true" | "false" | "<secret>"
        )
}

/// Parts of an image reference: whether it names a tag or digest, and whether that tag is `latest`.
fn unpinned_ref(r: &str) -> Option<&'static str> {
    let r = r.trim().trim_matches(['"', '\'']);
    if r.is_empty() || r.contains('$') || r.eq_ignore_ascii_case("scratch") || r.contains('@') {
        return None;
    }
    let last = r.rsplit('/').next().unwrap_or(r);
    match last.split_once(':') {
        Some((_, "latest")) => Some("latest tag"),
        Some(_) => None,
        None => Some("no tag (defaults to latest)"),
    }
}

struct Allow {
    rules: Vec<String>,
    glob: Option<GlobMatcher>,
}

/// Runs the rules. Build once; `Send + Sync`.
pub struct Checker {
    disabled: Vec<String>,
    allow: Vec<Allow>,
    secrets: bosun_secret::Scanner,
}

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker")
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

fn re(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

impl Checker {
    /// Builds a checker.
    ///
    /// # Errors
    /// A bad path glob, or the embedded secret scanner failing to build.
    pub fn new(config: Config) -> Result<Self, MisconfigError> {
        let allow = config
            .allow_rules
            .iter()
            .map(|a| {
                let glob = a
                    .path_glob
                    .as_deref()
                    .map(|g| {
                        GlobBuilder::new(g)
                            .literal_separator(true)
                            .build()
                            .map(|g| g.compile_matcher())
                            .map_err(|source| MisconfigError::Glob {
                                glob: g.to_owned(),
                                source,
                            })
                    })
                    .transpose()?;
                Ok(Allow {
                    rules: a.rule_ids.clone(),
                    glob,
                })
            })
            .collect::<Result<_, MisconfigError>>()?;
        let secrets = bosun_secret::Scanner::new(bosun_secret::Config::default())
            .map_err(MisconfigError::Secret)?;
        Ok(Self {
            disabled: config.disable_rules,
            allow,
            secrets,
        })
    }

    fn allowed(&self, id: &str, path: Option<&str>) -> bool {
        self.allow.iter().any(|a| {
            (a.rules.is_empty() || a.rules.iter().any(|r| r == id))
                && match (&a.glob, path) {
                    (None, _) => !a.rules.is_empty(),
                    (Some(g), Some(p)) => g.is_match(normalize(p)),
                    (Some(_), None) => false,
                }
        })
    }

    /// Runs every enabled rule over the facts, in rule order.
    #[must_use]
    pub fn check(&self, facts: &ImageFacts) -> Vec<Misconfiguration> {
        // Callers may list paths as `/usr/bin/sudo` or `./usr/bin/sudo`: compare them bare.
        let owned;
        let facts = if facts
            .paths
            .iter()
            .any(|p| p.starts_with('/') || p.starts_with("./"))
        {
            owned = ImageFacts {
                paths: facts
                    .paths
                    .iter()
                    .map(|p| normalize(p).to_owned())
                    .collect(),
                ..facts.clone()
            };
            &owned
        } else {
            facts
        };
        let mut out = Vec::new();
        let mut emit = |id: &str, message: String, evidence: String, path: Option<&str>| {
            if self.disabled.iter().any(|d| d == id) || self.allowed(id, path) {
                return;
            }
            let r = info(id);
            out.push(Misconfiguration {
                id: r.id.to_owned(),
                severity: r.severity,
                title: r.title.to_owned(),
                message,
                resolution: r.resolution.to_owned(),
                evidence,
            });
        };

        // 001: root user.
        let user = facts.user.trim();
        let name = user.split(':').next().unwrap_or("");
        if name.is_empty() || name == "root" || name == "0" {
            let shown = if user.is_empty() {
                "User is not set (defaults to root)".to_owned()
            } else {
                format!("User={user}")
            };
            emit(
                "BOSUN-CFG-001",
                "The image's default user is root.".to_owned(),
                shown,
                None,
            );
        }

        // 002: secrets in ENV, by name and by content.
        let by_content = self.secrets.scan_config(&facts.env, &[], &[]);
        for (i, e) in facts.env.iter().enumerate() {
            let (k, v) = e.split_once('=').unwrap_or((e.as_str(), ""));
            let named = secret_env_name(k) && !placeholder_value(v);
            let content = by_content
                .iter()
                .find(|f| f.line == i + 1)
                .filter(|_| !placeholder_value(v));
            if named || content.is_some() {
                let why = content.map_or_else(
                    || format!("ENV {k} looks like a secret by its name."),
                    |f| format!("ENV {k} holds a {} ({}).", f.title, f.rule_id),
                );
                emit(
                    "BOSUN-CFG-002",
                    why,
                    format!("{k}={}", bosun_secret::mask(v)),
                    None,
                );
            }
        }

        // 003: no healthcheck.
        match &facts.healthcheck {
            None => emit(
                "BOSUN-CFG-003",
                "The image defines no HEALTHCHECK.".to_owned(),
                "Healthcheck is not set".to_owned(),
                None,
            ),
            Some(h)
                if h.test
                    .first()
                    .is_some_and(|t| t.eq_ignore_ascii_case("NONE")) =>
            {
                emit(
                    "BOSUN-CFG-003",
                    "The image's HEALTHCHECK is disabled (NONE).".to_owned(),
                    "Healthcheck.Test=[\"NONE\"]".to_owned(),
                    None,
                )
            }
            Some(_) => {}
        }

        // 004: ADD <url> in history (classic `#(nop) ADD` and buildkit forms).
        static ADD: OnceLock<Option<Regex>> = OnceLock::new();
        if let Some(add) = re(
            &ADD,
            r"(?i)(?:^|\s|#\(nop\)\s*)ADD\s+(?:--\S+\s+)*(https?://\S+)",
        ) {
            for (i, h) in facts.history.iter().enumerate() {
                if let Some(url) = add.captures(&h.created_by).and_then(|c| c.get(1)) {
                    emit(
                        "BOSUN-CFG-004",
                        format!("history[{i}] adds a remote file from {}.", url.as_str()),
                        truncate(&h.created_by),
                        None,
                    );
                }
            }
        }

        // 005: SSH server.
        for p in ["usr/sbin/sshd", "usr/sbin/dropbear"] {
            if facts.has(p) {
                emit(
                    "BOSUN-CFG-005",
                    format!("An SSH server is installed at /{p}."),
                    format!("/{p}"),
                    Some(p),
                );
            }
        }
        if let Some(port) = facts
            .exposed_ports
            .iter()
            .find(|p| p.split('/').next() == Some("22"))
        {
            emit(
                "BOSUN-CFG-005",
                "Port 22 (SSH) is exposed.".to_owned(),
                format!("ExposedPorts {port}"),
                None,
            );
        }

        // 006: sudo.
        for p in ["usr/bin/sudo", "bin/sudo"] {
            if facts.has(p) {
                emit(
                    "BOSUN-CFG-006",
                    format!("sudo is installed at /{p}."),
                    format!("/{p}"),
                    Some(p),
                );
            }
        }

        // 007: package manager caches.
        for (dir, what, keep) in CACHES {
            let left: Vec<&str> = facts.under(dir).filter(|p| keep(p)).collect();
            if let Some(first) = left.first() {
                emit(
                    "BOSUN-CFG-007",
                    format!(
                        "{what} left in the image: {} entries under /{dir}.",
                        left.len()
                    ),
                    format!("/{first}"),
                    Some(first),
                );
            }
        }

        // 008: unpinned base in history (`FROM x`, buildkit `ARG BASE=x:latest`).
        static FROM: OnceLock<Option<Regex>> = OnceLock::new();
        static ARG: OnceLock<Option<Regex>> = OnceLock::new();
        let from = re(
            &FROM,
            r"(?i)(?:^|\s|#\(nop\)\s*)FROM\s+(?:--platform=\S+\s+)?(\S+)",
        );
        let arg = re(&ARG, r"(?i)(?:^|\s)ARG\s+\w*(?:IMAGE|BASE|FROM)\w*=(\S+)");
        for (i, h) in facts.history.iter().enumerate() {
            for text in [&h.created_by, &h.comment] {
                for r in [from, arg].into_iter().flatten() {
                    if let Some(m) = r.captures(text).and_then(|c| c.get(1))
                        && let Some(why) = unpinned_ref(m.as_str())
                    {
                        emit(
                            "BOSUN-CFG-008",
                            format!("history[{i}] builds from {} ({why}).", m.as_str()),
                            truncate(text),
                            None,
                        );
                    }
                }
            }
        }
        out
    }
}

type Keep = fn(&str) -> bool;

/// Cache directories, what they hold, and which entries count (lock files and empty
/// `partial/` directories are left by a cleaned apt too).
const CACHES: &[(&str, &str, Keep)] = &[
    (
        "var/cache/apt/archives",
        "apt package archives (.deb)",
        |p| p.ends_with(".deb"),
    ),
    ("var/lib/apt/lists", "apt package lists", |p| {
        let rest = p.trim_start_matches("var/lib/apt/lists/");
        rest != "lock"
            && rest != "partial"
            && !rest.starts_with("partial/")
            && !rest.starts_with("auxfiles")
    }),
    ("var/cache/apk", "apk package cache", |_| true),
    ("var/cache/yum", "yum cache", |_| true),
    ("var/cache/dnf", "dnf cache", |_| true),
    ("root/.cache/pip", "pip cache", |_| true),
    ("root/.npm", "npm cache", |p| {
        p.starts_with("root/.npm/_cacache")
    }),
];

fn truncate(s: &str) -> String {
    const MAX: usize = 200;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        s.chars().take(MAX).chain("...".chars()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names() {
        for n in [
            "GITHUB_TOKEN",
            "DB_PASSWORD",
            "AWS_SECRET_ACCESS_KEY",
            "APP_SECRET",
            "STRIPE_API_KEY",
        ] {
            assert!(secret_env_name(n), "{n}");
        }
        for n in [
            "PATH",
            "GPG_KEY",
            "POSTGRES_PASSWORD_FILE",
            "PYTHON_GET_PIP_SHA256",
            "TOKEN_PATH",
        ] {
            assert!(!secret_env_name(n), "{n}");
        }
    }

    #[test]
    fn refs() {
        assert_eq!(unpinned_ref("ubuntu"), Some("no tag (defaults to latest)"));
        assert_eq!(unpinned_ref("node:latest"), Some("latest tag"));
        assert_eq!(
            unpinned_ref("localhost:5000/app"),
            Some("no tag (defaults to latest)")
        );
        assert_eq!(unpinned_ref("debian:12"), None);
        assert_eq!(unpinned_ref("debian@sha256:abc"), None);
        assert_eq!(unpinned_ref("scratch"), None);
        assert_eq!(unpinned_ref("${BASE}"), None);
    }
}
