//! CSV files: a header row, numeric feature columns and one label column.
//!
//! Every problem is reported with the file, the line and the column, and what to do about it.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};
use csv::StringRecord;

use super::{Dataset, LabelSpec, Targets};
use crate::config::Task;
use crate::memory;

/// Integer labels with at most this many distinct values are taken as classes.
pub const MAX_INFERRED_CLASSES: usize = 20;

/// A CSV file read into memory: its header and its records with their line numbers.
struct Table {
    headers: Vec<String>,
    records: Vec<(u64, StringRecord)>,
}

fn read_table(path: &Path) -> Result<Table> {
    memory::check_file(path, memory::available())?;
    let file = File::open(path).with_context(|| {
        format!(
            "cannot read {}; check the path and its permissions",
            path.display()
        )
    })?;
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
    let mut records = Vec::new();
    for result in reader.records() {
        let record = result.map_err(|err| anyhow::anyhow!("{shown}: {err}"))?;
        // Blank lines (or lines of spaces and commas) at the end of a file are not rows.
        if record.iter().all(|field| field.is_empty()) {
            continue;
        }
        let line = record.position().map_or(0, |position| position.line());
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

/// Parses one feature value, naming where it is when it is not a finite number.
fn parse_number(path: &Path, line: u64, column: &str, text: &str) -> Result<f32> {
    if text.is_empty() {
        bail!(
            "{}: line {line}, column '{column}' is empty; every feature needs a number",
            path.display()
        );
    }
    match text.parse::<f32>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ => bail!(
            "{}: line {line}, column '{column}' holds '{text}', which is not a number; \
             feature columns must be numeric (choose the label column with --label)",
            path.display()
        ),
    }
}

impl Table {
    fn column(&self, path: &Path, name: &str) -> Result<usize> {
        self.headers
            .iter()
            .position(|header| header == name)
            .with_context(|| {
                format!(
                    "{}: no column named '{name}'; the columns are: {}",
                    path.display(),
                    self.headers.join(", ")
                )
            })
    }

    /// The numbers in the given columns, row after row.
    fn numbers(&self, path: &Path, columns: &[usize]) -> Result<Vec<f32>> {
        let mut values = Vec::with_capacity(self.records.len() * columns.len());
        for (line, record) in &self.records {
            for &column in columns {
                values.push(parse_number(
                    path,
                    *line,
                    &self.headers[column],
                    &record[column],
                )?);
            }
        }
        Ok(values)
    }
}

/// Loads a data set: every column but the label is a feature.
pub fn load(path: &Path, label: &LabelSpec) -> Result<Dataset> {
    dataset(read_table(path)?, path, label)
}

/// [`load`] from bytes in memory (`path` only names them in messages): what the fuzz tests feed.
pub fn parse(bytes: &[u8], path: &Path, label: &LabelSpec) -> Result<Dataset> {
    dataset(table_from(bytes, path)?, path, label)
}

fn dataset(table: Table, path: &Path, label: &LabelSpec) -> Result<Dataset> {
    let label_column = match label.column {
        Some(name) => table.column(path, name)?,
        None => table.headers.len() - 1,
    };
    let label_name = table.headers[label_column].clone();
    let feature_columns: Vec<usize> = (0..table.headers.len())
        .filter(|&column| column != label_column)
        .collect();
    if feature_columns.is_empty() {
        bail!(
            "{}: only one column ('{label_name}'); a data set needs feature columns and a label",
            path.display()
        );
    }
    let features = table.numbers(path, &feature_columns)?;
    let labels: Vec<(u64, &str)> = table
        .records
        .iter()
        .map(|(line, record)| (*line, &record[label_column]))
        .collect();
    if let Some((line, _)) = labels.iter().find(|(_, text)| text.is_empty()) {
        bail!(
            "{}: line {line}, label column '{label_name}' is empty; every row needs a label",
            path.display()
        );
    }
    let (targets, task_reason) = targets(path, &label_name, &labels, label)?;
    Ok(Dataset {
        name: path.file_stem().map_or_else(
            || "dataset".into(),
            |stem| stem.to_string_lossy().into_owned(),
        ),
        feature_names: feature_columns
            .iter()
            .map(|&column| table.headers[column].clone())
            .collect(),
        label_name,
        features,
        targets,
        task_reason,
    })
}

/// Turns label texts into class indices or numbers, deciding the task when it was not given.
fn targets(
    path: &Path,
    label_name: &str,
    labels: &[(u64, &str)],
    spec: &LabelSpec,
) -> Result<(Targets, String)> {
    let numbers: Option<Vec<f64>> = labels.iter().map(|(_, text)| text.parse().ok()).collect();
    let (task, reason) = match (spec.task, &numbers) {
        (Some(task), _) => (task, format!("{task}, as asked")),
        (None, None) => (
            Task::Classification,
            "classification, inferred from text labels".to_string(),
        ),
        (None, Some(numbers)) => {
            let all_integers = numbers.iter().all(|number| number.fract() == 0.0);
            let distinct: BTreeSet<i64> = numbers.iter().map(|&number| number as i64).collect();
            if all_integers && distinct.len() <= MAX_INFERRED_CLASSES {
                (
                    Task::Classification,
                    format!(
                        "classification, inferred from {} distinct integer labels",
                        distinct.len()
                    ),
                )
            } else {
                (
                    Task::Regression,
                    "regression, inferred from numeric labels with many values".to_string(),
                )
            }
        }
    };
    let targets = match task {
        Task::Regression => {
            let mut values = Vec::with_capacity(labels.len());
            for &(line, text) in labels {
                values.push(parse_number(path, line, label_name, text).context(
                    "a regression label must be a number; use --task classification for classes",
                )?);
            }
            Targets::Values(values)
        }
        Task::Classification => {
            let names = match spec.classes {
                Some(known) => known.to_vec(),
                None => class_names(labels, numbers.is_some()),
            };
            let mut indices = Vec::with_capacity(labels.len());
            for &(line, text) in labels {
                match names.iter().position(|name| name == text) {
                    Some(index) => indices.push(index),
                    None => bail!(
                        "{}: line {line}, label '{text}' is not one of the model's classes ({})",
                        path.display(),
                        names.join(", ")
                    ),
                }
            }
            if spec.classes.is_none() && names.len() < 2 {
                bail!(
                    "{}: label column '{label_name}' has only one class ('{}'); classification \
                     needs at least two (pick another column with --label)",
                    path.display(),
                    names[0]
                );
            }
            Targets::Classes { indices, names }
        }
    };
    Ok((targets, reason))
}

/// The distinct labels in a stable order: numerically when they are numbers, else by text.
fn class_names(labels: &[(u64, &str)], numeric: bool) -> Vec<String> {
    let mut names: Vec<String> = labels
        .iter()
        .map(|(_, text)| text.to_string())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    if numeric {
        names.sort_by(|a, b| {
            let (a, b): (f64, f64) = (a.parse().unwrap_or(0.0), b.parse().unwrap_or(0.0));
            a.total_cmp(&b)
        });
    }
    names
}

/// Reads the given feature columns, by name, from a CSV file (other columns, such as the label,
/// are ignored): the input to `stepwise predict --input-file`.
pub fn load_features(path: &Path, feature_names: &[String]) -> Result<Vec<Vec<f32>>> {
    let table = read_table(path)?;
    let columns = feature_names
        .iter()
        .map(|name| {
            table.column(path, name).context(
                "the input file needs every feature column the model was trained on, by name",
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let values = table.numbers(path, &columns)?;
    Ok(values
        .chunks(columns.len())
        .map(|row| row.to_vec())
        .collect())
}
