//! Per-epoch records and the scores a person reads beside them (confusion, R²); the loss and
//! accuracy themselves are measured on the device ([`measure`](mod@crate::learner::measure)).

use serde::{Deserialize, Serialize};

/// One row of `metrics.csv`: what an epoch achieved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
    pub epoch: usize,
    /// Mean loss over the epoch's minibatches.
    pub train_loss: f64,
    /// Loss on the validation rows after the epoch (none without a validation split).
    pub valid_loss: Option<f64>,
    /// Fraction of validation rows classified right (classification with a split only).
    pub valid_accuracy: Option<f64>,
    pub learning_rate: f64,
}

impl EpochMetrics {
    /// The loss the stop policy watches: validation when there is a split, else training.
    pub fn monitored_loss(&self) -> f64 {
        self.valid_loss.unwrap_or(self.train_loss)
    }
}

/// `matrix[actual][predicted]`: how often each class was taken for each other class.
pub fn confusion(predicted: &[usize], actual: &[usize], classes: usize) -> Vec<Vec<usize>> {
    let mut matrix = vec![vec![0; classes]; classes];
    for (&predicted, &actual) in predicted.iter().zip(actual) {
        matrix[actual][predicted] += 1;
    }
    matrix
}

/// Regression scores in the target's own units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegressionScores {
    /// Mean squared error.
    pub mse: f64,
    /// Root mean squared error: the typical error, in the target's units.
    pub rmse: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// Coefficient of determination: 1 is perfect, 0 is no better than predicting the mean.
    pub r2: f64,
}

pub fn regression_scores(predicted: &[f32], actual: &[f32]) -> RegressionScores {
    let count = actual.len().max(1) as f64;
    let mean = actual.iter().map(|&y| y as f64).sum::<f64>() / count;
    let (mut squared, mut absolute, mut total) = (0.0, 0.0, 0.0);
    for (&prediction, &y) in predicted.iter().zip(actual) {
        let error = prediction as f64 - y as f64;
        squared += error * error;
        absolute += error.abs();
        total += (y as f64 - mean).powi(2);
    }
    RegressionScores {
        mse: squared / count,
        rmse: (squared / count).sqrt(),
        mae: absolute / count,
        r2: if total > 0.0 {
            1.0 - squared / total
        } else {
            0.0
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusion_counts_right_and_wrong() {
        let predicted = [0, 1, 1, 2];
        let actual = [0, 1, 2, 2];
        assert_eq!(
            confusion(&predicted, &actual, 3),
            vec![vec![1, 0, 0], vec![0, 1, 0], vec![0, 1, 1]]
        );
    }

    #[test]
    fn regression_scores_of_a_perfect_and_a_mean_prediction() {
        let actual = [1.0, 2.0, 3.0];
        assert_eq!(regression_scores(&actual, &actual).r2, 1.0);
        let mean = regression_scores(&[2.0, 2.0, 2.0], &actual);
        assert!((mean.r2).abs() < 1e-12);
        assert!((mean.mse - 2.0 / 3.0).abs() < 1e-12);
        assert!((mean.mae - 2.0 / 3.0).abs() < 1e-12);
    }
}
