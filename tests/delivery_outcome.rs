//! Errors tell the caller what became of the request: not sent (safe to retry), sent with
//! the outcome unknown (the connection died after the write), or answered with a server
//! error.

use std::time::Duration;

use ferrodis::{ClientBuilder, Delivery, ErrorKind, ServerErrorKind};
use ferrodis_test_support::{FakeServer, RedisServer, free_port};

#[test]
fn nothing_listening_means_not_sent() {
    let client = ClientBuilder::new().host("127.0.0.1").port(free_port()).build();
    let err = client.get_connection().err().expect("nobody listens");
    assert_eq!(err.delivery(), Delivery::NotSent, "{err}");
    assert!(err.is_retry_safe());
}

#[test]
fn a_connection_that_dies_after_the_write_means_outcome_unknown() {
    // The server reads the request, then hangs up without answering.
    let server = FakeServer::start(|mut conn| {
        conn.read_request()?;
        conn.close();
        Ok(())
    });
    let client = ClientBuilder::new()
        .host("127.0.0.1")
        .port(server.port())
        .lib_name(None)
        .lib_version(None)
        .socket_timeout(Duration::from_secs(5))
        .build();
    let mut conn = client.get_connection().unwrap();
    let err = conn.request_with(&["INCR".into(), "counter".into()], |_| ()).unwrap_err();
    assert_eq!(err.delivery(), Delivery::Unknown, "{err}");
    assert!(!err.is_retry_safe());
    assert!(matches!(err.kind(), ErrorKind::Closed), "{err}");
    // The broken connection refuses further requests before sending anything.
    let err = conn.request_with(&["INCR".into(), "counter".into()], |_| ()).unwrap_err();
    assert_eq!(err.delivery(), Delivery::NotSent, "{err}");
}

#[test]
fn a_server_error_means_answered() {
    let server = RedisServer::start();
    let mut conn =
        ClientBuilder::new().host(server.host()).port(server.port()).build().get_connection().unwrap();
    conn.request_with(&["SET".into(), "s".into(), "text".into()], |_| ()).unwrap();
    let err = conn.request_with(&["INCR".into(), "s".into()], |_| ()).unwrap_err();
    assert_eq!(err.delivery(), Delivery::Answered, "{err}");
    assert_eq!(err.server_kind(), Some(ServerErrorKind::Err));
    assert!(err.server_error().unwrap().to_string().contains("not an integer"), "{err}");
    assert!(!conn.is_broken(), "an error reply leaves the connection usable");
}
