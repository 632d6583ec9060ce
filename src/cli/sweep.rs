//! `train --lr 0.001,0.01,0.1,1`: the article's paragraph on the learning rate in one command —
//! one run per rate, each saved in its own folder (`lr-0.001`, …), then their losses on one
//! picture and the table of `stepwise compare`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};

use super::compare::{compare, CompareArgs};
use super::TrainArgs;
use crate::artifacts::ArtifactDir;
use crate::config::LearningRate;
use crate::data::Source;

/// Trains one run per rate of `args.rates`, in sub-folders of `--out` (default
/// `artifacts/<data>-lr`), then compares them. A run that fails (one that diverged from its
/// first epoch saves nothing) is reported and left out of the picture.
pub fn sweep(args: TrainArgs) -> Result<ExitCode> {
    if args.resume.is_some() {
        bail!("--resume continues one run; give it one --lr, or none");
    }
    let base = match &args.plan.out {
        Some(dir) => dir.clone(),
        None => {
            let name = Source::resolve(&args.plan.config.dataset)?.name();
            PathBuf::from(format!(
                "{}-lr",
                ArtifactDir::for_dataset(&name).dir.display()
            ))
        }
    };
    let mut saved = Vec::new();
    for (index, &rate) in args.rates.iter().enumerate() {
        let dir = base.join(format!("lr-{rate}"));
        say!(
            "== run {} of {}: --lr {rate}, into {}",
            index + 1,
            args.rates.len(),
            dir.display()
        )?;
        let mut run = args.clone();
        run.rates.clear();
        run.plan.config.learning_rate = LearningRate::Fixed(rate);
        run.plan.out = Some(dir.clone());
        match super::train::train(run) {
            Ok(code) if code == ExitCode::SUCCESS => saved.push(dir),
            // Interrupted (Ctrl-C): what ran is saved; the runs after it are not started.
            Ok(code) => return Ok(code),
            Err(err) => tell!("error: --lr {rate}: {err:#}"),
        }
        say!()?;
    }
    if saved.len() < 2 {
        bail!(
            "{} of {} runs saved a model: nothing to compare",
            saved.len(),
            args.rates.len()
        );
    }
    say!("== the runs side by side")?;
    compare(CompareArgs {
        dirs: saved,
        out: base.join("compare.svg"),
    })?;
    Ok(ExitCode::SUCCESS)
}
