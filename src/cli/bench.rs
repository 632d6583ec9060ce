//! What `stepwise bench` prints: one line per workload, or JSON.

use anyhow::Result;
use serde::Serialize;

use stepwise::bench::{self, BenchResult, Workload};
use stepwise::machine;

use super::BenchArgs;

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
    let workloads = if args.workload.is_empty() {
        Workload::ALL.to_vec()
    } else {
        args.workload.clone()
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
