//! `AsyncConnectionPool` against a real server: the limit (at once, or after waiting),
//! reuse most recent first, connections that must not be lent again, `disconnect`, a
//! dropped `get_connection` giving its place back, health checks, and many tasks sharing
//! one pool.

use std::time::{Duration, Instant};

use ferrodis::{AsyncCommands, AsyncConnectionPool, ClientBuilder, Delivery, ErrorKind};
use ferrodis_test_support::RedisServer;

fn pool(server: &RedisServer) -> AsyncConnectionPool {
    let config = ClientBuilder::new().host(server.host()).port(server.port()).build().config().clone();
    AsyncConnectionPool::new(config)
}

async fn id(conn: &impl AsyncCommands) -> i64 {
    conn.client_id().await.unwrap()
}

#[tokio::test]
async fn past_the_limit_the_plain_pool_fails_at_once_and_nothing_is_sent() {
    let server = RedisServer::start();
    let pool = pool(&server).max_connections(2);
    let _a = pool.get_connection().await.unwrap();
    let _b = pool.get_connection().await.unwrap();
    let started = Instant::now();
    let e = pool.get_connection().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(100), "no waiting without `wait`");
    assert!(matches!(e.kind(), ErrorKind::PoolExhausted { max_connections: 2 }), "{e}");
    assert_eq!(e.delivery(), Delivery::NotSent);
    assert_eq!(pool.open_connections(), 2);
}

#[tokio::test]
async fn the_waiting_pool_waits_for_a_connection_and_times_out_without_one() {
    let server = RedisServer::start();
    let pool = pool(&server).max_connections(1).wait(Duration::from_millis(300));
    let held = pool.get_connection().await.unwrap();
    let held_id = id(&*held).await;
    let started = Instant::now();
    let e = pool.get_connection().await.unwrap_err();
    let waited = started.elapsed();
    assert!(matches!(e.kind(), ErrorKind::PoolExhausted { .. }), "{e}");
    assert!(waited >= Duration::from_millis(300) && waited < Duration::from_millis(1000), "{waited:?}");

    let returner = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        drop(held);
    });
    let next = pool.get_connection().await.unwrap();
    returner.await.unwrap();
    assert_eq!(id(&*next).await, held_id, "the connection given back is the one lent next");
}

#[tokio::test]
async fn connections_are_opened_lazily_and_reused_most_recent_first() {
    let server = RedisServer::start();
    let pool = pool(&server).max_connections(4);
    assert_eq!(pool.open_connections(), 0);
    let a = pool.get_connection().await.unwrap();
    let b = pool.get_connection().await.unwrap();
    let (id_a, id_b) = (id(&*a).await, id(&*b).await);
    assert_ne!(id_a, id_b);
    drop(a);
    drop(b);
    assert_eq!((pool.open_connections(), pool.idle_connections()), (2, 2));
    let first = pool.get_connection().await.unwrap();
    let second = pool.get_connection().await.unwrap();
    assert_eq!((id(&*first).await, id(&*second).await), (id_b, id_a), "b came back last");
}

#[tokio::test]
async fn a_connection_the_server_closed_is_not_lent_again() {
    let server = RedisServer::start();
    let pool = pool(&server);
    let victim = pool.get_connection().await.unwrap();
    let victim_id = id(&*victim).await;
    let killer = pool.get_connection().await.unwrap();
    let _: i64 = killer.client_kill_id(victim_id as u64).await.unwrap();
    assert!(victim.get::<_, Option<String>>("k").await.is_err());
    assert!(victim.is_closed());
    drop(victim);
    drop(killer);
    assert_eq!(pool.open_connections(), 1, "the closed connection is not kept");
    let after = pool.get_connection().await.unwrap();
    assert_ne!(id(&*after).await, victim_id);
}

#[tokio::test]
async fn disconnect_closes_the_idle_and_with_in_use_the_lent_ones_on_return() {
    let server = RedisServer::start();
    let pool = pool(&server);
    let idle = pool.get_connection().await.unwrap();
    let lent = pool.get_connection().await.unwrap();
    drop(idle);
    pool.disconnect(false);
    assert_eq!((pool.open_connections(), pool.idle_connections()), (1, 0));
    pool.disconnect(true);
    let lent_id = id(&*lent).await;
    drop(lent);
    assert_eq!(pool.open_connections(), 0, "lent before disconnect(true): closed on return");
    assert_ne!(id(&*pool.get_connection().await.unwrap()).await, lent_id);
}

#[tokio::test]
async fn a_dropped_get_connection_gives_its_place_back() {
    let server = RedisServer::start();
    let pool = pool(&server).max_connections(1).wait(Duration::from_secs(5));
    let held = pool.get_connection().await.unwrap();
    // A waiter given up: its place in the queue goes to the next one.
    let waiter = tokio::time::timeout(Duration::from_millis(50), pool.get_connection()).await;
    assert!(waiter.is_err(), "it was still waiting");
    drop(held);
    let next = tokio::time::timeout(Duration::from_secs(1), pool.get_connection()).await;
    let next = next.expect("the given-back connection reaches the next waiter").unwrap();
    drop(next);

    // An opening given up: its reserved place is free again. The server is stopped, so the
    // handshake cannot finish before the future is dropped.
    pool.disconnect(false);
    assert_eq!(pool.open_connections(), 0);
    server.pause();
    let opening = tokio::time::timeout(Duration::from_millis(100), pool.get_connection()).await;
    server.resume();
    assert!(opening.is_err(), "the connect was still under way");
    assert_eq!(pool.open_connections(), 0, "the place reserved for it is free");
    let conn = pool.get_connection().await.unwrap();
    let _: i64 = conn.client_id().await.unwrap();
}

#[tokio::test]
async fn an_idle_connection_is_checked_and_a_dead_one_replaced_unseen() {
    let server = RedisServer::start();
    let pool = pool(&server).health_check_interval(Duration::from_millis(50));
    let dead = id(&*pool.get_connection().await.unwrap()).await;
    let other = ClientBuilder::new().host(server.host()).port(server.port()).build();
    let killed: i64 =
        other.get_multiplexed_connection().await.unwrap().client_kill_id(dead as u64).await.unwrap();
    assert_eq!(killed, 1);
    tokio::time::sleep(Duration::from_millis(120)).await;
    let conn = pool.get_connection().await.unwrap();
    let fresh: i64 = conn.client_id().await.expect("the caller never sees the dead connection");
    assert_ne!(fresh, dead);
    assert_eq!(pool.open_connections(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_share_one_bounded_pool_and_the_pool_is_a_client() {
    let server = RedisServer::start();
    let pool = pool(&server).max_connections(3).wait(Duration::from_secs(10));
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                for _ in 0..20 {
                    let conn = pool.get_connection().await.unwrap();
                    let _: i64 = conn.incr("hits", 1).await.unwrap();
                    drop(conn); // holding it while the pool lends another could starve the pool
                    let _: i64 = pool.incr("via-pool", 1).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert!(pool.open_connections() <= 3);
    assert_eq!(pool.get::<_, i64>("hits").await.unwrap(), 64 * 20);
    assert_eq!(pool.get::<_, i64>("via-pool").await.unwrap(), 64 * 20);
    let clients: String = pool.client_list().await.unwrap();
    assert!(clients.lines().count() <= 3, "{clients}");
}
