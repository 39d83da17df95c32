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

/// How declared licenses are parsed: SPDX expressions, plus `/` as `OR`, `GPL-2.0+` and
/// deprecated ids (`GPL-2.0`). Imprecise names (`BSD`, `Apache 2`) are not guessed: the
/// `spdx` crate's lax mode would read `BSD` as `BSD-2-Clause`, a guess a gate must not make;
/// they are unknown licenses.
const MODE: ParseMode = ParseMode {
    allow_slash_as_or_operator: true,
    allow_imprecise_license_names: false,
    allow_postfix_plus_on_gpl: true,
    allow_deprecated: true,
    allow_unknown: false,
};

/// Evaluates one declared license (an SPDX expression; see `POLICY.md` for what is accepted)
/// against a license policy.
///
/// The expression is evaluated, not string-matched ([`spdx::Expression::evaluate`]): `MIT OR
/// GPL-3.0-only` passes `allow: [MIT]`, and fails `deny: [GPL-3.0-only]` only when no side
/// avoids it; `MIT AND GPL-3.0-only` fails `deny: [GPL-3.0-only]`. Each term is compared with
/// [`spdx::Licensee::satisfies`]. The crate reads `GPL-2.0-or-later` (and `GPL-2.0+`) as a
/// license id of its own, not as "2.0 or any later version": `deny: [GPL-3.0-only]` does not
/// deny it, and `allow: [GPL-2.0-only]` does not allow it (list `GPL-2.0-or-later` itself).
#[must_use]
pub fn evaluate_license(declared: &str, policy: &LicensePolicy) -> LicenseVerdict {
    let expr = match Expression::parse_mode(declared, MODE) {
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
    Licensee::parse_mode(s.trim(), MODE).map_err(|e| e.reason.to_string())
}
