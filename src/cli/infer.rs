//! What predict and eval print.

use std::io::Write;

use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::artifacts::ArtifactDir;
use crate::data::csv::load_features;
use crate::data::images::folder;
use crate::inference::eval::{Evaluation, Scores};
use crate::inference::{Prediction, Predictor};

use super::{EvalArgs, PredictArgs};

pub fn predict(args: PredictArgs) -> Result<()> {
    let predictor = Predictor::load(
        &ArtifactDir::new(&args.model),
        args.device.backend()?.device,
    )?;
    if args.top == Some(0) {
        bail!("--top must be at least 1 (classes to list)");
    }
    if let Some(files) = pictures(&args)? {
        return predict_pictures(&predictor, &files, &args);
    }
    let rows = match (&args.input, &args.input_file) {
        (Some(text), _) => vec![predictor.parse_input(text)?],
        (None, Some(path)) => load_features(path, &predictor.card.encoding())?,
        (None, None) => unreachable!("clap requires --input, --input-file or --input-image"),
    };
    let predictions = predictor.predict(&rows)?;
    for note in predictor.extrapolation(&rows) {
        tell!("note: {note}");
    }
    if args.json {
        let answers = predictions
            .iter()
            .map(|prediction| answer(&predictor, prediction, args.top))
            .collect::<Result<Vec<_>>>()?;
        say!("{}", serde_json::to_string_pretty(&answers)?)?;
    } else if args.input.is_some() {
        say!("{}", describe(&predictor, &predictions[0], args.top))?;
    } else {
        write_predictions_csv(&predictor, &rows, &predictions, args.top)?;
    }
    Ok(())
}

/// The pictures to classify: `--input-image`, or every picture of an `--input-file` folder.
fn pictures(args: &PredictArgs) -> Result<Option<Vec<PathBuf>>> {
    match &args.input_file {
        Some(dir) if dir.is_dir() => {
            let (files, _) = folder::picture_files(dir)?;
            if files.is_empty() {
                let classes = std::fs::read_dir(dir)?
                    .filter_map(|entry| entry.ok())
                    .any(|entry| entry.path().is_dir());
                let model = args.model.display();
                let shown = dir.display();
                if classes {
                    bail!(
                        "{shown} holds folders, not pictures: pictures sorted into class folders \
                         are scored with `stepwise eval --model {model} --dataset {shown}`; \
                         predict takes a folder of pictures itself"
                    );
                }
                bail!(
                    "{shown} holds no pictures ({})",
                    folder::EXTENSIONS.join(", ")
                );
            }
            Ok(Some(files))
        }
        _ if !args.input_image.is_empty() => Ok(Some(args.input_image.clone())),
        _ => Ok(None),
    }
}

/// One line per picture (`a.png: circle (probability 0.981)`), or JSON.
fn predict_pictures(predictor: &Predictor, files: &[PathBuf], args: &PredictArgs) -> Result<()> {
    let rows = predictor.read_pictures(files)?;
    let predictions = predictor.predict(&rows)?;
    if args.json {
        let answers: Vec<serde_json::Value> = files
            .iter()
            .zip(&predictions)
            .map(|(file, prediction)| {
                let mut answer = answer(predictor, prediction, args.top)?;
                answer["file"] = serde_json::json!(file);
                Ok(answer)
            })
            .collect::<Result<_>>()?;
        say!("{}", serde_json::to_string_pretty(&answers)?)?;
        return Ok(());
    }
    for (file, prediction) in files.iter().zip(&predictions) {
        say!(
            "{}: {}",
            file.display(),
            describe(predictor, prediction, args.top)
        )?;
    }
    Ok(())
}

/// An answer as JSON, with the `--top` classes when asked for.
fn answer(
    predictor: &Predictor,
    prediction: &Prediction,
    top: Option<usize>,
) -> Result<serde_json::Value> {
    let mut answer = serde_json::to_value(prediction)?;
    // The probabilities are in the order of the classes: named here, so they can be read.
    if let Some(names) = &predictor.card.class_names {
        answer["classes"] = serde_json::to_value(names)?;
    }
    if let Some(count) = top {
        answer["top"] = serde_json::to_value(predictor.top(prediction, count))?;
    }
    Ok(answer)
}

/// `setosa (probability 0.981)`, or with `--top 3` `setosa 0.981, versicolor 0.015, …`.
fn describe(predictor: &Predictor, prediction: &Prediction, top: Option<usize>) -> String {
    match (prediction, top) {
        (Prediction::Class { .. }, Some(count)) => predictor
            .top(prediction, count)
            .iter()
            .map(|ranked| format!("{} {:.3}", ranked.label, ranked.probability))
            .collect::<Vec<_>>()
            .join(", "),
        (
            Prediction::Class {
                label, probability, ..
            },
            None,
        ) => format!("{label} (probability {probability:.3})"),
        (Prediction::Value { value }, _) => format!("{value}"),
    }
}

/// The input rows with the prediction appended, as CSV on stdout.
/// With `--top N` (classes), each of the N most probable classes and its probability follow.
fn write_predictions_csv(
    predictor: &Predictor,
    rows: &[Vec<f32>],
    predictions: &[Prediction],
    top: Option<usize>,
) -> Result<()> {
    let card = &predictor.card;
    let mut writer = csv::Writer::from_writer(std::io::stdout().lock());
    let mut header = card.feature_names.clone();
    header.push(format!("predicted_{}", card.label_name));
    let classes = card.class_names.as_ref().map_or(0, Vec::len);
    let ranks = top.map_or(0, |top| top.min(classes));
    if card.is_classifier() {
        header.push("probability".to_string());
        for rank in 1..=ranks {
            header.extend([format!("top{rank}"), format!("top{rank}_probability")]);
        }
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
                for ranked in predictor.top(prediction, ranks) {
                    record.extend([ranked.label.clone(), ranked.probability.to_string()]);
                }
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
            if confusion.is_empty() {
                say!(
                    "confusion not shown: {} classes, more than the {} a table is made for",
                    class_names.len(),
                    crate::inference::eval::MAX_CONFUSION_CLASSES
                )?;
                return Ok(());
            }
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
