//! Filling a slot map, for the two reply readers: shards, nodes (each host stored once) and
//! slot ranges (kept sorted, checked for overlaps, adjacent ones of a shard joined), each
//! refused with an error value when it does not fit or contradicts what is there.

use super::{Health, NodeEntry, RangeEntry, Role, ShardEntry, SlotMap, SlotMapError};
use crate::cluster::slot::SLOT_COUNT;

/// A node to add, read from a reply, its address resolved.
#[derive(Debug, Clone, Copy)]
pub(super) struct NewNode<'a> {
    pub(super) host: &'a str,
    pub(super) port: u16,
    pub(super) role: Role,
    pub(super) health: Health,
    pub(super) id: Option<[u8; 40]>,
}

impl<const NODES: usize, const RANGES: usize, const HOST_BYTES: usize> SlotMap<NODES, RANGES, HOST_BYTES> {
    /// Empties the map.
    pub(super) fn clear(&mut self) {
        self.nodes.clear();
        self.shards.clear();
        self.ranges.clear();
        self.hosts.clear();
    }

    /// A new shard without nodes, primary or slots yet.
    pub(super) fn add_shard(&mut self) -> Result<u16, SlotMapError> {
        let index = self.shards.len();
        self.shards.push(ShardEntry { primary: None }).map_err(|_| SlotMapError::TooManyNodes)?;
        // Below NODES, which `new` checked fits a u16.
        Ok(index as u16)
    }

    /// Makes `node` the primary of `shard`.
    pub(super) fn set_primary(&mut self, shard: u16, node: u16) {
        if let Some(entry) = self.shards.get_mut(usize::from(shard)) {
            entry.primary = Some(node);
        }
    }

    /// The index of the node at `host`:`port`, with its shard and role.
    pub(super) fn find_node(&self, host: &str, port: u16) -> Option<(u16, u16, Role)> {
        let position =
            self.nodes.iter().position(|entry| entry.port == port && self.host_of(entry) == host)?;
        let entry = &self.nodes[position];
        Some((position as u16, entry.shard, entry.role))
    }

    /// Adds `node` to `shard`, and returns its index. A node already there with the same
    /// address, shard and role is the same node (`CLUSTER SLOTS` lists a shard's nodes
    /// once per range); with another shard or role it is a contradiction.
    pub(super) fn add_node(&mut self, shard: u16, node: NewNode<'_>) -> Result<u16, SlotMapError> {
        if node.host.is_empty() {
            return Err(SlotMapError::InvalidHost);
        }
        if node.port == 0 {
            return Err(SlotMapError::InvalidPort);
        }
        if let Some((index, existing_shard, role)) = self.find_node(node.host, node.port) {
            return if existing_shard == shard && role == node.role {
                Ok(index)
            } else {
                Err(SlotMapError::InconsistentNode)
            };
        }
        if self.nodes.is_full() {
            return Err(SlotMapError::TooManyNodes);
        }
        let (host_start, host_len) = self.store_host(node.host)?;
        let index = self.nodes.len();
        let entry = NodeEntry {
            host_start,
            host_len,
            port: node.port,
            role: node.role,
            health: node.health,
            shard,
            id: node.id,
        };
        self.nodes.push(entry).map_err(|_| SlotMapError::TooManyNodes)?;
        Ok(index as u16)
    }

    /// Adds the slots `first..=last` to `shard`.
    pub(super) fn add_range(&mut self, first: i64, last: i64, shard: u16) -> Result<(), SlotMapError> {
        if !(0 <= first && first <= last && last < i64::from(SLOT_COUNT)) {
            return Err(SlotMapError::InvalidSlotRange);
        }
        // In 0..16384: checked above.
        let (first, last) = (first as u16, last as u16);
        let at = self.ranges.partition_point(|range| range.first < first);
        let before = at.checked_sub(1).map(|i| self.ranges[i]);
        let after = self.ranges.get(at).copied();
        if before.is_some_and(|range| range.last >= first) || after.is_some_and(|range| range.first <= last) {
            return Err(SlotMapError::OverlappingRanges);
        }
        let joins_before = before.is_some_and(|range| range.shard == shard && range.last + 1 == first);
        let joins_after = after.is_some_and(|range| range.shard == shard && last + 1 == range.first);
        match (joins_before, joins_after) {
            (true, true) => {
                self.ranges[at - 1].last = self.ranges[at].last;
                self.ranges.remove(at);
            }
            (true, false) => self.ranges[at - 1].last = last,
            (false, true) => self.ranges[at].first = first,
            (false, false) => self
                .ranges
                .insert(at, RangeEntry { first, last, shard })
                .map_err(|_| SlotMapError::TooManyRanges)?,
        }
        Ok(())
    }

    /// Checks what the readers cannot check as they go: that every shard serving slots has
    /// a primary.
    pub(super) fn check(&self) -> Result<(), SlotMapError> {
        let unserved = self.ranges.iter().any(|range| {
            self.shards.get(usize::from(range.shard)).is_none_or(|shard| shard.primary.is_none())
        });
        if unserved { Err(SlotMapError::NoPrimary) } else { Ok(()) }
    }

    pub(super) fn host_of(&self, entry: &NodeEntry) -> &str {
        let start = usize::from(entry.host_start);
        self.hosts.get(start..start + usize::from(entry.host_len)).unwrap_or_default()
    }

    /// Where `host` is in the host storage, stored now unless a node has it already.
    fn store_host(&mut self, host: &str) -> Result<(u16, u16), SlotMapError> {
        if let Some(entry) = self.nodes.iter().find(|entry| self.host_of(entry) == host) {
            return Ok((entry.host_start, entry.host_len));
        }
        let start = self.hosts.len();
        self.hosts.push_str(host).map_err(|_| SlotMapError::HostsTooLong)?;
        // Both at most HOST_BYTES, which `new` checked fits a u16.
        Ok((start as u16, host.len() as u16))
    }
}

/// A node id: 40 hexadecimal digits.
pub(super) fn node_id(text: &[u8]) -> Result<[u8; 40], SlotMapError> {
    let id: [u8; 40] = text.try_into().map_err(|_| SlotMapError::InvalidNodeId)?;
    if id.iter().all(u8::is_ascii_hexdigit) { Ok(id) } else { Err(SlotMapError::InvalidNodeId) }
}

/// A port from a reply: in `1..=65535`.
pub(super) fn port(value: i64) -> Result<u16, SlotMapError> {
    u16::try_from(value).ok().filter(|&port| port != 0).ok_or(SlotMapError::InvalidPort)
}
