//! Encoding: the table's columns turned into the numbers a network reads. A number column is one
//! input; a text column becomes one input per category (one-hot: 1 for the row's category, 0
//! for the others). Categories and fill values for missing cells are learned from the training
//! rows only, saved with the model, and applied the same way to every later input.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

use super::frame::{Column, Frame, Values};
use super::labels::shorten;
use crate::config::Missing;

mod apply;

/// A text column with more categories than this is refused: it is a name or an id, not a
/// category.
pub const MAX_CATEGORIES: usize = 100;

/// How one column becomes inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ColumnEncoding {
    /// One input, the number itself; `fill` replaces a missing cell (`--missing mean`).
    Number { name: String, fill: Option<f32> },
    /// One input per category of the training rows; `fill` replaces a missing cell.
    Text {
        name: String,
        categories: Vec<String>,
        fill: Option<String>,
    },
}

impl ColumnEncoding {
    pub fn name(&self) -> &str {
        match self {
            ColumnEncoding::Number { name, .. } | ColumnEncoding::Text { name, .. } => name,
        }
    }

    /// Whether a missing cell is filled (the model was trained with `--missing mean`).
    pub fn fills(&self) -> bool {
        match self {
            ColumnEncoding::Number { fill, .. } => fill.is_some(),
            ColumnEncoding::Text { fill, .. } => fill.is_some(),
        }
    }
}

/// Every feature column's encoding, in input order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Encoding {
    pub columns: Vec<ColumnEncoding>,
}

/// A category never seen in the training rows: an error, or (validation rows while training)
/// none of the known ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unseen {
    Refuse,
    AllZero,
}

impl Encoding {
    /// Number columns as they are: what a model saved before encodings existed reads.
    pub fn numbers(names: &[String]) -> Encoding {
        let columns = names
            .iter()
            .map(|name| ColumnEncoding::Number {
                name: name.clone(),
                fill: None,
            })
            .collect();
        Encoding { columns }
    }

    /// Learns categories (and, with `--missing mean`, fill values) from the `train` rows.
    /// Returns the encoding and what it did, for the person reading.
    pub fn fit(
        frame: &Frame,
        train: &[usize],
        missing: Missing,
    ) -> Result<(Encoding, Vec<String>)> {
        let fill = missing == Missing::Mean;
        let mut notes = Vec::new();
        let mut columns = Vec::with_capacity(frame.columns.len());
        for column in &frame.columns {
            let filled = (0..frame.rows())
                .filter(|&row| column.is_missing(row))
                .count();
            if fill && filled > 0 {
                notes.push(format!(
                    "filled {filled} missing cell{} of column '{}' with the training rows' {}",
                    if filled == 1 { "" } else { "s" },
                    column.name,
                    match column.values {
                        Values::Numbers(_) => "mean",
                        Values::Text(_) => "most frequent value",
                    }
                ));
            }
            columns.push(fit_column(frame, column, train, fill)?);
        }
        Ok((Encoding { columns }, notes))
    }

    /// The names of the inputs, in order: `age`, `town=Leeds`, `town=York`.
    pub fn input_names(&self) -> Vec<String> {
        self.columns
            .iter()
            .flat_map(|column| match column {
                ColumnEncoding::Number { name, .. } => vec![name.clone()],
                ColumnEncoding::Text {
                    name, categories, ..
                } => categories
                    .iter()
                    .map(|category| format!("{name}={category}"))
                    .collect(),
            })
            .collect()
    }

    /// For each input: is it one category of a text column (0 or 1, left unscaled)?
    pub fn one_hot(&self) -> Vec<bool> {
        self.columns
            .iter()
            .flat_map(|column| match column {
                ColumnEncoding::Number { .. } => vec![false],
                ColumnEncoding::Text { categories, .. } => vec![true; categories.len()],
            })
            .collect()
    }
}

/// Learns one column's encoding from the training rows.
fn fit_column(
    frame: &Frame,
    column: &Column,
    train: &[usize],
    fill: bool,
) -> Result<ColumnEncoding> {
    let name = column.name.clone();
    match &column.values {
        Values::Numbers(numbers) => {
            // The training rows' mean, when missing cells are filled with it.
            let fill = fill
                .then(|| mean(frame, &name, numbers, train))
                .transpose()?;
            Ok(ColumnEncoding::Number { name, fill })
        }
        Values::Text(texts) => {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for &row in train {
                if let Some(text) = &texts[row] {
                    *counts.entry(text).or_default() += 1;
                }
            }
            if fill && counts.is_empty() {
                bail!(
                    "{}: column '{name}' has no value in any training row, so it has no most \
                     frequent value to fill with; add --ignore {name}",
                    frame.name
                );
            }
            let distinct_rows = counts.len() == train.len() && train.len() >= 20;
            if counts.len() > MAX_CATEGORIES || distinct_rows {
                let example = counts
                    .keys()
                    .next()
                    .map_or(String::new(), |text| shorten(text));
                bail!(
                    "{}: column '{name}' is text with {} different values in {} training rows \
                     (e.g. '{example}'): a name or an id, not a category to learn from; add \
                     --ignore {name}",
                    frame.name,
                    counts.len(),
                    train.len()
                );
            }
            let most_frequent = counts
                .iter()
                .max_by_key(|(_, &count)| count)
                .map(|(text, _)| text.to_string());
            Ok(ColumnEncoding::Text {
                name,
                categories: counts.keys().map(|text| text.to_string()).collect(),
                fill: most_frequent.filter(|_| fill),
            })
        }
    }
}

/// The training rows' mean of a number column, to fill its missing cells with; a column with no
/// value at all has none.
fn mean(frame: &Frame, name: &str, numbers: &[f32], train: &[usize]) -> Result<f32> {
    let present: Vec<f64> = (train.iter().map(|&row| numbers[row]))
        .filter(|number| !number.is_nan())
        .map(f64::from)
        .collect();
    if present.is_empty() {
        bail!(
            "{}: column '{name}' has no value in any training row, so it has no mean to fill \
             with; add --ignore {name}",
            frame.name
        );
    }
    Ok((present.iter().sum::<f64>() / present.len() as f64) as f32)
}
