//! `ConnectionPool` against a real server: the limit (at once, or after waiting), reuse
//! most recent first, connections that must not be handed on, `disconnect`, and many
//! threads sharing one pool.

use std::sync::Barrier;
use std::time::{Duration, Instant};

use ferrodis::{ClientBuilder, Commands, ConnectionPool, Delivery, ErrorKind};
use ferrodis_test_support::RedisServer;

fn pool(server: &RedisServer) -> ConnectionPool {
    let config = ClientBuilder::new().host(server.host()).port(server.port()).build().config().clone();
    ConnectionPool::new(config)
}

fn id(conn: &mut impl Commands) -> i64 {
    conn.client_id().unwrap()
}

#[test]
fn past_the_limit_the_plain_pool_fails_at_once_and_nothing_is_sent() {
    let server = RedisServer::start();
    let pool = pool(&server).max_connections(2);
    let _a = pool.get_connection().unwrap();
    let _b = pool.get_connection().unwrap();
    let started = Instant::now();
    let e = pool.get_connection().unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(100), "no waiting without `wait`");
    assert!(matches!(e.kind(), ErrorKind::PoolExhausted { max_connections: 2 }), "{e}");
    assert_eq!(e.delivery(), Delivery::NotSent);
    assert!(e.to_string().contains("too many connections"), "{e}");
    assert_eq!(pool.open_connections(), 2);
}

#[test]
fn the_blocking_pool_waits_for_a_connection_and_times_out_without_one() {
    let server = RedisServer::start();
    let pool = pool(&server).max_connections(1).wait(Duration::from_millis(300));
    let held = pool.get_connection().unwrap();
    let started = Instant::now();
    let e = pool.get_connection().unwrap_err();
    let waited = started.elapsed();
    assert!(matches!(e.kind(), ErrorKind::PoolExhausted { .. }), "{e}");
    assert!(waited >= Duration::from_millis(300) && waited < Duration::from_millis(1000), "{waited:?}");

    let held_id = {
        let mut held = held;
        let id = id(&mut held);
        let returner = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            drop(held);
        });
        let mut next = pool.get_connection().unwrap();
        returner.join().unwrap();
        assert_eq!(self::id(&mut next), id, "the connection given back is the one lent next");
        id
    };
    assert!(held_id > 0);
}

#[test]
fn connections_are_opened_lazily_and_reused_most_recent_first() {
    let server = RedisServer::start();
    let pool = pool(&server).max_connections(4);
    assert_eq!(pool.open_connections(), 0);
    let mut a = pool.get_connection().unwrap();
    let mut b = pool.get_connection().unwrap();
    let (id_a, id_b) = (id(&mut a), id(&mut b));
    assert_ne!(id_a, id_b);
    drop(a);
    drop(b);
    assert_eq!((pool.open_connections(), pool.idle_connections()), (2, 2));
    assert_eq!(id(&mut pool.get_connection().unwrap()), id_b, "b came back last");
    let mut first = pool.get_connection().unwrap();
    let mut second = pool.get_connection().unwrap();
    assert_eq!((id(&mut first), id(&mut second)), (id_b, id_a));
}

#[test]
fn a_connection_whose_session_changed_or_broke_is_closed_not_handed_on() {
    let server = RedisServer::start();
    let pool = pool(&server);
    let mut conn = pool.get_connection().unwrap();
    let () = conn.set("k", "db0").unwrap();
    let () = conn.query(&ferrodis::cmd("SELECT").with_arg(1)).unwrap();
    let () = conn.set("k", "db1").unwrap();
    let selected = id(&mut conn);
    drop(conn);
    assert_eq!(pool.open_connections(), 0, "a connection in another database is closed");
    let mut next = pool.get_connection().unwrap();
    assert_ne!(id(&mut next), selected);
    assert_eq!(next.get::<_, String>("k").unwrap(), "db0", "a new connection is in the configured database");
    drop(next);

    for changing in [&["WATCH", "k"][..], &["CLIENT", "SETNAME", "someone"], &["CLIENT", "TRACKING", "ON"]] {
        let mut conn = pool.get_connection().unwrap();
        let mut command = ferrodis::cmd(changing[0]);
        command.arg(&changing[1..]);
        let () = conn.query(&command).unwrap();
        let changed = id(&mut conn);
        drop(conn);
        let mut next = pool.get_connection().unwrap();
        assert_ne!(id(&mut next), changed, "after {changing:?}");
        let name: Option<String> = next.client_getname().unwrap();
        assert_eq!(name, None, "after {changing:?}");
        let info: String = next.client_info().unwrap();
        assert!(info.contains("flags=N "), "after {changing:?}: {info}");
    }

    // A connection the server closed is not kept.
    let mut victim = pool.get_connection().unwrap();
    let victim_id = id(&mut victim);
    let mut killer = pool.get_connection().unwrap();
    let _: i64 = killer.client_kill_id(victim_id as u64).unwrap();
    assert!(victim.get::<_, Option<String>>("k").is_err());
    assert!(victim.is_broken());
    drop(victim);
    drop(killer);
    let mut after = pool.get_connection().unwrap();
    assert_ne!(id(&mut after), victim_id);
    assert_eq!(pool.open_connections(), 1);
}

#[test]
fn disconnect_closes_the_idle_and_with_in_use_the_lent_ones_on_return() {
    let server = RedisServer::start();
    let pool = pool(&server);
    let idle = pool.get_connection().unwrap();
    let mut lent = pool.get_connection().unwrap();
    drop(idle);
    pool.disconnect(false);
    assert_eq!((pool.open_connections(), pool.idle_connections()), (1, 0));
    pool.disconnect(true);
    let lent_id = id(&mut lent);
    drop(lent);
    assert_eq!(pool.open_connections(), 0, "lent before disconnect(true): closed on return");
    assert_ne!(id(&mut pool.get_connection().unwrap()), lent_id);
}

#[test]
fn threads_share_one_bounded_pool() {
    let server = RedisServer::start();
    let pool = pool(&server).max_connections(3).wait(Duration::from_secs(10));
    let threads = 8;
    let barrier = Barrier::new(threads);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                barrier.wait();
                for _ in 0..100 {
                    let mut conn = pool.get_connection().unwrap();
                    let _: i64 = conn.incr("hits", 1).unwrap();
                }
            });
        }
    });
    assert!(pool.open_connections() <= 3);
    assert_eq!(pool.get_connection().unwrap().get::<_, i64>("hits").unwrap(), 800);
    let clients: String = pool.get_connection().unwrap().client_list().unwrap();
    assert!(clients.lines().count() <= 3, "{clients}");
}

#[test]
fn the_pool_is_a_client_each_command_on_a_connection_of_its_own() {
    let server = RedisServer::start();
    let mut client = pool(&server).max_connections(2);
    let () = client.set("k", 41).unwrap();
    let n: i64 = client.incr("k", 1).unwrap();
    assert_eq!(n, 42);
    assert_eq!(
        (client.open_connections(), client.idle_connections()),
        (1, 1),
        "one connection, lent and given back"
    );
    let held = client.get_connection().unwrap();
    let _other = client.get_connection().unwrap();
    let e = client.get::<_, i64>("k").unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::PoolExhausted { .. }), "{e}");
    drop(held);
    assert_eq!(client.get::<_, i64>("k").unwrap(), 42);
}
