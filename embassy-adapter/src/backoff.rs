//! [`Backoff`]: exponential backoff with jitter, as a pure state machine. It never reads a
//! clock or an RNG: the caller passes the random word in and sleeps the delay it gets back.

use embassy_time::Duration;

/// The delays between reconnect attempts: `base`, doubling up to `max`, each with "equal
/// jitter" (a delay `d` becomes a uniform pick from `d/2 ..= d`), so that many devices
/// restarted together do not reconnect in step.
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
    base: Duration,
    max: Duration,
    max_attempts: Option<u32>,
    attempts: u32,
}

impl Backoff {
    /// 100 ms doubling up to 10 s, with no limit on the attempts.
    pub const DEFAULT: Backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(10));

    /// Delays from `base` doubling up to `max`, with no limit on the attempts.
    pub const fn new(base: Duration, max: Duration) -> Self {
        Self { base, max, max_attempts: None, attempts: 0 }
    }

    /// Gives up after `attempts` failed attempts ([`next_delay`](Self::next_delay) returns
    /// `None` then).
    #[must_use]
    pub const fn with_max_attempts(self, attempts: u32) -> Self {
        Self { max_attempts: Some(attempts), ..self }
    }

    /// Failed attempts counted since the last [`reset`](Self::reset).
    pub const fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Counts a failed attempt and returns how long to wait before the next one, or
    /// `None` when the attempts are used up. `random` is a uniformly random word from the
    /// caller's RNG.
    #[must_use = "sleep for the delay, or give up on None"]
    pub fn next_delay(&mut self, random: u32) -> Option<Duration> {
        self.attempts = self.attempts.saturating_add(1);
        if self.max_attempts.is_some_and(|max| self.attempts >= max) {
            return None;
        }
        let doublings = (self.attempts - 1).min(63);
        let ceiling = self.base.as_ticks().saturating_mul(1u64 << doublings).min(self.max.as_ticks());
        let floor = ceiling / 2;
        // `random` scaled onto floor..=ceiling (no modulo bias worth the name for delays).
        let span = ceiling - floor;
        let jitter = ((u128::from(span) + 1) * u128::from(random)) >> 32;
        Some(Duration::from_ticks(floor + jitter as u64))
    }

    /// Starts over after a success.
    pub fn reset(&mut self) {
        self.attempts = 0;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::DEFAULT
    }
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
    fn gives_up_after_max_attempts_and_starts_over_after_reset() {
        let mut backoff = Backoff::DEFAULT.with_max_attempts(3);
        assert!(backoff.next_delay(1).is_some());
        assert!(backoff.next_delay(1).is_some());
        assert_eq!(backoff.next_delay(1), None);
        backoff.reset();
        assert_eq!(backoff.next_delay(0), Some(MS(50)));
    }
}
