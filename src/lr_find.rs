//! The learning-rate range test (`stepwise lr-find`, `train --lr auto`).
//!
//! The article says the learning rate matters and leaves choosing it to the reader. The range
//! test chooses it by experiment: from a fresh INIT, take minibatch steps with a learning rate
//! that grows exponentially (1e-6 → 10), and watch the loss. Too small a rate barely moves it;
//! a good one makes it fall fastest; too large a one makes it explode. The suggestion is where it
//! falls fastest (steepest descent), and, more cautious, a tenth of the rate at its minimum.

use burn::optim::GradientsParams;
use serde::Serialize;

use crate::batch::DeviceData;
use crate::learner::{Init, Learner};
use crate::model::{Architecture, Network};

pub const START: f64 = 1e-6;
pub const END: f64 = 10.0;
pub const STEPS: usize = 100;
/// The loss is smoothed with an exponential moving average of this weight (bias-corrected).
pub const SMOOTHING: f64 = 0.98;
/// Stop once the smoothed loss exceeds this multiple of its minimum: it is exploding.
pub const EXPLOSION: f64 = 4.0;

/// One step of the range test.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LrPoint {
    pub learning_rate: f64,
    pub loss: f64,
    pub smoothed_loss: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LrFinding {
    pub points: Vec<LrPoint>,
    /// The rate where the smoothed loss falls fastest against log(learning rate).
    pub steepest: f64,
    /// The rate at the smoothed loss's minimum.
    pub minimum: f64,
    /// What `--lr auto` trains with: a tenth of the rate at the minimum — below where the loss
    /// turns up, and still on the steep part of the curve.
    pub suggestion: f64,
    /// Why the test ended early, if it did.
    pub stopped_early: bool,
}

/// Runs the range test on `train` with the learner's model, optimizer and batches.
pub fn find<A: Architecture>(learner: &Learner<A>, train: &DeviceData) -> LrFinding {
    let growth = (END / START).powf(1.0 / (STEPS - 1) as f64);

    // INIT: a fresh model; what the test learns is thrown away.
    let Init {
        mut model,
        mut optimizer,
        loss_function,
        ..
    } = learner.init();

    let mut points: Vec<LrPoint> = Vec::with_capacity(STEPS);
    let mut average = 0.0;
    let mut best = f64::INFINITY;
    let mut stopped_early = false;
    for (features, targets) in learner.endless_batches(train).take(STEPS) {
        let learning_rate = START * growth.powi(points.len() as i32);

        // PREDICT, LOSS, GRADIENT, STEP — as in training, with this step's rate.
        let prediction = model.forward(features);
        let loss = loss_function.forward(prediction, &targets);
        let gradients = GradientsParams::from_grads(loss.backward(), &model);
        model = optimizer.step(learning_rate, model, gradients);

        let loss = loss.into_scalar::<f64>();
        average = SMOOTHING * average + (1.0 - SMOOTHING) * loss;
        let smoothed_loss = average / (1.0 - SMOOTHING.powi(points.len() as i32 + 1));
        points.push(LrPoint {
            learning_rate,
            loss,
            smoothed_loss,
        });
        if !smoothed_loss.is_finite() || smoothed_loss > EXPLOSION * best {
            stopped_early = true;
            break;
        }
        best = best.min(smoothed_loss);
    }
    let (steepest, minimum) = suggestions(&points);
    LrFinding {
        points,
        steepest,
        minimum,
        suggestion: minimum / 10.0,
        stopped_early,
    }
}

/// (steepest-descent rate, rate at the minimum) of the smoothed curve.
fn suggestions(points: &[LrPoint]) -> (f64, f64) {
    let finite: Vec<&LrPoint> = points
        .iter()
        .filter(|point| point.smoothed_loss.is_finite())
        .collect();
    let minimum = finite
        .iter()
        .min_by(|a, b| a.smoothed_loss.total_cmp(&b.smoothed_loss))
        .map_or(START, |point| point.learning_rate);
    // The slope d(smoothed loss)/d(ln rate) between neighbours, up to the minimum (beyond it the
    // loss is on its way up).
    let steepest = finite
        .windows(2)
        .take_while(|pair| pair[0].learning_rate < minimum)
        .min_by(|a, b| slope(a).total_cmp(&slope(b)))
        .map_or(minimum, |pair| pair[0].learning_rate);
    (steepest, minimum)
}

fn slope(pair: &[&LrPoint]) -> f64 {
    (pair[1].smoothed_loss - pair[0].smoothed_loss)
        / (pair[1].learning_rate.ln() - pair[0].learning_rate.ln())
}
