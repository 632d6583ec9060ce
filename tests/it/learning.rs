//! The learning loop reaches known answers on known data.

use stepwise::{
    ActivationKind, ModelKind, OutputKind, Prediction, Scores, StopReason, Task, TrainConfig,
};
use tempfile::tempdir;

use crate::{plan, predictor, train, valid_accuracy};

fn xor_config() -> TrainConfig {
    TrainConfig::new()
        .with_dataset("xor".into())
        .with_hidden(vec![8])
        .with_activation(ActivationKind::Tanh)
        .with_learning_rate(0.1.into())
        .with_epochs(300)
}

fn line_config() -> TrainConfig {
    TrainConfig::new()
        .with_dataset("line".into())
        .with_model(ModelKind::Linear)
        .with_learning_rate(0.05.into())
        .with_epochs(30)
}

#[test]
fn xor_mlp_reaches_full_accuracy() {
    let dir = tempdir().unwrap();
    let predictor = predictor(train(xor_config(), dir.path()));
    let evaluation = predictor
        .evaluate(&predictor.load_dataset("xor").unwrap())
        .unwrap();
    match evaluation.scores {
        Scores::Classification { accuracy, .. } => assert_eq!(accuracy, 1.0),
        other => panic!("xor is classification, got {other:?}"),
    }
}

#[test]
fn linear_regression_recovers_slope_and_intercept() {
    let dir = tempdir().unwrap();
    let predictor = predictor(train(line_config(), dir.path()));
    let value = |x: f32| match &predictor.predict(&[vec![x]]).unwrap()[0] {
        Prediction::Value { value } => *value,
        other => panic!("line is regression, got {other:?}"),
    };
    let intercept = value(0.0);
    let slope = value(1.0) - value(0.0);
    assert!((slope - 2.0).abs() < 0.05, "slope {slope}");
    assert!((intercept - 1.0).abs() < 0.05, "intercept {intercept}");
}

#[test]
fn sine_mlp_fits_the_curve() {
    let dir = tempdir().unwrap();
    let config = TrainConfig::new()
        .with_dataset("sine".into())
        .with_hidden(vec![32, 32])
        .with_activation(ActivationKind::Tanh)
        .with_learning_rate(0.05.into())
        .with_batch_size(32)
        .with_epochs(60);
    let predictor = predictor(train(config, dir.path()));
    let evaluation = predictor
        .evaluate(&predictor.load_dataset("sine").unwrap())
        .unwrap();
    match evaluation.scores {
        Scores::Regression(scores) => assert!(scores.mse < 0.01, "sine MSE {}", scores.mse),
        other => panic!("sine is regression, got {other:?}"),
    }
}

#[test]
fn iris_reaches_ninety_percent_validation_accuracy() {
    let dir = tempdir().unwrap();
    // The defaults: an MLP on iris.
    let report = train(TrainConfig::new().with_epochs(60), dir.path());
    assert_eq!(report.summary.valid_rows, 30);
    let accuracy = valid_accuracy(&report);
    assert!(accuracy >= 0.90, "iris validation accuracy {accuracy}");
}

#[test]
fn digits_reaches_ninety_five_percent_validation_accuracy() {
    let dir = tempdir().unwrap();
    let config = TrainConfig::new()
        .with_dataset("digits".into())
        .with_hidden(vec![64])
        .with_learning_rate(0.05.into())
        .with_batch_size(32)
        .with_epochs(15);
    let report = train(config, dir.path());
    assert_eq!(report.summary.train_rows, 1437);
    let accuracy = valid_accuracy(&report);
    assert!(accuracy >= 0.95, "digits validation accuracy {accuracy}");
}

#[test]
fn target_loss_stops_early_with_that_reason() {
    let dir = tempdir().unwrap();
    let report = train(
        xor_config().with_target_loss(Some(0.05)).with_epochs(5000),
        dir.path(),
    );
    match report.summary.stop {
        StopReason::TargetLoss {
            target,
            loss,
            epoch,
            ..
        } => {
            assert_eq!(target, 0.05);
            assert!(loss <= 0.05);
            assert!(epoch < 5000);
            assert_eq!(epoch, report.summary.epochs_run);
        }
        other => panic!("expected the target loss to stop training, got {other:?}"),
    }
    assert!(report
        .summary
        .stopped
        .starts_with("the training loss reached --target-loss 0.05 at epoch"));
}

#[test]
fn patience_stops_when_the_loss_no_longer_improves() {
    let dir = tempdir().unwrap();
    // The line's loss settles at its noise level within a few epochs.
    let config = line_config()
        .with_epochs(10_000)
        .with_patience(Some(3))
        .with_min_delta(1e-3);
    let report = train(config, dir.path());
    match report.summary.stop {
        StopReason::Patience {
            patience, epoch, ..
        } => {
            assert_eq!(patience, 3);
            assert!(epoch < 200, "patience stopped only at epoch {epoch}");
        }
        other => panic!("expected patience to stop training, got {other:?}"),
    }
}

#[test]
fn a_huge_learning_rate_diverges_and_saves_no_model() {
    let dir = tempdir().unwrap();
    let config = line_config().with_learning_rate(1e4.into());
    let err = plan(config, dir.path())
        .train(|_| {})
        .expect_err("training must diverge");
    let message = format!("{err:#}");
    assert!(message.contains("diverged"), "{message}");
    assert!(message.contains("smaller --lr"), "{message}");
    assert!(!dir.path().join("model.bpk").exists());
    assert!(!dir.path().join("config.json").exists());
}

#[test]
fn the_same_seed_gives_an_identical_history() {
    let (first, second) = (tempdir().unwrap(), tempdir().unwrap());
    let config = || TrainConfig::new().with_epochs(20);
    train(config(), first.path());
    train(config(), second.path());
    let metrics = |dir: &std::path::Path| std::fs::read(dir.join("metrics.csv")).unwrap();
    assert_eq!(metrics(first.path()), metrics(second.path()));
    // The trained parameters are the same too (the files differ only in burn's random
    // parameter ids), so the loaded models answer identically.
    let load = |dir: &std::path::Path| {
        stepwise::Predictor::load(&stepwise::ArtifactDir::new(dir), crate::backend().device)
            .unwrap()
    };
    let rows = [vec![5.1, 3.5, 1.4, 0.2], vec![6.0, 2.9, 4.5, 1.5]];
    assert_eq!(
        load(first.path()).predict(&rows).unwrap(),
        load(second.path()).predict(&rows).unwrap()
    );
}

#[test]
fn the_textbook_xor_network_with_a_sigmoid_output_learns_xor() {
    // 2-8-1 tanh with a sigmoid output, mean squared error on 0/1 targets, plain SGD.
    let config = TrainConfig::new()
        .with_dataset("xor".into())
        .with_task(Some(Task::Regression))
        .with_output(Some(OutputKind::Sigmoid))
        .with_hidden(vec![8])
        .with_activation(ActivationKind::Tanh)
        .with_momentum(0.0)
        .with_learning_rate(0.5.into())
        .with_target_loss(Some(0.01))
        .with_epochs(5000);
    let dir = tempdir().unwrap();
    let report = train(config, dir.path());
    assert!(matches!(
        report.training.stop,
        StopReason::TargetLoss { .. }
    ));
    // The targets were not standardised: the outputs are the probabilities themselves.
    assert_eq!(report.card.target_scaling, None);
    let predictor = predictor(report);
    let corners = vec![vec![0., 0.], vec![0., 1.], vec![1., 0.], vec![1., 1.]];
    let values: Vec<f32> = predictor
        .predict(&corners)
        .unwrap()
        .into_iter()
        .map(|prediction| match prediction {
            Prediction::Value { value } => value,
            other => panic!("a regression value, got {other:?}"),
        })
        .collect();
    for (value, expected) in values.iter().zip([0.0, 1.0, 1.0, 0.0]) {
        assert!((value - expected).abs() < 0.25, "{values:?}");
    }
}

/// The validation accuracy of the kept epoch of a run on a 2-D teaching set.
fn plane_accuracy(set: &str, model: ModelKind) -> f64 {
    let dir = tempdir().unwrap();
    let config = TrainConfig::new()
        .with_dataset(set.into())
        .with_model(model);
    let report = train(config, dir.path());
    assert_eq!(
        (report.summary.train_rows, report.summary.valid_rows),
        (320, 80)
    );
    report.summary.kept_metrics.unwrap().valid_accuracy.unwrap()
}

#[test]
fn an_mlp_carves_circles_and_moons_and_a_line_cannot_cut_a_ring() {
    for set in ["circles", "moons"] {
        let accuracy = plane_accuracy(set, ModelKind::Mlp);
        assert!(accuracy >= 0.95, "{set}: {accuracy}");
    }
    // No straight line separates a disc from the ring around it: about half right, plus luck.
    let linear = plane_accuracy("circles", ModelKind::Linear);
    assert!(linear <= 0.75, "a linear model on circles: {linear}");
    // Three round clusters a straight line each can separate.
    let blobs = plane_accuracy("blobs", ModelKind::Linear);
    assert!(blobs >= 0.95, "a linear model on blobs: {blobs}");
}

#[test]
fn noise_spreads_the_2d_sets_and_only_them() {
    let dir = tempdir().unwrap();
    let points = |noise: Option<f64>| {
        let config = TrainConfig::new()
            .with_dataset("moons".into())
            .with_noise(noise);
        plan(config, dir.path()).card().data_fingerprint.clone()
    };
    assert_eq!(points(None), points(None), "the same seed, the same points");
    assert_eq!(points(None), points(Some(0.1)), "moons' own noise is 0.1");
    assert_ne!(points(None), points(Some(0.3)));
    for noise in [-0.1, f64::INFINITY, f64::NAN] {
        let config = TrainConfig::new()
            .with_dataset("moons".into())
            .with_noise(Some(noise));
        let error = stepwise::Plan::prepare(config, None, crate::backend()).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("--noise must be 0 or a positive number"),
            "{noise}: {error}"
        );
    }
    for set in ["iris", "xor"] {
        let config = TrainConfig::new()
            .with_dataset(set.into())
            .with_noise(Some(0.2));
        let error = stepwise::Plan::prepare(config, None, crate::backend()).unwrap_err();
        assert!(
            error.to_string().contains("--noise sets the spread"),
            "{error}"
        );
    }
}
