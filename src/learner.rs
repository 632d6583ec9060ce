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

use burn::grad_clipping::GradientClippingConfig;
use burn::module::Module;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{GradientsParams, ModuleOptimizer, SgdConfig};
use burn::tensor::{Device, Tensor};
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::batch::DeviceData;
use crate::config::TrainConfig;
use crate::loss::{Loss, TargetTensor};
use crate::metrics::EpochMetrics;
use crate::model::{Model, ModelConfig};
use crate::stop::{StopPolicy, StopReason};

/// What a run produced: the trained network, its history and why it stopped.
#[derive(Debug)]
pub struct Training {
    /// The trained model, in inference mode (no autodiff).
    pub model: Model,
    /// One entry per epoch.
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
}

/// What INIT sets up: random parameters, and the tools of the other phases.
pub struct Init {
    pub model: Model,
    pub optimizer: ModuleOptimizer,
    pub loss_function: Loss,
    /// Draws the order of the minibatches.
    pub shuffle: StdRng,
}

impl Learner<'_> {
    /// Runs the loop on `train` (on the autodiff device, see [`Learner::training_device`]),
    /// measuring `valid` (on the plain device) after each epoch. `on_epoch` sees every epoch's
    /// metrics as they happen.
    pub fn run(
        &self,
        train: &DeviceData,
        valid: Option<&DeviceData>,
        mut on_epoch: impl FnMut(&EpochMetrics),
    ) -> Training {
        let config = self.config;
        let learning_rate = self.learning_rate;

        // INIT: random parameters, from the seed.
        let Init {
            mut model,
            mut optimizer,
            loss_function,
            mut shuffle,
        } = self.init();
        let mut stop_policy = StopPolicy::new(
            config.target_loss,
            config.epochs,
            config.patience,
            config.min_delta,
        );
        let mut history = Vec::new();

        for epoch in 1.. {
            // The epoch's loss is summed on the device and read back once, at the end.
            let mut loss_sum: Tensor<1> = Tensor::zeros([1], &self.device);
            for (features, targets) in train.shuffled_batches(config.batch_size, &mut shuffle) {
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
            on_epoch(&metrics);
            let monitored_loss = metrics.monitored_loss();
            history.push(metrics);

            // STOP: is the loss acceptable, stuck, or blown up — or are we out of epochs?
            if let Some(stop) = stop_policy.check(epoch, monitored_loss) {
                return Training {
                    model: model.valid(),
                    history,
                    stop,
                };
            }
        }
        unreachable!("the stop policy ends every run by its max epochs")
    }

    /// INIT: a model with random parameters drawn from the seed, a fresh SGD optimizer, the
    /// loss function, and the shuffler — the same for the same seed.
    pub fn init(&self) -> Init {
        let device = self.training_device();
        device.seed(self.config.seed);
        Init {
            model: self.model.init(&device),
            optimizer: sgd(self.config),
            loss_function: Loss::new(&device),
            shuffle: StdRng::seed_from_u64(self.config.seed),
        }
    }

    /// The device training data must live on: the learner's device with autodiff turned on.
    pub fn training_device(&self) -> Device {
        self.device.clone().autodiff()
    }
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
