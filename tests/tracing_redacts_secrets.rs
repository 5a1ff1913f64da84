//! With the `tracing` feature, every connection path records spans and events, and none
//! of them holds a password: blocking and Tokio multiplexed connections, over TCP and TLS,
//! to a default user with a password and to an ACL user, made from URLs and from the
//! builder, a reconnect, and handshakes that fail on a wrong password. A TRACE-level
//! subscriber writes everything (span openings and closings with their fields, every event)
//! into a buffer that is then searched for the passwords.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ferrodis::{Client, ClientBuilder, ServerErrorKind, TlsOptions};
use ferrodis_test_support::RedisServer;
use tracing_subscriber::fmt::format::FmtSpan;

/// The default user's password.
const DEFAULT_PASSWORD: &str = "dflt-s3cr3t-pw";
/// The ACL user and its password.
const USER: &str = "app";
const USER_PASSWORD: &str = "app-s3cr3t-pw";
/// A wrong password, tried for both users.
const WRONG_PASSWORD: &str = "wrong-s3cr3t-guess";
/// Every secret of the test: none may appear in what was recorded.
const SECRETS: [&str; 3] = [DEFAULT_PASSWORD, USER_PASSWORD, WRONG_PASSWORD];

/// What the subscriber wrote, shared with the writer it hands out.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Runs `f` with a TRACE subscriber on this thread (where the current-thread runtimes of
/// the test run their tasks too) and returns everything it recorded.
fn captured(f: impl FnOnce()) -> String {
    let out = Captured::default();
    let writer = out.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::NEW | FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    out.text()
}

/// Fails when `text` holds any secret, quoting the line.
fn assert_no_secret(text: &str) {
    for secret in SECRETS {
        if let Some(line) = text.lines().find(|line| line.contains(secret)) {
            panic!("a password was recorded: {line}");
        }
    }
}

/// Fails unless `text` holds each of `wanted`.
fn assert_recorded(text: &str, wanted: &[&str]) {
    for want in wanted {
        assert!(text.contains(want), "nothing recorded {want:?}; recorded:\n{text}");
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
}

/// Opens a blocking and a multiplexed connection for `client` and checks `ACL WHOAMI`.
fn connect_both_ways(client: &Client, user: &str) {
    let whoami = [ferrodis::Arg::from("ACL"), ferrodis::Arg::from("WHOAMI")];
    let is_user = |frame: ferrodis::Frame<'_>| frame == ferrodis::Frame::BulkString(user.as_bytes());
    let mut conn = client.get_connection().expect("a blocking connection");
    assert!(conn.request_with(&whoami, is_user).unwrap());
    conn.reconnect().expect("a reconnect");
    assert!(conn.request_with(&whoami, is_user).unwrap());
    runtime().block_on(async {
        let conn = client.get_multiplexed_connection().await.expect("a multiplexed connection");
        assert!(conn.request_with(&whoami, is_user).await.unwrap());
    });
}

/// Both connection kinds fail with WRONGPASS for `client`.
fn refused_both_ways(client: &Client) {
    let err = client.get_connection().err().expect("a wrong password fails");
    assert_eq!(err.server_kind(), Some(ServerErrorKind::WrongPass), "{err}");
    let err = runtime().block_on(async { client.get_multiplexed_connection().await.err() });
    let err = err.expect("a wrong password fails");
    assert_eq!(err.server_kind(), Some(ServerErrorKind::WrongPass), "{err}");
}

#[test]
fn tcp_connections_record_no_password() {
    let server = RedisServer::builder().password(DEFAULT_PASSWORD).acl_user(USER, USER_PASSWORD).start();
    let (host, port) = (server.host(), server.port());
    let text = captured(|| {
        let by_url = format!("redis://{USER}:{USER_PASSWORD}@{host}:{port}/0");
        connect_both_ways(&Client::open(&by_url).unwrap(), USER);
        let default_by_url = format!("redis://:{DEFAULT_PASSWORD}@{host}:{port}/1?protocol=3");
        connect_both_ways(&Client::open(&default_by_url).unwrap(), "default");
        let built = ClientBuilder::new().host(host).port(port).username(USER).password(USER_PASSWORD);
        connect_both_ways(&built.build(), USER);
        let built = ClientBuilder::new().host(host).port(port).password(DEFAULT_PASSWORD);
        connect_both_ways(&built.build(), "default");

        let wrong_url = format!("redis://{USER}:{WRONG_PASSWORD}@{host}:{port}/0");
        refused_both_ways(&Client::open(&wrong_url).unwrap());
        refused_both_ways(&ClientBuilder::new().host(host).port(port).password(WRONG_PASSWORD).build());
    });
    assert_recorded(
        &text,
        &[
            // The URLs, password redacted.
            &format!("url=redis://{USER}:***@{host}:{port}/0"),
            &format!("url=redis://:***@{host}:{port}/1"),
            "kind=\"blocking\"",
            "kind=\"multiplexed\"",
            "auth=\"acl user\"",
            "auth=\"password\"",
            "connected",
            "handshake done",
            "reconnecting",
            "I/O task started",
            "I/O task ended",
            "handshake failed",
            "WRONGPASS",
        ],
    );
    assert_no_secret(&text);
}

#[test]
fn tls_connections_record_no_password() {
    let server = RedisServer::builder().tls(true).acl_user(USER, USER_PASSWORD).start();
    let port = server.tls_port().expect("a TLS port");
    let ca = server.tls().expect("TLS files").ca.path().to_path_buf();
    let text = captured(|| {
        let by_url =
            format!("rediss://{USER}:{USER_PASSWORD}@localhost:{port}/0?ssl_ca_certs={}", ca.display());
        connect_both_ways(&Client::open(&by_url).unwrap(), USER);
        let mut tls = TlsOptions::new();
        tls.ca_file = Some(ca.clone());
        let built = ClientBuilder::new()
            .host("localhost")
            .port(port)
            .tls(tls.clone())
            .username(USER)
            .password(WRONG_PASSWORD)
            .connect_timeout(Duration::from_secs(10));
        refused_both_ways(&built.build());
    });
    assert_recorded(
        &text,
        &[
            &format!("url=rediss://{USER}:***@localhost:{port}/0"),
            "tls=true",
            "tls_handshake",
            "TLS handshake done",
            "handshake failed",
        ],
    );
    assert_no_secret(&text);
}
