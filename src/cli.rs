//! The command line: parse, call the library, print. The only module that prints.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

use stepwise::artifacts::ArtifactDir;
use stepwise::config::{ModelKind, TrainConfig};
use stepwise::data::{self, csv::load_features};
use stepwise::device::default_backend;
use stepwise::infer::{Evaluation, Prediction, Predictor, Scores};
use stepwise::metrics::EpochMetrics;
use stepwise::train::{Plan, TrainReport};

/// Most epoch lines printed by default; `--log-every` overrides.
const DEFAULT_EPOCH_LINES: usize = 25;

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
    Train(TrainArgs),
    /// Load a trained network and predict: PREDICT alone, on new inputs.
    Predict(PredictArgs),
    /// Measure a trained network on a labelled data set: loss, accuracy, confusion or R².
    Eval(EvalArgs),
    /// List the data sets --dataset accepts by name.
    Datasets,
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    pub config: TrainConfig,
    /// Folder to save the trained model in (default: artifacts/<dataset name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print every N-th epoch (default: about 25 lines in all).
    #[arg(long)]
    pub log_every: Option<usize>,
    /// Print no epoch lines.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct PredictArgs {
    /// Model folder written by `stepwise train`.
    #[arg(long)]
    pub model: PathBuf,
    /// One input row: the feature values separated by commas, e.g. "5.1,3.5,1.4,0.2".
    #[arg(
        long,
        required_unless_present = "input_file",
        conflicts_with = "input_file"
    )]
    pub input: Option<String>,
    /// A CSV file with the model's feature columns (by name); prints a CSV of predictions.
    #[arg(long)]
    pub input_file: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Model folder written by `stepwise train`.
    #[arg(long)]
    pub model: PathBuf,
    /// Labelled data: a built-in or shipped name, or a CSV path with the model's columns.
    #[arg(long)]
    pub dataset: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Train(args) => train(args),
        Command::Predict(args) => predict(args),
        Command::Eval(args) => eval(args),
        Command::Datasets => {
            for (name, description) in data::catalogue() {
                println!("{name:<8} {description}");
            }
            Ok(())
        }
    }
}

fn train(args: TrainArgs) -> Result<()> {
    let epochs = args.config.epochs;
    let plan = Plan::prepare(args.config, args.out, default_backend())?;
    print_plan(&plan);

    let log_every = args
        .log_every
        .unwrap_or_else(|| epochs.div_ceil(DEFAULT_EPOCH_LINES))
        .max(1);
    let quiet = args.quiet;
    let classification = plan.card.class_names.is_some();
    let example = plan
        .dataset
        .row(0)
        .iter()
        .map(f32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let report = plan.train(|metrics| {
        if !quiet && (metrics.epoch == 1 || metrics.epoch % log_every == 0) {
            println!("{}", epoch_line(metrics, classification));
        }
    })?;
    print_report(&report, &example);
    Ok(())
}

fn print_plan(plan: &Plan) {
    let dataset = &plan.dataset;
    let answer = match &plan.card.class_names {
        Some(names) => format!("{} classes", names.len()),
        None => format!("target '{}'", dataset.label_name),
    };
    println!(
        "data     {}: {} rows, {} feature{}, {answer} ({}); {} train / {} valid",
        dataset.name,
        dataset.rows(),
        dataset.feature_count(),
        if dataset.feature_count() == 1 {
            ""
        } else {
            "s"
        },
        dataset.task_reason,
        plan.train_rows,
        plan.valid_rows
    );
    let config = &plan.config;
    let mut step = format!("SGD lr {}", config.learning_rate);
    if config.momentum > 0.0 {
        step += &format!(" momentum {}", config.momentum);
        if config.nesterov {
            step += " nesterov";
        }
    }
    if config.weight_decay > 0.0 {
        step += &format!(" weight decay {}", config.weight_decay);
    }
    if let Some(norm) = config.clip_grad_norm {
        step += &format!(" clip {norm}");
    }
    println!(
        "model    {} ({} parameters), {step}, batch {}, seed {}, backend {}",
        plan.card.model.describe(),
        plan.card.model.parameter_count(),
        config.batch_size.min(plan.train_rows),
        config.seed,
        plan.backend.name
    );
    if config.model == ModelKind::Linear && config.hidden != TrainConfig::new().hidden {
        println!("note     --hidden is ignored by --model linear");
    }
}

fn epoch_line(metrics: &EpochMetrics, classification: bool) -> String {
    let mut line = format!(
        "epoch {:>4}  train loss {:.4}",
        metrics.epoch, metrics.train_loss
    );
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

fn print_report(report: &TrainReport, example: &str) {
    let summary = &report.summary;
    let last = &summary.final_metrics;
    let mut result = format!("train loss {:.4}", last.train_loss);
    if let Some(loss) = last.valid_loss {
        result += &format!(", valid loss {loss:.4}");
    }
    if let Some(accuracy) = last.valid_accuracy {
        result += &format!(", valid acc {accuracy:.3}");
    }
    println!(
        "stopped  {} ({result}) in {:.2} s",
        summary.stopped, summary.wall_time_seconds
    );
    let dir = report.out.dir.display();
    println!("saved    {dir}  — try: stepwise predict --model {dir} --input \"{example}\"");
}

fn predict(args: PredictArgs) -> Result<()> {
    let predictor = Predictor::load(&ArtifactDir::new(&args.model), default_backend().device)?;
    let rows = match (&args.input, &args.input_file) {
        (Some(text), _) => vec![predictor.parse_input(text)?],
        (None, Some(path)) => load_features(path, &predictor.card.feature_names)?,
        (None, None) => unreachable!("clap requires --input or --input-file"),
    };
    let predictions = predictor.predict(&rows)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&predictions)?);
    } else if args.input.is_some() {
        println!("{}", describe(&predictions[0]));
    } else {
        write_predictions_csv(&predictor, &rows, &predictions)?;
    }
    Ok(())
}

fn describe(prediction: &Prediction) -> String {
    match prediction {
        Prediction::Class {
            label, probability, ..
        } => format!("{label} (probability {probability:.3})"),
        Prediction::Value { value } => format!("{value}"),
    }
}

/// The input rows with the prediction appended, as CSV on stdout.
fn write_predictions_csv(
    predictor: &Predictor,
    rows: &[Vec<f32>],
    predictions: &[Prediction],
) -> Result<()> {
    let card = &predictor.card;
    let mut writer = csv::Writer::from_writer(std::io::stdout().lock());
    let mut header = card.feature_names.clone();
    header.push(format!("predicted_{}", card.label_name));
    if card.class_names.is_some() {
        header.push("probability".to_string());
    }
    writer.write_record(&header)?;
    for (row, prediction) in rows.iter().zip(predictions) {
        let mut record: Vec<String> = row.iter().map(f32::to_string).collect();
        match prediction {
            Prediction::Class {
                label, probability, ..
            } => {
                record.push(label.clone());
                record.push(probability.to_string());
            }
            Prediction::Value { value } => record.push(value.to_string()),
        }
        writer.write_record(&record)?;
    }
    writer.flush()?;
    Ok(())
}

fn eval(args: EvalArgs) -> Result<()> {
    let predictor = Predictor::load(&ArtifactDir::new(&args.model), default_backend().device)?;
    let dataset = predictor.load_dataset(&args.dataset)?;
    let evaluation = predictor.evaluate(&dataset)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&evaluation)?);
    } else {
        print_evaluation(&evaluation);
    }
    Ok(())
}

fn print_evaluation(evaluation: &Evaluation) {
    println!("rows      {}", evaluation.rows);
    match &evaluation.scores {
        Scores::Classification {
            accuracy,
            class_names,
            confusion,
        } => {
            println!("loss      {:.4} (cross-entropy)", evaluation.loss);
            println!("accuracy  {accuracy:.4}");
            println!("confusion (rows: actual class, columns: predicted class)");
            let width = class_names
                .iter()
                .map(String::len)
                .max()
                .unwrap_or(1)
                .max(5);
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "{:width$}", "");
            for name in class_names {
                let _ = write!(out, " {name:>width$}");
            }
            let _ = writeln!(out);
            for (name, row) in class_names.iter().zip(confusion) {
                let _ = write!(out, "{name:width$}");
                for count in row {
                    let _ = write!(out, " {count:>width$}");
                }
                let _ = writeln!(out);
            }
        }
        Scores::Regression(scores) => {
            println!("mse       {:.6}", scores.mse);
            println!("mae       {:.6}", scores.mae);
            println!("r2        {:.6}", scores.r2);
        }
    }
}
