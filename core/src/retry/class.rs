//! [`ErrorClass`]: what kind of failure an error is, as far as retrying goes; [`RetryOn`]:
//! the set of classes a [`RetryPolicy`](super::RetryPolicy) retries.

use core::fmt;
use core::ops::BitOr;

use crate::error::{ErrorKind, ServerErrorKind};

/// What kind of failure an error is, as far as retrying goes: what
/// [`RetryOn`] chooses from.
///
/// ```
/// use ferrodis_core::error::{ErrorKind, ServerError, ServerErrorKind};
/// use ferrodis_core::retry::ErrorClass;
/// use embedded_io::ErrorKind as Io;
///
/// assert_eq!(ErrorClass::of(&ErrorKind::<Io>::Closed), ErrorClass::Connection);
/// assert_eq!(ErrorClass::of(&ErrorKind::Io(Io::TimedOut)), ErrorClass::Timeout);
/// let loading = ErrorKind::<Io>::Server(ServerError::new(b"LOADING Redis is loading the dataset in memory"));
/// assert_eq!(ErrorClass::of(&loading), ErrorClass::Server(ServerErrorKind::Loading));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ErrorClass {
    /// The connection failed: a transport error other than a timeout, the server closed
    /// it, or an earlier failure left it broken. redis-py's `ConnectionError`.
    Connection,
    /// The transport timed out (a connect or response timeout). redis-py's
    /// `TimeoutError`.
    Timeout,
    /// The server answered with an error reply of this kind (`LOADING`, `TRYAGAIN`, ...).
    Server(ServerErrorKind),
    /// A failure another attempt cannot fix, never retried: the request could not be
    /// encoded or was refused, the reply was not valid RESP, too large for the buffer or
    /// of the wrong shape, or a streaming sink failed.
    Permanent,
}

impl ErrorClass {
    /// The class of a connection error of `kind`: the transport's errors by their
    /// [`embedded_io::ErrorKind`] (`TimedOut` is [`Timeout`](Self::Timeout), any other is
    /// [`Connection`](Self::Connection)).
    pub fn of<E: embedded_io::Error>(kind: &ErrorKind<E>) -> Self {
        match kind {
            ErrorKind::Io(e) if e.kind() == embedded_io::ErrorKind::TimedOut => Self::Timeout,
            ErrorKind::Io(_) | ErrorKind::Closed | ErrorKind::Broken => Self::Connection,
            ErrorKind::Server(e) => Self::Server(e.kind()),
            ErrorKind::Decode(_)
            | ErrorKind::Encode(_)
            | ErrorKind::ReplyTooLarge { .. }
            | ErrorKind::UnexpectedReply
            | ErrorKind::Sink
            | ErrorKind::Reply(_)
            | ErrorKind::Refused(_) => Self::Permanent,
        }
    }
}

/// A set of [`ErrorClass`]es: the failures a [`RetryPolicy`](super::RetryPolicy) retries
/// (redis-py's `supported_errors`, which `retry_on_timeout` and `retry_on_error` add to).
/// [`ErrorClass::Permanent`] is in no set.
///
/// ```
/// use ferrodis_core::error::ServerErrorKind;
/// use ferrodis_core::retry::{ErrorClass, RetryOn};
///
/// let on = RetryOn::CONNECTION | RetryOn::server(ServerErrorKind::Loading);
/// assert!(on.contains(ErrorClass::Connection));
/// assert!(on.contains(ErrorClass::Server(ServerErrorKind::Loading)));
/// assert!(!on.contains(ErrorClass::Timeout));
/// assert!(!on.contains(ErrorClass::Server(ServerErrorKind::WrongType)));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RetryOn(u64);

/// Bit 0: connection errors, bit 1: timeouts, bit `2 + kind`: error replies of that kind.
const SERVER_BITS: u32 = 2;
const _: () = assert!((ServerErrorKind::Other as u32) + SERVER_BITS < u64::BITS);

/// Every server error kind, in declaration order, for `Debug`.
const SERVER_KINDS: [ServerErrorKind; 22] = ServerErrorKind::ALL;

impl RetryOn {
    /// No failure at all.
    pub const NOTHING: Self = Self(0);
    /// [`ErrorClass::Connection`]: the default of every policy.
    pub const CONNECTION: Self = Self(1);
    /// [`ErrorClass::Timeout`] (redis-py's `retry_on_timeout`).
    pub const TIMEOUT: Self = Self(1 << 1);
    /// The error replies of a server that cannot serve the command right now but will
    /// soon, none of which ran it: `LOADING` (a restart loading its data), `BUSY` (a
    /// long script), `TRYAGAIN` (a resharding), `CLUSTERDOWN` and `MASTERDOWN` (a
    /// failover under way).
    pub const UNAVAILABLE: Self = Self::server(ServerErrorKind::Loading)
        .union(Self::server(ServerErrorKind::Busy))
        .union(Self::server(ServerErrorKind::TryAgain))
        .union(Self::server(ServerErrorKind::ClusterDown))
        .union(Self::server(ServerErrorKind::MasterDown));

    /// [`ErrorClass::Server`] of `kind`.
    pub const fn server(kind: ServerErrorKind) -> Self {
        Self(1 << (SERVER_BITS + kind as u32))
    }

    /// The classes of both sets.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether `class` is in the set.
    pub const fn contains(self, class: ErrorClass) -> bool {
        let bit = match class {
            ErrorClass::Connection => Self::CONNECTION,
            ErrorClass::Timeout => Self::TIMEOUT,
            ErrorClass::Server(kind) => Self::server(kind),
            ErrorClass::Permanent => return false,
        };
        self.0 & bit.0 != 0
    }

    /// The set without `other`'s classes.
    pub const fn without(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }
}

impl BitOr for RetryOn {
    type Output = Self;

    fn bitor(self, other: Self) -> Self {
        self.union(other)
    }
}

impl fmt::Debug for RetryOn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let classes = [ErrorClass::Connection, ErrorClass::Timeout];
        let servers = SERVER_KINDS.map(ErrorClass::Server);
        let mut set = f.debug_set();
        for class in classes.iter().chain(&servers).filter(|class| self.contains(**class)) {
            set.entry(class);
        }
        set.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ServerError;
    use crate::conn::engine::Refusal;
    use crate::error::{DecodeError, EncodeError};
    use crate::reply::ReplyError;
    use embedded_io::ErrorKind as Io;
    use std::format;

    #[test]
    fn core_errors_fall_into_their_class() {
        let table: [(ErrorKind<Io>, ErrorClass); 14] = [
            (ErrorKind::Io(Io::TimedOut), ErrorClass::Timeout),
            (ErrorKind::Io(Io::ConnectionReset), ErrorClass::Connection),
            (ErrorKind::Io(Io::ConnectionRefused), ErrorClass::Connection),
            (ErrorKind::Io(Io::Other), ErrorClass::Connection),
            (ErrorKind::Closed, ErrorClass::Connection),
            (ErrorKind::Broken, ErrorClass::Connection),
            (
                ErrorKind::Server(ServerError::new(b"TRYAGAIN later")),
                ErrorClass::Server(ServerErrorKind::TryAgain),
            ),
            (ErrorKind::Server(ServerError::new(b"FANCY new")), ErrorClass::Server(ServerErrorKind::Other)),
            (ErrorKind::Decode(DecodeError::InvalidLength), ErrorClass::Permanent),
            (ErrorKind::Encode(EncodeError::EmptyCommand), ErrorClass::Permanent),
            (ErrorKind::ReplyTooLarge { needed: 9000 }, ErrorClass::Permanent),
            (ErrorKind::UnexpectedReply, ErrorClass::Permanent),
            (ErrorKind::Sink, ErrorClass::Permanent),
            (
                ErrorKind::Reply(ReplyError::UnexpectedType { expected: "integer", found: b'+' }),
                ErrorClass::Permanent,
            ),
        ];
        for (kind, class) in table {
            assert_eq!(ErrorClass::of(&kind), class, "{kind:?}");
        }
        let refused = ErrorKind::<Io>::Refused(Refusal::Replication);
        assert_eq!(ErrorClass::of(&refused), ErrorClass::Permanent);
    }

    #[test]
    fn each_class_has_its_own_bit() {
        // The list for `Debug` has every kind, in order (`Other` is the last).
        assert_eq!(SERVER_KINDS.len(), ServerErrorKind::Other as usize + 1);
        for (i, kind) in SERVER_KINDS.into_iter().enumerate() {
            assert_eq!(kind as usize, i, "{kind:?}");
        }
        let classes = [ErrorClass::Connection, ErrorClass::Timeout];
        let all: std::vec::Vec<ErrorClass> =
            classes.into_iter().chain(SERVER_KINDS.map(ErrorClass::Server)).collect();
        for (i, &class) in all.iter().enumerate() {
            let alone = match class {
                ErrorClass::Connection => RetryOn::CONNECTION,
                ErrorClass::Timeout => RetryOn::TIMEOUT,
                ErrorClass::Server(kind) => RetryOn::server(kind),
                ErrorClass::Permanent => unreachable!(),
            };
            for (j, &other) in all.iter().enumerate() {
                assert_eq!(alone.contains(other), i == j, "{class:?} vs {other:?}");
            }
            assert!(!alone.contains(ErrorClass::Permanent));
            assert!(!RetryOn::NOTHING.contains(class));
            assert!(!(RetryOn::NOTHING | alone).without(alone).contains(class));
        }
    }

    #[test]
    fn debug_lists_the_classes() {
        let on = RetryOn::CONNECTION
            | RetryOn::server(ServerErrorKind::Loading)
            | RetryOn::server(ServerErrorKind::Other);
        assert_eq!(format!("{on:?}"), "{Connection, Server(Loading), Server(Other)}");
        assert_eq!(format!("{:?}", RetryOn::NOTHING), "{}");
        assert_eq!(
            format!("{:?}", RetryOn::UNAVAILABLE),
            "{Server(TryAgain), Server(ClusterDown), Server(Loading), Server(MasterDown), Server(Busy)}"
        );
    }
}
