//! Encoding: the table's columns turned into the numbers a network reads. A number column is one
//! input; a text column becomes one input per category (one-hot: 1 for the row's category, 0
//! for the others). Categories and fill values for missing cells are learned from the training
//! rows only, saved with the model, and applied the same way to every later input.

use std::collections::BTreeMap;
use std::panic::resume_unwind;
use std::thread;

use anyhow::{bail, Result};
use serde::{Deserialize, Serialize};

use super::frame::{is_missing, Column, Frame, Values};
use super::labels::shorten;
use super::Dataset;
use crate::config::Missing;

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

    /// The frame's rows as the numeric table the network reads.
    pub fn encode(&self, frame: &Frame, unseen: Unseen) -> Result<Dataset> {
        let all: Vec<usize> = (0..frame.rows()).collect();
        self.encode_rows(frame, &all, unseen)
    }

    /// The given rows of the frame, in that order, as the numeric table the network reads.
    pub fn encode_rows(&self, frame: &Frame, rows: &[usize], unseen: Unseen) -> Result<Dataset> {
        let inputs = self.input_names();
        let width = inputs.len();
        let columns = self.frame_columns(frame)?;
        let mut features = vec![0.0; rows.len() * width];
        // Half the rows on each of two threads, each writing its own part of the table; the
        // problem reported is the one on the earlier line of the file.
        let half = rows.len().div_ceil(2);
        let (first, second) = features.split_at_mut(half * width);
        let (first, second) = thread::scope(|scope| {
            let other = scope.spawn(|| self.encode_into(&columns, &rows[half..], unseen, second));
            let mine = self.encode_into(&columns, &rows[..half], unseen, first);
            (
                mine,
                other.join().unwrap_or_else(|panic| resume_unwind(panic)),
            )
        });
        if let Some((row, problem)) = [first, second].into_iter().filter_map(Result::err).min() {
            bail!("{}: {problem}", frame.place(row));
        }
        Ok(Dataset {
            name: frame.name.clone(),
            feature_names: inputs,
            label_name: frame.label_name.clone(),
            features,
            targets: frame.targets.select(rows),
            task_reason: frame.task_reason.clone(),
        })
    }

    /// Encodes `rows` into `out`, a row of inputs each; at the first problem (in the frame's
    /// order), its row and what it is.
    fn encode_into(
        &self,
        columns: &[&Column],
        rows: &[usize],
        unseen: Unseen,
        out: &mut [f32],
    ) -> Result<(), (usize, String)> {
        let width = out.len() / rows.len().max(1);
        // The frame's rows are visited in their own order, each written whole to its place:
        // reading the columns in a shuffled order costs a cache miss per cell, and a million
        // rows take several times longer.
        let mut order: Vec<(usize, usize)> = rows.iter().copied().zip(0..).collect();
        order.sort_unstable();
        let mut cell_inputs = Vec::with_capacity(width);
        for (row, at) in order {
            cell_inputs.clear();
            for (encoding, column) in self.columns.iter().zip(columns) {
                let cell = match &column.values {
                    Values::Numbers(numbers) => Cell::Number(numbers[row]),
                    Values::Text(texts) => Cell::Text(texts[row].as_deref()),
                };
                encoding
                    .encode(cell, unseen, &mut cell_inputs)
                    .map_err(|problem| (row, problem))?;
            }
            out[at * width..][..width].copy_from_slice(&cell_inputs);
        }
        Ok(())
    }

    /// One row given as text, one value per column (`predict --input`).
    pub fn encode_texts(&self, texts: &[&str]) -> Result<Vec<f32>> {
        let mut inputs = Vec::new();
        for (encoding, text) in self.columns.iter().zip(texts) {
            let cell = match encoding {
                ColumnEncoding::Number { name, .. } => Cell::Number(match text.parse::<f32>() {
                    Ok(number) if number.is_finite() => number,
                    _ if is_missing(text) => f32::NAN,
                    _ => bail!("column '{name}' takes a number, got '{}'", shorten(text)),
                }),
                ColumnEncoding::Text { .. } => Cell::Text((!is_missing(text)).then_some(*text)),
            };
            encoding
                .encode(cell, Unseen::Refuse, &mut inputs)
                .map_err(|problem| anyhow::anyhow!(problem))?;
        }
        Ok(inputs)
    }

    /// The frame's column for each encoded column, by name, of the kind the encoding reads.
    fn frame_columns<'a>(&self, frame: &'a Frame) -> Result<Vec<&'a Column>> {
        self.columns
            .iter()
            .map(|encoding| {
                let Some(column) = frame.columns.iter().find(|c| c.name == encoding.name()) else {
                    bail!("no column '{}', which the model reads", encoding.name());
                };
                match (encoding, &column.values) {
                    (ColumnEncoding::Number { .. }, Values::Numbers(_))
                    | (ColumnEncoding::Text { .. }, Values::Text(_)) => Ok(column),
                    _ => bail!(
                        "column '{}' is not of the kind the model was trained on",
                        column.name
                    ),
                }
            })
            .collect()
    }
}

/// One cell, as read.
enum Cell<'a> {
    /// NaN when missing.
    Number(f32),
    /// None when missing.
    Text(Option<&'a str>),
}

impl ColumnEncoding {
    /// Appends this column's inputs for one cell.
    #[inline]
    fn encode(&self, cell: Cell, unseen: Unseen, inputs: &mut Vec<f32>) -> Result<(), String> {
        match (self, cell) {
            (ColumnEncoding::Number { name, fill }, Cell::Number(number)) => {
                let number = match (number.is_nan(), fill) {
                    (false, _) => number,
                    (true, Some(fill)) => *fill,
                    (true, None) => return Err(format!("column '{name}' is missing a value; the model was not trained to fill it (--missing mean)")),
                };
                inputs.push(number);
            }
            (
                ColumnEncoding::Text {
                    name,
                    categories,
                    fill,
                },
                Cell::Text(text),
            ) => {
                let Some(text) = text.or(fill.as_deref()) else {
                    return Err(format!("column '{name}' is missing a value; the model was not trained to fill it (--missing mean)"));
                };
                let index = categories.iter().position(|category| category == text);
                if index.is_none() && unseen == Unseen::Refuse {
                    return Err(format!(
                        "column '{name}' holds '{}', a category the model never saw in training; \
                         it knows: {}",
                        shorten(text),
                        categories.join(", ")
                    ));
                }
                inputs.extend(
                    (0..categories.len()).map(|i| if Some(i) == index { 1.0 } else { 0.0 }),
                );
            }
            (encoding, _) => {
                return Err(format!(
                    "column '{}' is not of the kind the model was trained on",
                    encoding.name()
                ))
            }
        }
        Ok(())
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
            let mean = || {
                let present: Vec<f64> = train
                    .iter()
                    .map(|&row| numbers[row])
                    .filter(|number| !number.is_nan())
                    .map(f64::from)
                    .collect();
                (present.iter().sum::<f64>() / present.len().max(1) as f64) as f32
            };
            Ok(ColumnEncoding::Number {
                name,
                fill: fill.then(mean),
            })
        }
        Values::Text(texts) => {
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for &row in train {
                if let Some(text) = &texts[row] {
                    *counts.entry(text).or_default() += 1;
                }
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
