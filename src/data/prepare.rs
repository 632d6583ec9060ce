//! What a run does to its data before training: hold rows out for validation, learn the column
//! encoding and the scaling from the training rows only, and encode both parts.

use std::panic::resume_unwind;
use std::thread;

use anyhow::{bail, Result};

use super::encoding::{Encoding, Unseen};
use super::frame::Frame;
use super::split::{held_out, SplitRows};
use super::transform::Standardizer;
use super::{ColumnSpec, Dataset, LabelSpec, Targets};
use crate::config::{ModelKind, OutputKind, TrainConfig};

/// The data of a run, ready for the device.
pub struct Prepared {
    pub rows: SplitRows,
    /// Categories and fill values, from the training rows.
    pub encoding: Encoding,
    pub feature_scaling: Standardizer,
    /// Regression targets are standardised too (unless a sigmoid output bounds them).
    pub target_scaling: Option<Standardizer>,
    pub train: Dataset,
    pub valid: Option<Dataset>,
    /// What loading and encoding did that a person should know.
    pub notes: Vec<String>,
    /// The frame's [`fingerprint`](Frame::fingerprint).
    pub fingerprint: String,
}

/// Splits `frame` (`default_valid_fraction` unless the config sets one) and encodes it; its
/// fingerprint (a checksum of every cell: a while on a million rows) is taken meanwhile.
pub fn prepare(
    frame: &Frame,
    config: &TrainConfig,
    default_valid_fraction: f64,
) -> Result<Prepared> {
    thread::scope(|scope| {
        let fingerprint = scope.spawn(|| frame.fingerprint());
        let prepared = encode(frame, config, default_valid_fraction);
        let fingerprint = fingerprint
            .join()
            .unwrap_or_else(|panic| resume_unwind(panic));
        prepared.map(|prepared| Prepared {
            fingerprint,
            ..prepared
        })
    })
}

/// [`prepare`] but for the fingerprint.
fn encode(frame: &Frame, config: &TrainConfig, default_valid_fraction: f64) -> Result<Prepared> {
    if config.output == Some(OutputKind::Sigmoid) {
        check_sigmoid_targets(frame)?;
    }
    let rows = held_out(&frame.targets, config, default_valid_fraction);
    // Categories and fill values come from the training rows only, like the scaling below.
    let (encoding, mut notes) = Encoding::fit(frame, &rows.train, config.missing)?;
    notes.splice(0..0, frame.notes.iter().cloned());
    notes.extend(judge_split(&frame.targets, &rows));
    let train = encoding.encode_rows(frame, &rows.train, Unseen::Refuse)?;
    let valid = (!rows.valid.is_empty())
        .then(|| encoding.encode_rows(frame, &rows.valid, Unseen::AllZero))
        .transpose()?;

    // Standardise with statistics of the training rows only: the validation rows stand for
    // unseen data, and must not leak into the transform. One-hot inputs stay 0 or 1.
    // A CNN's pictures are standardised per channel (see `fit_channels`); an MLP has a weight
    // per input, and each input its own scale.
    let feature_scaling = match frame.image {
        Some(shape) if config.model == ModelKind::Cnn => {
            Standardizer::fit_channels(&train.features, shape)
        }
        _ => Standardizer::fit(&train.features, train.feature_count()).leaving(&encoding.one_hot()),
    };
    let target_scaling = match &train.targets {
        // A sigmoid output already lives in the targets' range, [0, 1].
        Targets::Values(_) if config.output.is_some() => None,
        Targets::Values(values) => Some(Standardizer::fit(values, 1)),
        Targets::Classes { .. } => None,
    };
    let names = encoding.input_names();
    refuse_overflowing(&feature_scaling, |column| &names[column])?;
    if let Some(scaling) = &target_scaling {
        refuse_overflowing(scaling, |_| &frame.label_name)?;
    }
    Ok(Prepared {
        rows,
        encoding,
        feature_scaling,
        target_scaling,
        train,
        valid,
        notes,
        fingerprint: String::new(),
    })
}

/// The largest magnitude a column may hold: a tenth of the largest 32-bit float, so that a
/// value less its mean, and the network's sums, stay finite. Beyond it the first STEP gives
/// NaN, and a learning rate is not what is wrong.
const LARGEST: f32 = f32::MAX / 10.0;

/// Refuses a column (named by `name`) whose training values are too large to compute with.
fn refuse_overflowing<'a>(
    scaling: &Standardizer,
    name: impl Fn(usize) -> &'a String,
) -> Result<()> {
    let extreme = |column: usize| scaling.min[column].abs().max(scaling.max[column].abs());
    if let Some(column) = (0..scaling.min.len()).find(|&column| extreme(column) > LARGEST) {
        anyhow::bail!(
            "column '{}' holds values up to {:e}, too close to the largest 32-bit float \
             (3.4e38) to compute with; rescale it (divide it by a power of ten) or leave it out",
            name(column),
            extreme(column)
        );
    }
    Ok(())
}

/// Fewer validation rows than this, or than two per class, make its loss and accuracy a guess.
const FEW_VALID_ROWS: usize = 20;

/// Notes when the validation rows are too few to judge the model by, or miss classes the
/// training rows have: a score of 1.000 on one row says nothing.
fn judge_split(targets: &Targets, rows: &super::split::SplitRows) -> Vec<String> {
    let valid = rows.valid.len();
    if valid == 0 {
        return Vec::new();
    }
    let mut notes = Vec::new();
    let classes = match targets {
        Targets::Classes { names, .. } => names.len(),
        Targets::Values(_) => 0,
    };
    if valid < FEW_VALID_ROWS.max(2 * classes) {
        notes.push(format!(
            "only {valid} row{} held out for validation: its loss and accuracy are a guess, not a \
             measurement; more data (or a larger --valid-fraction) makes them mean something",
            if valid == 1 { " is" } else { "s are" }
        ));
    }
    if let Targets::Classes { indices, names } = targets {
        let mut seen = vec![false; names.len()];
        rows.valid.iter().for_each(|&row| seen[indices[row]] = true);
        let missing: Vec<&str> = (names.iter().zip(&seen))
            .filter(|(_, seen)| !**seen)
            .map(|(name, _)| name.as_str())
            .take(5)
            .collect();
        if !missing.is_empty() {
            let (class, it) = match missing.len() {
                1 => ("class", "it"),
                _ => ("classes", "them"),
            };
            notes.push(format!(
                "the validation rows hold no example of {class} {}: the model is not judged on \
                 {it}",
                missing.join(", ")
            ));
        }
    }
    notes
}

/// How a configuration reads its label column.
pub fn label_spec(config: &TrainConfig) -> LabelSpec<'_> {
    LabelSpec {
        column: config.label.as_deref(),
        task: config.task,
        classes: None,
    }
}

/// How a configuration chooses its feature columns.
pub fn column_spec(config: &TrainConfig) -> ColumnSpec<'_> {
    ColumnSpec {
        features: &config.features,
        ignore: &config.ignore,
        missing: config.missing,
        known: None,
    }
}

/// `--output sigmoid` predicts numbers in (0, 1): the targets must be such numbers.
fn check_sigmoid_targets(dataset: &Frame) -> Result<()> {
    match &dataset.targets {
        Targets::Classes { .. } => bail!(
            "--output sigmoid is for regression on targets in [0, 1]; add --task regression \
             (for classes, leave --output out: softmax is part of the cross-entropy loss)"
        ),
        Targets::Values(values) => {
            if let Some(value) = values.iter().find(|value| !(0.0..=1.0).contains(*value)) {
                bail!(
                    "--output sigmoid predicts values in (0, 1), but the target '{}' holds {value}; \
                     leave --output out for unbounded targets",
                    dataset.label_name
                );
            }
            Ok(())
        }
    }
}
