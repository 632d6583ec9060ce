//! `stepwise`: the process's own settings (allocator, SIGPIPE), then the command line, which
//! lives in the library (`stepwise::command_line`) beside everything it calls.

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
    stepwise::command_line()
}
