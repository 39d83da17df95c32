//! Differential tests.
