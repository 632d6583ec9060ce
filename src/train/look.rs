//! A plan looked at without training a model to keep: what it decided (the card, the notes,
//! the learning rate), its data, and its loop — the phase trace, the range test, the gradient
//! check (each through the learner's own step).

use anyhow::Result;
use burn::module::Module;

use super::Plan;
use crate::artifacts::ModelCard;
use crate::config::{LearningRate, TrainConfig};
use crate::device::Backend;
use crate::learner::batch::DeviceData;
use crate::learner::stop::Watched;
use crate::model::Architecture;
use crate::teaching::gradcheck::{self, LayerCheck};
use crate::teaching::lr_find::{self, LrFinding};
use crate::teaching::trace::{self, Trace};

impl Plan {
    /// The card that will be saved with the model: the network's shape, the column and class
    /// names, the input scaling, and the training configuration.
    pub fn card(&self) -> &ModelCard {
        &self.card
    }

    /// What preparing the data did that a person should know (rows dropped, cells filled, a
    /// column that looks like an id).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The learning-rate range test `--lr auto` ran, if it did.
    pub fn lr_finding(&self) -> Option<&LrFinding> {
        self.lr_finding.as_ref()
    }

    /// The rows of the data: those trained on and those held out.
    pub fn rows(&self) -> usize {
        self.train_rows() + self.valid_rows()
    }

    /// The rows trained on.
    pub fn train_rows(&self) -> usize {
        self.train.rows
    }

    /// The rows held out for validation (none without a split).
    pub fn valid_rows(&self) -> usize {
        self.valid.as_ref().map_or(0, |valid| valid.rows)
    }

    /// The training configuration, with the learning rate resolved (`--lr auto` replaced by
    /// what the range test found).
    pub fn config(&self) -> &TrainConfig {
        &self.card.training
    }

    /// The first `steps` steps of the run, with every phase's numbers.
    pub fn trace(&self, steps: usize) -> Result<Trace> {
        trace::trace(&self.learner(), &self.train, steps)
    }

    /// The learning-rate range test on this plan's data and model.
    pub fn find_learning_rate(&self) -> Result<LrFinding> {
        lr_find::find(&self.learner(), &self.train)
    }

    /// Autodiff against finite differences, on the first `rows` training rows.
    pub fn gradient_check(&self, rows: usize) -> Result<Vec<LayerCheck>> {
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

/// `--lr auto`: the range test (its learner starts at the test's first rate), and its
/// suggestion written into the card; any other rate is kept as given.
pub(super) fn resolve_learning_rate(
    card: &mut ModelCard,
    backend: &Backend,
    watched: Watched,
    train: &DeviceData,
    starting: Option<&[u8]>,
) -> Result<Option<LrFinding>> {
    if card.training.learning_rate != LearningRate::Auto {
        return Ok(None);
    }
    let learner = super::learner(
        &card.training,
        &card.model,
        backend,
        lr_find::START,
        watched,
        starting,
    );
    let finding = lr_find::find(&learner, train)?;
    card.training.learning_rate = LearningRate::Fixed(finding.suggestion);
    Ok(Some(finding))
}
