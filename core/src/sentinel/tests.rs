//! Master discovery against scripted sentinels: stale views, split views, sentinels that do
//! not answer, too few peers, a switch during discovery; both RESP2 and RESP3 replies.

use std::format;
use std::string::String;
use std::string::ToString;
use std::vec;
use std::vec::Vec;

use super::*;
use crate::reply::ServerRole;
use crate::resp::{Decoded, Frame, decode};

/// A node state as a sentinel sends it: a RESP2 flat array, or with `resp3` a map.
fn state(fields: &[(&str, &str)], resp3: bool) -> Vec<u8> {
    let mut wire =
        format!("{}{}\r\n", if resp3 { '%' } else { '*' }, fields.len() * if resp3 { 1 } else { 2 });
    for (key, value) in fields {
        wire += &format!("${}\r\n{key}\r\n${}\r\n{value}\r\n", key.len(), value.len());
    }
    wire.into_bytes()
}

fn master(host: &str, port: u16, flags: &str, others: u32, resp3: bool) -> Vec<u8> {
    let (port, others) = (port.to_string(), others.to_string());
    state(
        &[
            ("name", "mymaster"),
            ("ip", host),
            ("port", &port),
            ("flags", flags),
            ("num-other-sentinels", &others),
        ],
        resp3,
    )
}

fn frame(wire: &[u8]) -> Frame<'_> {
    match decode(wire) {
        Ok(Decoded::Complete { frame, .. }) => frame,
        other => panic!("{other:?}"),
    }
}

/// What a scripted sentinel does when asked.
enum Script {
    Silent,
    Says(Vec<u8>),
}

/// A discovery's master, what each sentinel said, and the sentinels asked, in order.
type Outcome = (Option<(String, u16)>, Vec<(usize, Verdict)>, Vec<usize>);

/// Runs one discovery as a driver would: each sentinel asked in the discovery's order;
/// the one that gave the master is promoted.
fn discover<const N: usize>(order: &mut SentinelOrder<N>, sentinels: &[Script], min_other: u32) -> Outcome {
    let mut discovery = MasterDiscovery::new(order, min_other);
    let mut asked = Vec::new();
    let mut found = None;
    while let Some(i) = discovery.next() {
        asked.push(i);
        match &sentinels[i] {
            Script::Silent => discovery.on_no_answer(),
            Script::Says(wire) => {
                if let Some(m) = discovery.on_reply(&frame(wire)) {
                    found = Some((m.host.into(), m.port));
                    order.promote(i);
                }
            }
        }
    }
    (found, discovery.verdicts().collect(), asked)
}

#[test]
fn the_first_sentinel_with_a_good_view_gives_the_master_and_moves_to_the_front() {
    for resp3 in [false, true] {
        let mut order = SentinelOrder::<4>::new(3);
        let sentinels = [
            Script::Silent,                                                    // times out
            Script::Says(master("10.0.0.1", 6379, "s_down,master", 2, resp3)), // stale: holds it down
            Script::Says(master("10.0.0.2", 6380, "master", 2, resp3)),
        ];
        let (found, verdicts, asked) = discover(&mut order, &sentinels, 0);
        assert_eq!(found, Some(("10.0.0.2".into(), 6380)), "resp3 {resp3}");
        assert_eq!(asked, [0, 1, 2]);
        assert_eq!(verdicts, [(0, Verdict::NoAnswer), (1, Verdict::Down), (2, Verdict::Accepted)]);
        assert_eq!(order.iter().collect::<Vec<_>>(), [2, 0, 1]);
        // The next discovery asks the one that answered first, and stops there.
        let (found, _, asked) = discover(&mut order, &sentinels, 0);
        assert_eq!((found, asked), (Some(("10.0.0.2".into(), 6380)), vec![2]));
    }
}

#[test]
fn split_views_a_stale_replica_view_and_an_objectively_down_master_are_passed_over() {
    let mut order = SentinelOrder::<3>::new(3);
    let sentinels = [
        // The old master, demoted: this sentinel's view is stale.
        Script::Says(master("10.0.0.1", 6379, "slave", 2, false)),
        Script::Says(master("10.0.0.1", 6379, "o_down,master", 2, false)),
        Script::Says(master("10.0.0.2", 6380, "master", 2, false)),
    ];
    let (found, verdicts, _) = discover(&mut order, &sentinels, 0);
    assert_eq!(found, Some(("10.0.0.2".into(), 6380)));
    assert_eq!(verdicts[..2], [(0, Verdict::NotMaster), (1, Verdict::Down)]);
}

#[test]
fn min_other_sentinels_not_met_anywhere_is_master_not_found_with_each_verdict() {
    let mut order = SentinelOrder::<3>::new(3);
    let sentinels = [
        Script::Says(master("10.0.0.1", 6379, "master", 0, true)),
        Script::Says(b"-ERR No such master with that name\r\n".to_vec()),
        Script::Says(b"-NOAUTH Authentication required.\r\n".to_vec()),
    ];
    let (found, verdicts, asked) = discover(&mut order, &sentinels, 1);
    assert_eq!((found, asked), (None, vec![0, 1, 2]));
    assert_eq!(
        verdicts,
        [(0, Verdict::TooFewSentinels { known: 0 }), (1, Verdict::UnknownService), (2, Verdict::Refused)]
    );
    assert_eq!(order.iter().collect::<Vec<_>>(), [0, 1, 2], "no sentinel promoted");
    // With the bound met, the first gives it.
    let (found, ..) = discover(&mut order, &sentinels, 0);
    assert_eq!(found, Some(("10.0.0.1".into(), 6379)));
}

#[test]
fn every_sentinel_silent_or_unreadable_is_not_found() {
    let mut order = SentinelOrder::<2>::new(2);
    let sentinels = [Script::Silent, Script::Says(b"*2\r\n$2\r\nip\r\n$8\r\n10.0.0.1\r\n".to_vec())];
    let (found, verdicts, _) = discover(&mut order, &sentinels, 0);
    assert_eq!(found, None);
    assert_eq!(verdicts, [(0, Verdict::NoAnswer), (1, Verdict::BadReply(StateError::Missing("port")))]);
    let integer = [Script::Says(b":1\r\n".to_vec())];
    let (_, verdicts, _) = discover(&mut SentinelOrder::<1>::new(1), &integer, 0);
    assert_eq!(verdicts, [(0, Verdict::BadReply(StateError::NotAMap))]);
}

#[test]
fn a_switch_during_discovery_is_followed_by_discovering_again() {
    // Mid-failover: the first sentinel still names the old master, which ROLE shows is a
    // replica now; the switch event names the new one, and the next discovery finds it.
    let mut order = SentinelOrder::<2>::new(2);
    let before = [Script::Says(master("10.0.0.1", 6379, "master", 1, false)), Script::Silent];
    let (found, ..) = discover(&mut order, &before, 1);
    assert_eq!(found, Some(("10.0.0.1".into(), 6379)));
    let role = frame(b"*5\r\n$5\r\nslave\r\n$8\r\n10.0.0.2\r\n:6380\r\n$9\r\nconnected\r\n:0\r\n");
    assert_eq!(ServerRole::of(&role), Some(ServerRole::Replica), "the view was stale: discover again");

    let message =
        b"*3\r\n$7\r\nmessage\r\n$14\r\n+switch-master\r\n$36\r\nmymaster 10.0.0.1 6379 10.0.0.2 6380\r\n";
    let event = SwitchMaster::of_message(&frame(message)).unwrap();
    assert_eq!((event.service, event.old, event.new), ("mymaster", ("10.0.0.1", 6379), ("10.0.0.2", 6380)));
    let after = [Script::Says(master("10.0.0.2", 6380, "master", 1, false)), Script::Silent];
    let (found, ..) = discover(&mut order, &after, 1);
    assert_eq!(found, Some(("10.0.0.2".into(), 6380)));
}

#[test]
fn switch_events_are_read_from_messages_and_pmessages_only() {
    let payload = "m a 1 b 2";
    let pmessage = format!(
        ">4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$14\r\n+switch-master\r\n${}\r\n{payload}\r\n",
        payload.len()
    );
    let event = SwitchMaster::of_message(&frame(pmessage.as_bytes())).unwrap();
    assert_eq!((event.old, event.new), (("a", 1), ("b", 2)));
    let other_channel = format!("*3\r\n$7\r\nmessage\r\n$5\r\n+sdow\r\n${}\r\n{payload}\r\n", payload.len());
    assert_eq!(SwitchMaster::of_message(&frame(other_channel.as_bytes())), None);
    assert_eq!(SwitchMaster::of_message(&frame(b"+OK\r\n")), None);
    for bad in [&b""[..], b"m a x b 2", b"m a 1 b 2 extra", b"m  a 1 b 2", b"\xff a 1 b 2"] {
        assert_eq!(SwitchMaster::parse(bad), None, "{}", bad.escape_ascii());
    }
}

#[test]
fn listings_keep_the_nodes_that_serve() {
    let replica = |port: &str, flags: &str, link: &str| {
        state(&[("ip", "10.0.0.9"), ("port", port), ("flags", flags), ("master-link-status", link)], false)
    };
    let entries = [
        replica("1", "slave", "ok"),
        replica("2", "s_down,slave", "ok"),
        replica("3", "slave,disconnected", "ok"),
        replica("4", "slave", "err"),
        replica("5", "o_down,slave", "ok"),
        replica("6", "slave", "ok"),
    ];
    let mut wire = format!("*{}\r\n", entries.len()).into_bytes();
    for entry in &entries {
        wire.extend_from_slice(entry);
    }
    let reply = frame(&wire);
    let ports: Vec<u16> = serving_replicas(&reply).unwrap().map(|n| n.unwrap().port).collect();
    // 4's link is down as the sentinel last saw it: it is kept (see `is_healthy`).
    assert_eq!(ports, [1, 4, 6]);
    assert_eq!(
        serving_replicas(&frame(b"-ERR No such master with that name\r\n")).err(),
        Some(StateError::NotAMap)
    );
    let bad = frame(b"*1\r\n*2\r\n$2\r\nip\r\n$1\r\nx\r\n");
    assert_eq!(serving_replicas(&bad).unwrap().next(), Some(Err(StateError::Missing("port"))));
    assert_eq!(replicas_command("s")[1], crate::resp::Arg::from("REPLICAS"));
    assert_eq!(sentinels_command("s")[1], crate::resp::Arg::from("SENTINELS"));

    // A sentinel the one asked has no link to yet is kept; one it holds for down is not.
    let sentinel =
        |port: &str, flags: &str| state(&[("ip", "10.0.0.8"), ("port", port), ("flags", flags)], true);
    let mut wire = b"*3\r\n".to_vec();
    for entry in
        [sentinel("1", "sentinel,disconnected"), sentinel("2", "s_down,sentinel"), sentinel("3", "sentinel")]
    {
        wire.extend_from_slice(&entry);
    }
    let reply = frame(&wire);
    let ports: Vec<u16> = known_sentinels(&reply).unwrap().map(|n| n.unwrap().port).collect();
    assert_eq!(ports, [1, 3]);
}

#[test]
fn an_order_keeps_at_most_its_capacity_and_promotes_in_place() {
    let mut order = SentinelOrder::<3>::new(5);
    assert_eq!(order.len(), 3);
    order.promote(2);
    order.promote(7); // not one of them: nothing moves
    assert_eq!(order.iter().collect::<Vec<_>>(), [2, 0, 1]);
    assert!(SentinelOrder::<3>::new(0).is_empty());
    assert_eq!(MasterDiscovery::new(&SentinelOrder::<3>::new(0), 0).next(), None);
}
