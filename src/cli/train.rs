//! What a training run prints: the plan, the epochs (a progress bar on a terminal, plain lines
//! in a pipe), an optional phase trace, the stop reason and where the model went.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::shell_word;
use crate::learner::metrics::EpochMetrics;
use crate::learner::stop::StopReason;
use crate::pictures;
use crate::train::{Plan, TrainReport};

use super::show::{print_fit, print_lr_finding, print_plan, print_trace};
use super::TrainArgs;

/// The most columns of a row printed as a `predict --input` example.
const MAX_EXAMPLE_COLUMNS: usize = 30;

/// Most epoch lines printed by default; `--log-every` overrides.
const DEFAULT_EPOCH_LINES: usize = 25;

/// Exit status after a Ctrl-C, as shells report a process ended by SIGINT (128 + 2); after
/// SIGTERM or SIGHUP, 128 + that signal's number (143, 129). After SIGPIPE the process ends by
/// the signal itself, as Unix tools do.
const INTERRUPTED: u8 = 130;

pub fn train(args: TrainArgs) -> Result<ExitCode> {
    if !args.rates.is_empty() {
        return super::sweep::sweep(args);
    }
    let mut plan = match &args.resume {
        Some(dir) => Plan::resume(dir.clone(), args.plan.device.backend()?, args.more_epochs)?,
        None => args.plan.prepare()?,
    };
    let epochs = plan.config().epochs;
    print_plan(&plan)?;
    if let Some((epoch, steps)) = plan.resumes_at() {
        say!(
            "resume   epoch {epoch} after {steps} step{} of it, from {}",
            if steps == 1 { "" } else { "s" },
            plan.out.checkpoint().display()
        )?;
    }
    if let Some(finding) = &plan.lr_finding {
        print_lr_finding(finding)?;
    }
    if !args.plot_features.is_empty() {
        plan.plot_features(&args.plot_features)?;
    }
    if args.trace > 0 {
        print_trace(&plan.trace(args.trace)?, &plan)?;
    }

    let classification = plan.card.is_classifier();
    let example = plan.frame.row_texts(0).join(",");
    let (interrupt, signal) = stop_signals()?;
    plan.interrupt_on(interrupt.clone());
    let progress = Progress::new(epochs, args.quiet, args.log_every);
    let report = plan.train(|metrics| progress.epoch(metrics, classification));
    if interrupt.load(Ordering::Relaxed) && signal.load(Ordering::Relaxed) == 0 {
        // The reader went away (`| head`): what there was is saved; end as SIGPIPE ends any
        // Unix tool, with nothing more to say to no one.
        signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGPIPE).ok();
    }
    let printed = progress.finish();
    let report = report?;
    printed?;
    print_report(&report, &example)?;
    if let StopReason::Interrupted { .. } = report.training.stop {
        say!(
            "resume   stepwise train --resume {}",
            shell_word(&report.out.dir.display().to_string())
        )?;
        return Ok(ExitCode::from(match signal.load(Ordering::Relaxed) {
            0 => INTERRUPTED, // not from a signal (a program's own interrupt flag)
            signal => 128 + signal as u8,
        }));
    }
    if !args.quiet && !report.training.history.is_empty() {
        say!("{}", pictures::loss_text(&report.training.history))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The flag the first Ctrl-C raises, so the run ends after its current step and saves; a
/// second Ctrl-C (the flag already raised) exits at once, touching no file. SIGTERM and SIGHUP
/// (a `kill`, a closed terminal) do the same, and so does SIGPIPE, once: the reader of the output
/// went away (`| head`), so the run saves what it has instead of dying mid-write; the writes
/// after it fail quietly. Also returned: the number of the signal that stopped the run.
fn stop_signals() -> Result<(Arc<AtomicBool>, Arc<AtomicUsize>)> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGPIPE, SIGTERM};
    use signal_hook::flag;
    let interrupt = Arc::new(AtomicBool::new(false));
    let which = Arc::new(AtomicUsize::new(0));
    let failed = |err| anyhow::Error::new(err).context("cannot install the Ctrl-C handler");
    for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] {
        // SIGPIPE comes again with every write after the first: it only raises the flag.
        if signal != SIGPIPE {
            // Registered first, so it sees the flag as it was before this signal raised it.
            let code = 128 + signal;
            flag::register_conditional_shutdown(signal, code, Arc::clone(&interrupt))
                .map_err(failed)?;
            flag::register_usize(signal, Arc::clone(&which), signal as usize).map_err(failed)?;
        }
        flag::register(signal, Arc::clone(&interrupt)).map_err(failed)?;
    }
    Ok((interrupt, which))
}

/// How epochs are shown.
enum Progress {
    /// On a terminal: one bar with the epoch, the ETA and the current loss.
    Bar(ProgressBar),
    /// In a pipe or a log: a plain line every `every` epochs (and the first). A line that
    /// cannot be written stops the lines; the run goes on, saves, and reports it at the end.
    Lines {
        every: usize,
        failed: std::cell::RefCell<Option<anyhow::Error>>,
    },
    Quiet,
}

impl Progress {
    fn new(epochs: usize, quiet: bool, log_every: Option<usize>) -> Self {
        if quiet {
            return Progress::Quiet;
        }
        if log_every.is_none() && std::io::stdout().is_terminal() {
            let bar =
                ProgressBar::with_draw_target(Some(epochs as u64), ProgressDrawTarget::stdout());
            bar.set_style(
                ProgressStyle::with_template("epoch {pos:>4}/{len} [{bar:30}] ETA {eta:>3}  {msg}")
                    .expect("the template is valid")
                    .progress_chars("=> "),
            );
            return Progress::Bar(bar);
        }
        Progress::Lines {
            every: log_every
                .unwrap_or_else(|| epochs.div_ceil(DEFAULT_EPOCH_LINES))
                .max(1),
            failed: Default::default(),
        }
    }

    fn epoch(&self, metrics: &EpochMetrics, classification: bool) {
        match self {
            Progress::Bar(bar) => {
                bar.set_position(metrics.epoch as u64);
                bar.set_message(losses(metrics, classification));
            }
            Progress::Lines { every, failed } => {
                let due = metrics.epoch == 1 || metrics.epoch.is_multiple_of(*every);
                if due && failed.borrow().is_none() {
                    if let Err(err) = say!("{}", epoch_line(metrics, classification)) {
                        *failed.borrow_mut() = Some(err);
                    }
                }
            }
            Progress::Quiet => {}
        }
    }

    /// Ends the display; the error of a line that could not be written, if one failed.
    fn finish(self) -> Result<()> {
        match self {
            Progress::Bar(bar) => bar.finish_and_clear(),
            Progress::Lines { failed, .. } => {
                if let Some(err) = failed.into_inner() {
                    return Err(err);
                }
            }
            Progress::Quiet => {}
        }
        Ok(())
    }
}

fn epoch_line(metrics: &EpochMetrics, classification: bool) -> String {
    format!(
        "epoch {:>4}  {}",
        metrics.epoch,
        losses(metrics, classification)
    )
}

/// `train loss 0.1234  valid loss 0.2345  valid acc 0.933`
fn losses(metrics: &EpochMetrics, classification: bool) -> String {
    let mut line = format!("train loss {:.4}", metrics.train_loss);
    if let Some(loss) = metrics.valid_loss {
        line += &format!("  valid loss {loss:.4}");
    }
    if classification {
        if let Some(accuracy) = metrics.valid_accuracy {
            line += &format!("  valid acc {accuracy:.3}");
        }
    }
    line
}

pub fn print_report(report: &TrainReport, example: &str) -> Result<()> {
    let summary = &report.summary;
    say!(
        "stopped: {} in {:.2} s",
        summary.stopped,
        summary.wall_time_seconds
    )?;
    if let (Some(kept), Some(metrics)) = (&summary.kept, &summary.kept_metrics) {
        let mut scores = format!("train loss {:.4}", metrics.train_loss);
        if let Some(loss) = metrics.valid_loss {
            scores += &format!(", valid loss {loss:.4}");
        }
        if let Some(accuracy) = metrics.valid_accuracy {
            scores += &format!(", valid acc {accuracy:.3}");
        }
        say!("kept     {kept}: {scores}")?;
    }
    for advice in &summary.advice {
        say!("advice   {advice}")?;
    }
    print_fit(report)?;
    let dir = shell_word(&report.out.dir.display().to_string());
    if report.card.image.is_some() {
        // A picture's row of pixels is no input to type: score the pictures, or ask about one.
        let dataset = shell_word(&report.card.training.dataset);
        say!(
            "saved    {dir}  — try: stepwise eval --model {dir} --dataset {dataset}, or \
             stepwise predict --model {dir} --input-image PICTURE.png"
        )?;
        return Ok(());
    }
    // A row of many columns is no input to type: predict rows from a file instead.
    if example.split(',').count() > MAX_EXAMPLE_COLUMNS {
        let dataset = shell_word(&report.card.training.dataset);
        say!("saved    {dir}  — try: stepwise predict --model {dir} --input-file {dataset}")?;
        return Ok(());
    }
    let input = match shell_word(example) {
        // Quoted all the same: the input reads as one value.
        plain if !plain.starts_with('\'') => format!("\"{plain}\""),
        quoted => quoted,
    };
    say!("saved    {dir}  — try: stepwise predict --model {dir} --input {input}")?;
    Ok(())
}
