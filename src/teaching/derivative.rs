//! The article's derivative, runnable: a profit function P(x) = −x² + 6x, its slope three ways,
//! and gradient steps that climb it.
//!
//! 1. The limit definition: (P(x+h) − P(x)) / h approaches P'(x) = 6 − 2x as h shrinks.
//! 2. burn's autodiff computes the same slope by backpropagation, exactly.
//! 3. Gradient steps x ← x + learning_rate × P'(x) climb to the top at x = 3 — slowly for a small
//!    rate, quickly for a good one, and for one too large they overshoot: oscillate or diverge.
//!    (Training does the same downhill on the loss: x ← x − learning_rate × slope.)

use burn::tensor::{Device, Tensor};
use serde::Serialize;

/// Where the profit is highest: P'(3) = 0.
pub const CRITICAL_POINT: f64 = 3.0;

/// How close to the top counts as there.
pub const ARRIVED: f64 = 0.05;

/// The profit for producing `x` units.
pub fn profit(x: f64) -> f64 {
    -x * x + 6.0 * x
}

/// P'(x), worked out by hand: the exact slope.
pub fn analytic_slope(x: f64) -> f64 {
    6.0 - 2.0 * x
}

/// One row of the limit table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DifferenceQuotient {
    pub h: f64,
    /// (P(x+h) − P(x)) / h
    pub slope: f64,
    /// How far it is from the exact slope.
    pub error: f64,
}

/// (P(x+h) − P(x)) / h for h = 1, 0.1, …, 0.0001: the slope of ever shorter chords.
pub fn limit_table(x: f64) -> Vec<DifferenceQuotient> {
    [1.0, 0.1, 0.01, 0.001, 0.0001]
        .into_iter()
        .map(|h| {
            let slope = (profit(x + h) - profit(x)) / h;
            DifferenceQuotient {
                h,
                slope,
                error: slope - analytic_slope(x),
            }
        })
        .collect()
}

/// P'(x) by burn's autodiff: build P from a tensor x that records its operations, then run
/// backpropagation from P back to x.
pub fn autodiff_slope(x: f64, device: &Device) -> f64 {
    let device = device.clone().autodiff();
    let x = Tensor::<1>::from_floats([x as f32], &device).require_grad();
    let profit = x.clone().powf_scalar(2.0).neg() + x.clone().mul_scalar(6.0); // [1]
    let gradients = profit.backward();
    x.grad(&gradients)
        .expect("x requires its gradient")
        .into_scalar::<f64>()
}

/// How a run of gradient steps went. Each step multiplies x's distance from the top by the
/// factor 1 − 2·lr (x − 3 ← (1 − 2·lr)(x − 3)): the factor's sign says from which side, its
/// size whether it shrinks; what x travelled says how far it got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No step was asked for (`--steps 0`).
    NoSteps,
    /// x started at the top: the slope there is 0, so no step moves it.
    AtTheTop,
    /// A learning rate of 0 (factor 1): every step is 0 × the slope.
    Still,
    /// A negative learning rate (factor above 1): each step goes downhill, away from the top.
    WrongWay,
    /// Reached the top (within [`ARRIVED`] of it) from one side, having travelled most of the
    /// way (factor from 0 to 1).
    Converges,
    /// Reached the top, jumping over it at each step (factor from −1 to 0).
    ConvergesOscillating,
    /// Jumping over the top at every step and closing in, not there yet in the steps given.
    ClosingIn,
    /// From one side, at least half way there, not there yet in the steps given.
    Approaching,
    /// From one side, less than half way there: too small a learning rate for these steps.
    Crawls,
    /// Jumping between the same two points for ever (factor exactly −1: lr = 1).
    Oscillates,
    /// Each step lands further away (factor below −1: lr above 1).
    Diverges,
}

/// Each verdict starts with the words the README lists.
impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::NoSteps => "no steps taken: give --steps N to watch x climb",
            Verdict::AtTheTop => "already at the top: the slope is 0 there, so no step moves x",
            Verdict::Still => "stays put: a learning rate of 0 makes every step 0",
            Verdict::WrongWay => {
                "running downhill: a negative learning rate steps against the slope, away from \
                 the top"
            }
            Verdict::Converges => "arrived at the top, from one side",
            Verdict::ConvergesOscillating => {
                "arrived by jumping over the top and back, closer each time"
            }
            Verdict::ClosingIn => {
                "closing in: jumping over the top, closer each step; more steps would reach it"
            }
            Verdict::Approaching => "on its way from one side: more steps would reach it",
            Verdict::Crawls => "crawling: too small a learning rate to arrive in these steps",
            Verdict::Oscillates => {
                "bouncing between the same two points around x = 3 for ever (factor -1)"
            }
            Verdict::Diverges => {
                "running away: too large a learning rate, each jump lands further off"
            }
        })
    }
}

/// A run of gradient steps from `x[0]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ascent {
    pub learning_rate: f64,
    /// x before each step and after the last one (`steps + 1` values).
    pub x: Vec<f64>,
    pub verdict: Verdict,
}

/// `steps` gradient steps x ← x + learning_rate × P'(x), each slope from burn's autodiff.
pub fn gradient_ascent(start: f64, learning_rate: f64, steps: usize, device: &Device) -> Ascent {
    let mut x = vec![start];
    for _ in 0..steps {
        let now = *x.last().expect("starts with one value");
        x.push(now + learning_rate * autodiff_slope(now, device));
    }
    let verdict = judge(&x, learning_rate);
    Ascent {
        learning_rate,
        x,
        verdict,
    }
}

/// The verdict from the factor 1 − 2·lr each step multiplies the distance from the top by, and
/// the distance x travelled: arrival means ending within [`ARRIVED`] having covered at least
/// half of the way (a start within 0.05 of the top that barely moves has not arrived).
fn judge(x: &[f64], learning_rate: f64) -> Verdict {
    let factor = 1.0 - 2.0 * learning_rate;
    let first = (x[0] - CRITICAL_POINT).abs();
    let last = (x[x.len() - 1] - CRITICAL_POINT).abs();
    let travelled = if first > 0.0 { 1.0 - last / first } else { 0.0 };
    let arrived = last <= ARRIVED && travelled >= 0.5;
    if x.len() == 1 {
        Verdict::NoSteps
    } else if first == 0.0 {
        Verdict::AtTheTop
    } else if factor == 1.0 {
        Verdict::Still
    } else if factor > 1.0 {
        Verdict::WrongWay
    } else if factor < -1.0 || !last.is_finite() {
        Verdict::Diverges
    } else if factor == -1.0 {
        Verdict::Oscillates
    } else if factor < 0.0 && arrived {
        Verdict::ConvergesOscillating
    } else if factor < 0.0 {
        Verdict::ClosingIn
    } else if arrived {
        Verdict::Converges
    } else if travelled >= 0.5 {
        Verdict::Approaching
    } else {
        Verdict::Crawls
    }
}

/// A number as a person writes it: `0.02`, not the `0.019999999999999574` of its binary
/// rounding (ten significant digits at most).
pub fn readable(value: f64) -> String {
    let text = format!("{:.10}", value);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match text {
        "-0" => "0".to_string(),
        text => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chords_approach_the_exact_slope() {
        let table = limit_table(1.0);
        // P'(1) = 4, and for this parabola the chord's error is exactly −h.
        for row in &table {
            assert!((row.error + row.h).abs() < 1e-6, "{row:?}");
        }
        assert!((table[4].slope - 4.0).abs() < 1e-3);
    }

    #[test]
    fn verdicts_follow_what_x_did() {
        assert_eq!(judge(&[0.0, 1.5, 2.25, 2.99999], 0.25), Verdict::Converges);
        assert_eq!(
            judge(&[0.0, 4.5, 2.25, 3.00001], 0.75),
            Verdict::ConvergesOscillating
        );
        assert_eq!(judge(&[0.0, 0.06, 0.12], 0.01), Verdict::Crawls);
        assert_eq!(judge(&[0.0, 6.0, 0.0, 6.0], 1.0), Verdict::Oscillates);
        assert_eq!(judge(&[0.0, 6.6, -1.3], 1.1), Verdict::Diverges);
    }

    /// The edges a learner found, each once called something it was not.
    #[test]
    fn the_edges_get_the_verdict_the_factor_and_the_distance_give() {
        // No step: not "crawls".
        assert_eq!(judge(&[0.0], 0.25), Verdict::NoSteps);
        // lr 1 from 2.98: 3.02, 2.98, ... for ever (factor -1), not "converges, oscillating".
        assert_eq!(judge(&[2.98, 3.02, 2.98, 3.02], 1.0), Verdict::Oscillates);
        // 2.99 moving 0.0006 in 3 steps: it started near the top, it did not arrive.
        assert_eq!(
            judge(&[2.99, 2.9902, 2.9904, 2.9906], 0.01),
            Verdict::Crawls
        );
        // Half the way exactly is on its way, four tenths is crawling; a start at 3 has
        // nowhere to go.
        assert_eq!(judge(&[1.0, 2.0], 0.25), Verdict::Approaching);
        assert_eq!(judge(&[1.0, 1.8], 0.2), Verdict::Crawls);
        assert_eq!(judge(&[3.0, 3.0], 0.25), Verdict::AtTheTop);
    }

    #[test]
    fn numbers_read_as_written() {
        assert_eq!(readable(0.019999999999999574), "0.02");
        assert_eq!(readable(6.0), "6");
        assert_eq!(readable(-0.0000000000001), "0");
        assert_eq!(readable(-2.5), "-2.5");
    }

    /// The runs a learner tried, each once called something it was not.
    #[test]
    fn starting_at_the_top_reaching_it_at_once_closing_in_and_going_downhill_are_named() {
        let device = crate::device::cpu().expect("a CPU backend").device;
        let verdict = |x, lr, steps| gradient_ascent(x, lr, steps, &device).verdict;
        for lr in [0.01, 0.25, 0.75, 1.1] {
            assert_eq!(verdict(3.0, lr, 20), Verdict::AtTheTop, "lr {lr}");
        }
        // 5 → 3 in one step, then no step moves it: it arrived, it did not oscillate.
        assert_eq!(verdict(5.0, 0.5, 20), Verdict::Converges);
        // 5 → 2 → 3.5 → 2.75: over the top each step, halving the distance.
        assert_eq!(verdict(5.0, 0.75, 3), Verdict::ClosingIn);
        // 5 → 4 → 3.5 → 3.25: from one side, most of the way.
        assert_eq!(verdict(5.0, 0.25, 3), Verdict::Approaching);
        assert_eq!(verdict(0.0, -0.1, 20), Verdict::WrongWay);
        assert_eq!(verdict(0.0, 0.0, 20), Verdict::Still);
        // 1e9 → 1.2e7 in 20 steps: most of the way, but nowhere near the top.
        assert_eq!(verdict(1e9, 0.1, 20), Verdict::Approaching);
    }
}
