//! # stepwise — the learning loop, made real on burn
//!
//! Training a network is a loop a beginner can read:
//!
//! | phase    | what happens                                      | where                          |
//! |----------|---------------------------------------------------|--------------------------------|
//! | INIT     | random starting parameters, from a seed           | [`Architecture::init`]         |
//! | PREDICT  | the network's outputs for a minibatch             | [`Network::forward`]           |
//! | LOSS     | one number for how wrong they are                 | `src/learner/loss.rs`          |
//! | GRADIENT | backpropagation: d(loss)/d(parameter)             | `loss.backward()` in `src/learner/step.rs` |
//! | STEP     | parameter ← parameter − learning_rate × gradient  | burn's SGD in `src/learner/step.rs` |
//! | STOP     | target reached, no progress, diverged, or done    | [`StopReason`], `src/learner/stop.rs` |
//!
//! [`Learner::run`] reads them top to bottom.
//!
//! As a library: define a network (or take the built-in MLP), train it from a config, save it,
//! load the saved folder and predict or evaluate. Everything below is at the crate's root.
//!
//! ```no_run
//! use stepwise::{ArtifactDir, Plan, Predictor, Rows, TrainConfig};
//!
//! # fn main() -> anyhow::Result<()> {
//! let backend = stepwise::cpu().expect("a CPU backend");
//! // INIT to STOP on iris, saved in artifacts/iris (a network of your own: `Plan::train_network`,
//! // with an `Architecture`; see examples/own_network.rs).
//! let config = TrainConfig::new().with_dataset("iris".into());
//! let plan = Plan::prepare(config, Some("artifacts/iris".into()), backend.clone())?;
//! let report = plan.train(|epoch| println!("epoch {} loss {}", epoch.epoch, epoch.train_loss))?;
//! println!("{}", report.summary.stopped);
//!
//! // Later: the folder alone rebuilds the network.
//! let predictor = Predictor::load(&ArtifactDir::new("artifacts/iris"), backend.device)?;
//! let answers = predictor.predict(&[vec![5.1, 3.5, 1.4, 0.2]])?;
//! let scores = predictor.evaluate_data(&predictor.eval_data("iris", Some(Rows::Valid))?)?;
//! println!("{answers:?} {:?}", scores.scores);
//! # Ok(())
//! # }
//! ```
//!
//! The source is in folders by concept:
//!
//! | folder | what it holds |
//! |---|---|
//! | `learner/` | the loop: [`Learner::run`], the one step, the loss, STOP, which epoch is kept, minibatches, measuring a split, the per-epoch record |
//! | `model/` | the networks: the built-in MLP and CNN, and the two traits any burn `Module` implements to be trained |
//! | `config/` | every tunable knob, in one `#[derive(Config)]` saved with the model |
//! | `data/` | where examples come from (built-in sets, CSV, pictures), the task, the split, the encoding and standardisation |
//! | `train/` | a whole run: prepare the plan, train, save, resume; and `approximate`'s runs, one width after another |
//! | `artifacts/` | the saved folder: its files, the crash-safe commit, checkpoints, the one writer |
//! | `inference/` | a saved folder loaded again to predict, and to evaluate labelled rows |
//! | `interop/` | models in and out: ONNX and safetensors export, starting weights from PyTorch |
//! | `teaching/` | looking inside the loop: trace, lr-find, gradcheck, the derivative, advice |
//! | `pictures/` | the SVG pictures: the loss, what a regression or a classifier learned, lr-find |
//! | `device/` | the one place that knows the backends; `device/speed/`, stepwise's own operations |
//! | `play/` | the playground: the loop live in a browser, served from the binary |
//! | `remote/` | training on another machine's device |
//! | `machine/` | memory, files, the run's memory estimate, the checksum |
//! | `bench/` | the benchmark workloads |
//! | `cli/` | the command line: the only code that prints |

mod cli;

mod artifacts;
mod bench;
mod config;
mod data;
mod device;
mod inference;
mod interop;
mod learner;
mod machine;
mod model;
mod pictures;
mod play;
mod remote;
mod teaching;
mod train;

// The library's surface: what a program needs to define a network, train it from a config, save
// it, load the saved folder and predict or evaluate. Everything else is the crate's own.

/// Train: a [`Plan`] prepares the data and the network from a config; its learner runs the
/// loop; a [`TrainReport`] is what the run produced, saved in an [`ArtifactDir`].
pub use artifacts::{ArtifactDir, ModelCard, Summary, BURN_VERSION, FORMAT_VERSION};
pub use config::{
    ActivationKind, Keep, LearningRate, Missing, ModelKind, OptimizerKind, OutputKind,
    ScheduleKind, Task, TrainConfig,
};
/// Configure: every tunable knob of a run, and its one-of-a-few choices.
/// Predict and evaluate: a saved folder loaded again.
pub use data::{Dataset, Targets};
/// Choose a device: the backends compiled in.
pub use device::{
    compiled_backends, compute_on_this_thread, cpu, select, survey, Backend, DeviceChoice,
};
pub use inference::eval::{EvalData, Evaluation, Rows, Scores};
pub use inference::{Prediction, Predictor, Ranked};
/// Models in and out: a saved folder exported as ONNX or safetensors (`stepwise export`).
pub use interop::{export, ExportFormat, Exported, Manifest};
pub use learner::keep::Kept;
pub use learner::metrics::EpochMetrics;
pub use learner::stop::{StopReason, Watched};
pub use learner::{Checkpoint, Learner, Stepped, Training, Watcher};
/// Define a network: any burn `Module` that implements [`Network`], built by an
/// [`Architecture`]; the built-in MLP is [`ModelConfig`].
pub use model::{Architecture, ModelConfig, Network};
pub use train::{Plan, TrainReport};

/// The `stepwise` program: parses the process's arguments, runs the command, and reports an
/// error on stderr. Its exit status: 0 done, 1 an error, 130/143/129 interrupted after saving.
pub fn command_line() -> std::process::ExitCode {
    match cli::run(cli::parse()) {
        Ok(code) => code,
        Err(err) => {
            // Not eprintln!, which panics where stderr cannot be written (`2> /dev/full`).
            use std::io::Write as _;
            writeln!(std::io::stderr().lock(), "error: {err:#}").ok();
            std::process::ExitCode::FAILURE
        }
    }
}
