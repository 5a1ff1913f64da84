use core::time::Duration;
use std::format;
use std::vec::Vec;

use super::*;
use crate::cluster::{Addressing, Moved};
use crate::resp::{Arg, Decoded, decode};

type Map = SlotMap<8, 16, 8>;

/// Three shards: 0-5460 on a:1 (replica a:4), 5461-10922 on a:2 (replica a:5),
/// 10923-16383 on a:3 (replica a:6).
fn map() -> Map {
    let reply = b"*3\r\n\
        *4\r\n:0\r\n:5460\r\n*2\r\n$1\r\na\r\n:1\r\n*2\r\n$1\r\na\r\n:4\r\n\
        *4\r\n:5461\r\n:10922\r\n*2\r\n$1\r\na\r\n:2\r\n*2\r\n$1\r\na\r\n:5\r\n\
        *4\r\n:10923\r\n:16383\r\n*2\r\n$1\r\na\r\n:3\r\n*2\r\n$1\r\na\r\n:6\r\n";
    let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
    Map::from_cluster_slots(frame, &Addressing::new("a")).unwrap()
}

fn router(config: RouterConfig) -> Router<8, 16, 8> {
    Router::new(map(), config)
}

fn route(router: &Router<8, 16, 8>, args: &[&str]) -> Result<Request, RouteError> {
    let args: Vec<Arg<'_>> = args.iter().map(|a| Arg::from(*a)).collect();
    router.route(&args[..])
}

fn port(router: &mut Router<8, 16, 8>, request: &Request) -> Option<u16> {
    router.node(request).map(|n| n.port())
}

const FROM: (&str, u16) = ("a", 1);

#[test]
fn commands_go_by_their_keys_and_their_policies() {
    let r = router(RouterConfig::DEFAULT);
    let slot = |key: &str| Target::Slot(key_slot(key.as_bytes()));
    let get = route(&r, &["GET", "foo"]).unwrap();
    assert_eq!((get.target(), get.is_readonly()), (slot("foo"), true));
    assert!(!route(&r, &["SET", "foo", "1"]).unwrap().is_readonly());
    // Keys in one slot, by hash tag: one target; in several: a split, or an error.
    assert_eq!(route(&r, &["MGET", "{u}a", "{u}b"]).unwrap().target(), slot("u"));
    assert_eq!(route(&r, &["MGET", "a", "b"]).unwrap().target(), Target::Split(None));
    assert_eq!(route(&r, &["DEL", "a", "b"]).unwrap().target(), Target::Split(Some(ResponsePolicy::AggSum)));
    assert_eq!(
        route(&r, &["EVAL", "return 1", "2", "a", "b"]),
        Err(RouteError::CrossSlot { command: "eval" })
    );
    assert_eq!(route(&r, &["DBSIZE"]).unwrap().target(), Target::AllPrimaries(Some(ResponsePolicy::AggSum)));
    assert_eq!(
        route(&r, &["CONFIG", "SET", "maxmemory", "1"]).unwrap().target(),
        Target::AllNodes(Some(ResponsePolicy::AllSucceeded))
    );
    assert_eq!(route(&r, &["ECHO", "hi"]).unwrap().target(), Target::AnyNode);
    // PING's tips send it to every primary, each of which must answer.
    assert_eq!(
        route(&r, &["PING"]).unwrap().target(),
        Target::AllPrimaries(Some(ResponsePolicy::AllSucceeded))
    );
    assert_eq!(route(&r, &["NOSUCH", "k"]), Err(RouteError::UnknownCommand));
    assert_eq!(route(&r, &["GET"]), Err(RouteError::InvalidArguments { command: "get" }));
    assert_eq!(route(&r, &[]), Err(RouteError::EmptyCommand));
}

#[test]
fn reads_spread_over_a_shards_serving_nodes_and_writes_stay_on_the_primary() {
    let mut r = router(RouterConfig { read_from_replicas: true, ..RouterConfig::DEFAULT });
    let read = route(&r, &["GET", "foo"]).unwrap(); // slot 12182: a:3, replica a:6
    let ports: Vec<_> = (0..6).map(|_| port(&mut r, &read).unwrap()).collect();
    assert_eq!(ports, [3, 6, 3, 6, 3, 6]);
    let write = route(&r, &["SET", "foo", "1"]).unwrap();
    assert!((0..4).all(|_| port(&mut r, &write) == Some(3)));
    // After a failover the old primary is a failed replica: reads skip it.
    assert_eq!(r.map_mut().apply_moved(12182, "a", 6), Ok(Moved::ReplicaPromoted));
    assert!((0..4).all(|_| port(&mut r, &read) == Some(6)));
    // Without read_from_replicas, reads go to the primary too.
    let mut r = router(RouterConfig::DEFAULT);
    assert!((0..4).all(|_| port(&mut r, &read) == Some(3)));
    let echo = route(&r, &["ECHO", "hi"]).unwrap();
    assert_eq!(port(&mut r, &echo), Some(1));
    let dbsize = route(&r, &["DBSIZE"]).unwrap();
    assert_eq!(port(&mut r, &dbsize), None, "a fan-out goes to the map's nodes");
}

#[test]
fn moved_patches_the_map_and_enough_of_them_ask_for_a_refresh() {
    let mut r = router(RouterConfig { reinitialize_steps: 3, ..RouterConfig::DEFAULT });
    for (i, key) in ["a", "b", "c"].into_iter().enumerate() {
        let mut request = route(&r, &["GET", key]).unwrap();
        let slot = key_slot(key.as_bytes());
        let text = format!("MOVED {slot} a:2");
        let moved = Frame::SimpleError(text.as_bytes());
        assert_eq!(
            r.on_reply(&mut request, &moved, FROM, Duration::ZERO, 0),
            Next::SendTo { host: "a", port: 2, asking: false }
        );
        assert_eq!(port(&mut r, &request), Some(2));
        assert_eq!(request.redirects(), 1);
        let expected = if i < 2 { None } else { Some(RefreshReason::Redirects) };
        assert_eq!(r.wants_refresh(Duration::ZERO), expected, "after {} MOVED", i + 1);
    }
    r.refreshed(Duration::from_secs(1));
    assert_eq!(r.wants_refresh(Duration::from_secs(1)), None);
    // A redirect without a host names the node that answered.
    let mut request = route(&r, &["GET", "x"]).unwrap();
    let text = format!("MOVED {} :7", key_slot(b"x"));
    let next = r.on_reply(&mut request, &Frame::SimpleError(text.as_bytes()), ("a", 9), Duration::ZERO, 0);
    assert_eq!(next, Next::SendTo { host: "a", port: 7, asking: false });
}

#[test]
fn ask_is_followed_once_and_changes_nothing() {
    let mut r = router(RouterConfig::DEFAULT);
    let mut request = route(&r, &["GET", "foo"]).unwrap();
    let ask = Frame::SimpleError(b"ASK 12182 a:1");
    assert_eq!(
        r.on_reply(&mut request, &ask, ("a", 3), Duration::ZERO, 0),
        Next::SendTo { host: "a", port: 1, asking: true }
    );
    assert_eq!(port(&mut r, &request), Some(3), "the slot is still the old node's");
    assert_eq!(r.wants_refresh(Duration::ZERO), None);
    assert_eq!(r.on_reply(&mut request, &Frame::Null, FROM, Duration::ZERO, 0), Next::Done);
}

#[test]
fn a_request_waiting_out_ask_retries_on_the_owner_until_moved() {
    let mut r = router(RouterConfig { busy_retries: 2, ..RouterConfig::DEFAULT });
    let mut watch = route(&r, &["WATCH", "foo"]).unwrap().waiting_out_ask();
    let ask = Frame::SimpleError(b"ASK 12182 a:1");
    for _ in 0..2 {
        assert!(matches!(r.on_reply(&mut watch, &ask, ("a", 3), Duration::ZERO, 0), Next::RetryAfter(_)));
    }
    assert_eq!(port(&mut r, &watch), Some(3), "still sent to the slot's owner");
    assert_eq!(
        r.on_reply(&mut watch, &ask, ("a", 3), Duration::ZERO, 0),
        Next::Fail(RouteError::Unavailable { last: Some(ServerErrorKind::Ask) }),
        "within the busy retries"
    );
    // Once the migration ends, MOVED is followed as ever.
    let mut watch = route(&r, &["WATCH", "foo"]).unwrap().waiting_out_ask();
    let moved = Frame::SimpleError(b"MOVED 12182 a:1");
    assert_eq!(
        r.on_reply(&mut watch, &moved, ("a", 3), Duration::ZERO, 0),
        Next::SendTo { host: "a", port: 1, asking: false }
    );
}

#[test]
fn redirects_are_bounded() {
    let mut r = router(RouterConfig { max_redirects: 4, ..RouterConfig::DEFAULT });
    let mut request = route(&r, &["GET", "foo"]).unwrap();
    let ping_pong = [Frame::SimpleError(b"ASK 12182 a:1"), Frame::SimpleError(b"ASK 12182 a:3")];
    for i in 0..4 {
        assert!(matches!(
            r.on_reply(&mut request, &ping_pong[i % 2], FROM, Duration::ZERO, 0),
            Next::SendTo { .. }
        ));
    }
    assert_eq!(
        r.on_reply(&mut request, &ping_pong[0], FROM, Duration::ZERO, 0),
        Next::Fail(RouteError::TooManyRedirects)
    );
}

#[test]
fn busy_replies_are_retried_after_bounded_delays_then_fail() {
    let backoff = Backoff::Exponential { base: Duration::from_millis(10), cap: Duration::from_millis(30) };
    let mut r = router(RouterConfig { busy_retries: 3, busy_backoff: backoff, ..RouterConfig::DEFAULT });
    let mut request = route(&r, &["SET", "foo", "1"]).unwrap();
    let tryagain = Frame::SimpleError(b"TRYAGAIN Multiple keys request during rehashing of slot");
    let delays: Vec<_> =
        (0..3).map(|_| r.on_reply(&mut request, &tryagain, FROM, Duration::ZERO, u32::MAX)).collect();
    let ms = |n| Next::RetryAfter(Duration::from_millis(n));
    assert_eq!(delays, [ms(10), ms(20), ms(30)]);
    assert_eq!(
        r.on_reply(&mut request, &tryagain, FROM, Duration::ZERO, 0),
        Next::Fail(RouteError::Unavailable { last: Some(ServerErrorKind::TryAgain) })
    );
    assert_eq!(r.wants_refresh(Duration::ZERO), None, "TRYAGAIN says nothing of the map");

    for (text, kind) in [
        (&b"CLUSTERDOWN The cluster is down"[..], ServerErrorKind::ClusterDown),
        (b"READONLY You can't write against a read only replica.", ServerErrorKind::ReadOnly),
    ] {
        let mut r = router(RouterConfig { busy_retries: 1, busy_backoff: backoff, ..RouterConfig::DEFAULT });
        let mut request = route(&r, &["SET", "foo", "1"]).unwrap();
        assert_eq!(r.on_reply(&mut request, &Frame::SimpleError(text), FROM, Duration::ZERO, 0), ms(10));
        assert_eq!(r.wants_refresh(Duration::ZERO), Some(RefreshReason::Topology));
        let last = Some(kind);
        assert_eq!(
            r.on_reply(&mut request, &Frame::SimpleError(text), FROM, Duration::ZERO, 0),
            Next::Fail(RouteError::Unavailable { last })
        );
    }
}

#[test]
fn answers_and_the_callers_errors_are_done() {
    let mut r = router(RouterConfig::DEFAULT);
    let mut request = route(&r, &["GET", "foo"]).unwrap();
    for reply in [
        Frame::BulkString(b"v"),
        Frame::SimpleError(b"WRONGTYPE Operation against a key holding the wrong kind of value"),
        Frame::SimpleError(b"CROSSSLOT Keys in request don't hash to the same slot"),
        Frame::BulkError(b"ERR something"),
    ] {
        assert_eq!(r.on_reply(&mut request, &reply, FROM, Duration::ZERO, 0), Next::Done, "{reply:?}");
    }
    assert_eq!(
        r.on_reply(&mut request, &Frame::SimpleError(b"MOVED 99999 a:1"), FROM, Duration::ZERO, 0),
        Next::Fail(RouteError::InvalidRedirect(RedirectError::InvalidSlot))
    );
}

#[test]
fn connection_errors_retry_only_what_was_not_sent() {
    let mut r = router(RouterConfig { busy_retries: 3, ..RouterConfig::DEFAULT });
    let mut request = route(&r, &["INCR", "n"]).unwrap();
    assert!(matches!(
        r.on_connection_error(&mut request, Delivery::NotSent, Duration::ZERO, 0),
        Next::RetryAfter(_)
    ));
    assert_eq!(r.wants_refresh(Duration::ZERO), Some(RefreshReason::NodeLost));
    assert_eq!(
        r.on_connection_error(&mut request, Delivery::Unknown, Duration::ZERO, 0),
        Next::Fail(RouteError::OutcomeUnknown)
    );
    let mut marked = route(&r, &["GET", "n"]).unwrap().idempotent();
    assert!(matches!(
        r.on_connection_error(&mut marked, Delivery::Unknown, Duration::ZERO, 0),
        Next::RetryAfter(_)
    ));
    // Within the retry budget.
    for _ in 0..2 {
        assert!(matches!(
            r.on_connection_error(&mut marked, Delivery::NotSent, Duration::ZERO, 0),
            Next::RetryAfter(_)
        ));
    }
    assert_eq!(
        r.on_connection_error(&mut marked, Delivery::NotSent, Duration::ZERO, 0),
        Next::Fail(RouteError::Unavailable { last: None })
    );
}

#[test]
fn a_slot_nobody_serves_asks_for_a_refresh_and_the_interval_does_too() {
    let reply = b"*1\r\n*3\r\n:0\r\n:99\r\n*2\r\n$1\r\na\r\n:1\r\n";
    let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
    let map = Map::from_cluster_slots(frame, &Addressing::new("a")).unwrap();
    let mut r = Router::new(map, RouterConfig::DEFAULT);
    let request = route(&r, &["GET", "foo"]).unwrap();
    assert_eq!(port(&mut r, &request), None);
    assert_eq!(r.wants_refresh(Duration::ZERO), Some(RefreshReason::Topology));
    r.refreshed(Duration::from_secs(10));
    assert_eq!(r.wants_refresh(Duration::from_secs(69)), None);
    assert_eq!(r.wants_refresh(Duration::from_secs(70)), Some(RefreshReason::Interval));
    let quiet = Router::new(Map::new(), RouterConfig { refresh_interval: None, ..RouterConfig::DEFAULT });
    assert_eq!(quiet.wants_refresh(Duration::from_secs(1_000_000)), None);
}

#[test]
fn retries_stop_at_the_time_budget_whatever_the_count() {
    let config =
        RouterConfig { busy_retries: 100, retry_budget: Duration::from_secs(1), ..RouterConfig::DEFAULT };
    let mut r = router(config);
    let mut request = route(&r, &["SET", "k", "v"]).unwrap();
    let at = Duration::from_millis;
    // The budget counts from the first failure.
    assert!(matches!(
        r.on_connection_error(&mut request, Delivery::NotSent, at(5_000), 0),
        Next::RetryAfter(_)
    ));
    assert!(matches!(
        r.on_connection_error(&mut request, Delivery::NotSent, at(5_999), 0),
        Next::RetryAfter(_)
    ));
    let loading = Frame::SimpleError(b"LOADING Redis is loading the dataset in memory");
    assert_eq!(
        r.on_reply(&mut request, &loading, FROM, at(6_000), 0),
        Next::Fail(RouteError::Unavailable { last: Some(ServerErrorKind::Loading) })
    );
}

#[test]
fn a_failed_refresh_is_asked_for_again_only_after_the_gap() {
    let mut r = router(RouterConfig::DEFAULT);
    let at = Duration::from_millis;
    r.refreshed(at(0));
    r.refresh_failed(at(1_000));
    assert_eq!(r.wants_refresh(at(1_000)), None);
    assert_eq!(r.wants_refresh(at(1_499)), None);
    assert_eq!(r.wants_refresh(at(1_500)), Some(RefreshReason::NodeLost));
    // A refresh that worked ends the quiet time and the wish.
    r.refresh_failed(at(2_000));
    r.refreshed(at(2_100));
    r.want(RefreshReason::Redirects);
    assert_eq!(r.wants_refresh(at(2_100)), Some(RefreshReason::Redirects));
}

#[test]
fn a_timeout_fails_the_request_at_once_sent_or_not_and_asks_for_a_refresh() {
    let mut r = router(RouterConfig::DEFAULT);
    r.refreshed(Duration::ZERO);
    let request = route(&r, &["GET", "k"]).unwrap();
    assert_eq!(r.on_timeout(), Next::Fail(RouteError::TimedOut));
    assert_eq!(r.wants_refresh(Duration::ZERO), Some(RefreshReason::NodeLost));
    // A timed-out request is not one the router counts toward its retries.
    assert_eq!(request.retries(), 0);
}

#[test]
fn command_slot_refusals_read_as_the_routers() {
    use crate::cluster::SlotError;
    let cases = [
        (SlotError::CrossSlot { command: "rename" }, RouteError::CrossSlot { command: "rename" }),
        (SlotError::EmptyCommand, RouteError::EmptyCommand),
        (SlotError::UnknownCommand, RouteError::UnknownCommand),
        (SlotError::WrongArgCount { command: "get" }, RouteError::InvalidArguments { command: "get" }),
        (SlotError::InvalidKeys { command: "eval" }, RouteError::InvalidArguments { command: "eval" }),
    ];
    for (slot_error, route_error) in cases {
        assert_eq!(RouteError::from(slot_error), route_error);
    }
}

#[test]
fn a_node_whose_role_disagrees_with_the_map_asks_for_a_refresh() {
    let frame = |bytes: &'static [u8]| match decode(bytes) {
        Ok(Decoded::Complete { frame, .. }) => frame,
        other => panic!("{other:?}"),
    };
    let master = frame(b"*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
    let slave = frame(b"*5\r\n$5\r\nslave\r\n$1\r\na\r\n:1\r\n$9\r\nconnected\r\n:0\r\n");
    let cases = [
        // (node, reply, agrees)
        (("a", 1), &master, true),
        (("a", 4), &slave, true),
        (("a", 1), &slave, false),  // a demoted primary
        (("a", 4), &master, false), // a promoted replica
        (("b", 9), &master, true),  // not in the map
    ];
    for (node, reply, agrees) in cases {
        let mut r = router(RouterConfig::DEFAULT);
        r.refreshed(Duration::ZERO);
        assert_eq!(r.on_role(node, reply), agrees, "{node:?} {reply:?}");
        let wanted = r.wants_refresh(Duration::ZERO);
        assert_eq!(wanted, (!agrees).then_some(RefreshReason::Topology), "{node:?}");
    }
    // Not a ROLE reply: no opinion.
    let mut r = router(RouterConfig::DEFAULT);
    r.refreshed(Duration::ZERO);
    assert!(r.on_role(("a", 1), &Frame::SimpleError(b"ERR unknown command 'ROLE'")));
    assert!(r.on_role(("a", 1), &Frame::Integer(1)));
    assert_eq!(r.wants_refresh(Duration::ZERO), None);
}
