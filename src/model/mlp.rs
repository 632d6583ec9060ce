//! A multilayer perceptron: linear layers with a non-linearity between them. Without the
//! non-linearity the layers would collapse into one linear map and xor could not be learned.

use burn::module::Module;
use burn::nn::activation::{Activation, ActivationConfig};
use burn::nn::{Linear, LinearConfig, Sigmoid};
use burn::tensor::{Device, Tensor};

use crate::config::ActivationKind;
use crate::device::tanh;

#[derive(Module, Debug)]
pub struct Mlp {
    hidden: Vec<Linear>,
    activation: Activation,
    output: Linear,
    /// A sigmoid on the outputs (`--output sigmoid`), or none.
    squash: Option<Sigmoid>,
}

impl Mlp {
    pub fn new(
        inputs: usize,
        hidden: &[usize],
        outputs: usize,
        activation: ActivationKind,
        squash: Option<Sigmoid>,
        device: &Device,
    ) -> Self {
        let mut width = inputs;
        let hidden = hidden
            .iter()
            .map(|&next| {
                let layer = LinearConfig::new(width, next).init(device);
                width = next;
                layer
            })
            .collect();
        let activation = match activation {
            ActivationKind::Relu => ActivationConfig::Relu,
            ActivationKind::Tanh => ActivationConfig::Tanh,
            ActivationKind::Sigmoid => ActivationConfig::Sigmoid,
        };
        Self {
            hidden,
            activation: activation.init(device),
            output: LinearConfig::new(width, outputs).init(device),
            squash,
        }
    }

    pub fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        let mut hidden = features; // [batch, inputs]
        for layer in &self.hidden {
            let weighted = layer.forward(hidden); // [batch, width of layer]
            hidden = match &self.activation {
                // stepwise's own tanh: tanh to 7 ulp, half the work (see its module).
                Activation::Tanh(_) => tanh(weighted),
                other => other.forward(weighted),
            }; // [batch, width of layer]
        }
        let output = self.output.forward(hidden); // [batch, outputs]
        match &self.squash {
            Some(sigmoid) => sigmoid.forward(output), // [batch, outputs], in (0, 1)
            None => output,
        }
    }
}
