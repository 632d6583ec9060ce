//! `checkpoint/` in an artifact folder: what `stepwise train --resume` continues from.
//!
//! ```text
//! checkpoint/
//!   model.bpk      the parameters, with the ids SGD's state is keyed by
//!   optimizer.bpk  SGD's state: the momentum buffers
//!   lowest.bpk     the parameters of the epoch with the lowest loss so far (what --keep best
//!                  saves), once an epoch has finished
//!   state.json     format version, the model card (configuration, data transform) and the
//!                  position: epoch, steps taken in it, history, the stop policy's memory
//! ```
//!
//! The three files are replaced as one commit, like the model's own files.

use std::fs;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::machine::checksum::checksum;

use super::older::upgrade;
use super::{
    check_format, commit, links, to_json, verify, ArtifactDir, ModelCard, FORMAT_VERSION,
    MODEL_FILE,
};
use crate::learner::{Checkpoint, Position};
use crate::model::{Architecture, ModelConfig};

pub const OPTIMIZER_FILE: &str = "optimizer.bpk";
pub const STATE_FILE: &str = "state.json";
pub const LOWEST_FILE: &str = "lowest.bpk";

/// The oldest format whose checkpoints a run continues from: format 4 changed only the
/// checksums, which are read by the format that wrote them.
const OLDEST_RESUMABLE: u32 = 3;

#[derive(Serialize, Deserialize)]
#[serde(bound = "A: Architecture")]
struct State<A> {
    format_version: u32,
    card: ModelCard<A>,
    position: Position,
    model_checksum: String,
    optimizer_checksum: String,
    /// None until an epoch has finished.
    lowest_checksum: Option<String>,
}

impl ArtifactDir {
    /// Keeps `checkpoint` (of a run of `card`) in place of the previous one.
    pub fn save_checkpoint<A: Architecture>(
        &self,
        card: &ModelCard<A>,
        checkpoint: &Checkpoint,
    ) -> Result<()> {
        let state = to_json(&State {
            format_version: FORMAT_VERSION,
            card: card.in_todays_format(),
            position: checkpoint.position.clone(),
            model_checksum: checksum(&checkpoint.model),
            optimizer_checksum: checksum(&checkpoint.optimizer),
            lowest_checksum: checkpoint.lowest.as_deref().map(checksum),
        })?;
        // Never keep a checkpoint that would not load back.
        if serde_json::from_slice::<State<A>>(&state).is_err() {
            bail!("the checkpoint's state does not read back as written; it was not saved");
        }
        let mut files: Vec<(&str, &[u8])> = vec![
            (MODEL_FILE, &checkpoint.model),
            (OPTIMIZER_FILE, &checkpoint.optimizer),
        ];
        if let Some(lowest) = &checkpoint.lowest {
            files.push((LOWEST_FILE, lowest));
        }
        files.push((STATE_FILE, &state));
        let folder = self.checkpoint();
        links::create_own_dir(&folder)
            .with_context(|| format!("cannot write {}", folder.display()))?;
        commit::commit(&folder, &files)
    }

    /// The last checkpoint, and the card of the run it belongs to.
    pub fn load_checkpoint(&self) -> Result<(ModelCard, Checkpoint)> {
        let folder = self.checkpoint();
        let shown = self.dir.display();
        if !commit::exists(&folder, STATE_FILE) {
            bail!(
                "{shown} has no checkpoint to resume from: train with --checkpoint-every N \
                 (a Ctrl-C and a run out of epochs leave one; a run stopped by its target, \
                 patience or divergence is done, and removes its own)"
            );
        }
        let read = |name: &str| {
            commit::read(&folder, name)
                .with_context(|| format!("cannot read {}", folder.join(name).display()))
        };
        let state_path = folder.join(STATE_FILE);
        let text = String::from_utf8(read(STATE_FILE)?)
            .with_context(|| format!("{} is damaged", state_path.display()))?;
        check_format(&text, &state_path)?;
        let older = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|state| state["format_version"].as_u64())
            .is_some_and(|version| version < u64::from(OLDEST_RESUMABLE));
        if older {
            bail!(
                "{} was written by an older stepwise, whose runs this one cannot continue; train \
                 afresh (the model saved beside it still loads)",
                state_path.display()
            );
        }
        let damaged = || format!("{} is damaged", state_path.display());
        let mut state: serde_json::Value = serde_json::from_str(&text).with_context(damaged)?;
        // A checkpoint of an older stepwise: the options added since, at their defaults.
        upgrade(&mut state["card"]);
        let state: State<ModelConfig> = serde_json::from_value(state).with_context(damaged)?;
        // Each record must be the one state.json was written with, by its format's checksum.
        let format = state.format_version;
        let read_checked = |name: &str, expected: &str| -> Result<Vec<u8>> {
            let bytes = read(name)?;
            verify(&bytes, Some(expected), format, &folder.join(name))?;
            Ok(bytes)
        };
        let checkpoint = Checkpoint {
            model: read_checked(MODEL_FILE, &state.model_checksum)?,
            optimizer: read_checked(OPTIMIZER_FILE, &state.optimizer_checksum)?,
            lowest: state
                .lowest_checksum
                .as_deref()
                .map(|expected| read_checked(LOWEST_FILE, expected))
                .transpose()?,
            position: state.position,
        };
        Ok((state.card, checkpoint))
    }

    /// Drops the checkpoint of a run that finished: there is nothing left to resume.
    pub fn remove_checkpoint(&self) -> Result<()> {
        let folder = self.checkpoint();
        if !folder.exists() {
            return Ok(());
        }
        // One rename takes the whole set away at once; the deletion after it can be slow.
        let removed = self
            .dir
            .join(format!(".checkpoint-removed-{}", std::process::id()));
        fs::rename(&folder, &removed)
            .and_then(|()| fs::remove_dir_all(&removed))
            .with_context(|| format!("cannot remove {}", folder.display()))
    }
}
