//! One linear layer: `prediction = features · weightᵀ + bias`.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Device, Tensor};

#[derive(Module, Debug)]
pub struct LinearModel {
    linear: Linear,
}

impl LinearModel {
    pub fn new(inputs: usize, outputs: usize, device: &Device) -> Self {
        Self {
            linear: LinearConfig::new(inputs, outputs).init(device),
        }
    }

    pub fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        // [batch, inputs] → [batch, outputs]
        self.linear.forward(features)
    }
}
