//! One minibatch through PREDICT, LOSS, GRADIENT and STEP: the only place the optimizer steps.
//! Training ([`Learner::run`](super::Learner::run)), `--trace` and `lr-find` call [`step`];
//! `gradcheck` takes its gradients from [`gradients`], the same first three phases. What a
//! caller wants to see of the phases as they happen (the trace's numbers), it sees through a
//! [`Look`].

use burn::grad_clipping::GradientClippingConfig;
use burn::optim::decay::WeightDecayConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{
    AdamConfig, AdamWConfig, GradientsParams, ModuleOptimizer, RmsPropConfig, SgdConfig,
};
use burn::tensor::Tensor;

use crate::config::{OptimizerKind, TrainConfig};
use crate::learner::loss::{Loss, TargetTensor};
use crate::model::Network;

/// What a caller sees of a step's phases; training looks at nothing (`()`).
pub trait Look<N> {
    /// PREDICT's outputs `[batch, outputs]`, before the loss is taken.
    fn prediction(&mut self, _prediction: &Tensor<2>, _targets: &TargetTensor) {}
    /// GRADIENT's result, before the STEP uses it.
    fn gradients(&mut self, _model: &N, _gradients: &GradientsParams) {}
}

impl<N> Look<N> for () {}

/// PREDICT, LOSS and GRADIENT for one minibatch: the loss `[1]` (still on the device) and
/// d(loss)/d(parameter) for every parameter.
pub fn gradients<N: Network>(
    model: &N,
    loss_function: &Loss,
    (features, targets): (Tensor<2>, TargetTensor),
    look: &mut impl Look<N>,
) -> (Tensor<1>, GradientsParams) {
    // PREDICT: the network's outputs for this batch.
    let prediction = model.forward(features); // [batch, outputs]
    look.prediction(&prediction, &targets);

    // LOSS: how wrong they are, one number.
    let loss = loss_function.forward(prediction, &targets); // [1]

    // GRADIENT: backpropagation gives d(loss)/d(parameter) for every parameter.
    let gradients = GradientsParams::from_grads(loss.backward(), model);
    look.gradients(model, &gradients);
    (loss, gradients)
}

/// PREDICT, LOSS, GRADIENT, then STEP: parameter ← parameter − learning_rate × gradient (with
/// momentum, weight decay and clipping as the optimizer was configured). Returns the stepped
/// model and the batch's loss `[1]`, still on the device (read it when it is wanted: reading
/// waits for the device).
pub fn step<N: Network>(
    model: N,
    optimizer: &mut ModuleOptimizer,
    loss_function: &Loss,
    batch: (Tensor<2>, TargetTensor),
    learning_rate: f64,
    look: &mut impl Look<N>,
) -> (N, Tensor<1>) {
    let (loss, gradients) = gradients(&model, loss_function, batch, look);

    // STEP
    let model = optimizer.step(learning_rate, model, gradients);
    (model, loss)
}

/// The optimizer STEP uses, from burn: SGD by default (the article's rule), or Adam, AdamW or
/// RMSprop; each with the configured weight decay and gradient clipping. The one place an
/// optimizer is built: INIT, a resumed run and the teaching tools all ask here.
pub(crate) fn optimizer(config: &TrainConfig) -> ModuleOptimizer {
    let clipping = config.clip_grad_norm.map(GradientClippingConfig::Norm);
    let decay = config.weight_decay as f32;
    let l2 = (decay > 0.0).then(|| WeightDecayConfig::new(decay));
    let (beta1, beta2, epsilon) = (
        config.beta1 as f32,
        config.beta2 as f32,
        config.epsilon as f32,
    );
    match config.optimizer {
        OptimizerKind::Sgd => sgd(config, l2, clipping),
        OptimizerKind::Adam => AdamConfig::new()
            .with_beta_1(beta1)
            .with_beta_2(beta2)
            .with_epsilon(epsilon)
            .with_weight_decay(l2)
            .with_grad_clipping(clipping)
            .init(),
        OptimizerKind::Adamw => AdamWConfig::new()
            .with_beta_1(beta1)
            .with_beta_2(beta2)
            .with_epsilon(epsilon)
            .with_weight_decay(decay)
            .with_grad_clipping(clipping)
            .init(),
        OptimizerKind::Rmsprop => RmsPropConfig::new()
            .with_alpha(config.alpha as f32)
            .with_momentum(0.0)
            .with_epsilon(epsilon)
            .with_weight_decay(l2)
            .with_grad_clipping(clipping)
            .init(),
    }
}

/// burn's SGD with the configured momentum (dampening 0, the textbook rule
/// `velocity ← momentum × velocity + gradient`).
fn sgd(
    config: &TrainConfig,
    weight_decay: Option<WeightDecayConfig>,
    clipping: Option<GradientClippingConfig>,
) -> ModuleOptimizer {
    let momentum = (config.momentum > 0.0).then(|| {
        MomentumConfig::new()
            .with_momentum(config.momentum)
            .with_dampening(0.0)
            .with_nesterov(config.nesterov)
    });
    SgdConfig::new()
        .with_momentum(momentum)
        .with_weight_decay(weight_decay)
        .with_gradient_clipping(clipping)
        .init()
}
