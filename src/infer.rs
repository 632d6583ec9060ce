//! Inference: a trained model, loaded again, turning new inputs into answers — PREDICT alone,
//! with the same input transform the model was trained with.

use anyhow::{bail, Context, Result};
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorData};
use clap::ValueEnum;
use serde::Serialize;

use crate::artifacts::{ArtifactDir, ModelCard};
use crate::config::Task;
use crate::data::encoding::Unseen;
use crate::data::split::split;
use crate::data::{self, ColumnSpec, Dataset, LabelSpec, Source, Targets};
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

/// Which rows `eval` scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Rows {
    /// The validation rows the model was trained without (the same split, from the saved seed
    /// and fraction).
    Valid,
    /// The rows the model was trained on.
    Train,
    /// Every row.
    All,
}

/// Rows to score, and which they are.
#[derive(Clone, Debug)]
pub struct EvalData {
    pub dataset: Dataset,
    pub rows: Rows,
    /// Which rows these are, in words.
    pub description: String,
}

/// Scores of a model on a labelled data set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    pub rows: usize,
    /// Which rows were scored.
    pub scored: Rows,
    pub description: String,
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
            bail!(
                "the model takes {} input values ({}), got {}",
                names.len(),
                names.join(", "),
                values.len()
            );
        }
        encoding
            .encode_texts(&values)
            .context("--input does not fit the model")
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
    fn outputs(&self, rows: &[Vec<f32>]) -> Result<Vec<Vec<f32>>> {
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

    /// Loads a labelled data set by name or path, read as the model reads its columns, and
    /// picks the rows to score: by default the validation rows when it is the data the model was
    /// trained on (the same split again, from the saved seed and fraction), else every row.
    pub fn eval_data(&self, name_or_path: &str, rows: Option<Rows>) -> Result<EvalData> {
        let card = &self.card;
        let source = Source::resolve(name_or_path)?;
        let encoding = card.encoding();
        let label = LabelSpec {
            column: Some(&card.label_name),
            task: Some(card.task),
            classes: card.class_names.as_deref(),
        };
        let columns = ColumnSpec {
            missing: card.training.missing,
            known: Some(&encoding),
            ..ColumnSpec::default()
        };
        let frame = data::load(&source, &label, &columns, card.training.seed)
            .with_context(|| format!("{name_or_path} does not fit the model"))?;
        let trained_on = card.data_fingerprint.as_deref() == Some(&frame.fingerprint());
        let fraction = card
            .training
            .valid_fraction
            .unwrap_or(source.default_valid_fraction());
        let split = split(&frame.targets, fraction, card.training.seed);
        let held_out = trained_on && !split.valid.is_empty();
        let rows = rows.unwrap_or(if held_out { Rows::Valid } else { Rows::All });
        let description = match rows {
            Rows::All if held_out => format!(
                "every row of {name_or_path}, the {} training rows included",
                split.train.len()
            ),
            Rows::All if trained_on => format!(
                "every row of {name_or_path}, all of which the model was trained on (no \
                 validation split)"
            ),
            Rows::All => format!("every row of {name_or_path}"),
            _ if !trained_on => bail!(
                "--rows {} needs the data the model was trained on, and {name_or_path} is not \
                 that data (its rows differ from the training data's fingerprint); score it \
                 with --rows all",
                rows.to_possible_value()
                    .expect("no skipped values")
                    .get_name()
            ),
            Rows::Valid if !held_out => bail!(
                "the model was trained on every row of {name_or_path} (no validation split); \
                 score them with --rows all, knowing they were seen in training"
            ),
            Rows::Valid => format!(
                "the {} validation rows of {name_or_path}, held out from training (seed {}, \
                 fraction {fraction})",
                split.valid.len(),
                card.training.seed
            ),
            Rows::Train => format!("the {} rows the model was trained on", split.train.len()),
        };
        let frame = match rows {
            Rows::Valid => frame.select(&split.valid),
            Rows::Train => frame.select(&split.train),
            Rows::All => frame,
        };
        let dataset = encoding
            .encode(&frame, Unseen::Refuse)
            .with_context(|| format!("{name_or_path} does not fit the model"))?;
        Ok(EvalData {
            dataset,
            rows,
            description,
        })
    }

    /// Every row of a labelled data set, read as the model reads its columns.
    pub fn load_dataset(&self, name_or_path: &str) -> Result<Dataset> {
        Ok(self.eval_data(name_or_path, Some(Rows::All))?.dataset)
    }

    /// Loss and scores on the chosen rows of a labelled data set, saying which rows they are.
    pub fn evaluate_data(&self, data: &EvalData) -> Result<Evaluation> {
        Ok(Evaluation {
            scored: data.rows,
            description: data.description.clone(),
            ..self.evaluate(&data.dataset)?
        })
    }

    /// Loss and scores on every row of `dataset`.
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
            scored: Rows::All,
            description: format!("every row of {}", dataset.name),
            loss,
            scores,
        })
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

fn argmax(values: &[f32]) -> usize {
    values
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(index, _)| index)
}
