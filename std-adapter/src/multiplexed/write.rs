//! Writing what the engine hands out to the socket: done by whoever holds the lock and
//! may write (a caller whose request finds nothing in flight writes it at once, without
//! waking the I/O task; otherwise the I/O task does).

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;

use super::state::ConnEngine;

/// The socket's write half, shared under the connection's lock.
pub(super) type Writer = Box<dyn AsyncWrite + Send + Unpin>;

/// Bytes handed to one socket write at most.
const WRITE_CHUNK: usize = 256 * 1024;

/// How a write step ended.
#[derive(Debug)]
pub(super) enum Wrote {
    /// Nothing (more) may be written now: everything queued is out, or it may wait for the
    /// replies of what is in flight.
    Done,
    /// The socket takes no more now; `cx` is woken when it does.
    Blocked,
    /// The socket failed (or closed).
    Failed(std::io::Error),
}

/// Writes what may go out now, and flushes it.
pub(super) fn write_out(
    engine: &mut ConnEngine,
    writer: &mut Writer,
    flush: &mut bool,
    cx: &mut Context<'_>,
) -> Wrote {
    while engine.wants_to_transmit() && !engine.may_hold_writes() {
        let bytes = engine.transmit_at_most(WRITE_CHUNK);
        match Pin::new(&mut *writer).poll_write(cx, bytes) {
            Poll::Ready(Ok(0)) => {
                engine.sent(0);
                return Wrote::Failed(std::io::ErrorKind::WriteZero.into());
            }
            Poll::Ready(Ok(n)) => {
                engine.sent(n);
                *flush = true;
            }
            Poll::Ready(Err(e)) => {
                engine.sent(0);
                return Wrote::Failed(e);
            }
            Poll::Pending => {
                // Nothing was written: the requests in it can still be taken back.
                engine.sent(0);
                return Wrote::Blocked;
            }
        }
    }
    if *flush {
        match Pin::new(&mut *writer).poll_flush(cx) {
            Poll::Ready(Ok(())) => *flush = false,
            Poll::Ready(Err(e)) => return Wrote::Failed(e),
            Poll::Pending => return Wrote::Blocked,
        }
    }
    Wrote::Done
}
