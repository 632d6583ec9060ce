//! Gradient check (`stepwise gradcheck`): is backpropagation right?
//!
//! For every parameter, nudge it by ±ε and watch the loss: the central difference
//! (loss(θ+ε) − loss(θ−ε)) / 2ε approximates ∂loss/∂θ without any calculus. burn's autodiff
//! gradient should agree with it, parameter by parameter, up to the rounding of f32: within
//! [`ATOL`] + [`RTOL`] × |numeric|. Where a nudge steps over a ReLU's corner the slope jumps and
//! no difference quotient measures it; those entries are counted as kinks, not checked.

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

/// An entry agrees when |autodiff − numeric| ≤ ATOL + RTOL × |numeric|: ATOL is ten times the
/// f32 rounding of the difference quotient (about 1e-7 of the loss over 2ε), RTOL the relative
/// agreement expected of a slope measured over ±ε.
pub const ATOL: f64 = 1e-3;
pub const RTOL: f64 = 1e-2;

/// How autodiff and finite differences agree on one parameter tensor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerCheck {
    pub name: String,
    pub count: usize,
    /// Entries outside ATOL + RTOL × |numeric|, kinks left out: a failure of backpropagation.
    pub beyond_bound: usize,
    /// Entries at a kink (see `compare`), which no finite difference can check.
    pub at_kinks: usize,
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

    // Finite differences: two forward passes per parameter entry, at ±ε. The one-sided slopes
    // they give with the loss at the point itself find the kinks.
    let at_point = loss_value(&model, &loss_function, &features, &targets);
    parameters(&model)
        .into_iter()
        .map(|(name, id, values)| {
            let (numeric, one_sided): (Vec<f64>, Vec<(f64, f64)>) = (0..values.len())
                .map(|index| {
                    let loss_at = |nudge: f32| {
                        let nudged = model.clone().map(&mut Nudge { id, index, nudge });
                        loss_value(&nudged, &loss_function, &features, &targets)
                    };
                    let (above, below) = (loss_at(EPSILON), loss_at(-EPSILON));
                    let epsilon = EPSILON as f64;
                    let central = (above - below) / (2.0 * epsilon);
                    let sides = ((above - at_point) / epsilon, (at_point - below) / epsilon);
                    (central, sides)
                })
                .unzip();
            let exact = autodiff
                .iter()
                .find(|(param, _)| *param == id)
                .map(|(_, values)| values.iter().copied().map(f64::from).collect())
                .unwrap_or_else(|| vec![0.0; values.len()]);
            compare(name, &exact, &numeric, &one_sided)
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

/// Where autodiff and the central quotient part, leaving out the kinks: entries whose slopes
/// above and below the point disagree, because the nudge steps over a ReLU's corner, where the
/// slope jumps and no difference quotient measures it.
fn compare(name: String, exact: &[f64], numeric: &[f64], one_sided: &[(f64, f64)]) -> LayerCheck {
    let within = |a: f64, b: f64| (a - b).abs() <= ATOL + RTOL * b.abs();
    let kink: Vec<bool> = one_sided
        .iter()
        .map(|&(above, below)| !within(above, below))
        .collect();
    let difference = norm(exact.iter().zip(numeric).map(|(a, b)| a - b));
    let scale = norm(exact.iter().copied()) + norm(numeric.iter().copied());
    LayerCheck {
        name,
        count: exact.len(),
        beyond_bound: (0..exact.len())
            .filter(|&i| !kink[i] && !within(exact[i], numeric[i]))
            .count(),
        at_kinks: kink.iter().filter(|&&kink| kink).count(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_slope_is_beyond_the_bound_and_a_corner_is_a_kink() {
        // Entry 0 agrees; entry 1's autodiff is off by 0.1; entry 2 sits on a corner (slopes
        // 0 below, 1 above), where the central quotient says 0.5 and cannot be checked.
        let exact = [2.0, 1.1, 1.0];
        let numeric = [2.0005, 1.0, 0.5];
        let one_sided = [(2.0006, 2.0004), (1.0, 1.0), (1.0, 0.0)];
        let check = compare("w".into(), &exact, &numeric, &one_sided);
        assert_eq!((check.beyond_bound, check.at_kinks), (1, 1));
        // The bound itself: 0.001 + 1% of the numeric slope.
        let edge = compare("w".into(), &[1.011], &[1.0], &[(1.0, 1.0)]);
        assert_eq!(edge.beyond_bound, 0);
        let over = compare("w".into(), &[1.0115], &[1.0], &[(1.0, 1.0)]);
        assert_eq!(over.beyond_bound, 1);
    }
}
