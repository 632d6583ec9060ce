//! Inference: a trained model, loaded again, turning new inputs into answers — PREDICT alone,
//! with the same input transform the model was trained with. Scoring a labelled data set is
//! [`crate::inference::eval`].

pub mod eval;

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorData};
use serde::Serialize;

use crate::artifacts::{ArtifactDir, ModelCard};
use crate::config::Task;
use crate::data::images::{folder, ImageOptions};
use crate::model::{Architecture, ModelConfig, Network};

/// One answer.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Prediction {
    /// The most probable class, its probability, and every class's probability.
    Class {
        label: String,
        probability: f32,
        probabilities: Vec<f32>,
    },
    /// A regression value in the target's original units.
    Value { value: f32 },
}

/// A class and its probability, as `--top` lists them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ranked {
    pub label: String,
    pub probability: f32,
}

/// A model ready to answer: the built-in MLP, or a network of another [`Architecture`].
#[derive(Debug)]
pub struct Predictor<A: Architecture = ModelConfig> {
    pub card: ModelCard<A>,
    pub(crate) model: A::Network,
    pub(crate) device: Device,
}

impl Predictor {
    /// Loads a model folder written by `stepwise train`.
    pub fn load(dir: &ArtifactDir, device: Device) -> Result<Self> {
        Self::load_network(dir, device)
    }
}

impl<A: Architecture> Predictor<A> {
    pub fn new(card: ModelCard<A>, model: A::Network, device: Device) -> Self {
        Self {
            card,
            model,
            device,
        }
    }

    /// Loads a model folder saved with a network of architecture `A`.
    pub fn load_network(dir: &ArtifactDir, device: Device) -> Result<Self> {
        let (card, model) = dir.load::<A>(&device)?;
        Ok(Self::new(card, model, device))
    }

    /// Parses one input row written as comma-separated values, one per column the model reads
    /// (a number, or a category of a text column), e.g. `5.1,3.5,1.4,0.2`.
    pub fn parse_input(&self, text: &str) -> Result<Vec<f32>> {
        let encoding = self.card.encoding();
        let values: Vec<&str> = text.split(',').map(str::trim).collect();
        let names: Vec<&str> = encoding
            .columns
            .iter()
            .map(|column| column.name())
            .collect();
        if values.len() != names.len() {
            if let Some(image) = self.card.image {
                bail!(
                    "the model reads pictures ({image}, channels x height x width), not typed \
                     values: give one with --input-image FILE"
                );
            }
            bail!(
                "the model takes {} input values ({}), got {}",
                names.len(),
                crate::data::labels::listed(&names),
                values.len()
            );
        }
        encoding
            .encode_texts(&values)
            .context("--input does not fit the model")
    }

    /// Reads pictures as the model was trained on them: at its size, in its channels (a picture
    /// of another size is resized). A model trained on a table has no pictures to read.
    pub fn read_pictures(&self, files: &[PathBuf]) -> Result<Vec<Vec<f32>>> {
        let Some(shape) = self.card.image else {
            bail!(
                "this model was trained on a table ({} columns), not on pictures; give it rows \
                 with --input or --input-file FILE.csv",
                self.card.feature_names.len()
            );
        };
        let options = ImageOptions::for_shape(shape);
        files
            .iter()
            .map(|file| {
                let (_, pixels) = folder::read(file, &options)?;
                // In the units of the training pictures: 0..=16 for digits.
                Ok(pixels.iter().map(|pixel| pixel * shape.white).collect())
            })
            .collect()
    }

    /// The `count` most probable classes of an answer, the most probable first (none for a
    /// regression value).
    pub fn top(&self, prediction: &Prediction, count: usize) -> Vec<Ranked> {
        let (Prediction::Class { probabilities, .. }, Some(names)) =
            (prediction, &self.card.class_names)
        else {
            return Vec::new();
        };
        let mut order: Vec<usize> = (0..probabilities.len()).collect();
        order.sort_by(|&a, &b| probabilities[b].total_cmp(&probabilities[a]));
        order
            .into_iter()
            .take(count)
            .map(|class| Ranked {
                label: names[class].clone(),
                probability: probabilities[class],
            })
            .collect()
    }

    fn check_width(&self, width: usize) -> Result<()> {
        let names = &self.card.feature_names;
        if width != names.len() {
            bail!(
                "the model takes {} inputs ({}), got {width}",
                names.len(),
                names.join(", ")
            );
        }
        Ok(())
    }

    /// Notes for inputs far outside the range the training rows covered, where the model
    /// extrapolates: "row 1: 'petal_length' = 30 is far outside the training range [1, 6.9]".
    pub fn extrapolation(&self, rows: &[Vec<f32>]) -> Vec<String> {
        let scaling = &self.card.feature_scaling;
        let mut notes = Vec::new();
        for (index, row) in rows.iter().enumerate() {
            for column in scaling.far_outside(row) {
                notes.push(format!(
                    "row {}: '{}' = {} is far outside the training range [{}, {}]: the model \
                     extrapolates, and its answer is a guess",
                    index + 1,
                    self.card.feature_names[column],
                    shown(row[column]),
                    scaling.min[column],
                    scaling.max[column]
                ));
            }
        }
        notes
    }

    /// The raw network outputs for rows of features in original units: `[rows, outputs]`,
    /// already turned into probabilities (classification) or original units (regression).
    pub(crate) fn outputs(&self, rows: &[Vec<f32>]) -> Result<Vec<Vec<f32>>> {
        for row in rows {
            self.check_width(row.len())?;
        }
        let width = self.card.feature_names.len();
        let flat: Vec<f32> = rows.iter().flatten().copied().collect();
        let standardised = self.card.feature_scaling.apply(&flat);
        if let Some(at) = standardised.iter().position(|value| !value.is_finite()) {
            bail!(
                "row {}: '{}' = {} is too large to compute with once standardised; check the input",
                at / width.max(1) + 1,
                self.card.feature_names[at % width.max(1)],
                shown(flat[at])
            );
        }
        let features = Tensor::from_data(
            TensorData::new(standardised, [rows.len(), width]),
            &self.device,
        );
        let output = self.model.forward(features); // [rows, outputs]
        let outputs = self.card.model.outputs();
        let values: Vec<f32> = match self.card.task {
            Task::Classification => softmax(output, 1).into_data().iter::<f32>().collect(),
            Task::Regression => {
                let standardised: Vec<f32> = output.into_data().iter::<f32>().collect();
                match &self.card.target_scaling {
                    Some(scaling) => scaling.invert(&standardised),
                    None => standardised,
                }
            }
        };
        if let Some(at) = values.iter().position(|value| !value.is_finite()) {
            bail!(
                "row {}: the model's answer is not a finite number ({}); the input is too far \
                 from anything it was trained on",
                at / outputs.max(1) + 1,
                values[at]
            );
        }
        Ok(values.chunks(outputs).map(<[f32]>::to_vec).collect())
    }

    /// Answers for rows of features in original units.
    pub fn predict(&self, rows: &[Vec<f32>]) -> Result<Vec<Prediction>> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let outputs = self.outputs(rows)?;
        Ok(outputs
            .into_iter()
            .map(|output| match &self.card.class_names {
                Some(names) => {
                    let best = argmax(&output);
                    Prediction::Class {
                        label: names[best].clone(),
                        probability: output[best],
                        probabilities: output,
                    }
                }
                None => Prediction::Value { value: output[0] },
            })
            .collect())
    }
}

/// A number as a person would write it: `3e38`, not thirty-nine digits.
fn shown(value: f32) -> String {
    if value != 0.0 && !(1e-4..1e9).contains(&value.abs()) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

pub(crate) fn argmax(values: &[f32]) -> usize {
    values
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(index, _)| index)
}
