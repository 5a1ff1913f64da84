//! Everything a connection does between its socket reads and writes: queueing requests,
//! counting the replies owed, routing push frames, and judging replies. Both shells
//! (blocking and async) drive this same engine.

use crate::error::{DecodeError, Delivery, EncodeError, Error, ErrorKind, ServerError};
use crate::resp::parse;
use crate::resp::{CommandArgs, Decoded, Decoder, Frame};

use super::Buffer;
use super::rx::{Poll, RxBuffer};
use super::tx::{Queued, TxBuffer};

/// A failure inside the engine, before the transport's error type is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    Decode(DecodeError),
    Encode(EncodeError),
    TooLarge(usize),
    Broken,
}

impl Fault {
    pub(crate) fn into_error<E>(self, delivery: Delivery) -> Error<E> {
        let kind = match self {
            Fault::Decode(e) => ErrorKind::Decode(e),
            Fault::Encode(e) => ErrorKind::Encode(e),
            Fault::TooLarge(needed) => ErrorKind::ReplyTooLarge { needed },
            Fault::Broken => ErrorKind::Broken,
        };
        Error::new(kind, delivery)
    }
}

/// What the engine needs next to produce a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// A reply of this many bytes is at the front of the read buffer.
    Reply(usize),
    /// Read more bytes from the transport.
    Read,
}

/// The start of a reply, for a streaming read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BulkHeader {
    /// A bulk string of this length (`None`: a RESP2 null) follows.
    Bulk(Option<usize>),
    /// Not enough bytes to tell.
    More,
    /// Some other reply.
    Other,
}

/// Where RESP3 push frames (pub/sub messages, invalidations) go. Closures taking a
/// [`Frame`] are push handlers; [`DropPushes`] drops them.
pub trait PushHandler {
    /// Receives one push frame; it borrows the read buffer only for this call.
    fn on_push(&mut self, frame: Frame<'_>);
}

impl<F: FnMut(Frame<'_>)> PushHandler for F {
    fn on_push(&mut self, frame: Frame<'_>) {
        self(frame)
    }
}

/// The default push handler: push frames are read and dropped.
#[derive(Debug, Clone, Copy, Default)]
pub struct DropPushes;

impl PushHandler for DropPushes {
    fn on_push(&mut self, _frame: Frame<'_>) {}
}

/// The shared state of a connection.
pub(crate) struct Engine<R, W> {
    pub(crate) rx: RxBuffer<R>,
    pub(crate) tx: TxBuffer<W>,
    pub(crate) decoder: Decoder,
    /// Replies owed by requests queued or written but not yet read.
    owed: usize,
    /// Length of the reply last handed out; consumed when the next one is asked for.
    handed_out: usize,
    /// Set when the byte stream can no longer be trusted.
    pub(crate) broken: bool,
    /// Bytes written since the current operation began (0: nothing was sent).
    pub(crate) written: usize,
}

impl<R: Buffer, W: Buffer> Engine<R, W> {
    pub(crate) fn new(read_buf: R, write_buf: W) -> Self {
        Self {
            rx: RxBuffer::new(read_buf),
            tx: TxBuffer::new(write_buf),
            decoder: Decoder::new(),
            owed: 0,
            handed_out: 0,
            broken: false,
            written: 0,
        }
    }

    /// Begins an operation. Returns how many replies are owed to earlier, abandoned
    /// operations; they are read and dropped before this operation's own.
    pub(crate) fn begin(&mut self) -> Result<usize, Fault> {
        if self.broken {
            return Err(Fault::Broken);
        }
        self.written = 0;
        Ok(self.owed)
    }

    /// Forgets all state, for a fresh transport.
    pub(crate) fn reset(&mut self) {
        self.rx.clear();
        self.tx.clear();
        self.owed = 0;
        self.handed_out = 0;
        self.broken = false;
        self.written = 0;
    }

    /// Queues one request; its reply is owed from now on.
    pub(crate) fn queue<C: CommandArgs + ?Sized>(&mut self, args: &C) -> Result<Queued, Fault> {
        let queued = self.tx.queue(args).map_err(Fault::Encode)?;
        if queued == Queued::Yes {
            self.owed += 1;
        }
        Ok(queued)
    }

    /// Counts a request written straight to the transport.
    pub(crate) fn owe_one(&mut self) {
        self.owed += 1;
    }

    /// How many replies are owed.
    pub(crate) fn owed(&self) -> usize {
        self.owed
    }

    /// Consumes the reply last handed out.
    pub(crate) fn release(&mut self) {
        self.rx.consume(core::mem::take(&mut self.handed_out));
    }

    /// Reads a bulk string header at the front of the read buffer, for a streaming read.
    /// After `Bulk(Some(_))` the payload follows, then [`Engine::bulk_trailer`]; the
    /// connection counts as broken until then, so an abandoned read closes it.
    pub(crate) fn bulk_header(&mut self) -> Result<BulkHeader, Fault> {
        let data = self.rx.data();
        match data {
            [] | [b'$'] => Ok(BulkHeader::More),
            [b'$', b'?', ..] => Ok(BulkHeader::Other),
            [b'$', tail @ ..] => match parse::length(tail) {
                Ok((rest, len)) => {
                    if len.is_some_and(|n| n > self.decoder.limits().max_bulk_len) {
                        self.broken = true;
                        return Err(Fault::Decode(DecodeError::BulkTooLong));
                    }
                    let header = data.len() - rest.len();
                    self.rx.consume(header);
                    if len.is_none() {
                        self.owed = self.owed.saturating_sub(1);
                    } else {
                        self.broken = true;
                    }
                    Ok(BulkHeader::Bulk(len))
                }
                Err(nom::Err::Incomplete(_)) => Ok(BulkHeader::More),
                Err(nom::Err::Error(parse::Fail(e)) | nom::Err::Failure(parse::Fail(e))) => {
                    self.broken = true;
                    Err(Fault::Decode(e))
                }
            },
            _ => Ok(BulkHeader::Other),
        }
    }

    /// Checks and consumes the CRLF after a streamed bulk payload (two bytes must be
    /// buffered).
    pub(crate) fn bulk_trailer(&mut self) -> Result<(), Fault> {
        if self.rx.data().get(..2) != Some(b"\r\n") {
            return Err(Fault::Decode(DecodeError::MissingCrlf));
        }
        self.rx.consume(2);
        self.owed = self.owed.saturating_sub(1);
        self.broken = false;
        Ok(())
    }

    /// Releases the last reply, hands push frames to `push`, and says whether the next
    /// reply is buffered.
    pub(crate) fn next_reply(&mut self, push: &mut impl PushHandler) -> Result<Next, Fault> {
        self.release();
        loop {
            match self.rx.poll(&self.decoder) {
                Ok(Poll::Frame(n)) => {
                    if self.rx.data().first() == Some(&b'>') {
                        if let Ok(Decoded::Complete { frame, .. }) = self.decoder.decode(self.rx.data()) {
                            push.on_push(frame);
                        }
                        self.rx.consume(n);
                        continue;
                    }
                    self.handed_out = n;
                    self.owed = self.owed.saturating_sub(1);
                    return Ok(Next::Reply(n));
                }
                Ok(Poll::More(_)) => return Ok(Next::Read),
                Ok(Poll::TooLarge(needed)) => {
                    if self.rx.grow(needed) {
                        return Ok(Next::Read);
                    }
                    self.broken = true;
                    return Err(Fault::TooLarge(needed));
                }
                Err(e) => {
                    self.broken = true;
                    return Err(Fault::Decode(e));
                }
            }
        }
    }

    /// The reply that [`Engine::next_reply`] announced.
    pub(crate) fn reply(&self) -> Frame<'_> {
        match self.decoder.decode(&self.rx.data()[..self.handed_out]) {
            Ok(Decoded::Complete { frame, .. }) => frame,
            // The same bytes decoded a moment ago; this cannot happen.
            _ => Frame::Null,
        }
    }
}

/// The server error in an error reply, if it is one.
pub(crate) fn server_error(frame: &Frame<'_>) -> Option<ServerError> {
    match frame {
        Frame::SimpleError(text) | Frame::BulkError(text) => Some(ServerError::new(text)),
        _ => None,
    }
}

/// How a MULTI/EXEC transaction ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TransactionOutcome {
    /// EXEC ran the queued commands; their replies went to the reply callback.
    Committed,
    /// A watched key changed, so EXEC ran nothing (a null reply).
    WatchConflict,
}
