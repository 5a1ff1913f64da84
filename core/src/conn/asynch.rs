//! The async connection shell, over [`embedded_io_async::Read`] + [`embedded_io_async::Write`].

use embedded_io::Error as _;
use embedded_io_async::Write as SinkWrite;

use super::drive::{Batch, Received, Reply, Written, drive_methods, failure_kind, queue_error};
use super::engine::{
    DEFAULT_SLOTS, Engine, Event, Expect, Head, QueueError, Slot, SlotBuffer, Token, batchable,
};
use super::handshake::{Handshake, HandshakeCheck, Verdict};
use super::push::{DropPushes, PushHandler};
use super::transaction::{TransactionOutcome, TransactionReply, transaction_reply};
use super::{Buffer, server_error};
use crate::error::{Delivery, Error, ErrorKind};
use crate::resp::{Arg, CommandArgs, Decoder, Frame};

/// A connection to one Redis server over an async transport, with caller-owned read
/// and write buffers: the [`Engine`] driven by async reads and writes.
///
/// The read buffer bounds the largest reply (a larger one is read and dropped, and fails
/// with [`ErrorKind::ReplyTooLarge`] while the connection stays usable; to read it, use
/// [`Connection::request_streaming`]); the write buffer bounds how many requests are
/// written at once (a larger command is written a full buffer at a time).
///
/// ```
/// # use ferrodis_test_support::harness::Loopback;
/// use ferrodis_core::conn::asynch::Connection;
/// use ferrodis_core::resp::Frame;
///
/// # let (transport, _server) = Loopback::new(); // a transport with a tiny server behind it
/// let (mut rx, mut tx) = ([0u8; 512], [0u8; 256]);
/// # ferrodis_test_support::harness::block_on(async {
/// let mut conn = Connection::new(transport, &mut rx, &mut tx);
/// conn.request(&["SET".into(), "greeting".into(), "hello".into()]).await?;
/// assert_eq!(conn.request(&["GET".into(), "greeting".into()]).await?, Frame::BulkString(b"hello"));
/// # Ok::<(), ferrodis_core::Error<ferrodis_test_support::harness::PipeError>>(())
/// # }).unwrap();
/// ```
pub struct Connection<T, R, W = R, P = DropPushes, S = [Slot; DEFAULT_SLOTS]> {
    io: T,
    engine: Engine<R, W, S>,
    push: P,
}

impl<T: embedded_io_async::Read + embedded_io_async::Write, R: Buffer, W: Buffer> Connection<T, R, W> {
    /// A connection over `io` (already connected) using the given buffers (slices,
    /// arrays, or growing buffers from a hosted adapter). Run
    /// [`handshake`](Self::handshake) before the first request.
    pub fn new(io: T, read_buf: R, write_buf: W) -> Self {
        Self { io, engine: Engine::new(read_buf, write_buf), push: DropPushes }
    }
}

impl<T: embedded_io_async::Read + embedded_io_async::Write, R: Buffer, W: Buffer, S: SlotBuffer>
    Connection<T, R, W, DropPushes, S>
{
    /// A connection with the caller's storage for outstanding requests (see
    /// [`SlotBuffer`]).
    pub fn with_slots(io: T, read_buf: R, write_buf: W, slots: S) -> Self {
        Self { io, engine: Engine::with_slots(read_buf, write_buf, slots), push: DropPushes }
    }
}

impl<T: embedded_io_async::Read + embedded_io_async::Write, R: Buffer, W: Buffer, P, S: SlotBuffer>
    Connection<T, R, W, P, S>
{
    /// Sends RESP3 push frames (pub/sub messages, invalidations) that arrive while an
    /// operation waits to `handler` instead of dropping them; they are never taken for a
    /// reply either way.
    pub fn with_push_handler<Q: PushHandler>(self, handler: Q) -> Connection<T, R, W, Q, S> {
        Connection { io: self.io, engine: self.engine, push: handler }
    }
}

impl<
    T: embedded_io_async::Read + embedded_io_async::Write,
    R: Buffer,
    W: Buffer,
    P: PushHandler,
    S: SlotBuffer,
> Connection<T, R, W, P, S>
{
    drive_methods!(async; .await);
}
