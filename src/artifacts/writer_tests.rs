//! Two runs into one folder, and folders whose own names are links to files elsewhere.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};

use super::*;

fn fresh(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stepwise-writer-{name}-{}", std::process::id()));
    fs::remove_dir_all(&dir).ok();
    dir
}

#[test]
fn runs_racing_into_a_new_folder_leave_the_lock_holder_its_folder() {
    // Eight runs start into one folder that does not exist yet, at the same moment: one takes
    // the lock, the others are refused — and none of them takes the folder away from it.
    let dir = fresh("race");
    let start = Arc::new(Barrier::new(8));
    let runs: Vec<_> = (0..8)
        .map(|_| {
            let (dir, start) = (dir.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                ArtifactDir::new(dir).start_writing(0)
            })
        })
        .collect();
    let results: Vec<_> = runs.into_iter().map(|run| run.join().unwrap()).collect();
    let holders = results.iter().filter(|result| result.is_ok()).count();
    assert_eq!(holders, 1, "exactly one run holds the folder");
    assert!(dir.join(LOCK_FILE).is_file(), "the holder's folder is gone");
    for refused in results.iter().filter_map(|result| result.as_ref().err()) {
        let message = refused.to_string();
        assert!(message.contains("is writing to"), "{message}");
        assert!(!message.contains("pid )"), "{message}");
    }
}

#[test]
fn a_run_refused_by_the_lock_removes_nothing() {
    let dir = fresh("refused");
    let holding = ArtifactDir::new(&dir).start_writing(0).unwrap();
    fs::write(dir.join("config.json"), b"the holder's").unwrap();
    assert!(ArtifactDir::new(&dir).start_writing(0).is_err());
    assert_eq!(fs::read(dir.join("config.json")).unwrap(), b"the holder's");
    drop(holding);
}

#[cfg(unix)]
mod links {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A folder with `name` linked to a file outside it that must never change.
    fn linked(case: &str, name: &str, target_exists: bool) -> (PathBuf, PathBuf) {
        let dir = fresh(case);
        fs::create_dir_all(&dir).unwrap();
        let outside = fresh(&format!("{case}-outside"));
        fs::create_dir_all(&outside).unwrap();
        let victim = outside.join("victim");
        if target_exists {
            fs::write(&victim, b"precious").unwrap();
        }
        symlink(&victim, dir.join(name)).unwrap();
        (dir, victim)
    }

    fn unchanged(victim: &Path, existed: bool) {
        if existed {
            assert_eq!(fs::read(victim).unwrap(), b"precious");
        } else {
            assert!(!victim.exists(), "{} was created", victim.display());
        }
    }

    #[test]
    fn no_run_writes_through_a_link_in_place_of_its_own_files() {
        for name in [
            WRITE_TEST_FILE,
            LOCK_FILE,
            commit::LOCK,
            commit::PENDING,
            CHECKPOINT_DIR,
        ] {
            for existed in [true, false] {
                let (dir, victim) = linked("own", name, existed);
                let artifacts = ArtifactDir::new(&dir);
                let writing = artifacts.start_writing(0);
                commit::commit(&dir, &[("config.json", b"{}")]).ok();
                drop(writing);
                unchanged(&victim, existed);
            }
        }
    }

    #[test]
    fn a_linked_lock_is_refused_with_its_name() {
        let (dir, victim) = linked("lock", LOCK_FILE, true);
        let refused = ArtifactDir::new(&dir).start_writing(0).unwrap_err();
        assert!(
            format!("{refused:#}").contains("is a symbolic link"),
            "{refused:#}"
        );
        unchanged(&victim, true);
    }

    #[test]
    fn a_linked_checkpoint_folder_is_refused_before_training() {
        let dir = fresh("checkpoint");
        fs::create_dir_all(&dir).unwrap();
        let elsewhere = fresh("checkpoint-elsewhere");
        fs::create_dir_all(&elsewhere).unwrap();
        symlink(&elsewhere, dir.join(CHECKPOINT_DIR)).unwrap();
        // Even where the user lets stepwise write among other files.
        let mut artifacts = ArtifactDir::new(&dir);
        artifacts.overwrite = true;
        let refused = artifacts.start_writing(0).unwrap_err();
        assert!(
            refused.to_string().contains("is a symbolic link"),
            "{refused}"
        );
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
    }

    #[test]
    fn a_pipe_in_place_of_a_lock_is_refused_not_waited_on() {
        let dir = fresh("pipe");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join("config.json"), b"{}").unwrap();
        for lock in [commit::LOCK, LOCK_FILE] {
            let path = std::ffi::CString::new(dir.join(lock).to_str().unwrap()).unwrap();
            // SAFETY: a NUL-terminated path that outlives the call.
            assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
        }
        // Each of these would wait for ever for a pipe's other end.
        let [config] = commit::read_set(&dir, ["config.json"]);
        assert_eq!(config.unwrap(), b"{}");
        assert!(commit::commit(&dir, &[("config.json", b"{}")]).is_err());
        let mut artifacts = ArtifactDir::new(&dir);
        artifacts.overwrite = true;
        let refused = artifacts.start_writing(0).unwrap_err();
        assert!(
            format!("{refused:#}").contains("not a regular file"),
            "{refused:#}"
        );
    }

    #[test]
    fn reading_a_model_folder_creates_nothing_through_a_dangling_lock() {
        let (dir, victim) = linked("reader", commit::LOCK, false);
        fs::write(dir.join("config.json"), b"{}").unwrap();
        let [config] = commit::read_set(&dir, ["config.json"]);
        assert_eq!(config.unwrap(), b"{}");
        unchanged(&victim, false);
    }
}
