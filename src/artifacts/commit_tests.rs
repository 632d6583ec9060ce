//! The commit, at every point a crash can stop it, and the order of its writes, syncs and
//! renames.

use super::*;

fn folder() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "stepwise-commit-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    fs::remove_dir_all(&dir).ok();
    fs::create_dir_all(&dir).unwrap();
    dir
}

const OLD: [(&str, &[u8]); 3] = [("a", b"old a"), ("b", b"old b"), ("c", b"old c")];
const NEW: [(&str, &[u8]); 3] = [("a", b"new a"), ("b", b"new b"), ("c", b"new c")];

/// The set as a reader sees it: "old", "new", or a mix (a bug).
fn seen(dir: &Path) -> &'static str {
    let files = read_set(dir, ["a", "b", "c"]).map(|file| file.unwrap());
    let is = |set: &[(&str, &[u8]); 3]| files.iter().zip(set).all(|(file, (_, b))| file == b);
    match (is(&OLD), is(&NEW)) {
        (true, _) => "old",
        (_, true) => "new",
        _ => "a mix",
    }
}

/// A disk that takes the first `steps` steps and then fails every one, as a process killed
/// there would take no more; it records the steps it took.
struct Crashing {
    steps: usize,
    log: Vec<String>,
}

impl Crashing {
    fn step(&mut self, what: String, act: impl FnOnce() -> io::Result<()>) -> io::Result<()> {
        if self.log.len() == self.steps {
            return Err(io::Error::other("crashed"));
        }
        act()?;
        self.log.push(what);
        Ok(())
    }
}

fn name(path: &Path) -> String {
    let parent = path.parent().and_then(Path::file_name).unwrap_or_default();
    let parent = if parent == PENDING { ".pending/" } else { "" };
    format!("{parent}{}", path.file_name().unwrap().to_string_lossy())
}

impl Disk for Crashing {
    fn create_dir_all(&mut self, path: &Path) -> io::Result<()> {
        self.step(format!("mkdir {}", name(path)), || fs::create_dir_all(path))
    }
    fn write_synced(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        self.step(format!("write+fsync {}", name(path)), || {
            RealDisk.write_synced(path, bytes)
        })
    }
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        let what = format!("rename {} -> {}", name(from), name(to));
        self.step(what, || fs::rename(from, to))
    }
    fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        self.step(format!("rm {}", name(path)), || fs::remove_file(path))
    }
    fn remove_dir_all(&mut self, path: &Path) -> io::Result<()> {
        self.step(format!("rm -r {}", name(path)), || fs::remove_dir_all(path))
    }
    fn sync_dir(&mut self, dir: &Path) {
        let _ = self.step(format!("fsync dir {}", name(dir)), || {
            RealDisk.sync_dir(dir);
            Ok(())
        });
    }
}

/// Every step a whole commit of three files takes, in order.
fn whole_commit() -> Vec<String> {
    let dir = folder();
    commit(&dir, &OLD).unwrap();
    let mut disk = Crashing {
        steps: usize::MAX,
        log: Vec::new(),
    };
    commit_on(&mut disk, &dir, &NEW).unwrap();
    assert_eq!(seen(&dir), "new");
    fs::remove_dir_all(&dir).ok();
    disk.log
}

#[test]
fn a_crash_after_any_step_leaves_one_whole_set_before_and_after_recovery() {
    let steps = whole_commit().len();
    let mut outcomes = Vec::new();
    for crash_after in 0..=steps {
        let dir = folder();
        commit(&dir, &OLD).unwrap();
        let mut disk = Crashing {
            steps: crash_after,
            log: Vec::new(),
        };
        // (The last step, a best-effort fsync of the folder, fails silently.)
        let result = commit_on(&mut disk, &dir, &NEW);
        assert!(
            result.is_err() || crash_after + 1 >= steps,
            "after {crash_after} steps"
        );
        let before = seen(&dir);
        assert_ne!(
            before, "a mix",
            "a reader after {crash_after} steps: {:?}",
            disk.log
        );
        recover_on(&mut RealDisk, &dir).unwrap();
        assert_eq!(
            seen(&dir),
            before,
            "recovery after {crash_after} steps changed the set"
        );
        assert!(!dir.join(PENDING).exists());
        outcomes.push(before);
        fs::remove_dir_all(&dir).ok();
    }
    // Old up to the commit point, new from it on.
    let first_new = outcomes.iter().position(|set| *set == "new").unwrap();
    assert!(outcomes[..first_new].iter().all(|set| *set == "old"));
    assert!(outcomes[first_new..].iter().all(|set| *set == "new"));
}

#[test]
fn every_file_is_synced_before_the_marker_and_the_marker_before_any_rename() {
    let log = whole_commit();
    let at = |step: &str| {
        log.iter()
            .position(|entry| entry == step)
            .unwrap_or_else(|| panic!("no '{step}' in {log:?}"))
    };
    let marker = log
        .iter()
        .position(|entry| entry.ends_with("-> .pending/COMMITTED"))
        .expect("the marker is renamed into place");
    for file in ["a", "b", "c"] {
        assert!(at(&format!("write+fsync .pending/{file}")) < at("fsync dir .pending"));
        assert!(
            marker < at(&format!("rename .pending/{file} -> {file}")),
            "{log:?}"
        );
    }
    assert!(at("fsync dir .pending") < marker);
    // The renames are made durable before the marker goes: a crash between them re-runs them.
    let last_rename = at("rename .pending/c -> c");
    let synced = log[last_rename..]
        .iter()
        .position(|entry| entry.starts_with("fsync dir") && !entry.contains(".pending"))
        .expect("the folder is synced after the renames")
        + last_rename;
    assert!(synced < at("rm .pending/COMMITTED"), "{log:?}");
}

#[test]
fn a_commit_replaces_every_file() {
    let dir = folder();
    commit(&dir, &OLD).unwrap();
    commit(&dir, &NEW).unwrap();
    assert_eq!(seen(&dir), "new");
    assert!(!dir.join(PENDING).exists());
    assert!(exists(&dir, "a") && !exists(&dir, "z"));
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_reader_waits_for_a_commit_in_progress() {
    let dir = folder();
    commit(&dir, &OLD).unwrap();
    let writing = SetLock::exclusive(&dir).unwrap();
    let (sender, receiver) = std::sync::mpsc::channel();
    let reader_dir = dir.clone();
    let reader = std::thread::spawn(move || sender.send(seen(&reader_dir)).unwrap());
    let wait = std::time::Duration::from_millis(300);
    assert!(
        receiver.recv_timeout(wait).is_err(),
        "read while a commit held the folder"
    );
    drop(writing);
    assert_eq!(receiver.recv().unwrap(), "old");
    reader.join().unwrap();
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_committed_file_that_cannot_be_read_is_an_error_not_the_old_file() {
    let dir = folder();
    commit(&dir, &OLD).unwrap();
    // Committed but not yet moved in, and not a regular file (a disk error's stand-in).
    fs::create_dir_all(dir.join(PENDING).join("a")).unwrap();
    fs::write(dir.join(PENDING).join(COMMITTED), b"").unwrap();
    assert!(
        read(&dir, "a").is_err(),
        "the old 'a' mixed into the new set"
    );
    assert_eq!(
        read(&dir, "b").unwrap(),
        b"old b",
        "'b' was already moved in"
    );
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_file_exists_only_in_a_whole_set() {
    let dir = folder();
    commit(&dir, &OLD).unwrap();
    // An unfinished write (no marker) left "z" staged: not part of any set.
    fs::create_dir_all(dir.join(PENDING)).unwrap();
    fs::write(dir.join(PENDING).join("z"), b"half").unwrap();
    assert!(!exists(&dir, "z"));
    // Committed, not yet moved in: it exists; a name in neither place still does not.
    fs::write(dir.join(PENDING).join(COMMITTED), b"").unwrap();
    assert!(exists(&dir, "z") && exists(&dir, "a") && !exists(&dir, "y"));
    fs::remove_dir_all(&dir).ok();
}
