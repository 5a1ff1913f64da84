//! What a pipe does wrong, and when: split calls, `Interrupted`, `Pending` polls and a write
//! cut, scripted per call or drawn from a seeded generator.

use super::rng::XorShift;

/// The faults of a pipe, set with [`ServerEnd::set_faults`](super::ServerEnd::set_faults)
/// and changeable between operations. Built from [`Faults::none`] (or [`Faults::chaos`]) by
/// chaining; a later call for the same direction wins.
///
/// Everything is counted from the `set_faults` call that installed these faults: call
/// numbers for [`Schedule::Every`], bytes for [`reset_after`](Faults::reset_after), and the
/// generator restarts from [`seed`](Faults::seed). The same client against the same faults
/// therefore sees the same calls fail on every run.
///
/// ```
/// use embedded_io::{Read, Write};
/// use ferrodis_test_support::harness::{Faults, PipeError, Schedule, pipe};
///
/// let (mut client, server) = pipe();
/// server.set_faults(Faults::none().max_write(2).interrupt(Schedule::Every(3)));
/// assert_eq!(client.write(b"PING"), Ok(2));
/// assert_eq!(client.write(b"NG"), Ok(2));
/// assert_eq!(client.write(b"!"), Err(PipeError::Interrupted)); // the third write
/// assert_eq!(server.take_written(), b"PING");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Faults {
    read_step: Step,
    write_step: Step,
    interrupt: Schedule,
    pending_writes: u32,
    random_pending: Option<u32>,
    reset: Option<WriteReset>,
    seed: u64,
}

/// How many bytes one call may move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// As many as the buffer and the pipe allow.
    Whole,
    /// At most this many.
    AtMost(usize),
    /// A random number in `1..=max`, drawn per call.
    Random(usize),
}

/// When a call fails with [`PipeError::Interrupted`](super::PipeError::Interrupted)
/// (before moving any byte). Reads and writes are counted apart, each from 1.
///
/// A schedule that interrupts every call would make a retrying client spin forever, so
/// `Every(1)` and `OneIn(1)` are refused (with a panic) by [`Faults::interrupt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Schedule {
    /// No call is interrupted.
    #[default]
    Never,
    /// Calls number k, 2k, 3k, … of each direction are interrupted.
    Every(u32),
    /// Each call is interrupted with probability 1/k, drawn from the seeded generator.
    OneIn(u32),
}

/// The write cut of [`Faults::reset_after`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct WriteReset {
    /// Bytes accepted normally before the cut.
    pub(crate) after: usize,
    /// Bytes the first write at the cut still accepts (0: it fails).
    pub(crate) then_accept: usize,
}

impl Default for Faults {
    fn default() -> Faults {
        Faults::none()
    }
}

impl Faults {
    /// A perfect pipe: every call moves all it can, nothing fails or stays pending.
    pub fn none() -> Faults {
        Faults {
            read_step: Step::Whole,
            write_step: Step::Whole,
            interrupt: Schedule::Never,
            pending_writes: 0,
            random_pending: None,
            reset: None,
            seed: 1,
        }
    }

    /// Chaos from `seed`: calls move a random 1..=16 bytes, one call in 7 is interrupted,
    /// one async poll in 5 returns `Pending` (waking itself). Each part can be overridden
    /// by chaining, e.g. `Faults::chaos(seed).random_steps(3)`.
    ///
    /// ```
    /// use ferrodis_test_support::harness::{Faults, Schedule};
    ///
    /// let faults = Faults::chaos(9);
    /// assert_eq!(faults, Faults::none().seed(9).random_steps(16).interrupt(Schedule::OneIn(7)).random_pending(5));
    /// ```
    pub fn chaos(seed: u64) -> Faults {
        Faults::none().seed(seed).random_steps(16).interrupt(Schedule::OneIn(7)).random_pending(5)
    }

    /// Each `read` returns at most `n` bytes (`n` at least 1).
    pub fn max_read(mut self, n: usize) -> Faults {
        self.read_step = Step::AtMost(positive(n, "max_read"));
        self
    }

    /// Each `write` accepts at most `n` bytes (`n` at least 1).
    pub fn max_write(mut self, n: usize) -> Faults {
        self.write_step = Step::AtMost(positive(n, "max_write"));
        self
    }

    /// Each `read` and `write` moves a random number of bytes in `1..=max`.
    pub fn random_steps(mut self, max: usize) -> Faults {
        let max = positive(max, "random_steps");
        self.read_step = Step::Random(max);
        self.write_step = Step::Random(max);
        self
    }

    /// Fails reads and writes with `Interrupted` on `schedule`.
    ///
    /// # Panics
    ///
    /// On `Every(0 | 1)` and `OneIn(0 | 1)`: no call could ever succeed.
    pub fn interrupt(mut self, schedule: Schedule) -> Faults {
        if let Schedule::Every(k) | Schedule::OneIn(k) = schedule {
            assert!(k >= 2, "Faults::interrupt({schedule:?}): every call would fail; use k >= 2");
        }
        self.interrupt = schedule;
        self
    }

    /// Back-pressure for the async `write`: each call returns `Pending` `times` times
    /// before it accepts bytes, so a test can drop the future mid-write. Each `Pending`
    /// wakes its own waker at once (like a yield), so an executor polls again.
    pub fn pending_writes(mut self, times: u32) -> Faults {
        self.pending_writes = times;
        self
    }

    /// Each async poll of a `read` or `write` returns `Pending` with probability
    /// 1/`one_in`, waking itself at once (`one_in` at least 2).
    pub fn random_pending(mut self, one_in: u32) -> Faults {
        assert!(one_in >= 2, "Faults::random_pending({one_in}): every poll would be pending; use >= 2");
        self.random_pending = Some(one_in);
        self
    }

    /// A write cut: the first `written` bytes are accepted as usual (a write that would
    /// cross the mark is shortened to end on it); then the next write accepts at most
    /// `then_accept` bytes and returns their count, or fails with `ConnectionReset` when
    /// that is 0; every later write (and flush) fails with `ConnectionReset`. Reads are
    /// unaffected. Looping `written` over `0..len` cuts a pipeline at every byte offset.
    ///
    /// ```
    /// use embedded_io::Write;
    /// use ferrodis_test_support::harness::{Faults, PipeError, pipe};
    ///
    /// let (mut client, server) = pipe();
    /// server.set_faults(Faults::none().reset_after(3, 0));
    /// assert_eq!(client.write(b"GET k"), Ok(3));
    /// assert_eq!(client.write(b" k"), Err(PipeError::ConnectionReset));
    /// assert_eq!(server.take_written(), b"GET");
    /// ```
    pub fn reset_after(mut self, written: usize, then_accept: usize) -> Faults {
        self.reset = Some(WriteReset { after: written, then_accept });
        self
    }

    /// The seed of the generator behind every random choice (default 1).
    pub fn seed(mut self, seed: u64) -> Faults {
        self.seed = seed;
        self
    }

    /// A fresh generator for these faults.
    pub(crate) fn rng(&self) -> XorShift {
        XorShift::new(self.seed)
    }

    /// The most bytes this `read` may move.
    pub(crate) fn read_step(&self, rng: &mut XorShift) -> usize {
        self.read_step.draw(rng)
    }

    /// The most bytes this `write` may accept.
    pub(crate) fn write_step(&self, rng: &mut XorShift) -> usize {
        self.write_step.draw(rng)
    }

    /// Whether call number `call` (from 1) of a direction is interrupted.
    pub(crate) fn interrupts(&self, call: u64, rng: &mut XorShift) -> bool {
        match self.interrupt {
            Schedule::Never => false,
            Schedule::Every(k) => call.is_multiple_of(u64::from(k)),
            Schedule::OneIn(k) => rng.one_in(k),
        }
    }

    /// Whether this async poll is a random `Pending`.
    pub(crate) fn pends(&self, rng: &mut XorShift) -> bool {
        self.random_pending.is_some_and(|k| rng.one_in(k))
    }

    /// How many times each async write is `Pending` before accepting.
    pub(crate) fn write_pendings(&self) -> u32 {
        self.pending_writes
    }

    /// The write cut, if any.
    pub(crate) fn reset(&self) -> Option<WriteReset> {
        self.reset
    }
}

impl Step {
    fn draw(self, rng: &mut XorShift) -> usize {
        match self {
            Step::Whole => usize::MAX,
            Step::AtMost(n) => n,
            Step::Random(max) => rng.below(max) + 1,
        }
    }
}

#[track_caller]
fn positive(n: usize, what: &str) -> usize {
    assert!(n > 0, "Faults::{what}(0): a call must be able to move at least 1 byte");
    n
}

#[cfg(test)]
mod tests {
    use super::{Faults, Schedule};

    #[test]
    fn every_k_interrupts_multiples_of_k_only() {
        let faults = Faults::none().interrupt(Schedule::Every(3));
        let mut rng = faults.rng();
        let hit: Vec<u64> = (1..=9).filter(|&call| faults.interrupts(call, &mut rng)).collect();
        assert_eq!(hit, [3, 6, 9]);
    }

    #[test]
    fn one_in_k_is_reproducible_from_the_seed() {
        let draw = |seed| {
            let faults = Faults::none().seed(seed).interrupt(Schedule::OneIn(3));
            let mut rng = faults.rng();
            (1..=60).map(|call| faults.interrupts(call, &mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(draw(5), draw(5));
        assert!(draw(5).contains(&true) && draw(5).contains(&false));
    }

    #[test]
    fn random_steps_stay_within_one_and_max() {
        let faults = Faults::none().random_steps(3);
        let mut rng = faults.rng();
        let steps: Vec<usize> = (0..200).map(|_| faults.read_step(&mut rng)).collect();
        assert!(steps.iter().all(|s| (1..=3).contains(s)));
        assert!(steps.contains(&1) && steps.contains(&3));
    }

    #[test]
    fn the_later_step_setting_wins() {
        let faults = Faults::none().random_steps(9).max_read(1);
        let mut rng = faults.rng();
        assert_eq!(faults.read_step(&mut rng), 1);
        assert!((1..=9).contains(&faults.write_step(&mut rng)));
    }

    #[test]
    #[should_panic(expected = "every call would fail")]
    fn interrupting_every_call_is_refused() {
        let _ = Faults::none().interrupt(Schedule::Every(1));
    }

    #[test]
    #[should_panic(expected = "at least 1 byte")]
    fn a_zero_step_is_refused() {
        let _ = Faults::none().max_write(0);
    }
}
