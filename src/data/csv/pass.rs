//! One pass over a CSV's records, straight into typed columns: which rows are kept (blank lines,
//! short rows, missing labels and cells, as `--missing` says), and each kept row's cells pushed
//! onto its columns.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};

use super::column::Building;
use super::records;
use super::{feature_columns, headers};
use crate::data::encoding::ColumnEncoding;
use crate::data::frame::{Column, Values};
use crate::data::labels::shorten;
use crate::data::ColumnSpec;

mod rows;

/// Rows read before the column sizes are reserved from the file's size.
const SIZING_ROWS: usize = 256;

/// What a pass over the records gathers.
pub(super) struct Pass {
    pub headers: Vec<String>,
    pub label_column: Option<usize>,
    /// The feature columns: their index in the header, and their cells.
    columns: Vec<(usize, Building)>,
    /// Each kept row's label, as an index into `label_texts`.
    pub labels: Vec<u32>,
    pub label_texts: Vec<String>,
    /// Each label text's index in `label_texts`.
    interned: HashMap<String, u32>,
    /// The file line of each kept row.
    pub lines: Vec<u64>,
    /// The row `push_numbers` is reading.
    row: Vec<f32>,
    pub notes: Vec<String>,
}

/// How many rows were read, and how many were left out, and why.
#[derive(Default)]
struct Counts {
    total: usize,
    unlabelled: usize,
    incomplete: usize,
    /// The first blank line: fine at the end of the file, refused before a data row.
    blank: Option<u64>,
}

/// One pass over the records of a source of `size` bytes. `label` is the label column's name
/// (`Some(None)`: the last column; `None`: no label, for prediction inputs).
pub(super) fn read(
    source: impl Read + Send,
    size: Option<u64>,
    path: &Path,
    label: Option<Option<&str>>,
    spec: &ColumnSpec,
) -> Result<Pass> {
    let mut reader = csv::ReaderBuilder::new()
        // Cells are trimmed where they are read (`cell`): trimming whole records costs more.
        .trim(csv::Trim::Headers)
        // Row lengths are checked in `admit`, after blank lines are skipped, to name the line.
        .flexible(true)
        .from_reader(source);
    let mut pass = Pass::start(headers(&mut reader, path)?, label, spec, path)?;
    let mut counts = Counts::default();
    records::for_each(reader, &path.display().to_string(), |record| {
        if pass.take(record, spec.missing, &mut counts, path)? {
            let bytes_so_far = record.position().map_or(0, |position| position.byte());
            if let (Some(size), SIZING_ROWS, 1..) = (size, pass.lines.len(), bytes_so_far) {
                let rows = size as f64 * SIZING_ROWS as f64 / bytes_so_far as f64;
                pass.reserve((rows * 1.1) as usize);
            }
        }
        Ok(())
    })?;
    pass.finish(counts, path)
}

impl Pass {
    /// The label column and the feature columns of `headers`, each column's kind already
    /// known when a model's encoding says it.
    fn start(
        headers: Vec<String>,
        label: Option<Option<&str>>,
        spec: &ColumnSpec,
        path: &Path,
    ) -> Result<Pass> {
        let column = |name: &str| -> Result<usize> {
            headers
                .iter()
                .position(|header| header == name)
                .with_context(|| {
                    format!(
                        "{}: no column named '{}'; the columns are: {}",
                        path.display(),
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
        let known = |index: usize| {
            let encoding = spec.known?;
            encoding.columns.iter().find(|c| c.name() == headers[index])
        };
        let columns = features
            .iter()
            .map(|&index| match known(index) {
                Some(ColumnEncoding::Number { .. }) => (index, Building::Numbers(Vec::new())),
                Some(ColumnEncoding::Text { .. }) => (index, Building::Text(Vec::new())),
                None => (index, Building::Undecided(0)),
            })
            .collect();
        Ok(Pass {
            headers,
            label_column,
            columns,
            labels: Vec::new(),
            label_texts: Vec::new(),
            interned: HashMap::new(),
            lines: Vec::new(),
            row: Vec::new(),
            notes: Vec::new(),
        })
    }

    /// The pass, with notes on the rows left out; an error when no row is left.
    fn finish(mut self, counts: Counts, path: &Path) -> Result<Pass> {
        let Counts {
            total,
            unlabelled,
            incomplete,
            ..
        } = counts;
        if unlabelled > 0 {
            self.notes.push(format!(
                "dropped {unlabelled} of {total} rows without a label"
            ));
        }
        if incomplete > 0 {
            self.notes.push(format!(
                "dropped {incomplete} of {total} rows with a missing feature value (--missing drop)"
            ));
        }
        if self.lines.is_empty() {
            match total {
                0 => bail!("{} has a header but no data rows", path.display()),
                _ => bail!(
                    "{}: no row is left once rows with missing values are dropped",
                    path.display()
                ),
            }
        }
        Ok(self)
    }

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
    pub(super) fn take_columns(&mut self) -> Vec<Column> {
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
