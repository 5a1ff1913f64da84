//! On-connect hooks against a real server: run on every new connection right after the
//! handshake (reconnects included), what they set up is the session a pool hands on, and
//! their failure fails the connect.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ferrodis::{ClientBuilder, Commands, ConnectionPool, ServerErrorKind, cmd};
use ferrodis_test_support::RedisServer;

#[test]
fn a_hook_runs_on_every_connect_and_reconnect_and_its_setup_stays_in_the_pool() {
    let server = RedisServer::start();
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = runs.clone();
    let client = ClientBuilder::new()
        .host(server.host())
        .port(server.port())
        .on_connect(move |conn| {
            counted.fetch_add(1, Ordering::SeqCst);
            conn.client_setname("hooked")
        })
        .build();
    let mut conn = client.get_connection().unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(conn.client_getname::<Option<String>>().unwrap().as_deref(), Some("hooked"));
    assert!(!conn.session_changed(), "the hook's setup is the session");

    let id: i64 = conn.client_id().unwrap();
    let mut other = client.get_connection().unwrap();
    let _: i64 = other.client_kill_id(id as u64).unwrap();
    assert!(conn.client_id::<i64>().is_err());
    conn.reconnect().unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    assert_eq!(conn.client_getname::<Option<String>>().unwrap().as_deref(), Some("hooked"));

    let pool = ConnectionPool::new(client.config().clone());
    let first: i64 = pool.get_connection().unwrap().client_id().unwrap();
    let again: i64 = pool.get_connection().unwrap().client_id().unwrap();
    assert_eq!(first, again, "a connection set up by the hook goes back to the pool");
}

#[test]
fn a_failing_hook_fails_the_connect() {
    let server = RedisServer::start();
    let client = ClientBuilder::new()
        .host(server.host())
        .port(server.port())
        .on_connect(|conn| conn.query(&cmd("NOSUCHCOMMAND")))
        .build();
    let e = client.get_connection().err().expect("the hook's error fails the connect");
    assert_eq!(e.server_kind(), Some(ServerErrorKind::Err), "{e}");
}

#[test]
fn an_async_hook_runs_on_a_multiplexed_connect() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = ClientBuilder::new()
            .host(server.host())
            .port(server.port())
            .on_connect_async(|conn| async move {
                let () = conn.query(&cmd("SET").with_arg(("hooked", 1))).await?;
                Ok(())
            })
            .build();
        let conn = client.get_multiplexed_connection().await.unwrap();
        let value: i64 = conn.query(&cmd("GET").with_arg("hooked")).await.unwrap();
        assert_eq!(value, 1);

        let failing = ClientBuilder::new()
            .host(server.host())
            .port(server.port())
            .on_connect_async(|conn| async move { conn.query(&cmd("NOSUCHCOMMAND")).await })
            .build();
        let e = failing.get_multiplexed_connection().await.expect_err("the hook's error fails the connect");
        assert_eq!(e.server_kind(), Some(ServerErrorKind::Err), "{e}");
    });
}
