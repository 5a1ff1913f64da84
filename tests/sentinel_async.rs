//! `AsyncSentinel` against real sentinels (a master, 2 replicas, 3 sentinels): discovery
//! from Tokio tasks; a writer through `master_for`'s pool and one through
//! `reconnecting_master_for` follow `SENTINEL FAILOVER` by themselves (the time from the
//! command to the first write the new master acknowledged, and the failed writes with
//! what each says of its delivery, are printed); reads through `replica_for` go to
//! replicas.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ferrodis::core::sentinel::Verdict;
use ferrodis::{
    Address, AsyncCommands, AsyncConnectionPool, AsyncPooledConnection, AsyncSentinel, ConnectionConfig,
    Delivery, Error, ErrorKind, Value, cmd,
};
use ferrodis_test_support::SentinelGroup;

fn sentinel(group: &SentinelGroup, min_other: u32) -> AsyncSentinel {
    let sentinels = group.sentinel_addrs().into_iter().map(|a| (a.ip().to_string(), a.port()));
    AsyncSentinel::new(sentinels, min_other, ConnectionConfig::default())
}

fn addr((host, port): &(String, u16)) -> SocketAddr {
    format!("{host}:{port}").parse().unwrap()
}

fn socket_addr(address: &Address) -> SocketAddr {
    match address {
        Address::Tcp { host, port } => addr(&(host.clone(), *port)),
        other => panic!("{other:?}"),
    }
}

fn config() -> ConnectionConfig {
    let mut config = ConnectionConfig::default();
    config.socket_timeout = Some(Duration::from_secs(2));
    config.connect_timeout = Duration::from_secs(2);
    config
}

/// The port of the server `conn` talks to now.
async fn port_of(conn: &impl AsyncCommands) -> ferrodis::Result<u16> {
    let reply: Vec<String> = conn.query(cmd("CONFIG").arg("GET").arg("port")).await?;
    Ok(reply[1].parse().unwrap())
}

/// What a writer saw through a failover.
#[derive(Debug, Default)]
struct Writes {
    acked: u64,
    failures: Vec<(String, Delivery)>,
    failover_at: Option<Duration>,
    first_on_new: Option<Duration>,
}

/// Writes through `conn` (checking which server answers) for 40 s at most, runs
/// `SENTINEL FAILOVER` after 300 ms, and stops 1 s after the first write the new master
/// acknowledged.
async fn write_through_failover(group: &SentinelGroup, conn: &impl AsyncCommands) -> Writes {
    let (service, old) = (group.master_name(), group.master().addr().port());
    let mut writes = Writes::default();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(40)
        && writes.first_on_new.is_none_or(|t| t + Duration::from_secs(1) > started.elapsed())
    {
        if writes.failover_at.is_none() && started.elapsed() > Duration::from_millis(300) {
            assert_eq!(group.sentinels()[1].redis_cli(&["SENTINEL", "FAILOVER", service]), "OK");
            writes.failover_at = Some(started.elapsed());
        }
        let write = async {
            let _: i64 = conn.incr("writes", 1).await?;
            port_of(conn).await
        };
        match write.await {
            Ok(port) => {
                writes.acked += 1;
                if port != old && writes.first_on_new.is_none() {
                    writes.first_on_new = Some(started.elapsed());
                }
            }
            Err(e) => {
                writes.failures.push((e.to_string(), e.delivery()));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    writes
}

/// Checks and prints what `writes` saw, for the writer named `through`.
fn report(through: &str, writes: &Writes) {
    let failover_at = writes.failover_at.expect("the failover ran");
    let first_on_new =
        writes.first_on_new.unwrap_or_else(|| panic!("{through}: no write on the new master: {writes:?}"));
    println!(
        "{through}: SENTINEL FAILOVER to the first write the new master acknowledged: {:?}; {} writes acknowledged, \
         {} failed: {:?}",
        first_on_new - failover_at,
        writes.acked,
        writes.failures.len(),
        writes.failures,
    );
    // The sentinels announce the switch within about a second; without the event, the
    // writer would stay on the old master until it is turned into a replica (about 10 s
    // here), and a multiplexed connection would then get READONLY for good.
    assert!(
        first_on_new - failover_at < Duration::from_secs(5),
        "{through}: {:?}",
        first_on_new - failover_at
    );
}

#[tokio::test]
async fn the_master_replicas_and_sentinels_of_a_service_from_a_tokio_task() {
    let group = SentinelGroup::start();
    let service = group.master_name();
    let sentinel = sentinel(&group, 2);

    let master = sentinel.discover_master(service).await.unwrap();
    assert_eq!(addr(&master), group.master().addr());
    let mut replicas: Vec<SocketAddr> =
        sentinel.discover_replicas(service).await.unwrap().iter().map(addr).collect();
    replicas.sort_unstable();
    let mut expected: Vec<SocketAddr> = group.replicas().iter().map(|r| r.addr()).collect();
    expected.sort_unstable();
    assert_eq!(replicas, expected);
    assert_eq!(sentinel.discover_sentinels(service).await.unwrap().len(), 2);

    let replies: Vec<ferrodis::Result<Vec<String>>> =
        sentinel.execute_command(&cmd("SENTINEL").arg("GET-MASTER-ADDR-BY-NAME").arg(service), false).await;
    assert_eq!(replies.len(), 3);
    for reply in replies {
        let reply = reply.unwrap();
        assert_eq!(addr(&(reply[0].clone(), reply[1].parse().unwrap())), group.master().addr());
    }
    let once: Vec<ferrodis::Result<Value>> = sentinel.execute_command(&cmd("PING"), true).await;
    assert_eq!(once.len(), 1);
    // An error reply is the sentinel's answer, as an error.
    let refused: Vec<ferrodis::Result<Value>> = sentinel.execute_command(&cmd("NO-SUCH-COMMAND"), true).await;
    assert!(matches!(refused[0].as_ref().map_err(Error::kind), Err(ErrorKind::Server(_))), "{refused:?}");

    // Concurrent discoveries share the connections and agree.
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let sentinel = sentinel.clone();
            tokio::spawn(async move { sentinel.discover_master(service).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(addr(&task.await.unwrap().unwrap()), group.master().addr());
    }

    let Err(e) = sentinel.discover_master("no-such-service").await else {
        panic!("an unknown service found")
    };
    let ErrorKind::MasterNotFound { service: named, verdicts } = e.kind() else { panic!("{e:?}") };
    assert_eq!(named, "no-such-service");
    assert!(verdicts.iter().all(|v| v.verdict == Verdict::UnknownService), "{verdicts:?}");
    assert_eq!(e.delivery(), Delivery::NotSent);

    // More other sentinels than watch the master: no master is taken.
    let Err(e) = self::sentinel(&group, 3).discover_master(service).await else {
        panic!("min_other_sentinels met")
    };
    assert!(matches!(e.kind(), ErrorKind::MasterNotFound { .. }), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_through_the_async_master_pool_follows_a_sentinel_failover() {
    let mut group = SentinelGroup::start();
    let (service, old) = (group.master_name(), group.master().addr());
    let pool = sentinel(&group, 0).master_for(service, config()).max_connections(8);
    // Idle connections to the master, opened before the failover.
    let held: Vec<_> = connections(&pool, 8).await;
    assert!(held.iter().all(|c| port_of_sync(c) == old));
    drop(held);
    assert_eq!(pool.idle_connections(), 8);

    let writes = write_through_failover(&group, &pool).await;
    report("AsyncConnectionPool", &writes);
    let new = group.wait_for_new_master(old);
    assert_ne!(new, old);
    // Every connection now open is to the new master: none to the old one was reused.
    let idle = pool.idle_connections();
    let held: Vec<_> = connections(&pool, idle).await;
    assert!(held.iter().all(|c| port_of_sync(c) == new), "a connection to the old master is left");
    for (text, delivery) in &writes.failures {
        assert!(matches!(delivery, Delivery::NotSent | Delivery::Unknown | Delivery::Answered), "{text}");
    }
}

/// `count` connections of `pool`, all held at once.
async fn connections(pool: &AsyncConnectionPool, count: usize) -> Vec<AsyncPooledConnection> {
    let mut held = Vec::new();
    for _ in 0..count {
        held.push(pool.get_connection().await.unwrap());
    }
    held
}

/// Where the pooled multiplexed connection `conn` is connected.
fn port_of_sync(conn: &AsyncPooledConnection) -> SocketAddr {
    socket_addr(conn.address())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_through_reconnecting_master_for_follows_a_sentinel_failover() {
    let mut group = SentinelGroup::start();
    let old = group.master().addr();
    let conn = sentinel(&group, 0).reconnecting_master_for(group.master_name(), config()).await.unwrap();
    assert_eq!(port_of(&conn).await.unwrap(), old.port());

    let writes = write_through_failover(&group, &conn).await;
    report("ReconnectingConnection", &writes);
    let new = group.wait_for_new_master(old);
    assert_ne!(new, old);
    assert_eq!(port_of(&conn).await.unwrap(), new.port());
    for (text, delivery) in &writes.failures {
        assert!(matches!(delivery, Delivery::NotSent | Delivery::Unknown | Delivery::Answered), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_through_the_async_replica_pool_go_to_replicas() {
    let group = SentinelGroup::start();
    let service = group.master_name();
    let sentinel = sentinel(&group, 0);
    let master = sentinel.master_for(service, config());
    let () = master.set("shared", "value").await.unwrap();
    let pool = sentinel.replica_for(service, config());
    let replicas: Vec<SocketAddr> = group.replicas().iter().map(|r| r.addr()).collect();
    let held: Vec<_> = connections(&pool, 4).await;
    let used: Vec<SocketAddr> = held.iter().map(port_of_sync).collect();
    assert!(used.iter().all(|a| replicas.contains(a)), "{used:?} not all in {replicas:?}");
    assert!(replicas.iter().all(|r| used.contains(r)), "each replica in turn: {used:?}");
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let read: Option<String> = pool.get("shared").await.unwrap();
        if read.as_deref() == Some("value") {
            break;
        }
        assert!(Instant::now() < deadline, "the replicas never got the write");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
