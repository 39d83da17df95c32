//! Integration tests of bosun-report: every format validates against its schema, bosun's own
//! output reads back losslessly, and hostile input never panics.

// A failed unwrap in a test is a failed test, with the cause in the message.
#![allow(clippy::unwrap_used)]

mod ci_formats;
mod cyclonedx_vulns;
mod data;
mod formats;
mod generate;
mod gitlab;
mod hostile;
mod html;
mod junit;
mod markdown;
mod roundtrip;
mod sample;
mod sarif;
mod schemas;

/// proptest cases: `default`, or `PROPTEST_CASES` for a longer run.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
