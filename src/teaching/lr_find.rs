//! The learning-rate range test (`stepwise lr-find`, `train --lr auto`).
//!
//! The article says the learning rate matters and leaves choosing it to the reader. The range
//! test chooses it by experiment: from a fresh INIT, take minibatch steps with a learning rate
//! that grows exponentially (1e-6 → 10), and watch the loss. Too small a rate barely moves it;
//! a good one makes it fall fastest; too large a one makes it explode. The suggestion is where it
//! falls fastest (steepest descent), and, more cautious, a tenth of the rate at its minimum.

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::learner::batch::DeviceData;
use crate::learner::{step, Init, Learner};
use crate::model::Architecture;

pub const START: f64 = 1e-6;
pub const END: f64 = 10.0;
pub const STEPS: usize = 100;
/// The loss is smoothed with an exponential moving average of this weight (bias-corrected).
pub const SMOOTHING: f64 = 0.98;
/// Stop once the smoothed loss exceeds this multiple of its minimum: it is exploding.
pub const EXPLOSION: f64 = 4.0;
/// The first steps are left out of the search for the steepest descent: at rates of 1e-6 the
/// loss barely moves and the smoothed curve's first points are mostly noise.
pub const WARMUP: usize = 10;

/// One step of the range test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LrPoint {
    pub learning_rate: f64,
    pub loss: f64,
    pub smoothed_loss: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
pub fn find<A: Architecture>(learner: &Learner<A>, train: &DeviceData) -> Result<LrFinding> {
    let growth = (END / START).powf(1.0 / (STEPS - 1) as f64);

    // INIT: a fresh model; what the test learns is thrown away.
    let Init {
        mut model,
        mut optimizer,
        loss_function,
        ..
    } = learner.init()?;

    let mut points: Vec<LrPoint> = Vec::with_capacity(STEPS);
    let mut average = 0.0;
    let mut best = f64::INFINITY;
    let mut stopped_early = false;
    for (_, batch) in learner.endless_batches(train).take(STEPS) {
        let learning_rate = START * growth.powi(points.len() as i32);

        // PREDICT, LOSS, GRADIENT, STEP — training's step, with this step's rate.
        let (stepped, loss) = step(
            model,
            &mut optimizer,
            &loss_function,
            batch,
            learning_rate,
            &mut (),
        );
        model = stepped;

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
    Ok(LrFinding {
        points,
        steepest,
        minimum,
        suggestion: minimum / 10.0,
        stopped_early,
    })
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
    // The slope d(smoothed loss)/d(ln rate) across SLOPE_SPAN steps (one step's change is mostly
    // the batches' noise), after the warm-up and up to the minimum (beyond it the loss is on its
    // way up).
    let steepest = finite
        .get(WARMUP.min(finite.len())..)
        .unwrap_or_default()
        .windows(SLOPE_SPAN + 1)
        .take_while(|span| span[0].learning_rate < minimum)
        .min_by(|a, b| slope(a).total_cmp(&slope(b)))
        .map_or(minimum, |span| span[0].learning_rate);
    (steepest, minimum)
}

/// How many steps a slope is measured across.
const SLOPE_SPAN: usize = 5;

fn slope(span: &[&LrPoint]) -> f64 {
    let (first, last) = (span[0], span[span.len() - 1]);
    (last.smoothed_loss - first.smoothed_loss)
        / (last.learning_rate.ln() - first.learning_rate.ln())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A range test whose loss is noise at the smallest rates, falls steadily from step 40 to
    /// step 70, and turns up after.
    fn curve() -> Vec<LrPoint> {
        let growth = (END / START).powf(1.0 / (STEPS - 1) as f64);
        (0..STEPS)
            .map(|step| {
                let noise = if step < 12 {
                    0.05 * (step % 2) as f64
                } else {
                    0.0
                };
                let loss = match step {
                    0..40 => 1.0 + noise,
                    40..70 => 1.0 - 0.03 * (step - 40) as f64,
                    _ => 0.1 + 0.05 * (step - 70) as f64,
                };
                LrPoint {
                    learning_rate: START * growth.powi(step as i32),
                    loss,
                    smoothed_loss: loss,
                }
            })
            .collect()
    }

    #[test]
    fn the_steepest_descent_is_where_the_loss_falls_not_the_first_noise() {
        let points = curve();
        let (steepest, minimum) = suggestions(&points);
        assert_eq!(minimum, points[70].learning_rate);
        let at = points
            .iter()
            .position(|point| point.learning_rate == steepest)
            .unwrap();
        assert!((40..70).contains(&at), "steepest at step {at}");
    }
}
