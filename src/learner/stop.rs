//! STOP: when is the loss acceptable, or when is more training pointless?
//!
//! The policy watches one loss per epoch — the validation loss when rows are held out, else the
//! training loss — and remembers its lowest value and epoch: the epoch `--keep best` saves, and
//! the yardstick for divergence.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A loss this many times above its lowest (and above where it started) has blown up.
pub const DIVERGENCE_FACTOR: f64 = 1000.0;

/// Which loss the policy watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Watched {
    /// The loss on the held-out rows, measured after each epoch.
    Validation,
    /// The mean loss of the epoch's minibatches (no rows held out).
    Training,
}

impl Watched {
    /// Validation when rows are held out, else training.
    pub fn of_split(held_out: bool) -> Watched {
        if held_out {
            Watched::Validation
        } else {
            Watched::Training
        }
    }
}

impl fmt::Display for Watched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Watched::Validation => "validation",
            Watched::Training => "training",
        })
    }
}

/// The lowest watched loss so far, and the epoch that reached it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lowest {
    pub epoch: usize,
    pub loss: f64,
}

/// Why training ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum StopReason {
    /// The watched loss reached the target.
    TargetLoss {
        target: f64,
        loss: f64,
        epoch: usize,
        watched: Watched,
    },
    /// The epoch budget ran out (with the target, if one was set, never reached).
    MaxEpochs {
        epochs: usize,
        target: Option<f64>,
        lowest: Option<Lowest>,
        watched: Watched,
    },
    /// The loss stopped improving.
    Patience {
        patience: usize,
        best: f64,
        epoch: usize,
        watched: Watched,
    },
    /// The loss became NaN or infinite, or grew far above its lowest: the steps overshoot and
    /// the parameters blew up. `lowest` is the last good epoch, if there was one.
    Diverged {
        loss: f64,
        epoch: usize,
        lowest: Option<Lowest>,
        watched: Watched,
    },
    /// Stopped from outside (Ctrl-C) during `epoch`; a checkpoint allows `--resume`.
    Interrupted { epoch: usize },
}

impl StopReason {
    pub fn diverged(&self) -> bool {
        matches!(self, StopReason::Diverged { .. })
    }

    /// The rule that stopped the run, in a few words (for a picture's caption).
    pub fn rule(&self) -> &'static str {
        match self {
            StopReason::TargetLoss { .. } => "target loss reached",
            StopReason::MaxEpochs { .. } => "max epochs",
            StopReason::Patience { .. } => "no improvement (patience)",
            StopReason::Diverged { .. } => "the loss diverged",
            StopReason::Interrupted { .. } => "interrupted",
        }
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::TargetLoss {
                target,
                epoch,
                watched,
                ..
            } => write!(
                f,
                "the {watched} loss reached --target-loss {target} at epoch {epoch}"
            ),
            StopReason::MaxEpochs {
                epochs,
                target,
                lowest,
                watched,
            } => {
                write!(f, "max epochs {epochs} reached")?;
                if let Some(target) = target {
                    write!(
                        f,
                        " without the {watched} loss reaching --target-loss {target}"
                    )?;
                }
                if let Some(Lowest { epoch, loss }) = lowest {
                    write!(f, "; lowest {watched} loss {loss:.6} at epoch {epoch}")?;
                }
                Ok(())
            }
            StopReason::Patience {
                patience,
                best,
                epoch,
                watched,
            } => write!(
                f,
                "no improvement of the {watched} loss for {patience} epochs at epoch {epoch} \
                 (best {best:.6})"
            ),
            StopReason::Diverged {
                loss,
                epoch,
                watched,
                ..
            } => {
                let shown = if loss.abs() < 1e6 {
                    format!("{loss:.4}")
                } else {
                    format!("{loss:.3e}")
                };
                write!(f, "the {watched} loss diverged to {shown} at epoch {epoch}")
            }
            StopReason::Interrupted { epoch } => write!(f, "interrupted at epoch {epoch}"),
        }
    }
}

/// Ends training on the first of: a diverging loss (non-finite, or [`DIVERGENCE_FACTOR`] times
/// its lowest), the target loss, `patience` epochs without an improvement of at least
/// `min_delta`, or the last epoch. Saved in checkpoints: its memory of the losses is part of
/// where a run is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StopPolicy {
    target_loss: Option<f64>,
    max_epochs: usize,
    patience: Option<usize>,
    min_delta: f64,
    watched: Watched,
    /// The best loss for `patience` (an improvement must beat it by `min_delta`).
    best: Option<f64>,
    epochs_without_improvement: usize,
    /// The first epoch's loss: a loss that diverges climbs above where it started.
    first: Option<f64>,
    lowest: Option<Lowest>,
}

impl StopPolicy {
    pub fn new(
        target_loss: Option<f64>,
        max_epochs: usize,
        patience: Option<usize>,
        min_delta: f64,
        watched: Watched,
    ) -> Self {
        Self {
            target_loss,
            max_epochs,
            patience,
            min_delta,
            watched,
            best: None,
            epochs_without_improvement: 0,
            first: None,
            lowest: None,
        }
    }

    /// The same policy with more epochs to run: a run out of epochs continued (`--resume DIR
    /// --epochs N`).
    pub fn with_max_epochs(self, max_epochs: usize) -> Self {
        Self { max_epochs, ..self }
    }

    /// Whether epoch `epoch` has the lowest watched loss so far.
    pub fn lowest_at(&self, epoch: usize) -> bool {
        self.lowest().is_some_and(|low| low.epoch == epoch)
    }

    /// The lowest watched loss so far and its epoch.
    pub fn lowest(&self) -> Option<Lowest> {
        self.lowest
    }

    pub fn watched(&self) -> Watched {
        self.watched
    }

    /// Looks at the watched loss after `epoch` (counted from 1); `Some` means stop now.
    pub fn check(&mut self, epoch: usize, loss: f64) -> Option<StopReason> {
        let watched = self.watched;
        if self.diverges(loss) {
            return Some(StopReason::Diverged {
                loss,
                epoch,
                lowest: self.lowest,
                watched,
            });
        }
        self.first.get_or_insert(loss);
        if self.lowest.is_none_or(|lowest| loss < lowest.loss) {
            self.lowest = Some(Lowest { epoch, loss });
        }
        if let Some(target) = self.target_loss {
            if loss <= target {
                return Some(StopReason::TargetLoss {
                    target,
                    loss,
                    epoch,
                    watched,
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
                    watched,
                });
            }
        }
        (epoch >= self.max_epochs).then_some(StopReason::MaxEpochs {
            epochs: self.max_epochs,
            target: self.target_loss,
            lowest: self.lowest,
            watched,
        })
    }

    /// NaN or infinite, or far above both the lowest loss and the first.
    fn diverges(&self, loss: f64) -> bool {
        if !loss.is_finite() {
            return true;
        }
        match (self.lowest, self.first) {
            (Some(lowest), Some(first)) => loss > DIVERGENCE_FACTOR * lowest.loss && loss > first,
            _ => false,
        }
    }
}

#[cfg(test)]
#[path = "stop_tests.rs"]
mod tests;
