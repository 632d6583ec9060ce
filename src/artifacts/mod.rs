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
//!   lr_find.svg   the learning-rate range test, when one ran (and lr_find.json, its points)
//!   fit.svg       regression on one input: the network's curve at INIT, early, midway, kept
//!   boundary.svg  classes of two inputs: the network's regions at the same moments
//!   fit.json, boundary.json   the data those pictures are drawn from (`stepwise plot`)
//!   checkpoint/   what --resume needs: while training with --checkpoint-every, after a Ctrl-C,
//!                 and after a run out of epochs (`--resume DIR --epochs N` trains it longer)
//! ```
//!
//! The files are replaced together, as one commit ([`commit`]): after a crash at any moment the
//! folder holds the previous complete set or the new one, never a mix.

mod card;
mod checkpoint;
pub mod commit;
mod drawn;
mod links;
mod older;
mod save;
mod summary;
mod writer;

use card::parse_config;
pub use card::{ModelCard, StartingWeights};
use older::check_format;

pub use summary::Summary;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use burn::tensor::Device;
use serde::Serialize;

use crate::learner::metrics::EpochMetrics;
use crate::machine::checksum::checksum_for;
use crate::model::{self, Architecture};

/// Version of the `config.json` layout and of the records beside it; a newer one than this
/// build knows is refused. 3: one MLP, whose records name parameters `output.weight`, not
/// `Linear.linear.weight` (older records still load, see `ModelConfig::load_older`). 4: the
/// checksums are xxHash64 (older folders' FNV-1a checksums are still checked, and their runs
/// still resume).
pub const FORMAT_VERSION: u32 = 4;
/// The burn version stepwise is built on (pinned in Cargo.toml).
pub const BURN_VERSION: &str = "0.22.1";

pub const MODEL_FILE: &str = "model.bpk";
pub const CONFIG_FILE: &str = "config.json";
pub const METRICS_FILE: &str = "metrics.csv";
pub const SUMMARY_FILE: &str = "summary.json";
pub const LOSS_PLOT_FILE: &str = "loss.svg";
pub const LR_FIND_PLOT_FILE: &str = "lr_find.svg";
/// The range test's points, for `stepwise plot`.
pub const LR_FIND_DATA_FILE: &str = "lr_find.json";
pub const FIT_PLOT_FILE: &str = "fit.svg";
pub const BOUNDARY_PLOT_FILE: &str = "boundary.svg";
pub const APPROXIMATION_PLOT_FILE: &str = "approximate.svg";
/// The data `fit.svg` and `boundary.svg` are drawn from, for `stepwise plot`.
pub const FIT_DATA_FILE: &str = "fit.json";
pub const BOUNDARY_DATA_FILE: &str = "boundary.json";
pub const CHECKPOINT_DIR: &str = "checkpoint";

/// The files of one artifact folder.
#[derive(Clone, Debug)]
pub struct ArtifactDir {
    pub dir: PathBuf,
    /// Write into a folder of files stepwise did not write (`--overwrite`).
    pub overwrite: bool,
}

impl ArtifactDir {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            overwrite: false,
        }
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

    pub fn fit_plot(&self) -> PathBuf {
        self.dir.join(FIT_PLOT_FILE)
    }

    pub fn boundary_plot(&self) -> PathBuf {
        self.dir.join(BOUNDARY_PLOT_FILE)
    }

    pub fn checkpoint(&self) -> PathBuf {
        self.dir.join(CHECKPOINT_DIR)
    }

    /// Makes sure the folder exists and can be written.
    pub fn prepare(&self) -> Result<()> {
        let shown = self.dir.display();
        fs::create_dir_all(&self.dir).with_context(|| {
            format!("cannot create the artifact folder {shown}; choose another with --out")
        })?;
        let probe = self.dir.join(writer::WRITE_TEST_FILE);
        let mut options = fs::OpenOptions::new();
        links::open_own(options.write(true).create(true).truncate(true), &probe).with_context(
            || format!("cannot write in the artifact folder {shown}; choose another with --out"),
        )?;
        fs::remove_file(&probe).ok();
        Ok(())
    }

    /// Reads `config.json`, then loads `model.bpk` into the network it describes: the built-in
    /// MLP's ([`ModelConfig`](crate::model::ModelConfig)) or another architecture's.
    pub fn load<A: Architecture>(&self, device: &Device) -> Result<(ModelCard<A>, A::Network)> {
        self.check_folder()?;
        let shown = self.dir.display();
        let config_path = self.config();
        // One commit's pair: a save in progress cannot hand over a new config and an old model.
        // The record is read only once the config says how large it can be.
        let (config, record) = commit::under_shared_lock(&self.dir, || -> Result<_> {
            let cannot = || format!("cannot read {}", config_path.display());
            let text = commit::read(&self.dir, CONFIG_FILE).with_context(cannot)?;
            let text = String::from_utf8(text).with_context(cannot)?;
            let config = parse_config::<A>(&text, &config_path)?;
            self.check_record_size(config.card.model.record_bytes())?;
            let record = commit::read(&self.dir, MODEL_FILE).map_err(|err| {
                anyhow::anyhow!(
                    "{shown} is incomplete: cannot read {MODEL_FILE} ({err}); \
                     retrain with `stepwise train --out {shown}`"
                )
            })?;
            Ok((config, record))
        })?;
        let format = config.card.format_version;
        verify(
            &record,
            config.model_checksum.as_deref(),
            format,
            &self.model(),
        )?;
        let model = decode_model(&config.card.model, record, device, &self.model())?;
        Ok((config.card, model))
    }

    /// Refuses, saying what to do, a path that is not a model folder: a file, nothing, an
    /// unreadable config, or a folder with no model yet.
    fn check_folder(&self) -> Result<()> {
        let shown = self.dir.display();
        if self.dir.is_file() {
            let parent = self.dir.parent().filter(|p| !p.as_os_str().is_empty());
            bail!(
                "{shown} is a file; --model takes the folder `stepwise train` saved into (the one \
                 holding {CONFIG_FILE} and {MODEL_FILE}){}",
                parent.map_or(String::new(), |parent| format!(
                    ", e.g. --model {}",
                    parent.display()
                ))
            );
        }
        if !self.dir.is_dir() {
            bail!(
                "model folder {shown} does not exist; train one first with \
                 `stepwise train --out {shown}`"
            );
        }
        let config_path = self.config();
        if config_path.symlink_metadata().is_ok() && config_path.metadata().is_err() {
            let err = config_path.metadata().unwrap_err();
            bail!(
                "cannot read {}: {err}; replace it with the {CONFIG_FILE} stepwise wrote, or retrain",
                config_path.display()
            );
        }
        if !commit::exists(&self.dir, CONFIG_FILE) {
            let hint = if self.checkpoint().is_dir() {
                format!(
                    "it has a checkpoint: finish the training with `stepwise train --resume {shown}`"
                )
            } else {
                "point --model at a folder written by `stepwise train`".to_string()
            };
            bail!("{shown} has no model yet (no {CONFIG_FILE}); {hint}");
        }
        Ok(())
    }

    /// Refuses a record larger than the model its config describes can have (`most` bytes).
    fn check_record_size(&self, most: Option<u64>) -> Result<()> {
        let (Some(most), Ok(len)) = (most, commit::len(&self.dir, MODEL_FILE)) else {
            return Ok(());
        };
        if len > most {
            bail!(
                "{} is {}, more than a record of the model {CONFIG_FILE} describes can be ({}); \
                 it is not the file stepwise saved: retrain the model",
                self.model().display(),
                crate::machine::bytes(len as f64),
                crate::machine::bytes(most as f64)
            );
        }
        Ok(())
    }

    /// Reads the per-epoch history back from `metrics.csv`.
    pub fn load_metrics(&self) -> Result<Vec<EpochMetrics>> {
        let text = self.read_text(METRICS_FILE)?;
        csv::Reader::from_reader(text.as_bytes())
            .deserialize()
            .collect::<Result<Vec<EpochMetrics>, _>>()
            .with_context(|| format!("{} is damaged", self.metrics().display()))
    }

    pub fn load_summary(&self) -> Result<Summary> {
        let text = self.read_text(SUMMARY_FILE)?;
        serde_json::from_str(&text)
            .with_context(|| format!("{} is damaged", self.summary().display()))
    }

    fn read_text(&self, name: &str) -> Result<String> {
        let path = self.dir.join(name);
        let bytes = commit::read(&self.dir, name)
            .with_context(|| format!("cannot read {}", path.display()))?;
        String::from_utf8(bytes).with_context(|| format!("{} is damaged", path.display()))
    }
}

/// A network of `architecture` with the parameters of a burnpack record read from `path`.
fn decode_model<A: Architecture>(
    architecture: &A,
    record: Vec<u8>,
    device: &Device,
    path: &Path,
) -> Result<A::Network> {
    let shown = path.display();
    model::decode(architecture, record, device).map_err(|err| match err {
        model::DecodeError::Damaged(err) => {
            anyhow::anyhow!("cannot read {shown}: {err}; the file is damaged, retrain the model")
        }
        model::DecodeError::DoesNotFit(err) => anyhow::anyhow!(
            "{shown} does not match {CONFIG_FILE} ({}): {err}",
            architecture.describe()
        ),
    })
}

/// Refuses bytes read from `path` whose checksum is not the one recorded when they were written
/// (in a folder of `format`).
fn verify(bytes: &[u8], expected: Option<&str>, format: u32, path: &Path) -> Result<()> {
    match expected {
        Some(expected) if checksum_for(format, bytes) != expected => bail!(
            "{} is damaged (its checksum does not match the one saved with it); retrain the model",
            path.display()
        ),
        _ => Ok(()),
    }
}

fn to_json(value: &impl Serialize) -> Result<Vec<u8>> {
    let mut json = serde_json::to_vec_pretty(value)?;
    json.push(b'\n');
    Ok(json)
}
