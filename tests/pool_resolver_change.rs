//! Resolvers at connect time. A pool told that its resolver's answer changed (a
//! failover) while it was opening a connection does not lend that connection: it may
//! have gone to the old address (the resolver here names A on its first call, then B;
//! `changed()` comes while the first connect is resolving). And a server that turns out
//! to have another role than the one resolved for is left, and the resolver asked again
//! (3 times in all).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use ferrodis::{Address, AddressResolver, ConnectionConfig, ConnectionPool, Resolved};
use ferrodis_test_support::RedisServer;

fn socket_addr(address: &Address) -> SocketAddr {
    match address {
        Address::Tcp { host, port } => format!("{host}:{port}").parse().unwrap(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_connection_opened_across_a_change_is_not_lent() {
    let (a, b) = (RedisServer::start(), RedisServer::start());
    let targets = [a.addr(), b.addr()];
    let calls = Arc::new(AtomicUsize::new(0));
    // The first resolve tells the test it runs, then waits for the test's go.
    let (resolving, started) = mpsc::channel::<()>();
    let (go, wait) = mpsc::channel::<()>();
    let wait = Mutex::new(wait);
    let counted = Arc::clone(&calls);
    let resolver = AddressResolver::new(move || {
        let call = counted.fetch_add(1, Ordering::SeqCst);
        if call == 0 {
            resolving.send(()).unwrap();
            wait.lock().unwrap().recv().unwrap();
        }
        let addr = targets[call.min(1)];
        Ok(Resolved { address: Address::Tcp { host: addr.ip().to_string(), port: addr.port() }, role: None })
    });
    let mut config = ConnectionConfig::default();
    config.resolver = Some(resolver.clone());
    let pool = ConnectionPool::new(config);

    let opener = {
        let pool = pool.clone();
        std::thread::spawn(move || socket_addr(&pool.get_connection().unwrap().config().address))
    };
    started.recv().unwrap();
    resolver.changed();
    go.send(()).unwrap();
    let lent_on = opener.join().unwrap();
    assert_eq!(lent_on, b.addr(), "the connection resolved before the change was lent");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // The one opened to A was closed, not kept.
    assert_eq!(pool.open_connections(), 1);
}

#[test]
fn a_server_of_another_role_is_left_and_the_resolver_asked_again() {
    let primary = RedisServer::start();
    let replica = RedisServer::start();
    let port = primary.port().to_string();
    assert_eq!(replica.redis_cli(&["REPLICAOF", primary.host(), &port]), "OK");
    // In turn: the primary (taken for a replica, as a sentinel's stale listing has it),
    // then the replica.
    let targets = [primary.addr(), replica.addr()];
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let resolver = AddressResolver::new(move || {
        let addr = targets[counted.fetch_add(1, Ordering::SeqCst) % 2];
        Ok(Resolved {
            address: Address::Tcp { host: addr.ip().to_string(), port: addr.port() },
            role: Some(ferrodis::core::reply::ServerRole::Replica),
        })
    });
    let mut config = ConnectionConfig::default();
    config.resolver = Some(resolver);
    let conn = ferrodis::Connection::open(&config).unwrap();
    assert_eq!(socket_addr(&conn.config().address), replica.addr(), "the replica, after the primary");
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // Never the role asked for: the resolver is asked 3 times in all, then the connect fails.
    let only_primary = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&only_primary);
    let addr = primary.addr();
    config.resolver = Some(AddressResolver::new(move || {
        counted.fetch_add(1, Ordering::SeqCst);
        Ok(Resolved {
            address: Address::Tcp { host: addr.ip().to_string(), port: addr.port() },
            role: Some(ferrodis::core::reply::ServerRole::Replica),
        })
    }));
    let Err(e) = ferrodis::Connection::open(&config) else { panic!("a primary taken for a replica") };
    assert!(matches!(e.kind(), ferrodis::ErrorKind::WrongRole { .. }), "{e}");
    assert_eq!(e.delivery(), ferrodis::Delivery::NotSent);
    assert_eq!(only_primary.load(Ordering::SeqCst), 3);
}
