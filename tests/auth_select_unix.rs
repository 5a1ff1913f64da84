//! The handshake against real servers: AUTH with an ACL user, a wrong password, SELECT,
//! a unix socket, client name and RESP3, through builder and URL alike.

use ferrodis::{Client, ClientBuilder, Frame, Protocol, ServerErrorKind};
use ferrodis_test_support::{RedisServer, ServerKind};

fn text_of(frame: Frame<'_>) -> String {
    match frame {
        Frame::BulkString(b) | Frame::SimpleString(b) => String::from_utf8_lossy(b).into_owned(),
        Frame::VerbatimString { text, .. } => String::from_utf8_lossy(text).into_owned(),
        other => format!("{other:?}"),
    }
}

#[test]
fn an_acl_user_authenticates_in_resp2_and_resp3() {
    let server = RedisServer::builder().acl_user("app", "app-pass").start();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let client = ClientBuilder::new()
            .host(server.host())
            .port(server.port())
            .username("app")
            .password("app-pass")
            .client_name("ferrodis-test")
            .protocol(protocol)
            .build();
        let mut conn = client.get_connection().unwrap();
        let who = conn.request_with(&["ACL".into(), "WHOAMI".into()], text_of).unwrap();
        assert_eq!(who, "app");
        let name = conn.request_with(&["CLIENT".into(), "GETNAME".into()], text_of).unwrap();
        assert_eq!(name, "ferrodis-test");
        let info = conn.request_with(&["CLIENT".into(), "INFO".into()], text_of).unwrap();
        let resp = if protocol == Protocol::Resp3 { "resp=3" } else { "resp=2" };
        assert!(info.contains(resp), "{info}");
    }
    let url = format!("redis://app:app-pass@{}:{}/0", server.host(), server.port());
    let mut conn = Client::open(&url).unwrap().get_connection().unwrap();
    assert_eq!(conn.request_with(&["ACL".into(), "WHOAMI".into()], text_of).unwrap(), "app");
}

#[test]
fn a_wrong_password_is_a_clear_wrongpass_error() {
    let server = RedisServer::builder().password("right").acl_user("app", "app-pass").start();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let wrong =
            ClientBuilder::new().host(server.host()).port(server.port()).password("wrong").protocol(protocol);
        let err = wrong.build().get_connection().err().expect("a wrong password must fail");
        assert_eq!(err.server_kind(), Some(ServerErrorKind::WrongPass), "{err}");
        let wrong_user = ClientBuilder::new()
            .host(server.host())
            .port(server.port())
            .username("app")
            .password("nope")
            .protocol(protocol);
        let err = wrong_user.build().get_connection().err().expect("a wrong user password must fail");
        assert_eq!(err.server_kind(), Some(ServerErrorKind::WrongPass), "{err}");
    }
    // No password at all: the first command is refused with NOAUTH.
    let mut conn =
        ClientBuilder::new().host(server.host()).port(server.port()).build().get_connection().unwrap();
    let err = conn.request_with(&["GET".into(), "k".into()], |_| ()).unwrap_err();
    assert_eq!(err.server_kind(), Some(ServerErrorKind::NoAuth), "{err}");
}

#[test]
fn select_isolates_databases() {
    let server = RedisServer::start();
    let db = |n| ClientBuilder::new().host(server.host()).port(server.port()).db(n).build();
    let mut one = db(1).get_connection().unwrap();
    let mut zero = db(0).get_connection().unwrap();
    one.request_with(&["SET".into(), "where".into(), "db1".into()], |_| ()).unwrap();
    let in_zero = zero.request_with(&["EXISTS".into(), "where".into()], |f| f == Frame::Integer(1)).unwrap();
    assert!(!in_zero);
    let url = format!("redis://{}:{}/?db=1", server.host(), server.port());
    let mut by_url = Client::open(&url).unwrap().get_connection().unwrap();
    assert_eq!(by_url.request_with(&["GET".into(), "where".into()], text_of).unwrap(), "db1");
    let err = db(100_000).get_connection().err().expect("SELECT of a missing db fails");
    assert_eq!(err.server_kind(), Some(ServerErrorKind::Err), "{err}");
}

#[test]
fn a_unix_socket_carries_the_same_client() {
    let server = RedisServer::builder().unix_socket(true).start();
    let path = server.unix_socket().unwrap();
    let mut conn = ClientBuilder::new().unix_socket(path).build().get_connection().unwrap();
    conn.request_with(&["SET".into(), "via".into(), "unix".into()], |_| ()).unwrap();
    assert_eq!(conn.request_with(&["GET".into(), "via".into()], text_of).unwrap(), "unix");
    let url = format!("unix://{}?db=2", path.display());
    let mut conn = Client::open(&url).unwrap().get_connection().unwrap();
    let info = conn.request_with(&["CLIENT".into(), "INFO".into()], text_of).unwrap();
    assert!(info.contains("db=2"), "{info}");
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let conn = Client::open(&url).unwrap().get_multiplexed_connection().await.unwrap();
        let pong = conn.request_with(&["PING".into()], |f| f == Frame::SimpleString(b"PONG")).await.unwrap();
        assert!(pong);
    });
}

#[test]
fn readonly_is_sent_in_the_handshake() {
    let server = RedisServer::start();
    let client = Client::open(format!("{}?readonly=true", server.url()).as_str()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    match server.kind() {
        // redis-server 7.0 without cluster support answers READONLY with an error: the
        // handshake sent it and failed, on both connection kinds, as redis-py's does.
        ServerKind::Redis => {
            let e = client.get_connection().err().expect("READONLY fails on a standalone redis-server");
            assert!(e.to_string().contains("cluster support disabled"), "{e}");
            let Err(e) = runtime.block_on(client.get_multiplexed_connection()) else {
                panic!("READONLY fails on a multiplexed connection too")
            };
            assert!(e.to_string().contains("cluster support disabled"), "{e}");
        }
        // valkey-server takes it anywhere and marks the client read-only (flag `r`).
        ServerKind::Valkey => {
            let mut conn = client.get_connection().unwrap();
            let info = conn.request_with(&["CLIENT".into(), "INFO".into()], text_of).unwrap();
            assert!(info.contains(" flags=r "), "{info}");
            let conn = runtime.block_on(client.get_multiplexed_connection()).unwrap();
            let info =
                runtime.block_on(conn.request_with(&["CLIENT".into(), "INFO".into()], text_of)).unwrap();
            assert!(info.contains(" flags=r "), "{info}");
        }
    }
    // Without it the same server connects, and the client is not read-only.
    let mut conn = Client::open(server.url().as_str()).unwrap().get_connection().unwrap();
    let info = conn.request_with(&["CLIENT".into(), "INFO".into()], text_of).unwrap();
    assert!(info.contains(" flags=N "), "{info}");
}
