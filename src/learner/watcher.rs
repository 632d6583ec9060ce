//! What the loop tells the world as it goes (epochs, checkpoints, the network itself), and how
//! the world stops it early.

use anyhow::Result;
use burn::tensor::Tensor;

use super::Checkpoint;
use crate::learner::metrics::EpochMetrics;

/// What the loop tells the world as it goes, and how the world stops it early.
pub trait Watcher {
    /// After every epoch, with its metrics.
    fn epoch(&mut self, _metrics: &EpochMetrics) {}
    /// Keep this snapshot: every `--checkpoint-every` epochs, when interrupted, and at the end
    /// of a run out of epochs when [`keeps_checkpoints`](Self::keeps_checkpoints).
    fn checkpoint(&mut self, _checkpoint: Checkpoint) -> Result<()> {
        Ok(())
    }
    /// Whether the watcher keeps snapshots beyond those asked for: a run out of epochs then
    /// hands over its last (to train it longer), which costs a copy of the parameters and
    /// SGD's state, so a watcher that would drop it is not handed one.
    fn keeps_checkpoints(&self) -> bool {
        false
    }
    /// Asked after every STEP; `true` (Ctrl-C) ends the run there.
    fn interrupted(&self) -> bool {
        false
    }
    /// The network as it is after INIT (epoch 0) and after every epoch, as its PREDICT in
    /// inference mode: features `[rows, inputs]` → outputs `[rows, outputs]` (for pictures of
    /// what it learned).
    fn network(&mut self, _epoch: usize, _forward: &dyn Fn(Tensor<2>) -> Tensor<2>) {}
}

/// A closure that sees each epoch's metrics is a watcher that never checkpoints or interrupts.
impl<F: FnMut(&EpochMetrics)> Watcher for F {
    fn epoch(&mut self, metrics: &EpochMetrics) {
        self(metrics)
    }
}
