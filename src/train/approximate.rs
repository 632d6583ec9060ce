//! The universal approximation theorem in one picture (`stepwise approximate`): the same target
//! — `sine` by default, or any data set of one input and a number to predict — learned by MLPs
//! with one hidden layer of 1, 2, 4, 8 and 32 neurons. A wider layer has more pieces to bend
//! into the curve, so its fit is closer: the theorem says a wide enough one gets as close as you
//! like.

use anyhow::{bail, Result};
use burn::module::Module;

use crate::config::{ModelKind, Task, TrainConfig};
use crate::device::Backend;
use crate::learner::metrics::EpochMetrics;
use crate::model::Network;
use crate::pictures::curve::{self, Curve, FitRecorder};
use crate::pictures::FitPicture;
use crate::train::Plan;

/// The hidden widths `approximate` tries unless told others.
pub const WIDTHS: [usize; 5] = [1, 2, 4, 8, 32];

/// One width's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Approximant {
    pub width: usize,
    pub parameters: usize,
    /// The kept epoch's watched loss (validation when the data is split, else training).
    pub loss: f64,
    /// Its curve across the input's range, in the data's units.
    pub curve: Curve,
}

/// Every width's fit of the same data.
#[derive(Clone, Debug, PartialEq)]
pub struct Approximation {
    pub approximants: Vec<Approximant>,
    /// (input, target) of the training and validation rows.
    pub train: Vec<(f64, f64)>,
    pub valid: Vec<(f64, f64)>,
    /// The data set whose true function is known (`sine`, `line`), if it is one.
    pub truth: Option<String>,
    /// The input's and the target's names.
    pub names: (String, String),
}

impl Approximation {
    /// What `pictures::fit_svg` draws: every width's curve over the data.
    pub fn picture(&self) -> FitPicture {
        FitPicture {
            train: self.train.clone(),
            valid: self.valid.clone(),
            truth: self.truth.clone(),
            names: self.names.clone(),
            curves: self.approximants.iter().map(|a| a.curve.clone()).collect(),
            title: format!(
                "{} fitted by one hidden layer of {} neurons",
                self.truth.as_deref().unwrap_or(&self.names.1),
                self.approximants
                    .iter()
                    .map(|approximant| approximant.width.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Trains an MLP of one hidden layer of each of `widths` on the data `config` names, with the
/// rest of `config`, and keeps each one's curve.
pub fn approximate(
    config: &TrainConfig,
    widths: &[usize],
    backend: &Backend,
) -> Result<Approximation> {
    if widths.is_empty() || widths.contains(&0) {
        anyhow::bail!("--widths needs one or more positive layer widths, e.g. `--widths 2,8,32`");
    }
    let mut approximants = Vec::new();
    let mut picture = None;
    for &width in widths {
        let plan = Plan::prepare(
            config
                .clone()
                .with_model(ModelKind::Mlp)
                .with_hidden(vec![width]),
            None,
            backend.clone(),
        )?;
        approximants.push(approximant(&plan, width)?);
        picture.get_or_insert_with(|| {
            let scaling = (
                &plan.card.feature_scaling,
                plan.card.target_scaling.as_ref(),
            );
            let train = curve::data_points(plan.train_data(), scaling);
            let valid = plan
                .valid_data()
                .map_or_else(Vec::new, |valid| curve::data_points(valid, scaling));
            let names = (
                plan.card.feature_names[0].clone(),
                plan.card.label_name.clone(),
            );
            let truth = curve::truth(&plan.frame.name).map(|_| plan.frame.name.clone());
            (train, valid, truth, names)
        });
    }
    let Some((train, valid, truth, names)) = picture else {
        bail!("give at least one width");
    };
    Ok(Approximation {
        approximants,
        train,
        valid,
        truth,
        names,
    })
}

/// Trains `plan` (an MLP of one hidden layer of `width`) and keeps its curve.
fn approximant(plan: &Plan, width: usize) -> Result<Approximant> {
    if plan.card.task != Task::Regression || plan.card.model.inputs != 1 {
        bail!(
            "approximate draws a curve: it needs one input and a number to predict, and {} has \
             {} inputs and {}",
            plan.config().dataset,
            plan.card.model.inputs,
            plan.card.task
        );
    }
    let recorder = FitRecorder::new(plan.train_data(), plan.valid_data(), &plan.backend.device);
    let watcher = &mut |_: &EpochMetrics| {};
    let training = plan
        .learner()
        .run(plan.train_data(), plan.valid_data(), None, watcher)?;
    let Some((epoch, loss)) = training.kept.as_ref().and_then(|kept| {
        let metrics = training.history.iter().find(|m| m.epoch == kept.epoch())?;
        Some((kept.epoch(), metrics.monitored_loss()))
    }) else {
        bail!("width {width}: no epoch finished ({})", training.stop);
    };
    let forward = |features| training.model.forward(features);
    let scaling = (
        &plan.card.feature_scaling,
        plan.card.target_scaling.as_ref(),
    );
    let mut curve = recorder
        .finish((epoch, &forward), &training.history, scaling)
        .pop()
        .expect("the kept curve");
    curve.label = format!(
        "{width} hidden: loss {}",
        crate::pictures::curve::loss_text(loss)
    );
    Ok(Approximant {
        width,
        parameters: training.model.num_params(),
        loss,
        curve,
    })
}
