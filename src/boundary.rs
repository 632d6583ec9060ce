//! What a classifier learned, as regions of the plane (`boundary.svg`): for data with two
//! inputs, the class the network gives each point of the plane — shaded by how sure it is — at
//! INIT, early, midway and the kept epoch, under the training and validation points.

use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorData};

use crate::batch::DeviceData;
use crate::data::transform::Standardizer;
use crate::fit::{moment_label, moments, recorded};
use crate::loss::TargetTensor;
use crate::metrics::EpochMetrics;

/// Cells along each side of the plane.
pub const CELLS: usize = 36;

/// The network's regions as training goes.
pub struct BoundaryRecorder {
    /// `[CELLS², 2]`: the centre of each cell, standardised, row by row.
    grid: Tensor<2>,
    /// The standardised range of each input: (low, high).
    ranges: [(f32, f32); 2],
    /// (epoch, each cell's most probable class and its probability).
    maps: Vec<(usize, Vec<(usize, f32)>)>,
}

/// The regions at one moment of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Map {
    pub label: String,
    pub epoch: usize,
    /// Each cell's class and the network's probability for it, row by row from the lowest x2.
    pub cells: Vec<(usize, f32)>,
}

/// The picture's plane: each input's range in the data's units, and the maps over it.
#[derive(Clone, Debug, PartialEq)]
pub struct Regions {
    pub x1: (f64, f64),
    pub x2: (f64, f64),
    pub maps: Vec<Map>,
}

impl BoundaryRecorder {
    /// A recorder for data of two inputs, whose rows are `train` and `valid`; the plane spans
    /// their range and a tenth more on each side.
    pub fn new(train: &DeviceData, valid: Option<&DeviceData>, device: &Device) -> Self {
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
                .step_by(2)
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(low, high), &value| {
                    (low.min(value), high.max(value))
                });
            let margin = 0.1 * (high - low).max(1e-3);
            (low - margin, high + margin)
        };
        let ranges = [range(0), range(1)];
        let centre = |(low, high): (f32, f32), at: usize| {
            low + (high - low) * (at as f32 + 0.5) / CELLS as f32
        };
        let grid: Vec<f32> = (0..CELLS * CELLS)
            .flat_map(|cell| {
                let (row, column) = (cell / CELLS, cell % CELLS);
                [centre(ranges[0], column), centre(ranges[1], row)]
            })
            .collect();
        Self {
            grid: Tensor::from_data(TensorData::new(grid, [CELLS * CELLS, 2]), device),
            ranges,
            maps: Vec::new(),
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
                label: moment_label(epoch, false, history),
                epoch,
                cells,
            })
            .collect();
        maps.push(Map {
            label: moment_label(kept_epoch, true, history),
            epoch: kept_epoch,
            cells: classes(kept_forward(self.grid)),
        });
        let corners = [
            self.ranges[0].0,
            self.ranges[1].0,
            self.ranges[0].1,
            self.ranges[1].1,
        ];
        let corners = scaling.invert(&corners);
        Regions {
            x1: (corners[0] as f64, corners[2] as f64),
            x2: (corners[1] as f64, corners[3] as f64),
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

/// The rows of a split as (x1, x2, class) in the data's units.
pub fn class_points(data: &DeviceData, scaling: &Standardizer) -> Vec<(f64, f64, usize)> {
    let TargetTensor::Classes(classes) = &data.targets else {
        return Vec::new();
    };
    let features: Vec<f32> = data.features.clone().into_data().iter::<f32>().collect();
    let features = scaling.invert(&features);
    let classes: Vec<i64> = classes.clone().into_data().iter::<i64>().collect();
    features
        .chunks(2)
        .zip(classes)
        .map(|(row, class)| (row[0] as f64, row[1] as f64, class as usize))
        .collect()
}
