//! Measuring a network on a whole split, on the device: the loss, and for classes the accuracy.
//! What training reports after each epoch, and what `bench` reads.

use burn::tensor::Tensor;

use crate::learner::batch::DeviceData;
use crate::learner::loss::{Loss, TargetTensor};
use crate::model::Network;

/// What a network scores on a split.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measured {
    /// The mean loss over the rows.
    pub loss: f64,
    /// The fraction of rows whose most probable class is the right one (classes only).
    pub accuracy: Option<f64>,
}

/// PREDICT on every row of `data`, then its LOSS, and for classes the accuracy.
pub fn measure(network: &impl Network, loss_function: &Loss, data: &DeviceData) -> Measured {
    let prediction = network.forward(data.features.clone()); // [rows, outputs]
    let loss = loss_function
        .forward(prediction.clone(), &data.targets)
        .into_scalar::<f64>();
    let accuracy = match &data.targets {
        TargetTensor::Classes(classes) => Some(accuracy(prediction, classes.clone())),
        TargetTensor::Values(_) => None,
    };
    Measured { loss, accuracy }
}

/// The fraction of rows of `prediction` `[rows, classes]` whose largest output is at the index
/// `classes` `[rows]` holds.
pub fn accuracy(prediction: Tensor<2>, classes: Tensor<1, burn::tensor::Int>) -> f64 {
    let rows = prediction.dims()[0];
    let predicted = prediction.argmax(1).reshape([rows]); // [rows]
    let right = predicted.equal(classes).int().sum();
    right.into_scalar::<f64>() / rows.max(1) as f64
}
