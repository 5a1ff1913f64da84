//! Errors, one small `Copy` enum per layer, and [`Error`] at the top over the transport's
//! own error type.
//!
//! Every enum is `#[non_exhaustive]`, has a static `Display` text and implements
//! [`core::error::Error`], so it works the same with and without `std`.

use core::fmt;

/// The bytes received are not valid RESP, or break one of the configured
/// [`Limits`](crate::resp::Limits).
///
/// A connection that produced one of these must be closed: the position of the next frame
/// in its byte stream is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum DecodeError {
    /// The first byte of a frame is not a RESP2 or RESP3 type marker.
    UnknownType(u8),
    /// A length field is not `-1` or a decimal number that fits the platform's `usize`.
    InvalidLength,
    /// A bulk string, bulk error or verbatim string is longer than `Limits::max_bulk_len`.
    BulkTooLong,
    /// An aggregate announces more elements than `Limits::max_aggregate_len`.
    AggregateTooLong,
    /// Aggregates are nested deeper than `Limits::max_depth`.
    TooDeep,
    /// An integer frame is not a decimal number that fits an `i64`.
    InvalidInteger,
    /// A double frame is not a number, `inf`, `-inf` or `nan`.
    InvalidDouble,
    /// A boolean frame is neither `#t` nor `#f`.
    InvalidBoolean,
    /// A big number frame is not an optionally signed string of decimal digits.
    InvalidBigNumber,
    /// A verbatim string is shorter than its `xxx:` format prefix.
    InvalidVerbatim,
    /// A null frame (`_`) carries data.
    InvalidNull,
    /// A line contains a lone CR or LF.
    InvalidLine,
    /// The two bytes after a bulk payload are not CRLF.
    MissingCrlf,
    /// A part of a streamed string (`$?`) does not start with `;`.
    InvalidChunk,
    /// An end marker (`.`) outside a streamed aggregate, or between a streamed map's key
    /// and its value.
    UnexpectedEnd,
}

impl DecodeError {
    /// A static description of the error, usable without formatting machinery.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::UnknownType(_) => "unknown RESP type byte",
            Self::InvalidLength => "invalid length field",
            Self::BulkTooLong => "bulk string longer than the configured limit",
            Self::AggregateTooLong => "aggregate with more elements than the configured limit",
            Self::TooDeep => "aggregates nested deeper than the configured limit",
            Self::InvalidInteger => "invalid integer frame",
            Self::InvalidDouble => "invalid double frame",
            Self::InvalidBoolean => "invalid boolean frame",
            Self::InvalidBigNumber => "invalid big number frame",
            Self::InvalidVerbatim => "invalid verbatim string frame",
            Self::InvalidNull => "invalid null frame",
            Self::InvalidLine => "lone CR or LF in a line",
            Self::MissingCrlf => "missing CRLF after a bulk payload",
            Self::InvalidChunk => "streamed string part does not start with ';'",
            Self::UnexpectedEnd => "end marker outside a streamed aggregate",
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownType(byte) => write!(f, "{} 0x{byte:02x}", self.as_str()),
            _ => f.write_str(self.as_str()),
        }
    }
}

impl core::error::Error for DecodeError {}

/// A frame or command could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum EncodeError {
    /// The output slice is too short; `needed` is the total size the encoding takes.
    BufferTooSmall {
        /// Bytes the whole encoding needs, counted from the start of the slice.
        needed: usize,
    },
    /// A simple string or simple error would contain CR or LF, which RESP cannot carry.
    InvalidSimpleString,
    /// A big number is not an optionally signed string of decimal digits.
    InvalidBigNumber,
    /// A command needs at least one argument (its name).
    EmptyCommand,
}

impl EncodeError {
    /// A static description of the error, usable without formatting machinery.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::BufferTooSmall { .. } => "output buffer too small",
            Self::InvalidSimpleString => "simple string contains CR or LF",
            Self::InvalidBigNumber => "big number is not a decimal integer",
            Self::EmptyCommand => "a command needs at least its name",
        }
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall { needed } => write!(f, "{}: {needed} bytes needed", self.as_str()),
            _ => f.write_str(self.as_str()),
        }
    }
}

impl core::error::Error for EncodeError {}

/// The top-level error of an operation that does I/O through a transport whose error
/// type is `E`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Error<E> {
    /// The transport failed.
    Io(E),
    /// The peer sent bytes that are not valid RESP.
    Decode(DecodeError),
    /// The request could not be encoded.
    Encode(EncodeError),
}

impl<E> From<DecodeError> for Error<E> {
    fn from(e: DecodeError) -> Self {
        Self::Decode(e)
    }
}

impl<E> From<EncodeError> for Error<E> {
    fn from(e: EncodeError) -> Self {
        Self::Encode(e)
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "transport error: {e}"),
            Self::Decode(e) => write!(f, "protocol error: {e}"),
            Self::Encode(e) => write!(f, "encoding error: {e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for Error<E> {}
