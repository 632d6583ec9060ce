//! Standardising: each feature (and a regression target) is shifted and scaled to mean 0 and
//! standard deviation 1, with statistics from the training rows only, so that one learning rate
//! suits every parameter. The statistics are saved with the model and applied again at inference.

use serde::{Deserialize, Serialize};

use super::images::ImageShape;

/// Per-column mean and standard deviation, and the range the training rows covered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
    /// The smallest and largest training value per column: beyond them, a model extrapolates.
    /// (Empty in files saved before they were recorded.)
    #[serde(default)]
    pub min: Vec<f32>,
    #[serde(default)]
    pub max: Vec<f32>,
}

impl Standardizer {
    /// Fits the statistics of `values`, a row-major table `width` columns wide.
    pub fn fit(values: &[f32], width: usize) -> Standardizer {
        let rows = (values.len() / width.max(1)).max(1) as f64;
        let mut mean = vec![0f64; width];
        let mut min = vec![f32::INFINITY; width];
        let mut max = vec![f32::NEG_INFINITY; width];
        for row in values.chunks(width) {
            for (column, &value) in row.iter().enumerate() {
                mean[column] += value as f64;
                min[column] = min[column].min(value);
                max[column] = max[column].max(value);
            }
        }
        mean.iter_mut().for_each(|sum| *sum /= rows);
        let mut variance = vec![0f64; width];
        for row in values.chunks(width) {
            for ((sum, &value), mean) in variance.iter_mut().zip(row).zip(&mean) {
                *sum += (value as f64 - mean).powi(2);
            }
        }
        // Only a constant column (a pixel that is always blank) keeps scale 1: dividing by zero
        // would give NaN. Its variance is exactly 0: f32 values summed in f64 are summed exactly.
        // A column on a tiny scale is still standardised.
        let std = variance
            .iter()
            .map(|&sum| match (sum / rows).sqrt() as f32 {
                std if std > 0.0 => std,
                _ => 1.0,
            })
            .collect();
        Standardizer {
            mean: mean.iter().map(|&mean| mean as f32).collect(),
            std,
            min,
            max,
        }
    }

    /// The statistics per channel of pictures of `shape` (rows of pixels, channel after
    /// channel): every pixel of a channel gets the channel's mean and deviation, so that a
    /// convolution, whose weights slide over every position, sees one scale everywhere.
    pub fn fit_channels(values: &[f32], shape: ImageShape) -> Standardizer {
        let pixels = shape.pixels();
        let channels: Vec<Standardizer> = (0..shape.channels)
            .map(|channel| {
                let plane: Vec<f32> = values
                    .chunks(shape.len())
                    .flat_map(|picture| &picture[channel * pixels..(channel + 1) * pixels])
                    .copied()
                    .collect();
                Standardizer::fit(&plane, 1)
            })
            .collect();
        let spread = |part: fn(&Standardizer) -> &Vec<f32>| -> Vec<f32> {
            channels
                .iter()
                .flat_map(|channel| std::iter::repeat_n(part(channel)[0], pixels))
                .collect()
        };
        Standardizer {
            mean: spread(|s| &s.mean),
            std: spread(|s| &s.std),
            min: spread(|s| &s.min),
            max: spread(|s| &s.max),
        }
    }

    /// The same, with the columns marked in `unscaled` left as they are (one-hot inputs).
    pub fn leaving(mut self, unscaled: &[bool]) -> Standardizer {
        for (column, _) in unscaled.iter().enumerate().filter(|(_, &keep)| keep) {
            self.mean[column] = 0.0;
            self.std[column] = 1.0;
        }
        self
    }

    pub fn width(&self) -> usize {
        self.mean.len()
    }

    /// (value − mean) / std, column by column, for a row-major table.
    pub fn apply(&self, values: &[f32]) -> Vec<f32> {
        let mut values = values.to_vec();
        self.standardise(&mut values);
        values
    }

    /// [`apply`](Self::apply) in place: a million rows are not copied to be standardised.
    pub fn standardise(&self, values: &mut [f32]) {
        self.map_columns(values, |value, mean, std| (value - mean) / std);
    }

    /// value × std + mean: back to the original units.
    pub fn invert(&self, values: &[f32]) -> Vec<f32> {
        let mut values = values.to_vec();
        self.map_columns(&mut values, |value, mean, std| value * std + mean);
        values
    }

    /// Columns of `row` more than one standard deviation beyond the training range: where a
    /// model extrapolates from what it saw.
    pub fn far_outside(&self, row: &[f32]) -> Vec<usize> {
        (0..row.len().min(self.min.len()).min(self.max.len()))
            .filter(|&column| {
                let margin = self.std[column];
                row[column] < self.min[column] - margin || row[column] > self.max[column] + margin
            })
            .collect()
    }

    fn map_columns(&self, values: &mut [f32], map: impl Fn(f32, f32, f32) -> f32) {
        for row in values.chunks_mut(self.width()) {
            for ((value, &mean), &std) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *value = map(*value, mean, std);
            }
        }
    }
}
