//! The model card, `config.json`: everything needed to rebuild the model and transform its
//! inputs and outputs, with the checks that refuse a damaged or hand-edited one.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use super::older::{check_format, not_ours, unwritten_field, upgrade, without_added_defaults};
use super::FORMAT_VERSION;
use crate::config::{Task, TrainConfig};
use crate::data::encoding::Encoding;
use crate::data::images::ImageShape;
use crate::data::transform::Standardizer;
use crate::machine::checksum::checksum_for;
use crate::model::{Architecture, ModelConfig};

/// Everything needed to rebuild the model and transform its inputs and outputs: `config.json`.
/// `A` is the network's architecture: the built-in MLP's, or one a program brings
/// (`examples/own_network.rs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "A: Architecture")]
pub struct ModelCard<A = ModelConfig> {
    pub format_version: u32,
    pub task: Task,
    pub model: A,
    /// Input columns, in the order the model reads them.
    pub feature_names: Vec<String>,
    pub label_name: String,
    /// Class names by output index (classification only).
    pub class_names: Option<Vec<String>>,
    /// Standardisation of the inputs, fitted on the training rows.
    pub feature_scaling: Standardizer,
    /// Standardisation of the target (regression only): predictions are mapped back with it.
    pub target_scaling: Option<Standardizer>,
    /// The full training configuration, for the record and for retraining.
    pub training: TrainConfig,
    /// How each feature column becomes inputs (one-hot categories, fill values). Absent from
    /// files saved before it existed: number columns named as the inputs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<Encoding>,
    /// A checksum of the training data (every row, before the split), so `eval` knows the
    /// data again and can score the held-out rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_fingerprint: Option<String>,
    /// The shape of the pictures the model was trained on, when each row was one: `predict
    /// --input-image` reads a picture at this size and in these channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageShape>,
    /// Where INIT's weights came from, when not from the seed (`--init-from`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starting_weights: Option<StartingWeights>,
}

/// Where a run's starting weights came from (`train --init-from`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StartingWeights {
    /// The file as it was named.
    pub file: String,
    /// `safetensors` or `pytorch`.
    pub format: String,
    /// The file's checksum (xxHash64): which weights these were, should the file change.
    pub checksum: String,
}

impl<A: Architecture> ModelCard<A> {
    /// Whether the model answers with classes (else a number): the card's task, which loading
    /// checks agrees with its class names and outputs.
    pub fn is_classifier(&self) -> bool {
        self.task == Task::Classification
    }

    /// How the model's input columns become its inputs.
    pub fn encoding(&self) -> Encoding {
        self.encoding
            .clone()
            .unwrap_or_else(|| Encoding::numbers(&self.feature_names))
    }

    /// The same card for a network of another architecture, with the same inputs and outputs
    /// (`None` when they differ).
    pub fn with_model<B: Architecture>(self, model: B) -> Option<ModelCard<B>> {
        if (model.inputs(), model.outputs()) != (self.model.inputs(), self.model.outputs()) {
            return None;
        }
        Some(ModelCard {
            format_version: self.format_version,
            task: self.task,
            model,
            feature_names: self.feature_names,
            label_name: self.label_name,
            class_names: self.class_names,
            feature_scaling: self.feature_scaling,
            target_scaling: self.target_scaling,
            training: self.training,
            encoding: self.encoding,
            data_fingerprint: self.data_fingerprint,
            image: self.image,
            starting_weights: self.starting_weights,
        })
    }
}

/// `config.json`: the card, the checksum of the `model.bpk` written with it, and the card's own
/// checksum (a hand edit that changes what the model means is refused, not obeyed).
#[derive(Serialize, Deserialize)]
#[serde(bound = "A: Architecture")]
pub(super) struct ConfigFile<A> {
    #[serde(flatten)]
    pub card: ModelCard<A>,
    pub model_checksum: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_checksum: Option<String>,
}

impl<A: Architecture> ModelCard<A> {
    /// The checksum of the card as stepwise writes it. The options added since format 2 count
    /// only when they differ from their defaults, so the checksums of cards saved before they
    /// existed still hold.
    /// The card as stepwise saves it today: a card read from an older folder (a resumed run's)
    /// is written in today's format, with today's checksums.
    pub(super) fn in_todays_format(&self) -> Self {
        ModelCard {
            format_version: FORMAT_VERSION,
            ..self.clone()
        }
    }

    /// Taken as its format takes them: a card read from an older folder is checked with the
    /// checksum that folder was saved with.
    pub(super) fn checksum(&self) -> Result<String> {
        let json = String::from_utf8(serde_json::to_vec(self)?)?;
        Ok(checksum_for(
            self.format_version,
            without_added_defaults(json).as_bytes(),
        ))
    }
}

/// Parses a `config.json` (read from `path`), and checks that its parts agree with each other.
pub(super) fn parse_config<A: Architecture>(text: &str, path: &Path) -> Result<ConfigFile<A>> {
    check_format(text, path)?;
    let mut value: serde_json::Value =
        serde_json::from_str(text).with_context(|| not_ours(path))?;
    if let Some(field) = unwritten_field(&value) {
        bail!(
            "{} was edited or is damaged (it says format 1, which never held '{field}'); \
             retrain the model",
            path.display()
        );
    }
    upgrade(&mut value);
    if serde_json::from_value::<A>(value["model"].clone()).is_err() && value["model"].is_object() {
        bail!(
            "{} holds a network stepwise cannot build here (its model is {}); load it with the \
             program that trained it (see examples/own_network.rs), or retrain",
            path.display(),
            value["model"]
        );
    }
    let config: ConfigFile<A> = serde_json::from_value(value).with_context(|| not_ours(path))?;
    let edited = match &config.card_checksum {
        Some(expected) => config.card.checksum()? != *expected,
        // Format 1 files had no card checksum.
        None => config.card.format_version >= 2,
    };
    if config.model_checksum.is_none() || edited {
        bail!(
            "{} was edited or is damaged (its checksums are missing or do not match what it \
             says); retrain the model",
            path.display()
        );
    }
    if let Err(problem) = config.card.check() {
        bail!(
            "{} is damaged: {problem}; retrain the model",
            path.display()
        );
    }
    Ok(config)
}

impl<A: Architecture> ModelCard<A> {
    /// The parts that must agree: one name and one scaling per input, one name per class.
    fn check(&self) -> std::result::Result<(), String> {
        let (inputs, outputs) = (self.model.inputs(), self.model.outputs());
        let per_input = [
            ("feature names", self.feature_names.len()),
            ("feature means", self.feature_scaling.mean.len()),
            ("feature deviations", self.feature_scaling.std.len()),
        ];
        for (what, count) in per_input {
            if count != inputs {
                return Err(format!("{count} {what} for a model of {inputs} inputs"));
            }
        }
        if let Some(names) = &self.class_names {
            if names.len() != outputs {
                return Err(format!(
                    "{} class names for {} outputs",
                    names.len(),
                    outputs
                ));
            }
        }
        if let Some(scaling) = &self.target_scaling {
            if scaling.mean.len() != 1 || scaling.std.len() != 1 {
                return Err("the target scaling is not for one value".into());
            }
        }
        let classes = self.is_classifier();
        if classes != self.class_names.is_some() || (!classes && outputs != 1) {
            return Err(format!(
                "task {} does not fit {} outputs and {} class names",
                self.task,
                outputs,
                self.class_names.as_ref().map_or(0, Vec::len)
            ));
        }
        if classes && self.target_scaling.is_some() {
            return Err("a classifier with a target scaling".into());
        }
        if self.encoding().input_names() != self.feature_names {
            return Err("the column encoding does not give the feature names".into());
        }
        if let Some(image) = self.image {
            if image.len() != inputs {
                return Err(format!(
                    "pictures of {image} for a model of {inputs} inputs"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A card as stepwise saved it (iris, format 2), read back.
    fn card() -> ModelCard {
        let path = Path::new("tests/corpus/format2/iris_mlp/config.json");
        let text = std::fs::read_to_string(path).unwrap();
        parse_config::<ModelConfig>(&text, path).unwrap().card
    }

    fn problem(edit: impl FnOnce(&mut ModelCard)) -> String {
        let mut card = card();
        edit(&mut card);
        card.check().unwrap_err()
    }

    #[test]
    fn a_card_whose_parts_disagree_is_refused_with_what_disagrees() {
        assert_eq!(card().check(), Ok(()));
        let said = problem(|card| {
            card.feature_names.pop();
        });
        assert_eq!(said, "3 feature names for a model of 4 inputs");
        let said = problem(|card| {
            card.feature_scaling.std.pop();
        });
        assert_eq!(said, "3 feature deviations for a model of 4 inputs");
        let said = problem(|card| card.class_names = Some(vec!["a".into(), "b".into()]));
        assert_eq!(said, "2 class names for 3 outputs");
        let said = problem(|card| card.class_names = None);
        assert_eq!(
            said,
            "task classification does not fit 3 outputs and 0 class names"
        );
        let said = problem(|card| card.task = Task::Regression);
        assert!(
            said.starts_with("task regression does not fit 3 outputs"),
            "{said}"
        );
        let scaling = |card: &ModelCard| Some(card.feature_scaling.clone());
        let said = problem(|card| card.target_scaling = scaling(card));
        assert_eq!(said, "the target scaling is not for one value");
        let said = problem(|card| {
            let mut half = card.feature_scaling.clone();
            half.mean.truncate(1);
            card.target_scaling = Some(half);
        });
        assert_eq!(said, "the target scaling is not for one value");
        let said = problem(|card| {
            let mut one = card.feature_scaling.clone();
            one.mean.truncate(1);
            one.std.truncate(1);
            card.target_scaling = Some(one);
        });
        assert_eq!(said, "a classifier with a target scaling");
        let said = problem(|card| card.feature_names.swap(0, 1));
        assert_eq!(said, "the column encoding does not give the feature names");
    }
}
