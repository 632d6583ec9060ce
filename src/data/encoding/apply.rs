//! Applying an encoding: the frame's rows (or one row typed by a person) as the numbers the
//! network reads, each column as the model was trained to read it.

use std::panic::resume_unwind;
use std::thread;

use anyhow::{bail, Result};

use super::{ColumnEncoding, Encoding, Unseen};
use crate::data::frame::{is_missing, Column, Frame, Values};
use crate::data::labels::shorten;
use crate::data::Dataset;

impl Encoding {
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
        let order = in_frame_order(rows);
        // When every column is one of numbers (the common table), a row of numbers with none
        // missing is copied as it is, without asking each cell's kind.
        let numbers: Option<Vec<&[f32]>> = (self.columns.iter().zip(columns))
            .map(|(encoding, column)| match (encoding, &column.values) {
                (ColumnEncoding::Number { .. }, Values::Numbers(numbers)) => Some(&numbers[..]),
                _ => None,
            })
            .collect();
        let mut cell_inputs = Vec::with_capacity(width);
        for (row, at) in order {
            let out_row = &mut out[at * width..][..width];
            if let Some(numbers) = &numbers {
                let copied = numbers
                    .iter()
                    .zip(out_row.iter_mut())
                    .all(|(column, input)| {
                        *input = column[row];
                        !input.is_nan()
                    });
                if copied {
                    continue;
                }
            }
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
            out_row.copy_from_slice(&cell_inputs);
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
        // By name, looked up once each: a file may have a million columns.
        let by_name: std::collections::HashMap<&str, &Column> = (frame.columns.iter().rev())
            .map(|column| (column.name.as_str(), column))
            .collect();
        self.columns
            .iter()
            .map(|encoding| {
                let Some(&column) = by_name.get(encoding.name()) else {
                    bail!(
                        "no column '{}', which the model was trained on and needs as an input",
                        encoding.name()
                    );
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

/// `(row, place)` for each of `rows`, in the frame's order. A split's rows are in order already.
fn in_frame_order(rows: &[usize]) -> Box<dyn Iterator<Item = (usize, usize)> + '_> {
    if rows.is_sorted() {
        return Box::new(rows.iter().copied().zip(0..));
    }
    let mut order: Vec<(usize, usize)> = rows.iter().copied().zip(0..).collect();
    order.sort_unstable();
    Box::new(order.into_iter())
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
