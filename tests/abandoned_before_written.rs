//! A request given up before any of its bytes were written is never written: on the
//! multiplexed connection, an `INCR` queued behind a slow `BLPOP` that times out (or whose
//! future is dropped) fails with `NotSent`, and the counter is still unset once the `BLPOP`
//! returns. One given up after its bytes went out says `Unknown`.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use ferrodis::{ClientBuilder, Delivery, ErrorKind, Frame};
use ferrodis_test_support::RedisServer;

#[test]
fn requests_given_up_behind_a_blocking_command_never_run() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = ClientBuilder::new().host(server.host()).port(server.port()).build();
        let conn = client.get_multiplexed_connection().await.unwrap();
        let mut impatient = conn.clone();
        impatient.set_response_timeout(Some(Duration::from_millis(100)));

        // BLPOP holds the socket for a second; everything behind it waits.
        let blpop = tokio::spawn({
            let conn = conn.clone();
            async move {
                conn.request_with(&["BLPOP".into(), "nothing".into(), "1".into()], |f| f.is_null()).await
            }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;

        // Times out while queued: not sent.
        let e = impatient.request_with(&["INCR".into(), "timed-out".into()], |_| ()).await.unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Timeout), "{e}");
        assert_eq!(e.delivery(), Delivery::NotSent, "{e}");

        // Dropped while queued (after being polled, so it was queued): not sent either.
        {
            let args: [ferrodis::Arg<'_>; 2] = ["INCR".into(), "dropped".into()];
            let mut incr = pin!(conn.request_with(&args, |_| ()));
            let first = poll_fn(|cx| Poll::Ready(incr.as_mut().poll(cx))).await;
            assert!(first.is_pending());
        }

        assert!(blpop.await.unwrap().unwrap(), "BLPOP timed out with a null reply");
        // Give anything that was (wrongly) still queued time to run.
        let ping = conn.request_with(&["PING".into()], |f| f == Frame::SimpleString(b"PONG")).await.unwrap();
        assert!(ping);
        for key in ["timed-out", "dropped"] {
            let value = conn.request_with(&["GET".into(), key.into()], |f| f.is_null()).await.unwrap();
            assert!(value, "{key} was incremented after its caller gave up on it");
        }

        // Given up after it was written: the outcome is unknown (and it does run). A
        // blocking command waits its own timeout on top of the response timeout, so the
        // slow command here is one that is not flagged blocking.
        let e = impatient
            .request_with(&["DEBUG".into(), "SLEEP".into(), "0.5".into()], |_| ())
            .await
            .unwrap_err();
        assert_eq!(e.delivery(), Delivery::Unknown, "{e}");
        // The connection stays in step: the late reply is dropped, not handed on.
        let echo =
            conn.request_with(&["ECHO".into(), "mine".into()], |f| f == Frame::BulkString(b"mine")).await;
        assert!(echo.unwrap());
    });
}
