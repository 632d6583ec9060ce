//! LOSS: one number that says how wrong the predictions are. Training is making it small.

use burn::tensor::{Int, Tensor};

use crate::device::{cross_entropy, mean_squared_error};

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
    /// The same targets off the autodiff graph, on the plain device (for an inference model).
    pub fn inner(&self) -> Self {
        match self {
            TargetTensor::Classes(classes) => TargetTensor::Classes(classes.clone().inner()),
            TargetTensor::Values(values) => TargetTensor::Values(values.clone().inner()),
        }
    }

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

/// The loss function: cross-entropy for classes, mean squared error for numbers. Each is one
/// operation of the graph with the textbook derivative (see `device::loss`); burn's
/// `CrossEntropyLoss` and `MseLoss` compute the same values in several.
#[derive(Clone, Copy, Debug)]
pub struct Loss;

impl Loss {
    /// The mean loss over the batch: prediction `[batch, outputs]` → `[1]`.
    ///
    /// Cross-entropy is −log of the probability softmax gives the right class; mean squared error
    /// is the average of (prediction − target)².
    pub fn forward(&self, prediction: Tensor<2>, targets: &TargetTensor) -> Tensor<1> {
        match targets {
            TargetTensor::Classes(classes) => cross_entropy(prediction, classes.clone()),
            TargetTensor::Values(values) => mean_squared_error(prediction, values.clone()),
        }
    }
}
