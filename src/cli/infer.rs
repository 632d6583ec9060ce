//! What predict, eval, datasets and devices print.

use std::io::Write;

use anyhow::Result;

use stepwise::artifacts::ArtifactDir;
use stepwise::data::{self, csv::load_features};
use stepwise::device::{self, DeviceChoice};
use stepwise::eval::{Evaluation, Scores};
use stepwise::infer::{Prediction, Predictor};

use super::{EvalArgs, PredictArgs};

pub fn datasets() -> Result<()> {
    for (name, description) in data::catalogue() {
        say!("{name:<8} {description}")?;
    }
    Ok(())
}

pub fn devices() -> Result<()> {
    say!(
        "compiled backends: {}",
        device::compiled_backends().join(", ")
    )?;
    for (name, backend) in device::survey() {
        match backend {
            Ok(backend) => say!("{name:<8} {}", backend.description)?,
            Err(err) => say!("{name:<8} unavailable: {err:#}")?,
        }
    }
    match device::select(DeviceChoice::Auto) {
        Ok(selection) => {
            say!("auto     -> {}", selection.backend.name)?;
            if let Some(warning) = selection.warning {
                say!("         ({warning})")?;
            }
        }
        Err(err) => say!("auto     -> none: {err:#}")?,
    }
    Ok(())
}

pub fn predict(args: PredictArgs) -> Result<()> {
    let predictor = Predictor::load(
        &ArtifactDir::new(&args.model),
        args.device.backend()?.device,
    )?;
    let rows = match (&args.input, &args.input_file) {
        (Some(text), _) => vec![predictor.parse_input(text)?],
        (None, Some(path)) => load_features(path, &predictor.card.encoding())?,
        (None, None) => unreachable!("clap requires --input or --input-file"),
    };
    let predictions = predictor.predict(&rows)?;
    for note in predictor.extrapolation(&rows) {
        eprintln!("note: {note}");
    }
    if args.json {
        say!("{}", serde_json::to_string_pretty(&predictions)?)?;
    } else if args.input.is_some() {
        say!("{}", describe(&predictions[0]))?;
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
    if card.is_classifier() {
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

pub fn eval(args: EvalArgs) -> Result<()> {
    let predictor = Predictor::load(
        &ArtifactDir::new(&args.model),
        args.device.backend()?.device,
    )?;
    let data = predictor.eval_data(&args.dataset, args.rows)?;
    let evaluation = predictor.evaluate_data(&data)?;
    if args.json {
        say!("{}", serde_json::to_string_pretty(&evaluation)?)?;
    } else {
        print_evaluation(&evaluation)?;
    }
    Ok(())
}

fn print_evaluation(evaluation: &Evaluation) -> Result<()> {
    say!("rows      {}: {}", evaluation.rows, evaluation.description)?;
    match &evaluation.scores {
        Scores::Classification {
            accuracy,
            class_names,
            confusion,
        } => {
            say!("loss      {:.4} (cross-entropy)", evaluation.loss)?;
            say!("accuracy  {accuracy:.4}")?;
            say!("confusion (rows: actual class, columns: predicted class)")?;
            let width = class_names
                .iter()
                .map(String::len)
                .max()
                .unwrap_or(1)
                .max(5);
            let mut out = std::io::stdout().lock();
            write!(out, "{:width$}", "").map_err(super::output_error)?;
            for name in class_names {
                write!(out, " {name:>width$}").map_err(super::output_error)?;
            }
            writeln!(out).map_err(super::output_error)?;
            for (name, row) in class_names.iter().zip(confusion) {
                write!(out, "{name:width$}").map_err(super::output_error)?;
                for count in row {
                    write!(out, " {count:>width$}").map_err(super::output_error)?;
                }
                writeln!(out).map_err(super::output_error)?;
            }
        }
        Scores::Regression(scores) => {
            say!("mse       {:.6}", scores.mse)?;
            say!("rmse      {:.6}", scores.rmse)?;
            say!("mae       {:.6}", scores.mae)?;
            say!("r2        {:.6}", scores.r2)?;
        }
    }
    Ok(())
}
