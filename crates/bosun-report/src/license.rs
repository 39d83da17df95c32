//! Sorting declared license strings into what each SBOM format can say about them.
//!
//! Package databases declare licenses loosely: an SPDX id (`MIT`), an SPDX expression
//! (`GPL-2.0-or-later OR MIT`) or a free name from a copyright file (`GPL-2+`, `BSD-like`).
//! CycloneDX and SPDX want each kind in a different place.

use std::collections::BTreeMap;

/// What a declared license string is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LicenseKind {
    /// Exactly one identifier of the SPDX license list, spelled as the list spells it.
    Id,
    /// A valid SPDX expression that is not a single listed id (compound, `WITH`, `LicenseRef-`).
    Expression,
    /// Anything else: a free-form name.
    Name,
}

pub(crate) fn classify(s: &str) -> LicenseKind {
    if spdx::license_id(s).is_some_and(|id| id.name == s) {
        LicenseKind::Id
    } else if is_expression(s) {
        LicenseKind::Expression
    } else {
        LicenseKind::Name
    }
}

/// Whether `s` is a valid SPDX license expression: the strict grammar, but deprecated ids
/// (`GPL-2.0+`, `GPL-2.0`) are still ids of the list (and `+` is SPDX's or-later
/// operator), so they are accepted.
pub(crate) fn is_expression(s: &str) -> bool {
    let mode = spdx::ParseMode {
        allow_deprecated: true,
        allow_postfix_plus_on_gpl: true,
        ..spdx::ParseMode::STRICT
    };
    !s.trim().is_empty() && spdx::Expression::parse_mode(s, mode).is_ok()
}

/// `LicenseRef-` identifiers for license names that are not SPDX expressions, one per
/// distinct name, in first-seen order of the identifiers (for `hasExtractedLicensingInfos`).
#[derive(Debug, Default)]
pub(crate) struct LicenseRefs {
    by_text: BTreeMap<String, String>,
    taken: BTreeMap<String, String>,
}

impl LicenseRefs {
    /// The `LicenseRef-` id for a free-form name; the same name always gets the same id.
    pub(crate) fn id_for(&mut self, text: &str) -> String {
        if let Some(id) = self.by_text.get(text) {
            return id.clone();
        }
        let clean: String = text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .take(64)
            .collect();
        let mut id = format!("LicenseRef-{clean}");
        if clean != text || self.taken.contains_key(&id) {
            // The name lost characters (or collides): a short hash keeps ids distinct.
            let h = crate::ids::uuid_from(&[text.as_bytes()]);
            id = format!("LicenseRef-{clean}-{}", h.get(..8).unwrap_or_default());
        }
        self.by_text.insert(text.to_owned(), id.clone());
        self.taken.insert(id.clone(), text.to_owned());
        id
    }

    /// Record a `LicenseRef-` that appears inside a valid expression, so that it too gets an
    /// extracted-licensing entry.
    pub(crate) fn note_ref_in_expression(&mut self, id: &str, expression: &str) {
        if !self.taken.contains_key(id) {
            self.taken.insert(id.to_owned(), expression.to_owned());
        }
    }

    /// `(LicenseRef id, original text)` pairs.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.taken.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// The single SPDX expression SPDX's `licenseDeclared` needs for a list of declared licenses:
/// valid expressions are kept, names become `LicenseRef-`s, several are joined with `AND`.
pub(crate) fn spdx_declared(licenses: &[String], refs: &mut LicenseRefs) -> String {
    let mut parts = Vec::with_capacity(licenses.len());
    for l in licenses {
        let part = if is_expression(l) {
            for tok in l.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
                if tok.starts_with("LicenseRef-") {
                    refs.note_ref_in_expression(tok, l);
                }
            }
            if licenses.len() > 1 && classify(l) == LicenseKind::Expression {
                format!("({})", l.trim())
            } else {
                l.trim().to_owned()
            }
        } else {
            refs.id_for(l)
        };
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    if parts.is_empty() {
        "NOASSERTION".to_owned()
    } else {
        parts.join(" AND ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_sorts_real_declarations() {
        assert_eq!(classify("MIT"), LicenseKind::Id);
        assert_eq!(classify("GPL-2.0-or-later"), LicenseKind::Id);
        assert_eq!(classify("GPL-2.0-or-later OR MIT"), LicenseKind::Expression);
        assert_eq!(
            classify("GPL-2.0-only WITH Classpath-exception-2.0"),
            LicenseKind::Expression
        );
        assert_eq!(classify("GPL-2+"), LicenseKind::Name);
        assert_eq!(classify("GPL-2.0+"), LicenseKind::Expression);
        assert_eq!(classify("BSD-like"), LicenseKind::Name);
        assert_eq!(classify("mit"), LicenseKind::Name);
        assert_eq!(classify(""), LicenseKind::Name);
    }

    #[test]
    fn declared_expression_is_valid_spdx() {
        let mut refs = LicenseRefs::default();
        let lic = ["GPL-2+", "MIT OR Apache-2.0", "BSD-like", "Zlib", "GPL-2+"].map(String::from);
        let e = spdx_declared(&lic, &mut refs);
        assert!(is_expression(&e), "{e}");
        assert_eq!(refs.entries().count(), 2);
        assert_eq!(spdx_declared(&[], &mut refs), "NOASSERTION");
    }
}
