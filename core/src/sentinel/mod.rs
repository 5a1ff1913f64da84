//! Redis Sentinel, the parts that are protocol: finding a service's master over the
//! configured sentinels, its replicas and the other sentinels, and reading a failover's
//! `+switch-master` event. No I/O, no clock, no allocator: a driver (the std clients, or
//! firmware) sends the commands these give to the sentinels it connects to, and hands the
//! replies back.
//!
//! - [`MasterDiscovery`]: each sentinel in turn (in a [`SentinelOrder`] that puts the one
//!   that answered last first), until one names a master that is one, not down, and
//!   watched by enough other sentinels; what each said ([`Verdict`]) when none does.
//! - [`serving_replicas`] and [`known_sentinels`]: the replicas ([`replicas_command`])
//!   and the other sentinels ([`sentinels_command`]) a sentinel lists, without those down
//!   (and replicas disconnected from it).
//! - [`NodeState`]: one node as a sentinel describes it, from RESP2 or RESP3.
//! - [`SwitchMaster`]: the event a sentinel publishes on [`SWITCH_MASTER_CHANNEL`] when a
//!   failover picked a new master.
//! - A master found is a sentinel's view: [`ServerRole`](crate::reply::ServerRole) reads
//!   the `ROLE` reply that confirms it.

mod discovery;
mod listing;
mod state;
mod switch;
#[cfg(test)]
mod tests;

pub use discovery::{MasterAddress, MasterDiscovery, SentinelOrder, Verdict};
pub use listing::{known_sentinels, replicas_command, sentinels_command, serving_replicas};
pub use state::{NodeState, StateError};
pub use switch::{SWITCH_MASTER_CHANNEL, SwitchMaster};
