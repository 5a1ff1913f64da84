//! `ConnectionPool::health_check_interval` against a real server: a lent connection that
//! idled past the interval is PINGed first, and a dead one is replaced without the caller
//! seeing an error; without the check, the caller meets the dead connection.

use std::time::Duration;

use ferrodis::{ClientBuilder, Commands, ConnectionPool};
use ferrodis_test_support::RedisServer;

fn pool(server: &RedisServer) -> ConnectionPool {
    let config = ClientBuilder::new().host(server.host()).port(server.port()).build().config().clone();
    ConnectionPool::new(config)
}

/// Lends a connection, notes its id, gives it back, and has the server close it.
fn kill_the_idle_one(server: &RedisServer, pool: &ConnectionPool) -> i64 {
    let id: i64 = pool.get_connection().unwrap().client_id().unwrap();
    let mut other =
        ClientBuilder::new().host(server.host()).port(server.port()).build().get_connection().unwrap();
    let killed: i64 = other.client_kill_id(id as u64).unwrap();
    assert_eq!(killed, 1);
    id
}

#[test]
fn an_idle_connection_is_checked_and_a_dead_one_replaced_unseen() {
    let server = RedisServer::start();
    let pool = pool(&server).health_check_interval(Duration::from_millis(50));
    let dead = kill_the_idle_one(&server, &pool);
    std::thread::sleep(Duration::from_millis(120));
    let mut conn = pool.get_connection().unwrap();
    let id: i64 = conn.client_id().expect("the caller never sees the dead connection");
    assert_ne!(id, dead);
    assert_eq!(pool.open_connections(), 1);

    // Used again within the interval: lent without a check (the same connection).
    drop(conn);
    let again: i64 = pool.get_connection().unwrap().client_id().unwrap();
    assert_eq!(again, id);
}

#[test]
fn without_the_check_the_caller_meets_the_dead_connection() {
    let server = RedisServer::start();
    let pool = pool(&server);
    kill_the_idle_one(&server, &pool);
    let mut conn = pool.get_connection().unwrap();
    assert!(conn.client_id::<i64>().is_err());
    drop(conn);
    assert_eq!(pool.open_connections(), 0, "the broken connection is not kept");
    let _: i64 = pool.get_connection().unwrap().client_id().unwrap();
}

#[test]
fn a_url_configures_the_pool_and_a_single_connection_refuses_pool_options() {
    let server = RedisServer::start();
    let url = format!(
        "redis://{}:{}/3?max_connections=1&timeout=0.2&health_check_interval=30",
        server.host(),
        server.port()
    );
    let pool = ConnectionPool::from_url(&url).unwrap();
    assert_eq!(pool.config().db, 3);
    let held = pool.get_connection().unwrap();
    let started = std::time::Instant::now();
    let e = pool.get_connection().unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(200), "the URL's timeout is the wait");
    assert!(matches!(e.kind(), ferrodis::ErrorKind::PoolExhausted { max_connections: 1 }), "{e}");
    drop(held);

    let e = ferrodis::ConnectionConfig::from_url(&url).unwrap_err();
    assert!(e.to_string().contains("ConnectionPool::from_url"), "{e}");
    let zero = format!("redis://{}:{}/?max_connections=0", server.host(), server.port());
    assert!(ConnectionPool::from_url(&zero).is_err());
}
