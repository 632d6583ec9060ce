//! `stepwise`: parse the command line, call the library, report errors. Nothing else.

mod cli;

use std::process::ExitCode;

/// burn allocates buffers and bookkeeping for every tensor operation; mimalloc serves them
/// faster than the system allocator (bench/README.md: +5% to +31% on the benchmarks).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // End quietly when the reader of the output goes away (`stepwise train | head`), as Unix
    // tools do, instead of panicking on the closed pipe: Rust ignores SIGPIPE by default.
    #[cfg(unix)]
    // SAFETY: restores the default action of one signal, before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    match cli::run(cli::parse()) {
        Ok(code) => code,
        Err(err) => {
            // Not eprintln!, which panics where stderr cannot be written (`2> /dev/full`).
            use std::io::Write as _;
            writeln!(std::io::stderr().lock(), "error: {err:#}").ok();
            ExitCode::FAILURE
        }
    }
}
