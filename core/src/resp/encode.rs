//! Frame encoding into a caller's slice or any [`embedded_io::Write`].

use super::frame::{Aggregate, Frame};
use crate::error::{EncodeError, WriteError};

/// Where encoded bytes go: a slice ([`SliceOutput`]) or a writer ([`IoOutput`]).
pub trait Output {
    /// The error of a failed write.
    type Error: From<EncodeError>;

    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]) -> Result<(), Self::Error>;
}

/// Writes into a borrowed slice. When the slice is too short it keeps counting instead of
/// failing at once, so [`SliceOutput::finish`] can report the whole size that was needed.
#[derive(Debug)]
pub struct SliceOutput<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> SliceOutput<'b> {
    /// Starts writing at the beginning of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// The bytes written, or [`EncodeError::BufferTooSmall`] with the size that was needed.
    pub fn finish(self) -> Result<usize, EncodeError> {
        if self.len <= self.buf.len() {
            Ok(self.len)
        } else {
            Err(EncodeError::BufferTooSmall { needed: self.len })
        }
    }
}

impl Output for SliceOutput<'_> {
    type Error = EncodeError;

    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
        }
        self.len = end;
        Ok(())
    }
}

/// Writes into an [`embedded_io::Write`]; the caller decides about buffering and flushing.
#[derive(Debug)]
pub struct IoOutput<W>(pub W);

impl<W: embedded_io::Write> Output for IoOutput<W> {
    type Error = WriteError<W::Error>;

    #[inline]
    fn put(&mut self, bytes: &[u8]) -> Result<(), Self::Error> {
        self.0.write_all(bytes).map_err(WriteError::Io)
    }
}

/// Writes RESP frames piece by piece: scalars whole, aggregates as a header followed by
/// the element frames the caller writes next.
///
/// ```
/// use ferrodis_core::resp::{Encoder, SliceOutput};
///
/// let mut buf = [0u8; 32];
/// let mut out = SliceOutput::new(&mut buf);
/// let mut enc = Encoder::new(&mut out);
/// enc.map_header(1).unwrap();
/// enc.simple_string(b"proto").unwrap();
/// enc.integer(3).unwrap();
/// let n = out.finish().unwrap();
/// assert_eq!(&buf[..n], b"%1\r\n+proto\r\n:3\r\n");
/// ```
#[derive(Debug)]
pub struct Encoder<'o, O: Output> {
    out: &'o mut O,
}

impl<'o, O: Output> Encoder<'o, O> {
    /// An encoder appending to `out`.
    pub fn new(out: &'o mut O) -> Self {
        Self { out }
    }

    fn line(&mut self, marker: u8, text: &[u8]) -> Result<(), O::Error> {
        if text.iter().any(|&b| b == b'\r' || b == b'\n') {
            return Err(EncodeError::InvalidSimpleString.into());
        }
        self.out.put(&[marker])?;
        self.out.put(text)?;
        self.out.put(b"\r\n")
    }

    fn number(&mut self, marker: u8, n: impl itoa::Integer) -> Result<(), O::Error> {
        let mut digits = itoa::Buffer::new();
        self.out.put(&[marker])?;
        self.out.put(digits.format(n).as_bytes())?;
        self.out.put(b"\r\n")
    }

    fn bulk(&mut self, marker: u8, data: &[u8]) -> Result<(), O::Error> {
        self.number(marker, data.len())?;
        self.out.put(data)?;
        self.out.put(b"\r\n")
    }

    /// `+text\r\n`; text with CR or LF is an [`EncodeError::InvalidSimpleString`].
    pub fn simple_string(&mut self, text: &[u8]) -> Result<(), O::Error> {
        self.line(b'+', text)
    }

    /// `-text\r\n`; text with CR or LF is an [`EncodeError::InvalidSimpleString`].
    pub fn simple_error(&mut self, text: &[u8]) -> Result<(), O::Error> {
        self.line(b'-', text)
    }

    /// `:n\r\n`.
    pub fn integer(&mut self, n: i64) -> Result<(), O::Error> {
        self.number(b':', n)
    }

    /// `$len\r\ndata\r\n`.
    pub fn bulk_string(&mut self, data: &[u8]) -> Result<(), O::Error> {
        self.bulk(b'$', data)
    }

    /// `$-1\r\n`.
    pub fn null_bulk_string(&mut self) -> Result<(), O::Error> {
        self.out.put(b"$-1\r\n")
    }

    /// `*-1\r\n`.
    pub fn null_array(&mut self) -> Result<(), O::Error> {
        self.out.put(b"*-1\r\n")
    }

    /// `_\r\n`.
    pub fn null(&mut self) -> Result<(), O::Error> {
        self.out.put(b"_\r\n")
    }

    /// `#t\r\n` or `#f\r\n`.
    pub fn boolean(&mut self, value: bool) -> Result<(), O::Error> {
        self.out.put(if value { b"#t\r\n" } else { b"#f\r\n" })
    }

    /// `,value\r\n`, with `inf`, `-inf` and `nan` spelled as RESP3 spells them.
    pub fn double(&mut self, value: f64) -> Result<(), O::Error> {
        self.out.put(b",")?;
        if value.is_nan() {
            self.out.put(b"nan")?;
        } else if value.is_infinite() {
            self.out.put(if value > 0.0 { b"inf" } else { b"-inf" })?;
        } else {
            let mut text = ryu::Buffer::new();
            self.out.put(text.format_finite(value).as_bytes())?;
        }
        self.out.put(b"\r\n")
    }

    /// `,text\r\n` for a double already in text form (as [`Double`](super::Double) holds it).
    fn double_text(&mut self, text: &[u8]) -> Result<(), O::Error> {
        self.out.put(b",")?;
        self.out.put(text)?;
        self.out.put(b"\r\n")
    }

    /// `(digits\r\n`; anything but an optionally signed run of digits is an
    /// [`EncodeError::InvalidBigNumber`].
    pub fn big_number(&mut self, digits: &[u8]) -> Result<(), O::Error> {
        if !super::parse::is_decimal(digits) {
            return Err(EncodeError::InvalidBigNumber.into());
        }
        self.line(b'(', digits)
    }

    /// `!len\r\nmessage\r\n`.
    pub fn bulk_error(&mut self, message: &[u8]) -> Result<(), O::Error> {
        self.bulk(b'!', message)
    }

    /// `=len\r\nfmt:text\r\n`.
    pub fn verbatim_string(&mut self, format: [u8; 3], text: &[u8]) -> Result<(), O::Error> {
        self.number(b'=', text.len().saturating_add(4))?;
        self.out.put(&format)?;
        self.out.put(b":")?;
        self.out.put(text)?;
        self.out.put(b"\r\n")
    }

    /// `*n\r\n`; the caller writes the `n` elements next.
    pub fn array_header(&mut self, n: usize) -> Result<(), O::Error> {
        self.number(b'*', n)
    }

    /// `%n\r\n`; the caller writes `n` key-value pairs (2n frames) next.
    pub fn map_header(&mut self, pairs: usize) -> Result<(), O::Error> {
        self.number(b'%', pairs)
    }

    /// `~n\r\n`; the caller writes the `n` elements next.
    pub fn set_header(&mut self, n: usize) -> Result<(), O::Error> {
        self.number(b'~', n)
    }

    /// `|n\r\n`; the caller writes `n` key-value pairs, then the frame they annotate.
    pub fn attribute_header(&mut self, pairs: usize) -> Result<(), O::Error> {
        self.number(b'|', pairs)
    }

    /// `>n\r\n`; the caller writes the `n` elements next.
    pub fn push_header(&mut self, n: usize) -> Result<(), O::Error> {
        self.number(b'>', n)
    }

    /// `$?\r\n`: starts a streamed string; write its parts with [`Encoder::chunk`] and end it
    /// with [`Encoder::end_of_chunks`].
    pub fn streamed_string_header(&mut self) -> Result<(), O::Error> {
        self.out.put(b"$?\r\n")
    }

    /// `;len\r\ndata\r\n`: one part of a streamed string. An empty `data` writes nothing,
    /// since an empty part would end the string.
    pub fn chunk(&mut self, data: &[u8]) -> Result<(), O::Error> {
        if data.is_empty() {
            return Ok(());
        }
        self.bulk(b';', data)
    }

    /// `;0\r\n`: ends a streamed string.
    pub fn end_of_chunks(&mut self) -> Result<(), O::Error> {
        self.out.put(b";0\r\n")
    }

    /// `*?\r\n`, `%?\r\n` or `~?\r\n` (for `b'*'`, `b'%'`, `b'~'`; anything else is taken as
    /// an array): starts a streamed aggregate, ended by [`Encoder::end_of_aggregate`].
    pub fn streamed_aggregate_header(&mut self, kind: u8) -> Result<(), O::Error> {
        let kind = if matches!(kind, b'%' | b'~') { kind } else { b'*' };
        self.out.put(&[kind, b'?', b'\r', b'\n'])
    }

    /// `.\r\n`: ends a streamed aggregate.
    pub fn end_of_aggregate(&mut self) -> Result<(), O::Error> {
        self.out.put(b".\r\n")
    }

    /// Any frame, aggregates included (their elements re-encoded one by one).
    pub fn frame(&mut self, frame: &Frame<'_>) -> Result<(), O::Error> {
        match *frame {
            Frame::SimpleString(t) => self.simple_string(t),
            Frame::SimpleError(t) => self.simple_error(t),
            Frame::Integer(n) => self.integer(n),
            Frame::BulkString(b) => self.bulk_string(b),
            Frame::NullBulkString => self.null_bulk_string(),
            Frame::NullArray => self.null_array(),
            Frame::Null => self.null(),
            Frame::Boolean(b) => self.boolean(b),
            Frame::Double(d) => self.double_text(d.text()),
            Frame::BigNumber(d) => self.big_number(d),
            Frame::BulkError(m) => self.bulk_error(m),
            Frame::VerbatimString { format, text } => self.verbatim_string(format, text),
            Frame::Array(a) => self.aggregate(b'*', a),
            Frame::Map(a) => self.aggregate(b'%', a),
            Frame::Set(a) => self.aggregate(b'~', a),
            Frame::Attribute(a) => self.aggregate(b'|', a),
            Frame::Push(a) => self.aggregate(b'>', a),
            Frame::StreamedString(s) => {
                self.streamed_string_header()?;
                s.chunks().try_for_each(|part| self.chunk(part))?;
                self.end_of_chunks()
            }
        }
    }

    /// Header plus elements. Recursion is bounded by the depth the decoder accepted, since
    /// an [`Aggregate`] only comes from the decoder.
    fn aggregate(&mut self, marker: u8, aggregate: Aggregate<'_>) -> Result<(), O::Error> {
        let n = if matches!(marker, b'%' | b'|') { aggregate.len() / 2 } else { aggregate.len() };
        self.number(marker, n)?;
        for element in aggregate.iter_with_attributes() {
            self.frame(&element)?;
        }
        Ok(())
    }
}

/// Encodes `frame` at the start of `out` and returns its length.
///
/// ```
/// use ferrodis_core::resp::{encode_frame, Frame};
/// use ferrodis_core::EncodeError;
///
/// let mut buf = [0u8; 8];
/// assert_eq!(encode_frame(&mut buf, &Frame::Integer(15)), Ok(5));
/// assert_eq!(&buf[..5], b":15\r\n");
/// assert_eq!(
///     encode_frame(&mut buf[..4], &Frame::BulkString(b"hello")),
///     Err(EncodeError::BufferTooSmall { needed: 11 }),
/// );
/// ```
pub fn encode_frame(out: &mut [u8], frame: &Frame<'_>) -> Result<usize, EncodeError> {
    let mut output = SliceOutput::new(out);
    Encoder::new(&mut output).frame(frame)?;
    output.finish()
}

/// Writes `frame` to `writer` (without flushing).
pub fn write_frame<W: embedded_io::Write>(
    writer: &mut W,
    frame: &Frame<'_>,
) -> Result<(), WriteError<W::Error>> {
    Encoder::new(&mut IoOutput(writer)).frame(frame)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resp::Double;

    #[test]
    fn scalars_encode_as_the_spec_spells_them() {
        let cases: &[(Frame<'_>, &[u8])] = &[
            (Frame::SimpleString(b"OK"), b"+OK\r\n"),
            (Frame::SimpleError(b"ERR x"), b"-ERR x\r\n"),
            (Frame::Integer(-42), b":-42\r\n"),
            (Frame::BulkString(b""), b"$0\r\n\r\n"),
            (Frame::NullBulkString, b"$-1\r\n"),
            (Frame::NullArray, b"*-1\r\n"),
            (Frame::Null, b"_\r\n"),
            (Frame::Boolean(false), b"#f\r\n"),
            (Frame::Double(Double::validated(b"inf")), b",inf\r\n"),
            (Frame::Double(Double::validated(b"-1.5e3")), b",-1.5e3\r\n"),
            (Frame::BigNumber(b"-123456789012345678901234567890"), b"(-123456789012345678901234567890\r\n"),
            (Frame::BulkError(b"SYNTAX x"), b"!8\r\nSYNTAX x\r\n"),
            (Frame::VerbatimString { format: *b"txt", text: b"Some string" }, b"=15\r\ntxt:Some string\r\n"),
        ];
        for (frame, wire) in cases {
            let mut buf = [0u8; 64];
            let n = encode_frame(&mut buf, frame).unwrap();
            assert_eq!(&buf[..n], *wire, "{frame:?}");
        }
    }

    #[test]
    fn invalid_scalars_are_refused() {
        let mut buf = [0u8; 64];
        assert_eq!(
            encode_frame(&mut buf, &Frame::SimpleString(b"a\r\nb")),
            Err(EncodeError::InvalidSimpleString)
        );
        assert_eq!(encode_frame(&mut buf, &Frame::BigNumber(b"12a")), Err(EncodeError::InvalidBigNumber));
    }

    #[test]
    fn short_slice_reports_the_full_size() {
        let mut buf = [0u8; 3];
        assert_eq!(
            encode_frame(&mut buf, &Frame::BulkString(&[7; 100])),
            Err(EncodeError::BufferTooSmall { needed: 108 })
        );
    }

    #[test]
    fn writes_into_embedded_io() {
        let mut buf = [0u8; 16];
        let mut writer: &mut [u8] = &mut buf;
        write_frame(&mut writer, &Frame::Integer(7)).unwrap();
        let left = writer.len();
        assert_eq!(&buf[..16 - left], b":7\r\n");
    }
}
