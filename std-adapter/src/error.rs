//! The std adapter's error: what went wrong and what became of the request.

use std::fmt;

#[cfg(feature = "tokio")]
use ferrodis_core::conn::engine::Failure;
use ferrodis_core::conn::engine::Refusal;
pub use ferrodis_core::error::ServerError;
use ferrodis_core::error::{self as core_error, DecodeError, Delivery, EncodeError, ServerErrorKind};
use ferrodis_core::reply::ReplyError;

use crate::value::ConversionError;

/// Why an operation failed; see [`Error`].
///
/// The variants of core's [`ErrorKind`](core_error::ErrorKind) keep their names and
/// contents here (the transport's error is a [`std::io::Error`]); the others are what only
/// std has: timeouts, owned conversions, configuration and TLS.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The socket failed.
    Io(std::io::Error),
    /// The operation did not finish within its timeout.
    Timeout,
    /// The server closed the connection.
    Closed,
    /// The server sent bytes that are not valid RESP; the connection was closed.
    Decode(DecodeError),
    /// The request could not be encoded.
    Encode(EncodeError),
    /// The server answered with an error reply (its whole text).
    Server(ServerError),
    /// A reply had a shape the operation did not expect.
    UnexpectedReply,
    /// A reply could not be converted to the owned type asked for
    /// ([`FromValue`](crate::value::FromValue)).
    Conversion(ConversionError),
    /// A reply could not be converted to a core builder's borrowed reply type
    /// ([`FromFrame`](ferrodis_core::reply::FromFrame)).
    Reply(ReplyError),
    /// A reply is larger than the configured read buffer limit. With
    /// [`Delivery::Answered`] it was read and dropped and the connection stays usable.
    ReplyTooLarge {
        /// Bytes of buffer the reply needs.
        needed: usize,
    },
    /// The connection failed earlier and must be replaced.
    Broken,
    /// The sink of a streaming read failed; the reply was still read to its end.
    Sink,
    /// The command cannot go this way (nothing was sent); the text says which way it can.
    Refused(Refusal),
    /// The connection URL or configuration is invalid.
    InvalidConfig(String),
    /// TLS could not be set up.
    Tls(String),
    /// The [`CredentialProvider`](crate::CredentialProvider) gave no credentials (its
    /// message; nothing was sent).
    Credentials(String),
    /// A [`ConnectionPool`](crate::ConnectionPool) has `max_connections` connections in
    /// use: at once for a pool without a wait, or after waiting `wait` for one to come
    /// back (redis-py's "Too many connections" and "No connection available").
    PoolExhausted {
        /// The pool's limit.
        max_connections: usize,
    },
    /// A cluster client could not route the request, or gave up on it on its way (too
    /// many redirects, the cluster unavailable through every retry, a slot no node
    /// serves): core's [`RouteError`](ferrodis_core::cluster::RouteError).
    Cluster(ferrodis_core::cluster::RouteError),
    /// A cluster node's topology reply (`CLUSTER SHARDS` or `CLUSTER SLOTS`) could not be
    /// read into the slot map.
    Topology(ferrodis_core::cluster::SlotMapError),
    /// With `require_full_coverage` (redis-py's, on by default), no node the cluster client
    /// asked had a slot map in which every slot is served: these slots had no primary, or
    /// only a failed one, in the last map read. The client keeps the map it had.
    SlotsNotCovered(Vec<std::ops::RangeInclusive<u16>>),
    /// No sentinel named a master for the service that it holds for one, not down, and
    /// watched by enough other sentinels: what each sentinel said.
    MasterNotFound {
        /// The service.
        service: String,
        /// Each configured sentinel's answer.
        verdicts: Vec<crate::sentinel::SentinelVerdict>,
    },
    /// The server an [`AddressResolver`](crate::AddressResolver) named is not what it said
    /// (a sentinel's view of a failover not yet caught up): its `ROLE` names another role
    /// (`None`: no role it knows). Nothing was sent on the connection, which is closed.
    WrongRole {
        /// The server.
        address: crate::Address,
        /// The role it should have had.
        expected: ferrodis_core::reply::ServerRole,
        /// The role it has.
        found: Option<ferrodis_core::reply::ServerRole>,
    },
    /// A cluster client's refresh of its slot map found no node that gave one (none
    /// answered, or their maps could not be read). With `require_full_coverage`, a map
    /// refused for its uncovered slots is [`SlotsNotCovered`](Self::SlotsNotCovered)
    /// instead.
    ClusterRefreshFailed {
        /// The nodes asked, in order.
        asked: Vec<(String, u16)>,
        /// Whether only the startup nodes were asked, as they are with
        /// [`ClusterConfig::dynamic_startup_nodes`](crate::ClusterConfig::dynamic_startup_nodes)
        /// off.
        startup_only: bool,
        /// The error of the last node asked (its delivery is this error's).
        last: Box<Error>,
    },
}

/// The error of a ferrodis operation on std: [`Error::kind`] says what went wrong,
/// [`Error::delivery`] whether the request was not sent, sent with the outcome unknown,
/// or answered.
///
/// No error, `Debug` or `Display` output ever contains a password.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    delivery: Delivery,
}

/// The result of a ferrodis operation on std.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with the request's `delivery`.
    pub fn new(kind: ErrorKind, delivery: Delivery) -> Self {
        Self { kind, delivery }
    }

    /// A configuration error (nothing was sent).
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidConfig(message.into()), Delivery::NotSent)
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// What went wrong, taken out of the error.
    pub fn into_kind(self) -> ErrorKind {
        self.kind
    }

    /// What became of the request.
    pub fn delivery(&self) -> Delivery {
        self.delivery
    }

    /// Whether the request never reached the server, so sending it again cannot run it
    /// twice.
    pub fn is_retry_safe(&self) -> bool {
        self.delivery == Delivery::NotSent
    }

    /// What a [`RetryPolicy`](ferrodis_core::retry::RetryPolicy) makes of this error: a
    /// connection failure, a timeout, a server error reply of some kind, or a failure no
    /// retry can fix.
    pub fn retry_class(&self) -> ferrodis_core::retry::ErrorClass {
        use ferrodis_core::retry::ErrorClass;
        match &self.kind {
            ErrorKind::Timeout => ErrorClass::Timeout,
            ErrorKind::Io(e)
                if matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock) =>
            {
                ErrorClass::Timeout
            }
            ErrorKind::Io(_) | ErrorKind::Closed | ErrorKind::Broken => ErrorClass::Connection,
            ErrorKind::Server(e) => ErrorClass::Server(e.kind()),
            ErrorKind::ClusterRefreshFailed { last, .. } => last.retry_class(),
            // Another connect, asking the sentinels again, can find the master.
            ErrorKind::WrongRole { .. } | ErrorKind::MasterNotFound { .. } => ErrorClass::Connection,
            _ => ErrorClass::Permanent,
        }
    }

    /// Whether this is a timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, ErrorKind::Timeout)
    }

    /// The server's error reply, when that is what this is.
    pub fn server_error(&self) -> Option<&ServerError> {
        match &self.kind {
            ErrorKind::Server(e) => Some(e),
            _ => None,
        }
    }

    /// The kind of the server's error reply, when that is what this is.
    pub fn server_kind(&self) -> Option<ServerErrorKind> {
        self.server_error().map(ServerError::kind)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Io(e) => write!(f, "I/O error: {e}")?,
            ErrorKind::Timeout => f.write_str("timed out")?,
            ErrorKind::Closed => f.write_str("connection closed by the server")?,
            ErrorKind::Decode(e) => write!(f, "protocol error: {e}")?,
            ErrorKind::Encode(e) => write!(f, "cannot encode the request: {e}")?,
            ErrorKind::Server(e) => write!(f, "server error: {e}")?,
            ErrorKind::UnexpectedReply => f.write_str("unexpected reply")?,
            ErrorKind::Conversion(e) => write!(f, "{e}")?,
            ErrorKind::Reply(e) => write!(f, "cannot convert the reply: {e}")?,
            ErrorKind::Sink => f.write_str("the streaming sink failed")?,
            ErrorKind::ReplyTooLarge { needed } => write!(f, "reply needs a {needed}-byte read buffer")?,
            ErrorKind::Broken => f.write_str("connection broken by an earlier failure")?,
            ErrorKind::Refused(r) => write!(f, "refused: {r}")?,
            ErrorKind::InvalidConfig(e) => write!(f, "invalid configuration: {e}")?,
            ErrorKind::Tls(e) => write!(f, "TLS error: {e}")?,
            ErrorKind::Credentials(e) => write!(f, "no credentials: {e}")?,
            ErrorKind::PoolExhausted { max_connections } => {
                write!(f, "too many connections: all {max_connections} of the pool are in use")?
            }
            ErrorKind::Cluster(e) => write!(f, "cluster: {e}")?,
            ErrorKind::Topology(e) => write!(f, "cluster topology: {e}")?,
            ErrorKind::SlotsNotCovered(ranges) => {
                let count: usize = ranges.iter().map(|r| r.len()).sum();
                write!(f, "cluster: {count} of 16384 slots served by no node:")?;
                for range in ranges {
                    match (range.start(), range.end()) {
                        (first, last) if first == last => write!(f, " {first}")?,
                        (first, last) => write!(f, " {first}-{last}")?,
                    }
                }
            }
            ErrorKind::MasterNotFound { service, verdicts } => {
                write!(f, "sentinel: no master for `{service}`:")?;
                for (i, verdict) in verdicts.iter().enumerate() {
                    write!(f, "{} {verdict}", if i == 0 { "" } else { ";" })?;
                }
            }
            ErrorKind::WrongRole { address, expected, found } => {
                write!(f, "{address} is not a {expected:?} (its ROLE: {found:?})")?
            }
            ErrorKind::ClusterRefreshFailed { asked, startup_only, last } => {
                /// The most nodes the message names.
                const NAMED: usize = 8;
                f.write_str("cluster: no node gave a slot map; asked")?;
                for (host, port) in asked.iter().take(NAMED) {
                    write!(f, " {host}:{port}")?;
                }
                if asked.len() > NAMED {
                    write!(f, " and {} more", asked.len() - NAMED)?;
                }
                if *startup_only {
                    f.write_str(" (only the startup nodes: dynamic_startup_nodes is off)")?;
                }
                write!(f, "; the last: {}", last.kind)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        match self.delivery {
            Delivery::NotSent => f.write_str(" (request not sent)"),
            Delivery::Unknown => f.write_str(" (request sent, outcome unknown)"),
            Delivery::Answered => Ok(()),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io(e) => Some(e),
            ErrorKind::Decode(e) => Some(e),
            ErrorKind::Encode(e) => Some(e),
            ErrorKind::Server(e) => Some(e),
            ErrorKind::Conversion(e) => Some(e),
            ErrorKind::Reply(e) => Some(e),
            ErrorKind::Refused(e) => Some(e),
            ErrorKind::Cluster(e) => Some(e),
            ErrorKind::Topology(e) => Some(e),
            ErrorKind::ClusterRefreshFailed { last, .. } => Some(last.as_ref()),
            ErrorKind::Timeout
            | ErrorKind::Closed
            | ErrorKind::UnexpectedReply
            | ErrorKind::ReplyTooLarge { .. }
            | ErrorKind::Broken
            | ErrorKind::Sink
            | ErrorKind::InvalidConfig(_)
            | ErrorKind::Tls(_)
            | ErrorKind::Credentials(_)
            | ErrorKind::PoolExhausted { .. }
            | ErrorKind::SlotsNotCovered(_)
            | ErrorKind::MasterNotFound { .. }
            | ErrorKind::WrongRole { .. } => None,
        }
    }
}

impl From<ConversionError> for Error {
    /// A reply that arrived but does not convert to the type asked for.
    fn from(e: ConversionError) -> Self {
        Error::new(ErrorKind::Conversion(e), Delivery::Answered)
    }
}

impl From<core_error::Error<std::io::Error>> for Error {
    fn from(e: core_error::Error<std::io::Error>) -> Self {
        let delivery = e.delivery();
        let kind = match e.into_kind() {
            core_error::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => ErrorKind::Timeout,
            core_error::ErrorKind::Io(io) => crate::tls::io_kind(io),
            core_error::ErrorKind::Closed => ErrorKind::Closed,
            core_error::ErrorKind::Decode(d) => ErrorKind::Decode(d),
            core_error::ErrorKind::Encode(d) => ErrorKind::Encode(d),
            core_error::ErrorKind::Server(s) => ErrorKind::Server(s),
            core_error::ErrorKind::ReplyTooLarge { needed } => ErrorKind::ReplyTooLarge { needed },
            core_error::ErrorKind::UnexpectedReply => ErrorKind::UnexpectedReply,
            core_error::ErrorKind::Broken => ErrorKind::Broken,
            core_error::ErrorKind::Sink => ErrorKind::Sink,
            core_error::ErrorKind::Reply(r) => ErrorKind::Reply(r),
            core_error::ErrorKind::Refused(r) => ErrorKind::Refused(r),
        };
        Error::new(kind, delivery)
    }
}

/// A failure of a connection's byte stream as an error kind.
#[cfg(feature = "tokio")]
pub(crate) fn failure_kind(failure: Failure) -> ErrorKind {
    match failure {
        Failure::Decode(e) => ErrorKind::Decode(e),
        Failure::Unexpected => ErrorKind::UnexpectedReply,
        Failure::TooLarge { needed } => ErrorKind::ReplyTooLarge { needed },
        Failure::WriteAbandoned | Failure::Transport => ErrorKind::Broken,
    }
}

impl From<std::io::Error> for Error {
    /// A socket error while connecting (nothing was sent).
    fn from(e: std::io::Error) -> Self {
        let kind = match e.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => ErrorKind::Timeout,
            _ => crate::tls::io_kind(e),
        };
        Error::new(kind, Delivery::NotSent)
    }
}
