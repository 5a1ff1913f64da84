//! The I/O task of a multiplexed connection: it moves bytes between the socket and the
//! engine and hands the engine's events to the waiting callers. It decides nothing about
//! the protocol.
//!
//! Writes are gathered: while a written request waits for its replies (and nothing begun
//! is left half written), newly queued requests wait and go out together once the replies
//! are in, so many concurrent callers share few writes, and a request given up before it
//! is written is never written. A request that finds nothing in flight is written by its
//! caller at once ([`super::write`]); the task writes the gathered ones.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, ReadBuf};
use tokio::time::Sleep;

use super::state::{Cause, Shared, State};
use super::write::{Wrote, write_out};
use crate::error::{ErrorKind, failure_kind};
use crate::trace::event;

/// Bytes read from the socket at once.
const READ_CHUNK: usize = 64 * 1024;

/// The task: a future that runs until the connection dies or every handle is gone.
pub(super) struct Io<Rd> {
    reader: Rd,
    shared: Arc<Shared>,
    read_buf: Box<[u8]>,
    /// How long the socket may refuse bytes before the connection is given up.
    write_timeout: Duration,
    /// Armed while the socket refuses bytes.
    deadline: Option<Pin<Box<Sleep>>>,
    /// The requests' deadlines: one timer, set for [`State::timer`] (made on first use).
    response_timer: Option<Pin<Box<Sleep>>>,
    /// What `response_timer` is set for now; `None` when it must be set again.
    armed: Option<Instant>,
    /// Wakers to wake once the lock is released.
    wake: Vec<Waker>,
}

impl<Rd: AsyncRead + Unpin> Io<Rd> {
    pub(super) fn new(reader: Rd, shared: Arc<Shared>, write_timeout: Duration) -> Self {
        Io {
            reader,
            shared,
            read_buf: vec![0; READ_CHUNK].into_boxed_slice(),
            write_timeout,
            deadline: None,
            response_timer: None,
            armed: None,
            wake: Vec::new(),
        }
    }

    fn wake_all(&mut self) {
        while let Some(waker) = self.wake.pop() {
            waker.wake();
        }
    }

    /// Fails every request with `cause` and ends the task (dropping the socket closes it).
    fn die(&mut self, cause: Cause) -> Poll<()> {
        #[cfg(feature = "tracing")]
        match cause() {
            ErrorKind::Closed => event!(debug, "I/O task stopped: the server closed the connection"),
            kind => {
                let error = crate::Error::new(kind, crate::Delivery::Answered);
                event!(warn, error = %error, "I/O task failed");
            }
        }
        self.shared.lock().die(cause, &mut self.wake);
        self.wake_all();
        Poll::Ready(())
    }

    /// Reads what the socket has, until it has no more. `Ready` when the connection died.
    fn read(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            let mut buf = ReadBuf::new(&mut self.read_buf);
            match Pin::new(&mut self.reader).poll_read(cx, &mut buf) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return self.die(Arc::new(crate::tls::io_failure(&e, "read failed"))),
                Poll::Ready(Ok(())) => {}
            }
            let n = buf.filled().len();
            if n == 0 {
                return self.die(Arc::new(|| ErrorKind::Closed));
            }
            let mut state = self.shared.lock();
            let mut at = 0;
            let mut failed = None;
            while at < n && failed.is_none() {
                let spare = state.engine.spare();
                let k = spare.len().min(n - at);
                spare[..k].copy_from_slice(&self.read_buf[at..at + k]);
                state.engine.received(k);
                at += k;
                failed = state.process(&mut self.wake);
                if k == 0 && failed.is_none() {
                    // Cannot happen: the engine makes room by skipping what cannot fit.
                    failed = Some(ferrodis_core::conn::engine::Failure::Transport);
                }
            }
            drop(state);
            self.wake_all();
            if let Some(failure) = failed {
                return self.die(Arc::new(move || failure_kind(failure)));
            }
        }
    }
}

impl<Rd> Drop for Io<Rd> {
    /// The task ended: it finished, or its runtime dropped it.
    fn drop(&mut self) {
        event!(debug, "I/O task ended");
    }
}

impl<Rd: AsyncRead + Unpin> Future for Io<Rd> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            // Read until the socket has nothing more (which also registers for the next
            // bytes), then write what may go. Each wakes the task when it can go on; a
            // caller whose request the socket refused wakes it too.
            if this.read(cx).is_ready() {
                return Poll::Ready(());
            }
            let mut state = this.shared.lock();
            if state.dead.is_some() {
                return Poll::Ready(());
            }
            let State { engine, writer, flush, .. } = &mut *state;
            let wrote = write_out(engine, writer, flush, cx);
            match wrote {
                Wrote::Done => {
                    state.write_blocked = false;
                    this.deadline = None;
                    if !state.engine.wants_to_transmit() {
                        state.room_made(&mut this.wake);
                    }
                }
                Wrote::Blocked => {
                    state.write_blocked = true;
                    if this.deadline.is_none() {
                        this.deadline = Some(Box::pin(tokio::time::sleep(this.write_timeout)));
                    }
                }
                Wrote::Failed(e) => {
                    drop(state);
                    return this.die(Arc::new(crate::tls::io_failure(&e, "write failed")));
                }
            }
            // Requests the server does not answer are done once written.
            if let Some(failure) = state.process(&mut this.wake) {
                drop(state);
                return this.die(Arc::new(move || failure_kind(failure)));
            }
            if state.handles == 0 && state.engine.is_idle() {
                event!(debug, "I/O task stopped: every handle is gone");
                let _ = tokio::io::AsyncWrite::poll_shutdown(Pin::new(&mut state.writer), cx);
                return Poll::Ready(());
            }
            let blocked = state.write_blocked;
            if !blocked && state.engine.wants_to_transmit() && !state.engine.may_hold_writes() {
                drop(state);
                this.wake_all();
                continue;
            }
            if let Some(deadline) = this.deadline.as_mut()
                && deadline.as_mut().poll(cx).is_ready()
            {
                drop(state);
                return this.die(Arc::new(|| ErrorKind::Timeout));
            }
            // The requests' deadlines: when the timer fires, those past are failed and
            // it is set for the next.
            if let Some(due) = state.timer {
                // Polled (which registers this task's waker) only when set anew; while it
                // stays set, a look at whether it fired is enough.
                let (timer, set) = match (&mut this.response_timer, this.armed) {
                    (Some(timer), Some(armed)) if armed == due => (timer, false),
                    (Some(timer), _) => {
                        timer.as_mut().reset(tokio::time::Instant::from_std(due));
                        (timer, true)
                    }
                    (timer @ None, _) => {
                        let sleep = tokio::time::sleep_until(tokio::time::Instant::from_std(due));
                        (timer.insert(Box::pin(sleep)), true)
                    }
                };
                this.armed = Some(due);
                let fired = if set { timer.as_mut().poll(cx).is_ready() } else { timer.is_elapsed() };
                if fired {
                    this.armed = None;
                    // The timer's clock says `due` has come, even if it rounded.
                    state.expire(Instant::now().max(due), &mut this.wake);
                    drop(state);
                    this.wake_all();
                    continue;
                }
            }
            // Sleep until the socket or a caller wakes the task: under the lock, so a
            // caller that queues next finds the waker.
            match &state.io {
                Some(io) if io.will_wake(cx.waker()) => {}
                _ => state.io = Some(cx.waker().clone()),
            }
            drop(state);
            this.wake_all();
            return Poll::Pending;
        }
    }
}
