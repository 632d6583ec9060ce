//! Faults inflicted on purpose: Ctrl-C, `kill -9` at random moments, damaged files, work too
//! big for memory, unwritable folders. Nothing may be lost, nothing half-written, nothing panic.
//! (Hostile CSV input has its own file, `fuzz.rs`.)

use std::io::{BufRead, BufReader};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;
use std::{env, fs};

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use stepwise::{
    ArtifactDir, OptimizerKind, Plan, Prediction, Predictor, ScheduleKind, StopReason, TrainConfig,
};
use tempfile::tempdir;

use crate::cli::{fails, stepwise, without_warnings};
use crate::{backend, plan, spawn, train};

fn iris(epochs: usize) -> TrainConfig {
    TrainConfig::new()
        .with_epochs(epochs)
        .with_checkpoint_every(Some(4))
}

/// The answers of the model saved in `dir` for every row of `dataset`.
fn answers(dir: &Path, dataset: &str) -> Vec<Prediction> {
    let predictor = Predictor::load(&ArtifactDir::new(dir), backend().device).unwrap();
    let data = predictor.load_dataset(dataset).unwrap();
    let rows: Vec<Vec<f32>> = (0..data.rows()).map(|row| data.row(row).to_vec()).collect();
    predictor.predict(&rows).unwrap()
}

/// An iris run into `dir` interrupted after its first STEP: it leaves a checkpoint.
fn interrupted_after_one_step(dir: &Path) {
    let mut interrupted = plan(iris(3), dir);
    interrupted.interrupt_on(Arc::new(AtomicBool::new(true)));
    interrupted.train(|_| {}).unwrap();
}

fn same_files(a: &Path, b: &Path, name: &str) {
    assert_eq!(
        fs::read(a.join(name)).unwrap(),
        fs::read(b.join(name)).unwrap(),
        "{name} differs"
    );
}

fn copy_folder(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

#[test]
fn an_interrupted_run_resumes_to_exactly_the_uninterrupted_result() {
    resumes_exactly(iris(12));
}

#[test]
fn an_interrupted_adam_run_on_a_cosine_schedule_resumes_to_exactly_the_uninterrupted_result() {
    // Adam's state (each parameter's two running means and its step count) goes in the
    // checkpoint as SGD's momentum does; the schedule takes up at the checkpoint's epoch.
    let adam = iris(12)
        .with_optimizer(OptimizerKind::Adam)
        .with_learning_rate(0.003.into())
        .with_schedule(ScheduleKind::Cosine);
    resumes_exactly(adam);
}

/// A run of `config` interrupted one step into epoch 6 and resumed ends as the whole run did.
fn resumes_exactly(config: TrainConfig) {
    let whole = tempdir().unwrap();
    train(config.clone(), whole.path());
    assert!(
        ArtifactDir::new(whole.path()).checkpoint().exists(),
        "a run out of epochs keeps its checkpoint, to be trained longer"
    );

    // Interrupted (as by Ctrl-C) one step into epoch 6: the model and a checkpoint are saved.
    let broken = tempdir().unwrap();
    let mut interrupted = plan(config, broken.path());
    let flag = Arc::new(AtomicBool::new(false));
    interrupted.interrupt_on(Arc::clone(&flag));
    let report = interrupted
        .train(|metrics| {
            if metrics.epoch == 5 {
                flag.store(true, Ordering::Relaxed);
            }
        })
        .unwrap();
    assert_eq!(report.training.stop, StopReason::Interrupted { epoch: 6 });
    assert_eq!(report.training.history.len(), 5);
    assert_eq!(
        answers(broken.path(), "iris").len(),
        150,
        "the interrupted model predicts"
    );

    let resumed = Plan::resume(broken.path().to_path_buf(), backend(), None).unwrap();
    assert_eq!(resumed.resumes_at(), Some((6, 1)));
    let report = resumed.train(|_| {}).unwrap();
    assert!(matches!(
        report.training.stop,
        StopReason::MaxEpochs { epochs: 12, .. }
    ));
    same_files(whole.path(), broken.path(), "metrics.csv");
    assert_eq!(
        answers(whole.path(), "iris"),
        answers(broken.path(), "iris")
    );
    // Out of epochs, the resumed run keeps its checkpoint too, to be trained longer.
    assert!(ArtifactDir::new(broken.path()).checkpoint().exists());
}

#[test]
fn a_periodic_checkpoint_resumes_to_exactly_the_uninterrupted_result() {
    let whole = tempdir().unwrap();
    let crashed = tempdir().unwrap();
    // Keep the checkpoint of epoch 8 as a crash during epoch 9 would have left it.
    let checkpoint = ArtifactDir::new(whole.path()).checkpoint();
    let kept = crashed.path().join("checkpoint");
    plan(iris(12), whole.path())
        .train(|metrics| {
            if metrics.epoch == 9 {
                copy_folder(&checkpoint, &kept);
            }
        })
        .unwrap();

    let resumed = Plan::resume(crashed.path().to_path_buf(), backend(), None).unwrap();
    assert_eq!(resumed.resumes_at(), Some((9, 0)));
    resumed.train(|_| {}).unwrap();
    same_files(whole.path(), crashed.path(), "metrics.csv");
    assert_eq!(
        answers(whole.path(), "iris"),
        answers(crashed.path(), "iris")
    );
}

#[test]
fn resuming_without_a_checkpoint_or_with_other_options_is_refused() {
    let dir = tempdir().unwrap();
    let err = fails(dir.path(), &["train", "--resume", "."]);
    assert!(err.contains("has no checkpoint to resume from"), "{err}");
    // A usage error, as clap's: exit status 2.
    stepwise(dir.path())
        .args(["train", "--resume", ".", "--momentum", "0.5"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--resume continues with the configuration saved in the checkpoint, so --momentum \
             cannot change it",
        ));
    let err = fails(dir.path(), &["train", "--checkpoint-every", "0"]);
    assert!(
        err.contains("--checkpoint-every must be at least 1"),
        "{err}"
    );
}

fn signal(child: &Child, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Reads the child's stdout until a line starts with `prefix`; returns every line read.
fn read_until(lines: &mut impl Iterator<Item = String>, prefix: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let found = line.starts_with(prefix);
        seen.push(line);
        if found {
            return seen;
        }
    }
    panic!("the run ended before printing '{prefix}': {seen:?}");
}

/// A digits run that prints every epoch, into the folder `out`.
fn digits(epochs: &str, out: &str) -> Vec<String> {
    let args = "train --dataset digits --lr 0.05 --batch-size 32 --log-every 1 --epochs";
    let mut args: Vec<String> = args.split(' ').map(String::from).collect();
    args.extend([epochs.to_string(), "--out".to_string(), out.to_string()]);
    args
}

/// Starts a CLI run and waits until it has finished epoch 2: training is under way.
fn start(dir: &Path, args: &[String]) -> (Child, impl Iterator<Item = String>) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut child = spawn(dir, &args);
    let mut lines = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(Result::unwrap);
    read_until(&mut lines, "epoch    2");
    (child, lines)
}

#[test]
fn ctrl_c_saves_and_exits_130_and_the_run_resumes_exactly() {
    let dir = tempdir().unwrap();
    let (mut child, lines) = start(dir.path(), &digits("60", "interrupted"));
    signal(&child, "INT");
    let rest: Vec<String> = lines.collect();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{rest:?}");
    let stopped = rest
        .iter()
        .find(|line| line.starts_with("stopped: interrupted at epoch "))
        .unwrap_or_else(|| panic!("no stop line in {rest:?}"));
    assert!(
        rest.iter().any(|line| line.contains("--resume")),
        "{rest:?}"
    );

    let folder = dir.path().join("interrupted");
    assert!(ArtifactDir::new(&folder).checkpoint().is_dir());
    let summary = ArtifactDir::new(&folder).load_summary().unwrap();
    assert!(
        stopped.contains(&summary.stopped),
        "{stopped} / {}",
        summary.stopped
    );

    stepwise(dir.path())
        .args(["train", "--resume", "interrupted", "--quiet"])
        .assert()
        .success();
    stepwise(dir.path())
        .args(digits("60", "whole"))
        .assert()
        .success();
    same_files(&folder, &dir.path().join("whole"), "metrics.csv");
    assert_eq!(
        answers(&folder, "digits"),
        answers(&dir.path().join("whole"), "digits")
    );
}

#[test]
fn a_second_ctrl_c_exits_at_once() {
    let dir = tempdir().unwrap();
    let (mut child, lines) = start(dir.path(), &digits("100000", "twice"));
    signal(&child, "INT");
    signal(&child, "INT");
    lines.for_each(drop); // keep reading: a closed pipe would end the run another way
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    // Whichever signal won, the folder is whole: a model that loads, or none at all.
    check_folder(&dir.path().join("twice"));
}

/// What a folder may look like after any crash: no model yet, or one complete set whose files
/// all come from the same run (each run of the stress test has its own epoch count).
fn check_folder(dir: &Path) -> &'static str {
    let artifacts = ArtifactDir::new(dir);
    let outcome = match Predictor::load(&artifacts, backend().device) {
        Err(err) => {
            let message = format!("{err:#}");
            assert!(
                message.contains("has no model yet") || message.contains("does not exist"),
                "{message}"
            );
            "no model yet"
        }
        Ok(predictor) => {
            let summary = artifacts.load_summary().unwrap();
            let metrics = artifacts.load_metrics().unwrap();
            assert_eq!(
                summary.epochs_run,
                metrics.len(),
                "summary and metrics of one run"
            );
            assert_eq!(summary.final_metrics.as_ref(), metrics.last());
            if !matches!(summary.stop, StopReason::Interrupted { .. }) {
                assert_eq!(
                    predictor.card.training.epochs, summary.epochs_run,
                    "config and summary of one run"
                );
            }
            "a complete model"
        }
    };
    if artifacts.checkpoint().exists() {
        if let Ok((card, checkpoint)) = artifacts.load_checkpoint() {
            assert!(checkpoint.position.epoch <= card.training.epochs + 1);
            assert_eq!(
                checkpoint.position.history.len() + 1,
                checkpoint.position.epoch
            );
        } else {
            // Only a checkpoint folder with nothing committed in it yet may fail to load.
            assert!(!dir.join("checkpoint").join("state.json").exists());
        }
    }
    outcome
}

#[test]
fn kill_9_at_random_moments_never_leaves_a_broken_folder() {
    // STEPWISE_KILLS=200 cargo test kill_9 -- for the long version.
    let kills: usize = env::var("STEPWISE_KILLS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(20);
    let dir = tempdir().unwrap();
    let run = |epochs: usize| -> Child {
        let epochs = epochs.to_string();
        let args = [
            "train",
            "--dataset",
            "digits",
            "--epochs",
            &epochs,
            "--batch-size",
            "32",
            "--lr",
            "0.05",
            "--checkpoint-every",
            "1",
            "--quiet",
            "--out",
            "model",
        ];
        spawn(dir.path(), &args)
    };
    // How long a whole run takes here, so the kills spread over all of it.
    let started = Instant::now();
    assert!(run(5).wait().unwrap().success());
    let whole_run = started.elapsed();

    let mut random = StdRng::seed_from_u64(7);
    let mut outcomes: Vec<&str> = Vec::new();
    for kill in 0..kills {
        if kill % 4 == 0 {
            // Sometimes from an empty folder, so "no model yet" is a possible outcome too.
            fs::remove_dir_all(dir.path().join("model")).ok();
        }
        let epochs = 3 + kill % 5; // each run's files say which run wrote them
        let mut child = run(epochs);
        let delay = whole_run.mul_f64(random.random_range(0.0..1.3));
        std::thread::sleep(delay);
        child.kill().ok(); // SIGKILL; it may have finished already
        child.wait().unwrap();
        let folder = dir.path().join("model");
        outcomes.push(match check_folder(&folder) {
            "a complete model" => {
                let summary = ArtifactDir::new(&folder).load_summary().unwrap();
                if summary.epochs_run == epochs {
                    "this run's model"
                } else {
                    "an earlier run's model"
                }
            }
            other => other,
        });
    }
    let count = |outcome: &str| outcomes.iter().filter(|o| **o == outcome).count();
    println!(
        "{kills} kills over a {whole_run:?} run: {} left this run's model, {} an earlier run's, \
         {} no model yet",
        count("this run's model"),
        count("an earlier run's model"),
        count("no model yet")
    );
}

#[test]
fn damaged_model_and_checkpoint_files_are_errors_not_panics() {
    let dir = tempdir().unwrap();
    interrupted_after_one_step(dir.path());
    let artifacts = ArtifactDir::new(dir.path());
    let files: Vec<PathBuf> = vec![
        artifacts.model(),
        artifacts.config(),
        artifacts.checkpoint().join("model.bpk"),
        artifacts.checkpoint().join("optimizer.bpk"),
        artifacts.checkpoint().join("state.json"),
    ];
    let mut random = StdRng::seed_from_u64(11);
    let mut damaged = 0;
    for file in &files {
        let original = fs::read(file).unwrap();
        let mut versions: Vec<Vec<u8>> = (0..12)
            .map(|cut| original[..original.len() * cut / 12].to_vec())
            .collect();
        for _ in 0..24 {
            let mut flipped = original.clone();
            let at = random.random_range(0..flipped.len());
            flipped[at] ^= 1 << random.random_range(0..8);
            versions.push(flipped);
        }
        for version in versions {
            fs::write(file, &version).unwrap();
            let loaded = catch_unwind(AssertUnwindSafe(|| {
                let model = Predictor::load(&artifacts, backend().device).map(drop);
                let resume = Plan::resume(dir.path().to_path_buf(), backend(), None)
                    .and_then(|plan| plan.train(|_| {}).map(drop));
                (model, resume)
            }));
            let (model, resume) = loaded.unwrap_or_else(|_| {
                panic!(
                    "{} damaged ({} bytes) made stepwise panic",
                    file.display(),
                    version.len()
                )
            });
            damaged += usize::from(model.is_err() || resume.is_err());
            // A resume that succeeded finished the run and removed the checkpoint: restore it.
            if resume.is_ok() {
                let mut again = plan(iris(3), dir.path());
                again.interrupt_on(Arc::new(AtomicBool::new(true)));
                again.train(|_| {}).unwrap();
            }
        }
        fs::write(file, &original).unwrap();
    }
    assert!(damaged > 60, "only {damaged} damaged files were noticed");
}

#[test]
fn work_too_big_for_memory_is_refused_before_it_starts() {
    let dir = tempdir().unwrap();
    let err = fails(dir.path(), &["train", "--hidden", "1000000,1000000"]);
    assert!(err.contains("training would need about"), "{err}");
    assert!(
        err.contains("use a smaller --hidden or --batch-size"),
        "{err}"
    );

    let iris = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/iris.csv");
    let output = stepwise(dir.path())
        .env("STEPWISE_MEMORY_LIMIT", "10000")
        .args(["train", "--dataset", iris.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("loaded it would need about"), "{stderr}");
}

/// Runs a digits training into `out`, which must be refused before any epoch; returns stderr.
pub fn refused_before_training(dir: &Path, out: &str) -> String {
    let args = [
        "train",
        "--dataset",
        "digits",
        "--log-every",
        "1",
        "--out",
        out,
    ];
    let output = stepwise(dir).args(args).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = without_warnings(&String::from_utf8(output.stderr).unwrap());
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: ") && !stderr.contains("panicked"),
        "{stderr}"
    );
    assert!(!stdout.contains("epoch"), "it trained first: {stdout}");
    stderr
}

#[test]
fn an_unwritable_folder_is_reported_before_training() {
    let dir = tempdir().unwrap();
    fs::write(dir.path().join("a-file"), "").unwrap();
    let err = refused_before_training(dir.path(), "a-file/model");
    assert!(
        err.contains("cannot create the artifact folder a-file/model"),
        "{err}"
    );
}

/// A mounted tmpfs, unmounted when dropped (also when an assertion fails).
struct SmallDisk(PathBuf);

impl SmallDisk {
    /// A `size` tmpfs at `path`; `None` where mounting is not allowed (it needs root).
    fn mount(path: PathBuf, size: &str) -> Option<SmallDisk> {
        fs::create_dir(&path).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .status()
            .is_ok_and(|status| status.success());
        mounted.then_some(SmallDisk(path))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        std::process::Command::new("umount")
            .arg(&self.0)
            .status()
            .ok();
    }
}

#[test]
fn a_full_disk_is_reported_before_training() {
    let dir = tempdir().unwrap();
    let Some(_disk) = SmallDisk::mount(dir.path().join("small-disk"), "64k") else {
        println!("skipped: cannot mount a small tmpfs here (needs root, as CI has)");
        return;
    };
    let err = refused_before_training(dir.path(), "small-disk/model");
    assert!(
        err.contains("KiB free, but saving this model needs about"),
        "{err}"
    );
}

#[test]
fn saved_files_reach_the_disk_before_they_are_renamed_into_place() {
    let dir = tempdir().unwrap();
    let traced = std::process::Command::new("strace")
        .args([
            "-f",
            "-y",
            "-qq",
            "-e",
            "trace=fsync,fdatasync,rename,renameat,renameat2",
        ])
        .args(["-o", "trace.txt", env!("CARGO_BIN_EXE_stepwise")])
        .args(["train", "--epochs", "1", "--quiet", "--out", "m"])
        .current_dir(dir.path())
        .env("XDG_RUNTIME_DIR", dir.path())
        .output();
    if !traced.is_ok_and(|output| output.status.success()) {
        println!("skipped: strace cannot trace here (.ci/run installs it)");
        return;
    }
    let trace = fs::read_to_string(dir.path().join("trace.txt")).unwrap();
    let lines: Vec<&str> = trace.lines().collect();
    for name in ["model.bpk", "config.json", "metrics.csv"] {
        let staged = format!("m/.pending/{name}");
        let synced = lines
            .iter()
            .position(|line| line.contains("fsync(") && line.contains(&format!("{staged}>")))
            .unwrap_or_else(|| panic!("{name} is never fsynced:\n{trace}"));
        let renamed = lines
            .iter()
            .position(|line| line.contains("rename") && line.contains(&format!("\"{staged}\"")))
            .unwrap_or_else(|| panic!("{name} is never renamed into place:\n{trace}"));
        assert!(
            synced < renamed,
            "{name}: renamed before it was synced\n{trace}"
        );
    }
    // The folders are synced too, or the renames themselves could be lost: the staging folder
    // before the commit marker is renamed in, the model's folder after the last file moved in.
    let synced = |folder: &str| {
        let ending = format!("/{folder}>)");
        move |line: &&str| line.contains("fsync(") && line.contains(&ending)
    };
    let marker = lines
        .iter()
        .position(|line| line.contains("rename") && line.contains("\"m/.pending/COMMITTED\""))
        .unwrap_or_else(|| panic!("no commit marker:\n{trace}"));
    let staging_synced = lines.iter().position(synced("m/.pending"));
    assert!(
        staging_synced.is_some_and(|at| at < marker),
        "the staging folder is not synced before the marker\n{trace}"
    );
    let moved_in = lines
        .iter()
        .rposition(|line| line.contains("rename(\"m/.pending/") || line.contains(", \"m/.pending/"))
        .unwrap();
    assert!(
        lines[moved_in..].iter().any(synced("m")),
        "the folder is not synced after the files moved in\n{trace}"
    );
}

#[test]
fn a_checkpoint_from_an_older_stepwise_is_refused_with_advice() {
    let dir = tempdir().unwrap();
    interrupted_after_one_step(dir.path());
    let state_path = ArtifactDir::new(dir.path()).checkpoint().join("state.json");
    let mut state: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&state_path).unwrap()).unwrap();
    // Format 2: before the one MLP, whose checkpoints this stepwise cannot continue (format 3's
    // it can: tests/corpus/format3).
    state["format_version"] = 2.into();
    fs::write(&state_path, state.to_string()).unwrap();
    let error = Plan::resume(dir.path().to_path_buf(), backend(), None).unwrap_err();
    assert!(
        format!("{error:#}").contains(
            "was written by an older stepwise, whose runs this one cannot continue; train afresh"
        ),
        "{error:#}"
    );
}
