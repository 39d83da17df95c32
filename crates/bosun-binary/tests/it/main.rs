//! Integration tests: real Go and Rust binaries from the shared data, runtime classifier
//! fixtures and real interpreters on this machine, hostile input.
#![allow(clippy::unwrap_used, clippy::print_stderr)] // tests: unwrap is the assertion; skip notices go to stderr

mod elf_links;
mod formats;
mod go;
mod hostile;
mod runtime;
mod rust;
mod wants;
