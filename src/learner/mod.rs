//! The learning loop, as the article tells it:
//!
//! ```text
//! INIT      random parameters
//! repeat    for each epoch, for each shuffled minibatch:
//!   PREDICT   run the network forward on the batch
//!   LOSS      measure how wrong the predictions are
//!   GRADIENT  backpropagate: d(loss)/d(parameter) for every parameter
//!   STEP      parameter ← parameter − learning_rate × gradient (SGD)
//! STOP      when the loss is acceptable, stops improving, diverges, or the epochs run out
//! ```

pub mod batch;
pub mod keep;
pub mod loss;
pub mod measure;
pub mod metrics;
mod resume;
mod schedule;
mod step;
pub mod stop;
mod watcher;

use resume::EpochLoss;
pub use resume::{Checkpoint, Position};
pub(crate) use step::optimizer;
pub use step::{gradients, step, Look};
use watcher::Watching;
pub use watcher::{Stepped, Watcher};

use anyhow::Result;
use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::tensor::Device;

use crate::config::Keep;
use crate::config::TrainConfig;
use crate::device::seeded;
use crate::learner::batch::DeviceData;
pub use crate::learner::keep::Kept;
use crate::learner::loss::Loss;
use crate::learner::measure::measure;
use crate::learner::metrics::EpochMetrics;
use crate::learner::schedule::Schedule;
use crate::learner::stop::{Lowest, StopPolicy, StopReason, Watched};
use crate::model::{Architecture, Network};

/// What a run produced: the trained network, its history and why it stopped.
#[derive(Debug)]
pub struct Training<N> {
    /// The kept model (see [`Kept`]), in inference mode (no autodiff).
    pub model: N,
    /// Which epoch's parameters `model` holds, and why (none if no epoch finished).
    pub kept: Option<Kept>,
    /// One entry per finished epoch.
    pub history: Vec<EpochMetrics>,
    pub stop: StopReason,
}

/// Trains one network with SGD, phase by phase: any network an [`Architecture`] builds.
pub struct Learner<'a, A> {
    pub config: &'a TrainConfig,
    /// What INIT builds.
    pub architecture: &'a A,
    /// The learning rate (`--lr`, or what `--lr auto` found): of every STEP, or where the
    /// schedule starts (`--schedule`).
    pub learning_rate: f64,
    /// The device to train on, without autodiff (the learner turns it on).
    pub device: Device,
    /// The loss STOP watches: validation when rows are held out, else training.
    pub watched: Watched,
    /// INIT's parameters when they are given (`--init-from`), as a record of the
    /// architecture's network; `None`: random, from the seed.
    pub starting: Option<&'a [u8]>,
}

/// What INIT sets up: the parameters, SGD (with its momentum buffers), the loss function, and
/// where the run is.
pub struct Init<N> {
    pub model: N,
    pub optimizer: ModuleOptimizer,
    pub loss_function: Loss,
    pub position: Position,
    /// The parameters of the epoch with the lowest loss so far, as trained (the run's end turns
    /// them to inference mode, once, rather than every time the loss is lower).
    pub lowest: Option<N>,
}

impl<A: Architecture> Learner<'_, A> {
    /// Runs the loop on `train` (on the autodiff device, see [`Learner::training_device`]),
    /// measuring `valid` (on the plain device) after each epoch. Starts from INIT, or from
    /// `resume`, a checkpoint of an earlier run of the same configuration. The article's loop,
    /// every phase in its place, to be read top to bottom.
    pub fn run(
        &self,
        train: &DeviceData,
        valid: Option<&DeviceData>,
        resume: Option<Checkpoint>,
        watcher: &mut impl Watcher<A::Network>,
    ) -> Result<Training<A::Network>> {
        // INIT: random parameters from the seed (or the weights --init-from gave) — or,
        // resuming, the parameters, momentum and position a checkpoint saved.
        let Init {
            mut model,
            mut optimizer,
            loss_function,
            mut position,
            mut lowest,
        } = self.start(resume, watcher)?;
        // The learning rate of each epoch (the same every epoch unless --schedule says).
        let mut schedule = Schedule::starting_at(self.config, self.learning_rate, position.epoch)?;
        loop {
            let (epoch, rate) = (position.epoch, schedule.next_rate());
            // The epoch's loss is summed on the device and read back once, at the end.
            let mut loss_sum = EpochLoss::resume(&position, &self.device);
            for batch in self.batches(train, epoch).skip(position.steps_done) {
                let batch_rows = batch.0.dims()[0];
                // PREDICT, LOSS, GRADIENT, STEP on one minibatch (step.rs: the one STEP).
                let look = &mut Watching(watcher);
                let (stepped, loss) =
                    step(model, &mut optimizer, &loss_function, batch, rate, look);
                model = stepped;
                position.steps_done += 1;
                // The watcher sees the step (the playground holds the loop here while paused).
                watcher.stepped(&Stepped::new(&position, (batch_rows, rate), &model, &loss));
                loss_sum.add(loss.inner(), batch_rows);
                // STOP, asked from outside (Ctrl-C): keep everything, end after this step.
                if watcher.interrupted() {
                    position.loss_sum = loss_sum.read();
                    hand_over(watcher, &model, &optimizer, &lowest, &position)?;
                    let stop = StopReason::Interrupted { epoch };
                    return Ok(self.finish(model, lowest, position, stop));
                }
            }
            let train_loss = loss_sum.read() / train.rows as f64;
            let metrics = self.epoch_metrics(epoch, rate, train_loss, &model, valid);
            watcher.epoch(&metrics);
            watcher.network(epoch, &model);
            let monitored_loss = metrics.monitored_loss();
            position.finish_epoch(metrics);
            // STOP: is the loss acceptable, stuck, or blown up — or are we out of epochs?
            let stop = position.stop_policy.check(epoch, monitored_loss);
            // The lowest loss so far: what `--keep best` saves and a diverging run falls back on.
            if position.stop_policy.lowest_at(epoch) {
                lowest = Some(model.clone());
            }
            if self.snapshot_due(stop.as_ref(), epoch, watcher) {
                hand_over(watcher, &model, &optimizer, &lowest, &position)?;
            }
            if let Some(stop) = stop {
                return Ok(self.finish(model, lowest, position, stop));
            }
        }
    }

    /// INIT, or the checkpoint `resume` names; the watcher sees the network as INIT made it.
    fn start(
        &self,
        resume: Option<Checkpoint>,
        watcher: &mut impl Watcher<A::Network>,
    ) -> Result<Init<A::Network>> {
        let init = match resume {
            None => self.init()?,
            Some(checkpoint) => self.restore(checkpoint)?,
        };
        if init.position.epoch == 1 && init.position.steps_done == 0 {
            watcher.network(0, &init.model);
        }
        Ok(init)
    }

    /// Whether this epoch's end hands the watcher a snapshot: every `--checkpoint-every`
    /// epochs while the run goes on, and at the end of a run out of epochs, not done, one to
    /// continue from (`--resume DIR --epochs N`) as a longer run would have gone on.
    fn snapshot_due(
        &self,
        stop: Option<&StopReason>,
        epoch: usize,
        watcher: &impl Watcher<A::Network>,
    ) -> bool {
        match stop {
            None => self.checkpoint_due(epoch),
            Some(StopReason::MaxEpochs { .. }) => watcher.keeps_checkpoints(),
            Some(_) => false,
        }
    }

    /// `--checkpoint-every N`: after every Nth epoch.
    fn checkpoint_due(&self, epoch: usize) -> bool {
        let every = self.config.checkpoint_every;
        every.is_some_and(|every| epoch.is_multiple_of(every))
    }

    /// What epoch `epoch` achieved: its mean training loss, and the model measured on the
    /// validation rows (in inference mode, no autodiff).
    fn epoch_metrics(
        &self,
        epoch: usize,
        learning_rate: f64,
        train_loss: f64,
        model: &A::Network,
        valid: Option<&DeviceData>,
    ) -> EpochMetrics {
        let measured = valid.map(|valid| measure(&model.valid(), &Loss, valid));
        // Both losses are never below 0; rounding can give -1e-9, which reads as -0.000000.
        let at_least_zero = |loss: f64| if loss <= 0.0 { 0.0 } else { loss };
        EpochMetrics {
            epoch,
            train_loss: at_least_zero(train_loss),
            valid_loss: measured.map(|measured| at_least_zero(measured.loss)),
            valid_accuracy: measured.and_then(|measured| measured.accuracy),
            learning_rate,
        }
    }

    /// The model a run hands back: the lowest-loss epoch's (`--keep best`, or after the loss
    /// diverged), else the last one.
    fn finish(
        &self,
        last: A::Network,
        lowest: Option<A::Network>,
        position: Position,
        stop: StopReason,
    ) -> Training<A::Network> {
        let low = position.stop_policy.lowest();
        let watched = position.stop_policy.watched();
        let (model, kept) = match (lowest, low) {
            (Some(model), Some(Lowest { epoch, loss })) if stop.diverged() => (
                model,
                Some(Kept::BeforeDivergence {
                    epoch,
                    loss,
                    watched,
                }),
            ),
            (Some(model), Some(Lowest { epoch, loss })) if self.config.keep == Keep::Best => (
                model,
                Some(Kept::Lowest {
                    epoch,
                    loss,
                    watched,
                }),
            ),
            _ => (
                last,
                position
                    .history
                    .last()
                    .map(|last| Kept::Last { epoch: last.epoch }),
            ),
        };
        Training {
            model: model.valid(),
            kept,
            history: position.history,
            stop,
        }
    }

    /// INIT: a model with random parameters drawn from the seed (or the given ones), a fresh
    /// optimizer, the loss function, and the position at the start — the same for the same seed.
    pub fn init(&self) -> Result<Init<A::Network>> {
        let device = self.training_device();
        let model = match self.starting {
            // `--init-from`'s weights, read and checked against the network before the run.
            Some(record) => self.decode_starting(record, &device)?,
            None => seeded(&device, self.config.seed, || {
                self.architecture.init(&device)
            }),
        };
        Ok(Init {
            model,
            optimizer: optimizer(self.config),
            loss_function: Loss,
            position: Position::start(StopPolicy::new(
                self.config.target_loss,
                self.config.epochs,
                self.config.patience,
                self.config.min_delta,
                self.watched,
            )),
            lowest: None,
        })
    }

    /// The device training data must live on: the learner's device with autodiff turned on.
    pub fn training_device(&self) -> Device {
        self.device.clone().autodiff()
    }
}

/// Hands the watcher a snapshot to keep: the parameters, SGD's state, the lowest epoch's
/// parameters and the position in the run.
fn hand_over<N: Network>(
    watcher: &mut impl Watcher<N>,
    model: &N,
    optimizer: &ModuleOptimizer,
    lowest: &Option<N>,
    position: &Position,
) -> Result<()> {
    watcher.checkpoint(Checkpoint::take(model, optimizer, lowest, position)?)
}
