//! Inference: a trained model, loaded again, turning new inputs into answers — PREDICT alone,
//! with the same input transform the model was trained with.

use anyhow::{bail, Context, Result};
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorData};
use serde::Serialize;

use crate::artifacts::{ArtifactDir, ModelCard};
use crate::config::Task;
use crate::data::{self, Dataset, LabelSpec, Source, Targets};
use crate::metrics::{accuracy, confusion, regression_scores, RegressionScores};
use crate::model::Model;

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

/// Scores of a model on a labelled data set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    pub rows: usize,
    /// Cross-entropy (classification) or mean squared error in original units (regression).
    pub loss: f64,
    pub scores: Scores,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Scores {
    Classification {
        accuracy: f64,
        class_names: Vec<String>,
        /// `confusion[actual][predicted]`
        confusion: Vec<Vec<usize>>,
    },
    Regression(RegressionScores),
}

/// A model ready to answer.
#[derive(Debug)]
pub struct Predictor {
    pub card: ModelCard,
    model: Model,
    device: Device,
}

impl Predictor {
    pub fn new(card: ModelCard, model: Model, device: Device) -> Self {
        Self {
            card,
            model,
            device,
        }
    }

    /// Loads a model folder written by `stepwise train`.
    pub fn load(dir: &ArtifactDir, device: Device) -> Result<Self> {
        let (card, model) = dir.load(&device)?;
        Ok(Self::new(card, model, device))
    }

    /// Parses one input row written as comma-separated numbers, e.g. `5.1,3.5,1.4,0.2`.
    pub fn parse_input(&self, text: &str) -> Result<Vec<f32>> {
        let names = &self.card.feature_names;
        let values = text
            .split(',')
            .map(str::trim)
            .enumerate()
            .map(|(column, value)| {
                value
                    .parse::<f32>()
                    .ok()
                    .filter(|value| value.is_finite())
                    .with_context(|| {
                        format!(
                            "--input value {} ('{value}') is not a number; give {} numbers \
                             separated by commas",
                            column + 1,
                            names.len()
                        )
                    })
            })
            .collect::<Result<Vec<f32>>>()?;
        self.check_width(values.len())?;
        Ok(values)
    }

    fn check_width(&self, width: usize) -> Result<()> {
        let names = &self.card.feature_names;
        if width != names.len() {
            bail!(
                "the model takes {} input values ({}), got {width}",
                names.len(),
                names.join(", ")
            );
        }
        Ok(())
    }

    /// The raw network outputs for rows of features in original units: `[rows, outputs]`,
    /// already turned into probabilities (classification) or original units (regression).
    fn outputs(&self, rows: &[Vec<f32>]) -> Result<Vec<Vec<f32>>> {
        for row in rows {
            self.check_width(row.len())?;
        }
        let width = self.card.feature_names.len();
        let flat: Vec<f32> = rows.iter().flatten().copied().collect();
        let standardised = self.card.feature_scaling.apply(&flat);
        let features = Tensor::from_data(
            TensorData::new(standardised, [rows.len(), width]),
            &self.device,
        );
        let output = self.model.forward(features); // [rows, outputs]
        let outputs = self.card.model.outputs;
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

    /// Loads a data set by name or path, with the model's label column and classes.
    pub fn load_dataset(&self, name_or_path: &str) -> Result<Dataset> {
        let source = Source::resolve(name_or_path)?;
        let spec = LabelSpec {
            column: Some(&self.card.label_name),
            task: Some(self.card.task),
            classes: self.card.class_names.as_deref(),
        };
        let dataset = data::load(&source, &spec, self.card.training.seed)?;
        dataset
            .with_features(&self.card.feature_names)
            .with_context(|| format!("{name_or_path} does not fit the model"))
    }

    /// Loss and scores on a labelled data set.
    pub fn evaluate(&self, dataset: &Dataset) -> Result<Evaluation> {
        let rows: Vec<Vec<f32>> = (0..dataset.rows())
            .map(|row| dataset.row(row).to_vec())
            .collect();
        let outputs = self.outputs(&rows)?;
        let count = dataset.rows().max(1) as f64;
        let (loss, scores) = match &dataset.targets {
            Targets::Classes { indices, names } => {
                let predicted: Vec<usize> = outputs.iter().map(|output| argmax(output)).collect();
                // Cross-entropy: the mean of −ln(probability of the right class).
                let loss = outputs
                    .iter()
                    .zip(indices)
                    .map(|(output, &actual)| -(output[actual].max(f32::MIN_POSITIVE) as f64).ln())
                    .sum::<f64>()
                    / count;
                let scores = Scores::Classification {
                    accuracy: accuracy(&predicted, indices),
                    class_names: names.clone(),
                    confusion: confusion(&predicted, indices, names.len()),
                };
                (loss, scores)
            }
            Targets::Values(actual) => {
                let predicted: Vec<f32> = outputs.iter().map(|output| output[0]).collect();
                let scores = regression_scores(&predicted, actual);
                (scores.mse, Scores::Regression(scores))
            }
        };
        Ok(Evaluation {
            rows: dataset.rows(),
            loss,
            scores,
        })
    }
}

fn argmax(values: &[f32]) -> usize {
    values
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(index, _)| index)
}
