//! Evaluation: a trained model scored on labelled rows — by default the validation rows it was
//! trained without, found again from the saved seed and fraction.

use anyhow::{bail, Context, Result};
use clap::ValueEnum;
use serde::Serialize;

use crate::data::encoding::Unseen;
use crate::data::frame::Frame;
use crate::data::images::ImageOptions;
use crate::data::split::held_out;
use crate::data::{self, ColumnSpec, Dataset, LabelSpec, Source, Targets};
use crate::inference::{argmax, Predictor};
use crate::learner::batch::DeviceData;
use crate::learner::loss::Loss;
use crate::learner::measure::measure;
use crate::learner::metrics::{confusion, regression_scores, RegressionScores};
use crate::model::Architecture;

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

/// The most classes a confusion table is made for: 100 classes are 10,000 cells, and 5,000
/// would be 25 million, which no one reads.
pub const MAX_CONFUSION_CLASSES: usize = 100;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Scores {
    Classification {
        accuracy: f64,
        class_names: Vec<String>,
        /// `confusion[actual][predicted]`; empty for more than 100 classes (`MAX_CONFUSION_CLASSES`).
        confusion: Vec<Vec<usize>>,
    },
    Regression(RegressionScores),
}

impl<A: Architecture> Predictor<A> {
    /// Loads a labelled data set by name or path, read as the model reads its columns, and
    /// picks the rows to score: by default the validation rows when it is the data the model was
    /// trained on (the same split again, from the saved seed and fraction), else every row.
    pub fn eval_data(&self, name_or_path: &str, rows: Option<Rows>) -> Result<EvalData> {
        let card = &self.card;
        let (source, frame) = self.read_labelled(name_or_path)?;
        let trained_on = (card.data_fingerprint.as_ref())
            .is_some_and(|fingerprint| frame.has_fingerprint(fingerprint));
        // The rows its training held out, by the rule training used.
        let default_fraction = source.default_valid_fraction();
        let split = held_out(&frame.targets, &card.training, default_fraction);
        let fraction = card.training.valid_fraction.unwrap_or(default_fraction);
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
        let all: Vec<usize>;
        let chosen = match rows {
            Rows::Valid => &split.valid,
            Rows::Train => &split.train,
            Rows::All => {
                all = (0..frame.rows()).collect();
                &all
            }
        };
        let dataset = card
            .encoding()
            .encode_rows(&frame, chosen, Unseen::Refuse)
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

    /// A labelled data set read as the model reads its columns and label.
    fn read_labelled(&self, name_or_path: &str) -> Result<(Source, Frame)> {
        let card = &self.card;
        // A generated set is generated again as it was trained: with the same noise.
        let source = match Source::resolve(name_or_path)? {
            Source::Builtin { set, noise } if set.is_plane() => {
                Source::Builtin { set, noise }.with_noise(card.training.noise)?
            }
            // Pictures are read at the size and in the channels the model was trained on.
            Source::Pictures { path, .. } => match card.image {
                Some(shape) => Source::Pictures {
                    path,
                    options: ImageOptions::for_shape(shape),
                },
                None => bail!(
                    "{name_or_path} holds pictures, and this model was trained on a table; score \
                     it on data with the model's columns ({})",
                    card.feature_names.join(", ")
                ),
            },
            other => other,
        };
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
        Ok((source, frame))
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
        let (loss, scores) = match &dataset.targets {
            Targets::Classes { indices, names } => {
                // Loss and accuracy as training measures them, on the device.
                let data = DeviceData::new(
                    dataset.clone(),
                    &self.card.feature_scaling,
                    None,
                    &self.device,
                );
                let measured = measure(&self.model, &Loss, &data);
                let predicted: Vec<usize> = outputs.iter().map(|output| argmax(output)).collect();
                let scores = Scores::Classification {
                    accuracy: measured.accuracy.unwrap_or(0.0),
                    class_names: names.clone(),
                    confusion: match names.len() {
                        classes if classes > MAX_CONFUSION_CLASSES => Vec::new(),
                        classes => confusion(&predicted, indices, classes),
                    },
                };
                (measured.loss, scores)
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
