//! Continuing a run: after a Ctrl-C, or for more epochs than it was set for.

use std::path::PathBuf;

use anyhow::{bail, Result};

use super::Plan;
use crate::artifacts::ArtifactDir;
use crate::device::Backend;

impl Plan {
    /// Prepares the continuation of the run whose checkpoint is in `dir`, with the configuration
    /// it started with; it saves into `dir` again.
    /// `epochs`: more epochs than the run was set for, to train longer (a run out of epochs
    /// keeps its checkpoint for this).
    pub fn resume(dir: PathBuf, backend: Backend, epochs: Option<usize>) -> Result<Plan> {
        let out = ArtifactDir::new(dir);
        let (mut card, mut checkpoint) = out.load_checkpoint()?;
        if let Some(epochs) = epochs {
            let set = card.training.epochs;
            if epochs <= set {
                bail!(
                    "the run in {} was set for {set} epochs; --epochs with --resume trains longer, \
                     so give more than {set}",
                    out.dir.display()
                );
            }
            card.training.epochs = epochs;
            let position = &mut checkpoint.position;
            position.stop_policy = position.stop_policy.clone().with_max_epochs(epochs);
        }
        // The run it continues is the one whose model is in the folder: nothing is replaced.
        let mut plan =
            Plan::load_and_prepare(card.training.clone(), Some(out.dir.clone()), backend)?;
        if plan.card != card {
            bail!(
                "the data of {} is not what the checkpoint in {} was trained on (columns, classes \
                 or values changed); train afresh",
                plan.config().dataset,
                out.dir.display()
            );
        }
        plan.resume = Some(checkpoint);
        Ok(plan)
    }

    /// Where a resumed run continues: (epoch, steps already taken in it).
    pub fn resumes_at(&self) -> Option<(usize, usize)> {
        let position = &self.resume.as_ref()?.position;
        Some((position.epoch, position.steps_done))
    }
}
