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
    // Most cells: a number in a column of numbers.
    if let (Building::Numbers(numbers), Ok(value)) = (&mut *building, parse_f32(text)) {
        if value.is_finite() {
            numbers.push(value);
            return Ok(());
        }
    }
    let missing = is_missing(text);
    let number = match parse_f32(text) {
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

/// `text` as a 32-bit float, exactly as `str::parse` reads it, faster for the common cells.
pub(super) fn parse_f32(text: &str) -> Result<f32, std::num::ParseFloatError> {
    match decimal(text.as_bytes()) {
        Some((value, length)) if length == text.len() => Ok(value),
        _ => text.parse(),
    }
}

/// The plain decimal at the start of `bytes` ("-0.68038", "16"), and its length in bytes: of
/// at most 7 significant digits and 10 decimals, it is its digits as an integer divided by a
/// power of ten, both exact in an `f32`, so the one division rounds the true value correctly, as
/// `str::parse` does (Clinger's fast path). `None` for anything else (exponents, long numbers,
/// "1.", ".5", "inf"), which `parse` reads.
pub(super) fn decimal(bytes: &[u8]) -> Option<(f32, usize)> {
    const POWERS: [f32; 11] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];
    let negative = bytes.first() == Some(&b'-');
    let mut at = usize::from(negative);
    let mut mantissa = 0u32;
    let mut digits = |at: &mut usize| {
        let start = *at;
        while let Some(digit) = bytes.get(*at).and_then(|byte| byte.checked_sub(b'0')) {
            if digit > 9 {
                break;
            }
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u32::from(digit));
            *at += 1;
        }
        *at - start
    };
    let whole = digits(&mut at);
    let decimals = match bytes.get(at) {
        Some(b'.') => {
            at += 1;
            match digits(&mut at) {
                0 => return None,
                decimals => decimals,
            }
        }
        _ => 0,
    };
    if whole == 0 || whole + decimals > 7 || decimals >= POWERS.len() {
        return None;
    }
    // At most 7 digits: below 2^24, so exact in an f32.
    let value = mantissa as f32 / POWERS[decimals];
    Some((if negative { -value } else { value }, at))
}

#[cfg(test)]
mod tests {
    use super::parse_f32;

    #[test]
    fn the_fast_path_reads_every_number_as_parse_does() {
        let texts = [
            "0",
            "-0",
            "-0.0",
            "16",
            "5.1",
            "0.68038",
            "-0.21123",
            "007.50",
            "16777215",
            "16777216",
            "16777217",
            "1677721.7",
            "0.0000000001",
            "0.00000000001",
            "3.4028235",
            "1.",
            ".5",
            "-.5",
            "+1",
            "1e5",
            "-",
            "",
            ".",
            "1.2.3",
            "--1",
            "1-",
            "inf",
            "NaN",
            "99999999999999999999",
            "0.1",
            "0.2",
            "0.3",
            "123456.7",
            "9.999999",
        ];
        for text in texts {
            let expected = text.parse::<f32>();
            let got = parse_f32(text);
            match (expected, got) {
                (Ok(a), Ok(b)) => assert_eq!(a.to_bits(), b.to_bits(), "{text}"),
                (Err(_), Err(_)) => {}
                (a, b) => panic!("{text}: parse gives {a:?}, the fast path {b:?}"),
            }
        }
        // Every value of the generated benchmark CSV and of digits' and iris' cells.
        for tenths in -100_000i32..=100_000 {
            for text in [format!("{:.5}", tenths as f64 / 1e5), format!("{tenths}")] {
                assert_eq!(
                    parse_f32(&text).unwrap().to_bits(),
                    text.parse::<f32>().unwrap().to_bits(),
                    "{text}"
                );
            }
        }
    }
}
