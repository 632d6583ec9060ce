//! A plan's run: the learner trains, its history becomes the summary, and the kept model is
//! saved with the card as one artifact folder (checkpoints and Ctrl-C on the way).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{bail, Result};
use burn::module::Module;

use burn::tensor::Tensor;

use super::recorders::Recorder;
use super::{learner, Plan, TrainReport};
use crate::artifacts::{ArtifactDir, ModelCard, Summary, BURN_VERSION};
use crate::learner::loss::{Loss, TargetTensor};
use crate::learner::metrics::EpochMetrics;
use crate::learner::stop::StopReason;
use crate::learner::{Checkpoint, Kept, Training, Watcher};
use crate::machine;
use crate::machine::budget::MemoryEstimate;
use crate::model::{Architecture, ModelConfig, Network};
use crate::teaching::advice;

impl Plan {
    /// Trains the built-in network, then saves the artifacts: the kept epoch's model
    /// (`--keep`). A run whose loss diverged saves its last good epoch, or is an error that
    /// saves nothing when there was none. A run that finishes drops its checkpoint; an
    /// interrupted one keeps it.
    pub fn train(self, on_epoch: impl FnMut(&EpochMetrics)) -> Result<TrainReport> {
        let parameters = self.card.model.parameter_count();
        let card = self.card.clone();
        self.run(card, parameters, on_epoch)
    }

    /// [`Plan::train`] with a network of another architecture, on the same prepared data: it
    /// must take this plan's inputs and give its outputs. Its memory is checked here (the plan
    /// checked the built-in network's), from its parameters and [`Architecture::layer_widths`].
    pub fn train_network<A: Architecture>(
        mut self,
        architecture: A,
        on_epoch: impl FnMut(&EpochMetrics),
    ) -> Result<TrainReport<A>> {
        let (inputs, outputs) = (self.card.model.inputs, self.card.model.outputs);
        let Some(card) = self.card.clone().with_model(architecture) else {
            bail!("the network must take {inputs} inputs and give {outputs} outputs for this data");
        };
        if self.starting.is_some() {
            bail!(
                "--init-from sets the weights of the built-in network; a network of your own \
                 starts from its Architecture::init"
            );
        }
        let parameters = card.model.init(&self.backend.device).num_params();
        let widths = card.model.layer_widths();
        let batch_size = self.config().batch_size;
        self.memory = MemoryEstimate::for_training(
            parameters,
            &widths,
            batch_size,
            self.train_rows(),
            self.valid_rows(),
        );
        self.memory.check(machine::available())?;
        self.run(card, parameters, on_epoch)
    }

    /// Trains a network of `card`'s architecture, of `parameters` numbers, and saves it.
    fn run<A: Architecture>(
        mut self,
        card: ModelCard<A>,
        parameters: usize,
        on_epoch: impl FnMut(&EpochMetrics),
    ) -> Result<TrainReport<A>> {
        // One writer per folder, from before INIT to the last save.
        let writing = self.out.start_writing(self.artifact_bytes(parameters))?;
        let resume = self.resume.take();
        let report = self.learn_and_save(card, resume, on_epoch);
        if report.is_err() {
            writing.abandon();
        }
        report
    }

    fn learn_and_save<A: Architecture>(
        self,
        card: ModelCard<A>,
        resume: Option<Checkpoint>,
        on_epoch: impl FnMut(&EpochMetrics),
    ) -> Result<TrainReport<A>> {
        let started = Instant::now();
        let mut watcher = RunWatcher {
            on_epoch,
            out: &self.out,
            card: &card,
            interrupt: self.interrupt.as_deref(),
            // What the network learned, as a picture: a curve, or regions.
            recorder: Recorder::for_plan(&self, &card),
            watched_rows: self.watched_rows(),
        };
        let learner = learner(
            &card.training,
            &card.model,
            &self.backend,
            self.learning_rate(),
            self.watched,
            self.starting.as_deref(),
        );
        let training = learner.run(&self.train, self.valid.as_ref(), resume, &mut watcher)?;
        let wall_time_seconds = started.elapsed().as_secs_f64();
        refuse_diverged(&training, self.learning_rate())?;
        let summary = self.summary(&training, wall_time_seconds);
        let picture = watcher
            .recorder
            .take()
            .and_then(|recorder| recorder.finish(&self, &card, &training));
        self.out.save(
            &card,
            &training.model,
            &training.history,
            &summary,
            self.lr_finding.as_ref(),
            picture.as_ref(),
        )?;
        // An interrupted run, and one out of epochs, can go on; any other is finished.
        if !matches!(
            training.stop,
            StopReason::Interrupted { .. } | StopReason::MaxEpochs { .. }
        ) {
            self.out.remove_checkpoint()?;
        }
        Ok(TrainReport {
            training,
            summary,
            picture,
            card,
            out: self.out,
        })
    }

    /// Saves a run driven from outside [`Plan::train`] (the playground's) as `train` saves
    /// one: one writer for the folder, the crash-safe commit, the summary of its history.
    pub fn save_training(
        &self,
        training: &Training<<ModelConfig as Architecture>::Network>,
        wall_time_seconds: f64,
    ) -> Result<()> {
        refuse_diverged(training, self.learning_rate())?;
        let parameters = training.model.num_params();
        let writing = self.out.start_writing(self.artifact_bytes(parameters))?;
        let summary = self.summary(training, wall_time_seconds);
        let (history, lr_finding) = (&training.history, self.lr_finding.as_ref());
        let saved = (self.out).save(
            &self.card,
            &training.model,
            history,
            &summary,
            lr_finding,
            None,
        );
        if saved.is_err() {
            writing.abandon();
        }
        saved
    }

    /// The rows STOP watches, off the autodiff graph (INIT's loss is measured on them).
    fn watched_rows(&self) -> (Tensor<2>, TargetTensor) {
        match &self.valid {
            Some(valid) => (valid.features.clone(), valid.targets.clone()),
            None => (
                self.train.features.clone().inner(),
                self.train.targets.inner(),
            ),
        }
    }

    /// `summary.json` of a finished run.
    fn summary<N: Network>(&self, training: &Training<N>, wall_time_seconds: f64) -> Summary {
        let kept_metrics = training.kept.as_ref().and_then(|kept| {
            let epoch = kept.epoch();
            training
                .history
                .iter()
                .find(|metrics| metrics.epoch == epoch)
                .cloned()
        });
        let learning_rate = self.learning_rate();
        Summary {
            stopped: training.stop.to_string(),
            stop: training.stop.clone(),
            kept: training.kept.clone(),
            kept_metrics,
            advice: advice::advise(
                &training.history,
                &training.stop,
                learning_rate,
                self.chance,
            ),
            epochs_run: training.history.len(),
            final_metrics: training.history.last().cloned(),
            train_rows: self.train_rows(),
            valid_rows: self.valid_rows(),
            parameters: training.model.num_params(),
            learning_rate,
            seed: self.config().seed,
            backend: self.backend.name.to_string(),
            device: self.backend.description.clone(),
            burn_version: BURN_VERSION.to_string(),
            stepwise_version: env!("CARGO_PKG_VERSION").to_string(),
            wall_time_seconds,
            memory_estimate_bytes: self.memory.total(),
            peak_memory_bytes: machine::peak_rss(),
        }
    }

    /// About what the artifact folder will hold: the model record, with checkpoints a second
    /// copy and SGD's momentum, and 1 MiB for the config, metrics and plots.
    fn artifact_bytes(&self, parameters: usize) -> u64 {
        let parameters = parameters as u64 * 4;
        let checkpoint = if self.config().checkpoint_every.is_some() {
            2 * parameters
        } else {
            0
        };
        parameters + checkpoint + (1 << 20)
    }
}

/// A run whose loss blew up before any epoch was good is an error: there is nothing to save.
fn refuse_diverged<N>(training: &Training<N>, learning_rate: f64) -> Result<()> {
    let diverged_from_the_start =
        training.stop.diverged() && !matches!(training.kept, Some(Kept::BeforeDivergence { .. }));
    if diverged_from_the_start {
        bail!(
            "{}: the steps overshoot and the parameters blew up with learning rate \
             {learning_rate}; try a smaller --lr (e.g. --lr {}, or --lr auto). No model was \
             saved.",
            training.stop,
            learning_rate / 10.0
        );
    }
    Ok(())
}

/// Passes epochs to the caller, keeps checkpoints in the artifact folder, and reads the
/// interrupt flag.
struct RunWatcher<'a, F, A> {
    on_epoch: F,
    out: &'a ArtifactDir,
    card: &'a ModelCard<A>,
    interrupt: Option<&'a AtomicBool>,
    /// Records what the network learned, for its picture.
    recorder: Option<Recorder>,
    /// The watched rows on the plain device: features `[rows, inputs]` and their targets.
    watched_rows: (Tensor<2>, TargetTensor),
}

impl<F: FnMut(&EpochMetrics), A: Architecture> Watcher<A::Network> for RunWatcher<'_, F, A> {
    fn epoch(&mut self, metrics: &EpochMetrics) {
        (self.on_epoch)(metrics)
    }

    fn checkpoint(&mut self, checkpoint: Checkpoint) -> Result<()> {
        self.out.save_checkpoint(self.card, &checkpoint)
    }

    fn keeps_checkpoints(&self) -> bool {
        true
    }

    fn interrupted(&self) -> bool {
        self.interrupt
            .is_some_and(|flag| flag.load(Ordering::Relaxed))
    }

    fn network(&mut self, epoch: usize, model: &A::Network) {
        if let Some(recorder) = &mut self.recorder {
            let network = model.valid();
            let forward = &|features| network.forward(features);
            if epoch == 0 {
                let (features, targets) = &self.watched_rows;
                let loss = Loss.forward(forward(features.clone()), targets); // [1]
                recorder.init_loss(loss.into_scalar::<f64>());
            }
            recorder.record(epoch, forward);
        }
    }
}
