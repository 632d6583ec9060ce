//! Models in and out: every built-in network, exported, answers in onnxruntime and in a numpy
//! forward pass over its safetensors as `stepwise predict` answers (tests/python/
//! check_export.py); weights come back in through `--init-from`, from safetensors and from a
//! file PyTorch saved.

use std::path::{Path, PathBuf};
use std::process::Command;

use stepwise::{
    ActivationKind, ArtifactDir, ModelKind, OutputKind, Prediction, Predictor, Rows, Task,
    TrainConfig,
};
use tempfile::tempdir;

use crate::cli::{fails, stepwise};

/// Python with onnxruntime, numpy and safetensors: a virtual environment under target/tmp,
/// made from tests/python/requirements.txt on first use.
fn python() -> PathBuf {
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("python-venv");
    let python = venv.join("bin/python");
    let ready = |python: &Path| {
        Command::new(python)
            .args(["-c", "import numpy, onnxruntime, safetensors"])
            .status()
            .is_ok_and(|status| status.success())
    };
    if ready(&python) {
        return python;
    }
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("the export tests need Python 3: apt-get install python3 python3-venv");
    assert!(made.success(), "python3 -m venv {} failed", venv.display());
    let requirements = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/requirements.txt");
    let installed = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
        ])
        .arg(requirements)
        .status()
        .expect("pip starts");
    assert!(
        installed.success(),
        "pip install of tests/python/requirements.txt failed"
    );
    assert!(
        ready(&python),
        "the runtimes do not import after their install"
    );
    python
}

/// Exports the model in `dir` both ways, and has tests/python/check_export.py run them on
/// `rows` (CSV text, the columns as a person gives them) against `expected`.
fn exports_answer_as_stepwise_does(dir: &Path, rows: &str, expected: &[Vec<f32>]) {
    for (format, file) in [("onnx", "m.onnx"), ("safetensors", "m.safetensors")] {
        let out = dir.join(file);
        stepwise(dir)
            .args(["export", "--model", ".", "--format", format, "--out"])
            .arg(&out)
            .assert()
            .success();
    }
    std::fs::write(dir.join("rows.csv"), rows).unwrap();
    std::fs::write(
        dir.join("expected.json"),
        serde_json::to_string(expected).unwrap(),
    )
    .unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/check_export.py");
    let output = Command::new(python())
        .arg(script)
        .args(["m.onnx", "m.safetensors", "rows.csv", "expected.json"])
        .current_dir(dir)
        .output()
        .expect("python starts");
    let said = String::from_utf8_lossy(&output.stdout);
    println!("{}: {said}", dir.display());
    assert!(
        output.status.success(),
        "the exports of {} do not answer as stepwise does:\n{said}\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(said.matches("largest difference").count(), 2, "{said}");
}

/// What `stepwise predict` answers: each class's probability, or the value.
fn answers(predictor: &Predictor, rows: &[Vec<f32>]) -> Vec<Vec<f32>> {
    predictor
        .predict(rows)
        .unwrap()
        .into_iter()
        .map(|prediction| match prediction {
            Prediction::Class { probabilities, .. } => probabilities,
            Prediction::Value { value } => vec![value],
        })
        .collect()
}

/// Trains `config` into `dir` and checks both exports on every row of its data.
fn check(config: TrainConfig, dir: &Path) {
    let dataset = config.dataset.clone();
    crate::train(config, dir);
    let predictor = Predictor::load(&ArtifactDir::new(dir), crate::backend().device).unwrap();
    let data = predictor
        .eval_data(&dataset, Some(Rows::All))
        .unwrap()
        .dataset;
    let width = data.feature_names.len();
    let rows: Vec<Vec<f32>> = data.features.chunks(width).map(<[f32]>::to_vec).collect();
    let mut csv = data.feature_names.join(",") + "\n";
    for row in &rows {
        let cells: Vec<String> = row.iter().map(f32::to_string).collect();
        csv += &(cells.join(",") + "\n");
    }
    exports_answer_as_stepwise_does(dir, &csv, &answers(&predictor, &rows));
}

#[test]
fn every_built_in_network_exported_answers_in_onnxruntime_and_numpy_as_stepwise_predict_does() {
    let short = |dataset: &str| {
        TrainConfig::new()
            .with_dataset(dataset.into())
            .with_epochs(3)
    };
    let cases = [
        ("iris-mlp-relu", short("iris")),
        ("iris-linear", short("iris").with_model(ModelKind::Linear)),
        (
            "iris-mlp-sigmoid",
            short("iris")
                .with_hidden(vec![8, 8])
                .with_activation(ActivationKind::Sigmoid),
        ),
        (
            "sine-mlp-tanh",
            short("sine").with_activation(ActivationKind::Tanh),
        ),
        (
            "xor-sigmoid-output",
            short("xor")
                .with_task(Some(Task::Regression))
                .with_output(Some(OutputKind::Sigmoid)),
        ),
        ("digits-mlp", short("digits").with_epochs(2)),
        (
            "shapes-cnn",
            short("shapes").with_model(ModelKind::Cnn).with_epochs(1),
        ),
    ];
    let dir = tempdir().unwrap();
    for (name, config) in cases {
        let folder = dir.path().join(name);
        std::fs::create_dir_all(&folder).unwrap();
        check(config, &folder);
    }
}

#[test]
fn a_model_with_text_and_missing_cells_is_run_with_the_encoding_its_json_states() {
    let dir = tempdir().unwrap();
    let mut csv = String::from("age,town,income,bought\n");
    for row in 0..60 {
        let town = ["Leeds", "York", "Hull"][row % 3];
        let income = if row % 7 == 3 {
            String::new()
        } else {
            format!("{}", 20 + row % 13)
        };
        let town = if row % 11 == 5 { "" } else { town };
        let bought = if (row * 7 + row / 3) % 5 < 2 {
            "yes"
        } else {
            "no"
        };
        csv += &format!("{},{town},{income},{bought}\n", 18 + row % 40);
    }
    std::fs::write(dir.path().join("shop.csv"), &csv).unwrap();
    let config = TrainConfig::new()
        .with_dataset(dir.path().join("shop.csv").display().to_string())
        .with_missing(stepwise::Missing::Mean)
        .with_epochs(5);
    let model = dir.path().join("shop");
    crate::train(config, &model);
    let predictor = Predictor::load(&ArtifactDir::new(&model), crate::backend().device).unwrap();
    // The rows as a person gives them: a town by name, or nothing; an income, or nothing.
    let given = "age,town,income\n30,York,25\n41,,31\n22,Hull,\n57,Leeds,20\n";
    let rows: Vec<Vec<f32>> = given
        .lines()
        .skip(1)
        .map(|line| predictor.parse_input(line).unwrap())
        .collect();
    exports_answer_as_stepwise_does(&model, given, &answers(&predictor, &rows));
    let json = read_json(&model.join("m.onnx.json"));
    let town = &json["columns"][1];
    assert_eq!(
        town["categories"],
        serde_json::json!(["Hull", "Leeds", "York"])
    );
    assert!(town["fill"].is_string(), "{town}");
    assert_eq!(json["inputs"][1], "town=Hull");
}

fn read_json(file: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

/// The validation loss of the first epoch of a run of iris from `weights`, at a learning rate
/// too small to move them.
fn first_loss_from(weights: &Path, dir: &Path) -> f64 {
    let config = TrainConfig::new()
        .with_init_from(Some(weights.display().to_string()))
        .with_learning_rate(1e-12.into())
        .with_epochs(1);
    let report = crate::train(config, dir);
    report.training.history[0].valid_loss.unwrap()
}

#[test]
fn exported_weights_given_to_init_from_start_where_the_model_ended_and_the_card_says_so() {
    let dir = tempdir().unwrap();
    let trained = dir.path().join("trained");
    let report = crate::train(TrainConfig::new().with_epochs(30), &trained);
    let ended = report.training.history.last().unwrap().valid_loss.unwrap();
    let weights = trained.join("w.safetensors");
    stepwise(dir.path())
        .args([
            "export",
            "--model",
            "trained",
            "--format",
            "safetensors",
            "--out",
        ])
        .arg(&weights)
        .assert()
        .success();
    let again = dir.path().join("again");
    let started = first_loss_from(&weights, &again);
    assert!(
        (started - ended).abs() < 1e-5,
        "started at {started}, the model ended at {ended}"
    );
    let card = read_json(&again.join("config.json"));
    assert_eq!(card["training"]["init_from"], weights.display().to_string());
    assert_eq!(
        card["starting_weights"]["file"],
        weights.display().to_string()
    );
    assert_eq!(card["starting_weights"]["format"], "safetensors");
    assert_eq!(
        card["starting_weights"]["checksum"].as_str().unwrap().len(),
        16
    );
    // The plan says so too.
    let output = stepwise(dir.path())
        .args(["train", "--epochs", "1", "--out", "cli", "--init-from"])
        .arg(&weights)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("init     the weights of "), "{said}");
    assert!(said.contains("(safetensors, checksum "), "{said}");
}

#[test]
fn weights_pytorch_saved_give_the_first_epoch_loss_of_the_same_weights_stepwise_saved() {
    // tests/corpus/pytorch/make.py: stepwise's export, loaded into nn.Sequential by PyTorch's
    // load_state_dict and saved again with torch.save.
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/pytorch");
    let dir = tempdir().unwrap();
    let from_stepwise = first_loss_from(
        &corpus.join("iris-4-16-3.safetensors"),
        &dir.path().join("a"),
    );
    let from_pytorch = first_loss_from(&corpus.join("iris-4-16-3.pt"), &dir.path().join("b"));
    assert_eq!(from_stepwise, from_pytorch);
    // A checkpoint nests them under "model", beside the optimizer's state: found there.
    let checkpoint = corpus.join("iris-4-16-3-checkpoint.pt");
    assert_eq!(
        first_loss_from(&checkpoint, &dir.path().join("c")),
        from_stepwise
    );
    let card = read_json(&dir.path().join("b/config.json"));
    assert_eq!(card["starting_weights"]["format"], "pytorch");
}

#[test]
fn weights_of_another_shape_or_no_weights_at_all_are_refused_with_what_differs() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/pytorch");
    let dir = tempdir().unwrap();
    for file in ["iris-4-16-3.safetensors", "iris-4-16-3.pt"] {
        let weights = corpus.join(file).display().to_string();
        let err = fails(
            dir.path(),
            &[
                "train",
                "--hidden",
                "8",
                "--init-from",
                &weights,
                "--epochs",
                "1",
            ],
        );
        assert!(err.contains("tensor '0.weight'"), "{err}");
        assert!(
            err.contains("shape [16, 4], and the network's is [8, 4]"),
            "{err}"
        );
        let err = fails(
            dir.path(),
            &[
                "train",
                "--hidden",
                "16,16",
                "--init-from",
                &weights,
                "--epochs",
                "1",
            ],
        );
        assert!(err.contains("tensor '2.weight'"), "{err}");
        assert!(
            err.contains("shape [3, 16], and the network's is [16, 16]"),
            "{err}"
        );
    }
    let err = fails(
        dir.path(),
        &["train", "--init-from", "Cargo.toml", "--epochs", "1"],
    );
    assert!(err.contains("cannot read --init-from Cargo.toml"), "{err}");
    std::fs::write(dir.path().join("notes.txt"), "not weights").unwrap();
    let err = fails(
        dir.path(),
        &["train", "--init-from", "notes.txt", "--epochs", "1"],
    );
    assert!(
        err.contains("neither a safetensors file nor a PyTorch file"),
        "{err}"
    );
}

#[test]
fn a_list_of_learning_rates_trains_one_run_each_and_draws_them_on_one_picture() {
    let dir = tempdir().unwrap();
    let output = stepwise(dir.path())
        .args([
            "train",
            "--lr",
            "0.001,0.1",
            "--epochs",
            "5",
            "--quiet",
            "--out",
            "rates",
        ])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{said}");
    assert!(
        said.contains("== run 1 of 2: --lr 0.001, into rates/lr-0.001"),
        "{said}"
    );
    assert!(
        said.contains("== run 2 of 2: --lr 0.1, into rates/lr-0.1"),
        "{said}"
    );
    assert!(said.contains("learning_rate"), "{said}");
    let config = read_json(&dir.path().join("rates/lr-0.1/config.json"));
    assert_eq!(config["training"]["learning_rate"], 0.1);
    let svg = std::fs::read_to_string(dir.path().join("rates/compare.svg")).unwrap();
    assert!(svg.contains("rates/lr-0.001") && svg.contains("rates/lr-0.1"));
    let err = stepwise(dir.path())
        .args(["train", "--lr", "0.1,fast"])
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&err.stderr)
        .contains("'fast' in --lr 0.1,fast is not a learning rate"));
}

#[test]
fn export_writes_over_nothing_but_an_earlier_export() {
    let dir = tempdir().unwrap();
    crate::train(TrainConfig::new().with_epochs(1), &dir.path().join("iris"));
    let config = std::fs::read(dir.path().join("iris/config.json")).unwrap();
    for out in ["iris/config.json", "iris/model.bpk", "iris", "iris/config"] {
        let err = fails(
            dir.path(),
            &[
                "export", "--model", "iris", "--format", "onnx", "--out", out,
            ],
        );
        assert!(
            err.contains("is there already and is not an export"),
            "{out}: {err}"
        );
    }
    assert_eq!(
        std::fs::read(dir.path().join("iris/config.json")).unwrap(),
        config
    );
    // The default file, twice: an earlier export is replaced.
    for _ in 0..2 {
        stepwise(dir.path())
            .args(["export", "--model", "iris", "--format", "safetensors"])
            .assert()
            .success()
            .stdout(predicates::str::contains("saved    iris/model.safetensors"));
    }
    let err = fails(
        dir.path(),
        &["export", "--model", "nowhere", "--format", "onnx"],
    );
    assert!(err.contains("nowhere"), "{err}");
}

#[test]
fn a_run_started_from_given_weights_resumes_without_the_file() {
    let dir = tempdir().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/pytorch");
    std::fs::copy(corpus.join("iris-4-16-3.pt"), dir.path().join("w.pt")).unwrap();
    let args = [
        "--epochs",
        "2",
        "--out",
        "run",
        "--init-from",
        "w.pt",
        "--quiet",
    ];
    stepwise(dir.path())
        .arg("train")
        .args(args)
        .assert()
        .success();
    std::fs::remove_file(dir.path().join("w.pt")).unwrap();
    // Out of epochs, it trains longer from its checkpoint; the card still says where it began.
    stepwise(dir.path())
        .args(["train", "--resume", "run", "--epochs", "3", "--quiet"])
        .assert()
        .success();
    let card = read_json(&dir.path().join("run/config.json"));
    assert_eq!(card["training"]["init_from"], "w.pt");
    assert_eq!(card["starting_weights"]["format"], "pytorch");
    let metrics = std::fs::read_to_string(dir.path().join("run/metrics.csv")).unwrap();
    assert_eq!(metrics.lines().count(), 4, "{metrics}");
}
