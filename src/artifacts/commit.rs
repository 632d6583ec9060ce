//! Replacing a set of files so that a crash at any moment (`kill -9`, power loss) leaves either
//! every old file or every new one, never a mix — the model of one run with the config of
//! another would load and predict nonsense.
//!
//! One file alone is easy: write a temporary file beside it, fsync, rename it over the old one
//! ([`write_atomic`]). A set needs a commit point, as a database journal has:
//!
//! ```text
//! 1. write every new file into <dir>/.pending/ (each fsynced)
//! 2. write <dir>/.pending/COMMITTED             ← the commit point: the new set is durable
//! 3. rename each file from .pending/ into <dir>
//! 4. remove COMMITTED, then .pending/
//! ```
//!
//! A reader ([`read`]) that finds `COMMITTED` takes each file from `.pending/` while it is still
//! there, else from `<dir>` (already moved): the new set either way. Without `COMMITTED`,
//! `.pending/` is an unfinished write and is ignored: the old set. The next writer finishes a
//! committed update, or throws away an unfinished one, before it starts ([`recover_on`]).
//!
//! A running process sees the same: a commit holds an exclusive lock on `<dir>/.commit.lock`
//! from step 1 to step 4, and [`under_shared_lock`] holds a shared one while it reads, so a reader never
//! takes one file of the old set and another of the new.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::links;

/// The journal folder of a commit in progress.
pub(crate) const PENDING: &str = ".pending";
const COMMITTED: &str = "COMMITTED";
/// The lock a commit holds exclusively and a reader shared.
pub(crate) const LOCK: &str = ".commit.lock";

/// Held while a set is replaced (exclusive) or read (shared); released when dropped.
pub struct SetLock(#[allow(dead_code)] fs::File);

impl SetLock {
    fn file(dir: &Path) -> io::Result<fs::File> {
        links::open_own(
            fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true),
            &dir.join(LOCK),
        )
    }

    fn exclusive(dir: &Path) -> io::Result<SetLock> {
        let file = Self::file(dir)?;
        file.lock()?;
        Ok(SetLock(file))
    }

    /// None where the lock cannot be taken (a read-only folder): the reader reads unlocked.
    fn shared(dir: &Path) -> Option<SetLock> {
        let file = Self::file(dir)
            .or_else(|_| links::open_own(fs::OpenOptions::new().read(true), &dir.join(LOCK)))
            .ok()?;
        file.lock_shared().ok()?;
        Some(SetLock(file))
    }
}

/// The file-system steps a commit is made of. [`RealDisk`] takes them; the tests put in its
/// place one that stops after any step, as a crash would, and one that records their order.
pub(crate) trait Disk {
    fn create_dir_all(&mut self, path: &Path) -> io::Result<()>;
    /// Writes a file and fsyncs it: its bytes are on the disk when this returns.
    fn write_synced(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove_file(&mut self, path: &Path) -> io::Result<()>;
    fn remove_dir_all(&mut self, path: &Path) -> io::Result<()>;
    /// Makes the renames in `dir` durable (not possible on every OS, hence best effort).
    fn sync_dir(&mut self, dir: &Path);
}

pub(crate) struct RealDisk;

impl Disk for RealDisk {
    fn create_dir_all(&mut self, path: &Path) -> io::Result<()> {
        links::create_own_dir(path)
    }

    fn write_synced(&mut self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        links::write_new(path, bytes)
    }

    fn rename(&mut self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }

    fn remove_file(&mut self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    fn remove_dir_all(&mut self, path: &Path) -> io::Result<()> {
        fs::remove_dir_all(path)
    }

    fn sync_dir(&mut self, dir: &Path) {
        if let Ok(folder) = fs::File::open(dir) {
            folder.sync_all().ok();
        }
    }
}

/// Replaces the files `(name, bytes)` in `dir` as one unit.
pub fn commit(dir: &Path, files: &[(&str, &[u8])]) -> Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
    let _lock =
        SetLock::exclusive(dir).with_context(|| format!("cannot lock {}", dir.display()))?;
    commit_on(&mut RealDisk, dir, files)
}

/// Steps 1 to 4 on `disk`.
pub(crate) fn commit_on(disk: &mut impl Disk, dir: &Path, files: &[(&str, &[u8])]) -> Result<()> {
    recover_on(disk, dir)?;
    let pending = dir.join(PENDING);
    let shown = dir.display();
    disk.create_dir_all(&pending)
        .with_context(|| format!("cannot write in {shown}"))?;
    let staged = files.iter().try_for_each(|(name, bytes)| {
        disk.write_synced(&pending.join(name), bytes)
            .with_context(|| format!("cannot write {}", dir.join(name).display()))
    });
    let committed = staged.and_then(|()| {
        disk.sync_dir(&pending);
        // The commit point: the marker, written beside and renamed in, then made durable.
        let marker = pending.join(COMMITTED);
        let temporary = temporary_beside(&marker);
        disk.write_synced(&temporary, b"")
            .and_then(|()| disk.rename(&temporary, &marker))
            .with_context(|| format!("cannot write {}", marker.display()))?;
        disk.sync_dir(&pending);
        Ok(())
    });
    if let Err(err) = committed {
        // Before the commit point: the old set stands; leave no half-written new one behind.
        disk.remove_dir_all(&pending).ok();
        return Err(err);
    }
    finish(disk, dir)
}

/// The files `names` of `dir` as one commit left them, read under a shared lock.
#[cfg(test)]
pub fn read_set<const N: usize>(dir: &Path, names: [&str; N]) -> [io::Result<Vec<u8>>; N] {
    under_shared_lock(dir, || names.map(|name| read(dir, name)))
}

/// Runs `reads` holding `dir`'s shared lock: every file it reads comes from one commit, even
/// when what it reads second depends on what it read first.
pub fn under_shared_lock<T>(dir: &Path, reads: impl FnOnce() -> T) -> T {
    let _lock = SetLock::shared(dir);
    reads()
}

/// The length of `name` in `dir` as the last commit left it, before any byte is read.
pub fn len(dir: &Path, name: &str) -> io::Result<u64> {
    match committed_journal(dir).map(|pending| pending.join(name).metadata()) {
        Some(Ok(metadata)) => Ok(metadata.len()),
        _ => dir.join(name).metadata().map(|metadata| metadata.len()),
    }
}

/// The bytes of `name` in `dir` as the last commit left it (see the module docs).
pub fn read(dir: &Path, name: &str) -> io::Result<Vec<u8>> {
    if let Some(pending) = committed_journal(dir) {
        match read_file(&pending.join(name)) {
            Err(err) if err.kind() == io::ErrorKind::NotFound => {} // moved in step 3
            read => return read,
        }
    }
    read_file(&dir.join(name))
}

/// A regular file's bytes, as many as it had when opened: stepwise writes only regular files,
/// and a device put in their place (`/dev/zero`) could feed bytes forever.
fn read_file(path: &Path) -> io::Result<Vec<u8>> {
    let metadata = path.metadata()?;
    if !metadata.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    // A file larger than the memory the machine can give is not one stepwise wrote for a model
    // it can hold (a sparse file claims any size): refused before a byte is allocated.
    if let Some(available) = crate::machine::available().filter(|&free| metadata.len() > free) {
        return Err(io::Error::other(format!(
            "it is {}, more than the {} of memory available; it is not a file stepwise wrote",
            crate::machine::bytes(metadata.len() as f64),
            crate::machine::bytes(available as f64)
        )));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    io::Read::read_to_end(
        &mut io::Read::take(fs::File::open(path)?, metadata.len()),
        &mut bytes,
    )?;
    Ok(bytes)
}

/// Whether `name` exists in `dir` as the last commit left it.
pub fn exists(dir: &Path, name: &str) -> bool {
    committed_journal(dir).is_some_and(|pending| pending.join(name).exists())
        || dir.join(name).exists()
}

/// `.pending/` where it holds a committed set; never a link (whose files are not stepwise's).
fn committed_journal(dir: &Path) -> Option<PathBuf> {
    let pending = dir.join(PENDING);
    (!pending.is_symlink() && pending.join(COMMITTED).exists()).then_some(pending)
}

/// Finishes an update that reached its commit point, or discards one that did not.
pub(crate) fn recover_on(disk: &mut impl Disk, dir: &Path) -> Result<()> {
    let pending = dir.join(PENDING);
    if pending.is_symlink() {
        // Not stepwise's journal: a link to a folder elsewhere, whose files must not be moved.
        disk.remove_file(&pending)
            .with_context(|| format!("cannot remove the link {}", pending.display()))
    } else if pending.join(COMMITTED).exists() {
        finish(disk, dir)
    } else if pending.exists() {
        disk.remove_dir_all(&pending)
            .with_context(|| format!("cannot clear {}", pending.display()))
    } else {
        Ok(())
    }
}

/// Steps 3 and 4: move the committed files into place, make that durable, then drop the
/// journal — the marker last but the folder.
fn finish(disk: &mut impl Disk, dir: &Path) -> Result<()> {
    let pending = dir.join(PENDING);
    let mut moving = || -> io::Result<()> {
        let mut names: Vec<_> = fs::read_dir(&pending)?
            .map(|entry| entry.map(|entry| entry.file_name()))
            .collect::<io::Result<_>>()?;
        names.sort();
        for name in names.iter().filter(|name| *name != COMMITTED) {
            disk.rename(&pending.join(name), &dir.join(name))?;
        }
        disk.sync_dir(dir);
        disk.remove_file(&pending.join(COMMITTED))?;
        disk.remove_dir_all(&pending)?;
        disk.sync_dir(dir);
        Ok(())
    };
    moving().with_context(|| format!("cannot move the new files into {}", dir.display()))
}

/// Replaces one file at `path` so that a reader or a crash sees the old file or the new one,
/// never a half-written one: a temporary file beside it, fsynced, renamed over it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let temporary = temporary_beside(path);
    let disk = &mut RealDisk;
    let mut write = || -> io::Result<()> {
        disk.write_synced(&temporary, bytes)?;
        disk.rename(&temporary, path)?;
        disk.sync_dir(dir);
        Ok(())
    };
    write().map_err(|err| {
        fs::remove_file(&temporary).ok();
        anyhow::anyhow!("cannot write {}: {err}", path.display())
    })
}

fn temporary_beside(path: &Path) -> PathBuf {
    let name = path.file_name().map_or_else(
        || "artifact".into(),
        |name| name.to_string_lossy().into_owned(),
    );
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

#[cfg(test)]
#[path = "commit_tests.rs"]
mod tests;
