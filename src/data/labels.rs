//! The label column: class names or numbers, and the task they imply.
//!
//! Labels that are numbers are read by value, so `1`, `1.0` and `01` are one class, named `1`.
//! Numbers that are all integers, with at most `task::MAX_INFERRED_CLASSES` distinct values, mean
//! classification; other numbers mean regression; any text means classification.

use std::collections::BTreeSet;

use anyhow::{bail, Result};

use super::Targets;
use crate::config::Task;

/// The most classes a label column may hold: more are not classes to learn from examples (one
/// output each, and rows of each to learn it from) but amounts or ids, and their one-hot
/// targets alone would fill the memory.
pub const MAX_CLASSES: usize = 5000;

/// A label column as read: each distinct text once, and each row's label as an index into
/// them (a million rows hold a handful of labels: each is looked at once).
pub struct Labels<'a> {
    pub texts: &'a [String],
    pub ids: &'a [u32],
    /// Each row's line in the file, for messages.
    pub lines: &'a [u64],
}

impl Labels<'_> {
    /// The line and text of the first row whose label (by index into `texts`) is `wrong`.
    fn first(&self, wrong: impl Fn(usize) -> bool) -> Option<(u64, &str)> {
        let (&id, &line) = self
            .ids
            .iter()
            .zip(self.lines)
            .find(|(&id, _)| wrong(id as usize))?;
        Some((line, &self.texts[id as usize]))
    }
}

/// Turns labels (with their line in `file`) into class indices or numbers. `task` forces the
/// task; `known` maps labels onto a trained model's classes. Returns the targets and why the
/// task was chosen.
pub fn targets(
    file: &str,
    label_name: &str,
    labels: &Labels,
    task: Option<Task>,
    known: Option<&[String]>,
) -> Result<(Targets, String)> {
    let numbers: Vec<Option<f64>> = labels.texts.iter().map(|text| number(text)).collect();
    if task != Some(Task::Classification) && numbers.iter().any(Option::is_some) {
        refuse_non_finite(file, label_name, labels, &numbers)?;
    }
    let all_numbers: Option<Vec<f64>> = numbers.iter().copied().collect();
    let (task, reason) = match (task, &all_numbers) {
        (Some(task), _) => (task, format!("{task}, as asked")),
        (None, None) => (
            Task::Classification,
            "classification, inferred from text labels".to_string(),
        ),
        (None, Some(numbers)) => super::task::infer(numbers, labels.ids),
    };
    let targets = match task {
        Task::Regression => match all_numbers {
            Some(numbers) => Targets::Values(
                labels
                    .ids
                    .iter()
                    .map(|&id| numbers[id as usize] as f32)
                    .collect(),
            ),
            None => {
                let (line, text) = labels
                    .first(|id| numbers[id].is_none())
                    .expect("some label is not a number");
                bail!(
                    "{file}: line {line}, label column '{label_name}' holds '{}', which is not a number; \
                     regression needs numeric labels (use --task classification for classes, \
                     or pick another column with --label)",
                    shorten(text)
                )
            }
        },
        Task::Classification => classes(file, label_name, labels, all_numbers.is_some(), known)?,
    };
    Ok((targets, reason))
}

/// Among numeric labels, one that reads as a number too large for 32-bit floats (`inf`,
/// `1e39`) is an error naming its line, not a reason to read every label as a class name.
fn refuse_non_finite(
    file: &str,
    label_name: &str,
    labels: &Labels,
    numbers: &[Option<f64>],
) -> Result<()> {
    let non_finite = |id: usize| numbers[id].is_none() && labels.texts[id].parse::<f64>().is_ok();
    if let Some((line, text)) = labels.first(non_finite) {
        bail!(
            "{file}: line {line}, label column '{label_name}' holds '{}', which is not a finite \
             number (the network computes in 32-bit floats, up to about 3.4e38); fix or remove \
             that row",
            shorten(text)
        );
    }
    Ok(())
}

/// Class indices, with classes named by text — or by value when every label is a number.
fn classes(
    file: &str,
    label_name: &str,
    labels: &Labels,
    numeric: bool,
    known: Option<&[String]>,
) -> Result<Targets> {
    let name_of = |text: &str| match number(text) {
        Some(value) if numeric => canonical(value),
        _ => text.to_string(),
    };
    let names = match known {
        Some(known) => known.to_vec(),
        None => {
            let distinct: BTreeSet<String> =
                labels.texts.iter().map(|text| name_of(text)).collect();
            refuse_too_many(file, label_name, distinct.len())?;
            let mut names: Vec<String> = distinct.into_iter().collect();
            if numeric {
                names.sort_by(|a, b| {
                    number(a)
                        .unwrap_or(0.0)
                        .total_cmp(&number(b).unwrap_or(0.0))
                });
            }
            names
        }
    };
    // A trained model's classes: its own spelling first, then by value ("1.0" is class "1").
    let class_of: Vec<Option<usize>> = labels
        .texts
        .iter()
        .map(|text| {
            names.iter().position(|name| name == text).or_else(|| {
                let value = number(text)?;
                names.iter().position(|name| number(name) == Some(value))
            })
        })
        .collect();
    if let Some((line, text)) = labels.first(|id| class_of[id].is_none()) {
        bail!(
            "{file}: line {line}, label '{}' is not one of the model's classes ({})",
            shorten(text),
            names.join(", ")
        );
    }
    let indices = labels
        .ids
        .iter()
        .map(|&id| class_of[id as usize].expect("every label has a class"))
        .collect();
    if known.is_none() && names.len() < 2 {
        bail!(
            "{file}: label column '{label_name}' has only one class ('{}'); classification needs \
             at least two (pick another column with --label)",
            names.first().map_or_else(String::new, |name| shorten(name))
        );
    }
    Ok(Targets::Classes { indices, names })
}

/// More than [`MAX_CLASSES`] distinct labels are not classes to learn: refused, with the way out.
fn refuse_too_many(file: &str, label_name: &str, distinct: usize) -> Result<()> {
    if distinct > MAX_CLASSES {
        bail!(
            "{file}: label column '{label_name}' has {distinct} distinct values, more than the \
             {MAX_CLASSES} classes stepwise learns; if it is an amount to predict, add --task \
             regression, and if it is a name or an id, pick another column with --label"
        );
    }
    Ok(())
}

/// A number that is finite in f32 (what the network computes in), or none.
pub fn number(text: &str) -> Option<f64> {
    text.parse::<f64>()
        .ok()
        .filter(|value| value.is_finite() && (*value as f32).is_finite())
}

/// The name of a numeric class: `1`, not `1.0` or `01`.
fn canonical(value: f64) -> String {
    format!("{value}")
}

/// Echoed values are cut to a readable length: a field can be megabytes long.
/// Control characters (a binary file's bytes) are shown escaped, never sent to the terminal.
pub fn shorten(text: &str) -> String {
    const MAX: usize = 60;
    let shown = |text: &str| -> String {
        text.chars()
            .flat_map(|c| match c.is_control() {
                true => c.escape_default().collect::<Vec<_>>(),
                false => vec![c],
            })
            .collect()
    };
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}... ({} bytes)", shown(&text[..cut]), text.len()),
        None => shown(text),
    }
}

/// Column names for a message: all of a few, the first 20 of many (a picture has thousands).
pub fn listed(names: &[impl AsRef<str>]) -> String {
    const SHOWN: usize = 20;
    let shown: Vec<String> = names
        .iter()
        .take(SHOWN)
        .map(|name| shorten(name.as_ref()))
        .collect();
    match names.len() {
        count if count > SHOWN => format!("{}, ... ({count} in all)", shown.join(", ")),
        _ => shown.join(", "),
    }
}

#[cfg(test)]
#[path = "labels_tests.rs"]
mod tests;
