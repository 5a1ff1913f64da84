//! The Tokio `AsyncClusterClient` against a real 6-node cluster (3 primaries, 3
//! replicas): keys land on the primary of their slot from many tasks at once through clones
//! of one client; multi-key commands split and merge in the caller's order; keyless ones
//! fan out and combine; a pipeline of 10 000 commands over every node answers in its order,
//! through a slot moved behind the client's back; a live migration is followed through ASK
//! then MOVED with no error reaching the caller; reads reach the replicas with
//! `read_from_replicas`.

use std::collections::HashMap;

use ferrodis::{
    AsyncClusterClient, AsyncCommands, ClusterClient, ClusterConfig, Delivery, FromValue, Value, pipe,
};
use ferrodis_test_support::{RedisCluster, RedisServer};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

async fn client(cluster: &RedisCluster) -> AsyncClusterClient {
    let urls = cluster.urls();
    AsyncClusterClient::open(&[urls[0].as_str()]).await.expect("the map from one startup node")
}

fn node_by_port(cluster: &RedisCluster, port: u16) -> &RedisServer {
    cluster.nodes().iter().find(|n| n.port() == port).expect("a node of the cluster")
}

fn primary_port(client: &AsyncClusterClient, key: &str) -> u16 {
    client.with_slot_map(|map| map.primary(ClusterClient::keyslot(key)).unwrap().port())
}

/// The port of a primary other than `port`.
fn other_primary(cluster: &RedisCluster, port: u16) -> u16 {
    cluster.masters().into_iter().map(|i| cluster.nodes()[i].port()).find(|&p| p != port).unwrap()
}

#[test]
fn tasks_share_one_client_keys_route_by_slot_and_multi_key_commands_split() {
    let cluster = RedisCluster::start();
    runtime().block_on(async {
        let client = client(&cluster).await;
        assert!(client.with_slot_map(|map| map.covers_all_slots()));
        assert_eq!(client.nodes().len(), 6, "primaries and replicas, from one startup node");

        // 32 tasks, each incrementing 20 counters 5 times, through clones of one client.
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move {
                    for k in (0..5).flat_map(|_| 0..20) {
                        let _: i64 = client.incr(format!("counter:{k}"), 1).await.unwrap();
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        for k in 0..20 {
            let key = format!("counter:{k}");
            let owner = node_by_port(&cluster, primary_port(&client, &key));
            assert_eq!(owner.redis_cli(&["GET", &key]), "160", "{key} on the primary of its slot");
        }
        let held: usize = cluster
            .masters()
            .into_iter()
            .map(|i| cluster.nodes()[i].redis_cli(&["DBSIZE"]).parse::<usize>().unwrap())
            .filter(|&n| n > 0)
            .count();
        assert_eq!(held, 3, "the counters spread over every primary");

        // Split by slot, merged in the caller's order; summed counts.
        let keys: Vec<String> = (0..40).map(|i| format!("split:{i}")).collect();
        let pairs: Vec<(String, usize)> = keys.iter().cloned().zip(0..).collect();
        let () = client.mset(&pairs).await.unwrap();
        let mut asked: Vec<String> = keys.clone();
        asked.insert(7, "split:missing".into());
        let values: Vec<Option<usize>> = client.mget(&asked).await.unwrap();
        let mut expected: Vec<Option<usize>> = (0..40).map(Some).collect();
        expected.insert(7, None);
        assert_eq!(values, expected);
        assert_eq!(client.exists::<_, usize>(&asked).await.unwrap(), 40);
        assert_eq!(client.del::<_, usize>(&keys[..10]).await.unwrap(), 10);

        // Keyless commands fan out by their tips: DBSIZE summed over the primaries.
        assert_eq!(client.dbsize::<usize>().await.unwrap(), 20 + 30);
        let all: Vec<String> = client.keys("split:*").await.unwrap();
        assert_eq!(all.len(), 30, "KEYS concatenated over the primaries");

        // Keys in several slots for a command that cannot split: refused, unsent.
        let e = client.rename::<_, _, ()>("a", "b").await.unwrap_err();
        assert_eq!(e.delivery(), Delivery::NotSent, "{e}");
        assert!(e.to_string().contains("different slots") && e.to_string().contains("`rename`"), "{e}");

        // One node by address, whatever the keys say.
        let port = primary_port(&client, "counter:0");
        let id: i64 =
            client.query_node("127.0.0.1", port, &["CLIENT", "ID"].map(ferrodis::Arg::from)).await.unwrap();
        assert!(id > 0);
    });
}

#[test]
fn a_pipeline_of_ten_thousand_commands_answers_in_order_through_a_moved_slot() {
    let cluster = RedisCluster::start();
    runtime().block_on(async {
        let client = client(&cluster).await;
        // A slot with no keys moves to another primary behind the client's back.
        let moved_key = "{elsewhere}:1";
        let slot = ClusterClient::keyslot(moved_key);
        let from = primary_port(&client, moved_key);
        let to = cluster.move_empty_slot(slot, from);

        let keys: Vec<String> = (0..5_000).map(|i| format!("p:{i}")).collect();
        let mut writes = pipe();
        for (i, key) in keys.iter().enumerate() {
            writes.set(key, i).ignore();
        }
        writes.set(moved_key, "moved").ignore();
        let () = writes.query_async(&client).await.unwrap();
        let mut reads = pipe();
        for key in &keys {
            reads.get(key);
        }
        reads.get(moved_key).dbsize();
        assert_eq!(reads.len(), 5_002);
        let mut all: Vec<Value> = reads.query_async(&client).await.unwrap();
        let total: usize = FromValue::from_value(all.pop().unwrap()).unwrap();
        let moved: String = FromValue::from_value(all.pop().unwrap()).unwrap();
        let values: Vec<usize> = all.into_iter().map(|v| FromValue::from_value(v).unwrap()).collect();
        assert_eq!(values, (0..5_000).collect::<Vec<_>>(), "in the pipeline's order");
        assert_eq!(moved, "moved");
        assert_eq!(total, 5_001, "DBSIZE in a pipeline still sums every primary");
        assert_eq!(primary_port(&client, moved_key), to, "MOVED patched the map");
        assert_eq!(node_by_port(&cluster, to).redis_cli(&["GET", moved_key]), "moved");

        // Atomic: one slot, on its primary; keys in several slots are refused unsent.
        let mut tx = pipe();
        tx.atomic().incr("{acct}:a", 5).incr("{acct}:b", -5);
        assert_eq!(tx.query_async::<(i64, i64)>(&client).await.unwrap(), (5, -5));
        let mut across = pipe();
        across.atomic().incr("a", 1).incr("b", 1);
        let e = across.query_async::<(i64, i64)>(&client).await.unwrap_err();
        assert_eq!(e.delivery(), Delivery::NotSent, "{e}");
        assert_eq!(client.get::<_, Option<i64>>("a").await.unwrap(), None);
    });
}

#[test]
fn a_live_slot_migration_under_load_is_followed_with_no_error_and_every_write_kept() {
    let cluster = RedisCluster::start();
    runtime().block_on(async {
        let client = client(&cluster).await;
        let slot = ClusterClient::keyslot("{moving}");
        let from = primary_port(&client, "{moving}");
        let to = other_primary(&cluster, from);
        let (source, target) = (node_by_port(&cluster, from), node_by_port(&cluster, to));
        let id = |node: &RedisServer| node.redis_cli(&["CLUSTER", "MYID"]);
        let (source_id, target_id) = (id(source), id(target));
        let slot_text = slot.to_string();
        let keys: Vec<String> = (0..50).map(|i| format!("{{moving}}:{i}")).collect();
        for key in &keys {
            let () = client.set(key, 0).await.unwrap();
        }

        // Four tasks write and read the slot's keys while it migrates key by key.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let load: Vec<_> = (0..4)
            .map(|t| {
                let (client, keys, stop) = (client.clone(), keys.clone(), stop.clone());
                tokio::spawn(async move {
                    let mut acked: HashMap<String, i64> = HashMap::new();
                    let mut requests = 0usize;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) || requests < 2_500 {
                        let key = &keys[(requests * 7 + t) % keys.len()];
                        let n: i64 = client.incr(key, 1).await.expect("no error reaches the caller");
                        assert!(n >= 1);
                        *acked.entry(key.clone()).or_default() += 1;
                        let _: i64 = client.get(key).await.expect("no error reaches the caller");
                        requests += 2;
                    }
                    (acked, requests)
                })
            })
            .collect();

        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        assert_eq!(target.redis_cli(&["CLUSTER", "SETSLOT", &slot_text, "IMPORTING", &source_id]), "OK");
        assert_eq!(source.redis_cli(&["CLUSTER", "SETSLOT", &slot_text, "MIGRATING", &target_id]), "OK");
        let port = to.to_string();
        for key in &keys {
            let moved = source.redis_cli(&["MIGRATE", "127.0.0.1", &port, "", "0", "5000", "KEYS", key]);
            assert!(moved == "OK" || moved == "NOKEY", "{moved}");
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        cluster.assign_slot(slot, to);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        stop.store(true, std::sync::atomic::Ordering::Relaxed);

        let mut acked: HashMap<String, i64> = HashMap::new();
        let mut requests = 0;
        for task in load {
            let (counts, n) = task.await.unwrap();
            requests += n;
            for (key, count) in counts {
                *acked.entry(key).or_default() += count;
            }
        }
        assert!(requests >= 10_000, "{requests} requests");
        // Every acknowledged write is readable afterwards, on the target.
        for key in &keys {
            let value: i64 = client.get(key).await.unwrap();
            assert_eq!(value, acked.get(key).copied().unwrap_or(0), "{key}");
            assert_eq!(target.redis_cli(&["GET", key]), value.to_string());
        }
        assert_eq!(primary_port(&client, "{moving}"), to, "MOVED patched the map");
        eprintln!("{requests} requests during the migration, no error");
    });
}

#[test]
fn reads_reach_the_replicas_with_read_from_replicas() {
    let cluster = RedisCluster::start();
    let urls = cluster.urls();
    let mut config = ClusterConfig::from_urls(&[urls[0].as_str()]).unwrap();
    config.router.read_from_replicas = true;
    runtime().block_on(async {
        let client = AsyncClusterClient::new(config).await.unwrap();
        for i in 0..200 {
            let () = client.set(format!("r:{i}"), i).await.unwrap();
        }
        for i in 0..200 {
            assert_eq!(client.get::<_, i64>(format!("r:{i}")).await.unwrap(), i);
        }
    });
    let replica_gets: u64 =
        cluster.replicas().into_iter().map(|i| cluster.nodes()[i].command_calls("get")).sum();
    // Each shard's reads are spread over its replica and its primary.
    assert!((50..=150).contains(&replica_gets), "about half the 200 reads on replicas: {replica_gets}");
}
