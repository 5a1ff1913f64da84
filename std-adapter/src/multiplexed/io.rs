//! The I/O task of a multiplexed connection: it moves bytes between the socket and the
//! engine and hands the engine's events to the waiting callers. It decides nothing about
//! the protocol.
//!
//! Writes are gathered: while a written request waits for its replies (and nothing begun
//! is left half written), newly queued requests wait and go out together once the replies
//! are in, so many concurrent callers share few writes, and a request given up before it
//! is written is never written.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

use super::state::{Cause, Shared};
use crate::error::{ErrorKind, failure_kind};

/// Bytes read from the socket at once.
const READ_CHUNK: usize = 64 * 1024;
/// Bytes handed to one socket write at most.
const WRITE_CHUNK: usize = 256 * 1024;

/// The task: a future that runs until the connection dies or every handle is gone.
pub(super) struct Io<Rd, Wr> {
    reader: Rd,
    writer: Wr,
    shared: Arc<Shared>,
    read_buf: Box<[u8]>,
    write_buf: Vec<u8>,
    /// How long the socket may refuse bytes before the connection is given up.
    write_timeout: Duration,
    /// Armed while the socket refuses bytes.
    deadline: Option<Pin<Box<Sleep>>>,
    /// Whether a flush is due (written bytes may sit in a TLS buffer).
    flush: bool,
    /// Wakers to wake once the lock is released.
    wake: Vec<Waker>,
}

impl<Rd: AsyncRead + Unpin, Wr: AsyncWrite + Unpin> Io<Rd, Wr> {
    pub(super) fn new(reader: Rd, writer: Wr, shared: Arc<Shared>, write_timeout: Duration) -> Self {
        Io {
            reader,
            writer,
            shared,
            read_buf: vec![0; READ_CHUNK].into_boxed_slice(),
            write_buf: Vec::with_capacity(16 * 1024),
            write_timeout,
            deadline: None,
            flush: false,
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

    /// Writes what the engine hands out, unless it may wait, until the socket takes no
    /// more. `Ready(true)` when the connection died or the task is to end; `Pending` when
    /// the socket refused bytes (it wakes the task), `Ready(false)` when there is nothing
    /// to write now.
    fn write(&mut self, cx: &mut Context<'_>) -> Poll<bool> {
        loop {
            {
                let mut state = self.shared.lock();
                if state.dead.is_some() {
                    return Poll::Ready(true);
                }
                if !state.engine.wants_to_transmit() || state.engine.may_hold_writes() {
                    if state.handles == 0 && state.engine.is_idle() {
                        return Poll::Ready(true);
                    }
                    break;
                }
                let bytes = state.engine.transmit_at_most(WRITE_CHUNK);
                self.write_buf.clear();
                self.write_buf.extend_from_slice(bytes);
            }
            let written = Pin::new(&mut self.writer).poll_write(cx, &self.write_buf);
            let mut state = self.shared.lock();
            match written {
                Poll::Ready(Ok(0)) => {
                    state.engine.sent(0);
                    drop(state);
                    let _ = self.die(Arc::new(|| ErrorKind::Closed));
                    return Poll::Ready(true);
                }
                Poll::Ready(Ok(n)) => {
                    state.engine.sent(n);
                    if !state.engine.wants_to_transmit() {
                        state.room_made(&mut self.wake);
                    }
                    // Requests the server does not answer are done once written.
                    if let Some(failure) = state.process(&mut self.wake) {
                        drop(state);
                        let _ = self.die(Arc::new(move || failure_kind(failure)));
                        return Poll::Ready(true);
                    }
                    drop(state);
                    self.wake_all();
                    self.deadline = None;
                    self.flush = true;
                }
                Poll::Ready(Err(e)) => {
                    state.engine.sent(0);
                    drop(state);
                    let _ = self.die(Arc::new(crate::tls::io_failure(&e, "write failed")));
                    return Poll::Ready(true);
                }
                Poll::Pending => {
                    // Nothing was written: the requests in the chunk can still be taken back.
                    state.engine.sent(0);
                    drop(state);
                    if self.deadline.is_none() {
                        self.deadline = Some(Box::pin(tokio::time::sleep(self.write_timeout)));
                    }
                    return Poll::Pending;
                }
            }
        }
        if self.flush {
            match Pin::new(&mut self.writer).poll_flush(cx) {
                Poll::Ready(Ok(())) => self.flush = false,
                Poll::Ready(Err(e)) => {
                    let _ = self.die(Arc::new(crate::tls::io_failure(&e, "write failed")));
                    return Poll::Ready(true);
                }
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(false)
    }
}

impl<Rd: AsyncRead + Unpin, Wr: AsyncWrite + Unpin> Future for Io<Rd, Wr> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            // One pass: read until the socket has nothing more (which also registers for
            // the next bytes), then write what may go. Each of them wakes the task when
            // it can go on; a caller that queues a request wakes it too.
            if this.read(cx).is_ready() {
                return Poll::Ready(());
            }
            let blocked = match this.write(cx) {
                Poll::Ready(true) => {
                    let _ = Pin::new(&mut this.writer).poll_shutdown(cx);
                    return Poll::Ready(());
                }
                Poll::Ready(false) => false,
                Poll::Pending => true,
            };
            if let Some(deadline) = this.deadline.as_mut()
                && deadline.as_mut().poll(cx).is_ready()
            {
                return this.die(Arc::new(|| ErrorKind::Timeout));
            }
            // Sleep until the socket or a caller wakes the task. Under the lock, so a
            // request queued after the write step above finds the waker.
            let mut state = this.shared.lock();
            if !blocked && state.engine.wants_to_transmit() && !state.engine.may_hold_writes() {
                continue;
            }
            if state.handles == 0 && state.engine.is_idle() {
                return Poll::Ready(());
            }
            state.io = Some(cx.waker().clone());
            return Poll::Pending;
        }
    }
}
