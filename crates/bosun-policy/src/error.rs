//! Errors of loading policies, exceptions and VEX documents.

/// Why a policy, exceptions or VEX file could not be loaded. Evaluation never fails: what it
/// cannot decide becomes a warning-level [`crate::Violation`] or diagnostic.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file is larger than the limit for its kind.
    #[error("{file}: larger than {limit} bytes")]
    TooLarge {
        /// The file's display name.
        file: String,
        /// The limit in bytes.
        limit: usize,
    },
    /// Not valid YAML or JSON, or not the expected shape.
    #[error("{file}: {message}")]
    Syntax {
        /// The file's display name.
        file: String,
        /// What the parser said.
        message: String,
    },
    /// A well-formed file with a wrong value.
    #[error("{file}: {message}")]
    Invalid {
        /// The file's display name.
        file: String,
        /// What is wrong, naming the entry.
        message: String,
    },
    /// An exception entry is wrong (no `reason`, a bad date or glob...).
    #[error("{file}: {section}[{index}]: {message}")]
    Entry {
        /// The file's display name.
        file: String,
        /// `vulnerabilities`, `secrets` or `misconfigurations`.
        section: &'static str,
        /// 0-based position of the entry in its section.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// Not a calendar date `YYYY-MM-DD`.
    #[error("invalid date {value:?}: {message}")]
    Date {
        /// The text given.
        value: String,
        /// Why it is not a date.
        message: String,
    },
    /// A JSON document that is none of the VEX formats bosun reads.
    #[error("{file}: not an OpenVEX, CycloneDX or CSAF VEX document")]
    UnknownVexFormat {
        /// The file's display name.
        file: String,
    },
}
