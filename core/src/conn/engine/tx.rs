//! The write side: encoded requests in the caller's write buffer, waiting to be written.
//! A command larger than the whole buffer is encoded a window at a time.

use crate::conn::Buffer;
use crate::error::EncodeError;
use crate::resp::command::command;
use crate::resp::{CommandArgs, Output, encode_args};

/// Bytes not yet confirmed written: `buf[start..end]`.
#[derive(Debug)]
pub(super) struct Tx<W> {
    buf: W,
    start: usize,
    end: usize,
}

/// Where a command went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fit {
    /// Encoded whole behind the pending bytes; this many bytes.
    Whole(usize),
    /// It fits the buffer, but not behind what is pending: write that first.
    NoRoom,
    /// It is larger than the buffer can ever be (this many bytes): encode it in windows.
    Larger(usize),
}

impl<W: Buffer> Tx<W> {
    pub(super) fn new(buf: W) -> Self {
        Self { buf, start: 0, end: 0 }
    }

    /// The bytes waiting to be written.
    pub(super) fn pending(&self) -> &[u8] {
        &self.buf.as_ref()[self.start..self.end]
    }

    pub(super) fn len(&self) -> usize {
        self.end - self.start
    }

    /// Forgets `n` written bytes.
    pub(super) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.clear();
        }
    }

    pub(super) fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
        self.buf.shrink();
    }

    /// Moves the pending bytes to the front of the buffer.
    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.as_mut().copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
    }

    /// Encodes `command` behind the pending bytes, making room (moving them to the front,
    /// or growing the buffer) when it does not fit as things are.
    pub(super) fn encode<C: CommandArgs + ?Sized>(&mut self, command: &C) -> Result<Fit, EncodeError> {
        let needed = match encode_args(&mut self.buf.as_mut()[self.end..], command) {
            Ok(n) => {
                self.end += n;
                return Ok(Fit::Whole(n));
            }
            Err(EncodeError::BufferTooSmall { needed }) => needed,
            Err(e) => return Err(e),
        };
        let pending = self.len();
        if needed > self.buf.max_len() {
            return Ok(Fit::Larger(needed));
        }
        let total = pending.saturating_add(needed);
        if total > self.buf.as_ref().len() && !(total <= self.buf.max_len() && self.buf.grow(total)) {
            return Ok(Fit::NoRoom);
        }
        self.compact();
        let n = encode_args(&mut self.buf.as_mut()[self.end..], command)?;
        self.end += n;
        Ok(Fit::Whole(n))
    }

    /// Encodes as much of `command`'s encoding as fits the free space, from byte `skip` of
    /// it on; returns how many bytes that was.
    pub(super) fn encode_window<C: CommandArgs + ?Sized>(&mut self, command: &C, skip: usize) -> usize {
        self.compact();
        let mut window = Window { out: &mut self.buf.as_mut()[self.end..], skip, seen: 0, len: 0 };
        // Stops early (an error) once the window is full; what was written stands.
        let _ = command_into(&mut window, command);
        let n = window.len;
        self.end += n;
        n
    }

    /// Cuts `len` bytes out, `from` bytes after the start of the pending ones.
    pub(super) fn remove(&mut self, from: usize, len: usize) {
        let at = (self.start + from).min(self.end);
        let until = (at + len).min(self.end);
        self.buf.as_mut().copy_within(until..self.end, at);
        self.end -= until - at;
        if self.start == self.end {
            self.clear();
        }
    }

    /// The free space behind the pending bytes (after moving them to the front).
    pub(super) fn room(&mut self) -> usize {
        self.compact();
        self.buf.as_ref().len() - self.end
    }
}

fn command_into<C: CommandArgs + ?Sized>(out: &mut Window<'_>, args: &C) -> Result<(), EncodeError> {
    command(out, args)
}

/// An [`Output`] that keeps the bytes of the encoding from `skip` on, as many as fit `out`.
struct Window<'b> {
    out: &'b mut [u8],
    skip: usize,
    /// Bytes of the encoding produced so far, kept or not.
    seen: usize,
    /// Bytes kept in `out`.
    len: usize,
}

impl Output for Window<'_> {
    type Error = EncodeError;

    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        let start = self.seen;
        self.seen += bytes.len();
        if self.seen <= self.skip {
            return Ok(());
        }
        let from = self.skip.saturating_sub(start);
        let take = (bytes.len() - from).min(self.out.len() - self.len);
        self.out[self.len..self.len + take].copy_from_slice(&bytes[from..from + take]);
        self.len += take;
        if self.len == self.out.len() {
            return Err(EncodeError::BufferTooSmall { needed: self.seen });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resp::{Arg, command_len, encode_command};

    #[test]
    fn a_command_larger_than_the_buffer_goes_out_in_whole_windows() {
        let value = [b'v'; 100];
        let args = [Arg::from("SET"), Arg::from("k"), Arg::Bytes(&value)];
        let total = command_len(&args);
        let mut whole = std::vec![0u8; total];
        encode_command(&mut whole, &args).unwrap();

        let mut tx = Tx::new([0u8; 16]);
        assert_eq!(tx.encode(&args), Ok(Fit::Larger(total)));
        let mut out = std::vec::Vec::new();
        while out.len() < total {
            let n = tx.encode_window(&args, out.len());
            assert!(n == 16 || out.len() + n == total, "every window but the last is full");
            out.extend_from_slice(tx.pending());
            tx.consume(n);
        }
        assert_eq!(out, whole);
    }

    #[test]
    fn a_command_that_fits_once_the_buffer_is_empty_asks_for_a_write_first() {
        let mut tx = Tx::new([0u8; 32]);
        assert_eq!(tx.encode(&[Arg::from("PING")]), Ok(Fit::Whole(14)));
        let get = [Arg::from("GET"), Arg::from("key")];
        assert_eq!(tx.encode(&get), Ok(Fit::NoRoom));
        tx.consume(14);
        assert_eq!(tx.encode(&get), Ok(Fit::Whole(22)));
        tx.remove(0, 22);
        assert!(tx.pending().is_empty());
    }
}
