//! Real data on the first try: defaults that train, the best epoch kept, honest evaluation, and
//! control over the columns.

use std::fs;
use std::path::Path;

use predicates::prelude::*;
use stepwise::{
    ArtifactDir, Keep, Kept, Missing, ModelKind, Prediction, Predictor, Rows, Scores, StopReason,
    TrainConfig,
};
use tempfile::tempdir;

use crate::cli::{fails, stepwise};
use crate::train_cli;
use crate::{backend, train, valid_accuracy};

/// Only `--dataset`: everything else is the default.
fn defaults(dataset: &str) -> TrainConfig {
    TrainConfig::new().with_dataset(dataset.into())
}

fn loaded(dir: &Path) -> Predictor {
    Predictor::load(&ArtifactDir::new(dir), backend().device).unwrap()
}

fn mse_on_all_rows(dir: &Path, dataset: &str) -> f64 {
    let predictor = loaded(dir);
    let data = predictor.eval_data(dataset, Some(Rows::All)).unwrap();
    match predictor.evaluate_data(&data).unwrap().scores {
        Scores::Regression(scores) => scores.mse,
        other => panic!("{dataset} is regression, got {other:?}"),
    }
}

fn value(predictor: &Predictor, x: f32) -> f32 {
    match &predictor.predict(&[vec![x]]).unwrap()[0] {
        Prediction::Value { value } => *value,
        other => panic!("regression, got {other:?}"),
    }
}

#[test]
fn the_defaults_train_the_shipped_classification_sets() {
    let dir = tempdir().unwrap();
    let digits = train(defaults("digits"), &dir.path().join("digits"));
    assert!(valid_accuracy(&digits) >= 0.95, "{:?}", digits.summary);
    let iris = train(defaults("iris"), &dir.path().join("iris"));
    assert!(valid_accuracy(&iris) >= 0.90, "{:?}", iris.summary);
    let xor = train(defaults("xor"), &dir.path().join("xor"));
    let predictor = loaded(&dir.path().join("xor"));
    let data = predictor.eval_data("xor", None).unwrap();
    assert_eq!(data.rows, Rows::All, "xor has no validation split");
    match predictor.evaluate_data(&data).unwrap().scores {
        Scores::Classification { accuracy, .. } => assert_eq!(accuracy, 1.0, "{:?}", xor.summary),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_defaults_train_the_builtin_regression_sets() {
    let dir = tempdir().unwrap();
    train(defaults("sine"), &dir.path().join("sine"));
    let mse = mse_on_all_rows(&dir.path().join("sine"), "sine");
    assert!(mse < 0.01, "sine MSE {mse}");
    for model in [ModelKind::Linear, ModelKind::Mlp] {
        let out = dir.path().join(format!("line-{model:?}"));
        train(defaults("line").with_model(model), &out);
        let predictor = loaded(&out);
        let (intercept, slope) = (
            value(&predictor, 0.0),
            value(&predictor, 0.5) - value(&predictor, -0.5),
        );
        assert!((slope - 2.0).abs() < 0.05, "{model:?}: slope {slope}");
        assert!(
            (intercept - 1.0).abs() < 0.05,
            "{model:?}: intercept {intercept}"
        );
    }
}

/// A CSV a user might bring: features on wildly different scales, a near-constant column, a
/// noisy target.
fn unseen_csv(path: &Path, rows: usize, classes: bool) {
    let mut text = String::from("income,age,rare,ratio,target\n");
    let mut state = 12345u64;
    let mut uniform = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for row in 0..rows {
        let income = 20_000.0 + 80_000.0 * uniform();
        let age = (18.0 + 60.0 * uniform()).round();
        let rare = if row % 97 == 0 { 16.0 } else { 0.0 };
        let ratio = 1e-4 * uniform();
        let score = income / 50_000.0 - age / 40.0 + ratio * 5e3 + 0.1 * uniform();
        let target = if classes {
            format!("{}", (score > 1.0) as u8 + (score > 2.0) as u8)
        } else {
            format!("{:.4}", 3.0 * score * score + 100.0)
        };
        text += &format!("{income:.2},{age},{rare},{ratio:.8},{target}\n");
    }
    fs::write(path, text).unwrap();
}

#[test]
fn the_defaults_train_an_unseen_csv_for_classes_and_for_numbers() {
    let dir = tempdir().unwrap();
    for classes in [true, false] {
        let csv = dir.path().join(format!("unseen-{classes}.csv"));
        unseen_csv(&csv, 600, classes);
        let report = train(
            defaults(csv.to_str().unwrap()),
            &dir.path().join(format!("out-{classes}")),
        );
        assert!(!report.training.stop.diverged(), "{:?}", report.summary);
        let kept = report
            .summary
            .kept_metrics
            .clone()
            .expect("an epoch was kept");
        let valid_loss = kept.valid_loss.unwrap();
        if classes {
            assert!(kept.valid_accuracy.unwrap() >= 0.9, "{:?}", report.summary);
        } else {
            // Standardised targets: a validation MSE of 0.05 is R² ≈ 0.95.
            assert!(valid_loss < 0.05, "{:?}", report.summary);
        }
    }
}

#[test]
fn the_saved_model_is_the_epoch_with_the_lowest_validation_loss() {
    let dir = tempdir().unwrap();
    let report = train(defaults("iris").with_epochs(60), dir.path());
    let history = &report.training.history;
    let lowest = history
        .iter()
        .min_by(|a, b| a.valid_loss.unwrap().total_cmp(&b.valid_loss.unwrap()))
        .unwrap();
    assert!(lowest.epoch < 60, "iris overfits after its best epoch");
    match report.summary.kept.clone().unwrap() {
        Kept::Lowest { epoch, loss, .. } => {
            assert_eq!(epoch, lowest.epoch);
            assert_eq!(loss, lowest.valid_loss.unwrap());
        }
        other => panic!("{other:?}"),
    }
    // The model on disk scores the validation rows exactly as that epoch did.
    let predictor = loaded(dir.path());
    let evaluation = predictor
        .evaluate_data(&predictor.eval_data("iris", None).unwrap())
        .unwrap();
    assert_eq!(evaluation.scored, Rows::Valid);
    assert_eq!(evaluation.rows, 30);
    assert!(
        (evaluation.loss - lowest.valid_loss.unwrap()).abs() < 1e-5,
        "{evaluation:?}"
    );
}

#[test]
fn keep_last_saves_the_last_epoch() {
    let dir = tempdir().unwrap();
    let report = train(
        defaults("iris").with_epochs(30).with_keep(Keep::Last),
        dir.path(),
    );
    assert_eq!(report.summary.kept, Some(Kept::Last { epoch: 30 }));
    let last = report.training.history.last().unwrap().valid_loss.unwrap();
    let predictor = loaded(dir.path());
    let evaluation = predictor
        .evaluate_data(&predictor.eval_data("iris", None).unwrap())
        .unwrap();
    assert!((evaluation.loss - last).abs() < 1e-5);
}

#[test]
fn a_run_that_never_reaches_its_target_says_so_with_its_lowest_loss() {
    let dir = tempdir().unwrap();
    let report = train(
        defaults("iris").with_epochs(5).with_target_loss(Some(1e-6)),
        dir.path(),
    );
    assert!(matches!(report.summary.stop, StopReason::MaxEpochs { .. }));
    let stopped = &report.summary.stopped;
    assert!(
        stopped.contains(
            "max epochs 5 reached without the validation loss reaching --target-loss 0.000001"
        ),
        "{stopped}"
    );
    assert!(stopped.contains("lowest validation loss"), "{stopped}");
}

#[test]
fn eval_scores_the_held_out_rows_and_says_which() {
    let dir = tempdir().unwrap();
    train_cli(dir.path(), &["--epochs", "10", "--quiet", "--out", "m"]);
    let run = |extra: &[&str]| {
        let mut args = vec!["eval", "--model", "m"];
        if !extra.contains(&"--dataset") {
            args.extend(["--dataset", "iris"]);
        }
        args.extend_from_slice(extra);
        let output = stepwise(dir.path()).args(&args).output().unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    assert!(
        run(&[]).contains("rows      30: the 30 validation rows of iris, held out from training")
    );
    assert!(run(&["--rows", "train"])
        .starts_with("rows      120: the 120 rows the model was trained on"));
    assert!(run(&["--rows", "all"])
        .contains("rows      150: every row of iris, the 120 training rows included"));

    // Other data: every row, and the validation rows are unknown there.
    let other = dir.path().join("other.csv");
    let iris = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/iris.csv"))
        .unwrap();
    fs::write(&other, iris.replacen("5.1,3.5", "5.2,3.5", 1)).unwrap();
    assert!(run(&["--dataset", "other.csv"]).contains("rows      150: every row of other.csv"));
    let err = fails(
        dir.path(),
        &[
            "eval",
            "--model",
            "m",
            "--dataset",
            "other.csv",
            "--rows",
            "valid",
        ],
    );
    assert!(
        err.contains("--rows valid needs the data the model was trained on"),
        "{err}"
    );
}

#[test]
fn regression_eval_reports_rmse() {
    let dir = tempdir().unwrap();
    train_cli(
        dir.path(),
        &[
            "--dataset",
            "line",
            "--model",
            "linear",
            "--epochs",
            "5",
            "--quiet",
            "--out",
            "m",
        ],
    );
    stepwise(dir.path())
        .args(["eval", "--model", "m", "--dataset", "line"])
        .assert()
        .success()
        .stdout(predicate::str::contains("rmse      "))
        .stdout(predicate::str::contains("every row of line"));
}

/// A small table with an id, a text column and missing cells.
const HOUSES: &str = "id,rooms,town,area,price\n\
    1,3,York,70,150.5\n2,4,Leeds,95,210.5\n3,2,York,50,110.5\n4,5,Hull,120,240.5\n\
    5,3,Leeds,72,170.5\n6,4,York,,205.5\n7,2,Hull,48,95.5\n8,3,NA,75,160.5\n\
    9,5,Leeds,118,260.5\n10,4,Hull,90,185.5\n11,3,York,68,148.5\n12,2,Leeds,52,120.5\n";

#[test]
fn text_columns_are_one_hot_and_ids_are_named() {
    let dir = tempdir().unwrap();
    fs::write(dir.path().join("houses.csv"), HOUSES).unwrap();
    let output = stepwise(dir.path())
        .args([
            "train",
            "--dataset",
            "houses.csv",
            "--missing",
            "mean",
            "--epochs",
            "3",
            "--quiet",
            "--out",
            "m",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("column 'id' holds a distinct integer in every row"),
        "{stdout}"
    );
    assert!(stdout.contains("so it is left out"), "{stdout}");
    assert!(
        stdout.contains("filled 1 missing cell of column 'area' with the training rows' mean"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "filled 1 missing cell of column 'town' with the training rows' most frequent value"
        ),
        "{stdout}"
    );
    // Complete columns get no note; counts (rooms) and measurements (area) are no ids.
    assert!(!stdout.contains("of column 'rooms'"), "{stdout}");
    for column in ["rooms", "area"] {
        assert!(
            !stdout.contains(&format!("column '{column}' holds")),
            "{stdout}"
        );
    }

    // Ignored, the id is no input; the town is one input per town of the training rows.
    stepwise(dir.path())
        .args([
            "train",
            "--dataset",
            "houses.csv",
            "--ignore",
            "id",
            "--missing",
            "drop",
            "--epochs",
            "3",
            "--quiet",
            "--out",
            "m",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "dropped 2 of 12 rows with a missing feature value",
        ))
        .stdout(predicate::str::contains("column 'id' holds").not());
    let predictor = loaded(&dir.path().join("m"));
    assert_eq!(predictor.card.feature_names[0], "rooms");
    assert!(predictor
        .card
        .feature_names
        .iter()
        .any(|name| name.starts_with("town=")));
    assert!(!predictor.card.feature_names.contains(&"id".to_string()));
    stepwise(dir.path())
        .args(["predict", "--model", "m", "--input", "3,York,70"])
        .assert()
        .success();
    let err = fails(
        dir.path(),
        &["predict", "--model", "m", "--input", "3,Paris,70"],
    );
    assert!(
        err.contains("column 'town' holds 'Paris', a category the model never saw"),
        "{err}"
    );
    assert!(err.contains("it knows: "), "{err}");
    // In a file, the line is named.
    fs::write(
        dir.path().join("new.csv"),
        "rooms,town,area,price\n3,York,70,150\n2,Paris,50,100\n",
    )
    .unwrap();
    let err = fails(
        dir.path(),
        &["eval", "--model", "m", "--dataset", "new.csv"],
    );
    assert!(err.contains("line 3: column 'town' holds 'Paris'"), "{err}");
}

#[test]
fn features_chooses_the_columns_and_missing_cells_are_refused_by_default() {
    let dir = tempdir().unwrap();
    fs::write(dir.path().join("houses.csv"), HOUSES).unwrap();
    train_cli(
        dir.path(),
        &[
            "--dataset",
            "houses.csv",
            "--features",
            "rooms,area",
            "--missing",
            "drop",
            "--epochs",
            "2",
            "--quiet",
            "--out",
            "m",
        ],
    );
    assert_eq!(
        loaded(&dir.path().join("m")).card.feature_names,
        ["rooms", "area"]
    );
    let err = fails(
        dir.path(),
        &["train", "--dataset", "houses.csv", "--ignore", "id"],
    );
    assert!(
        err.contains("line 7, column 'area' is empty or missing"),
        "{err}"
    );
    assert!(err.contains("--missing drop"), "{err}");
    let err = fails(
        dir.path(),
        &["train", "--dataset", "houses.csv", "--ignore", "size"],
    );
    assert!(err.contains("no column named 'size'"), "{err}");
}

#[test]
fn numeric_labels_are_classes_by_value() {
    let dir = tempdir().unwrap();
    let mut text = String::from("x,y\n");
    for (row, label) in ["1", "1.0", "01", "2", "2.0", "02"]
        .iter()
        .cycle()
        .take(30)
        .enumerate()
    {
        let x = if label.starts_with('1') || label.starts_with("01") {
            row as f32
        } else {
            -(row as f32)
        };
        text += &format!("{x},{label}\n");
    }
    fs::write(dir.path().join("labels.csv"), text).unwrap();
    stepwise(dir.path())
        .args([
            "train",
            "--dataset",
            "labels.csv",
            "--epochs",
            "2",
            "--quiet",
            "--out",
            "m",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("2 classes;"))
        .stdout(predicate::str::contains(
            "task     classification, inferred from 2 distinct integer labels",
        ));
}

#[test]
fn printed_hints_run_as_printed_with_negative_values() {
    let dir = tempdir().unwrap();
    fs::write(
        dir.path().join("neg.csv"),
        "x,y\n-0.75,1\n0.5,2\n-1.5,3\n2,4\n-3,5\n",
    )
    .unwrap();
    let output = stepwise(dir.path())
        .args([
            "train",
            "--dataset",
            "neg.csv",
            "--epochs",
            "2",
            "--quiet",
            "--valid-fraction",
            "0",
            "--task",
            "regression",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let hint = stdout
        .lines()
        .find_map(|line| line.split("try: ").nth(1))
        .expect("a hint");
    assert!(hint.contains("--input \"-0.75\""), "{hint}");
    let args: Vec<String> = hint
        .split_whitespace()
        .skip(1)
        .map(|word| word.trim_matches('"').to_string())
        .collect();
    stepwise(dir.path()).args(&args).assert().success();
}

#[test]
fn command_line_slips_get_the_spelling_that_works() {
    let dir = tempdir().unwrap();
    let refused = |args: &[&str], expected: &str| {
        let output = stepwise(dir.path()).args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    };
    refused(&["train", "--hidden", "16", "16"], "`--hidden 16,16`");
    refused(
        &["train", "--model", "linear", "--hidden", "16"],
        "--model linear is one layer",
    );
    refused(
        &["lr-find", "--epochs", "5"],
        "`stepwise lr-find` does not use --epochs",
    );
    refused(
        &["gradcheck", "--lr", "0.1"],
        "`stepwise gradcheck` does not use --lr",
    );
    refused(
        &["train", "--resume", "m", "--output", "sigmoid"],
        "--resume continues with the configuration saved",
    );
    refused(
        &["train", "--resume", "m", "--keep", "last"],
        "cannot change it; drop --keep",
    );
    fs::write(dir.path().join("model.bpk"), b"x").unwrap();
    let err = fails(
        dir.path(),
        &["predict", "--model", "model.bpk", "--input", "1"],
    );
    assert!(
        err.contains("model.bpk is a file; --model takes the folder"),
        "{err}"
    );
    assert!(!err.contains("e.g. --model"), "no folder to suggest: {err}");
    fs::create_dir(dir.path().join("m2")).unwrap();
    fs::write(dir.path().join("m2/config.json"), b"{}").unwrap();
    let err = fails(
        dir.path(),
        &["predict", "--model", "m2/config.json", "--input", "1"],
    );
    assert!(err.contains("e.g. --model m2"), "{err}");
}

/// A model of `houses.csv` (written into `dir`) trained with `--missing mean`, loaded again.
fn houses_filled_by_mean(dir: &Path) -> Predictor {
    fs::write(dir.join("houses.csv"), HOUSES).unwrap();
    let config = TrainConfig::new()
        .with_dataset(dir.join("houses.csv").to_str().unwrap().into())
        .with_ignore(vec!["id".into()])
        .with_missing(Missing::Mean)
        .with_epochs(2);
    train(config, &dir.join("m"));
    loaded(&dir.join("m"))
}

#[test]
fn missing_cells_filled_at_training_are_filled_at_prediction() {
    let dir = tempdir().unwrap();
    let predictor = houses_filled_by_mean(dir.path());
    let filled = predictor.parse_input("3,York,NA").unwrap();
    let given = predictor.parse_input("3,York,77.5").unwrap();
    assert_eq!(filled.len(), given.len());
    assert_ne!(filled, given);
    // The one-hot inputs of the town stay 0 or 1: no scaling; the numbers are standardised.
    let scaling = &predictor.card.feature_scaling;
    for (input, name) in predictor.card.feature_names.iter().enumerate() {
        let unscaled = (scaling.mean[input], scaling.std[input]) == (0.0, 1.0);
        assert_eq!(unscaled, name.starts_with("town="), "{name}");
    }
    // And `eval` reads the same file's missing cells as training did: filled, not refused.
    let path = dir.path().join("houses.csv");
    let data = predictor
        .eval_data(path.to_str().unwrap(), Some(Rows::All))
        .unwrap();
    assert_eq!(data.dataset.rows(), HOUSES.lines().count() - 1);
}

#[test]
fn eval_reads_each_column_as_the_model_does_not_as_the_new_file_looks() {
    let dir = tempdir().unwrap();
    // 'town' is text to the model; in this file every town is missing, which alone would read
    // as an empty number column. The model's encoding says text, filled with its most frequent.
    let new = "id,rooms,town,area,price\n1,3,NA,70,150.5\n2,4,,95,210.5\n";
    fs::write(dir.path().join("new.csv"), new).unwrap();
    let predictor = houses_filled_by_mean(dir.path());
    let path = dir.path().join("new.csv");
    let data = predictor.eval_data(path.to_str().unwrap(), None).unwrap();
    assert_eq!(data.dataset.rows(), 2);
    assert_eq!(predictor.evaluate_data(&data).unwrap().rows, 2);
}

#[test]
fn eval_of_generated_data_finds_the_same_rows_again() {
    let dir = tempdir().unwrap();
    // sine has no validation split: every row was seen in training, and eval says so.
    let sine = dir.path().join("sine");
    train(
        TrainConfig::new()
            .with_dataset("sine".into())
            .with_epochs(2),
        &sine,
    );
    let predictor = loaded(&sine);
    let all = predictor.eval_data("sine", None).unwrap();
    assert_eq!(all.rows, Rows::All);
    assert!(
        all.description
            .contains("all of which the model was trained on"),
        "{}",
        all.description
    );
    let error = predictor.eval_data("sine", Some(Rows::Valid)).unwrap_err();
    assert!(error.to_string().contains("no validation split"), "{error}");

    // moons with its own noise is generated again with that noise: the same held-out rows.
    let moons = dir.path().join("moons");
    let config = TrainConfig::new()
        .with_dataset("moons".into())
        .with_noise(Some(0.3))
        .with_epochs(2);
    train(config, &moons);
    let valid = loaded(&moons).eval_data("moons", None).unwrap();
    assert_eq!((valid.rows, valid.dataset.rows()), (Rows::Valid, 80));
    // Another set with the same columns (xor's x1, x2 and classes 0, 1) is scored as it is:
    // the noise belongs to the 2-D set the model was trained on.
    let xor = loaded(&moons).eval_data("xor", None).unwrap();
    assert_eq!(xor.dataset.rows(), 4);
}

#[test]
fn the_suggested_predict_command_writes_a_missing_cell_as_na() {
    let dir = tempdir().unwrap();
    fs::write(
        dir.path().join("gaps.csv"),
        "a,b,y\n,1,p\n2,3,q\n4,5,p\n6,7,q\n8,9,p\n",
    )
    .unwrap();
    stepwise(dir.path())
        .args(["train", "--dataset", "gaps.csv", "--missing", "mean"])
        .args(["--epochs", "1", "--quiet", "--out", "m"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "try: stepwise predict --model m --input \"NA,1\"",
        ));
}
