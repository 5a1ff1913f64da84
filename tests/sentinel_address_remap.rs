//! `Sentinel::address_remap` and `force_master_ip` against real sentinels: the master the
//! sentinels report is reached through a proxy the remap names (every connection of a
//! `master_for` pool goes through it, `ROLE` checked there), and `force_master_ip` replaces
//! the master's host while the replicas keep theirs.

use ferrodis::{Address, AddressRemapFn, Commands, ConnectionConfig, Sentinel};
use ferrodis_test_support::{FaultProxy, SentinelGroup};

fn sentinel(group: &SentinelGroup) -> Sentinel {
    let sentinels = group.sentinel_addrs().into_iter().map(|a| (a.ip().to_string(), a.port()));
    Sentinel::new(sentinels, 0, ConnectionConfig::default())
}

#[test]
fn the_master_is_reached_where_the_remap_says_and_force_master_ip_replaces_its_host() {
    let group = SentinelGroup::start();
    let service = group.master_name();
    let master_port = group.master().port();
    let proxy = FaultProxy::start(group.master().addr());
    let proxy_port = proxy.port();

    let remap = AddressRemapFn::new(move |host: &str, port: u16| {
        if port == master_port { ("127.0.0.1".to_owned(), proxy_port) } else { (host.to_owned(), port) }
    });
    let through_proxy = sentinel(&group).address_remap(remap);
    assert_eq!(through_proxy.discover_master(service).unwrap(), ("127.0.0.1".to_owned(), proxy_port));
    let mut pool = through_proxy.master_for(service, ConnectionConfig::default());
    let () = pool.set("remapped", "yes").unwrap();
    let conn = pool.get_connection().unwrap();
    assert_eq!(conn.config().address, Address::Tcp { host: "127.0.0.1".into(), port: proxy_port });
    assert!(proxy.accepted() >= 1, "the master pool connected through the proxy");
    assert_eq!(group.master().redis_cli(&["GET", "remapped"]), "yes");
    let replicas = through_proxy.discover_replicas(service).unwrap();
    assert!(replicas.iter().all(|(_, port)| *port != proxy_port), "replicas are not remapped: {replicas:?}");

    let forced = sentinel(&group).force_master_ip("localhost");
    assert_eq!(forced.discover_master(service).unwrap(), ("localhost".to_owned(), master_port));
    let mut pool = forced.master_for(service, ConnectionConfig::default());
    assert_eq!(pool.get::<_, String>("remapped").unwrap(), "yes");
    let mut replica_hosts: Vec<String> =
        forced.discover_replicas(service).unwrap().into_iter().map(|(h, _)| h).collect();
    replica_hosts.dedup();
    assert_eq!(replica_hosts, ["127.0.0.1"], "force_master_ip leaves the replicas alone");
}
