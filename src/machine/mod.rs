//! The machine stepwise runs on: its memory (what is free, this process's peak, freed memory
//! handed back), its files (refusing one too big to load, reading one no further than its size,
//! a disk's free space), the estimate that refuses a run too big before it starts ([`budget`])
//! and the checksum of saved files ([`checksum`]).

pub mod budget;
pub mod checksum;
mod files;
mod memory;

pub use files::{check_file, free_space, open_file};
pub(crate) use memory::status_bytes;
pub use memory::{available, peak_rss, release, reset_peak_rss};

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
