//! Reply conversions: from a decoded [`Frame`] to the Rust type a caller wants, borrowing
//! from the read buffer and allocating nothing.
//!
//! [`FromFrame`] is implemented for
//!
//! - text and bytes: `&[u8]`, `&str` (bulk, simple and verbatim strings),
//!   [`heapless::String`];
//! - numbers: every integer type (from integer replies and from strings that hold a
//!   number, as Redis sends for `TIME` or `INCRBYFLOAT`; out of range is
//!   [`ReplyError::Overflow`]), `f64` and `f32` (doubles, integers and numeric strings,
//!   `inf`, `-inf` and `nan` included);
//! - `bool` (integer 0 or 1, RESP3 booleans), `()` (any reply that is not an error),
//!   [`Okay`] (`+OK`);
//! - `Option<T>` (every null is `None`), tuples of 2 to 4 elements (arrays of that length),
//!   [`heapless::Vec`] (arrays, sets and pushes), [`heapless::LinearMap`] (RESP3 maps and
//!   RESP2 flat key-value arrays);
//! - lazy views that convert as they are iterated: [`List`] (the elements of an array or
//!   set as `T`), [`Map`] (key-value pairs from a map or a flat array), and the raw
//!   [`Frame`] and [`Aggregate`];
//! - command-specific shapes that read the same from RESP2 and RESP3: [`Scored`]
//!   (sorted-set members with scores), [`StreamEntry`], [`Streams`] (`XREAD`),
//!   [`PendingSummary`] and [`PendingEntry`] (`XPENDING`), [`GeoMember`] (`GEOSEARCH`).
//!
//! Typed command builders ([`crate::cmd`]) name their reply type, and a connection's
//! `run` converts with it.
//!
//! ```
//! use ferrodis_core::reply::{FromFrame, List, Map, Okay};
//! use ferrodis_core::resp::{decode, Decoded, Frame};
//!
//! fn frame(wire: &[u8]) -> Frame<'_> {
//!     let Ok(Decoded::Complete { frame, .. }) = decode(wire) else { panic!() };
//!     frame
//! }
//!
//! assert_eq!(<Option<&str>>::from_frame(frame(b"$5\r\nhello\r\n")), Ok(Some("hello")));
//! assert_eq!(<Option<&str>>::from_frame(frame(b"$-1\r\n")), Ok(None));
//! assert_eq!(u64::from_frame(frame(b"$10\r\n1700000000\r\n")), Ok(1_700_000_000));
//! assert_eq!(Okay::from_frame(frame(b"+OK\r\n")), Ok(Okay));
//!
//! // HGETALL: a flat array in RESP2, a map in RESP3; the same `Map` either way.
//! for wire in [&b"*2\r\n$1\r\nf\r\n$1\r\n1\r\n"[..], b"%1\r\n$1\r\nf\r\n:1\r\n"] {
//!     let map = Map::from_frame(frame(wire)).unwrap();
//!     assert_eq!(map.get_as::<i64>("f"), Ok(Some(1)));
//! }
//!
//! let list = List::<Option<i64>>::from_frame(frame(b"*3\r\n:1\r\n_\r\n:3\r\n")).unwrap();
//! assert!(list.iter().eq([Ok(Some(1)), Ok(None), Ok(Some(3))]));
//! ```

mod containers;
mod error;
mod role;
mod scalar;
mod shapes;
#[cfg(test)]
mod tests;

pub use containers::{List, ListIter, Map, MapIter};
pub use error::ReplyError;
pub use role::ServerRole;
pub use scalar::Okay;
pub use shapes::{
    GeoMember, PendingEntry, PendingSummary, Scored, ScoredIter, StreamEntry, Streams, StreamsIter,
};

use crate::error::ServerErrorKind;
use crate::resp::{Aggregate, Frame};

/// A type that a reply frame converts to, borrowing from the frame where it can.
///
/// Conversions check the frame's type and never panic; an error reply converts to
/// [`ReplyError::ServerError`] for every type except [`Frame`] itself.
///
/// ```
/// use ferrodis_core::reply::{FromFrame, ReplyError};
/// use ferrodis_core::resp::Frame;
///
/// /// A point as Redis's GEOPOS gives it: `[longitude, latitude]`.
/// #[derive(Debug, PartialEq)]
/// struct Point {
///     lon: f64,
///     lat: f64,
/// }
///
/// impl<'a> FromFrame<'a> for Point {
///     fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
///         let (lon, lat) = <(f64, f64)>::from_frame(frame)?;
///         Ok(Point { lon, lat })
///     }
/// }
/// ```
pub trait FromFrame<'a>: Sized {
    /// Converts `frame`, or says why it cannot.
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError>;
}

/// A reply type named without its lifetime, for choosing the reply type of a command
/// whose reply depends on the call (a module command sent with [`Cmd`](crate::cmd::Cmd),
/// a script): [`Command::returning`](crate::cmd::Command::returning) takes one.
///
/// `At<'r>` is the same type borrowing from a read buffer that lives for `'r`, so
/// `Option<&str>` here means "`Option<&'r str>` for whatever buffer the reply is read
/// into". Implemented for every [`FromFrame`] type of this crate.
pub trait ReplyType {
    /// The type, borrowing for `'r`.
    type At<'r>: FromFrame<'r>;
}

/// The `expected` names used in [`ReplyError::UnexpectedType`].
pub(crate) mod expected {
    pub(crate) const TEXT: &str = "bulk, simple or verbatim string";
    pub(crate) const INTEGER: &str = "integer or numeric string";
    pub(crate) const DOUBLE: &str = "double or numeric string";
    pub(crate) const BOOLEAN: &str = "boolean or integer 0/1";
    pub(crate) const OK: &str = "simple string OK";
    pub(crate) const ARRAY: &str = "array, set or push";
    pub(crate) const AGGREGATE: &str = "aggregate";
    pub(crate) const MAP: &str = "map or flat key-value array";
}

/// The error for `frame` when it is not what a conversion takes: its server error kind
/// when it is an error reply, [`ReplyError::Null`] for nulls, otherwise its type.
pub(crate) fn unexpected(frame: &Frame<'_>, expected: &'static str) -> ReplyError {
    match frame {
        Frame::SimpleError(text) | Frame::BulkError(text) => {
            ReplyError::ServerError(ServerErrorKind::of(text))
        }
        f if f.is_null() => ReplyError::Null,
        f => ReplyError::UnexpectedType { expected, found: f.type_byte() },
    }
}

/// The bytes of a bulk, simple or verbatim string.
pub(crate) fn text<'a>(frame: &Frame<'a>) -> Option<&'a [u8]> {
    match *frame {
        Frame::BulkString(b) | Frame::SimpleString(b) => Some(b),
        Frame::VerbatimString { text, .. } => Some(text),
        _ => None,
    }
}

/// The elements of an array, set or push frame.
pub(crate) fn elements<'a>(frame: &Frame<'a>) -> Result<Aggregate<'a>, ReplyError> {
    match *frame {
        Frame::Array(a) | Frame::Set(a) | Frame::Push(a) => Ok(a),
        ref f => Err(unexpected(f, expected::ARRAY)),
    }
}

/// An aggregate with no elements, standing in for a null where an empty list reads the
/// same (a deleted stream entry's fields, a pending summary without consumers).
pub(crate) const fn empty() -> Aggregate<'static> {
    Aggregate::new(&[], 0)
}
