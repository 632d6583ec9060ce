//! One pass over a CSV's records, straight into typed columns: which rows are kept (blank lines,
//! short rows, missing cells, as `--missing` says), each kept row's cells onto its columns.

use std::collections::HashMap;
use std::io::{Read, SeekFrom};
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};

use super::blocks::{Blocks, BLOCK};
use super::column::Building;
use super::records;
use super::{feature_columns, headers, listed};
use crate::config::Missing;
use crate::data::encoding::ColumnEncoding;
use crate::data::frame::{Column, Values};
use crate::data::labels::shorten;
use crate::data::ColumnSpec;

mod cells;
mod parts;
mod plain;
mod rows;
use plain::{Layout, Place};

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
    /// Whether the columns have room for the whole file (`size_up`).
    sized: bool,
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
/// (`Some(None)`: the last column; `None`: no label, for prediction inputs). The source is read
/// `block` bytes at a time, plain rows (see `plain`) on every core, and from the first part that
/// is not plain on, by csv's reader; with no `block`, all of it by csv's reader.
pub(super) fn read(
    source: impl Read + Send,
    size: Option<u64>,
    path: &Path,
    label: Option<Option<&str>>,
    spec: &ColumnSpec,
    block: Option<usize>,
) -> Result<Pass> {
    let failed = |err: &dyn std::fmt::Display| anyhow!("{}: {err}", path.display());
    let plain = block.is_some();
    let mut blocks = Blocks::new(source, block.unwrap_or(BLOCK));
    let mut block = Vec::new();
    blocks.next(&mut block).map_err(|err| failed(&err))?;
    let Some(header) = plain::header(&block).filter(|_| plain) else {
        // A header csv's reader must find the end of: it reads the whole file.
        let mut reader = reader(blocks.whole(block), true);
        let pass = Pass::start(headers(&mut reader, path)?, label, spec, path)?;
        return pass.read_records(reader, Counts::default(), size, path, spec.missing);
    };
    let mut pass = Pass::start(headers(&mut reader(header, true), path)?, label, spec, path)?;
    let mut counts = Counts::default();
    let mut place = Place::after_header(header);
    let mut from = header.len();
    let layout = Layout::of(&pass);
    let mut rows = Vec::new();
    loop {
        if let Some(layout) = &layout {
            let bytes = &block[from..];
            from += pass.append_plain(bytes, layout, &mut rows, &mut place, &mut counts, size);
        }
        if from < block.len() {
            let rest = blocks.resume(block, from, place.crlf);
            let mut reader = reader(rest, false);
            reader.set_headers(csv::StringRecord::from(pass.headers.clone()));
            reader
                .seek_raw(SeekFrom::Start(0), place.position())
                .map_err(|err| failed(&err))?;
            return pass.read_records(reader, counts, size, path, spec.missing);
        }
        if !blocks.next(&mut block).map_err(|err| failed(&err))? {
            return pass.finish(counts, path);
        }
        from = 0;
    }
}

/// csv's reader, as stepwise reads a CSV.
fn reader<R: Read>(source: R, has_headers: bool) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(has_headers)
        // Cells are trimmed where they are read (`cell`): trimming whole records costs more.
        .trim(csv::Trim::Headers)
        // Row lengths are checked in `admit`, after blank lines are skipped, to name the line.
        .flexible(true)
        .from_reader(source)
}

impl Pass {
    /// The label column and the feature columns of `headers`, each column's kind already
    /// known when a model's encoding says it. Names are looked up once each, in maps: a file
    /// may have a million columns.
    fn start(
        headers: Vec<String>,
        label: Option<Option<&str>>,
        spec: &ColumnSpec,
        path: &Path,
    ) -> Result<Pass> {
        let index: HashMap<&str, usize> = (headers.iter().enumerate().rev())
            .map(|(at, name)| (name.as_str(), at))
            .collect();
        let column = |name: &str, wanted_by: &str| -> Result<usize> {
            index.get(name).copied().with_context(|| {
                format!(
                    "{}: no column named '{}', which {wanted_by}; the columns are: {}",
                    path.display(),
                    shorten(name),
                    listed(&headers)
                )
            })
        };
        let label_column = match label {
            Some(Some(name)) => Some(column(name, "--label names")?),
            Some(None) => Some(headers.len() - 1),
            None => None,
        };
        let features = feature_columns(&headers, &column, label_column, spec, path)?;
        let encoded: HashMap<&str, &ColumnEncoding> = (spec.known.iter().flat_map(|e| &e.columns))
            .map(|c| (c.name(), c))
            .collect();
        let known = |index: usize| encoded.get(headers[index].as_str()).copied();
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
            sized: false,
            notes: Vec::new(),
        })
    }

    /// Every record of `reader` taken (or left out) as `missing` says, then finished.
    fn read_records<R: Read + Send>(
        mut self,
        reader: csv::Reader<R>,
        mut counts: Counts,
        size: Option<u64>,
        path: &Path,
        missing: Missing,
    ) -> Result<Pass> {
        records::for_each(reader, &path.display().to_string(), |record| {
            if self.take(record, missing, &mut counts, path)? {
                let bytes_so_far = record.position().map_or(0, |position| position.byte());
                self.size_up(size, self.lines.len(), bytes_so_far);
            }
            Ok(())
        })?;
        self.finish(counts, path)
    }

    /// The plain rows at the start of `bytes`, read a part per core (into `rows`) and
    /// appended, up to the first part that is not plain: the bytes read.
    fn append_plain(
        &mut self,
        bytes: &[u8],
        layout: &Layout,
        rows: &mut Vec<plain::Rows>,
        place: &mut Place,
        counts: &mut Counts,
        size: Option<u64>,
    ) -> usize {
        let parts = parts::parts(bytes);
        let plain = parts::read_parts(&parts, layout, &self.interned, rows);
        let read: usize = parts[..plain].iter().map(|part| part.len()).sum();
        let added: usize = rows[..plain].iter().map(plain::Rows::count).sum();
        if plain > 0 {
            self.decide_numbers();
        }
        self.size_up(size, self.lines.len() + added, place.offset + read as u64);
        for (part, part_rows) in parts.iter().zip(&rows[..plain]) {
            self.append(part_rows, part, place, counts);
        }
        read
    }

    /// Once `SIZING_ROWS` rows are read, in `bytes_so_far`, room for the rows the whole file
    /// holds at the same bytes per row, so that the columns do not grow by doubling (each
    /// doubling leaves the old buffer to the allocator: twice the memory at the peak).
    fn size_up(&mut self, size: Option<u64>, rows_so_far: usize, bytes_so_far: u64) {
        if let (Some(size), false, 1..) = (size, self.sized, bytes_so_far) {
            if rows_so_far >= SIZING_ROWS {
                let rows = size as f64 * rows_so_far as f64 / bytes_so_far as f64;
                self.reserve((rows * 1.1) as usize);
                self.sized = true;
            }
        }
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

    /// Room for `rows` rows in every column.
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
