//! The command line: train then predict, and every user mistake gets a clear one-line error.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use tempfile::tempdir;

pub fn stepwise(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stepwise"));
    // Mesa's EGL complains on stderr when wgpu probes OpenGL without a runtime dir.
    command.current_dir(dir).env("XDG_RUNTIME_DIR", dir);
    command
}

/// stderr less warning lines: a build with wgpu may warn first that `auto` fell back to the CPU.
pub fn without_warnings(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|line| !line.starts_with("warning: "))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// Runs stepwise with `args` in `dir`, expecting failure; returns stderr.
pub fn fails(dir: &Path, args: &[&str]) -> String {
    let output = stepwise(dir).args(args).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{args:?} should fail with exit 1"
    );
    let stderr = without_warnings(&String::from_utf8(output.stderr).unwrap());
    assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
    stderr
}

#[test]
fn train_then_predict_then_eval() {
    let dir = tempdir().unwrap();
    stepwise(dir.path())
        .args(["train", "--epochs", "40", "--log-every", "10"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "data     iris: 150 rows, 4 features, 3 classes",
        ))
        .stdout(predicate::str::contains("120 train / 30 valid"))
        .stdout(predicate::str::contains(
            "model    mlp 4-16-3 relu (131 parameters)",
        ))
        .stdout(predicate::str::contains("epoch   10  train loss"))
        .stdout(predicate::str::contains("epoch   40  train loss"))
        .stdout(predicate::str::contains("stopped: max epochs 40 reached"))
        .stdout(predicate::str::contains("saved    artifacts/iris"));
    assert!(dir.path().join("artifacts/iris/model.bpk").is_file());

    stepwise(dir.path())
        .args([
            "predict",
            "--model",
            "artifacts/iris",
            "--input",
            "5.1,3.5,1.4,0.2",
        ])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("setosa (probability "));

    stepwise(dir.path())
        .args([
            "predict",
            "--model",
            "artifacts/iris",
            "--input",
            "6.9, 3.1, 5.4, 2.1",
            "--json",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"label\": \"virginica\""));

    let input = dir.path().join("flowers.csv");
    std::fs::write(
        &input,
        // (A column the model does not read is not read at all: `notes` mixes kinds.)
        "petal_width,notes,sepal_length,sepal_width,petal_length\n0.2,3,5.1,3.5,1.4\n2.1,tall one,6.9,3.1,5.4\n",
    )
    .unwrap();
    stepwise(dir.path())
        .args([
            "predict",
            "--model",
            "artifacts/iris",
            "--input-file",
            "flowers.csv",
        ])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "sepal_length,sepal_width,petal_length,petal_width,predicted_species,probability\n\
             5.1,3.5,1.4,0.2,setosa,",
        ))
        .stdout(predicate::str::contains("6.9,3.1,5.4,2.1,virginica,"));

    // Columns are matched by name, in any order.
    std::fs::write(
        dir.path().join("labelled.csv"),
        "species,petal_width,sepal_length,sepal_width,petal_length\n\
         setosa,0.2,5.1,3.5,1.4\nvirginica,2.1,6.9,3.1,5.4\n",
    )
    .unwrap();
    stepwise(dir.path())
        .args([
            "eval",
            "--model",
            "artifacts/iris",
            "--dataset",
            "labelled.csv",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "rows      2: every row of labelled.csv\n",
        ))
        .stdout(predicate::str::contains("accuracy  1.0000"));

    stepwise(dir.path())
        .args(["eval", "--model", "artifacts/iris", "--dataset", "iris"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "rows      30: the 30 validation rows of iris",
        ))
        .stdout(predicate::str::contains("accuracy  0.9"))
        .stdout(predicate::str::contains("confusion"));
}

#[test]
fn regression_predicts_in_original_units() {
    let dir = tempdir().unwrap();
    stepwise(dir.path())
        .args([
            "train",
            "--dataset",
            "line",
            "--model",
            "linear",
            "--lr",
            "0.05",
            "--epochs",
            "30",
            "--quiet",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("\nepoch ").not());
    let output = stepwise(dir.path())
        .args(["predict", "--model", "artifacts/line", "--input", "3"])
        .output()
        .unwrap();
    let value: f32 = String::from_utf8(output.stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!((value - 7.0).abs() < 0.2, "2·3 + 1 ≈ 7, got {value}");
    stepwise(dir.path())
        .args(["eval", "--model", "artifacts/line", "--dataset", "line"])
        .assert()
        .success()
        .stdout(predicate::str::contains("r2        0.9"));
}

#[test]
fn datasets_lists_builtin_and_shipped_data() {
    let dir = tempdir().unwrap();
    stepwise(dir.path())
        .arg("datasets")
        .assert()
        .success()
        .stdout(predicate::str::contains("xor"))
        .stdout(predicate::str::contains("sine"))
        .stdout(predicate::str::contains("line"))
        .stdout(predicate::str::contains("iris"))
        .stdout(predicate::str::contains("digits"));
}

#[test]
fn a_diverging_run_exits_nonzero_and_saves_nothing() {
    let dir = tempdir().unwrap();
    let stderr = fails(
        dir.path(),
        &[
            "train",
            "--dataset",
            "line",
            "--model",
            "linear",
            "--lr",
            "10000",
            "--quiet",
        ],
    );
    assert!(
        stderr.contains("diverged") && stderr.contains("smaller --lr"),
        "{stderr}"
    );
    assert!(!dir.path().join("artifacts/line/model.bpk").exists());
}

#[test]
fn bad_training_input_is_named() {
    let dir = tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    std::fs::write(path("ragged.csv"), "a,b,c\n1,2,x\n1,2\n").unwrap();
    std::fs::write(path("text.csv"), "a,b\n1,x\nfoo,y\n").unwrap();
    std::fs::write(path("empty.csv"), "a,b\n1,x\n,y\n").unwrap();
    std::fs::write(path("one.csv"), "a,b\n1,x\n2,x\n").unwrap();

    let cases: [(&[&str], &str); 12] = [
        (&["train", "--dataset", "nope"], "unknown dataset 'nope'"),
        (
            &["train", "--dataset", "missing/file.csv"],
            "unknown dataset 'missing/file.csv'",
        ),
        (
            &["train", "--dataset", &path("ragged.csv")],
            "line 3 has 2 values but the header has 3",
        ),
        (
            &["train", "--dataset", &path("text.csv")],
            "holds 'foo', which is not a number",
        ),
        (
            &["train", "--dataset", &path("empty.csv")],
            "column 'a' is empty",
        ),
        (&["train", "--dataset", &path("one.csv")], "only one class"),
        (&["train", "--label", "colour"], "no column named 'colour'"),
        (&["train", "--lr", "0"], "--lr must be a positive number"),
        (&["train", "--lr=-1"], "--lr must be a positive number"),
        (&["train", "--epochs", "0"], "--epochs must be at least 1"),
        (
            &["train", "--output", "sigmoid"],
            "--output sigmoid is for regression on targets in [0, 1]",
        ),
        (
            &["train", "--dataset", "line", "--output", "sigmoid"],
            "--output sigmoid predicts values in (0, 1), but the target 'y' holds",
        ),
    ];
    for (args, expected) in cases {
        let stderr = fails(dir.path(), args);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn bad_prediction_input_is_named() {
    let dir = tempdir().unwrap();
    stepwise(dir.path())
        .args(["train", "--epochs", "1", "--quiet", "--out", "model"])
        .assert()
        .success();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    std::fs::create_dir(dir.path().join("half")).unwrap();
    std::fs::copy(
        dir.path().join("model/config.json"),
        dir.path().join("half/config.json"),
    )
    .unwrap();

    let cases: [(&[&str], &str); 6] = [
        (
            &["predict", "--model", "model", "--input", "1,2,3"],
            "takes 4 input values",
        ),
        (
            &["predict", "--model", "model", "--input", "1,2,x,4"],
            "column 'petal_length' takes a number, got 'x'",
        ),
        (
            &["predict", "--model", "nowhere", "--input", "1,2,3,4"],
            "does not exist",
        ),
        (
            &["predict", "--model", "empty", "--input", "1,2,3,4"],
            "has no model yet",
        ),
        (
            &["predict", "--model", "half", "--input", "1,2,3,4"],
            "incomplete",
        ),
        (
            &["eval", "--model", "model", "--dataset", "digits"],
            "no column named 'species'",
        ),
    ];
    for (args, expected) in cases {
        let stderr = fails(dir.path(), args);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn devices_lists_the_compiled_backends() {
    let dir = tempdir().unwrap();
    let output = stepwise(dir.path()).arg("devices").output().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let compiled = stepwise::compiled_backends();
    assert!(stdout.starts_with(&format!("compiled backends: {}\n", compiled.join(", "))));
    for name in &compiled {
        assert!(stdout.contains(&format!("\n{name:<8} ")), "{stdout}");
    }
    assert!(stdout.contains("\nauto     -> "), "{stdout}");
}

#[test]
fn a_backend_that_is_not_compiled_is_named() {
    let dir = tempdir().unwrap();
    for name in ["flex", "ndarray", "wgpu"] {
        if stepwise::compiled_backends().contains(&name) {
            continue;
        }
        let stderr = fails(dir.path(), &["train", "--device", name]);
        assert!(
            stderr.contains(&format!("the {name} backend is not compiled")),
            "{stderr}"
        );
        assert!(stderr.contains(&format!("--features {name}")), "{stderr}");
    }
}

/// Hides every Vulkan driver and EGL vendor, so wgpu finds no adapter.
#[cfg(feature = "wgpu")]
fn without_gpu(command: &mut Command) -> &mut Command {
    command
        .env("VK_ICD_FILENAMES", "/nonexistent")
        .env("VK_DRIVER_FILES", "/nonexistent")
        .env("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent")
}

#[cfg(feature = "wgpu")]
#[test]
fn without_an_adapter_wgpu_fails_clearly_and_auto_falls_back() {
    let dir = tempdir().unwrap();
    let output = without_gpu(&mut stepwise(dir.path()))
        .args(["train", "--device", "wgpu", "--epochs", "1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("error: no GPU adapter for wgpu"),
        "{stderr}"
    );
    assert!(stderr.contains("mesa-vulkan-drivers"), "{stderr}");
    assert!(stderr.contains("--device flex"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!dir.path().join("artifacts").exists());

    let output = without_gpu(&mut stepwise(dir.path()))
        .args(["train", "--device", "auto", "--epochs", "1", "--quiet"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("warning: no GPU adapter for wgpu"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("device   flex: CPU"), "{stdout}");
}

/// burn builds a resumed run's SGD state on its default device, the GPU in this build: on a
/// machine without one that panicked ("the checkpoint's SGD state is damaged") until stepwise
/// kept that default on the CPU.
#[cfg(feature = "wgpu")]
#[test]
fn without_an_adapter_a_cpu_run_resumes() {
    let dir = tempdir().unwrap();
    let train = |args: &[&str]| {
        without_gpu(&mut stepwise(dir.path()))
            .env_remove("BURN_DEVICE")
            .args(["train", "--device", "flex", "--quiet"])
            .args(args)
            .output()
            .unwrap()
    };
    assert!(train(&["--epochs", "2", "--out", "m"]).status.success());
    let output = train(&["--resume", "m", "--epochs", "4"]);
    assert!(output.status.success(), "{output:?}");
    let metrics = fs::read_to_string(dir.path().join("m/metrics.csv")).unwrap();
    assert_eq!(metrics.lines().count(), 1 + 4, "{metrics}");
}

#[test]
fn derivative_prints_the_limit_autodiff_and_the_steps() {
    let dir = tempdir().unwrap();
    stepwise(dir.path())
        .args(["derivative", "--x", "1", "--lr", "0.25", "--steps", "10"])
        .assert()
        .success()
        .stdout(predicate::str::contains("exact slope P'(x) = 4"))
        .stdout(predicate::str::contains("h = 0.1      slope     3.900000"))
        .stdout(predicate::str::contains(
            "burn's autodiff (backpropagation): slope 4\n",
        ))
        .stdout(predicate::str::contains("step   1  x =     2.000000"))
        .stdout(predicate::str::contains("lr 0.25: arrived at the top"))
        .stdout(predicate::str::contains("lr 1.1   ends at"))
        .stdout(predicate::str::contains("running away"))
        .stdout(predicate::str::contains(
            "= 6 - 2x - h = 4 - h  ->  4 as h -> 0",
        ))
        .stdout(predicate::str::contains("with the loss L = -P"));
    stepwise(dir.path())
        .args(["derivative", "--x", "3"])
        .assert()
        .success()
        .stdout(predicate::str::contains("lr 0.1: already at the top"));
    stepwise(dir.path())
        .args(["derivative", "--x", "1e308"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--x 1e308 is too far out"));
}

#[test]
fn trace_lr_find_gradcheck_and_plot_from_the_command_line() {
    let dir = tempdir().unwrap();
    stepwise(dir.path())
        .args(["train", "--epochs", "5", "--trace", "9", "--out", "iris"])
        .assert()
        .success()
        .stdout(predicate::str::contains("INIT     131 parameters"))
        // 120 training rows are 8 batches of 16: step 9 begins the second pass.
        .stdout(predicate::str::contains(
            "step 8   a batch of 8 rows\n",
        ))
        .stdout(predicate::str::contains(
            "epoch 2  repeat: epoch 1 used every row; the loop runs over them again, reshuffled\nstep 9 ",
        ))
        .stdout(predicate::str::contains("step 2   a batch of 16 rows"))
        .stdout(predicate::str::contains("  PREDICT  row 1: p = ["))
        .stdout(predicate::str::contains("  LOSS     "))
        .stdout(predicate::str::contains(
            "  GRADIENT |d loss/d hidden.0.weight| = ",
        ))
        .stdout(predicate::str::contains("  STEP     hidden.0.weight"))
        .stdout(predicate::str::contains("train loss per epoch"));
    assert!(dir.path().join("iris/loss.svg").is_file());

    std::fs::remove_file(dir.path().join("iris/loss.svg")).unwrap();
    stepwise(dir.path())
        .args(["plot", "--model", "iris"])
        .assert()
        .success()
        .stdout(predicate::str::contains("saved    iris/loss.svg"));
    assert!(dir.path().join("iris/loss.svg").is_file());

    stepwise(dir.path())
        .args(["lr-find", "--out", "iris"])
        .assert()
        .success()
        .stdout(predicate::str::contains("lr-find  "))
        .stdout(predicate::str::contains("-> suggestion "))
        .stdout(predicate::str::contains("saved    iris/lr_find.svg"));
    let plot = fs::read_to_string(dir.path().join("iris/lr_find.svg")).unwrap();
    assert!(
        plot.contains("<svg") && plot.contains("suggestion"),
        "{plot}"
    );

    stepwise(dir.path())
        .args(["gradcheck", "--model", "mlp", "--dataset", "iris"])
        .assert()
        .success()
        .stdout(predicate::str::contains("hidden.0.weight"))
        .stdout(predicate::str::contains(
            "autodiff agrees with finite differences",
        ));
    assert!(
        !dir.path().join("artifacts").exists(),
        "gradcheck saves nothing"
    );

    let stderr = fails(dir.path(), &["plot", "--model", "nowhere"]);
    assert!(stderr.contains("nowhere/metrics.csv"), "{stderr}");
}

#[test]
fn bench_times_a_workload_through_the_learner_and_reports_json() {
    let dir = tempdir().unwrap();
    let output = stepwise(dir.path())
        .args(["bench", "--workload", "xor", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let xor = &report["workloads"][0];
    assert_eq!(xor["workload"], "xor");
    assert_eq!(xor["model"], "mlp 2-8-1 tanh + sigmoid");
    // It trained to the target: MSE below 0.01, one full-batch update per epoch.
    assert!(xor["final_loss"].as_f64().unwrap() <= 0.01, "{xor}");
    assert_eq!(xor["steps"], xor["epochs"]);
    assert!(xor["samples_per_second"].as_f64().unwrap() > 0.0);
    assert!(report["matmul_gflops_per_second"].as_f64().unwrap() > 0.0);
}

#[test]
fn bench_ingest_generates_a_csv_loads_it_as_train_does_and_reports_its_memory() {
    let dir = tempdir().unwrap();
    let output = stepwise(dir.path())
        .args(["bench", "--workload", "ingest", "--rows", "3000"])
        .args(["--csv", "big.csv", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["rows"], 3000);
    assert_eq!(report["columns"], 21);
    assert_eq!(report["data_bytes"], 3000 * 21 * 4);
    let (parse, ready) = (
        report["parse_seconds"].as_f64(),
        report["ready_seconds"].as_f64(),
    );
    assert!(
        parse.unwrap() > 0.0 && ready.unwrap() >= parse.unwrap(),
        "{report}"
    );

    // The file it wrote is a plain CSV that trains: x0..x19 and a class y = (x0 + x1 > 0).
    let csv = fs::read_to_string(dir.path().join("big.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3001);
    assert!(csv.starts_with("x0,x1,x2,"), "{}", &csv[..40]);
    let row: Vec<f64> = csv
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(|cell| cell.parse().unwrap())
        .collect();
    assert_eq!(row.len(), 21);
    assert_eq!(row[20], if row[0] + row[1] > 0.0 { 1.0 } else { 0.0 });

    // Without --rows it loads the file as it is; without either it says what it needs.
    let again = stepwise(dir.path())
        .args(["bench", "--workload", "ingest", "--csv", "big.csv"])
        .output()
        .unwrap();
    let text = String::from_utf8(again.stdout).unwrap();
    assert!(text.contains("3000 rows x 21 columns"), "{text}");
    let err = fails(dir.path(), &["bench", "--workload", "ingest"]);
    assert!(
        err.contains("--rows N") && err.contains("--csv FILE"),
        "{err}"
    );
    let err = fails(dir.path(), &["bench", "--workload", "xor", "--rows", "10"]);
    assert!(
        err.contains("--rows and --csv are for --workload ingest"),
        "{err}"
    );
}

#[test]
fn a_closed_output_pipe_ends_the_run_quietly() {
    use std::io::{BufRead, BufReader};
    let dir = tempdir().unwrap();
    let args = [
        "train",
        "--dataset",
        "digits",
        "--epochs",
        "100000",
        "--log-every",
        "1",
    ];
    let mut child = crate::spawn(dir.path(), &args);
    // Read two lines, then close the pipe, as `stepwise train | head -2` does.
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    lines.next();
    lines.next();
    drop(lines);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        output.status.code(),
        None,
        "ended by SIGPIPE, like any Unix tool"
    );
}

#[test]
fn top_lists_the_most_probable_classes_in_text_and_json() {
    let dir = tempdir().unwrap();
    crate::train_cli(dir.path(), &["--epochs", "2", "--quiet", "--out", "m"]);
    let input = [
        "predict",
        "--model",
        "m",
        "--input",
        "5.1,3.5,1.4,0.2",
        "--top",
        "2",
    ];
    let output = stepwise(dir.path()).args(input).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.trim().split(", ").count(), 2, "{text}");
    let output = stepwise(dir.path())
        .args(input)
        .arg("--json")
        .output()
        .unwrap();
    let answers: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let top = answers[0]["top"].as_array().unwrap();
    assert_eq!(top.len(), 2);
    assert_eq!(top[0]["label"], answers[0]["label"]);
    assert!(top[0]["probability"].as_f64() >= top[1]["probability"].as_f64());
}

#[test]
fn train_help_states_the_step_rule_with_the_configurations_own_defaults() {
    let dir = tempdir().unwrap();
    let help = stepwise(dir.path())
        .args(["train", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let defaults = stepwise::TrainConfig::new();
    for expected in [
        format!("(--momentum {}, dampening 0)", defaults.momentum),
        format!("(--lr {})", defaults.learning_rate),
        format!("a minibatch of {} rows", defaults.batch_size),
        format!("STOP after {} epochs", defaults.epochs),
    ] {
        assert!(help.contains(&expected), "{expected}: {help}");
    }
}
