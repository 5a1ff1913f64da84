//! [`ConversionError`]: a reply that does not convert to the type asked for.

use std::fmt;

use crate::ServerError;

/// Why a conversion failed; see [`ConversionError::kind`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConversionErrorKind {
    /// The reply's type cannot become the type asked for (an array for a `String`, nil for
    /// an `i64`, ...).
    TypeMismatch,
    /// The text is not valid UTF-8.
    InvalidUtf8,
    /// The text is not a number of the type asked for (or not `1`/`0` for a `bool`).
    InvalidNumber,
    /// The number does not fit the type asked for.
    OutOfRange,
    /// An aggregate has another number of elements than the tuple asked for.
    WrongLength {
        /// The tuple's arity.
        expected: usize,
        /// The aggregate's length.
        received: usize,
    },
    /// A flat array cannot be cut into groups of `group` (key-value pairs for a map, or
    /// tuples for a `Vec` of tuples): its length is not a multiple.
    Ungroupable {
        /// The group size: 2 for pairs, or the tuple's arity.
        group: usize,
        /// The array's length.
        received: usize,
    },
    /// The reply is an error reply (for example one command's error inside the reply to
    /// `EXEC`). [`ConversionError::server_error`] returns it.
    Server(ServerError),
}

/// A reply could not be converted to the type asked for.
///
/// It says what was expected and what was received, by type name only: it never holds
/// the payload, so neither `Debug` nor `Display` can leak a large or secret value.
///
/// ```
/// use ferrodis_std::value::{ConversionErrorKind, FromValue, Value};
///
/// let e = i64::from_value(Value::BulkString(b"12x".to_vec())).unwrap_err();
/// assert_eq!(e.kind(), &ConversionErrorKind::InvalidNumber);
/// assert_eq!(e.to_string(), "cannot convert a bulk string to i64: not a number");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversionError {
    kind: ConversionErrorKind,
    expected: &'static str,
    received: &'static str,
}

impl ConversionError {
    /// An error of `kind`: a `received` reply (a type name such as `"bulk string"`, see
    /// [`Value::kind_name`](super::Value::kind_name)) could not become an `expected`.
    pub const fn new(kind: ConversionErrorKind, expected: &'static str, received: &'static str) -> Self {
        Self { kind, expected, received }
    }

    /// Why the conversion failed.
    pub const fn kind(&self) -> &ConversionErrorKind {
        &self.kind
    }

    /// The name of the type asked for, such as `"i64"` or `"tuple"`.
    pub const fn expected(&self) -> &'static str {
        self.expected
    }

    /// The type of the reply received, such as `"bulk string"` or `"nil"`.
    pub const fn received(&self) -> &'static str {
        self.received
    }

    /// The server's error reply, when the reply was one.
    pub fn server_error(&self) -> Option<&ServerError> {
        match &self.kind {
            ConversionErrorKind::Server(e) => Some(e),
            _ => None,
        }
    }

    /// Consumes the error, returning the server's error reply when the reply was one.
    pub fn into_server_error(self) -> Option<ServerError> {
        match self.kind {
            ConversionErrorKind::Server(e) => Some(e),
            _ => None,
        }
    }

    pub(super) const fn mismatch(expected: &'static str, received: &'static str) -> Self {
        Self::new(ConversionErrorKind::TypeMismatch, expected, received)
    }

    pub(super) fn server(error: ServerError, expected: &'static str) -> Self {
        Self::new(ConversionErrorKind::Server(error), expected, "error reply")
    }
}

/// `a` or `an` before a type name.
fn article(name: &str) -> &'static str {
    match name.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'u') => "an",
        _ => "a",
    }
}

impl fmt::Display for ConversionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (expected, received) = (self.expected, self.received);
        if let ConversionErrorKind::Server(e) = &self.kind {
            return write!(f, "error reply in place of {} {expected}: {e}", article(expected));
        }
        write!(f, "cannot convert {} {received} to {expected}", article(received))?;
        match &self.kind {
            ConversionErrorKind::TypeMismatch | ConversionErrorKind::Server(_) => Ok(()),
            ConversionErrorKind::InvalidUtf8 => f.write_str(": not valid UTF-8"),
            ConversionErrorKind::InvalidNumber => f.write_str(": not a number"),
            ConversionErrorKind::OutOfRange => f.write_str(": out of range"),
            ConversionErrorKind::WrongLength { expected, received } => {
                write!(f, ": {received} elements for {expected}")
            }
            ConversionErrorKind::Ungroupable { group, received } => {
                write!(f, ": {received} elements are not groups of {group}")
            }
        }
    }
}

impl std::error::Error for ConversionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ConversionErrorKind::Server(e) => Some(e),
            _ => None,
        }
    }
}
