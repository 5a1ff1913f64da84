//! Core's sentinel state machines against real sentinels (a master, 2 replicas, 3
//! sentinels), driven by a plain loop over core's blocking connection, RESP2 and RESP3:
//! discovery names the master, the listings name the replicas and the other sentinels; a
//! sentinel down, an unknown service and a `min_other_sentinels` too high for the group
//! each get their verdict; and after `SENTINEL FAILOVER` the `+switch-master` event names
//! the new master, discovery finds it, and its `ROLE` confirms it.

use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use embedded_io_adapters::std::FromStd;
use ferrodis_core::conn::blocking::Connection;
use ferrodis_core::conn::{Handshake, Protocol, Received};
use ferrodis_core::reply::ServerRole;
use ferrodis_core::resp::{Arg, Frame};
use ferrodis_core::sentinel::{
    MasterDiscovery, SentinelOrder, SwitchMaster, Verdict, known_sentinels, replicas_command,
    sentinels_command, serving_replicas,
};
use ferrodis_test_support::SentinelGroup;

/// Buffers leaked: a test makes a few dozen connections.
type Conn = Connection<FromStd<TcpStream>, &'static mut [u8]>;

fn leak(n: usize) -> &'static mut [u8] {
    Box::leak(vec![0u8; n].into_boxed_slice())
}

fn connect(addr: SocketAddr, protocol: Protocol) -> std::io::Result<Conn> {
    let tcp = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut conn = Connection::new(FromStd::new(tcp), leak(16 * 1024), leak(1024));
    conn.handshake(&Handshake { protocol, ..Handshake::DEFAULT })
        .map_err(|e| std::io::Error::other(format!("{e:?}")))?;
    Ok(conn)
}

/// One discovery of `service` over `sentinels`, as a driver runs it.
fn discover(
    sentinels: &[SocketAddr],
    order: &mut SentinelOrder<4>,
    service: &str,
    min_other: u32,
    protocol: Protocol,
) -> (Option<SocketAddr>, Vec<(usize, Verdict)>) {
    let mut discovery = MasterDiscovery::new(order, min_other);
    while let Some(i) = discovery.next() {
        let Ok(mut conn) = connect(sentinels[i], protocol) else {
            discovery.on_no_answer();
            continue;
        };
        let found = match conn.request_frame(&MasterDiscovery::<4>::command(service)) {
            Ok(reply) => {
                discovery.on_reply(&reply).map(|m| format!("{}:{}", m.host, m.port).parse().unwrap())
            }
            Err(_) => {
                discovery.on_no_answer();
                None
            }
        };
        if found.is_some() {
            order.promote(i);
            return (found, discovery.verdicts().collect());
        }
    }
    (None, discovery.verdicts().collect())
}

/// The ports of the serving replicas, or with `sentinels` of the sentinels not down, in the
/// reply to a listing command.
fn listed(conn: &mut Conn, command: &[Arg<'_>], sentinels: bool) -> Vec<u16> {
    let reply = conn.request_frame(command).unwrap();
    let mut ports: Vec<u16> = if sentinels {
        known_sentinels(&reply).unwrap().map(|n| n.unwrap().port).collect()
    } else {
        serving_replicas(&reply).unwrap().map(|n| n.unwrap().port).collect()
    };
    ports.sort_unstable();
    ports
}

fn role(addr: SocketAddr) -> Option<ServerRole> {
    let mut conn = connect(addr, Protocol::Resp2).ok()?;
    let reply = conn.request_frame(&[Arg::from("ROLE")]).ok()?;
    ServerRole::of(&reply)
}

#[test]
fn discovery_listings_verdicts_and_a_failover_on_real_sentinels() {
    let mut group = SentinelGroup::start();
    let service = group.master_name();
    let sentinels = group.sentinel_addrs();
    let master = group.master().addr();
    let mut replica_ports: Vec<u16> = group.replicas().iter().map(|r| r.port()).collect();
    replica_ports.sort_unstable();

    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let mut order = SentinelOrder::new(sentinels.len());
        let (found, verdicts) = discover(&sentinels, &mut order, service, 2, protocol);
        assert_eq!(found, Some(master), "{protocol:?}: {verdicts:?}");
        assert_eq!(verdicts[0], (0, Verdict::Accepted));

        let mut conn = connect(sentinels[0], protocol).unwrap();
        assert_eq!(listed(&mut conn, &replicas_command(service), false), replica_ports, "{protocol:?}");
        let mut others: Vec<u16> = sentinels[1..].iter().map(|s| s.port()).collect();
        others.sort_unstable();
        assert_eq!(listed(&mut conn, &sentinels_command(service), true), others, "{protocol:?}");

        let (found, verdicts) = discover(&sentinels, &mut order, "no-such-service", 0, protocol);
        assert_eq!(found, None);
        assert!(verdicts.iter().all(|(_, v)| *v == Verdict::UnknownService), "{verdicts:?}");

        let (found, verdicts) = discover(&sentinels, &mut order, service, 3, protocol);
        assert_eq!(found, None, "each knows 2 others, not 3");
        assert!(verdicts.iter().all(|(_, v)| *v == Verdict::TooFewSentinels { known: 2 }), "{verdicts:?}");
    }

    // The first sentinel down: the next one gives the master, and goes to the front.
    group.sentinel_mut(0).kill();
    let mut order = SentinelOrder::new(sentinels.len());
    let (found, verdicts) = discover(&sentinels, &mut order, service, 1, Protocol::Resp3);
    assert_eq!(found, Some(master));
    assert_eq!(verdicts[..2], [(0, Verdict::NoAnswer), (1, Verdict::Accepted)]);
    assert_eq!(order.iter().collect::<Vec<_>>(), [1, 0, 2]);

    // A failover: the event names the new master, which discovery finds and ROLE confirms.
    let mut events = connect(sentinels[1], Protocol::Resp2).unwrap();
    let subscribe = [Arg::from("SUBSCRIBE"), Arg::from("+switch-master")];
    events.request_frame(&subscribe).unwrap();
    let mut admin = connect(sentinels[2], Protocol::Resp2).unwrap();
    let failover =
        admin.request_frame(&[Arg::from("SENTINEL"), Arg::from("FAILOVER"), Arg::from(service)]).unwrap();
    assert_eq!(failover, Frame::SimpleString(b"OK"));
    let started = Instant::now();
    let switched = loop {
        assert!(started.elapsed() < Duration::from_secs(30), "no +switch-master within 30 s");
        match events.receive() {
            Ok(Received::Push(frame)) => {
                if let Some(event) = SwitchMaster::of_message(&frame) {
                    assert_eq!(event.service, service);
                    assert_eq!(
                        format!("{}:{}", event.old.0, event.old.1).parse::<SocketAddr>().unwrap(),
                        master
                    );
                    break format!("{}:{}", event.new.0, event.new.1).parse::<SocketAddr>().unwrap();
                }
            }
            Ok(_) => {}
            Err(e) => panic!("waiting for +switch-master: {e:?}"),
        }
    };
    println!("+switch-master {:?} after SENTINEL FAILOVER", started.elapsed());
    assert_ne!(switched, master);
    assert!(replica_ports.contains(&switched.port()), "a replica took over");
    let deadline = Instant::now() + Duration::from_secs(10);
    let found = loop {
        let (found, verdicts) = discover(&sentinels, &mut order, service, 0, Protocol::Resp3);
        if found == Some(switched) || Instant::now() > deadline {
            break (found, verdicts);
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(found.0, Some(switched), "{:?}", found.1);
    assert_eq!(role(switched), Some(ServerRole::Primary));
}
