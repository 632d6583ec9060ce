//! A plan's data and its loop, looked at without training a model to keep: the phase trace,
//! the range test, the gradient check (each through the learner's own step).

use burn::module::Module;

use super::Plan;
use crate::learner::batch::DeviceData;
use crate::model::Architecture;
use crate::teaching::gradcheck::{self, LayerCheck};
use crate::teaching::lr_find::{self, LrFinding};
use crate::teaching::trace::{self, Trace};

impl Plan {
    /// The first `steps` steps of the run, with every phase's numbers.
    pub fn trace(&self, steps: usize) -> Trace {
        trace::trace(&self.learner(), &self.train, steps)
    }

    /// The learning-rate range test on this plan's data and model.
    pub fn find_learning_rate(&self) -> LrFinding {
        lr_find::find(&self.learner(), &self.train)
    }

    /// Autodiff against finite differences, on the first `rows` training rows.
    pub fn gradient_check(&self, rows: usize) -> Vec<LayerCheck> {
        gradcheck::check(&self.learner(), &self.train, rows)
    }

    /// The built-in network's trainable numbers, counted on the module itself.
    pub fn parameter_count(&self) -> usize {
        self.card.model.init(&self.backend.device).num_params()
    }

    /// The training rows, on the autodiff device, standardised: what [`Learner::run`](crate::learner::Learner::run) trains on.
    pub fn train_data(&self) -> &DeviceData {
        &self.train
    }

    /// The validation rows, on the plain device (none without a split).
    pub fn valid_data(&self) -> Option<&DeviceData> {
        self.valid.as_ref()
    }
}
