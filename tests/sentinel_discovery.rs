//! `Sentinel` against real sentinels (a master, 2 replicas, 3 sentinels):
//! `discover_master`, `discover_replicas`, `discover_sentinels` and `execute_command`;
//! an unknown service and a `min_other_sentinels` the group cannot meet fail with
//! `MasterNotFound`, saying what each sentinel said; with a sentinel down the others
//! answer.

use std::net::SocketAddr;

use ferrodis::core::sentinel::Verdict;
use ferrodis::{ConnectionConfig, Delivery, ErrorKind, Sentinel, Value, cmd};
use ferrodis_test_support::SentinelGroup;

fn addrs(nodes: &[(String, u16)]) -> Vec<SocketAddr> {
    let mut addrs: Vec<SocketAddr> = nodes.iter().map(|(h, p)| format!("{h}:{p}").parse().unwrap()).collect();
    addrs.sort_unstable();
    addrs
}

fn sentinel(group: &SentinelGroup, min_other: u32) -> Sentinel {
    let sentinels = group.sentinel_addrs().into_iter().map(|a| (a.ip().to_string(), a.port()));
    Sentinel::new(sentinels, min_other, ConnectionConfig::default())
}

#[test]
fn the_master_replicas_and_sentinels_of_a_service_and_what_each_sentinel_said() {
    let mut group = SentinelGroup::start();
    let service = group.master_name();
    let sentinel = sentinel(&group, 2);

    let master = sentinel.discover_master(service).unwrap();
    assert_eq!(addrs(&[master]), [group.master().addr()]);
    let mut replicas: Vec<SocketAddr> = group.replicas().iter().map(|r| r.addr()).collect();
    replicas.sort_unstable();
    assert_eq!(addrs(&sentinel.discover_replicas(service).unwrap()), replicas);
    let raw: Vec<ferrodis::Result<Value>> =
        sentinel.execute_command(&cmd("SENTINEL").arg("SENTINELS").arg(service), false);
    assert_eq!(sentinel.discover_sentinels(service).unwrap().len(), 2, "the others of the first: {raw:?}");

    let replies: Vec<ferrodis::Result<Vec<String>>> =
        sentinel.execute_command(&cmd("SENTINEL").arg("GET-MASTER-ADDR-BY-NAME").arg(service), false);
    assert_eq!(replies.len(), 3);
    let port = group.master().port().to_string();
    assert!(replies.iter().all(|r| r.as_ref().is_ok_and(|a| a[1] == port)), "{replies:?}");
    let once: Vec<ferrodis::Result<Value>> = sentinel.execute_command(&cmd("PING"), true);
    assert_eq!(once.len(), 1);
    assert!(matches!(once[0], Ok(Value::Okay) | Ok(Value::SimpleString(_))), "{once:?}");

    // Nobody watches that one; nobody knows 3 others.
    for (service, min_other, expected) in
        [("no-such-service", 0, Verdict::UnknownService), (service, 3, Verdict::TooFewSentinels { known: 2 })]
    {
        let e = self::sentinel(&group, min_other).discover_master(service).unwrap_err();
        let ErrorKind::MasterNotFound { service: named, verdicts } = e.kind() else { panic!("{e:?}") };
        assert_eq!(named, service);
        assert_eq!(verdicts.len(), 3);
        assert!(verdicts.iter().all(|v| v.verdict == expected), "{e}");
        assert_eq!(e.delivery(), Delivery::NotSent);
        assert!(e.to_string().contains(service), "{e}");
    }

    // The first sentinel gone: the next answers, and is asked first from then on.
    group.sentinel_mut(0).kill();
    let sentinel = self::sentinel(&group, 1);
    assert_eq!(addrs(&[sentinel.discover_master(service).unwrap()]), [group.master().addr()]);
    assert_eq!(addrs(&sentinel.discover_replicas(service).unwrap()), replicas);
    group.sentinel_mut(1).kill();
    group.sentinel_mut(2).kill();
    let e = sentinel.discover_master(service).unwrap_err();
    let ErrorKind::MasterNotFound { verdicts, .. } = e.kind() else { panic!("{e:?}") };
    assert!(verdicts.iter().all(|v| v.verdict == Verdict::NoAnswer), "{e}");
    assert_eq!(sentinel.discover_replicas(service).unwrap(), [], "no sentinel answers: none known");
}
