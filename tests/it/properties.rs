//! The properties the learning loop rests on, each checked against an independent computation:
//! the momentum rule, which loss STOP watches, how the epoch's loss is weighted, the shuffle of
//! each epoch, where the scaling statistics come from, and the validation scores it reports. (Each of these once had a planted
//! bug that every other test let through.)

use rand::seq::SliceRandom;
use stepwise::{
    ArtifactDir, Checkpoint, EpochMetrics, Keep, Kept, Learner, ModelKind, OptimizerKind,
    Prediction, Predictor, Rows, Scores, StopReason, Targets, TrainConfig, Watched, Watcher,
};
use tempfile::tempdir;

use crate::{backend, plan, train};

/// The line data in one batch, on a one-weight, one-bias model: each parameter tensor holds one
/// number, so the trace's norms are the numbers' sizes.
fn line_full_batch() -> TrainConfig {
    TrainConfig::new()
        .with_dataset("line".into())
        .with_model(ModelKind::Linear)
        .with_batch_size(200)
        .with_learning_rate(0.01.into())
}

/// For each step of a three-step trace and each parameter: (|gradient|, |moved| / lr).
fn three_steps(config: TrainConfig) -> Vec<Vec<(f64, f64)>> {
    let dir = tempdir().unwrap();
    let trace = plan(config, dir.path()).trace(3).unwrap();
    trace
        .steps
        .iter()
        .map(|step| {
            step.parameters
                .iter()
                .map(|p| (p.gradient_norm, p.moved / step.learning_rate))
                .collect()
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-4 * b.abs().max(1e-6)
}

#[test]
fn momentum_steps_by_the_textbook_rule_with_no_dampening() {
    // velocity ← μ·velocity + gradient; parameter ← parameter − lr·velocity. Far from the
    // minimum every gradient of the first steps has the same sign, so sizes add.
    let steps = three_steps(line_full_batch().with_momentum(0.9));
    for parameter in 0..2 {
        let mut velocity = 0.0;
        for step in &steps {
            let (gradient, moved) = step[parameter];
            velocity = 0.9 * velocity + gradient;
            assert!(close(moved, velocity), "moved {moved}, expected {velocity}");
        }
    }
}

#[test]
fn nesterov_steps_by_its_own_rule() {
    // velocity ← μ·velocity + gradient; parameter ← parameter − lr·(gradient + μ·velocity).
    let steps = three_steps(line_full_batch().with_momentum(0.9).with_nesterov(true));
    for parameter in 0..2 {
        let mut velocity = 0.0;
        for step in &steps {
            let (gradient, moved) = step[parameter];
            velocity = 0.9 * velocity + gradient;
            let expected = gradient + 0.9 * velocity;
            assert!(close(moved, expected), "moved {moved}, expected {expected}");
        }
    }
}

#[test]
fn without_momentum_each_step_is_the_gradient_alone() {
    for step in three_steps(line_full_batch().with_momentum(0.0)) {
        for (gradient, moved) in step {
            assert!(close(moved, gradient), "moved {moved}, gradient {gradient}");
        }
    }
}

#[test]
fn stop_watches_the_validation_loss_when_rows_are_held_out() {
    let dir = tempdir().unwrap();
    let report = train(TrainConfig::new().with_patience(Some(5)), dir.path());
    let history = &report.training.history;
    // Patience, recomputed from the validation losses alone.
    let (mut best, mut waited, mut stop_epoch) = (f64::INFINITY, 0, None);
    for metrics in history {
        let loss = metrics.valid_loss.unwrap();
        if loss < best {
            (best, waited) = (loss, 0);
        } else {
            waited += 1;
        }
        if waited >= 5 {
            stop_epoch = Some(metrics.epoch);
            break;
        }
    }
    match report.summary.stop {
        StopReason::Patience { epoch, watched, .. } => {
            assert_eq!(watched, Watched::Validation);
            assert_eq!(Some(epoch), stop_epoch);
        }
        other => panic!("iris overfits: patience should stop it, got {other:?}"),
    }
    // The training loss was still falling: watching it would not have stopped there.
    let last = history.len();
    assert!(history[last - 1].train_loss < history[last - 6].train_loss);
}

#[test]
fn the_epoch_loss_weighs_each_batch_by_its_rows() {
    // Batches of 50, 50 and 20 rows; a rate too small to move any parameter, so every batch is
    // scored by the INIT model and the epoch's loss must be that model's mean over all rows.
    let dir = tempdir().unwrap();
    let config = TrainConfig::new()
        .with_batch_size(50)
        .with_epochs(1)
        .with_learning_rate(1e-30.into())
        .with_momentum(0.0);
    let report = train(config, dir.path());
    let epoch_loss = report.training.history[0].train_loss;
    let predictor = Predictor::new(report.card, report.training.model, backend().device);
    let rows = predictor.eval_data("iris", Some(Rows::Train)).unwrap();
    assert_eq!(rows.dataset.rows(), 120);
    let mean = predictor.evaluate_data(&rows).unwrap().loss;
    assert!(
        (epoch_loss - mean).abs() < 1e-5,
        "epoch {epoch_loss}, mean {mean}"
    );
}

#[test]
fn each_epoch_draws_its_own_order_and_the_same_one_again() {
    let config = TrainConfig::new();
    let dir = tempdir().unwrap();
    let plan = plan(config.clone(), dir.path());
    let learner = Learner {
        config: &config,
        architecture: &plan.card().model,
        learning_rate: 0.01,
        device: backend().device,
        watched: Watched::Validation,
        starting: None,
    };
    let order = |epoch: usize| {
        let mut rows: Vec<usize> = (0..120).collect();
        rows.shuffle(&mut learner.shuffle(epoch));
        rows
    };
    assert_ne!(order(1), order(2));
    assert_ne!(order(2), order(3));
    // A resumed run at epoch 2 draws what the uninterrupted run drew.
    assert_eq!(order(2), order(2));
}

#[test]
fn weight_decay_adds_its_share_of_the_parameter_to_the_gradient() {
    // gradient' = gradient + decay × parameter. The first step's gradient does not depend on the
    // decay (same seed, same INIT), so with and without it the steps differ by decay × |p|.
    let dir = tempdir().unwrap();
    let decay = 0.1;
    let config = line_full_batch().with_momentum(0.0);
    let plain = plan(config.clone(), dir.path()).trace(1).unwrap();
    let decayed = plan(config.with_weight_decay(decay), dir.path())
        .trace(1)
        .unwrap();
    for (index, start) in plain.init.iter().enumerate() {
        let parameter = start.mean; // one number per tensor: its mean is its value
        let lr = plain.steps[0].learning_rate;
        let without = plain.steps[0].parameters[index].moved / lr;
        let with = decayed.steps[0].parameters[index].moved / lr;
        let expected = decay * parameter.abs();
        assert!(
            ((with - without).abs() - expected).abs() < 1e-4,
            "{}: moved {with} vs {without}, expected a difference of {expected}",
            start.name
        );
    }
}

#[test]
fn the_validation_scores_a_run_reports_are_the_model_measured_on_those_rows() {
    let dir = tempdir().unwrap();
    let config = TrainConfig::new().with_epochs(4).with_keep(Keep::Last);
    let report = train(config, dir.path());
    let last = report.training.history.last().unwrap().clone();
    let predictor = Predictor::load(&ArtifactDir::new(dir.path()), backend().device).unwrap();
    let valid = predictor.eval_data("iris", Some(Rows::Valid)).unwrap();

    // Computed here, on the host, from the saved model's probabilities.
    let dataset = &valid.dataset;
    let rows: Vec<Vec<f32>> = (0..dataset.rows())
        .map(|row| dataset.row(row).to_vec())
        .collect();
    let Targets::Classes { indices, .. } = &dataset.targets else {
        panic!("iris has classes")
    };
    let (mut loss, mut right) = (0.0, 0);
    for (answer, &actual) in predictor.predict(&rows).unwrap().iter().zip(indices) {
        let Prediction::Class { probabilities, .. } = answer else {
            panic!("{answer:?}")
        };
        loss -= (probabilities[actual] as f64).ln();
        let best = (0..probabilities.len())
            .max_by(|&a, &b| probabilities[a].total_cmp(&probabilities[b]))
            .unwrap();
        right += usize::from(best == actual);
    }
    let (loss, accuracy) = (loss / rows.len() as f64, right as f64 / rows.len() as f64);
    assert!(
        (last.valid_loss.unwrap() - loss).abs() < 1e-5,
        "{last:?} vs {loss}"
    );
    assert_eq!(last.valid_accuracy, Some(accuracy));

    // And `eval` measures them as training did.
    let evaluation = predictor.evaluate_data(&valid).unwrap();
    assert_eq!(evaluation.loss, last.valid_loss.unwrap());
    let Scores::Classification {
        accuracy: eval_accuracy,
        ..
    } = evaluation.scores
    else {
        panic!("{:?}", evaluation.scores)
    };
    assert_eq!(eval_accuracy, accuracy);
}

#[test]
fn a_closure_watcher_sees_every_epoch_and_never_interrupts() {
    let dir = tempdir().unwrap();
    let plan = plan(TrainConfig::new().with_epochs(3), dir.path());
    let mut seen = Vec::new();
    let mut watcher = |metrics: &EpochMetrics| seen.push(metrics.epoch);
    let training = plan
        .learner()
        .run(plan.train_data(), plan.valid_data(), None, &mut watcher)
        .unwrap();
    assert_eq!(seen, [1, 2, 3]);
    assert_eq!(training.history.len(), 3);
    assert!(
        matches!(training.stop, StopReason::MaxEpochs { .. }),
        "{}",
        training.stop
    );
}

#[test]
fn a_run_that_diverges_after_a_good_epoch_keeps_that_epoch_even_with_keep_last() {
    let dir = tempdir().unwrap();
    // Too big a step for digits: epoch 1 is fine, then the loss blows up.
    let config = TrainConfig::new()
        .with_dataset("digits".into())
        .with_learning_rate(0.15.into())
        .with_momentum(0.9)
        .with_keep(Keep::Last)
        .with_epochs(60);
    let report = train(config, dir.path());
    assert!(report.training.stop.diverged(), "{}", report.training.stop);
    let Some(kept @ Kept::BeforeDivergence { epoch, loss, .. }) = report.summary.kept.clone()
    else {
        panic!("{:?}", report.summary.kept)
    };
    let lowest = report
        .training
        .history
        .iter()
        .map(|metrics| metrics.valid_loss.unwrap())
        .fold(f64::INFINITY, f64::min);
    assert_eq!(loss, lowest);
    assert_eq!(report.summary.kept_metrics.unwrap().epoch, epoch);
    assert_eq!(
        kept.to_string(),
        format!("epoch {epoch}, the lowest validation loss ({loss:.4}) before the loss diverged")
    );
}

#[test]
fn checkpoints_are_taken_every_n_epochs_and_only_when_asked() {
    /// Counts the checkpoints a run hands over, by epoch; `.1`: whether it keeps more than
    /// those asked for.
    struct Counting(Vec<usize>, bool);
    impl<N> Watcher<N> for Counting {
        fn checkpoint(&mut self, checkpoint: Checkpoint) -> anyhow::Result<()> {
            self.0.push(checkpoint.position.epoch - 1);
            Ok(())
        }
        fn keeps_checkpoints(&self) -> bool {
            self.1
        }
    }
    // And, to a watcher that keeps checkpoints, one at the end of a run out of epochs, which
    // can be trained longer.
    let cases = [
        (None, true, vec![5]),
        (Some(2), true, vec![2, 4, 5]),
        (None, false, vec![]),
        (Some(2), false, vec![2, 4]),
    ];
    for (every, keeps, expected) in cases {
        let dir = tempdir().unwrap();
        let config = TrainConfig::new()
            .with_epochs(5)
            .with_checkpoint_every(every);
        let plan = plan(config, dir.path());
        let mut watcher = Counting(Vec::new(), keeps);
        plan.learner()
            .run(plan.train_data(), plan.valid_data(), None, &mut watcher)
            .unwrap();
        assert_eq!(
            watcher.0, expected,
            "--checkpoint-every {every:?}, keeps {keeps}"
        );
    }
}

/// Every parameter's numbers, in the order burn visits them.
fn values(model: &impl burn::module::Module) -> Vec<f32> {
    struct Values(Vec<f32>);
    impl burn::module::ModuleVisitor for Values {
        fn visit_float<const D: usize>(
            &mut self,
            param: &burn::module::Param<burn::tensor::Tensor<D>>,
        ) {
            self.0.extend(param.val().into_data().iter::<f32>());
        }
    }
    let mut found = Values(Vec::new());
    model.visit(&mut found);
    found.0
}

/// Every parameter's gradient, in the same order.
fn gradient_values(
    model: &impl burn::module::Module,
    gradients: &burn::optim::GradientsParams,
) -> Vec<f32> {
    struct Gradients<'a>(&'a burn::optim::GradientsParams, Vec<f32>);
    impl burn::module::ModuleVisitor for Gradients<'_> {
        fn visit_float<const D: usize>(
            &mut self,
            param: &burn::module::Param<burn::tensor::Tensor<D>>,
        ) {
            let gradient = self
                .0
                .get::<D>(param.id)
                .expect("every parameter has a gradient");
            self.1.extend(gradient.into_data().iter::<f32>());
        }
    }
    let mut found = Gradients(gradients, Vec::new());
    model.visit(&mut found);
    found.1
}

/// The first three steps of a run of `config`, each as (parameters before, their gradients,
/// parameters after), seen from inside the loop.
fn three_steps_seen(config: TrainConfig) -> Vec<(Vec<f32>, Vec<f32>, Vec<f32>)> {
    #[derive(Default)]
    struct Seen(Vec<(Vec<f32>, Vec<f32>, Vec<f32>)>);
    impl<N: stepwise::Network> Watcher<N> for Seen {
        fn gradients(&mut self, model: &N, gradients: &burn::optim::GradientsParams) {
            self.0
                .push((values(model), gradient_values(model, gradients), Vec::new()));
        }
        fn stepped(&mut self, step: &stepwise::Stepped<'_, N>) {
            self.0.last_mut().expect("gradients came first").2 = values(step.model);
        }
        fn interrupted(&self) -> bool {
            self.0.len() >= 3
        }
    }
    let dir = tempdir().unwrap();
    let plan = plan(config, dir.path());
    let mut seen = Seen::default();
    plan.learner()
        .run(plan.train_data(), plan.valid_data(), None, &mut seen)
        .unwrap();
    seen.0
}

/// Runs `rule` — (step t from 1, each parameter's index, value, gradient) → its change — over
/// three steps of `config` and compares with what burn's optimizer did.
fn steps_by(config: TrainConfig, mut rule: impl FnMut(i32, usize, f64, f64) -> f64) {
    for (t, (before, gradients, after)) in three_steps_seen(config).into_iter().enumerate() {
        for i in 0..before.len() {
            let (p, g) = (before[i] as f64, gradients[i] as f64);
            let expected = rule(t as i32 + 1, i, p, g);
            let moved = after[i] as f64 - p;
            let tolerance = 1e-4 * expected.abs() + 1e-7;
            assert!(
                (moved - expected).abs() <= tolerance,
                "step {}, parameter {i}: moved {moved}, the rule says {expected}",
                t + 1
            );
        }
    }
}

/// The iris MLP with `optimizer` at rate 0.01.
fn iris_with(optimizer: OptimizerKind) -> TrainConfig {
    TrainConfig::new()
        .with_optimizer(optimizer)
        .with_learning_rate(0.01.into())
}

/// Adam's running means of every parameter, and its textbook step.
struct Adam {
    m: Vec<f64>,
    v: Vec<f64>,
}

impl Adam {
    const LR: f64 = 0.01;

    fn new() -> Self {
        Adam {
            m: vec![0.0; 200],
            v: vec![0.0; 200],
        }
    }

    /// m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²; the step −lr·m̂ / (√v̂ + ε) at step `t`.
    fn step(&mut self, t: i32, i: usize, g: f64) -> f64 {
        let (b1, b2, eps) = (0.9, 0.999, 1e-8);
        self.m[i] = b1 * self.m[i] + (1.0 - b1) * g;
        self.v[i] = b2 * self.v[i] + (1.0 - b2) * g * g;
        let m_hat = self.m[i] / (1.0 - f64::powi(b1, t));
        let v_hat = self.v[i] / (1.0 - f64::powi(b2, t));
        -Self::LR * m_hat / (v_hat.sqrt() + eps)
    }
}

#[test]
fn adam_steps_by_its_textbook_rule() {
    let mut adam = Adam::new();
    steps_by(iris_with(OptimizerKind::Adam), |t, i, _, g| {
        adam.step(t, i, g)
    });
}

#[test]
fn adamw_decays_the_parameter_itself_and_adam_decays_the_gradient() {
    let decay = 0.1;
    let mut adam = Adam::new();
    let adamw = iris_with(OptimizerKind::Adamw).with_weight_decay(decay);
    steps_by(adamw, |t, i, p, g| {
        adam.step(t, i, g) - Adam::LR * decay * p
    });
    let mut adam = Adam::new();
    let l2 = iris_with(OptimizerKind::Adam).with_weight_decay(decay);
    steps_by(l2, |t, i, p, g| adam.step(t, i, g + decay * p));
}

#[test]
fn rmsprop_steps_by_its_textbook_rule() {
    let (lr, alpha, eps) = (0.01, 0.99, 1e-8);
    let mut v = vec![0.0; 200];
    steps_by(iris_with(OptimizerKind::Rmsprop), |_, i, _, g| {
        v[i] = alpha * v[i] + (1.0 - alpha) * g * g;
        -lr * g / (v[i].sqrt() + eps)
    });
}

#[test]
fn each_epoch_steps_with_its_scheduled_rate_and_records_it() {
    let dir = tempdir().unwrap();
    let config = TrainConfig::new()
        .with_epochs(6)
        .with_schedule(stepwise::ScheduleKind::Step)
        .with_step_size(2)
        .with_gamma(0.5);
    let report = train(config, dir.path());
    let rates: Vec<f64> = report
        .training
        .history
        .iter()
        .map(|m| m.learning_rate)
        .collect();
    assert_eq!(rates, [0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025]);
    let csv = std::fs::read_to_string(dir.path().join("metrics.csv")).unwrap();
    assert!(csv.lines().last().unwrap().ends_with(",0.0025"), "{csv}");
}
