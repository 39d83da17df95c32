//! Bounds on hostile input and the shared decoding steps that enforce them.

use serde::de::DeserializeOwned;

use crate::LangError;

/// The largest file any parser accepts (the caller usually caps lower).
pub const MAX_INPUT_BYTES: usize = 256 * 1024 * 1024;
/// The most entries (packages, lines, map keys) one file may list.
pub const MAX_ENTRIES: usize = 1_000_000;
/// The deepest bracket nesting accepted in JSON, TOML and flow YAML, and the deepest
/// `dependencies` nesting in a package-lock v1. Real lockfiles stay far below; the structured
/// decoders recurse, so this keeps the stack bounded.
pub const MAX_DEPTH: usize = 100;

/// The file being parsed, for error messages.
pub(crate) struct Cx<'a> {
    pub(crate) path: &'a str,
}

impl Cx<'_> {
    pub(crate) fn format(&self, what: impl Into<String>) -> LangError {
        LangError::Format {
            path: self.path.to_owned(),
            what: what.into(),
        }
    }

    pub(crate) fn too_deep(&self) -> LangError {
        LangError::TooDeep {
            path: self.path.to_owned(),
            limit: MAX_DEPTH,
        }
    }

    /// Errors once `n` passes [`MAX_ENTRIES`].
    pub(crate) fn check_entries(&self, n: usize) -> Result<(), LangError> {
        if n > MAX_ENTRIES {
            return Err(LangError::TooManyEntries {
                path: self.path.to_owned(),
                limit: MAX_ENTRIES,
            });
        }
        Ok(())
    }

    pub(crate) fn text<'b>(&self, bytes: &'b [u8]) -> Result<&'b str, LangError> {
        let s = std::str::from_utf8(bytes).map_err(|source| LangError::Utf8 {
            path: self.path.to_owned(),
            source,
        })?;
        Ok(s.strip_prefix('\u{feff}').unwrap_or(s))
    }

    /// Text, decoding invalid UTF-8 lossily: for line formats where one bad byte in a comment
    /// or a description must not lose the whole file.
    pub(crate) fn lossy<'b>(&self, bytes: &'b [u8]) -> std::borrow::Cow<'b, str> {
        let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        String::from_utf8_lossy(bytes)
    }

    pub(crate) fn json<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T, LangError> {
        let s = self.text(bytes)?;
        if bracket_depth(s, false) > MAX_DEPTH {
            return Err(self.too_deep());
        }
        serde_json::from_str(s).map_err(|source| LangError::Json {
            path: self.path.to_owned(),
            source,
        })
    }

    /// The `[[package]]` tables of a lockfile (Cargo, poetry, uv, pdm), each decoded on its
    /// own: decoding the whole document at once holds a tree of every value with its span,
    /// about fifteen times the file's size; one table at a time keeps memory at the size of
    /// the largest table. A table runs from its `[[package]]` line to the next line that
    /// opens another top-level table (`[package.x]` subtables stay with their package).
    pub(crate) fn toml_packages<T: DeserializeOwned>(
        &self,
        bytes: &[u8],
    ) -> Result<Vec<T>, LangError> {
        #[derive(serde::Deserialize)]
        struct One<T> {
            package: Vec<T>,
        }
        let s = self.text(bytes)?;
        if bracket_depth(s, true) > MAX_DEPTH {
            return Err(self.too_deep());
        }
        let mut out = Vec::new();
        let mut chunk: Option<usize> = None; // byte offset of the current `[[package]]`
        let mut offset = 0usize;
        let flush = |start: usize, end: usize, out: &mut Vec<T>| -> Result<(), LangError> {
            let text = s.get(start..end).unwrap_or("");
            let one: One<T> = toml::from_str(text).map_err(|source| LangError::Toml {
                path: self.path.to_owned(),
                source,
            })?;
            out.extend(one.package);
            self.check_entries(out.len())
        };
        // The text before the first table must still be valid TOML (`version = 3`).
        let mut preamble_end = None;
        for line in s.split_inclusive('\n') {
            if line.starts_with('[') {
                let name = line.trim_end();
                if name.starts_with("[package.") || name.starts_with("[[package.") {
                    if chunk.is_none() {
                        return Err(self.format(format!("{name} outside a [[package]] table")));
                    }
                } else {
                    if let Some(start) = chunk.take() {
                        flush(start, offset, &mut out)?;
                    }
                    preamble_end.get_or_insert(offset);
                    if name == "[[package]]" {
                        chunk = Some(offset);
                    }
                }
            }
            offset = offset.saturating_add(line.len());
        }
        if let Some(start) = chunk {
            flush(start, s.len(), &mut out)?;
        }
        let preamble = s.get(..preamble_end.unwrap_or(s.len())).unwrap_or("");
        toml::from_str::<toml::Table>(preamble).map_err(|source| LangError::Toml {
            path: self.path.to_owned(),
            source,
        })?;
        Ok(out)
    }

    pub(crate) fn yaml<T: DeserializeOwned>(&self, bytes: &[u8]) -> Result<T, LangError> {
        let s = self.text(bytes)?;
        if bracket_depth(s, true) > MAX_DEPTH || indent_depth(s) > MAX_DEPTH {
            return Err(self.too_deep());
        }
        // Some real lockfiles repeat a key (Syft's yarn berry fixture): keep the first.
        let mut options = serde_saphyr::Options::default();
        options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::FirstWins;
        // The default budget (250,000 nodes) is made for configuration files; a monorepo's
        // pnpm lock has more. Without aliases a document has fewer nodes than half its bytes
        // (a node takes a character and a separator at least), so the budget grows with the
        // input; alias expansion ("billion laughs") past that is refused.
        let mut budget = serde_saphyr::Budget::default();
        let scaled = s.len().saturating_add(4096);
        budget.max_nodes = budget.max_nodes.max(scaled / 2);
        budget.max_events = budget.max_events.max(scaled);
        budget.max_total_scalar_bytes = budget.max_total_scalar_bytes.max(scaled);
        options.budget = Some(budget);
        serde_saphyr::from_str_with_options(s, options).map_err(|source| LangError::Yaml {
            path: self.path.to_owned(),
            source: Box::new(source),
        })
    }
}

/// The deepest `[`/`{` nesting outside quoted strings. `single_quotes` also treats `'...'` as
/// strings (TOML, YAML); `#` comments are not special-cased, which can only over-count.
fn bracket_depth(s: &str, single_quotes: bool) -> usize {
    let mut depth = 0usize;
    let mut max = 0usize;
    let mut quote: Option<u8> = None;
    let mut escaped = false;
    for &b in s.as_bytes() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if b == b'\\' && q == b'"' {
                escaped = true;
            } else if b == q || b == b'\n' && q == b'\'' {
                quote = None;
            }
            continue;
        }
        match b {
            b'"' => quote = Some(b'"'),
            b'\'' if single_quotes => quote = Some(b'\''),
            b'[' | b'{' => {
                depth = depth.saturating_add(1);
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// A bound on YAML block nesting: the deepest indentation, in columns, halved (real files
/// indent by two).
fn indent_depth(s: &str) -> usize {
    s.lines()
        .map(|l| l.len() - l.trim_start_matches([' ', '-']).len())
        .max()
        .unwrap_or(0)
        / 2
}
