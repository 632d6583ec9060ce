//! Reading the command line: clap's parser, plus the rules clap cannot state — options a command
//! would silently ignore are refused (exit status 2, as clap's own errors), and a common slip
//! (`--hidden 16 16`) gets the spelling that works.

use std::ffi::OsString;

use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, Command, CommandFactory, FromArgMatches};

use crate::config::{ModelKind, TrainConfig};

use super::Cli;

/// Training options `lr-find` has no use for: it runs its own ~100 steps of rising rates.
const LR_FIND_UNUSED: [&str; 12] = [
    "learning_rate",
    "schedule",
    "step_size",
    "gamma",
    "min_lr",
    "warmup",
    "epochs",
    "target_loss",
    "patience",
    "min_delta",
    "checkpoint_every",
    "keep",
];

/// Training options `gradcheck` has no use for: it compares gradients at INIT and takes no step.
const GRADCHECK_UNUSED: [&str; 23] = [
    "learning_rate",
    "schedule",
    "step_size",
    "gamma",
    "min_lr",
    "warmup",
    "optimizer",
    "beta1",
    "beta2",
    "alpha",
    "epsilon",
    "momentum",
    "nesterov",
    "weight_decay",
    "clip_grad_norm",
    "batch_size",
    "epochs",
    "target_loss",
    "patience",
    "min_delta",
    "checkpoint_every",
    "keep",
    "out",
];

/// The command line's grammar: clap's, with `approximate`'s own defaults shown in its help. It
/// draws a curve: sine unless --dataset says otherwise, and tanh neurons, each a smooth step
/// that a wider layer adds more of; --hidden and --model are its --widths' to set.
fn command() -> Command {
    let mut command = Cli::command()
        .mut_subcommand("train", |train| train.after_help(step_rule()))
        .mut_subcommand("approximate", |approximate| {
            approximate
                .mut_arg("dataset", |arg| arg.default_value("sine"))
                .mut_arg("activation", |arg| arg.default_value("tanh"))
                .mut_arg("hidden", |arg| arg.hide(true))
                .mut_arg("model", |arg| arg.hide(true))
        });
    command.build();
    command
}

/// The parsed command line; exits with clap's message and status 2 on a bad one.
pub fn parse() -> Cli {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    let rates = rate_list(&mut args).unwrap_or_else(|problem| {
        let mut command = command();
        match command.find_subcommand_mut("train") {
            Some(train) => train.error(ErrorKind::InvalidValue, problem).exit(),
            None => command.error(ErrorKind::InvalidValue, problem).exit(),
        }
    });
    let matches = match command().try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(err) => match hidden_hint(&args) {
            Some(hint) => command().error(ErrorKind::InvalidValue, hint).exit(),
            None => err.exit(),
        },
    };
    if let Err(problem) = refuse_unused(&matches) {
        // With the usage of the command that was refused, not the program's.
        let mut command = command();
        let name = matches.subcommand_name().unwrap_or_default().to_string();
        match command.find_subcommand_mut(&name) {
            Some(sub) => sub.error(ErrorKind::ArgumentConflict, problem).exit(),
            None => command.error(ErrorKind::ArgumentConflict, problem).exit(),
        }
    }
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    // `--resume DIR --epochs N`: N only when given (its default is no request to train longer).
    if let (super::Command::Train(args), Some(("train", sub))) =
        (&mut cli.command, matches.subcommand())
    {
        if sub.value_source("epochs") == Some(ValueSource::CommandLine) {
            args.more_epochs = Some(args.plan.config.epochs);
        }
        args.rates = rates;
    }
    cli
}

/// `train --lr 0.001,0.01,0.1`: one run per rate. clap is handed the first rate (the others
/// would not parse as one); the list is returned, each rate checked. None for one rate.
fn rate_list(args: &mut [OsString]) -> Result<Vec<f64>, String> {
    if args.get(1).and_then(|arg| arg.to_str()) != Some("train") {
        return Ok(Vec::new());
    }
    for at in 2..args.len() {
        let (value_at, prefix) = match args[at].to_str() {
            Some("--lr") => (at + 1, ""),
            Some(arg) if arg.starts_with("--lr=") => (at, "--lr="),
            _ => continue,
        };
        let Some(value) = args.get(value_at).and_then(|arg| arg.to_str()) else {
            return Ok(Vec::new());
        };
        let value = value.strip_prefix(prefix).unwrap_or(value);
        if !value.contains(',') {
            return Ok(Vec::new());
        }
        let rates = value
            .split(',')
            .map(|rate| match rate.trim().parse::<f64>() {
                Ok(rate) if rate.is_finite() && rate > 0.0 => Ok(rate),
                _ => Err(format!(
                    "'{rate}' in --lr {value} is not a learning rate: give numbers > 0, comma \
                     separated (e.g. --lr 0.001,0.01,0.1,1), one run each"
                )),
            })
            .collect::<Result<Vec<f64>, String>>()?;
        args[value_at] = format!("{prefix}{}", rates[0]).into();
        return Ok(rates);
    }
    Ok(Vec::new())
}

/// `--hidden 16 16`: the second width became a stray argument.
fn hidden_hint(args: &[OsString]) -> Option<String> {
    let args: Vec<&str> = args.iter().filter_map(|arg| arg.to_str()).collect();
    let at = args.iter().position(|&arg| arg == "--hidden")?;
    let widths: Vec<&str> = args[at + 1..]
        .iter()
        .take_while(|arg| arg.parse::<usize>().is_ok())
        .copied()
        .collect();
    (widths.len() > 1).then(|| {
        format!(
            "--hidden takes all its widths in one value, separated by commas: `--hidden {}`",
            widths.join(",")
        )
    })
}

/// Options given on the command line that the command would not use.
fn refuse_unused(matches: &ArgMatches) -> Result<(), String> {
    let Some((name, sub)) = matches.subcommand() else {
        return Ok(());
    };
    refuse_unused_by(name, sub)?;
    refuse_unused_by_the_model(sub)
}

/// Whether the option `id` was given on the command line (not by its default).
fn given(sub: &ArgMatches, id: &str) -> bool {
    sub.try_contains_id(id).unwrap_or(false)
        && sub.value_source(id) == Some(ValueSource::CommandLine)
}

/// `--id`, as the command line spells it.
fn long(id: &str) -> String {
    format!("--{}", long_name(id))
}

/// Options the command `name` does not use: what resuming cannot change, and what approximate,
/// lr-find and gradcheck decide themselves.
fn refuse_unused_by(name: &str, sub: &ArgMatches) -> Result<(), String> {
    let given = |id: &str| given(sub, id);
    match name {
        "train" if given("resume") => {
            // --epochs is the one that may change: more of them trains longer.
            let training = training_options();
            if let Some(id) = training.iter().find(|id| *id != "epochs" && given(id)) {
                return Err(format!(
                    "--resume continues with the configuration saved in the checkpoint, so {} \
                     cannot change it; drop {0}, or train afresh without --resume",
                    long(id)
                ));
            }
        }
        "approximate" => {
            if let Some(id) = ["hidden", "model"].iter().find(|id| given(id)) {
                return Err(format!(
                    "`stepwise approximate` does not use {}: it trains one hidden layer of each \
                     of --widths",
                    long(id)
                ));
            }
        }
        "lr-find" | "gradcheck" => {
            let (unused, why) = if name == "lr-find" {
                (
                    &LR_FIND_UNUSED[..],
                    "it runs its own ~100 steps of rising learning rates",
                )
            } else {
                (
                    &GRADCHECK_UNUSED[..],
                    "it compares gradients at INIT and takes no step",
                )
            };
            if let Some(id) = unused.iter().find(|id| given(id)) {
                return Err(format!(
                    "`stepwise {name}` does not use {}: {why}",
                    long(id)
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Options the chosen network does not have: channels without a CNN, hidden layers and an
/// activation with the linear model.
fn refuse_unused_by_the_model(sub: &ArgMatches) -> Result<(), String> {
    let given = |id: &str| given(sub, id);
    let model = sub
        .try_get_one::<ModelKind>("model")
        .ok()
        .flatten()
        .copied();
    if model != Some(ModelKind::Cnn) && given("channels") {
        return Err(
            "--channels sets the convolutions of --model cnn; add --model cnn, or drop it".into(),
        );
    }
    let linear = model == Some(ModelKind::Linear);
    for id in ["hidden", "activation"] {
        if linear && given(id) {
            return Err(format!(
                "--model linear is one layer, with no hidden layers: {} does not apply; drop it, \
                 or use --model mlp",
                long(id)
            ));
        }
    }
    Ok(())
}

/// The ids of every training option (the fields of [`TrainConfig`]) and `--out`.
fn training_options() -> Vec<String> {
    let command = TrainConfig::augment_args(Command::new("train"));
    command
        .get_arguments()
        .map(|arg| arg.get_id().to_string())
        .chain(["out".to_string()])
        .collect()
}

/// The long option name of an argument id (`learning_rate` is `--lr`).
fn long_name(id: &str) -> String {
    let command = TrainConfig::augment_args(Command::new("train"));
    let long = command
        .get_arguments()
        .find(|arg| arg.get_id() == id)
        .and_then(|arg| arg.get_long())
        .unwrap_or(id)
        .to_string();
    long
}

/// `train --help`'s closing lines: the STEP and STOP rules with the defaults, read from the
/// configuration's own defaults (so the help cannot drift from them).
pub fn step_rule() -> String {
    let defaults = TrainConfig::new();
    format!(
        "STEP, with the defaults:
  velocity  ← momentum × velocity + gradient        (--momentum {}, dampening 0)
  parameter ← parameter − learning_rate × velocity  (--lr {})
  Each step uses a minibatch of {} rows (--batch-size); an epoch is one pass over the data.
The other optimizers (--optimizer), per parameter, g its gradient, t the step (from 1):
  adam     m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  parameter ← parameter − lr·m̂ / (√v̂ + ε),
           m̂ = m / (1−β1^t), v̂ = v / (1−β2^t)   (--beta1 {}, --beta2 {}, --epsilon {:e})
  adamw    parameter ← parameter − lr·(m̂ / (√v̂ + ε) + weight_decay·parameter)   (--weight-decay)
  rmsprop  v ← α·v + (1−α)·g²;  parameter ← parameter − lr·g / (√v + ε)   (--alpha {})
  (--weight-decay adds weight_decay·parameter to g for sgd, adam and rmsprop.)
The learning rate of each epoch (--schedule), lr0 the --lr, e the epoch (from 1), E --epochs:
  constant lr0 (the default)
  step     lr0 · γ^⌊(e−1) / step_size⌋          (--gamma {}, --step-size {})
  cosine   min_lr + ½(lr0 − min_lr)(1 + cos(π(e−1)/(E−1)))   (--min-lr {})
  warmup   lr0 · min(e, N) / N                   (--warmup N, {} by default)
STOP after {} epochs (--epochs), at --target-loss, after --patience epochs without
improvement, or when the loss diverges (NaN, or 1000 times its lowest). The saved model is the
epoch with the lowest validation loss (--keep best), or the last (--keep last).",
        defaults.momentum,
        defaults.learning_rate,
        defaults.batch_size,
        defaults.beta1,
        defaults.beta2,
        defaults.epsilon,
        defaults.alpha,
        defaults.gamma,
        defaults.step_size,
        defaults.min_lr,
        defaults.warmup,
        defaults.epochs
    )
}
