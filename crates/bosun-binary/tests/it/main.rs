//! Integration tests: real Go and Rust binaries from the shared data, runtime classifier
//! fixtures and real interpreters on this machine, hostile input.

mod go;
mod hostile;
mod runtime;
mod rust;
mod wants;
