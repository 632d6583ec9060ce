//! Continuing a run: after a Ctrl-C, or for more epochs than it was set for.

use std::path::PathBuf;

use anyhow::{bail, Result};

use super::Plan;
use crate::artifacts::{ArtifactDir, ModelCard, FORMAT_VERSION};
use crate::config::TrainConfig;
use crate::device::Backend;
use crate::machine::checksum::XXHASH_SINCE;

impl Plan {
    /// Prepares the continuation of the run whose checkpoint is in `dir`, with the configuration
    /// it started with; it saves into `dir` again.
    /// `epochs`: more epochs than the run was set for, to train longer (a run out of epochs
    /// keeps its checkpoint for this).
    ///
    /// burn builds the saved SGD state on its default device before moving it to the training
    /// device; in a build with wgpu that is the GPU. A program of your own that resumes on the
    /// CPU sets `BURN_DEVICE=flex` first, as the `stepwise` program does.
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
        // A checkpoint of an older format holds its data's fingerprint by that format's
        // checksum: the data is read once more to check it.
        let older = card.format_version < XXHASH_SINCE;
        let data_known = !older || same_data(&card)?;
        // The run it continues is the one whose model is in the folder: nothing is replaced.
        // Its parameters come from the checkpoint: the --init-from file is not read again.
        let training = TrainConfig {
            init_from: None,
            ..card.training.clone()
        };
        let mut plan = Plan::load_and_prepare(training, Some(out.dir.clone()), backend)?;
        plan.card
            .training
            .init_from
            .clone_from(&card.training.init_from);
        plan.card
            .starting_weights
            .clone_from(&card.starting_weights);
        if older {
            card.format_version = FORMAT_VERSION;
            card.data_fingerprint
                .clone_from(&plan.card.data_fingerprint);
        }
        if plan.card != card || !data_known {
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

/// Whether the data `card`'s configuration names is the data it was trained on, by the
/// fingerprint it holds.
fn same_data(card: &ModelCard) -> Result<bool> {
    let (frame, _) = super::load(&card.training)?;
    let fingerprint = card.data_fingerprint.as_deref();
    Ok(fingerprint.is_none_or(|fingerprint| frame.has_fingerprint(fingerprint)))
}
