//! `stepwise bench --workload ingest`: how long a CSV takes from the file to the device, read
//! exactly as `stepwise train` reads it, and how much memory that takes; and a generator of
//! numeric CSVs of any length to measure it on (what `bench/compare.sh` hands pandas too).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::Serialize;

use crate::artifacts::ArtifactDir;
use crate::config::{ModelKind, TrainConfig};
use crate::device::Backend;
use crate::machine;
use crate::train::{self, Plan};

/// Feature columns of a generated CSV; with the label, 21 columns.
pub const FEATURES: usize = 20;

/// What loading one CSV measured.
#[derive(Clone, Debug, Serialize)]
pub struct IngestResult {
    pub file: PathBuf,
    pub bytes: u64,
    pub rows: usize,
    /// Feature columns and the label.
    pub columns: usize,
    /// The file read and parsed into columns.
    pub parse_seconds: f64,
    /// Then split, encoded, standardised and put on the device.
    pub prepare_seconds: f64,
    /// Both: the time until the first STEP could start.
    pub ready_seconds: f64,
    pub megabytes_per_second: f64,
    /// The cells as 32-bit floats: rows × columns × 4 bytes.
    pub data_bytes: u64,
    /// What `train` would print before training.
    pub memory_estimate_bytes: f64,
    /// The process's peak resident memory, from before the file was opened (Linux).
    pub peak_rss_bytes: Option<u64>,
}

/// Reads `path` as `stepwise train --dataset PATH --model linear` would, up to the first STEP.
pub fn run(path: &Path, backend: &Backend) -> Result<IngestResult> {
    let config = TrainConfig::new()
        .with_dataset(path.display().to_string())
        .with_model(ModelKind::Linear)
        .with_epochs(1);
    let bytes = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    machine::reset_peak_rss();
    let started = Instant::now();
    let (frame, source) = train::load(&config)?;
    let parse_seconds = started.elapsed().as_secs_f64();
    let columns = frame.columns.len() + 1;
    let out = ArtifactDir::new(std::env::temp_dir().join("stepwise-bench-ingest"));
    let plan = Plan::with_data(
        config,
        frame,
        source.default_valid_fraction(),
        out,
        backend.clone(),
    )?;
    let ready_seconds = started.elapsed().as_secs_f64();
    let peak_rss_bytes = machine::peak_rss();
    let rows = plan.rows();
    Ok(IngestResult {
        file: path.to_path_buf(),
        bytes,
        rows,
        columns,
        parse_seconds,
        prepare_seconds: ready_seconds - parse_seconds,
        ready_seconds,
        megabytes_per_second: bytes as f64 / 1e6 / ready_seconds,
        data_bytes: (rows * columns * 4) as u64,
        memory_estimate_bytes: plan.memory.total(),
        peak_rss_bytes,
    })
}

/// The most bytes a generated row takes: 20 values of up to 9 characters and a comma, the class
/// and the line's end.
const ROW_BYTES: u64 = FEATURES as u64 * 10 + 2;

/// Writes a CSV of `rows` rows: `x0`..`x19` uniform in [-1, 1] with 5 decimals, and a class
/// `y` = whether x0 + x1 > 0 (the file `bench/memory.sh` used to draw with awk). A file already
/// at `path` is never replaced, rows that would not fit on the disk are refused before writing,
/// and a write that fails (a full disk) leaves no file behind.
pub fn generate(path: &Path, rows: usize, seed: u64) -> Result<()> {
    let shown = path.display();
    let needed = (rows as u64).saturating_mul(ROW_BYTES);
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(free) = machine::free_space(folder.unwrap_or(Path::new("."))) {
        if needed > free {
            anyhow::bail!(
                "{rows} rows would take up to {} in {shown}, but its disk has {} free; ask for \
                 fewer --rows",
                machine::bytes(needed as f64),
                machine::bytes(free as f64)
            );
        }
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| {
            format!("cannot create {shown} (stepwise never replaces a file with generated rows)")
        })?;
    write_rows(file, rows, seed).map_err(|err| {
        std::fs::remove_file(path).ok();
        err.context(format!("cannot write {shown}"))
    })
}

fn write_rows(file: File, rows: usize, seed: u64) -> Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let names: Vec<String> = (0..FEATURES).map(|column| format!("x{column}")).collect();
    writeln!(out, "{},y", names.join(","))?;
    let mut random = StdRng::seed_from_u64(seed);
    let mut line = String::new();
    for _ in 0..rows {
        line.clear();
        let mut sum = 0;
        for column in 0..FEATURES {
            // Hundred-thousandths, so the text is exact and the class has no rounding doubt.
            let value: i32 = random.random_range(-100_000..=100_000);
            if column < 2 {
                sum += value;
            }
            push_fixed(&mut line, value);
            line.push(',');
        }
        line.push_str(if sum > 0 { "1\n" } else { "0\n" });
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

/// `value` hundred-thousandths as text with 5 decimals ("-0.04521"), without formatting
/// machinery: generating 5 million rows is 100 million of these.
fn push_fixed(line: &mut String, value: i32) {
    if value < 0 {
        line.push('-');
    }
    let magnitude = value.unsigned_abs();
    let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
    line.push(digit(magnitude / 100_000));
    line.push('.');
    for power in [10_000, 1_000, 100, 10, 1] {
        line.push(digit(magnitude / power));
    }
}
