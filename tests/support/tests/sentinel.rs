//! The sentinel starter: a master, 2 replicas and 3 sentinels that know each other.

use std::path::Path;
use std::time::Instant;

use ferrodis_test_support::{MASTER_NAME, SentinelGroup};

fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn sentinels_know_the_group_and_are_gone_after_drop() {
    let started = Instant::now();
    let group = SentinelGroup::start();
    eprintln!("sentinel group start took {:?}", started.elapsed());
    assert_eq!(group.master_name(), MASTER_NAME);
    assert_eq!(group.sentinels().len(), 3);
    assert_eq!(group.replicas().len(), 2);
    assert_eq!(group.master_addr(), group.master().addr());
    for sentinel in group.sentinels() {
        assert_eq!(sentinel.redis_cli(&["PING"]), "PONG");
        let replicas = sentinel.redis_cli(&["SENTINEL", "REPLICAS", MASTER_NAME]);
        for replica in group.replicas() {
            assert!(replicas.contains(&replica.port().to_string()), "{replicas}");
        }
    }
    group.master().redis_cli(&["SET", "k", "v"]);
    group.master().redis_cli(&["WAIT", "2", "5000"]);
    for replica in group.replicas() {
        assert_eq!(replica.redis_cli(&["GET", "k"]), "v");
    }

    let mut pids: Vec<u32> = group.sentinels().iter().map(|sentinel| sentinel.pid()).collect();
    pids.extend(group.replicas().iter().map(|replica| replica.pid()));
    pids.push(group.master().pid());
    drop(group);
    for pid in pids {
        assert!(!process_exists(pid), "process {pid} still exists after drop");
    }
}

#[test]
fn sentinels_fail_over_when_the_master_dies() {
    let mut group = SentinelGroup::builder().password("group-pw").start();
    let old = group.master().addr();
    group.master_mut().kill();
    let started = Instant::now();
    let new = group.wait_for_new_master(old);
    eprintln!("sentinel failover took {:?}", started.elapsed());
    let replica_addrs: Vec<_> = group.replicas().iter().map(|replica| replica.addr()).collect();
    assert!(replica_addrs.contains(&new), "{new} is not one of {replica_addrs:?}");
    let promoted = group.replicas().iter().find(|replica| replica.addr() == new).expect("promoted");
    assert!(promoted.redis_cli(&["ROLE"]).starts_with("master"));
}
