//! The bosun command line: argument parsing, progress, exit codes; nothing else.
//!
//! Exit codes: 0 success, 1 a gate failed, 2 usage or input error.
#![allow(clippy::print_stderr)] // the CLI is the one place that talks to the user

mod cli;
mod db;
mod output;
mod scan;
mod source;

use std::process::ExitCode;

/// mimalloc: matching builds and frees hundreds of thousands of small strings; it cut the
/// matcher's CPU time by about a quarter (crates/bosun-vulndb/BENCH.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        // `bosun ... | head`: the reader left; nothing more to say.
        Err(err)
            if err.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("bosun: {}", cli::one_line(&err));
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
