//! Holding rows out: the validation split measures the loss on data the STEP never saw.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use super::Targets;
use crate::config::TrainConfig;

/// Row indices of the training and validation parts, each in the file's order.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitRows {
    pub train: Vec<usize>,
    pub valid: Vec<usize>,
}

/// The rows a run of `config` holds out, and those it trains on: the one rule training and
/// `eval` both follow (they must agree, or `eval` scores rows the model was trained on).
/// `default_fraction` is the data source's when `--valid-fraction` is not given.
pub fn held_out(targets: &Targets, config: &TrainConfig, default_fraction: f64) -> SplitRows {
    let fraction = config.valid_fraction.unwrap_or(default_fraction);
    split(targets, fraction, config.seed)
}

/// Splits the rows with the seed: `ceil(fraction × rows)` go to validation.
///
/// Classification splits are stratified: each class keeps its share in both parts (iris is
/// ordered by class, so an unshuffled split would hold out one species entirely).
pub fn split(targets: &Targets, fraction: f64, seed: u64) -> SplitRows {
    let rows = targets.len();
    let valid_count = ((fraction * rows as f64).ceil() as usize).min(rows.saturating_sub(1));
    if valid_count == 0 {
        return SplitRows {
            train: (0..rows).collect(),
            valid: Vec::new(),
        };
    }
    let mut order: Vec<usize> = (0..rows).collect();
    order.shuffle(&mut StdRng::seed_from_u64(seed));
    if let Targets::Classes { indices, .. } = targets {
        // Group the shuffled rows by class, then take evenly spaced rows across the groups: each
        // class contributes in proportion to its size.
        // (A stable sort by class, in one sweep: each class's rows in their shuffled order.)
        let mut starts = vec![0; indices.iter().max().map_or(0, |&most| most + 2)];
        indices.iter().for_each(|&class| starts[class + 1] += 1);
        (1..starts.len()).for_each(|class| starts[class] += starts[class - 1]);
        let mut grouped = vec![0; rows];
        for row in order {
            grouped[starts[indices[row]]] = row;
            starts[indices[row]] += 1;
        }
        order = grouped;
    }
    let mut is_valid = vec![false; rows];
    for pick in 0..valid_count {
        // At most (valid_count − ½) · rows / valid_count = rows − rows / (2 · valid_count),
        // which is below rows − ½ because valid_count < rows: always a row.
        let position = ((pick as f64 + 0.5) * rows as f64 / valid_count as f64) as usize;
        is_valid[order[position]] = true;
    }
    // Each part in the file's order: the shuffle chose the rows, and each epoch shuffles the
    // training rows afresh (`DeviceData::shuffled_batches`). Rows in order are read and encoded
    // front to back, several times faster than rows in a random order on a million rows.
    let mut train = Vec::with_capacity(rows - valid_count);
    let mut valid = Vec::with_capacity(valid_count);
    for (row, is_valid) in is_valid.into_iter().enumerate() {
        match is_valid {
            true => valid.push(row),
            false => train.push(row),
        }
    }
    SplitRows { train, valid }
}
