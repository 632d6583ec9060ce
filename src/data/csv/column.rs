//! A feature column as the CSV reader builds it: its first present cell decides whether it
//! holds numbers or text, and a later cell of the other kind is an error naming the cell.

use anyhow::{bail, Result};

use crate::data::frame::is_missing;
use crate::data::labels::shorten;

/// One feature column as it is read.
pub(super) enum Building {
    /// No present cell yet: this many missing ones.
    Undecided(usize),
    Numbers(Vec<f32>),
    Text(Vec<Option<String>>),
}

/// Adds one cell to a column; the column's first present cell decided its kind.
pub(super) fn push(building: &mut Building, text: &str, place: impl Fn() -> String) -> Result<()> {
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
