//! [`SentinelError`]: why finding, opening or following a service's master failed.

use core::fmt;

use ferrodis_core::reply::ServerRole;
use ferrodis_core::{Delivery, ErrorKind};

use crate::NetError;

/// What went wrong ([`SentinelError::kind`]) and what became of the caller's requests
/// ([`SentinelError::delivery`]): always [`Delivery::NotSent`] here, as asking the
/// sentinels, opening the master and waiting for a switch send nothing of the caller's.
/// It is there so that a caller handles this error as it handles a
/// [`ClusterError`](crate::cluster::ClusterError).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SentinelError {
    kind: SentinelErrorKind,
    delivery: Delivery,
}

/// The kinds of [`SentinelError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SentinelErrorKind {
    /// No sentinel named a master it holds for one, not down, and watched by enough other
    /// sentinels: [`Sentinel::verdicts`](super::Sentinel::verdicts) says what each said.
    MasterNotFound,
    /// The server the sentinels named is not a master (their view of a failover not yet
    /// caught up): its `ROLE` names another role (`None`: no role it knows). Its
    /// connection is closed; asking the sentinels again finds the master.
    WrongRole {
        /// The role it has.
        found: Option<ServerRole>,
    },
    /// No sentinel accepted the `+switch-master` subscription (none could be reached, or
    /// each refused it).
    NoSentinelAnswered,
    /// The master's connection, or the watcher's, failed or timed out; or the master's
    /// host could not be resolved: the core's error kind for it. After a read that timed
    /// out (`Io(NetError::TimedOut)`) the connection is still usable.
    Connection(ErrorKind<NetError>),
    /// A master's host is longer than [`MAX_HOST`](crate::cluster::MAX_HOST) bytes.
    HostTooLong,
}

impl SentinelError {
    /// Nothing of the caller's was sent: the only outcome of these operations.
    pub(crate) const fn new(kind: SentinelErrorKind) -> Self {
        Self { kind, delivery: Delivery::NotSent }
    }

    /// A connection's error, as it was.
    pub(crate) fn connection(e: &ferrodis_core::Error<NetError>) -> Self {
        Self::new(SentinelErrorKind::Connection(e.kind().clone()))
    }

    /// A network error (a failed lookup, say), as the core's kind for it.
    pub(crate) const fn net(e: NetError) -> Self {
        Self::new(SentinelErrorKind::Connection(ErrorKind::Io(e)))
    }

    /// What went wrong.
    pub const fn kind(&self) -> &SentinelErrorKind {
        &self.kind
    }

    /// What became of the caller's requests: not sent (see [`SentinelError`]).
    pub const fn delivery(&self) -> Delivery {
        self.delivery
    }
}

impl fmt::Display for SentinelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SentinelErrorKind::MasterNotFound => f.write_str("no sentinel named a master")?,
            SentinelErrorKind::WrongRole { found } => write!(f, "the master named is not one ({found:?})")?,
            SentinelErrorKind::NoSentinelAnswered => f.write_str("no sentinel took the subscription")?,
            SentinelErrorKind::Connection(ErrorKind::Io(e)) => write!(f, "{}", e.as_str())?,
            SentinelErrorKind::Connection(e) => write!(f, "{e:?}")?,
            SentinelErrorKind::HostTooLong => f.write_str("the master's host name is too long")?,
        }
        write!(f, " ({:?})", self.delivery)
    }
}

impl core::error::Error for SentinelError {}
