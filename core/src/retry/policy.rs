//! [`RetryPolicy`]: which failures of a request are sent again, how often and after what
//! delay; [`Retry`]: the state machine of one request's retries, with its [`Decision`]s.

use core::time::Duration;

use super::{Backoff, Delays, ErrorClass, RetryOn};
use crate::error::{Delivery, Error};

/// When a failed request is sent again: the [`Backoff`] between attempts, how many
/// retries it gets, which [`ErrorClass`]es it applies to (connection errors unless told
/// otherwise) and, optionally, a time budget for all its attempts together.
///
/// A request whose fate is unknown ([`Delivery::Unknown`]: written, then the connection
/// failed before the reply) is retried only when the caller marked it idempotent
/// ([`Retry::mark_idempotent`], see [`is_safe_to_retry`](super::is_safe_to_retry)); one
/// that was never sent, or that the server refused with an error reply of a chosen kind,
/// may always go again.
///
/// The policy is a `Copy` value; [`begin`](Self::begin) starts the [`Retry`] state of one
/// request.
///
/// ```
/// use core::time::Duration;
/// use ferrodis_core::error::ServerErrorKind;
/// use ferrodis_core::retry::{Backoff, ErrorClass, RetryOn, RetryPolicy};
///
/// let ms = Duration::from_millis;
/// // redis-py: Retry(EqualJitterBackoff(cap=2, base=0.05), 5), retry_on_timeout=True,
/// // retry_on_error=[BusyLoadingError]
/// let policy = RetryPolicy::new(Backoff::EqualJitter { base: ms(50), cap: ms(2000) }, 5)
///     .retry_on_timeout(true)
///     .retry_on_error(RetryOn::server(ServerErrorKind::Loading))
///     .with_time_budget(Duration::from_secs(10));
/// assert!(policy.applies_to(ErrorClass::Connection));
/// assert!(policy.applies_to(ErrorClass::Timeout));
/// assert!(policy.applies_to(ErrorClass::Server(ServerErrorKind::Loading)));
/// assert!(!policy.applies_to(ErrorClass::Server(ServerErrorKind::WrongType)));
/// assert_eq!(policy.retries(), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RetryPolicy {
    backoff: Backoff,
    retries: u32,
    retry_on: RetryOn,
    time_budget: Option<Duration>,
}

impl RetryPolicy {
    /// Three retries of connection errors, with equal jitter from 100 ms doubling up to
    /// 10 s (so 50–100 ms, 100–200 ms, 200–400 ms), and no time budget.
    pub const DEFAULT: Self =
        Self::new(Backoff::EqualJitter { base: Duration::from_millis(100), cap: Duration::from_secs(10) }, 3);

    /// No retries: every failure goes to the caller.
    pub const NEVER: Self = Self::new(Backoff::None, 0);

    /// `retries` retries (after the first attempt: `retries + 1` attempts in all, as
    /// redis-py counts them) of connection errors, waiting as `backoff` says, with no
    /// time budget. `u32::MAX` retries is as good as unlimited.
    pub const fn new(backoff: Backoff, retries: u32) -> Self {
        Self { backoff, retries, retry_on: RetryOn::CONNECTION, time_budget: None }
    }

    /// Whether timeouts are retried too (redis-py's `retry_on_timeout`; off by default: a
    /// timed out request may have run, and the server may be slow, not gone).
    #[must_use]
    pub const fn retry_on_timeout(self, retry: bool) -> Self {
        let retry_on = if retry {
            self.retry_on.union(RetryOn::TIMEOUT)
        } else {
            self.retry_on.without(RetryOn::TIMEOUT)
        };
        Self { retry_on, ..self }
    }

    /// Retries the failures of `classes` too (redis-py's `retry_on_error`, which adds to
    /// the classes retried already).
    #[must_use]
    pub const fn retry_on_error(self, classes: RetryOn) -> Self {
        Self { retry_on: self.retry_on.union(classes), ..self }
    }

    /// Retries the failures of `classes` and no others (not even connection errors,
    /// unless `classes` has them).
    #[must_use]
    pub const fn retry_only_on(self, classes: RetryOn) -> Self {
        Self { retry_on: classes, ..self }
    }

    /// Gives up once the next attempt would start more than `budget` after the first one,
    /// whatever retries are left.
    #[must_use]
    pub const fn with_time_budget(self, budget: Duration) -> Self {
        Self { time_budget: Some(budget), ..self }
    }

    /// The backoff between attempts.
    pub const fn backoff(&self) -> Backoff {
        self.backoff
    }

    /// How many times a request may be sent again.
    pub const fn retries(&self) -> u32 {
        self.retries
    }

    /// The failure classes retried.
    pub const fn retry_on(&self) -> RetryOn {
        self.retry_on
    }

    /// Whether failures of `class` are retried (delivery and budget permitting).
    pub const fn applies_to(&self, class: ErrorClass) -> bool {
        self.retry_on.contains(class)
    }

    /// The time all attempts of a request may take, if limited.
    pub const fn time_budget(&self) -> Option<Duration> {
        self.time_budget
    }

    /// The retry state of one request whose first attempt starts at `now` (the caller's
    /// monotonic clock, as time since any fixed origin: boot, process start). The request
    /// is taken not to be idempotent; see [`Retry::mark_idempotent`].
    pub const fn begin(&self, now: Duration) -> Retry {
        let deadline = match self.time_budget {
            Some(budget) => Some(now.saturating_add(budget)),
            None => None,
        };
        Retry { policy: *self, delays: Delays::new(self.backoff), idempotent: false, deadline }
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The retries of one request under a [`RetryPolicy`]: feed it each failure
/// ([`on_failure`](Self::on_failure) or [`on_error`](Self::on_error)) and it says whether
/// to send the request again and after what delay. It reads no clock and no RNG: `now`
/// and the random word come in with each failure.
///
/// ```
/// use core::time::Duration;
/// use ferrodis_core::Delivery;
/// use ferrodis_core::retry::{is_safe_to_retry, Decision, ErrorClass, GiveUpReason, RetryPolicy};
///
/// let policy = RetryPolicy::DEFAULT; // 3 retries of connection errors
/// let args = ["GET", "sensor:7"];
/// let mut retry = policy.begin(Duration::ZERO);
/// if is_safe_to_retry(&args) {
///     retry = retry.mark_idempotent();
/// }
/// // The connection reset after the request was written: GET may go again.
/// let now = Duration::from_secs(1);
/// let Decision::RetryAfter(delay) = retry.on_failure(ErrorClass::Connection, Delivery::Unknown, now, 0) else {
///     panic!("GET is retried");
/// };
/// assert_eq!(delay, Duration::from_millis(50));
///
/// // INCR may have run: it is not sent again.
/// let mut incr = policy.begin(Duration::ZERO);
/// assert_eq!(
///     incr.on_failure(ErrorClass::Connection, Delivery::Unknown, now, 0),
///     Decision::GiveUp(GiveUpReason::MayHaveRun)
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Retry {
    policy: RetryPolicy,
    delays: Delays,
    idempotent: bool,
    deadline: Option<Duration>,
}

impl Retry {
    /// Marks the request idempotent (running it twice does what running it once does),
    /// so that it is sent again even when an attempt may have reached the server. See
    /// [`is_safe_to_retry`](super::is_safe_to_retry) for which commands are.
    #[must_use]
    pub const fn mark_idempotent(self) -> Self {
        Self { idempotent: true, ..self }
    }

    /// Whether the request was marked idempotent.
    pub const fn is_idempotent(&self) -> bool {
        self.idempotent
    }

    /// Failed attempts so far.
    pub const fn failures(&self) -> u32 {
        self.delays.failures()
    }

    /// The policy it follows.
    pub const fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Call when an attempt failed with a failure of `class` and `delivery` (see
    /// [`ErrorClass::of`] and [`Error::delivery`]), at `now` (the clock
    /// [`RetryPolicy::begin`] was given), with a uniformly random word from the caller's
    /// RNG. Returns whether to send the request again (after sleeping the delay) or to
    /// give up and return this failure's error to the caller.
    ///
    /// The rules, in order: the class must be one the policy retries; a request that may
    /// have reached the server ([`Delivery::Unknown`]) must be marked idempotent; a retry
    /// must be left; the next attempt must start within the time budget. A failure with
    /// [`Delivery::Answered`] is an error reply: the server refused the command, so it
    /// may go again when the policy retries that kind.
    #[must_use = "sleep for the delay and send again, or give up and return the error"]
    pub fn on_failure(
        &mut self,
        class: ErrorClass,
        delivery: Delivery,
        now: Duration,
        random: u32,
    ) -> Decision {
        let delay = self.delays.next_delay(random);
        let reason = if !self.policy.applies_to(class) {
            GiveUpReason::NotRetried
        } else if delivery == Delivery::Unknown && !self.idempotent {
            GiveUpReason::MayHaveRun
        } else if self.delays.failures() > self.policy.retries {
            GiveUpReason::RetriesSpent
        } else if self.deadline.is_some_and(|deadline| now.saturating_add(delay) > deadline) {
            GiveUpReason::OutOfTime
        } else {
            return Decision::RetryAfter(delay);
        };
        Decision::GiveUp(reason)
    }

    /// [`on_failure`](Self::on_failure) for a connection error: its class
    /// ([`ErrorClass::of`]) and its delivery.
    ///
    /// ```
    /// use core::time::Duration;
    /// use embedded_io::ErrorKind as Io;
    /// use ferrodis_core::retry::{Decision, GiveUpReason, RetryPolicy};
    /// use ferrodis_core::{Delivery, Error, ErrorKind};
    ///
    /// let mut retry = RetryPolicy::DEFAULT.begin(Duration::ZERO);
    /// let refused = Error::new(ErrorKind::Io(Io::ConnectionRefused), Delivery::NotSent);
    /// assert!(matches!(retry.on_error(&refused, Duration::ZERO, 7), Decision::RetryAfter(_)));
    /// let timed_out = Error::new(ErrorKind::Io(Io::TimedOut), Delivery::NotSent);
    /// let decision = retry.on_error(&timed_out, Duration::ZERO, 7);
    /// assert_eq!(decision, Decision::GiveUp(GiveUpReason::NotRetried)); // no retry_on_timeout
    /// ```
    #[must_use = "sleep for the delay and send again, or give up and return the error"]
    pub fn on_error<E: embedded_io::Error>(
        &mut self,
        error: &Error<E>,
        now: Duration,
        random: u32,
    ) -> Decision {
        self.on_failure(ErrorClass::of(error.kind()), error.delivery(), now, random)
    }
}

/// What [`Retry::on_failure`] says to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[must_use]
pub enum Decision {
    /// Wait this long, then send the request again (on a new connection if the failure
    /// broke the old one).
    RetryAfter(Duration),
    /// Stop: return the failure's error to the caller.
    GiveUp(GiveUpReason),
}

impl Decision {
    /// The delay before the next attempt, or `None` to give up.
    pub const fn delay(&self) -> Option<Duration> {
        match self {
            Self::RetryAfter(delay) => Some(*delay),
            Self::GiveUp(_) => None,
        }
    }
}

/// Why [`Retry::on_failure`] gave up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum GiveUpReason {
    /// The policy does not retry failures of this class.
    NotRetried,
    /// The request may have run on the server ([`Delivery::Unknown`]) and it was not
    /// marked idempotent.
    MayHaveRun,
    /// Every retry the policy allows was made.
    RetriesSpent,
    /// The next attempt would start after the policy's time budget ran out.
    OutOfTime,
}

impl GiveUpReason {
    /// A static description, usable without formatting machinery.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::NotRetried => "the retry policy does not retry this kind of failure",
            Self::MayHaveRun => "the request may have run and is not marked idempotent",
            Self::RetriesSpent => "no retries left",
            Self::OutOfTime => "the retry time budget ran out",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ServerErrorKind;
    use proptest::prelude::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;
    const T0: Duration = Duration::from_secs(100);

    fn give_up(reason: GiveUpReason) -> Decision {
        Decision::GiveUp(reason)
    }

    #[test]
    fn decides_by_class_delivery_and_idempotence() {
        use Delivery::{Answered, NotSent, Unknown};
        use GiveUpReason::{MayHaveRun, NotRetried};
        let loading = ErrorClass::Server(ServerErrorKind::Loading);
        let wrongtype = ErrorClass::Server(ServerErrorKind::WrongType);
        let policy = RetryPolicy::new(Backoff::Constant(MS(10)), 3).retry_on_error(RetryOn::UNAVAILABLE);
        let retry = Decision::RetryAfter(MS(10));
        // (class, delivery, idempotent, decision)
        let table = [
            (ErrorClass::Connection, NotSent, false, retry),
            (ErrorClass::Connection, NotSent, true, retry),
            (ErrorClass::Connection, Unknown, false, give_up(MayHaveRun)),
            (ErrorClass::Connection, Unknown, true, retry),
            (ErrorClass::Timeout, NotSent, true, give_up(NotRetried)),
            (ErrorClass::Timeout, Unknown, true, give_up(NotRetried)),
            (loading, Answered, false, retry),
            (loading, Answered, true, retry),
            (wrongtype, Answered, true, give_up(NotRetried)),
            (ErrorClass::Permanent, NotSent, true, give_up(NotRetried)),
            (ErrorClass::Permanent, Unknown, true, give_up(NotRetried)),
            (ErrorClass::Permanent, Answered, true, give_up(NotRetried)),
        ];
        for (class, delivery, idempotent, expected) in table {
            let mut state = policy.begin(T0);
            if idempotent {
                state = state.mark_idempotent();
            }
            assert_eq!(state.is_idempotent(), idempotent);
            let decision = state.on_failure(class, delivery, T0, 0);
            assert_eq!(decision, expected, "{class:?} {delivery:?} idempotent: {idempotent}");
        }
    }

    #[test]
    fn timeouts_are_retried_only_with_retry_on_timeout() {
        let with = RetryPolicy::DEFAULT.retry_on_timeout(true);
        assert!(with.applies_to(ErrorClass::Timeout) && with.applies_to(ErrorClass::Connection));
        let mut state = with.begin(T0).mark_idempotent();
        assert!(state.on_failure(ErrorClass::Timeout, Delivery::Unknown, T0, 0).delay().is_some());
        // A timed out request not marked idempotent may have run.
        let mut state = with.begin(T0);
        let decision = state.on_failure(ErrorClass::Timeout, Delivery::Unknown, T0, 0);
        assert_eq!(decision, give_up(GiveUpReason::MayHaveRun));
        let without = with.retry_on_timeout(false);
        assert!(!without.applies_to(ErrorClass::Timeout) && without.applies_to(ErrorClass::Connection));
        assert_eq!(without, RetryPolicy::DEFAULT);
    }

    #[test]
    fn retry_only_on_replaces_the_classes() {
        let policy = RetryPolicy::DEFAULT.retry_only_on(RetryOn::server(ServerErrorKind::TryAgain));
        assert!(!policy.applies_to(ErrorClass::Connection));
        assert!(policy.applies_to(ErrorClass::Server(ServerErrorKind::TryAgain)));
        assert_eq!(policy.retry_on(), RetryOn::server(ServerErrorKind::TryAgain));
        let mut state = policy.begin(T0);
        let decision = state.on_failure(ErrorClass::Connection, Delivery::NotSent, T0, 0);
        assert_eq!(decision, give_up(GiveUpReason::NotRetried));
    }

    #[test]
    fn gives_up_once_the_retries_are_spent() {
        for retries in [0, 1, 3, 10] {
            let mut state = RetryPolicy::new(Backoff::None, retries).begin(T0);
            for n in 0..retries {
                let decision = state.on_failure(ErrorClass::Connection, Delivery::NotSent, T0, 0);
                assert_eq!(decision, Decision::RetryAfter(Duration::ZERO), "retry {n} of {retries}");
            }
            let decision = state.on_failure(ErrorClass::Connection, Delivery::NotSent, T0, 0);
            assert_eq!(decision, give_up(GiveUpReason::RetriesSpent), "{retries} retries");
            assert_eq!(state.failures(), retries + 1);
        }
        let mut never = RetryPolicy::NEVER.begin(T0);
        let decision = never.on_failure(ErrorClass::Connection, Delivery::NotSent, T0, 0);
        assert_eq!(decision, give_up(GiveUpReason::RetriesSpent));
    }

    #[test]
    fn gives_up_when_the_next_attempt_would_start_after_the_budget() {
        let backoff = Backoff::Exponential { base: MS(100), cap: MS(10_000) };
        let policy = RetryPolicy::new(backoff, 100).with_time_budget(MS(1000));
        assert_eq!(policy.time_budget(), Some(MS(1000)));
        let mut state = policy.begin(T0);
        let mut now = T0;
        // Each attempt fails at once: 100 + 200 + 400 ms fit in the second, the next 800 do not.
        for expected in [100, 200, 400] {
            let decision = state.on_failure(ErrorClass::Connection, Delivery::NotSent, now, 0);
            assert_eq!(decision, Decision::RetryAfter(MS(expected)));
            now += MS(expected);
        }
        let decision = state.on_failure(ErrorClass::Connection, Delivery::NotSent, now, 0);
        assert_eq!(decision, give_up(GiveUpReason::OutOfTime));
        // Exactly at the deadline is still in time.
        let mut state = RetryPolicy::new(Backoff::Constant(MS(500)), 5).with_time_budget(MS(500)).begin(T0);
        assert_eq!(
            state.on_failure(ErrorClass::Connection, Delivery::NotSent, T0, 0),
            Decision::RetryAfter(MS(500))
        );
        // A clock near its end saturates instead of overflowing: the deadline is the end.
        let mut late = RetryPolicy::DEFAULT.with_time_budget(MS(1)).begin(Duration::MAX);
        assert!(
            late.on_failure(ErrorClass::Connection, Delivery::NotSent, Duration::MAX, 0).delay().is_some()
        );
    }

    #[test]
    fn decorrelated_delays_grow_from_the_previous_one() {
        let backoff = Backoff::DecorrelatedJitter { base: MS(10), cap: MS(1000) };
        let mut state = RetryPolicy::new(backoff, 10).begin(T0);
        let delays: [Option<Duration>; 6] = core::array::from_fn(|_| {
            state.on_failure(ErrorClass::Connection, Delivery::NotSent, T0, u32::MAX).delay()
        });
        assert_eq!(delays, [30, 90, 270, 810, 1000, 1000].map(|ms| Some(MS(ms))));
    }

    #[test]
    fn reasons_and_accessors() {
        assert_eq!(GiveUpReason::RetriesSpent.as_str(), "no retries left");
        assert_eq!(RetryPolicy::default(), RetryPolicy::DEFAULT);
        assert_eq!(RetryPolicy::DEFAULT.backoff().cap(), Duration::from_secs(10));
        let state = RetryPolicy::NEVER.begin(T0);
        assert_eq!(state.policy(), &RetryPolicy::NEVER);
        assert_eq!(give_up(GiveUpReason::OutOfTime).delay(), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn never_retries_more_than_the_budget_nor_past_the_deadline(
            retries in 0u32..20,
            budget_ms in 0u64..5_000,
            steps in proptest::collection::vec((any::<u32>(), 0u64..2_000, 0u8..3), 1..40),
        ) {
            let backoff = Backoff::FullJitter { base: MS(50), cap: MS(2_000) };
            let policy = RetryPolicy::new(backoff, retries).with_time_budget(MS(budget_ms));
            let mut state = policy.begin(T0).mark_idempotent();
            let mut now = T0;
            let mut retried = 0;
            for (random, work_ms, delivery) in steps {
                let delivery = [Delivery::NotSent, Delivery::Unknown, Delivery::Answered][usize::from(delivery)];
                now += MS(work_ms);
                match state.on_failure(ErrorClass::Connection, delivery, now, random) {
                    Decision::RetryAfter(delay) => {
                        retried += 1;
                        prop_assert!(delay <= MS(2_000));
                        now += delay;
                        prop_assert!(now <= T0 + MS(budget_ms));
                    }
                    Decision::GiveUp(_) => break,
                }
            }
            prop_assert!(retried <= retries);
        }
    }
}
