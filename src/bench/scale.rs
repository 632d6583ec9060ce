//! The `scale` workload's data: generated in memory, large enough that the matrix products,
//! not the per-operation overhead, set the pace.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::data::{Dataset, Targets};

/// Rows, features and classes of the generated `scale` data set.
pub const SCALE_ROWS: usize = 100_000;
pub const SCALE_FEATURES: usize = 256;
pub const SCALE_CLASSES: usize = 10;

/// The `scale` data set: 100,000 rows, 256 features, 10 classes.
pub fn scale_dataset(seed: u64) -> Dataset {
    projected_classes(SCALE_ROWS, SCALE_FEATURES, SCALE_CLASSES, seed)
}

/// `rows` rows of `width` uniform features in [-1, 1]; the class is the largest of `classes`
/// fixed random projections, so there is something to learn. f32 from the start: no
/// double-size copy.
pub fn projected_classes(rows: usize, width: usize, classes: usize, seed: u64) -> Dataset {
    let mut random = StdRng::seed_from_u64(seed);
    let projections: Vec<f32> = (0..classes * width)
        .map(|_| random.random_range(-1.0f32..1.0))
        .collect();
    let features: Vec<f32> = (0..rows * width)
        .map(|_| random.random_range(-1.0f32..1.0))
        .collect();
    let indices = features
        .chunks(width)
        .map(|row| {
            let scores = projections
                .chunks(width)
                .map(|projection| row.iter().zip(projection).map(|(x, w)| x * w).sum::<f32>());
            scores
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map_or(0, |(class, _)| class)
        })
        .collect();
    Dataset {
        name: "scale".into(),
        feature_names: (0..width).map(|i| format!("x{i}")).collect(),
        label_name: "class".into(),
        features,
        targets: Targets::Classes {
            indices,
            names: (0..classes).map(|class| class.to_string()).collect(),
        },
        task_reason: "generated".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_data_is_generated_the_same_every_time() {
        // Smaller than scale's own 100,000 × 256, which is the same code.
        let (a, b) = (
            projected_classes(2000, 16, 10, 1),
            projected_classes(2000, 16, 10, 1),
        );
        assert_eq!(a.rows(), 2000);
        assert_eq!(a.feature_count(), 16);
        assert_eq!(a.targets, b.targets);
        assert_eq!(a.features, b.features);
        let Targets::Classes { indices, .. } = &a.targets else {
            panic!("scale is classification")
        };
        // Every class occurs: the projections split the cube into ten regions.
        let mut seen = [false; 10];
        indices.iter().for_each(|&class| seen[class] = true);
        assert!(seen.iter().all(|&class| class));
    }
}
