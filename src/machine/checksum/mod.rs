//! Checksums that notice a damaged file or changed data (no defence against a deliberately
//! forged one): xxHash64 (the twox-hash crate), for everything saved since format 4. Folders
//! saved before hold FNV-1a checksums, which are only read, to check them ([`checksum_for`],
//! `fnv.rs`).

use std::hash::Hasher;

use twox_hash::XxHash64;

pub mod fnv;

/// The first artifact format whose checksums are xxHash64.
pub const XXHASH_SINCE: u32 = 4;

/// A running checksum of bytes and of runs of numbers.
pub trait Digest: Hasher {
    /// Folds in a run of numbers, each a 64-bit word.
    fn write_words(&mut self, words: impl Iterator<Item = u64>);
}

/// xxHash64 with seed 0, as files and data are checksummed today.
pub struct Checksum(XxHash64);

impl Default for Checksum {
    fn default() -> Self {
        Checksum(XxHash64::with_seed(0))
    }
}

impl Hasher for Checksum {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }

    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

impl Digest for Checksum {
    /// The words' little-endian bytes, a few thousand at a time (xxHash64 reads 32 bytes a
    /// round, so its four lanes work side by side).
    fn write_words(&mut self, words: impl Iterator<Item = u64>) {
        let mut bytes = Vec::with_capacity(8 * 1024);
        for word in words {
            bytes.extend_from_slice(&word.to_le_bytes());
            if bytes.len() == bytes.capacity() {
                self.0.write(&bytes);
                bytes.clear();
            }
        }
        self.0.write(&bytes);
        self.0.write_u64(0); // the end of the run: a run and the bytes after it stay apart
    }
}

/// The checksum of `bytes`, in hex, as stepwise saves it today.
pub fn checksum(bytes: &[u8]) -> String {
    format!("{:016x}", XxHash64::oneshot(0, bytes))
}

/// The checksum of `bytes` as a folder of `format` recorded it: xxHash64 from format 4 on,
/// FNV-1a before.
pub fn checksum_for(format: u32, bytes: &[u8]) -> String {
    if format >= XXHASH_SINCE {
        checksum(bytes)
    } else {
        fnv::checksum(bytes)
    }
}

#[cfg(test)]
mod tests {
    use std::hash::Hasher;

    use super::*;

    #[test]
    fn checksums_are_xxhash64_from_format_4_and_fnv_before() {
        // xxHash64's own test vector: "" with seed 0.
        assert_eq!(checksum(b""), "ef46db3751d8e999");
        assert_eq!(checksum_for(XXHASH_SINCE, b"iris"), checksum(b"iris"));
        assert_eq!(checksum_for(3, b""), "cbf29ce484222325"); // FNV-1a's offset basis
        assert_ne!(checksum(b"iris"), checksum(b"irjs"));
    }

    #[test]
    fn a_run_of_words_is_not_the_bytes_written_around_it() {
        let digest = |words: &[u64], after: &[u8]| {
            let mut hash = Checksum::default();
            hash.write_words(words.iter().copied());
            hash.write(after);
            hash.finish()
        };
        let words: Vec<u64> = (0..3000)
            .map(|i: u64| i.wrapping_mul(0x9E37_79B9))
            .collect();
        let original = digest(&words, b"x");
        let mut changed = words.clone();
        changed[2999] ^= 1;
        assert_ne!(digest(&changed, b"x"), original);
        assert_ne!(digest(&words[..2999], b"x"), original);
        assert_ne!(digest(&words, b"y"), original);
    }
}
