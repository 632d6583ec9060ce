//! CSV files: a header row, feature columns (numbers or text) and one label column.
//!
//! The file is read in one pass, record by record, straight into typed columns: the text of the
//! file is never held whole. A column's first present cell decides its kind (a number, or text);
//! a later cell of the other kind is an error. Every problem is reported with the file, the line
//! and the column, and what to do about it.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};

use super::encoding::{ColumnEncoding, Encoding, Unseen};
use super::frame::Frame;
use super::labels::{self, listed, shorten, Labels};
use super::{ColumnSpec, LabelSpec, Targets};
use crate::config::Missing;
use crate::machine;

mod blocks;
mod column;
mod pass;
mod records;
use blocks::BLOCK;
use pass::read;

/// Loads a data set: the label column, and the feature columns `columns` chooses.
pub fn load(path: &Path, label: &LabelSpec, columns: &ColumnSpec) -> Result<Frame> {
    let file = machine::open_file(path)?;
    machine::check_file(path, machine::available())?;
    let size = file.limit();
    frame(file, Some(size), path, label, columns, Some(BLOCK))
}

/// [`load`] from bytes in memory (`path` only names them in messages): what the fuzz tests feed.
pub fn parse(bytes: &[u8], path: &Path, label: &LabelSpec, columns: &ColumnSpec) -> Result<Frame> {
    parse_in_blocks(bytes, path, label, columns, Some(BLOCK))
}

/// [`parse`], the bytes taken `block` at a time, or (`None`) every record by csv's reader, the
/// road the plain rows' must agree with: how the tests hold one to the other.
pub fn parse_in_blocks(
    bytes: &[u8],
    path: &Path,
    label: &LabelSpec,
    columns: &ColumnSpec,
    block: Option<usize>,
) -> Result<Frame> {
    let size = Some(bytes.len() as u64);
    frame(bytes, size, path, label, columns, block)
}

fn frame(
    source: impl Read + Send,
    size: Option<u64>,
    path: &Path,
    label: &LabelSpec,
    spec: &ColumnSpec,
    block: Option<usize>,
) -> Result<Frame> {
    let shown = path.display().to_string();
    let mut read = read(source, size, path, Some(label.column), spec, block)?;
    let label_name = read.headers[read.label_column.expect("a label was asked for")].clone();
    let labels = Labels {
        texts: &read.label_texts,
        ids: &read.labels,
        lines: &read.lines,
    };
    let (targets, task_reason) =
        labels::targets(&shown, &label_name, &labels, label.task, label.classes)?;
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
        image: None,
    })
}

/// Reads the columns a trained model takes, by name, from a CSV file (other columns, such as
/// the label, are ignored): the input to `stepwise predict --input-file`, encoded as the model
/// was trained.
pub fn load_features(path: &Path, encoding: &Encoding) -> Result<Vec<Vec<f32>>> {
    let file = machine::open_file(path)?;
    machine::check_file(path, machine::available())?;
    let size = file.limit();
    // A model trained with --missing mean fills a missing cell as it does in `--input`.
    let fills = encoding.columns.iter().any(ColumnEncoding::fills);
    let spec = ColumnSpec {
        known: Some(encoding),
        missing: if fills { Missing::Mean } else { Missing::Error },
        ..ColumnSpec::default()
    };
    let mut read = read(file, Some(size), path, None, &spec, Some(BLOCK))
        .context("the input file needs every feature column the model was trained on, by name")?;
    let rows = read.lines.len();
    let frame = Frame {
        name: path.display().to_string(),
        label_name: String::new(),
        targets: Targets::Values(vec![0.0; rows]),
        task_reason: String::new(),
        notes: Vec::new(),
        image: None,
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

/// A header of one column that another separator would split (`a;b;y`, tabs): the file is not
/// comma-separated, and read as one it has no feature columns.
fn refuse_other_separators(header: &str, shown: &str) -> Result<()> {
    for (separator, name, convert) in [
        (
            ';',
            "';'",
            "sed 's/,/./g; s/;/,/g' FILE > FILE-commas.csv (decimal commas become points)",
        ),
        ('\t', "tab", "tr '\\t' ',' < FILE > FILE-commas.csv"),
        ('|', "'|'", "tr '|' ',' < FILE > FILE-commas.csv"),
    ] {
        if header.contains(separator) {
            bail!(
                "{shown} looks {name}-separated (its header, '{}', has no commas); stepwise \
                 reads comma-separated files: convert it, e.g. {convert}",
                shorten(header)
            );
        }
    }
    Ok(())
}

/// The header row: present, and each name once.
fn headers(reader: &mut csv::Reader<impl Read>, path: &Path) -> Result<Vec<String>> {
    let shown = path.display();
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(String::from).collect(),
        Err(err) if matches!(err.kind(), csv::ErrorKind::Utf8 { .. }) => bail!(
            "{shown} is not a text CSV file: its first line is not UTF-8 text (a binary file, \
             or text in another encoding such as Latin-1: save it as UTF-8)"
        ),
        Err(err) => {
            return Err(err).with_context(|| format!("{shown}: cannot read the header row"))
        }
    };
    if headers.iter().all(|header| header.is_empty()) {
        bail!("{shown} is empty: a CSV needs a header row and data rows");
    }
    if let [only] = headers.as_slice() {
        refuse_other_separators(only, &shown.to_string())?;
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
/// `column(name, wanted_by)` finds a column by name, or says who wanted it ("--ignore names").
fn feature_columns(
    headers: &[String],
    column: &dyn Fn(&str, &str) -> Result<usize>,
    label: Option<usize>,
    spec: &ColumnSpec,
    path: &Path,
) -> Result<Vec<usize>> {
    let named = |names: &mut dyn Iterator<Item = &str>, wanted_by: &str| -> Result<Vec<usize>> {
        names.map(|name| column(name, wanted_by)).collect()
    };
    let ignore = &mut spec.ignore.iter().map(String::as_str);
    let ignored: std::collections::HashSet<usize> =
        named(ignore, "--ignore names")?.into_iter().collect();
    let chosen = match spec.known {
        Some(encoding) => named(
            &mut encoding.columns.iter().map(|c| c.name()),
            "the model was trained on and needs as an input",
        )?,
        None if spec.features.is_empty() => (0..headers.len()).collect(),
        None => named(
            &mut spec.features.iter().map(String::as_str),
            "--features names",
        )?,
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
            listed(headers)
        );
    }
    Ok(columns)
}
