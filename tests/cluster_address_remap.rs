//! redis-py's `address_remap` on both cluster clients. Every node announces an address the
//! client cannot reach (`cluster-announce-hostname 127.0.0.2` with
//! `cluster-preferred-endpoint-type hostname`, while the servers listen on 127.0.0.1 only),
//! as behind NAT or in a container network. Without a remap the map names 127.0.0.2 and a
//! write there is refused unsent; with a remap that sends each node's address to a loopback
//! proxy in front of it, every map the client loads and every `MOVED` it follows goes
//! through the proxies, and the commands work.

use std::collections::HashMap;
use std::time::Duration;

use ferrodis::{
    AddressRemapFn, AsyncClusterClient, AsyncCommands, ClusterClient, ClusterConfig, Commands, Delivery,
};
use ferrodis_test_support::{FaultProxy, RedisCluster};

/// The host every node announces: loopback, but no server listens there.
const ANNOUNCED: &str = "127.0.0.2";

fn cluster() -> RedisCluster {
    RedisCluster::builder()
        .config("cluster-announce-hostname", ANNOUNCED)
        .config("cluster-preferred-endpoint-type", "hostname")
        .start()
}

/// One proxy per node, by the node's port.
fn proxies(cluster: &RedisCluster) -> HashMap<u16, FaultProxy> {
    cluster.nodes().iter().map(|node| (node.port(), FaultProxy::start(node.addr()))).collect()
}

/// `ANNOUNCED`:<node port> to 127.0.0.1:<its proxy's port>; anything else kept.
fn remap(proxies: &HashMap<u16, FaultProxy>) -> AddressRemapFn {
    let table: HashMap<u16, u16> = proxies.iter().map(|(&port, proxy)| (port, proxy.port())).collect();
    AddressRemapFn::new(move |host, port| match (host, table.get(&port)) {
        (ANNOUNCED, Some(&to)) => ("127.0.0.1".to_owned(), to),
        _ => (host.to_owned(), port),
    })
}

fn config(cluster: &RedisCluster) -> ClusterConfig {
    let startup = cluster.nodes()[cluster.masters()[0]].tcp_url();
    let mut config = ClusterConfig::from_urls(&[startup.as_str()]).unwrap();
    // An unreachable node is retried (its requests were not sent) for a short while only.
    config.router.retry_budget = Duration::from_millis(300);
    config
}

#[test]
fn without_a_remap_the_announced_addresses_are_used_and_cannot_be_reached() {
    let cluster = cluster();
    let mut client = ClusterClient::new(config(&cluster)).unwrap();
    assert_eq!(client.nodes().len(), 6);
    assert!(client.nodes().iter().all(|n| n.host == ANNOUNCED), "{:?}", client.nodes());
    let e = client.set::<_, _, ()>("key", 1).unwrap_err();
    assert_eq!(e.delivery(), Delivery::NotSent, "{e}");
}

#[test]
fn the_blocking_client_reaches_every_node_and_follows_a_moved_slot_through_the_remap() {
    let cluster = cluster();
    let proxies = proxies(&cluster);
    // No retries: a redirect to an unreachable address fails at once, so the MOVED below
    // works only if its address was remapped (a retry would refresh the map and hide it).
    let mut config = config(&cluster).address_remap(remap(&proxies));
    config.router.busy_retries = 0;
    let mut client = ClusterClient::new(config).unwrap();
    let proxy_ports: Vec<u16> = proxies.values().map(FaultProxy::port).collect();
    assert_eq!(client.nodes().len(), 6);
    assert!(
        client.nodes().iter().all(|n| n.host == "127.0.0.1" && proxy_ports.contains(&n.port)),
        "every node's address is its proxy's: {:?}",
        client.nodes()
    );

    let keys: Vec<String> = (0..200).map(|i| format!("remapped:{i}")).collect();
    for (i, key) in keys.iter().enumerate() {
        let () = client.set(key, i).unwrap();
    }
    for (i, key) in keys.iter().enumerate() {
        assert_eq!(client.get::<_, Option<usize>>(key).unwrap(), Some(i));
    }
    for master in cluster.masters() {
        let port = cluster.nodes()[master].port();
        assert!(proxies[&port].accepted() >= 1, "the primary on {port} was reached through its proxy");
    }

    // A slot moves behind the client's back: the MOVED names 127.0.0.2 too.
    let moved_key = "{remap-moved}:1";
    let slot = ClusterClient::keyslot(moved_key);
    let from = client.slot_map().primary(slot).unwrap().port();
    let from_node = cluster.nodes().iter().find(|n| proxies[&n.port()].port() == from).unwrap();
    let target_port = cluster.move_empty_slot(slot, from_node.port());
    let target = cluster.nodes().iter().find(|n| n.port() == target_port).unwrap();
    let () = client.set(moved_key, "moved").unwrap();
    let now = client.slot_map().primary(slot).map(|n| (n.host().to_owned(), n.port()));
    assert_eq!(
        now,
        Some(("127.0.0.1".to_owned(), proxies[&target.port()].port())),
        "the map learnt the remapped address"
    );
    assert_eq!(target.redis_cli(&["GET", moved_key]), "moved");
}

#[test]
fn the_async_client_reaches_every_node_through_the_remap() {
    let cluster = cluster();
    let proxies = proxies(&cluster);
    let config = config(&cluster).address_remap(remap(&proxies));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let client = AsyncClusterClient::new(config).await.unwrap();
        let proxy_ports: Vec<u16> = proxies.values().map(FaultProxy::port).collect();
        assert!(client.nodes().iter().all(|n| n.host == "127.0.0.1" && proxy_ports.contains(&n.port)));
        for i in 0..200 {
            let () = client.set(format!("async-remapped:{i}"), i).await.unwrap();
        }
        for i in 0..200 {
            assert_eq!(client.get::<_, Option<usize>>(format!("async-remapped:{i}")).await.unwrap(), Some(i));
        }
    });
    for master in cluster.masters() {
        let port = cluster.nodes()[master].port();
        assert!(proxies[&port].accepted() >= 1, "the primary on {port} was reached through its proxy");
    }
}
