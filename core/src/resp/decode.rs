//! The streaming decoder: bytes in, a borrowed [`Frame`] or "need more bytes" out.
//!
//! Scalars are decoded here; aggregates in [`nested`], with an explicit stack that a
//! [`DecodeState`] can carry from one call to the next.

use nom::Err;

use super::frame::{Aggregate, Double, Frame, StreamedString};

mod nested;

use super::parse::{self, Fail, PResult};
use crate::error::DecodeError;
pub use nested::{DecodeState, Skipped};

/// The hard ceiling on [`Limits::max_depth`]; it sizes the decoder's stack.
pub const MAX_DEPTH_CEILING: usize = 64;

/// Bounds checked against every length, count and nesting level from the wire before the
/// decoder uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Limits {
    /// Longest accepted bulk string, bulk error or verbatim string, in bytes.
    /// Default 512 MiB, Redis's own `proto-max-bulk-len`.
    pub max_bulk_len: usize,
    /// Most elements in one aggregate (a map's keys and values counted as pairs).
    /// Default `i32::MAX`, the bound Redis itself puts on a multibulk.
    pub max_aggregate_len: usize,
    /// Deepest nesting of aggregates; a scalar at top level has depth 0. Default 32; values
    /// above [`MAX_DEPTH_CEILING`] are treated as the ceiling.
    pub max_depth: usize,
}

impl Limits {
    /// Redis's own limits: 512 MiB bulks, `i32::MAX` elements, 32 levels.
    pub const DEFAULT: Limits =
        Limits { max_bulk_len: 512 * 1024 * 1024, max_aggregate_len: i32::MAX as usize, max_depth: 32 };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// What the decoder does with RESP3 attribute frames (`|`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum AttributeMode {
    /// Attributes before a top-level frame are consumed with it and not returned; the
    /// frame after them is. This is what a client that ignores attributes wants.
    #[default]
    Skip,
    /// A top-level attribute is returned as its own [`Frame::Attribute`]; the frame it
    /// annotates comes from the next call.
    Surface,
}

/// The outcome of one decode step.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Decoded<'a> {
    /// A whole frame; the first `consumed` bytes of the input belong to it.
    Complete {
        /// The frame, borrowing from the input.
        frame: Frame<'a>,
        /// How many input bytes the frame (and any skipped attributes) took.
        consumed: usize,
    },
    /// The input is a valid prefix of a frame; at least `needed` more bytes (always 1 or
    /// more) must arrive before the frame can complete.
    Incomplete {
        /// A lower bound on the bytes still missing.
        needed: usize,
    },
}

/// A configured decoder. It holds no state between calls: feed it the unconsumed bytes.
///
/// ```
/// use ferrodis_core::resp::{Decoded, Decoder, Frame, Limits};
///
/// let decoder = Decoder::new().with_limits(Limits { max_depth: 4, ..Limits::DEFAULT });
/// assert_eq!(decoder.decode(b"$5\r\nhel").unwrap(), Decoded::Incomplete { needed: 4 });
/// assert_eq!(
///     decoder.decode(b"$5\r\nhello\r\n").unwrap(),
///     Decoded::Complete { frame: Frame::BulkString(b"hello"), consumed: 11 },
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Decoder {
    limits: Limits,
    attributes: AttributeMode,
}

/// Decodes one frame from `input` with the default [`Decoder`].
///
/// ```
/// use ferrodis_core::resp::{decode, Decoded, Frame};
///
/// assert_eq!(
///     decode(b"+OK\r\n").unwrap(),
///     Decoded::Complete { frame: Frame::SimpleString(b"OK"), consumed: 5 },
/// );
/// assert_eq!(decode(b"+O").unwrap(), Decoded::Incomplete { needed: 2 });
/// ```
#[inline]
pub fn decode(input: &[u8]) -> Result<Decoded<'_>, DecodeError> {
    Decoder::DEFAULT.decode(input)
}

/// One parsed frame header: either a finished scalar or the start of an aggregate.
enum Element<'a> {
    Scalar(Frame<'a>),
    /// An aggregate header; `count` is `None` for a streamed aggregate (`*?`).
    Open {
        kind: u8,
        count: Option<usize>,
    },
    /// The `.` that ends a streamed aggregate.
    End,
}

impl Decoder {
    /// Default limits, attributes skipped.
    pub const DEFAULT: Decoder = Decoder { limits: Limits::DEFAULT, attributes: AttributeMode::Skip };

    /// Re-reads bytes this crate validated already: widest limits, attributes surfaced.
    pub(crate) const VALIDATED: Decoder = Decoder {
        limits: Limits {
            max_bulk_len: usize::MAX,
            max_aggregate_len: usize::MAX,
            max_depth: MAX_DEPTH_CEILING,
        },
        attributes: AttributeMode::Surface,
    };

    /// A decoder with the default limits that skips attributes.
    pub const fn new() -> Self {
        Self::DEFAULT
    }

    /// The same decoder with other limits.
    #[must_use]
    pub const fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The same decoder with another attribute handling.
    #[must_use]
    pub const fn with_attributes(mut self, mode: AttributeMode) -> Self {
        self.attributes = mode;
        self
    }

    /// The limits in force.
    pub const fn limits(&self) -> Limits {
        self.limits
    }

    /// Decodes the frame at the start of `input`.
    ///
    /// Returns [`Decoded::Incomplete`] when `input` is a valid prefix, and an error as soon
    /// as a byte shows that it can never become a valid frame. It reads each byte at most
    /// once, uses a fixed amount of stack whatever the nesting, and never allocates.
    #[inline]
    pub fn decode<'a>(&self, input: &'a [u8]) -> Result<Decoded<'a>, DecodeError> {
        // Most replies are scalars, bulk strings first of all: answered without setting up
        // the aggregate stack.
        if let Some((payload, used)) = parse::bulk_at(input, self.limits.max_bulk_len) {
            return Ok(Decoded::Complete { frame: Frame::BulkString(payload), consumed: used });
        }
        match self.scalar(input) {
            Some(result) => result,
            None => self.decode_nested(input),
        }
    }

    /// The frame at the start of `input` when it is a scalar (or incomplete, or wrong);
    /// `None` when it opens an aggregate or a skipped attribute. Not inlined: one copy of
    /// the grammar serves every caller, which keeps firmware small.
    #[inline(never)]
    pub(super) fn scalar<'a>(&self, input: &'a [u8]) -> Option<Result<Decoded<'a>, DecodeError>> {
        match self.element(input) {
            Ok((after, Element::Scalar(frame)))
                if !(matches!(frame, Frame::Attribute(_)) && self.attributes == AttributeMode::Skip) =>
            {
                Some(Ok(Decoded::Complete { frame, consumed: input.len() - after.len() }))
            }
            Ok(_) => None,
            Err(Err::Incomplete(needed)) => Some(Ok(Decoded::Incomplete { needed: needed_bytes(needed) })),
            Err(Err::Error(Fail(e)) | Err::Failure(Fail(e))) => Some(Err(e)),
        }
    }

    /// Parses one frame header, and the whole frame when it is a scalar. One copy (not
    /// inlined) for the top level and for the elements of aggregates; runs of bulk strings
    /// take a tight loop of their own before they get here.
    #[inline(never)]
    fn element<'a>(&self, input: &'a [u8]) -> PResult<'a, Element<'a>> {
        let Some((&kind, body)) = input.split_first() else {
            return parse::incomplete(3);
        };
        let scalar = |(rest, frame)| Ok((rest, Element::Scalar(frame)));
        match kind {
            b'$' => {
                if let Some(streamed) = parse::streamed(body) {
                    let (rest, ()) = streamed?;
                    return scalar(self.streamed_string(rest)?);
                }
                let (rest, len) = parse::length(body)?;
                match len {
                    None => scalar((rest, Frame::NullBulkString)),
                    Some(len) => scalar(self.bulk(rest, len).map(|(r, b)| (r, Frame::BulkString(b)))?),
                }
            }
            b'*' | b'%' | b'~' | b'|' | b'>' => {
                if let (b'*' | b'%' | b'~', Some(streamed)) = (kind, parse::streamed(body)) {
                    let (rest, ()) = streamed?;
                    return Ok((rest, Element::Open { kind, count: None }));
                }
                let (rest, len) = parse::length(body)?;
                let Some(len) = len else {
                    return if kind == b'*' {
                        scalar((rest, Frame::NullArray))
                    } else {
                        parse::fail(DecodeError::InvalidLength)
                    };
                };
                if len > self.limits.max_aggregate_len {
                    return parse::fail(DecodeError::AggregateTooLong);
                }
                let count = if matches!(kind, b'%' | b'|') {
                    match len.checked_mul(2) {
                        Some(c) => c,
                        None => return parse::fail(DecodeError::AggregateTooLong),
                    }
                } else {
                    len
                };
                if count == 0 {
                    return scalar((rest, aggregate_frame(kind, Aggregate::new(&[], 0))));
                }
                Ok((rest, Element::Open { kind, count: Some(count) }))
            }
            b'.' => {
                let (rest, ()) = parse::crlf(body).map_err(|e| relabel(e, DecodeError::UnexpectedEnd))?;
                Ok((rest, Element::End))
            }
            b'+' => scalar(parse::line(body).map(|(r, t)| (r, Frame::SimpleString(t)))?),
            b'-' => scalar(parse::line(body).map(|(r, t)| (r, Frame::SimpleError(t)))?),
            b':' => scalar(parse::integer(body).map(|(r, i)| (r, Frame::Integer(i)))?),
            b'_' => {
                let (rest, ()) = parse::crlf(body).map_err(|e| relabel(e, DecodeError::InvalidNull))?;
                scalar((rest, Frame::Null))
            }
            b'#' => {
                let (value, tail) = match body.split_first() {
                    None => return parse::incomplete(3),
                    Some((b't', tail)) => (true, tail),
                    Some((b'f', tail)) => (false, tail),
                    Some(_) => return parse::fail(DecodeError::InvalidBoolean),
                };
                let (rest, ()) = parse::crlf(tail).map_err(|e| relabel(e, DecodeError::InvalidBoolean))?;
                scalar((rest, Frame::Boolean(value)))
            }
            b',' => {
                let (rest, text) = parse::line(body)?;
                if !parse::is_double(text) {
                    return parse::fail(DecodeError::InvalidDouble);
                }
                scalar((rest, Frame::Double(Double::validated(text))))
            }
            b'(' => {
                let (rest, text) = parse::line(body)?;
                if !parse::is_decimal(text) {
                    return parse::fail(DecodeError::InvalidBigNumber);
                }
                scalar((rest, Frame::BigNumber(text)))
            }
            b'!' => {
                let (rest, len) = parse::length(body)?;
                let Some(len) = len else { return parse::fail(DecodeError::InvalidLength) };
                scalar(self.bulk(rest, len).map(|(r, b)| (r, Frame::BulkError(b)))?)
            }
            b'=' => {
                let (rest, len) = parse::length(body)?;
                let Some(len) = len else { return parse::fail(DecodeError::InvalidLength) };
                let (rest, data) = self.bulk(rest, len)?;
                match data {
                    [a, b, c, b':', text @ ..] => {
                        scalar((rest, Frame::VerbatimString { format: [*a, *b, *c], text }))
                    }
                    _ => parse::fail(DecodeError::InvalidVerbatim),
                }
            }
            other => parse::fail(DecodeError::UnknownType(other)),
        }
    }

    /// The parts of a streamed string after its `$?\r\n` header, up to and including the
    /// final `;0\r\n`; their total length is held to `max_bulk_len`. Each part takes at
    /// least 4 bytes, so the loop is bounded by the input.
    fn streamed_string<'a>(&self, input: &'a [u8]) -> PResult<'a, Frame<'a>> {
        let mut rest = input;
        let mut total = 0usize;
        loop {
            let body = match rest.split_first() {
                None => return parse::incomplete(4),
                Some((b';', body)) => body,
                Some(_) => return parse::fail(DecodeError::InvalidChunk),
            };
            let (after, len) = parse::length(body)?;
            let Some(len) = len else { return parse::fail(DecodeError::InvalidLength) };
            if len == 0 {
                let parts = &input[..input.len() - after.len()];
                return Ok((after, Frame::StreamedString(StreamedString::new(parts))));
            }
            total = total.saturating_add(len);
            if total > self.limits.max_bulk_len {
                return parse::fail(DecodeError::BulkTooLong);
            }
            (rest, _) = parse::payload(after, len)?;
        }
    }

    /// A bulk payload of `len` bytes, checked against the limit before anything is read.
    #[inline]
    fn bulk<'a>(&self, input: &'a [u8], len: usize) -> PResult<'a, &'a [u8]> {
        if len > self.limits.max_bulk_len {
            return parse::fail(DecodeError::BulkTooLong);
        }
        parse::payload(input, len)
    }
}

/// nom's `Needed` as a byte count of at least 1.
fn needed_bytes(needed: nom::Needed) -> usize {
    match needed {
        nom::Needed::Size(n) => n.get(),
        nom::Needed::Unknown => 1,
    }
}

/// Replaces the error (not an incomplete) of a nom result with `error`.
fn relabel(e: Err<Fail>, error: DecodeError) -> Err<Fail> {
    match e {
        Err::Error(_) | Err::Failure(_) => Err::Error(Fail(error)),
        incomplete => incomplete,
    }
}

/// The aggregate frame for a type byte (`*`, `%`, `~`, `|` or `>`).
fn aggregate_frame(kind: u8, aggregate: Aggregate<'_>) -> Frame<'_> {
    match kind {
        b'%' => Frame::Map(aggregate),
        b'~' => Frame::Set(aggregate),
        b'|' => Frame::Attribute(aggregate),
        b'>' => Frame::Push(aggregate),
        _ => Frame::Array(aggregate),
    }
}

#[cfg(test)]
mod tests;
