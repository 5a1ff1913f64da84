//! Credential providers against a real server: asked on every connect and reconnect, so a
//! rotated password works without a restart (blocking, multiplexed and pooled); a
//! provider's failure is its own error, nothing sent, no secret in it.

use std::sync::{Arc, Mutex};

use ferrodis::{
    ClientBuilder, Commands, ConnectionPool, CredentialProvider, Credentials, CredentialsFile, Delivery,
    ErrorKind, Password, ServerErrorKind,
};
use ferrodis_test_support::RedisServer;

/// The password of the moment, changed by the test; counts how often it was asked.
#[derive(Clone, Default)]
struct Rotating(Arc<Mutex<(String, usize)>>);

impl Rotating {
    fn set(&self, password: &str) {
        self.0.lock().unwrap().0 = password.to_owned();
    }

    fn asked(&self) -> usize {
        self.0.lock().unwrap().1
    }
}

impl CredentialProvider for Rotating {
    fn credentials(&self) -> Result<Credentials, String> {
        let mut state = self.0.lock().unwrap();
        state.1 += 1;
        Ok(Credentials { username: Some("app".into()), password: Password::new(state.0.clone()) })
    }
}

struct Failing;

impl CredentialProvider for Failing {
    fn credentials(&self) -> Result<Credentials, String> {
        Err("the vault is sealed".into())
    }
}

fn rotate(server: &RedisServer, to: &str) {
    let mut admin = ClientBuilder::new().host(server.host()).port(server.port()).password("admin-pass");
    admin = admin.username("default");
    let mut admin = admin.build().get_connection().unwrap();
    let () = admin
        .query(&ferrodis::cmd("ACL").with_arg(("SETUSER", "app", "resetpass", format!(">{to}"))))
        .unwrap();
}

fn whoami(conn: &mut impl Commands) -> String {
    conn.query(&ferrodis::cmd("ACL").with_arg("WHOAMI")).unwrap()
}

#[test]
fn a_rotated_password_is_picked_up_on_the_next_connect_and_reconnect() {
    let server = RedisServer::builder().password("admin-pass").acl_user("app", "first").start();
    let provider = Rotating::default();
    provider.set("first");
    let client = ClientBuilder::new()
        .host(server.host())
        .port(server.port())
        .credential_provider(provider.clone())
        .build();
    let mut conn = client.get_connection().unwrap();
    assert_eq!(whoami(&mut conn), "app");
    assert_eq!(provider.asked(), 1);

    rotate(&server, "second");
    provider.set("second");
    let mut fresh = client.get_connection().unwrap();
    assert_eq!(whoami(&mut fresh), "app");

    // The first connection, killed by the server, reconnects with the new password.
    let id: i64 = conn.client_id().unwrap();
    let _: i64 = fresh.client_kill_id(id as u64).unwrap();
    assert!(conn.client_id::<i64>().is_err());
    conn.reconnect().unwrap();
    assert_eq!(whoami(&mut conn), "app");
    assert_eq!(provider.asked(), 3);

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mux = client.get_multiplexed_connection().await.unwrap();
        let who: String = mux.query(&ferrodis::cmd("ACL").with_arg("WHOAMI")).await.unwrap();
        assert_eq!(who, "app");
    });
    assert_eq!(provider.asked(), 4);

    // The old password no longer works: the provider's answer is what authenticates.
    provider.set("first");
    let e = client.get_connection().err().expect("a stale password fails");
    assert_eq!(e.server_kind(), Some(ServerErrorKind::WrongPass), "{e}");
}

#[test]
fn a_failing_provider_is_its_own_error_and_nothing_is_sent() {
    let server = RedisServer::builder().password("admin-pass").start();
    let client =
        ClientBuilder::new().host(server.host()).port(server.port()).credential_provider(Failing).build();
    let e = client.get_connection().err().expect("no credentials, no connection");
    assert!(matches!(e.kind(), ErrorKind::Credentials(why) if why == "the vault is sealed"), "{e}");
    assert_eq!(e.delivery(), Delivery::NotSent);
    assert!(e.to_string().contains("no credentials: the vault is sealed"), "{e}");
    assert!(!format!("{:?}", client.config()).contains("vault"));
}

#[test]
fn a_pool_reads_a_rotated_credentials_file_for_each_new_connection() {
    let server = RedisServer::builder().password("admin-pass").acl_user("app", "from-file-1").start();
    let path = server.dir().join("redis-credentials");
    std::fs::write(&path, "app\nfrom-file-1\n").unwrap();
    let config = ClientBuilder::new()
        .host(server.host())
        .port(server.port())
        .credential_provider(CredentialsFile::new(&path))
        .build()
        .config()
        .clone();
    let pool = ConnectionPool::new(config);
    assert_eq!(whoami(&mut pool.get_connection().unwrap()), "app");

    rotate(&server, "from-file-2");
    std::fs::write(&path, "app\nfrom-file-2\n").unwrap();
    pool.disconnect(true);
    assert_eq!(whoami(&mut pool.get_connection().unwrap()), "app");
    let debug = format!("{pool:?}");
    assert!(!debug.contains("from-file"), "{debug}");
}
