//! redis-py's `dynamic_startup_nodes` on both cluster clients, whose only startup node is
//! one primary, frozen with SIGSTOP after the first map was read: on (the default) a
//! refresh asks the other nodes of the map and succeeds; off, it asks the startup node
//! alone and fails, and the error names that node and says only the startup nodes were
//! asked.

use std::time::{Duration, Instant};

use ferrodis::{AsyncClusterClient, ClusterClient, ClusterConfig, ErrorKind};
use ferrodis_test_support::RedisCluster;

const TIMEOUT: Duration = Duration::from_millis(300);

/// A config whose only startup node is `url`, with short timeouts.
fn config(url: &str, dynamic: bool) -> ClusterConfig {
    let mut config = ClusterConfig::from_urls(&[url]).unwrap().dynamic_startup_nodes(dynamic);
    config.node.socket_timeout = Some(TIMEOUT);
    config.node.connect_timeout = TIMEOUT;
    config
}

/// Checks a refresh that failed with only the startup node at `port` asked.
fn only_the_startup_node_was_asked(e: &ferrodis::Error, port: u16) {
    match e.kind() {
        ErrorKind::ClusterRefreshFailed { asked, startup_only, last } => {
            assert_eq!(asked, &[("127.0.0.1".to_owned(), port)], "{e}");
            assert!(startup_only, "{e}");
            assert!(last.is_timeout(), "the frozen node timed out: {e}");
        }
        _ => panic!("not a failed refresh: {e}"),
    }
    let text = e.to_string();
    assert!(
        text.contains(&format!("127.0.0.1:{port}")) && text.contains("dynamic_startup_nodes is off"),
        "{text}"
    );
}

#[test]
fn without_dynamic_startup_nodes_a_refresh_asks_only_the_startup_nodes() {
    let cluster = RedisCluster::start();
    let primary = cluster.masters()[0];
    let (url, port) = (cluster.urls()[primary].clone(), cluster.nodes()[primary].port());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();

    let mut dynamic = ClusterClient::new(config(&url, true)).unwrap();
    let mut fixed = ClusterClient::new(config(&url, false)).unwrap();
    let (dynamic_async, fixed_async) = runtime.block_on(async {
        let dynamic = AsyncClusterClient::new(config(&url, true)).await.unwrap();
        (dynamic, AsyncClusterClient::new(config(&url, false)).await.unwrap())
    });
    assert!(fixed.nodes().len() > 1, "the map knows the other nodes");

    cluster.nodes()[primary].pause();
    let started = Instant::now();
    dynamic.refresh().expect("another node of the map answers");
    let e = fixed.refresh().unwrap_err();
    only_the_startup_node_was_asked(&e, port);
    runtime.block_on(async {
        dynamic_async.refresh().await.expect("another node of the map answers");
        let e = fixed_async.refresh().await.unwrap_err();
        only_the_startup_node_was_asked(&e, port);
    });
    let took = started.elapsed();
    cluster.nodes()[primary].resume();
    eprintln!("four refreshes with the startup node frozen took {took:?}");
    assert!(took < TIMEOUT * 12, "each node asked waits one timeout at most: {took:?}");

    // Once it answers again, so does the refresh that asks it alone.
    fixed.refresh().unwrap();
}
