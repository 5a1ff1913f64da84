//! The client end of a pipe and its I/O traits, blocking and async, side by side.

use core::future::poll_fn;
use core::task::Poll;

use super::error::PipeError;
use super::pipe::Shared;
use super::poll::note_progress;

/// The client's side of a [`pipe`](super::pipe()): give it to the code under test. It
/// implements `embedded_io::{Read, Write}` and `embedded_io_async::{Read, Write}` with
/// [`PipeError`] as the error, under the pipe's [`Faults`](super::Faults).
///
/// - Blocking `read` of an empty open pipe: `Err(PipeError::TimedOut)`, like a socket
///   with a read timeout; it never blocks.
/// - Async `read` of an empty open pipe: `Pending`, woken by
///   [`deliver`](super::ServerEnd::deliver) or [`close`](super::ServerEnd::close).
/// - Writes never block: the pipe holds all the client writes until the test takes them.
/// - Both async calls are cancel-safe: bytes move only in the poll that returns `Ready`,
///   so a dropped `read` or `write` future has moved nothing.
///
/// With both traits in scope a method call is ambiguous; import one of them, or name it:
/// `embedded_io_async::Write::write(&mut client, b"x").await`.
///
/// ```
/// use ferrodis_test_support::harness::{block_on, pipe};
///
/// let (mut client, server) = pipe();
/// server.deliver(b"+PONG\r\n");
/// let mut buf = [0; 16];
/// let n = block_on(embedded_io_async::Read::read(&mut client, &mut buf)).unwrap();
/// assert_eq!(&buf[..n], b"+PONG\r\n");
/// ```
#[derive(Debug)]
pub struct ClientEnd {
    shared: Shared,
}

impl ClientEnd {
    pub(crate) fn new(shared: Shared) -> ClientEnd {
        ClientEnd { shared }
    }
}

impl embedded_io::ErrorType for ClientEnd {
    type Error = PipeError;
}

impl embedded_io::Read for ClientEnd {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, PipeError> {
        let mut state = self.shared.lock();
        if let Some(done) = state.begin_read(buf.len()) {
            return done;
        }
        state.read_into(buf).ok_or(PipeError::TimedOut)
    }
}

impl embedded_io::Write for ClientEnd {
    fn write(&mut self, buf: &[u8]) -> Result<usize, PipeError> {
        let mut state = self.shared.lock();
        if let Some(done) = state.begin_write(buf.len()) {
            return done;
        }
        state.accept(buf)
    }

    fn flush(&mut self) -> Result<(), PipeError> {
        self.shared.lock().flush()
    }
}

impl embedded_io_async::Read for ClientEnd {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, PipeError> {
        let mut first_poll = true;
        let result = poll_fn(|cx| {
            let mut state = self.shared.lock();
            if std::mem::take(&mut first_poll)
                && let Some(done) = state.begin_read(buf.len())
            {
                return Poll::Ready(done);
            }
            if state.pends() {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            match state.read_into(buf) {
                Some(n) => Poll::Ready(Ok(n)),
                None => {
                    state.park_reader(cx.waker());
                    Poll::Pending
                }
            }
        })
        .await;
        note_progress();
        result
    }
}

impl embedded_io_async::Write for ClientEnd {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, PipeError> {
        let mut polls = 0u32;
        let result = poll_fn(|cx| {
            let mut state = self.shared.lock();
            if polls == 0
                && let Some(done) = state.begin_write(buf.len())
            {
                return Poll::Ready(done);
            }
            polls = polls.saturating_add(1);
            if polls <= state.write_pendings() || state.pends() {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            Poll::Ready(state.accept(buf))
        })
        .await;
        note_progress();
        result
    }

    async fn flush(&mut self) -> Result<(), PipeError> {
        let result = self.shared.lock().flush();
        note_progress();
        result
    }
}

#[cfg(test)]
mod tests {
    use core::pin::pin;
    use core::task::Poll;

    use crate::harness::{Faults, PipeError, Schedule, WakeCounter, block_on, pipe, poll_n, poll_once};

    #[test]
    fn an_async_read_of_an_empty_pipe_parks_until_deliver_or_close_wakes_it() {
        let (mut client, server) = pipe();
        let mut buf = [0; 8];
        let wakes = WakeCounter::new();
        {
            let mut read = pin!(embedded_io_async::Read::read(&mut client, &mut buf));
            assert!(wakes.poll(read.as_mut()).is_pending());
            assert!(wakes.poll(read.as_mut()).is_pending(), "still nothing delivered");
            assert_eq!(wakes.count(), 0);
            server.deliver(b"+OK\r\n");
            assert_eq!(wakes.count(), 1, "deliver wakes the parked read");
            assert_eq!(wakes.poll(read.as_mut()), Poll::Ready(Ok(5)));
        }
        assert_eq!(server.counters().read_calls, 1, "one call, however many polls");

        let mut read = pin!(embedded_io_async::Read::read(&mut client, &mut buf));
        assert!(wakes.poll(read.as_mut()).is_pending());
        server.close();
        assert_eq!(wakes.count(), 2, "close wakes it too");
        assert_eq!(wakes.poll(read.as_mut()), Poll::Ready(Ok(0)));
    }

    #[test]
    fn async_one_byte_steps_and_interrupts() {
        let (mut client, server) = pipe();
        server.set_faults(Faults::none().max_read(1).max_write(1).interrupt(Schedule::Every(2)));
        let write = |client: &mut _| block_on(embedded_io_async::Write::write(client, b"ab"));
        assert_eq!(write(&mut client), Ok(1));
        assert_eq!(write(&mut client), Err(PipeError::Interrupted));
        assert_eq!(server.take_written(), b"a");
        server.deliver(b"xy");
        let mut buf = [0; 8];
        assert_eq!(block_on(embedded_io_async::Read::read(&mut client, &mut buf)), Ok(1));
        assert_eq!(
            block_on(embedded_io_async::Read::read(&mut client, &mut buf)),
            Err(PipeError::Interrupted)
        );
    }

    #[test]
    fn a_write_is_pending_the_configured_times_and_a_dropped_one_writes_nothing() {
        let (mut client, server) = pipe();
        server.set_faults(Faults::none().pending_writes(2));
        for polls in 0..=2 {
            let dropped = poll_n(embedded_io_async::Write::write(&mut client, b"GET"), polls);
            assert!(dropped.is_err(), "after {polls} polls");
            assert_eq!(server.written(), b"", "a dropped write moved nothing");
        }
        assert_eq!(poll_n(embedded_io_async::Write::write(&mut client, b"GET"), 3), Ok(Ok(3)));
        assert_eq!(server.take_written(), b"GET");
        assert_eq!(server.counters().write_calls, 3, "the write dropped before its first poll never ran");
    }

    #[test]
    fn back_pressure_wakes_itself() {
        let (mut client, server) = pipe();
        server.set_faults(Faults::none().pending_writes(1));
        let wakes = WakeCounter::new();
        let mut write = pin!(embedded_io_async::Write::write(&mut client, b"x"));
        assert!(wakes.poll(write.as_mut()).is_pending());
        assert_eq!(wakes.count(), 1);
        assert_eq!(wakes.poll(write.as_mut()), Poll::Ready(Ok(1)));
    }

    #[test]
    fn chaos_moves_every_byte_once() {
        let (mut client, server) = pipe();
        server.set_faults(Faults::chaos(0xC0FFEE).random_steps(3));
        let message: Vec<u8> = (0..200u8).collect();
        let mut at = 0;
        while at < message.len() {
            match block_on(embedded_io_async::Write::write(&mut client, &message[at..])) {
                Ok(n) => at += n,
                Err(e) => assert_eq!(e, PipeError::Interrupted),
            }
        }
        assert_eq!(server.take_written(), message);
        server.deliver(&message);
        let mut got = vec![0; message.len()];
        let mut at = 0;
        while at < got.len() {
            match block_on(embedded_io_async::Read::read(&mut client, &mut got[at..])) {
                Ok(n) => at += n,
                Err(e) => assert_eq!(e, PipeError::Interrupted),
            }
        }
        assert_eq!(got, message);
    }

    #[test]
    fn an_async_flush_fails_after_the_cut() {
        let (mut client, server) = pipe();
        server.set_faults(Faults::none().reset_after(0, 0));
        assert_eq!(poll_once(embedded_io_async::Write::flush(&mut client)), Poll::Ready(Ok(())));
        let _ = block_on(embedded_io_async::Write::write(&mut client, b"x"));
        assert_eq!(
            poll_once(embedded_io_async::Write::flush(&mut client)),
            Poll::Ready(Err(PipeError::ConnectionReset))
        );
    }
}
