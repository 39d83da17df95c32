//! The policy file and its evaluation into violations.

use crate::Error;
use crate::license::{LicenseVerdict, evaluate_license, parse_licensee};
use bosun_inventory::vuln::Status;
use bosun_inventory::{Inventory, LayerRef, Severity};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// What a yes/no gate does when it finds something.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gate {
    /// Not checked (the default).
    #[default]
    Ignore,
    /// Reported as a warning; the scan passes.
    Warn,
    /// Reported; the scan fails.
    Fail,
}

/// What to do with a declared license that is not an SPDX expression.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnknownLicense {
    /// Accept it silently.
    Allow,
    /// Report a warning (the default).
    #[default]
    Warn,
    /// Fail the scan.
    Deny,
}

/// The license gate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LicensePolicy {
    /// When not empty, every declared expression must be satisfiable with these licenses.
    pub allow: Vec<String>,
    /// An expression fails when every way to satisfy it needs one of these.
    pub deny: Vec<String>,
    /// What a license that is not an SPDX expression does.
    pub unknown: UnknownLicense,
}

/// One approved base image.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovedBase {
    /// Repository (`debian`, `docker.io/library/debian`, `cgr.dev/chainguard/static`).
    /// `docker.io/`, `index.docker.io/` and `library/` prefixes are ignored when comparing.
    pub repository: String,
    /// When given, the base must have exactly this digest (`sha256:...`).
    #[serde(default)]
    pub digest: Option<String>,
}

/// A policy: the gates a scan must pass. See `POLICY.md`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// Vulnerabilities of this severity or above fail.
    pub fail_on: Option<Severity>,
    /// `fail_on` counts only findings with a fix (status `fixed` or a fixed version known).
    pub fixable_only: bool,
    /// Vulnerability ids that fail whatever their severity (matched against id and aliases,
    /// without case).
    pub deny: Vec<String>,
    /// Findings listed in CISA KEV.
    pub kev: Gate,
    /// The license gate, if any.
    pub licenses: Option<LicensePolicy>,
    /// Secrets found in any layer or in the config.
    pub secrets: Gate,
    /// An image whose config runs as root.
    pub root_user: Gate,
    /// Images older than this many days fail.
    pub max_image_age_days: Option<u32>,
    /// When not empty, the image's base must be one of these.
    pub approved_base_images: Vec<ApprovedBase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    version: Option<u32>,
    #[serde(default)]
    fail_on: Option<String>,
    #[serde(default)]
    fixable_only: bool,
    #[serde(default)]
    deny: Vec<String>,
    #[serde(default)]
    kev: Gate,
    #[serde(default)]
    licenses: Option<LicensePolicy>,
    #[serde(default)]
    secrets: Gate,
    #[serde(default)]
    root_user: Gate,
    #[serde(default)]
    max_image_age_days: Option<u32>,
    #[serde(default)]
    approved_base_images: Vec<ApprovedBase>,
}

impl Policy {
    /// Parses a policy file (YAML). `file` names it in errors.
    ///
    /// # Errors
    /// Bad YAML, an unknown key, an unknown severity, a license id the `spdx` crate does not
    /// know, an empty repository, more than [`crate::MAX_ENTRIES`] list items.
    pub fn parse(file: &str, bytes: &[u8]) -> Result<Policy, Error> {
        let raw: RawPolicy = crate::yaml(file, bytes)?;
        let invalid = |message: String| Error::Invalid {
            file: file.to_owned(),
            message,
        };
        if let Some(v) = raw.version
            && v != 1
        {
            return Err(invalid(format!(
                "unsupported policy version {v} (bosun reads 1)"
            )));
        }
        let fail_on = match raw.fail_on.as_deref() {
            None => None,
            Some(w) => Some(Severity::from_word(w).ok_or_else(|| {
                invalid(format!(
                    "fail_on: unknown severity {w:?} (CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN)"
                ))
            })?),
        };
        let count = raw.deny.len()
            + raw.approved_base_images.len()
            + raw
                .licenses
                .as_ref()
                .map_or(0, |l| l.allow.len() + l.deny.len());
        if count > crate::MAX_ENTRIES {
            return Err(invalid(format!("more than {} entries", crate::MAX_ENTRIES)));
        }
        if let Some(l) = &raw.licenses {
            for (key, list) in [("allow", &l.allow), ("deny", &l.deny)] {
                for (i, id) in list.iter().enumerate() {
                    parse_licensee(id).map_err(|e| {
                        invalid(format!(
                            "licenses.{key}[{i}]: {id:?} is not an SPDX license: {e}"
                        ))
                    })?;
                }
            }
        }
        for (i, b) in raw.approved_base_images.iter().enumerate() {
            if b.repository.trim().is_empty() {
                return Err(invalid(format!(
                    "approved_base_images[{i}]: empty repository"
                )));
            }
        }
        Ok(Policy {
            fail_on,
            fixable_only: raw.fixable_only,
            deny: raw.deny,
            kev: raw.kev,
            licenses: raw.licenses,
            secrets: raw.secrets,
            root_user: raw.root_user,
            max_image_age_days: raw.max_image_age_days,
            approved_base_images: raw.approved_base_images,
        })
    }
}

/// The base image of the scanned image, once identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BaseImage<'a> {
    /// Repository (`docker.io/library/debian`).
    pub repository: &'a str,
    /// Digest, when known.
    pub digest: Option<&'a str>,
}

/// What evaluation needs besides the inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context<'a> {
    /// Today's date (UTC): image age is counted to it.
    pub today: Date,
    /// The image config's `created` (RFC 3339), when known. The inventory does not carry it
    /// yet.
    pub created: Option<&'a str>,
    /// The base image, when identified.
    pub base: Option<BaseImage<'a>>,
    /// Whether the image runs as root, when the caller knows; `None` reads the inventory's
    /// `BOSUN-CFG-001` misconfiguration.
    pub root_user: Option<bool>,
}

/// Which gate a violation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Rule {
    /// `fail_on` (with `fixable_only`).
    #[serde(rename = "fail_on")]
    FailOn,
    /// `deny`: a listed vulnerability id.
    #[serde(rename = "deny")]
    Deny,
    /// `kev`.
    #[serde(rename = "kev")]
    Kev,
    /// `licenses.deny`.
    #[serde(rename = "licenses.deny")]
    LicenseDenied,
    /// `licenses.allow`.
    #[serde(rename = "licenses.allow")]
    LicenseNotAllowed,
    /// `licenses.unknown`.
    #[serde(rename = "licenses.unknown")]
    LicenseUnknown,
    /// `secrets`.
    #[serde(rename = "secrets")]
    Secrets,
    /// `root_user`.
    #[serde(rename = "root_user")]
    RootUser,
    /// `max_image_age_days`.
    #[serde(rename = "max_image_age_days")]
    MaxImageAge,
    /// `approved_base_images`.
    #[serde(rename = "approved_base_images")]
    ApprovedBase,
}

impl Rule {
    /// The policy key (`fail_on`, `licenses.deny`...).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::FailOn => "fail_on",
            Rule::Deny => "deny",
            Rule::Kev => "kev",
            Rule::LicenseDenied => "licenses.deny",
            Rule::LicenseNotAllowed => "licenses.allow",
            Rule::LicenseUnknown => "licenses.unknown",
            Rule::Secrets => "secrets",
            Rule::RootUser => "root_user",
            Rule::MaxImageAge => "max_image_age_days",
            Rule::ApprovedBase => "approved_base_images",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a violation fails the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ViolationLevel {
    /// Reported; the scan passes.
    Warn,
    /// The scan fails (exit code 1).
    Fail,
}

/// What a violation is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    /// A vulnerability in a package.
    Vulnerability {
        /// The finding's id.
        id: String,
        /// Package name.
        package: String,
        /// Installed version.
        version: String,
        /// Package URL.
        purl: String,
    },
    /// A declared license of a package.
    License {
        /// The declared expression, as written.
        expression: String,
        /// Package name.
        package: String,
        /// Package version.
        version: String,
        /// Package URL.
        purl: String,
    },
    /// A secret.
    Secret {
        /// Rule id.
        rule_id: String,
        /// Path in the image or `config:...`.
        path: String,
        /// 1-based line.
        line: usize,
    },
    /// A configuration finding.
    Misconfiguration {
        /// Rule id (`BOSUN-CFG-001`).
        id: String,
        /// Its evidence.
        evidence: String,
    },
    /// The image as a whole (age, base).
    Image {
        /// What was looked at (`created 2024-01-02T...`, `base debian@sha256:...`).
        subject: String,
    },
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Vulnerability {
                id,
                package,
                version,
                ..
            } => write!(f, "{id} in {package}@{version}"),
            Finding::License {
                expression,
                package,
                version,
                ..
            } => write!(f, "license {expression:?} of {package}@{version}"),
            Finding::Secret {
                rule_id,
                path,
                line,
            } => write!(f, "secret {rule_id} at {path}:{line}"),
            Finding::Misconfiguration { id, evidence } => write!(f, "{id} ({evidence})"),
            Finding::Image { subject } => f.write_str(subject),
        }
    }
}

/// One gate a scan does not pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The gate.
    pub rule: Rule,
    /// Fail or warn.
    pub level: ViolationLevel,
    /// What it is about.
    pub finding: Finding,
    /// The layer that brought it, where one did (`None` for the image config and the image
    /// as a whole).
    pub layer: Option<LayerRef>,
    /// One line for people.
    pub message: String,
}

/// Whether any violation fails the scan.
#[must_use]
pub fn gate_fails(violations: &[Violation]) -> bool {
    violations.iter().any(|v| v.level == ViolationLevel::Fail)
}

fn level(g: Gate) -> Option<ViolationLevel> {
    match g {
        Gate::Ignore => None,
        Gate::Warn => Some(ViolationLevel::Warn),
        Gate::Fail => Some(ViolationLevel::Fail),
    }
}

/// Evaluates every gate of `policy` over `inv`. Suppressed findings never count. Violations
/// come in inventory order, vulnerabilities first, then licenses, secrets, configuration
/// and the image as a whole; one finding may break several gates.
#[must_use]
pub fn evaluate(inv: &Inventory, policy: &Policy, ctx: &Context<'_>) -> Vec<Violation> {
    let mut out = Vec::new();
    vulnerabilities(inv, policy, &mut out);
    if let Some(lp) = &policy.licenses {
        licenses(inv, lp, &mut out);
    }
    if let Some(lv) = level(policy.secrets) {
        for s in inv.secrets.iter().filter(|s| s.suppressed.is_none()) {
            let gone = if s.in_final {
                ""
            } else {
                " (deleted by a later layer, still in the image)"
            };
            out.push(Violation {
                rule: Rule::Secrets,
                level: lv,
                finding: Finding::Secret {
                    rule_id: s.rule_id.clone(),
                    path: s.path.clone(),
                    line: s.line,
                },
                layer: s.layer.clone(),
                message: format!(
                    "{} secret {} at {}:{}{gone}",
                    s.severity, s.rule_id, s.path, s.line
                ),
            });
        }
    }
    if let Some(lv) = level(policy.root_user) {
        root_user(inv, ctx, lv, &mut out);
    }
    if let Some(max) = policy.max_image_age_days {
        image_age(ctx, max, &mut out);
    }
    if !policy.approved_base_images.is_empty() {
        base_image(ctx, &policy.approved_base_images, &mut out);
    }
    out
}

fn vulnerabilities(inv: &Inventory, policy: &Policy, out: &mut Vec<Violation>) {
    let kev = level(policy.kev);
    for v in inv
        .vulnerabilities
        .iter()
        .filter(|v| v.suppressed.is_none())
    {
        let finding = || Finding::Vulnerability {
            id: v.id.clone(),
            package: v.package.name.clone(),
            version: v.package.version.clone(),
            purl: v.package.purl.clone(),
        };
        let what = format!("{} in {}@{}", v.id, v.package.name, v.package.version);
        let mut push = |rule, level, message| {
            out.push(Violation {
                rule,
                level,
                finding: finding(),
                layer: Some(v.layer.clone()),
                message,
            });
        };
        if let Some(d) = policy.deny.iter().find(|d| {
            v.id.eq_ignore_ascii_case(d.trim())
                || v.aliases.iter().any(|a| a.eq_ignore_ascii_case(d.trim()))
        }) {
            push(
                Rule::Deny,
                ViolationLevel::Fail,
                format!("{what} is on the deny list ({d})"),
            );
        }
        if let (Some(lv), Some(k)) = (kev, &v.kev) {
            push(
                Rule::Kev,
                lv,
                format!(
                    "{what} is known exploited ({} in CISA KEV since {})",
                    k.cve, k.date_added
                ),
            );
        }
        if let Some(min) = policy.fail_on
            && v.severity >= min
        {
            let fixable = v.status == Status::Fixed || !v.fixed_versions.is_empty();
            if fixable || !policy.fixable_only {
                let fix = match v.fixed_versions.first() {
                    Some(f) => format!(", fixed in {f}"),
                    None => ", no fix".to_owned(),
                };
                push(
                    Rule::FailOn,
                    ViolationLevel::Fail,
                    format!("{what} is {} (fail_on {min}{fix})", v.severity),
                );
            }
        }
    }
}

fn licenses(inv: &Inventory, lp: &LicensePolicy, out: &mut Vec<Violation>) {
    for p in &inv.packages {
        let mut seen = BTreeSet::new();
        for declared in &p.licenses {
            if declared.trim().is_empty() || !seen.insert(declared.as_str()) {
                continue;
            }
            let (rule, level, why) = match evaluate_license(declared, lp) {
                LicenseVerdict::Pass => continue,
                LicenseVerdict::Denied => (
                    Rule::LicenseDenied,
                    ViolationLevel::Fail,
                    "needs a denied license whichever way it is satisfied".to_owned(),
                ),
                LicenseVerdict::NotAllowed => (
                    Rule::LicenseNotAllowed,
                    ViolationLevel::Fail,
                    "cannot be satisfied with allowed licenses only".to_owned(),
                ),
                LicenseVerdict::Unknown(e) => match lp.unknown {
                    UnknownLicense::Allow => continue,
                    UnknownLicense::Warn => (
                        Rule::LicenseUnknown,
                        ViolationLevel::Warn,
                        format!("is an unknown license ({e})"),
                    ),
                    UnknownLicense::Deny => (
                        Rule::LicenseUnknown,
                        ViolationLevel::Fail,
                        format!("is an unknown license ({e})"),
                    ),
                },
            };
            out.push(Violation {
                rule,
                level,
                finding: Finding::License {
                    expression: declared.clone(),
                    package: p.name.clone(),
                    version: p.version.clone(),
                    purl: p.purl.clone(),
                },
                layer: Some(p.layer.clone()),
                message: format!("license {declared:?} of {}@{} {why}", p.name, p.version),
            });
        }
    }
}

/// Misconfiguration id of "image runs as root".
const ROOT_RULE: &str = "BOSUN-CFG-001";

fn root_user(inv: &Inventory, ctx: &Context<'_>, lv: ViolationLevel, out: &mut Vec<Violation>) {
    match ctx.root_user {
        Some(false) => {}
        Some(true) => out.push(Violation {
            rule: Rule::RootUser,
            level: lv,
            finding: Finding::Image {
                subject: "config User".into(),
            },
            layer: None,
            message: "the image runs as root".into(),
        }),
        None => {
            for m in inv
                .misconfigurations
                .iter()
                .filter(|m| m.id == ROOT_RULE && m.suppressed.is_none())
            {
                out.push(Violation {
                    rule: Rule::RootUser,
                    level: lv,
                    finding: Finding::Misconfiguration {
                        id: m.id.clone(),
                        evidence: m.evidence.clone(),
                    },
                    layer: None,
                    message: format!("the image runs as root ({})", m.message),
                });
            }
        }
    }
}

fn image_age(ctx: &Context<'_>, max: u32, out: &mut Vec<Violation>) {
    let warn = |subject: String, message: String| Violation {
        rule: Rule::MaxImageAge,
        level: ViolationLevel::Warn,
        finding: Finding::Image { subject },
        layer: None,
        message,
    };
    let Some(created) = ctx.created else {
        out.push(warn(
            "created".into(),
            format!("image age not checked (max {max} days): the creation time is unknown"),
        ));
        return;
    };
    let ts = match created.trim().parse::<jiff::Timestamp>() {
        Ok(t) => t,
        Err(e) => {
            out.push(warn(
                format!("created {created}"),
                format!("image age not checked: creation time {created:?} is not RFC 3339 ({e})"),
            ));
            return;
        }
    };
    let day = ts.to_zoned(jiff::tz::TimeZone::UTC).date();
    let age = match day.until((jiff::Unit::Day, ctx.today)) {
        Ok(span) => i64::from(span.get_days()),
        Err(_) => return,
    };
    if age > i64::from(max) {
        out.push(Violation {
            rule: Rule::MaxImageAge,
            level: ViolationLevel::Fail,
            finding: Finding::Image {
                subject: format!("created {created}"),
            },
            layer: None,
            message: format!("the image is {age} days old (created {day}), more than {max}"),
        });
    }
}

/// `docker.io/library/debian` and `debian` compare equal; case is ignored.
fn normalize_repo(r: &str) -> String {
    let r = r.trim().to_ascii_lowercase();
    let r = r
        .strip_prefix("index.docker.io/")
        .or_else(|| r.strip_prefix("registry-1.docker.io/"))
        .or_else(|| r.strip_prefix("docker.io/"))
        .unwrap_or(&r);
    r.strip_prefix("library/").unwrap_or(r).to_owned()
}

fn base_image(ctx: &Context<'_>, approved: &[ApprovedBase], out: &mut Vec<Violation>) {
    let Some(base) = ctx.base else {
        out.push(Violation {
            rule: Rule::ApprovedBase,
            level: ViolationLevel::Warn,
            finding: Finding::Image {
                subject: "base image".into(),
            },
            layer: None,
            message: "base image not checked: it was not identified".into(),
        });
        return;
    };
    let repo = normalize_repo(base.repository);
    let ok = approved.iter().any(|a| {
        normalize_repo(&a.repository) == repo
            && match (&a.digest, base.digest) {
                (None, _) => true,
                (Some(want), Some(got)) => want.trim().eq_ignore_ascii_case(got.trim()),
                (Some(_), None) => false,
            }
    });
    if !ok {
        let subject = match base.digest {
            Some(d) => format!("base {}@{d}", base.repository),
            None => format!("base {}", base.repository),
        };
        out.push(Violation {
            rule: Rule::ApprovedBase,
            level: ViolationLevel::Fail,
            message: format!("{subject} is not an approved base image"),
            finding: Finding::Image { subject },
            layer: None,
        });
    }
}
