//! Integration tests of bosun-version: upstream vectors, differential tests against the real
//! tools, OSV range evaluation and property tests.

mod common;
mod differential;
mod osv;
mod props;
mod vectors;
