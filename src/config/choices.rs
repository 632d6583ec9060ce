//! The options of a training run that are one of a few choices (`--model`, `--activation`,
//! `--keep`, `--missing`, `--lr`): their values, names and how they are saved.

use clap::ValueEnum;
use serde::{Deserialize, Serialize};

/// What the network predicts: a class (cross-entropy loss) or a number (mean squared error).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Task {
    Classification,
    Regression,
}

/// The shape of the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// One linear layer: linear regression, or softmax (logistic) classification.
    Linear,
    /// A multilayer perceptron: hidden linear layers, each followed by the activation.
    Mlp,
    /// A convolutional network, for pictures: per `--channels` entry a 3×3 convolution, ReLU
    /// and 2×2 max-pool, then the MLP's layers.
    Cnn,
}

/// The non-linearity between hidden layers of an MLP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ActivationKind {
    Relu,
    Tanh,
    Sigmoid,
}

/// How STEP turns the gradients into a move of the parameters (the rules: `train --help`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    /// Stochastic gradient descent with momentum: the article's rule.
    Sgd,
    /// Adam: each parameter's step is its gradient's running mean over the running root mean
    /// square, both corrected for their start at zero.
    Adam,
    /// Adam with decoupled weight decay: the decay shrinks the parameter directly, not through
    /// the gradient.
    Adamw,
    /// RMSprop: the gradient over the running root mean square of recent gradients.
    Rmsprop,
}

/// How the learning rate changes from epoch to epoch (`--schedule`), from burn's schedulers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleKind {
    /// The same rate every epoch: the article's.
    Constant,
    /// Multiplied by --gamma every --step-size epochs.
    Step,
    /// Down a half cosine from --lr at the first epoch to --min-lr at the last.
    Cosine,
    /// Up a straight line from --lr / N at the first epoch to --lr at the Nth (--warmup N),
    /// then constant.
    Warmup,
}

/// What the network's outputs pass through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum OutputKind {
    /// The logistic sigmoid 1 / (1 + e^-x): outputs in (0, 1), for regression on targets in
    /// [0, 1] (the textbook xor network, trained with mean squared error).
    Sigmoid,
}

impl std::fmt::Display for Task {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Task::Classification => "classification",
            Task::Regression => "regression",
        })
    }
}

impl std::fmt::Display for ScheduleKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ScheduleKind::Constant => "constant",
            ScheduleKind::Step => "step",
            ScheduleKind::Cosine => "cosine",
            ScheduleKind::Warmup => "warmup",
        })
    }
}

impl std::fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Adam => "adam",
            OptimizerKind::Adamw => "adamw",
            OptimizerKind::Rmsprop => "rmsprop",
        })
    }
}

impl std::fmt::Display for ActivationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ActivationKind::Relu => "relu",
            ActivationKind::Tanh => "tanh",
            ActivationKind::Sigmoid => "sigmoid",
        })
    }
}

/// Which epoch's parameters a run saves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Keep {
    /// The epoch with the lowest watched loss (validation, or training without a split).
    Best,
    /// The last epoch.
    Last,
}

/// What to do with a missing cell (empty, `NA`, `NaN`, `null`, `?`, ...) in a feature column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Missing {
    /// Refuse the data, naming the first missing cell.
    #[default]
    Error,
    /// Leave out every row with a missing cell.
    Drop,
    /// Fill with the training rows' mean (text columns: their most frequent value).
    Mean,
}

/// `--lr`: a number, or `auto` to pick one with the learning-rate range test first.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LearningRate {
    Fixed(f64),
    Auto,
}

impl LearningRate {
    /// The number, unless it is still to be found.
    pub fn fixed(self) -> Option<f64> {
        match self {
            LearningRate::Fixed(rate) => Some(rate),
            LearningRate::Auto => None,
        }
    }
}

impl From<f64> for LearningRate {
    fn from(rate: f64) -> Self {
        LearningRate::Fixed(rate)
    }
}

impl std::fmt::Display for LearningRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LearningRate::Fixed(rate) => write!(f, "{rate}"),
            LearningRate::Auto => f.write_str("auto"),
        }
    }
}

impl std::str::FromStr for LearningRate {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "auto" => Ok(LearningRate::Auto),
            _ if text.contains(',') => Err(format!(
                "'{text}' is a list: `stepwise train --lr A,B,C` trains one run per rate; give \
                 one rate here"
            )),
            _ => text
                .parse()
                .map(LearningRate::Fixed)
                .map_err(|_| format!("'{text}' is neither a number nor `auto`")),
        }
    }
}

/// Saved as a number, or the string "auto".
impl Serialize for LearningRate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            LearningRate::Fixed(rate) => serializer.serialize_f64(*rate),
            LearningRate::Auto => serializer.serialize_str("auto"),
        }
    }
}

impl<'de> Deserialize<'de> for LearningRate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Saved {
            Number(f64),
            Text(String),
        }
        match Saved::deserialize(deserializer)? {
            Saved::Number(rate) => Ok(LearningRate::Fixed(rate)),
            Saved::Text(text) => text.parse().map_err(serde::de::Error::custom),
        }
    }
}
