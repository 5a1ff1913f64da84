//! The read side of a connection: a caller-owned buffer of received, not yet consumed
//! bytes, and the decoding of the next reply from it.

use super::Buffer;
use crate::error::DecodeError;
use crate::resp::{Decoded, Decoder};

/// What the buffered bytes hold at the moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Poll {
    /// A whole frame of this many bytes is at the front.
    Frame(usize),
    /// At least this many more bytes are needed, and they fit the buffer.
    More(usize),
    /// The frame needs a buffer of at least this many bytes.
    TooLarge(usize),
}

/// Received bytes in a caller's buffer: `buf[start..end]` is unconsumed.
#[derive(Debug)]
pub(crate) struct RxBuffer<B> {
    buf: B,
    start: usize,
    end: usize,
}

impl<B: Buffer> RxBuffer<B> {
    pub(crate) fn new(buf: B) -> Self {
        Self { buf, start: 0, end: 0 }
    }

    /// The unconsumed bytes.
    pub(crate) fn data(&self) -> &[u8] {
        &self.buf.as_ref()[self.start..self.end]
    }

    pub(crate) fn capacity(&self) -> usize {
        self.buf.as_ref().len()
    }

    /// Drops the first `n` unconsumed bytes.
    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Forgets everything buffered (the connection is being reset).
    pub(crate) fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
    }

    /// Free space to read into, moving unconsumed bytes to the front when the tail is
    /// full. Empty only when the buffer is entirely unconsumed data.
    pub(crate) fn spare(&mut self) -> &mut [u8] {
        let buf = self.buf.as_mut();
        if self.end == buf.len() && self.start > 0 {
            buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        &mut buf[self.end..]
    }

    /// Marks `n` bytes of [`RxBuffer::spare`] as received.
    pub(crate) fn commit(&mut self, n: usize) {
        self.end = (self.end + n).min(self.buf.as_ref().len());
    }

    /// Grows the buffer to hold `len` bytes, when the buffer can grow.
    pub(crate) fn grow(&mut self, len: usize) -> bool {
        self.buf.grow(len)
    }

    /// Whether a frame is complete at the front, and if not, whether it can become so.
    pub(crate) fn poll(&self, decoder: &Decoder) -> Result<Poll, DecodeError> {
        let data = self.data();
        Ok(match decoder.decode(data)? {
            Decoded::Complete { consumed, .. } => Poll::Frame(consumed),
            Decoded::Incomplete { needed } => {
                let total = data.len().saturating_add(needed);
                if total > self.buf.as_ref().len() { Poll::TooLarge(total) } else { Poll::More(needed) }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacts_only_when_the_tail_is_full() {
        let mut mem = [0u8; 8];
        let mut rx = RxBuffer::new(&mut mem[..]);
        rx.spare()[..8].copy_from_slice(b"+OK\r\n:1\r");
        rx.commit(8);
        assert_eq!(rx.poll(&Decoder::DEFAULT), Ok(Poll::Frame(5)));
        rx.consume(5);
        assert_eq!(rx.poll(&Decoder::DEFAULT), Ok(Poll::More(1)));
        let spare = rx.spare();
        assert_eq!(spare.len(), 5);
        spare[0] = b'\n';
        rx.commit(1);
        assert_eq!(rx.data(), b":1\r\n");
    }

    #[test]
    fn a_frame_larger_than_the_buffer_says_so() {
        let mut mem = [0u8; 8];
        let mut rx = RxBuffer::new(&mut mem[..]);
        rx.spare()[..5].copy_from_slice(b"$10\r\n");
        rx.commit(5);
        assert_eq!(rx.poll(&Decoder::DEFAULT), Ok(Poll::TooLarge(17)));
    }
}
