//! `WATCH`ed transactions on the blocking `ClusterClient` against a real 6-node cluster:
//! increments by read-then-`SET` from 8 clients at once lose no update; a write from
//! another client between `WATCH` and `EXEC` makes `func` run again; watched keys in two
//! slots (or a queued write in another slot) are refused before anything is sent;
//! hash-tagged keys share a slot and work; a `WATCH` that meets `MOVED` follows it to the
//! slot's new owner, and one that meets `ASK` (the slot migrating) waits the migration out
//! on the owner, then follows the `MOVED`. The async client's multiplexed connections
//! refuse `WATCH`.

use ferrodis::core::cluster::RouteError;
use ferrodis::{AsyncClusterClient, AsyncCommands, ClusterClient, Commands, Delivery, ErrorKind, cmd};
use ferrodis_test_support::{RedisCluster, RedisServer};

fn client(cluster: &RedisCluster) -> ClusterClient {
    ClusterClient::open(&[cluster.urls()[0].as_str()]).expect("the map from one startup node")
}

fn node_by_port(cluster: &RedisCluster, port: u16) -> &RedisServer {
    cluster.nodes().iter().find(|n| n.port() == port).expect("a node of the cluster")
}

/// Whether any node of the cluster has seen `command` (lowercase) since its stats were
/// reset, run or rejected: `INFO commandstats` lists a command once it reached the server,
/// even when it refused it (`rejected_calls`).
fn any_node_saw(cluster: &RedisCluster, command: &str) -> bool {
    let line = format!("cmdstat_{command}:");
    cluster.nodes().iter().any(|n| n.redis_cli(&["INFO", "commandstats"]).contains(&line))
}

fn reset_stats(cluster: &RedisCluster) {
    for node in cluster.nodes() {
        assert_eq!(node.redis_cli(&["CONFIG", "RESETSTAT"]), "OK");
    }
}

#[test]
fn watched_increments_from_eight_clients_lose_no_update() {
    let cluster = RedisCluster::start();
    let url = cluster.urls()[0].clone();
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut client = ClusterClient::open(&[url.as_str()]).unwrap();
                let mut calls = 0;
                for _ in 0..50 {
                    let (_,): (i64,) = client
                        .transaction("counter", |conn, pipe| {
                            calls += 1;
                            let n: i64 = conn.get::<_, Option<i64>>("counter")?.unwrap_or(0);
                            pipe.set("counter", n + 1).ignore().get("counter").query(conn)
                        })
                        .unwrap();
                }
                calls
            })
        })
        .collect();
    let calls: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
    let mut client = client(&cluster);
    assert_eq!(client.get::<_, i64>("counter").unwrap(), 400, "no increment lost");
    eprintln!("400 increments took {calls} calls of func (each conflict one more)");
    let owner = client.node_for_key("counter", false).unwrap();
    assert!(node_by_port(&cluster, owner.port).command_calls("watch") >= 400, "on the slot's primary");
}

#[test]
fn a_write_between_watch_and_exec_runs_func_again() {
    let cluster = RedisCluster::start();
    let mut client = client(&cluster);
    let mut other = self::client(&cluster);
    let mut calls = 0;
    let (n,): (i64,) = client
        .transaction("{c}.n", |conn, pipe| {
            calls += 1;
            let n: i64 = conn.get::<_, Option<i64>>("{c}.n")?.unwrap_or(0);
            if calls == 1 {
                // Another client changes the watched key: this EXEC runs nothing.
                let () = other.set("{c}.n", 100)?;
            }
            pipe.set("{c}.n", n + 1).ignore().get("{c}.n").query(conn)
        })
        .unwrap();
    assert_eq!((calls, n), (2, 101), "func ran again and read the other client's write");

    // The same in redis-py's form, where the method runs the pipeline.
    let mut calls = 0;
    let (n,): (i64,) = client
        .transaction_pipeline("{c}.n", |conn, pipe| {
            calls += 1;
            let n: i64 = conn.get("{c}.n")?;
            if calls == 1 {
                let () = other.set("{c}.n", 200)?;
            }
            pipe.set("{c}.n", n + 1).ignore().get("{c}.n");
            Ok(())
        })
        .unwrap();
    assert_eq!((calls, n), (2, 201));
}

#[test]
fn watched_keys_in_two_slots_or_a_write_in_another_slot_are_refused_unsent() {
    let cluster = RedisCluster::start();
    let mut client = client(&cluster);
    assert_ne!(ClusterClient::keyslot("a"), ClusterClient::keyslot("b"));
    reset_stats(&cluster);
    let is_cross_slot = |e: &ferrodis::Error| {
        matches!(e.kind(), ErrorKind::Cluster(RouteError::CrossSlot { .. }))
            && e.delivery() == Delivery::NotSent
    };

    let mut calls = 0;
    let e = client
        .transaction(["a", "b"], |conn, pipe| {
            calls += 1;
            pipe.set("a", 1).query::<Option<()>>(conn)
        })
        .unwrap_err();
    assert!(is_cross_slot(&e), "{e}");
    let e = client
        .transaction_pipeline::<_, (), _>(["a", "b"], |_, pipe| {
            calls += 1;
            pipe.set("a", 1);
            Ok(())
        })
        .unwrap_err();
    assert!(is_cross_slot(&e), "{e}");
    assert_eq!(calls, 0, "func never ran");
    assert!(!any_node_saw(&cluster, "watch"), "no WATCH reached a node");

    // Watched keys in one slot, a queued write in another: refused before MULTI, the
    // watch cleared.
    let e =
        client.transaction("{x}.a", |conn, pipe| pipe.set("{y}.b", 1).query::<Option<()>>(conn)).unwrap_err();
    assert!(is_cross_slot(&e), "{e}");
    let e = client
        .transaction_pipeline::<_, (), _>("{x}.a", |_, pipe| {
            pipe.set("{x}.a", 1).set("{y}.b", 1);
            Ok(())
        })
        .unwrap_err();
    assert!(is_cross_slot(&e), "{e}");
    assert!(!any_node_saw(&cluster, "multi"), "no MULTI reached a node");
    assert_eq!(client.get::<_, Option<i64>>("{y}.b").unwrap(), None);
    assert_eq!(client.get::<_, Option<i64>>("{x}.a").unwrap(), None);
}

#[test]
fn hash_tagged_keys_share_a_slot_and_work() {
    let cluster = RedisCluster::start();
    let mut client = client(&cluster);
    let () = client.set("{user1}.a", 20).unwrap();
    let (a, b): (i64, i64) = client
        .transaction_pipeline(["{user1}.a", "{user1}.b"], |conn, pipe| {
            let a: i64 = conn.get("{user1}.a")?;
            pipe.set("{user1}.b", a * 2).ignore().incr("{user1}.a", 1).get("{user1}.b");
            Ok(())
        })
        .unwrap();
    assert_eq!((a, b), (21, 40));
    let owner = client.node_for_key("{user1}.a", false).unwrap();
    let node = node_by_port(&cluster, owner.port);
    assert_eq!((node.command_calls("watch"), node.command_calls("exec")), (1, 1));
    assert_eq!(node.redis_cli(&["GET", "{user1}.b"]), "40");
}

#[test]
fn a_watch_that_meets_moved_follows_the_slot_to_its_new_owner() {
    let (cluster, key) = (RedisCluster::start(), "{moving}.n");
    let (mut client, slot) = (client(&cluster), ClusterClient::keyslot(key));
    // The slot (no keys in it) moves to another primary behind the client's back.
    let to = cluster.move_empty_slot(slot, client.node_for_key(key, false).unwrap().port);

    let mut calls = 0;
    let (n,): (i64,) = client
        .transaction(key, |conn, pipe| {
            calls += 1;
            let n: i64 = conn.get::<_, Option<i64>>(key)?.unwrap_or(0);
            pipe.set(key, n + 7).ignore().get(key).query(conn)
        })
        .unwrap();
    assert_eq!((calls, n), (1, 7), "func ran once, on the new owner");
    assert_eq!(node_by_port(&cluster, to).redis_cli(&["GET", key]), "7");
    assert_eq!(client.slot_map().primary(slot).unwrap().port(), to, "MOVED patched the map");
}

#[test]
fn a_watch_that_meets_ask_waits_out_the_migration_then_follows_moved() {
    let (cluster, key) = (RedisCluster::start(), "{asked}.n");
    let (mut client, slot) = (client(&cluster), ClusterClient::keyslot(key));
    let from = client.node_for_key(key, false).unwrap().port;
    let to = cluster.masters().into_iter().map(|i| cluster.nodes()[i].port()).find(|&p| p != from).unwrap();
    let (source, target) = (node_by_port(&cluster, from), node_by_port(&cluster, to));
    let id = |node: &RedisServer| node.redis_cli(&["CLUSTER", "MYID"]);
    let (source_id, target_id, slot_text) = (id(source), id(target), slot.to_string());
    // The slot migrating, its key not on the source: the source answers the WATCH with ASK.
    assert_eq!(target.redis_cli(&["CLUSTER", "SETSLOT", &slot_text, "IMPORTING", &source_id]), "OK");
    assert_eq!(source.redis_cli(&["CLUSTER", "SETSLOT", &slot_text, "MIGRATING", &target_id]), "OK");
    assert!(source.redis_cli(&["WATCH", key]).starts_with("ASK"), "the source asks");

    let started = std::time::Instant::now();
    std::thread::scope(|scope| {
        // The migration ends 300 ms into the transaction.
        scope.spawn(|| {
            std::thread::sleep(std::time::Duration::from_millis(300));
            cluster.assign_slot(slot, to);
        });
        let mut calls = 0;
        let (n,): (i64,) = client
            .transaction(key, |conn, pipe| {
                calls += 1;
                let n: i64 = conn.get::<_, Option<i64>>(key)?.unwrap_or(0);
                pipe.set(key, n + 5).ignore().get(key).query(conn)
            })
            .unwrap();
        assert_eq!((calls, n), (1, 5), "func ran once, on the new owner");
    });
    assert!(started.elapsed() >= std::time::Duration::from_millis(300), "it waited for the migration");
    assert_eq!(target.redis_cli(&["GET", key]), "5");
    assert_eq!(client.slot_map().primary(slot).unwrap().port(), to, "MOVED patched the map");
}

#[test]
fn the_async_client_refuses_watch_unsent() {
    let cluster = RedisCluster::start();
    let url = cluster.urls()[0].clone();
    reset_stats(&cluster);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = AsyncClusterClient::open(&[url.as_str()]).await.unwrap();
        let e = client.query::<()>(cmd("WATCH").arg("{w}.a")).await.unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Refused(_)), "{e}");
        assert_eq!(e.delivery(), Delivery::NotSent);
        // The connection still serves other requests.
        let () = client.set("{w}.a", 1).await.unwrap();
    });
    assert!(!any_node_saw(&cluster, "watch"));
}
