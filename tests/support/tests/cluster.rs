//! The cluster starter: 3 masters with 1 replica each, ready for commands, gone after drop.

use std::path::Path;
use std::time::Instant;

use ferrodis_test_support::RedisCluster;

fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn cluster_serves_every_slot_and_is_gone_after_drop() {
    let started = Instant::now();
    let cluster = RedisCluster::start();
    eprintln!("6-node cluster start took {:?}", started.elapsed());
    assert_eq!(cluster.nodes().len(), 6);
    assert_eq!(cluster.masters().len(), 3);
    assert_eq!(cluster.replicas().len(), 3);
    assert_eq!(cluster.urls()[0], format!("redis://127.0.0.1:{}", cluster.addrs()[0].port()));
    // Keys in different slots land on different masters; `-c` follows the redirects.
    for key in ["a", "b", "c", "{user}:1", "{user}:2"] {
        assert_eq!(cluster.redis_cli(&["SET", key, key]), "OK");
        assert_eq!(cluster.redis_cli(&["GET", key]), key);
    }
    let slots = cluster.nodes()[0].redis_cli(&["CLUSTER", "SLOTS"]);
    assert!(slots.contains("127.0.0.1"), "{slots}");

    let pids: Vec<u32> = cluster.nodes().iter().map(|node| node.pid()).collect();
    drop(cluster);
    for pid in pids {
        assert!(!process_exists(pid), "node {pid} still exists after drop");
    }
}

#[test]
fn cluster_recovers_after_a_master_is_killed() {
    let mut cluster = RedisCluster::builder().node_timeout_ms(1000).start();
    let master = cluster.masters()[0];
    let old = cluster.nodes()[master].addr();
    cluster.node_mut(master).kill();
    let started = Instant::now();
    cluster.wait_until_ok();
    eprintln!("cluster failover took {:?}", started.elapsed());
    assert_eq!(cluster.masters().len(), 3);
    assert!(!cluster.masters().contains(&master), "{old} was killed");
    assert_eq!(cluster.redis_cli(&["SET", "k", "v"]), "OK");
}
