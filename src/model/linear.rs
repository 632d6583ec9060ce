//! One linear layer: `prediction = features · weightᵀ + bias` (optionally through a sigmoid:
//! logistic regression).

use burn::module::Module;
use burn::nn::{Linear, LinearConfig, Sigmoid};
use burn::tensor::{Device, Tensor};

#[derive(Module, Debug)]
pub struct LinearModel {
    linear: Linear,
    squash: Option<Sigmoid>,
}

impl LinearModel {
    pub fn new(inputs: usize, outputs: usize, squash: Option<Sigmoid>, device: &Device) -> Self {
        Self {
            linear: LinearConfig::new(inputs, outputs).init(device),
            squash,
        }
    }

    pub fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        let output = self.linear.forward(features); // [batch, inputs] → [batch, outputs]
        match &self.squash {
            Some(sigmoid) => sigmoid.forward(output), // [batch, outputs], in (0, 1)
            None => output,
        }
    }
}
