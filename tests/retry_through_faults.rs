//! A blocking connection's retry policy against a real server behind the fault proxy: a
//! request that certainly was not sent is retried, one reconnect per backoff step, and
//! succeeds once the proxy lets connections through within the budget, or fails with
//! "not sent" after it; a request that reached the server and lost its reply is never
//! sent again.

use std::time::Duration;

use ferrodis::core::retry::{Backoff, RetryPolicy};
use ferrodis::{ClientBuilder, Commands, Connection, Delivery};
use ferrodis_test_support::{Fault, FaultProxy, RedisServer};

fn connect(proxy: &FaultProxy, policy: RetryPolicy) -> Connection {
    ClientBuilder::new().host(proxy.host()).port(proxy.port()).retry(policy).build().get_connection().unwrap()
}

/// Cuts the connection off at the proxy, and has the connection find out (its next
/// request fails; it is broken from then on).
fn cut_off(proxy: &FaultProxy, conn: &mut Connection) {
    proxy.set(Fault::Refuse);
    std::thread::sleep(Duration::from_millis(50));
    let e = conn.ping::<String>().unwrap_err();
    assert_ne!(e.delivery(), Delivery::Answered, "{e}");
    assert!(conn.is_broken());
}

#[test]
fn a_request_not_sent_succeeds_once_the_proxy_recovers_within_the_budget() {
    let server = RedisServer::start();
    let proxy = FaultProxy::start(server.addr());
    let mut conn = connect(&proxy, RetryPolicy::new(Backoff::Constant(Duration::from_millis(50)), 40));
    cut_off(&proxy, &mut conn);
    let before = proxy.accepted();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(300));
            proxy.set(Fault::None);
        });
        let n: i64 = conn.incr("n", 1).expect("retried until the proxy let it through");
        assert_eq!(n, 1);
    });
    let attempts = proxy.accepted() - before;
    assert!(attempts >= 2, "some reconnects were refused first: {attempts}");
    assert!(attempts <= 12, "one reconnect per 50 ms step over about 300 ms: {attempts}");
    assert_eq!(server.redis_cli(&["GET", "n"]), "1");
}

#[test]
fn after_the_budget_the_request_fails_not_sent_one_reconnect_per_step() {
    let server = RedisServer::start();
    let proxy = FaultProxy::start(server.addr());
    let mut conn = connect(&proxy, RetryPolicy::new(Backoff::Constant(Duration::from_millis(20)), 3));
    cut_off(&proxy, &mut conn);
    let before = proxy.accepted();
    let e = conn.incr::<_, _, i64>("n", 1).unwrap_err();
    assert_eq!(e.delivery(), Delivery::NotSent, "{e}");
    assert_eq!(proxy.accepted() - before, 3, "one reconnect per retry");
    assert_eq!(server.redis_cli(&["GET", "n"]), "", "nothing ran");

    proxy.set(Fault::None);
    let n: i64 = conn.incr("n", 1).expect("works again once the proxy does");
    assert_eq!(n, 1);
}

#[test]
fn a_request_that_reached_the_server_is_not_sent_again_when_its_reply_is_lost() {
    let server = RedisServer::start();
    let proxy = FaultProxy::start(server.addr());
    let mut conn = connect(&proxy, RetryPolicy::new(Backoff::Constant(Duration::from_millis(10)), 5));
    proxy.set(Fault::CloseAfter(0));
    let e = conn.incr::<_, _, i64>("n", 1).unwrap_err();
    assert_eq!(e.delivery(), Delivery::Unknown, "{e}");
    proxy.set(Fault::None);
    // The server ran it once; the client did not run it again.
    let mut tries = 0;
    while server.redis_cli(&["GET", "n"]).is_empty() && tries < 50 {
        std::thread::sleep(Duration::from_millis(10));
        tries += 1;
    }
    assert_eq!(server.redis_cli(&["GET", "n"]), "1");
    let n: i64 = conn.incr("n", 1).unwrap();
    assert_eq!(n, 2, "the lost INCR ran exactly once");
}
