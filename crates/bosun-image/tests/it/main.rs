//! Integration tests of bosun-image, on images built by bosun-testkit and on the shared data.

// Helpers outside #[test] functions unwrap too: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used)]

mod common;
mod dir;
mod errors;
mod formats;
mod minirootfs;
mod props;
mod registry;
mod select;
mod skip;
mod whiteouts;
