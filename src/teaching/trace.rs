//! The phase trace (`train --trace N`): the first N steps of a run with every phase's numbers,
//! to read beside the article.
//!
//! It replays the run's own start — the same INIT from the same seed, the same first batches —
//! and measures as it goes, so the numbers are those of the run that follows.

use anyhow::Result;
use burn::module::{Module, ModuleVisitor, Param, ParamId};
use burn::optim::GradientsParams;
use burn::tensor::activation::softmax;
use burn::tensor::Tensor;
use serde::Serialize;

use crate::learner::batch::DeviceData;
use crate::learner::loss::TargetTensor;
use crate::learner::{step, Init, Learner, Look};
use crate::model::{Architecture, Network};
use crate::teaching::optimizer_state::{state_norms, StateNorm};

/// How many rows of each batch the trace shows.
pub const SHOWN_ROWS: usize = 3;

/// Mean and spread of one parameter tensor.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParameterStats {
    /// Its place in the model, e.g. `hidden.0.weight`.
    pub name: String,
    pub count: usize,
    pub mean: f64,
    pub std: f64,
}

/// One row of a batch: what the network said and what it should have said.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShownPrediction {
    /// The outputs as a person reads them: class probabilities, or the (standardised) value.
    pub prediction: Vec<f32>,
    /// The class index, or the (standardised) target value.
    pub target: f32,
}

/// A parameter tensor during one STEP.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParameterStep {
    pub name: String,
    /// ‖gradient‖: how steep the loss is along this tensor.
    pub gradient_norm: f64,
    /// learning_rate × ‖gradient‖: how far plain SGD would move it.
    pub sgd_step: f64,
    /// ‖after − before‖: how far it actually moved (momentum and weight decay included).
    pub moved: f64,
    /// What the optimizer carries to the next STEP for it, by name, as norms: SGD's
    /// `velocity`, Adam's `moment_1` and `moment_2`, … (none for plain SGD).
    pub state: Vec<(String, f64)>,
}

/// One PREDICT → LOSS → GRADIENT → STEP round.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepTrace {
    pub step: usize,
    /// The epoch the step belongs to: after the last batch of one, the loop repeats.
    pub epoch: usize,
    pub batch_rows: usize,
    pub predictions: Vec<ShownPrediction>,
    pub loss: f64,
    pub learning_rate: f64,
    pub parameters: Vec<ParameterStep>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Trace {
    /// INIT: the random starting parameters.
    pub init: Vec<ParameterStats>,
    pub parameter_count: usize,
    pub steps: Vec<StepTrace>,
}

/// What the trace sees of a step's phases: the first predictions, and each parameter's
/// gradient norm before the STEP uses the gradients.
#[derive(Default)]
struct Seen {
    predictions: Vec<ShownPrediction>,
    gradient_norms: Vec<(ParamId, f64)>,
}

impl<N: Network> Look<N> for Seen {
    fn prediction(&mut self, prediction: &Tensor<2>, targets: &TargetTensor) {
        self.predictions = shown(prediction.clone(), targets);
    }

    fn gradients(&mut self, model: &N, gradients: &GradientsParams) {
        self.gradient_norms = gradient_norms(model, gradients);
    }
}

/// Runs the first `steps` steps of `learner` on `train`, measuring every phase. (Long for the
/// reason `Learner::run` is: the phases in order, each measured where it happens.)
pub fn trace<A: Architecture>(
    learner: &Learner<A>,
    train: &DeviceData,
    steps: usize,
) -> Result<Trace> {
    // INIT
    let Init {
        mut model,
        mut optimizer,
        loss_function,
        ..
    } = learner.init()?;
    let init = parameters(&model)
        .into_iter()
        .map(|(name, _, values)| stats(name, &values))
        .collect();
    let parameter_count = model.num_params();

    let mut traced = Vec::new();
    for (epoch, batch) in learner.endless_batches(train).take(steps) {
        let batch_rows = batch.0.dims()[0];
        let before = parameters(&model);
        let learning_rate = learner.rate_at(epoch);

        // PREDICT, LOSS, GRADIENT, STEP: training's step, the trace looking at each phase.
        let mut seen = Seen::default();
        let (stepped, loss) = step(
            model,
            &mut optimizer,
            &loss_function,
            batch,
            learning_rate,
            &mut seen,
        );
        model = stepped;

        let parameters = parameter_steps(
            before,
            parameters(&model),
            &seen.gradient_norms,
            learning_rate,
            &state_norms(&optimizer),
        );
        traced.push(StepTrace {
            step: traced.len() + 1,
            epoch,
            batch_rows,
            predictions: seen.predictions,
            loss: loss.into_scalar::<f64>(),
            learning_rate,
            parameters,
        });
    }
    Ok(Trace {
        init,
        parameter_count,
        steps: traced,
    })
}

/// The norm of every parameter's gradient: how steep the loss is along it.
pub fn gradient_norms(model: &impl Module, gradients: &GradientsParams) -> Vec<(ParamId, f64)> {
    gradient_values(model, gradients)
        .into_iter()
        .map(|(id, values)| (id, norm(values.iter().map(|&v| v as f64))))
        .collect()
}

/// What STEP did to each parameter: its gradient's norm, the step SGD would take from that
/// gradient alone, and how far the parameter moved (momentum included).
pub fn parameter_steps(
    before: Vec<(String, ParamId, Vec<f32>)>,
    after: Vec<(String, ParamId, Vec<f32>)>,
    gradient_norms: &[(ParamId, f64)],
    learning_rate: f64,
    state: &[StateNorm],
) -> Vec<ParameterStep> {
    let norm_of = |id: ParamId| {
        let norms = gradient_norms.iter();
        norms
            .filter(|(param, _)| *param == id)
            .map(|(_, norm)| *norm)
            .next()
    };
    before
        .into_iter()
        .zip(after)
        .map(|((name, id, before), (_, _, after))| {
            let gradient_norm = norm_of(id).unwrap_or(0.0);
            ParameterStep {
                name,
                gradient_norm,
                sgd_step: learning_rate * gradient_norm,
                moved: distance(&before, &after),
                state: (state.iter())
                    .filter(|norm| norm.parameter == id)
                    .map(|norm| (norm.what.clone(), norm.norm))
                    .collect(),
            }
        })
        .collect()
}

/// The first rows of a batch, as probabilities (classes) or values.
fn shown(prediction: Tensor<2>, targets: &TargetTensor) -> Vec<ShownPrediction> {
    let rows = prediction.dims()[0].min(SHOWN_ROWS);
    let outputs = prediction.dims()[1];
    let prediction = prediction.narrow(0, 0, rows);
    let (values, targets): (Vec<f32>, Vec<f32>) = match targets {
        TargetTensor::Classes(classes) => (
            softmax(prediction, 1).into_data().iter::<f32>().collect(),
            classes
                .clone()
                .narrow(0, 0, rows)
                .into_data()
                .iter::<f32>()
                .collect(),
        ),
        TargetTensor::Values(values) => (
            prediction.into_data().iter::<f32>().collect(),
            values
                .clone()
                .narrow(0, 0, rows)
                .into_data()
                .iter::<f32>()
                .collect(),
        ),
    };
    values
        .chunks(outputs)
        .zip(targets)
        .map(|(prediction, target)| ShownPrediction {
            prediction: prediction.to_vec(),
            target,
        })
        .collect()
}

/// Every parameter tensor of the model: its name, id and values.
pub fn parameters(model: &impl Module) -> Vec<(String, ParamId, Vec<f32>)> {
    struct Collect {
        path: Vec<String>,
        found: Vec<(String, ParamId, Vec<f32>)>,
    }
    impl ModuleVisitor for Collect {
        fn enter_module(&mut self, name: &str, _container: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _name: &str, _container: &str) {
            self.path.pop();
        }
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let values = param.val().into_data().iter::<f32>().collect();
            self.found.push((self.path.join("."), param.id, values));
        }
    }
    let mut collect = Collect {
        path: Vec::new(),
        found: Vec::new(),
    };
    model.visit(&mut collect);
    collect.found
}

/// The autodiff gradient of every parameter tensor that has one, as numbers.
pub fn gradient_values(
    model: &impl Module,
    gradients: &GradientsParams,
) -> Vec<(ParamId, Vec<f32>)> {
    struct Values<'a> {
        gradients: &'a GradientsParams,
        found: Vec<(ParamId, Vec<f32>)>,
    }
    impl ModuleVisitor for Values<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if let Some(gradient) = self.gradients.get::<D>(param.id) {
                let values = gradient.into_data().iter::<f32>().collect();
                self.found.push((param.id, values));
            }
        }
    }
    let mut values = Values {
        gradients,
        found: Vec::new(),
    };
    model.visit(&mut values);
    values.found
}

fn stats(name: String, values: &[f32]) -> ParameterStats {
    let count = values.len();
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / count.max(1) as f64;
    let variance = values
        .iter()
        .map(|&v| (v as f64 - mean).powi(2))
        .sum::<f64>()
        / count.max(1) as f64;
    ParameterStats {
        name,
        count,
        mean,
        std: variance.sqrt(),
    }
}

/// ‖after − before‖
fn distance(before: &[f32], after: &[f32]) -> f64 {
    norm(before.iter().zip(after).map(|(b, a)| *a as f64 - *b as f64))
}

/// The Euclidean length of a list of numbers.
pub fn norm(values: impl Iterator<Item = f64>) -> f64 {
    values.map(|v| v * v).sum::<f64>().sqrt()
}
