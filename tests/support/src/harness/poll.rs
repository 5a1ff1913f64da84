//! Polling futures by hand, for cancellation tests: poll once, poll n times and drop, or
//! drive to completion on this thread, failing loudly instead of hanging.

use core::fmt;
use core::future::Future;
use core::pin::{Pin, pin};
use core::task::{Context, Poll, Waker};
use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Wake;

/// How many polls in a row [`block_on`] (and [`Pair::run`](super::Pair::run)) allow a
/// woken future that moves nothing through any pipe before they panic: a future that
/// wakes itself forever (a `Pending` loop) fails instead of spinning.
///
/// With random `Pending` polls (1 in k, k at least 2) or a few
/// [`pending_writes`](super::Faults::pending_writes), a live future moves something long
/// before this.
pub const IDLE_POLL_LIMIT: usize = 10_000;

/// A future was dropped unfinished by [`poll_n`] after `polls` polls.
///
/// ```
/// use ferrodis_test_support::harness::{DroppedAfter, poll_n};
///
/// assert_eq!(poll_n(std::future::pending::<()>(), 3), Err(DroppedAfter { polls: 3 }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DroppedAfter {
    /// How many times it was polled (0: dropped before the first poll).
    pub polls: usize,
}

impl fmt::Display for DroppedAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dropped unfinished after {} polls", self.polls)
    }
}

impl std::error::Error for DroppedAfter {}

/// A waker that counts how often it was woken, to check that something (a
/// [`deliver`](super::ServerEnd::deliver), say) wakes a parked future.
///
/// ```
/// use core::pin::pin;
/// use ferrodis_test_support::harness::{WakeCounter, pipe};
///
/// let (mut client, server) = pipe();
/// let mut buf = [0; 8];
/// let wakes = WakeCounter::new();
/// let mut read = pin!(embedded_io_async::Read::read(&mut client, &mut buf));
/// assert!(wakes.poll(read.as_mut()).is_pending());
/// server.deliver(b"+OK\r\n");
/// assert_eq!(wakes.count(), 1);
/// assert!(wakes.poll(read.as_mut()).is_ready());
/// ```
#[derive(Debug, Clone, Default)]
pub struct WakeCounter {
    wakes: Arc<Wakes>,
}

#[derive(Debug, Default)]
struct Wakes(AtomicUsize);

impl Wake for Wakes {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl WakeCounter {
    /// A counter at 0.
    pub fn new() -> WakeCounter {
        WakeCounter::default()
    }

    /// A waker that counts into this counter.
    pub fn waker(&self) -> Waker {
        Waker::from(self.wakes.clone())
    }

    /// How many times its wakers were woken.
    pub fn count(&self) -> usize {
        self.wakes.0.load(Ordering::SeqCst)
    }

    /// Polls `fut` once with this counter's waker.
    pub fn poll<F: Future + ?Sized>(&self, fut: Pin<&mut F>) -> Poll<F::Output> {
        fut.poll(&mut Context::from_waker(&self.waker()))
    }
}

/// Polls `fut` once and drops it. Pass `fut.as_mut()` of a pinned future to keep it.
///
/// ```
/// use core::pin::pin;
/// use ferrodis_test_support::harness::{pipe, poll_once};
///
/// let (mut client, server) = pipe();
/// let mut buf = [0; 8];
/// let mut read = pin!(embedded_io_async::Read::read(&mut client, &mut buf));
/// assert!(poll_once(read.as_mut()).is_pending());
/// server.deliver(b":1\r\n");
/// assert_eq!(poll_once(read.as_mut()), core::task::Poll::Ready(Ok(4)));
/// ```
pub fn poll_once<F: Future>(fut: F) -> Poll<F::Output> {
    match drive(fut, Some(1), || {}, "poll_once") {
        Ok(output) => Poll::Ready(output),
        Err(_) => Poll::Pending,
    }
}

/// Polls `fut` at most `n` times (whether or not it was woken) and drops it unfinished
/// after that: `Ok(output)` if it finished, `Err(DroppedAfter { polls: n })` if not.
/// Looping `n` from 0 drops an operation at each of its poll points in turn.
///
/// ```
/// use ferrodis_test_support::harness::{DroppedAfter, Faults, pipe, poll_n};
///
/// let (mut client, server) = pipe();
/// server.set_faults(Faults::none().pending_writes(2));
/// for n in 0..3 {
///     let write = embedded_io_async::Write::write(&mut client, b"PING");
///     assert_eq!(poll_n(write, n), Err(DroppedAfter { polls: n }));
///     assert_eq!(server.written(), b"", "dropped before it wrote");
/// }
/// assert_eq!(poll_n(embedded_io_async::Write::write(&mut client, b"PING"), 3), Ok(Ok(4)));
/// ```
pub fn poll_n<F: Future>(fut: F, n: usize) -> Result<F::Output, DroppedAfter> {
    drive(fut, Some(n), || {}, "poll_n")
}

/// Drives `fut` to completion on this thread.
///
/// # Panics
///
/// Instead of hanging, when `fut` is pending and nothing woke it (nothing on this thread
/// ever will: a read waiting for bytes that no one delivers), or when it stays woken but
/// idle for [`IDLE_POLL_LIMIT`] polls. A future waiting for another thread is not for
/// `block_on`: use Tokio.
///
/// ```
/// use ferrodis_test_support::harness::{Faults, block_on, pipe};
///
/// let (mut client, server) = pipe();
/// server.set_faults(Faults::none().pending_writes(3));
/// block_on(embedded_io_async::Write::write_all(&mut client, b"PING")).unwrap();
/// assert_eq!(server.take_written(), b"PING");
/// ```
pub fn block_on<F: Future>(fut: F) -> F::Output {
    match drive(fut, None, || {}, "block_on") {
        Ok(output) => output,
        Err(_) => unreachable!("block_on has no poll limit"),
    }
}

/// Polls `fut` until it is ready or has been polled `limit` times, calling `between` after
/// each `Pending`. Without a limit, a future that is pending and not woken, or woken but
/// idle for [`IDLE_POLL_LIMIT`] polls, panics with a message naming `who`.
pub(crate) fn drive<F: Future>(
    fut: F,
    limit: Option<usize>,
    mut between: impl FnMut(),
    who: &str,
) -> Result<F::Output, DroppedAfter> {
    let mut fut = pin!(fut);
    let wakes = WakeCounter::new();
    let (mut polls, mut idle) = (0, 0);
    loop {
        if limit.is_some_and(|n| polls >= n) {
            return Err(DroppedAfter { polls });
        }
        let (woken, moved) = (wakes.count(), progress());
        polls += 1;
        if let Poll::Ready(output) = wakes.poll(fut.as_mut()) {
            return Ok(output);
        }
        between();
        if limit.is_some() {
            continue;
        }
        assert!(
            wakes.count() != woken,
            "{who}: the future is pending after poll {polls} and nothing woke it, so nothing \
             on this thread ever will (a read waiting for bytes that were never delivered?)"
        );
        idle = if progress() == moved { idle + 1 } else { 0 };
        assert!(
            idle < IDLE_POLL_LIMIT,
            "{who}: the future woke itself for {IDLE_POLL_LIMIT} polls in a row without moving \
             a byte through a pipe (a Pending loop?)"
        );
    }
}

thread_local! {
    /// Pipe calls completed by async code on this thread.
    static PROGRESS: Cell<u64> = const { Cell::new(0) };
}

/// Records that an async pipe call completed on this thread.
pub(crate) fn note_progress() {
    PROGRESS.with(|p| p.set(p.get() + 1));
}

fn progress() -> u64 {
    PROGRESS.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::{DroppedAfter, block_on, poll_n, poll_once};
    use core::future::{Future, poll_fn};
    use core::pin::Pin;
    use core::task::{Context, Poll};
    use std::cell::Cell;
    use std::rc::Rc;

    /// Ready on its `ready_on`-th poll, waking itself before each `Pending`; records its
    /// polls and its drop.
    struct Steps {
        ready_on: usize,
        polls: Rc<Cell<usize>>,
        dropped: Rc<Cell<bool>>,
    }

    impl Future for Steps {
        type Output = usize;
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
            self.polls.set(self.polls.get() + 1);
            if self.polls.get() == self.ready_on {
                return Poll::Ready(self.ready_on);
            }
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    impl Drop for Steps {
        fn drop(&mut self) {
            self.dropped.set(true);
        }
    }

    fn steps(ready_on: usize) -> (Steps, Rc<Cell<usize>>, Rc<Cell<bool>>) {
        let (polls, dropped) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(false)));
        (Steps { ready_on, polls: polls.clone(), dropped: dropped.clone() }, polls, dropped)
    }

    #[test]
    fn poll_n_drops_the_future_after_exactly_n_polls() {
        for n in 0..3 {
            let (fut, polls, dropped) = steps(3);
            assert_eq!(poll_n(fut, n), Err(DroppedAfter { polls: n }));
            assert_eq!(polls.get(), n);
            assert!(dropped.get(), "dropped after {n} polls");
        }
        let (fut, polls, dropped) = steps(3);
        assert_eq!(poll_n(fut, 10), Ok(3));
        assert_eq!((polls.get(), dropped.get()), (3, true));
    }

    #[test]
    fn poll_once_polls_once() {
        let (fut, polls, _) = steps(1);
        assert_eq!(poll_once(fut), Poll::Ready(1));
        assert_eq!(polls.get(), 1);
        assert_eq!(poll_once(steps(2).0), Poll::Pending);
    }

    #[test]
    fn block_on_drives_a_self_waking_future() {
        assert_eq!(block_on(steps(50).0), 50);
    }

    #[test]
    #[should_panic(expected = "block_on: the future is pending after poll 1 and nothing woke it")]
    fn block_on_fails_loudly_when_nothing_can_wake_the_future() {
        let (mut client, _server) = crate::harness::pipe();
        let _ = block_on(embedded_io_async::Read::read(&mut client, &mut [0; 8]));
    }

    #[test]
    #[should_panic(expected = "without moving a byte")]
    fn block_on_fails_loudly_on_a_pending_loop() {
        block_on(poll_fn(|cx| {
            cx.waker().wake_by_ref();
            Poll::<()>::Pending
        }));
    }
}
