//! The slot map: which node serves each of the 16384 slots, with each shard's replicas,
//! read from a `CLUSTER SHARDS` (Redis 7.0 and later) or `CLUSTER SLOTS` reply into
//! fixed-capacity storage.

use core::fmt;
use core::ops::RangeInclusive;

mod address;
mod build;
mod error;
mod moved;
mod shards;
mod slots;
#[cfg(test)]
mod tests;

pub use address::{AddressRemap, Addressing, NoRemap};
pub use error::SlotMapError;
pub use moved::Moved;

use super::slot::SLOT_COUNT;
use crate::resp::Frame;

/// Which node of each shard serves each slot, with the shards' replicas, in storage of
/// fixed capacity: no allocator.
///
/// - `NODES`: how many nodes (primaries and replicas) the map holds.
/// - `RANGES`: how many slot ranges. Adjacent ranges of one shard are joined, so a freshly
///   made cluster of 3 shards takes 3; a cluster whose slots were moved around takes
///   more (at most 16384).
/// - `HOST_BYTES`: the bytes of all the distinct hosts together. Each host is stored once,
///   however many nodes share it (a cluster on one machine takes 9 bytes for
///   `127.0.0.1`); hostnames of managed clusters take 50 to 100 bytes each.
///
/// A reply with more than the map holds is refused with an error
/// ([`SlotMapError::TooManyNodes`], [`TooManyRanges`](SlotMapError::TooManyRanges),
/// [`HostsTooLong`](SlotMapError::HostsTooLong)), never cut short. The map takes about
/// `56 * NODES + 6 * RANGES + HOST_BYTES` bytes.
///
/// Each node keeps its address (after the [`Addressing`] rules, `address_remap`
/// included), its role, its health as the reply tells it, and its id. Lookups by slot
/// search the sorted ranges (`O(log RANGES)`).
///
/// ```
/// use ferrodis_core::cluster::{key_slot, Addressing, Health, Role, SlotMap};
/// use ferrodis_core::resp::{decode, Decoded};
///
/// // CLUSTER SLOTS from a cluster of one shard: a primary and one replica.
/// let reply = b"*1\r\n*4\r\n:0\r\n:16383\r\n\
///     *3\r\n$8\r\n10.0.0.1\r\n:6379\r\n$40\r\n2818b62d90ac531c5e4645df2693dbc28607c963\r\n\
///     *3\r\n$8\r\n10.0.0.2\r\n:6379\r\n$40\r\n6b681c3497d545839ea82bb216306c2146fef448\r\n";
/// let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
///
/// let map = SlotMap::<6, 16, 64>::from_cluster_slots(frame, &Addressing::new("10.0.0.1")).unwrap();
/// let primary = map.primary(key_slot(b"foo")).unwrap();
/// assert_eq!((primary.host(), primary.port(), primary.role()), ("10.0.0.1", 6379, Role::Primary));
/// let replica = map.replicas(key_slot(b"foo")).next().unwrap();
/// assert_eq!((replica.host(), replica.health()), ("10.0.0.2", Health::Unknown));
/// assert!(map.covers_all_slots());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SlotMap<const NODES: usize, const RANGES: usize, const HOST_BYTES: usize> {
    nodes: heapless::Vec<NodeEntry, NODES>,
    /// One per shard; never more than the nodes.
    shards: heapless::Vec<ShardEntry, NODES>,
    /// Sorted by slot, not overlapping, adjacent ranges of one shard joined.
    ranges: heapless::Vec<RangeEntry, RANGES>,
    /// Every distinct host, back to back.
    hosts: heapless::String<HOST_BYTES>,
}

/// A node as stored: its host is `hosts[host_start..][..host_len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NodeEntry {
    host_start: u16,
    host_len: u16,
    port: u16,
    role: Role,
    health: Health,
    shard: u16,
    id: Option<[u8; 40]>,
}

/// A shard as stored: the index of its serving primary in the nodes, if it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ShardEntry {
    primary: Option<u16>,
}

/// The slots `first..=last`, served by shard `shard`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RangeEntry {
    first: u16,
    last: u16,
    shard: u16,
}

/// A node's role, as the topology reply gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Role {
    /// A primary (`master`): serves its shard's slots, reads and writes.
    Primary,
    /// A replica of its shard's primary: serves reads after `READONLY`, never writes.
    Replica,
}

/// A node's health, as `CLUSTER SHARDS` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Health {
    /// `online`: serving.
    Online,
    /// `loading`: a replica still loading its data from the primary (Redis 7.0 also says
    /// this of a replica whose replication offset is still 0: one that has received no
    /// writes yet).
    Loading,
    /// `fail` (as Redis 7.0 and Valkey 9 write it) or `failed` (as the documentation
    /// does): the cluster holds the node for failed.
    Failed,
    /// Not given: `CLUSTER SLOTS` has no health (it leaves failed replicas out), and a
    /// health word this version does not know.
    Unknown,
}

/// One node of a [`SlotMap`], borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Node<'m> {
    host: &'m str,
    port: u16,
    role: Role,
    health: Health,
    id: Option<&'m str>,
}

impl<'m> Node<'m> {
    /// The host to connect to: a name, an IPv4 or an IPv6 address (without brackets).
    pub const fn host(&self) -> &'m str {
        self.host
    }

    /// The port to connect to.
    pub const fn port(&self) -> u16 {
        self.port
    }

    /// The role.
    pub const fn role(&self) -> Role {
        self.role
    }

    /// The health.
    pub const fn health(&self) -> Health {
        self.health
    }

    /// The node id (40 hexadecimal digits), when the reply gives it.
    pub const fn id(&self) -> Option<&'m str> {
        self.id
    }
}

impl<const NODES: usize, const RANGES: usize, const HOST_BYTES: usize> SlotMap<NODES, RANGES, HOST_BYTES> {
    /// An empty map: no node serves any slot. `const`, so a map can be a `static`.
    ///
    /// # Compile-time errors
    ///
    /// When `NODES` or `HOST_BYTES` is above 65535 (the map indexes them with `u16`).
    pub const fn new() -> Self {
        const { assert!(NODES <= u16::MAX as usize && HOST_BYTES <= u16::MAX as usize) };
        Self {
            nodes: heapless::Vec::new(),
            shards: heapless::Vec::new(),
            ranges: heapless::Vec::new(),
            hosts: heapless::String::new(),
        }
    }

    /// The map of a `CLUSTER SHARDS` reply (RESP2 or RESP3, from Redis 7.0 or later or
    /// from Valkey); see [`SlotMap::load_cluster_shards`].
    pub fn from_cluster_shards<'r, R: AddressRemap<'r>>(
        reply: Frame<'_>,
        addressing: &Addressing<'_, R>,
    ) -> Result<Self, SlotMapError> {
        let mut map = Self::new();
        map.load_cluster_shards(reply, addressing)?;
        Ok(map)
    }

    /// The map of a `CLUSTER SLOTS` reply (RESP2 or RESP3); see
    /// [`SlotMap::load_cluster_slots`].
    pub fn from_cluster_slots<'r, R: AddressRemap<'r>>(
        reply: Frame<'_>,
        addressing: &Addressing<'_, R>,
    ) -> Result<Self, SlotMapError> {
        let mut map = Self::new();
        map.load_cluster_slots(reply, addressing)?;
        Ok(map)
    }

    /// Replaces the map's contents with a `CLUSTER SHARDS` reply, in place (for a map in
    /// a `static`, or too large to move around on a small stack). On an error the map is
    /// left empty.
    ///
    /// Every node of every shard is kept, with its role and health. A shard's primary is
    /// its `master` that is not failed; when all its masters are failed, the first of
    /// them (the slots are then served by nobody until a replica takes over, and requests
    /// to it fail). Valkey lists a failed primary in the shard of the replica that took
    /// over from it; Redis 7.0 in a shard of its own without slots. Fields a node has
    /// beyond `id`, `endpoint`, `port`, `tls-port`, `role` and `health` are ignored, and so
    /// are fields of a shard beyond `slots` and `nodes`.
    ///
    /// ```
    /// use ferrodis_core::cluster::{Addressing, Health, Role, SlotMap, SlotMapError};
    /// use ferrodis_core::resp::{decode, Decoded};
    ///
    /// // CLUSTER SHARDS in RESP3 (trimmed): one shard whose primary failed, its replica not
    /// // promoted yet.
    /// let reply = b"*1\r\n%2\r\n$5\r\nslots\r\n*2\r\n:0\r\n:16383\r\n$5\r\nnodes\r\n*2\r\n\
    ///     %4\r\n$4\r\nport\r\n:6379\r\n$8\r\nendpoint\r\n$8\r\n10.0.0.1\r\n\
    ///         $4\r\nrole\r\n$6\r\nmaster\r\n$6\r\nhealth\r\n$4\r\nfail\r\n\
    ///     %4\r\n$4\r\nport\r\n:6379\r\n$8\r\nendpoint\r\n$8\r\n10.0.0.2\r\n\
    ///         $4\r\nrole\r\n$7\r\nreplica\r\n$6\r\nhealth\r\n$6\r\nonline\r\n";
    /// let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
    ///
    /// let mut map = SlotMap::<2, 1, 16>::new();
    /// map.load_cluster_shards(frame, &Addressing::new("10.0.0.1")).unwrap();
    /// let primary = map.primary(0).unwrap();
    /// assert_eq!((primary.host(), primary.health()), ("10.0.0.1", Health::Failed));
    /// assert_eq!(map.replicas(0).next().map(|r| r.host()), Some("10.0.0.2"));
    ///
    /// // Too small for the reply: refused, and the map left empty.
    /// let mut small = SlotMap::<1, 1, 16>::new();
    /// assert_eq!(small.load_cluster_shards(frame, &Addressing::new("10.0.0.1")), Err(SlotMapError::TooManyNodes));
    /// assert!(small.is_empty());
    /// ```
    pub fn load_cluster_shards<'r, R: AddressRemap<'r>>(
        &mut self,
        reply: Frame<'_>,
        addressing: &Addressing<'_, R>,
    ) -> Result<(), SlotMapError> {
        self.load(|map| shards::read(map, reply, addressing))
    }

    /// Replaces the map's contents with a `CLUSTER SLOTS` reply, in place. On an error the
    /// map is left empty.
    ///
    /// Each range's first node is the primary of a shard and the others its replicas;
    /// ranges with the same primary make one shard. The health of every node is
    /// [`Health::Unknown`] (the reply leaves failed replicas out, not failed primaries).
    pub fn load_cluster_slots<'r, R: AddressRemap<'r>>(
        &mut self,
        reply: Frame<'_>,
        addressing: &Addressing<'_, R>,
    ) -> Result<(), SlotMapError> {
        self.load(|map| slots::read(map, reply, addressing))
    }

    /// The primary that serves `slot`, or `None` when no node does (or `slot` is not below
    /// 16384).
    pub fn primary(&self, slot: u16) -> Option<Node<'_>> {
        let shard = self.shard_of(slot)?;
        let primary = self.shards.get(usize::from(shard))?.primary?;
        self.node_at(usize::from(primary))
    }

    /// The replicas of the shard that serves `slot`, whatever their health; none when no
    /// node serves it.
    pub fn replicas(&self, slot: u16) -> Replicas<'_> {
        Replicas { nodes: self.nodes(), shard: self.shard_of(slot) }
    }

    /// Every node, primaries and replicas, in the order of the reply.
    pub fn nodes(&self) -> Nodes<'_> {
        Nodes { entries: self.nodes.iter(), hosts: &self.hosts }
    }

    /// The slot ranges that some node serves, in slot order, each with its primary.
    ///
    /// ```
    /// use ferrodis_core::cluster::{Addressing, SlotMap};
    /// use ferrodis_core::resp::{decode, Decoded};
    ///
    /// // CLUSTER SLOTS: slots 0-99 and 200-16383 on one node, 100-199 on nobody.
    /// let reply = b"*2\r\n*3\r\n:200\r\n:16383\r\n*2\r\n$1\r\na\r\n:1\r\n\
    ///     *3\r\n:0\r\n:99\r\n*2\r\n$1\r\na\r\n:1\r\n";
    /// let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
    /// let map = SlotMap::<1, 2, 1>::from_cluster_slots(frame, &Addressing::new("a")).unwrap();
    ///
    /// let ranges: Vec<_> = map.ranges().map(|(slots, node)| (slots, node.host())).collect();
    /// assert_eq!(ranges, [(0..=99, "a"), (200..=16383, "a")]);
    /// assert!(!map.covers_all_slots());
    /// assert!(map.primary(150).is_none());
    /// ```
    pub fn ranges(&self) -> Ranges<'_> {
        Ranges { entries: self.ranges.iter(), nodes: &self.nodes, shards: &self.shards, hosts: &self.hosts }
    }

    /// Whether every one of the 16384 slots is in a range of the map (whatever the health
    /// of its primary: see [`uncovered_slots`](Self::uncovered_slots)).
    pub fn covers_all_slots(&self) -> bool {
        let served: u32 = self.ranges.iter().map(|r| u32::from(r.last - r.first) + 1).sum();
        served == u32::from(SLOT_COUNT)
    }

    /// The slots no node serves, as ranges in slot order, adjacent ones merged: the slots
    /// of no range of the map, and those whose primary has [`Health::Failed`] (a shard
    /// that is gone, which `CLUSTER SHARDS` still lists, marked failed). None when every
    /// slot has a primary that has not failed: what `require_full_coverage` asks for.
    ///
    /// ```
    /// use ferrodis_core::cluster::{Addressing, SlotMap};
    /// use ferrodis_core::resp::{decode, Decoded};
    ///
    /// // CLUSTER SLOTS: 0-99 and 200-16000 served, 100-199 and 16001-16383 not.
    /// let reply = b"*2\r\n*3\r\n:200\r\n:16000\r\n*2\r\n$1\r\na\r\n:1\r\n\
    ///     *3\r\n:0\r\n:99\r\n*2\r\n$1\r\na\r\n:1\r\n";
    /// let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
    /// let map = SlotMap::<1, 2, 1>::from_cluster_slots(frame, &Addressing::new("a")).unwrap();
    ///
    /// assert!(map.uncovered_slots().eq([100..=199, 16001..=16383]));
    /// assert!(SlotMap::<1, 2, 1>::new().uncovered_slots().eq([0..=16383]));
    /// ```
    pub fn uncovered_slots(&self) -> UncoveredSlots<'_> {
        UncoveredSlots { ranges: self.ranges(), next: 0, pending: None, done: false }
    }

    /// Whether the map has no node.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Runs `read` on an emptied map, and empties it again when it fails.
    fn load(&mut self, read: impl FnOnce(&mut Self) -> Result<(), SlotMapError>) -> Result<(), SlotMapError> {
        self.clear();
        let result = read(self).and_then(|()| self.check());
        if result.is_err() {
            self.clear();
        }
        result
    }

    /// The shard that serves `slot`.
    fn shard_of(&self, slot: u16) -> Option<u16> {
        let after = self.ranges.partition_point(|range| range.first <= slot);
        let range = self.ranges.get(after.checked_sub(1)?)?;
        (slot <= range.last).then_some(range.shard)
    }

    fn node_at(&self, index: usize) -> Option<Node<'_>> {
        self.nodes.get(index).map(|entry| entry.view(&self.hosts))
    }
}

impl<const NODES: usize, const RANGES: usize, const HOST_BYTES: usize> Default
    for SlotMap<NODES, RANGES, HOST_BYTES>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const NODES: usize, const RANGES: usize, const HOST_BYTES: usize> fmt::Debug
    for SlotMap<NODES, RANGES, HOST_BYTES>
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlotMap").field("nodes", &self.nodes()).field("ranges", &self.ranges()).finish()
    }
}

#[cfg(feature = "defmt")]
impl<const NODES: usize, const RANGES: usize, const HOST_BYTES: usize> defmt::Format
    for SlotMap<NODES, RANGES, HOST_BYTES>
{
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "SlotMap {{ nodes: {}, ranges: {} }}", self.nodes.len(), self.ranges.len());
    }
}

impl NodeEntry {
    fn view<'m>(&'m self, hosts: &'m str) -> Node<'m> {
        let start = usize::from(self.host_start);
        Node {
            // In range and on character boundaries: the build stored it so.
            host: hosts.get(start..start + usize::from(self.host_len)).unwrap_or_default(),
            port: self.port,
            role: self.role,
            health: self.health,
            // ASCII hex digits: the build checked them.
            id: self.id.as_ref().and_then(|id| core::str::from_utf8(id).ok()),
        }
    }
}

/// Iterator over the nodes of a [`SlotMap`] ([`SlotMap::nodes`]).
#[derive(Clone)]
pub struct Nodes<'m> {
    entries: core::slice::Iter<'m, NodeEntry>,
    hosts: &'m str,
}

impl<'m> Iterator for Nodes<'m> {
    type Item = Node<'m>;

    fn next(&mut self) -> Option<Node<'m>> {
        self.entries.next().map(|entry| entry.view(self.hosts))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl fmt::Debug for Nodes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// Iterator over the replicas of one shard ([`SlotMap::replicas`]).
#[derive(Clone, Debug)]
pub struct Replicas<'m> {
    nodes: Nodes<'m>,
    shard: Option<u16>,
}

impl<'m> Iterator for Replicas<'m> {
    type Item = Node<'m>;

    fn next(&mut self) -> Option<Node<'m>> {
        let shard = self.shard?;
        let entry = self.nodes.entries.find(|entry| entry.shard == shard && entry.role == Role::Replica)?;
        Some(entry.view(self.nodes.hosts))
    }
}

/// Iterator over the served slot ranges of a [`SlotMap`] and their primaries
/// ([`SlotMap::ranges`]).
#[derive(Clone)]
pub struct Ranges<'m> {
    entries: core::slice::Iter<'m, RangeEntry>,
    nodes: &'m [NodeEntry],
    shards: &'m [ShardEntry],
    hosts: &'m str,
}

impl<'m> Iterator for Ranges<'m> {
    type Item = (RangeInclusive<u16>, Node<'m>);

    fn next(&mut self) -> Option<Self::Item> {
        // Every range's shard has a primary: the build checked it.
        let range = self.entries.next()?;
        let primary = self.shards.get(usize::from(range.shard))?.primary?;
        let node = self.nodes.get(usize::from(primary))?.view(self.hosts);
        Some((range.first..=range.last, node))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.entries.len()))
    }
}

impl fmt::Debug for Ranges<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.clone()).finish()
    }
}

/// The slots no node serves: [`SlotMap::uncovered_slots`].
#[derive(Clone, Debug)]
pub struct UncoveredSlots<'m> {
    ranges: Ranges<'m>,
    /// The first slot not yet looked at.
    next: u16,
    /// An uncovered range not yet returned: the next may extend it.
    pending: Option<(u16, u16)>,
    done: bool,
}

impl Iterator for UncoveredSlots<'_> {
    type Item = RangeInclusive<u16>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            // The next uncovered piece, first and last slot, if any: the gap before the
            // next range, that range too when its primary failed, or the gap at the end.
            let piece = match self.ranges.next() {
                Some((slots, node)) => {
                    let from = self.next;
                    self.next = slots.end().saturating_add(1);
                    let to = if node.health() == Health::Failed { self.next } else { *slots.start() };
                    (from < to).then(|| (from, to - 1))
                }
                None => {
                    self.done = true;
                    (self.next < SLOT_COUNT).then_some((self.next, SLOT_COUNT - 1))
                }
            };
            let Some((first, last)) = piece else { continue };
            match self.pending {
                Some((start, end)) if end + 1 == first => self.pending = Some((start, last)),
                Some((start, end)) => {
                    self.pending = Some((first, last));
                    return Some(start..=end);
                }
                None => self.pending = Some((first, last)),
            }
        }
        self.pending.take().map(|(start, end)| start..=end)
    }
}
