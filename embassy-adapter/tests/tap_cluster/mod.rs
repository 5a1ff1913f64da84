//! The cluster part of the TAP test: a Redis Cluster of 3 primaries on the Linux side of
//! the namespace, driven from the embassy-net stack by `ferrodis_embassy::cluster`'s
//! client over the core's router, with its slot map in fixed-size storage. The nodes
//! announce 127.0.0.1 (the cluster is made over loopback); the embassy stack reaches them
//! at 192.168.69.1, so the client rewrites every announced address (`address_remap`), as
//! firmware behind NAT would.

use std::net::Ipv4Addr;
use std::sync::Mutex;

use ferrodis_core::Delivery;
use ferrodis_core::cluster::{AddressRemap, RouteError, Router, RouterConfig, SlotMap, key_slot};
use ferrodis_core::conn::Handshake;
use ferrodis_core::resp::{Arg, Frame};
use ferrodis_embassy::cluster::{ClusterClient, ClusterErrorKind};
use ferrodis_embassy::{Config, Connection, Remote, Subscriptions, Transport};
use ferrodis_test_support::{RedisCluster, RedisServer};

use crate::REDIS_IP;

static CLUSTER: Mutex<Option<RedisCluster>> = Mutex::new(None);

/// Where the embassy stack reaches every node.
const TAP_HOST: &str = "192.168.69.1";

/// Starts the cluster, listening on loopback (where it is made and administered) and on
/// the TAP address.
pub(crate) fn start() {
    assert_eq!(TAP_HOST.parse::<Ipv4Addr>().unwrap(), Ipv4Addr::from(REDIS_IP));
    let cluster = RedisCluster::builder()
        .masters(3)
        .replicas_per_master(0)
        .config("bind", &format!("127.0.0.1 {TAP_HOST}"))
        // Without a password, protected mode turns away every client not on loopback.
        .config("protected-mode", "no")
        .start();
    *CLUSTER.lock().unwrap() = Some(cluster);
}

/// Stops every node.
pub(crate) fn stop() {
    CLUSTER.lock().unwrap().take();
}

/// Runs `f` on the cluster.
fn with_cluster<T>(f: impl FnOnce(&RedisCluster) -> T) -> T {
    f(CLUSTER.lock().unwrap().as_ref().expect("the cluster is running"))
}

/// The address remap: what the nodes announce on loopback is reached over the TAP link.
#[derive(Debug, Clone, Copy)]
struct OverTap;

impl<'r> AddressRemap<'r> for OverTap {
    fn remap(&self, host: &str, port: u16) -> (Option<&'r str>, u16) {
        ((host == "127.0.0.1").then_some(TAP_HOST), port)
    }
}

/// A connection with leaked buffers (4 KiB socket rx/tx, 2 KiB read and write), RESP3,
/// database 0, short timeouts.
fn connection(stack: embassy_net::Stack<'static>) -> Connection<'static, &'static mut [u8]> {
    let leak = |n: usize| -> &'static mut [u8] { Box::leak(vec![0u8; n].into_boxed_slice()) };
    let config = Config {
        handshake: Handshake { client_name: Some("ferrodis-tap-cluster"), ..Handshake::DEFAULT },
        subscriptions: Subscriptions::NONE,
        connect_timeout: embassy_time::Duration::from_secs(2),
        request_timeout: Some(embassy_time::Duration::from_millis(800)),
        keep_alive: None,
    };
    // The client sets each connection's remote.
    let unset = Remote::host("unset.invalid", 0);
    Connection::new(Transport::new(stack, leak(4096), leak(4096), unset, config), leak(2048), leak(2048))
}

/// Room for 6 nodes and 16 slot ranges (3 at first; a migrated slot splits one range into
/// three), 96 bytes of host names.
type Client = ClusterClient<'static, &'static mut [u8], &'static mut [u8], 3, 6, 16, 96, OverTap>;

/// A string-like reply as text.
fn text(frame: &Frame<'_>) -> String {
    match *frame {
        Frame::BulkString(t) | Frame::SimpleString(t) => String::from_utf8_lossy(t).into_owned(),
        ref other => format!("{other:?}"),
    }
}

async fn command(client: &mut Client, rng: &mut impl rand_core::RngCore, args: &[&str]) -> String {
    let args: Vec<Arg<'_>> = args.iter().map(|a| Arg::from(*a)).collect();
    client
        .request_with(&args[..], rng, |reply| text(&reply))
        .await
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// The node listening on `port`.
fn node(cluster: &RedisCluster, port: u16) -> &RedisServer {
    cluster.nodes().iter().find(|n| n.port() == port).expect("a node on that port")
}

/// The map from one startup node; 300 keys spread over the 3 primaries, one connection
/// to each; a slot migrated under the client (`ASK` during, `MOVED` after), followed
/// without a refresh; commands for several slots refused before anything is sent.
pub(crate) async fn run(stack: embassy_net::Stack<'static>, rng: &mut impl rand_core::RngCore) {
    let first_port = with_cluster(|c| c.nodes()[0].port());
    let startup: &'static [(&'static str, u16)] = Box::leak(Box::new([(TAP_HOST, first_port)]));
    let router = Router::new(SlotMap::new(), RouterConfig::DEFAULT);
    let connections = [connection(stack), connection(stack), connection(stack)];
    let mut client: Client = ClusterClient::new(router, connections, startup, OverTap);
    client.refresh(rng).await.expect("the slot map from the startup node");
    let map = client.slot_map();
    assert!(map.covers_all_slots(), "{map:?}");
    assert_eq!(map.ranges().count(), 3, "{map:?}");
    assert!(map.nodes().all(|n| n.host() == TAP_HOST), "every address remapped: {map:?}");

    for i in 0..300 {
        assert_eq!(command(&mut client, rng, &["SET", &format!("k:{i}"), &i.to_string()]).await, "OK");
    }
    for i in 0..300 {
        assert_eq!(command(&mut client, rng, &["GET", &format!("k:{i}")]).await, i.to_string());
    }
    let mut ports: Vec<u16> = client.connected_nodes().map(|n| n.expect("every connection open").1).collect();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports.len(), 3, "one connection per primary");
    let sizes: Vec<u64> =
        with_cluster(|c| c.nodes().iter().map(|n| n.redis_cli(&["DBSIZE"]).parse().unwrap()).collect());
    assert_eq!(sizes.iter().sum::<u64>(), 300, "{sizes:?}");
    assert!(sizes.iter().all(|&n| n > 50), "the keys are spread over the primaries: {sizes:?}");

    migrate_a_slot(&mut client, rng).await;

    for (args, expected) in [
        (&["MGET", "k:1", "k:2"][..], ClusterErrorKind::ManyNodes),
        (&["DBSIZE"], ClusterErrorKind::ManyNodes),
        (&["SUNION", "k:1", "k:2"], ClusterErrorKind::Route(RouteError::CrossSlot { command: "sunion" })),
    ] {
        let args: Vec<Arg<'_>> = args.iter().map(|a| Arg::from(*a)).collect();
        let e = client.request_with(&args[..], rng, |_| ()).await.expect_err("several slots or nodes");
        assert_eq!((e.kind(), e.delivery()), (&expected, Delivery::NotSent), "{args:?}");
    }
}

/// `{moving}` holds a key; its slot moves to another primary while the client runs:
/// importing and migrating (a new key goes to the target through `ASK`, the map is kept),
/// then owned by the target (the old key is read there through `MOVED`, which patches the
/// map).
async fn migrate_a_slot(client: &mut Client, rng: &mut impl rand_core::RngCore) {
    assert_eq!(command(client, rng, &["SET", "{moving}:old", "before"]).await, "OK");
    let slot = key_slot(b"{moving}");
    let from = client.slot_map().primary(slot).unwrap().port();
    let to = client.slot_map().nodes().map(|n| n.port()).find(|&p| p != from).unwrap();
    let slot_text = slot.to_string();
    with_cluster(|cluster| {
        let (source, target) = (node(cluster, from), node(cluster, to));
        let (source_id, target_id) =
            (source.redis_cli(&["CLUSTER", "MYID"]), target.redis_cli(&["CLUSTER", "MYID"]));
        assert_eq!(target.redis_cli(&["CLUSTER", "SETSLOT", &slot_text, "IMPORTING", &source_id]), "OK");
        assert_eq!(source.redis_cli(&["CLUSTER", "SETSLOT", &slot_text, "MIGRATING", &target_id]), "OK");
    });
    assert_eq!(command(client, rng, &["GET", "{moving}:old"]).await, "before", "still on the source");
    let target_keys = || with_cluster(|c| node(c, to).redis_cli(&["DBSIZE"]).parse::<u64>().unwrap());
    let before = target_keys();
    assert_eq!(command(client, rng, &["SET", "{moving}:new", "during"]).await, "OK");
    assert_eq!(command(client, rng, &["GET", "{moving}:new"]).await, "during", "through ASK again");
    assert_eq!(target_keys(), before + 1, "the new key went to the target");
    assert_eq!(client.slot_map().primary(slot).unwrap().port(), from, "ASK changes no map");

    with_cluster(|cluster| {
        let source = node(cluster, from);
        let port = to.to_string();
        assert_eq!(
            source.redis_cli(&["MIGRATE", "127.0.0.1", &port, "", "0", "5000", "KEYS", "{moving}:old"]),
            "OK"
        );
        cluster.assign_slot(slot, to);
    });
    assert_eq!(command(client, rng, &["GET", "{moving}:old"]).await, "before", "through MOVED");
    let moved_to = client.slot_map().primary(slot).map(|n| (n.host().to_owned(), n.port()));
    assert_eq!(moved_to, Some((TAP_HOST.to_owned(), to)), "MOVED patched the map, remapped");
    assert_eq!(command(client, rng, &["GET", "{moving}:new"]).await, "during");
    assert_eq!(with_cluster(|c| node(c, to).redis_cli(&["EXISTS", "{moving}:old", "{moving}:new"])), "2");
}
