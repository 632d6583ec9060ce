//! Gradient check (`stepwise gradcheck`): is backpropagation right?
//!
//! For every parameter, nudge it by ±ε and watch the loss: the central difference
//! (loss(θ+ε) − loss(θ−ε)) / 2ε approximates ∂loss/∂θ without any calculus. burn's autodiff
//! gradient should agree with it, parameter by parameter, up to the rounding of f32.

use burn::module::{Module, ModuleMapper, Param, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::{Tensor, TensorData};
use serde::Serialize;

use crate::batch::DeviceData;
use crate::learner::{Init, Learner};
use crate::loss::{Loss, TargetTensor};
use crate::model::{Architecture, Network};
use crate::trace::{gradient_values, norm, parameters};

/// The nudge. Smaller makes the difference quotient closer to the slope and less likely to step
/// over a ReLU's kink (ε = 1e-2 did, on iris); larger keeps the f32 rounding of the loss (about
/// 1e-7 of it) small against the change. 1e-3 keeps both near 1e-4 here.
pub const EPSILON: f32 = 1e-3;

/// How autodiff and finite differences agree on one parameter tensor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerCheck {
    pub name: String,
    pub count: usize,
    /// The largest |autodiff − numeric| over the tensor's entries.
    pub max_abs_error: f64,
    /// ‖autodiff − numeric‖ / (‖autodiff‖ + ‖numeric‖): 0 is perfect agreement, 1 is none.
    pub relative_error: f64,
}

/// Checks every parameter of a freshly initialised model on the first `rows` training rows.
pub fn check<A: Architecture>(
    learner: &Learner<A>,
    train: &DeviceData,
    rows: usize,
) -> Vec<LayerCheck> {
    let rows = rows.clamp(1, train.rows);
    let features = train.features.clone().narrow(0, 0, rows); // [rows, inputs]
    let targets = train.targets.narrow(0, rows);
    let Init {
        model,
        loss_function,
        ..
    } = learner.init();

    // Autodiff: one backward pass gives every gradient.
    let loss = loss_function.forward(model.forward(features.clone()), &targets);
    let gradients = GradientsParams::from_grads(loss.backward(), &model);
    let autodiff = gradient_values(&model, &gradients);

    // Finite differences: two forward passes per parameter entry.
    parameters(&model)
        .into_iter()
        .map(|(name, id, values)| {
            let numeric: Vec<f64> = (0..values.len())
                .map(|index| {
                    let loss_at = |nudge: f32| {
                        let nudged = model.clone().map(&mut Nudge { id, index, nudge });
                        loss_value(&nudged, &loss_function, &features, &targets)
                    };
                    (loss_at(EPSILON) - loss_at(-EPSILON)) / (2.0 * EPSILON as f64)
                })
                .collect();
            let exact = autodiff
                .iter()
                .find(|(param, _)| *param == id)
                .map(|(_, values)| values.iter().copied().map(f64::from).collect())
                .unwrap_or_else(|| vec![0.0; values.len()]);
            compare(name, &exact, &numeric)
        })
        .collect()
}

fn loss_value(
    model: &impl Network,
    loss: &Loss,
    features: &Tensor<2>,
    targets: &TargetTensor,
) -> f64 {
    loss.forward(model.forward(features.clone()), targets)
        .into_scalar::<f64>()
}

fn compare(name: String, exact: &[f64], numeric: &[f64]) -> LayerCheck {
    let difference = norm(exact.iter().zip(numeric).map(|(a, b)| a - b));
    let scale = norm(exact.iter().copied()) + norm(numeric.iter().copied());
    LayerCheck {
        name,
        count: exact.len(),
        max_abs_error: exact
            .iter()
            .zip(numeric)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max),
        relative_error: if scale > 0.0 { difference / scale } else { 0.0 },
    }
}

/// Adds `nudge` to one entry of one parameter tensor.
struct Nudge {
    id: ParamId,
    index: usize,
    nudge: f32,
}

impl ModuleMapper for Nudge {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        if param.id != self.id {
            return param;
        }
        let (index, nudge) = (self.index, self.nudge);
        param.map(|tensor| {
            let (shape, device) = (tensor.shape(), tensor.device());
            let mut values: Vec<f32> = tensor.into_data().iter::<f32>().collect();
            values[index] += nudge;
            Tensor::from_data(TensorData::new(values, shape), &device)
        })
    }
}
