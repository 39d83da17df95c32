//! Gates, exceptions and VEX: what decides whether a scan fails, and which findings do not
//! count.
//!
//! This crate owns four things, all over a [`bosun_inventory::Inventory`]:
//!
//! - **Policy** ([`Policy`], `POLICY.md`): a YAML file of gates (`fail_on`, `deny`, `kev`,
//!   `licenses`, `secrets`, `root_user`, `max_image_age_days`, `approved_base_images`),
//!   evaluated by [`evaluate`] into [`Violation`]s. Suppressed findings never count.
//! - **Exceptions** ([`Exceptions`], `.bosunignore.yaml`): accepted risks with a required
//!   reason and an optional expiry date, applied by [`apply_exceptions`], which sets the
//!   findings' `suppressed` field. An expired exception no longer suppresses and warns.
//! - **VEX in** ([`Vex`]): OpenVEX, CycloneDX VEX and CSAF VEX documents, applied by
//!   [`apply_vex`]: `not_affected` and `fixed` suppress the named vulnerability in the named
//!   packages only.
//! - **VEX out** ([`openvex_document`]): an OpenVEX 0.2.0 document with one statement per
//!   vulnerability finding.
//!
//! Every parser bounds its input and has a fuzz entry point in [`fuzz`]. Nothing here reads
//! files: callers pass bytes and a display name (used in messages and in
//! `suppressed.source`).
//!
//! The order a scan uses: exceptions, then VEX (each file in turn), then the policy.
//!
//! ```
//! use bosun_inventory::Inventory;
//! use bosun_policy::{Context, Exceptions, Policy, Vex, apply_exceptions, apply_vex, evaluate, gate_fails};
//!
//! # fn main() -> Result<(), bosun_policy::Error> {
//! let mut inv = Inventory::default(); // from the scan and the matcher
//! let today = bosun_policy::parse_date("2026-11-28")?;
//! let mut warnings = Vec::new();
//!
//! let ignore = Exceptions::parse(".bosunignore.yaml", b"secrets:\n  - id: private-key\n    reason: test key\n")?;
//! warnings.extend(apply_exceptions(&mut inv, &ignore, today));
//!
//! let vex = Vex::parse("vendor.vex.json", br#"{"@context": "https://openvex.dev/ns/v0.2.0",
//!     "statements": [{"vulnerability": {"name": "CVE-2024-0001"},
//!     "products": [{"@id": "pkg:deb/debian/openssl"}], "status": "fixed"}]}"#)?;
//! warnings.extend(apply_vex(&mut inv, &vex));
//!
//! let policy = Policy::parse("policy.yaml", b"fail_on: HIGH\nsecrets: fail\n")?;
//! let ctx = Context { today, created: None, base: None, root_user: None };
//! let violations = evaluate(&inv, &policy, &ctx);
//! assert!(!gate_fails(&violations)); // exit code 1 when it does
//! // The secret exception matched nothing in this empty inventory: a clean-up warning.
//! assert_eq!(warnings.len(), 2);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod error;
mod exceptions;
pub mod fuzz;
mod license;
mod policy;
mod purl;
mod vex;
mod vex_out;

pub use error::Error;
pub use exceptions::{ExceptionEntry, Exceptions, apply_exceptions};
pub use jiff::civil::Date;
pub use license::{LicenseVerdict, evaluate_license};
pub use policy::{
    ApprovedBase, BaseImage, Context, Finding, Gate, LicensePolicy, Policy, Rule, UnknownLicense,
    Violation, ViolationLevel, evaluate, gate_fails,
};
pub use purl::purl_matches;
pub use vex::{Vex, VexFormat, VexJustification, VexStatement, VexStatus, VexTarget, apply_vex};
pub use vex_out::openvex_document;

/// The exceptions file read from the current directory when none is named.
pub const DEFAULT_IGNOREFILE: &str = ".bosunignore.yaml";

/// Largest policy or exceptions file read (1 MiB).
pub const MAX_YAML_BYTES: usize = 1 << 20;
/// Largest VEX document read (64 MiB).
pub const MAX_VEX_BYTES: usize = 64 << 20;
/// Most entries (exceptions, VEX statements, list items) one file may hold.
pub const MAX_ENTRIES: usize = 100_000;

/// Parses `YYYY-MM-DD`.
///
/// # Errors
/// [`Error::Date`] when the text is not a calendar date.
pub fn parse_date(s: &str) -> Result<Date, Error> {
    s.trim().parse::<Date>().map_err(|e| Error::Date {
        value: s.to_owned(),
        message: e.to_string(),
    })
}

pub(crate) fn yaml<T: serde::de::DeserializeOwned>(file: &str, bytes: &[u8]) -> Result<T, Error> {
    if bytes.len() > MAX_YAML_BYTES {
        return Err(Error::TooLarge {
            file: file.to_owned(),
            limit: MAX_YAML_BYTES,
        });
    }
    let s = std::str::from_utf8(bytes).map_err(|_| Error::Syntax {
        file: file.to_owned(),
        message: "not UTF-8".into(),
    })?;
    let mut options = serde_saphyr::Options::default();
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = 64;
    options.budget = Some(budget);
    serde_saphyr::from_str_with_options(s, options).map_err(|e| Error::Syntax {
        file: file.to_owned(),
        message: e.to_string(),
    })
}
