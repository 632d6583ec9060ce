//! What a classifier learned, as regions of the plane (`boundary.svg`): for data with two
//! inputs (or two chosen with `--plot-features`, the others held at their training mean), the
//! class the network gives each point of the plane — shaded by how sure it is — at INIT, early,
//! midway and the kept epoch, under the training and validation points.

use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorData};

use crate::data::transform::Standardizer;
use crate::learner::batch::DeviceData;
use crate::learner::loss::TargetTensor;
use crate::learner::metrics::EpochMetrics;
use crate::pictures::curve::{moment_label, moments, recorded};

/// Cells along each side of the plane.
pub const CELLS: usize = 36;

/// The network's regions as training goes.
pub struct BoundaryRecorder {
    /// `[CELLS², inputs]`: the centre of each cell in the plane of the two drawn inputs,
    /// standardised, row by row; every other input at 0, its training mean.
    grid: Tensor<2>,
    /// The two inputs drawn.
    plane: [usize; 2],
    /// The standardised range of each input: (low, high).
    ranges: [(f32, f32); 2],
    /// (epoch, each cell's most probable class and its probability).
    maps: Vec<(usize, Vec<(usize, f32)>)>,
    /// The watched loss at INIT, when it was measured.
    pub init_loss: Option<f64>,
}

/// The regions at one moment of the run.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Map {
    pub label: String,
    pub epoch: usize,
    /// Each cell's class and the network's probability for it, row by row from the lowest x2.
    pub cells: Vec<(usize, f32)>,
}

/// The picture's plane: each input's range in the data's units, and the maps over it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Regions {
    pub x1: (f64, f64),
    pub x2: (f64, f64),
    pub maps: Vec<Map>,
}

impl BoundaryRecorder {
    /// A recorder of the plane of inputs `plane` of the rows `train` and `valid`; it spans their
    /// range and a tenth more on each side.
    pub fn new(
        train: &DeviceData,
        valid: Option<&DeviceData>,
        plane: [usize; 2],
        device: &Device,
    ) -> Self {
        let inputs = train.features.dims()[1];
        let values: Vec<f32> = [Some(train), valid]
            .into_iter()
            .flatten()
            .flat_map(|data| {
                data.features
                    .clone()
                    .into_data()
                    .iter::<f32>()
                    .collect::<Vec<_>>()
            })
            .collect();
        let range = |column: usize| {
            let (low, high) = values
                .iter()
                .skip(column)
                .step_by(inputs)
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(low, high), &value| {
                    (low.min(value), high.max(value))
                });
            let margin = 0.1 * (high - low).max(1e-3);
            (low - margin, high + margin)
        };
        let ranges = [range(plane[0]), range(plane[1])];
        let centre = |(low, high): (f32, f32), at: usize| {
            low + (high - low) * (at as f32 + 0.5) / CELLS as f32
        };
        let mut grid = vec![0.0; CELLS * CELLS * inputs];
        for (cell, point) in grid.chunks_mut(inputs).enumerate() {
            let (row, column) = (cell / CELLS, cell % CELLS);
            point[plane[0]] = centre(ranges[0], column);
            point[plane[1]] = centre(ranges[1], row);
        }
        Self {
            grid: Tensor::from_data(TensorData::new(grid, [CELLS * CELLS, inputs]), device),
            plane,
            ranges,
            maps: Vec::new(),
            init_loss: None,
        }
    }

    /// Keeps epoch `epoch`'s regions when it is one of the [`recorded`] ones.
    pub fn record(&mut self, epoch: usize, forward: &dyn Fn(Tensor<2>) -> Tensor<2>) {
        if recorded(epoch) {
            self.maps.push((epoch, classes(forward(self.grid.clone()))));
        }
    }

    /// The picture: INIT, the first epoch, midway, and the kept model's regions, over the
    /// plane in the data's units.
    pub fn finish(
        self,
        kept: (usize, &dyn Fn(Tensor<2>) -> Tensor<2>),
        history: &[EpochMetrics],
        scaling: &Standardizer,
    ) -> Regions {
        let (kept_epoch, kept_forward) = kept;
        let shown = moments(self.maps.iter().map(|(epoch, _)| *epoch), kept_epoch);
        let mut maps: Vec<Map> = self
            .maps
            .into_iter()
            .filter(|(epoch, _)| shown.contains(epoch))
            .map(|(epoch, cells)| Map {
                label: moment_label(epoch, false, history, self.init_loss),
                epoch,
                cells,
            })
            .collect();
        maps.push(Map {
            label: moment_label(kept_epoch, true, history, self.init_loss),
            epoch: kept_epoch,
            cells: classes(kept_forward(self.grid)),
        });
        let unscale = |input: usize, (low, high): (f32, f32)| {
            let (mean, std) = (scaling.mean[input], scaling.std[input]);
            ((low * std + mean) as f64, (high * std + mean) as f64)
        };
        Regions {
            x1: unscale(self.plane[0], self.ranges[0]),
            x2: unscale(self.plane[1], self.ranges[1]),
            maps,
        }
    }
}

/// Each row's most probable class and its probability, from logits `[rows, classes]`.
fn classes(logits: Tensor<2>) -> Vec<(usize, f32)> {
    let width = logits.dims()[1];
    let probabilities: Vec<f32> = softmax(logits, 1).into_data().iter::<f32>().collect();
    probabilities
        .chunks(width)
        .map(|row| {
            row.iter()
                .copied()
                .enumerate()
                .fold((0, f32::NEG_INFINITY), |best, (class, p)| {
                    if p > best.1 {
                        (class, p)
                    } else {
                        best
                    }
                })
        })
        .collect()
}

/// The rows of a split as (input `plane[0]`, input `plane[1]`, class) in the data's units.
pub fn class_points(
    data: &DeviceData,
    scaling: &Standardizer,
    plane: [usize; 2],
) -> Vec<(f64, f64, usize)> {
    let TargetTensor::Classes(classes) = &data.targets else {
        return Vec::new();
    };
    let inputs = data.features.dims()[1];
    let features: Vec<f32> = data.features.clone().into_data().iter::<f32>().collect();
    let features = scaling.invert(&features);
    let classes: Vec<i64> = classes.clone().into_data().iter::<i64>().collect();
    features
        .chunks(inputs)
        .zip(classes)
        .map(|(row, class)| (row[plane[0]] as f64, row[plane[1]] as f64, class as usize))
        .collect()
}
