//! FNV-1a, 64 bits: a checksum to notice a damaged file or changed data (no defence against a
//! deliberately forged one).

use std::hash::Hasher;

/// The running FNV-1a hash of the bytes written so far.
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The checksum of `bytes`, in hex.
pub fn checksum(bytes: &[u8]) -> String {
    let mut hash = Fnv::default();
    hash.write(bytes);
    format!("{:016x}", hash.finish())
}
