//! One writer per artifact folder. A training run holds an exclusive lock on
//! `<dir>/.stepwise.lock` from before INIT to its last save, so two runs (or two `--resume`s)
//! into one folder cannot mix their files: the second is refused at once, naming the first.
//!
//! Before the lock, the folder is checked: a folder of someone else's files is not written into
//! (unless `--overwrite`), and what would make the save fail after hours of training — a file
//! where a folder belongs, a full disk — is reported first.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Write};

use anyhow::{bail, Context, Result};

use super::{
    commit, links, ArtifactDir, CHECKPOINT_DIR, CONFIG_FILE, LR_FIND_DATA_FILE, LR_FIND_PLOT_FILE,
    MODEL_FILE,
};
use crate::machine::{self, free_space};

const LOCK_FILE: &str = ".stepwise.lock";
/// Written and removed again to see that the folder can be written.
pub(super) const WRITE_TEST_FILE: &str = ".stepwise-write-test";
/// What a stepwise folder may hold without a model in it yet (a run refused or interrupted
/// before its first save, an `lr-find`).
const BOOKKEEPING: [&str; 6] = [
    LOCK_FILE,
    commit::LOCK,
    commit::PENDING,
    WRITE_TEST_FILE,
    LR_FIND_PLOT_FILE,
    LR_FIND_DATA_FILE,
];
/// stepwise's own folders: a link in their place would send its files elsewhere.
const OWN_FOLDERS: [&str; 2] = [commit::PENDING, CHECKPOINT_DIR];

/// The folder's write lock, held until dropped.
#[derive(Debug)]
pub struct Writing {
    _lock: File,
    /// The run made the folder: a run that saves nothing takes it away again.
    created: bool,
    dir: std::path::PathBuf,
}

impl Writing {
    /// A run that ends without saving anything leaves no folder it made.
    pub fn abandon(self) {
        let saved = [CONFIG_FILE, CHECKPOINT_DIR]
            .iter()
            .any(|name| self.dir.join(name).exists());
        if self.created && !saved {
            fs::remove_dir_all(&self.dir).ok();
        }
    }
}

impl ArtifactDir {
    /// Checks the folder, makes it if needed, and takes its write lock; `needed` bytes must be
    /// free on its disk.
    pub fn start_writing(&self, needed: u64) -> Result<Writing> {
        let shown = self.dir.display();
        if self.dir.symlink_metadata().is_ok() && self.dir.metadata().is_err() {
            bail!("{shown} is a symbolic link to nothing; point --out at a folder");
        }
        // Made by this very call, atomically: another run may make it at the same moment, and
        // only the one whose mkdir succeeded may take it away again (under the lock).
        if let Some(parent) = self.dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).ok();
        }
        let created = match fs::create_dir(&self.dir) {
            Ok(()) => true,
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => false,
            // Says why the folder cannot be made (a file in the path, no permission).
            Err(_) => self.prepare().map(|()| false)?,
        };
        if !created {
            self.check_ours()?;
        }
        self.prepare()?;
        // A run refused here removes nothing: whatever is in the folder is the holder's.
        let writing = self.lock(created)?;
        let checked = links::refuse_links(&self.dir, &OWN_FOLDERS)
            .and_then(|()| self.check_layout())
            .and_then(|()| match free_space(&self.dir) {
                Some(free) if free < needed => bail!(
                    "the disk of {shown} has {} free, but saving this model needs about {}; free \
                     some space or choose another folder with --out",
                    machine::bytes(free as f64),
                    machine::bytes(needed as f64)
                ),
                _ => Ok(()),
            });
        match checked {
            Ok(()) => Ok(writing),
            Err(err) => {
                writing.abandon();
                Err(err)
            }
        }
    }

    fn lock(&self, created: bool) -> Result<Writing> {
        let path = self.dir.join(LOCK_FILE);
        let mut file = links::open_own(
            OpenOptions::new()
                .create(true)
                .truncate(false)
                .read(true)
                .write(true),
            &path,
        )
        .with_context(|| {
            format!(
                "cannot write in {}; choose another --out",
                self.dir.display()
            )
        })?;
        match try_lock(&mut file) {
            Ok(()) => {
                file.set_len(0).ok();
                std::io::Seek::rewind(&mut file).ok();
                write!(file, "{}", std::process::id()).ok();
            }
            Err(TryLockError::WouldBlock) => {
                let holder = written_holder(&mut file)
                    .map_or_else(String::new, |pid| format!(" (pid {pid})"));
                bail!(
                    "another stepwise process{holder} is writing to {}; wait for it to finish, or \
                     choose another folder with --out",
                    self.dir.display()
                );
            }
            Err(TryLockError::Error(err)) => {
                bail!("cannot lock {}: {err}", path.display())
            }
        }
        Ok(Writing {
            _lock: file,
            created,
            dir: self.dir.clone(),
        })
    }

    /// Refuses a folder of someone else's files (unless `--overwrite`).
    fn check_ours(&self) -> Result<()> {
        let shown = self.dir.display();
        if self.dir.is_file() {
            bail!("--out {shown} is a file; give a folder");
        }
        let ours_config = commit::read(&self.dir, CONFIG_FILE)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .is_some_and(|text| super::check_format(&text, &self.config()).is_ok());
        let checkpoint = self
            .checkpoint()
            .join(super::checkpoint::STATE_FILE)
            .exists();
        let names: Vec<String> = fs::read_dir(&self.dir)
            .with_context(|| format!("cannot read the folder {shown}"))?
            .filter_map(|entry| entry.ok())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        let foreign: Vec<&String> = names
            .iter()
            .filter(|name| {
                !BOOKKEEPING.contains(&name.as_str()) && !name.starts_with(".checkpoint-removed-")
            })
            .collect();
        if ours_config || checkpoint || foreign.is_empty() || self.overwrite {
            return Ok(());
        }
        bail!(
            "{shown} holds files stepwise did not write (e.g. '{}'){}; choose another folder \
             with --out, or add --overwrite to write the model's files there",
            foreign[0],
            if self.config().exists() {
                format!(", and its {CONFIG_FILE} is not a stepwise model's")
            } else {
                String::new()
            }
        )
    }

    /// A file where stepwise keeps a folder would fail the save after training: found now. A
    /// checkpoint removal cut short by a crash is finished.
    fn check_layout(&self) -> Result<()> {
        for (name, what) in [
            (commit::PENDING, "stepwise's unfinished writes"),
            (CHECKPOINT_DIR, "checkpoints"),
        ] {
            let path = self.dir.join(name);
            if path.exists() && !path.is_dir() {
                bail!(
                    "{} is a file, where stepwise keeps {what} in a folder; move it away",
                    path.display()
                );
            }
        }
        if self.dir.join(MODEL_FILE).is_dir() {
            bail!("{} is a folder; move it away", self.model().display());
        }
        for entry in fs::read_dir(&self.dir)?.filter_map(|entry| entry.ok()) {
            if entry
                .file_name()
                .to_string_lossy()
                .starts_with(".checkpoint-removed-")
            {
                fs::remove_dir_all(entry.path()).ok();
            }
        }
        Ok(())
    }
}

/// Takes the folder's lock. When the holder is this very process, waits a moment for it: a lock
/// this process just released is still held while a child process it is starting has not yet
/// replaced itself with its program (the child shares the open file until then).
fn try_lock(file: &mut File) -> std::result::Result<(), TryLockError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(1);
    loop {
        match file.try_lock() {
            Err(TryLockError::WouldBlock)
                if holder(file) == std::process::id().to_string()
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other,
        }
    }
}

/// The pid the lock's holder wrote into the lock file, once it has: a holder that has just taken
/// the lock empties the file before it writes its pid.
fn written_holder(file: &mut File) -> Option<String> {
    for _ in 0..20 {
        let pid = holder(file);
        if !pid.is_empty() {
            return Some(pid);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    None
}

/// The pid the lock's holder wrote into the lock file.
fn holder(file: &mut File) -> String {
    use std::io::Seek;
    let mut holder = String::new();
    file.rewind().ok();
    file.read_to_string(&mut holder).ok();
    holder.trim().to_string()
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
