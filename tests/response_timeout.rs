//! The response timeout every connection has by default, and blocking commands waiting
//! their own timeout on top of it: a frozen server (SIGSTOP) fails a request after the
//! default 10 s on the blocking and the multiplexed connection, with an unknown outcome;
//! `BLPOP k 1`, `XREAD BLOCK` and `BLPOP k 0` under a 300 ms timeout wait as long as they
//! ask for and return their reply.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use ferrodis::core::error::Delivery;
use ferrodis::{AsyncCommands, Client, ClientBuilder, Commands, DEFAULT_SOCKET_TIMEOUT, StreamReadOptions};
use ferrodis_test_support::RedisServer;

const SHORT: Duration = Duration::from_millis(300);

fn client(server: &RedisServer, timeout: Option<Duration>) -> Client {
    let builder = ClientBuilder::new().host(server.host()).port(server.port());
    match timeout {
        Some(timeout) => builder.socket_timeout(timeout).build(),
        None => builder.build(),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

/// Runs `f` on a thread of its own and waits at most `within` for its result, so code
/// that hangs fails the test instead of hanging it.
fn within<T: Send + 'static>(within: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(within).unwrap_or_else(|_| panic!("no answer within {within:?}: the request hangs"))
}

#[test]
fn a_frozen_server_fails_requests_after_the_default_timeout_on_both_connection_kinds() {
    assert_eq!(DEFAULT_SOCKET_TIMEOUT, Duration::from_secs(10));
    let server = RedisServer::start();
    let client = client(&server, None);
    let mut blocking = client.get_connection().unwrap();
    let runtime = runtime();
    let multiplexed = runtime.block_on(client.get_multiplexed_connection()).unwrap();
    server.pause();
    let started = Instant::now();
    let blocking = std::thread::spawn(move || {
        let result: ferrodis::Result<Option<String>> = blocking.get("k");
        (result, started.elapsed())
    });
    let (result, elapsed) = within(Duration::from_secs(15), move || {
        runtime.block_on(async move {
            let result: ferrodis::Result<Option<String>> = multiplexed.get("k").await;
            (result, started.elapsed())
        })
    });
    let (blocking_result, blocking_elapsed) =
        within(Duration::from_secs(5), move || blocking.join().unwrap());
    server.resume();
    for (kind, result, elapsed) in
        [("multiplexed", result, elapsed), ("blocking", blocking_result, blocking_elapsed)]
    {
        let e = result.expect_err(kind);
        assert!(e.is_timeout(), "{kind}: {e}");
        assert_eq!(e.delivery(), Delivery::Unknown, "{kind}: the GET was written");
        assert!(
            elapsed >= DEFAULT_SOCKET_TIMEOUT && elapsed < DEFAULT_SOCKET_TIMEOUT + Duration::from_secs(1),
            "{kind}: failed after {elapsed:?}"
        );
    }
}

#[test]
fn blocking_commands_wait_their_own_timeout_on_top_of_the_response_timeout() {
    let server = RedisServer::start();
    let client = client(&server, Some(SHORT));
    let mut conn = client.get_connection().unwrap();
    let started = Instant::now();
    let popped: Option<(String, String)> = conn.blpop("empty", 1.0).unwrap();
    assert_eq!(popped, None);
    assert!(started.elapsed() >= Duration::from_secs(1), "{:?}", started.elapsed());
    // The connection is the same one, and an ordinary command has the short limit again.
    let started = Instant::now();
    let read: ferrodis::Result<Option<ferrodis::Value>> =
        conn.xread_options(&["stream"], &["$"], &StreamReadOptions::default().block(800));
    assert_eq!(read.unwrap(), None);
    assert!(started.elapsed() >= Duration::from_millis(800));
    assert_eq!(conn.get::<_, Option<String>>("k").unwrap(), None);
    server.pause();
    let started = Instant::now();
    let e = conn.get::<_, Option<String>>("k").unwrap_err();
    server.resume();
    assert!(
        e.is_timeout() && started.elapsed() < Duration::from_secs(1),
        "{e} after {:?}",
        started.elapsed()
    );

    runtime().block_on(async {
        let conn = client.get_multiplexed_connection().await.unwrap();
        let started = Instant::now();
        let popped: Option<(String, String)> = conn.blpop("empty", 1.0).await.unwrap();
        assert_eq!(popped, None);
        assert!(started.elapsed() >= Duration::from_secs(1));
        let started = Instant::now();
        let mut pipe = ferrodis::pipe();
        pipe.blpop("empty", 0.5).blpop("empty", 0.5);
        let popped: Vec<Option<(String, String)>> = pipe.query_async(&conn).await.unwrap();
        let elapsed = started.elapsed();
        assert_eq!(popped, [None, None]);
        assert!(elapsed >= Duration::from_secs(1), "{elapsed:?}");
    });
}

#[test]
fn a_blocking_command_that_waits_forever_is_not_cut_short() {
    let server = RedisServer::start();
    let client = client(&server, Some(SHORT));
    let mut conn = client.get_connection().unwrap();
    let pusher = {
        let client = client.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(1));
            let mut conn = client.get_connection().unwrap();
            let _: i64 = conn.lpush("jobs", "first").unwrap();
            std::thread::sleep(Duration::from_secs(1));
            let _: i64 = conn.lpush("jobs", "second").unwrap();
        })
    };
    let popped: Option<(String, String)> = conn.blpop("jobs", 0.0).unwrap();
    assert_eq!(popped, Some(("jobs".into(), "first".into())));
    runtime().block_on(async {
        let conn = client.get_multiplexed_connection().await.unwrap();
        let popped: Option<(String, String)> = conn.blpop("jobs", 0.0).await.unwrap();
        assert_eq!(popped, Some(("jobs".into(), "second".into())));
    });
    pusher.join().unwrap();
}
