//! Errors, one small `Copy` enum per layer, and [`Error`] at the top over the transport's
//! own error type.
//!
//! Every enum but [`ErrorKind`] is `#[non_exhaustive]`, has a static `Display` text and implements
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

/// Writing an encoding into an [`embedded_io::Write`] failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum WriteError<E> {
    /// The writer failed.
    Io(E),
    /// The frame or command could not be encoded.
    Encode(EncodeError),
}

impl<E> From<EncodeError> for WriteError<E> {
    fn from(e: EncodeError) -> Self {
        Self::Encode(e)
    }
}

impl<E: fmt::Display> fmt::Display for WriteError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "write failed: {e}"),
            Self::Encode(e) => write!(f, "encoding failed: {e}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for WriteError<E> {}

/// What became of a request when an operation failed: whether it is safe to send again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Delivery {
    /// Nothing of the request reached the connection: sending it again is safe.
    NotSent,
    /// The request was written, then the connection failed before a whole reply came
    /// back: the server may or may not have run it.
    Unknown,
    /// The server answered (with an error reply, or with a reply of the wrong shape).
    Answered,
}

/// Why a connection operation failed; see [`Error`].
///
/// Exhaustive on purpose (unlike the other enums here): `ferrodis-std` matches every
/// variant when it wraps this error, so a new one cannot be lost on the way; adding one is
/// a breaking change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ErrorKind<E> {
    /// The transport failed.
    Io(E),
    /// The peer closed the connection.
    Closed,
    /// The peer sent bytes that are not valid RESP; the connection is closed.
    Decode(DecodeError),
    /// The request could not be encoded.
    Encode(EncodeError),
    /// The server answered with an error reply.
    Server(ServerError),
    /// A reply does not fit the read buffer; `needed` is the buffer size it takes. With
    /// [`Delivery::Answered`] the reply was read and dropped and the connection stays
    /// usable; otherwise (a single line longer than the buffer) it is closed.
    ReplyTooLarge {
        /// Bytes of read buffer the reply needs.
        needed: usize,
    },
    /// A reply had a shape the operation did not expect (for example a handshake reply
    /// that is not `+OK`).
    UnexpectedReply,
    /// The connection failed earlier (or an operation on it was abandoned midway) and
    /// must be replaced.
    Broken,
    /// The sink of a streaming read failed; the reply was still read to its end.
    Sink,
    /// The reply was read whole but could not be converted to the command's reply type
    /// (see [`FromFrame`](crate::reply::FromFrame)).
    Reply(crate::reply::ReplyError),
    /// The command cannot go this way (nothing was sent); the text says which way it can.
    Refused(crate::conn::engine::Refusal),
}

/// The error of a connection operation: what went wrong ([`Error::kind`]) and what
/// became of the request ([`Error::delivery`]).
///
/// ```
/// use ferrodis_core::error::{Delivery, Error, ErrorKind, ServerError, ServerErrorKind};
///
/// let e: Error<()> = Error::new(ErrorKind::Server(ServerError::new(b"WRONGTYPE no")), Delivery::Answered);
/// assert_eq!(e.server_error().map(|s| s.kind()), Some(ServerErrorKind::WrongType));
/// assert!(!e.is_retry_safe());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Error<E> {
    kind: ErrorKind<E>,
    delivery: Delivery,
}

impl<E> Error<E> {
    /// An error of `kind` with the request's `delivery`.
    pub const fn new(kind: ErrorKind<E>, delivery: Delivery) -> Self {
        Self { kind, delivery }
    }

    /// What went wrong.
    pub const fn kind(&self) -> &ErrorKind<E> {
        &self.kind
    }

    /// Consumes the error, returning what went wrong.
    pub fn into_kind(self) -> ErrorKind<E> {
        self.kind
    }

    /// What became of the request.
    pub const fn delivery(&self) -> Delivery {
        self.delivery
    }

    /// Whether the request never reached the connection, so sending it again cannot run
    /// it twice.
    pub const fn is_retry_safe(&self) -> bool {
        matches!(self.delivery, Delivery::NotSent)
    }

    /// The server's error reply, when that is what this is.
    pub const fn server_error(&self) -> Option<&ServerError> {
        match &self.kind {
            ErrorKind::Server(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the connection can carry further requests after this error: true for error
    /// replies, replies that did not convert, refused commands, failed streaming sinks
    /// and replies too large for the read buffer that were read and dropped
    /// ([`Delivery::Answered`]), all of which leave the stream in step.
    pub const fn connection_usable(&self) -> bool {
        match self.kind {
            ErrorKind::Server(_) | ErrorKind::Reply(_) | ErrorKind::Refused(_) | ErrorKind::Sink => true,
            ErrorKind::ReplyTooLarge { .. } => matches!(self.delivery, Delivery::Answered),
            _ => false,
        }
    }

    /// The same error with the transport error mapped by `f`.
    pub fn map_io<F>(self, f: impl FnOnce(E) -> F) -> Error<F> {
        let kind = match self.kind {
            ErrorKind::Io(e) => ErrorKind::Io(f(e)),
            ErrorKind::Closed => ErrorKind::Closed,
            ErrorKind::Decode(e) => ErrorKind::Decode(e),
            ErrorKind::Encode(e) => ErrorKind::Encode(e),
            ErrorKind::Server(e) => ErrorKind::Server(e),
            ErrorKind::ReplyTooLarge { needed } => ErrorKind::ReplyTooLarge { needed },
            ErrorKind::UnexpectedReply => ErrorKind::UnexpectedReply,
            ErrorKind::Broken => ErrorKind::Broken,
            ErrorKind::Sink => ErrorKind::Sink,
            ErrorKind::Reply(e) => ErrorKind::Reply(e),
            ErrorKind::Refused(r) => ErrorKind::Refused(r),
        };
        Error { kind, delivery: self.delivery }
    }
}

impl<E: fmt::Display> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Io(e) => write!(f, "transport error: {e}")?,
            ErrorKind::Closed => f.write_str("connection closed by the server")?,
            ErrorKind::Decode(e) => write!(f, "protocol error: {e}")?,
            ErrorKind::Encode(e) => write!(f, "cannot encode the request: {e}")?,
            ErrorKind::Server(e) => write!(f, "server error: {e}")?,
            ErrorKind::ReplyTooLarge { needed } => write!(f, "reply needs a read buffer of {needed} bytes")?,
            ErrorKind::UnexpectedReply => f.write_str("unexpected reply")?,
            ErrorKind::Broken => f.write_str("connection broken by an earlier failure")?,
            ErrorKind::Sink => f.write_str("the streaming sink failed")?,
            ErrorKind::Reply(e) => write!(f, "cannot convert the reply: {e}")?,
            ErrorKind::Refused(r) => write!(f, "refused: {r}")?,
        }
        match self.delivery {
            Delivery::NotSent => f.write_str(" (request not sent)"),
            Delivery::Unknown => f.write_str(" (request sent, outcome unknown)"),
            Delivery::Answered => Ok(()),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for Error<E> {}

/// The code of an error reply (`-CODE message`), as a matchable kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ServerErrorKind {
    /// `ERR`: the generic error.
    Err,
    /// `WRONGTYPE`: the key holds another type.
    WrongType,
    /// `MOVED`: the slot lives on another cluster node.
    Moved,
    /// `ASK`: the slot is migrating; ask the other node once.
    Ask,
    /// `TRYAGAIN`: a multi-key operation during resharding; retry later.
    TryAgain,
    /// `CLUSTERDOWN`: the cluster cannot serve the request.
    ClusterDown,
    /// `CROSSSLOT`: the keys of one command hash to several slots.
    CrossSlot,
    /// `READONLY`: a write sent to a replica.
    ReadOnly,
    /// `LOADING`: the server is loading its data set.
    Loading,
    /// `MASTERDOWN`: the replica lost its link to the master.
    MasterDown,
    /// `NOSCRIPT`: EVALSHA of an unknown script.
    NoScript,
    /// `NOAUTH`: authentication required.
    NoAuth,
    /// `WRONGPASS`: wrong user name or password.
    WrongPass,
    /// `NOPERM`: the ACL user lacks a permission.
    NoPerm,
    /// `EXECABORT`: the transaction was discarded because a queued command failed.
    ExecAbort,
    /// `BUSY`: a script or function is running.
    Busy,
    /// `BUSYGROUP`: the consumer group exists already.
    BusyGroup,
    /// `NOGROUP`: no such consumer group.
    NoGroup,
    /// `NOREPLICAS`: not enough replicas acknowledged.
    NoReplicas,
    /// `NOPROTO`: the protocol version asked for in HELLO is unsupported.
    NoProto,
    /// `OOM`: the command would exceed `maxmemory`.
    OutOfMemory,
    /// Any other code.
    Other,
}

impl ServerErrorKind {
    /// The kind for an error reply's text (its first word is the code).
    ///
    /// ```
    /// use ferrodis_core::error::ServerErrorKind;
    ///
    /// assert_eq!(ServerErrorKind::of(b"MOVED 3999 127.0.0.1:6381"), ServerErrorKind::Moved);
    /// assert_eq!(ServerErrorKind::of(b"ERR unknown command"), ServerErrorKind::Err);
    /// assert_eq!(ServerErrorKind::of(b"FANCY new error"), ServerErrorKind::Other);
    /// ```
    pub fn of(text: &[u8]) -> Self {
        let code = text.split(|&b| b == b' ').next().unwrap_or_default();
        CODES.iter().find(|(c, _)| *c == code).map_or(Self::Other, |(_, kind)| *kind)
    }

    /// Every kind, in declaration order: those [`CODES`] names, then `Other`.
    pub(crate) const ALL: [ServerErrorKind; CODES.len() + 1] = {
        let mut all = [ServerErrorKind::Other; CODES.len() + 1];
        let mut i = 0;
        while i < CODES.len() {
            all[i] = CODES[i].1;
            i += 1;
        }
        all
    };
}

/// The error codes a [`ServerErrorKind`] names.
const CODES: [(&[u8], ServerErrorKind); 21] = [
    (b"ERR", ServerErrorKind::Err),
    (b"WRONGTYPE", ServerErrorKind::WrongType),
    (b"MOVED", ServerErrorKind::Moved),
    (b"ASK", ServerErrorKind::Ask),
    (b"TRYAGAIN", ServerErrorKind::TryAgain),
    (b"CLUSTERDOWN", ServerErrorKind::ClusterDown),
    (b"CROSSSLOT", ServerErrorKind::CrossSlot),
    (b"READONLY", ServerErrorKind::ReadOnly),
    (b"LOADING", ServerErrorKind::Loading),
    (b"MASTERDOWN", ServerErrorKind::MasterDown),
    (b"NOSCRIPT", ServerErrorKind::NoScript),
    (b"NOAUTH", ServerErrorKind::NoAuth),
    (b"WRONGPASS", ServerErrorKind::WrongPass),
    (b"NOPERM", ServerErrorKind::NoPerm),
    (b"EXECABORT", ServerErrorKind::ExecAbort),
    (b"BUSY", ServerErrorKind::Busy),
    (b"BUSYGROUP", ServerErrorKind::BusyGroup),
    (b"NOGROUP", ServerErrorKind::NoGroup),
    (b"NOREPLICAS", ServerErrorKind::NoReplicas),
    (b"NOPROTO", ServerErrorKind::NoProto),
    (b"OOM", ServerErrorKind::OutOfMemory),
];

/// How much of a server's error text [`ServerError`] keeps without the `alloc` feature.
pub const SERVER_ERROR_TEXT: usize = 96;

/// An error reply, with its kind and its text: all of it with the `alloc` feature (as in
/// `ferrodis-std`), the first [`SERVER_ERROR_TEXT`] bytes without.
///
/// ```
/// use ferrodis_core::error::{ServerError, ServerErrorKind};
///
/// let e = ServerError::new(b"WRONGTYPE Operation against a key holding the wrong kind of value");
/// assert_eq!(e.kind(), ServerErrorKind::WrongType);
/// assert_eq!(e.code(), b"WRONGTYPE");
/// assert_eq!(e.message(), b"Operation against a key holding the wrong kind of value");
/// assert!(!e.is_truncated());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ServerError {
    kind: ServerErrorKind,
    text: ErrorText,
    truncated: bool,
}

/// Where a [`ServerError`] keeps its text.
#[cfg(feature = "alloc")]
type ErrorText = alloc::boxed::Box<[u8]>;
#[cfg(not(feature = "alloc"))]
type ErrorText = heapless::Vec<u8, SERVER_ERROR_TEXT>;

impl ServerError {
    /// The error of reply text `text` (without the `-` marker).
    pub fn new(text: &[u8]) -> Self {
        #[cfg(feature = "alloc")]
        let kept: ErrorText = text.into();
        #[cfg(not(feature = "alloc"))]
        let kept = {
            let mut kept = ErrorText::new();
            // Cannot fail: at most the capacity is taken.
            let _ = kept.extend_from_slice(&text[..text.len().min(SERVER_ERROR_TEXT)]);
            kept
        };
        Self { kind: ServerErrorKind::of(text), truncated: kept.len() < text.len(), text: kept }
    }

    /// The kind, from the error code.
    pub const fn kind(&self) -> ServerErrorKind {
        self.kind
    }

    /// The text as the server sent it, code first (cut at [`SERVER_ERROR_TEXT`] bytes
    /// without the `alloc` feature; see [`ServerError::is_truncated`]).
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    /// The error code: the text's first word (`ERR`, `WRONGTYPE`, `MOVED`, ...).
    pub fn code(&self) -> &[u8] {
        self.text.split(|&b| b == b' ').next().unwrap_or_default()
    }

    /// The text after the code.
    pub fn message(&self) -> &[u8] {
        self.text.get(self.code().len() + 1..).unwrap_or_default()
    }

    /// Whether [`ServerError::text`] was cut short (never with the `alloc` feature).
    pub const fn is_truncated(&self) -> bool {
        self.truncated
    }
}

impl fmt::Debug for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerError")
            .field("kind", &self.kind)
            .field("text", &format_args!("\"{}\"", self.text.escape_ascii()))
            .finish()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for ServerError {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "ServerError {{ kind: {}, text: {=[u8]:a} }}", self.kind, &self.text[..]);
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.text.escape_ascii(), if self.truncated { "..." } else { "" })
    }
}

impl core::error::Error for ServerError {}
