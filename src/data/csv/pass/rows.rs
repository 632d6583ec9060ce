//! Each record, as a kept row or not: the common row of numbers in one sweep, any other cell
//! by cell, with the checks that name what is wrong with it.

use std::path::Path;

use anyhow::{bail, Result};
use csv::StringRecord;

use super::{Counts, Pass};
use crate::config::Missing;
use crate::data::csv::column::{parse_f32, push, Building};
use crate::data::frame::is_missing;
use crate::data::labels::shorten;

impl Pass {
    /// Keeps the record as a row, or leaves it out (false), as `missing` says.
    pub(super) fn take(
        &mut self,
        record: &StringRecord,
        missing: Missing,
        counts: &mut Counts,
        path: &Path,
    ) -> Result<bool> {
        let line = record.position().map_or(0, |position| position.line());
        if self.push_numbers(record, line, counts) {
            return Ok(true);
        }
        let kept = self.admit(record, line, missing, counts, path)?;
        if kept {
            self.push_row(record, line, path)?;
        }
        Ok(kept)
    }

    /// Whether the record at `line` is a data row: a blank line is not (and ends the data: a row
    /// after it is an error), and a row has one value per column.
    fn is_row(
        &self,
        record: &StringRecord,
        line: u64,
        counts: &mut Counts,
        path: &Path,
    ) -> Result<bool> {
        let shown = path.display();
        if record.iter().all(|text| text.trim().is_empty()) {
            counts.blank.get_or_insert(line);
            return Ok(false);
        }
        if let Some(blank_line) = counts.blank {
            bail!(
                "{shown}: line {blank_line} is blank, between data rows; remove it (or give \
                 each value, NA for a missing one)"
            );
        }
        if record.len() != self.headers.len() {
            bail!(
                "{shown}: line {line} has {} values but the header has {} columns; every row \
                 needs one value per column",
                record.len(),
                self.headers.len()
            );
        }
        Ok(true)
    }

    /// Whether the record at `line` is a row to keep: blank lines end the data, a row must have
    /// a value per column, and a row with a missing label or cell is an error or left out, as
    /// `missing` says.
    fn admit(
        &self,
        record: &StringRecord,
        line: u64,
        missing: Missing,
        counts: &mut Counts,
        path: &Path,
    ) -> Result<bool> {
        if !self.is_row(record, line, counts, path)? {
            return Ok(false);
        }
        let shown = path.display();
        counts.total += 1;
        if let Some(label) = self
            .label_column
            .filter(|&label| is_missing(cell(record, label)))
        {
            if missing == Missing::Error {
                bail!(
                    "{shown}: line {line}, label column '{}' has no value ('{}'); every row \
                     needs a label (or leave such rows out with --missing drop)",
                    self.headers[label],
                    shorten(cell(record, label))
                );
            }
            counts.unlabelled += 1;
            return Ok(false);
        }
        let cell_missing = self
            .columns
            .iter()
            .find(|(index, _)| is_missing(cell(record, *index)));
        let advice = missing_advice(self.label_column.is_some());
        match (cell_missing, missing) {
            (Some((index, _)), Missing::Error) => bail!(
                "{shown}: line {line}, column '{}' is empty or missing (a missing value); \
                 every feature needs a value: {advice}",
                self.headers[*index]
            ),
            (Some(_), Missing::Drop) => {
                counts.incomplete += 1;
                Ok(false)
            }
            _ => Ok(true),
        }
    }

    /// A kept row's cells onto their columns, and its label.
    fn push_row(&mut self, record: &StringRecord, line: u64, path: &Path) -> Result<()> {
        for (index, building) in &mut self.columns {
            let headers = &self.headers;
            push(building, cell(record, *index), || {
                format!(
                    "{}: line {line}, column '{}'",
                    path.display(),
                    headers[*index]
                )
            })?;
        }
        self.push_label_and_line(record, line);
        Ok(())
    }

    /// The common row, in one sweep: as long as the header, after no blank line, labelled,
    /// and a finite number in each feature column of numbers. Any other row is left to `admit`
    /// and `push_row`, cell by cell (false).
    fn push_numbers(&mut self, record: &StringRecord, line: u64, counts: &mut Counts) -> bool {
        if record.len() != self.headers.len()
            || counts.blank.is_some()
            || (self.label_column).is_some_and(|label| is_missing(cell(record, label)))
        {
            return false;
        }
        self.row.clear();
        for (index, building) in &self.columns {
            match (building, parse_f32(cell(record, *index))) {
                (Building::Numbers(_), Ok(value)) if value.is_finite() => self.row.push(value),
                _ => return false,
            }
        }
        for ((_, building), &value) in self.columns.iter_mut().zip(&self.row) {
            if let Building::Numbers(numbers) = building {
                numbers.push(value);
            }
        }
        counts.total += 1;
        self.push_label_and_line(record, line);
        true
    }

    fn push_label_and_line(&mut self, record: &StringRecord, line: u64) {
        if let Some(label) = self.label_column {
            let id = self.intern(cell(record, label));
            self.labels.push(id);
        }
        self.lines.push(line);
    }

    /// A label text's index in `label_texts`: the labels are looked at once per distinct text.
    pub(super) fn intern(&mut self, text: &str) -> u32 {
        match self.interned.get(text) {
            Some(&id) => id,
            None => {
                let id = self.label_texts.len() as u32;
                self.interned.insert(text.to_string(), id);
                self.label_texts.push(text.to_string());
                id
            }
        }
    }
}

/// The text of a record's cell, without the spaces around it.
fn cell(record: &StringRecord, index: usize) -> &str {
    trimmed(&record[index])
}

/// A cell's text without the spaces around it.
pub(super) fn trimmed(text: &str) -> &str {
    // Most cells start and end with a visible ASCII character: nothing to trim (whitespace,
    // Unicode's included, is ASCII up to the space, or bytes from 0x80).
    let visible = |byte: Option<&u8>| byte.is_some_and(|&b| b > b' ' && b < 0x80);
    if visible(text.as_bytes().first()) && visible(text.as_bytes().last()) {
        text
    } else {
        text.trim()
    }
}

/// What to do about a missing cell: a training run's options, or (without a label column, a
/// trained model's inputs to `predict --input-file`) what the model can and cannot fill.
fn missing_advice(training: bool) -> &'static str {
    match training {
        true => {
            "fill it in, or use --missing drop (leave such rows out) or --missing mean (fill \
             with the training rows' mean)"
        }
        false => {
            "fill it in: the model was trained without filling missing values (one trained \
             with --missing mean fills them)"
        }
    }
}
