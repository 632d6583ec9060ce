//! The network: a burn `Module` whose `forward` is the PREDICT phase.
//!
//! Two shapes, both built from one [`ModelConfig`] that is saved with the trained parameters, so
//! inference rebuilds exactly the network that was trained.

mod linear;
mod mlp;

pub use linear::LinearModel;
pub use mlp::Mlp;

use burn::config::Config;
use burn::module::Module;
use burn::nn::Sigmoid;
use burn::tensor::{Device, Tensor};

use crate::config::{ActivationKind, ModelKind, OutputKind};

/// The architecture: which shape, and the width of every layer.
#[derive(Config, Debug, PartialEq)]
pub struct ModelConfig {
    pub kind: ModelKind,
    /// Number of input features.
    pub inputs: usize,
    /// Number of outputs: one per class (the logits), or one for regression.
    pub outputs: usize,
    /// Hidden layer widths (MLP only).
    #[config(default = "Vec::new()")]
    pub hidden: Vec<usize>,
    /// Non-linearity after each hidden layer (MLP only).
    #[config(default = "ActivationKind::Relu")]
    pub activation: ActivationKind,
    /// What the outputs pass through: nothing (logits, or an unbounded value), or a sigmoid.
    /// (An `Option` so configs saved before it existed still load.)
    pub output: Option<OutputKind>,
}

impl ModelConfig {
    /// INIT: a model with random parameters (burn's default Kaiming-uniform initialiser, drawn
    /// from the device's seeded generator).
    pub fn init(&self, device: &Device) -> Model {
        let squash = self.output.map(|OutputKind::Sigmoid| Sigmoid);
        match self.kind {
            ModelKind::Linear => {
                Model::Linear(LinearModel::new(self.inputs, self.outputs, squash, device))
            }
            ModelKind::Mlp => Model::Mlp(Mlp::new(
                self.inputs,
                &self.hidden,
                self.outputs,
                self.activation,
                squash,
                device,
            )),
        }
    }

    /// Layer widths in order, e.g. `[4, 16, 3]`.
    pub fn widths(&self) -> Vec<usize> {
        let hidden = match self.kind {
            ModelKind::Linear => &[][..],
            ModelKind::Mlp => &self.hidden[..],
        };
        std::iter::once(self.inputs)
            .chain(hidden.iter().copied())
            .chain(std::iter::once(self.outputs))
            .collect()
    }

    /// Number of trainable numbers: weights and biases of every layer (saturating: absurd
    /// widths must reach the memory check, not overflow).
    pub fn parameter_count(&self) -> usize {
        self.widths()
            .windows(2)
            .map(|pair| pair[0].saturating_mul(pair[1]).saturating_add(pair[1]))
            .fold(0, usize::saturating_add)
    }

    /// A one-line description, e.g. `mlp 4-16-3 relu`.
    pub fn describe(&self) -> String {
        let widths = self
            .widths()
            .iter()
            .map(usize::to_string)
            .collect::<Vec<_>>()
            .join("-");
        let output = match self.output {
            Some(OutputKind::Sigmoid) => " + sigmoid",
            None => "",
        };
        match self.kind {
            ModelKind::Linear => format!("linear {widths}{output}"),
            ModelKind::Mlp => format!("mlp {widths} {}{output}", self.activation),
        }
    }
}

/// A trained or training network. (One exists per run, so the size difference between the
/// variants does not matter.)
#[derive(Module, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Model {
    Linear(LinearModel),
    Mlp(Mlp),
}

impl Model {
    /// PREDICT: features `[batch, inputs]` → outputs `[batch, outputs]` (class logits, or the
    /// standardised regression value).
    pub fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        match self {
            Model::Linear(model) => model.forward(features),
            Model::Mlp(model) => model.forward(features),
        }
    }
}
