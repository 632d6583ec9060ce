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
    // burn builds a resumed run's saved SGD state on its default device before moving it to the
    // training device, and with wgpu compiled in that default is the GPU: brought up on a run
    // that may not use it (a machine without one panics there), and before stepwise's own
    // careful start of wgpu. The CPU backend keeps that load on the CPU. BURN_DEVICE, if the
    // user set it, stands. Set before any other thread exists.
    if std::env::var_os("BURN_DEVICE").is_none() {
        if let Some(cpu) = stepwise::cpu() {
            std::env::set_var("BURN_DEVICE", cpu.name);
        }
    }
    stepwise::command_line()
}
