//! A `READONLY` reply from a server a resolver named as the primary means a failover
//! nobody announced: the pools (blocking and Tokio) and the reconnecting connection built
//! on that resolver drop every connection to it and resolve again, so only the write that
//! met `READONLY` fails (answered: it was refused) and the next goes to the new primary.
//!
//! Two real servers, A the primary and B; the test turns A into B's replica behind the
//! resolver's back (`REPLICAOF`, nothing calls `changed()`) and points the resolver at B.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use ferrodis::core::reply::ServerRole;
use ferrodis::{
    Address, AddressResolver, AsyncCommands, AsyncConnectionPool, Commands, ConnectionConfig, ConnectionPool,
    Delivery, ReconnectingConnection, Resolved, ServerErrorKind,
};
use ferrodis_test_support::RedisServer;

/// A primary resolver that answers whatever `at` holds now.
fn resolver(at: &Arc<Mutex<SocketAddr>>) -> AddressResolver {
    let at = Arc::clone(at);
    AddressResolver::new(move || {
        let addr = *at.lock().unwrap();
        Ok(Resolved {
            address: Address::Tcp { host: addr.ip().to_string(), port: addr.port() },
            role: Some(ServerRole::Primary),
        })
    })
}

/// Turns `a` into `b`'s replica and points `at` at `b`: the failover nobody announces.
fn demote(a: &RedisServer, b: &RedisServer, at: &Mutex<SocketAddr>) {
    let port = b.port().to_string();
    assert_eq!(a.redis_cli(&["REPLICAOF", b.host(), &port]), "OK");
    *at.lock().unwrap() = b.addr();
}

fn config(resolver: AddressResolver) -> ConnectionConfig {
    let mut config = ConnectionConfig::default();
    config.resolver = Some(resolver);
    config
}

#[test]
fn a_blocking_pool_drops_its_connections_to_a_primary_that_answers_readonly() {
    let (a, b) = (RedisServer::start(), RedisServer::start());
    let at = Arc::new(Mutex::new(a.addr()));
    let pool = ConnectionPool::new(config(resolver(&at)));
    // Four idle connections to A.
    let held: Vec<_> = (0..4).map(|_| pool.get_connection().unwrap()).collect();
    drop(held);
    let () = pool.clone().set("k", "on a").unwrap();
    demote(&a, &b, &at);

    let Err(e) = pool.clone().set::<_, _, ()>("k", "on b") else { panic!("a write accepted by a replica") };
    assert_eq!(e.server_kind(), Some(ServerErrorKind::ReadOnly), "{e}");
    assert_eq!(e.delivery(), Delivery::Answered);
    // Every connection to A is gone: the next writes open connections to B.
    assert_eq!(pool.open_connections(), 0);
    for i in 0..4 {
        let () = pool.clone().set("k", i).unwrap();
    }
    assert_eq!(b.redis_cli(&["GET", "k"]), "3");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tokio_pool_and_a_reconnecting_connection_resolve_again_after_readonly() {
    let (a, b) = (RedisServer::start(), RedisServer::start());
    let at = Arc::new(Mutex::new(a.addr()));
    let resolver = resolver(&at);
    let pool = AsyncConnectionPool::new(config(resolver.clone()));
    let conn = ReconnectingConnection::new(config(resolver)).await.unwrap();
    let held = (pool.get_connection().await.unwrap(), pool.get_connection().await.unwrap());
    drop(held);
    let () = pool.set("k", "on a").await.unwrap();
    let () = conn.set("k", "on a").await.unwrap();
    demote(&a, &b, &at);

    let Err(e) = conn.set::<_, _, ()>("k", "on b").await else { panic!("a write accepted by a replica") };
    assert_eq!(e.server_kind(), Some(ServerErrorKind::ReadOnly), "{e}");
    assert_eq!(e.delivery(), Delivery::Answered);
    // The resolver told the pool too: its idle connections to A are closed.
    assert_eq!(pool.open_connections(), 0);
    let () = conn.set("k", "by the reconnecting connection").await.unwrap();
    assert_eq!(b.redis_cli(&["GET", "k"]), "by the reconnecting connection");
    let () = pool.set("k", "by the pool").await.unwrap();
    assert_eq!(b.redis_cli(&["GET", "k"]), "by the pool");
}
