//! STOP: when is the loss acceptable, or when is more training pointless?

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why training ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum StopReason {
    /// The monitored loss reached the target.
    TargetLoss {
        target: f64,
        loss: f64,
        epoch: usize,
    },
    /// The epoch budget ran out.
    MaxEpochs { epochs: usize },
    /// The loss stopped improving.
    Patience {
        patience: usize,
        best: f64,
        epoch: usize,
    },
    /// The loss became NaN or infinite: the steps overshoot and the parameters blew up.
    Diverged { loss: f64, epoch: usize },
    /// Stopped from outside (Ctrl-C) during `epoch`; a checkpoint allows `--resume`.
    Interrupted { epoch: usize },
}

impl StopReason {
    pub fn diverged(&self) -> bool {
        matches!(self, StopReason::Diverged { .. })
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::TargetLoss { target, epoch, .. } => {
                write!(f, "target loss {target} reached at epoch {epoch}")
            }
            StopReason::MaxEpochs { epochs } => write!(f, "max epochs {epochs} reached"),
            StopReason::Patience {
                patience,
                best,
                epoch,
            } => write!(
                f,
                "no improvement for {patience} epochs at epoch {epoch} (best loss {best:.6})"
            ),
            StopReason::Diverged { loss, epoch } => {
                write!(f, "loss diverged to {loss} at epoch {epoch}")
            }
            StopReason::Interrupted { epoch } => write!(f, "interrupted at epoch {epoch}"),
        }
    }
}

/// Ends training on the first of: a non-finite loss, the target loss, `patience` epochs without
/// an improvement of at least `min_delta`, or the last epoch. Saved in checkpoints: its memory
/// of the best loss is part of where a run is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StopPolicy {
    target_loss: Option<f64>,
    max_epochs: usize,
    patience: Option<usize>,
    min_delta: f64,
    /// The best loss so far (none before the first epoch).
    best: Option<f64>,
    epochs_without_improvement: usize,
}

impl StopPolicy {
    pub fn new(
        target_loss: Option<f64>,
        max_epochs: usize,
        patience: Option<usize>,
        min_delta: f64,
    ) -> Self {
        Self {
            target_loss,
            max_epochs,
            patience,
            min_delta,
            best: None,
            epochs_without_improvement: 0,
        }
    }

    /// Looks at the monitored loss after `epoch` (counted from 1); `Some` means stop now.
    pub fn check(&mut self, epoch: usize, loss: f64) -> Option<StopReason> {
        if !loss.is_finite() {
            return Some(StopReason::Diverged { loss, epoch });
        }
        if let Some(target) = self.target_loss {
            if loss <= target {
                return Some(StopReason::TargetLoss {
                    target,
                    loss,
                    epoch,
                });
            }
        }
        if self.best.is_none_or(|best| loss < best - self.min_delta) {
            self.best = Some(loss);
            self.epochs_without_improvement = 0;
        } else {
            self.epochs_without_improvement += 1;
        }
        if let Some(patience) = self.patience {
            if self.epochs_without_improvement >= patience {
                return Some(StopReason::Patience {
                    patience,
                    best: self.best.unwrap_or(loss),
                    epoch,
                });
            }
        }
        (epoch >= self.max_epochs).then_some(StopReason::MaxEpochs {
            epochs: self.max_epochs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_loss_stops_first() {
        let mut policy = StopPolicy::new(Some(1.0), 10, Some(1), 0.0);
        assert!(policy.check(1, f64::NAN).unwrap().diverged());
        assert!(policy.check(1, f64::INFINITY).unwrap().diverged());
    }

    #[test]
    fn target_loss_stops_when_reached() {
        let mut policy = StopPolicy::new(Some(0.1), 100, None, 0.0);
        assert_eq!(policy.check(1, 0.5), None);
        assert_eq!(
            policy.check(2, 0.1),
            Some(StopReason::TargetLoss {
                target: 0.1,
                loss: 0.1,
                epoch: 2
            })
        );
    }

    #[test]
    fn patience_counts_epochs_without_enough_improvement() {
        let mut policy = StopPolicy::new(None, 100, Some(2), 0.01);
        assert_eq!(policy.check(1, 1.0), None);
        assert_eq!(policy.check(2, 0.995), None); // improved by less than min_delta
        assert_eq!(
            policy.check(3, 0.999),
            Some(StopReason::Patience {
                patience: 2,
                best: 1.0,
                epoch: 3
            })
        );
    }

    #[test]
    fn max_epochs_is_the_last_resort() {
        let mut policy = StopPolicy::new(None, 2, None, 0.0);
        assert_eq!(policy.check(1, 1.0), None);
        assert_eq!(
            policy.check(2, 0.5),
            Some(StopReason::MaxEpochs { epochs: 2 })
        );
    }
}
