//! A plain row's cells, read where they lie in the line: where one ends, and its number.

use super::rows::trimmed;
use crate::data::csv::column::{decimal, parse_f32};

/// Where the cell starting at `start` ends: at the next comma, or the line's end.
#[inline]
pub(super) fn cell_end(bytes: &[u8], start: usize) -> usize {
    let comma = bytes[start..].iter().position(|&byte| byte == b',');
    comma.map_or(bytes.len(), |comma| start + comma)
}

/// The finite number of the cell starting at `start`, and where the cell ends; `None` when it
/// holds anything else. The common cell, a plain decimal, is read where it is found.
#[inline]
pub(super) fn number_cell(line: &str, start: usize) -> Option<(f32, usize)> {
    let bytes = line.as_bytes();
    match decimal(&bytes[start..]) {
        Some((value, length)) if matches!(bytes.get(start + length), None | Some(b',')) => {
            Some((value, start + length))
        }
        _ => {
            let end = cell_end(bytes, start);
            match parse_f32(trimmed(&line[start..end])) {
                Ok(value) if value.is_finite() => Some((value, end)),
                _ => None,
            }
        }
    }
}
