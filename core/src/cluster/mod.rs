//! Redis Cluster, the parts that are protocol: the hash slot of a key, redirects and the
//! other error replies a router acts on, and the slot map read from `CLUSTER SHARDS` or
//! `CLUSTER SLOTS`. No I/O, no clock, no allocator.
//!
//! - [`key_slot`]: which of the 16384 slots a key belongs to (CRC16/XMODEM with the hash
//!   tag rule).
//! - [`command_slot`]: the slot of a whole command, from the command table's key positions,
//!   for typed builders, [`Cmd`](crate::cmd::Cmd) and argument arrays alike; a
//!   [`SlotError::CrossSlot`] naming the command when its keys disagree.
//! - [`Redirect`]: a `MOVED` or `ASK` reply, parsed; [`ClusterErrorReply`]: every error
//!   reply that is about routing (`TRYAGAIN`, `CLUSTERDOWN`, `MASTERDOWN`, `LOADING`,
//!   `READONLY`, `CROSSSLOT`) sorted by what to do about it.
//! - [`SlotMap`]: the node of each slot and the replicas of each shard, with roles and
//!   health, in storage of fixed capacity, built with the caller's [`AddressRemap`], and
//!   patched by `MOVED` ([`SlotMap::apply_moved`]).
//! - [`Router`]: the routing state machine over a slot map: where each request goes,
//!   and what follows each reply (done, a redirect, a retry after a backoff, a failure),
//!   and when the map wants a refresh.
//!
//! ```
//! use ferrodis_core::cluster::{key_slot, ClusterErrorReply, RedirectKind};
//!
//! let slot = key_slot(b"{user1000}.following");
//! let reply = b"MOVED 3443 10.0.0.3:6379";
//! let Ok(Some(ClusterErrorReply::Redirect(moved))) = ClusterErrorReply::parse(reply) else { panic!() };
//! assert_eq!((moved.kind(), moved.slot()), (RedirectKind::Moved, slot));
//! assert_eq!((moved.host(), moved.port()), (Some("10.0.0.3"), 6379));
//! ```

mod command_slot;
mod error_reply;
mod redirect;
mod router;
mod slot;
mod slot_map;

pub use command_slot::{SlotError, command_slot};
pub use error_reply::ClusterErrorReply;
pub use redirect::{Redirect, RedirectError, RedirectKind};
pub use router::{Next, RefreshReason, Request, RouteError, Router, RouterConfig, Target};
pub use slot::{SLOT_COUNT, crc16, key_slot};
pub use slot_map::{
    AddressRemap, Addressing, Health, Moved, NoRemap, Node, Nodes, Ranges, Replicas, Role, SlotMap,
    SlotMapError, UncoveredSlots,
};
