//! What `stepwise bench --workload ingest` prints: the phases of loading one CSV, and the
//! generated file it removes again however the command ends.

use std::time::Instant;

use anyhow::{bail, Result};

use crate::bench::ingest::{self, IngestResult};
use crate::device::Backend;
use crate::machine;

use super::BenchArgs;

/// `--workload ingest`: loads one CSV (generated first with `--rows`) and prints its phases.
pub fn ingest(args: &BenchArgs, backend: &Backend) -> Result<()> {
    if args.workload.len() > 1 {
        bail!("--workload ingest runs alone: it loads a CSV where the others train");
    }
    let path = match (&args.csv, args.rows) {
        (Some(path), _) => path.clone(),
        (None, Some(_)) => {
            std::env::temp_dir().join(format!("stepwise-ingest-{}.csv", std::process::id()))
        }
        (None, None) => bail!(
            "--workload ingest needs --rows N (generate a CSV of N rows) or --csv FILE (load it)"
        ),
    };
    // A generated file goes again on every way out, a signal included; one the user named
    // with --csv stays once it is whole. A file already there is never replaced.
    let mut scratch = None;
    if let Some(rows) = args.rows {
        if path.exists() {
            bail!(
                "{} exists; --rows writes a new file: name another with --csv, or load this one \
                 without --rows",
                path.display()
            );
        }
        scratch = Some(Scratch::new(&path)?);
        let started = Instant::now();
        ingest::generate(&path, rows, 1)?;
        if let (Some(_), Some(generated)) = (&args.csv, scratch.take()) {
            generated.keep();
        }
        if !args.json {
            say!(
                "wrote    {} ({rows} rows) in {:.2} s",
                path.display(),
                started.elapsed().as_secs_f64()
            )?;
        }
    }
    let result = ingest::run(&path, backend)?;
    drop(scratch);
    if args.json {
        say!("{}", serde_json::to_string_pretty(&result)?)?;
    } else {
        say!("{}", ingest_table(&result))?;
    }
    Ok(())
}

/// A file this command writes and removes again however it ends: on return or error when
/// dropped, and on SIGINT, SIGTERM or SIGHUP by a handler that unlinks it, then ends the process
/// as the signal would have.
struct Scratch {
    /// The file, until it is the user's to keep.
    path: Option<std::path::PathBuf>,
    handlers: Vec<signal_hook::SigId>,
}

impl Scratch {
    fn new(path: &std::path::Path) -> Result<Scratch> {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::CString::new(path.as_os_str().as_bytes())?;
        // Lives as long as the process: a handler may run at any moment until it is removed.
        let name: &'static std::ffi::CStr = Box::leak(name.into_boxed_c_str());
        let mut handlers = Vec::new();
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            let remove = move || {
                // SAFETY: unlink is async-signal-safe, and `name` is a valid C string for ever.
                unsafe { libc::unlink(name.as_ptr()) };
                signal_hook::low_level::emulate_default_handler(signal).ok();
            };
            // SAFETY: the handler only unlinks a file and ends the process, both safe in a
            // signal handler.
            handlers.push(unsafe { signal_hook::low_level::register(signal, remove) }?);
        }
        Ok(Scratch {
            path: Some(path.to_path_buf()),
            handlers,
        })
    }
}

impl Scratch {
    /// The file is the user's now: it stays, and the handlers go.
    fn keep(mut self) {
        self.path = None;
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for handler in self.handlers.drain(..) {
            signal_hook::low_level::unregister(handler);
        }
        if let Some(path) = &self.path {
            std::fs::remove_file(path).ok();
        }
    }
}

/// What loading one CSV measured, a line each.
fn ingest_table(result: &IngestResult) -> String {
    let peak = result.peak_rss_bytes.map(|peak| peak as f64);
    let times_data = |bytes: f64| bytes / result.data_bytes as f64;
    [
        format!(
            "file     {} ({:.1} MB, {} rows x {} columns)",
            result.file.display(),
            result.bytes as f64 / 1e6,
            result.rows,
            result.columns
        ),
        format!(
            "parse    {:.3} s (the CSV into columns)",
            result.parse_seconds
        ),
        format!(
            "prepare  {:.3} s (split, encoded, standardised, on the device)",
            result.prepare_seconds
        ),
        format!(
            "ready    {:.3} s to the first STEP: {:.0} MB/s, {:.3} s per million rows",
            result.ready_seconds,
            result.megabytes_per_second,
            result.ready_seconds * 1e6 / result.rows as f64
        ),
        format!(
            "memory   peak {} = {} x the data as float32 ({}); estimate {} (peak / estimate {})",
            peak.map_or_else(|| "-".into(), machine::bytes),
            peak.map_or_else(|| "-".into(), |peak| format!("{:.2}", times_data(peak))),
            machine::bytes(result.data_bytes as f64),
            machine::bytes(result.memory_estimate_bytes),
            peak.map_or_else(
                || "-".into(),
                |peak| format!("{:.2}", peak / result.memory_estimate_bytes)
            ),
        ),
    ]
    .join("\n")
}
