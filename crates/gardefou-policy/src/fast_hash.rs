//! One small, fast hasher for the tables gardefou builds from the operator's own files.

/// FNV-1a, for hash tables keyed by what the operator's own files hold (the servers a
/// policy lists, the fingerprints a registry holds): not an adversary's input, and each key
/// is hashed once per entry, so a keyed hasher would only cost time (a policy of 80,000
/// hosts, `docs/benchmarks.md`). Not for keys an attacker chooses.
#[derive(Clone, Copy, Debug, Default)]
pub struct FastHash;

impl std::hash::BuildHasher for FastHash {
    type Hasher = FastHasher;
    fn build_hasher(&self) -> FastHasher {
        FastHasher(0xcbf2_9ce4_8422_2325)
    }
}

/// The state of [`FastHash`].
#[derive(Debug)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    #[test]
    fn it_is_fnv_1a() {
        // The published FNV-1a 64-bit value of "a".
        assert_eq!(super::FastHash.hash_one(b"a"[0]), 0xaf63_dc4c_8601_ec8c);
    }
}
