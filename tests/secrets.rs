//! The password of `redis://u:s3cr3t@host` appears in no `Debug`, `Display` or error
//! message: not in the parsed configuration, not in the client, not in connection errors,
//! not in handshake failures, not in URL errors.

use ferrodis::{Client, ClientBuilder, ConnectionConfig};
use ferrodis_test_support::{RedisServer, free_port};

const SECRET: &str = "s3cr3t";

fn assert_hidden(what: &str, text: &str) {
    assert!(!text.contains(SECRET), "{what} shows the password: {text}");
}

#[test]
fn configurations_and_clients_never_show_the_password() {
    let config = ConnectionConfig::from_url("redis://u:s3cr3t@host:6379/0").unwrap();
    assert_hidden("config Debug", &format!("{config:?} {config:#?}"));
    let client = Client::open("redis://u:s3cr3t@host:6379/0").unwrap();
    assert_hidden("client Debug", &format!("{client:?}"));
    let built = ClientBuilder::new().username("u").password(SECRET);
    assert_hidden("builder Debug", &format!("{built:?}"));
    let password = config.password.as_ref().unwrap();
    assert_hidden("password Display/Debug", &format!("{password} {password:?}"));
    assert_eq!(password.expose(), SECRET, "the password itself is still there for the handshake");
}

#[test]
fn url_errors_never_show_the_password() {
    for url in [
        "redis://u:s3cr3t@host:notaport",
        "redis://u:s3cr3t@host/notadb",
        "redis://u:s3cr3t@host?bogus=1",
        "redis://u:s3cr3t@[::1",
        "redis://u:s3cr3t%zz@host",
        "http://u:s3cr3t@host",
        "redis://u:s3cr3t@host?socket_timeout=soon",
    ] {
        let err = Client::open(url).expect_err(url);
        assert_hidden(url, &format!("{err} {err:?}"));
    }
}

#[test]
fn connection_and_handshake_errors_never_show_the_password() {
    // Nobody listens: a connect error.
    let closed = format!("redis://u:s3cr3t@127.0.0.1:{}", free_port());
    let err = Client::open(&closed).unwrap().get_connection().err().expect("connect fails");
    assert_hidden("connect error", &format!("{err} {err:?}"));
    // A real server that refuses the password.
    let server = RedisServer::builder().password("the-right-one").start();
    let url = format!("redis://u:s3cr3t@{}:{}", server.host(), server.port());
    let err = Client::open(&url).unwrap().get_connection().err().expect("auth fails");
    assert_hidden("handshake error", &format!("{err} {err:?}"));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let err =
        runtime.block_on(async { Client::open(&url).unwrap().get_multiplexed_connection().await.err() });
    let err = err.expect("auth fails");
    assert_hidden("multiplexed handshake error", &format!("{err} {err:?}"));
}
