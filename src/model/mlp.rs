//! The built-in network: a multilayer perceptron, linear layers with a non-linearity between
//! them. Without the non-linearity the layers would collapse into one linear map and xor could
//! not be learned. With no hidden layer it is one linear layer: linear regression, or softmax
//! (logistic) classification — `--model linear`. With `--model cnn` its layers read the output
//! of convolutions ([`super::cnn`]) instead of the raw inputs.

use anyhow::{bail, Result};
use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::store::ModuleRecord;
use burn::tensor::{activation, Device, Tensor};

mod older;

use super::cnn::{Convolutions, ConvolutionsConfig};
use super::{Architecture, Network};
use crate::config::{ActivationKind, ModelKind, OutputKind, TrainConfig};
use crate::data::images::ImageShape;
use crate::device::{linear, linear_then};

/// The MLP's shape: the width of every layer and what happens between them.
#[derive(Config, Debug, PartialEq)]
pub struct ModelConfig {
    /// `linear` (no hidden layer, whatever `hidden` says) or `mlp`.
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
    /// The convolutions before the layers (CNN only).
    pub convolutions: Option<ConvolutionsConfig>,
}

impl ModelConfig {
    /// The network a training configuration asks for, on `inputs` features (pictures of
    /// `image`, when they are) and `outputs` outputs.
    pub fn for_run(
        config: &TrainConfig,
        inputs: usize,
        outputs: usize,
        image: Option<ImageShape>,
    ) -> Result<Self> {
        let convolutions = match (config.model, image) {
            (ModelKind::Cnn, Some(image)) => {
                let convolutions = ConvolutionsConfig::new(image, config.channels.clone());
                convolutions.check()?;
                Some(convolutions)
            }
            (ModelKind::Cnn, None) => bail!(
                "--model cnn reads pictures, and {} is a table; train a CNN on shapes, digits, \
                 an image folder or IDX files, or use --model mlp",
                config.dataset
            ),
            _ => None,
        };
        Ok(ModelConfig::new(config.model, inputs, outputs)
            .with_hidden(config.hidden.clone())
            .with_activation(config.activation)
            .with_output(config.output)
            .with_convolutions(convolutions))
    }

    /// The hidden layer widths the network has: none for `linear`.
    pub fn hidden_widths(&self) -> &[usize] {
        match self.kind {
            ModelKind::Linear => &[],
            ModelKind::Mlp | ModelKind::Cnn => &self.hidden,
        }
    }

    /// What the first linear layer reads per row: the inputs, or what the convolutions leave.
    fn dense_inputs(&self) -> usize {
        self.convolutions
            .as_ref()
            .map_or(self.inputs, ConvolutionsConfig::output_width)
    }

    /// The linear layers' widths in order, e.g. `[4, 16, 3]`.
    pub fn widths(&self) -> Vec<usize> {
        std::iter::once(self.dense_inputs())
            .chain(self.hidden_widths().iter().copied())
            .chain(std::iter::once(self.outputs))
            .collect()
    }

    /// Number of trainable numbers, from the widths alone, before any is allocated (saturating:
    /// absurd widths must reach the memory check, not overflow). Equal to the network's
    /// `num_params()`.
    pub fn parameter_count(&self) -> usize {
        let convolutions = self
            .convolutions
            .as_ref()
            .map_or(0, ConvolutionsConfig::parameter_count);
        self.widths()
            .windows(2)
            .map(|pair| pair[0].saturating_mul(pair[1]).saturating_add(pair[1]))
            .fold(convolutions, usize::saturating_add)
    }
}

impl Architecture for ModelConfig {
    type Network = Mlp;

    /// Each parameter's 4 bytes, twice over for the record's own layout and padding, and 1 MiB
    /// for its header and names.
    fn record_bytes(&self) -> Option<u64> {
        let parameters = self.parameter_count() as u64;
        Some(parameters.saturating_mul(8).saturating_add(1 << 20))
    }

    /// INIT: burn's default Kaiming-uniform initialiser for every layer, first to last.
    fn init(&self, device: &Device) -> Mlp {
        let convolutions = self
            .convolutions
            .as_ref()
            .map(|convolutions| convolutions.init(device));
        let mut width = self.dense_inputs();
        let hidden = self
            .hidden_widths()
            .iter()
            .map(|&next| {
                let layer = LinearConfig::new(width, next).init(device);
                width = next;
                layer
            })
            .collect();
        Mlp {
            convolutions,
            hidden,
            output: LinearConfig::new(width, self.outputs).init(device),
            activation: self.activation,
            squash: self.output,
        }
    }

    fn inputs(&self) -> usize {
        self.inputs
    }

    fn outputs(&self) -> usize {
        self.outputs
    }

    /// e.g. `mlp 4-16-3 relu`, `linear 4-3`, `mlp 2-4-1 tanh + sigmoid`,
    /// `cnn 1x8x8 conv 8,16 then 64-16-10 relu`.
    fn describe(&self) -> String {
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
            ModelKind::Cnn => format!(
                "cnn {} then {widths} {}{output}",
                self.convolutions
                    .as_ref()
                    .map_or_else(String::new, ConvolutionsConfig::describe),
                self.activation
            ),
        }
    }

    fn layer_widths(&self) -> Vec<usize> {
        let mut widths = vec![self.inputs];
        if let Some(convolutions) = &self.convolutions {
            widths.extend(convolutions.activation_widths());
        }
        widths.extend(self.widths().into_iter().skip(1));
        widths
    }

    /// Records written before the one MLP (model format 2 and older) name the parameters
    /// under an enum variant: `Linear.linear.weight`, `Mlp.hidden.0.weight`.
    fn load_older(&self, record: ModuleRecord, device: &Device) -> Option<Mlp> {
        older::load(self.init(device), record)
    }
}

/// The built-in network: linear layers with an activation between them, after convolutions for
/// `--model cnn`.
#[derive(Module, Debug)]
pub struct Mlp {
    convolutions: Option<Convolutions>,
    hidden: Vec<Linear>,
    output: Linear,
    #[module(skip)]
    activation: ActivationKind,
    /// A sigmoid on the outputs (`--output sigmoid`), or none.
    #[module(skip)]
    squash: Option<OutputKind>,
}

impl Mlp {
    /// What the first linear layer reads: the features, or what the convolutions make of them.
    fn dense_input(&self, features: Tensor<2>) -> Tensor<2> {
        match &self.convolutions {
            Some(convolutions) => convolutions.forward(features), // [batch, what the pools leave]
            None => features,                                     // [batch, inputs]
        }
    }

    /// PREDICT in burn's own operations only (its linear layer and activations, none of
    /// stepwise's `device::speed`): what burn's ONNX exporter can record. The same numbers
    /// as `forward`. `[batch, inputs]` → `[batch, outputs]`.
    pub fn forward_portable(&self, features: Tensor<2>) -> Tensor<2> {
        self.dense_portable(self.dense_input(features))
    }

    /// [`Mlp::forward_portable`] from pictures `[batch, channels, height, width]`, for a CNN
    /// (a network without convolutions reads rows: `None`).
    pub fn forward_portable_pictures(&self, pictures: Tensor<4>) -> Option<Tensor<2>> {
        let convolutions = self.convolutions.as_ref()?;
        Some(self.dense_portable(convolutions.forward_pictures(pictures)))
    }

    /// The linear layers and activations in burn's operations. `[batch, n]` → `[batch, outputs]`.
    fn dense_portable(&self, mut hidden: Tensor<2>) -> Tensor<2> {
        let activate = |x: Tensor<2>, kind| match kind {
            ActivationKind::Relu => activation::relu(x),
            ActivationKind::Tanh => activation::tanh(x),
            ActivationKind::Sigmoid => activation::sigmoid(x),
        };
        for layer in &self.hidden {
            hidden = activate(layer.forward(hidden), self.activation); // [batch, width of layer]
        }
        let output = self.output.forward(hidden); // [batch, outputs]
        match self.squash {
            Some(OutputKind::Sigmoid) => activate(output, ActivationKind::Sigmoid),
            None => output,
        }
    }
}

impl Network for Mlp {
    fn hidden_outputs(&self, features: Tensor<2>) -> Vec<Tensor<2>> {
        let mut hidden = self.dense_input(features);
        let mut outputs = Vec::new();
        for layer in &self.hidden {
            hidden = linear_then(layer, hidden, self.activation); // [batch, width of layer]
            outputs.push(hidden.clone());
        }
        outputs
    }

    fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        let mut hidden = self.dense_input(features);
        for layer in &self.hidden {
            // The linear layer, then the activation: one operation of the graph (see
            // `linear_then`); the activation is stepwise's own tanh for tanh.
            hidden = linear_then(layer, hidden, self.activation); // [batch, width of layer]
        }
        match self.squash {
            // [batch, outputs], in (0, 1)
            Some(OutputKind::Sigmoid) => linear_then(&self.output, hidden, ActivationKind::Sigmoid),
            None => linear(&self.output, hidden), // [batch, outputs]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::Module;

    #[test]
    fn the_count_from_the_widths_is_the_modules_own() {
        let device = crate::device::cpu().expect("a CPU backend").device;
        for (kind, hidden) in [
            (ModelKind::Linear, vec![16]),
            (ModelKind::Mlp, vec![16]),
            (ModelKind::Mlp, vec![7, 5, 3]),
        ] {
            let config = ModelConfig::new(kind, 4, 3).with_hidden(hidden);
            assert_eq!(config.parameter_count(), config.init(&device).num_params());
        }
    }

    #[test]
    fn the_memory_estimate_counts_every_layer_of_the_mlp() {
        let config = ModelConfig::new(ModelKind::Mlp, 4, 3).with_hidden(vec![16, 8]);
        assert_eq!(config.layer_widths(), [4, 16, 8, 3]);
        let linear = ModelConfig::new(ModelKind::Linear, 4, 3).with_hidden(vec![16]);
        assert_eq!(linear.layer_widths(), [4, 3]);
    }
}
