//! The command line: parse, call the library, print. The only code that prints.
//!
//! `mod.rs` holds the commands and their options; `train.rs` the output of a training run,
//! `infer.rs` that of predict and eval, `catalogue.rs` of datasets and devices, and `explain.rs` that of the commands
//! that look inside the loop (trace, lr-find, gradcheck, derivative, plot).

/// `println!` that returns a failed write as an error instead of panicking (`> /dev/full`, a
/// full disk). A closed pipe ends the process quietly before this sees it (SIGPIPE).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*).map_err(crate::cli::output_error)
    }};
}

/// `eprintln!` that never panics: where stderr cannot be written (`2> /dev/full`), a warning or
/// an error is lost, but the command still ends with its own exit status.
macro_rules! tell {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stderr().lock(), $($arg)*).ok();
    }};
}

mod bench;
mod catalogue;
mod compare;
mod explain;
mod export;
mod infer;
mod ingest;
mod play;
mod show;
mod sweep;
mod train;

mod parse;
mod remote;

pub use bench::BenchArgs;
pub use remote::{RemoteArgs, ServeArgs};

use std::path::PathBuf;

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

use crate::config::TrainConfig;
use crate::device::{self, Backend, DeviceChoice};
use crate::inference::eval::Rows;
use crate::train::Plan;

pub use parse::parse;

/// stepwise trains neural networks with the learning loop as the article tells it:
/// INIT random parameters → PREDICT → LOSS → GRADIENT (backpropagation) → STEP (SGD) → repeat →
/// STOP when the loss is acceptable.
#[derive(Parser, Debug)]
#[command(name = "stepwise", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train a network and save it under artifacts/ (with no options: an MLP on iris).
    // Its `after_help`, the STEP rule with the defaults, is set in parse.rs.
    Train(TrainArgs),
    /// Load a trained network and predict: PREDICT alone, on new inputs.
    Predict(PredictArgs),
    /// Measure a trained network on a labelled data set: loss, accuracy, confusion or R².
    Eval(EvalArgs),
    /// List the data sets --dataset accepts by name.
    Datasets,
    /// List the compiled-in backends and what each would run on (trains nothing).
    Devices(RemoteArgs),
    /// Find a learning rate: the range test, from 1e-6 to 10 over ~100 steps (takes train options).
    LrFind(PlanArgs),
    /// Check backpropagation: autodiff gradients against finite differences (takes train options).
    Gradcheck(GradcheckArgs),
    /// The universal approximation theorem in a picture: one hidden layer of 1, 2, 4, 8 and 32
    /// neurons fitting the same curve (sine unless --dataset names other data of one input).
    Approximate(ApproximateArgs),
    /// The article's derivative, runnable: the profit P(x) = -x² + 6x and gradient steps on it.
    Derivative(DerivativeArgs),
    /// Redraw a model folder's pictures (loss.svg, and fit.svg or boundary.svg) from the data saved
    /// with them, and plot the loss in the terminal.
    Plot(PlotArgs),
    /// Time the learning loop on the benchmark workloads, or loading a CSV (see bench/README.md).
    Bench(BenchArgs),
    /// Runs side by side: their losses on one picture (compare.svg), and the settings in which
    /// they differ, with each one's kept epoch.
    Compare(compare::CompareArgs),
    /// A trained model for other programs: ONNX (the whole predictor, for onnxruntime) or
    /// safetensors (its parameters, named as PyTorch's nn.Sequential of the same layers).
    Export(export::ExportArgs),
    /// The learning loop live in a browser: pick data, a network and the STEP, then play,
    /// pause, step and watch it learn (serves a page on 127.0.0.1 until Ctrl-C).
    Play(play::PlayArgs),
    /// Host this machine's device for `--device remote` clients on other machines, until Ctrl-C
    /// (feature `remote`; the token from --token-file or STEPWISE_REMOTE_TOKEN).
    Serve(ServeArgs),
}

/// The STEP and STOP rules with their defaults, under `stepwise train --help`.
/// Where to compute.
#[derive(Args, Clone, Debug)]
pub struct DeviceArg {
    /// Backend to compute on: `auto` takes the GPU when built with the `wgpu` feature and a
    /// hardware adapter exists, else the CPU; `remote` the device of a `stepwise serve`.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Auto)]
    pub device: DeviceChoice,
    #[command(flatten)]
    pub remote: RemoteArgs,
}

impl DeviceArg {
    /// The chosen backend; a fallback warning goes to stderr.
    pub fn backend(&self) -> Result<Backend> {
        let server = self.remote.server()?;
        let selection = crate::remote::select(self.device, server.as_ref())?;
        if let Some(server) = server {
            remote::on_lost_server(&server.address);
        }
        if let Some(warning) = selection.warning {
            tell!("warning: {warning}");
        }
        Ok(selection.backend)
    }
}

/// What a training run is made of: the configuration, where to save, where to compute.
#[derive(Args, Clone, Debug)]
pub struct PlanArgs {
    #[command(flatten)]
    pub device: DeviceArg,
    #[command(flatten)]
    pub config: TrainConfig,
    /// Folder to save the trained model in (default: artifacts/<dataset name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write into an --out folder that holds files stepwise did not write (its config.json,
    /// metrics.csv, ... are replaced).
    #[arg(long)]
    pub overwrite: bool,
}

impl PlanArgs {
    fn prepare(self) -> Result<Plan> {
        let mut plan = Plan::prepare(self.config, self.out, self.device.backend()?)?;
        plan.out.overwrite = self.overwrite;
        Ok(plan)
    }
}

#[derive(Args, Clone, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Print every N-th epoch (default: about 25 lines in all).
    #[arg(long)]
    pub log_every: Option<usize>,
    /// Print no epoch lines, and no plot.
    #[arg(long)]
    pub quiet: bool,
    /// Print every phase's numbers for the first N steps (INIT, PREDICT, LOSS, GRADIENT, STEP),
    /// at most 1000: each step is a screenful, and all of them are kept to print.
    #[arg(long, default_value_t = 0, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=1000))]
    pub trace: usize,
    /// Draw boundary.svg in the plane of these two inputs, comma separated (the others held at
    /// their training mean); a classifier of two inputs is drawn without it.
    #[arg(long, value_delimiter = ',', value_name = "A,B")]
    pub plot_features: Vec<String>,
    /// Continue the run whose checkpoint is in this artifact folder (one interrupted, or one out
    /// of epochs), with the configuration it was started with: every training option but
    /// --epochs, and --out, is refused; --epochs N trains it longer, to epoch N.
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
    /// `--epochs` as given on the command line (with --resume: train longer than the run was
    /// set for), read apart from its default in parse.rs.
    #[arg(skip)]
    pub more_epochs: Option<usize>,
    /// `--lr A,B,C`: the rates of one run each (read apart in parse.rs); empty for one rate.
    #[arg(skip)]
    pub rates: Vec<f64>,
}

#[derive(Args, Debug)]
pub struct GradcheckArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// Rows in the batch the gradients are checked on.
    #[arg(long, default_value_t = 8)]
    pub rows: usize,
}

#[derive(Args, Debug)]
pub struct ApproximateArgs {
    #[command(flatten)]
    pub plan: PlanArgs,
    /// The hidden layer widths to try, comma separated.
    #[arg(long, value_delimiter = ',', default_values_t = crate::train::approximate::WIDTHS)]
    pub widths: Vec<usize>,
}

#[derive(Args, Debug)]
pub struct DerivativeArgs {
    #[command(flatten)]
    pub device: DeviceArg,
    /// Where to take the slope, and where the gradient steps start.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub x: f64,
    /// Learning rate of the gradient steps.
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    pub lr: f64,
    /// Number of gradient steps (at most 10000: every x is kept and shown).
    #[arg(long, default_value_t = 20,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=10_000))]
    pub steps: usize,
}

#[derive(Args, Debug)]
pub struct PlotArgs {
    /// Model folder written by `stepwise train`.
    #[arg(long)]
    pub model: PathBuf,
}

#[derive(Args, Debug)]
// What to predict: one of the three, named together when none is given.
#[group(id = "inputs", args = ["input", "input_file", "input_image"], required = true, multiple = false)]
pub struct PredictArgs {
    #[command(flatten)]
    pub device: DeviceArg,
    /// Model folder written by `stepwise train`.
    #[arg(long)]
    pub model: PathBuf,
    /// One input row: a value per column the model reads, separated by commas, e.g.
    /// "5.1,3.5,1.4,0.2" (negative numbers too: "-0.7,1"; a text column takes its category).
    #[arg(long, allow_hyphen_values = true)]
    pub input: Option<String>,
    /// A CSV file with the model's feature columns (by name); prints a CSV of predictions. A
    /// folder: every picture in it (a model trained on pictures).
    #[arg(long)]
    pub input_file: Option<PathBuf>,
    /// Pictures to classify (PNG, JPEG, BMP, GIF), read at the size and in the channels the
    /// model was trained on.
    #[arg(long, num_args = 1.., value_name = "FILE")]
    pub input_image: Vec<PathBuf>,
    /// List the N most probable classes of each answer, not just the first.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    #[command(flatten)]
    pub device: DeviceArg,
    /// Model folder written by `stepwise train`.
    #[arg(long)]
    pub model: PathBuf,
    /// Labelled data: a built-in or shipped name, or a CSV path with the model's columns.
    #[arg(long)]
    pub dataset: String,
    /// Which rows to score: `valid` (default when it is the data the model was trained on: the
    /// rows held out from training), `train`, or `all` (default for other data).
    #[arg(long, value_enum)]
    pub rows: Option<Rows>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// What a failed write to stdout becomes.
pub fn output_error(err: std::io::Error) -> anyhow::Error {
    anyhow::anyhow!("cannot write the output: {err}")
}

/// Runs a command; the exit status is 0 unless training was interrupted (130).
pub fn run(cli: Cli) -> Result<ExitCode> {
    // Not the server's: it waits for clients until Ctrl-C, and their products would lose one of
    // the pool's threads to that wait.
    if !matches!(cli.command, Command::Serve(_) | Command::Play(_)) {
        device::compute_on_this_thread();
    }
    let done = match cli.command {
        Command::Train(args) => return train::train(args),
        Command::Predict(args) => infer::predict(args),
        Command::Eval(args) => infer::eval(args),
        Command::Datasets => catalogue::datasets(),
        Command::Devices(args) => catalogue::devices(args),
        Command::LrFind(args) => explain::lr_find(args),
        Command::Gradcheck(args) => explain::gradcheck(args),
        Command::Approximate(args) => explain::approximate(args),
        Command::Derivative(args) => explain::derivative(args),
        Command::Plot(args) => explain::plot(args),
        Command::Bench(args) => bench::bench(args),
        Command::Serve(args) => remote::serve(args),
        Command::Play(args) => play::play(args),
        Command::Compare(args) => compare::compare(args),
        Command::Export(args) => export::export(args),
    };
    done.map(|()| ExitCode::SUCCESS)
}
