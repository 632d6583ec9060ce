//! `summary.json`: what a training run did, for people and for scripts.

use serde::{Deserialize, Serialize};

use crate::learner::metrics::EpochMetrics;
use crate::learner::stop::StopReason;
use crate::learner::Kept;

/// What a training run did: `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub stop: StopReason,
    /// The stop reason as a sentence.
    pub stopped: String,
    /// Which epoch's parameters `model.bpk` holds, and why.
    pub kept: Option<Kept>,
    /// That epoch's metrics.
    pub kept_metrics: Option<EpochMetrics>,
    /// What to try next, read from the history (a learning rate too big or too small).
    pub advice: Vec<String>,
    pub epochs_run: usize,
    /// The last finished epoch (none when interrupted during the first).
    pub final_metrics: Option<EpochMetrics>,
    pub train_rows: usize,
    pub valid_rows: usize,
    pub parameters: usize,
    /// The learning rate of every STEP (`--lr`, or what `--lr auto` found).
    pub learning_rate: f64,
    pub seed: u64,
    /// The burn backend it was trained on (`flex`, `ndarray`, `wgpu`)...
    pub backend: String,
    /// ...and what that ran on (the CPU, or the GPU adapter).
    pub device: String,
    pub burn_version: String,
    pub stepwise_version: String,
    pub wall_time_seconds: f64,
    /// The memory the run was estimated to need before it started, and the process's measured
    /// peak (Linux `VmHWM`) when it saved, in bytes.
    pub memory_estimate_bytes: f64,
    pub peak_memory_bytes: Option<u64>,
}
