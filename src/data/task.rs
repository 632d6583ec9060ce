//! The task integer labels imply: class codes, or amounts to predict.

use crate::config::Task;

/// Integer labels with at most this many distinct values are taken as classes.
pub const MAX_INFERRED_CLASSES: usize = 20;

/// Integers up to this size are exact in an f64, so "integer" means something.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0; // 2^53

/// More consecutive integers than this read as counts, not class codes (digits' 0 to 9 are ten).
pub const MAX_CODE_RUN: usize = 10;

/// A class with fewer rows than this makes the choice of classification doubtful.
const MIN_CLASS_ROWS: usize = 5;

/// The task numeric labels imply, and why. Integers are classes when there are few of them
/// and they read as class codes: a value in each of several rows, not amounts. Amounts are
/// regression: values that (almost) each appear once (prices in a small table), or more than
/// [`MAX_CODE_RUN`] consecutive integers (counts: visitors 0 to 12). A choice made on little
/// evidence says so, with the option that overrides it.
pub(super) fn infer(numbers: &[f64], ids: &[u32]) -> (Task, String) {
    let integers = numbers
        .iter()
        .all(|number| number.fract() == 0.0 && number.abs() < EXACT_INTEGERS);
    if !integers {
        return (
            Task::Regression,
            "regression, inferred from numeric labels with fractions (--task classification \
             overrides)"
                .to_string(),
        );
    }
    // Rows per value (`1`, `1.0` and `01` are one value).
    let mut rows: std::collections::BTreeMap<i64, usize> = std::collections::BTreeMap::new();
    for &id in ids {
        *rows.entry(numbers[id as usize] as i64).or_default() += 1;
    }
    let distinct = rows.len();
    let (smallest, total) = (rows.values().min().copied().unwrap_or(0), ids.len());
    let values: Vec<i64> = rows.keys().copied().collect();
    if let Some(why) = amounts(&values, total) {
        let overrides = match distinct <= MAX_INFERRED_CLASSES {
            true => "if they are classes, add --task classification",
            false => "--task classification overrides",
        };
        return (
            Task::Regression,
            format!(
                "regression, inferred from {distinct} distinct integer labels ({why}; {overrides})"
            ),
        );
    }
    let doubt = if smallest < MIN_CLASS_ROWS {
        format!(
            "; doubtful: a class has only {smallest} row{}: if the labels are amounts, add \
             --task regression",
            if smallest == 1 { "" } else { "s" }
        )
    } else {
        " (--task regression overrides)".to_string()
    };
    (
        Task::Classification,
        format!("classification, inferred from {distinct} distinct integer labels{doubt}"),
    )
}

/// Why the distinct integer `values` of `total` rows read as amounts, not class codes, if they do.
fn amounts(values: &[i64], total: usize) -> Option<String> {
    let distinct = values.len();
    let consecutive = values.windows(2).all(|pair| pair[1] == pair[0] + 1);
    if distinct > MAX_INFERRED_CLASSES {
        Some(format!(
            "more than {MAX_INFERRED_CLASSES} distinct integers"
        ))
    } else if distinct > 2 && total < 2 * distinct {
        Some(format!(
            "{distinct} values in {total} rows, most of them once: amounts"
        ))
    } else if consecutive && distinct > MAX_CODE_RUN {
        let (first, last) = (values[0], values[distinct - 1]);
        Some(format!(
            "{distinct} consecutive integers ({first} to {last}): counts"
        ))
    } else {
        None
    }
}
