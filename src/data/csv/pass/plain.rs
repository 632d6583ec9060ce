//! Plain rows, read straight from the bytes, a part of each block per core.
//!
//! A plain row is a line of unquoted cells, one per column, with a label and a finite number in
//! every feature column, ending with `\n` or `\r\n` as the part's other lines do. csv's reader
//! and [`Pass::take`] read such a row the same way, by their fastest road (`push_numbers`). A
//! part with any other line is not read here at all: csv's reader takes over from its start to
//! the end of the file (see `read`), so either road gives the same columns, lines and errors.
//!
//! Part of the speed layer: it stands in for the csv crate's reader on plain rows, which split
//! and scanned every cell twice; measured on 1M rows (bench/README.md, "plain rows read straight
//! from the bytes") parse 0.44–0.80 → 0.31–0.43 s. `src/data/tests/plain_rows.rs` holds it equal
//! to csv's reader, frame for frame and error for error, at every block size. Delete it when
//! csv's reader (or a loader built on it) reads plain rows as fast.

use std::collections::HashMap;
use std::ops::Range;

use super::cells::{cell_end, number_cell};
use super::rows::trimmed;
use super::{Counts, Pass};
use crate::data::csv::column::Building;
use crate::data::frame::is_missing;

/// What a column is to the pass.
#[derive(Clone, Copy)]
enum Role {
    /// The feature column at this index of the pass's columns.
    Feature(usize),
    Label,
    Unread,
}

/// Each column's role, in the header's order.
pub(super) struct Layout {
    roles: Vec<Role>,
    features: usize,
}

/// The plain rows of one part; its memory is used again for the next block's part.
#[derive(Default)]
pub(super) struct Rows {
    /// Each feature column's cells.
    columns: Vec<Vec<f32>>,
    labels: Vec<Label>,
    count: usize,
    /// How many of the part's lines end with `\n` (all, or all but the file's last); whether
    /// with `\r\n`.
    ended: usize,
    crlf: bool,
}

/// A row's label as a part reads it: a text the pass knows, by its index, or where in the part
/// a text lies that the pass has not seen yet (interned as the rows are appended, in order).
#[derive(Clone)]
enum Label {
    Known(u32),
    New(Range<usize>),
}

/// Where a reading is: what csv's reader would say of the record that starts there.
#[derive(Clone, Copy)]
pub(super) struct Place {
    /// The bytes before it.
    pub offset: u64,
    newlines: u64,
    records: u64,
    /// The line before ended with `\r\n`. csv's reader takes that `\n` as it starts the next
    /// record, so it names the record one line (and one byte) early; so does this reading.
    pub crlf: bool,
}

impl Place {
    /// After the header, the file's first line (its bytes, with the line's end).
    pub(super) fn after_header(header: &[u8]) -> Place {
        Place {
            offset: header.len() as u64,
            newlines: 1,
            records: 1,
            crlf: header.ends_with(b"\r\n"),
        }
    }

    /// What csv's reader reports as the position of the record that starts here.
    pub(super) fn position(&self) -> csv::Position {
        let early = u64::from(self.crlf);
        let mut position = csv::Position::new();
        position
            .set_byte(self.offset - early)
            .set_line(self.newlines + 1 - early)
            .set_record(self.records);
        position
    }
}

impl Rows {
    pub(super) fn count(&self) -> usize {
        self.count
    }

    /// Emptied, with room for as many rows as `part` has lines.
    fn make_room(&mut self, part: &[u8], layout: &Layout) {
        let lines = part.iter().filter(|&&byte| byte == b'\n').count() + 1;
        self.columns.resize_with(layout.features, Vec::new);
        for column in &mut self.columns {
            column.clear();
            column.reserve(lines);
        }
        self.labels.clear();
        self.labels.reserve(lines);
    }
}

impl Layout {
    /// The pass's columns, when every feature column can hold numbers (not a text column a
    /// model's encoding names).
    pub(super) fn of(pass: &Pass) -> Option<Layout> {
        let mut roles = vec![Role::Unread; pass.headers.len()];
        if let Some(label) = pass.label_column {
            roles[label] = Role::Label;
        }
        for (slot, (index, building)) in pass.columns.iter().enumerate() {
            if let Building::Text(_) = building {
                return None;
            }
            roles[*index] = Role::Feature(slot);
        }
        let features = pass.columns.len();
        Some(Layout { roles, features })
    }
}

/// The first line, with its end, when it is the whole header: not empty (csv's reader skips
/// empty lines), no quotes, and no `\r` but one before the `\n`.
pub(super) fn header(block: &[u8]) -> Option<&[u8]> {
    let end = block.iter().position(|&byte| byte == b'\n')?;
    let line = &block[..end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let plain = !line.is_empty() && !line.contains(&b'"') && !line.contains(&b'\r');
    plain.then(|| &block[..=end])
}

/// Whether every row of the part is plain; if so, `rows` holds them.
pub(super) fn read(
    part: &[u8],
    layout: &Layout,
    known: &HashMap<String, u32>,
    rows: &mut Rows,
) -> bool {
    if part.contains(&b'"') {
        return false;
    }
    let Ok(text) = std::str::from_utf8(part) else {
        return false;
    };
    rows.make_room(part, layout);
    (rows.count, rows.ended, rows.crlf) = (0, 0, false);
    let mut offset = 0;
    text.split_inclusive('\n').all(|line| {
        let plain = read_line(line, offset, layout, known, rows);
        offset += line.len();
        plain
    })
}

/// Whether the line (with its end), `offset` bytes into its part, is a plain row; if so, it is
/// added to `rows`.
fn read_line(
    line: &str,
    offset: usize,
    layout: &Layout,
    known: &HashMap<String, u32>,
    rows: &mut Rows,
) -> bool {
    let (line, ended) = match line.strip_suffix('\n') {
        Some(line) => (line, true),
        None => (line, false),
    };
    let (line, crlf) = match line.strip_suffix('\r') {
        Some(line) => (line, true),
        None => (line, false),
    };
    // One way of ending lines per part: the line numbers follow from it. (An empty line is not
    // plain either: it has too few cells, or its one cell is not a number.)
    if line.contains('\r') || ended && rows.ended > 0 && crlf != rows.crlf {
        return false;
    }
    rows.crlf |= ended && crlf;
    rows.ended += usize::from(ended);
    let bytes = line.as_bytes();
    // Where the next cell starts: after the line's start or a comma.
    let mut start = 0;
    for (column, role) in layout.roles.iter().enumerate() {
        if column > 0 {
            match bytes.get(start) {
                Some(b',') => start += 1,
                _ => return false,
            }
        }
        start = match *role {
            Role::Feature(slot) => {
                let Some((value, end)) = number_cell(line, start) else {
                    return false;
                };
                rows.columns[slot].push(value);
                end
            }
            Role::Label => {
                let Some((label, end)) = label_cell(line, start, offset, known) else {
                    return false;
                };
                rows.labels.push(label);
                end
            }
            Role::Unread => cell_end(bytes, start),
        };
    }
    rows.count += 1;
    // No cell beyond the header's.
    start == bytes.len()
}

/// The label of the cell starting at `start` (the line `offset` bytes into its part), and
/// where the cell ends; `None` when it is missing.
#[inline]
fn label_cell(
    line: &str,
    start: usize,
    offset: usize,
    known: &HashMap<String, u32>,
) -> Option<(Label, usize)> {
    let end = cell_end(line.as_bytes(), start);
    let cell = trimmed(&line[start..end]);
    if is_missing(cell) {
        return None;
    }
    let label = match known.get(cell) {
        Some(&id) => Label::Known(id),
        None => {
            // Where the cell lies in the part: a slice of the line, itself one of it.
            let at = offset + (cell.as_ptr() as usize - line.as_ptr() as usize);
            Label::New(at..at + cell.len())
        }
    };
    Some((label, end))
}

impl Pass {
    /// Plain rows hold a number in every feature column: a column with no cell present yet
    /// is one of numbers from here on, as its first present cell would make it.
    pub(super) fn decide_numbers(&mut self) {
        for (_, building) in &mut self.columns {
            if let Building::Undecided(missing) = *building {
                *building = Building::Numbers(vec![f32::NAN; missing]);
            }
        }
    }

    /// A part's plain rows onto the columns (decided: `decide_numbers`); `place` moves past them.
    pub(super) fn append(
        &mut self,
        rows: &Rows,
        part: &[u8],
        place: &mut Place,
        counts: &mut Counts,
    ) {
        for ((_, building), cells) in self.columns.iter_mut().zip(&rows.columns) {
            if let Building::Numbers(numbers) = building {
                numbers.extend_from_slice(cells);
            }
        }
        for label in &rows.labels {
            let id = match label {
                Label::Known(id) => *id,
                Label::New(at) => self.intern(&String::from_utf8_lossy(&part[at.clone()])),
            };
            self.labels.push(id);
        }
        // Lines as csv's reader numbers them: the first after the line before, the others
        // after the part's own lines.
        let first = place.newlines + 1 - u64::from(place.crlf);
        let after = place.newlines + 1 - u64::from(rows.crlf);
        self.lines
            .extend((0..rows.count as u64).map(|row| if row == 0 { first } else { after + row }));
        counts.total += rows.count;
        place.offset += part.len() as u64;
        place.newlines += rows.ended as u64;
        place.records += rows.count as u64;
        place.crlf = rows.crlf;
    }
}
