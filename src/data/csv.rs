//! CSV files: a header row, feature columns (numbers or text) and one label column.
//!
//! The file is read in one pass, record by record, straight into typed columns: the text of the
//! file is never held whole. A column's first present cell decides its kind (a number, or text);
//! a later cell of the other kind is an error. Every problem is reported with the file, the line
//! and the column, and what to do about it.

use std::collections::{BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};
use csv::StringRecord;

use super::encoding::{ColumnEncoding, Encoding, Unseen};
use super::frame::{is_missing, Column, Frame, Values};
use super::labels::{self, shorten};
use super::{ColumnSpec, LabelSpec, Targets};
use crate::config::Missing;
use crate::machine;

/// One feature column as it is read.
enum Building {
    /// No present cell yet: this many missing ones.
    Undecided(usize),
    Numbers(Vec<f32>),
    Text(Vec<Option<String>>),
}

/// What a pass over the records gathers.
struct Pass {
    headers: Vec<String>,
    label_column: Option<usize>,
    /// The feature columns: their index in the header, and their cells.
    columns: Vec<(usize, Building)>,
    /// Each kept row's label, as an index into `label_texts`.
    labels: Vec<u32>,
    label_texts: Vec<String>,
    lines: Vec<u64>,
    notes: Vec<String>,
}

/// Loads a data set: the label column, and the feature columns `columns` chooses.
pub fn load(path: &Path, label: &LabelSpec, columns: &ColumnSpec) -> Result<Frame> {
    let file = machine::open_file(path)?;
    machine::check_file(path, machine::available())?;
    let size = file.limit();
    frame(file, Some(size), path, label, columns)
}

/// [`load`] from bytes in memory (`path` only names them in messages): what the fuzz tests feed.
pub fn parse(bytes: &[u8], path: &Path, label: &LabelSpec, columns: &ColumnSpec) -> Result<Frame> {
    frame(bytes, Some(bytes.len() as u64), path, label, columns)
}

fn frame(
    source: impl Read,
    size: Option<u64>,
    path: &Path,
    label: &LabelSpec,
    spec: &ColumnSpec,
) -> Result<Frame> {
    let shown = path.display().to_string();
    let mut read = read(source, size, path, Some(label.column), spec)?;
    let label_name = read.headers[read.label_column.expect("a label was asked for")].clone();
    let texts: Vec<(u64, &str)> = read
        .lines
        .iter()
        .zip(&read.labels)
        .map(|(&line, &id)| (line, read.label_texts[id as usize].as_str()))
        .collect();
    let (targets, task_reason) =
        labels::targets(&shown, &label_name, &texts, label.task, label.classes)?;
    let columns = read.take_columns();
    Ok(Frame {
        name: path.file_stem().map_or_else(
            || "dataset".into(),
            |stem| stem.to_string_lossy().into_owned(),
        ),
        columns,
        label_name,
        targets,
        task_reason,
        lines: Some(read.lines),
        notes: read.notes,
    })
}

/// Reads the columns a trained model takes, by name, from a CSV file (other columns, such as
/// the label, are ignored): the input to `stepwise predict --input-file`, encoded as the model
/// was trained.
pub fn load_features(path: &Path, encoding: &Encoding) -> Result<Vec<Vec<f32>>> {
    let file = machine::open_file(path)?;
    machine::check_file(path, machine::available())?;
    let size = file.limit();
    let spec = ColumnSpec {
        known: Some(encoding),
        ..ColumnSpec::default()
    };
    let mut read = read(file, Some(size), path, None, &spec)
        .context("the input file needs every feature column the model was trained on, by name")?;
    let rows = read.lines.len();
    let frame = Frame {
        name: path.display().to_string(),
        label_name: String::new(),
        targets: Targets::Values(vec![0.0; rows]),
        task_reason: String::new(),
        notes: Vec::new(),
        columns: read.take_columns(),
        lines: Some(read.lines),
    };
    let dataset = encoding
        .encode(&frame, Unseen::Refuse)
        .with_context(|| path.display().to_string())?;
    let width = dataset.feature_count().max(1);
    Ok(dataset
        .features
        .chunks(width)
        .map(<[f32]>::to_vec)
        .collect())
}

impl Pass {
    /// Room for `rows` rows in every column, so they do not grow by doubling (each doubling
    /// leaves the old buffer to the allocator: twice the memory at the peak).
    fn reserve(&mut self, rows: usize) {
        let more = rows.saturating_sub(self.lines.len());
        self.lines.reserve_exact(more);
        self.labels.reserve_exact(more);
        for (_, building) in &mut self.columns {
            match building {
                Building::Numbers(numbers) => numbers.reserve_exact(more),
                Building::Text(texts) => texts.reserve_exact(more),
                Building::Undecided(_) => {}
            }
        }
    }

    /// The finished columns, moved out (not copied: they can be most of the memory a run uses).
    fn take_columns(&mut self) -> Vec<Column> {
        let columns = std::mem::take(&mut self.columns);
        columns
            .into_iter()
            .map(|(index, building)| Column {
                name: self.headers[index].clone(),
                values: match building {
                    Building::Undecided(missing) => Values::Numbers(vec![f32::NAN; missing]),
                    Building::Numbers(numbers) => Values::Numbers(numbers),
                    Building::Text(texts) => Values::Text(texts),
                },
            })
            .collect()
    }
}

/// Rows read before the column sizes are reserved from the file's size.
const SIZING_ROWS: usize = 256;

/// One pass over the records of a source of `size` bytes. `label` is the label column's name
/// (`Some(None)`: the last column; `None`: no label, for prediction inputs).
fn read(
    source: impl Read,
    size: Option<u64>,
    path: &Path,
    label: Option<Option<&str>>,
    spec: &ColumnSpec,
) -> Result<Pass> {
    let shown = path.display();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        // Row lengths are checked below, after blank lines are skipped, to name the line.
        .flexible(true)
        .from_reader(source);
    let headers = headers(&mut reader, path)?;
    let column = |name: &str| -> Result<usize> {
        headers
            .iter()
            .position(|header| header == name)
            .with_context(|| {
                format!(
                    "{shown}: no column named '{}'; the columns are: {}",
                    shorten(name),
                    headers.join(", ")
                )
            })
    };
    let label_column = match label {
        Some(Some(name)) => Some(column(name)?),
        Some(None) => Some(headers.len() - 1),
        None => None,
    };
    let features = feature_columns(&headers, &column, label_column, spec, path)?;
    let columns: Vec<(usize, Building)> = features
        .iter()
        .map(|&index| {
            let known = spec
                .known
                .and_then(|encoding| encoding.columns.iter().find(|c| c.name() == headers[index]));
            let building = match known {
                Some(ColumnEncoding::Number { .. }) => Building::Numbers(Vec::new()),
                Some(ColumnEncoding::Text { .. }) => Building::Text(Vec::new()),
                None => Building::Undecided(0),
            };
            (index, building)
        })
        .collect();
    let mut read = Pass {
        headers: headers.clone(),
        label_column,
        columns,
        labels: Vec::new(),
        label_texts: Vec::new(),
        lines: Vec::new(),
        notes: Vec::new(),
    };
    let mut interned: HashMap<String, u32> = HashMap::new();
    let (mut blank, mut unlabelled, mut incomplete, mut total) = (None, 0, 0, 0);
    let mut record = StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|err| anyhow::anyhow!("{shown}: {err}"))?
    {
        let line = record.position().map_or(0, |position| position.line());
        // A line of empty cells is no row: fine at the end of the file, refused in the middle.
        if record.iter().all(str::is_empty) {
            blank.get_or_insert(line);
            continue;
        }
        if let Some(blank_line) = blank {
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
        total += 1;
        if let Some(label) = label_column {
            if is_missing(&record[label]) {
                if spec.missing == Missing::Error {
                    bail!(
                        "{shown}: line {line}, label column '{}' has no value ('{}'); every row \
                         needs a label (or leave such rows out with --missing drop)",
                        headers[label],
                        shorten(&record[label])
                    );
                }
                unlabelled += 1;
                continue;
            }
        }
        let missing = read
            .columns
            .iter()
            .find(|(index, _)| is_missing(&record[*index]));
        if let Some((index, _)) = missing {
            match spec.missing {
                Missing::Error => bail!(
                    "{shown}: line {line}, column '{}' is empty or missing (a missing value); \
                     every feature needs a value: fill it in, or use --missing drop (leave such \
                     rows out) or --missing mean (fill with the training rows' mean)",
                    headers[*index]
                ),
                Missing::Drop => {
                    incomplete += 1;
                    continue;
                }
                Missing::Mean => {}
            }
        }
        for (index, building) in &mut read.columns {
            push(building, &record[*index], || {
                format!("{shown}: line {line}, column '{}'", headers[*index])
            })?;
        }
        if let Some(label) = label_column {
            let text = &record[label];
            let next = interned.len() as u32;
            let id = *interned.entry(text.to_string()).or_insert_with(|| {
                read.label_texts.push(text.to_string());
                next
            });
            read.labels.push(id);
        }
        read.lines.push(line);
        let bytes_so_far = record.position().map_or(0, |position| position.byte());
        if let (Some(size), SIZING_ROWS, 1..) = (size, read.lines.len(), bytes_so_far) {
            let rows = size as f64 * SIZING_ROWS as f64 / bytes_so_far as f64;
            read.reserve((rows * 1.1) as usize);
        }
    }
    if unlabelled > 0 {
        read.notes.push(format!(
            "dropped {unlabelled} of {total} rows without a label"
        ));
    }
    if incomplete > 0 {
        read.notes.push(format!(
            "dropped {incomplete} of {total} rows with a missing feature value (--missing drop)"
        ));
    }
    if read.lines.is_empty() {
        match total {
            0 => bail!("{shown} has a header but no data rows"),
            _ => bail!("{shown}: no row is left once rows with missing values are dropped"),
        }
    }
    Ok(read)
}

/// The header row: present, and each name once.
fn headers(reader: &mut csv::Reader<impl Read>, path: &Path) -> Result<Vec<String>> {
    let shown = path.display();
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
    Ok(headers)
}

/// The feature columns: `--features` (or every column; a model's own when predicting), less the
/// label and `--ignore`.
fn feature_columns(
    headers: &[String],
    column: &dyn Fn(&str) -> Result<usize>,
    label: Option<usize>,
    spec: &ColumnSpec,
    path: &Path,
) -> Result<Vec<usize>> {
    let named = |names: &mut dyn Iterator<Item = &str>, option: &str| -> Result<Vec<usize>> {
        names
            .map(|name| column(name).with_context(|| format!("{option} names it")))
            .collect()
    };
    let ignored = named(&mut spec.ignore.iter().map(String::as_str), "--ignore")?;
    let chosen = match spec.known {
        Some(encoding) => named(
            &mut encoding.columns.iter().map(|c| c.name()),
            "the model reads it",
        )?,
        None if spec.features.is_empty() => (0..headers.len()).collect(),
        None => named(&mut spec.features.iter().map(String::as_str), "--features")?,
    };
    let columns: Vec<usize> = chosen
        .into_iter()
        .filter(|index| Some(*index) != label && !ignored.contains(index))
        .collect();
    if columns.is_empty() {
        bail!(
            "{}: no feature columns left (the columns are: {}); a data set needs feature columns \
             and a label",
            path.display(),
            headers.join(", ")
        );
    }
    Ok(columns)
}

/// Adds one cell to a column; the column's first present cell decided its kind.
fn push(building: &mut Building, text: &str, place: impl Fn() -> String) -> Result<()> {
    let missing = is_missing(text);
    let number = match text.parse::<f32>() {
        Ok(value) if value.is_finite() => Some(value),
        Ok(value) if !missing && !value.is_nan() => bail!(
            "{} holds '{}', which is not a finite 32-bit number (beyond ±3.4e38); fix the cell",
            place(),
            shorten(text)
        ),
        _ => None,
    };
    if let Building::Undecided(count) = building {
        if missing {
            *count += 1;
            return Ok(());
        }
        *building = match number {
            Some(_) => Building::Numbers(vec![f32::NAN; *count]),
            None => Building::Text(vec![None; *count]),
        };
    }
    match building {
        Building::Numbers(numbers) => numbers.push(match number {
            Some(value) => value,
            None if missing => f32::NAN,
            None => bail!(
                "{} holds '{}', which is not a number; feature columns are numbers or text, \
                 not both (fix the cell, or choose the columns with --features and --ignore)",
                place(),
                shorten(text)
            ),
        }),
        Building::Text(_) if number.is_some() => bail!(
            "{} holds '{}', a number, in a column of text; feature columns are numbers or text, \
             not both (fix the cell, or choose the columns with --features and --ignore)",
            place(),
            shorten(text)
        ),
        Building::Text(texts) => texts.push((!missing).then(|| text.to_string())),
        Building::Undecided(_) => unreachable!("decided above"),
    }
    Ok(())
}
