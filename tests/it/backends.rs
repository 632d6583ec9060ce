//! Every compiled backend learns, and saved weights answer the same on every backend.
//!
//! With default features only flex is compiled and these tests check it alone; CI also runs the
//! suite with `--features ndarray,wgpu`, where wgpu runs on Mesa's llvmpipe (tiny data only: it
//! is about a hundred times slower than the CPU backends).

use std::path::Path;

use stepwise::{
    survey, ActivationKind, ArtifactDir, Backend, Plan, Prediction, Predictor, Rows, Scores,
    TrainConfig,
};
use tempfile::tempdir;

use crate::{backend, valid_accuracy};

/// Tolerance on probabilities between backends.
const AGREEMENT: f32 = 1e-4;

/// Every local backend compiled in (a remote one has its own tests, with a server: `remote`).
fn each_backend() -> Vec<Backend> {
    survey()
        .into_iter()
        .filter(|(name, _)| *name != "remote")
        .map(|(name, backend)| {
            backend.unwrap_or_else(|err| panic!("backend {name} is compiled but unusable: {err:#}"))
        })
        .collect()
}

fn train_on(backend: &Backend, config: TrainConfig, out: &Path) -> stepwise::TrainReport {
    Plan::prepare(config, Some(out.to_path_buf()), backend.clone())
        .unwrap()
        .train(|_| {})
        .unwrap()
}

fn probabilities(predictions: Vec<Prediction>) -> Vec<Vec<f32>> {
    predictions
        .into_iter()
        .map(|prediction| match prediction {
            Prediction::Class { probabilities, .. } => probabilities,
            Prediction::Value { value } => vec![value],
        })
        .collect()
}

fn max_difference(a: &[Vec<f32>], b: &[Vec<f32>]) -> f32 {
    a.iter()
        .flatten()
        .zip(b.iter().flatten())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max)
}

/// The iris validation rows of the default split.
fn iris_validation_rows(predictor: &Predictor) -> Vec<Vec<f32>> {
    let valid = predictor.eval_data("iris", Some(Rows::Valid)).unwrap();
    let rows = valid.dataset.rows();
    (0..rows)
        .map(|row| valid.dataset.row(row).to_vec())
        .collect()
}

/// The probabilities a saved model gives the iris validation rows on `backend`.
fn predict_on(backend: &Backend, dir: &Path) -> Vec<Vec<f32>> {
    let predictor = Predictor::load(&ArtifactDir::new(dir), backend.device.clone()).unwrap();
    probabilities(
        predictor
            .predict(&iris_validation_rows(&predictor))
            .unwrap(),
    )
}

#[test]
fn every_compiled_backend_learns_xor_and_iris() {
    for backend in each_backend() {
        let dir = tempdir().unwrap();
        let xor = TrainConfig::new()
            .with_dataset("xor".into())
            .with_hidden(vec![8])
            .with_activation(ActivationKind::Tanh)
            .with_epochs(300);
        let report = train_on(&backend, xor, dir.path());
        assert_eq!(report.summary.backend, backend.name);
        let predictor =
            Predictor::load(&ArtifactDir::new(dir.path()), backend.device.clone()).unwrap();
        match predictor
            .evaluate(&predictor.load_dataset("xor").unwrap())
            .unwrap()
            .scores
        {
            Scores::Classification { accuracy, .. } => {
                assert_eq!(accuracy, 1.0, "xor on {}", backend.name)
            }
            other => panic!("{other:?}"),
        }

        let report = train_on(&backend, TrainConfig::new().with_epochs(60), dir.path());
        let accuracy = valid_accuracy(&report);
        assert!(accuracy >= 0.90, "iris on {}: {accuracy}", backend.name);
        println!(
            "{}: xor 100%, iris validation accuracy {accuracy:.3}",
            backend.name
        );
    }
}

#[test]
fn saved_weights_predict_the_same_on_every_backend() {
    let backends = each_backend();
    // Trained on the CPU, loaded everywhere; and trained on each backend, loaded on the CPU.
    for trained_on in &backends {
        let dir = tempdir().unwrap();
        train_on(trained_on, TrainConfig::new().with_epochs(10), dir.path());
        let reference = predict_on(trained_on, dir.path());
        for loaded_on in &backends {
            let difference = max_difference(&reference, &predict_on(loaded_on, dir.path()));
            println!(
                "trained on {}, loaded on {}: max probability difference {difference:e}",
                trained_on.name, loaded_on.name
            );
            assert!(
                difference <= AGREEMENT,
                "trained on {}, loaded on {}: {difference}",
                trained_on.name,
                loaded_on.name
            );
        }
    }
    // The CPU backend the rest of the suite uses is among them.
    assert!(backends
        .iter()
        .any(|candidate| candidate.name == backend().name));
}

#[test]
fn a_cnn_trains_on_every_backend_and_its_weights_answer_the_same_everywhere() {
    let backends = each_backend();
    for trained_on in &backends {
        let dir = tempdir().unwrap();
        // Few steps (46): llvmpipe runs a step a hundred times slower than the CPU backends.
        let config = TrainConfig::new()
            .with_dataset("digits".into())
            .with_model(stepwise::ModelKind::Cnn)
            .with_batch_size(64)
            .with_learning_rate(0.05.into())
            .with_epochs(2);
        let report = train_on(trained_on, config, dir.path());
        // Chance is ln 10 = 2.30 for ten classes; these two epochs reach about 1.1.
        let loss = report.summary.final_metrics.unwrap().valid_loss.unwrap();
        assert!(
            loss < 1.6,
            "the CNN on {} learned too little: {loss}",
            trained_on.name
        );
        let answers = |on: &Backend| {
            let predictor =
                Predictor::load(&ArtifactDir::new(dir.path()), on.device.clone()).unwrap();
            let digits = predictor.load_dataset("digits").unwrap();
            let pictures: Vec<Vec<f32>> = (0..20).map(|row| digits.row(row).to_vec()).collect();
            probabilities(predictor.predict(&pictures).unwrap())
        };
        let reference = answers(trained_on);
        for loaded_on in &backends {
            let difference = max_difference(&reference, &answers(loaded_on));
            println!(
                "CNN trained on {}, loaded on {}: max probability difference {difference:e}",
                trained_on.name, loaded_on.name
            );
            assert!(
                difference <= AGREEMENT,
                "CNN trained on {}, loaded on {}: {difference}",
                trained_on.name,
                loaded_on.name
            );
        }
    }
}
