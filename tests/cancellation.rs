//! Cancellation safety of the multiplexed connection: 100 000 requests on one connection,
//! a random third of them abandoned at a random point (after 0 to 3 polls, or by a
//! `select!` with a timer); every request that completes gets its own reply.

use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use ferrodis::{Arg, ClientBuilder, Frame, MultiplexedConnection};
use ferrodis_test_support::RedisServer;

const KEYS: usize = 1_000;
const REQUESTS: usize = 100_000;
const TASKS: usize = 32;

/// A small deterministic generator (xorshift), seeded per task.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Polls `fut` at most `polls` times, yielding to the runtime in between; drops it
/// unfinished after that.
async fn poll_at_most<F: Future>(fut: F, polls: u64) -> Option<F::Output> {
    let mut fut = pin!(fut);
    for _ in 0..polls {
        let step = std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await;
        if let Poll::Ready(out) = step {
            return Some(out);
        }
        tokio::task::yield_now().await;
    }
    None
}

async fn get(conn: &MultiplexedConnection, key: usize) -> bool {
    let name = format!("key:{key}");
    let want = format!("value:{key}");
    conn.request_with(&["GET".into(), name.as_str().into()], |f| f == Frame::BulkString(want.as_bytes()))
        .await
        .expect("GET")
}

#[test]
fn abandoned_requests_never_shift_replies() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let (completed, cancelled, mismatches) = runtime.block_on(async {
        let conn = ClientBuilder::new().host(server.host()).port(server.port()).build();
        let conn = conn.get_multiplexed_connection().await.unwrap();
        let names: Vec<(String, String)> =
            (0..KEYS).map(|i| (format!("key:{i}"), format!("value:{i}"))).collect();
        let sets: Vec<[Arg<'_>; 3]> =
            names.iter().map(|(k, v)| ["SET".into(), k.as_str().into(), v.as_str().into()]).collect();
        let refs: Vec<&[Arg<'_>]> = sets.iter().map(|c| c.as_slice()).collect();
        conn.pipeline_with(&refs, |_, _| ()).await.unwrap();

        let tasks: Vec<_> = (0..TASKS)
            .map(|t| {
                let conn = conn.clone();
                tokio::spawn(async move {
                    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (t as u64 + 1));
                    let (mut completed, mut cancelled, mut mismatches) = (0, 0, 0);
                    for _ in 0..REQUESTS / TASKS {
                        let key = (rng.next() % KEYS as u64) as usize;
                        let outcome = match rng.next() % 6 {
                            0 => poll_at_most(get(&conn, key), rng.next() % 4).await,
                            1 => tokio::select! {
                                ok = get(&conn, key) => Some(ok),
                                () = tokio::time::sleep(Duration::from_micros(rng.next() % 50)) => None,
                            },
                            _ => Some(get(&conn, key).await),
                        };
                        match outcome {
                            Some(true) => completed += 1,
                            Some(false) => mismatches += 1,
                            None => cancelled += 1,
                        }
                    }
                    (completed, cancelled, mismatches)
                })
            })
            .collect();
        let mut totals = (0, 0, 0);
        for task in tasks {
            let (c, x, m) = task.await.unwrap();
            totals = (totals.0 + c, totals.1 + x, totals.2 + m);
        }
        // The connection is still in step after all the abandoned requests.
        assert!(get(&conn, 7).await);
        totals
    });
    assert_eq!(mismatches, 0, "{mismatches} requests received another request's reply");
    assert_eq!(completed + cancelled, REQUESTS);
    assert!(cancelled > 0, "no request was cancelled: the test did not test anything");
    eprintln!("completed {completed}, cancelled {cancelled}");
}
