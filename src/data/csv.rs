//! CSV files: a header row, feature columns (numbers or text) and one label column.
//!
//! Every problem is reported with the file, the line and the column, and what to do about it.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};
use csv::StringRecord;

use super::encoding::{ColumnEncoding, Encoding};
use super::frame::{is_missing, Column, Frame, Values};
use super::labels::{self, shorten};
use super::{ColumnSpec, LabelSpec};
use crate::config::Missing;
use crate::memory;

/// A CSV file read into memory: its header and its records with their line numbers.
struct Table {
    headers: Vec<String>,
    records: Vec<(u64, StringRecord)>,
}

fn read_table(path: &Path) -> Result<Table> {
    let file = memory::open_file(path)?;
    memory::check_file(path, memory::available())?;
    table_from(file, path)
}

/// Reads a table from any source of bytes; `path` names it in messages. CRLF line ends, a UTF-8
/// byte-order mark, quoted fields and blank lines at the end are all accepted.
fn table_from(source: impl Read, path: &Path) -> Result<Table> {
    let shown = path.display();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        // Row lengths are checked below, after blank lines are skipped, to name the line.
        .flexible(true)
        .from_reader(source);
    let headers: Vec<String> = reader
        .headers()
        .with_context(|| format!("{shown}: cannot read the header row"))?
        .iter()
        .map(String::from)
        .collect();
    if headers.iter().all(|header| header.is_empty()) {
        bail!("{shown} is empty: a CSV needs a header row and data rows");
    }
    let mut seen = BTreeSet::new();
    let repeated: BTreeSet<&str> = headers
        .iter()
        .filter(|header| !seen.insert(header.as_str()))
        .map(String::as_str)
        .collect();
    if !repeated.is_empty() {
        let names: Vec<String> = repeated
            .iter()
            .map(|name| format!("'{}'", shorten(name)))
            .collect();
        bail!(
            "{shown}: the header names {} more than once; every column needs its own name",
            names.join(", ")
        );
    }
    let mut records = Vec::new();
    let mut blank = Vec::new();
    for result in reader.records() {
        let record = result.map_err(|err| anyhow::anyhow!("{shown}: {err}"))?;
        let line = record.position().map_or(0, |position| position.line());
        // Blank lines (or lines of spaces and commas) are not rows: fine at the end of a file,
        // counted and said in the middle.
        if record.iter().all(|field| field.is_empty()) {
            blank.push(line);
            continue;
        }
        if let Some(&blank_line) = blank.first() {
            bail!(
                "{shown}: line {blank_line} is blank, between data rows; remove it (or give \
                 each value, NA for a missing one)"
            );
        }
        if record.len() != headers.len() {
            bail!(
                "{shown}: line {line} has {} values but the header has {} columns; every row \
                 needs one value per column",
                record.len(),
                headers.len()
            );
        }
        records.push((line, record));
    }
    if records.is_empty() {
        bail!("{shown} has a header but no data rows");
    }
    Ok(Table { headers, records })
}

/// The column indices a data set uses as features: `--features` (or every column), less the
/// label and `--ignore`. Unknown names are errors that list the columns.
fn feature_columns(
    table: &Table,
    path: &Path,
    label: usize,
    spec: &ColumnSpec,
) -> Result<Vec<usize>> {
    let named = |names: &[String], option: &str| -> Result<Vec<usize>> {
        names
            .iter()
            .map(|name| {
                table
                    .column(path, name)
                    .with_context(|| format!("{option} names it"))
            })
            .collect()
    };
    let ignored = named(spec.ignore, "--ignore")?;
    let chosen = match spec.known {
        Some(encoding) => {
            let names: Vec<String> = encoding
                .columns
                .iter()
                .map(|c| c.name().to_string())
                .collect();
            named(
                &names,
                "the model reads it; the file needs every column the model was trained on",
            )?
        }
        None if spec.features.is_empty() => (0..table.headers.len()).collect(),
        None => named(spec.features, "--features")?,
    };
    let columns: Vec<usize> = chosen
        .into_iter()
        .filter(|column| *column != label && !ignored.contains(column))
        .collect();
    if columns.is_empty() {
        bail!(
            "{}: no feature columns left (the columns are: {}); a data set needs feature columns \
             and a label",
            path.display(),
            table.headers.join(", ")
        );
    }
    Ok(columns)
}

impl Table {
    fn column(&self, path: &Path, name: &str) -> Result<usize> {
        self.headers
            .iter()
            .position(|header| header == name)
            .with_context(|| {
                format!(
                    "{}: no column named '{}'; the columns are: {}",
                    path.display(),
                    shorten(name),
                    self.headers.join(", ")
                )
            })
    }

    /// One column's cells: numbers when every present cell is one (or the model reads a number
    /// there), else text. A column that mixes numbers and text is an error naming the first odd
    /// cell.
    fn read_column(&self, path: &Path, column: usize, number: Option<bool>) -> Result<Column> {
        let name = &self.headers[column];
        let cells = || {
            self.records
                .iter()
                .map(move |(line, record)| (*line, &record[column]))
        };
        let numeric = |text: &str| text.parse::<f32>().is_ok_and(f32::is_finite);
        let any_number = cells().any(|(_, text)| !is_missing(text) && numeric(text));
        let values = if number.unwrap_or(any_number) {
            let mut numbers = Vec::with_capacity(self.records.len());
            for (line, text) in cells() {
                numbers.push(match text.parse::<f32>() {
                    _ if is_missing(text) => f32::NAN,
                    Ok(value) if value.is_finite() => value,
                    _ => bail!(
                        "{}: line {line}, column '{name}' holds '{}', which is not a number; \
                         feature columns are numbers or text, not both (fix the cell, or choose \
                         the columns with --features and --ignore)",
                        path.display(),
                        shorten(text)
                    ),
                });
            }
            Values::Numbers(numbers)
        } else {
            Values::Text(
                cells()
                    .map(|(_, text)| (!is_missing(text)).then(|| text.to_string()))
                    .collect(),
            )
        };
        Ok(Column {
            name: name.clone(),
            values,
        })
    }
}

/// Loads a data set: the label column, and the feature columns `columns` chooses.
pub fn load(path: &Path, label: &LabelSpec, columns: &ColumnSpec) -> Result<Frame> {
    frame(read_table(path)?, path, label, columns)
}

/// [`load`] from bytes in memory (`path` only names them in messages): what the fuzz tests feed.
pub fn parse(bytes: &[u8], path: &Path, label: &LabelSpec, columns: &ColumnSpec) -> Result<Frame> {
    frame(table_from(bytes, path)?, path, label, columns)
}

fn frame(mut table: Table, path: &Path, label: &LabelSpec, spec: &ColumnSpec) -> Result<Frame> {
    let shown = path.display().to_string();
    let label_column = match label.column {
        Some(name) => table.column(path, name)?,
        None => table.headers.len() - 1,
    };
    let label_name = table.headers[label_column].clone();
    let features = feature_columns(&table, path, label_column, spec)?;
    let mut notes = Vec::new();
    drop_unlabelled(&mut table, &shown, label_column, spec.missing, &mut notes)?;
    let kinds: Vec<Option<bool>> = features
        .iter()
        .map(|&column| {
            let known = spec
                .known?
                .columns
                .iter()
                .find(|c| c.name() == table.headers[column])?;
            Some(matches!(known, ColumnEncoding::Number { .. }))
        })
        .collect();
    let columns = features
        .iter()
        .zip(kinds)
        .map(|(&column, number)| table.read_column(path, column, number))
        .collect::<Result<Vec<Column>>>()?;
    let lines: Vec<u64> = table.records.iter().map(|(line, _)| *line).collect();
    // Missing cells are settled before the labels: a dropped row's label does not count.
    let placeholder = super::Targets::Values(vec![0.0; lines.len()]);
    let frame = Frame {
        name: path.file_stem().map_or_else(
            || "dataset".into(),
            |stem| stem.to_string_lossy().into_owned(),
        ),
        columns,
        label_name,
        targets: placeholder,
        task_reason: String::new(),
        lines: Some(lines),
        notes,
    };
    let mut frame = apply_missing(frame, &shown, spec.missing)?;
    let kept = frame.lines.as_deref().unwrap_or_default();
    let texts: Vec<(u64, &str)> = table
        .records
        .iter()
        .filter(|(line, _)| kept.binary_search(line).is_ok())
        .map(|(line, record)| (*line, &record[label_column]))
        .collect();
    let (targets, task_reason) =
        labels::targets(&shown, &frame.label_name, &texts, label.task, label.classes)?;
    frame.targets = targets;
    frame.task_reason = task_reason;
    Ok(frame)
}

/// Rows without a label cannot be learned from: an error, or (`drop`, `mean`) left out.
fn drop_unlabelled(
    table: &mut Table,
    shown: &str,
    label: usize,
    missing: Missing,
    notes: &mut Vec<String>,
) -> Result<()> {
    let unlabelled = |record: &StringRecord| is_missing(&record[label]);
    if let Some((line, record)) = table.records.iter().find(|(_, record)| unlabelled(record)) {
        if missing == Missing::Error {
            bail!(
                "{shown}: line {line}, label column '{}' has no value ('{}'); every row needs a \
                 label (or leave such rows out with --missing drop)",
                table.headers[label],
                shorten(&record[label])
            );
        }
    }
    let before = table.records.len();
    table.records.retain(|(_, record)| !unlabelled(record));
    let dropped = before - table.records.len();
    if dropped > 0 {
        notes.push(format!(
            "dropped {dropped} of {before} rows without a label"
        ));
    }
    if table.records.is_empty() {
        bail!("{shown} has no row with a label");
    }
    Ok(())
}

/// `--missing error` refuses the first missing cell; `drop` leaves its row out; `mean` keeps it
/// for the encoding to fill.
fn apply_missing(frame: Frame, shown: &str, missing: Missing) -> Result<Frame> {
    match missing {
        Missing::Error => {
            for row in 0..frame.rows() {
                if let Some(column) = frame.columns.iter().find(|column| column.is_missing(row)) {
                    bail!(
                        "{shown}: {}, column '{}' is empty or missing (a missing value); every \
                         feature needs a value: fill it in, or use --missing drop (leave such \
                         rows out) or --missing mean (fill with the training rows' mean)",
                        frame.place(row),
                        column.name
                    );
                }
            }
            Ok(frame)
        }
        Missing::Drop => {
            let frame = frame.drop_missing();
            if frame.rows() == 0 {
                bail!("{shown}: every row has a missing value; --missing drop leaves nothing");
            }
            Ok(frame)
        }
        Missing::Mean => Ok(frame),
    }
}

/// Reads the columns a trained model takes, by name, from a CSV file (other columns, such as
/// the label, are ignored): the input to `stepwise predict --input-file`. Rows are encoded as
/// the model was trained.
pub fn load_features(path: &Path, encoding: &Encoding) -> Result<Vec<Vec<f32>>> {
    let table = read_table(path)?;
    let columns = encoding
        .columns
        .iter()
        .map(|column| {
            let index = table.column(path, column.name()).context(
                "the input file needs every feature column the model was trained on, by name",
            )?;
            table.read_column(
                path,
                index,
                Some(matches!(column, ColumnEncoding::Number { .. })),
            )
        })
        .collect::<Result<Vec<Column>>>()?;
    let lines: Vec<u64> = table.records.iter().map(|(line, _)| *line).collect();
    let frame = Frame {
        name: path.display().to_string(),
        columns,
        label_name: String::new(),
        targets: super::Targets::Values(vec![0.0; lines.len()]),
        task_reason: String::new(),
        lines: Some(lines),
        notes: Vec::new(),
    };
    let dataset = encoding.encode(&frame, super::encoding::Unseen::Refuse)?;
    Ok(dataset
        .features
        .chunks(dataset.feature_count().max(1))
        .map(<[f32]>::to_vec)
        .collect())
}
