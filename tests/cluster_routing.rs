//! The blocking `ClusterClient` against a real 6-node cluster (3 primaries, 3 replicas):
//! every key lands on the primary that serves its slot; multi-key commands split by slot
//! and merge in the caller's order; keyless commands fan out by their tips and combine;
//! reads reach the replicas with `read_from_replicas`; and during a live slot migration
//! the client follows `ASK` (with `ASKING`) and then `MOVED`, patching its map, with no
//! error reaching the caller.

use std::collections::{BTreeSet, HashMap};

use ferrodis::{ClusterClient, ClusterConfig, Commands};
use ferrodis_test_support::{RedisCluster, RedisServer};

fn client(cluster: &RedisCluster) -> ClusterClient {
    let urls = cluster.urls();
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    ClusterClient::open(&urls[..1]).expect("the map from one startup node")
}

/// The keys each primary holds, asked of the node itself.
fn keys_by_node(cluster: &RedisCluster) -> HashMap<u16, BTreeSet<String>> {
    cluster
        .masters()
        .into_iter()
        .map(|i| {
            let node = &cluster.nodes()[i];
            let keys = node.redis_cli(&["KEYS", "*"]);
            (node.port(), keys.lines().filter(|k| !k.is_empty()).map(str::to_owned).collect())
        })
        .collect()
}

fn node_by_port(cluster: &RedisCluster, port: u16) -> &RedisServer {
    cluster.nodes().iter().find(|n| n.port() == port).expect("a node of the cluster")
}

#[test]
fn keys_route_by_slot_multi_key_commands_split_and_keyless_ones_fan_out() {
    let cluster = RedisCluster::start();
    let mut client = client(&cluster);
    assert!(client.slot_map().covers_all_slots());
    assert_eq!(client.slot_map().nodes().count(), 6, "primaries and replicas, from one startup node");

    let keys: Vec<String> = (0..300).map(|i| format!("key:{i}")).collect();
    for key in &keys {
        let () = client.set(key, format!("value of {key}")).unwrap();
    }
    // Each key is on the primary the map names for its slot, and only there.
    let held = keys_by_node(&cluster);
    for key in &keys {
        let owner = client.slot_map().primary(ClusterClient::keyslot(key)).unwrap().port();
        let holders: Vec<u16> =
            held.iter().filter(|(_, keys)| keys.contains(key)).map(|(port, _)| *port).collect();
        assert_eq!(holders, [owner], "{key}");
    }
    assert!(held.values().all(|keys| !keys.is_empty()), "the keys spread over every primary");
    for key in keys.iter().step_by(7) {
        assert_eq!(client.get::<_, String>(key).unwrap(), format!("value of {key}"));
    }

    // Fan-out by the tips: DBSIZE summed, KEYS concatenated, PING all succeeded.
    assert_eq!(client.dbsize::<usize>().unwrap(), keys.len());
    let mut all: Vec<String> = client.keys("key:*").unwrap();
    all.sort();
    let mut expected = keys.clone();
    expected.sort();
    assert_eq!(all, expected);
    assert_eq!(client.ping::<String>().unwrap(), "PONG");

    // Split by slot, merged in the caller's order.
    let asked = ["key:5", "missing:1", "key:17", "key:250", "missing:2", "key:0"];
    let values: Vec<Option<String>> = client.mget(asked).unwrap();
    let expected: Vec<Option<String>> =
        asked.iter().map(|k| k.starts_with("key").then(|| format!("value of {k}"))).collect();
    assert_eq!(values, expected);
    let pairs: Vec<(String, String)> = (0..40).map(|i| (format!("pair:{i}"), i.to_string())).collect();
    let () = client.mset(&pairs).unwrap();
    let got: Vec<String> = client.mget(pairs.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>()).unwrap();
    assert_eq!(got, pairs.iter().map(|(_, v)| v.clone()).collect::<Vec<_>>());
    assert_eq!(client.exists::<_, usize>(&["pair:1", "pair:2", "nope", "key:3"]).unwrap(), 3);
    assert_eq!(client.del::<_, usize>(&["pair:1", "pair:2", "nope", "key:3"]).unwrap(), 3);
    assert_eq!(client.dbsize::<usize>().unwrap(), keys.len() + pairs.len() - 3);

    // A command that cannot be split says so before anything is sent.
    let e = client.rename::<_, _, ()>("key:1", "key:2").unwrap_err();
    assert!(matches!(e.kind(), ferrodis::ErrorKind::Cluster(_)), "{e}");
    assert_eq!(e.delivery(), ferrodis::Delivery::NotSent);
    assert!(e.to_string().contains("rename"), "{e}");
}

#[test]
fn reads_reach_the_replicas_with_read_from_replicas() {
    let cluster = RedisCluster::start();
    let urls = cluster.urls();
    let mut config = ClusterConfig::from_urls(&[urls[0].as_str()]).unwrap();
    config.router.read_from_replicas = true;
    let mut client = ClusterClient::new(config).unwrap();
    for i in 0..200 {
        let () = client.set(format!("r:{i}"), i).unwrap();
    }
    for i in 0..200 {
        assert_eq!(client.get::<_, i64>(format!("r:{i}")).unwrap(), i);
    }
    let replica_gets: u64 =
        cluster.replicas().into_iter().map(|i| cluster.nodes()[i].command_calls("get")).sum();
    assert!(
        (50..=150).contains(&replica_gets),
        "about half the 200 reads on replicas: {replica_gets}; map {:?}",
        client.slot_map()
    );
}

#[test]
fn a_live_slot_migration_is_followed_through_ask_then_moved() {
    let cluster = RedisCluster::start();
    let mut client = client(&cluster);
    let () = client.set("{moving}:old", "before").unwrap();
    let slot = ClusterClient::keyslot("{moving}");
    let from = client.slot_map().primary(slot).unwrap().port();
    let to = cluster.masters().into_iter().map(|i| cluster.nodes()[i].port()).find(|&p| p != from).unwrap();
    let (source, target) = (node_by_port(&cluster, from), node_by_port(&cluster, to));
    let id = |node: &RedisServer| node.redis_cli(&["CLUSTER", "MYID"]);
    let (source_id, target_id) = (id(source), id(target));
    let slot_text = slot.to_string();

    // Migrating: keys already on the source stay readable there; a new key goes to the
    // target through ASK, and reading it back asks again.
    assert_eq!(target.redis_cli(&["CLUSTER", "SETSLOT", &slot_text, "IMPORTING", &source_id]), "OK");
    assert_eq!(source.redis_cli(&["CLUSTER", "SETSLOT", &slot_text, "MIGRATING", &target_id]), "OK");
    assert_eq!(client.get::<_, String>("{moving}:old").unwrap(), "before");
    let () = client.set("{moving}:new", "during").unwrap();
    assert_eq!(client.get::<_, String>("{moving}:new").unwrap(), "during");
    assert_eq!(target.redis_cli(&["DBSIZE"]), "1", "the new key went to the target");
    assert_eq!(client.slot_map().primary(slot).unwrap().port(), from, "ASK changes no map");

    // Moved: the old key follows, the slot is the target's; the client learns it from MOVED.
    let host = "127.0.0.1";
    let port = to.to_string();
    assert_eq!(source.redis_cli(&["MIGRATE", host, &port, "", "0", "5000", "KEYS", "{moving}:old"]), "OK");
    cluster.assign_slot(slot, to);
    assert_eq!(client.get::<_, String>("{moving}:old").unwrap(), "before");
    assert_eq!(client.slot_map().primary(slot).unwrap().port(), to, "MOVED patched the map");
    assert_eq!(client.get::<_, String>("{moving}:new").unwrap(), "during");
    let () = client.set("{moving}:after", "after").unwrap();
    assert_eq!(target.redis_cli(&["DBSIZE"]), "3");
}

#[test]
fn pipelines_go_to_each_node_at_once_and_answer_in_order_through_a_moved_slot() {
    let cluster = RedisCluster::start();
    let mut client = client(&cluster);
    // A slot with no keys moves to another primary behind the client's back: its map is
    // stale for that slot, and the pipeline's commands there meet MOVED.
    let moved_key = "{elsewhere}:1";
    let slot = ClusterClient::keyslot(moved_key);
    let to = cluster.move_empty_slot(slot, client.slot_map().primary(slot).unwrap().port());

    let keys: Vec<String> = (0..100).map(|i| format!("p:{i}")).collect();
    let mut pipe = ferrodis::pipe();
    for (i, key) in keys.iter().enumerate() {
        pipe.set(key, i).ignore();
    }
    pipe.set(moved_key, "moved").ignore();
    for key in &keys {
        pipe.get(key);
    }
    pipe.get(moved_key).dbsize();
    let (values, moved, total): (Vec<usize>, String, usize) = {
        let mut all: Vec<ferrodis::Value> = pipe.query(&mut client).unwrap();
        let total = all.pop().unwrap();
        let moved = all.pop().unwrap();
        let values = all.into_iter().map(|v| ferrodis::FromValue::from_value(v).unwrap()).collect();
        (
            values,
            ferrodis::FromValue::from_value(moved).unwrap(),
            ferrodis::FromValue::from_value(total).unwrap(),
        )
    };
    assert_eq!(values, (0..100).collect::<Vec<_>>(), "in the pipeline's order");
    assert_eq!(moved, "moved");
    assert_eq!(total, 101, "DBSIZE in a pipeline still sums every primary");
    assert_eq!(client.slot_map().primary(slot).unwrap().port(), to, "MOVED patched the map");
    assert_eq!(node_by_port(&cluster, to).redis_cli(&["GET", moved_key]), "moved");

    // Atomic: one slot, on its primary; keys in several slots are refused unsent.
    let mut tx = ferrodis::pipe();
    tx.atomic().incr("{acct}:a", 5).incr("{acct}:b", -5);
    assert_eq!(tx.query::<(i64, i64)>(&mut client).unwrap(), (5, -5));
    let mut across = ferrodis::pipe();
    across.atomic().incr("a", 1).incr("b", 1);
    let e = across.query::<(i64, i64)>(&mut client).unwrap_err();
    assert_eq!(e.delivery(), ferrodis::Delivery::NotSent, "{e}");
    assert_eq!(client.get::<_, Option<i64>>("a").unwrap(), None);
}

#[test]
fn nodes_can_be_listed_and_addressed_one_by_one() {
    let cluster = RedisCluster::start();
    let mut client = client(&cluster);
    let masters: BTreeSet<u16> = cluster.masters().into_iter().map(|i| cluster.nodes()[i].port()).collect();
    let replicas: BTreeSet<u16> = cluster.replicas().into_iter().map(|i| cluster.nodes()[i].port()).collect();
    let ports =
        |nodes: Vec<ferrodis::ClusterNode>| nodes.into_iter().map(|n| n.port).collect::<BTreeSet<u16>>();
    assert_eq!(ports(client.primaries()), masters);
    assert_eq!(ports(client.replicas()), replicas);
    assert_eq!(client.nodes().len(), 6);
    assert!(client.random_node().is_some_and(|n| masters.contains(&n.port) || replicas.contains(&n.port)));

    let () = client.set("where", "here").unwrap();
    let primary = client.node_for_key("where", false).unwrap();
    let replica = client.node_for_key("where", true).unwrap();
    assert!(masters.contains(&primary.port) && replicas.contains(&replica.port));
    // The command goes to the node named, keys or not: the primary has the key, another
    // primary redirects (and the redirect is the answer here).
    let here: String =
        client.query_node(&primary.host, primary.port, &ferrodis::cmd("GET").with_arg("where")).unwrap();
    assert_eq!(here, "here");
    let other = client.primaries().into_iter().find(|n| n.port != primary.port).unwrap();
    let e = client
        .query_node::<String>(&other.host, other.port, &ferrodis::cmd("GET").with_arg("where"))
        .unwrap_err();
    assert_eq!(e.server_kind(), Some(ferrodis::ServerErrorKind::Moved), "{e}");
    let role: Vec<ferrodis::Value> =
        client.query_node(&replica.host, replica.port, &ferrodis::cmd("ROLE")).unwrap();
    assert_eq!(role.first(), Some(&ferrodis::Value::BulkString(b"slave".to_vec())));
}
