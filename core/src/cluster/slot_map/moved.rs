//! Patching the map after a `MOVED` redirect: the slot now belongs to the node the
//! redirect names, without a full refresh.

use super::build::NewNode;
use super::{Health, Role, SlotMap, SlotMapError};
use crate::cluster::slot::SLOT_COUNT;

/// What [`SlotMap::apply_moved`] changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Moved {
    /// The map already had the slot there (a redirect older than the map).
    Unchanged,
    /// The slot moved to another shard's primary (a slot migration).
    SlotMoved,
    /// The node was a replica of the slot's shard and is now its primary (a failover);
    /// the old primary is a replica, marked failed.
    ReplicaPromoted,
    /// The node was not in the map: it is now the primary of a shard of its own (a new
    /// node, or one the map never saw). A refresh will tell its replicas.
    NodeAdded,
}

impl<const NODES: usize, const RANGES: usize, const HOST_BYTES: usize> SlotMap<NODES, RANGES, HOST_BYTES> {
    /// Records `MOVED <slot> <host>:<port>`: `slot` is served by the node at `host`:`port`
    /// from now on. `host` is the address to connect to, after the driver's address remap
    /// and with an empty host of the redirect replaced by the node that answered.
    ///
    /// All or nothing: when the map cannot hold the change (a range split or a new node
    /// past its capacity), it is refused and the map is unchanged; the driver then
    /// refreshes the whole map.
    ///
    /// ```
    /// use ferrodis_core::cluster::{Addressing, Moved, SlotMap};
    /// use ferrodis_core::resp::{decode, Decoded};
    ///
    /// // Two shards: 0-8191 on a:1, 8192-16383 on a:2.
    /// let reply = b"*2\r\n*3\r\n:0\r\n:8191\r\n*2\r\n$1\r\na\r\n:1\r\n*3\r\n:8192\r\n:16383\r\n*2\r\n$1\r\na\r\n:2\r\n";
    /// let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
    /// let mut map = SlotMap::<4, 8, 8>::from_cluster_slots(frame, &Addressing::new("a")).unwrap();
    ///
    /// assert_eq!(map.apply_moved(100, "a", 2), Ok(Moved::SlotMoved));
    /// assert_eq!(map.primary(100).map(|n| n.port()), Some(2));
    /// assert_eq!(map.primary(101).map(|n| n.port()), Some(1));
    /// assert_eq!(map.apply_moved(100, "a", 2), Ok(Moved::Unchanged));
    /// assert_eq!(map.apply_moved(200, "b", 7), Ok(Moved::NodeAdded));
    /// assert_eq!(map.primary(200).map(|n| (n.host(), n.port())), Some(("b", 7)));
    /// ```
    pub fn apply_moved(&mut self, slot: u16, host: &str, port: u16) -> Result<Moved, SlotMapError> {
        if slot >= SLOT_COUNT {
            return Err(SlotMapError::InvalidSlotRange);
        }
        if host.is_empty() {
            return Err(SlotMapError::InvalidHost);
        }
        if port == 0 {
            return Err(SlotMapError::InvalidPort);
        }
        let current = self.shard_of(slot);
        let (shard, change) = match self.find_node(host, port) {
            Some((_, shard, Role::Primary)) if current == Some(shard) => return Ok(Moved::Unchanged),
            Some((_, shard, Role::Primary)) => (shard, Moved::SlotMoved),
            Some((node, shard, Role::Replica)) => {
                if current != Some(shard) {
                    self.ensure_room_for_slot(slot, shard)?;
                }
                self.promote(shard, node);
                (shard, Moved::ReplicaPromoted)
            }
            None => {
                // Checked before anything changes: a node, a shard, the host, the ranges.
                if self.nodes.is_full() || self.shards.is_full() {
                    return Err(SlotMapError::TooManyNodes);
                }
                let host_is_new = self.nodes.iter().all(|entry| self.host_of(entry) != host);
                if host_is_new && self.hosts.len() + host.len() > HOST_BYTES {
                    return Err(SlotMapError::HostsTooLong);
                }
                self.ensure_room_for_slot(slot, u16::MAX)?;
                let shard = self.add_shard()?;
                let node = NewNode { host, port, role: Role::Primary, health: Health::Unknown, id: None };
                let index = self.add_node(shard, node)?;
                self.set_primary(shard, index);
                (shard, Moved::NodeAdded)
            }
        };
        if current == Some(shard) {
            return Ok(change);
        }
        self.ensure_room_for_slot(slot, shard)?;
        self.remove_slot(slot);
        // Room was checked, and the slot is free now: this cannot fail.
        self.add_range(i64::from(slot), i64::from(slot), shard)?;
        Ok(change)
    }

    /// Whether giving `slot` to `shard` fits in the ranges: taking it out of the middle of
    /// a range splits it in two, and it makes a range of its own unless it joins a
    /// neighbour of `shard`.
    fn ensure_room_for_slot(&self, slot: u16, shard: u16) -> Result<(), SlotMapError> {
        let owner = self.range_index(slot);
        let splits = owner.is_some_and(|i| {
            let range = self.ranges[i];
            range.first < slot && slot < range.last
        });
        let joins =
            |neighbour: Option<u16>| neighbour.and_then(|s| self.shard_of(s)).is_some_and(|s| s == shard);
        let joined = joins(slot.checked_sub(1)) || joins(slot.checked_add(1).filter(|&s| s < SLOT_COUNT));
        let emptied = owner.is_some_and(|i| self.ranges[i].first == slot && self.ranges[i].last == slot);
        let added = usize::from(splits) + usize::from(!joined);
        let freed = usize::from(emptied);
        if self.ranges.len() + added > RANGES + freed {
            return Err(SlotMapError::TooManyRanges);
        }
        Ok(())
    }

    /// The index of the range holding `slot`.
    fn range_index(&self, slot: u16) -> Option<usize> {
        let after = self.ranges.partition_point(|range| range.first <= slot);
        let at = after.checked_sub(1)?;
        (slot <= self.ranges[at].last).then_some(at)
    }

    /// Takes `slot` out of the range that holds it (splitting the range when the slot is
    /// inside it). The caller checked there is room for a split.
    fn remove_slot(&mut self, slot: u16) {
        let Some(at) = self.range_index(slot) else { return };
        let range = self.ranges[at];
        match (range.first == slot, range.last == slot) {
            (true, true) => {
                self.ranges.remove(at);
            }
            (true, false) => self.ranges[at].first = slot + 1,
            (false, true) => self.ranges[at].last = slot - 1,
            (false, false) => {
                self.ranges[at].last = slot - 1;
                let mut tail = range;
                tail.first = slot + 1;
                // Room was checked.
                let _ = self.ranges.insert(at + 1, tail);
            }
        }
    }

    /// Makes the replica `node` the primary of `shard`; the old primary becomes a
    /// replica, held for failed (the cluster failed it over).
    fn promote(&mut self, shard: u16, node: u16) {
        if let Some(old) = self.shards.get(usize::from(shard)).and_then(|s| s.primary)
            && let Some(entry) = self.nodes.get_mut(usize::from(old))
        {
            entry.role = Role::Replica;
            entry.health = Health::Failed;
        }
        if let Some(entry) = self.nodes.get_mut(usize::from(node)) {
            entry.role = Role::Primary;
            entry.health = Health::Online;
        }
        self.set_primary(shard, node);
    }
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use super::*;
    use crate::cluster::Addressing;
    use crate::resp::{Decoded, decode};

    /// Three shards: 0-5460 on a:1 (replica a:4), 5461-10922 on a:2 (replica a:5),
    /// 10923-16383 on a:3 (replica a:6).
    fn map<const R: usize>() -> SlotMap<8, R, 8> {
        let reply = b"*3\r\n\
            *4\r\n:0\r\n:5460\r\n*2\r\n$1\r\na\r\n:1\r\n*2\r\n$1\r\na\r\n:4\r\n\
            *4\r\n:5461\r\n:10922\r\n*2\r\n$1\r\na\r\n:2\r\n*2\r\n$1\r\na\r\n:5\r\n\
            *4\r\n:10923\r\n:16383\r\n*2\r\n$1\r\na\r\n:3\r\n*2\r\n$1\r\na\r\n:6\r\n";
        let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
        SlotMap::from_cluster_slots(frame, &Addressing::new("a")).unwrap()
    }

    fn owner<const R: usize>(map: &SlotMap<8, R, 8>, slot: u16) -> Option<u16> {
        map.primary(slot).map(|n| n.port())
    }

    fn ranges<const R: usize>(map: &SlotMap<8, R, 8>) -> Vec<(u16, u16, u16)> {
        map.ranges().map(|(r, n)| (*r.start(), *r.end(), n.port())).collect()
    }

    #[test]
    fn a_migrated_slot_splits_its_range_and_joins_its_new_neighbours() {
        let mut map = map::<8>();
        assert_eq!(map.apply_moved(100, "a", 2), Ok(Moved::SlotMoved));
        assert_eq!(
            ranges(&map),
            [(0, 99, 1), (100, 100, 2), (101, 5460, 1), (5461, 10922, 2), (10923, 16383, 3)]
        );
        // The edge of a range moves to the neighbour, which grows.
        assert_eq!(map.apply_moved(5460, "a", 2), Ok(Moved::SlotMoved));
        assert_eq!(map.apply_moved(5459, "a", 2), Ok(Moved::SlotMoved));
        assert_eq!(
            ranges(&map),
            [(0, 99, 1), (100, 100, 2), (101, 5458, 1), (5459, 10922, 2), (10923, 16383, 3)]
        );
        // Moved back: the ranges join again.
        assert_eq!(map.apply_moved(100, "a", 1), Ok(Moved::SlotMoved));
        assert_eq!(ranges(&map), [(0, 5458, 1), (5459, 10922, 2), (10923, 16383, 3)]);
        assert_eq!(map.apply_moved(100, "a", 1), Ok(Moved::Unchanged));
        assert!(map.covers_all_slots());
    }

    #[test]
    fn a_moved_to_a_replica_is_a_failover() {
        let mut map = map::<8>();
        assert_eq!(map.apply_moved(6000, "a", 5), Ok(Moved::ReplicaPromoted));
        for slot in [5461, 6000, 10922] {
            assert_eq!(owner(&map, slot), Some(5), "the whole shard follows its new primary");
        }
        let replicas: Vec<_> = map.replicas(6000).map(|n| (n.port(), n.health())).collect();
        assert_eq!(replicas, [(2, Health::Failed)]);
        assert_eq!(map.apply_moved(6000, "a", 5), Ok(Moved::Unchanged));
    }

    #[test]
    fn an_unknown_node_becomes_a_shard_of_its_own() {
        let mut map = map::<8>();
        assert_eq!(map.apply_moved(16383, "bb", 9), Ok(Moved::NodeAdded));
        assert_eq!(ranges(&map).last(), Some(&(16383, 16383, 9)));
        assert_eq!(map.primary(16383).map(|n| n.host()), Some("bb"));
        assert_eq!(map.apply_moved(16382, "bb", 9), Ok(Moved::SlotMoved));
        assert_eq!(ranges(&map).last(), Some(&(16382, 16383, 9)));
    }

    #[test]
    fn what_does_not_fit_is_refused_and_changes_nothing() {
        // Three ranges and room for one more: a split needs two.
        let mut small = map::<4>();
        let before = small.clone();
        assert_eq!(small.apply_moved(100, "a", 2), Err(SlotMapError::TooManyRanges));
        assert_eq!(small, before);
        // At an edge, one range more fits.
        assert_eq!(small.apply_moved(0, "a", 2), Ok(Moved::SlotMoved));
        // Hosts: 8 bytes hold "a" and 7 more.
        let mut map = map::<8>();
        let before = map.clone();
        assert_eq!(map.apply_moved(5, "too-long", 1), Err(SlotMapError::HostsTooLong));
        assert_eq!(map, before);
        // Nodes: 8 hold the 6 and 2 more.
        assert_eq!(map.apply_moved(5, "b", 1), Ok(Moved::NodeAdded));
        assert_eq!(map.apply_moved(6, "c", 1), Ok(Moved::NodeAdded));
        let before = map.clone();
        assert_eq!(map.apply_moved(7, "d", 1), Err(SlotMapError::TooManyNodes));
        assert_eq!(map, before);
        assert_eq!(map.apply_moved(16384, "a", 1), Err(SlotMapError::InvalidSlotRange));
        assert_eq!(map.apply_moved(1, "", 1), Err(SlotMapError::InvalidHost));
        assert_eq!(map.apply_moved(1, "a", 0), Err(SlotMapError::InvalidPort));
        assert_eq!(map, before);
    }

    #[test]
    fn an_unserved_slot_is_taken_on() {
        let reply = b"*1\r\n*3\r\n:0\r\n:99\r\n*2\r\n$1\r\na\r\n:1\r\n";
        let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
        let mut map = SlotMap::<2, 2, 2>::from_cluster_slots(frame, &Addressing::new("a")).unwrap();
        assert_eq!(map.apply_moved(100, "a", 1), Ok(Moved::SlotMoved));
        assert_eq!(map.ranges().map(|(r, _)| r).collect::<Vec<_>>(), [0..=100]);
    }

    /// Random redirects against a model (the shard of each port, each shard's primary, the
    /// shard of each slot): the map agrees with it after every accepted redirect, says
    /// what changed as the model does, and is unchanged after every refused one.
    #[test]
    fn random_redirects_agree_with_a_model() {
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        // Ports 1-3 are the primaries of shards 0-2; 4-6 their replicas.
        let shard_of_port = |port: u16| usize::from((port - 1) % 3);
        for _ in 0..200 {
            let mut map = map::<24>();
            let mut primary = [1u16, 2, 3];
            let mut slot_shard: Vec<usize> =
                (0..SLOT_COUNT).map(|s| shard_of_port(owner(&map, s).unwrap())).collect();
            for _ in 0..60 {
                let slot = (next() % 64) as u16 * 256 + (next() % 3) as u16;
                let port = 1 + (next() % 6) as u16;
                let shard = shard_of_port(port);
                let expected = if primary[shard] != port {
                    Moved::ReplicaPromoted
                } else if slot_shard[usize::from(slot)] != shard {
                    Moved::SlotMoved
                } else {
                    Moved::Unchanged
                };
                let before = map.clone();
                match map.apply_moved(slot, "a", port) {
                    Ok(change) => {
                        assert_eq!(change, expected, "MOVED {slot} a:{port}");
                        primary[shard] = port;
                        slot_shard[usize::from(slot)] = shard;
                    }
                    Err(e) => {
                        assert_eq!(e, SlotMapError::TooManyRanges);
                        assert_eq!(map, before);
                        continue;
                    }
                }
                for s in (0..SLOT_COUNT).step_by(97).chain([slot]) {
                    let want = primary[slot_shard[usize::from(s)]];
                    assert_eq!(owner(&map, s), Some(want), "slot {s}");
                }
                assert!(map.covers_all_slots());
            }
        }
    }
}
