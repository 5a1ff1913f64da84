//! The read side: received bytes in the caller's read buffer, not yet handed out, and the
//! decoding of the frame at their front.

use crate::conn::Buffer;
use crate::resp::DecodeState;

/// Received bytes: `buf[start..end]` are not consumed yet.
#[derive(Debug)]
pub(super) struct Rx<R> {
    pub(super) buf: R,
    pub(super) start: usize,
    pub(super) end: usize,
    /// Bytes of the last event, dropped before anything else is read.
    pub(super) release: usize,
    /// How far the frame at the front is decoded, when it came in pieces.
    pub(super) state: DecodeState,
    /// The decoder's lower bound: decode again once this many bytes are buffered.
    pub(super) want: usize,
}

impl<R: Buffer> Rx<R> {
    pub(super) fn new(buf: R) -> Self {
        Self { buf, start: 0, end: 0, release: 0, state: DecodeState::new(), want: 0 }
    }

    /// The bytes received and not consumed.
    pub(super) fn data(&self) -> &[u8] {
        &self.buf.as_ref()[self.start..self.end]
    }

    /// Drops the first `n` unconsumed bytes.
    pub(super) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
            if self.state.is_idle() {
                self.buf.shrink();
            }
        }
    }

    /// Drops the bytes of the last event.
    pub(super) fn release(&mut self) {
        let n = core::mem::take(&mut self.release);
        if n > 0 {
            self.consume(n);
        }
    }

    /// Forgets everything (a new transport).
    pub(super) fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
        self.release = 0;
        self.want = 0;
        self.state.clear();
        self.buf.shrink();
    }

    /// The largest the buffer can become.
    pub(super) fn max_len(&self) -> usize {
        self.buf.max_len()
    }

    /// Whether the buffer is all unconsumed bytes and cannot grow: the frame at the front
    /// cannot become any longer here.
    pub(super) fn is_full(&self) -> bool {
        let len = self.buf.as_ref().len();
        self.end - self.start == len && len >= self.buf.max_len()
    }

    /// Free space to read into: unconsumed bytes move to the front when the tail is full,
    /// and a buffer full of them grows (geometrically, up to its limit) when it can.
    /// Empty only when the buffer is full and cannot grow.
    pub(super) fn spare(&mut self) -> &mut [u8] {
        self.release();
        let len = self.buf.as_ref().len();
        if self.end == len {
            if self.start > 0 {
                self.buf.as_mut().copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else if len < self.buf.max_len() {
                let grown = len.saturating_mul(2).max(64).min(self.buf.max_len());
                self.buf.grow(grown);
            }
        }
        let end = self.end;
        &mut self.buf.as_mut()[end..]
    }

    /// Marks `n` bytes of [`Rx::spare`] as received.
    pub(super) fn commit(&mut self, n: usize) {
        self.end = (self.end + n).min(self.buf.as_ref().len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_buffer_grows_only_when_full_of_received_bytes() {
        let mut rx = Rx::new(crate::conn::GrowableBuffer::new(16, 1024));
        assert_eq!(rx.spare().len(), 16);
        rx.commit(16);
        assert_eq!(rx.spare().len(), 48, "full: doubled (at least 64 bytes)");
        rx.consume(10);
        rx.commit(48);
        assert_eq!(rx.spare().len(), 10, "the tail is full: moved to the front, not grown");
        rx.commit(10);
        assert_eq!(rx.spare().len(), 64);
        assert!(!rx.is_full());
    }

    #[test]
    fn a_fixed_buffer_full_of_one_frame_is_full() {
        let mut rx = Rx::new([0u8; 8]);
        rx.spare().copy_from_slice(b"$10\r\nabc");
        rx.commit(8);
        assert!(rx.is_full());
        assert!(rx.spare().is_empty());
    }
}
