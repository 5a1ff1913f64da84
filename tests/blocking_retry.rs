//! A blocking connection with a retry policy against a real server: after the server
//! closes it, a request that certainly was not sent reconnects and goes again (once); one
//! that may have run is never sent again; without a policy the caller sees each failure.

use std::time::Duration;

use ferrodis::core::retry::{Backoff, RetryPolicy};
use ferrodis::{ClientBuilder, Commands, Delivery};
use ferrodis_test_support::RedisServer;

fn kill(server: &RedisServer, id: i64) {
    let mut admin =
        ClientBuilder::new().host(server.host()).port(server.port()).build().get_connection().unwrap();
    let killed: i64 = admin.client_kill_id(id as u64).unwrap();
    assert_eq!(killed, 1);
}

#[test]
fn a_request_not_sent_reconnects_and_goes_again_and_one_that_may_have_run_does_not() {
    let server = RedisServer::start();
    let policy = RetryPolicy::new(Backoff::Constant(Duration::from_millis(10)), 3);
    let client = ClientBuilder::new().host(server.host()).port(server.port()).retry(policy).build();
    let mut conn = client.get_connection().unwrap();
    let first: i64 = conn.client_id().unwrap();
    kill(&server, first);
    std::thread::sleep(Duration::from_millis(50));

    // The first request after the kill may be written before the close is seen: then its
    // outcome is unknown and it is not sent again. Either way INCR runs at most once.
    let outcome = conn.incr::<_, _, i64>("n", 1);
    match &outcome {
        Ok(n) => assert_eq!(*n, 1),
        Err(e) => assert_eq!(e.delivery(), Delivery::Unknown, "{e}"),
    }
    // The connection is broken now (or was replaced): the next request is certainly not
    // sent on it, so it reconnects and runs.
    let n: i64 = conn.incr("n", 1).unwrap();
    // A request whose outcome is unknown here never ran: the server had closed the
    // connection before it read it.
    let expected = if outcome.is_ok() { 2 } else { 1 };
    assert_eq!(n, expected);
    let second: i64 = conn.client_id().unwrap();
    assert_ne!(second, first, "a new socket");
    let total: i64 = conn.get("n").unwrap();
    assert_eq!(total, n, "no INCR ran twice");
}

#[test]
fn without_a_policy_the_caller_sees_the_failure_and_reconnects_itself() {
    let server = RedisServer::start();
    let mut conn =
        ClientBuilder::new().host(server.host()).port(server.port()).build().get_connection().unwrap();
    let id: i64 = conn.client_id().unwrap();
    kill(&server, id);
    std::thread::sleep(Duration::from_millis(50));
    assert!(conn.ping::<String>().is_err());
    let e = conn.ping::<String>().unwrap_err();
    assert_eq!(e.delivery(), Delivery::NotSent, "{e}");
    conn.reconnect().unwrap();
    assert_eq!(conn.ping::<String>().unwrap(), "PONG");
}
