//! Connections: the handshake as data, and two thin shells, blocking
//! ([`blocking::Connection`], over `embedded_io`) and async ([`asynch::Connection`], over
//! `embedded_io_async`), that drive one shared engine.
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
//! they go to a push handler.
//!
//! A request abandoned midway (a dropped future, a read timeout) leaves its reply owed;
//! the next operation reads and drops it before its own, so a caller never receives another
//! request's reply. An abandoned write, a protocol error or a closed socket marks the
//! connection broken instead.

pub mod asynch;
pub mod blocking;
mod engine;
mod handshake;
mod rx;
mod shell;
mod tx;

pub use engine::{DropPushes, PushHandler, TransactionOutcome};

/// A buffer a connection reads into or writes from: a mutable slice or an array here; a
/// hosted adapter may supply one that grows. Its length is its capacity.
pub trait Buffer: AsRef<[u8]> + AsMut<[u8]> {
    /// Makes the buffer at least `len` bytes long, keeping its contents; `false` when it
    /// cannot (the default: fixed-size buffers).
    fn grow(&mut self, len: usize) -> bool {
        let _ = len;
        false
    }
}

impl Buffer for &mut [u8] {}

impl<const N: usize> Buffer for [u8; N] {}

impl<const N: usize> Buffer for &mut [u8; N] {}
pub use handshake::{Credentials, Handshake, MAX_STEPS, Protocol, Step, Verdict};
