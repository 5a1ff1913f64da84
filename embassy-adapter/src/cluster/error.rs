//! [`ClusterError`]: why a request through the cluster client failed, and what became of it.

use core::fmt;

use ferrodis_core::cluster::{RouteError, SlotMapError};
use ferrodis_core::{Delivery, ErrorKind};

use crate::NetError;

/// What went wrong with a cluster request ([`ClusterError::kind`]) and whether it may have
/// run ([`ClusterError::delivery`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ClusterError {
    kind: ClusterErrorKind,
    delivery: Delivery,
}

/// The kinds of [`ClusterError`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ClusterErrorKind {
    /// The router refused the command (keys in several slots, a command the table does
    /// not know, a slot no node serves) or gave up on it (too many redirects, a cluster
    /// busy through every retry).
    Route(RouteError),
    /// A node's connection failed, timed out, or its reply did not fit the read buffer: the
    /// core's error kind for it.
    Connection(ErrorKind<NetError>),
    /// The topology reply did not fit the slot map's capacity (or was not one).
    SlotMap(SlotMapError),
    /// A refresh asked every node it knows and the startup nodes, and none gave a map.
    NoNodeAnswered,
    /// The command goes to several nodes (a fan-out such as `DBSIZE`, or keys in several
    /// slots that `MGET` could split): this client sends each command to one node.
    ManyNodes,
    /// A node's host is longer than [`MAX_HOST`](crate::cluster::MAX_HOST) bytes.
    HostTooLong,
}

impl ClusterError {
    pub(crate) const fn new(kind: ClusterErrorKind, delivery: Delivery) -> Self {
        Self { kind, delivery }
    }

    /// A connection's error, as it was.
    pub(crate) fn connection(e: ferrodis_core::Error<NetError>) -> Self {
        Self { delivery: e.delivery(), kind: ClusterErrorKind::Connection(e.kind().clone()) }
    }

    /// What went wrong.
    pub const fn kind(&self) -> &ClusterErrorKind {
        &self.kind
    }

    /// Whether the request was not sent, answered, or may have run: a request is sent
    /// again only when its last attempt certainly was not.
    pub const fn delivery(&self) -> Delivery {
        self.delivery
    }
}

impl fmt::Display for ClusterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ClusterErrorKind::Route(e) => write!(f, "{e}")?,
            ClusterErrorKind::Connection(ErrorKind::Io(e)) => write!(f, "{}", e.as_str())?,
            ClusterErrorKind::Connection(e) => write!(f, "{e:?}")?,
            ClusterErrorKind::SlotMap(e) => write!(f, "{e}")?,
            ClusterErrorKind::NoNodeAnswered => f.write_str("no node answered CLUSTER SLOTS")?,
            ClusterErrorKind::ManyNodes => f.write_str("the command goes to several nodes")?,
            ClusterErrorKind::HostTooLong => f.write_str("a node's host name is too long")?,
        }
        write!(f, " ({:?})", self.delivery)
    }
}

impl core::error::Error for ClusterError {}
