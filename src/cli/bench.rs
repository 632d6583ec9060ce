//! What `stepwise bench` prints: one line per workload, or JSON.

use anyhow::{bail, Result};
use serde::Serialize;

use crate::bench::{self, BenchResult, Workload};
use crate::machine;

use std::path::PathBuf;
use std::sync::OnceLock;

use clap::builder::PossibleValue;
use clap::{Args, ValueEnum};

use super::DeviceArg;

/// Side of the matrix product that measures the backend's ceiling.
const MATMUL_SIZE: usize = 1024;

#[derive(Serialize)]
struct Report {
    backend: String,
    device: String,
    matmul_size: usize,
    matmul_gflops_per_second: f64,
    workloads: Vec<BenchResult>,
}

pub fn bench(args: BenchArgs) -> Result<()> {
    let backend = args.device.backend()?;
    if args.workload.contains(&BenchWorkload::Ingest) {
        return super::ingest::ingest(&args, &backend);
    }
    if args.rows.is_some() || args.csv.is_some() {
        bail!("--rows and --csv are for --workload ingest");
    }
    let chosen = args.workload.iter().filter_map(|chosen| match chosen {
        BenchWorkload::Train(workload) => Some(*workload),
        BenchWorkload::Ingest => None,
    });
    let workloads = match args.workload.is_empty() {
        true => Workload::ALL.to_vec(),
        false => chosen.collect(),
    };
    if !args.json {
        say!(
            "device   {}: {} (build: {})",
            backend.name,
            backend.description,
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            }
        )?;
        say!("{}", table_header())?;
    }
    let mut results = Vec::new();
    for workload in workloads {
        let result = bench::run(workload, &backend)?;
        if !args.json {
            say!("{}", table_row(workload.name(), &result))?;
        }
        results.push(result);
    }
    let matmul = bench::matmul_gflops(&backend.device, MATMUL_SIZE);
    if args.json {
        let report = Report {
            backend: backend.name.to_string(),
            device: backend.description.clone(),
            matmul_size: MATMUL_SIZE,
            matmul_gflops_per_second: matmul,
            workloads: results,
        };
        say!("{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        say!(
            "matmul   {MATMUL_SIZE}x{MATMUL_SIZE} on this backend: {matmul:.1} GFLOP/s \
             (the ceiling for the GFLOP/s column)"
        )?;
    }
    Ok(())
}

/// The column names of the table of workloads.
fn table_header() -> String {
    format!(
        "{:<8} {:>12} {:>9} {:>7} {:>6} {:>8} {:>10} {:>8} {:>8} {:>10}",
        "workload",
        "samples/s",
        "ms/step",
        "steps",
        "epochs",
        "seconds",
        "final loss",
        "accuracy",
        "GFLOP/s",
        "peak RSS"
    )
}

/// One workload's line of the table.
fn table_row(name: &str, result: &BenchResult) -> String {
    format!(
        "{:<8} {:>12.0} {:>9.4} {:>7} {:>6} {:>8.3} {:>10.5} {:>8} {:>8.2} {:>10}",
        name,
        result.samples_per_second,
        result.ms_per_step,
        result.steps,
        result.epochs,
        result.seconds,
        result.final_loss,
        result
            .accuracy
            .map_or_else(|| "-".to_string(), |accuracy| format!("{accuracy:.3}")),
        result.gflops_per_second,
        result
            .peak_rss_bytes
            .map_or_else(|| "-".to_string(), |bytes| machine::bytes(bytes as f64)),
    )
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    #[command(flatten)]
    pub device: DeviceArg,
    /// Run only these workloads (repeat the option; default: all but ingest, which times
    /// loading a CSV instead of training).
    #[arg(long, value_enum)]
    pub workload: Vec<BenchWorkload>,
    /// ingest: generate a CSV of this many rows × 21 numeric columns (in --csv FILE if given,
    /// else in a temporary file).
    #[arg(long)]
    pub rows: Option<usize>,
    /// ingest: the CSV to load (written first when --rows is given).
    #[arg(long)]
    pub csv: Option<PathBuf>,
    /// Print a JSON report instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// What `bench --workload` names: one of the training workloads, or `ingest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchWorkload {
    Train(Workload),
    Ingest,
}

impl ValueEnum for BenchWorkload {
    fn value_variants<'a>() -> &'a [Self] {
        static VARIANTS: OnceLock<Vec<BenchWorkload>> = OnceLock::new();
        VARIANTS.get_or_init(|| {
            let train = Workload::ALL.into_iter().map(BenchWorkload::Train);
            train.chain([BenchWorkload::Ingest]).collect()
        })
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        match self {
            BenchWorkload::Train(workload) => workload.to_possible_value(),
            BenchWorkload::Ingest => Some(PossibleValue::new("ingest").help(
                "ingest: a CSV read as `stepwise train --model linear` reads it, up to the first \
                 STEP (`--rows N` generates one of N rows × 21 columns; `--csv FILE` names one)",
            )),
        }
    }
}
