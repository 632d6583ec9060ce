//! The data path's own tests: loading, preparing, hostile CSV input, the generated sets.

use std::fs;
use std::path::PathBuf;

use tempfile::TempDir;

use super::frame::Frame;
use super::{load, ColumnSpec, LabelSpec, Source};

mod fuzz;
mod generated;
mod images;
mod loading;
mod plain_rows;
mod preparing;

/// `text` written as `data.csv` in `dir`.
fn csv_file(dir: &TempDir, text: &str) -> PathBuf {
    let path = dir.path().join("data.csv");
    fs::write(&path, text).unwrap();
    path
}

/// `text` loaded as a CSV file with the label `spec`.
fn load_csv(text: &str, spec: &LabelSpec) -> anyhow::Result<Frame> {
    let dir = tempfile::tempdir().unwrap();
    load(
        &Source::Csv(csv_file(&dir, text)),
        spec,
        &ColumnSpec::default(),
        0,
    )
}

/// The error loading `text` gives, with its causes.
fn error(text: &str, spec: &LabelSpec) -> String {
    format!("{:#}", load_csv(text, spec).unwrap_err())
}
