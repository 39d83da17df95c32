//! Integration tests: every real database in the shared test data gives exactly the package
//! list its expected file names, and mutated copies of them give errors, never panics.

// Timings of each real database go to stderr: the report quotes them.
#![allow(clippy::print_stderr)]

mod bdb;
mod expected;
mod header;
mod hostile;
mod ndb;
mod sqlite;
