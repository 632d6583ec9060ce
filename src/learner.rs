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

use std::panic::{catch_unwind, AssertUnwindSafe};

use anyhow::{anyhow, Result};
use burn::grad_clipping::GradientClippingConfig;
use burn::module::Module;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{GradientsParams, ModuleOptimizer, SgdConfig};
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device, Tensor};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::batch::DeviceData;
use crate::config::Keep;
use crate::config::TrainConfig;
pub use crate::keep::Kept;
use crate::loss::{Loss, TargetTensor};
use crate::metrics::EpochMetrics;
use crate::model::{Model, ModelConfig};
use crate::stop::{Lowest, StopPolicy, StopReason, Watched};

/// What a run produced: the trained network, its history and why it stopped.
#[derive(Debug)]
pub struct Training {
    /// The kept model (see [`Kept`]), in inference mode (no autodiff).
    pub model: Model,
    /// Which epoch's parameters `model` holds, and why (none if no epoch finished).
    pub kept: Option<Kept>,
    /// One entry per finished epoch.
    pub history: Vec<EpochMetrics>,
    pub stop: StopReason,
}

/// Trains one model with SGD, phase by phase.
pub struct Learner<'a> {
    pub config: &'a TrainConfig,
    pub model: &'a ModelConfig,
    /// The learning rate of every STEP (`--lr`, or what `--lr auto` found).
    pub learning_rate: f64,
    /// The device to train on, without autodiff (the learner turns it on).
    pub device: Device,
    /// The loss STOP watches: validation when rows are held out, else training.
    pub watched: Watched,
}

/// What INIT sets up: the parameters, SGD (with its momentum buffers), the loss function, and
/// where the run is.
pub struct Init {
    pub model: Model,
    pub optimizer: ModuleOptimizer,
    pub loss_function: Loss,
    pub position: Position,
    /// The parameters of the epoch with the lowest loss so far, in inference mode.
    pub lowest: Option<Model>,
}

/// Where a run is. With the parameters and SGD's momentum, enough to continue it exactly as if
/// it had never stopped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// The epoch in progress, counted from 1.
    pub epoch: usize,
    /// Steps of that epoch already taken (a Ctrl-C stops mid-epoch).
    pub steps_done: usize,
    /// Their summed loss (each batch's mean × its rows), so the epoch's mean comes out the same.
    pub loss_sum: f64,
    /// The finished epochs.
    pub history: Vec<EpochMetrics>,
    pub stop_policy: StopPolicy,
}

/// A snapshot a run can be resumed from: parameters and SGD state as burnpack records, and the
/// position. The random number generator needs no saving: each epoch's shuffle is seeded by the
/// run's seed and the epoch number ([`Learner::shuffle`]).
#[derive(Clone, Debug)]
pub struct Checkpoint {
    pub model: Vec<u8>,
    pub optimizer: Vec<u8>,
    /// The parameters of the epoch with the lowest loss so far (none before the first epoch).
    pub lowest: Option<Vec<u8>>,
    pub position: Position,
}

/// What the loop tells the world as it goes, and how the world stops it early.
pub trait Watcher {
    /// After every epoch, with its metrics.
    fn epoch(&mut self, _metrics: &EpochMetrics) {}
    /// Keep this snapshot: every `--checkpoint-every` epochs, and when interrupted.
    fn checkpoint(&mut self, _checkpoint: Checkpoint) -> Result<()> {
        Ok(())
    }
    /// Asked after every STEP; `true` (Ctrl-C) ends the run there.
    fn interrupted(&self) -> bool {
        false
    }
}

/// A closure that sees each epoch's metrics is a watcher that never checkpoints or interrupts.
impl<F: FnMut(&EpochMetrics)> Watcher for F {
    fn epoch(&mut self, metrics: &EpochMetrics) {
        self(metrics)
    }
}

impl Learner<'_> {
    /// Runs the loop on `train` (on the autodiff device, see [`Learner::training_device`]),
    /// measuring `valid` (on the plain device) after each epoch. Starts from INIT, or from
    /// `resume`, a checkpoint of an earlier run of the same configuration.
    pub fn run(
        &self,
        train: &DeviceData,
        valid: Option<&DeviceData>,
        resume: Option<Checkpoint>,
        watcher: &mut impl Watcher,
    ) -> Result<Training> {
        let config = self.config;
        let learning_rate = self.learning_rate;

        // INIT: random parameters from the seed — or, resuming, the parameters, momentum and
        // position a checkpoint saved.
        let Init {
            mut model,
            mut optimizer,
            loss_function,
            mut position,
            mut lowest,
        } = match resume {
            None => self.init(),
            Some(checkpoint) => self.restore(checkpoint)?,
        };

        loop {
            let epoch = position.epoch;
            // The epoch's loss is summed on the device and read back once, at the end.
            let mut loss_sum: Tensor<1> =
                Tensor::from_floats([position.loss_sum as f32], &self.device);
            let batches = train.shuffled_batches(config.batch_size, &mut self.shuffle(epoch));
            for (features, targets) in batches.skip(position.steps_done) {
                let batch_rows = features.dims()[0];

                // PREDICT: the network's outputs for this batch.
                let prediction = model.forward(features); // [batch, outputs]

                // LOSS: how wrong they are, one number.
                let loss = loss_function.forward(prediction, &targets); // [1]

                // GRADIENT: backpropagation gives d(loss)/d(parameter) for every parameter.
                let gradients = GradientsParams::from_grads(loss.backward(), &model);

                // STEP: parameter ← parameter − learning_rate × gradient (with momentum, weight
                // decay and clipping as configured).
                model = optimizer.step(learning_rate, model, gradients);

                loss_sum = loss_sum + loss.inner().mul_scalar(batch_rows as f64);
                position.steps_done += 1;

                // STOP, asked from outside (Ctrl-C): keep everything, end after this step.
                if watcher.interrupted() {
                    position.loss_sum = loss_sum.into_scalar::<f64>();
                    let snapshot = checkpoint(&model, &optimizer, lowest.as_ref(), &position)?;
                    watcher.checkpoint(snapshot)?;
                    let stop = StopReason::Interrupted { epoch };
                    return Ok(self.finish(model, lowest, position, stop));
                }
            }
            let train_loss = loss_sum.into_scalar::<f64>() / train.rows as f64;
            let (valid_loss, valid_accuracy) = match valid {
                Some(valid) => measure(&model.valid(), &loss_function, valid),
                None => (None, None),
            };
            let metrics = EpochMetrics {
                epoch,
                train_loss,
                valid_loss,
                valid_accuracy,
                learning_rate,
            };
            watcher.epoch(&metrics);
            let monitored_loss = metrics.monitored_loss();
            position.finish_epoch(metrics);

            // STOP: is the loss acceptable, stuck, or blown up — or are we out of epochs?
            let stop = position.stop_policy.check(epoch, monitored_loss);
            // The lowest loss so far: remember these parameters (what `--keep best` saves, and
            // what a diverging run falls back on).
            if position
                .stop_policy
                .lowest()
                .is_some_and(|low| low.epoch == epoch)
            {
                lowest = Some(model.valid());
            }
            if let Some(stop) = stop {
                return Ok(self.finish(model, lowest, position, stop));
            }
            if config
                .checkpoint_every
                .is_some_and(|every| epoch.is_multiple_of(every))
            {
                let snapshot = checkpoint(&model, &optimizer, lowest.as_ref(), &position)?;
                watcher.checkpoint(snapshot)?;
            }
        }
    }

    /// The model a run hands back: the lowest-loss epoch's (`--keep best`, or after the loss
    /// diverged), else the last one.
    fn finish(
        &self,
        last: Model,
        lowest: Option<Model>,
        position: Position,
        stop: StopReason,
    ) -> Training {
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
                last.valid(),
                position
                    .history
                    .last()
                    .map(|last| Kept::Last { epoch: last.epoch }),
            ),
        };
        Training {
            model,
            kept,
            history: position.history,
            stop,
        }
    }

    /// INIT: a model with random parameters drawn from the seed, a fresh SGD optimizer, the loss
    /// function, and the position at the start — the same for the same seed.
    pub fn init(&self) -> Init {
        let device = self.training_device();
        device.seed(self.config.seed);
        Init {
            model: self.model.init(&device),
            optimizer: sgd(self.config),
            loss_function: Loss::new(&device),
            position: Position {
                epoch: 1,
                steps_done: 0,
                loss_sum: 0.0,
                history: Vec::new(),
                stop_policy: StopPolicy::new(
                    self.config.target_loss,
                    self.config.epochs,
                    self.config.patience,
                    self.config.min_delta,
                    self.watched,
                ),
            },
            lowest: None,
        }
    }

    /// INIT from a checkpoint: its parameters (with their ids, which key SGD's momentum
    /// buffers), the momentum buffers themselves, and the position.
    pub fn restore(&self, checkpoint: Checkpoint) -> Result<Init> {
        let model = self.decode(checkpoint.model, &self.training_device())?;
        let lowest = checkpoint
            .lowest
            .map(|bytes| self.decode(bytes, &self.device))
            .transpose()?;
        // burn panics on some malformed optimizer records; a damaged file must be an error.
        let optimizer = catch_unwind(AssertUnwindSafe(|| {
            sgd(self.config).from_bytes(Bytes::from_bytes_vec(checkpoint.optimizer))
        }))
        .map_err(|_| anyhow!("the checkpoint's SGD state is damaged"))?
        .map_err(|err| anyhow!("the checkpoint's SGD state is damaged: {err}"))?;
        Ok(Init {
            model,
            optimizer,
            loss_function: Loss::new(&self.training_device()),
            position: checkpoint.position,
            lowest,
        })
    }

    /// Parameters from a checkpoint's record, in a model on `device`.
    fn decode(&self, record: Vec<u8>, device: &Device) -> Result<Model> {
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(record))
            .map_err(|err| anyhow!("the checkpoint's parameters are damaged: {err}"))?;
        self.model
            .init(device)
            .try_load_record(record)
            .map_err(|err| anyhow!("the checkpoint does not fit the model: {err}"))
    }

    /// The generator that orders epoch `epoch`'s minibatches: one per epoch, seeded by the run's
    /// seed and the epoch number, so a resumed run draws the same orders without replaying the
    /// epochs before.
    pub fn shuffle(&self, epoch: usize) -> StdRng {
        let mut seed = [0; 32];
        seed[..8].copy_from_slice(&self.config.seed.to_le_bytes());
        seed[8..16].copy_from_slice(&(epoch as u64).to_le_bytes());
        StdRng::from_seed(seed)
    }

    /// The device training data must live on: the learner's device with autodiff turned on.
    pub fn training_device(&self) -> Device {
        self.device.clone().autodiff()
    }
}

impl Position {
    /// Records a finished epoch and moves to the start of the next.
    fn finish_epoch(&mut self, metrics: EpochMetrics) {
        self.history.push(metrics);
        self.epoch += 1;
        self.steps_done = 0;
        self.loss_sum = 0.0;
    }
}

/// A snapshot of the parameters, SGD's state, the lowest-loss parameters and the position.
fn checkpoint(
    model: &Model,
    optimizer: &ModuleOptimizer,
    lowest: Option<&Model>,
    position: &Position,
) -> Result<Checkpoint> {
    let encoding = |err| anyhow!("cannot encode the checkpoint: {err}");
    let encode = |model: &Model| -> Result<Vec<u8>> {
        Ok(model
            .clone()
            .into_record()
            .into_bytes()
            .map_err(encoding)?
            .to_vec())
    };
    Ok(Checkpoint {
        model: encode(model)?,
        optimizer: optimizer.into_bytes().map_err(encoding)?.to_vec(),
        lowest: lowest.map(encode).transpose()?,
        position: position.clone(),
    })
}

/// burn's SGD with the configured momentum (dampening 0, the textbook rule
/// `velocity ← momentum × velocity + gradient`), weight decay and gradient clipping.
fn sgd(config: &TrainConfig) -> ModuleOptimizer {
    let momentum = (config.momentum > 0.0).then(|| {
        MomentumConfig::new()
            .with_momentum(config.momentum)
            .with_dampening(0.0)
            .with_nesterov(config.nesterov)
    });
    let weight_decay =
        (config.weight_decay > 0.0).then(|| WeightDecayConfig::new(config.weight_decay as f32));
    SgdConfig::new()
        .with_momentum(momentum)
        .with_weight_decay(weight_decay)
        .with_gradient_clipping(config.clip_grad_norm.map(GradientClippingConfig::Norm))
        .init()
}

/// Loss and (for classes) accuracy of the model on a whole split.
fn measure(model: &Model, loss_function: &Loss, data: &DeviceData) -> (Option<f64>, Option<f64>) {
    let prediction = model.forward(data.features.clone()); // [rows, outputs]
    let loss = loss_function
        .forward(prediction.clone(), &data.targets)
        .into_scalar::<f64>();
    let accuracy = match &data.targets {
        TargetTensor::Classes(classes) => {
            let predicted = prediction.argmax(1).reshape([data.rows]); // [rows]
            let right = predicted.equal(classes.clone()).int().sum();
            Some(right.into_scalar::<f64>() / data.rows as f64)
        }
        TargetTensor::Values(_) => None,
    };
    (Some(loss), accuracy)
}
