//! The pictures of what a run's network learned: recorders the learner feeds after INIT and
//! every epoch, and at the end the picture — `fit.svg` for regression on one input,
//! `boundary.svg` for classes in a plane.

use anyhow::{bail, Context, Result};
use burn::tensor::Tensor;

use super::Plan;
use crate::artifacts::ModelCard;
use crate::config::Task;
use crate::learner::Training;
use crate::model::{Architecture, Network};
use crate::pictures::curve::{self, FitRecorder};
use crate::pictures::regions::{self, BoundaryRecorder};
use crate::pictures::{BoundaryPicture, FitPicture, Picture};

/// What is recorded while a run trains.
pub(super) enum Recorder {
    Fit(FitRecorder),
    Boundary(BoundaryRecorder, [usize; 2]),
}

impl Recorder {
    /// The recorder a plan's data asks for, if any.
    pub fn for_plan<A: Architecture>(plan: &Plan, card: &ModelCard<A>) -> Option<Recorder> {
        let (train, valid, device) = (&plan.train, plan.valid.as_ref(), &plan.backend.device);
        if card.task == Task::Regression && card.model.inputs() == 1 {
            return Some(Recorder::Fit(FitRecorder::new(train, valid, device)));
        }
        let plane = plan.plane()?;
        let recorder = BoundaryRecorder::new(train, valid, plane, device);
        Some(Recorder::Boundary(recorder, plane))
    }

    pub fn record(&mut self, epoch: usize, forward: &dyn Fn(Tensor<2>) -> Tensor<2>) {
        match self {
            Recorder::Fit(fit) => fit.record(epoch, forward),
            Recorder::Boundary(boundary, _) => boundary.record(epoch, forward),
        }
    }

    /// The watched loss of the random parameters, for the INIT picture's label.
    pub fn init_loss(&mut self, loss: f64) {
        match self {
            Recorder::Fit(fit) => fit.init_loss = Some(loss),
            Recorder::Boundary(boundary, _) => boundary.init_loss = Some(loss),
        }
    }

    /// The picture, with the kept model's curve or regions last (none when no epoch was kept).
    pub fn finish<A: Architecture>(
        self,
        plan: &Plan,
        card: &ModelCard<A>,
        training: &Training<A::Network>,
    ) -> Option<Picture> {
        let kept = training.kept.as_ref()?.epoch();
        let forward = |features| training.model.forward(features);
        let kept = (kept, &forward as &dyn Fn(Tensor<2>) -> Tensor<2>);
        let valid = plan.valid.as_ref();
        Some(match self {
            Recorder::Fit(recorder) => {
                let scaling = (&card.feature_scaling, card.target_scaling.as_ref());
                let points = |data| curve::data_points(data, scaling);
                let truth = curve::truth(&plan.frame.name).map(|_| plan.frame.name.clone());
                Picture::Fit(FitPicture {
                    train: points(&plan.train),
                    valid: valid.map_or_else(Vec::new, points),
                    truth,
                    names: (card.feature_names[0].clone(), card.label_name.clone()),
                    curves: recorder.finish(kept, &training.history, scaling),
                    title: format!(
                        "the curve the {} fitted to {}",
                        card.model.describe(),
                        plan.frame.name
                    ),
                })
            }
            Recorder::Boundary(recorder, plane) => {
                let scaling = &card.feature_scaling;
                let points = |data| regions::class_points(data, scaling, plane);
                let names = &card.feature_names;
                Picture::Boundary(BoundaryPicture {
                    regions: recorder.finish(kept, &training.history, scaling),
                    train: points(&plan.train),
                    valid: valid.map_or_else(Vec::new, points),
                    names: (names[plane[0]].clone(), names[plane[1]].clone()),
                    classes: card.class_names.clone().unwrap_or_default(),
                    others_at_mean: names.len() > 2,
                })
            }
        })
    }
}

impl Plan {
    /// Draws `boundary.svg` in the plane of the inputs `names` (`--plot-features a,b`), the
    /// others held at their training mean; a classifier of two inputs is drawn without asking.
    pub fn plot_features(&mut self, names: &[String]) -> Result<()> {
        let inputs = &self.card.feature_names;
        if self.card.task != Task::Classification {
            bail!("--plot-features draws the regions of classes; this data's task is regression");
        }
        let found: Vec<usize> = names
            .iter()
            .map(|name| {
                let index = inputs.iter().position(|input| input == name);
                index.with_context(|| {
                    format!(
                        "--plot-features: no input named '{name}'; the inputs are: {}",
                        inputs.join(", ")
                    )
                })
            })
            .collect::<Result<_>>()?;
        let [a, b] = found[..] else {
            bail!(
                "--plot-features takes two inputs, e.g. --plot-features {}",
                inputs[..2.min(inputs.len())].join(",")
            );
        };
        if a == b {
            bail!("--plot-features takes two different inputs");
        }
        self.plane = Some([a, b]);
        Ok(())
    }

    /// The plane `boundary.svg` draws: the inputs `--plot-features` named, or the two inputs
    /// of a classifier of two.
    pub(crate) fn plane(&self) -> Option<[usize; 2]> {
        let two = self.card.task == Task::Classification && self.card.model.inputs == 2;
        self.plane.or(two.then_some([0, 1]))
    }
}
