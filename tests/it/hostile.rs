//! Hostile cases end cleanly: a message and a non-zero exit, or a correct result — never a
//! panic, an abort, a silent wrong answer or a lost model.

use std::fs::{self, File};
use std::path::Path;
use std::process::{Command, Output};

use tempfile::tempdir;

use crate::cli::{fails, stepwise};

/// Runs stepwise in `dir` with stdout going to `stdout`.
fn run_into(dir: &Path, args: &[&str], stdout: File) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(args)
        .current_dir(dir)
        .env("XDG_RUNTIME_DIR", dir)
        .stdout(stdout)
        .output()
        .unwrap()
}

#[test]
fn a_full_output_is_an_error_in_every_command() {
    if !Path::new("/dev/full").exists() {
        return; // not Linux
    }
    let dir = tempdir().unwrap();
    stepwise(dir.path())
        .args(["train", "--epochs", "2", "--quiet", "--out", "m"])
        .assert()
        .success();
    let commands: [&[&str]; 6] = [
        &["predict", "--model", "m", "--input", "5.1,3.5,1.4,0.2"],
        &[
            "predict",
            "--model",
            "m",
            "--input",
            "5.1,3.5,1.4,0.2",
            "--json",
        ],
        &["eval", "--model", "m", "--dataset", "iris"],
        &["train", "--epochs", "2", "--out", "other"],
        &["datasets"],
        &["plot", "--model", "m"],
    ];
    for args in commands {
        let output = run_into(dir.path(), args, File::create("/dev/full").unwrap());
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("error: cannot write the output"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    // The model the first run saved is still whole.
    stepwise(dir.path())
        .args(["predict", "--model", "m", "--input", "5.1,3.5,1.4,0.2"])
        .assert()
        .success();
}

#[test]
fn non_finite_and_out_of_range_options_are_refused_before_anything_is_written() {
    let dir = tempdir().unwrap();
    for (args, expected) in [
        (
            &["--min-delta", "nan"][..],
            "--min-delta must be 0 or a positive number",
        ),
        (
            &["--min-delta", "inf"][..],
            "--min-delta must be 0 or a positive number",
        ),
        (
            &["--target-loss", "nan"][..],
            "--target-loss must be 0 or a positive number",
        ),
        (
            &["--target-loss=-1"][..],
            "--target-loss must be 0 or a positive number",
        ),
        (&["--patience", "0"][..], "--patience must be at least 1"),
        (&["--momentum", "nan"][..], "--momentum must be in [0, 1)"),
        (
            &["--valid-fraction", "nan"][..],
            "--valid-fraction must be in [0, 1)",
        ),
    ] {
        let mut all = vec!["train", "--out", "m"];
        all.extend_from_slice(args);
        let err = fails(dir.path(), &all);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!dir.path().join("m").exists(), "{args:?} left a folder");
    }
}

#[test]
fn predictions_that_overflow_are_errors_naming_the_row() {
    let dir = tempdir().unwrap();
    stepwise(dir.path())
        .args(["train", "--epochs", "2", "--quiet", "--out", "m"])
        .assert()
        .success();
    let err = fails(
        dir.path(),
        &["predict", "--model", "m", "--input", "0,0,0,3e38"],
    );
    assert!(err.contains("row 1: 'petal_width' = 3e38"), "{err}");
    // Finite inputs far beyond the training range are answered, with a note saying so.
    stepwise(dir.path())
        .args(["predict", "--model", "m", "--input", "0,0,1e30,0"])
        .assert()
        .stderr(predicates::str::contains("far outside the training range"));
    fs::write(dir.path().join("rows.csv"), "sepal_length,sepal_width,petal_length,petal_width,species\n5,3,1,0.2,setosa\n0,0,0,3e38,setosa\n").unwrap();
    let err = fails(
        dir.path(),
        &["eval", "--model", "m", "--dataset", "rows.csv"],
    );
    assert!(err.contains("row 2"), "{err}");
}

#[test]
fn repeated_column_names_are_refused() {
    let dir = tempdir().unwrap();
    fs::write(dir.path().join("dup.csv"), "a,a,y\n1,2,x\n3,4,z\n").unwrap();
    let err = fails(dir.path(), &["train", "--dataset", "dup.csv"]);
    assert!(err.contains("the header names 'a' more than once"), "{err}");
}
