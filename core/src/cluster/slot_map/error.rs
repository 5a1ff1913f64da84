//! Why a topology reply did not become a slot map.

use core::fmt;

use crate::error::ServerErrorKind;

/// A `CLUSTER SHARDS` or `CLUSTER SLOTS` reply could not be read into a
/// [`SlotMap`](super::SlotMap): its shape is not the command's, it contradicts itself, or it
/// does not fit the map's capacity. Never a panic, whatever the reply holds.
///
/// ```
/// use ferrodis_core::cluster::{Addressing, SlotMap, SlotMapError};
/// use ferrodis_core::resp::Frame;
/// use ferrodis_core::ServerErrorKind;
///
/// let from = Addressing::new("10.0.0.1");
/// // Redis before 7.0 has no CLUSTER SHARDS: fall back to CLUSTER SLOTS.
/// let old_server = Frame::SimpleError(b"ERR unknown subcommand 'SHARDS'. Try CLUSTER HELP.");
/// let error = SlotMap::<6, 8, 64>::from_cluster_shards(old_server, &from).unwrap_err();
/// assert_eq!(error, SlotMapError::ErrorReply(ServerErrorKind::Err));
/// assert_eq!(
///     SlotMap::<6, 8, 64>::from_cluster_slots(Frame::Integer(3), &from).unwrap_err().to_string(),
///     "topology reply of an unexpected shape: CLUSTER SLOTS reply",
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SlotMapError {
    /// The reply is an error reply: `CLUSTER SHARDS` on a server older than 7.0, or a
    /// server that is not in cluster mode, for example.
    ErrorReply(ServerErrorKind),
    /// The reply, or the part of it that `what` names (`"shard"`, `"node"`, `"slot range"`,
    /// ...), has another type or length than the command's reply has.
    Shape {
        /// The part of the reply.
        what: &'static str,
    },
    /// A node lacks a field it must have (`"port"`, `"endpoint"`, `"role"`).
    MissingField {
        /// The field.
        field: &'static str,
    },
    /// A slot range is reversed or reaches past slot 16383.
    InvalidSlotRange,
    /// Two slot ranges share a slot.
    OverlappingRanges,
    /// A host that is not UTF-8, or that the address remap made empty.
    InvalidHost,
    /// A port that is not in `1..=65535`.
    InvalidPort,
    /// A node id that is not 40 hexadecimal digits.
    InvalidNodeId,
    /// A role other than `master` and `replica`.
    UnknownRole,
    /// A shard that serves slots has no primary.
    NoPrimary,
    /// A shard has more than one primary that is not failed.
    SeveralPrimaries,
    /// One node address is in two shards, or is a primary in one place and a replica in
    /// another.
    InconsistentNode,
    /// More nodes than the map's `NODES` capacity.
    TooManyNodes,
    /// More slot ranges (after joining adjacent ranges of one shard) than the map's
    /// `RANGES` capacity.
    TooManyRanges,
    /// The hosts take more bytes than the map's `HOST_BYTES` capacity (each distinct host
    /// is stored once).
    HostsTooLong,
}

impl SlotMapError {
    /// A static description of the error, usable without formatting machinery.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::ErrorReply(_) => "the topology command failed",
            Self::Shape { .. } => "topology reply of an unexpected shape",
            Self::MissingField { .. } => "node without a required field",
            Self::InvalidSlotRange => "slot range reversed or past slot 16383",
            Self::OverlappingRanges => "slot ranges overlap",
            Self::InvalidHost => "node host is not valid",
            Self::InvalidPort => "node port is not in 1..=65535",
            Self::InvalidNodeId => "node id is not 40 hex digits",
            Self::UnknownRole => "node role is neither master nor replica",
            Self::NoPrimary => "shard serving slots without a primary",
            Self::SeveralPrimaries => "shard with several primaries",
            Self::InconsistentNode => "node listed in two shards or with two roles",
            Self::TooManyNodes => "more nodes than the slot map's capacity",
            Self::TooManyRanges => "more slot ranges than the slot map's capacity",
            Self::HostsTooLong => "hosts longer than the slot map's host capacity",
        }
    }
}

impl fmt::Display for SlotMapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ErrorReply(kind) => write!(f, "{} ({kind:?})", self.as_str()),
            Self::Shape { what } => write!(f, "{}: {what}", self.as_str()),
            Self::MissingField { field } => write!(f, "{}: {field}", self.as_str()),
            _ => f.write_str(self.as_str()),
        }
    }
}

impl core::error::Error for SlotMapError {}
