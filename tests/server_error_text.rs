//! An error reply reaches the caller whole, however long, on every path (request,
//! streaming read, transaction, multiplexed), and the error says where it came from
//! through `source()`.

use std::error::Error as _;

use ferrodis::{ClientBuilder, CmdQuery, ErrorKind, ServerError, ServerErrorKind, cmd};
use ferrodis_test_support::RedisServer;

/// A 300-byte error message: longer than anything a fixed-size error could keep.
fn long_message() -> String {
    (0..30).map(|i| format!("detail-{i:03}")).collect::<Vec<_>>().join(" ")[..300].to_owned()
}

/// `EVAL` that answers with the error `MYERR <message>`.
fn failing_script(message: &str) -> ferrodis::Cmd {
    cmd("EVAL").with_arg(format!("return redis.error_reply('MYERR {message}')")).with_arg(0)
}

fn assert_whole(e: &ServerError, message: &str) {
    assert_eq!(e.kind(), ServerErrorKind::Other);
    assert_eq!(e.code(), b"MYERR");
    assert_eq!(e.message(), message.as_bytes(), "the message was cut");
    assert!(!e.is_truncated());
}

#[test]
fn a_long_error_reply_is_kept_whole_on_a_blocking_connection() {
    let server = RedisServer::start();
    let client = ClientBuilder::new().host(server.host()).port(server.port()).build();
    let mut conn = client.get_connection().unwrap();
    let message = long_message();
    let script = failing_script(&message);

    let e = conn.request_with(&script, |_| ()).unwrap_err();
    assert_whole(e.server_error().expect("a server error"), &message);

    // The streaming read goes through core's connection: the text survives the wrap.
    let e = conn.request_streaming(&script, &mut Vec::new()).unwrap_err();
    assert_whole(e.server_error().expect("a server error"), &message);
    let source = e.source().expect("a server error has a source");
    assert_eq!(source.to_string(), format!("MYERR {message}"));

    let e = script.query::<()>(&mut conn).unwrap_err();
    assert_whole(e.server_error().expect("a server error"), &message);
    assert!(!conn.is_broken());
}

#[test]
fn a_long_error_reply_is_kept_whole_on_a_multiplexed_connection() {
    let server = RedisServer::start();
    let client = ClientBuilder::new().host(server.host()).port(server.port()).build();
    let message = long_message();
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let conn = client.get_multiplexed_connection().await.unwrap();
        let e = failing_script(&message).query_async::<()>(&conn).await.unwrap_err();
        assert_whole(e.server_error().expect("a server error"), &message);
    });
}

#[test]
fn every_error_kind_with_a_cause_gives_it_as_source() {
    let server = RedisServer::start();
    let client = ClientBuilder::new().host(server.host()).port(server.port()).build();
    let mut conn = client.get_connection().unwrap();
    let e = cmd("NOSUCHCOMMAND").query::<()>(&mut conn).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Server(_)), "{e}");
    let source = e.source().expect("the server error");
    assert!(source.downcast_ref::<ServerError>().is_some(), "{source:?}");

    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let conn = client.get_multiplexed_connection().await.unwrap();
        // A refusal (nothing sent) says why through its source as well.
        let e = cmd("SELECT").with_arg(1).query_async::<()>(&conn).await.unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Refused(_)), "{e}");
        let source = e.source().expect("the refusal");
        assert!(source.downcast_ref::<ferrodis::core::conn::engine::Refusal>().is_some(), "{source:?}");
    });
}
