//! [`DetachedFrame`]: a decoded frame as positions in its bytes, without a borrow.

use super::frame::{Aggregate, Double, Frame, StreamedString};

/// A decoded [`Frame`] held as positions in the bytes it was decoded from instead of
/// borrows of them. Keep it next to those bytes, or next to an exact copy of them, and
/// [`attach`](DetachedFrame::attach) gives the frame back without decoding anything again.
///
/// Connections use it to hand a reply to another task: copy the reply's bytes, detach the
/// frame, and the receiver attaches it to the copy.
///
/// ```
/// use ferrodis_core::resp::{decode, Decoded, DetachedFrame, Frame};
///
/// let wire = b"*2\r\n$5\r\nhello\r\n:7\r\n";
/// let Ok(Decoded::Complete { frame, consumed }) = decode(wire) else { panic!() };
/// let detached = DetachedFrame::of(&frame, wire);
/// let copy = wire[..consumed].to_vec();
/// let again = detached.attach(&copy);
/// assert_eq!(again, frame);
/// assert!(matches!(again, Frame::Array(a) if a.raw().as_ptr() == copy[4..].as_ptr()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct DetachedFrame {
    kind: Kind,
    /// Where the frame's bytes (its payload, text or aggregate body) are: offset and length.
    at: usize,
    len: usize,
    /// An integer's value, a boolean, an aggregate's element count, a verbatim format.
    value: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Kind {
    SimpleString,
    SimpleError,
    Integer,
    BulkString,
    NullBulkString,
    Array,
    NullArray,
    Null,
    Boolean,
    Double,
    BigNumber,
    BulkError,
    VerbatimString,
    Map,
    Set,
    Attribute,
    Push,
    StreamedString,
}

impl DetachedFrame {
    /// `frame`, which borrows from `base`, as positions in `base`.
    ///
    /// A frame that does not borrow from `base` gives positions that are meaningless;
    /// attaching them gives a wrong frame or [`Frame::Null`], never an out-of-bounds read.
    pub fn of(frame: &Frame<'_>, base: &[u8]) -> DetachedFrame {
        let offset = |bytes: &[u8]| (bytes.as_ptr() as usize).wrapping_sub(base.as_ptr() as usize);
        let bytes =
            |kind: Kind, bytes: &[u8]| DetachedFrame { kind, at: offset(bytes), len: bytes.len(), value: 0 };
        let aggregate = |kind: Kind, a: &Aggregate<'_>| DetachedFrame {
            kind,
            at: offset(a.raw()),
            len: a.raw().len(),
            value: a.len() as i64,
        };
        let plain = |kind: Kind, value: i64| DetachedFrame { kind, at: 0, len: 0, value };
        match frame {
            Frame::SimpleString(b) => bytes(Kind::SimpleString, b),
            Frame::SimpleError(b) => bytes(Kind::SimpleError, b),
            Frame::Integer(n) => plain(Kind::Integer, *n),
            Frame::BulkString(b) => bytes(Kind::BulkString, b),
            Frame::NullBulkString => plain(Kind::NullBulkString, 0),
            Frame::Array(a) => aggregate(Kind::Array, a),
            Frame::NullArray => plain(Kind::NullArray, 0),
            Frame::Null => plain(Kind::Null, 0),
            Frame::Boolean(b) => plain(Kind::Boolean, i64::from(*b)),
            Frame::Double(d) => bytes(Kind::Double, d.text()),
            Frame::BigNumber(b) => bytes(Kind::BigNumber, b),
            Frame::BulkError(b) => bytes(Kind::BulkError, b),
            Frame::VerbatimString { format, text } => {
                let format = i64::from(u32::from_le_bytes([format[0], format[1], format[2], 0]));
                DetachedFrame { value: format, ..bytes(Kind::VerbatimString, text) }
            }
            Frame::Map(a) => aggregate(Kind::Map, a),
            Frame::Set(a) => aggregate(Kind::Set, a),
            Frame::Attribute(a) => aggregate(Kind::Attribute, a),
            Frame::Push(a) => aggregate(Kind::Push, a),
            Frame::StreamedString(s) => bytes(Kind::StreamedString, s.parts()),
        }
    }

    /// The bytes `frame` refers to (a string's payload, an aggregate's body; empty for a
    /// number or a null) and the frame as positions in them: copy those bytes, and
    /// [`attach`](Self::attach) to the copy gives the frame back.
    ///
    /// ```
    /// use ferrodis_core::resp::{decode, Decoded, DetachedFrame, Frame};
    ///
    /// let Ok(Decoded::Complete { frame, .. }) = decode(b"$5\r\nhello\r\n") else { panic!() };
    /// let (detached, bytes) = DetachedFrame::split(&frame);
    /// assert_eq!(bytes, b"hello");
    /// assert_eq!(detached.attach(&bytes.to_vec()), Frame::BulkString(b"hello"));
    /// ```
    pub fn split<'a>(frame: &Frame<'a>) -> (DetachedFrame, &'a [u8]) {
        let bytes: &'a [u8] = match *frame {
            Frame::SimpleString(b) | Frame::SimpleError(b) | Frame::BulkString(b) => b,
            Frame::BigNumber(b) | Frame::BulkError(b) => b,
            Frame::Double(d) => d.text(),
            Frame::VerbatimString { text, .. } => text,
            Frame::Array(a) | Frame::Map(a) | Frame::Set(a) | Frame::Attribute(a) | Frame::Push(a) => a.raw(),
            Frame::StreamedString(s) => s.parts(),
            Frame::Integer(_)
            | Frame::NullBulkString
            | Frame::NullArray
            | Frame::Null
            | Frame::Boolean(_) => &[],
        };
        (DetachedFrame::of(frame, bytes), bytes)
    }

    /// The same frame for its bytes moved `by` positions further into a buffer (copied
    /// behind `by` other bytes).
    #[must_use]
    pub const fn shifted(mut self, by: usize) -> DetachedFrame {
        self.at = self.at.wrapping_add(by);
        self
    }

    /// The frame again, borrowing from `base`: the bytes it was detached from, or a copy.
    pub fn attach<'a>(&self, base: &'a [u8]) -> Frame<'a> {
        // An empty slice may come from anywhere (an empty aggregate's body is `&[]`).
        let bytes = if self.len == 0 {
            &[][..]
        } else {
            match self.at.checked_add(self.len).and_then(|end| base.get(self.at..end)) {
                Some(bytes) => bytes,
                None => return Frame::Null,
            }
        };
        let aggregate = || Aggregate::new(bytes, self.value as usize);
        match self.kind {
            Kind::SimpleString => Frame::SimpleString(bytes),
            Kind::SimpleError => Frame::SimpleError(bytes),
            Kind::Integer => Frame::Integer(self.value),
            Kind::BulkString => Frame::BulkString(bytes),
            Kind::NullBulkString => Frame::NullBulkString,
            Kind::Array => Frame::Array(aggregate()),
            Kind::NullArray => Frame::NullArray,
            Kind::Null => Frame::Null,
            Kind::Boolean => Frame::Boolean(self.value != 0),
            Kind::Double => Frame::Double(Double::validated(bytes)),
            Kind::BigNumber => Frame::BigNumber(bytes),
            Kind::BulkError => Frame::BulkError(bytes),
            Kind::VerbatimString => {
                let [a, b, c, _] = (self.value as u32).to_le_bytes();
                Frame::VerbatimString { format: [a, b, c], text: bytes }
            }
            Kind::Map => Frame::Map(aggregate()),
            Kind::Set => Frame::Set(aggregate()),
            Kind::Attribute => Frame::Attribute(aggregate()),
            Kind::Push => Frame::Push(aggregate()),
            Kind::StreamedString => Frame::StreamedString(StreamedString::new(bytes)),
        }
    }

    /// Whether the frame is an error reply.
    pub const fn is_error(&self) -> bool {
        matches!(self.kind, Kind::SimpleError | Kind::BulkError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resp::{Decoded, decode};

    #[test]
    fn every_kind_of_frame_comes_back_from_a_copy() {
        let wires: &[&[u8]] = &[
            b"+OK\r\n",
            b"-ERR no\r\n",
            b":-42\r\n",
            b"$5\r\nhello\r\n",
            b"$-1\r\n",
            b"*2\r\n$1\r\na\r\n:1\r\n",
            b"*-1\r\n",
            b"_\r\n",
            b"#t\r\n",
            b",1.5\r\n",
            b"(123456789012345678901234567890\r\n",
            b"!5\r\nERR x\r\n",
            b"=8\r\ntxt:text\r\n",
            b"%1\r\n+k\r\n:1\r\n",
            b"%0\r\n",
            b"*0\r\n",
            b"$0\r\n\r\n",
            b"~1\r\n+m\r\n",
            b">2\r\n+message\r\n+x\r\n",
            b"$?\r\n;2\r\nab\r\n;0\r\n",
        ];
        for wire in wires {
            let Ok(Decoded::Complete { frame, consumed }) = decode(wire) else { panic!("{wire:?}") };
            let copy = wire[..consumed].to_vec();
            let detached = DetachedFrame::of(&frame, wire);
            assert_eq!(detached.attach(&copy), frame, "{}", wire.escape_ascii());
            assert_eq!(detached.is_error(), frame.is_error());
        }
    }

    #[test]
    fn positions_outside_the_bytes_give_null_not_a_panic() {
        let Ok(Decoded::Complete { frame, .. }) = decode(b"$5\r\nhello\r\n") else { panic!() };
        let detached = DetachedFrame::of(&frame, b"elsewhere");
        assert_eq!(detached.attach(b"short"), Frame::Null);
    }
}
