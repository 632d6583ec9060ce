//! `lr_find.svg`: the learning-rate range test's curve, and the rates it suggests.

use anyhow::Result;
use plotters::prelude::*;

use super::{bounds, draw, log_axis, plotting, Series, KEPT, SIZE, TRAIN, VALID};
use crate::teaching::lr_find::LrFinding;

/// `lr_find.svg`: smoothed loss against learning rate (log scale), the suggestion marked.
pub fn lr_find_svg(finding: &LrFinding) -> Result<String> {
    let curve = Series {
        name: "smoothed loss",
        color: TRAIN,
        points: finding
            .points
            .iter()
            .filter(|point| point.smoothed_loss.is_finite())
            .map(|point| (point.learning_rate, point.smoothed_loss))
            .collect(),
    };
    let (x_min, x_max) = bounds(std::slice::from_ref(&curve), |point| point.0);
    let (y_min, y_max) = bounds(std::slice::from_ref(&curve), |point| point.1);
    // The useful range: from the lowest loss up to a little above the highest one before it;
    // the explosion after it would otherwise flatten everything before into a line.
    let lowest_at = (curve.points.iter())
        .position(|point| point.1 == y_min)
        .unwrap_or(0);
    let before = (curve.points[..=lowest_at.min(curve.points.len().saturating_sub(1))].iter())
        .map(|point| point.1)
        .fold(y_min, f64::max);
    let y_max = y_max.min(before + 0.5 * (before - y_min).max(f64::EPSILON));
    let names = [
        format!("suggestion {:.2e} (minimum / 10)", finding.suggestion),
        format!("steepest descent {:.2e}", finding.steepest),
        format!("minimum {:.2e}", finding.minimum),
    ];
    let rates = [finding.suggestion, finding.steepest, finding.minimum];
    // The minimum in red: a gray upright line read as one of the grid's.
    let colors = [VALID, KEPT, RGBColor(214, 39, 40)];
    let marks = names
        .iter()
        .zip(rates)
        .zip(colors)
        .map(|((name, rate), color)| Series {
            name,
            color,
            points: vec![(rate, y_min), (rate, y_max)],
        });
    let series: Vec<Series> = std::iter::once(curve).chain(marks).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(plotting)?;
        draw(
            &root,
            ["learning-rate range test", "learning rate", "smoothed loss"],
            &series,
            (
                log_axis(x_min, x_max).unwrap_or(x_min..x_max).log_scale(),
                y_min..y_max,
            ),
            SeriesLabelPosition::UpperLeft,
        )?;
        root.present().map_err(plotting)?;
    }
    Ok(svg)
}
