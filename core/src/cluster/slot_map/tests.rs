//! Slot maps from topology replies captured from real Redis 7.0 and Valkey 9 clusters (see
//! `fixtures/README.md`), and from hostile replies that must be refused.

use proptest::prelude::*;
use std::format;
use std::string::String;
use std::vec::Vec;

use super::*;
use crate::error::ServerErrorKind;
use crate::resp::{Decoded, decode};

/// A map as large as a test needs.
type Map = SlotMap<8, 8, 128>;

fn frame(wire: &[u8]) -> Frame<'_> {
    match decode(wire) {
        Ok(Decoded::Complete { frame, consumed }) if consumed == wire.len() => frame,
        other => panic!("not one whole frame: {other:?}"),
    }
}

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!("fixtures/", $name, ".resp")).as_slice()
    };
}

/// `(name, CLUSTER SHARDS, CLUSTER SLOTS)` of every captured cluster, in both protocols.
const FIXTURES: [(&str, &[u8], &[u8]); 14] = [
    ("redis7 resp2", fixture!("redis7-shards-resp2"), fixture!("redis7-slots-resp2")),
    ("redis7 resp3", fixture!("redis7-shards-resp3"), fixture!("redis7-slots-resp3")),
    (
        "redis7-unsettled resp2",
        fixture!("redis7-unsettled-shards-resp2"),
        fixture!("redis7-unsettled-slots-resp2"),
    ),
    (
        "redis7-unsettled resp3",
        fixture!("redis7-unsettled-shards-resp3"),
        fixture!("redis7-unsettled-slots-resp3"),
    ),
    (
        "redis7-hostname resp2",
        fixture!("redis7-hostname-shards-resp2"),
        fixture!("redis7-hostname-slots-resp2"),
    ),
    (
        "redis7-hostname resp3",
        fixture!("redis7-hostname-shards-resp3"),
        fixture!("redis7-hostname-slots-resp3"),
    ),
    (
        "redis7-unknown-endpoint resp2",
        fixture!("redis7-unknown-endpoint-shards-resp2"),
        fixture!("redis7-unknown-endpoint-slots-resp2"),
    ),
    (
        "redis7-unknown-endpoint resp3",
        fixture!("redis7-unknown-endpoint-shards-resp3"),
        fixture!("redis7-unknown-endpoint-slots-resp3"),
    ),
    (
        "redis7-failover resp2",
        fixture!("redis7-failover-shards-resp2"),
        fixture!("redis7-failover-slots-resp2"),
    ),
    (
        "redis7-failover resp3",
        fixture!("redis7-failover-shards-resp3"),
        fixture!("redis7-failover-slots-resp3"),
    ),
    ("valkey9 resp2", fixture!("valkey9-shards-resp2"), fixture!("valkey9-slots-resp2")),
    ("valkey9 resp3", fixture!("valkey9-shards-resp3"), fixture!("valkey9-slots-resp3")),
    (
        "valkey9-failover resp2",
        fixture!("valkey9-failover-shards-resp2"),
        fixture!("valkey9-failover-slots-resp2"),
    ),
    (
        "valkey9-failover resp3",
        fixture!("valkey9-failover-shards-resp3"),
        fixture!("valkey9-failover-slots-resp3"),
    ),
];

const LOCAL: Addressing<'static> = Addressing::new("127.0.0.1");

fn shards(wire: &[u8]) -> Result<Map, SlotMapError> {
    Map::from_cluster_shards(frame(wire), &LOCAL)
}

fn slots(wire: &[u8]) -> Result<Map, SlotMapError> {
    Map::from_cluster_slots(frame(wire), &LOCAL)
}

/// A map as `(first, last, primary port, replica ports)` per range, to compare maps read
/// from different replies.
fn layout<const N: usize, const R: usize, const H: usize>(
    map: &SlotMap<N, R, H>,
) -> Vec<(u16, u16, u16, Vec<u16>)> {
    map.ranges()
        .map(|(range, primary)| {
            let mut replicas: Vec<u16> = map.replicas(*range.start()).map(|n| n.port()).collect();
            replicas.sort_unstable();
            (*range.start(), *range.end(), primary.port(), replicas)
        })
        .collect()
}

fn ports<'m>(nodes: impl Iterator<Item = Node<'m>>) -> Vec<u16> {
    nodes.map(|node| node.port()).collect()
}

#[test]
fn settled_redis_cluster() {
    for wire in [fixture!("redis7-shards-resp2"), fixture!("redis7-shards-resp3")] {
        let map = shards(wire).unwrap();
        assert_eq!(
            layout(&map),
            [
                (0, 5460, 38245, [32953].into()),
                (5461, 10922, 36333, [32823].into()),
                (10923, 16383, 41517, [35291].into())
            ]
        );
        assert!(map.covers_all_slots());
        assert_eq!(map.nodes().count(), 6);
        for node in map.nodes() {
            assert_eq!((node.host(), node.health()), ("127.0.0.1", Health::Online));
            assert_eq!(node.id().map(str::len), Some(40));
        }
        let primary = map.primary(0).unwrap();
        assert_eq!((primary.port(), primary.role()), (38245, Role::Primary));
        assert_eq!(primary.id(), Some("957bb94fc3b7111f67006b0332e11b326a2af31d"));
        assert_eq!(map.primary(12182).unwrap().port(), 41517);
        assert_eq!(map.replicas(12182).next().unwrap().role(), Role::Replica);
    }
}

#[test]
fn the_same_map_from_resp2_and_resp3_and_from_both_commands() {
    for pair in FIXTURES.chunks(2) {
        let [(name2, shards2, slots2), (name3, shards3, slots3)] = pair else { unreachable!() };
        assert_eq!(shards(shards2).unwrap(), shards(shards3).unwrap(), "{name2} / {name3}: CLUSTER SHARDS");
        assert_eq!(slots(slots2).unwrap(), slots(slots3).unwrap(), "{name2} / {name3}: CLUSTER SLOTS");
    }
    for (name, shards_wire, slots_wire) in FIXTURES {
        let (by_shards, by_slots) = (shards(shards_wire).unwrap(), slots(slots_wire).unwrap());
        assert!(by_shards.covers_all_slots() && by_slots.covers_all_slots(), "{name}");
        if name.contains("failover") || name.contains("unsettled") {
            continue; // CLUSTER SLOTS leaves out failed nodes; the unsettled view differs.
        }
        assert_eq!(layout(&by_shards), layout(&by_slots), "{name}");
        for node in by_slots.nodes() {
            assert_eq!(node.health(), Health::Unknown, "{name}");
            assert_eq!(node.id().map(str::len), Some(40), "{name}");
        }
    }
}

#[test]
fn redis_failover_keeps_the_failed_primary_in_a_shard_of_its_own() {
    let map = shards(fixture!("redis7-failover-shards-resp3")).unwrap();
    assert_eq!(
        layout(&map),
        [
            (0, 5460, 41959, [].into()),
            (5461, 10922, 36195, [42589].into()),
            (10923, 16383, 41423, [38705].into())
        ]
    );
    let dead: Vec<Node<'_>> = map.nodes().filter(|node| node.health() == Health::Failed).collect();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].port(), dead[0].role()), (32813, Role::Primary));
    assert_eq!(map.nodes().count(), 6);

    let map = slots(fixture!("redis7-failover-slots-resp2")).unwrap();
    assert_eq!(map.nodes().count(), 5, "CLUSTER SLOTS leaves the failed node out");
    assert_eq!(map.primary(0).unwrap().port(), 41959);
}

#[test]
fn valkey_failover_keeps_the_failed_primary_beside_its_successor() {
    let map = shards(fixture!("valkey9-failover-shards-resp2")).unwrap();
    assert_eq!(
        layout(&map),
        [
            (0, 5460, 42643, [].into()),
            (5461, 10922, 42895, [45611].into()),
            (10923, 16383, 38105, [38037].into())
        ]
    );
    let primary = map.primary(100).unwrap();
    assert_eq!((primary.port(), primary.health()), (42643, Health::Online));
    let dead = map.nodes().find(|node| node.health() == Health::Failed).unwrap();
    assert_eq!((dead.port(), dead.role()), (33087, Role::Primary));
    assert_eq!(map.replicas(100).count(), 0, "a failed primary is no replica");
}

#[test]
fn an_unsettled_view_is_read_as_the_node_sees_it() {
    let map = shards(fixture!("redis7-unsettled-shards-resp3")).unwrap();
    assert_eq!(
        layout(&map),
        [
            (0, 5460, 41409, [38805].into()),
            (5461, 10922, 38579, [36451].into()),
            (10923, 16383, 40339, [].into())
        ]
    );
    // The replica not yet known as one: a primary without slots.
    let slotless = map.nodes().find(|node| node.port() == 42397).unwrap();
    assert_eq!((slotless.role(), slotless.health()), (Role::Primary, Health::Online));
    assert_eq!(map.replicas(0).next().unwrap().health(), Health::Loading);
}

#[test]
fn long_hostnames_are_stored_once_and_whole() {
    let host = "a-long-hostname-of-a-managed-cache-node-0001-001.shard-0001.use1.cache.example.test";
    for wire in [fixture!("redis7-hostname-shards-resp2"), fixture!("redis7-hostname-slots-resp3")] {
        let reply = frame(wire);
        let fits = if wire.len() > 2000 {
            SlotMap::<6, 3, 83>::from_cluster_shards(reply, &LOCAL)
        } else {
            SlotMap::<6, 3, 83>::from_cluster_slots(reply, &LOCAL)
        };
        let map = fits.unwrap();
        assert!(map.nodes().all(|node| node.host() == host));
        let short = if wire.len() > 2000 {
            SlotMap::<6, 3, 82>::from_cluster_shards(reply, &LOCAL)
        } else {
            SlotMap::<6, 3, 82>::from_cluster_slots(reply, &LOCAL)
        };
        assert_eq!(short, Err(SlotMapError::HostsTooLong));
    }
}

#[test]
fn unknown_endpoints_are_the_queried_host() {
    let behind_a_balancer = Addressing::new("cache.example.test");
    for (wire, is_shards) in [
        (fixture!("redis7-unknown-endpoint-shards-resp2"), true),
        (fixture!("redis7-unknown-endpoint-shards-resp3"), true),
        (fixture!("redis7-unknown-endpoint-slots-resp2"), false),
        (fixture!("redis7-unknown-endpoint-slots-resp3"), false),
    ] {
        let map = if is_shards {
            Map::from_cluster_shards(frame(wire), &behind_a_balancer)
        } else {
            Map::from_cluster_slots(frame(wire), &behind_a_balancer)
        }
        .unwrap();
        assert_eq!(map.nodes().count(), 6);
        assert!(map.nodes().all(|node| node.host() == "cache.example.test"), "{map:?}");
        assert_eq!(map.primary(0).unwrap().port(), 36271);
    }
}

#[test]
fn address_remap_is_applied_to_every_node() {
    let tunnel = |_: &str, port: u16| (Some("localhost"), port - 30000);
    for (_, shards_wire, slots_wire) in FIXTURES {
        let addressing = LOCAL.remap(tunnel);
        for map in [
            Map::from_cluster_shards(frame(shards_wire), &addressing).unwrap(),
            Map::from_cluster_slots(frame(slots_wire), &addressing).unwrap(),
        ] {
            assert!(map.nodes().all(|node| node.host() == "localhost" && node.port() < 20000), "{map:?}");
        }
    }
    // Empty endpoints are filled in first, then remapped.
    let seen = core::cell::RefCell::new(Vec::new());
    let record = |host: &str, port: u16| {
        seen.borrow_mut().push((String::from(host), port));
    };
    struct Recorder<F>(F);
    impl<F: Fn(&str, u16)> AddressRemap<'static> for Recorder<F> {
        fn remap(&self, host: &str, port: u16) -> (Option<&'static str>, u16) {
            (self.0)(host, port);
            (None, port)
        }
    }
    let addressing = Addressing::new("lb.example.test").remap(Recorder(record));
    Map::from_cluster_slots(frame(fixture!("redis7-unknown-endpoint-slots-resp2")), &addressing).unwrap();
    assert_eq!(seen.borrow().len(), 6);
    assert!(seen.borrow().iter().all(|(host, _)| host == "lb.example.test"));
}

#[test]
fn lookups_outside_the_map() {
    let map = shards(fixture!("redis7-shards-resp3")).unwrap();
    assert!(map.primary(16384).is_none() && map.primary(u16::MAX).is_none());
    assert_eq!(map.replicas(16384).count(), 0);
    let empty = Map::new();
    assert!(empty.is_empty() && empty.primary(0).is_none() && !empty.covers_all_slots());
    assert_eq!(empty.replicas(0).count(), 0);
    assert_eq!(empty.ranges().count(), 0);

    let partial = slots(b"*1\r\n*3\r\n:100\r\n:199\r\n*2\r\n$1\r\nh\r\n:1\r\n").unwrap();
    assert!(partial.primary(99).is_none() && partial.primary(200).is_none());
    assert_eq!(partial.primary(100).unwrap().host(), "h");
    assert_eq!(partial.primary(199).unwrap().id(), None);
    assert!(!partial.covers_all_slots());
}

/// A `CLUSTER SHARDS` reply in RESP3, from `(slot bounds, nodes)` per shard, each node
/// written out as its fields.
fn shards_reply(shards: &[(&[i64], &[&str])]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", shards.len());
    for (bounds, nodes) in shards {
        out += &format!("%2\r\n+slots\r\n*{}\r\n", bounds.len());
        for bound in *bounds {
            out += &format!(":{bound}\r\n");
        }
        out += &format!("+nodes\r\n*{}\r\n", nodes.len());
        for node in *nodes {
            out += node;
        }
    }
    out.into_bytes()
}

/// A node's fields in RESP3.
fn node(port: u16, role: &str, health: &str) -> String {
    format!(
        "%6\r\n+id\r\n${}\r\n{:040x}\r\n+port\r\n:{port}\r\n+ip\r\n+10.0.0.1\r\n+endpoint\r\n+10.0.0.1\r\n\
         +role\r\n${}\r\n{role}\r\n+health\r\n${}\r\n{health}\r\n",
        40,
        port,
        role.len(),
        health.len()
    )
}

#[test]
fn synthetic_shards_replies_that_hold() {
    let (a, b, c) =
        (node(7000, "master", "online"), node(7001, "replica", "online"), node(7002, "master", "online"));
    // Ranges out of order, and adjacent ranges of one shard joined.
    let wire = shards_reply(&[(&[10, 19, 0, 9, 30, 39], &[&a, &b]), (&[20, 29], &[&c])]);
    let map = SlotMap::<3, 3, 8>::from_cluster_shards(frame(&wire), &LOCAL).unwrap();
    assert_eq!(
        layout(&map),
        [(0, 19, 7000, [7001].into()), (20, 29, 7002, [].into()), (30, 39, 7000, [7001].into())]
    );
    assert_eq!(map.nodes().next().unwrap().id(), Some("0000000000000000000000000000000000001b58"));

    // Joining keeps the ranges within capacity: 0-9 and 10-19 are one.
    let wire = shards_reply(&[(&[10, 19, 0, 9, 20, 16383], &[&a])]);
    let map = SlotMap::<1, 1, 8>::from_cluster_shards(frame(&wire), &LOCAL).unwrap();
    assert!(map.covers_all_slots());

    // A shard of replicas only, without slots, and a shard whose only master failed.
    let wire = shards_reply(&[(&[0, 16383], &[&node(1, "master", "fail")]), (&[], &[&b])]);
    let map = SlotMap::<2, 1, 8>::from_cluster_shards(frame(&wire), &LOCAL).unwrap();
    assert_eq!(map.primary(5).unwrap().health(), Health::Failed);

    // Unknown fields and health words are ignored; `slave` is a replica.
    let odd = "%4\r\n+port\r\n:9\r\n+endpoint\r\n+h\r\n+role\r\n+slave\r\n+health\r\n+resting\r\n";
    let future =
        "%5\r\n+port\r\n:8\r\n+endpoint\r\n+h\r\n+role\r\n+master\r\n+shard-weight\r\n:3\r\n+x\r\n*0\r\n";
    let wire = shards_reply(&[(&[0, 1], &[future, odd])]);
    let map = SlotMap::<2, 1, 8>::from_cluster_shards(frame(&wire), &LOCAL).unwrap();
    let replica = map.replicas(0).next().unwrap();
    assert_eq!((replica.port(), replica.health(), replica.id()), (9, Health::Unknown, None));
}

#[test]
fn uncovered_slots_are_the_gaps_and_the_failed_shards_merged() {
    let (a, failed, c) =
        (node(7000, "master", "online"), node(7001, "master", "fail"), node(7002, "master", "online"));
    let uncovered = |wire: &[u8]| {
        let map = SlotMap::<3, 8, 8>::from_cluster_shards(frame(wire), &LOCAL).unwrap();
        map.uncovered_slots().collect::<Vec<_>>()
    };
    // Served, gap, failed, gap, served, failed to the end: the middle three merge.
    let wire = shards_reply(&[
        (&[0, 99, 300, 399], &[&a]),
        (&[150, 199, 500, 16383], &[&failed]),
        (&[400, 499], &[&c]),
    ]);
    assert_eq!(uncovered(&wire), [100..=299, 500..=16383]);
    // A failed shard first, and a gap at the end.
    let wire = shards_reply(&[(&[0, 9], &[&failed]), (&[10, 16000], &[&a])]);
    assert_eq!(uncovered(&wire), [0..=9, 16001..=16383]);
    // Everything served; then only slot 0 and the last slot missing.
    let wire = shards_reply(&[(&[0, 8191], &[&a]), (&[8192, 16383], &[&c])]);
    assert_eq!(uncovered(&wire), []);
    let wire = shards_reply(&[(&[1, 16382], &[&a])]);
    assert_eq!(uncovered(&wire), [0..=0, 16383..=16383]);
    // Every slot on a failed primary: one range, as for an empty map.
    let wire = shards_reply(&[(&[0, 16383], &[&failed])]);
    assert_eq!(uncovered(&wire), [0..=16383]);
    assert_eq!(Map::new().uncovered_slots().collect::<Vec<_>>(), [0..=16383]);
}

#[test]
fn tls_ports_when_asked_for() {
    let both = "%4\r\n+port\r\n:6379\r\n+tls-port\r\n:6380\r\n+endpoint\r\n+h\r\n+role\r\n+master\r\n";
    let tls_only = "%3\r\n+tls-port\r\n:7380\r\n+endpoint\r\n+i\r\n+role\r\n+replica\r\n";
    let plain_only = "%3\r\n+port\r\n:8379\r\n+endpoint\r\n+j\r\n+role\r\n+replica\r\n";
    let wire = shards_reply(&[(&[0, 16383], &[both, tls_only, plain_only])]);
    let tls = Map::from_cluster_shards(frame(&wire), &LOCAL.tls(true)).unwrap();
    assert_eq!(ports(tls.nodes()), [6380, 7380, 8379]);
    let plain = Map::from_cluster_shards(frame(&wire), &LOCAL);
    assert_eq!(plain, Err(SlotMapError::MissingField { field: "port" }));
}

#[test]
fn hostile_shards_replies_are_refused() {
    use SlotMapError::*;
    let (a, b) = (node(7000, "master", "online"), node(7001, "master", "online"));
    let cases: Vec<(Vec<u8>, SlotMapError)> = [
        (&b":1\r\n"[..], Shape { what: "CLUSTER SHARDS reply" }),
        (b"%0\r\n", Shape { what: "CLUSTER SHARDS reply" }),
        (b"$5\r\nslots\r\n", Shape { what: "CLUSTER SHARDS reply" }),
        (b"-ERR unknown subcommand 'SHARDS'\r\n", ErrorReply(ServerErrorKind::Err)),
        (b"!9\r\nLOADING x\r\n", ErrorReply(ServerErrorKind::Loading)),
        (b"*1\r\n:1\r\n", Shape { what: "shard" }),
        (b"*1\r\n*3\r\n+slots\r\n*0\r\n+nodes\r\n", Shape { what: "shard" }),
        (b"*1\r\n%1\r\n+slots\r\n*0\r\n", Shape { what: "shard without nodes" }),
        (b"*1\r\n%1\r\n+nodes\r\n*0\r\n", Shape { what: "shard without slots" }),
        (b"*1\r\n%1\r\n:1\r\n*0\r\n", Shape { what: "shard field name" }),
        (b"*1\r\n%2\r\n+slots\r\n+0-5\r\n+nodes\r\n*0\r\n", Shape { what: "shard slots" }),
        (b"*1\r\n%2\r\n+slots\r\n*0\r\n+nodes\r\n%0\r\n", Shape { what: "shard nodes" }),
        (b"*1\r\n%2\r\n+slots\r\n*1\r\n:0\r\n+nodes\r\n*0\r\n", Shape { what: "shard slots" }),
        (b"*1\r\n%2\r\n+slots\r\n*2\r\n:0\r\n#t\r\n+nodes\r\n*0\r\n", Shape { what: "slot number" }),
        (b"*1\r\n%2\r\n+slots\r\n*2\r\n:0\r\n:9\r\n+nodes\r\n*0\r\n", NoPrimary),
        (b"*1\r\n%2\r\n+slots\r\n*0\r\n+nodes\r\n*1\r\n:1\r\n", Shape { what: "node" }),
        (
            b"*1\r\n%2\r\n+slots\r\n*0\r\n+nodes\r\n*1\r\n%1\r\n*0\r\n:1\r\n",
            Shape { what: "node field name" },
        ),
    ]
    .into_iter()
    .map(|(wire, error)| (Vec::from(wire), error))
    .chain([
        (shards_reply(&[(&[0, 16384], &[&a])]), InvalidSlotRange),
        (shards_reply(&[(&[-1, 5], &[&a])]), InvalidSlotRange),
        (shards_reply(&[(&[9, 5], &[&a])]), InvalidSlotRange),
        (shards_reply(&[(&[i64::MIN, i64::MAX], &[&a])]), InvalidSlotRange),
        (shards_reply(&[(&[0, 10, 10, 20], &[&a])]), OverlappingRanges),
        (shards_reply(&[(&[0, 10], &[&a]), (&[5, 5], &[&b])]), OverlappingRanges),
        (shards_reply(&[(&[5, 5], &[&a]), (&[0, 16383], &[&b])]), OverlappingRanges),
        (shards_reply(&[(&[0, 1], &[&a, &b])]), SeveralPrimaries),
        (shards_reply(&[(&[0, 1], &[&a]), (&[2, 3], &[&a])]), InconsistentNode),
        (shards_reply(&[(&[0, 1], &[&a, &node(7000, "replica", "online")])]), InconsistentNode),
        (shards_reply(&[(&[0, 1], &[&node(1, "replica", "online")])]), NoPrimary),
        (shards_reply(&[(&[0, 1], &[&node(0, "master", "online")])]), InvalidPort),
        (shards_reply(&[(&[0, 1], &[&node(1, "primary", "online")])]), UnknownRole),
        (
            shards_reply(&[(&[0, 1], &["%2\r\n+endpoint\r\n+h\r\n+role\r\n+master\r\n"])]),
            MissingField { field: "port" },
        ),
        (
            shards_reply(&[(&[0, 1], &["%2\r\n+port\r\n:1\r\n+role\r\n+master\r\n"])]),
            MissingField { field: "endpoint" },
        ),
        (
            shards_reply(&[(&[0, 1], &["%2\r\n+port\r\n:1\r\n+endpoint\r\n+h\r\n"])]),
            MissingField { field: "role" },
        ),
        (shards_reply(&[(&[0, 1], &["%1\r\n+port\r\n:65536\r\n"])]), InvalidPort),
        (shards_reply(&[(&[0, 1], &["%1\r\n+port\r\n:-1\r\n"])]), InvalidPort),
        (shards_reply(&[(&[0, 1], &["%1\r\n+port\r\n+many\r\n"])]), Shape { what: "node port" }),
        (shards_reply(&[(&[0, 1], &["%1\r\n+id\r\n+abc\r\n"])]), InvalidNodeId),
        (shards_reply(&[(&[0, 1], &[&format!("%1\r\n+id\r\n+{}\r\n", "g".repeat(40))])]), InvalidNodeId),
        (shards_reply(&[(&[0, 1], &["%1\r\n+endpoint\r\n:1\r\n"])]), Shape { what: "node endpoint" }),
        (shards_reply(&[(&[0, 1], &["%1\r\n+role\r\n*0\r\n"])]), Shape { what: "node role" }),
        (shards_reply(&[(&[0, 1], &["%1\r\n+health\r\n_\r\n"])]), Shape { what: "node health" }),
    ])
    .collect();
    let not_utf8 = b"*1\r\n%2\r\n+slots\r\n*0\r\n+nodes\r\n*1\r\n%1\r\n+endpoint\r\n$2\r\n\xff\xfe\r\n";
    for (wire, error) in cases.into_iter().chain([(Vec::from(&not_utf8[..]), InvalidHost)]) {
        let reply = frame(&wire);
        assert_eq!(Map::from_cluster_shards(reply, &LOCAL), Err(error), "{}", wire.escape_ascii());
    }
}

#[test]
fn hostile_slots_replies_are_refused() {
    use SlotMapError::*;
    let cases: &[(&[u8], SlotMapError)] = &[
        (b"%0\r\n", Shape { what: "CLUSTER SLOTS reply" }),
        (b"-CLUSTERDOWN no\r\n", ErrorReply(ServerErrorKind::ClusterDown)),
        (b"*1\r\n:1\r\n", Shape { what: "slot range" }),
        (b"*1\r\n*2\r\n:0\r\n:1\r\n", Shape { what: "slot range" }),
        (b"*1\r\n*3\r\n+x\r\n:1\r\n*2\r\n+h\r\n:1\r\n", Shape { what: "slot number" }),
        (b"*1\r\n*3\r\n:0\r\n:16384\r\n*2\r\n+h\r\n:1\r\n", InvalidSlotRange),
        (b"*1\r\n*3\r\n:2\r\n:1\r\n*2\r\n+h\r\n:1\r\n", InvalidSlotRange),
        (b"*1\r\n*3\r\n:0\r\n:1\r\n:5\r\n", Shape { what: "node" }),
        (b"*1\r\n*3\r\n:0\r\n:1\r\n*0\r\n", MissingField { field: "endpoint" }),
        (b"*1\r\n*3\r\n:0\r\n:1\r\n*1\r\n+h\r\n", MissingField { field: "port" }),
        (b"*1\r\n*3\r\n:0\r\n:1\r\n*2\r\n:7\r\n:1\r\n", Shape { what: "node endpoint" }),
        (b"*1\r\n*3\r\n:0\r\n:1\r\n*2\r\n+h\r\n+p\r\n", Shape { what: "node port" }),
        (b"*1\r\n*3\r\n:0\r\n:1\r\n*2\r\n+h\r\n:0\r\n", InvalidPort),
        (b"*1\r\n*3\r\n:0\r\n:1\r\n*2\r\n+h\r\n:70000\r\n", InvalidPort),
        (b"*1\r\n*3\r\n:0\r\n:1\r\n*3\r\n+h\r\n:1\r\n+nope\r\n", InvalidNodeId),
        (b"*1\r\n*3\r\n:0\r\n:1\r\n*3\r\n+h\r\n:1\r\n:1\r\n", Shape { what: "node id" }),
        (b"*1\r\n*3\r\n:0\r\n:1\r\n*2\r\n$1\r\n\xff\r\n:1\r\n", InvalidHost),
        (b"*1\r\n*4\r\n:0\r\n:1\r\n*2\r\n+h\r\n:1\r\n:1\r\n", Shape { what: "node" }),
        // Overlaps, and one node with two roles or in two shards.
        (b"*2\r\n*3\r\n:0\r\n:9\r\n*2\r\n+h\r\n:1\r\n*3\r\n:9\r\n:9\r\n*2\r\n+h\r\n:2\r\n", OverlappingRanges),
        (b"*2\r\n*3\r\n:0\r\n:9\r\n*2\r\n+h\r\n:1\r\n*3\r\n:9\r\n:9\r\n*2\r\n+h\r\n:1\r\n", OverlappingRanges),
        (
            b"*2\r\n*4\r\n:0\r\n:9\r\n*2\r\n+h\r\n:1\r\n*2\r\n+h\r\n:2\r\n*3\r\n:10\r\n:19\r\n*2\r\n+h\r\n:2\r\n",
            InconsistentNode,
        ),
        (
            b"*2\r\n*4\r\n:0\r\n:9\r\n*2\r\n+h\r\n:1\r\n*2\r\n+h\r\n:3\r\n*4\r\n:10\r\n:19\r\n*2\r\n+h\r\n:2\r\n*2\r\n+h\r\n:3\r\n",
            InconsistentNode,
        ),
        (b"*1\r\n*4\r\n:0\r\n:9\r\n*2\r\n+h\r\n:1\r\n*2\r\n+h\r\n:1\r\n", InconsistentNode),
    ];
    for &(wire, error) in cases {
        assert_eq!(slots(wire), Err(error), "{}", wire.escape_ascii());
    }
    // An address remap that makes a host empty or a port zero.
    let empty = |_: &str, port: u16| (Some(""), port);
    let zero = |_: &str, _: u16| (None, 0);
    let wire = fixture!("redis7-slots-resp2");
    assert_eq!(Map::from_cluster_slots(frame(wire), &LOCAL.remap(empty)), Err(InvalidHost));
    assert_eq!(Map::from_cluster_slots(frame(wire), &LOCAL.remap(zero)), Err(InvalidPort));
}

#[test]
fn same_slots_nodes_are_shared_between_ranges() {
    // One primary for two ranges that are not adjacent, with its replica each time.
    let wire = b"*2\r\n*4\r\n:0\r\n:9\r\n*2\r\n+h\r\n:1\r\n*2\r\n+h\r\n:2\r\n\
                 *4\r\n:20\r\n:29\r\n*2\r\n+h\r\n:1\r\n*2\r\n+h\r\n:2\r\n";
    let map = SlotMap::<2, 2, 1>::from_cluster_slots(frame(wire), &LOCAL).unwrap();
    assert_eq!(layout(&map), [(0, 9, 1, [2].into()), (20, 29, 1, [2].into())]);
}

#[test]
fn capacity_is_refused_not_cut() {
    let wire = fixture!("redis7-shards-resp3");
    assert_eq!(SlotMap::<5, 3, 9>::from_cluster_shards(frame(wire), &LOCAL), Err(SlotMapError::TooManyNodes));
    assert_eq!(
        SlotMap::<6, 2, 9>::from_cluster_shards(frame(wire), &LOCAL),
        Err(SlotMapError::TooManyRanges)
    );
    assert_eq!(SlotMap::<6, 3, 8>::from_cluster_shards(frame(wire), &LOCAL), Err(SlotMapError::HostsTooLong));
    assert!(SlotMap::<6, 3, 9>::from_cluster_shards(frame(wire), &LOCAL).is_ok());
    let wire = fixture!("redis7-slots-resp3");
    assert_eq!(SlotMap::<5, 3, 9>::from_cluster_slots(frame(wire), &LOCAL), Err(SlotMapError::TooManyNodes));
    assert!(SlotMap::<6, 3, 9>::from_cluster_slots(frame(wire), &LOCAL).is_ok());
    assert_eq!(SlotMap::<0, 0, 0>::from_cluster_slots(frame(wire), &LOCAL), Err(SlotMapError::TooManyNodes));
    // An empty reply is an empty map.
    assert!(SlotMap::<0, 0, 0>::from_cluster_slots(frame(b"*0\r\n"), &LOCAL).unwrap().is_empty());
}

#[test]
fn a_failed_load_leaves_the_map_empty() {
    let mut map = Map::new();
    map.load_cluster_shards(frame(fixture!("valkey9-shards-resp3")), &LOCAL).unwrap();
    assert_eq!(map.nodes().count(), 6);
    let bad = shards_reply(&[(&[0, 1], &[&node(1, "replica", "online")])]);
    assert_eq!(map.load_cluster_shards(frame(&bad), &LOCAL), Err(SlotMapError::NoPrimary));
    assert!(map.is_empty() && map.primary(0).is_none());
    map.load_cluster_slots(frame(fixture!("valkey9-slots-resp2")), &LOCAL).unwrap();
    assert!(map.covers_all_slots());
}

#[test]
fn debug_shows_nodes_and_ranges() {
    let map = slots(b"*1\r\n*3\r\n:0\r\n:1\r\n*2\r\n+h\r\n:1\r\n").unwrap();
    let text = format!("{map:?}");
    assert!(text.contains("host: \"h\"") && text.contains("0..=1"), "{text}");
}

#[test]
fn storage_size() {
    // What the type's documentation promises.
    assert_eq!(core::mem::size_of::<NodeEntry>() + core::mem::size_of::<ShardEntry>(), 56);
    assert_eq!(core::mem::size_of::<RangeEntry>(), 6);
}

/// Replaces bytes of `wire` as `edits` say (position, byte), cut at `cut`.
fn mutate(wire: &[u8], edits: &[(usize, u8)], cut: usize) -> Vec<u8> {
    let mut out = Vec::from(wire);
    for &(at, byte) in edits {
        let len = out.len();
        out[at % len] = byte;
    }
    out.truncate(cut.max(1).min(out.len()));
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// Real replies with bytes changed: whatever still decodes is read or refused, never a
    /// panic, and a map that is built holds together.
    #[test]
    fn mutated_replies_never_panic(
        which in 0..FIXTURES.len(),
        edits in proptest::collection::vec(
            (any::<usize>(), prop_oneof![Just(b':'), Just(b'*'), Just(b'%'), Just(b'0'), Just(b'9'), Just(b'-'), any::<u8>()]),
            1..4,
        ),
        cut in any::<usize>(),
    ) {
        let (_, shards_wire, slots_wire) = FIXTURES[which];
        for (wire, is_shards) in [(shards_wire, true), (slots_wire, false)] {
            let wire = mutate(wire, &edits, cut % (wire.len() + 1) + wire.len() / 2);
            let Ok(Decoded::Complete { frame, .. }) = decode(&wire) else { continue };
            let built = if is_shards {
                SlotMap::<6, 4, 32>::from_cluster_shards(frame, &LOCAL)
            } else {
                SlotMap::<6, 4, 32>::from_cluster_slots(frame, &LOCAL)
            };
            if let Ok(map) = built {
                for (range, primary) in map.ranges() {
                    prop_assert!(range.start() <= range.end() && *range.end() < 16384);
                    prop_assert_eq!(map.primary(*range.start()), Some(primary));
                    prop_assert!(map.replicas(*range.end()).all(|n| n.role() == Role::Replica));
                }
                prop_assert!(map.nodes().all(|n| !n.host().is_empty() && n.port() != 0));
            }
        }
    }
}
