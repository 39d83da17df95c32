//! The scanner: keyword prefilter, windowed regex matching, allow rules, masking.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::bytes::{Regex, RegexBuilder};

use crate::config::{AllowRule, Config};
use crate::mask::{mask, shannon_entropy};
use crate::rules::builtins;
use crate::{Finding, SecretError, Severity};

/// Files above this size are not scanned unless the config says otherwise (10 MiB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 << 20;

/// Built-in skip paths, by id (name an id in `disable-allow-rules` to scan them again).
/// They hold documentation, compiled or media files, and the test suites of language
/// runtimes, which ship fake keys by design; application code is never skipped.
pub const DEFAULT_SKIP_PATHS: &[(&str, &[&str])] = &[
    (
        "usr-share-docs",
        &[
            "usr/share/doc/**",
            "usr/share/man/**",
            "usr/share/info/**",
            "usr/share/locale/**",
            "usr/share/i18n/**",
            "usr/share/zoneinfo/**",
            "usr/share/common-licenses/**",
            "usr/share/licenses/**",
        ],
    ),
    (
        "compiled-and-media",
        &[
            "**/*.{pyc,pyo,class,o,a,so,mo,png,jpg,jpeg,gif,ico,webp,woff,woff2,ttf,otf,eot,pdf}",
            "**/*.{gz,tgz,xz,zst,bz2,zip,jar,war,whl,deb,rpm,apk}",
            "**/*.so.*",
        ],
    ),
    (
        "runtime-test-suites",
        &[
            "usr/lib/python3*/test/**",
            "usr/local/lib/python3*/test/**",
            "usr/local/go/src/**/testdata/**",
            "usr/local/go/src/**/*_test.go",
            "usr/lib/go-*/src/**/testdata/**",
        ],
    ),
    (
        "package-databases",
        &[
            "var/lib/dpkg/**",
            "var/lib/rpm/**",
            "var/lib/apk/**",
            "lib/apk/db/**",
        ],
    ),
    (
        "ca-certificates",
        &[
            "etc/ssl/certs/**",
            "usr/share/ca-certificates/**",
            "etc/pki/ca-trust/**",
        ],
    ),
];

/// Bytes checked for a NUL to call a file binary.
const BINARY_SNIFF: usize = 8 << 10;
/// Window searched around a keyword on one line (long minified lines stay bounded).
const LINE_BACK: usize = 1024;
const LINE_AHEAD: usize = 4096;
/// Window searched after a keyword for multi-line rules (PEM blocks).
const MULTILINE_AHEAD: usize = 64 << 10;
/// A rule with more keyword hits than this in one file is run once over the whole file.
const MAX_HITS_PER_RULE: usize = 4096;
/// At most this many findings per file (bounded output on hostile input).
const MAX_FINDINGS: usize = 1000;
/// Masked secrets longer than this are cut (PEM bodies).
const MAX_MASKED: usize = 40;

struct Allow {
    regex: Option<Regex>,
    path: Option<regex::Regex>,
    glob: Option<globset::GlobMatcher>,
    rule_ids: Vec<String>,
}

impl Allow {
    fn compile(a: &AllowRule, owner: &str) -> Result<Self, SecretError> {
        let name = a.id.clone().unwrap_or_else(|| owner.to_owned());
        let regex = a
            .regex
            .as_deref()
            .map(|r| compile(r, &name, true))
            .transpose()?;
        let path = a
            .path
            .as_deref()
            .map(|p| {
                regex::Regex::new(p).map_err(|source| SecretError::Regex {
                    rule: name.clone(),
                    source,
                })
            })
            .transpose()?;
        let glob = a
            .path_glob
            .as_deref()
            .map(|g| glob(g).map(|g| g.compile_matcher()))
            .transpose()?;
        Ok(Self {
            regex,
            path,
            glob,
            rule_ids: a.rule_ids.clone(),
        })
    }

    fn allows(&self, rule_id: &str, path: &str, secret: &[u8]) -> bool {
        if !self.rule_ids.is_empty() && !self.rule_ids.iter().any(|r| r == rule_id) {
            return false;
        }
        if self.regex.is_none() && self.path.is_none() && self.glob.is_none() {
            // An allow rule naming only rule ids drops those rules everywhere.
            return !self.rule_ids.is_empty();
        }
        let path = normalize(path);
        self.regex.as_ref().is_some_and(|r| r.is_match(secret))
            || self.path.as_ref().is_some_and(|p| p.is_match(path))
            || self.glob.as_ref().is_some_and(|g| g.is_match(path))
    }
}

struct Rule {
    id: String,
    title: String,
    severity: Severity,
    category: String,
    regex: Regex,
    /// Capture groups holding the secret, first participating wins; empty: whole match.
    groups: Vec<String>,
    entropy: Option<f64>,
    multiline: bool,
    generic: bool,
    /// Built into bosun (not a user's custom rule): documented example keys are skipped.
    builtin: bool,
    placeholder_check: bool,
    path: Option<regex::Regex>,
    allow: Vec<Allow>,
    exclude: Vec<Regex>,
}

/// The secret scanner. Build once per scan; `Send + Sync`, so share it across threads.
pub struct Scanner {
    rules: Vec<Rule>,
    prefilter: Option<AhoCorasick>,
    /// Keyword pattern index to the rules it enables.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules with no keywords: run on every file.
    always: Vec<usize>,
    allow: Vec<Allow>,
    exclude: Vec<Regex>,
    skip: GlobSet,
    max_size: u64,
}

impl std::fmt::Debug for Scanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanner")
            .field(
                "rules",
                &self.rules.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            )
            .field("max_size", &self.max_size)
            .finish_non_exhaustive()
    }
}

fn compile(re: &str, rule: &str, unicode: bool) -> Result<Regex, SecretError> {
    RegexBuilder::new(re)
        .unicode(unicode)
        .size_limit(1 << 24)
        .build()
        .map_err(|source| SecretError::Regex {
            rule: rule.to_owned(),
            source,
        })
}

fn glob(g: &str) -> Result<globset::Glob, SecretError> {
    GlobBuilder::new(g)
        .literal_separator(true)
        .build()
        .map_err(|source| SecretError::Glob {
            glob: g.to_owned(),
            source,
        })
}

/// Paths are matched without a leading `./` or `/`, as layer tar entries are named.
fn normalize(path: &str) -> &str {
    let p = path.strip_prefix("./").unwrap_or(path);
    p.trim_start_matches('/')
}

/// Values that are obviously not secrets: references, templates, placeholders.
/// Third-party dependency trees: their docs and test fixtures are full of sample credentials
/// (awscli alone ships dozens of `AKIA...EXAMPLE` keys in its `.rst` examples).
fn in_dependency_tree(path: &str) -> bool {
    const TREES: &[&str] = &[
        "site-packages/",
        "dist-packages/",
        "node_modules/",
        "/vendor/",
        "/gems/",
        "/go/pkg/mod/",
        "/.cargo/registry/",
    ];
    TREES.iter().any(|t| path.contains(t))
}

/// Documentation formats, where credentials are samples far more often than leaks.
fn is_doc(path: &str) -> bool {
    const DOCS: &[&str] = &[".md", ".rst", ".html", ".htm", ".adoc", ".pyi", ".d.ts"];
    DOCS.iter().any(|d| path.ends_with(d))
}

/// Where a built-in rule does not look: the generic assignment rule skips dependency trees and
/// docs; every built-in rule skips the docs inside dependency trees. Custom rules look
/// everywhere.
fn builtin_rule_skips(generic: bool, path: &str) -> bool {
    if generic {
        in_dependency_tree(path) || is_doc(path)
    } else {
        in_dependency_tree(path) && (is_doc(path) || is_package_sample(path))
    }
}

/// Files of a dependency that hold samples by name: API examples (botocore's
/// `examples-1.json`) and the package's README (`*.dist-info/METADATA`, `PKG-INFO`).
fn is_package_sample(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.contains("example") || name == "METADATA" || name == "PKG-INFO"
}

fn is_placeholder(secret: &[u8]) -> bool {
    let Some(&first) = secret.first() else {
        return true;
    };
    // `/run/secrets/db`: a path to a secret file, not the secret.
    if matches!(first, b'$' | b'%' | b'{' | b'<' | b'@' | b'&' | b'*' | b'/') {
        return true;
    }
    let lower = String::from_utf8_lossy(secret).to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "password",
        "passwd",
        "secret",
        "changeme",
        "change_me",
        "null",
        "none",
        "true",
        "false",
        "undefined",
        "example",
        "placeholder",
        "your_",
        "xxxx",
        "****",
        "redacted",
        "dummy",
        "os.environ",
        "getenv",
        "process.env",
        "env.",
    ];
    if WORDS.iter().any(|w| lower.contains(w)) && shannon_entropy(secret) < 3.5 {
        return true;
    }
    // `self.password`, `config.db.secret`: a reference to a variable, not a value.
    lower.contains('.')
        && lower
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'.')
}

impl Scanner {
    /// Builds a scanner from a config (`Config::default()` for the built-in rules only).
    ///
    /// # Errors
    /// When a custom rule or allow rule has a bad regex, glob, severity or group name.
    pub fn new(config: Config) -> Result<Self, SecretError> {
        let disabled = |id: &str| config.disable_rules.iter().any(|d| d == id);
        let mut rules = Vec::new();
        let mut keywords_of: Vec<Vec<String>> = Vec::new();
        for c in &config.rules {
            if disabled(&c.id) {
                continue;
            }
            let severity = match c.severity.as_deref() {
                None => Severity::Low,
                Some(s) if s.eq_ignore_ascii_case("unknown") => Severity::Low,
                Some(s) => Severity::parse(s).ok_or_else(|| SecretError::Severity {
                    rule: c.id.clone(),
                    severity: s.to_owned(),
                })?,
            };
            let regex = compile(&c.regex, &c.id, true)?;
            let groups = match &c.secret_group_name {
                Some(g) => {
                    if !regex.capture_names().flatten().any(|n| n == g) {
                        return Err(SecretError::Group {
                            rule: c.id.clone(),
                            group: g.clone(),
                        });
                    }
                    vec![g.clone()]
                }
                None => Vec::new(),
            };
            let path = c
                .path
                .as_deref()
                .map(|p| {
                    regex::Regex::new(p).map_err(|source| SecretError::Regex {
                        rule: c.id.clone(),
                        source,
                    })
                })
                .transpose()?;
            let allow = c
                .allow_rules
                .iter()
                .map(|a| Allow::compile(a, &c.id))
                .collect::<Result<_, _>>()?;
            let exclude = c
                .exclude_block
                .iter()
                .flat_map(|b| &b.regexes)
                .map(|r| compile(r, &c.id, true))
                .collect::<Result<_, _>>()?;
            rules.push(Rule {
                id: c.id.clone(),
                title: c.title.clone().unwrap_or_else(|| c.id.clone()),
                severity,
                category: c.category.clone().unwrap_or_else(|| "Custom".to_owned()),
                regex,
                groups,
                entropy: c.entropy,
                multiline: false,
                generic: false,
                builtin: false,
                placeholder_check: false,
                path,
                allow,
                exclude,
            });
            keywords_of.push(c.keywords.iter().map(|k| k.to_ascii_lowercase()).collect());
        }
        for b in builtins() {
            if disabled(b.id)
                || (!config.enable_builtin_rules.is_empty()
                    && !config.enable_builtin_rules.iter().any(|e| e == b.id))
            {
                continue;
            }
            rules.push(Rule {
                id: b.id.to_owned(),
                title: b.title.to_owned(),
                severity: b.severity,
                category: b.category.to_owned(),
                regex: compile(b.regex, b.id, false)?,
                groups: vec!["secret".to_owned(), "auth".to_owned()],
                entropy: b.entropy,
                multiline: b.multiline,
                generic: b.generic,
                builtin: true,
                placeholder_check: b.generic || b.id == "database-url-password",
                path: None,
                allow: Vec::new(),
                exclude: Vec::new(),
            });
            keywords_of.push(b.keywords.iter().map(|k| (*k).to_owned()).collect());
        }

        let mut patterns: Vec<String> = Vec::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (i, kws) in keywords_of.iter().enumerate() {
            let kws: Vec<&String> = kws.iter().filter(|k| !k.is_empty()).collect();
            if kws.is_empty() {
                always.push(i);
            }
            for k in kws {
                if let Some(p) = patterns.iter().position(|p| p == k) {
                    if let Some(v) = keyword_rules.get_mut(p) {
                        v.push(i);
                    }
                } else {
                    patterns.push(k.clone());
                    keyword_rules.push(vec![i]);
                }
            }
        }
        let prefilter = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    // A full DFA: a few hundred keywords make a small table, and it is the
                    // fastest automaton for the one pass over every byte.
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&patterns)
                    .map_err(|e| SecretError::Config(format!("keywords: {e}")))?,
            )
        };

        let allow = config
            .allow_rules
            .iter()
            .map(|a| Allow::compile(a, "allow-rule"))
            .collect::<Result<_, _>>()?;
        let exclude = config
            .exclude_block
            .iter()
            .flat_map(|b| &b.regexes)
            .map(|r| compile(r, "exclude-block", true))
            .collect::<Result<_, _>>()?;
        let mut skip = GlobSetBuilder::new();
        if !config.disable_default_skip_paths {
            for (id, globs) in DEFAULT_SKIP_PATHS {
                if config.disable_allow_rules.iter().any(|d| d == id) {
                    continue;
                }
                for g in *globs {
                    skip.add(glob(g)?);
                }
            }
        }
        for g in &config.skip_paths {
            skip.add(glob(g)?);
        }
        let skip = skip.build().map_err(|source| SecretError::Glob {
            glob: "skip-paths".to_owned(),
            source,
        })?;
        Ok(Self {
            rules,
            prefilter,
            keyword_rules,
            always,
            allow,
            exclude,
            skip,
            max_size: config.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
        })
    }

    /// Ids of the rules this scanner runs, in precedence order.
    #[must_use]
    pub fn rule_ids(&self) -> Vec<&str> {
        self.rules.iter().map(|r| r.id.as_str()).collect()
    }

    /// Whether a file is worth reading, from its path and size alone (before inflating it).
    #[must_use]
    pub fn wants(&self, path: &str, size: u64) -> bool {
        size > 0 && size <= self.max_size && !self.skip.is_match(normalize(path))
    }

    /// Scans one file's contents. Binary files (a NUL in the first 8 KiB), files over the size
    /// cap and skipped paths yield nothing.
    #[must_use]
    pub fn scan(&self, path: &str, body: &[u8]) -> Vec<Finding> {
        if !self.wants(path, body.len() as u64) {
            return Vec::new();
        }
        let sniff = body.get(..BINARY_SNIFF).unwrap_or(body);
        if sniff.contains(&0) {
            return Vec::new();
        }
        self.scan_text(path, body)
    }

    /// Scans an image config: environment (`KEY=value`), labels and history `created_by`
    /// lines. Findings carry the pseudo-paths `config:Env`, `config:Labels` (line = entry
    /// index + 1) and `config:history[i]` (i 0-based, as in the config's `history` array).
    #[must_use]
    pub fn scan_config(
        &self,
        env: &[String],
        labels: &[(String, String)],
        history_created_by: &[String],
    ) -> Vec<Finding> {
        let mut out = Vec::new();
        let env_text = env
            .iter()
            .map(|e| e.replace('\n', " "))
            .collect::<Vec<_>>()
            .join("\n");
        out.extend(self.scan_text("config:Env", env_text.as_bytes()));
        let label_text = labels
            .iter()
            .map(|(k, v)| format!("{k}={v}").replace('\n', " "))
            .collect::<Vec<_>>()
            .join("\n");
        out.extend(self.scan_text("config:Labels", label_text.as_bytes()));
        for (i, h) in history_created_by.iter().enumerate() {
            out.extend(self.scan_text(&format!("config:history[{i}]"), h.as_bytes()));
        }
        out
    }

    /// `text` with every secret the rules find replaced by its masked form, for text that a
    /// report repeats verbatim (a layer's `created_by` line, say).
    #[must_use]
    pub fn redact(&self, path: &str, text: &str) -> String {
        let mut spans: Vec<(usize, usize)> = self
            .spans(path, text.as_bytes())
            .into_iter()
            .map(|(_, s, e)| (s, e))
            .collect();
        spans.sort_unstable();
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (s, e) in spans {
            let (Some(keep), Some(secret)) = (text.get(at..s), text.get(s.max(at)..e)) else {
                continue; // overlapping or not on a char boundary: the next span covers it
            };
            out.push_str(keep);
            out.push_str(&mask(secret));
            at = e;
        }
        out.push_str(text.get(at..).unwrap_or_default());
        out
    }

    fn scan_text(&self, path: &str, body: &[u8]) -> Vec<Finding> {
        let kept = self.spans(path, body);
        // Line numbers, counted incrementally over the sorted offsets.
        let mut out = Vec::with_capacity(kept.len());
        let (mut line, mut counted, mut line_start) = (1usize, 0usize, 0usize);
        for (r, s, e) in kept {
            let Some(rule) = self.rules.get(r) else {
                continue;
            };
            for (i, &b) in body.get(counted..s).unwrap_or(&[]).iter().enumerate() {
                if b == b'\n' {
                    line += 1;
                    line_start = counted + i + 1;
                }
            }
            counted = counted.max(s);
            let secret = String::from_utf8_lossy(body.get(s..e).unwrap_or(&[]));
            let mut masked = mask(secret.trim());
            if masked.chars().count() > MAX_MASKED {
                masked = masked.chars().take(MAX_MASKED).collect();
            }
            out.push(Finding {
                rule_id: rule.id.clone(),
                title: rule.title.clone(),
                severity: rule.severity,
                category: rule.category.clone(),
                path: path.to_owned(),
                line,
                column: s.saturating_sub(line_start) + 1,
                match_masked: masked,
            });
        }
        out
    }

    /// `(rule, start, end)` of every secret in `body`, sorted by start, one per secret.
    fn spans(&self, path: &str, body: &[u8]) -> Vec<(usize, usize, usize)> {
        // Which rules can match, and where.
        let mut hits: Vec<Vec<usize>> = vec![Vec::new(); self.rules.len()];
        let mut whole: Vec<bool> = vec![false; self.rules.len()];
        for &i in &self.always {
            if let Some(w) = whole.get_mut(i) {
                *w = true;
            }
        }
        if let Some(ac) = &self.prefilter {
            for m in ac.find_overlapping_iter(body) {
                let Some(rs) = self.keyword_rules.get(m.pattern().as_usize()) else {
                    continue;
                };
                for &r in rs {
                    if let (Some(h), Some(w)) = (hits.get_mut(r), whole.get(r))
                        && !*w
                    {
                        h.push(m.start());
                    }
                }
            }
        }
        let global_excluded = excluded_ranges(&self.exclude, body);
        let mut found: Vec<(usize, usize, usize, bool)> = Vec::new(); // (rule, start, end, allowed)
        for (ri, rule) in self.rules.iter().enumerate() {
            let rule_hits = hits.get(ri).map_or(&[][..], Vec::as_slice);
            let all =
                whole.get(ri).copied().unwrap_or(false) || rule_hits.len() > MAX_HITS_PER_RULE;
            if !all && rule_hits.is_empty() {
                continue;
            }
            if rule
                .path
                .as_ref()
                .is_some_and(|p| !p.is_match(normalize(path)))
            {
                continue;
            }
            if rule.builtin && builtin_rule_skips(rule.generic, path) {
                continue;
            }
            let windows = if all {
                vec![(0, body.len())]
            } else {
                windows(body, rule_hits, rule.multiline)
            };
            let rule_excluded = excluded_ranges(&rule.exclude, body);
            for (ws, we) in windows {
                let hay = body.get(..we).unwrap_or(body);
                let mut pos = ws;
                while pos <= we && found.len() < MAX_FINDINGS * 4 {
                    let Some(caps) = rule.regex.captures_at(hay, pos) else {
                        break;
                    };
                    let Some(m) = caps.get(0) else { break };
                    pos = if m.end() > pos {
                        m.end()
                    } else {
                        pos.saturating_add(1)
                    };
                    let span = rule.groups.iter().find_map(|g| caps.name(g)).unwrap_or(m);
                    let (s, e) = (span.start(), span.end());
                    let secret = span.as_bytes();
                    if secret.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    if rule.entropy.is_some_and(|t| shannon_entropy(secret) < t) {
                        continue;
                    }
                    if rule.placeholder_check
                        && (is_placeholder(secret) || (rule.generic && looks_like_code(body, s, e)))
                    {
                        continue;
                    }
                    if inside(&global_excluded, s, e) || inside(&rule_excluded, s, e) {
                        continue;
                    }
                    // Allowed findings still take part in de-duplication below, so allowing a
                    // specific rule does not surface the generic rule on the same bytes.
                    let allowed = rule
                        .allow
                        .iter()
                        .chain(&self.allow)
                        .any(|a| a.allows(&rule.id, path, secret));
                    found.push((ri, s, e, allowed));
                }
            }
        }
        // One secret, one finding: a generic rule yields to a specific one on the same bytes,
        // and among specific rules the earlier (custom before built-in) wins on identical spans.
        found.sort_by_key(|&(r, s, _, _)| (s, r));
        let mut kept: Vec<(usize, usize, usize)> = Vec::with_capacity(found.len());
        for &(r, s, e, allowed) in &found {
            let generic = self.rules.get(r).is_some_and(|x| x.generic);
            let dup = allowed
                || found.iter().any(|&(r2, s2, e2, _)| {
                    r2 != r
                        && s2 < e
                        && s < e2
                        && self.rules.get(r2).is_some_and(|x| !x.generic)
                        && (generic || (s2 == s && e2 == e && r2 < r))
                })
                || kept.iter().any(|&(r2, s2, _)| r2 == r && s2 == s);
            if !dup {
                kept.push((r, s, e));
            }
            if kept.len() >= MAX_FINDINGS {
                break;
            }
        }
        // Inline allow comments (detect-secrets' and gitleaks' markers) on the finding's line.
        kept.retain(|&(_, s, _)| !has_inline_allow(body, s));
        kept
    }
}

/// Merged search windows around keyword hits: the hit's line (bounded), or a long stretch
/// after it for multi-line rules.
fn windows(body: &[u8], hits: &[usize], multiline: bool) -> Vec<(usize, usize)> {
    let mut w: Vec<(usize, usize)> = hits
        .iter()
        .map(|&h| {
            let back = h.saturating_sub(LINE_BACK);
            let before = body.get(back..h).unwrap_or(&[]);
            let start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(back, |p| back + p + 1);
            let end = if multiline {
                h.saturating_add(MULTILINE_AHEAD).min(body.len())
            } else {
                let ahead = h.saturating_add(LINE_AHEAD).min(body.len());
                let after = body.get(h..ahead).unwrap_or(&[]);
                after
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(ahead, |p| h + p)
            };
            (start, end)
        })
        .collect();
    w.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(w.len());
    for (s, e) in w {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

/// A generic assignment whose value is code rather than a literal: a URL (the URL rule owns
/// those), a function call, or an unquoted word without digits (an identifier, a type, an
/// enum name). Quoted words stay: `secret = 'notHighEnoughEntropy'` is a real finding.
fn looks_like_code(body: &[u8], s: usize, e: usize) -> bool {
    let secret = body.get(s..e).unwrap_or(&[]);
    if secret.windows(3).any(|w| w == b"://") {
        return true;
    }
    if body.get(e) == Some(&b'(') {
        return true;
    }
    // `urn:ietf:params:oauth:...`, `projects/x/secrets`, `module.attr`: names and paths.
    if !secret.iter().any(u8::is_ascii_digit)
        && secret.iter().any(|b| matches!(b, b'/' | b':' | b'.'))
    {
        return true;
    }
    // `quoted-string`, `MAX_RETRIES`: single-case words are names, not secrets.
    let letters = || secret.iter().filter(|b| b.is_ascii_alphabetic());
    if !secret.iter().any(u8::is_ascii_digit)
        && (letters().all(u8::is_ascii_lowercase) || letters().all(u8::is_ascii_uppercase))
    {
        return true;
    }
    let quoted = s
        .checked_sub(1)
        .and_then(|i| body.get(i))
        .is_some_and(|b| matches!(b, b'\'' | b'"' | b'`'));
    !quoted
        && secret
            .iter()
            .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'.' | b'-'))
}

/// Markers that silence a finding on their line.
const INLINE_ALLOW: &[&str] = &[
    "pragma: allowlist secret",
    "gitleaks:allow",
    "trivy:ignore:secret",
];

fn has_inline_allow(body: &[u8], at: usize) -> bool {
    let back = at.saturating_sub(LINE_BACK);
    let start = body
        .get(back..at)
        .unwrap_or(&[])
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(back, |p| back + p + 1);
    let ahead = at.saturating_add(LINE_AHEAD).min(body.len());
    let end = body
        .get(at..ahead)
        .unwrap_or(&[])
        .iter()
        .position(|&b| b == b'\n')
        .map_or(ahead, |p| at + p);
    let line = String::from_utf8_lossy(body.get(start..end).unwrap_or(&[])).to_ascii_lowercase();
    INLINE_ALLOW.iter().any(|m| line.contains(m))
}

fn excluded_ranges(res: &[Regex], body: &[u8]) -> Vec<(usize, usize)> {
    res.iter()
        .flat_map(|r| {
            r.find_iter(body)
                .map(|m| (m.start(), m.end()))
                .take(MAX_FINDINGS)
        })
        .collect()
}

fn inside(ranges: &[(usize, usize)], s: usize, e: usize) -> bool {
    ranges.iter().any(|&(a, b)| a <= s && e <= b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn scanner_is_send_and_sync() {
        assert_send_sync::<Scanner>();
    }
}
