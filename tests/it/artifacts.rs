//! Saved models load again and answer exactly as before; broken folders are refused clearly.

use std::fs;

use stepwise::{ArtifactDir, Predictor, Rows, TrainConfig, BURN_VERSION, FORMAT_VERSION};
use tempfile::tempdir;

use crate::{backend, predictor, train};

#[test]
fn save_then_load_predicts_exactly_like_the_trained_model() {
    let dir = tempdir().unwrap();
    let in_memory = predictor(train(TrainConfig::new().with_epochs(5), dir.path()));
    let loaded = Predictor::load(&ArtifactDir::new(dir.path()), backend().device).unwrap();
    assert_eq!(loaded.card, in_memory.card);

    let iris = in_memory.load_dataset("iris").unwrap();
    let rows: Vec<Vec<f32>> = (0..iris.rows()).map(|row| iris.row(row).to_vec()).collect();
    assert_eq!(
        loaded.predict(&rows).unwrap(),
        in_memory.predict(&rows).unwrap()
    );
}

#[test]
fn the_folder_holds_the_documented_files() {
    let dir = tempdir().unwrap();
    let report = train(TrainConfig::new().with_epochs(3), dir.path());
    let artifacts = ArtifactDir::new(dir.path());
    for file in [
        artifacts.model(),
        artifacts.config(),
        artifacts.metrics(),
        artifacts.summary(),
    ] {
        assert!(file.is_file(), "{} missing", file.display());
    }
    let metrics = fs::read_to_string(artifacts.metrics()).unwrap();
    assert_eq!(
        metrics.lines().next().unwrap(),
        "epoch,train_loss,valid_loss,valid_accuracy,learning_rate"
    );
    assert_eq!(metrics.lines().count(), 1 + 3);
    assert_eq!(artifacts.load_metrics().unwrap(), report.training.history);

    let summary = artifacts.load_summary().unwrap();
    assert_eq!(summary, report.summary);
    assert_eq!(summary.epochs_run, 3);
    assert_eq!(summary.backend, backend().name);
    assert_eq!(summary.burn_version, BURN_VERSION);
    assert_eq!(summary.seed, 42);

    let config: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(artifacts.config()).unwrap()).unwrap();
    assert_eq!(config["format_version"], FORMAT_VERSION);
    assert_eq!(config["label_name"], "species");
    assert_eq!(config["class_names"][2], "virginica");
    assert_eq!(
        config["feature_scaling"]["mean"].as_array().unwrap().len(),
        4
    );
    // No temporary files are left behind by the atomic writes.
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn load_error(dir: &std::path::Path) -> String {
    let err = Predictor::load(&ArtifactDir::new(dir), backend().device).unwrap_err();
    format!("{err:#}")
}

#[test]
fn broken_model_folders_are_refused_with_a_reason() {
    let missing = tempdir().unwrap().path().join("nothing-here");
    assert!(load_error(&missing).contains("does not exist"));

    let empty = tempdir().unwrap();
    assert!(load_error(empty.path()).contains("has no model yet"));

    let dir = tempdir().unwrap();
    train(TrainConfig::new().with_epochs(1), dir.path());
    let artifacts = ArtifactDir::new(dir.path());

    let model = fs::read(artifacts.model()).unwrap();
    fs::write(artifacts.model(), &model[..model.len() / 2]).unwrap();
    assert!(load_error(dir.path()).contains("model.bpk"));

    fs::remove_file(artifacts.model()).unwrap();
    assert!(load_error(dir.path()).contains("incomplete"));

    fs::write(artifacts.model(), &model).unwrap();
    let config = fs::read_to_string(artifacts.config()).unwrap();
    // A model file whose shapes do not match the config.
    fs::write(
        artifacts.config(),
        config.replacen(
            "\"hidden\": [\n      16\n    ]",
            "\"hidden\": [\n      7\n    ]",
            1,
        ),
    )
    .unwrap();
    // (A hand edit: the card's checksum no longer matches.)
    assert!(load_error(dir.path()).contains("was edited or is damaged"));

    // Parts of the config that disagree with each other (a hand edit, a damaged file).
    fs::write(
        artifacts.config(),
        config.replacen("\"sepal_length\",", "", 1),
    )
    .unwrap();
    assert!(load_error(dir.path()).contains("was edited or is damaged"));

    fs::write(artifacts.config(), "{ not json").unwrap();
    assert!(load_error(dir.path()).contains("not a stepwise file"));

    fs::write(
        artifacts.config(),
        config.replacen(
            &format!("\"format_version\": {FORMAT_VERSION}"),
            "\"format_version\": 99",
            1,
        ),
    )
    .unwrap();
    assert!(load_error(dir.path()).contains("newer than this stepwise"));
}

#[test]
fn a_newer_config_passed_off_as_an_older_format_is_refused() {
    // Format 1 had no card checksum; a newer file that says format 1 (or 0, which none wrote)
    // and drops its checksum must not have its hand edits obeyed.
    let dir = tempdir().unwrap();
    train(TrainConfig::new().with_epochs(2), dir.path());
    let path = ArtifactDir::new(dir.path()).config();
    let saved: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    for version in [1, 0] {
        let mut config = saved.clone();
        config["format_version"] = version.into();
        config.as_object_mut().unwrap().remove("card_checksum");
        config["training"]["activation"] = "tanh".into();
        fs::write(&path, serde_json::to_string_pretty(&config).unwrap()).unwrap();
        let refused = load_error(dir.path());
        assert!(
            refused.contains("was edited or is damaged"),
            "{version}: {refused}"
        );
    }
}

#[test]
fn a_model_saved_in_format_1_still_loads_and_predicts() {
    let dir = tempdir().unwrap();
    train(TrainConfig::new().with_epochs(2), dir.path());
    let path = ArtifactDir::new(dir.path()).config();
    let mut config: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    // What stepwise wrote before column control, --keep, pictures and the card checksum.
    config["format_version"] = 1.into();
    let object = config.as_object_mut().unwrap();
    for field in ["card_checksum", "encoding", "data_fingerprint", "image"] {
        object.remove(field);
    }
    let training = config["training"].as_object_mut().unwrap();
    let since = [
        "features",
        "ignore",
        "missing",
        "keep",
        "noise",
        "channels",
        "grayscale",
        "optimizer",
        "beta1",
        "beta2",
        "alpha",
        "epsilon",
        "schedule",
        "step_size",
        "gamma",
        "min_lr",
        "warmup",
    ];
    for field in since.into_iter().chain(["image_size", "init_from"]) {
        training.remove(field);
    }
    // Its checksums were FNV-1a (xxHash64 since format 4).
    let record = fs::read(ArtifactDir::new(dir.path()).model()).unwrap();
    config["model_checksum"] = format!("{:016x}", fnv1a(&record)).into();
    fs::write(&path, serde_json::to_string_pretty(&config).unwrap()).unwrap();
    let predictor = Predictor::load(&ArtifactDir::new(dir.path()), backend().device).unwrap();
    assert_eq!(predictor.card.training.keep, stepwise::Keep::Last);
    let answer = predictor.predict(&[vec![5.1, 3.5, 1.4, 0.2]]).unwrap();
    assert_eq!(answer.len(), 1);
}

/// FNV-1a, 64 bits: the checksum of the files stepwise saved before format 4.
fn fnv1a(bytes: &[u8]) -> u64 {
    let step = |hash: u64, &byte: &u8| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, step)
}

#[test]
fn models_saved_before_the_one_mlp_load_and_answer_as_they_did() {
    // Saved by the stepwise of format 2, whose records name the parameters under an enum
    // variant (`Linear.linear.weight`, `Mlp.hidden.0.weight`); the answers are what it printed.
    let answers = [
        (
            "iris_linear",
            [0.9816435, 0.018291524, 0.00006490668],
            [0.0005045689, 0.11472387, 0.8847716],
        ),
        (
            "iris_mlp",
            [0.99685067, 0.003137072, 0.000012203253],
            [0.00022891871, 0.018105637, 0.98166543],
        ),
    ];
    for (name, setosa, virginica) in answers {
        let dir = tempdir().unwrap();
        let saved = std::path::Path::new("tests/corpus/format2").join(name);
        for file in ["config.json", "model.bpk"] {
            fs::copy(saved.join(file), dir.path().join(file)).unwrap();
        }
        let predictor = Predictor::load(&ArtifactDir::new(dir.path()), backend().device).unwrap();
        let rows = [vec![5.1, 3.5, 1.4, 0.2], vec![6.7, 3.0, 5.2, 2.3]];
        let answers = predictor.predict(&rows).unwrap();
        let probabilities: Vec<Vec<f32>> = answers
            .into_iter()
            .map(|answer| match answer {
                stepwise::Prediction::Class { probabilities, .. } => probabilities,
                other => panic!("{other:?} is not a class"),
            })
            .collect();
        assert_eq!(
            probabilities,
            [setosa.to_vec(), virginica.to_vec()],
            "{name}"
        );
    }
}

#[test]
fn eval_knows_the_data_of_a_model_whose_card_holds_the_old_bytewise_fingerprint() {
    // The format-2 cards hold iris's fingerprint as stepwise took it before 2026-11-30, one byte
    // at a time; eval still recognises the data and scores the 30 rows held out from training.
    let dir = tempdir().unwrap();
    let saved = std::path::Path::new("tests/corpus/format2/iris_mlp");
    for file in ["config.json", "model.bpk"] {
        fs::copy(saved.join(file), dir.path().join(file)).unwrap();
    }
    let predictor = Predictor::load(&ArtifactDir::new(dir.path()), backend().device).unwrap();
    let data = predictor.eval_data("iris", None).unwrap();
    assert_eq!((data.rows, data.dataset.rows()), (Rows::Valid, 30));
    // The same 30 rows as it held out: the loss `eval` printed for this model before the split
    // handed its rows over in the file's order (2026-11-30) was 0.1288.
    let evaluation = predictor.evaluate_data(&data).unwrap();
    assert!((evaluation.loss - 0.1288).abs() < 1e-4, "{evaluation:?}");
}

#[test]
fn the_burn_version_recorded_in_summaries_is_the_one_cargo_lock_pins() {
    let lock: toml_lock::Lock = toml_lock::read(include_str!("../../Cargo.lock"));
    assert_eq!(lock.version_of("burn"), Some(BURN_VERSION));
}

/// Just enough of `Cargo.lock` to find a package's version.
mod toml_lock {
    pub struct Lock(Vec<(String, String)>);

    /// The `name = "…"` and `version = "…"` pairs of every `[[package]]`.
    pub fn read(text: &str) -> Lock {
        let packages = text.split("[[package]]").skip(1).filter_map(|package| {
            let field = |key: &str| {
                package.lines().find_map(|line| {
                    let value = line.strip_prefix(key)?.trim().strip_prefix('=')?.trim();
                    Some(value.trim_matches('"').to_string())
                })
            };
            Some((field("name")?, field("version")?))
        });
        Lock(packages.collect())
    }

    impl Lock {
        pub fn version_of(&self, name: &str) -> Option<&str> {
            let found = self.0.iter().find(|(package, _)| package == name);
            found.map(|(_, version)| version.as_str())
        }
    }
}

#[test]
fn a_parameter_changed_on_disk_is_refused_by_its_checksum() {
    let dir = tempdir().unwrap();
    train(TrainConfig::new().with_epochs(2), dir.path());
    let artifacts = ArtifactDir::new(dir.path());
    let mut record = fs::read(artifacts.model()).unwrap();
    // The last bytes are the last parameter's value: a valid record still, with another number.
    let last = record.len() - 1;
    record[last] ^= 0x01;
    fs::write(artifacts.model(), &record).unwrap();
    let error = Predictor::load(&artifacts, backend().device).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("model.bpk is damaged (its checksum does not match"),
        "{error}"
    );
}

#[test]
fn rows_of_the_wrong_width_are_refused_by_name() {
    let dir = tempdir().unwrap();
    let predictor = predictor(train(TrainConfig::new().with_epochs(1), dir.path()));
    let error = predictor.predict(&[vec![5.1, 3.5, 1.4]]).unwrap_err();
    assert!(
        error.to_string().contains("the model takes 4 inputs (sepal_length, sepal_width, petal_length, petal_width), got 3"),
        "{error}"
    );
}

/// A copy of the folder `tests/corpus/format3/iris_mlp`: iris trained for 10 epochs by the
/// stepwise of 2026-12-06, whose checksums were FNV-1a, with the checkpoint its run kept.
fn format_3_folder() -> tempfile::TempDir {
    let dir = tempdir().unwrap();
    let saved = std::path::Path::new("tests/corpus/format3/iris_mlp");
    fs::create_dir(dir.path().join("checkpoint")).unwrap();
    for file in [
        "config.json",
        "model.bpk",
        "metrics.csv",
        "summary.json",
        "checkpoint/state.json",
        "checkpoint/model.bpk",
        "checkpoint/optimizer.bpk",
        "checkpoint/lowest.bpk",
    ] {
        fs::copy(saved.join(file), dir.path().join(file)).unwrap();
    }
    dir
}

#[test]
fn a_folder_saved_in_format_3_predicts_as_it_did_and_is_checked_by_its_own_checksums() {
    let dir = format_3_folder();
    let predictor = Predictor::load(&ArtifactDir::new(dir.path()), backend().device).unwrap();
    let rows = [vec![5.1, 3.5, 1.4, 0.2], vec![6.7, 3.0, 5.2, 2.3]];
    let probabilities: Vec<Vec<f32>> = (predictor.predict(&rows).unwrap().into_iter())
        .map(|answer| match answer {
            stepwise::Prediction::Class { probabilities, .. } => probabilities,
            other => panic!("{other:?} is not a class"),
        })
        .collect();
    // What `stepwise predict --json` printed for this folder when it was saved.
    let printed = [
        [0.988_569_26, 0.008_046_264, 0.003_384_569_4],
        [0.008_391_047, 0.136_809_87, 0.854_799_03],
    ];
    assert_eq!(probabilities, printed.map(|row| row.to_vec()));
    // Its data's fingerprint (FNV-1a) is still known: eval scores the 30 rows it held out, with
    // the loss `eval` printed then.
    let data = predictor.eval_data("iris", None).unwrap();
    assert_eq!((data.rows, data.dataset.rows()), (Rows::Valid, 30));
    let loss = predictor.evaluate_data(&data).unwrap().loss;
    assert!((loss - 0.2623).abs() < 1e-4, "{loss}");

    // Damaged, it is refused: its FNV-1a checksum is checked, not skipped.
    let mut record = fs::read(dir.path().join("model.bpk")).unwrap();
    let last = record.len() - 1;
    record[last] ^= 1;
    fs::write(dir.path().join("model.bpk"), record).unwrap();
    let err = Predictor::load(&ArtifactDir::new(dir.path()), backend().device).unwrap_err();
    assert!(format!("{err:#}").contains("is damaged"), "{err:#}");
}

#[test]
fn a_run_checkpointed_in_format_3_trains_longer_exactly_as_one_run_and_saves_format_4() {
    let dir = format_3_folder();
    let resumed = stepwise::Plan::resume(dir.path().to_path_buf(), backend(), Some(15)).unwrap();
    resumed.train(|_| {}).unwrap();
    let whole = tempdir().unwrap();
    train(TrainConfig::new().with_epochs(15), whole.path());
    let metrics = |dir: &std::path::Path| {
        let text = fs::read_to_string(dir.join("metrics.csv")).unwrap();
        text.lines().map(str::to_string).collect::<Vec<_>>()
    };
    let (resumed, whole) = (metrics(dir.path()), metrics(whole.path()));
    // The epochs it trains here are the whole run's, to the bit.
    assert_eq!(resumed[11..], whole[11..]);
    // Epochs 1 to 10 are the checkpoint's history, as the machine that saved it measured them:
    // the same training losses; a validation loss may differ in its last bit where that machine's
    // CPU had other vector instructions (the matrix product of 30 rows picks its kernel by them).
    for (old, new) in resumed[1..11].iter().zip(&whole[1..11]) {
        let columns =
            |line: &str| -> Vec<f64> { line.split(',').map(|v| v.parse().unwrap()).collect() };
        let (old, new) = (columns(old), columns(new));
        assert_eq!((old[0], old[1], old[3]), (new[0], new[1], new[3]));
        assert!((old[2] - new[2]).abs() < 1e-6, "{old:?} {new:?}");
    }
    let config: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("config.json")).unwrap()).unwrap();
    assert_eq!(config["format_version"], FORMAT_VERSION);
    // Saved again in today's format, it loads with today's checksums.
    Predictor::load(&ArtifactDir::new(dir.path()), backend().device).unwrap();
}
