//! Files as the machine holds them: refusing a data file too big to load, opening one bounded
//! by its size, and the free space of a disk.

use std::path::Path;

use anyhow::{bail, Context, Result};

use super::bytes;

/// Bytes per f32.
const F32: f64 = 4.0;

/// Refuses a data file that cannot fit in memory once parsed: each value becomes an f32 (at
/// least 2 bytes of text, `1,`, per value) held in about three copies.
pub fn check_file(path: &Path, available: Option<u64>) -> Result<()> {
    let (Ok(metadata), Some(available)) = (path.metadata(), available) else {
        return Ok(());
    };
    let needed = metadata.len() as f64 / 2.0 * F32 * 3.0;
    if needed > available as f64 {
        bail!(
            "{} is {} on disk; loaded it would need about {}, but only {} of memory is \
             available; use a sample of the rows",
            path.display(),
            bytes(metadata.len() as f64),
            bytes(needed),
            bytes(available as f64)
        );
    }
    Ok(())
}

/// Opens a data or model file for reading, bounded by its size when opened: a device or a pipe
/// (`/dev/zero`) is refused, since it could feed bytes forever.
pub fn open_file(path: &Path) -> Result<std::io::Take<std::fs::File>> {
    let shown = path.display();
    let metadata = path
        .metadata()
        .with_context(|| format!("cannot read {shown}; check the path and its permissions"))?;
    if !metadata.is_file() {
        bail!(
            "{shown} is not a regular file (a folder, a device or a pipe); stepwise reads data \
             and models from files: save the data to a file first"
        );
    }
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot read {shown}; check the path and its permissions"))?;
    Ok(std::io::Read::take(file, metadata.len()))
}

/// Bytes available to this user on the disk holding `dir` (Unix; `None` elsewhere).
#[cfg(unix)]
pub fn free_space(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: `path` is a NUL-terminated string that outlives the call; `stats` is plain data
    // that statvfs fills in.
    let mut stats: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(path.as_ptr(), &mut stats) } != 0 {
        return None;
    }
    Some(stats.f_bavail as u64 * stats.f_frsize as u64)
}

#[cfg(not(unix))]
pub fn free_space(_dir: &Path) -> Option<u64> {
    None
}
