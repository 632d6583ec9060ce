//! `stepwise`: parse the command line, call the library, report errors. Nothing else.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// burn allocates buffers and bookkeeping for every tensor operation; mimalloc serves them
/// faster than the system allocator (bench/README.md: +5% to +31% on the benchmarks).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match cli::run(cli::Cli::parse()) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
