//! Integration tests of bosun-version: upstream vectors, differential tests against the real
//! tools, OSV range evaluation and property tests.
#![allow(clippy::print_stdout)] // tests report counts (vectors passed, pairs agreed, skips)

mod common;
mod differential;
mod osv;
mod props;
mod vectors;
