//! One page's training: a thread of its own that prepares the data, then runs the loop — the
//! same `Learner::run` as `stepwise train` — held by the page through a [`PlayWatcher`], and
//! what it sends the page.

use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;
use tokio::sync::{oneshot, watch};

use super::setup::Setup;
use super::views::{Drawn, Fixed, Scene};
use super::watcher::{End, Net, PlayWatcher, StepNumbers};
use crate::artifacts::ArtifactDir;
use crate::learner::metrics::EpochMetrics;
use crate::learner::stop::StopReason;
use crate::learner::{Kept, Training};
use crate::train::Plan;

/// The latest update, as the JSON the page reads; a slow page skips to the newest.
pub type Updates = watch::Sender<Arc<str>>;

/// What the page asks of its loop.
#[derive(Debug)]
pub enum Command {
    Play,
    Pause,
    /// One STEP: one minibatch.
    Step,
    /// To the end of this epoch.
    Epoch,
    /// A new INIT from the seed.
    Reset,
    /// Save what was learned as an artifact folder; the reply is its path, or what went wrong.
    Save(oneshot::Sender<Result<String, String>>),
    Close,
}

/// What the page is told as the loop runs.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Update {
    /// Counts the resets: a new run starts a new path on the page.
    pub run: u64,
    /// The phase that ran last: INIT, STEP (PREDICT → LOSS → GRADIENT → STEP on a batch),
    /// LOSS (an epoch measured), STOP.
    pub phase: &'static str,
    pub running: bool,
    pub epoch: usize,
    pub steps_done: usize,
    /// Steps since INIT.
    pub steps: usize,
    pub batch_loss: Option<f64>,
    pub samples_per_second: Option<f64>,
    pub epochs_done: usize,
    /// The finished epochs, at most [`MOST_CURVE_POINTS`] of them evenly spaced (the first and
    /// the last always): the points of the curves, whose cost stays the same as a run grows.
    pub history: Vec<EpochMetrics>,
    /// The numbers of the last single STEP.
    pub step: Option<StepNumbers>,
    /// Why the run stopped, once it has.
    pub stop: Option<String>,
    pub error: Option<String>,
    pub drawn: Drawn,
    /// The slope and intercept after every STEP, for a line's loss surface.
    pub path: Vec<[f32; 2]>,
}

impl Update {
    pub fn start(run: u64) -> Self {
        Update {
            run,
            phase: "INIT",
            epoch: 1,
            ..Update::default()
        }
    }

    pub fn to_json(&self) -> Arc<str> {
        serde_json::to_string(self).map_or_else(|_| Arc::from("{}"), Arc::from)
    }
}

/// What the page learns once, when the session starts.
#[derive(Clone, Debug, Serialize)]
pub struct Opening {
    pub id: u64,
    /// The command that trains the same run in a terminal.
    pub command: String,
    /// The network, e.g. `mlp 2-8-8-2 tanh`.
    pub network: String,
    pub notes: Vec<String>,
    pub learning_rate: f64,
    pub epochs: usize,
    pub out: String,
    pub fixed: Fixed,
}

/// A running session, as the server holds it. Dropping it ends the thread.
pub struct Session {
    commands: Sender<Command>,
    pub updates: watch::Receiver<Arc<str>>,
    pub opening: Opening,
    /// Whether a page has opened its event stream: a session no page watches is ended.
    pub watched: AtomicBool,
}

impl Session {
    /// Prepares `setup`'s data and network on a thread of its own, which then waits for the
    /// page; an error in the data or the options comes back here.
    pub fn start(id: u64, setup: Setup) -> Result<Session> {
        let (commands, received) = mpsc::channel();
        let (updates, watching) = watch::channel(Update::start(0).to_json());
        let (ready, opened) = mpsc::channel();
        std::thread::Builder::new()
            .name(format!("play-{id}"))
            .spawn(move || match prepare(id, setup) {
                Ok((plan, scene, opening)) => {
                    ready.send(Ok(opening)).ok();
                    train_in_page(&plan, &scene, &received, &updates);
                }
                Err(err) => {
                    ready.send(Err(err)).ok();
                }
            })?;
        let opening = opened.recv()??;
        Ok(Session {
            commands,
            updates: watching,
            opening,
            watched: AtomicBool::new(false),
        })
    }

    /// Hands the loop a command; false when it has ended.
    pub fn send(&self, command: Command) -> bool {
        self.commands.send(command).is_ok()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.send(Command::Close);
    }
}

fn prepare(id: u64, setup: Setup) -> Result<(Plan, Scene, Opening)> {
    let backend = crate::device::cpu().ok_or_else(|| anyhow::anyhow!("no CPU backend"))?;
    let out = ArtifactDir::for_dataset(&format!("play-{}", setup.name));
    // The loader names the file where the server keeps it: the user knows it by its name.
    let (kept, named) = (setup.config.dataset.clone(), setup.dataset);
    let plan = Plan::prepare(setup.config, Some(out.dir), backend)
        .map_err(|err| anyhow::anyhow!("{}", format!("{err:#}").replace(&kept, &named)))?;
    let scene = Scene::new(&plan);
    let opening = Opening {
        id,
        command: setup.command,
        network: crate::model::Architecture::describe(&plan.card().model),
        notes: plan.notes().to_vec(),
        learning_rate: plan.learning_rate(),
        epochs: plan.config().epochs,
        out: plan.out.dir.display().to_string(),
        fixed: scene.fixed.clone(),
    };
    Ok((plan, scene, opening))
}

/// Runs the loop, again from INIT at each reset, until the page goes.
fn train_in_page(plan: &Plan, scene: &Scene, commands: &Receiver<Command>, updates: &Updates) {
    for run in 0.. {
        let mut watcher = PlayWatcher::new(plan, scene, commands, updates, run);
        let learner = plan.learner();
        let training = learner.run(plan.train_data(), plan.valid_data(), None, &mut watcher);
        let end = match (watcher.ended, training) {
            (Some(end), _) => end,
            (None, Ok(training)) => after_stop(&mut watcher, scene, training),
            (None, Err(err)) => {
                watcher.update.error = Some(format!("{err:#}"));
                watcher.publish();
                wait_for_end(commands, |_| {})
            }
        };
        if end == End::Close {
            return;
        }
    }
}

/// The run stopped by itself (STOP): the page sees why, and may save it or start again.
fn after_stop(watcher: &mut PlayWatcher, scene: &Scene, training: Training<Net>) -> End {
    let update = &mut watcher.update;
    update.phase = "STOP";
    update.running = false;
    update.stop = Some(training.stop.to_string());
    update.drawn = scene.draw(&training.model);
    watcher.publish();
    let (plan, played) = (watcher.plan, watcher.played());
    wait_for_end(watcher.commands, |reply| {
        reply.send(save(plan, &training, played)).ok();
    })
}

/// Waits for a reset or the page's end, answering saves meanwhile.
fn wait_for_end(
    commands: &Receiver<Command>,
    mut save: impl FnMut(oneshot::Sender<Result<String, String>>),
) -> End {
    loop {
        match commands.recv() {
            Ok(Command::Reset) => return End::Reset,
            Ok(Command::Close) | Err(_) => return End::Close,
            Ok(Command::Save(reply)) => save(reply),
            Ok(_) => {}
        }
    }
}

/// The run as far as it went: the network after the latest step, the finished epochs.
pub fn training_so_far(last: &Net, history: &[EpochMetrics], epoch: usize) -> Training<Net> {
    Training {
        model: burn::module::Module::valid(last),
        kept: history.last().map(|last| Kept::Last { epoch: last.epoch }),
        history: history.to_vec(),
        stop: StopReason::Interrupted { epoch },
    }
}

/// The most epochs an update carries for the curves.
pub const MOST_CURVE_POINTS: usize = 500;

/// At most [`MOST_CURVE_POINTS`] of `history`, evenly spaced, the first and the last always.
pub fn curve_points(history: &[EpochMetrics]) -> Vec<EpochMetrics> {
    let stride = history.len().div_ceil(MOST_CURVE_POINTS).max(1);
    let last = history.len().saturating_sub(1);
    let kept = |(i, _): &(usize, &EpochMetrics)| i % stride == 0 || *i == last;
    history
        .iter()
        .enumerate()
        .filter(kept)
        .map(|(_, m)| m.clone())
        .collect()
}

/// Saves through the same commit as `stepwise train`; the folder, or what went wrong.
pub fn save(plan: &Plan, training: &Training<Net>, played: Duration) -> Result<String, String> {
    match plan.save_training(training, played.as_secs_f64()) {
        Ok(()) => Ok(plan.out.dir.display().to_string()),
        Err(err) => Err(format!("{err:#}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epochs(n: usize) -> Vec<EpochMetrics> {
        (1..=n)
            .map(|epoch| EpochMetrics {
                epoch,
                train_loss: 1.0 / epoch as f64,
                valid_loss: None,
                valid_accuracy: None,
                learning_rate: 0.1,
            })
            .collect()
    }

    #[test]
    fn a_long_run_sends_evenly_spaced_epochs_with_the_first_and_the_last() {
        assert_eq!(curve_points(&epochs(3)), epochs(3));
        assert!(curve_points(&[]).is_empty());
        let points = curve_points(&epochs(10_001));
        assert!(points.len() <= MOST_CURVE_POINTS + 1, "{}", points.len());
        assert_eq!(points[0].epoch, 1);
        assert_eq!(points.last().unwrap().epoch, 10_001);
        let gaps: Vec<usize> = points.windows(2).map(|w| w[1].epoch - w[0].epoch).collect();
        assert!(gaps[..gaps.len() - 1].iter().all(|&gap| gap == gaps[0]));
    }
}
