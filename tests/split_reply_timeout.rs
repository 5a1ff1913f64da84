//! A reply split across reads with a pause longer than the request timeout, on the
//! multiplexed Tokio connection: the caller gets a timeout, and the next request on the same
//! connection gets its own reply, never the stale one. 10 000 rounds, half of them slow.
//! (The core shells' version runs on the in-memory harness: `core/tests/partial_io.rs`.)

use std::time::Duration;

use ferrodis::{ClientBuilder, Frame};
use ferrodis_test_support::FakeServer;

const ROUNDS: usize = 10_000;
/// Tokio's timer ticks in milliseconds: a pause well past the timeout.
const ASYNC_PAUSE: Duration = Duration::from_millis(3);
const TIMEOUT: Duration = Duration::from_millis(1);
const PATIENT: Duration = Duration::from_secs(10);

/// Answers `GET <key>` with `$len\r\nvalue-<key>\r\n`. For keys starting with `slow`,
/// the reply is cut after its first 5 bytes and the rest follows after `pause`.
fn split_reply_server(pause: Duration) -> FakeServer {
    FakeServer::start(move |mut conn| {
        while let Some(args) = conn.read_request()? {
            let key = args.get(1).cloned().unwrap_or_default();
            let value = [b"value-".as_slice(), &key].concat();
            let mut reply = format!("${}\r\n", value.len()).into_bytes();
            reply.extend_from_slice(&value);
            reply.extend_from_slice(b"\r\n");
            if key.starts_with(b"slow") {
                conn.write(&reply[..5])?;
                std::thread::sleep(pause);
                conn.write(&reply[5..])?;
            } else {
                conn.write(&reply)?;
            }
        }
        Ok(())
    })
}

fn expect_value(reply: Frame<'_>, key: &str) -> bool {
    reply == Frame::BulkString(format!("value-{key}").as_bytes())
}

#[test]
fn multiplexed_timeouts_never_leave_a_stale_reply() {
    let server = split_reply_server(ASYNC_PAUSE);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = ClientBuilder::new()
            .host("127.0.0.1")
            .port(server.port())
            .lib_name(None)
            .lib_version(None)
            .build();
        let mut conn = client.get_multiplexed_connection().await.unwrap();
        let (mut timeouts, mut stale) = (0, 0);
        for round in 0..ROUNDS / 2 {
            let slow = format!("slow{round}");
            conn.set_response_timeout(Some(TIMEOUT));
            match conn.request_with(&["GET".into(), slow.as_str().into()], |f| expect_value(f, &slow)).await {
                Ok(true) => {}
                Ok(false) => stale += 1,
                Err(e) if e.is_timeout() => timeouts += 1,
                Err(e) => panic!("round {round}: {e}"),
            }
            let fast = format!("fast{round}");
            conn.set_response_timeout(Some(PATIENT));
            let own = conn
                .request_with(&["GET".into(), fast.as_str().into()], |f| expect_value(f, &fast))
                .await
                .unwrap();
            if !own {
                stale += 1;
            }
        }
        eprintln!("multiplexed: {timeouts} of {} slow requests timed out", ROUNDS / 2);
        assert_eq!(stale, 0, "replies given to the wrong request");
        assert!(timeouts > 0, "the pause never outlasted the timeout");
    });
}
