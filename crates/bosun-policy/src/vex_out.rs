//! VEX out: an OpenVEX 0.2.0 document from an inventory's vulnerability findings.

use crate::vex::{VexJustification, VexStatus};
use bosun_inventory::{Inventory, Vulnerability};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// The OpenVEX context of the documents written.
const CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

/// Builds an OpenVEX 0.2.0 document with one statement per vulnerability finding (findings
/// that would give identical statements are written once):
///
/// - suppressed by VEX: the status, justification and impact statement it came with
///   (`not_affected`, `fixed`);
/// - suppressed by an exception (`exceptions:FILE`): `not_affected`, the reason as impact
///   statement, and the entry's `justification` when it has one;
/// - suppressed otherwise (`--ignore-unfixed`...): `affected`, the action statement naming
///   the suppression;
/// - not suppressed: `affected`, with an action statement (the fixed version, or "no fix").
///
/// The product is the image (`pkg:oci/NAME@DIGEST`, with the package as subcomponent) when
/// the inventory knows its manifest digest or image id, else the package itself. `@id` is
/// `urn:bosun:vex:sha256:HEX` over the statements, author and timestamp. `timestamp` must be
/// RFC 3339. Findings whose package has no purl are left out. An inventory without any
/// finding gives an empty `statements` array, which the OpenVEX schema rejects (it needs one
/// statement): callers should not write such a document.
#[must_use]
pub fn openvex_document(inv: &Inventory, author: &str, timestamp: &str) -> Value {
    let image = image_purl(inv);
    let mut seen = BTreeSet::new();
    let mut statements = Vec::new();
    for v in inv
        .vulnerabilities
        .iter()
        .filter(|v| !v.package.purl.is_empty())
    {
        let st = statement(v, image.as_deref());
        if seen.insert(st.to_string()) {
            statements.push(st);
        }
    }
    let mut h = Sha256::new();
    for part in [author, timestamp] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    for st in &statements {
        h.update(st.to_string().as_bytes());
    }
    json!({
        "@context": CONTEXT,
        "@id": format!("urn:bosun:vex:sha256:{}", hex::encode(h.finalize())),
        "author": author,
        "timestamp": timestamp,
        "version": 1,
        "tooling": concat!("bosun ", env!("CARGO_PKG_VERSION")),
        "statements": statements,
    })
}

/// `pkg:oci/NAME@DIGEST` of the scanned image, when its digest is known.
fn image_purl(inv: &Inventory) -> Option<String> {
    let digest = inv
        .source
        .manifest_digest
        .as_ref()
        .or(inv.source.image_id.as_ref())?;
    let name = inv
        .source
        .repo_tags
        .first()
        .map(|t| {
            let r = t.rsplit('/').next().unwrap_or(t);
            r.split_once(':').map_or(r, |(a, _)| a).to_ascii_lowercase()
        })
        .filter(|n| {
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        })
        .unwrap_or_else(|| "image".to_owned());
    Some(format!("pkg:oci/{name}@{}", digest.replace(':', "%3A")))
}

/// Splits a VEX suppression reason `STATUS[ (JUSTIFICATION)][: IMPACT]`.
fn parse_vex_reason(r: &str) -> (VexStatus, Option<VexJustification>, Option<String>) {
    let (head, impact) = match r.split_once(": ") {
        Some((h, i)) => (h, Some(i.to_owned())),
        None => (r, None),
    };
    let (word, just) = match head.split_once(" (") {
        Some((w, j)) => (w, VexJustification::from_word(j.trim_end_matches(')'))),
        None => (head, None),
    };
    (
        VexStatus::from_word(word.trim()).unwrap_or(VexStatus::NotAffected),
        just,
        impact,
    )
}

/// Splits an exception reason `REASON[ [JUSTIFICATION]]`.
fn parse_exception_reason(r: &str) -> (String, Option<VexJustification>) {
    if let Some(rest) = r.strip_suffix(']')
        && let Some((text, j)) = rest.rsplit_once(" [")
        && let Some(j) = VexJustification::from_word(j)
    {
        return (text.to_owned(), Some(j));
    }
    (r.to_owned(), None)
}

fn statement(v: &Vulnerability, image: Option<&str>) -> Value {
    let mut vuln = Map::new();
    vuln.insert("name".into(), json!(v.id));
    let aliases: BTreeSet<&str> = v
        .aliases
        .iter()
        .map(String::as_str)
        .filter(|a| *a != v.id)
        .collect();
    if !aliases.is_empty() {
        vuln.insert("aliases".into(), json!(aliases));
    }
    let product = match image {
        Some(img) => json!({ "@id": img, "subcomponents": [ { "@id": v.package.purl } ] }),
        None => json!({ "@id": v.package.purl }),
    };
    let mut st = Map::new();
    st.insert("vulnerability".into(), Value::Object(vuln));
    st.insert("products".into(), json!([product]));
    let affected_action = || match v.fixed_versions.first() {
        Some(f) => format!("Update {} to {f} or later", v.package.name),
        None => format!(
            "No fix is available for {} yet; mitigate or accept the risk",
            v.package.name
        ),
    };
    let mut set = |status: VexStatus,
                   just: Option<VexJustification>,
                   impact: Option<String>,
                   action: Option<String>| {
        st.insert("status".into(), json!(status.as_str()));
        if let Some(j) = just {
            st.insert("justification".into(), json!(j.as_str()));
        }
        if status == VexStatus::NotAffected {
            let i = impact.filter(|i| !i.trim().is_empty());
            match (i, just) {
                (Some(i), _) => {
                    st.insert("impact_statement".into(), json!(i));
                }
                (None, Some(_)) => {}
                (None, None) => {
                    st.insert("impact_statement".into(), json!("not affected"));
                }
            }
        } else if let Some(i) = impact {
            st.insert("status_notes".into(), json!(i));
        }
        if status == VexStatus::Affected {
            st.insert(
                "action_statement".into(),
                json!(action.unwrap_or_else(affected_action)),
            );
        }
    };
    match &v.suppressed {
        Some(s) if s.source.starts_with("vex:") => {
            let (status, just, impact) = parse_vex_reason(&s.reason);
            set(status, just, impact, None);
        }
        Some(s) if s.source.starts_with("exceptions:") => {
            let (text, just) = parse_exception_reason(&s.reason);
            set(VexStatus::NotAffected, just, Some(text), None);
        }
        Some(s) => set(
            VexStatus::Affected,
            None,
            None,
            Some(format!(
                "Suppressed by {}: {}; {}",
                s.source,
                s.reason,
                affected_action()
            )),
        ),
        None => set(VexStatus::Affected, None, None, None),
    }
    Value::Object(st)
}
