//! Why a reply frame could not become the type asked for.

use core::fmt;

use crate::error::{Delivery, Error, ErrorKind, ServerErrorKind};

/// A reply frame could not be converted to the type asked for (see
/// [`FromFrame`](super::FromFrame)). The frame itself was well-formed RESP and was read
/// whole, so the connection stays usable.
///
/// ```
/// use ferrodis_core::reply::{FromFrame, ReplyError};
/// use ferrodis_core::resp::Frame;
///
/// assert_eq!(u8::from_frame(Frame::Integer(300)), Err(ReplyError::Overflow));
/// assert_eq!(i64::from_frame(Frame::Null), Err(ReplyError::Null));
/// assert!(matches!(
///     i64::from_frame(Frame::Boolean(true)),
///     Err(ReplyError::UnexpectedType { found: b'#', .. }),
/// ));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ReplyError {
    /// The frame has another type than the conversion takes.
    UnexpectedType {
        /// What the conversion takes, such as `"integer"` or `"bulk or simple string"`.
        expected: &'static str,
        /// The frame's type byte ([`Frame::type_byte`](crate::resp::Frame::type_byte)),
        /// such as `b'*'` for an array.
        found: u8,
    },
    /// A null reply where a value is required; ask for an `Option` to accept it.
    Null,
    /// A number that does not fit the integer or float type asked for (a negative number
    /// for an unsigned type included).
    Overflow,
    /// Text that is not valid UTF-8 where a `str` was asked for.
    InvalidUtf8,
    /// A string that should hold a number (or a 0/1 flag) holds something else.
    InvalidNumber,
    /// More elements, or more bytes, than the `heapless` container asked for can hold.
    Capacity,
    /// An array whose length is not the one the type takes (a tuple, a map given as a
    /// flat array of odd length, a stream entry that is not `[id, fields]`).
    WrongLength,
    /// The frame is an error reply (nested in an aggregate: a top-level error reply is
    /// reported by the connection as [`ErrorKind::Server`] with its whole text).
    ServerError(ServerErrorKind),
}

impl ReplyError {
    /// A static description of the error, usable without formatting machinery.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::UnexpectedType { .. } => "unexpected reply type",
            Self::Null => "null reply where a value is required",
            Self::Overflow => "number out of range for the type asked for",
            Self::InvalidUtf8 => "reply text is not valid UTF-8",
            Self::InvalidNumber => "reply string is not a valid number",
            Self::Capacity => "reply does not fit the container's capacity",
            Self::WrongLength => "reply array has the wrong number of elements",
            Self::ServerError(_) => "error reply",
        }
    }
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnexpectedType { expected, found } => {
                write!(f, "{}: expected {expected}, found '{}'", self.as_str(), found.escape_ascii())
            }
            Self::ServerError(kind) => write!(f, "{} ({kind:?})", self.as_str()),
            _ => f.write_str(self.as_str()),
        }
    }
}

impl core::error::Error for ReplyError {}

impl<E> From<ReplyError> for Error<E> {
    /// [`ErrorKind::Reply`], answered: for converting a frame read with
    /// [`request`](crate::conn::blocking::Connection::request) yourself with `?`.
    fn from(e: ReplyError) -> Self {
        Error::new(ErrorKind::Reply(e), Delivery::Answered)
    }
}
