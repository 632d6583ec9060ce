//! The first hour, round two: what a new user meets on the ordinary path, each case a general
//! rule (the shipped sets inside the binary, the saved card applied to every input, ...).

use std::fs;
use std::path::Path;
use std::process::Output;

use tempfile::tempdir;

use crate::{hardening, train_cli};

/// Runs stepwise in `dir`; its output.
fn run(dir: &Path, args: &[&str]) -> Output {
    hardening::run(dir, args, &[])
}

/// The run's stderr, after checking that it failed with exit 1 and without a panic.
fn refused(dir: &Path, args: &[&str]) -> String {
    hardening::refused(run(dir, args), 1, args)
}

#[test]
fn the_shipped_data_sets_travel_inside_the_binary() {
    // An installed binary, run far from any checkout: `datasets` names no file, and the
    // default `train` (iris) and digits train from the copy the binary carries.
    let dir = tempdir().unwrap();
    let installed = dir.path().join("stepwise");
    fs::copy(env!("CARGO_BIN_EXE_stepwise"), &installed).unwrap();
    let output = std::process::Command::new(&installed)
        .arg("datasets")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let listed = String::from_utf8(output.stdout).unwrap();
    assert!(listed.contains("iris     shipped: 150 flowers"), "{listed}");
    assert!(!listed.contains("datasets/"), "{listed}");
    for dataset in ["iris", "digits"] {
        let status = std::process::Command::new(&installed)
            .args(["train", "--dataset", dataset, "--epochs", "1", "--quiet"])
            .current_dir(dir.path())
            .status()
            .unwrap();
        assert!(status.success(), "{dataset}");
    }
}

/// A table with an age column (a missing cell in every seventh row), a town column (some
/// missing) and a class.
fn with_gaps(dir: &Path) {
    let rows: String = (0..60)
        .map(|k| {
            let age = if k % 7 == 0 {
                String::new()
            } else {
                (20 + k % 40).to_string()
            };
            let town = ["York", "Leeds", ""][k % 3];
            format!("{age},{town},{}\n", k % 2)
        })
        .collect();
    fs::write(dir.join("gaps.csv"), format!("age,town,y\n{rows}")).unwrap();
    fs::write(dir.join("new.csv"), "age,town\n30,York\n,Leeds\n40,\n").unwrap();
}

#[test]
fn predict_from_a_file_fills_missing_cells_as_the_model_was_trained_to() {
    let dir = tempdir().unwrap();
    with_gaps(dir.path());
    train_cli(
        dir.path(),
        &[
            "--dataset",
            "gaps.csv",
            "--missing",
            "mean",
            "--epochs",
            "2",
            "--quiet",
            "--out",
            "m",
        ],
    );
    let output = run(
        dir.path(),
        &[
            "predict",
            "--model",
            "m",
            "--input-file",
            "new.csv",
            "--json",
        ],
    );
    assert!(output.status.success(), "{output:?}");
    let from_file: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // Each row answers as the same row typed with --input does.
    for (row, typed) in ["30,York", ",Leeds", "40,"].iter().enumerate() {
        let output = run(
            dir.path(),
            &["predict", "--model", "m", "--input", typed, "--json"],
        );
        assert!(output.status.success(), "{typed}: {output:?}");
        let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(from_file[row], answer[0], "{typed}");
    }
    // A model trained without filling says so, instead of advising a train option.
    train_cli(
        dir.path(),
        &[
            "--dataset",
            "gaps.csv",
            "--missing",
            "drop",
            "--epochs",
            "2",
            "--quiet",
            "--out",
            "d",
        ],
    );
    let stderr = refused(
        dir.path(),
        &["predict", "--model", "d", "--input-file", "new.csv"],
    );
    assert!(stderr.contains("line 3, column 'age' is empty"), "{stderr}");
    assert!(
        stderr.contains("the model was trained without filling missing values"),
        "{stderr}"
    );
}

#[test]
fn a_row_id_is_left_out_so_new_rows_need_not_have_one() {
    let dir = tempdir().unwrap();
    // flat_id numbers the rows (shuffled); built is a distinct year per row, with gaps: a
    // measurement that happens to be unique, kept with a note.
    let rows: String = (0..40)
        .map(|k| {
            format!(
                "{},{},{},{}\n",
                (k * 17) % 40 + 1,
                1900 + 3 * k,
                k % 5,
                k % 2
            )
        })
        .collect();
    fs::write(
        dir.path().join("flats.csv"),
        format!("flat_id,built,rooms,y\n{rows}"),
    )
    .unwrap();
    let output = run(
        dir.path(),
        &[
            "train",
            "--dataset",
            "flats.csv",
            "--epochs",
            "2",
            "--out",
            "m",
        ],
    );
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        said.contains("column 'flat_id' holds a distinct integer in every row: a row id"),
        "{said}"
    );
    assert!(
        said.contains("column 'built' holds a distinct integer in every row: it looks like"),
        "{said}"
    );
    fs::write(dir.path().join("new.csv"), "built,rooms\n1950,3\n").unwrap();
    let predicted = run(
        dir.path(),
        &["predict", "--model", "m", "--input-file", "new.csv"],
    );
    assert!(predicted.status.success(), "{predicted:?}");
    // Named in --features, it is the user's choice.
    let chosen = [
        "--features",
        "flat_id,rooms",
        "--epochs",
        "2",
        "--quiet",
        "--out",
        "c",
    ];
    train_cli(
        dir.path(),
        &[&["--dataset", "flats.csv"][..], &chosen[..]].concat(),
    );
    let stderr = refused(
        dir.path(),
        &["predict", "--model", "c", "--input-file", "new.csv"],
    );
    assert!(
        stderr.contains("no column named 'flat_id', which the model was trained on"),
        "{stderr}"
    );
}

#[test]
fn files_that_are_not_comma_separated_text_say_what_they_are() {
    let dir = tempdir().unwrap();
    fs::write(dir.path().join("semi.csv"), "a;b;y\n1,5;2;0\n3;4;1\n").unwrap();
    fs::write(dir.path().join("tabs.csv"), "a\tb\ty\n1\t2\t0\n").unwrap();
    fs::write(
        dir.path().join("binary.csv"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    )
    .unwrap();
    for (file, expected) in [
        ("semi.csv", "semi.csv looks ';'-separated"),
        ("tabs.csv", "tabs.csv looks tab-separated"),
        ("binary.csv", "binary.csv is not a text CSV file"),
    ] {
        let stderr = refused(dir.path(), &["train", "--dataset", file]);
        assert!(stderr.contains(expected), "{file}: {stderr}");
        assert!(
            !stderr.chars().any(|c| c.is_control() && c != '\n'),
            "{stderr:?}"
        );
    }
}

#[test]
fn approximate_names_its_folder_from_the_file_and_checks_its_own_widths() {
    let dir = tempdir().unwrap();
    fs::create_dir(dir.path().join("data")).unwrap();
    let rows: String = (0..30)
        .map(|k| format!("{k},{}\n", (k as f32 / 5.0).sin()))
        .collect();
    fs::write(dir.path().join("data/wave.csv"), format!("x,y\n{rows}")).unwrap();
    let args = [
        "approximate",
        "--dataset",
        "./data/wave.csv",
        "--widths",
        "2",
        "--epochs",
        "2",
    ];
    assert!(run(dir.path(), &args).status.success());
    assert!(dir
        .path()
        .join("artifacts/approximate-wave/approximate.svg")
        .is_file());
    let stderr = refused(dir.path(), &["approximate", "--widths", "0"]);
    assert!(
        stderr.contains("--widths needs one or more positive"),
        "{stderr}"
    );
    let help = String::from_utf8(run(dir.path(), &["approximate", "--help"]).stdout).unwrap();
    assert!(
        help.contains("[default: sine]") && help.contains("[default: tanh]"),
        "{help}"
    );
    assert!(!help.contains("--hidden"), "{help}");
}

#[test]
fn the_cli_says_what_it_does_and_takes() {
    let dir = tempdir().unwrap();
    train_cli(dir.path(), &["--epochs", "2", "--quiet", "--out", "m"]);
    // predict alone names every way to give it input.
    let output = run(dir.path(), &["predict", "--model", "m"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--input-file") && stderr.contains("--input-image"),
        "{stderr}"
    );
    // JSON probabilities come with the classes they belong to.
    let output = run(
        dir.path(),
        &[
            "predict",
            "--model",
            "m",
            "--input",
            "5.1,3.5,1.4,0.2",
            "--json",
        ],
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json[0]["classes"],
        serde_json::json!(["setosa", "versicolor", "virginica"])
    );
    // --top works for CSV input too.
    fs::write(
        dir.path().join("in.csv"),
        "sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n",
    )
    .unwrap();
    let output = run(
        dir.path(),
        &[
            "predict",
            "--model",
            "m",
            "--input-file",
            "in.csv",
            "--top",
            "2",
        ],
    );
    let csv = String::from_utf8(output.stdout).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with("top1,top1_probability,top2,top2_probability"),
        "{csv}"
    );
    // A refused option shows the usage of the command it was given to.
    let output = run(dir.path(), &["lr-find", "--epochs", "3"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Usage: stepwise lr-find"), "{stderr}");
    // A loss never reads as negative.
    let args = [
        "--dataset",
        "xor",
        "--lr",
        "1",
        "--epochs",
        "60",
        "--quiet",
        "--out",
        "x",
    ];
    train_cli(dir.path(), &args);
    let metrics = fs::read_to_string(dir.path().join("x/metrics.csv")).unwrap();
    assert!(!metrics.contains(",-"), "{metrics}");
}

#[test]
fn a_picture_model_points_to_pictures_and_to_eval() {
    let dir = tempdir().unwrap();
    let args = [
        "--dataset",
        "shapes",
        "--model",
        "linear",
        "--epochs",
        "1",
        "--quiet",
        "--out",
        "m",
    ];
    train_cli(dir.path(), &args);
    let stderr = refused(dir.path(), &["predict", "--model", "m", "--input", "1,2,3"]);
    assert!(
        stderr.contains("the model reads pictures (1x16x16"),
        "{stderr}"
    );
    assert!(stderr.contains("--input-image FILE"), "{stderr}");
    fs::create_dir_all(dir.path().join("sorted/circle")).unwrap();
    let stderr = refused(
        dir.path(),
        &["predict", "--model", "m", "--input-file", "sorted"],
    );
    assert!(
        stderr.contains("stepwise eval --model m --dataset sorted"),
        "{stderr}"
    );
}

#[test]
fn too_little_data_to_judge_and_an_accuracy_at_chance_are_said() {
    let dir = tempdir().unwrap();
    fs::write(
        dir.path().join("tiny.csv"),
        "a,b,y\n1,2,x\n3,4,y\n5,6,z\n2,2,x\n8,1,y\n",
    )
    .unwrap();
    let output = run(
        dir.path(),
        &["train", "--dataset", "tiny.csv", "--epochs", "3"],
    );
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains("only 1 row is held out for validation"),
        "{said}"
    );
    assert!(said.contains("hold no example of classes x, z"), "{said}");
    // spiral3 with the defaults stays near chance: the advice is a larger network.
    let output = run(dir.path(), &["train", "--dataset", "spiral3", "--out", "s"]);
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains("is little above what always answering"),
        "{said}"
    );
    assert!(said.contains("--hidden 32,32"), "{said}");
}

// Bugs a reviewer planted, one at a time, that the suite once passed: each test below fails on
// one of them.

#[test]
fn a_run_without_a_validation_split_still_stops_when_it_diverges() {
    // sine holds nothing out: STOP must watch the training loss for divergence.
    let dir = tempdir().unwrap();
    let output = run(
        dir.path(),
        &["train", "--dataset", "sine", "--lr", "100", "--out", "m"],
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(said.contains("diverged"), "{said}");
}

#[test]
fn predict_encodes_a_file_as_the_card_says_not_as_the_file_would_fit() {
    // The file holds one town only: fitted afresh, its one-hot columns would differ.
    let dir = tempdir().unwrap();
    with_gaps(dir.path());
    train_cli(
        dir.path(),
        &[
            "--dataset",
            "gaps.csv",
            "--missing",
            "mean",
            "--epochs",
            "5",
            "--quiet",
            "--out",
            "m",
        ],
    );
    fs::write(dir.path().join("york.csv"), "age,town\n30,York\n50,York\n").unwrap();
    let output = run(
        dir.path(),
        &[
            "predict",
            "--model",
            "m",
            "--input-file",
            "york.csv",
            "--json",
        ],
    );
    let from_file: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for (row, typed) in ["30,York", "50,York"].iter().enumerate() {
        let output = run(
            dir.path(),
            &["predict", "--model", "m", "--input", typed, "--json"],
        );
        let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(from_file[row], answer[0], "{typed}");
    }
}

#[test]
fn lr_find_suggests_a_tenth_of_the_rate_at_the_minimum() {
    let dir = tempdir().unwrap();
    let finding = crate::plan(stepwise::TrainConfig::new(), dir.path())
        .find_learning_rate()
        .unwrap();
    assert!(finding.steepest != finding.minimum, "{finding:?}");
    assert!(
        (finding.suggestion - finding.minimum / 10.0).abs() < 1e-12,
        "{finding:?}"
    );
}

#[test]
fn a_run_into_a_folder_that_holds_a_model_says_what_it_replaces() {
    let dir = tempdir().unwrap();
    let cnn = [
        "--dataset",
        "shapes",
        "--model",
        "cnn",
        "--epochs",
        "1",
        "--quiet",
        "--out",
        "m",
    ];
    train_cli(dir.path(), &cnn);
    let output = run(
        dir.path(),
        &[
            "train",
            "--dataset",
            "shapes",
            "--epochs",
            "1",
            "--out",
            "m",
        ],
    );
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains(
            "m holds a cnn of channels 8,16 and hidden 16 trained on shapes: this run replaces it"
        ),
        "{said}"
    );
}

#[test]
fn a_run_out_of_epochs_trains_longer_exactly_as_a_longer_run() {
    let dir = tempdir().unwrap();
    let run_for = |epochs: &str, out: &str| {
        train_cli(
            dir.path(),
            &[
                "--dataset",
                "digits",
                "--epochs",
                epochs,
                "--quiet",
                "--out",
                out,
            ],
        );
    };
    run_for("3", "longer");
    let output = run(
        dir.path(),
        &["train", "--resume", "longer", "--epochs", "6", "--quiet"],
    );
    assert!(output.status.success(), "{output:?}");
    run_for("6", "whole");
    let metrics = |out: &str| fs::read_to_string(dir.path().join(out).join("metrics.csv")).unwrap();
    assert_eq!(metrics("longer"), metrics("whole"));
    // Not fewer epochs than it was set for.
    let stderr = refused(
        dir.path(),
        &["train", "--resume", "longer", "--epochs", "4"],
    );
    assert!(stderr.contains("was set for 6 epochs"), "{stderr}");
}

#[test]
fn each_picture_says_what_it_shows_for_this_run() {
    let dir = tempdir().unwrap();
    train_cli(
        dir.path(),
        &[
            "--dataset",
            "sine",
            "--epochs",
            "3",
            "--quiet",
            "--out",
            "s",
        ],
    );
    let fit = fs::read_to_string(dir.path().join("s/fit.svg")).unwrap();
    assert!(
        fit.contains("INIT (random parameters), loss "),
        "INIT has its loss too"
    );
    assert!(
        fit.contains("the curve the mlp 1-16-1 relu fitted to sine"),
        "fit.svg title"
    );
    train_cli(
        dir.path(),
        &["--dataset", "xor", "--epochs", "3", "--quiet", "--out", "x"],
    );
    let regions = fs::read_to_string(dir.path().join("x/boundary.svg")).unwrap();
    assert!(
        regions.contains("no rows held out"),
        "xor has no validation rings"
    );
    assert!(
        regions.contains("the training loss"),
        "xor's panels name the training loss"
    );
}
