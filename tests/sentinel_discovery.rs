//! `Sentinel` against real sentinels (a master, 2 replicas, 3 sentinels):
//! `discover_master`, `discover_replicas`, `discover_sentinels` and `execute_command`;
//! an unknown service and a `min_other_sentinels` the group cannot meet fail with
//! `MasterNotFound`, saying what each sentinel said; with a sentinel down the others
//! answer. Sentinels with a password of their own: the `Sentinel`'s configuration carries
//! it, the pools' the master's (another one); without it, discovery fails and says what
//! each sentinel said.

use std::net::SocketAddr;

use ferrodis::core::sentinel::Verdict;
use ferrodis::{Commands, ConnectionConfig, Delivery, ErrorKind, Password, Sentinel, Value, cmd};
use ferrodis_test_support::SentinelGroup;

fn addrs(nodes: &[(String, u16)]) -> Vec<SocketAddr> {
    let mut addrs: Vec<SocketAddr> = nodes.iter().map(|(h, p)| format!("{h}:{p}").parse().unwrap()).collect();
    addrs.sort_unstable();
    addrs
}

fn sentinel(group: &SentinelGroup, min_other: u32) -> Sentinel {
    sentinel_with(group, min_other, ConnectionConfig::default())
}

fn sentinel_with(group: &SentinelGroup, min_other: u32, config: ConnectionConfig) -> Sentinel {
    let sentinels = group.sentinel_addrs().into_iter().map(|a| (a.ip().to_string(), a.port()));
    Sentinel::new(sentinels, min_other, config)
}

/// A configuration that authenticates with `password`.
fn with_password(password: &str) -> ConnectionConfig {
    let mut config = ConnectionConfig::default();
    config.password = Some(Password::new(password));
    config
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

#[test]
fn sentinels_with_their_own_password_are_asked_with_it_and_the_master_with_its_own() {
    let group =
        SentinelGroup::builder().password("master-secret").sentinel_password("sentinel-secret").start();
    let service = group.master_name();
    // The sentinels log in to each other (`sentinel sentinel-pass`): each sees the others
    // answer its PINGs, past `down-after-milliseconds`.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    for (i, node) in group.sentinels().iter().enumerate() {
        let peers = node.redis_cli(&["SENTINEL", "SENTINELS", service]);
        let lines: Vec<&str> = peers.lines().collect();
        let field = |name: &str| lines.windows(2).filter(|w| w[0] == name).map(|w| w[1]).collect::<Vec<_>>();
        assert_eq!(field("flags"), ["sentinel", "sentinel"], "sentinel {i}: {peers}");
        let pings: Vec<u64> = field("last-ok-ping-reply").iter().map(|ms| ms.parse().unwrap()).collect();
        assert!(pings.iter().all(|&ms| ms < 1000), "sentinel {i}: {peers}");
    }

    // The sentinels' password in the Sentinel's configuration, the master's in the pool's.
    let sentinel = sentinel_with(&group, 2, with_password("sentinel-secret"));
    assert_eq!(addrs(&[sentinel.discover_master(service).unwrap()]), [group.master().addr()]);
    assert_eq!(sentinel.discover_replicas(service).unwrap().len(), 2);
    let mut master = sentinel.master_for(service, with_password("master-secret"));
    let () = master.set("guarded", "yes").unwrap();
    assert_eq!(group.master().redis_cli(&["GET", "guarded"]), "yes");
    // The master's password is not the sentinels': the pool's connections fail to log in.
    let e = sentinel.master_for(service, with_password("sentinel-secret")).get_connection().unwrap_err();
    assert!(e.to_string().contains("WRONGPASS"), "{e}");

    // Without the sentinels' password, each refuses the request (`NOAUTH`); with the
    // master's, the login fails (`WRONGPASS`) and each is said not to have answered, with
    // the error it failed with. Either way no master, nothing sent.
    for (what, config, expected, words) in [
        ("no password", ConnectionConfig::default(), Verdict::Refused, "NOAUTH"),
        ("the master's password", with_password("master-secret"), Verdict::NoAnswer, "WRONGPASS"),
    ] {
        let e = sentinel_with(&group, 0, config).discover_master(service).unwrap_err();
        println!("discovery with {what} for the sentinels: {e}");
        let ErrorKind::MasterNotFound { service: named, verdicts } = e.kind() else { panic!("{e:?}") };
        assert_eq!(named, service);
        assert_eq!(verdicts.len(), 3, "{e}");
        assert!(verdicts.iter().all(|v| v.verdict == expected), "{e}");
        assert!(verdicts.iter().all(|v| v.detail.as_ref().is_some_and(|d| d.contains(words))), "{e}");
        assert!(e.to_string().contains(words), "the error says why: {e}");
        assert_eq!(e.delivery(), Delivery::NotSent);
    }
}
