//! Gradient check (`stepwise gradcheck`): is backpropagation right?
//!
//! For every parameter, nudge it by ±ε and watch the loss: the central difference
//! (loss(θ+ε) − loss(θ−ε)) / 2ε approximates ∂loss/∂θ without any calculus. burn's autodiff
//! gradient should agree with it, parameter by parameter, up to the rounding of f32: within
//! [`ATOL`] + [`RTOL`] × |numeric|. Where a nudge steps over a corner (a ReLU's, a max-pool's
//! tie) the slope jumps and no difference quotient measures it; those entries are counted as
//! kinks, not checked.

use anyhow::Result;
use burn::module::{Module, ModuleMapper, Param, ParamId};
use burn::tensor::{Tensor, TensorData};
use serde::Serialize;

use crate::learner::batch::DeviceData;
use crate::learner::loss::{Loss, TargetTensor};
use crate::learner::{gradients, Init, Learner};
use crate::model::{Architecture, Network};
use crate::teaching::trace::{gradient_values, norm, parameters};

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
) -> Result<Vec<LayerCheck>> {
    let rows = rows.clamp(1, train.rows);
    let features = train.features.clone().narrow(0, 0, rows); // [rows, inputs]
    let targets = train.targets.narrow(0, rows);
    let Init {
        model,
        loss_function,
        ..
    } = learner.init()?;

    // Autodiff: one backward pass gives every gradient, as training's step takes them.
    let batch = (features.clone(), targets.clone());
    let (_, gradients) = gradients(&model, &loss_function, batch, &mut ());
    let autodiff = gradient_values(&model, &gradients);

    // Finite differences: forward passes per parameter entry at ±ε (the central quotient) and
    // at ±ε/2. With the loss at the point itself they give the slope over each quarter of
    // [−ε, ε]; slopes that differ find the kinks, even one near the edge of the interval.
    let at_point = loss_value(&model, &loss_function, &features, &targets);
    let checks = parameters(&model)
        .into_iter()
        .map(|(name, id, values)| {
            let (numeric, pieces): (Vec<f64>, Vec<[f64; 4]>) = (0..values.len())
                .map(|index| {
                    let loss_at = |nudge: f32| {
                        let nudged = model.clone().map(&mut Nudge { id, index, nudge });
                        loss_value(&nudged, &loss_function, &features, &targets)
                    };
                    let half = EPSILON / 2.0;
                    let losses = [
                        loss_at(-EPSILON),
                        loss_at(-half),
                        at_point,
                        loss_at(half),
                        loss_at(EPSILON),
                    ];
                    let step = f64::from(half);
                    let slope = |k: usize| (losses[k + 1] - losses[k]) / step;
                    let central = (losses[4] - losses[0]) / (2.0 * f64::from(EPSILON));
                    (central, [slope(0), slope(1), slope(2), slope(3)])
                })
                .unzip();
            let exact = autodiff
                .iter()
                .find(|(param, _)| *param == id)
                .map(|(_, values)| values.iter().copied().map(f64::from).collect())
                .unwrap_or_else(|| vec![0.0; values.len()]);
            compare(name, &exact, &numeric, &pieces)
        })
        .collect();
    Ok(checks)
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
/// over the quarters of [−ε, ε] (`pieces`) spread beyond the bound, because the nudge steps
/// over a corner — a ReLU's, or a max-pool's tie where another input becomes the largest —
/// where the slope jumps and no difference quotient measures it. Elsewhere the bound widens by
/// that spread: a finite difference is no surer of the slope than its own slopes agree (a tie
/// broken near the edge of [−ε, ε] moves them a little, and the f32 loss's rounding too).
fn compare(name: String, exact: &[f64], numeric: &[f64], pieces: &[[f64; 4]]) -> LayerCheck {
    let bound = |numeric: f64| ATOL + RTOL * numeric.abs();
    let spread = |slopes: &[f64; 4]| {
        let (low, high) = slopes
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &s| {
                (l.min(s), h.max(s))
            });
        high - low
    };
    let kink: Vec<bool> = (0..exact.len())
        .map(|i| spread(&pieces[i]) > bound(numeric[i]))
        .collect();
    let beyond = |i: usize| (exact[i] - numeric[i]).abs() > bound(numeric[i]) + spread(&pieces[i]);
    let difference = norm(exact.iter().zip(numeric).map(|(a, b)| a - b));
    let scale = norm(exact.iter().copied()) + norm(numeric.iter().copied());
    LayerCheck {
        name,
        count: exact.len(),
        beyond_bound: (0..exact.len()).filter(|&i| !kink[i] && beyond(i)).count(),
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
        let pieces = [
            [2.0004, 2.0005, 2.0005, 2.0004],
            [1.0; 4],
            [0.0, 0.0, 1.0, 1.0],
        ];
        let check = compare("w".into(), &exact, &numeric, &pieces);
        assert_eq!((check.beyond_bound, check.at_kinks), (1, 1));
        // A corner near the edge of [−ε, ε] (a max-pool tie broken late): one quarter's slope
        // differs, and the entry is a kink, not a failure of backpropagation.
        let late = compare("w".into(), &[1.0], &[0.95], &[[1.0, 1.0, 1.0, 0.8]]);
        assert_eq!((late.beyond_bound, late.at_kinks), (0, 1));
        // A small spread (a tie broken very late, rounding) widens the bound by as much, and
        // no more: autodiff 0.0092 against a central 0.0080 whose quarters span 0.00095.
        let pieces = [[0.00858, 0.00811, 0.00763, 0.00763]];
        assert_eq!(
            compare("w".into(), &[0.0092], &[0.0080], &pieces).beyond_bound,
            0
        );
        assert_eq!(
            compare("w".into(), &[0.0112], &[0.0080], &pieces).beyond_bound,
            1
        );
        // The bound itself: 0.001 + 1% of the numeric slope.
        let edge = compare("w".into(), &[1.011], &[1.0], &[[1.0; 4]]);
        assert_eq!(edge.beyond_bound, 0);
        let over = compare("w".into(), &[1.0115], &[1.0], &[[1.0; 4]]);
        assert_eq!(over.beyond_bound, 1);
    }
}
