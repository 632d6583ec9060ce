//! The table as read, before it becomes the numbers a network takes: each feature column holds
//! numbers or text (a category), with gaps where a cell is missing, and each row its target.
//!
//! What is learned from the rows — fill values and categories — is learned after the split, from
//! the training rows only ([`super::encoding`]).

use std::collections::HashSet;

use super::image_shape::ImageShape;
use super::{Dataset, Targets};
use crate::config::Task;
use crate::machine::checksum::fnv::Fnv;
use crate::machine::checksum::{Checksum, Digest};

/// Cell texts that mean "no value here", compared without case: what pandas reads as missing,
/// and the `?` of the UCI files.
pub const MISSING: [&str; 11] = [
    "", "na", "n/a", "nan", "-nan", "null", "none", "?", "#n/a", "<na>", "nil",
];

/// A numeric column with a distinct integer in every row, over at least this many rows, looks
/// like a row id.
const ROW_ID_MIN_ROWS: usize = 10;

pub fn is_missing(text: &str) -> bool {
    // Every marker is at most 4 bytes: most cells are ruled out by their length alone.
    text.len() <= 4
        && MISSING
            .iter()
            .any(|missing| text.eq_ignore_ascii_case(missing))
}

/// One feature column's cells.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Numbers; NaN marks a missing cell.
    Numbers(Vec<f32>),
    /// Text, one category per cell; `None` marks a missing cell.
    Text(Vec<Option<String>>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    pub name: String,
    pub values: Values,
}

impl Column {
    pub fn is_missing(&self, row: usize) -> bool {
        match &self.values {
            Values::Numbers(numbers) => numbers[row].is_nan(),
            Values::Text(texts) => texts[row].is_none(),
        }
    }

    fn select(&self, rows: &[usize]) -> Column {
        let values = match &self.values {
            Values::Numbers(numbers) => Values::Numbers(rows.iter().map(|&r| numbers[r]).collect()),
            Values::Text(texts) => Values::Text(rows.iter().map(|&r| texts[r].clone()).collect()),
        };
        Column {
            name: self.name.clone(),
            values,
        }
    }

    /// Row ids beyond doubt: a distinct integer in every row (see
    /// [`looks_like_row_ids`](Self::looks_like_row_ids)) in a column named as an id (`id`,
    /// `…_id`, `…Id`). A column of consecutive integers alone may be an input (`x` of a curve,
    /// a year), so it is only noted.
    fn is_surely_row_ids(&self) -> bool {
        let name = self.name.trim();
        name.eq_ignore_ascii_case("id")
            || name.to_ascii_lowercase().ends_with("_id")
            || ((name.ends_with("Id") || name.ends_with("ID")) && name.len() > 2)
    }

    /// A distinct integer in every row: a row id, not a measurement.
    fn looks_like_row_ids(&self) -> bool {
        let Values::Numbers(numbers) = &self.values else {
            return false;
        };
        // Cheapest test first; a repeated value ends the last one early (pixels repeat at once).
        let mut seen = HashSet::new();
        numbers.len() >= ROW_ID_MIN_ROWS
            && numbers.iter().all(|number| number.fract() == 0.0)
            && numbers.iter().all(|&number| seen.insert(number as i64))
    }
}

/// Feature columns and targets, row by row.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// Short name, used for the default artifact folder.
    pub name: String,
    pub columns: Vec<Column>,
    pub label_name: String,
    pub targets: Targets,
    /// How the task was decided, for the person reading the output.
    pub task_reason: String,
    /// The file line of each row, for messages (none for generated data).
    pub lines: Option<Vec<u64>>,
    /// What loading did that a person should know: rows left out, a column that looks like an
    /// id.
    pub notes: Vec<String>,
    /// The shape of the pictures, when each row is one (`shapes`, `digits`, image folders, IDX
    /// files): what a convolution needs to see the rows as pictures again.
    pub image: Option<ImageShape>,
}

impl Frame {
    pub fn rows(&self) -> usize {
        self.targets.len()
    }

    pub fn task(&self) -> Task {
        self.targets.task()
    }

    /// About how much memory the cells, targets and lines take.
    pub fn heap_bytes(&self) -> f64 {
        let cells: usize = self
            .columns
            .iter()
            .map(|column| match &column.values {
                Values::Numbers(numbers) => numbers.len() * size_of::<f32>(),
                Values::Text(texts) => texts
                    .iter()
                    .map(|text| size_of::<Option<String>>() + text.as_ref().map_or(0, String::len))
                    .sum(),
            })
            .sum();
        let targets = match &self.targets {
            Targets::Classes { indices, .. } => indices.len() * size_of::<usize>(),
            Targets::Values(values) => values.len() * size_of::<f32>(),
        };
        let lines = self
            .lines
            .as_ref()
            .map_or(0, |lines| lines.len() * size_of::<u64>());
        (cells + targets + lines) as f64
    }

    /// Where row `row` came from: `line 7` of a file, or `row 7`.
    pub fn place(&self, row: usize) -> String {
        match &self.lines {
            Some(lines) => format!("line {}", lines[row]),
            None => format!("row {}", row + 1),
        }
    }

    /// One row's cells as text, as `predict --input` takes them (`NA` where missing).
    pub fn row_texts(&self, row: usize) -> Vec<String> {
        self.columns
            .iter()
            .map(|column| match &column.values {
                Values::Numbers(numbers) if numbers[row].is_nan() => "NA".to_string(),
                Values::Numbers(numbers) => numbers[row].to_string(),
                Values::Text(texts) => texts[row].clone().unwrap_or_else(|| "NA".to_string()),
            })
            .collect()
    }

    /// The same columns with only the given rows, in that order.
    pub fn select(&self, rows: &[usize]) -> Frame {
        Frame {
            columns: self
                .columns
                .iter()
                .map(|column| column.select(rows))
                .collect(),
            targets: self.targets.select(rows),
            lines: self
                .lines
                .as_ref()
                .map(|lines| rows.iter().map(|&row| lines[row]).collect()),
            name: self.name.clone(),
            label_name: self.label_name.clone(),
            task_reason: self.task_reason.clone(),
            notes: self.notes.clone(),
            image: self.image,
        }
    }

    /// Leaves out each numeric column that is surely a row id — a distinct integer in every
    /// row, in a column named an id (`id`, `flat_id`) — which a network would learn as if it
    /// meant something, and which new rows to predict would not have; never the last feature.
    /// A distinct integer in every row of another column is only noted. `chosen`: the user
    /// named the features, so every one of them stays.
    pub fn leave_out_row_ids(&mut self, chosen: bool) {
        let count = self.columns.len();
        let mut kept = Vec::with_capacity(count);
        for column in std::mem::take(&mut self.columns) {
            if !column.looks_like_row_ids() {
                kept.push(column);
            } else if !chosen && column.is_surely_row_ids() && count > 1 {
                self.notes.push(format!(
                    "column '{0}' holds a distinct integer in every row: a row id, not a \
                     feature, so it is left out (name it in --features to train on it)",
                    column.name
                ));
            } else {
                self.notes.push(format!(
                    "column '{0}' holds a distinct integer in every row: it looks like a row \
                     id, not a feature; if it is one, add --ignore {0}",
                    column.name
                ));
                kept.push(column);
            }
        }
        self.columns = kept;
    }

    /// A checksum of every cell and target: the same data gives the same fingerprint, and a
    /// change to any row changes it.
    pub fn fingerprint(&self) -> String {
        self.checksum(Checksum::default(), false)
    }

    /// Whether `fingerprint` is this data's: today's, or one that older cards hold (FNV-1a before
    /// format 4; byte by byte before 2026-11-30), so that `eval` still knows their data.
    pub fn has_fingerprint(&self, fingerprint: &str) -> bool {
        fingerprint == self.fingerprint()
            || fingerprint == self.checksum(Fnv::default(), false)
            || fingerprint == self.checksum(Fnv::default(), true)
    }

    /// The checksum of names, texts and labels byte by byte, and of numbers (an f32's bits, a
    /// class index) as words, or byte by byte too (`bytewise`, as before 2026-11-30).
    fn checksum<D: Digest>(&self, mut hash: D, bytewise: bool) -> String {
        // Numbers as words of `width` bytes.
        let numbers =
            |hash: &mut D, words: &mut dyn Iterator<Item = u64>, width: usize| match bytewise {
                true => words.for_each(|word| hash.write(&word.to_le_bytes()[..width])),
                false => hash.write_words(words),
            };
        for column in &self.columns {
            hash.write(column.name.as_bytes());
            match &column.values {
                Values::Numbers(cells) => {
                    numbers(&mut hash, &mut cells.iter().map(|n| n.to_bits().into()), 4)
                }
                Values::Text(texts) => texts.iter().for_each(|text| {
                    hash.write(text.as_deref().unwrap_or("\u{0}").as_bytes());
                    hash.write(&[0xff]);
                }),
            }
        }
        match &self.targets {
            Targets::Classes { indices, names } => {
                names.iter().for_each(|name| hash.write(name.as_bytes()));
                numbers(&mut hash, &mut indices.iter().map(|&i| i as u64), 8);
            }
            Targets::Values(values) => {
                numbers(&mut hash, &mut values.iter().map(|v| v.to_bits().into()), 4)
            }
        }
        format!("{:016x}", hash.finish())
    }
}

impl From<Dataset> for Frame {
    /// A numeric table (generated data) as a frame of number columns.
    fn from(dataset: Dataset) -> Frame {
        let width = dataset.feature_count();
        let columns = dataset
            .feature_names
            .iter()
            .enumerate()
            .map(|(index, name)| Column {
                name: name.clone(),
                values: Values::Numbers(
                    dataset
                        .features
                        .iter()
                        .skip(index)
                        .step_by(width.max(1))
                        .copied()
                        .collect(),
                ),
            })
            .collect();
        Frame {
            name: dataset.name,
            columns,
            label_name: dataset.label_name,
            targets: dataset.targets,
            task_reason: dataset.task_reason,
            lines: None,
            notes: Vec::new(),
            image: None,
        }
    }
}
