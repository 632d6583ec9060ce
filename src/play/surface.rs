//! The lesson of the learning rate, drawn: for a line `w·x + b` (one input, one output, two
//! parameters) the loss over every slope and intercept, which the page draws as contours with
//! the path STEP takes across them.

use burn::module::Module;
use serde::Serialize;

use super::views::{lerp, Points};
use crate::teaching::trace::parameters;

/// Cells per side of the loss surface.
const SURFACE_GRID: usize = 64;

/// The loss of a line `w·x + b` over a grid of `w` (slope) and `b` (intercept).
#[derive(Clone, Debug, Serialize)]
pub struct Surface {
    pub slope: [f32; 2],
    pub intercept: [f32; 2],
    pub size: usize,
    /// `[size (intercepts), size (slopes)]`, row-major: row i is intercept i.
    pub loss: Vec<f32>,
    /// Where the loss is lowest (least squares).
    pub best: [f32; 2],
}

/// The mean squared error of `w·x + b` over the rows, on a grid around its lowest point.
pub(super) fn surface(train: &Points) -> Surface {
    let n = train.inputs.len().max(1) as f64;
    let pairs = || {
        train
            .inputs
            .iter()
            .zip(&train.targets)
            .map(|(&x, &y)| (x as f64, y as f64))
    };
    let sum = |f: &dyn Fn(f64, f64) -> f64| pairs().map(|(x, y)| f(x, y)).sum::<f64>() / n;
    let (xx, x, y, xy, yy) = (
        sum(&|x, _| x * x),
        sum(&|x, _| x),
        sum(&|_, y| y),
        sum(&|x, y| x * y),
        sum(&|_, y| y * y),
    );
    let slope = (xy - x * y) / (xx - x * x).max(1e-12);
    let intercept = y - slope * x;
    let loss =
        |w: f64, b: f64| w * w * xx + b * b + 2.0 * w * b * x - 2.0 * w * xy - 2.0 * b * y + yy;
    let slopes = [slope as f32 - 2.5, slope as f32 + 2.5];
    let intercepts = [intercept as f32 - 2.5, intercept as f32 + 2.5];
    let values = (0..SURFACE_GRID).flat_map(|row| {
        let b = lerp(&intercepts, row, SURFACE_GRID) as f64;
        (0..SURFACE_GRID).map(move |column| {
            let w = lerp(&slopes, column, SURFACE_GRID) as f64;
            loss(w, b).max(0.0) as f32
        })
    });
    Surface {
        slope: slopes,
        intercept: intercepts,
        size: SURFACE_GRID,
        loss: values.collect(),
        best: [slope as f32, intercept as f32],
    }
}

/// Where a one-input line is now: its slope and intercept (the linear layer's weight, then its
/// bias).
pub(super) fn line_parameters(model: &impl Module) -> [f32; 2] {
    let found = parameters(model);
    let value = |i: usize| {
        found
            .get(i)
            .and_then(|(_, _, v)| v.first().copied())
            .unwrap_or(0.0)
    };
    [value(0), value(1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_surface_is_lowest_at_the_least_squares_line_and_grows_away_from_it() {
        let inputs: Vec<f32> = (0..20).map(|i| i as f32 / 10.0 - 1.0).collect();
        let targets = inputs.iter().map(|x| 2.0 * x + 1.0).collect();
        let surface = surface(&Points { inputs, targets });
        assert!((surface.best[0] - 2.0).abs() < 1e-4 && (surface.best[1] - 1.0).abs() < 1e-4);
        let n = surface.size;
        let lowest = surface.loss.iter().cloned().fold(f32::INFINITY, f32::min);
        assert!(lowest < 0.01, "{lowest}");
        // The grid's corners are far from the line: much higher.
        for corner in [0, n - 1, n * (n - 1), n * n - 1] {
            assert!(surface.loss[corner] > 1.0);
        }
    }
}
