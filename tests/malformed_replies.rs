//! A server that sends malformed replies: the client returns a protocol error (or a
//! closed-connection error for a truncated reply), closes that connection, and never
//! reuses it. Nothing panics, hangs or allocates without bound.

use std::time::Duration;

use ferrodis::{Client, ClientBuilder, Delivery, ErrorKind};
use ferrodis_test_support::FakeServer;

/// Replies no real server sends, each written in answer to the first request.
fn hostile_replies() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("lone LF", b"+OK\n".to_vec()),
        ("unknown type byte", b"@garbage\r\n".to_vec()),
        ("negative bulk length", b"$-5\r\n".to_vec()),
        ("bulk length overflowing i64", b"$99999999999999999999\r\n".to_vec()),
        ("bulk beyond 512 MiB", b"$536870913\r\n".to_vec()),
        ("aggregate of 2^40 elements", b"*1099511627776\r\n".to_vec()),
        ("missing CRLF after payload", b"$3\r\nabcXY".to_vec()),
        ("non-digit integer", b":12x\r\n".to_vec()),
        ("bad double", b",1.2.3\r\n".to_vec()),
        ("nesting 100 000 deep", b"*1\r\n".repeat(100_000)),
        ("binary noise", vec![0x00, 0xff, 0xfe, 0x80, 0x7f, b'\r', b'\n']),
        ("map with negative size", b"%-1\r\n".to_vec()),
    ]
}

fn client_for(server: &FakeServer) -> Client {
    ClientBuilder::new()
        .host("127.0.0.1")
        .port(server.port())
        .lib_name(None)
        .lib_version(None)
        .socket_timeout(Duration::from_secs(5))
        .build()
}

/// Answers the first request with `reply`, then reports whether the client closed
/// the connection (the next read sees end of stream).
fn hostile_server(reply: Vec<u8>) -> (FakeServer, std::sync::mpsc::Receiver<bool>) {
    let (closed_tx, closed) = std::sync::mpsc::channel();
    let server = FakeServer::start(move |mut conn| {
        conn.read_request()?;
        conn.write(&reply)?;
        let saw_eof = matches!(conn.read_request(), Ok(None) | Err(_));
        let _ = closed_tx.send(saw_eof);
        Ok(())
    });
    (server, closed)
}

#[test]
fn blocking_connection_reports_a_protocol_error_and_closes() {
    for (name, reply) in hostile_replies() {
        let (server, closed) = hostile_server(reply);
        let mut conn = client_for(&server).get_connection().expect("connect");
        let err = conn.request_with(&["GET".into(), "k".into()], |_| ()).expect_err(name);
        assert!(matches!(err.kind(), ErrorKind::Decode(_)), "{name}: {err}");
        assert_eq!(err.delivery(), Delivery::Unknown, "{name}");
        assert!(conn.is_broken(), "{name}");
        let again = conn.request_with(&["PING".into()], |_| ()).expect_err(name);
        assert!(matches!(again.kind(), ErrorKind::Broken), "{name}: {again}");
        assert_eq!(again.delivery(), Delivery::NotSent, "{name}");
        assert_eq!(closed.recv_timeout(Duration::from_secs(5)), Ok(true), "{name}: socket not closed");
    }
}

#[test]
fn blocking_connection_reports_a_truncated_reply_as_closed() {
    let server = FakeServer::start(|mut conn| {
        conn.read_request()?;
        conn.write(b"$10\r\nabc")?;
        conn.close();
        Ok(())
    });
    let mut conn = client_for(&server).get_connection().expect("connect");
    let err = conn.request_with(&["GET".into(), "k".into()], |_| ()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Closed), "{err}");
    assert_eq!(err.delivery(), Delivery::Unknown);
    assert!(conn.is_broken());
}

#[test]
fn multiplexed_connection_reports_a_protocol_error_and_closes() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    for (name, reply) in hostile_replies() {
        let (server, closed) = hostile_server(reply);
        runtime.block_on(async {
            let conn = client_for(&server).get_multiplexed_connection().await.expect("connect");
            let err = conn.request_with(&["GET".into(), "k".into()], |_| ()).await.expect_err(name);
            assert!(matches!(err.kind(), ErrorKind::Decode(_)), "{name}: {err}");
            assert_eq!(err.delivery(), Delivery::Unknown, "{name}");
            assert!(conn.is_closed(), "{name}");
            let again = conn.request_with(&["PING".into()], |_| ()).await.expect_err(name);
            assert!(matches!(again.kind(), ErrorKind::Broken), "{name}: {again}");
            assert_eq!(again.delivery(), Delivery::NotSent, "{name}");
        });
        assert_eq!(closed.recv_timeout(Duration::from_secs(5)), Ok(true), "{name}: socket not closed");
    }
}
