//! `Sentinel::master_for` and `replica_for` against real sentinels (a master, 2 replicas,
//! 3 sentinels): a writer through the master pool follows `SENTINEL FAILOVER` by itself
//! (the time from the command to the first write the new master acknowledged, and the
//! failed writes with what each says of its delivery, are printed); the pool's idle
//! connections to the old master are closed as soon as the sentinels announce the switch;
//! reads through the replica pool go to replicas; and a resolver whose server is not what
//! it says fails the connect with nothing sent.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ferrodis::core::reply::ServerRole;
use ferrodis::{
    Address, AddressResolver, Commands, Connection, ConnectionConfig, Delivery, ErrorKind, Resolved, Sentinel,
};
use ferrodis_test_support::SentinelGroup;

fn sentinel(group: &SentinelGroup) -> Sentinel {
    let sentinels = group.sentinel_addrs().into_iter().map(|a| (a.ip().to_string(), a.port()));
    Sentinel::new(sentinels, 0, ConnectionConfig::default())
}

fn socket_addr(address: &Address) -> SocketAddr {
    match address {
        Address::Tcp { host, port } => format!("{host}:{port}").parse().unwrap(),
        other => panic!("{other:?}"),
    }
}

/// The server of the group listening on `addr` (a replica promoted).
fn new_master(group: &SentinelGroup, addr: SocketAddr) -> &ferrodis_test_support::RedisServer {
    group.replicas().iter().find(|r| r.addr() == addr).expect("a replica took over")
}

fn config() -> ConnectionConfig {
    let mut config = ConnectionConfig::default();
    config.socket_timeout = Some(Duration::from_secs(2));
    config.connect_timeout = Duration::from_secs(2);
    config
}

#[test]
fn a_writer_through_master_for_follows_a_sentinel_failover_and_idle_connections_to_the_old_master_close() {
    let mut group = SentinelGroup::start();
    let service = group.master_name();
    let old = group.master().addr();
    let pool = sentinel(&group).master_for(service, config()).max_connections(16);

    // 16 idle connections, all to the master.
    let held: Vec<_> = (0..16).map(|_| pool.get_connection().unwrap()).collect();
    assert!(held.iter().all(|c| socket_addr(&c.config().address) == old));
    drop(held);
    assert_eq!(pool.idle_connections(), 16);

    let mut acked = 0u64;
    let mut failures: Vec<(String, Delivery)> = Vec::new();
    let started = Instant::now();
    let mut failover_at = None;
    let mut first_on_new = None;
    let mut closed_after = None;
    while started.elapsed() < Duration::from_secs(40)
        && first_on_new.is_none_or(|t: Duration| t + Duration::from_secs(1) > started.elapsed())
    {
        if failover_at.is_none() && started.elapsed() > Duration::from_millis(300) {
            assert_eq!(group.sentinels()[1].redis_cli(&["SENTINEL", "FAILOVER", service]), "OK");
            failover_at = Some(started.elapsed());
        }
        if let (Some(at), None, true) = (failover_at, closed_after, pool.open_connections() < 16) {
            closed_after = Some(started.elapsed() - at);
        }
        let mut conn = match pool.get_connection() {
            Ok(conn) => conn,
            Err(e) => {
                failures.push((e.to_string(), e.delivery()));
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
        };
        let on = socket_addr(&conn.config().address);
        match conn.incr::<_, _, i64>("writes", 1) {
            Ok(_) => {
                acked += 1;
                if on != old && first_on_new.is_none() {
                    first_on_new = Some(started.elapsed());
                }
            }
            Err(e) => failures.push((e.to_string(), e.delivery())),
        }
    }
    let (failover_at, first_on_new) =
        (failover_at.unwrap(), first_on_new.expect("a write on the new master"));
    let new = group.wait_for_new_master(old);
    let on_new: u64 = new_master(&group, new).redis_cli(&["GET", "writes"]).parse().unwrap();
    println!(
        "SENTINEL FAILOVER to the first write the new master acknowledged: {:?}; {} writes acknowledged, {} failed: {failures:?}; \
         the pool began closing connections {closed_after:?} after the command; the new master holds {on_new} \
         (writes the old master acknowledged after the promotion are lost with it: Redis replication is asynchronous)",
        first_on_new - failover_at,
        acked,
        failures.len(),
    );
    assert_ne!(new, old);
    // The sentinels announce the switch within about a second; without the event, the pool
    // would write to the old master until it is turned into a replica (about 10 s here).
    assert!(first_on_new - failover_at < Duration::from_secs(5), "{:?}", first_on_new - failover_at);
    // Every connection now open is to the new master: none to the old one was reused.
    let held: Vec<_> = (0..pool.idle_connections()).map(|_| pool.get_connection().unwrap()).collect();
    assert!(
        held.iter().all(|c| socket_addr(&c.config().address) == new),
        "a connection to the old master is left"
    );
    // A failed write says whether it may have run; none is "not sent" while claiming more.
    for (text, delivery) in &failures {
        assert!(matches!(delivery, Delivery::NotSent | Delivery::Unknown | Delivery::Answered), "{text}");
    }
    assert!(closed_after.is_some(), "the switch closed the idle connections");
}

#[test]
fn reads_through_replica_for_go_to_replicas_and_a_server_with_another_role_is_refused() {
    let group = SentinelGroup::start();
    let service = group.master_name();
    let replicas: Vec<SocketAddr> = group.replicas().iter().map(|r| r.addr()).collect();
    let sentinel = sentinel(&group);
    let master = sentinel.master_for(service, config());
    let () = master.clone().set("shared", "value").unwrap();
    let pool = sentinel.replica_for(service, config());
    let held: Vec<_> = (0..4).map(|_| pool.get_connection().unwrap()).collect();
    let used: Vec<SocketAddr> = held.iter().map(|c| socket_addr(&c.config().address)).collect();
    assert!(used.iter().all(|a| replicas.contains(a)), "{used:?} not all in {replicas:?}");
    assert!(replicas.iter().all(|r| used.contains(r)), "each replica in turn: {used:?}");
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let read: Option<String> = pool.clone().get("shared").unwrap();
        if read.as_deref() == Some("value") {
            break;
        }
        assert!(Instant::now() < deadline, "the replicas never got the write");
        std::thread::sleep(Duration::from_millis(20));
    }

    // A resolver that names a replica as the master: refused after its ROLE, nothing sent.
    let replica = group.replicas()[0].addr();
    let mut config = config();
    config.resolver = Some(AddressResolver::new(move || {
        Ok(Resolved {
            address: Address::Tcp { host: replica.ip().to_string(), port: replica.port() },
            role: Some(ServerRole::Primary),
        })
    }));
    let Err(e) = Connection::open(&config) else { panic!("a replica taken for the master") };
    let ErrorKind::WrongRole { expected, found, .. } = e.kind() else { panic!("{e:?}") };
    assert_eq!((*expected, *found), (ServerRole::Primary, Some(ServerRole::Replica)));
    assert_eq!(e.delivery(), Delivery::NotSent);
}

#[test]
fn a_killed_master_is_followed_and_no_write_a_replica_confirmed_is_lost() {
    let mut group = SentinelGroup::start();
    let service = group.master_name();
    let old = group.master().addr();
    let mut pool = sentinel(&group).master_for(service, config()).max_connections(4);
    let (mut durable, mut acked, mut failed) = (0i64, 0i64, Vec::new());
    let started = Instant::now();
    let mut killed_at = None;
    let mut back_after = None;
    while started.elapsed() < Duration::from_secs(40) && back_after.is_none() {
        if killed_at.is_none() && started.elapsed() > Duration::from_millis(300) {
            group.master_mut().kill();
            killed_at = Some(Instant::now());
        }
        let result = pool.get_connection().and_then(|mut conn| {
            let n: i64 = conn.incr("durable", 1)?;
            // Acknowledged by at least one replica within 100 ms: it survives a failover.
            let replicas: i64 = conn.query(&ferrodis::cmd("WAIT").arg(1).arg(100))?;
            Ok((n, replicas, socket_addr(&conn.config().address)))
        });
        match result {
            Ok((n, replicas, on)) => {
                acked += 1;
                if replicas >= 1 {
                    durable = durable.max(n);
                }
                if let (Some(at), true) = (killed_at, on != old) {
                    back_after = Some(at.elapsed());
                }
            }
            Err(e) => {
                failed.push((e.to_string(), e.delivery()));
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    let back_after = back_after.expect("writes on the new master");
    let new = group.wait_for_new_master(old);
    let kept: i64 = new_master(&group, new).redis_cli(&["GET", "durable"]).parse().unwrap();
    let count = |delivery: Delivery| failed.iter().filter(|(_, d)| *d == delivery).count();
    let (unknown, not_sent) = (count(Delivery::Unknown), count(Delivery::NotSent));
    println!(
        "SIGKILL of the master to the first write the new master acknowledged: {back_after:?}; {acked} acknowledged, \
         {} failed ({unknown} with an unknown outcome, {not_sent} not sent); replica-confirmed up to {durable}, \
         the new master holds {kept}",
        failed.len()
    );
    // Only a write in flight at the kill can have an unknown outcome; the connects that
    // found no master (refused, no sentinel naming one yet) sent nothing.
    assert!(unknown <= 4, "{failed:?}");
    assert!(kept >= durable, "a write a replica confirmed was lost: {kept} < {durable}");
    let () = pool.set("after", "failover").unwrap();
}
