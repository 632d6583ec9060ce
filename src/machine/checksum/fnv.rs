//! The checksums of folders saved before format 4, read only to check them: FNV-1a, 64 bits,
//! with runs of numbers through four lanes of xxHash64's round ([`Fnv::write_words`]). What
//! stepwise saves today is xxHash64 itself ([`super::checksum`]).

use std::hash::Hasher;

use super::Digest;

/// The running checksum: FNV-1a of the bytes written so far, and xxHash64-style lanes folded
/// in for runs of numbers ([`Fnv::write_words`]).
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

impl Digest for Fnv {
    /// Folds `words` in: four lanes take turns, so their multiplications do not wait on one
    /// another, 8 bytes at a time. Byte-wise FNV waits on one multiplication per byte, and took
    /// 120 ms for the cells of a million rows × 21 columns, longer than encoding them.
    fn write_words(&mut self, words: impl Iterator<Item = u64>) {
        // xxHash64's primes, round and lane seeds.
        const P1: u64 = 0x9E37_79B1_85EB_CA87;
        const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
        let mut lanes = [P1.wrapping_add(P2), P2, 0, P1.wrapping_neg()];
        let mut count = 0_u64;
        for (i, word) in words.enumerate() {
            let lane = &mut lanes[i % 4];
            *lane = lane
                .wrapping_add(word.wrapping_mul(P2))
                .rotate_left(31)
                .wrapping_mul(P1);
            count += 1;
        }
        for lane in lanes.into_iter().chain([count]) {
            self.write(&lane.to_le_bytes());
        }
    }
}

/// The checksum of `bytes`, in hex.
pub fn checksum(bytes: &[u8]) -> String {
    let mut hash = Fnv::default();
    hash.write(bytes);
    format!("{:016x}", hash.finish())
}

#[cfg(test)]
mod tests {
    use std::hash::Hasher;

    use super::Fnv;
    use crate::machine::checksum::Digest;

    fn checksum(words: &[u64]) -> u64 {
        let mut hash = Fnv::default();
        hash.write_words(words.iter().copied());
        hash.finish()
    }

    #[test]
    fn any_changed_bit_swapped_pair_or_extra_word_changes_the_checksum_of_words() {
        let words: Vec<u64> = (0..1001)
            .map(|i: u64| i.wrapping_mul(0x9E37_79B9))
            .collect();
        let original = checksum(&words);
        for at in [0, 1, 2, 3, 4, 500, 1000] {
            for bit in [0, 22, 31, 32, 63] {
                let mut changed = words.clone();
                changed[at] ^= 1 << bit;
                assert_ne!(checksum(&changed), original, "bit {bit} of word {at}");
            }
        }
        // Two sign bits in one lane: a multiplication alone would let them cancel.
        let mut signs = words.clone();
        signs[0] ^= 1 << 63;
        signs[4] ^= 1 << 63;
        assert_ne!(checksum(&signs), original);
        let mut swapped = words.clone();
        swapped.swap(0, 4);
        assert_ne!(checksum(&swapped), original);
        assert_ne!(checksum(&words[..1000]), original);
        assert_ne!(checksum(&[words.clone(), vec![0]].concat()), original);
    }
}
