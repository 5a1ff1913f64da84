//! The write side of a connection: encoded requests queued in a caller-owned buffer until
//! the next flush.

use super::Buffer;
use crate::error::EncodeError;
use crate::resp::{CommandArgs, encode_args};

/// Queued, encoded requests in a caller's slice.
#[derive(Debug)]
pub(crate) struct TxBuffer<B> {
    buf: B,
    len: usize,
}

/// The outcome of queueing a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Queued {
    /// Encoded into the buffer.
    Yes,
    /// It does not fit behind what is queued: flush, then queue it again.
    FlushFirst,
    /// It does not fit even an empty buffer: write it straight to the transport.
    TooLarge,
}

impl<B: Buffer> TxBuffer<B> {
    pub(crate) fn new(buf: B) -> Self {
        Self { buf, len: 0 }
    }

    /// The queued bytes.
    pub(crate) fn pending(&self) -> &[u8] {
        &self.buf.as_ref()[..self.len]
    }

    pub(crate) fn clear(&mut self) {
        self.len = 0;
    }

    /// Encodes `args` behind the queued requests.
    pub(crate) fn queue<C: CommandArgs + ?Sized>(&mut self, args: &C) -> Result<Queued, EncodeError> {
        let buf = self.buf.as_mut();
        match encode_args(&mut buf[self.len..], args) {
            Ok(n) => {
                self.len += n;
                Ok(Queued::Yes)
            }
            Err(EncodeError::BufferTooSmall { needed }) => {
                Ok(if needed <= buf.len() && self.len > 0 { Queued::FlushFirst } else { Queued::TooLarge })
            }
            Err(e) => Err(e),
        }
    }
}
