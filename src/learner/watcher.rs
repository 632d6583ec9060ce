//! What the loop tells the world as it goes (epochs, steps, checkpoints, the network itself),
//! and how the world stops it early — or holds it between two steps (the playground's pause).

use anyhow::Result;
use burn::optim::GradientsParams;
use burn::tensor::Tensor;

use super::{Checkpoint, Look, Position};
use crate::learner::metrics::EpochMetrics;
use crate::model::Network;

/// What the loop tells the world as it goes, and how the world stops it early. `N` is the
/// network being trained.
pub trait Watcher<N> {
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
    /// GRADIENT's result, before the STEP uses it (for a watcher that shows a step's numbers).
    fn gradients(&mut self, _model: &N, _gradients: &GradientsParams) {}
    /// After every STEP, with the network as it now is. The loop waits while this runs: a
    /// watcher that holds it here pauses training between two steps.
    fn stepped(&mut self, _step: &Stepped<'_, N>) {}
    /// Asked after every STEP; `true` (Ctrl-C) ends the run there.
    fn interrupted(&self) -> bool {
        false
    }
    /// The network as it is after INIT (epoch 0) and after every epoch (with autodiff: its
    /// `valid()` is the network in inference mode), for pictures of what it learned. The loop
    /// waits while this runs, as it does for [`stepped`](Self::stepped).
    fn network(&mut self, _epoch: usize, _model: &N) {}
}

/// One STEP done.
pub struct Stepped<'a, N> {
    pub epoch: usize,
    /// Steps of this epoch taken, this one included.
    pub steps_done: usize,
    /// The rows of the batch it learned from.
    pub batch_rows: usize,
    /// The learning rate it stepped with.
    pub learning_rate: f64,
    /// The network after the STEP (with autodiff).
    pub model: &'a N,
    /// The batch's loss before the STEP `[1]`, on the device (reading it waits for the device).
    pub loss: &'a Tensor<1>,
}

impl<'a, N> Stepped<'a, N> {
    pub(super) fn new(
        at: &Position,
        (batch_rows, learning_rate): (usize, f64),
        model: &'a N,
        loss: &'a Tensor<1>,
    ) -> Self {
        let (epoch, steps_done) = (at.epoch, at.steps_done);
        Stepped {
            epoch,
            steps_done,
            batch_rows,
            learning_rate,
            model,
            loss,
        }
    }
}

/// A closure that sees each epoch's metrics is a watcher that never checkpoints or interrupts.
impl<N, F: FnMut(&EpochMetrics)> Watcher<N> for F {
    fn epoch(&mut self, metrics: &EpochMetrics) {
        self(metrics)
    }
}

/// A watcher looking at a step's phases: it is shown GRADIENT's result.
pub(super) struct Watching<'w, W>(pub &'w mut W);

impl<N: Network, W: Watcher<N>> Look<N> for Watching<'_, W> {
    fn gradients(&mut self, model: &N, gradients: &GradientsParams) {
        self.0.gradients(model, gradients)
    }
}
