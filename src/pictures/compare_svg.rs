//! `compare.svg`: several runs on one picture — each one's watched loss per epoch (validation
//! when rows were held out, else training), and below, their validation accuracy.

use anyhow::Result;
use plotters::prelude::*;

use super::{panel, plotting, Series, SIZE, TABLEAU};
use crate::learner::metrics::EpochMetrics;

/// The runs, by name, each with its history.
pub fn compare_svg(runs: &[(String, Vec<EpochMetrics>)]) -> Result<String> {
    let losses = per_run(runs, |m| Some(m.monitored_loss()));
    let accuracies = per_run(runs, |m| m.valid_accuracy);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(plotting)?;
        let (top, bottom) = match accuracies.is_empty() {
            true => (root.clone(), None),
            false => {
                let (top, bottom) = root.split_vertically(SIZE.1 * 3 / 5);
                (top, Some(bottom))
            }
        };
        let text = [
            "the watched loss per epoch (validation, else training)",
            "epoch",
            "loss",
        ];
        panel(&top, text, &losses, true, SeriesLabelPosition::UpperRight)?;
        if let Some(bottom) = bottom {
            let text = ["", "epoch", "validation accuracy"];
            panel(
                &bottom,
                text,
                &accuracies,
                false,
                SeriesLabelPosition::LowerRight,
            )?;
        }
        root.present().map_err(plotting)?;
    }
    Ok(svg)
}

/// A curve per run, in its own colour, of `value` at each epoch that has one (none for a run
/// with no such value).
fn per_run<'a>(
    runs: &'a [(String, Vec<EpochMetrics>)],
    value: impl Fn(&EpochMetrics) -> Option<f64>,
) -> Vec<Series<'a>> {
    let series = runs.iter().enumerate().map(|(i, (name, history))| Series {
        name,
        color: TABLEAU[i % TABLEAU.len()],
        points: history
            .iter()
            .filter_map(|m| Some((m.epoch as f64, value(m)?)))
            .collect(),
    });
    series.filter(|series| !series.points.is_empty()).collect()
}
