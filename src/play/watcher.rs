//! The page's hold on the loop: a [`Watcher`] that lets it run, holds it between two steps
//! (pause), lets one step or one epoch through, and ends it (reset, the page closed) — and
//! that tells the page what happened, at most [`UPDATES_PER_SECOND`] times a second, so
//! drawing never holds the loop back.

use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

use burn::module::{Module, ParamId};
use burn::optim::GradientsParams;

use super::session::{curve_points, Command, Update, Updates};
use super::surface::line_parameters;
use super::views::Scene;
use crate::learner::metrics::EpochMetrics;
use crate::learner::{Stepped, Watcher};
use crate::model::{Architecture, ModelConfig};
use crate::teaching::trace::{gradient_norms, parameter_steps, parameters, ParameterStep};
use crate::train::Plan;

/// The network the page trains: the built-in one.
pub type Net = <ModelConfig as Architecture>::Network;

/// How often the page is told, at most, while the loop runs.
pub const UPDATES_PER_SECOND: u32 = 25;

/// The most points of a line's path sent to the page.
const MOST_PATH_POINTS: usize = 4000;

/// What the page asked the loop to do.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Paused,
    Playing,
    /// One more step, then pause.
    Step,
    /// To the end of the epoch, then pause.
    Epoch,
}

/// Why the page ended the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum End {
    Reset,
    Close,
}

/// The numbers of one STEP, shown after the page takes a single step.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StepNumbers {
    pub epoch: usize,
    pub step: usize,
    pub batch_rows: usize,
    pub loss: f64,
    pub learning_rate: f64,
    pub parameters: Vec<ParameterStep>,
}

/// Before a single STEP: the parameters, and their gradients' norms.
type Before = (Vec<(String, ParamId, Vec<f32>)>, Vec<(ParamId, f64)>);

/// The page's hold on one run of the loop: what it lets through, and what it tells the page.
pub struct PlayWatcher<'a> {
    pub plan: &'a Plan,
    scene: &'a Scene,
    pub commands: &'a Receiver<Command>,
    updates: &'a Updates,
    mode: Mode,
    pub ended: Option<End>,
    pub update: Update,
    /// Every finished epoch (the update carries the curves' points).
    pub history: Vec<EpochMetrics>,
    before: Option<Before>,
    sent: Instant,
    /// Time spent playing, and the rows stepped through meanwhile.
    playing_since: Option<Instant>,
    played: Duration,
    rows_played: usize,
}

impl<'a> PlayWatcher<'a> {
    pub fn new(
        plan: &'a Plan,
        scene: &'a Scene,
        commands: &'a Receiver<Command>,
        updates: &'a Updates,
        run: u64,
    ) -> Self {
        PlayWatcher {
            plan,
            scene,
            commands,
            updates,
            mode: Mode::Paused,
            ended: None,
            update: Update::start(run),
            history: Vec::new(),
            before: None,
            sent: Instant::now(),
            playing_since: None,
            played: Duration::ZERO,
            rows_played: 0,
        }
    }

    /// Takes the page's commands: every one waiting, and while paused, waits for one that lets
    /// the loop go on (or ends it). `network` is the loop's as it stands (what "save" saves).
    fn obey(&mut self, network: &Net) {
        while self.ended.is_none() {
            let command = if self.mode == Mode::Paused {
                self.commands.recv().unwrap_or(Command::Close)
            } else {
                match self.commands.try_recv() {
                    Ok(command) => command,
                    Err(TryRecvError::Empty) => return,
                    Err(TryRecvError::Disconnected) => Command::Close,
                }
            };
            self.command(command, network);
        }
    }

    fn command(&mut self, command: Command, network: &Net) {
        match command {
            Command::Play => self.set_mode(Mode::Playing),
            Command::Pause => self.set_mode(Mode::Paused),
            Command::Step => self.set_mode(Mode::Step),
            Command::Epoch => self.set_mode(Mode::Epoch),
            Command::Reset => self.ended = Some(End::Reset),
            Command::Close => self.ended = Some(End::Close),
            Command::Save(reply) if self.update.steps == 0 => {
                let nothing = "take a step first: INIT has learned nothing yet";
                reply.send(Err(nothing.into())).ok();
            }
            Command::Save(reply) => {
                let epoch = self.update.epoch;
                let training = super::session::training_so_far(network, &self.history, epoch);
                reply
                    .send(super::session::save(self.plan, &training, self.played()))
                    .ok();
            }
        }
    }

    fn set_mode(&mut self, mode: Mode) {
        match (self.playing_since, mode) {
            (None, Mode::Playing | Mode::Step | Mode::Epoch) => {
                self.playing_since = Some(Instant::now())
            }
            (Some(since), Mode::Paused) => {
                self.played += since.elapsed();
                self.playing_since = None;
            }
            _ => {}
        }
        self.mode = mode;
        self.update.running = mode != Mode::Paused;
        self.publish();
    }

    /// Whether the page is due an update: the last went out a frame ago or more.
    fn due(&self) -> bool {
        self.sent.elapsed() >= Duration::from_secs(1) / UPDATES_PER_SECOND
    }

    /// Tells the page, when it is due (or `now`), with `network` drawn as it is.
    fn send(&mut self, network: &Net, now: bool) {
        if now || self.due() {
            self.update.drawn = self.scene.draw(&network.valid());
            self.publish();
        }
    }

    /// Time spent playing (or stepping) so far.
    pub fn played(&self) -> Duration {
        let playing = self
            .playing_since
            .map_or(Duration::ZERO, |since| since.elapsed());
        self.played + playing
    }

    /// Tells the page the update as it stands.
    pub fn publish(&mut self) {
        let seconds = self.played().as_secs_f64();
        self.update.epochs_done = self.history.len();
        self.update.history = curve_points(&self.history);
        self.update.samples_per_second = (seconds > 0.2).then(|| self.rows_played as f64 / seconds);
        self.updates.send_replace(self.update.to_json());
        self.sent = Instant::now();
    }

    fn single_step(&self) -> bool {
        self.mode == Mode::Step
    }
}

impl Watcher<Net> for PlayWatcher<'_> {
    fn gradients(&mut self, model: &Net, gradients: &GradientsParams) {
        if self.single_step() {
            self.before = Some((parameters(model), gradient_norms(model, gradients)));
        }
    }

    fn stepped(&mut self, step: &Stepped<'_, Net>) {
        let (epoch, steps_done) = (step.epoch, step.steps_done);
        self.update.phase = "STEP";
        (self.update.epoch, self.update.steps_done) = (epoch, steps_done);
        self.update.steps += 1;
        self.rows_played += step.batch_rows;
        if self.scene.fixed.surface.is_some() {
            let path = &mut self.update.path;
            path.push(line_parameters(step.model));
            // A long run's path, thinned to every other step: the page draws it whole.
            if path.len() > MOST_PATH_POINTS {
                *path = path.iter().step_by(2).copied().collect();
            }
        }
        let single = self.single_step();
        if let (true, Some((before, norms))) = (single, self.before.take()) {
            let after = parameters(step.model);
            let learning_rate = step.learning_rate;
            self.update.step = Some(StepNumbers {
                epoch,
                step: steps_done,
                batch_rows: step.batch_rows,
                loss: step.loss.clone().into_scalar::<f64>(),
                learning_rate,
                parameters: parameter_steps(before, after, &norms, learning_rate, &[]),
            });
        }
        if single || self.due() {
            self.update.batch_loss = Some(step.loss.clone().into_scalar::<f64>());
        }
        if single {
            self.set_mode(Mode::Paused);
        }
        self.send(step.model, single);
        self.obey(step.model);
    }

    fn interrupted(&self) -> bool {
        self.ended.is_some()
    }

    fn epoch(&mut self, metrics: &EpochMetrics) {
        self.history.push(metrics.clone());
    }

    fn network(&mut self, epoch: usize, model: &Net) {
        self.update.phase = if epoch == 0 { "INIT" } else { "LOSS" };
        if self.mode == Mode::Epoch {
            self.set_mode(Mode::Paused);
        }
        // Playing, an epoch's end waits its turn like any step: small sets end many a second.
        self.send(model, self.mode != Mode::Playing);
        self.obey(model);
    }
}
