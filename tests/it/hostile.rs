//! Hostile cases end cleanly: a message and a non-zero exit, or a correct result — never a
//! panic, an abort, a silent wrong answer or a lost model.

use std::fs::{self, File};
use std::path::Path;
use std::process::{Command, Output};

use predicates::prelude::PredicateBooleanExt;
use tempfile::tempdir;

use crate::cli::{fails, stepwise};
use crate::train_cli;

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
    train_cli(dir.path(), &["--epochs", "2", "--quiet", "--out", "m"]);
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
    train_cli(dir.path(), &["--epochs", "2", "--quiet", "--out", "m"]);
    let err = fails(
        dir.path(),
        &["predict", "--model", "m", "--input", "0,0,0,3e38"],
    );
    assert!(err.contains("row 1: 'petal_width' = 3e38"), "{err}");
    let err = fails(
        dir.path(),
        &["predict", "--model", "m", "--input", "0,0,0,inf"],
    );
    assert!(
        err.contains("column 'petal_width' takes a number, got 'inf'"),
        "{err}"
    );
    // Finite inputs far beyond the training range are answered, with a note saying so.
    stepwise(dir.path())
        .args(["predict", "--model", "m", "--input", "0,0,1e30,0"])
        .assert()
        .stderr(predicates::str::contains(
            "'petal_length' = 1e30 is far outside the training range",
        ));
    // Inputs inside the range get no note.
    stepwise(dir.path())
        .args(["predict", "--model", "m", "--input", "5.1,3.5,1.4,0.2"])
        .assert()
        .success()
        .stderr(predicates::str::contains("far outside").not());
    // Numbers a person would write are written that way, not as `3e1`.
    stepwise(dir.path())
        .args(["predict", "--model", "m", "--input", "0,0,30,0"])
        .assert()
        .stderr(predicates::str::contains(
            "'petal_length' = 30 is far outside the training range [1, 6.9]",
        ))
        // Below the range too.
        .stderr(predicates::str::contains(
            "'sepal_length' = 0 is far outside the training range",
        ));
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

/// Waits until the run writing into `out` holds its lock (its pid is in the lock file).
fn wait_for_writer(out: &Path) {
    for _ in 0..500 {
        let pid = fs::read_to_string(out.join(".stepwise.lock")).unwrap_or_default();
        if !pid.trim().is_empty() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("the first run never took the lock");
}

#[test]
fn a_second_writer_on_one_folder_is_refused_at_once() {
    const TRIALS: usize = 3;
    let dir = tempdir().unwrap();
    for trial in 0..TRIALS {
        let out = dir.path().join("m");
        let first = crate::spawn(
            dir.path(),
            &[
                "train",
                "--dataset",
                "digits",
                "--epochs",
                "30",
                "--quiet",
                "--out",
                "m",
            ],
        );
        wait_for_writer(&out);
        let second = ["train", "--epochs", "2", "--quiet", "--out", "m"];
        let err = fails(dir.path(), &second);
        assert!(
            err.contains(&format!("another stepwise process (pid {})", first.id())),
            "trial {trial}: {err}"
        );
        assert!(err.contains("is writing to m"), "trial {trial}: {err}");
        let output = first.wait_with_output().unwrap();
        assert!(output.status.success(), "trial {trial}: {output:?}");
        // The folder holds the first run's model, whole.
        stepwise(dir.path())
            .args(["eval", "--model", "m", "--dataset", "digits"])
            .assert()
            .success();
        fs::remove_file(out.join(".stepwise.lock")).ok();
    }
}

#[test]
fn readers_never_see_half_a_commit() {
    const SAVES: usize = 8;
    let dir = tempdir().unwrap();
    train_cli(dir.path(), &["--epochs", "1", "--quiet", "--out", "m"]);
    let writer = {
        let dir = dir.path().to_path_buf();
        std::thread::spawn(move || {
            for seed in 0..SAVES {
                let seed = seed.to_string();
                let args = [
                    "train", "--epochs", "1", "--quiet", "--out", "m", "--seed", &seed,
                ];
                stepwise(&dir).args(args).assert().success();
            }
        })
    };
    let mut predictions = 0;
    while !writer.is_finished() {
        stepwise(dir.path())
            .args(["predict", "--model", "m", "--input", "5.1,3.5,1.4,0.2"])
            .assert()
            .success();
        predictions += 1;
    }
    writer.join().unwrap();
    assert!(predictions > 0);
}

#[test]
fn devices_and_pipes_are_refused_as_files() {
    if !Path::new("/dev/zero").exists() {
        return;
    }
    let dir = tempdir().unwrap();
    train_cli(
        dir.path(),
        &[
            "--epochs",
            "1",
            "--quiet",
            "--out",
            "m",
            "--checkpoint-every",
            "1",
        ],
    );
    for args in [
        &["train", "--dataset", "/dev/zero"][..],
        &["predict", "--model", "m", "--input-file", "/dev/zero"][..],
        &["eval", "--model", "m", "--dataset", "/dev/zero"][..],
    ] {
        let err = fails(dir.path(), args);
        assert!(
            err.contains("/dev/zero is not a regular file"),
            "{args:?}: {err}"
        );
    }
    // A model file replaced by a device.
    let model = dir.path().join("m/model.bpk");
    fs::remove_file(&model).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &model).unwrap();
    let err = fails(
        dir.path(),
        &["predict", "--model", "m", "--input", "1,2,3,4"],
    );
    assert!(err.contains("not a regular file"), "{err}");
}

#[test]
fn hand_edited_configs_are_refused() {
    let dir = tempdir().unwrap();
    train_cli(dir.path(), &["--epochs", "1", "--quiet", "--out", "m"]);
    let config = dir.path().join("m/config.json");
    let original = fs::read_to_string(&config).unwrap();
    let edits = [
        original.replacen(
            "\"task\": \"classification\"",
            "\"task\": \"regression\"",
            1,
        ),
        original.replacen("\"activation\": \"relu\"", "\"activation\": \"tanh\"", 1),
        original
            .lines()
            .filter(|line| !line.contains("model_checksum"))
            .collect::<Vec<_>>()
            .join("\n"),
    ];
    for edited in edits {
        assert_ne!(edited, original);
        fs::write(&config, &edited).unwrap();
        let err = fails(
            dir.path(),
            &["predict", "--model", "m", "--input", "5.1,3.5,1.4,0.2"],
        );
        assert!(err.contains("was edited or is damaged"), "{err}");
    }
}

#[test]
fn misleading_folders_get_the_right_message_before_training() {
    let dir = tempdir().unwrap();
    // A dangling symbolic link as --out.
    std::os::unix::fs::symlink(dir.path().join("gone"), dir.path().join("link")).unwrap();
    let err = crate::reliability::refused_before_training(dir.path(), "link");
    assert!(err.contains("link is a symbolic link to nothing"), "{err}");
    // A file where stepwise keeps a folder.
    for name in [".pending", "checkpoint"] {
        let out = dir.path().join(format!("with-{name}"));
        train_cli(
            dir.path(),
            &["--epochs", "1", "--quiet", "--out", out.to_str().unwrap()],
        );
        fs::remove_dir_all(out.join(name)).ok(); // the finished run's checkpoint, kept
        fs::write(out.join(name), "x").unwrap();
        let err = crate::reliability::refused_before_training(dir.path(), out.to_str().unwrap());
        assert!(err.contains(&format!("{name} is a file")), "{err}");
    }
    // Someone else's files: refused unless --overwrite.
    let theirs = dir.path().join("theirs");
    fs::create_dir(&theirs).unwrap();
    fs::write(theirs.join("config.json"), "{\"mine\": true}").unwrap();
    let err = crate::reliability::refused_before_training(dir.path(), "theirs");
    assert!(err.contains("holds files stepwise did not write"), "{err}");
    assert!(err.contains("--overwrite"), "{err}");
    train_cli(
        dir.path(),
        &["--epochs", "1", "--quiet", "--out", "theirs", "--overwrite"],
    );
    // A config.json that is a symbolic link loop.
    let looped = dir.path().join("theirs/config.json");
    fs::remove_file(&looped).unwrap();
    std::os::unix::fs::symlink(&looped, &looped).unwrap();
    let err = fails(
        dir.path(),
        &["predict", "--model", "theirs", "--input", "1,2,3,4"],
    );
    assert!(
        err.contains("cannot read") && err.contains("config.json"),
        "{err}"
    );
}

#[test]
fn a_refused_run_leaves_no_folder_and_a_crash_leaves_no_debris() {
    let dir = tempdir().unwrap();
    let err = fails(dir.path(), &["train", "--lr", "1e9", "--out", "blown"]);
    assert!(err.contains("No model was saved"), "{err}");
    assert!(!dir.path().join("blown").exists());
    // A folder the person made stays, with what it held.
    fs::create_dir_all(dir.path().join("mine")).unwrap();
    fails(dir.path(), &["train", "--lr", "1e9", "--out", "mine"]);
    assert!(dir.path().join("mine").is_dir());
    // What a kill -9 during a checkpoint's removal leaves is cleared by the next run.
    train_cli(dir.path(), &["--epochs", "1", "--quiet", "--out", "m"]);
    fs::create_dir_all(dir.path().join("m/.checkpoint-removed-123/x")).unwrap();
    train_cli(dir.path(), &["--epochs", "1", "--quiet", "--out", "m"]);
    assert!(!dir.path().join("m/.checkpoint-removed-123").exists());
}

#[test]
fn bad_csv_cells_are_named_briefly_and_blank_rows_mid_file_are_refused() {
    let dir = tempdir().unwrap();
    let huge = "x".repeat(5_000_000);
    fs::write(
        dir.path().join("huge.csv"),
        format!("a,y\n1,p\n{huge}9,q\n2,p\n"),
    )
    .unwrap();
    let err = fails(dir.path(), &["train", "--dataset", "huge.csv"]);
    assert!(err.len() < 600, "{} bytes of error", err.len());
    // (A line with no text at all is skipped, as pandas does; one of empty cells is refused.)
    fs::write(dir.path().join("gap.csv"), "a,y\n1,p\n,\n2,q\n3,p\n").unwrap();
    let err = fails(dir.path(), &["train", "--dataset", "gap.csv"]);
    assert!(err.contains("line 3 is blank, between data rows"), "{err}");
    // A column mixing numbers and text, in either order; a number beyond f32.
    for (text, expected) in [
        (
            "a,b,y\n1,x,p\n2,3,q\n",
            "line 3, column 'b' holds '3', a number, in a column of text",
        ),
        (
            "a,b,y\n1,3,p\n2,x,q\n",
            "line 3, column 'b' holds 'x', which is not a number",
        ),
        (
            "a,y\n1e39,p\n2,q\n",
            "line 2, column 'a' holds '1e39', which is not a finite 32-bit number",
        ),
    ] {
        fs::write(dir.path().join("mixed.csv"), text).unwrap();
        let err = fails(dir.path(), &["train", "--dataset", "mixed.csv"]);
        assert!(err.contains(expected), "{err}");
    }
    let err = fails(dir.path(), &["gradcheck", "--rows", "0"]);
    assert!(err.contains("--rows must be at least 1"), "{err}");
}

#[test]
fn the_memory_estimate_is_within_half_again_of_the_measured_peak() {
    if !crate::measures_peak_memory() {
        return; // no /proc/self/status: nothing measured
    }
    let dir = tempdir().unwrap();
    for dataset in ["iris", "digits"] {
        train_cli(
            dir.path(),
            &[
                "--dataset",
                dataset,
                "--epochs",
                "3",
                "--quiet",
                "--out",
                dataset,
            ],
        );
        let summary: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(dir.path().join(dataset).join("summary.json")).unwrap(),
        )
        .unwrap();
        let estimate = summary["memory_estimate_bytes"].as_f64().unwrap();
        let peak = summary["peak_memory_bytes"].as_f64().unwrap();
        let ratio = peak / estimate;
        assert!(
            (1.0 / 1.5..=1.5).contains(&ratio),
            "{dataset}: peak {peak} / estimate {estimate}"
        );
    }
}

#[test]
fn a_large_csv_trains_within_two_and_a_half_times_its_data_and_the_estimate_holds() {
    if !crate::measures_peak_memory() {
        return; // no /proc/self/status: nothing measured
    }
    let dir = tempdir().unwrap();
    // 200,000 rows x 21 columns: 16 MiB as 32-bit floats, 34 MB of text.
    let generated = stepwise(dir.path())
        .args([
            "bench",
            "--workload",
            "ingest",
            "--rows",
            "200000",
            "--csv",
            "big.csv",
        ])
        .output()
        .unwrap();
    assert!(generated.status.success(), "{generated:?}");
    train_cli(
        dir.path(),
        &[
            "--dataset",
            "big.csv",
            "--model",
            "linear",
            "--epochs",
            "1",
            "--batch-size",
            "256",
            // On the CPU backend: `auto` in a build with wgpu first probes for a GPU, and
            // loading the Vulkan driver to ask costs ~100 MiB of its own.
            "--device",
            "flex",
        ],
    );
    let summary: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(dir.path().join("artifacts/big/summary.json")).unwrap(),
    )
    .unwrap();
    let estimate = summary["memory_estimate_bytes"].as_f64().unwrap();
    let peak = summary["peak_memory_bytes"].as_f64().unwrap();
    let data = 200_000.0 * 21.0 * 4.0;
    let mib = 1024.0 * 1024.0;
    assert!(
        peak <= 2.5 * data + 64.0 * mib,
        "peak {:.1} MiB for {:.1} MiB of data",
        peak / mib,
        data / mib
    );
    assert!(
        (1.0 / 1.5..=1.5).contains(&(peak / estimate)),
        "peak {peak} / estimate {estimate}"
    );
}

#[test]
fn a_writer_in_the_same_process_is_waited_for_a_moment_then_refused() {
    use std::time::{Duration, Instant};
    use stepwise::ArtifactDir;

    // A lock this process just released can still be held for a moment by a child it is
    // starting: a second writer of the same process waits up to a second for it.
    let dir = tempdir().unwrap();
    let folder = ArtifactDir::new(dir.path().join("m"));
    let first = folder.start_writing(0).unwrap();
    let releasing = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        drop(first);
    });
    let second = folder.start_writing(0);
    assert!(second.is_ok(), "{:#}", second.err().unwrap());
    releasing.join().unwrap();

    // Held for good: refused after the second, naming this process.
    let started = Instant::now();
    let err = format!("{:#}", folder.start_writing(0).err().unwrap());
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(10),
        "{waited:?}"
    );
    let pid = std::process::id();
    assert!(err.contains(&format!("(pid {pid}) is writing to")), "{err}");
    drop(second);
}
