//! Everything tunable about a training run, in one place.
//!
//! `TrainConfig` is both the burn `Config` saved into `config.json` (so inference and a later
//! reader see exactly what was trained) and the clap argument group of `stepwise train` (so the
//! command line exposes exactly these knobs). Each default appears twice on one field — once for
//! burn (`#[config(default)]`), once for clap (`default_value_t`); the unit test at the bottom
//! keeps the two in step.

mod choices;
mod command;

pub use choices::{ActivationKind, Keep, LearningRate, Missing, ModelKind, OutputKind, Task};
pub use command::{command_line, shell_word};

use burn::config::Config;
use clap::Args;

/// The largest `--image-size`: pictures are resized as u32 sides, and one of 16384×16384 is
/// already 3 GiB of f32 colour pixels.
pub const MAX_IMAGE_SIZE: usize = 16384;

/// How to train: the data, the network, the SGD step and when to stop.
#[derive(Config, Debug, Args, PartialEq)]
pub struct TrainConfig {
    /// The data to learn from: a built-in name (xor, sine, line, shapes, ...), a shipped one
    /// (iris, digits), a path to a CSV file with a header row, a folder of pictures with one
    /// sub-folder per class, or MNIST-format pictures (`train-images-idx3-ubyte`, maybe `.gz`).
    #[config(default = "String::from(\"iris\")")]
    #[arg(long, default_value = "iris")]
    pub dataset: String,

    /// Resize every picture of an image folder or IDX files to N×N pixels (default: keep their
    /// size, which must then be the same for all).
    #[arg(long, value_name = "N")]
    pub image_size: Option<usize>,

    /// Read the pictures of an image folder in gray (one channel), not red-green-blue (three).
    #[config(default = false)]
    #[arg(long)]
    pub grayscale: bool,

    /// CSV column that holds the answer to learn (default: the last column).
    #[arg(long)]
    pub label: Option<String>,

    /// Only these CSV columns are features, comma separated (default: every column but the
    /// label and --ignore). Text columns are one-hot encoded.
    #[config(default = "Vec::new()")]
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub features: Vec<String>,

    /// CSV columns that are not features, comma separated: row ids, names, notes.
    #[config(default = "Vec::new()")]
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub ignore: Vec<String>,

    /// Missing cells (empty, NA, NaN, null, ?) in feature columns: `error`, `drop` the row, or
    /// fill with the training rows' `mean` (text: the most frequent value). Rows without a
    /// label are dropped by `drop` and `mean`.
    #[config(default = "Missing::Error")]
    #[arg(long, value_enum, default_value_t = Missing::Error)]
    pub missing: Missing,

    /// Classification or regression (default: inferred from the labels, and said so).
    #[arg(long, value_enum)]
    pub task: Option<Task>,

    /// Network shape: `linear` (one layer), `mlp` (hidden layers with an activation), or `cnn`
    /// (convolutions for pictures, then the MLP's layers).
    #[config(default = "ModelKind::Mlp")]
    #[arg(long, value_enum, default_value_t = ModelKind::Mlp)]
    pub model: ModelKind,

    /// Hidden layer widths of the MLP, comma separated, e.g. `16,16`.
    #[config(default = "vec![16]")]
    #[arg(long, value_delimiter = ',', default_value = "16")]
    pub hidden: Vec<usize>,

    /// Channels of the CNN's convolutions, comma separated: per entry a 3×3 convolution, ReLU
    /// and 2×2 max-pool (each halving the picture's height and width).
    #[config(default = "vec![8, 16]")]
    #[arg(long, value_delimiter = ',', default_value = "8,16")]
    pub channels: Vec<usize>,

    /// The non-linearity after each hidden layer.
    #[config(default = "ActivationKind::Relu")]
    #[arg(long, value_enum, default_value_t = ActivationKind::Relu)]
    pub activation: ActivationKind,

    /// Pass the outputs through a sigmoid (regression on targets in [0, 1], which are then not
    /// standardised). Default: none — class logits, or an unbounded number.
    #[arg(long, value_enum)]
    pub output: Option<OutputKind>,

    /// Learning rate: how far each STEP moves the parameters against the gradient. The default,
    /// 0.01 (an effective step of 0.1 once momentum 0.9 builds up), trains every shipped and
    /// built-in data set and unseen CSVs without blowing up; 0.1 overshoots on many inputs
    /// (measured in the README). `auto` runs the learning-rate range test first (see `stepwise
    /// lr-find`) and trains with its suggestion.
    #[config(default = "LearningRate::Fixed(0.01)")]
    #[arg(long = "lr", default_value_t = LearningRate::Fixed(0.01))]
    pub learning_rate: LearningRate,

    /// Momentum: the fraction of the previous step's velocity kept in the next step (0 = plain
    /// gradient descent). Dampening is 0, as in the textbook and PyTorch.
    #[config(default = 0.9)]
    #[arg(long, default_value_t = 0.9)]
    pub momentum: f64,

    /// Use Nesterov momentum: look ahead along the velocity before taking the gradient step.
    #[config(default = false)]
    #[arg(long)]
    pub nesterov: bool,

    /// L2 penalty: adds `weight_decay × parameter` to each gradient, pulling weights to zero.
    #[config(default = 0.0)]
    #[arg(long, default_value_t = 0.0)]
    pub weight_decay: f64,

    /// Clip each parameter tensor's gradient to at most this L2 norm before the STEP.
    #[arg(long)]
    pub clip_grad_norm: Option<f32>,

    /// Examples per PREDICT/LOSS/GRADIENT/STEP round (full batch when larger than the data).
    #[config(default = 16)]
    #[arg(long, default_value_t = 16)]
    pub batch_size: usize,

    /// STOP after at most this many passes over the training data.
    #[config(default = 100)]
    #[arg(long, default_value_t = 100)]
    pub epochs: usize,

    /// STOP as soon as the loss is at or below this value (the validation loss when there is a
    /// validation split, else the training loss).
    #[arg(long)]
    pub target_loss: Option<f64>,

    /// STOP after this many epochs in a row without the loss improving by `--min-delta`.
    #[arg(long)]
    pub patience: Option<usize>,

    /// The smallest decrease of the loss that counts as an improvement for `--patience`.
    #[config(default = 0.0)]
    #[arg(long, default_value_t = 0.0)]
    pub min_delta: f64,

    /// Which epoch's parameters to save: `best`, the epoch with the lowest validation loss
    /// (training loss without a validation split), or `last`.
    #[config(default = "Keep::Best")]
    #[arg(long, value_enum, default_value_t = Keep::Best)]
    pub keep: Keep,

    /// Fraction of the rows held out to measure the loss on unseen data (default: 0.2 for CSV
    /// data and the 2-D sets, 0 for xor, sine and line).
    #[arg(long)]
    pub valid_fraction: Option<f64>,

    /// The spread of the generated 2-D sets (circles, moons, spiral, spiral3, blobs): the
    /// standard deviation of the noise added to each coordinate (default: each set's own).
    #[arg(long)]
    pub noise: Option<f64>,

    /// Save a checkpoint (parameters, SGD momentum, position) every N epochs into the artifact
    /// folder, for `stepwise train --resume`.
    #[arg(long)]
    pub checkpoint_every: Option<usize>,

    /// Seed for INIT (the random starting parameters), the split and the shuffling: the same
    /// seed gives the same run.
    #[config(default = 42)]
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

impl TrainConfig {
    /// Checks the numbers a person can get wrong, before any work starts.
    pub fn validate(&self) -> anyhow::Result<()> {
        use anyhow::bail;
        if let LearningRate::Fixed(rate) = self.learning_rate {
            if !(rate > 0.0 && rate.is_finite()) {
                bail!("--lr must be a positive number or `auto`, got {rate}; try 0.01");
            }
        }
        if self.epochs == 0 {
            bail!("--epochs must be at least 1");
        }
        if self.batch_size == 0 {
            bail!("--batch-size must be at least 1");
        }
        if !(0.0..1.0).contains(&self.momentum) {
            bail!(
                "--momentum must be in [0, 1), got {}; 0.9 is usual, 0 turns it off",
                self.momentum
            );
        }
        if !(self.weight_decay >= 0.0 && self.weight_decay.is_finite()) {
            bail!(
                "--weight-decay must be 0 or positive, got {}",
                self.weight_decay
            );
        }
        if let Some(norm) = self.clip_grad_norm {
            if !(norm > 0.0 && norm.is_finite()) {
                bail!("--clip-grad-norm must be a positive number, got {norm}");
            }
        }
        if let Some(fraction) = self.valid_fraction {
            if !(0.0..1.0).contains(&fraction) {
                bail!("--valid-fraction must be in [0, 1), got {fraction}; try 0.2");
            }
        }
        if self.model != ModelKind::Linear && (self.hidden.is_empty() || self.hidden.contains(&0)) {
            bail!("--hidden needs one or more positive layer widths, e.g. `--hidden 16,16`");
        }
        if self.channels.is_empty() || self.channels.contains(&0) {
            bail!("--channels needs one or more positive channel counts, e.g. `--channels 8,16`");
        }
        if self.checkpoint_every == Some(0) {
            bail!("--checkpoint-every must be at least 1 (epochs between checkpoints)");
        }
        if self.nesterov && self.momentum == 0.0 {
            bail!("--nesterov needs a --momentum above 0, e.g. `--momentum 0.9`");
        }
        self.validate_stop()?;
        self.validate_image_size()?;
        self.validate_columns()
    }

    /// STOP's numbers: the target loss, the patience and what counts as progress.
    fn validate_stop(&self) -> anyhow::Result<()> {
        use anyhow::bail;
        if let Some(target) = self.target_loss {
            if !(target >= 0.0 && target.is_finite()) {
                bail!("--target-loss must be 0 or a positive number, got {target}; try 0.05");
            }
        }
        if self.patience == Some(0) {
            bail!("--patience must be at least 1 (epochs without improvement before STOP)");
        }
        if !(self.min_delta >= 0.0 && self.min_delta.is_finite()) {
            bail!(
                "--min-delta must be 0 or a positive number, got {}; try 0.001",
                self.min_delta
            );
        }
        Ok(())
    }

    /// Pictures are resized as u32 sides: `--image-size` from 1 to [`MAX_IMAGE_SIZE`].
    fn validate_image_size(&self) -> anyhow::Result<()> {
        match self.image_size {
            Some(size) if !(1..=MAX_IMAGE_SIZE).contains(&size) => anyhow::bail!(
                "--image-size must be from 1 to {MAX_IMAGE_SIZE} (pixels a side), got {size}; \
                 e.g. `--image-size 28`"
            ),
            _ => Ok(()),
        }
    }

    /// --features, --ignore and --label must not contradict each other.
    fn validate_columns(&self) -> anyhow::Result<()> {
        use anyhow::bail;
        for (option, names) in [("--features", &self.features), ("--ignore", &self.ignore)] {
            if let Some(name) = names.iter().find(|name| name.trim().is_empty()) {
                bail!("{option} has an empty column name ('{name}'); separate names with commas");
            }
            if let Some(label) = &self.label {
                if names.contains(label) {
                    bail!(
                        "{option} names '{label}', the label column; the label is never a feature"
                    );
                }
            }
        }
        for (option, names) in [("--features", &self.features), ("--ignore", &self.ignore)] {
            let mut seen = std::collections::HashSet::new();
            if let Some(name) = names.iter().find(|name| !seen.insert(name.as_str())) {
                bail!("{option} names '{name}' twice; give each column once");
            }
        }
        if let Some(name) = self.features.iter().find(|name| self.ignore.contains(name)) {
            bail!("'{name}' is in both --features and --ignore; choose one");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
