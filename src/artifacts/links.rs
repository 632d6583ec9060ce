//! A model folder may come from someone else (a download, a shared drive), so a name in it may be
//! a symbolic link to a file anywhere. stepwise never writes through one: its own files are
//! opened with `O_NOFOLLOW` (a link there is an error, not a path to follow), and a folder whose
//! own names are links is refused before a run starts. Renaming a new file over a link replaces
//! the link itself, so the commit's renames need nothing more.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

use anyhow::{bail, Result};

/// Opens `path` with `options`, failing (rather than following) where `path` is a symbolic link,
/// and failing at once (rather than waiting for a writer) where it is a pipe or a device.
pub(crate) fn open_own(options: &mut OpenOptions, path: &Path) -> io::Result<File> {
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(options, libc::O_NOFOLLOW | libc::O_NONBLOCK);
    let file = options.open(path).map_err(|err| {
        if is_link(path) {
            io::Error::other(format!(
                "{} is a symbolic link; stepwise does not write through links in a model \
                 folder: remove it",
                path.display()
            ))
        } else {
            err
        }
    })?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other(format!(
            "{} is not a regular file (a pipe or a device); stepwise keeps only its own files \
             there: remove it",
            path.display()
        )));
    }
    Ok(file)
}

/// Creates `path` afresh and writes `bytes` into it, fsynced; an old file or link of that name
/// is removed first (the link itself, never its target).
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
        _ => {}
    }
    let mut file = open_own(OpenOptions::new().write(true).create_new(true), path)?;
    io::Write::write_all(&mut file, bytes)?;
    file.sync_all()
}

/// Makes the folder `path`, refusing a link in its place (which would put the files elsewhere).
pub(crate) fn create_own_dir(path: &Path) -> io::Result<()> {
    if is_link(path) {
        return Err(io::Error::other(format!(
            "{} is a symbolic link; stepwise keeps its own folders in a model folder, not links: \
             remove it",
            path.display()
        )));
    }
    std::fs::create_dir_all(path)
}

/// Refuses `dir` where one of `names` in it is a symbolic link.
pub(crate) fn refuse_links(dir: &Path, names: &[&str]) -> Result<()> {
    if let Some(name) = names.iter().find(|name| is_link(&dir.join(name))) {
        bail!(
            "{} is a symbolic link; stepwise writes its own files in a model folder and never \
             through a link: remove the link, or choose another folder with --out",
            dir.join(name).display()
        );
    }
    Ok(())
}

fn is_link(path: &Path) -> bool {
    path.symlink_metadata()
        .is_ok_and(|metadata| metadata.file_type().is_symlink())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::symlink;

    fn folder(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("stepwise-links-{name}-{}", std::process::id()));
        fs::remove_dir_all(&dir).ok();
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_link_is_never_opened_through() {
        let dir = folder("open");
        fs::write(dir.join("victim"), b"precious").unwrap();
        symlink(dir.join("victim"), dir.join("own")).unwrap();
        let opened = open_own(
            OpenOptions::new().write(true).create(true),
            &dir.join("own"),
        );
        assert!(opened
            .unwrap_err()
            .to_string()
            .contains("is a symbolic link"));
        assert_eq!(fs::read(dir.join("victim")).unwrap(), b"precious");
    }

    #[test]
    fn a_new_file_replaces_the_link_not_its_target() {
        let dir = folder("new");
        fs::write(dir.join("victim"), b"precious").unwrap();
        symlink(dir.join("victim"), dir.join("own")).unwrap();
        symlink(dir.join("nowhere"), dir.join("dangling")).unwrap();
        write_new(&dir.join("own"), b"ours").unwrap();
        write_new(&dir.join("dangling"), b"ours").unwrap();
        assert_eq!(fs::read(dir.join("victim")).unwrap(), b"precious");
        assert_eq!(fs::read(dir.join("own")).unwrap(), b"ours");
        assert!(!dir.join("nowhere").exists());
    }

    #[test]
    fn a_pipe_is_refused_at_once_not_waited_on() {
        let dir = folder("pipe");
        let pipe = dir.join("lock");
        let path = std::ffi::CString::new(pipe.to_str().unwrap()).unwrap();
        // SAFETY: a NUL-terminated path that outlives the call.
        assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
        let opened = open_own(OpenOptions::new().read(true), &pipe);
        assert!(opened
            .unwrap_err()
            .to_string()
            .contains("not a regular file"));
    }

    #[test]
    fn a_linked_folder_is_not_made_or_used() {
        let dir = folder("dir");
        fs::create_dir(dir.join("elsewhere")).unwrap();
        symlink(dir.join("elsewhere"), dir.join("checkpoint")).unwrap();
        assert!(create_own_dir(&dir.join("checkpoint")).is_err());
        let refused = refuse_links(&dir, &["model.bpk", "checkpoint"]).unwrap_err();
        assert!(refused
            .to_string()
            .contains("checkpoint is a symbolic link"));
    }
}
