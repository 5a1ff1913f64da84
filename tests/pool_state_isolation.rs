//! A pooled connection comes back in the state the pool's settings describe, on both pool
//! kinds: one returned after `SELECT 5`, `WATCH`, a subscription (RESP2 on the blocking
//! pool, RESP3 on the async one), `CLIENT TRACKING ON` or `CLIENT SETNAME` is closed, and
//! the next user gets a fresh connection in the configured database, with no name, no
//! tracking and no subscription, that answers its own commands.

use ferrodis::{
    AsyncCommands, AsyncConnectionPool, ClientBuilder, Commands, ConnectionConfig, ConnectionPool, Protocol,
    Value, cmd,
};
use ferrodis_test_support::RedisServer;

fn config(server: &RedisServer, protocol: Protocol) -> ConnectionConfig {
    ClientBuilder::new()
        .host(server.host())
        .port(server.port())
        .db(2)
        .protocol(protocol)
        .build()
        .config()
        .clone()
}

/// What a fresh connection of the pool looks like to the server: `CLIENT INFO`'s `db`,
/// `name`, `flags` and `sub`/`psub` fields.
fn clean(info: &str) -> Result<(), String> {
    let field = |name: &str| {
        info.split_whitespace()
            .find_map(|f| f.strip_prefix(name).and_then(|f| f.strip_prefix('=')))
            .unwrap_or("?")
    };
    let expected = [("db", "2"), ("name", ""), ("flags", "N"), ("sub", "0"), ("psub", "0"), ("multi", "-1")];
    for (name, value) in expected {
        if field(name) != value {
            return Err(format!("{name}={} in {info}", field(name)));
        }
    }
    Ok(())
}

fn command(args: &[&str]) -> ferrodis::Cmd {
    let mut command = cmd(args[0]);
    command.arg(&args[1..]);
    command
}

#[test]
fn the_blocking_pool_never_lends_a_connection_whose_session_changed() {
    let server = RedisServer::start();
    let pool = ConnectionPool::new(config(&server, Protocol::Resp2)).max_connections(1);
    let changes: [&[&str]; 5] = [
        &["SELECT", "5"],
        &["WATCH", "k"],
        &["SUBSCRIBE", "news"],
        &["CLIENT", "TRACKING", "ON"],
        &["CLIENT", "SETNAME", "last-user"],
    ];
    for change in changes {
        let mut conn = pool.get_connection().unwrap();
        let () = conn.set("k", "in db 2").unwrap();
        let before: i64 = conn.client_id().unwrap();
        let _: Value = conn.query(&command(change)).unwrap();
        drop(conn);
        assert_eq!(pool.open_connections(), 0, "after {change:?} the connection is closed");
        let mut next = pool.get_connection().unwrap();
        assert_ne!(next.client_id::<i64>().unwrap(), before, "after {change:?}");
        clean(&next.client_info::<String>().unwrap()).unwrap_or_else(|e| panic!("after {change:?}: {e}"));
        assert_eq!(next.get::<_, String>("k").unwrap(), "in db 2", "after {change:?}");
    }
    // An unchanged connection is kept and lent again.
    let id = pool.get_connection().unwrap().client_id::<i64>().unwrap();
    assert_eq!(pool.get_connection().unwrap().client_id::<i64>().unwrap(), id);
}

#[tokio::test]
async fn the_async_pool_never_lends_a_connection_whose_session_changed() {
    let server = RedisServer::start();
    let pool = AsyncConnectionPool::new(config(&server, Protocol::Resp3)).max_connections(1);
    // On a multiplexed connection SELECT and WATCH are refused before anything is sent;
    // what it takes changes the session, and the connection is not lent again.
    for change in [&["SELECT", "5"][..], &["WATCH", "k"]] {
        let conn = pool.get_connection().await.unwrap();
        let e = conn.query::<Value>(&command(change)).await.unwrap_err();
        assert!(matches!(e.kind(), ferrodis::ErrorKind::Refused(_)), "{change:?}: {e}");
    }
    let changes: [&[&str]; 3] =
        [&["SUBSCRIBE", "news"], &["CLIENT", "TRACKING", "ON"], &["CLIENT", "SETNAME", "last-user"]];
    for change in changes {
        let conn = pool.get_connection().await.unwrap();
        let () = conn.set("k", "in db 2").await.unwrap();
        let before: i64 = conn.client_id().await.unwrap();
        let _: Value = conn.query(&command(change)).await.unwrap();
        drop(conn);
        assert_eq!(pool.open_connections(), 0, "after {change:?} the connection is closed");
        let next = pool.get_connection().await.unwrap();
        assert_ne!(next.client_id::<i64>().await.unwrap(), before, "after {change:?}");
        clean(&next.client_info::<String>().await.unwrap())
            .unwrap_or_else(|e| panic!("after {change:?}: {e}"));
        assert_eq!(next.get::<_, String>("k").await.unwrap(), "in db 2", "after {change:?}");
    }
    let id = pool.get_connection().await.unwrap().client_id::<i64>().await.unwrap();
    assert_eq!(pool.get_connection().await.unwrap().client_id::<i64>().await.unwrap(), id);
}
