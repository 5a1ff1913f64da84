//! One primary frozen with SIGSTOP while tasks share an `AsyncClusterClient`: requests for
//! the other shards keep their latency (p50 and p99 are printed against a healthy
//! baseline, and none waits anywhere near the stopped node's timeout), requests for the
//! stopped shard fail by their timeout and not later (a timeout is not retried), and once
//! the primary is resumed its shard answers again. The stopped primary is the first node a
//! refresh of the map asks, so a request that waited for a refresh would wait out its
//! timeout too.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ferrodis::{AsyncClusterClient, AsyncCommands, ClusterClient, ClusterConfig, ErrorKind};
use ferrodis_test_support::RedisCluster;

const TIMEOUT: Duration = Duration::from_secs(1);

/// Latencies of GETs on `keys`, from `tasks` tasks, until `stop`.
async fn load(
    client: &AsyncClusterClient,
    keys: &[String],
    tasks: usize,
    stop: &Arc<AtomicBool>,
) -> Vec<Duration> {
    let handles: Vec<_> = (0..tasks)
        .map(|t| {
            let (client, keys, stop) = (client.clone(), keys.to_vec(), stop.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut i = t;
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let _: Option<String> =
                        client.get(&keys[i % keys.len()]).await.expect("a healthy shard answers");
                    latencies.push(started.elapsed());
                    i += tasks;
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for handle in handles {
        all.extend(handle.await.unwrap());
    }
    all.sort();
    all
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p) as usize]
}

/// Prints the count, p50, p99 and max of sorted latencies.
fn summary(what: &str, sorted: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    eprintln!(
        "{what}: {} requests, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        sorted.len(),
        ms(percentile(sorted, 0.5)),
        ms(percentile(sorted, 0.99)),
        ms(*sorted.last().unwrap()),
    );
}

async fn stop_after(stop: Arc<AtomicBool>, after: Duration) {
    tokio::time::sleep(after).await;
    stop.store(true, Ordering::Relaxed);
}

#[test]
fn a_stopped_primary_slows_only_its_own_shard_and_its_requests_fail_by_their_timeout() {
    // A node timeout well past the stop, so no failover happens meanwhile.
    let cluster = RedisCluster::builder().node_timeout_ms(30_000).start();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let urls = cluster.urls();
        let mut config = ClusterConfig::from_urls(&[urls[1].as_str()]).unwrap();
        config.node.socket_timeout = Some(TIMEOUT);
        let client = AsyncClusterClient::new(config).await.unwrap();
        // The victim is the first node of the client's map, so a refresh asks it first
        // and waits out its timeout there: requests must not wait for that refresh.
        let first = &client.nodes()[0];
        assert_eq!(first.role, ferrodis::core::cluster::Role::Primary, "{:?}", client.nodes());
        let victim_port = first.port;
        let victim = (0..cluster.nodes().len()).find(|&i| cluster.nodes()[i].port() == victim_port).unwrap();
        let on_victim = |key: &String| {
            client.with_slot_map(|map| map.primary(ClusterClient::keyslot(key)).unwrap().port())
                == victim_port
        };
        let keys: Vec<String> = (0..200).map(|i| format!("key:{i}")).collect();
        let (stopped, healthy): (Vec<String>, Vec<String>) = keys.into_iter().partition(on_victim);
        assert!(!stopped.is_empty() && !healthy.is_empty());
        // Every node's connection is open before the baseline.
        let _: Option<String> = client.get(&stopped[0]).await.unwrap();

        let stop = Arc::new(AtomicBool::new(false));
        let (baseline, ()) = tokio::join!(
            load(&client, &healthy, 8, &stop),
            stop_after(stop.clone(), Duration::from_millis(1500))
        );

        cluster.nodes()[victim].pause();
        let stop = Arc::new(AtomicBool::new(false));
        let frozen = {
            let (client, stopped, stop) = (client.clone(), stopped.clone(), stop.clone());
            tokio::spawn(async move {
                let mut failures = Vec::new();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let result = client.get::<_, Option<String>>(&stopped[i % stopped.len()]).await;
                    let e = result.expect_err("the stopped shard does not answer");
                    assert!(matches!(e.kind(), ErrorKind::Timeout), "{e}");
                    failures.push(started.elapsed());
                    i += 1;
                }
                failures
            })
        };
        let (during, ()) =
            tokio::join!(load(&client, &healthy, 8, &stop), stop_after(stop.clone(), Duration::from_secs(3)));
        let failures = frozen.await.unwrap();
        cluster.nodes()[victim].resume();

        summary("healthy shards, baseline", &baseline);
        summary("healthy shards, one primary stopped", &during);
        eprintln!("stopped shard: {} requests failed after {:?}", failures.len(), failures);
        // Nothing on a healthy shard waited behind the stopped node (which would take its
        // whole timeout): the slowest is under half of it.
        assert!(*during.last().unwrap() < TIMEOUT / 2, "max {:?}", during.last());
        assert!(
            during.len() * 4 >= baseline.len(),
            "{} against {} in half the time",
            during.len(),
            baseline.len()
        );
        // The stopped shard's requests fail by their deadline, not later than 1.1x.
        assert!(failures.len() >= 2, "{failures:?}");
        assert!(failures.iter().all(|&f| f >= TIMEOUT && f <= TIMEOUT.mul_f64(1.1)), "{failures:?}");

        // Resumed: the shard answers again.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match client.get::<_, Option<String>>(&stopped[0]).await {
                Ok(_) => break,
                Err(e) if Instant::now() < deadline => eprintln!("after resume: {e}"),
                Err(e) => panic!("the resumed shard still fails: {e}"),
            }
        }
    });
}
