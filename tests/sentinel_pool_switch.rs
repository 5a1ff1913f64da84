//! A pool of 16 connections through `Sentinel::master_for`, used by 16 threads at once,
//! through `SENTINEL FAILOVER` (a master, 2 replicas, 3 sentinels): once the sentinels
//! announce the switch (`+switch-master`), no request goes to the old master any more.
//!
//! Both sides are checked. The server's: the old master's `GET` count (`INFO
//! commandstats`; replication never sends a `GET`, unlike the workers' `INCR`s) does not
//! grow from shortly after the announcement until the sentinels have turned it into a
//! replica and a second after. The client's: no connection the pool lends after the
//! announcement is to the old master's address. "After" allows [`GRACE`]: the pool's
//! own watcher hears the announcement from the same sentinel as the test, a little
//! later, and a worker that took a connection just before it still sends its commands.
//! The timings and counts are printed, with how many connections the pool lent to the old
//! master after the first sentinel to announce the switch did: the pool's watcher hears
//! only one sentinel (here the one that ran the failover, which announces the switch after
//! the replicas were reconfigured, about a second after the others heard of the promoted
//! replica).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use ferrodis::{Address, Commands, ConnectionConfig, ConnectionPool, Delivery, Sentinel};
use ferrodis_test_support::{RedisServer, SentinelGroup};

/// Threads using the pool, and the pool's size.
const WORKERS: usize = 16;

/// How long after the test read `+switch-master` the pool may still lend a connection to
/// the old master, and requests on it may still arrive there: the pool's watcher reads
/// the same announcement from the same sentinel (a few ms later, more on a loaded
/// machine), closes the idle connections, and a worker that checked one out just before
/// sends its `GET` and `INCR` on it before giving it back (it is closed then).
const GRACE: Duration = Duration::from_millis(200);

/// What one worker's turn came to.
struct Turn {
    /// When the pool lent the connection (or failed to).
    at: Instant,
    /// Where the connection went; `None` when the pool gave none.
    on: Option<SocketAddr>,
    /// The failures of the turn's `GET` and `INCR` (or of the checkout), with what each
    /// says of its delivery.
    failures: Vec<(String, Delivery)>,
}

fn socket_addr(address: &Address) -> SocketAddr {
    match address {
        Address::Tcp { host, port } => format!("{host}:{port}").parse().unwrap(),
        other => panic!("{other:?}"),
    }
}

fn config() -> ConnectionConfig {
    let mut config = ConnectionConfig::default();
    config.socket_timeout = Some(Duration::from_secs(2));
    config.connect_timeout = Duration::from_secs(2);
    config
}

/// `at` relative to `reference`, signed: `+1.2ms`, `-0.3ms`.
fn offset(at: Instant, reference: Instant) -> String {
    match at.checked_duration_since(reference) {
        Some(after) => format!("+{after:?}"),
        None => format!("-{:?}", reference - at),
    }
}

/// The `GET` calls `server` has served (`INFO commandstats`).
fn get_calls(server: &RedisServer) -> u64 {
    let stats = server.redis_cli(&["INFO", "commandstats"]);
    let Some(line) = stats.lines().find_map(|line| line.strip_prefix("cmdstat_get:")) else { return 0 };
    let calls = line.split(',').find_map(|field| field.strip_prefix("calls="));
    calls.and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("{line}"))
}

/// One worker: a `GET` and an `INCR` of its own key on one checked-out connection, again
/// and again, until `stop`.
fn work(pool: ConnectionPool, key: String, stop: Arc<AtomicBool>) -> Vec<Turn> {
    let mut turns = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let turn = match pool.get_connection() {
            Ok(mut conn) => {
                let at = Instant::now();
                let on = Some(socket_addr(&conn.config().address));
                let mut failures = Vec::new();
                let read: ferrodis::Result<Option<i64>> = conn.get(&key);
                let write: ferrodis::Result<i64> = conn.incr(&key, 1);
                failures.extend(read.err().map(|e| (e.to_string(), e.delivery())));
                failures.extend(write.err().map(|e| (e.to_string(), e.delivery())));
                Turn { at, on, failures }
            }
            Err(e) => Turn { at: Instant::now(), on: None, failures: vec![(e.to_string(), e.delivery())] },
        };
        turns.push(turn);
        thread::sleep(Duration::from_millis(2));
    }
    turns
}

#[test]
fn after_the_switch_no_request_of_a_busy_master_for_pool_reaches_the_old_master() {
    let mut group = SentinelGroup::start();
    let service = group.master_name();
    let old = group.master().addr();
    let sentinels = group.sentinel_addrs().into_iter().map(|a| (a.ip().to_string(), a.port()));
    let sentinel = Sentinel::new(sentinels, 0, ConnectionConfig::default());
    let pool = sentinel.master_for(service, config()).max_connections(WORKERS).wait(Duration::from_secs(2));
    let held: Vec<_> = (0..WORKERS).map(|_| pool.get_connection().unwrap()).collect();
    assert!(held.iter().all(|c| socket_addr(&c.config().address) == old));
    drop(held);
    // The pool asked sentinel 0 (the first that answered) and its watcher listens there: the
    // failover is started there too, so that sentinel announces the switch first.
    let switches: Vec<_> = group.sentinels().iter().map(|s| s.switch_master_events()).collect();

    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..WORKERS)
        .map(|i| {
            let (pool, stop) = (pool.clone(), Arc::clone(&stop));
            thread::spawn(move || work(pool, format!("worker:{i}"), stop))
        })
        .collect();
    thread::sleep(Duration::from_millis(500));
    let gets_before = get_calls(group.master());
    let failover_at = Instant::now();
    assert_eq!(group.sentinels()[0].redis_cli(&["SENTINEL", "FAILOVER", service]), "OK");
    let (switch_at, announced) =
        switches[0].recv_timeout(Duration::from_secs(30)).expect("sentinel 0 announces +switch-master");
    thread::sleep(GRACE.saturating_sub(switch_at.elapsed()));
    let gets_at_switch = get_calls(group.master());
    // The others hear of the promoted replica from the sentinels' hello messages, and may
    // announce the switch before sentinel 0, which waits for the replicas to follow first.
    let others: Vec<Instant> = switches[1..]
        .iter()
        .map(|events| {
            events.recv_timeout(Duration::from_secs(10)).expect("every sentinel announces the switch").0
        })
        .collect();
    let first_at = others.iter().copied().fold(switch_at, Instant::min);
    // Until the sentinels have made the old master a replica, and a while after.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !group.master().redis_cli(&["ROLE"]).starts_with("slave") {
        assert!(Instant::now() < deadline, "the old master never became a replica");
        thread::sleep(Duration::from_millis(50));
    }
    let replica_at = Instant::now();
    thread::sleep(Duration::from_secs(1));
    stop.store(true, Ordering::Relaxed);
    let turns: Vec<Turn> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    let gets_at_end = get_calls(group.master());
    let new = group.wait_for_new_master(old);

    let since_switch = |turn: &Turn| turn.at.checked_duration_since(switch_at);
    let last_on_old =
        turns.iter().filter(|t| t.on == Some(old)).map(|t| t.at).max().map(|at| offset(at, switch_at));
    let late_on_old =
        turns.iter().filter(|t| t.on == Some(old) && since_switch(t).is_some_and(|d| d > GRACE)).count();
    let on_old_after_first = turns.iter().filter(|t| t.on == Some(old) && t.at > first_at).count();
    let others: Vec<String> = others.into_iter().map(|at| offset(at, switch_at)).collect();
    let on_new_after_replica = turns.iter().filter(|t| t.on == Some(new) && t.at > replica_at).count();
    let failures: Vec<_> = turns.iter().flat_map(|t| &t.failures).collect();
    let mut kinds: Vec<(&str, Delivery)> = Vec::new();
    for (text, delivery) in &failures {
        if !kinds.contains(&(text.as_str(), *delivery)) {
            kinds.push((text.as_str(), *delivery));
        }
    }
    println!(
        "SENTINEL FAILOVER to +switch-master (sentinel 0): {:?}; the other sentinels announced it at {others:?} relative to that, and the pool lent \
         {on_old_after_first} connections to the old master after the first announcement; \
         the old master became a replica {:?} after the switch. {} turns of GET + INCR by {WORKERS} threads; \
         the last connection lent to the old master: at {} ({late_on_old} after the {GRACE:?} grace); \
         {on_new_after_replica} turns on the new master after the old one became a replica. The old master's GETs: \
         {gets_before} before the failover, {gets_at_switch} {GRACE:?} after the switch, {gets_at_end} at the end. \
         {} failed commands, of these kinds: {kinds:?}",
        switch_at - failover_at,
        replica_at - switch_at,
        turns.len(),
        last_on_old.as_deref().unwrap_or("none"),
        failures.len(),
    );

    assert_eq!(announced, format!("{service} {} {} {} {}", old.ip(), old.port(), new.ip(), new.port()));
    assert!(gets_before > 0, "the workers read from the master before the failover");
    assert_eq!(gets_at_end, gets_at_switch, "GETs reached the old master after the switch");
    assert_eq!(late_on_old, 0, "the pool lent connections to the old master after the switch");
    assert!(on_new_after_replica >= WORKERS, "the workers kept going on the new master");
}
