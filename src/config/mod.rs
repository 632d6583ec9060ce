//! Everything tunable about a training run, in one place.
//!
//! `TrainConfig` is both the burn `Config` saved into `config.json` (so inference and a later
//! reader see exactly what was trained) and the clap argument group of `stepwise train` (so the
//! command line exposes exactly these knobs). Each default appears twice on one field — once for
//! burn (`#[config(default)]`), once for clap (`default_value_t`); the unit test at the bottom
//! keeps the two in step.

mod choices;
mod command;
mod validate;

pub use choices::{
    ActivationKind, Keep, LearningRate, Missing, ModelKind, OptimizerKind, OutputKind,
    ScheduleKind, Task,
};
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
    /// lr-find`) and trains with its suggestion. A list, `0.001,0.01,0.1,1` (`train` only): one
    /// run per rate, each in a folder `lr-<rate>` of --out, then their losses on one picture.
    #[config(default = "LearningRate::Fixed(0.01)")]
    #[arg(long = "lr", default_value_t = LearningRate::Fixed(0.01))]
    pub learning_rate: LearningRate,

    /// How the learning rate changes from epoch to epoch: `constant` (the article's), `step`
    /// (× --gamma every --step-size epochs), `cosine` (down to --min-lr at the last epoch),
    /// `warmup` (up from --lr / N over the first --warmup N epochs).
    #[config(default = "ScheduleKind::Constant")]
    #[arg(long, value_enum, default_value_t = ScheduleKind::Constant)]
    pub schedule: ScheduleKind,

    /// step: epochs between two cuts of the learning rate.
    #[config(default = 30)]
    #[arg(long, default_value_t = 30, value_name = "EPOCHS")]
    pub step_size: usize,

    /// step: what each cut multiplies the learning rate by.
    #[config(default = 0.1)]
    #[arg(long, default_value_t = 0.1)]
    pub gamma: f64,

    /// cosine: the learning rate of the last epoch.
    #[config(default = 0.0)]
    #[arg(long, default_value_t = 0.0)]
    pub min_lr: f64,

    /// warmup: epochs the learning rate takes to rise to --lr.
    #[config(default = 5)]
    #[arg(long, default_value_t = 5, value_name = "EPOCHS")]
    pub warmup: usize,

    /// How STEP moves the parameters: `sgd`, the article's rule (with --momentum, --nesterov);
    /// `adam`, `adamw` (decoupled --weight-decay) and `rmsprop`, which scale each parameter's
    /// step by its gradients' recent size (--beta1, --beta2, --epsilon). Each rule: `--help`.
    #[config(default = "OptimizerKind::Sgd")]
    #[arg(long, value_enum, default_value_t = OptimizerKind::Sgd)]
    pub optimizer: OptimizerKind,

    /// Adam, AdamW: how much of the gradient's running mean each step keeps.
    #[config(default = 0.9)]
    #[arg(long, default_value_t = 0.9)]
    pub beta1: f64,

    /// Adam, AdamW: how much of the squared gradient's running mean each step keeps (RMSprop's
    /// is --alpha).
    #[config(default = 0.999)]
    #[arg(long, default_value_t = 0.999)]
    pub beta2: f64,

    /// RMSprop: how much of the squared gradient's running mean each step keeps.
    #[config(default = 0.99)]
    #[arg(long, default_value_t = 0.99)]
    pub alpha: f64,

    /// Adam, AdamW, RMSprop: added to the root mean square so a step never divides by zero.
    #[config(default = 1e-8)]
    #[arg(long, default_value_t = 1e-8)]
    pub epsilon: f64,

    /// Momentum (sgd): the fraction of the previous step's velocity kept in the next step (0 =
    /// plain gradient descent). Dampening is 0, as in the textbook and PyTorch.
    #[config(default = 0.9)]
    #[arg(long, default_value_t = 0.9)]
    pub momentum: f64,

    /// Use Nesterov momentum: look ahead along the velocity before taking the gradient step.
    #[config(default = false)]
    #[arg(long)]
    pub nesterov: bool,

    /// L2 penalty: adds `weight_decay × parameter` to each gradient, pulling weights to zero
    /// (adamw: subtracts `learning_rate × weight_decay × parameter` from it at each step).
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

    /// INIT from these weights instead of random ones: a safetensors or PyTorch (.pt) file of
    /// this network's parameters under PyTorch's names and layouts — what `stepwise export
    /// --format safetensors` writes, or `torch.save(model.state_dict())` of the same
    /// `nn.Sequential` (`export` prints it).
    #[arg(long, value_name = "FILE")]
    pub init_from: Option<String>,
}

#[cfg(test)]
mod tests;
