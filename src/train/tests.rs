//! A plan's data rules, checked against the data read again: the scaling comes from the
//! training rows only, and a resume refuses validation rows that changed; and the runs of
//! `approximate`, one width after another.

use std::fs;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use tempfile::tempdir;

use super::approximate::approximate;
use super::Plan;
use crate::config::{ActivationKind, TrainConfig};
use crate::data::frame::Values;
use crate::data::split::split;
use crate::data::{load, ColumnSpec, LabelSpec, Source};
use crate::device::Backend;

fn cpu() -> Backend {
    crate::device::cpu().expect("a CPU backend")
}

fn plan(config: TrainConfig, out: &Path) -> Plan {
    Plan::prepare(config, Some(out.to_path_buf()), cpu()).expect("the plan is valid")
}

#[test]
fn the_scaling_statistics_come_from_the_training_rows_only() {
    let dir = tempdir().unwrap();
    let plan = plan(TrainConfig::new().with_epochs(1), &dir.path().join("m"));
    let frame = load(
        &Source::resolve("iris").unwrap(),
        &LabelSpec::default(),
        &ColumnSpec::default(),
        42,
    )
    .unwrap();
    let rows = split(&frame.targets, 0.2, 42);
    let mean_of = |rows: &[usize], column: usize| -> f32 {
        let Values::Numbers(values) = &frame.columns[column].values else {
            panic!("iris is numbers");
        };
        (rows.iter().map(|&row| values[row] as f64).sum::<f64>() / rows.len() as f64) as f32
    };
    let all: Vec<usize> = (0..frame.rows()).collect();
    for column in 0..4 {
        let saved = plan.card.feature_scaling.mean[column];
        assert!((saved - mean_of(&rows.train, column)).abs() < 1e-5);
        assert!(
            (saved - mean_of(&all, column)).abs() > 1e-4,
            "column {column}"
        );
    }
}

#[test]
fn a_resume_on_changed_validation_rows_is_refused() {
    let dir = tempdir().unwrap();
    let csv = dir.path().join("data.csv");
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/iris.csv"),
        &csv,
    )
    .unwrap();
    let config = TrainConfig::new()
        .with_dataset(csv.to_str().unwrap().into())
        .with_epochs(5);
    let mut plan = plan(config.clone(), &dir.path().join("m"));
    let flag = Arc::new(AtomicBool::new(true)); // interrupted after the first step
    plan.interrupt_on(flag);
    plan.train(|_| {}).unwrap();
    assert!(dir.path().join("m/checkpoint").is_dir());

    // Change one validation row, leaving every training row as it was.
    let frame = load(
        &Source::Csv(csv.clone()),
        &LabelSpec::default(),
        &ColumnSpec::default(),
        42,
    )
    .unwrap();
    let valid_row = split(&frame.targets, 0.2, config.seed).valid[0];
    let mut lines: Vec<String> = fs::read_to_string(&csv)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let fields: Vec<&str> = lines[valid_row + 1].split(',').collect();
    lines[valid_row + 1] = format!("9.9,{}", fields[1..].join(","));
    fs::write(&csv, lines.join("\n") + "\n").unwrap();

    let err = Plan::resume(dir.path().join("m"), cpu(), None).unwrap_err();
    assert!(
        format!("{err:#}").contains("is not what the checkpoint"),
        "{err:#}"
    );
}

#[test]
fn wider_hidden_layers_approximate_sine_better() {
    let config = TrainConfig::new()
        .with_dataset("sine".into())
        .with_activation(ActivationKind::Tanh)
        .with_epochs(30);
    let approximation = approximate(&config, &[1, 2, 32], &crate::device::cpu().unwrap()).unwrap();
    let losses: Vec<f64> = approximation.approximants.iter().map(|a| a.loss).collect();
    assert!(
        losses[0] > 2.0 * losses[1] && losses[1] > 10.0 * losses[2],
        "widths 1, 2, 32: {losses:?}"
    );
    let parameters: Vec<usize> = approximation
        .approximants
        .iter()
        .map(|a| a.parameters)
        .collect();
    assert_eq!(parameters, [4, 7, 97]);
    let data = approximation.picture();
    let curves = &data.curves;
    assert_eq!(curves.len(), 3);
    assert!(
        curves[2].label.starts_with("32 hidden: loss"),
        "{}",
        curves[2].label
    );
    assert!(data.truth.is_some() && data.train.len() == 1000);
}
