//! `loss.svg`: the loss per epoch, named, with the kept epoch and the target loss marked, and
//! the validation accuracy below it for classes.

use anyhow::Result;
use plotters::prelude::*;

use super::{bounds, panel, plotting, Series, KEPT, SIZE, TRAIN, VALID};
use crate::config::Task;
use crate::learner::metrics::EpochMetrics;
use crate::learner::stop::StopReason;

/// What `loss.svg` marks besides the curves.
#[derive(Clone, Copy, Debug, Default)]
pub struct LossMarks {
    /// The loss's name: `cross-entropy`, or `MSE of the standardised target`.
    pub name: &'static str,
    /// The epoch whose parameters were saved (`--keep`).
    pub kept: Option<usize>,
    /// `--target-loss`.
    pub target: Option<f64>,
    /// The rule that stopped the run (see [`crate::learner::stop::StopReason::rule`]).
    pub stop: Option<&'static str>,
}

impl LossMarks {
    /// The marks of a run of `task`.
    pub fn new(task: Task, kept: Option<usize>, target: Option<f64>) -> Self {
        let name = match task {
            Task::Classification => "cross-entropy",
            Task::Regression => "MSE of the standardised target",
        };
        LossMarks {
            name,
            kept,
            target,
            stop: None,
        }
    }

    /// The marks, with the rule that stopped the run.
    pub fn stopped_by(self, stop: &StopReason) -> Self {
        LossMarks {
            stop: Some(stop.rule()),
            ..self
        }
    }
}

/// `loss.svg`: train and validation loss per epoch (named), the kept epoch and the target loss
/// marked, and validation accuracy below them when the task is classification.
pub fn loss_svg(history: &[EpochMetrics], marks: &LossMarks) -> Result<String> {
    let epoch = |metrics: &EpochMetrics| metrics.epoch as f64;
    let mut losses = vec![Series {
        name: "train loss",
        color: TRAIN,
        points: history
            .iter()
            .map(|metrics| (epoch(metrics), metrics.train_loss))
            .collect(),
    }];
    let valid: Vec<(f64, f64)> = history
        .iter()
        .filter_map(|metrics| Some((epoch(metrics), metrics.valid_loss?)))
        .collect();
    if !valid.is_empty() {
        losses.push(Series {
            name: "valid loss",
            color: VALID,
            points: valid,
        });
    }
    let names = mark_names(marks);
    add_marks(&mut losses, marks, &names);
    let y_desc = format!("loss ({})", marks.name);
    let below = panels_below(history);

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(plotting)?;
        let (top, bottom) = if below.is_empty() {
            (root.clone(), None)
        } else {
            let (top, bottom) = root.split_vertically(SIZE.1 * 3 / 5);
            (top, Some(bottom))
        };
        let falling = SeriesLabelPosition::UpperRight;
        let last = history.last().map_or(0, |metrics| metrics.epoch);
        let caption = match marks.stop {
            Some(rule) => format!("loss per epoch — stopped after epoch {last}: {rule}"),
            None => "loss per epoch".to_string(),
        };
        panel(&top, [&caption, "epoch", &y_desc], &losses, true, falling)?;
        if let Some(bottom) = bottom {
            let areas = bottom.split_evenly((below.len(), 1));
            for (area, (name, series, legend)) in areas.iter().zip(below) {
                panel(area, ["", "epoch", name], &[series], false, legend)?;
            }
        }
        root.present().map_err(plotting)?;
    }
    Ok(svg)
}

/// The panels under the loss: the validation accuracy (classes), and the learning rate when
/// it changes from epoch to epoch (`--schedule`).
fn panels_below(
    history: &[EpochMetrics],
) -> Vec<(&'static str, Series<'static>, SeriesLabelPosition)> {
    let epoch = |metrics: &EpochMetrics| metrics.epoch as f64;
    let accuracy: Vec<(f64, f64)> = history
        .iter()
        .filter_map(|metrics| Some((epoch(metrics), metrics.valid_accuracy?)))
        .collect();
    let rates: Vec<(f64, f64)> = history
        .iter()
        .map(|metrics| (epoch(metrics), metrics.learning_rate))
        .collect();
    let mut below = Vec::new();
    if !accuracy.is_empty() {
        let series = Series {
            name: "valid accuracy",
            color: VALID,
            points: accuracy,
        };
        below.push(("accuracy", series, SeriesLabelPosition::LowerRight));
    }
    if rates.windows(2).any(|pair| pair[0].1 != pair[1].1) {
        let series = Series {
            name: "learning rate (--schedule)",
            color: RGBColor(120, 120, 120),
            points: rates,
        };
        below.push(("learning rate", series, SeriesLabelPosition::UpperRight));
    }
    below
}

/// The legend's names of the target loss and the kept epoch.
fn mark_names(marks: &LossMarks) -> [Option<String>; 2] {
    [
        marks.target.map(|target| format!("target loss {target}")),
        marks.kept.map(|epoch| format!("kept: epoch {epoch}")),
    ]
}

/// The target loss as a level line and the kept epoch as an upright one, across the curves.
fn add_marks<'a>(losses: &mut Vec<Series<'a>>, marks: &LossMarks, names: &'a [Option<String>; 2]) {
    let (low, high) = bounds(losses, |point| point.1);
    let (first, last) = bounds(losses, |point| point.0);
    let [target_name, kept_name] = names;
    if let (Some(target), Some(name)) = (marks.target, target_name) {
        losses.push(Series {
            name,
            color: RGBColor(120, 120, 120),
            points: vec![(first, target), (last, target)],
        });
    }
    if let (Some(epoch), Some(name)) = (marks.kept, kept_name) {
        let (low, high) = match marks.target {
            Some(target) => (low.min(target), high.max(target)),
            None => (low, high),
        };
        losses.push(Series {
            name,
            color: KEPT,
            points: vec![(epoch as f64, low), (epoch as f64, high)],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Task;

    #[test]
    fn the_learning_rate_is_drawn_only_when_a_schedule_changes_it() {
        let history = |rates: [f64; 3]| -> Vec<EpochMetrics> {
            (0..3)
                .map(|i| EpochMetrics {
                    epoch: i + 1,
                    train_loss: 1.0 / (i + 1) as f64,
                    valid_loss: None,
                    valid_accuracy: None,
                    learning_rate: rates[i],
                })
                .collect()
        };
        let marks = LossMarks::new(Task::Regression, None, None);
        let constant = loss_svg(&history([0.1; 3]), &marks).unwrap();
        assert!(!constant.contains("learning rate"));
        let scheduled = loss_svg(&history([0.1, 0.05, 0.025]), &marks).unwrap();
        assert!(scheduled.contains("learning rate (--schedule)"));
    }

    #[test]
    fn the_kept_epochs_line_stands_at_that_epoch_across_every_curve() {
        let mut losses = vec![Series {
            name: "train loss",
            color: TRAIN,
            points: vec![(1.0, 0.9), (2.0, 0.5), (3.0, 0.2), (4.0, 0.3)],
        }];
        let marks = LossMarks::new(Task::Classification, Some(3), Some(0.1));
        let names = mark_names(&marks);
        add_marks(&mut losses, &marks, &names);
        let kept = losses.iter().find(|series| series.color == KEPT).unwrap();
        assert_eq!(kept.points, vec![(3.0, 0.1), (3.0, 0.9)]);
        assert_eq!(kept.name, "kept: epoch 3");
        let target = losses
            .iter()
            .find(|series| series.name.starts_with("target"))
            .unwrap();
        assert_eq!(target.points, vec![(1.0, 0.1), (4.0, 0.1)]);
    }
}
