//! A seeded xorshift generator: the chaos of [`Faults`](super::Faults) is the same on every
//! run with the same seed.

/// A xorshift64 generator (Marsaglia's 13/7/17 triple). Not for cryptography: only so that
/// a failing chaotic test fails again with the same seed.
///
/// ```
/// use ferrodis_test_support::harness::XorShift;
///
/// let (mut a, mut b) = (XorShift::new(42), XorShift::new(42));
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!((1..=8).contains(&(a.below(8) + 1)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XorShift {
    state: u64,
}

impl XorShift {
    /// A generator for `seed`. Xorshift is stuck at zero, so a zero seed is replaced by a
    /// fixed non-zero one.
    pub fn new(seed: u64) -> XorShift {
        XorShift { state: if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed } }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    /// A number in `0..n` (`n` at least 1; the modulo bias does not matter here).
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "XorShift::below(0): the range 0..0 is empty");
        (self.next_u64() % n as u64) as usize
    }

    /// True once in `n` draws on average.
    pub fn one_in(&mut self, n: u32) -> bool {
        self.below(n as usize) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::XorShift;

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let mut a = XorShift::new(7);
        let mut b = XorShift::new(7);
        let first: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        assert_eq!(first, (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        let mut c = XorShift::new(8);
        assert_ne!(first, (0..5).map(|_| c.next_u64()).collect::<Vec<_>>());
    }

    #[test]
    fn a_zero_seed_still_moves() {
        let mut rng = XorShift::new(0);
        assert_ne!(rng.next_u64(), 0);
    }

    #[test]
    fn below_stays_in_range_and_reaches_both_ends() {
        let mut rng = XorShift::new(1);
        let draws: Vec<usize> = (0..1000).map(|_| rng.below(4)).collect();
        assert!(draws.iter().all(|&d| d < 4));
        assert!(draws.contains(&0) && draws.contains(&3));
    }
}
