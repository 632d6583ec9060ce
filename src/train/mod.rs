//! A training run from configuration to saved artifacts, in two calls so the CLI can show the
//! plan before the work starts:
//!
//! ```text
//! Plan::prepare(config, out)  load data → split → standardise → model shape → memory check
//!                             (→ lr-find for --lr auto)
//!   or Plan::resume(dir)      the same, with the configuration a checkpoint saved
//! plan.train(on_epoch)        check the folder → Learner::run → refuse a diverged model → save
//!   or plan.train_network(a)  the same for a network of another architecture (run.rs)
//! ```
//!
//! While it trains, a run keeps checkpoints in the artifact folder (`--checkpoint-every`), and
//! stops after the current step when its interrupt flag is raised (Ctrl-C), saving both the
//! model and a checkpoint.
//!
//! A plan also runs the tools that look inside the loop on the same data and model:
//! [`Plan::trace`], [`Plan::find_learning_rate`] and [`Plan::gradient_check`].

pub mod approximate;
mod look;
mod recorders;
mod resume;
mod run;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Result;
use burn::tensor::Device;

use crate::artifacts::{ArtifactDir, ModelCard, Summary, FORMAT_VERSION};
use crate::config::TrainConfig;
use crate::data::frame::Frame;
use crate::data::images::ImageOptions;
use crate::data::prepare::{column_spec, label_spec, prepare, Prepared};
use crate::data::{self, Source};
use crate::device::Backend;
use crate::learner::batch::DeviceData;
use crate::learner::stop::Watched;
use crate::learner::{Checkpoint, Learner, Training};
use crate::machine;
use crate::machine::budget::MemoryEstimate;
use crate::model::{Architecture, ModelConfig};
use crate::teaching::lr_find::LrFinding;

/// Everything decided before training starts.
#[derive(Debug)]
pub struct Plan {
    /// The data's first row, with its name, label and task: the example `train` prints. The
    /// rest was encoded into `train` and `valid` and let go.
    pub(crate) frame: Frame,
    /// What preparing the data did that a person should know (rows dropped, cells filled, a
    /// column that looks like an id).
    pub(crate) notes: Vec<String>,
    /// The validation accuracy of always answering the most common class (classification).
    pub(crate) chance: Option<f64>,
    /// The card that will be saved with the model (shape, names, scaling, and the training
    /// configuration with its learning rate resolved).
    pub(crate) card: ModelCard,
    pub(crate) out: ArtifactDir,
    pub(crate) backend: Backend,
    /// The loss STOP watches (and `--keep best` keeps the lowest of).
    pub(crate) watched: Watched,
    /// The range test `--lr auto` ran.
    pub(crate) lr_finding: Option<LrFinding>,
    /// What training will hold in memory (checked against what is available).
    pub(crate) memory: MemoryEstimate,
    train: DeviceData,
    valid: Option<DeviceData>,
    /// The checkpoint a resumed run continues from.
    resume: Option<Checkpoint>,
    /// INIT's parameters from `--init-from`, as a record of the built-in network.
    starting: Option<Vec<u8>>,
    /// Raised from outside (Ctrl-C) to end the run after the current step.
    interrupt: Option<Arc<AtomicBool>>,
    /// The two inputs `boundary.svg` draws the plane of (the others at their training mean).
    plane: Option<[usize; 2]>,
}

/// What a finished run produced.
#[derive(Debug)]
pub struct TrainReport<A: Architecture = ModelConfig> {
    pub training: Training<A::Network>,
    pub summary: Summary,
    /// What the network learned at INIT, early, midway and the kept epoch: the curves of a
    /// regression on one input (`fit.svg`), or the regions of classes in a plane
    /// (`boundary.svg`).
    pub picture: Option<crate::pictures::Picture>,
    pub card: ModelCard<A>,
    pub out: ArtifactDir,
}

/// The data `config` names, read as `stepwise train` reads it (before the split and the
/// encoding), and where it came from.
pub fn load(config: &TrainConfig) -> Result<(Frame, Source)> {
    let source = Source::resolve(&config.dataset)?
        .with_noise(config.noise)?
        .with_images(ImageOptions::from_config(config))?;
    let mut frame = data::load(
        &source,
        &label_spec(config),
        &column_spec(config),
        config.seed,
    )?;
    frame.leave_out_row_ids(!config.features.is_empty());
    Ok((frame, source))
}

impl Plan {
    /// Loads and prepares the data; `out` defaults to `artifacts/<dataset name>`. With
    /// `--lr auto`, runs the learning-rate range test to choose the rate.
    /// A folder that holds a model already gets a note saying which this run replaces.
    pub fn prepare(config: TrainConfig, out: Option<PathBuf>, backend: Backend) -> Result<Plan> {
        let mut plan = Plan::load_and_prepare(config, out, backend)?;
        if let Some(saved) = plan.out.saved_model() {
            plan.notes.push(format!(
                "{} holds {saved}: this run replaces it when it saves (--out DIR keeps both)",
                plan.out.dir.display()
            ));
        }
        Ok(plan)
    }

    pub(super) fn load_and_prepare(
        config: TrainConfig,
        out: Option<PathBuf>,
        backend: Backend,
    ) -> Result<Plan> {
        config.validate()?;
        let (frame, source) = load(&config)?;
        let out = match out {
            Some(dir) => ArtifactDir::new(dir),
            None => ArtifactDir::for_dataset(&source.name()),
        };
        Plan::with_data(config, frame, source.default_valid_fraction(), out, backend)
    }

    /// [`Plan::prepare`] for data already in memory (what `stepwise bench` generates);
    /// `default_valid_fraction` applies unless the config sets one.
    pub fn with_data(
        config: TrainConfig,
        frame: Frame,
        default_valid_fraction: f64,
        out: ArtifactDir,
        backend: Backend,
    ) -> Result<Plan> {
        config.validate()?;
        let prepared = prepare(&frame, &config, default_valid_fraction)?;
        let (inputs, outputs) = (prepared.train.feature_count(), frame.targets.outputs());
        let model = ModelConfig::for_run(&config, inputs, outputs, frame.image)?;

        // Before anything is put on the device: refuse what cannot fit.
        let (train_rows, valid_rows) = (prepared.rows.train.len(), prepared.rows.valid.len());
        let chance = crate::teaching::advice::chance(&frame.targets, &prepared.rows.valid);
        let memory = memory_needed(&model, &config, (train_rows, valid_rows), &frame)?;

        let watched = Watched::of_split(prepared.valid.is_some());
        let mut card = card(&frame, model, config, &prepared);
        // The columns are encoded: of them, only what is shown of the data stays (a frame of
        // one row), so a large data set is not held twice while it trains.
        let first_row = frame.select(&[0]);
        machine::release(frame);
        let frame = first_row;
        let on_device = |data: data::Dataset, device: &Device| {
            let target_scaling = card.target_scaling.as_ref();
            DeviceData::new(data, &card.feature_scaling, target_scaling, device)
        };
        let notes = prepared.notes;
        let train = on_device(prepared.train, &backend.device.clone().autodiff());
        let valid = prepared
            .valid
            .map(|valid| on_device(valid, &backend.device));
        // INIT's weights, when given, are read and checked here, before anything trains.
        let starting = match card.training.init_from.clone() {
            Some(file) => {
                let (record, source) =
                    crate::interop::starting_record(&card.model, &file, &backend.device)?;
                card.starting_weights = Some(source);
                Some(record)
            }
            None => None,
        };

        // The learning rate is resolved here, once: `--lr auto` runs the range test and the card
        // records what it found.
        let lr_finding =
            look::resolve_learning_rate(&mut card, &backend, watched, &train, starting.as_deref())?;
        Ok(Plan {
            memory,
            lr_finding,
            chance,
            frame,
            notes,
            card,
            out,
            backend,
            watched,
            train,
            valid,
            resume: None,
            starting,
            interrupt: None,
            plane: None,
        })
    }

    /// Ends the run after the current step once `flag` is raised (the CLI's Ctrl-C handler).
    pub fn interrupt_on(&mut self, flag: Arc<AtomicBool>) {
        self.interrupt = Some(flag);
    }

    /// The learning rate of every STEP.
    pub fn learning_rate(&self) -> f64 {
        // `with_data` resolves `auto`; `validate` refuses a rate that is not a number > 0.
        self.config().learning_rate.fixed().unwrap_or(f64::NAN)
    }

    /// The learner of this plan's built-in network, for a program that runs the loop itself.
    pub fn learner(&self) -> Learner<'_, ModelConfig> {
        learner(
            self.config(),
            &self.card.model,
            &self.backend,
            self.learning_rate(),
            self.watched,
            self.starting.as_deref(),
        )
    }
}

fn learner<'a, A>(
    config: &'a TrainConfig,
    architecture: &'a A,
    backend: &Backend,
    learning_rate: f64,
    watched: Watched,
    starting: Option<&'a [u8]>,
) -> Learner<'a, A> {
    Learner {
        config,
        architecture,
        learning_rate,
        device: backend.device.clone(),
        watched,
        starting,
    }
}

/// The card a run of `config` will save: the network, the data's names and transforms, the
/// configuration, and a fingerprint of the data.
/// What training will hold in memory, refused before anything is put on the device when it
/// cannot fit: the parameters, every layer's outputs (the convolutions' pictures too, most of a
/// CNN's), the rows, less the loaded table let go.
fn memory_needed(
    model: &ModelConfig,
    config: &TrainConfig,
    (train_rows, valid_rows): (usize, usize),
    frame: &Frame,
) -> Result<MemoryEstimate> {
    let memory = MemoryEstimate::for_training(
        model.parameter_count(),
        &model.layer_widths(),
        config.batch_size,
        train_rows,
        valid_rows,
    )
    .releasing(frame.heap_bytes());
    memory.check(machine::available())?;
    Ok(memory)
}

fn card(frame: &Frame, model: ModelConfig, config: TrainConfig, prepared: &Prepared) -> ModelCard {
    ModelCard {
        format_version: FORMAT_VERSION,
        task: frame.task(),
        model,
        feature_names: prepared.train.feature_names.clone(),
        label_name: frame.label_name.clone(),
        class_names: frame.targets.class_names(),
        feature_scaling: prepared.feature_scaling.clone(),
        target_scaling: prepared.target_scaling.clone(),
        training: config,
        encoding: Some(prepared.encoding.clone()),
        data_fingerprint: Some(prepared.fingerprint.clone()),
        image: frame.image,
        starting_weights: None,
    }
}

#[cfg(test)]
mod tests;
