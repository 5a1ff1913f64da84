//! `CLUSTER FAILOVER` on a replica against real 6-node clusters: while a `ClusterClient`
//! writes to every shard, and while an `AsyncClusterClient`'s tasks do, the clients follow
//! the switch by themselves with no error reaching the caller (a manual failover pauses
//! the old primary's clients, then redirects them), and every acknowledged write is
//! counted once. And a client that connects for the first time to a primary demoted since
//! its map was read learns it from the node's `ROLE` and refreshes the whole map, instead
//! of only patching the slot a `MOVED` names.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ferrodis::core::cluster::{Health, Role};
use ferrodis::{AsyncClusterClient, AsyncCommands, ClusterClient, Commands};
use ferrodis_test_support::RedisCluster;

/// A cluster; the primary whose replica takes over, that replica, and the URL of another
/// primary (the clients' startup node).
fn start() -> (RedisCluster, usize, usize, String) {
    let cluster = RedisCluster::start();
    let primary = cluster.masters()[0];
    let replica = replica_of(&cluster, primary);
    let url = cluster.nodes()[cluster.masters()[1]].tcp_url();
    (cluster, primary, replica, url)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// The index of `primary`'s replica.
fn replica_of(cluster: &RedisCluster, primary: usize) -> usize {
    let port = cluster.nodes()[primary].port().to_string();
    cluster
        .replicas()
        .into_iter()
        .find(|&r| {
            cluster.nodes()[r].redis_cli(&["INFO", "replication"]).contains(&format!("master_port:{port}"))
        })
        .expect("every primary has a replica")
}

/// Waits until node `index` is a primary and node `demoted` a replica, in every node's
/// view (gossip takes a moment to reach the nodes not in the shard).
fn wait_switched(cluster: &RedisCluster, index: usize, demoted: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let id = |i: usize| cluster.nodes()[i].redis_cli(&["CLUSTER", "MYID"]);
    let (promoted_id, demoted_id) = (id(index), id(demoted));
    let flags = |view: &str, id: &str| {
        view.lines()
            .find(|l| l.starts_with(id))
            .and_then(|l| l.split(' ').nth(2))
            .unwrap_or_default()
            .to_owned()
    };
    while !cluster.nodes().iter().all(|node| {
        let view = node.redis_cli(&["CLUSTER", "NODES"]);
        flags(&view, &promoted_id).contains("master") && flags(&view, &demoted_id).contains("slave")
    }) {
        assert!(Instant::now() < deadline, "node {index} did not take over in every view");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The counters of `keys`, as the cluster has them.
fn server_counts(cluster: &RedisCluster, keys: &[String]) -> HashMap<String, i64> {
    keys.iter().map(|k| (k.clone(), cluster.redis_cli(&["GET", k]).parse().unwrap_or(0))).collect()
}

#[test]
fn a_manual_failover_under_blocking_writes_reaches_no_caller() {
    let (cluster, _, replica, url) = start();
    let mut client = ClusterClient::open(&[url.as_str()]).unwrap();
    let keys: Vec<String> = (0..60).map(|i| format!("counter:{i}")).collect();
    let mut acked: HashMap<String, i64> = HashMap::new();

    let started = Instant::now();
    let mut failed_over_at = None;
    let mut recovered_after = None;
    let replica_port = cluster.nodes()[replica].port();
    while started.elapsed() < Duration::from_secs(30) {
        for key in &keys {
            let () = client.incr::<_, _, i64>(key, 1).map(|_| ()).unwrap_or_else(|e| panic!("{key}: {e}"));
            *acked.entry(key.clone()).or_default() += 1;
        }
        if failed_over_at.is_none() && started.elapsed() > Duration::from_millis(300) {
            assert_eq!(cluster.nodes()[replica].redis_cli(&["CLUSTER", "FAILOVER"]), "OK");
            failed_over_at = Some(Instant::now());
        }
        let serves = keys.iter().any(|k| {
            client.slot_map().primary(ClusterClient::keyslot(k)).is_some_and(|n| n.port() == replica_port)
        });
        if let (Some(at), true, None) = (failed_over_at, serves, recovered_after) {
            recovered_after = Some(at.elapsed());
        }
        if recovered_after
            .is_some_and(|after| failed_over_at.unwrap().elapsed() > after + Duration::from_secs(1))
        {
            break;
        }
    }
    let recovered_after = recovered_after.expect("the client writes to the new primary");
    println!("CLUSTER FAILOVER to the first write the new primary acknowledged: {recovered_after:?}");
    assert_eq!(server_counts(&cluster, &keys), acked, "every acknowledged write, once");
}

#[test]
fn a_manual_failover_under_async_writes_reaches_no_caller() {
    let (cluster, _, replica, url) = start();
    let runtime = runtime();
    let keys: Vec<String> = (0..60).map(|i| format!("counter:{i}")).collect();
    let acked = runtime.block_on(async {
        let client = AsyncClusterClient::open(&[url.as_str()]).await.unwrap();
        let stop = Instant::now() + Duration::from_secs(4);
        let tasks: Vec<_> = (0..8)
            .map(|t| {
                let (client, keys) = (client.clone(), keys.clone());
                tokio::spawn(async move {
                    let mut acked: HashMap<String, i64> = HashMap::new();
                    while Instant::now() < stop {
                        for key in keys.iter().skip(t).step_by(8) {
                            let _: i64 = client.incr(key, 1).await.unwrap_or_else(|e| panic!("{key}: {e}"));
                            *acked.entry(key.clone()).or_default() += 1;
                        }
                    }
                    acked
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(cluster.nodes()[replica].redis_cli(&["CLUSTER", "FAILOVER"]), "OK");
        let mut acked: HashMap<String, i64> = HashMap::new();
        for task in tasks {
            for (key, n) in task.await.unwrap() {
                *acked.entry(key).or_default() += n;
            }
        }
        acked
    });
    assert!(cluster.masters().contains(&replica), "the failover happened during the writes");
    assert_eq!(server_counts(&cluster, &keys), acked, "every acknowledged write, once");
}

#[test]
fn a_demoted_primary_says_so_on_connect_and_the_map_is_read_again() {
    let (cluster, primary, replica, url) = start();
    let (old_port, new_port) = (cluster.nodes()[primary].port(), cluster.nodes()[replica].port());
    let mut client = ClusterClient::open(&[url.as_str()]).unwrap();
    let key = (0..)
        .map(|i| format!("k:{i}"))
        .find(|k| client.slot_map().primary(ClusterClient::keyslot(k)).is_some_and(|n| n.port() == old_port));
    let key = key.unwrap();

    // The switch, before the client has any connection to either node of that shard.
    assert_eq!(cluster.nodes()[replica].redis_cli(&["CLUSTER", "FAILOVER"]), "OK");
    wait_switched(&cluster, replica, primary);

    let () = client.set(&key, "after").unwrap(); // the old primary: ROLE says replica, then MOVED
    let value: String = client.get(&key).unwrap(); // the refresh that asked for, first
    assert_eq!(value, "after");
    let node = |port: u16| client.nodes().into_iter().find(|n| n.port == port).expect("in the map");
    let (old, new) = (node(old_port), node(new_port));
    assert_eq!((new.role, old.role), (Role::Primary, Role::Replica), "{:?}", client.slot_map());
    // A MOVED alone would only patch the slot, and mark the old primary failed.
    assert_ne!(old.health, Health::Failed, "the whole map read again: {:?}", client.slot_map());
}

#[test]
fn a_demoted_primary_says_so_on_connect_to_the_async_client_too() {
    let (cluster, primary, replica, url) = start();
    let (old_port, new_port) = (cluster.nodes()[primary].port(), cluster.nodes()[replica].port());
    let runtime = runtime();
    runtime.block_on(async {
        let client = AsyncClusterClient::open(&[url.as_str()]).await.unwrap();
        let on_old = |k: &String| {
            client.with_slot_map(|map| {
                map.primary(ClusterClient::keyslot(k)).is_some_and(|n| n.port() == old_port)
            })
        };
        let key = (0..).map(|i| format!("k:{i}")).find(on_old).unwrap();
        assert_eq!(cluster.nodes()[replica].redis_cli(&["CLUSTER", "FAILOVER"]), "OK");
        wait_switched(&cluster, replica, primary);

        let () = client.set(&key, "after").await.unwrap();
        // The refresh asked for runs on a task of its own: wait for the map to change
        // (the MOVED patch alone marks the old primary a failed replica at once).
        let deadline = Instant::now() + Duration::from_secs(5);
        let roles = || {
            let node = |port: u16| client.nodes().into_iter().find(|n| n.port == port).expect("in the map");
            (node(new_port), node(old_port))
        };
        while roles().1.health == Health::Failed && Instant::now() < deadline {
            let _: Option<String> = client.get(&key).await.unwrap();
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let (new, old) = roles();
        assert_eq!((new.role, old.role), (Role::Primary, Role::Replica));
        assert_ne!(old.health, Health::Failed, "the whole map read again");
    });
}
