//! `Sentinel::from_url` against real sentinels (a master that needs a password, 2
//! replicas, 3 sentinels): a pool built from one `redis+sentinel://` URL (the sentinels
//! as a comma-separated list, one not listening and one as `[::1]`, the master's password
//! and database, pool and sentinel options) writes to the master, and its replica pool
//! reads the write back from a replica; the Tokio pools (with the URL's pool options)
//! and the reconnecting connection from one URL do the same; the one-server entry points
//! refuse the URL, naming `Sentinel::from_url`.

use std::net::SocketAddr;
use std::time::Duration;

use ferrodis::{Address, AsyncCommands, Commands, Connection, ConnectionConfig, ConnectionPool, Sentinel};
use ferrodis_test_support::SentinelGroup;

const PASSWORD: &str = "master-s3cr3t";

fn socket_addr(address: &Address) -> SocketAddr {
    match address {
        Address::Tcp { host, port } => format!("{host}:{port}").parse().unwrap(),
        other => panic!("{other:?}"),
    }
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn a_pool_from_a_sentinel_url_writes_to_the_master_and_reads_from_a_replica() {
    let group = SentinelGroup::builder().password(PASSWORD).start();
    let ports: Vec<u16> = group.sentinel_addrs().iter().map(SocketAddr::port).collect();
    // A dead sentinel first; the last by its IPv6 loopback (the sentinels bind `-::1`
    // too: without IPv6 the other two answer).
    let url = format!(
        "redis+sentinel://:{PASSWORD}@127.0.0.1:{},127.0.0.1:{},localhost:{},[::1]:{}/{}/2\
         ?min_other_sentinels=2&max_connections=4&timeout=5&socket_timeout=5",
        closed_port(),
        ports[0],
        ports[1],
        ports[2],
        group.master_name(),
    );

    let service = Sentinel::from_url(&url).unwrap();
    assert_eq!(service.service, group.master_name());
    assert_eq!(service.sentinel.sentinels().len(), 4);
    assert!(!format!("{service:?}").contains(PASSWORD));

    let mut master = service.master_for();
    let () = master.set("sentinel-url", "written").unwrap();
    let held = master.get_connection().unwrap();
    assert_eq!(
        socket_addr(&held.config().address),
        group.master().addr(),
        "the pool's connection is the master's"
    );
    drop(held);

    // The write is on the master, in database 2, behind the password.
    let direct = format!("redis://:{PASSWORD}@{}/2", group.master().addr());
    let mut conn = Connection::open(&ConnectionConfig::from_url(&direct).unwrap()).unwrap();
    let value: Option<String> = conn.get("sentinel-url").unwrap();
    assert_eq!(value.as_deref(), Some("written"));
    let in_db0 = format!("redis://:{PASSWORD}@{}/0", group.master().addr());
    let mut conn = Connection::open(&ConnectionConfig::from_url(&in_db0).unwrap()).unwrap();
    let value: Option<String> = conn.get("sentinel-url").unwrap();
    assert_eq!(value, None, "the URL's database, not 0");

    // The replica pool reads it back from a replica, once replicated.
    let replicas = service.replica_for();
    let replica_addrs: Vec<SocketAddr> = group.replicas().iter().map(|r| r.addr()).collect();
    let mut read = None;
    for _ in 0..50 {
        let mut conn = replicas.get_connection().unwrap();
        assert!(replica_addrs.contains(&socket_addr(&conn.config().address)), "{:?}", conn.config().address);
        read = conn.get::<_, Option<String>>("sentinel-url").unwrap();
        if read.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(read.as_deref(), Some("written"));
}

#[test]
fn one_server_entry_points_refuse_a_sentinel_url_by_name() {
    // No server is needed to see the refusal.
    let url = format!("redis+sentinel://:{PASSWORD}@127.0.0.1:26379/mymaster");
    let errors = [
        ConnectionPool::from_url(&url).map(|_| ()).unwrap_err(),
        ferrodis::Client::open(&url).map(|_| ()).unwrap_err(),
        ferrodis::ClusterClient::from_url(&url).map(|_| ()).unwrap_err(),
    ];
    for e in errors {
        let shown = format!("{e} {e:?}");
        assert!(shown.contains("use Sentinel::from_url"), "{shown}");
        assert!(!shown.contains(PASSWORD), "{shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tokio_pools_and_connection_from_a_sentinel_url_reach_the_master_and_a_replica() {
    let group = SentinelGroup::builder().password(PASSWORD).start();
    let ports: Vec<u16> = group.sentinel_addrs().iter().map(SocketAddr::port).collect();
    let url = format!(
        "redis+sentinel://:{PASSWORD}@127.0.0.1:{},127.0.0.1:{}/{}/3?max_connections=2&timeout=1",
        ports[0],
        ports[1],
        group.master_name(),
    );
    let service = Sentinel::from_url(&url).unwrap();

    let master = service.async_master_for();
    let (a, b) = (master.get_connection().await.unwrap(), master.get_connection().await.unwrap());
    assert_eq!(socket_addr(a.address()), group.master().addr(), "the pool's connection is the master's");
    // The URL's max_connections=2 and timeout=1: a third waits, then is refused.
    let third = master.get_connection().await.unwrap_err();
    assert!(matches!(third.kind(), ferrodis::ErrorKind::PoolExhausted { max_connections: 2 }), "{third}");
    drop((a, b));
    let () = master.set("sentinel-url", "from tokio").await.unwrap();
    let direct = format!("redis://:{PASSWORD}@{}/3", group.master().addr());
    let mut conn = Connection::open(&ConnectionConfig::from_url(&direct).unwrap()).unwrap();
    assert_eq!(conn.get::<_, Option<String>>("sentinel-url").unwrap().as_deref(), Some("from tokio"));

    let reconnecting = service.reconnecting_master_for().await.unwrap();
    let n: i64 = reconnecting.incr("sentinel-url-n", 1).await.unwrap();
    assert_eq!(n, 1);

    let replicas = service.async_replica_for();
    let replica_addrs: Vec<SocketAddr> = group.replicas().iter().map(|r| r.addr()).collect();
    let conn = replicas.get_connection().await.unwrap();
    assert!(replica_addrs.contains(&socket_addr(conn.address())), "{:?}", conn.address());
}
