//! redis-py's `get_default_node` / `set_default_node` on both cluster clients: keyless
//! commands without a routing tip (`CLUSTER MYID` here) go to the map's first primary until
//! another node is set, then to that node, replicas included; a node the map does not have
//! is refused and changes nothing.

use ferrodis::{Arg, AsyncClusterClient, AsyncCommands, ClusterClient, Commands, cmd};
use ferrodis_test_support::RedisCluster;

fn myid() -> [Arg<'static>; 2] {
    ["CLUSTER", "MYID"].map(Arg::from)
}

/// The node id of the node on `port`, asked directly.
fn id_of(cluster: &RedisCluster, port: u16) -> String {
    cluster.nodes().iter().find(|n| n.port() == port).unwrap().redis_cli(&["CLUSTER", "MYID"])
}

#[test]
fn keyless_commands_go_to_the_default_node_and_it_can_be_changed() {
    let cluster = RedisCluster::start();
    let urls = cluster.urls();
    let mut client = ClusterClient::open(&[urls[0].as_str()]).unwrap();

    let first = client.default_node().unwrap();
    let first_primary = client.slot_map().ranges().next().map(|(_, n)| n.port()).unwrap();
    assert_eq!(first.port, first_primary, "the map's first primary until one is set");
    assert_eq!(client.query::<String>(&myid()).unwrap(), id_of(&cluster, first.port));

    // Every node in turn, replicas too.
    for node in client.nodes() {
        assert!(client.set_default_node(&node.host, node.port));
        assert_eq!(client.default_node().unwrap().port, node.port);
        assert_eq!(client.query::<String>(&myid()).unwrap(), id_of(&cluster, node.port), "{node:?}");
    }
    let last = client.default_node().unwrap();
    // It stays the default across a refresh.
    client.refresh().unwrap();
    assert_eq!(client.default_node(), Some(last.clone()));
    // A node the map does not have is refused.
    assert!(!client.set_default_node("127.0.0.1", 1));
    assert_eq!(client.default_node(), Some(last));
}

#[test]
fn the_async_clients_clones_share_the_default_node() {
    let cluster = RedisCluster::start();
    let urls = cluster.urls();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = AsyncClusterClient::open(&[urls[0].as_str()]).await.unwrap();
        let clone = client.clone();
        let first = client.default_node().unwrap();
        assert_eq!(
            clone.query::<String>(cmd("CLUSTER").arg("MYID")).await.unwrap(),
            id_of(&cluster, first.port)
        );
        let replica = client.replicas().into_iter().next().expect("a replica");
        assert!(client.set_default_node(&replica.host, replica.port));
        assert_eq!(clone.default_node().unwrap().port, replica.port);
        assert_eq!(
            clone.query::<String>(cmd("CLUSTER").arg("MYID")).await.unwrap(),
            id_of(&cluster, replica.port)
        );
        assert!(!clone.set_default_node("127.0.0.1", 1));
        assert_eq!(client.default_node().unwrap().port, replica.port);
    });
}
