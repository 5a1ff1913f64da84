//! Connections: the [`engine`] (one connection as a sans-I/O state machine), the
//! handshake as data, and two thin shells that drive the engine, blocking
//! ([`blocking::Connection`], over `embedded_io`) and async ([`asynch::Connection`], over
//! `embedded_io_async`).
//!
//! Both shells take caller-owned read and write buffers and never allocate. They offer the
//! same operations: [`handshake`](blocking::Connection::handshake),
//! [`request`](blocking::Connection::request), [`pipeline`](blocking::Connection::pipeline)
//! (one write, N replies, error replies in the middle passed on without desync),
//! [`transaction`](blocking::Connection::transaction) (MULTI/EXEC, a WATCH conflict as its
//! own outcome), [`request_streaming`](blocking::Connection::request_streaming) (a bulk
//! reply of any size into an `embedded_io` sink) and the low-level
//! [`send`](blocking::Connection::send) / [`flush`](blocking::Connection::flush) /
//! [`receive`](blocking::Connection::receive). RESP3 push frames never count as replies:
//! they go to a push handler, or come out of `receive`.
//!
//! Every reply goes to the request it answers: the engine numbers requests and knows what
//! each is owed, subscription confirmations, `MONITOR`, `CLIENT REPLY` and `RESET`
//! included. A request abandoned midway (a dropped future, a read timeout) is cancelled:
//! if none of its bytes were written it is never sent; otherwise its reply is read and
//! dropped when it comes. A write abandoned midway, a protocol error or a closed socket
//! marks the connection broken instead; every request then fails with a
//! [`Delivery`](crate::Delivery) that says whether it may have reached the server.

pub mod asynch;
pub mod blocking;
mod drive;
pub mod engine;
// Also in tests: the engine's own tests grow their buffers with it.
#[cfg(any(test, feature = "alloc"))]
mod growable;
mod handshake;
mod push;
mod transaction;

pub use drive::{Received, Written};
#[cfg(any(test, feature = "alloc"))]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub use growable::{GrowableBuffer, GrowableSlots};
pub use handshake::{Credentials, Handshake, HandshakeCheck, MAX_STEPS, Protocol, Step, Verdict};
pub use push::{DropPushes, PushHandler};
pub use transaction::{TransactionOutcome, TransactionReply, transaction_reply};

use crate::error::ServerError;
use crate::resp::Frame;

/// The server error in an error reply, if it is one.
pub(crate) fn server_error(frame: &Frame<'_>) -> Option<ServerError> {
    match frame {
        Frame::SimpleError(text) | Frame::BulkError(text) => Some(ServerError::new(text)),
        _ => None,
    }
}

/// A buffer a connection reads into or writes from: a mutable slice or an array here; a
/// hosted adapter may supply one that grows. Its length is its capacity.
///
/// A connection grows its read buffer only when it is full of bytes that arrived (never to
/// a length the server announced), geometrically, up to [`Buffer::max_len`].
pub trait Buffer: AsRef<[u8]> + AsMut<[u8]> {
    /// The longest the buffer can become (the default: its length, for a fixed buffer).
    fn max_len(&self) -> usize {
        self.as_ref().len()
    }

    /// Makes the buffer at least `len` bytes long (`len <= max_len()`), keeping its
    /// contents; `false` when it cannot (the default: fixed-size buffers).
    fn grow(&mut self, len: usize) -> bool {
        let _ = len;
        false
    }

    /// Called when the buffer holds nothing: a buffer that grew may give memory back.
    fn shrink(&mut self) {}
}

impl Buffer for &mut [u8] {}

impl<const N: usize> Buffer for [u8; N] {}

impl<const N: usize> Buffer for &mut [u8; N] {}
