//! `pipeline_write` then `pipeline_replies`: a pipeline in two halves, so a driver with
//! pipelines for several servers (the cluster client) writes them all before it reads a
//! reply. Over the in-memory harness: both servers have every command before either
//! connection reads; each gets its own replies, in order; an operation in between takes
//! the connection and the abandoned replies fail with an unknown outcome, never given to
//! the wrong caller.

use ferrodis_core::conn::blocking;
use ferrodis_core::resp::{Arg, Frame, command_len};
use ferrodis_core::{Delivery, ErrorKind};
use ferrodis_test_support::harness::Loopback;

/// `SET <prefix><i> <i>` for each `i` below `n`, as owned texts.
fn sets(prefix: &str, n: usize) -> Vec<(String, String)> {
    (0..n).map(|i| (format!("{prefix}{i}"), i.to_string())).collect()
}

fn args(pairs: &[(String, String)]) -> Vec<[Arg<'_>; 3]> {
    pairs.iter().map(|(k, v)| [Arg::from("SET"), Arg::from(k.as_str()), Arg::from(v.as_str())]).collect()
}

fn refs<'a, 'b>(cmds: &'a [[Arg<'b>; 3]]) -> Vec<&'a [Arg<'b>]> {
    cmds.iter().map(|c| &c[..]).collect()
}

#[test]
fn two_servers_get_their_pipelines_before_either_reply_is_read() {
    let (left, left_server) = Loopback::new();
    let (right, right_server) = Loopback::new();
    let (mut rx1, mut tx1, mut rx2, mut tx2) = ([0u8; 256], [0u8; 256], [0u8; 256], [0u8; 256]);
    let mut a = blocking::Connection::new(left, &mut rx1[..], &mut tx1[..]);
    let mut b = blocking::Connection::new(right, &mut rx2[..], &mut tx2[..]);

    let (pairs_a, pairs_b) = (sets("a", 20), sets("b", 30));
    let (on_a, on_b) = (args(&pairs_a), args(&pairs_b));
    let (cmds_a, cmds_b) = (refs(&on_a), refs(&on_b));
    let written_a = a.pipeline_write(&cmds_a).unwrap().expect("commands to write");
    let written_b = b.pipeline_write(&cmds_b).unwrap().expect("commands to write");
    // Every byte of both pipelines is out, and neither connection has read yet.
    for (server, cmds) in [(&left_server, &cmds_a), (&right_server, &cmds_b)] {
        let counters = server.counters();
        assert_eq!(counters.bytes_written, cmds.iter().copied().map(command_len).sum::<usize>());
        assert_eq!(
            (counters.read_calls, counters.bytes_read),
            (0, 0),
            "no reply read before both are written"
        );
    }

    let mut replies_b = Vec::new();
    b.pipeline_replies(written_b, |i, frame| replies_b.push((i, frame == Frame::SimpleString(b"OK"))))
        .unwrap();
    let mut replies_a = Vec::new();
    a.pipeline_replies(written_a, |i, frame| replies_a.push((i, frame == Frame::SimpleString(b"OK"))))
        .unwrap();
    assert_eq!(replies_a, (0..20).map(|i| (i, true)).collect::<Vec<_>>());
    assert_eq!(replies_b, (0..30).map(|i| (i, true)).collect::<Vec<_>>());
    assert_eq!(a.request(&["GET".into(), "a7".into()]).unwrap(), Frame::BulkString(b"7"));
    assert_eq!((left_server.redis().count("SET"), right_server.redis().count("SET")), (20, 30));

    let none: [&[Arg<'_>]; 0] = [];
    assert!(a.pipeline_write(&none).unwrap().is_none());
}

#[test]
fn an_operation_in_between_takes_the_connection_and_the_replies_are_abandoned() {
    let (transport, server) = Loopback::new();
    let (mut rx, mut tx) = ([0u8; 256], [0u8; 256]);
    let mut conn = blocking::Connection::new(transport, &mut rx[..], &mut tx[..]);
    let pairs = [("k".to_owned(), "1".to_owned()), ("k".to_owned(), "2".to_owned())];
    let cmds = args(&pairs);
    let written = conn.pipeline_write(&refs(&cmds)).unwrap().unwrap();

    // The request in between gets its own reply, not the pipeline's.
    assert_eq!(conn.request(&["ECHO".into(), "mine".into()]).unwrap(), Frame::BulkString(b"mine"));
    let mut called = false;
    let e = conn.pipeline_replies(written, |_, _| called = true).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Broken) && e.delivery() == Delivery::Unknown, "{e}");
    assert!(!called);
    assert_eq!(server.redis().count("SET"), 2, "the commands were written: their outcome is unknown");
    assert_eq!(conn.request(&["GET".into(), "k".into()]).unwrap(), Frame::BulkString(b"2"));
}
