//! `ReconnectingConnection` against a real server that drops the connection, dies and
//! comes back: requests certainly not sent are retried, those that may have run are not
//! (unless marked idempotent), and the handle works again once the server does.

use std::time::{Duration, Instant};

use ferrodis::core::retry::{Backoff, RetryPolicy};
use ferrodis::{AsyncCommands, ClientBuilder, Commands, Delivery, ReconnectingConnection, cmd};
use ferrodis_test_support::RedisServer;

fn builder(server: &RedisServer) -> ClientBuilder {
    ClientBuilder::new().host(server.host()).port(server.port())
}

/// Closes the connection named `victim` from another connection, and waits until the
/// handle has seen it go.
async fn kill(server: &RedisServer, conn: &ReconnectingConnection) {
    let id: i64 = conn.client_id().await.unwrap();
    let mut admin = builder(server).build().get_connection().unwrap();
    let killed: i64 = admin.client_kill_id(id as u64).unwrap();
    assert_eq!(killed, 1);
    let deadline = Instant::now() + Duration::from_secs(2);
    while conn.is_connected() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(!conn.is_connected(), "the handle saw the connection close");
}

#[test]
fn a_dropped_connection_is_replaced_and_a_request_not_sent_goes_again_once() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let config = builder(&server).client_name("kept").build().config().clone();
        let conn = ReconnectingConnection::new(config).await.unwrap();
        let before: i64 = conn.client_id().await.unwrap();
        kill(&server, &conn).await;
        // Certainly not sent (the connection was down): retried on the new one, run once.
        let n: i64 = conn.incr("counter", 1).await.unwrap();
        assert_eq!(n, 1);
        let after: i64 = conn.client_id().await.unwrap();
        assert_ne!(after, before, "a new socket");
        let name: Option<String> = conn.client_getname().await.unwrap();
        assert_eq!(name.as_deref(), Some("kept"), "the handshake ran again");
        let clone = conn.clone();
        assert_eq!(clone.get::<_, i64>("counter").await.unwrap(), 1, "clones share the connection");
    });
}

#[test]
fn the_handle_outlives_a_dead_server_and_works_again_when_it_returns() {
    let mut server = RedisServer::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let policy = RetryPolicy::new(Backoff::Constant(Duration::from_millis(50)), 2);
        let conn = ReconnectingConnection::with_policy(builder(&server).build().config().clone(), policy)
            .await
            .unwrap();
        let () = conn.set("k", "v").await.unwrap();
        server.kill();
        // The budget (2 retries, 50 ms apart) is spent while the server is dead.
        let started = Instant::now();
        let e = conn.get::<_, Option<String>>("k").await.unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "failed within its budget: {:?}",
            started.elapsed()
        );
        assert!(matches!(e.delivery(), Delivery::NotSent | Delivery::Unknown), "{e}");

        server.restart();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match conn.ping::<String>().await {
                Ok(pong) => {
                    assert_eq!(pong, "PONG");
                    break;
                }
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("the handle never came back: {e}"),
            }
        }
        assert!(conn.is_connected());
    });
}

/// Waits until the server runs `command` (blocked) on a connection, and kills that one.
async fn kill_while_blocked(server: &RedisServer, command: &str) {
    let mut admin = builder(server).build().get_connection().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let clients: String = admin.client_list().unwrap();
        let blocked = clients.lines().find(|line| line.contains(&format!("cmd={command}")));
        if let Some(line) = blocked {
            let id: u64 = line.split(' ').find_map(|f| f.strip_prefix("id=")).unwrap().parse().unwrap();
            let _: i64 = admin.client_kill_id(id).unwrap();
            return;
        }
        assert!(Instant::now() < deadline, "{command} never blocked: {clients}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[test]
fn a_request_that_may_have_run_is_not_sent_again_unless_idempotent() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let conn = ReconnectingConnection::new(builder(&server).build().config().clone()).await.unwrap();
        // BLMOVE waits on an empty list; its connection dies while it waits: sent, outcome
        // unknown, so it must not go again.
        let waiting = {
            let conn = conn.clone();
            tokio::spawn(async move {
                conn.query::<Option<String>>(&cmd("BLMOVE").with_arg(("src", "dst", "LEFT", "RIGHT", 0)))
                    .await
            })
        };
        kill_while_blocked(&server, "blmove").await;
        let e = waiting.await.unwrap().unwrap_err();
        assert_eq!(e.delivery(), Delivery::Unknown, "{e}");
        let () = conn.rpush("src", "item").await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let moved: Vec<String> = conn.lrange("dst", 0, -1).await.unwrap();
        assert!(moved.is_empty(), "a BLMOVE was sent again: {moved:?}");

        // Marked idempotent, the same request goes again on the new connection.
        let waiting = {
            let conn = conn.clone();
            tokio::spawn(async move {
                conn.query_idempotent::<Option<(String, String)>>(&cmd("BLPOP").with_arg(("queue", 0))).await
            })
        };
        kill_while_blocked(&server, "blpop").await;
        // Once the retry blocks on the new connection, an element arrives.
        kill_while_blocked_then_push(&server).await;
        let popped = waiting.await.unwrap().unwrap();
        assert_eq!(popped, Some(("queue".to_owned(), "job".to_owned())));
    });
}

/// Waits until a BLPOP blocks again, then pushes the element it waits for.
async fn kill_while_blocked_then_push(server: &RedisServer) {
    let mut admin = builder(server).build().get_connection().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let clients: String = admin.client_list().unwrap();
        if clients.contains("cmd=blpop") {
            let _: i64 = admin.rpush("queue", "job").unwrap();
            return;
        }
        assert!(Instant::now() < deadline, "the retried BLPOP never blocked: {clients}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}
