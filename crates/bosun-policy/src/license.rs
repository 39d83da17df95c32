//! License gates over SPDX expressions, evaluated with the `spdx` crate.

use crate::policy::LicensePolicy;
use spdx::{Expression, LicenseReq, Licensee, ParseMode};

/// What a license policy says of one declared license.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LicenseVerdict {
    /// Some way of satisfying the expression uses only allowed, not denied licenses.
    Pass,
    /// Every way of satisfying the expression needs a denied license.
    Denied,
    /// The expression avoids denied licenses, but cannot be satisfied with allowed ones only.
    NotAllowed,
    /// Not an SPDX expression (even leniently parsed); the parser's message.
    Unknown(String),
}

/// Evaluates one declared license (an SPDX expression, or a name the `spdx` crate's lax mode
/// understands such as `GPL-2.0+` or `Apache 2.0`) against a license policy.
///
/// The expression is evaluated, not string-matched ([`spdx::Expression::evaluate`]): `MIT OR
/// GPL-3.0-only` passes `allow: [MIT]`, and fails `deny: [GPL-3.0-only]` only when no side
/// avoids it; `MIT AND GPL-3.0-only` fails `deny: [GPL-3.0-only]`. Each term is compared with
/// [`spdx::Licensee::satisfies`]: a denied `GPL-3.0-only` is needed by `GPL-2.0-or-later`
/// only when the crate says that licensee satisfies that requirement.
#[must_use]
pub fn evaluate_license(declared: &str, policy: &LicensePolicy) -> LicenseVerdict {
    let expr = match Expression::parse_mode(declared, ParseMode::LAX) {
        Ok(e) => e,
        Err(e) => return LicenseVerdict::Unknown(e.reason.to_string()),
    };
    let allow = licensees(&policy.allow);
    let deny = licensees(&policy.deny);
    let denied = |r: &LicenseReq| deny.iter().any(|l| l.satisfies(r));
    if !expr.evaluate(|r| !denied(r)) {
        return LicenseVerdict::Denied;
    }
    if !allow.is_empty() && !expr.evaluate(|r| !denied(r) && allow.iter().any(|l| l.satisfies(r))) {
        return LicenseVerdict::NotAllowed;
    }
    LicenseVerdict::Pass
}

/// Parses policy license ids (validated when the policy was loaded; a bad one is skipped).
pub(crate) fn licensees(ids: &[String]) -> Vec<Licensee> {
    ids.iter().filter_map(|s| parse_licensee(s).ok()).collect()
}

/// One policy license id: an SPDX license id, optionally `WITH` an exception, or a
/// `LicenseRef-...`.
pub(crate) fn parse_licensee(s: &str) -> Result<Licensee, String> {
    Licensee::parse_mode(s.trim(), ParseMode::LAX).map_err(|e| e.reason.to_string())
}
