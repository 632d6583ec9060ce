//! LOSS: one number that says how wrong the predictions are. Training is making it small.

use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig, MseLoss, Reduction};
use burn::tensor::{Device, Int, Tensor};

/// The answers for a batch, on the device.
#[derive(Clone, Debug)]
pub enum TargetTensor {
    /// Class index per row: `[batch]`.
    Classes(Tensor<1, Int>),
    /// Standardised value per row: `[batch, 1]`.
    Values(Tensor<2>),
}

impl TargetTensor {
    /// The rows at `indices`, in that order (a shuffle, done on the device).
    pub fn select(&self, indices: Tensor<1, Int>) -> Self {
        match self {
            TargetTensor::Classes(classes) => {
                TargetTensor::Classes(classes.clone().select(0, indices))
            }
            TargetTensor::Values(values) => TargetTensor::Values(values.clone().select(0, indices)),
        }
    }

    /// `length` rows from `start` (a minibatch).
    pub fn narrow(&self, start: usize, length: usize) -> Self {
        match self {
            TargetTensor::Classes(classes) => {
                TargetTensor::Classes(classes.clone().narrow(0, start, length))
            }
            TargetTensor::Values(values) => {
                TargetTensor::Values(values.clone().narrow(0, start, length))
            }
        }
    }
}

/// The loss function: cross-entropy for classes, mean squared error for numbers.
/// Built once per run, not per step.
#[derive(Clone, Debug)]
pub struct Loss {
    cross_entropy: CrossEntropyLoss,
    mean_squared_error: MseLoss,
}

impl Loss {
    pub fn new(device: &Device) -> Self {
        Self {
            cross_entropy: CrossEntropyLossConfig::new().init(device),
            mean_squared_error: MseLoss::new(),
        }
    }

    /// The mean loss over the batch: prediction `[batch, outputs]` → `[1]`.
    ///
    /// Cross-entropy is −log of the probability softmax gives the right class; mean squared error
    /// is the average of (prediction − target)².
    pub fn forward(&self, prediction: Tensor<2>, targets: &TargetTensor) -> Tensor<1> {
        match targets {
            TargetTensor::Classes(classes) => {
                self.cross_entropy.forward(prediction, classes.clone())
            }
            TargetTensor::Values(values) => {
                self.mean_squared_error
                    .forward(prediction, values.clone(), Reduction::Mean)
            }
        }
    }
}
