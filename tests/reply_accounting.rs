//! Commands that change what the server answers keep every later reply with its own
//! request: subscriptions (one confirmation per channel, on RESP3 as push frames),
//! `UNSUBSCRIBE` without channels (one confirmation per subscription), `CLIENT REPLY SKIP`
//! and `OFF` (no reply at all), `MONITOR` (a stream of lines until `RESET`). On the shared
//! multiplexed connection the ones that would change the state for every task are refused
//! before anything is sent. Against a real redis-server.

use std::net::TcpStream;
use std::time::Duration;

use embedded_io_adapters::std::FromStd;
use ferrodis::core::conn::blocking::Connection as CoreConnection;
use ferrodis::core::conn::{Handshake, Protocol, Received};
use ferrodis::{ClientBuilder, Delivery, ErrorKind, Frame};
use ferrodis_test_support::RedisServer;

/// A connection of the std adapter that gives up on a reply after 2 s (so a reply that
/// never comes fails the test instead of hanging it).
fn client(server: &RedisServer, protocol: Protocol) -> ferrodis::Client {
    ClientBuilder::new()
        .host(server.host())
        .port(server.port())
        .protocol(protocol)
        .socket_timeout(Duration::from_secs(2))
        .build()
}

/// The frame as its `Debug` text: `BulkString("v")`, `Push([BulkString("subscribe"), ...])`.
fn text(frame: &Frame<'_>) -> String {
    format!("{frame:?}")
}

#[test]
fn resp3_subscribe_then_get_gives_the_get_its_own_value_blocking() {
    let server = RedisServer::start();
    let mut conn = client(&server, Protocol::Resp3).get_connection().unwrap();
    conn.request_with(&["SET".into(), "k".into(), "v".into()], |_| ()).unwrap();
    let last = conn.request_with(&["SUBSCRIBE".into(), "a".into(), "b".into()], |f| text(&f)).unwrap();
    assert_eq!(last, r#"Push([BulkString("subscribe"), BulkString("b"), Integer(2)])"#);
    server.redis_cli(&["PUBLISH", "a", "a message for the push handler"]);
    let value = conn.request_with(&["GET".into(), "k".into()], |f| text(&f)).unwrap();
    assert_eq!(value, r#"BulkString("v")"#);
    let value = conn.request_with(&["ECHO".into(), "after".into()], |f| text(&f)).unwrap();
    assert_eq!(value, r#"BulkString("after")"#);
}

#[test]
fn resp3_subscribe_then_get_gives_the_get_its_own_value_multiplexed() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let (tx, mut pushes) = tokio::sync::mpsc::unbounded_channel();
        let conn = client(&server, Protocol::Resp3)
            .get_multiplexed_connection_with_push(move |frame| {
                let _ = tx.send(text(&frame));
            })
            .await
            .unwrap();
        conn.request_with(&["SET".into(), "k".into(), "v".into()], |_| ()).await.unwrap();
        // Other tasks' requests go out next to the subscription.
        let subscribe: [ferrodis::Arg<'_>; 3] = ["SUBSCRIBE".into(), "a".into(), "b".into()];
        let get: [ferrodis::Arg<'_>; 2] = ["GET".into(), "k".into()];
        let (subscribed, value) =
            tokio::join!(conn.request_with(&subscribe, |f| text(&f)), conn.request_with(&get, |f| text(&f)));
        assert!(subscribed.unwrap().contains("\"b\""));
        assert_eq!(value.unwrap(), r#"BulkString("v")"#);
        server.redis_cli(&["PUBLISH", "a", "hello"]);
        let message = tokio::time::timeout(Duration::from_secs(2), pushes.recv()).await.unwrap().unwrap();
        assert!(message.contains("message") && message.contains("hello"), "{message}");
        let value = conn.request_with(&["GET".into(), "k".into()], |f| text(&f)).await.unwrap();
        assert_eq!(value, r#"BulkString("v")"#);
        let unsubscribed = conn.request_with(&["UNSUBSCRIBE".into()], |f| text(&f)).await.unwrap();
        assert!(unsubscribed.contains("unsubscribe"), "{unsubscribed}");
        let pong = conn.request_with(&["PING".into()], |f| text(&f)).await.unwrap();
        assert_eq!(pong, text(&Frame::SimpleString(b"PONG")));
    });
}

#[test]
fn resp2_subscribe_two_and_unsubscribe_all_keep_the_count() {
    let server = RedisServer::start();
    let mut conn = client(&server, Protocol::Resp2).get_connection().unwrap();
    conn.request_with(&["SET".into(), "k".into(), "v".into()], |_| ()).unwrap();
    let count = |conn: &mut ferrodis::Connection, args: &[&str]| -> String {
        let args: Vec<ferrodis::Arg<'_>> = args.iter().map(|a| (*a).into()).collect();
        conn.request_with(&args, |f| text(&f)).unwrap()
    };
    // The last confirmation of each command, with the server's count after it.
    assert_eq!(
        count(&mut conn, &["SUBSCRIBE", "a", "b"]),
        r#"Push([BulkString("subscribe"), BulkString("b"), Integer(2)])"#
    );
    assert_eq!(
        count(&mut conn, &["PSUBSCRIBE", "p*"]),
        r#"Push([BulkString("psubscribe"), BulkString("p*"), Integer(3)])"#
    );
    // A subscribed RESP2 connection answers PING with an array.
    assert_eq!(count(&mut conn, &["PING"]), r#"Array([BulkString("pong"), BulkString("")])"#);
    // Both channels go, one confirmation each; the pattern stays.
    assert!(count(&mut conn, &["UNSUBSCRIBE"]).ends_with("Integer(1)])"));
    // Nothing left to unsubscribe from: one confirmation with a null channel.
    assert_eq!(
        count(&mut conn, &["UNSUBSCRIBE"]),
        r#"Push([BulkString("unsubscribe"), NullBulkString, Integer(1)])"#
    );
    assert_eq!(
        count(&mut conn, &["PUNSUBSCRIBE"]),
        r#"Push([BulkString("punsubscribe"), BulkString("p*"), Integer(0)])"#
    );
    // Out of subscribed mode: ordinary replies again, each its own.
    assert_eq!(count(&mut conn, &["GET", "k"]), r#"BulkString("v")"#);
    assert_eq!(count(&mut conn, &["PING"]), text(&Frame::SimpleString(b"PONG")));
}

#[test]
fn client_reply_skip_and_off_are_accounted_for() {
    let server = RedisServer::start();
    let mut conn = client(&server, Protocol::Resp2).get_connection().unwrap();
    let request = |conn: &mut ferrodis::Connection, args: &[&str]| -> String {
        let args: Vec<ferrodis::Arg<'_>> = args.iter().map(|a| (*a).into()).collect();
        conn.request_with(&args, |f| text(&f)).unwrap()
    };
    // A command the server does not answer completes once written.
    assert_eq!(request(&mut conn, &["CLIENT", "REPLY", "SKIP"]), "Null");
    assert_eq!(request(&mut conn, &["SET", "k", "skipped"]), "Null");
    assert_eq!(request(&mut conn, &["GET", "k"]), r#"BulkString("skipped")"#);
    assert_eq!(request(&mut conn, &["CLIENT", "REPLY", "OFF"]), "Null");
    assert_eq!(request(&mut conn, &["SET", "k", "silent"]), "Null");
    assert_eq!(request(&mut conn, &["CLIENT", "REPLY", "ON"]), r#"SimpleString("OK")"#);
    assert_eq!(request(&mut conn, &["GET", "k"]), r#"BulkString("silent")"#);
}

#[test]
fn monitor_lines_come_apart_from_replies_until_reset() {
    let server = RedisServer::start();
    let tcp = TcpStream::connect(server.addr()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let (mut rx, mut tx) = ([0u8; 1024], [0u8; 256]);
    let mut conn = CoreConnection::new(FromStd::new(tcp), &mut rx[..], &mut tx[..]);
    conn.handshake(&Handshake::DEFAULT).unwrap();
    assert_eq!(conn.request(&["MONITOR".into()]).unwrap(), Frame::SimpleString(b"OK"));
    server.redis_cli(&["SET", "watched", "1"]);
    let line = loop {
        match conn.receive().unwrap() {
            Received::Monitor(line) if line.windows(9).any(|w| w == b"\"watched\"") => break line.to_vec(),
            Received::Monitor(_) => {}
            other => panic!("{other:?}"),
        }
    };
    assert!(line.windows(5).any(|w| w == b"\"SET\""), "{}", line.escape_ascii());
    // A command on the monitoring connection is answered between the lines.
    assert_eq!(conn.request(&["PING".into()]).unwrap(), Frame::SimpleString(b"PONG"));
    assert_eq!(conn.request(&["RESET".into()]).unwrap(), Frame::SimpleString(b"RESET"));
    assert!(!conn.engine().is_monitoring());
    assert_eq!(conn.request(&["GET".into(), "watched".into()]).unwrap(), Frame::BulkString(b"1"));
}

#[test]
fn the_multiplexed_connection_refuses_what_would_change_every_tasks_replies() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let conn = client(&server, Protocol::Resp2).get_multiplexed_connection().await.unwrap();
        for args in [
            &["MONITOR"][..],
            &["CLIENT", "REPLY", "SKIP"],
            &["SUBSCRIBE", "a"],
            &["SELECT", "1"],
            &["MULTI"],
            &["WATCH", "k"],
        ] {
            let args: Vec<ferrodis::Arg<'_>> = args.iter().map(|a| (*a).into()).collect();
            let e = conn.request_with(&args, |_| ()).await.unwrap_err();
            assert!(matches!(e.kind(), ErrorKind::Refused(_)), "{args:?}: {e}");
            assert_eq!(e.delivery(), Delivery::NotSent, "{args:?}");
            assert!(e.to_string().contains("dedicated connection"), "{e}");
        }
        // Nothing of it reached the server, and the connection is still in step.
        let value = conn.request_with(&["ECHO".into(), "fine".into()], |f| text(&f)).await.unwrap();
        assert_eq!(value, r#"BulkString("fine")"#);
        let monitors = server.redis_cli(&["CLIENT", "LIST", "TYPE", "REPLICA"]);
        assert!(!monitors.contains("cmd=monitor"), "{monitors}");
    });
}
