//! # stepwise — the learning loop, made real on burn
//!
//! Training a network is a loop a beginner can read:
//!
//! | phase    | what happens                                      | where                          |
//! |----------|---------------------------------------------------|--------------------------------|
//! | INIT     | random starting parameters, from a seed           | [`model::Architecture::init`]  |
//! | PREDICT  | the network's outputs for a minibatch             | [`model::Network::forward`]    |
//! | LOSS     | one number for how wrong they are                 | [`learner::loss::Loss::forward`] |
//! | GRADIENT | backpropagation: d(loss)/d(parameter)             | `loss.backward()` in [`learner::step`] |
//! | STEP     | parameter ← parameter − learning_rate × gradient  | burn's SGD in [`learner::step`] |
//! | STOP     | target reached, no progress, diverged, or done    | [`learner::stop::StopPolicy`]  |
//!
//! The source is in folders by concept:
//!
//! | folder | what it holds |
//! |---|---|
//! | `learner/` | the loop: [`learner::Learner::run`], the one step, the loss, STOP, which epoch is kept, minibatches, measuring a split, the per-epoch record |
//! | `model/` | the networks: the built-in MLP and CNN, and the two traits any burn `Module` implements to be trained |
//! | `config/` | every tunable knob, in one `#[derive(Config)]` saved with the model |
//! | `data/` | where examples come from (built-in sets, CSV, pictures), the task, the split, the encoding and standardisation |
//! | `train/` | a whole run: prepare the plan, train, save |
//! | `artifacts/` | the saved folder: its files, the crash-safe commit, checkpoints, the one writer |
//! | `inference/` | a saved folder loaded again to predict, and to evaluate labelled rows |
//! | `teaching/` | looking inside the loop: trace, lr-find, gradcheck, the derivative, approximation, advice |
//! | `pictures/` | the SVG pictures: the loss, what a regression or a classifier learned, lr-find |
//! | `device/` | the one place that knows the backends; `device/speed/`, stepwise's own operations |
//! | `remote/` | training on another machine's device |
//! | `machine/` | memory, files, the run's memory estimate, the checksum |
//! | `bench/` | the benchmark workloads |
//! | `cli/` | the command line: the only code that prints |

mod cli;

pub mod artifacts;
pub mod bench;
pub mod config;
pub mod data;
pub mod device;
pub mod inference;
pub mod learner;
pub mod machine;
pub mod model;
pub mod pictures;
pub mod remote;
pub mod teaching;
pub mod train;

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
