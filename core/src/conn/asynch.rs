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
    shell_methods!(async; .await);
}
