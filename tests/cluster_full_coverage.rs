//! `require_full_coverage` (on by default, as in redis-py): with a whole shard gone (its
//! primary and its replica SIGKILLed, marked failed by the other nodes), a new cluster
//! client refuses to start and names exactly that shard's slots; a client made before keeps
//! the map it had when its refresh is refused; with the option off, a client starts and
//! serves the other shards (the servers run with `cluster-require-full-coverage no`, so
//! the healthy shards keep answering).

use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

use ferrodis::{AsyncClusterClient, ClusterClient, ClusterConfig, Commands, Error, ErrorKind};
use ferrodis_test_support::RedisCluster;

/// The uncovered slots `e` names, or a panic saying what it was instead.
fn uncovered(e: &Error) -> Vec<RangeInclusive<u16>> {
    match e.kind() {
        ErrorKind::SlotsNotCovered(ranges) => ranges.clone(),
        _ => panic!("expected SlotsNotCovered, got: {e}"),
    }
}

#[test]
fn with_a_shard_gone_the_clients_name_the_slots_no_node_serves() {
    // The servers keep serving the slots they have when a shard is gone.
    let mut cluster =
        RedisCluster::builder().node_timeout_ms(1000).config("cluster-require-full-coverage", "no").start();
    let survivor = cluster.masters()[1];
    let mut config = ClusterConfig::from_urls(&[cluster.nodes()[survivor].tcp_url().as_str()]).unwrap();
    config.router.retry_budget = Duration::from_millis(300);
    let mut before = ClusterClient::new(config.clone()).unwrap();

    // The victim shard: its primary's slots and its replicas.
    let victim = cluster.masters()[0];
    let victim_port = cluster.nodes()[victim].port();
    let gone: Vec<RangeInclusive<u16>> =
        before.slot_map().ranges().filter(|(_, n)| n.port() == victim_port).map(|(slots, _)| slots).collect();
    let first_gone = *gone[0].start();
    let replica_ports: Vec<u16> = before.slot_map().replicas(first_gone).map(|n| n.port()).collect();
    assert!(!gone.is_empty() && !replica_ports.is_empty(), "a shard with slots and a replica");
    let healthy_key = (0..)
        .map(|i| format!("healthy:{i}"))
        .find(|k| !gone.iter().any(|r| r.contains(&ClusterClient::keyslot(k))))
        .unwrap();
    let gone_key =
        (0..).map(|i| format!("gone:{i}")).find(|k| gone[0].contains(&ClusterClient::keyslot(k))).unwrap();

    cluster.node_mut(victim).kill();
    for port in replica_ports {
        let index = cluster.nodes().iter().position(|n| n.port() == port).unwrap();
        cluster.node_mut(index).kill();
    }

    // Once the others mark the shard failed, a new client refuses to start, naming its slots.
    let deadline = Instant::now() + Duration::from_secs(20);
    let refused = loop {
        match ClusterClient::new(config.clone()) {
            Err(e) if matches!(e.kind(), ErrorKind::SlotsNotCovered(_)) => break e,
            Ok(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            other => panic!("the cluster was not seen without its shard: {:?}", other.map(|_| ())),
        }
    };
    assert_eq!(uncovered(&refused), gone, "{refused}");
    let text = refused.to_string();
    let count: usize = gone.iter().map(|r| r.len()).sum();
    assert!(text.contains(&format!("{count} of 16384 slots served by no node")), "{text}");
    assert!(text.contains(&format!("{}-{}", gone[0].start(), gone[0].end())), "{text}");

    // The client made before: its refresh is refused the same way and its map stays.
    let e = before.refresh().unwrap_err();
    assert_eq!(uncovered(&e), gone);
    assert_eq!(before.slot_map().primary(first_gone).map(|n| n.port()), Some(victim_port));
    let () = before.set(&healthy_key, 1).unwrap();

    // Without the requirement a client starts: the other shards answer, the gone one does not.
    let mut partial = ClusterClient::new(config.clone().require_full_coverage(false)).unwrap();
    let () = partial.set(&healthy_key, 2).unwrap();
    assert_eq!(partial.get::<_, Option<i64>>(&healthy_key).unwrap(), Some(2));
    assert!(partial.set::<_, _, ()>(&gone_key, 1).is_err());

    // The async client refuses the same way.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let e = runtime.block_on(AsyncClusterClient::new(config)).map(|_| ()).unwrap_err();
    assert_eq!(uncovered(&e), gone);
}
