//! The machine: how much memory and disk it has free, what this process has used at its peak,
//! and reading files whose size is known before they are read. What `data` needs to refuse a file
//! too big to load, with nothing of the network in it ([`crate::memory`] estimates training).

use std::path::Path;

use anyhow::{bail, Context, Result};

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

/// Memory the system can give this process now (Linux: `MemAvailable` in /proc/meminfo); `None`
/// where that cannot be read. `STEPWISE_MEMORY_LIMIT` (bytes) overrides it, for tests and for
/// sharing a machine.
pub fn available() -> Option<u64> {
    if let Some(limit) = std::env::var("STEPWISE_MEMORY_LIMIT")
        .ok()
        .and_then(|text| text.parse().ok())
    {
        return Some(limit);
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo
        .lines()
        .find(|line| line.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The process's peak resident memory so far (Linux: `VmHWM`).
pub fn peak_rss() -> Option<u64> {
    status_bytes("VmHWM:")
}

/// Drops `value` and hands its memory back to the system at once. mimalloc otherwise keeps
/// freed pages for a while, and training's first allocations did not reuse them: a loaded
/// table let go before training still counted in the peak, with the epoch's shuffled copy on
/// top (1M rows: 289 MiB, against 216 MiB with this).
pub fn release<T>(value: T) {
    use libmimalloc_sys::{mi_collect, mi_option_get, mi_option_set, mi_option_t};
    /// `mi_option_purge_delay` in mimalloc.h (v3): milliseconds before free pages are returned.
    const PURGE_DELAY: mi_option_t = 15;
    // SAFETY: options and collection take no pointers; they decide when free pages go back.
    // The delay is read when pages are freed, so it is 0 while `value` is dropped.
    unsafe {
        let delay = mi_option_get(PURGE_DELAY);
        mi_option_set(PURGE_DELAY, 0);
        drop(value);
        mi_collect(true);
        mi_option_set(PURGE_DELAY, delay);
    }
}

/// Starts a new peak (Linux: writing 5 to clear_refs resets `VmHWM`).
pub fn reset_peak_rss() {
    std::fs::write("/proc/self/clear_refs", "5").ok();
}

/// A `kB` line of /proc/self/status, in bytes.
pub(crate) fn status_bytes(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with(key))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// `1.5 GiB`, `12.0 MiB`, `800 B`.
pub fn bytes(count: f64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = count;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value:.0} {}", UNITS[0])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(bytes(800.0), "800 B");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(bytes(3.0 * 1024.0 * 1024.0 * 1024.0), "3.0 GiB");
    }
}
