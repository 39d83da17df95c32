//! bosun-policy integration tests: gates, exceptions, VEX in and out, fuzzing.
#![allow(clippy::unwrap_used, clippy::print_stderr)] // tests: unwrap is the assertion; skip notices go to stderr
#![allow(dead_code)] // the shared fixture module is used piecemeal

mod common;
mod exceptions;
mod fuzz;
mod gates;
mod vex;
