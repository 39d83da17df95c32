//! Readers for the upstream vector formats (described in the data's FORMATS.md).

use std::cmp::Ordering;
use std::path::Path;

pub(crate) fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

pub(crate) fn op(s: &str) -> Option<Ordering> {
    match s {
        "<" => Some(Ordering::Less),
        "=" | "==" => Some(Ordering::Equal),
        ">" => Some(Ordering::Greater),
        _ => None,
    }
}

/// `A OP B` lines; blank lines and `#`/`//` comments skipped, trailing `# ...` dropped.
pub(crate) fn op_lines(text: &str) -> Vec<(usize, String, String, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with("//") {
            continue;
        }
        let body = t
            .split(" #")
            .next()
            .unwrap_or(t)
            .split("\t#")
            .next()
            .unwrap_or(t);
        let f: Vec<&str> = body.split_whitespace().collect();
        if let [a, o, b] = f.as_slice() {
            out.push((i + 1, a.to_string(), o.to_string(), b.to_string()));
        }
    }
    out
}

/// The text of the bracketed block (`[...]` or `{...}`) that follows `marker`.
pub(crate) fn block<'a>(text: &'a str, marker: &str) -> &'a str {
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("marker {marker} not found"));
    let rest = &text[start + marker.len()..];
    let open = rest.find(['[', '{']).expect("block opener");
    let (o, c) = if rest.as_bytes()[open] == b'[' {
        (b'[', b']')
    } else {
        (b'{', b'}')
    };
    let mut depth = 0;
    let mut quote: Option<u8> = None;
    let bytes = rest.as_bytes();
    let mut i = open;
    while i < bytes.len() {
        let ch = bytes[i];
        match quote {
            Some(q) => {
                if ch == b'\\' {
                    i += 1;
                } else if ch == q {
                    quote = None;
                }
            }
            None => {
                if ch == b'"' || ch == b'\'' {
                    quote = Some(ch);
                } else if ch == b'#' || (ch == b'/' && bytes.get(i + 1) == Some(&b'/')) {
                    // python or JS comment: skip to end of line
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                } else if ch == o {
                    depth += 1;
                } else if ch == c {
                    depth -= 1;
                    if depth == 0 {
                        return &rest[open..=i];
                    }
                }
            }
        }
        i += 1;
    }
    panic!("unbalanced block after {marker}")
}

/// String literals in `s` (single or double quoted), comments skipped. `None` for a literal
/// with an escape we do not decode (`\N{...}`, `\u....`).
pub(crate) fn literals(s: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for line in s.lines() {
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '#' || (c == '/' && chars.peek() == Some(&'/')) {
                break;
            }
            if c == '"' || c == '\'' {
                let mut v = String::new();
                let mut ok = true;
                while let Some(d) = chars.next() {
                    if d == c {
                        break;
                    }
                    if d == '\\' {
                        match chars.next() {
                            Some('t') => v.push('\t'),
                            Some('n') => v.push('\n'),
                            Some('\\') => v.push('\\'),
                            Some('"') => v.push('"'),
                            Some('\'') => v.push('\''),
                            _ => ok = false,
                        }
                    } else {
                        v.push(d);
                    }
                }
                out.push(ok.then_some(v));
            }
        }
    }
    out
}

/// One node-semver fixture tuple.
#[derive(Debug)]
pub(crate) struct Tuple {
    pub(crate) strs: Vec<String>,
    pub(crate) loose: bool,
    pub(crate) include_prerelease: bool,
    pub(crate) raw: String,
}

/// Tuples of `module.exports = [ [..], [..] ]`.
pub(crate) fn js_tuples(text: &str) -> Vec<Tuple> {
    let body = block(text, "module.exports =");
    let inner = &body[1..body.len() - 1];
    let mut out = Vec::new();
    let mut rest = inner;
    while let Some(p) = rest.find('[') {
        let b = block(&rest[p..], "");
        let strs: Vec<String> = literals(b).into_iter().flatten().collect();
        let after_strings = {
            // text after the last string literal
            let last = b.rfind(['\'', '"']).unwrap_or(0);
            &b[last..]
        };
        let loose = after_strings.contains("true") && !after_strings.contains("includePrerelease")
            || (after_strings.contains("loose:") && !after_strings.contains("loose: false"));
        out.push(Tuple {
            strs,
            loose,
            include_prerelease: after_strings.contains("includePrerelease: true"),
            raw: b.to_string(),
        });
        rest = &rest[p + b.len()..];
    }
    out
}
