//! [`Backoff`]: the delays between reconnect attempts, counted against an optional limit.
//! The delays are the core's pure computation ([`ferrodis_core::retry::Delays`]); this
//! type only adds the attempt limit and `embassy-time` durations. It never reads a clock
//! or an RNG: the caller passes the random word in and sleeps the delay it gets back.

use embassy_time::{Duration, TICK_HZ};
use ferrodis_core::retry::{self, Delays};

/// The delays between reconnect attempts: by default (see [`new`](Self::new)) `base`,
/// doubling up to `max`, each with "equal jitter" (a delay `d` becomes a uniform pick from
/// `d/2 ..= d`), so that many devices restarted together do not reconnect in step. Any of
/// the core's strategies works ([`from_strategy`](Self::from_strategy)).
///
/// ```
/// use embassy_time::Duration;
/// use ferrodis_embassy::Backoff;
///
/// let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(2)).with_max_attempts(4);
/// // The random word picks where in d/2 ..= d each delay falls.
/// assert_eq!(backoff.next_delay(0), Some(Duration::from_millis(50)));
/// assert_eq!(backoff.next_delay(u32::MAX), Some(Duration::from_millis(200)));
/// assert!(backoff.next_delay(7).is_some());
/// assert_eq!(backoff.next_delay(7), None); // 4 attempts made: give up
/// backoff.reset();
/// assert_eq!(backoff.attempts(), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Backoff {
    delays: Delays,
    max_attempts: Option<u32>,
}

impl Backoff {
    /// 100 ms doubling up to 10 s, with no limit on the attempts.
    pub const DEFAULT: Backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(10));

    /// Delays from `base` doubling up to `max` with equal jitter
    /// ([`retry::Backoff::EqualJitter`]), with no limit on the attempts.
    pub const fn new(base: Duration, max: Duration) -> Self {
        Self::from_strategy(retry::Backoff::EqualJitter { base: to_core(base), cap: to_core(max) })
    }

    /// Delays as `strategy` computes them (full or decorrelated jitter, constant, ...),
    /// with no limit on the attempts. A delay longer than an `embassy-time` duration can
    /// hold is [`Duration::MAX`].
    ///
    /// ```
    /// use core::time::Duration;
    /// use ferrodis_embassy::Backoff;
    /// use ferrodis_embassy::core::retry;
    ///
    /// let strategy = retry::Backoff::DecorrelatedJitter { base: Duration::from_millis(100), cap: Duration::from_secs(5) };
    /// let mut backoff = Backoff::from_strategy(strategy);
    /// assert_eq!(backoff.next_delay(u32::MAX), Some(embassy_time::Duration::from_millis(300)));
    /// assert_eq!(backoff.strategy(), strategy);
    /// ```
    pub const fn from_strategy(strategy: retry::Backoff) -> Self {
        Self { delays: Delays::new(strategy), max_attempts: None }
    }

    /// Gives up after `attempts` failed attempts ([`next_delay`](Self::next_delay) returns
    /// `None` then).
    #[must_use]
    pub const fn with_max_attempts(self, attempts: u32) -> Self {
        Self { max_attempts: Some(attempts), ..self }
    }

    /// The strategy the delays come from.
    pub const fn strategy(&self) -> retry::Backoff {
        self.delays.backoff()
    }

    /// Failed attempts counted since the last [`reset`](Self::reset).
    pub const fn attempts(&self) -> u32 {
        self.delays.failures()
    }

    /// Counts a failed attempt and returns how long to wait before the next one, or
    /// `None` when the attempts are used up. `random` is a uniformly random word from the
    /// caller's RNG.
    #[must_use = "sleep for the delay, or give up on None"]
    pub fn next_delay(&mut self, random: u32) -> Option<Duration> {
        let delay = self.delays.next_delay(random);
        if self.max_attempts.is_some_and(|max| self.attempts() >= max) {
            return None;
        }
        Some(from_core(delay))
    }

    /// Starts over after a success.
    pub fn reset(&mut self) {
        self.delays.reset();
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::DEFAULT
    }
}

/// An `embassy-time` duration as the core's, rounded down to the nanosecond. Whole seconds
/// and the rest convert apart, so nothing overflows.
const fn to_core(d: Duration) -> core::time::Duration {
    let ticks = d.as_ticks();
    // Less than a second of ticks: its nanoseconds fit easily.
    let subsec = Duration::from_ticks(ticks % TICK_HZ).as_nanos();
    core::time::Duration::new(ticks / TICK_HZ, subsec as u32)
}

/// The core's duration as an `embassy-time` one, rounded up to a whole tick, or
/// [`Duration::MAX`] when it does not fit.
fn from_core(d: core::time::Duration) -> Duration {
    let subsec = Duration::from_micros(u64::from(d.subsec_micros()));
    Duration::try_from_secs(d.as_secs()).and_then(|secs| secs.checked_add(subsec)).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn doubles_up_to_the_ceiling_with_jitter_in_the_upper_half() {
        let mut backoff = Backoff::new(MS(100), MS(1000));
        // (random, expected delay) per attempt: the lowest, the highest, then a middle pick.
        let table = [
            (0, MS(50)),
            (u32::MAX, MS(200)),
            (0, MS(200)),
            (u32::MAX, MS(800)),
            (u32::MAX / 2, MS(750)),
            (0, MS(500)),
        ];
        for (attempt, (random, expected)) in table.into_iter().enumerate() {
            let delay = backoff.next_delay(random).unwrap();
            // Tick rounding: within one millisecond.
            let diff = delay.as_micros().abs_diff(expected.as_micros());
            assert!(diff <= 1000, "attempt {attempt}: {delay:?} != {expected:?}");
        }
        assert_eq!(backoff.attempts(), 6);
    }

    #[test]
    fn never_overflows() {
        let mut backoff = Backoff::new(Duration::from_secs(3600), Duration::from_secs(86_400));
        for _ in 0..200 {
            let delay = backoff.next_delay(u32::MAX).unwrap();
            assert!(delay <= Duration::from_secs(86_400));
        }
    }

    #[test]
    fn extremes_neither_overflow_nor_panic() {
        let mut backoff = Backoff::new(Duration::MAX, Duration::MAX);
        for _ in 0..70 {
            assert!(backoff.next_delay(u32::MAX).is_some());
        }
        let huge = retry::Backoff::Constant(core::time::Duration::MAX);
        assert_eq!(Backoff::from_strategy(huge).next_delay(0), Some(Duration::MAX));
        assert_eq!(Backoff::from_strategy(retry::Backoff::None).next_delay(9), Some(Duration::from_ticks(0)));
    }

    #[test]
    fn durations_convert_both_ways() {
        for ticks in [0, 1, 999_999, 1_000_000, 1_500_000, 86_400_000_000, u64::MAX / 2, u64::MAX] {
            let d = Duration::from_ticks(ticks);
            assert_eq!(from_core(to_core(d)), d, "{ticks} ticks");
        }
        assert_eq!(to_core(MS(1500)), core::time::Duration::from_millis(1500));
        assert_eq!(from_core(core::time::Duration::from_nanos(1)), Duration::from_ticks(0));
        assert_eq!(from_core(core::time::Duration::MAX), Duration::MAX);
    }

    #[test]
    fn takes_any_core_strategy() {
        let cap = core::time::Duration::from_millis(1000);
        let base = core::time::Duration::from_millis(100);
        let mut backoff =
            Backoff::from_strategy(retry::Backoff::FullJitter { base, cap }).with_max_attempts(3);
        assert_eq!(backoff.next_delay(0), Some(MS(0)));
        assert_eq!(backoff.next_delay(u32::MAX), Some(MS(200)));
        assert_eq!(backoff.next_delay(u32::MAX), None);
        assert_eq!(backoff.attempts(), 3);
        assert_eq!(Backoff::DEFAULT.strategy(), retry::Backoff::EqualJitter { base, cap: cap * 10 });
    }

    #[test]
    fn gives_up_after_max_attempts_and_starts_over_after_reset() {
        let mut backoff = Backoff::DEFAULT.with_max_attempts(3);
        assert!(backoff.next_delay(1).is_some());
        assert!(backoff.next_delay(1).is_some());
        assert_eq!(backoff.next_delay(1), None);
        backoff.reset();
        assert_eq!(backoff.next_delay(0), Some(MS(50)));
    }
}
