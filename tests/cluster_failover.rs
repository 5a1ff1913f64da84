//! A primary killed (SIGKILL) while a `ClusterClient` writes to every shard: the client
//! recovers by itself once a replica takes over (the time from the kill to the first write
//! acknowledged by the new primary is printed), the only errors a caller sees are for the
//! write in flight at the kill, and they say the outcome is unknown; no write runs twice.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ferrodis::{ClusterClient, Commands, Delivery};
use ferrodis_test_support::RedisCluster;

#[test]
fn a_killed_primary_is_replaced_without_a_restart_and_only_the_write_in_flight_fails() {
    let mut cluster = RedisCluster::builder().node_timeout_ms(1000).start();
    let victim = cluster.masters()[0];
    let victim_port = cluster.nodes()[victim].port();
    let survivor = cluster.masters()[1];
    let url = cluster.nodes()[survivor].tcp_url();
    let mut client = ClusterClient::open(&[url.as_str()]).unwrap();

    // Counters on every shard, some on the victim's slots.
    let keys: Vec<String> = (0..60).map(|i| format!("counter:{i}")).collect();
    let on_victim: Vec<bool> = keys
        .iter()
        .map(|k| client.slot_map().primary(ClusterClient::keyslot(k)).unwrap().port() == victim_port)
        .collect();
    assert!(on_victim.iter().any(|&v| v) && on_victim.iter().any(|&v| !v));

    let mut acked: HashMap<&str, i64> = HashMap::new();
    let mut unknown: HashMap<&str, i64> = HashMap::new();
    let mut errors = Vec::new();
    let started = Instant::now();
    let mut killed_at = None;
    let mut recovered_after = None;
    let deadline = started + Duration::from_secs(40);
    'writes: while Instant::now() < deadline {
        for (key, &victims) in keys.iter().zip(&on_victim) {
            if killed_at.is_none() && started.elapsed() > Duration::from_millis(500) {
                cluster.node_mut(victim).kill();
                killed_at = Some(Instant::now());
            }
            match client.incr::<_, _, i64>(key, 1) {
                Ok(_) => {
                    *acked.entry(key).or_default() += 1;
                    if let (Some(at), true, None) = (killed_at, victims, recovered_after) {
                        recovered_after = Some(at.elapsed());
                    }
                }
                Err(e) => {
                    if e.delivery() == Delivery::Unknown {
                        *unknown.entry(key).or_default() += 1;
                    }
                    errors.push((key.clone(), e.to_string(), e.delivery()));
                }
            }
            if recovered_after
                .is_some_and(|after| killed_at.unwrap().elapsed() > after + Duration::from_secs(1))
            {
                break 'writes;
            }
        }
    }
    let recovered_after = recovered_after.expect("a write on the killed primary's slots succeeded again");
    eprintln!("kill to first write on the new primary: {recovered_after:?}; errors: {errors:?}");
    assert!(errors.len() <= 1, "only the write in flight at the kill fails: {errors:?}");
    assert!(errors.iter().all(|(_, _, delivery)| *delivery == Delivery::Unknown), "{errors:?}");
    assert!(recovered_after < Duration::from_secs(15), "{recovered_after:?}");
    // No write ran twice: a counter is at most what was acknowledged plus what has an
    // unknown outcome (a failover may lose acknowledged writes that had not reached the
    // replica yet, so it may be less).
    for key in &keys {
        let value: i64 = client.get::<_, Option<i64>>(key).unwrap().unwrap_or(0);
        let most =
            acked.get(key.as_str()).copied().unwrap_or(0) + unknown.get(key.as_str()).copied().unwrap_or(0);
        assert!(value <= most, "{key}: {value} > {most}");
    }
}
