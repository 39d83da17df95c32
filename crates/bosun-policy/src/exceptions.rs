//! The exceptions file (`.bosunignore.yaml`): accepted risks, each with a reason.

use crate::Error;
use crate::purl::purl_matches;
use bosun_inventory::{Diagnostic, DiagnosticLevel, Inventory, Suppression};
use globset::{GlobBuilder, GlobMatcher};
use jiff::civil::Date;
use serde::Deserialize;

/// One exception, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionEntry {
    /// Vulnerability id or alias, secret rule id, or misconfiguration id (without case).
    pub id: String,
    /// Vulnerabilities only: the package name must be this.
    #[serde(default)]
    pub package: Option<String>,
    /// Vulnerabilities only: the package must match this purl (see [`crate::purl_matches`]:
    /// no version matches every version, qualifiers given must match).
    #[serde(default)]
    pub purl: Option<String>,
    /// A glob (`/app/**`, `**/test/*.pem`; `*` stays within one path segment): for secrets, the path where it was found; for
    /// vulnerabilities, the package's location (its database or manifest).
    #[serde(default)]
    pub path: Option<String>,
    /// Why this risk is accepted. Required.
    #[serde(default)]
    pub reason: Option<String>,
    /// The last day the exception applies (`YYYY-MM-DD`).
    #[serde(default)]
    pub expires: Option<String>,
    /// Who decided.
    #[serde(default)]
    pub by: Option<String>,
    /// Vulnerabilities only: an OpenVEX justification (`vulnerable_code_not_present`...)
    /// written into `--vex-out`.
    #[serde(default)]
    pub justification: Option<crate::VexJustification>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    vulnerabilities: Vec<ExceptionEntry>,
    #[serde(default)]
    secrets: Vec<ExceptionEntry>,
    #[serde(default)]
    misconfigurations: Vec<ExceptionEntry>,
}

#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    entry: ExceptionEntry,
    section: &'static str,
    index: usize,
    expires: Option<Date>,
    glob: Option<GlobMatcher>,
}

/// A loaded exceptions file.
#[derive(Debug, Clone)]
pub struct Exceptions {
    file: String,
    entries: Vec<Compiled>,
}

impl Exceptions {
    /// Parses an exceptions file. `file` names it in errors and in `suppressed.source`
    /// (`exceptions:FILE`).
    ///
    /// # Errors
    /// Bad YAML or an unknown key; an entry without `id` or `reason`, with a bad `expires`
    /// date or `path` glob, or with `package`/`purl`/`justification` outside
    /// `vulnerabilities` ([`Error::Entry`] names the section and 0-based index); more than
    /// [`crate::MAX_ENTRIES`] entries.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Exceptions, Error> {
        let raw: RawFile = crate::yaml(file, bytes)?;
        let total = raw.vulnerabilities.len() + raw.secrets.len() + raw.misconfigurations.len();
        if total > crate::MAX_ENTRIES {
            return Err(Error::Invalid {
                file: file.to_owned(),
                message: format!("more than {} entries", crate::MAX_ENTRIES),
            });
        }
        let mut entries = Vec::with_capacity(total);
        for (section, list) in [
            ("vulnerabilities", raw.vulnerabilities),
            ("secrets", raw.secrets),
            ("misconfigurations", raw.misconfigurations),
        ] {
            for (index, entry) in list.into_iter().enumerate() {
                let err = |message: String| Error::Entry {
                    file: file.to_owned(),
                    section,
                    index,
                    message,
                };
                if entry.id.trim().is_empty() {
                    return Err(err("empty id".into()));
                }
                if entry.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    return Err(err(format!("exception for {} has no reason", entry.id)));
                }
                if section != "vulnerabilities"
                    && (entry.package.is_some()
                        || entry.purl.is_some()
                        || entry.justification.is_some())
                {
                    return Err(err(
                        "package, purl and justification apply to vulnerabilities only".into(),
                    ));
                }
                if section == "misconfigurations" && entry.path.is_some() {
                    return Err(err("path does not apply to misconfigurations".into()));
                }
                let expires = match &entry.expires {
                    None => None,
                    Some(d) => Some(crate::parse_date(d).map_err(|e| err(e.to_string()))?),
                };
                let glob = match &entry.path {
                    None => None,
                    Some(g) => Some(
                        GlobBuilder::new(g)
                            .literal_separator(true)
                            .build()
                            .map_err(|e| err(format!("bad path glob {g:?}: {e}")))?
                            .compile_matcher(),
                    ),
                };
                entries.push(Compiled {
                    entry,
                    section,
                    index,
                    expires,
                    glob,
                });
            }
        }
        Ok(Exceptions {
            file: file.to_owned(),
            entries,
        })
    }

    /// The entries, in file order (vulnerabilities, then secrets, then misconfigurations).
    pub fn entries(&self) -> impl Iterator<Item = &ExceptionEntry> {
        self.entries.iter().map(|c| &c.entry)
    }

    /// The file name given to [`Exceptions::parse`].
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }
}

fn id_eq(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Applies exceptions to the inventory: every finding an unexpired entry matches gets
/// `suppressed` = (the entry's reason, plus ` (by WHO)`; source `exceptions:FILE`; the
/// entry's `expires`). A finding already suppressed (by an earlier file or VEX) is left as is.
///
/// An entry is expired when `today` is after its `expires` date; it suppresses nothing and
/// gives a warning ("exception for X expired on DATE (reason)"), so its findings count again.
/// An unexpired entry that matches no finding gives a warning too, to clean the file up.
pub fn apply_exceptions(inv: &mut Inventory, ex: &Exceptions, today: Date) -> Vec<Diagnostic> {
    let source = format!("exceptions:{}", ex.file);
    let mut out = Vec::new();
    for c in &ex.entries {
        let e = &c.entry;
        let expired = c.expires.is_some_and(|d| today > d);
        let reason = e.reason.clone().unwrap_or_default();
        let suppression = Suppression {
            reason: {
                let mut r = match &e.by {
                    Some(by) => format!("{reason} (by {by})"),
                    None => reason.clone(),
                };
                if let Some(j) = e.justification {
                    r.push_str(&format!(" [{}]", j.as_str()));
                }
                r
            },
            source: source.clone(),
            expires: c.expires.map(|d| d.to_string()),
        };
        let mut matched = 0usize;
        let mut apply = |slot: &mut Option<Suppression>| {
            matched += 1;
            if !expired && slot.is_none() {
                *slot = Some(suppression.clone());
            }
        };
        match c.section {
            "vulnerabilities" => {
                for v in &mut inv.vulnerabilities {
                    let id_ok = id_eq(&v.id, &e.id) || v.aliases.iter().any(|a| id_eq(a, &e.id));
                    let pkg_ok = e.package.as_deref().is_none_or(|p| p == v.package.name);
                    let purl_ok = e
                        .purl
                        .as_deref()
                        .is_none_or(|p| purl_matches(p, &v.package.purl));
                    let path_ok = c.glob.as_ref().is_none_or(|g| {
                        v.package.location.as_deref().is_some_and(|l| g.is_match(l))
                    });
                    if id_ok && pkg_ok && purl_ok && path_ok {
                        apply(&mut v.suppressed);
                    }
                }
            }
            "secrets" => {
                for s in &mut inv.secrets {
                    if id_eq(&s.rule_id, &e.id)
                        && c.glob.as_ref().is_none_or(|g| g.is_match(&s.path))
                    {
                        apply(&mut s.suppressed);
                    }
                }
            }
            _ => {
                for m in &mut inv.misconfigurations {
                    if id_eq(&m.id, &e.id) {
                        apply(&mut m.suppressed);
                    }
                }
            }
        }
        let at = format!("{}[{}]", c.section, c.index);
        if expired {
            let date = c.expires.map(|d| d.to_string()).unwrap_or_default();
            out.push(warning(
                &source,
                format!(
                    "exception for {} expired on {date} ({reason}); {matched} finding(s) count again ({at})",
                    e.id
                ),
            ));
        } else if matched == 0 {
            out.push(warning(
                &source,
                format!("exception for {} matched no finding ({at})", e.id),
            ));
        }
    }
    out
}

fn warning(source: &str, message: String) -> Diagnostic {
    Diagnostic {
        level: DiagnosticLevel::Warning,
        source: source.to_owned(),
        message,
        path: None,
        layer: None,
    }
}
