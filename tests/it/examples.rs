//! The programs in `examples/` run and do what they say (`cargo test` builds them).

use std::path::PathBuf;
use std::process::Command;

use stepwise::{ArtifactDir, Predictor};
use tempfile::tempdir;

use crate::backend;

/// An example's program, built beside this test binary (`target/<profile>/examples/`).
fn example(name: &str) -> PathBuf {
    let test_binary = std::env::current_exe().unwrap();
    let profile_dir = test_binary.parent().unwrap().parent().unwrap();
    let program = profile_dir.join("examples").join(name);
    assert!(
        program.is_file(),
        "{} is not built: run `cargo test` (which builds the examples), or `cargo build --examples`",
        program.display()
    );
    program
}

#[test]
fn own_network_trains_a_residual_network_saves_it_and_predicts_from_the_folder() {
    let dir = tempdir().unwrap();
    let out = dir.path().join("residual");
    let output = Command::new(example("own_network"))
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // 4-16, 16-16 and 16-3 linear layers with biases: counted from the module.
    assert!(stdout.contains("parameters 403"), "{stdout}");
    let accuracy: f64 = stdout
        .lines()
        .find_map(|line| line.strip_prefix("validation accuracy "))
        .and_then(|value| value.parse().ok())
        .expect("the example prints its validation accuracy");
    assert!(accuracy >= 0.9, "validation accuracy {accuracy}");
    assert!(stdout.contains("→ setosa"), "{stdout}");

    // The folder is a stepwise artifact folder, but of a network the CLI cannot build: loading
    // it as the built-in MLP says so instead of calling it damaged.
    let config = std::fs::read_to_string(ArtifactDir::new(&out).config()).unwrap();
    assert!(config.contains("\"width\": 16"), "{config}");
    let error = Predictor::load(&ArtifactDir::new(&out), backend().device).unwrap_err();
    assert!(
        format!("{error:#}").contains("network stepwise cannot build"),
        "{error:#}"
    );
}
