//! `ClusterConfig::connections_per_node` against a real 6-node cluster: the async client
//! opens that many connections to each node it sends to and spreads the requests over
//! them (each primary's `CLIENT LIST` shows them, and all of them ran commands); the
//! blocking client, which holds one per node, refuses more.

use std::num::NonZeroUsize;

use ferrodis::{AsyncClusterClient, AsyncCommands, ClusterClient, ClusterConfig, ErrorKind};
use ferrodis_test_support::RedisCluster;

const NAME: &str = "per-node-test";

fn config(cluster: &RedisCluster, per_node: usize) -> ClusterConfig {
    let urls = cluster.urls();
    let mut config = ClusterConfig::from_urls(&[urls[0].as_str()]).unwrap();
    config.node.client_name = Some(NAME.to_owned());
    config.connections_per_node(NonZeroUsize::new(per_node).unwrap())
}

/// The `CLIENT LIST` lines of `node` for this test's connections, as (id, cmd) pairs.
fn ours(cluster: &RedisCluster, node: usize) -> Vec<(String, String)> {
    let list = cluster.nodes()[node].redis_cli(&["CLIENT", "LIST"]);
    list.lines()
        .filter(|line| line.split(' ').any(|field| field == format!("name={NAME}")))
        .map(|line| {
            let field =
                |key: &str| line.split(' ').find_map(|f| f.strip_prefix(key)).unwrap_or_default().to_owned();
            (field("id="), field("cmd="))
        })
        .collect()
}

#[test]
fn the_async_client_spreads_each_nodes_requests_over_its_connections() {
    let cluster = RedisCluster::start();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let client = AsyncClusterClient::new(config(&cluster, 3)).await.unwrap();
        let tasks: Vec<_> = (0..16)
            .map(|t| {
                let client = client.clone();
                tokio::spawn(async move {
                    for i in 0..50 {
                        let () = client.set(format!("k:{t}:{i}"), i).await.unwrap();
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        let total: i64 = client.dbsize().await.unwrap();
        assert_eq!(total, 800);
        for primary in cluster.masters() {
            let connections = ours(&cluster, primary);
            assert_eq!(connections.len(), 3, "primary {primary}: {connections:?}");
            // Every one ran a SET (the last command shown), not only the handshake.
            assert!(connections.iter().all(|(_, cmd)| cmd == "set" || cmd == "dbsize"), "{connections:?}");
        }
    });

    let e = ClusterClient::new(config(&cluster, 2)).expect_err("one connection per node only");
    assert!(matches!(e.kind(), ErrorKind::InvalidConfig(_)), "{e:?}");
    assert!(e.to_string().contains("AsyncClusterClient"), "{e}");
    // One is what it holds.
    let mut blocking = ClusterClient::new(config(&cluster, 1)).unwrap();
    let () = ferrodis::Commands::set(&mut blocking, "k:blocking", 1).unwrap();
}
