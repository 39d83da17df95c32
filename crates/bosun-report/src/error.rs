//! The one error type of this crate.

/// What went wrong while writing a report or reading an SBOM.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The format name is not one of [`crate::Format::ALL`]'s names.
    #[error("unknown output format {0:?} (expected {names})", names = crate::Format::ALL.map(crate::Format::name).join(", "))]
    UnknownFormatName(String),
    /// Serializing the report failed.
    #[error("serializing the report failed")]
    Serialize(#[source] serde_json::Error),
    /// The output refused the bytes.
    #[error("writing the report failed")]
    Write(#[source] std::io::Error),
    /// The SBOM is not JSON.
    #[error("sbom is not valid json")]
    NotJson(#[source] serde_json::Error),
    /// The JSON is none of bosun JSON, CycloneDX or SPDX.
    #[error("sbom format not recognized: not bosun json, cyclonedx json or spdx json")]
    UnknownSbom,
    /// A format bosun reads, in a version it does not.
    #[error("unsupported {format} version {version:?}")]
    UnsupportedVersion {
        /// `bosun`, `cyclonedx` or `spdx`.
        format: &'static str,
        /// The version the document declares.
        version: String,
    },
    /// The document does not have the shape its format requires.
    #[error("malformed {format} document")]
    Malformed {
        /// `bosun`, `cyclonedx` or `spdx`.
        format: &'static str,
        /// What serde found wrong.
        #[source]
        source: serde_json::Error,
    },
    /// A `bosun:*` property or annotation has a value bosun cannot have written.
    #[error("bad value {value:?} for {key}")]
    BadProperty {
        /// The property name.
        key: String,
        /// Its value.
        value: String,
    },
}
