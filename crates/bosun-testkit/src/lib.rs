//! Builds small container images for bosun's tests.
