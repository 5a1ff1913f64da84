//! The async connection shell, over [`embedded_io_async::Read`] + [`embedded_io_async::Write`].

use embedded_io::Error as _;
use embedded_io_async::Write as SinkWrite;

use super::Buffer;
use super::engine::{
    BulkHeader, DropPushes, Engine, Fault, Next, PushHandler, TransactionOutcome, server_error,
};
use super::handshake::{Handshake, Verdict};
use super::shell::shell_methods;
use super::tx::Queued;
use crate::error::{Delivery, Error, ErrorKind};
use crate::resp::{Arg, CommandArgs, Decoder, Frame, command_segments};

/// A connection to one Redis server over an async transport, with caller-owned read
/// and write buffers.
///
/// The read buffer bounds the largest reply (beyond it, use
/// [`Connection::request_streaming`]); the write buffer bounds how many requests are
/// written at once (a larger command is written straight through).
///
/// ```no_run
/// # async fn demo<T: embedded_io_async::Read + embedded_io_async::Write>(transport: T) -> Result<(), ferrodis_core::Error<T::Error>> {
/// use ferrodis_core::conn::{asynch::Connection, Handshake};
/// use ferrodis_core::resp::{Arg, Frame};
///
/// let (mut rx, mut tx) = ([0u8; 512], [0u8; 256]);
/// let mut conn = Connection::new(transport, &mut rx, &mut tx);
/// conn.handshake(&Handshake::DEFAULT).await?;
/// conn.request(&["SET".into(), "greeting".into(), "hello".into()]).await?;
/// assert_eq!(conn.request(&["GET".into(), "greeting".into()]).await?, Frame::BulkString(b"hello"));
/// # Ok(()) }
/// ```
pub struct Connection<T, R, W = R, P = DropPushes> {
    io: T,
    engine: Engine<R, W>,
    push: P,
}

impl<T: embedded_io_async::Read + embedded_io_async::Write, R: Buffer, W: Buffer>
    Connection<T, R, W, DropPushes>
{
    /// A connection over `io` (already connected) using the given buffers (slices,
    /// arrays, or `Vec`s with `alloc`). Run [`handshake`](Self::handshake) before the
    /// first request.
    pub fn new(io: T, read_buf: R, write_buf: W) -> Self {
        Self { io, engine: Engine::new(read_buf, write_buf), push: DropPushes }
    }

    /// Sends RESP3 push frames (pub/sub messages, invalidations) to `handler` instead of
    /// dropping them; they are never taken for a reply either way.
    pub fn with_push_handler<P: PushHandler>(self, handler: P) -> Connection<T, R, W, P> {
        Connection { io: self.io, engine: self.engine, push: handler }
    }
}

impl<T: embedded_io_async::Read + embedded_io_async::Write, R: Buffer, W: Buffer, P: PushHandler>
    Connection<T, R, W, P>
{
    /// The push handler.
    pub fn push_handler(&mut self) -> &mut P {
        &mut self.push
    }

    /// Uses `decoder` (its limits) for replies.
    pub fn set_decoder(&mut self, decoder: Decoder) {
        self.engine.decoder = decoder;
    }

    /// Whether the connection failed and must be replaced (see
    /// [`replace_transport`](Self::replace_transport)).
    pub fn is_broken(&self) -> bool {
        self.engine.broken
    }

    /// Replies owed to requests already sent and not yet read.
    pub fn pending_replies(&self) -> usize {
        self.engine.owed()
    }

    /// Swaps in a fresh transport (a reconnect), dropping all buffered state, and
    /// returns the old one. Run the handshake again afterwards.
    pub fn replace_transport(&mut self, io: T) -> T {
        self.engine.reset();
        core::mem::replace(&mut self.io, io)
    }

    /// The transport.
    pub fn get_ref(&self) -> &T {
        &self.io
    }

    /// The transport, mutably (for socket options; reading or writing it directly
    /// desynchronises the connection).
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.io
    }

    /// The transport, giving up the connection.
    pub fn into_inner(self) -> T {
        self.io
    }

    fn begin(&mut self) -> Result<usize, Error<T::Error>> {
        self.engine.begin().map_err(|f| f.into_error(Delivery::NotSent))
    }

    fn write_failed(&mut self, kind: ErrorKind<T::Error>) -> Error<T::Error> {
        self.engine.broken = true;
        let delivery = if self.engine.written == 0 { Delivery::NotSent } else { Delivery::Unknown };
        Error::new(kind, delivery)
    }

    shell_methods!(async; .await);
}
