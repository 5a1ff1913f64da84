//! [`Backoff`]: how long to wait after a failure, as a pure function of the failures so far,
//! the previous delay and a random word; [`Delays`]: the state between one delay and the
//! next.

use core::time::Duration;

/// How long to wait before the next attempt: redis-py's backoff strategies, with the three
/// jitter variants as AWS's "Exponential Backoff And Jitter" article defines them.
///
/// With `e = min(cap, base · 2ⁿ⁻¹)` for the `n`-th failure (`base` for the first):
///
/// | strategy | delay after the `n`-th failure |
/// |---|---|
/// | [`None`](Self::None) | 0 |
/// | [`Constant(d)`](Self::Constant) | `d` |
/// | [`Exponential`](Self::Exponential) | `e` |
/// | [`FullJitter`](Self::FullJitter) | random in `0 ..= e` |
/// | [`EqualJitter`](Self::EqualJitter) | `e/2` + random in `0 ..= e/2` |
/// | [`DecorrelatedJitter`](Self::DecorrelatedJitter) | `min(cap, random in base ..= 3 · previous)`, `previous` starting at `base` |
///
/// [`delay`](Self::delay) reads no clock and no RNG: the caller passes a uniformly random
/// `u32` in. Whatever the inputs, it never panics or overflows (products saturate) and its
/// delay lies in `0 ..= `[`cap`](Self::cap). Delays are computed in whole microseconds.
///
/// ```
/// use core::time::Duration;
/// use ferrodis_core::retry::Backoff;
///
/// let ms = Duration::from_millis;
/// let backoff = Backoff::Exponential { base: ms(100), cap: ms(1000) };
/// let delays: [Duration; 5] = core::array::from_fn(|n| backoff.delay(n as u32 + 1, Duration::ZERO, 0));
/// assert_eq!(delays, [ms(100), ms(200), ms(400), ms(800), ms(1000)]);
///
/// // The random word picks where in its range a jittered delay falls.
/// let jittered = Backoff::EqualJitter { base: ms(100), cap: ms(1000) };
/// assert_eq!(jittered.delay(3, Duration::ZERO, 0), ms(200));
/// assert_eq!(jittered.delay(3, Duration::ZERO, u32::MAX), ms(400));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Backoff {
    /// No wait: the next attempt goes at once.
    None,
    /// The same delay every time.
    Constant(Duration),
    /// `base`, doubling after each failure up to `cap`, without jitter.
    Exponential {
        /// The first delay.
        base: Duration,
        /// The longest delay.
        cap: Duration,
    },
    /// A uniform pick from `0` to the exponential delay: the most spread out, so clients
    /// that failed together come back apart.
    FullJitter {
        /// The first delay's ceiling.
        base: Duration,
        /// The longest delay.
        cap: Duration,
    },
    /// A uniform pick from the upper half of the exponential delay: never much shorter
    /// than it, still spread out.
    EqualJitter {
        /// The first delay's ceiling.
        base: Duration,
        /// The longest delay.
        cap: Duration,
    },
    /// A uniform pick from `base` to three times the previous delay, capped: each delay
    /// grows from the last one actually waited rather than from the failure count.
    DecorrelatedJitter {
        /// The shortest delay, and the first one's starting point.
        base: Duration,
        /// The longest delay.
        cap: Duration,
    },
}

impl Backoff {
    /// How long to wait after the `failures`-th failure in a row (1 for the first; 0
    /// counts as 1). `previous` is the delay this backoff returned for the failure
    /// before, or [`Duration::ZERO`] for the first (only
    /// [`DecorrelatedJitter`](Self::DecorrelatedJitter) uses it); `random` is a uniformly
    /// random word from the caller's RNG. [`Delays`] keeps `failures` and `previous` for
    /// you.
    ///
    /// ```
    /// use core::time::Duration;
    /// use ferrodis_core::retry::Backoff;
    ///
    /// let ms = Duration::from_millis;
    /// let backoff = Backoff::DecorrelatedJitter { base: ms(100), cap: ms(1000) };
    /// // The lowest pick is always `base`, the highest three times the previous delay.
    /// assert_eq!(backoff.delay(2, ms(200), 0), ms(100));
    /// assert_eq!(backoff.delay(2, ms(200), u32::MAX), ms(600));
    /// assert_eq!(backoff.delay(3, ms(600), u32::MAX), ms(1000)); // capped
    /// ```
    #[must_use]
    pub fn delay(&self, failures: u32, previous: Duration, random: u32) -> Duration {
        let (base, cap) = self.bounds();
        let (base, cap) = (micros(base), micros(cap));
        // `None` and `Constant` are exponential from their only delay up to itself.
        let exponential = exponential(base, cap, failures);
        let micros = match self {
            Self::None | Self::Constant(_) | Self::Exponential { .. } => exponential,
            Self::FullJitter { .. } => pick(exponential, random),
            Self::EqualJitter { .. } => {
                let floor = exponential / 2;
                floor + pick(exponential - floor, random)
            }
            Self::DecorrelatedJitter { .. } => {
                let ceiling = micros(previous).max(base).saturating_mul(3);
                // `ceiling >= base`, and `pick` stays within `ceiling - base`.
                (base + pick(ceiling - base, random)).min(cap)
            }
        };
        Duration::from_micros(micros)
    }

    /// The longest delay this backoff can return: `cap`, or the constant delay
    /// (rounded down to whole microseconds).
    ///
    /// ```
    /// use core::time::Duration;
    /// use ferrodis_core::retry::Backoff;
    ///
    /// let cap = Duration::from_secs(2);
    /// assert_eq!(Backoff::FullJitter { base: Duration::from_millis(10), cap }.cap(), cap);
    /// assert_eq!(Backoff::None.cap(), Duration::ZERO);
    /// ```
    pub fn cap(&self) -> Duration {
        Duration::from_micros(micros(self.bounds().1))
    }

    /// `(base, cap)`: for `None` both zero, for `Constant` both its delay.
    const fn bounds(&self) -> (Duration, Duration) {
        match *self {
            Self::None => (Duration::ZERO, Duration::ZERO),
            Self::Constant(delay) => (delay, delay),
            Self::Exponential { base, cap }
            | Self::FullJitter { base, cap }
            | Self::EqualJitter { base, cap }
            | Self::DecorrelatedJitter { base, cap } => (base, cap),
        }
    }
}

/// `d` in whole microseconds, saturating at `u64::MAX` (about 584 000 years). In `u64`
/// arithmetic, where `Duration::as_micros` would take a 128-bit multiply. Out of line, as
/// is [`pick`]: one copy instead of one per strategy (a quarter less code on Cortex-M).
#[inline(never)]
fn micros(d: Duration) -> u64 {
    d.as_secs().saturating_mul(1_000_000).saturating_add(u64::from(d.subsec_micros()))
}

/// `min(cap, base · 2ⁿ⁻¹)` for the `n`-th failure, saturating (`base` and `cap` in
/// microseconds).
fn exponential(base: u64, cap: u64, failures: u32) -> u64 {
    let doublings = failures.saturating_sub(1);
    // A shift that would push out a set bit saturates.
    let doubled =
        if base == 0 || doublings < base.leading_zeros() { base << doublings.min(63) } else { u64::MAX };
    doubled.min(cap)
}

/// `random` scaled onto `0 ..= span`: `⌊(span + 1) · random / 2³²⌋`, in `u64` arithmetic
/// only (no 128-bit multiply on 32-bit MCUs). The bias for spans that are not a power of
/// two is below one part in 2³² of the span, nothing a delay would notice.
#[inline(never)]
fn pick(span: u64, random: u32) -> u64 {
    let scale = span.saturating_add(1);
    let random = u64::from(random);
    // (hi·2³² + lo)·r / 2³² = hi·r + lo·r / 2³²: exact, and below 2⁶⁴ since r < 2³².
    (scale >> 32) * random + (((scale & 0xFFFF_FFFF) * random) >> 32)
}

/// The delays of one [`Backoff`] over a run of failures, and the state between them: the
/// count of failures and the previous delay (which
/// [`DecorrelatedJitter`](Backoff::DecorrelatedJitter) grows from).
///
/// [`RetryPolicy`](super::RetryPolicy) uses it for the retries of one request; a
/// reconnect loop uses it directly (it is what `ferrodis-embassy`'s `Backoff` wraps).
///
/// ```
/// use core::time::Duration;
/// use ferrodis_core::retry::{Backoff, Delays};
///
/// let ms = Duration::from_millis;
/// let mut delays = Delays::new(Backoff::FullJitter { base: ms(100), cap: ms(1000) });
/// assert_eq!(delays.next_delay(u32::MAX), ms(100));
/// assert_eq!(delays.next_delay(u32::MAX), ms(200));
/// assert_eq!(delays.next_delay(0), Duration::ZERO);
/// assert_eq!(delays.failures(), 3);
/// delays.reset(); // after a success
/// assert_eq!(delays.next_delay(u32::MAX), ms(100));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Delays {
    backoff: Backoff,
    failures: u32,
    previous: Duration,
}

impl Delays {
    /// The delays of `backoff`, before any failure.
    pub const fn new(backoff: Backoff) -> Self {
        Self { backoff, failures: 0, previous: Duration::ZERO }
    }

    /// Counts a failure and returns how long to wait before the next attempt. `random` is
    /// a uniformly random word from the caller's RNG.
    #[must_use = "wait for the delay before the next attempt"]
    pub fn next_delay(&mut self, random: u32) -> Duration {
        self.failures = self.failures.saturating_add(1);
        self.previous = self.backoff.delay(self.failures, self.previous, random);
        self.previous
    }

    /// Failures counted since [`new`](Self::new) or the last [`reset`](Self::reset).
    pub const fn failures(&self) -> u32 {
        self.failures
    }

    /// The backoff the delays come from.
    pub const fn backoff(&self) -> Backoff {
        self.backoff
    }

    /// Starts over, as after a success: the next delay is the first one again.
    pub fn reset(&mut self) {
        *self = Self::new(self.backoff);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    /// Every strategy, each with `base` and `cap`.
    fn strategies(base: Duration, cap: Duration) -> [Backoff; 6] {
        [
            Backoff::None,
            Backoff::Constant(cap),
            Backoff::Exponential { base, cap },
            Backoff::FullJitter { base, cap },
            Backoff::EqualJitter { base, cap },
            Backoff::DecorrelatedJitter { base, cap },
        ]
    }

    /// Any duration, most of them in the range delays live in, some at the extremes.
    fn duration() -> impl Strategy<Value = Duration> {
        prop_oneof![
            4 => (0u64..=60_000_000).prop_map(Duration::from_micros),
            1 => any::<u64>().prop_map(Duration::from_micros),
            1 => (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
            1 => Just(Duration::MAX),
        ]
    }

    /// Any failure count, most of them small.
    fn failures() -> impl Strategy<Value = u32> {
        prop_oneof![4 => 0u32..80, 1 => any::<u32>()]
    }

    #[test]
    fn none_and_constant_ignore_the_inputs() {
        for (failures, previous, random) in
            [(1, MS(0), 0), (7, MS(5000), u32::MAX), (u32::MAX, Duration::MAX, 3)]
        {
            assert_eq!(Backoff::None.delay(failures, previous, random), Duration::ZERO);
            assert_eq!(Backoff::Constant(MS(250)).delay(failures, previous, random), MS(250));
        }
    }

    #[test]
    fn exponential_doubles_from_the_base_up_to_the_cap() {
        let backoff = Backoff::Exponential { base: MS(10), cap: MS(1000) };
        // (failures, delay): 0 counts as the first failure.
        let table = [(0, 10), (1, 10), (2, 20), (3, 40), (7, 640), (8, 1000), (64, 1000), (u32::MAX, 1000)];
        for (failures, expected) in table {
            assert_eq!(backoff.delay(failures, Duration::ZERO, 0), MS(expected), "failure {failures}");
        }
    }

    #[test]
    fn jitter_spans_its_whole_range() {
        let (base, cap) = (MS(100), MS(1000));
        // (strategy, failures, previous, delay with random 0, delay with random u32::MAX).
        let table = [
            (Backoff::FullJitter { base, cap }, 1, 0, 0, 100),
            (Backoff::FullJitter { base, cap }, 4, 0, 0, 800),
            (Backoff::FullJitter { base, cap }, 9, 0, 0, 1000),
            (Backoff::EqualJitter { base, cap }, 1, 0, 50, 100),
            (Backoff::EqualJitter { base, cap }, 4, 0, 400, 800),
            (Backoff::EqualJitter { base, cap }, 9, 0, 500, 1000),
            (Backoff::DecorrelatedJitter { base, cap }, 1, 0, 100, 300),
            (Backoff::DecorrelatedJitter { base, cap }, 2, 300, 100, 900),
            (Backoff::DecorrelatedJitter { base, cap }, 3, 900, 100, 1000),
        ];
        for (backoff, failures, previous, lowest, highest) in table {
            assert_eq!(backoff.delay(failures, MS(previous), 0), MS(lowest), "{backoff:?} {failures}");
            assert_eq!(
                backoff.delay(failures, MS(previous), u32::MAX),
                MS(highest),
                "{backoff:?} {failures}"
            );
        }
        // A middle word lands in the middle.
        let half = Backoff::FullJitter { base, cap }.delay(4, Duration::ZERO, 1 << 31);
        assert_eq!(half, Duration::from_micros(400_000));
    }

    #[test]
    fn extreme_inputs_neither_overflow_nor_panic() {
        let max = Duration::MAX;
        for backoff in strategies(max, max) {
            for failures in [0, 1, 63, 64, 65, u32::MAX] {
                for random in [0, 1, u32::MAX] {
                    let delay = backoff.delay(failures, max, random);
                    assert!(delay <= backoff.cap(), "{backoff:?}: {delay:?}");
                }
            }
        }
        // A cap below the base is the cap.
        for backoff in strategies(MS(500), MS(20)).into_iter().skip(2) {
            assert!(backoff.delay(1, Duration::ZERO, u32::MAX) <= MS(20), "{backoff:?}");
        }
    }

    #[test]
    fn delays_carry_the_previous_delay_and_start_over_on_reset() {
        let mut delays = Delays::new(Backoff::DecorrelatedJitter { base: MS(100), cap: MS(5000) });
        // The highest pick each time: 3·base, then three times the previous, up to the cap.
        let expected = [300, 900, 2700, 5000, 5000];
        for (n, ms) in expected.into_iter().enumerate() {
            assert_eq!(delays.next_delay(u32::MAX), MS(ms), "failure {}", n + 1);
        }
        assert_eq!(delays.failures(), 5);
        delays.reset();
        assert_eq!((delays.failures(), delays.next_delay(u32::MAX)), (0, MS(300)));
        assert_eq!(delays.backoff(), Backoff::DecorrelatedJitter { base: MS(100), cap: MS(5000) });
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

        #[test]
        fn every_delay_lies_between_zero_and_the_cap(
            base in duration(),
            cap in duration(),
            failures in failures(),
            previous in duration(),
            random in any::<u32>(),
        ) {
            for backoff in strategies(base, cap) {
                let delay = backoff.delay(failures, previous, random);
                prop_assert!(delay <= backoff.cap(), "{:?}: {:?}", backoff, delay);
                prop_assert!(delay <= cap, "{:?}: {:?}", backoff, delay);
            }
        }

        #[test]
        fn exponential_jitter_stays_under_the_exponential_delay(
            base in duration(),
            cap in duration(),
            failures in failures(),
            random in any::<u32>(),
        ) {
            let ceiling = Backoff::Exponential { base, cap }.delay(failures, Duration::ZERO, 0);
            let full = Backoff::FullJitter { base, cap }.delay(failures, Duration::ZERO, random);
            let equal = Backoff::EqualJitter { base, cap }.delay(failures, Duration::ZERO, random);
            prop_assert!(full <= ceiling);
            // Equal jitter: the upper half (to the microsecond).
            let half = Duration::from_micros(micros(ceiling) / 2);
            prop_assert!(half <= equal && equal <= ceiling, "{:?} not in {:?}..={:?}", equal, half, ceiling);
        }

        #[test]
        fn decorrelated_jitter_follows_its_recurrence(
            base in duration(),
            cap in duration(),
            failures in failures(),
            previous in duration(),
            random in any::<u32>(),
        ) {
            // min(cap, random in base ..= 3 · max(previous, base)), in microseconds.
            let delay = micros(Backoff::DecorrelatedJitter { base, cap }.delay(failures, previous, random));
            let (base, cap, previous) = (micros(base), micros(cap), micros(previous));
            let ceiling = previous.max(base).saturating_mul(3);
            prop_assert!(delay <= cap);
            prop_assert!(delay == cap || (base <= delay && delay <= ceiling), "{} with base {} ceiling {}", delay, base, ceiling);
        }

        #[test]
        fn jitter_grows_with_the_random_word(
            base in duration(),
            cap in duration(),
            failures in failures(),
            previous in duration(),
            a in any::<u32>(),
            b in any::<u32>(),
        ) {
            let (low, high) = (a.min(b), a.max(b));
            for backoff in strategies(base, cap) {
                prop_assert!(backoff.delay(failures, previous, low) <= backoff.delay(failures, previous, high));
            }
        }

        #[test]
        fn micros_saturate_where_as_micros_would_not_fit(d in duration()) {
            prop_assert_eq!(micros(d), u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
        }

        #[test]
        fn pick_is_the_exact_scaled_word(span in prop_oneof![any::<u64>(), 0u64..100_000, Just(u64::MAX)], random in any::<u32>()) {
            let exact = (u128::from(span.saturating_add(1)) * u128::from(random)) >> 32;
            prop_assert_eq!(u128::from(pick(span, random)), exact);
            prop_assert!(pick(span, random) <= span);
        }
    }
}
