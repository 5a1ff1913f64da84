//! The in-memory duplex pipe: its shared state, and the server end a test plays the server
//! with. The client end's I/O traits are in `client.rs`.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Waker;

use super::client::ClientEnd;
use super::error::PipeError;
use super::faults::Faults;
use super::rng::XorShift;

/// A new in-memory connection: the [`ClientEnd`] goes to the code under test, the
/// [`ServerEnd`] stays with the test, which plays the server with it. Both ends are `Send`
/// (the state is behind an `Arc<Mutex>`), so a Tokio test can move the client to a task.
///
/// ```
/// use embedded_io::{Read, Write};
/// use ferrodis_test_support::harness::{PipeError, pipe};
///
/// let (mut client, server) = pipe();
/// client.write_all(b"*1\r\n$4\r\nPING\r\n").unwrap();
/// assert_eq!(server.take_written(), b"*1\r\n$4\r\nPING\r\n");
///
/// let mut buf = [0; 16];
/// assert_eq!(client.read(&mut buf), Err(PipeError::TimedOut)); // nothing delivered yet
/// server.deliver(b"+PONG\r\n");
/// assert_eq!(client.read(&mut buf), Ok(7));
/// server.close();
/// assert_eq!(client.read(&mut buf), Ok(0));
/// ```
pub fn pipe() -> (ClientEnd, ServerEnd) {
    let shared = Shared(Arc::new(Mutex::new(State::new())));
    (ClientEnd::new(shared.clone()), ServerEnd { shared })
}

/// The test's side of a [`pipe`]: sees what the client wrote, delivers what it will read,
/// counts its calls and sets the [`Faults`]. Every method takes `&self`. Dropping the server
/// end closes the pipe, as [`close`](ServerEnd::close) does.
#[derive(Debug)]
pub struct ServerEnd {
    shared: Shared,
}

/// How the client has used its end so far: every call counts, failed and interrupted ones
/// too (an async call counts once, at its first poll).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Counters {
    /// Calls of `read` (blocking or async).
    pub read_calls: usize,
    /// Calls of `write` (blocking or async).
    pub write_calls: usize,
    /// Calls of `flush` (blocking or async).
    pub flush_calls: usize,
    /// Bytes the client has read.
    pub bytes_read: usize,
    /// Bytes the client has written (also those already taken with `take_written`).
    pub bytes_written: usize,
}

impl ServerEnd {
    /// The bytes the client wrote since the last [`take_written`](Self::take_written), in
    /// order, without taking them.
    pub fn written(&self) -> Vec<u8> {
        self.shared.lock().from_client.clone()
    }

    /// Takes the bytes the client wrote since the last call, in order. Each byte is
    /// returned once, so successive calls show exactly what each step wrote (and that
    /// nothing was written twice).
    ///
    /// ```
    /// use embedded_io::Write;
    /// use ferrodis_test_support::harness::pipe;
    ///
    /// let (mut client, server) = pipe();
    /// client.write_all(b"one").unwrap();
    /// assert_eq!(server.take_written(), b"one");
    /// client.write_all(b"two").unwrap();
    /// assert_eq!(server.take_written(), b"two");
    /// ```
    pub fn take_written(&self) -> Vec<u8> {
        std::mem::take(&mut self.shared.lock().from_client)
    }

    /// Queues `bytes` for the client to read, after what was delivered before, and wakes
    /// a pending async read.
    pub fn deliver(&self, bytes: impl AsRef<[u8]>) {
        let waker = {
            let mut state = self.shared.lock();
            state.to_client.extend(bytes.as_ref());
            state.reader.take()
        };
        waker.into_iter().for_each(Waker::wake);
    }

    /// Closes the pipe towards the client: once it has read what was delivered, `read`
    /// returns `Ok(0)`. Writes are still accepted (the client may not have noticed yet).
    pub fn close(&self) {
        let waker = {
            let mut state = self.shared.lock();
            state.closed = true;
            state.reader.take()
        };
        waker.into_iter().for_each(Waker::wake);
    }

    /// How many delivered bytes the client has not read yet.
    pub fn unread(&self) -> usize {
        self.shared.lock().to_client.len()
    }

    /// A snapshot of the client's call and byte counts.
    pub fn counters(&self) -> Counters {
        self.shared.lock().counters
    }

    /// Installs `faults` from the next call on, restarting their call and byte counts and
    /// their generator (see [`Faults`]). It also lifts a write cut that has fired.
    pub fn set_faults(&self, faults: Faults) {
        let mut state = self.shared.lock();
        state.rng = faults.rng();
        state.faults = faults;
        state.since = Since::default();
    }
}

impl Drop for ServerEnd {
    fn drop(&mut self) {
        self.close();
    }
}

/// The state both ends share.
#[derive(Debug, Clone)]
pub(crate) struct Shared(Arc<Mutex<State>>);

impl Shared {
    /// The state; a test that panicked while holding it does not poison the other end.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Counts since the faults were installed.
#[derive(Debug, Clone, Copy, Default)]
struct Since {
    reads: u64,
    writes: u64,
    written: usize,
    /// The write cut has fired: writes fail from now on.
    reset: bool,
}

/// Both directions of the pipe, the faults and the counters.
#[derive(Debug)]
pub(crate) struct State {
    to_client: VecDeque<u8>,
    from_client: Vec<u8>,
    closed: bool,
    faults: Faults,
    rng: XorShift,
    counters: Counters,
    since: Since,
    /// The waker of the async read waiting for bytes.
    reader: Option<Waker>,
}

impl State {
    fn new() -> State {
        let faults = Faults::none();
        State {
            to_client: VecDeque::new(),
            from_client: Vec::new(),
            closed: false,
            rng: faults.rng(),
            faults,
            counters: Counters::default(),
            since: Since::default(),
            reader: None,
        }
    }

    /// Counts a read call of `len` bytes; `Some` when it ends before looking for bytes
    /// (an empty buffer, or a scheduled `Interrupted`).
    pub(crate) fn begin_read(&mut self, len: usize) -> Option<Result<usize, PipeError>> {
        self.counters.read_calls += 1;
        self.since.reads += 1;
        self.ends_at_once(self.since.reads, len)
    }

    /// Moves delivered bytes into `buf` (at most one step of them): `Some(n)`, `Some(0)` at
    /// the end of a closed pipe, `None` when nothing is there yet.
    pub(crate) fn read_into(&mut self, buf: &mut [u8]) -> Option<usize> {
        if self.to_client.is_empty() {
            return self.closed.then_some(0);
        }
        let n = buf.len().min(self.to_client.len()).min(self.faults.read_step(&mut self.rng));
        for (slot, byte) in buf.iter_mut().zip(self.to_client.drain(..n)) {
            *slot = byte;
        }
        self.counters.bytes_read += n;
        Some(n)
    }

    /// Remembers the waker of a read that found nothing; `deliver` and `close` wake it.
    pub(crate) fn park_reader(&mut self, waker: &Waker) {
        self.reader = Some(waker.clone());
    }

    /// Counts a write call of `len` bytes; `Some` when it ends before accepting bytes.
    pub(crate) fn begin_write(&mut self, len: usize) -> Option<Result<usize, PipeError>> {
        self.counters.write_calls += 1;
        self.since.writes += 1;
        self.ends_at_once(self.since.writes, len)
    }

    /// How call number `call` of a direction, for `len` bytes, ends before moving any:
    /// `Ok(0)` for an empty buffer, `Interrupted` when scheduled, `None` otherwise.
    fn ends_at_once(&mut self, call: u64, len: usize) -> Option<Result<usize, PipeError>> {
        if len == 0 {
            return Some(Ok(0));
        }
        self.faults.interrupts(call, &mut self.rng).then_some(Err(PipeError::Interrupted))
    }

    /// Accepts a step of `buf`, honouring the write cut.
    pub(crate) fn accept(&mut self, buf: &[u8]) -> Result<usize, PipeError> {
        if self.since.reset {
            return Err(PipeError::ConnectionReset);
        }
        let mut n = buf.len().min(self.faults.write_step(&mut self.rng));
        if let Some(cut) = self.faults.reset() {
            let before_cut = cut.after.saturating_sub(self.since.written);
            if before_cut == 0 {
                self.since.reset = true;
                n = n.min(cut.then_accept);
                if n == 0 {
                    return Err(PipeError::ConnectionReset);
                }
            } else {
                n = n.min(before_cut);
            }
        }
        self.from_client.extend_from_slice(&buf[..n]);
        self.counters.bytes_written += n;
        self.since.written += n;
        Ok(n)
    }

    /// Counts a flush: nothing is buffered, so it only fails after a write cut.
    pub(crate) fn flush(&mut self) -> Result<(), PipeError> {
        self.counters.flush_calls += 1;
        if self.since.reset { Err(PipeError::ConnectionReset) } else { Ok(()) }
    }

    /// Whether this async poll is a random `Pending`.
    pub(crate) fn pends(&mut self) -> bool {
        self.faults.pends(&mut self.rng)
    }

    /// How many times each async write is `Pending` before accepting.
    pub(crate) fn write_pendings(&self) -> u32 {
        self.faults.write_pendings()
    }
}

#[cfg(test)]
mod tests {
    use super::{Counters, pipe};
    use crate::harness::{Faults, PipeError, Schedule};
    use embedded_io::{Read, Write};

    #[test]
    fn both_ends_are_send() {
        fn send<T: Send + Sync>() {}
        send::<super::ClientEnd>();
        send::<super::ServerEnd>();
    }

    #[test]
    fn bytes_arrive_in_order_and_are_taken_once() {
        let (mut client, server) = pipe();
        client.write_all(b"ab").unwrap();
        client.write_all(b"cd").unwrap();
        assert_eq!(server.written(), b"abcd");
        assert_eq!(server.take_written(), b"abcd");
        assert_eq!(server.take_written(), b"");
        server.deliver(b"xy");
        server.deliver(b"z");
        let mut buf = [0; 8];
        assert_eq!(client.read(&mut buf), Ok(3));
        assert_eq!(&buf[..3], b"xyz");
    }

    #[test]
    fn one_byte_steps_split_every_call() {
        let (mut client, server) = pipe();
        server.set_faults(Faults::none().max_read(1).max_write(1));
        assert_eq!(client.write(b"PING"), Ok(1));
        client.write_all(b"ING").unwrap();
        assert_eq!(server.take_written(), b"PING");
        server.deliver(b"+OK");
        let mut buf = [0; 8];
        let got: Vec<u8> = (0..3)
            .map(|_| {
                assert_eq!(client.read(&mut buf), Ok(1));
                buf[0]
            })
            .collect();
        assert_eq!(got, b"+OK");
        let counters = server.counters();
        assert_eq!((counters.write_calls, counters.read_calls, counters.bytes_written), (4, 3, 4));
    }

    #[test]
    fn the_interrupt_schedule_fails_every_kth_call_of_each_direction_without_moving_bytes() {
        let (mut client, server) = pipe();
        server.set_faults(Faults::none().interrupt(Schedule::Every(2)));
        server.deliver(b"abcd");
        let mut buf = [0; 1];
        let reads: Vec<_> = (0..4).map(|_| client.read(&mut buf)).collect();
        assert_eq!(reads, [Ok(1), Err(PipeError::Interrupted), Ok(1), Err(PipeError::Interrupted)]);
        assert_eq!(server.unread(), 2);
        let writes: Vec<_> = (0..3).map(|_| client.write(b"w")).collect();
        assert_eq!(writes, [Ok(1), Err(PipeError::Interrupted), Ok(1)]);
        assert_eq!(server.take_written(), b"ww");
    }

    #[test]
    fn set_faults_restarts_the_call_count() {
        let (mut client, server) = pipe();
        server.set_faults(Faults::none().interrupt(Schedule::Every(2)));
        assert_eq!(client.write(b"a"), Ok(1));
        server.set_faults(Faults::none().interrupt(Schedule::Every(2)));
        assert_eq!(client.write(b"b"), Ok(1));
        assert_eq!(client.write(b"c"), Err(PipeError::Interrupted));
    }

    #[test]
    fn a_blocking_read_of_an_empty_pipe_times_out_and_a_closed_one_ends() {
        let (mut client, server) = pipe();
        let mut buf = [0; 4];
        assert_eq!(client.read(&mut buf), Err(PipeError::TimedOut));
        server.deliver(b"x");
        server.close();
        assert_eq!(client.read(&mut buf), Ok(1));
        assert_eq!(client.read(&mut buf), Ok(0));
        assert_eq!(client.read(&mut []), Ok(0));
    }

    #[test]
    fn dropping_the_server_end_closes_the_pipe() {
        let (mut client, server) = pipe();
        drop(server);
        assert_eq!(client.read(&mut [0; 4]), Ok(0));
    }

    #[test]
    fn the_write_cut_fires_at_the_exact_offset() {
        for offset in 0..6 {
            let (mut client, server) = pipe();
            server.set_faults(Faults::none().reset_after(offset, 0));
            assert_eq!(client.write_all(b"SET k v"), Err(PipeError::ConnectionReset), "offset {offset}");
            assert_eq!(server.take_written(), &b"SET k v"[..offset]);
            assert_eq!(client.write(b"x"), Err(PipeError::ConnectionReset));
            assert_eq!(client.flush(), Err(PipeError::ConnectionReset));
        }
    }

    #[test]
    fn the_write_at_the_cut_may_accept_some_bytes() {
        let (mut client, server) = pipe();
        server.set_faults(Faults::none().reset_after(2, 3));
        assert_eq!(client.write(b"abcdefg"), Ok(2));
        assert_eq!(client.write(b"cdefg"), Ok(3));
        assert_eq!(client.write(b"fg"), Err(PipeError::ConnectionReset));
        assert_eq!(server.take_written(), b"abcde");
        server.set_faults(Faults::none());
        assert_eq!(client.write(b"!"), Ok(1), "Faults::none() lifts the cut");
    }

    #[test]
    fn counters_count_failed_calls_too() {
        let (mut client, server) = pipe();
        let _ = client.read(&mut [0; 4]);
        client.write_all(b"abc").unwrap();
        client.flush().unwrap();
        let expected =
            Counters { read_calls: 1, write_calls: 1, flush_calls: 1, bytes_written: 3, bytes_read: 0 };
        assert_eq!(server.counters(), expected);
    }
}
