//! Standardising: each feature (and a regression target) is shifted and scaled to mean 0 and
//! standard deviation 1, with statistics from the training rows only, so that one learning rate
//! suits every parameter. The statistics are saved with the model and applied again at inference.

use serde::{Deserialize, Serialize};

/// Per-column mean and standard deviation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
}

impl Standardizer {
    /// Fits the statistics of `values`, a row-major table `width` columns wide.
    pub fn fit(values: &[f32], width: usize) -> Standardizer {
        let rows = (values.len() / width).max(1) as f64;
        let mut mean = vec![0f64; width];
        for row in values.chunks(width) {
            for (sum, &value) in mean.iter_mut().zip(row) {
                *sum += value as f64;
            }
        }
        mean.iter_mut().for_each(|sum| *sum /= rows);
        let mut variance = vec![0f64; width];
        for row in values.chunks(width) {
            for ((sum, &value), mean) in variance.iter_mut().zip(row).zip(&mean) {
                *sum += (value as f64 - mean).powi(2);
            }
        }
        Standardizer {
            mean: mean.iter().map(|&mean| mean as f32).collect(),
            // A constant column (a pixel that is always blank) keeps scale 1: dividing by zero
            // would turn it into NaN.
            std: variance
                .iter()
                .map(|&sum| match (sum / rows).sqrt() as f32 {
                    std if std > 1e-6 => std,
                    _ => 1.0,
                })
                .collect(),
        }
    }

    pub fn width(&self) -> usize {
        self.mean.len()
    }

    /// (value − mean) / std, column by column, for a row-major table.
    pub fn apply(&self, values: &[f32]) -> Vec<f32> {
        self.map_columns(values, |value, mean, std| (value - mean) / std)
    }

    /// value × std + mean: back to the original units.
    pub fn invert(&self, values: &[f32]) -> Vec<f32> {
        self.map_columns(values, |value, mean, std| value * std + mean)
    }

    fn map_columns(&self, values: &[f32], map: impl Fn(f32, f32, f32) -> f32) -> Vec<f32> {
        values
            .chunks(self.width())
            .flat_map(|row| {
                row.iter()
                    .zip(&self.mean)
                    .zip(&self.std)
                    .map(|((&value, &mean), &std)| map(value, mean, std))
            })
            .collect()
    }
}
