//! One integration test binary (each binary links burn, so they are grouped here).

mod artifacts;
mod backends;
mod cli;
mod examples;
mod explain;
mod first_hour;
mod first_try;
mod hardening;
mod hostile;
mod images;
mod interop;
mod learning;
mod playground;
mod properties;
mod reliability;
#[cfg(feature = "remote")]
mod remote;

use std::path::Path;

use stepwise::{cpu, Backend, Plan, Predictor, TrainConfig, TrainReport};

/// The backend the suite trains on: the CPU one (the GPU has its own tests in `backends`).
pub fn backend() -> Backend {
    cpu().expect("the test suite needs a CPU backend (feature flex or ndarray)")
}

/// Prepares a run of `config` that saves into `out`.
pub fn plan(config: TrainConfig, out: &Path) -> Plan {
    Plan::prepare(config, Some(out.to_path_buf()), backend()).expect("the plan is valid")
}

/// Trains with `config`, saving into `out`.
pub fn train(config: TrainConfig, out: &Path) -> TrainReport {
    plan(config, out).train(|_| {}).expect("training succeeds")
}

/// Runs `stepwise train ARGS` in `dir`, which must succeed.
pub fn train_cli(dir: &Path, args: &[&str]) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .arg("train")
        .args(args)
        .current_dir(dir)
        .env("XDG_RUNTIME_DIR", dir)
        .output()
        .expect("the stepwise binary starts");
    assert!(output.status.success(), "train {args:?}: {output:?}");
}

/// Starts the stepwise binary in `dir` with stdout and stderr piped, to read as it runs.
pub fn spawn(dir: &Path, args: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(args)
        .current_dir(dir)
        // Mesa's EGL complains on stderr when wgpu probes OpenGL without a runtime dir.
        .env("XDG_RUNTIME_DIR", dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the stepwise binary starts")
}

/// Whether this system reports a process's peak memory (Linux: `VmHWM` in /proc/self/status).
pub fn measures_peak_memory() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| status.contains("VmHWM:"))
}

/// The validation accuracy after the last epoch.
pub fn valid_accuracy(report: &TrainReport) -> f64 {
    let last = report.summary.final_metrics.as_ref().expect("an epoch ran");
    last.valid_accuracy
        .expect("classification with a validation split")
}

/// The in-memory model of a report, ready to predict.
pub fn predictor(report: TrainReport) -> Predictor {
    Predictor::new(report.card, report.training.model, backend().device)
}
