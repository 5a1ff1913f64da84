//! A tiny deterministic pseudo-random generator (SplitMix64), so every run, machine and
//! implementation sees exactly the same corpus.

/// SplitMix64: fast, and good enough to vary sizes and contents; not for anything secret.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator that starts from `seed`.
    pub(crate) const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`); the slight modulo bias does not matter here.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// A number in `lo..=hi`.
    pub(crate) fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below((hi - lo + 1) as u64) as usize
    }

    /// Appends `len` random lowercase letters and digits to `out`.
    pub(crate) fn fill_text(&mut self, out: &mut Vec<u8>, len: usize) {
        const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        out.reserve(len);
        let mut bits = 0u64;
        for i in 0..len {
            // Ten characters from each 64-bit draw (6 bits each).
            if i % 10 == 0 {
                bits = self.next_u64();
            }
            out.push(ALPHABET[(bits & 63) as usize % ALPHABET.len()]);
            bits >>= 6;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_in_range() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..1000 {
            let x = a.between(3, 9);
            assert_eq!(x, b.between(3, 9));
            assert!((3..=9).contains(&x));
        }
        let mut text = Vec::new();
        a.fill_text(&mut text, 33);
        assert_eq!(text.len(), 33);
        assert!(text.iter().all(u8::is_ascii_alphanumeric));
    }
}
