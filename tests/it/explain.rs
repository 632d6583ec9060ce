//! The tools that show the learning: lr-find, the phase trace, gradcheck, the derivative demo,
//! and the plots.

use std::fs;

use stepwise::{
    ActivationKind, ArtifactDir, LearningRate, ModelKind, OutputKind, Task, TrainConfig,
};
use tempfile::tempdir;

use crate::{backend, plan, train, valid_accuracy};

fn digits_config() -> TrainConfig {
    TrainConfig::new()
        .with_dataset("digits".into())
        .with_hidden(vec![64])
        .with_batch_size(32)
        .with_epochs(15)
}

#[test]
fn lr_find_suggests_a_sane_rate_that_trains_iris_and_digits() {
    for (config, bar) in [
        (TrainConfig::new().with_epochs(60), 0.90),
        (digits_config(), 0.95),
    ] {
        let dir = tempdir().unwrap();
        let plan = plan(config.with_learning_rate(LearningRate::Auto), dir.path());
        let finding = plan
            .lr_finding()
            .cloned()
            .expect("--lr auto runs the range test");
        assert!(
            (1e-4..=1.0).contains(&finding.suggestion),
            "{}: suggestion {}",
            plan.config().dataset,
            finding.suggestion
        );
        assert!(finding.steepest <= finding.minimum);
        assert_eq!(plan.learning_rate(), finding.suggestion);
        assert!(finding.points.len() > 20 && finding.points.len() <= 100);

        let report = plan.train(|_| {}).unwrap();
        let accuracy = valid_accuracy(&report);
        assert!(
            accuracy >= bar,
            "lr auto on {}: accuracy {accuracy}",
            report.card.training.dataset
        );
        // The saved config records the rate used, and the range test is drawn beside the model.
        assert_eq!(
            report.card.training.learning_rate,
            LearningRate::Fixed(finding.suggestion)
        );
        let drawn = svg(&ArtifactDir::new(dir.path()).lr_find_plot());
        for text in ["suggestion", "steepest descent", "minimum"] {
            assert!(drawn.contains(text), "{text} missing from lr_find.svg");
        }
        // `stepwise plot` draws it again from lr_find.json.
        let artifacts = ArtifactDir::new(dir.path());
        fs::remove_file(artifacts.lr_find_plot()).unwrap();
        assert_eq!(
            artifacts.redraw_lr_find().unwrap(),
            Some(artifacts.lr_find_plot())
        );
        assert_eq!(svg(&artifacts.lr_find_plot()), drawn);
    }
}

#[test]
fn the_trace_shows_what_the_optimizer_keeps_for_the_next_step() {
    // After the first step: SGD's velocity is the first gradient (no dampening); Adam's first
    // moment is (1 − β1) × the gradient and its second (1 − β2) × the gradient squared.
    let dir = tempdir().unwrap();
    let state = |config: TrainConfig| {
        let trace = plan(config, dir.path()).trace(1).unwrap();
        trace.steps[0].parameters.clone()
    };
    for parameter in state(TrainConfig::new()) {
        assert_eq!(parameter.state.len(), 1, "{parameter:?}");
        let (what, norm) = &parameter.state[0];
        assert_eq!(what, "velocity");
        assert!(
            (norm - parameter.gradient_norm).abs() < 1e-6 * norm,
            "{parameter:?}"
        );
    }
    let adam = TrainConfig::new().with_optimizer(stepwise::OptimizerKind::Adam);
    for parameter in state(adam) {
        let names: Vec<&str> = parameter
            .state
            .iter()
            .map(|(what, _)| what.as_str())
            .collect();
        assert_eq!(names, ["moment_1", "moment_2"], "{parameter:?}");
        let first = parameter.state[0].1;
        assert!(
            (first - 0.1 * parameter.gradient_norm).abs() < 1e-6,
            "{parameter:?}"
        );
    }
    let plain = TrainConfig::new().with_momentum(0.0);
    assert!(state(plain)
        .iter()
        .all(|parameter| parameter.state.is_empty()));
}

#[test]
fn the_trace_replays_the_start_of_the_run() {
    let dir = tempdir().unwrap();
    let trace = plan(TrainConfig::new(), dir.path()).trace(2).unwrap();
    assert_eq!(trace.parameter_count, 131);
    let names: Vec<&str> = trace.init.iter().map(|layer| layer.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "hidden.0.weight",
            "hidden.0.bias",
            "output.weight",
            "output.bias"
        ]
    );
    assert_eq!(trace.steps.len(), 2);
    for step in &trace.steps {
        assert_eq!(step.batch_rows, 16);
        assert_eq!(step.predictions.len(), 3);
        for shown in &step.predictions {
            let total: f32 = shown.prediction.iter().sum();
            assert!((total - 1.0).abs() < 1e-5, "probabilities sum to 1");
        }
        assert!(step.loss > 0.0 && step.loss.is_finite());
        for parameter in &step.parameters {
            assert!(parameter.gradient_norm > 0.0, "{parameter:?}");
            assert!((parameter.sgd_step - 0.01 * parameter.gradient_norm).abs() < 1e-12);
        }
    }
    // The first step has no momentum yet: the parameters move exactly lr × gradient.
    for parameter in &trace.steps[0].parameters {
        let relative = (parameter.moved - parameter.sgd_step).abs() / parameter.sgd_step;
        assert!(relative < 1e-3, "{parameter:?}");
    }
    // The traced loss is the run's own first step: training from the same seed starts there.
    let first = train(
        TrainConfig::new().with_epochs(1).with_batch_size(120),
        dir.path(),
    );
    let full_batch_trace = plan(TrainConfig::new().with_batch_size(120), dir.path())
        .trace(1)
        .unwrap();
    assert!(
        (first.training.history[0].train_loss - full_batch_trace.steps[0].loss).abs() < 1e-6,
        "one full-batch epoch's loss is the traced first step's loss"
    );
}

#[test]
fn gradcheck_agrees_with_autodiff_for_every_model() {
    let dir = tempdir().unwrap();
    let mut configs = vec![TrainConfig::new().with_model(ModelKind::Linear)];
    for activation in [
        ActivationKind::Relu,
        ActivationKind::Tanh,
        ActivationKind::Sigmoid,
    ] {
        configs.push(
            TrainConfig::new()
                .with_hidden(vec![8])
                .with_activation(activation),
        );
    }
    configs.push(
        TrainConfig::new()
            .with_dataset("sine".into())
            .with_hidden(vec![8])
            .with_activation(ActivationKind::Tanh),
    );
    // The textbook xor network: its output layer and sigmoid are one operation too.
    configs.push(
        TrainConfig::new()
            .with_dataset("xor".into())
            .with_task(Some(Task::Regression))
            .with_output(Some(OutputKind::Sigmoid))
            .with_hidden(vec![8])
            .with_activation(ActivationKind::Tanh),
    );
    // The CNN: a max-pool's ties are kinks, as a ReLU's corners are (seeds 1 and 7 had ties
    // the check called disagreements).
    for seed in [1, 7] {
        configs.push(
            TrainConfig::new()
                .with_dataset("shapes".into())
                .with_model(ModelKind::Cnn)
                .with_seed(seed),
        );
    }
    for config in configs {
        let description = format!(
            "{:?} {:?} on {} seed {}",
            config.model, config.activation, config.dataset, config.seed
        );
        let smooth = config.activation != ActivationKind::Relu;
        let checks = plan(config, dir.path()).gradient_check(8).unwrap();
        assert!(!checks.is_empty());
        for check in &checks {
            assert_eq!(
                check.beyond_bound, 0,
                "{description}: {} relative error {}",
                check.name, check.relative_error
            );
        }
        // A smooth network has no corners: what rounding makes look like one (the slopes over
        // a quarter of [−ε, ε] moving by more than three units in the last place of the loss)
        // leaves most of its entries checked.
        let kinks: usize = checks.iter().map(|check| check.at_kinks).sum();
        let count: usize = checks.iter().map(|check| check.count).sum();
        if smooth {
            assert!(
                kinks * 4 <= count,
                "{description}: {kinks} of {count} at kinks"
            );
        }
    }
}

/// The text of an SVG file, checked to be a well-formed SVG document.
fn svg(path: &std::path::Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let document = roxmltree::Document::parse(&text).expect("valid XML");
    assert_eq!(document.root_element().tag_name().name(), "svg");
    text
}

/// The number of points of each polyline with more than two (the legend's samples have two).
fn curves(svg: &str) -> Vec<usize> {
    let document = roxmltree::Document::parse(svg).unwrap();
    document
        .descendants()
        .filter(|node| node.has_tag_name("polyline"))
        .filter_map(|node| node.attribute("points"))
        .map(|points| points.split_whitespace().count())
        .filter(|&count| count > 2)
        .collect()
}

#[test]
fn loss_plots_have_one_point_per_epoch_and_redraw_from_metrics() {
    let dir = tempdir().unwrap();
    train(TrainConfig::new().with_epochs(12), dir.path());
    let artifacts = ArtifactDir::new(dir.path());
    let drawn = svg(&artifacts.loss_plot());
    // train loss, valid loss, valid accuracy: twelve epochs each.
    assert_eq!(curves(&drawn), [12, 12, 12]);
    // The loss named, and the kept epoch marked.
    let kept = train_report_kept(dir.path());
    for text in [
        "loss (cross-entropy)",
        &format!("kept: epoch {kept}"),
        "stopped after epoch 12: max epochs",
    ] {
        assert!(drawn.contains(text), "{text} missing");
    }

    fs::remove_file(artifacts.loss_plot()).unwrap();
    artifacts
        .save_loss_plot(&artifacts.load_metrics().unwrap())
        .unwrap();
    assert_eq!(svg(&artifacts.loss_plot()), drawn);
    // A config that no longer reads still lets the curves be drawn, the loss named vaguely.
    fs::write(artifacts.config(), "{").unwrap();
    artifacts
        .save_loss_plot(&artifacts.load_metrics().unwrap())
        .unwrap();
    let redrawn = svg(&artifacts.loss_plot());
    assert!(redrawn.contains("loss (as trained)"));
    assert_eq!(curves(&redrawn), [12, 12, 12]);

    // Regression without a split: one curve, no accuracy panel.
    let line = tempdir().unwrap();
    train(
        TrainConfig::new()
            .with_dataset("line".into())
            .with_model(ModelKind::Linear)
            .with_learning_rate(0.05.into())
            .with_epochs(7),
        line.path(),
    );
    let drawn = svg(&ArtifactDir::new(line.path()).loss_plot());
    assert_eq!(curves(&drawn), [7]);
    assert!(drawn.contains("loss (MSE of the standardised target)"));

    // A target loss is drawn as a line.
    let target = tempdir().unwrap();
    train(
        TrainConfig::new()
            .with_epochs(3)
            .with_target_loss(Some(0.05)),
        target.path(),
    );
    assert!(svg(&ArtifactDir::new(target.path()).loss_plot()).contains("target loss 0.05"));
}

/// The kept epoch a folder's summary names.
fn train_report_kept(dir: &std::path::Path) -> usize {
    let summary = ArtifactDir::new(dir).load_summary().unwrap();
    summary.kept.unwrap().epoch()
}

#[test]
fn fit_svg_shows_the_random_start_bending_onto_sine() {
    let dir = tempdir().unwrap();
    let report = train(TrainConfig::new().with_dataset("sine".into()), dir.path());
    let fit = report.picture.as_ref().expect("one input: a fit").curves();
    let epochs: Vec<usize> = fit.iter().map(|curve| curve.epoch).collect();
    let kept = report.summary.kept.as_ref().unwrap().epoch();
    assert_eq!(epochs.first(), Some(&0), "INIT first: {epochs:?}");
    assert_eq!(
        epochs.last(),
        Some(&kept),
        "the kept epoch last: {epochs:?}"
    );
    assert_eq!(epochs.len(), 4, "INIT, early, midway, kept: {epochs:?}");
    // How far each curve is from sin x, on average over the input's range.
    let error = |points: &[(f64, f64)]| {
        points.iter().map(|(x, y)| (y - x.sin()).abs()).sum::<f64>() / points.len() as f64
    };
    let (start, end) = (error(&fit[0].points), error(&fit[3].points));
    assert!(end < 0.1 && start > 5.0 * end, "INIT {start}, kept {end}");
    let (first, last) = (fit[3].points[0].0, fit[3].points[119].0);
    assert!(
        first < -3.0 && last > 3.0,
        "across [-pi, pi]: {first}..{last}"
    );

    let drawn = svg(&ArtifactDir::new(dir.path()).fit_plot());
    for text in [
        "INIT (random parameters)",
        "(kept)",
        "true function",
        "train rows",
    ] {
        assert!(drawn.contains(text), "{text} missing");
    }
    // `stepwise plot` draws it again from fit.json.
    let artifacts = ArtifactDir::new(dir.path());
    fs::remove_file(artifacts.fit_plot()).unwrap();
    assert_eq!(
        artifacts.redraw_picture().unwrap(),
        Some(artifacts.fit_plot())
    );
    assert_eq!(svg(&artifacts.fit_plot()), drawn);
    // Four curves of 120 points and the true function of 200; a dot per training row.
    let mut lines = curves(&drawn);
    lines.sort();
    assert_eq!(lines, [120, 120, 120, 120, 200]);
    let dots = roxmltree::Document::parse(&drawn)
        .unwrap()
        .descendants()
        .filter(|node| node.has_tag_name("circle"))
        .count();
    assert!(dots >= 1000, "{dots} dots");
}

#[test]
fn a_linear_model_on_one_input_says_the_line_it_learned_and_classes_get_no_fit() {
    let dir = tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(["train", "--dataset", "line", "--model", "linear", "--quiet"])
        .args(["--out", "line"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("learned  y = "))
        .unwrap_or_else(|| panic!("no learned line in {stdout}"));
    let numbers: Vec<f64> = line
        .split_whitespace()
        .filter_map(|word| word.parse().ok())
        .collect();
    let [slope, intercept] = numbers[..] else {
        panic!("{line}")
    };
    assert!(
        (slope - 2.0).abs() < 0.05 && (intercept - 1.0).abs() < 0.05,
        "{line}"
    );
    assert!(dir.path().join("line/fit.svg").is_file());

    let iris = dir.path().join("iris");
    train(TrainConfig::new().with_epochs(2), &iris);
    assert!(!ArtifactDir::new(&iris).fit_plot().exists());
}

#[test]
fn boundary_svg_shows_the_regions_a_classifier_carves_in_the_plane() {
    let dir = tempdir().unwrap();
    let report = train(
        TrainConfig::new().with_dataset("circles".into()),
        dir.path(),
    );
    let picture = report.picture.as_ref();
    let regions = picture
        .and_then(|picture| picture.regions())
        .expect("two inputs, classes: regions");
    let epochs: Vec<usize> = regions.maps.iter().map(|map| map.epoch).collect();
    assert_eq!(epochs.len(), 4, "INIT, early, midway, kept: {epochs:?}");
    assert_eq!(epochs[0], 0);
    // The plane covers the data: circles lie within the unit disc, plus noise.
    assert!(
        regions.x1.0 < -1.0 && regions.x1.1 > 1.0,
        "{:?}",
        regions.x1
    );
    // Read the kept map like a lookup table: the disc's centre is class 0, the ring class 1.
    let kept = regions.maps.last().unwrap();
    let cells = (kept.cells.len() as f64).sqrt() as usize; // a square grid
    let class_at = |x1: f64, x2: f64| {
        let column = ((x1 - regions.x1.0) / (regions.x1.1 - regions.x1.0) * cells as f64) as usize;
        let row = ((x2 - regions.x2.0) / (regions.x2.1 - regions.x2.0) * cells as f64) as usize;
        kept.cells[row * cells + column].0
    };
    assert_eq!(class_at(0.0, 0.0), 0, "the centre is the disc");
    for (x1, x2) in [(0.85, 0.0), (-0.85, 0.0), (0.0, 0.85), (0.0, -0.85)] {
        assert_eq!(class_at(x1, x2), 1, "({x1}, {x2}) is on the ring");
    }

    let artifacts = ArtifactDir::new(dir.path());
    let drawn = svg(&artifacts.boundary_plot());
    fs::remove_file(artifacts.boundary_plot()).unwrap();
    assert_eq!(
        artifacts.redraw_picture().unwrap(),
        Some(artifacts.boundary_plot())
    );
    assert_eq!(svg(&artifacts.boundary_plot()), drawn);
    for text in ["INIT (random parameters)", "(kept)", "0: blue, 1: orange"] {
        assert!(drawn.contains(text), "{text} missing");
    }
    let document = roxmltree::Document::parse(&drawn).unwrap();
    let count = |tag: &str| {
        document
            .descendants()
            .filter(|node| node.has_tag_name(tag))
            .count()
    };
    assert!(count("circle") >= 4 * 400, "a dot per row in each panel");
    assert!(count("rect") > 4 * cells, "the regions");

    let iris = dir.path().join("iris");
    let report = train(TrainConfig::new().with_epochs(2), &iris);
    assert!(report.picture.is_none(), "four inputs: no plane to draw");
    assert!(!ArtifactDir::new(&iris).boundary_plot().exists());
}

#[test]
fn approximate_from_the_command_line_draws_every_width() {
    let dir = tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args([
            "approximate",
            "--epochs",
            "5",
            "--widths",
            "1,8",
            "--out",
            "a",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("approximate  sine with one hidden layer of 1, 8 neurons (tanh"));
    let drawn = svg(&dir.path().join("a/approximate.svg"));
    assert!(drawn.contains("1 hidden: loss") && drawn.contains("8 hidden: loss"));
    assert_eq!(curves(&drawn).len(), 3, "two widths and the true function");
}

#[test]
fn plot_features_draws_two_inputs_of_many_with_the_others_at_their_mean() {
    let dir = tempdir().unwrap();
    let stepwise = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_stepwise"))
            .args(["train", "--quiet", "--epochs", "3"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let output = stepwise(&[
        "--plot-features",
        "petal_length,petal_width",
        "--out",
        "iris",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let drawn = svg(&dir.path().join("iris/boundary.svg"));
    for text in [
        "petal_length",
        "petal_width",
        "the other inputs at their training mean",
    ] {
        assert!(drawn.contains(text), "{text} missing");
    }
    for (args, error) in [
        (&["--plot-features", "petal_length"][..], "takes two inputs"),
        (
            &["--plot-features", "petal,sepal_width"],
            "no input named 'petal'; the inputs are",
        ),
        (
            &["--plot-features", "x,x", "--dataset", "sine"],
            "draws the regions of classes",
        ),
    ] {
        let output = stepwise(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(error), "{stderr}");
    }
}

#[test]
fn every_picture_renders_in_rsvg_convert() {
    if std::process::Command::new("rsvg-convert")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!(
            "rsvg-convert is not installed (Debian: librsvg2-bin); the pictures are not rendered"
        );
        return;
    }
    let dir = tempdir().unwrap();
    let quick = |dataset: &str| {
        TrainConfig::new()
            .with_dataset(dataset.into())
            .with_epochs(3)
    };
    train(quick("sine"), &dir.path().join("sine"));
    train(quick("moons"), &dir.path().join("moons"));
    let lr = dir.path().join("lr");
    let plan = plan(quick("iris"), &lr);
    ArtifactDir::new(&lr)
        .save_lr_find(&plan.find_learning_rate().unwrap())
        .unwrap();
    for picture in [
        "sine/loss.svg",
        "sine/fit.svg",
        "moons/boundary.svg",
        "lr/lr_find.svg",
    ] {
        let png = dir.path().join("picture.png");
        let output = std::process::Command::new("rsvg-convert")
            .arg(dir.path().join(picture))
            .arg("-o")
            .arg(&png)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{picture}: {stderr}");
        let size = fs::metadata(&png).unwrap().len();
        assert!(
            size > 10_000,
            "{picture} drew next to nothing ({size} bytes)"
        );
    }
}

#[test]
fn a_resumed_run_draws_no_init_curve_it_did_not_see() {
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;
    // Interrupted after its first STEP: the network on resuming is no longer the random one.
    let dir = tempdir().unwrap();
    let config = TrainConfig::new()
        .with_dataset("sine".into())
        .with_epochs(5);
    let mut interrupted = plan(config, dir.path());
    interrupted.interrupt_on(Arc::new(AtomicBool::new(true)));
    interrupted.train(|_| {}).unwrap();
    let report = stepwise::Plan::resume(dir.path().to_path_buf(), backend(), None)
        .unwrap()
        .train(|_| {})
        .unwrap();
    let fit = report.picture.as_ref().expect("one input: a fit").curves();
    let epochs: Vec<usize> = fit.iter().map(|curve| curve.epoch).collect();
    assert!(!epochs.is_empty() && !epochs.contains(&0), "{epochs:?}");
}

#[test]
fn compare_draws_runs_on_one_picture_and_tables_the_settings_that_differ() {
    let dir = tempdir().unwrap();
    for (out, lr) in [("slow", "0.001"), ("fast", "0.1")] {
        let args = ["--epochs", "4", "--lr", lr, "--out", out, "--quiet"];
        crate::train_cli(dir.path(), &args);
    }
    let output = crate::cli::stepwise(dir.path())
        .args(["compare", "slow", "fast", "--out", "both.svg"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let said = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = said.lines().collect();
    // The only setting that differs is the learning rate; each run's kept epoch is named.
    assert_eq!(lines[0], "run  kept  learning_rate");
    assert!(
        lines[1].starts_with("slow  epoch ") && lines[1].ends_with("  0.001"),
        "{said}"
    );
    assert!(
        lines[2].starts_with("fast  epoch ") && lines[2].ends_with("  0.1"),
        "{said}"
    );
    let svg = fs::read_to_string(dir.path().join("both.svg")).unwrap();
    let document = roxmltree::Document::parse(&svg).unwrap();
    let texts: Vec<&str> = document
        .descendants()
        .filter_map(|n| n.text())
        .map(str::trim)
        .collect();
    assert!(
        texts.contains(&"slow") && texts.contains(&"fast"),
        "{texts:?}"
    );
    // One run, or a folder with no run, is refused with what to do.
    let one = crate::cli::stepwise(dir.path())
        .args(["compare", "slow"])
        .output()
        .unwrap();
    assert_eq!(one.status.code(), Some(2), "clap's usage error");
    assert!(String::from_utf8_lossy(&one.stderr).contains("<DIR> <DIR>..."));
    let err = crate::cli::fails(dir.path(), &["compare", "slow", "nothing"]);
    assert!(err.contains("nothing"), "{err}");
}
