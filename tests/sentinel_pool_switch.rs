//! Pools through `Sentinel` during `SENTINEL FAILOVER` (a master, 2 replicas, 3 sentinels,
//! a group per test), from before the failover until the sentinels have turned the old
//! master into a replica (about 9 s after the switch) and a second after.
//!
//! A pool of 16 connections through `master_for`, used by 16 threads at once: once the
//! sentinels announce the switch (`+switch-master`), no request goes to the old master any
//! more. Both sides are checked. The server's: the old master's `GET` count (`INFO
//! commandstats`; replication never sends a `GET`, unlike the workers' `INCR`s) does not
//! grow from shortly after the first announcement to the end. The client's: no connection
//! the pool lends after the first announcement is to the old master's address. "First":
//! the sentinels announce the switch about a second apart (the one that ran the failover
//! last, once the replicas were reconfigured, and until then it still names the old
//! master); the pool listens to every sentinel and takes no sentinel's word for the
//! master a switch replaced. "After" allows [`GRACE`]: the pool's watchers hear the
//! announcement a little after the test, and a worker that took a connection just before
//! it still sends its commands.
//!
//! Reads through `replica_for` keep working: 4 threads read through the replica pool's
//! kept connections, a fifth opens a new connection for every read (so each asks the
//! sentinels for a replica during the failover), while a writer sets a key to 1, 2, 3...
//! through `master_for`. Reads do fail now and then, in two ways, and the test holds them
//! to those: a connect the `ROLE` check refuses, with nothing sent (the sentinels list the
//! promoted replica as a replica until they announce the switch, and the old master as
//! one from then on, while it is still a master), or a read on a connection the server
//! closed (the sentinels end every client of a server they reconfigure), at most once per
//! reader per server reconfigured. Asserted besides: every reader reads successfully again
//! within [`RECOVERY`] of a failure, every reader sees the writes made on the new master,
//! and no write fails.
//!
//! The timings and counts are printed.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use ferrodis::{
    Address, Commands, Connection, ConnectionConfig, ConnectionPool, Delivery, ErrorKind, Sentinel,
};
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

/// The group's sentinels, in their order: the pools ask sentinel 0 first, and their
/// watcher listens there.
fn sentinel(group: &SentinelGroup) -> Sentinel {
    let sentinels = group.sentinel_addrs().into_iter().map(|a| (a.ip().to_string(), a.port()));
    Sentinel::new(sentinels, 0, ConnectionConfig::default())
}

/// Waits until the sentinels have turned `server` (the old master) into a replica, and
/// says when.
fn wait_until_replica(server: &RedisServer) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !server.redis_cli(&["ROLE"]).starts_with("slave") {
        assert!(Instant::now() < deadline, "the old master never became a replica");
        thread::sleep(Duration::from_millis(50));
    }
    Instant::now()
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
    let sentinel = sentinel(&group);
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
    // The first sentinel to announce the switch: from then on (and a grace), no request
    // goes to the old master. The others hear of the promoted replica from the sentinels'
    // hello messages, and announce the switch before sentinel 0, which waits for the
    // replicas to follow first.
    let mut heard: Vec<Option<(Instant, String)>> = vec![None; switches.len()];
    let deadline = Instant::now() + Duration::from_secs(30);
    while heard.iter().all(Option::is_none) {
        for (event, events) in heard.iter_mut().zip(&switches) {
            *event = events.try_recv().ok();
        }
        assert!(Instant::now() < deadline, "no sentinel announced +switch-master");
        thread::sleep(Duration::from_millis(1));
    }
    let first_at = heard.iter().flatten().map(|(at, _)| *at).min().expect("one announced");
    thread::sleep(GRACE.saturating_sub(first_at.elapsed()));
    let gets_at_switch = get_calls(group.master());
    for (event, events) in heard.iter_mut().zip(&switches) {
        if event.is_none() {
            *event = Some(
                events.recv_timeout(Duration::from_secs(10)).expect("every sentinel announces the switch"),
            );
        }
    }
    let heard: Vec<(Instant, String)> = heard.into_iter().flatten().collect();
    let (switch_at, announced) = heard[0].clone();
    let others: Vec<Instant> = heard[1..].iter().map(|(at, _)| *at).collect();
    // Until the sentinels have made the old master a replica, and a while after.
    let replica_at = wait_until_replica(group.master());
    thread::sleep(Duration::from_secs(1));
    stop.store(true, Ordering::Relaxed);
    let turns: Vec<Turn> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    let gets_at_end = get_calls(group.master());
    let new = group.wait_for_new_master(old);

    let since_switch = |turn: &Turn| turn.at.checked_duration_since(first_at);
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
         {gets_before} before the failover, {gets_at_switch} {GRACE:?} after the first announcement, {gets_at_end} at the end. \
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

/// Threads reading through the replica pool, and the pool's size.
const READERS: usize = 4;

/// How soon after a failed read the same reader must read successfully again (about 80 ms
/// measured: each retry asks the sentinels again and connects anew).
const RECOVERY: Duration = Duration::from_millis(500);

/// One read (or one write): when it was made, where it went, and what came of it.
struct Op {
    at: Instant,
    on: Option<SocketAddr>,
    result: Result<i64, (String, Delivery, bool)>,
}

/// A failure as an [`Op`] keeps it: its text, delivery, and whether it is a refusal of a
/// connect that sent nothing (a wrong role, or no node found).
fn failure(e: &ferrodis::Error) -> (String, Delivery, bool) {
    let refused = matches!(e.kind(), ErrorKind::WrongRole { .. } | ErrorKind::MasterNotFound { .. });
    (e.to_string(), e.delivery(), refused && e.delivery() == Delivery::NotSent)
}

/// Runs `op` every `every` until `stop`, recording each.
fn repeat(
    stop: &AtomicBool,
    every: Duration,
    mut op: impl FnMut() -> ferrodis::Result<(SocketAddr, i64)>,
) -> Vec<Op> {
    let mut ops = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        let result = op();
        let at = Instant::now();
        ops.push(match result {
            Ok((on, n)) => Op { at, on: Some(on), result: Ok(n) },
            Err(e) => Op { at, on: None, result: Err(failure(&e)) },
        });
        thread::sleep(every);
    }
    ops
}

/// A read of the writer's latest number on `conn`: where it went, and the value (0 before the first write).
fn read(conn: &mut Connection) -> ferrodis::Result<(SocketAddr, i64)> {
    let value: Option<i64> = conn.get("latest")?;
    Ok((socket_addr(&conn.config().address), value.unwrap_or(0)))
}

#[test]
fn reads_through_replica_for_keep_working_through_a_sentinel_failover() {
    let mut group = SentinelGroup::start();
    let service = group.master_name();
    let old = group.master().addr();
    let sentinel = sentinel(&group);
    let writes = sentinel.master_for(service, config()).max_connections(1).wait(Duration::from_secs(2));
    let reads: ConnectionPool =
        sentinel.replica_for(service, config()).max_connections(READERS).wait(Duration::from_secs(2));
    let switches = group.sentinels()[0].switch_master_events();

    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (writes, stop) = (writes.clone(), Arc::clone(&stop));
        // Numbered by the writer, not by the server: the old master counts on from writes the
        // new one never got, so a server's INCR would not tell which master a value came from.
        let mut next = 0;
        thread::spawn(move || {
            repeat(&stop, Duration::from_millis(5), || {
                next += 1;
                let mut conn = writes.get_connection()?;
                let () = conn.set("latest", next)?;
                Ok((socket_addr(&conn.config().address), next))
            })
        })
    };
    let pooled: Vec<_> = (0..READERS)
        .map(|_| {
            let (reads, stop) = (reads.clone(), Arc::clone(&stop));
            thread::spawn(move || {
                repeat(&stop, Duration::from_millis(2), || read(&mut *reads.get_connection()?))
            })
        })
        .collect();
    let fresh = {
        let (config, stop) = (reads.config().clone(), Arc::clone(&stop));
        thread::spawn(move || {
            repeat(&stop, Duration::from_millis(20), || read(&mut Connection::open(&config)?))
        })
    };

    thread::sleep(Duration::from_millis(500));
    let failover_at = Instant::now();
    assert_eq!(group.sentinels()[0].redis_cli(&["SENTINEL", "FAILOVER", service]), "OK");
    let (switch_at, _) =
        switches.recv_timeout(Duration::from_secs(30)).expect("sentinel 0 announces the switch");
    let replica_at = wait_until_replica(group.master());
    thread::sleep(Duration::from_secs(1));
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().unwrap();
    let pooled: Vec<Vec<Op>> = pooled.into_iter().map(|r| r.join().unwrap()).collect();
    let fresh = fresh.join().unwrap();
    let new = group.wait_for_new_master(old);

    // The first value the new master acknowledged, and how long after the switch each reader
    // first read it (or a later one).
    let first_new =
        written.iter().find(|w| w.on == Some(new) && w.result.is_ok()).expect("writes on the new master");
    let first_new_value = *first_new.result.as_ref().unwrap();
    let seen = |ops: &[Op]| {
        ops.iter()
            .find(|op| op.result.as_ref().is_ok_and(|&n| n >= first_new_value))
            .map(|op| op.at.saturating_duration_since(switch_at))
    };
    let readers: Vec<&[Op]> = pooled.iter().map(Vec::as_slice).chain([fresh.as_slice()]).collect();
    let failures: Vec<&(String, Delivery, bool)> =
        readers.iter().flat_map(|ops| ops.iter().filter_map(|op| op.result.as_ref().err())).collect();
    let refused = failures.iter().filter(|f| f.2).count();
    let unknown = failures.iter().filter(|f| f.1 == Delivery::Unknown).count();
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for (text, ..) in &failures {
        match kinds.iter_mut().find(|(known, _)| known == text) {
            Some((_, count)) => *count += 1,
            None => kinds.push((text, 1)),
        }
    }
    let gaps: Vec<Duration> = readers.iter().map(|ops| longest_failing(ops)).collect();
    let mut places: Vec<SocketAddr> =
        readers.iter().flat_map(|ops| ops.iter().filter_map(|op| op.on)).collect();
    places.sort_unstable();
    places.dedup();
    let write_failures = written.iter().filter(|w| w.result.is_err()).count();
    println!(
        "SENTINEL FAILOVER to +switch-master: {:?}; the old master a replica {:?} after the switch. \
         Reads: {} through the pool by {READERS} threads, {} each on a new connection, on {places:?} (the new master \
         {new}); {} failed: {refused} refused connects (nothing sent), {unknown} with an unknown outcome, by kind: \
         {kinds:?}. Each reader's longest time from a failed read to a good one: {gaps:?}. {} writes, {write_failures} \
         failed. The first write the new master acknowledged ({first_new_value}, {:?} after the switch) was read \
         {:?} after the switch (readers in turn, the new-connection one last)",
        switch_at - failover_at,
        replica_at - switch_at,
        pooled.iter().map(Vec::len).sum::<usize>(),
        fresh.len(),
        failures.len(),
        written.len(),
        first_new.at.saturating_duration_since(switch_at),
        readers.iter().map(|ops| seen(ops)).collect::<Vec<_>>(),
    );

    // A failed read sent nothing (a connect refused: the sentinels named a node whose ROLE
    // is not a replica's; or a connect the server closed before it was done), or was on a
    // connection the server closed: the sentinels end every client of a server they
    // reconfigure (`CLIENT KILL TYPE normal`), so each reader's connection fails at most
    // once per server reconfigured (3 of them).
    for (text, delivery, _) in &failures {
        assert!(matches!(delivery, Delivery::NotSent | Delivery::Unknown), "{text} ({delivery:?})");
    }
    assert!(unknown <= 3 * readers.len(), "{unknown} reads with an unknown outcome: {kinds:?}");
    assert!(gaps.iter().all(|&gap| gap <= RECOVERY), "reads failed for longer than {RECOVERY:?}: {gaps:?}");
    assert!(readers.iter().all(|ops| seen(ops).is_some()), "a reader never saw the new master's writes");
    assert_eq!(write_failures, 0, "the writer through master_for failed");
}

/// The longest time from a failed read to the next good one; `Duration::MAX` when none came.
fn longest_failing(ops: &[Op]) -> Duration {
    let mut longest = Duration::ZERO;
    let mut failing_since = None;
    for op in ops {
        match (&op.result, failing_since) {
            (Err(_), None) => failing_since = Some(op.at),
            (Ok(_), Some(since)) => {
                longest = longest.max(op.at - since);
                failing_since = None;
            }
            _ => {}
        }
    }
    // Still failing at the end: no good read came.
    if failing_since.is_some() { Duration::MAX } else { longest }
}
