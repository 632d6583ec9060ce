//! `stepwise compare DIR DIR …`: runs side by side — their losses on one picture, and a table
//! of the settings in which they differ, with each one's kept epoch.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;

use crate::artifacts::ArtifactDir;
use crate::learner::metrics::EpochMetrics;
use crate::pictures;

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Two or more folders `stepwise train` saved.
    #[arg(required = true, num_args = 2.., value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Where to write the picture.
    #[arg(long, default_value = "compare.svg")]
    pub out: PathBuf,
}

/// One saved run: its name, history, kept epoch and training settings.
struct Run {
    name: String,
    history: Vec<EpochMetrics>,
    kept: String,
    settings: serde_json::Map<String, serde_json::Value>,
}

pub fn compare(args: CompareArgs) -> Result<()> {
    let runs = args.dirs.iter().map(read).collect::<Result<Vec<_>>>()?;
    let differing = differing_settings(&runs);
    let mut header = vec!["run".to_string(), "kept".to_string()];
    header.extend(differing.iter().cloned());
    say!("{}", header.join("  "))?;
    for run in &runs {
        let mut row = vec![run.name.clone(), run.kept.clone()];
        row.extend(differing.iter().map(|key| shown(run.settings.get(key))));
        say!("{}", row.join("  "))?;
    }
    if differing.is_empty() {
        say!("(the runs' settings are the same)")?;
    }
    let named: Vec<(String, Vec<EpochMetrics>)> = runs
        .into_iter()
        .map(|run| (run.name, run.history))
        .collect();
    let svg = pictures::compare_svg(&named)?;
    std::fs::write(&args.out, svg)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    say!("saved    {}", args.out.display())
}

fn read(dir: &PathBuf) -> Result<Run> {
    let folder = ArtifactDir::new(dir);
    let history = folder.load_metrics()?;
    if history.is_empty() {
        bail!("{} has no epochs to compare", folder.metrics().display());
    }
    let kept = match folder.load_summary()?.kept_metrics {
        Some(m) => format!("epoch {} (loss {:.4})", m.epoch, m.monitored_loss()),
        None => "none".to_string(),
    };
    let text = std::fs::read_to_string(folder.config())
        .with_context(|| format!("cannot read {}", folder.config().display()))?;
    let config: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is damaged", folder.config().display()))?;
    let settings = config["training"].as_object().cloned().unwrap_or_default();
    let name = dir.display().to_string();
    Ok(Run {
        name,
        history,
        kept,
        settings,
    })
}

/// The settings whose values are not the same in every run.
fn differing_settings(runs: &[Run]) -> Vec<String> {
    let keys: BTreeSet<&String> = runs.iter().flat_map(|run| run.settings.keys()).collect();
    keys.into_iter()
        .filter(|key| {
            let first = runs[0].settings.get(*key);
            runs.iter().any(|run| run.settings.get(*key) != first)
        })
        .cloned()
        .collect()
}

fn shown(value: Option<&serde_json::Value>) -> String {
    match value {
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(value) => value.to_string(),
        None => "-".to_string(),
    }
}
