//! What a regression network learned, as a curve (`fit.svg`): for data with one input, the
//! network's prediction across the input's range at a few moments of the run — the random start
//! (INIT), early, midway and the kept epoch — over the training and validation points, and the
//! true function when it is known (`sine`, `line`). The picture shows the universal
//! approximation theorem at work: a random curve bending onto the data.

use burn::tensor::{Device, Tensor, TensorData};

use crate::data::builtin::{LINE_INTERCEPT, LINE_SLOPE};
use crate::data::transform::Standardizer;
use crate::learner::batch::DeviceData;
use crate::learner::loss::TargetTensor;
use crate::learner::metrics::EpochMetrics;

/// Points along the input's range at which each curve is drawn.
pub const GRID: usize = 120;

/// Whether the curve of epoch `epoch` is kept while training: INIT, then about three times
/// apart (1, 3, 10, 30, 100, ...), so a run of any length has an early and a middle one.
pub fn recorded(epoch: usize) -> bool {
    let mut mark = 1;
    while mark < epoch {
        mark = if mark.to_string().starts_with('1') {
            mark * 3
        } else {
            mark / 3 * 10
        };
    }
    epoch == 0 || epoch == mark
}

/// The network's curves as training goes, in standardised units.
pub struct FitRecorder {
    /// `[GRID, 1]`: the standardised input from its smallest to its largest value in the data.
    grid: Tensor<2>,
    /// (epoch, the prediction at each grid point).
    curves: Vec<(usize, Vec<f32>)>,
    /// The watched loss at INIT, when it was measured.
    pub init_loss: Option<f64>,
}

impl FitRecorder {
    /// A recorder for data of one input, whose rows are `train` and `valid`.
    pub fn new(train: &DeviceData, valid: Option<&DeviceData>, device: &Device) -> Self {
        let values = |data: &DeviceData| -> Vec<f32> {
            data.features.clone().into_data().iter::<f32>().collect()
        };
        let xs: Vec<f32> = [Some(train), valid]
            .into_iter()
            .flatten()
            .flat_map(values)
            .collect();
        let (low, high) = xs
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(low, high), &x| {
                (low.min(x), high.max(x))
            });
        let step = (high - low) / (GRID - 1) as f32;
        let grid: Vec<f32> = (0..GRID).map(|at| low + step * at as f32).collect();
        Self {
            grid: Tensor::from_data(TensorData::new(grid, [GRID, 1]), device),
            curves: Vec::new(),
            init_loss: None,
        }
    }

    /// Keeps epoch `epoch`'s curve when it is one of the [`recorded`] ones.
    pub fn record(&mut self, epoch: usize, forward: &dyn Fn(Tensor<2>) -> Tensor<2>) {
        if recorded(epoch) {
            let prediction = forward(self.grid.clone()); // [GRID, 1]
            self.curves
                .push((epoch, prediction.into_data().iter::<f32>().collect()));
        }
    }

    /// The picture's curves: INIT, the first epoch, the recorded one nearest half-way to the kept
    /// epoch, and the kept model's, in the data's own units.
    pub fn finish(
        self,
        kept: (usize, &dyn Fn(Tensor<2>) -> Tensor<2>),
        history: &[EpochMetrics],
        scaling: (&Standardizer, Option<&Standardizer>),
    ) -> Vec<Curve> {
        let (kept_epoch, kept_forward) = kept;
        let xs = scaling.0.invert(
            &self
                .grid
                .clone()
                .into_data()
                .iter::<f32>()
                .collect::<Vec<_>>(),
        );
        let unscale = |ys: Vec<f32>| match scaling.1 {
            Some(target) => target.invert(&ys),
            None => ys,
        };
        let shown = moments(self.curves.iter().map(|(epoch, _)| *epoch), kept_epoch);
        let mut curves: Vec<Curve> = self
            .curves
            .into_iter()
            .filter(|(epoch, _)| shown.contains(epoch))
            .map(|(epoch, ys)| Curve {
                label: moment_label(epoch, false, history, self.init_loss),
                epoch,
                points: points(&xs, &unscale(ys)),
            })
            .collect();
        let kept_ys: Vec<f32> = kept_forward(self.grid).into_data().iter::<f32>().collect();
        curves.push(Curve {
            label: moment_label(kept_epoch, true, history, self.init_loss),
            epoch: kept_epoch,
            points: points(&xs, &unscale(kept_ys)),
        });
        curves
    }
}

/// Which of the `recorded` epochs a picture shows before the kept epoch: INIT, the first
/// epoch, and the recorded one nearest half-way to the kept epoch.
pub fn moments(recorded: impl Iterator<Item = usize>, kept: usize) -> Vec<usize> {
    let earlier: Vec<usize> = recorded.filter(|&epoch| epoch < kept).collect();
    let halfway = earlier
        .iter()
        .copied()
        .filter(|&epoch| epoch > 1)
        .min_by_key(|&epoch| epoch.abs_diff(kept / 2));
    earlier
        .into_iter()
        .filter(|&epoch| epoch <= 1 || Some(epoch) == halfway)
        .collect()
}

/// How a picture names a moment: `INIT (random parameters), loss 0.5123`, `epoch 30, loss 0.0041`,
/// `epoch 98 (kept), loss 0.0031`.
pub fn moment_label(
    epoch: usize,
    kept: bool,
    history: &[EpochMetrics],
    init_loss: Option<f64>,
) -> String {
    if epoch == 0 {
        return match init_loss {
            Some(loss) => format!("INIT (random parameters), loss {}", loss_text(loss)),
            None => "INIT (random parameters)".to_string(),
        };
    }
    let loss = history
        .iter()
        .find(|metrics| metrics.epoch == epoch)
        .map_or(String::new(), |metrics| {
            format!(", loss {}", loss_text(metrics.monitored_loss()))
        });
    let kept = if kept { " (kept)" } else { "" };
    format!("epoch {epoch}{kept}{loss}")
}

/// A loss as a picture's label shows it: `0.0041`, and a small one in powers of ten (`4.5e-5`,
/// not `0.0000`).
pub fn loss_text(loss: f64) -> String {
    match loss.abs() {
        small if small > 0.0 && small < 1e-3 => format!("{loss:.1e}"),
        _ => format!("{loss:.4}"),
    }
}

/// One curve of the picture.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Curve {
    pub label: String,
    pub epoch: usize,
    /// (input, prediction) in the data's units, along the input's range.
    pub points: Vec<(f64, f64)>,
}

/// The rows of a split as (input, target) in the data's units.
pub fn data_points(
    data: &DeviceData,
    scaling: (&Standardizer, Option<&Standardizer>),
) -> Vec<(f64, f64)> {
    let xs: Vec<f32> = data.features.clone().into_data().iter::<f32>().collect();
    let ys: Vec<f32> = match &data.targets {
        TargetTensor::Values(values) => values.clone().into_data().iter::<f32>().collect(),
        TargetTensor::Classes(_) => return Vec::new(),
    };
    let ys = match scaling.1 {
        Some(target) => target.invert(&ys),
        None => ys,
    };
    points(&scaling.0.invert(&xs), &ys)
}

/// The function behind a built-in data set, when it is one: `sine` and `line`.
pub fn truth(dataset: &str) -> Option<fn(f64) -> f64> {
    match dataset {
        "sine" => Some(f64::sin),
        "line" => Some(|x| LINE_SLOPE as f64 * x + LINE_INTERCEPT as f64),
        _ => None,
    }
}

/// `y = a x + b` of a curve that is a straight line (a linear model on one input).
pub fn equation(curve: &Curve) -> Option<(f64, f64)> {
    let (first, last) = (curve.points.first()?, curve.points.last()?);
    let slope = (last.1 - first.1) / (last.0 - first.0);
    slope
        .is_finite()
        .then_some((slope, first.1 - slope * first.0))
}

fn points(xs: &[f32], ys: &[f32]) -> Vec<(f64, f64)> {
    xs.iter()
        .zip(ys)
        .map(|(&x, &y)| (x as f64, y as f64))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_shows_init_the_first_epoch_and_the_recorded_one_nearest_half_way() {
        let recorded: Vec<usize> = (0..=100)
            .filter(|&epoch| epoch == 0 || recorded(epoch))
            .collect();
        assert_eq!(recorded, [0, 1, 3, 10, 30, 100]);
        // Kept at 99: half-way is 49.5, and 30 is the recorded epoch nearest it (not 100, the
        // kept one's own, nor 10).
        assert_eq!(moments(recorded.iter().copied(), 99), vec![0, 1, 30]);
        // Kept at 8: half-way is 4, nearest recorded 3.
        assert_eq!(moments(recorded.iter().copied(), 8), vec![0, 1, 3]);
        // Kept at 1: only INIT comes before it.
        assert_eq!(moments(recorded.iter().copied(), 1), vec![0]);
    }

    #[test]
    fn a_loss_too_small_for_four_decimals_reads_in_powers_of_ten() {
        assert_eq!(loss_text(4.5e-5), "4.5e-5");
        assert_eq!(loss_text(0.0042), "0.0042");
    }
}
