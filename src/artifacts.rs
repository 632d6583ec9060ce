//! The artifact folder: everything a trained model needs to be used again, and what its training
//! did. This module alone knows the file names.
//!
//! ```text
//! artifacts/<name>/
//!   model.bpk     the trained parameters (burn's burnpack record)
//!   config.json   how to rebuild the model and its input transform (the ModelCard)
//!   metrics.csv   one row per epoch: epoch, train_loss, valid_loss, valid_accuracy, learning_rate
//!   summary.json  stop reason, epochs, final metrics, seed, backend, burn version, wall time
//!   loss.svg      train and validation loss (and accuracy) per epoch
//!   lr_find.svg   the learning-rate range test, when one ran
//! ```
//!
//! Every file is written atomically (temporary file in the same folder, fsync, rename), and
//! `config.json` last: a folder either has a complete new model or the previous one.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::config::{Task, TrainConfig};
use crate::data::transform::Standardizer;
use crate::lr_find::LrFinding;
use crate::metrics::EpochMetrics;
use crate::model::{Model, ModelConfig};
use crate::plot;
use crate::stop::StopReason;

/// Version of the `config.json` layout; a newer one than this build knows is refused.
pub const FORMAT_VERSION: u32 = 1;
/// The burn version stepwise is built on (pinned in Cargo.toml).
pub const BURN_VERSION: &str = "0.22.1";

pub const MODEL_FILE: &str = "model.bpk";
pub const CONFIG_FILE: &str = "config.json";
pub const METRICS_FILE: &str = "metrics.csv";
pub const SUMMARY_FILE: &str = "summary.json";
pub const LOSS_PLOT_FILE: &str = "loss.svg";
pub const LR_FIND_PLOT_FILE: &str = "lr_find.svg";

/// Everything needed to rebuild the model and transform its inputs and outputs: `config.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    pub format_version: u32,
    pub task: Task,
    pub model: ModelConfig,
    /// Input columns, in the order the model reads them.
    pub feature_names: Vec<String>,
    pub label_name: String,
    /// Class names by output index (classification only).
    pub class_names: Option<Vec<String>>,
    /// Standardisation of the inputs, fitted on the training rows.
    pub feature_scaling: Standardizer,
    /// Standardisation of the target (regression only): predictions are mapped back with it.
    pub target_scaling: Option<Standardizer>,
    /// The full training configuration, for the record and for retraining.
    pub training: TrainConfig,
}

/// What a training run did: `summary.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub stop: StopReason,
    /// The stop reason as a sentence.
    pub stopped: String,
    pub epochs_run: usize,
    pub final_metrics: EpochMetrics,
    pub train_rows: usize,
    pub valid_rows: usize,
    pub parameters: usize,
    pub seed: u64,
    /// The burn backend it was trained on (`flex`, `ndarray`, `wgpu`)...
    pub backend: String,
    /// ...and what that ran on (the CPU, or the GPU adapter).
    pub device: String,
    pub burn_version: String,
    pub stepwise_version: String,
    pub wall_time_seconds: f64,
}

/// The files of one artifact folder.
#[derive(Clone, Debug)]
pub struct ArtifactDir {
    pub dir: PathBuf,
}

impl ArtifactDir {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The default folder for a data set: `artifacts/<name>`.
    pub fn for_dataset(name: &str) -> Self {
        Self::new(Path::new("artifacts").join(name))
    }

    pub fn model(&self) -> PathBuf {
        self.dir.join(MODEL_FILE)
    }

    pub fn config(&self) -> PathBuf {
        self.dir.join(CONFIG_FILE)
    }

    pub fn metrics(&self) -> PathBuf {
        self.dir.join(METRICS_FILE)
    }

    pub fn summary(&self) -> PathBuf {
        self.dir.join(SUMMARY_FILE)
    }

    pub fn loss_plot(&self) -> PathBuf {
        self.dir.join(LOSS_PLOT_FILE)
    }

    pub fn lr_find_plot(&self) -> PathBuf {
        self.dir.join(LR_FIND_PLOT_FILE)
    }

    /// Makes sure the folder exists and can be written, before hours go into training.
    pub fn prepare(&self) -> Result<()> {
        let shown = self.dir.display();
        fs::create_dir_all(&self.dir).with_context(|| {
            format!("cannot create the artifact folder {shown}; choose another with --out")
        })?;
        let probe = self.dir.join(".stepwise-write-test");
        fs::write(&probe, b"").with_context(|| {
            format!("cannot write in the artifact folder {shown}; choose another with --out")
        })?;
        fs::remove_file(&probe).ok();
        Ok(())
    }

    /// Saves a trained model with its card, history and summary.
    pub fn save(
        &self,
        card: &ModelCard,
        model: &Model,
        history: &[EpochMetrics],
        summary: &Summary,
    ) -> Result<()> {
        self.prepare()?;
        let record = model
            .clone()
            .into_record()
            .into_bytes()
            .map_err(|err| anyhow::anyhow!("cannot encode the model record: {err}"))?;
        write_atomic(&self.model(), &record)?;
        write_atomic(&self.metrics(), &metrics_csv(history)?)?;
        write_atomic(&self.summary(), &to_json(summary)?)?;
        self.save_loss_plot(history)?;
        // Last: a folder only counts as a model once its config is in place.
        write_atomic(&self.config(), &to_json(card)?)?;
        Ok(())
    }

    /// Draws `loss.svg` from a history (at the end of training, or from `metrics.csv` again).
    pub fn save_loss_plot(&self, history: &[EpochMetrics]) -> Result<()> {
        write_atomic(&self.loss_plot(), plot::loss_svg(history)?.as_bytes())
    }

    /// Draws `lr_find.svg`.
    pub fn save_lr_find(&self, finding: &LrFinding) -> Result<()> {
        self.prepare()?;
        write_atomic(&self.lr_find_plot(), plot::lr_find_svg(finding)?.as_bytes())
    }

    /// Reads `config.json`, then loads `model.bpk` into the model it describes.
    pub fn load(&self, device: &Device) -> Result<(ModelCard, Model)> {
        let shown = self.dir.display();
        if !self.dir.is_dir() {
            bail!(
                "model folder {shown} does not exist; train one first with \
                 `stepwise train --out {shown}`"
            );
        }
        if !self.config().is_file() {
            bail!(
                "{shown} is not a stepwise model folder: it has no {CONFIG_FILE}; \
                 point --model at a folder written by `stepwise train`"
            );
        }
        let text = fs::read_to_string(self.config())
            .with_context(|| format!("cannot read {}", self.config().display()))?;
        let version: FormatProbe = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a stepwise model config; retrain with `stepwise train`",
                self.config().display()
            )
        })?;
        if version.format_version > FORMAT_VERSION {
            bail!(
                "{} has format version {}, newer than this stepwise understands ({FORMAT_VERSION}); \
                 upgrade stepwise",
                self.config().display(),
                version.format_version
            );
        }
        let card: ModelCard = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a stepwise model config; retrain with `stepwise train`",
                self.config().display()
            )
        })?;
        if !self.model().is_file() {
            bail!(
                "{shown} is incomplete: {CONFIG_FILE} is there but {MODEL_FILE} is missing; \
                 retrain with `stepwise train --out {shown}`"
            );
        }
        let record = ModuleRecord::load(self.model()).map_err(|err| {
            anyhow::anyhow!(
                "cannot read {}: {err}; the file is damaged, retrain the model",
                self.model().display()
            )
        })?;
        let model = card
            .model
            .init(device)
            .try_load_record(record)
            .map_err(|err| {
                anyhow::anyhow!(
                    "{} does not match {CONFIG_FILE} ({}): {err}",
                    self.model().display(),
                    card.model.describe()
                )
            })?;
        Ok((card, model))
    }

    /// Reads the per-epoch history back from `metrics.csv`.
    pub fn load_metrics(&self) -> Result<Vec<EpochMetrics>> {
        let mut reader = csv::Reader::from_path(self.metrics())
            .with_context(|| format!("cannot read {}", self.metrics().display()))?;
        reader
            .deserialize()
            .collect::<Result<Vec<EpochMetrics>, _>>()
            .with_context(|| format!("{} is damaged", self.metrics().display()))
    }

    pub fn load_summary(&self) -> Result<Summary> {
        let text = fs::read_to_string(self.summary())
            .with_context(|| format!("cannot read {}", self.summary().display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("{} is damaged", self.summary().display()))
    }
}

/// Just the version field, read before the rest so a newer format gets a clear message.
#[derive(Deserialize)]
struct FormatProbe {
    format_version: u32,
}

fn to_json(value: &impl Serialize) -> Result<Vec<u8>> {
    let mut json = serde_json::to_vec_pretty(value)?;
    json.push(b'\n');
    Ok(json)
}

fn metrics_csv(history: &[EpochMetrics]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for metrics in history {
        writer.serialize(metrics)?;
    }
    Ok(writer.into_inner()?)
}

/// Replaces `path` with `bytes` so that a reader (or a crash) sees the old file or the new one,
/// never a half-written one: write a temporary file beside it, flush it to disk, rename it over.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map_or_else(
        || "artifact".into(),
        |name| name.to_string_lossy().into_owned(),
    );
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)?;
        // The rename itself is durable once the folder is synced (not possible on every OS).
        if let Ok(folder) = fs::File::open(dir) {
            folder.sync_all().ok();
        }
        Ok(())
    };
    write().map_err(|err| {
        fs::remove_file(&temporary).ok();
        anyhow::anyhow!("cannot write {}: {err}", path.display())
    })
}
