//! One `ReconnectingConnection` shared by 64 tasks through a 10 s outage (the fault proxy
//! refuses every connection and closes the one carried): requests fail only during the
//! outage, each with an outcome that is true (the server's counter is the successes plus
//! at most the "unknown" ones), every task succeeds again within the reconnect backoff's
//! cap plus 1 s of the server coming back, and the server then sees one connection.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ferrodis::{AsyncCommands, ClientBuilder, Delivery, ReconnectingConnection};
use ferrodis_test_support::{Fault, FaultProxy, RedisServer};

const TASKS: usize = 64;
const OUTAGE: Duration = Duration::from_secs(10);
/// The reconnect backoff's cap (see `ReconnectingConnection`) plus 1 s.
const RECOVERY: Duration = Duration::from_secs(6);

#[derive(Default)]
struct Tally {
    ok: u64,
    unknown: u64,
    not_sent: u64,
    last_error: Option<Instant>,
    first_ok_after_outage: Option<Instant>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_tasks_ride_out_a_ten_second_outage() {
    let server = RedisServer::start();
    let proxy = FaultProxy::start(server.addr());
    let client = ClientBuilder::new().host(proxy.host()).port(proxy.port()).build();
    let conn = client.get_reconnecting_connection().await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let back = Arc::new(std::sync::Mutex::new(None::<Instant>));
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (conn, stop, back): (ReconnectingConnection, _, _) =
                (conn.clone(), stop.clone(), back.clone());
            tokio::spawn(async move {
                let mut tally = Tally::default();
                while !stop.load(Ordering::Relaxed) {
                    match conn.incr::<_, _, i64>("n", 1).await {
                        Ok(_) => {
                            tally.ok += 1;
                            let back = *back.lock().unwrap();
                            if back.is_some() && tally.first_ok_after_outage.is_none() {
                                tally.first_ok_after_outage = Some(Instant::now());
                            }
                        }
                        Err(e) => {
                            match e.delivery() {
                                Delivery::Unknown => tally.unknown += 1,
                                Delivery::NotSent => tally.not_sent += 1,
                                Delivery::Answered => panic!("INCR answered with an error: {e}"),
                            }
                            tally.last_error = Some(Instant::now());
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
                tally
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_secs(1)).await;
    let outage_began = Instant::now();
    proxy.set(Fault::Refuse);
    tokio::time::sleep(OUTAGE).await;
    proxy.set(Fault::None);
    let came_back = Instant::now();
    *back.lock().unwrap() = Some(came_back);
    tokio::time::sleep(RECOVERY + Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);

    let (mut ok, mut unknown, mut failed) = (0, 0, 0);
    for task in tasks {
        let tally = task.await.expect("no task panicked");
        ok += tally.ok;
        unknown += tally.unknown;
        failed += tally.unknown + tally.not_sent;
        if let Some(last_error) = tally.last_error {
            assert!(last_error >= outage_began, "a request failed before the outage");
            assert!(
                last_error < came_back + RECOVERY,
                "a request failed {:?} after the server came back",
                last_error - came_back
            );
        }
        let first_ok = tally.first_ok_after_outage.expect("every task works again after the outage");
        assert!(
            first_ok < came_back + RECOVERY,
            "recovered {:?} after the server came back",
            first_ok - came_back
        );
    }
    assert!(failed > 0, "the outage was seen");
    let counted: u64 = server.redis_cli(&["GET", "n"]).parse().unwrap();
    assert!(counted >= ok && counted <= ok + unknown, "server {counted}, ok {ok}, unknown {unknown}");
    let clients = server.redis_cli(&["CLIENT", "LIST"]);
    assert_eq!(clients.lines().count(), 2, "the handle's one connection and redis-cli:\n{clients}");
}
