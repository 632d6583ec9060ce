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

/// How a run of gradient steps went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Reached the top (within 5% of the starting distance).
    Converges,
    /// Reached the top, but by jumping from side to side.
    ConvergesOscillating,
    /// Moving the right way, too slowly to arrive in the steps given.
    Crawls,
    /// Jumping from side to side without getting closer.
    Oscillates,
    /// Each step lands further away: the learning rate is too large.
    Diverges,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Converges => "converges",
            Verdict::ConvergesOscillating => "converges, oscillating around x = 3",
            Verdict::Crawls => "crawls: too small a learning rate",
            Verdict::Oscillates => "oscillates around x = 3 without settling",
            Verdict::Diverges => "diverges: too large a learning rate",
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
    let verdict = judge(&x);
    Ascent {
        learning_rate,
        x,
        verdict,
    }
}

fn judge(x: &[f64]) -> Verdict {
    let distance: Vec<f64> = x.iter().map(|x| x - CRITICAL_POINT).collect();
    let (first, last) = (distance[0].abs(), distance[distance.len() - 1].abs());
    let alternates = distance
        .windows(2)
        .all(|pair| pair[0] * pair[1] < 0.0 || pair[1] == 0.0);
    if !last.is_finite() || last > first {
        Verdict::Diverges
    } else if last <= 0.05 * first || last < 1e-9 {
        if alternates && distance.len() > 2 {
            Verdict::ConvergesOscillating
        } else {
            Verdict::Converges
        }
    } else if alternates && last >= 0.5 * first {
        Verdict::Oscillates
    } else {
        Verdict::Crawls
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
    fn verdicts_follow_the_distance_to_the_top() {
        assert_eq!(judge(&[0.0, 1.5, 2.25, 2.99999]), Verdict::Converges);
        assert_eq!(
            judge(&[0.0, 4.5, 2.25, 3.00001]),
            Verdict::ConvergesOscillating
        );
        assert_eq!(judge(&[0.0, 0.06, 0.12]), Verdict::Crawls);
        assert_eq!(judge(&[0.0, 6.0, 0.0, 6.0]), Verdict::Oscillates);
        assert_eq!(judge(&[0.0, 6.6, -1.3]), Verdict::Diverges);
    }
}
