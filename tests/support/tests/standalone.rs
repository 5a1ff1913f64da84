//! The standalone server starter: every kind starts, answers `redis-cli`, and is gone after drop.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use ferrodis_test_support::{RedisServer, Transport, require_binary};

fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// `redis-cli` with only the arguments given: no credentials, no certificates.
fn bare_cli(args: &[&str]) -> std::process::Output {
    Command::new(require_binary("redis-cli", "redis-tools")).args(args).output().expect("redis-cli runs")
}

#[test]
fn tcp_server_answers_and_is_gone_after_drop() {
    let started = Instant::now();
    let server = RedisServer::start();
    eprintln!("standalone start took {:?}", started.elapsed());
    assert_eq!(server.host(), "127.0.0.1");
    assert_eq!(server.addr().port(), server.port());
    assert_eq!(server.url(), format!("redis://127.0.0.1:{}", server.port()));
    assert_eq!(server.redis_cli(&["PING"]), "PONG");
    assert_eq!(server.redis_cli(&["SET", "k", "v"]), "OK");
    assert_eq!(server.redis_cli(&["GET", "k"]), "v");
    assert_eq!(server.redis_cli_via(Transport::Tcp, &["CONFIG", "GET", "save"]), "save");
    assert!(server.tls().is_none() && server.tls_port().is_none() && server.unix_socket().is_none());

    let (pid, dir, port) = (server.pid(), server.dir().to_path_buf(), server.port());
    assert!(process_exists(pid));
    server.stop();
    assert!(!process_exists(pid), "redis-server {pid} still exists after stop");
    assert!(!dir.exists(), "{} still exists after stop", dir.display());
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "port {port} still accepts");
}

#[test]
fn listens_on_ipv6_loopback_too() {
    let server = RedisServer::start();
    let out = bare_cli(&["-h", "::1", "-p", &server.port().to_string(), "PING"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "PONG");
}

#[test]
fn unix_socket_server_answers() {
    let server = RedisServer::builder().unix_socket(true).start();
    let path = server.unix_socket().expect("a unix socket").to_path_buf();
    assert!(path.exists());
    assert_eq!(server.unix_url(), Some(format!("unix://{}", path.display())));
    assert_eq!(server.redis_cli_via(Transport::Unix, &["PING"]), "PONG");
    let out = bare_cli(&["-s", path.to_str().expect("UTF-8"), "PING"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "PONG");
    // The plain port is there too.
    assert_eq!(server.redis_cli(&["PING"]), "PONG");
}

#[test]
fn tls_server_accepts_a_client_that_trusts_its_ca() {
    let server = RedisServer::builder().tls(true).start();
    let tls = server.tls().expect("TLS files");
    let port = server.tls_port().expect("a TLS port");
    assert_eq!(server.url(), format!("rediss://localhost:{port}"));
    assert_eq!(server.redis_cli(&["PING"]), "PONG");
    assert_eq!(server.redis_cli_via(Transport::Tcp, &["PING"]), "PONG");

    let port = port.to_string();
    let ca = tls.ca.path().to_str().expect("UTF-8");
    // No client certificate needed.
    let out = bare_cli(&["--tls", "--cacert", ca, "-p", &port, "PING"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "PONG");
    // A client that trusts another CA refuses the server.
    let other_ca = tls.other_ca.path().to_str().expect("UTF-8");
    let out = bare_cli(&["--tls", "--cacert", other_ca, "-p", &port, "PING"]);
    assert!(!out.status.success(), "{out:?}");
    // Plain text on the TLS port gets no PONG.
    let out = bare_cli(&["-p", &port, "PING"]);
    assert_ne!(String::from_utf8_lossy(&out.stdout).trim(), "PONG");
}

#[test]
fn mutual_tls_server_requires_a_client_certificate_from_its_ca() {
    let server = RedisServer::builder().tls_auth_clients(true).start();
    let tls = server.tls().expect("TLS files");
    assert_eq!(server.redis_cli(&["PING"]), "PONG");

    let port = server.tls_port().expect("a TLS port").to_string();
    let ca = tls.ca.path().to_str().expect("UTF-8");
    let out = bare_cli(&["--tls", "--cacert", ca, "-p", &port, "PING"]);
    assert_ne!(String::from_utf8_lossy(&out.stdout).trim(), "PONG", "no client certificate: {out:?}");
    let (cert, key) = (tls.other_client.cert.path(), tls.other_client.key.path());
    let (cert, key) = (cert.to_str().expect("UTF-8"), key.to_str().expect("UTF-8"));
    let out = bare_cli(&["--tls", "--cacert", ca, "--cert", cert, "--key", key, "-p", &port, "PING"]);
    assert_ne!(String::from_utf8_lossy(&out.stdout).trim(), "PONG", "certificate from another CA: {out:?}");
}

#[test]
fn hostname_mismatch_server_serves_the_mismatched_certificate() {
    let server = RedisServer::builder().tls_hostname_mismatch(true).start();
    let tls = server.tls().expect("TLS files");
    let served = std::fs::read_to_string(server.dir().join("redis.conf")).expect("a config file");
    assert!(served.contains(tls.mismatched_server.cert.path().to_str().expect("UTF-8")), "{served}");
    // redis-cli checks the chain but not the host name.
    assert_eq!(server.redis_cli(&["PING"]), "PONG");
}

#[test]
fn password_server_requires_auth() {
    let server = RedisServer::builder().password("s3cret pass").start();
    assert_eq!(server.password(), Some("s3cret pass"));
    assert_eq!(server.redis_cli(&["PING"]), "PONG");
    let out = bare_cli(&["-p", &server.port().to_string(), "PING"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("NOAUTH"), "{out:?}");
}

#[test]
fn acl_users_log_in_with_their_rights() {
    let server = RedisServer::builder()
        .acl_user("alice", "alice-pw")
        .acl_user_with_rules("reader", "on >reader-pw ~* +get")
        .acl_user_with_rules("default", "off")
        .start();
    assert_eq!(server.redis_cli(&["ACL", "WHOAMI"]), "alice");
    assert_eq!(server.redis_cli(&["SET", "k", "v"]), "OK");

    let port = server.port().to_string();
    let reader = ["--no-auth-warning", "--user", "reader", "--pass", "reader-pw", "-p", &port];
    let out = bare_cli(&[&reader[..], &["GET", "k"]].concat());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "v");
    let out = bare_cli(&[&reader[..], &["SET", "k", "w"]].concat());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("NOPERM"), "{out:?}");
    let out = bare_cli(&["--no-auth-warning", "--user", "alice", "--pass", "wrong", "-p", &port, "PING"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("WRONGPASS"), "{out:?}");
    let out = bare_cli(&["-p", &port, "PING"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("NOAUTH"), "default user off: {out:?}");
}

#[test]
fn config_lines_override_the_defaults() {
    let server = RedisServer::builder().config("maxmemory", "10mb").config("save", "\"900 1\"").start();
    assert_eq!(server.redis_cli(&["CONFIG", "GET", "maxmemory"]), "maxmemory\n10485760");
    assert_eq!(server.redis_cli(&["CONFIG", "GET", "save"]), "save\n900 1");
}

#[test]
fn pause_freezes_the_server_until_resume() {
    let server = RedisServer::start();
    server.pause();
    let mut stream = TcpStream::connect(server.addr()).expect("the kernel still accepts");
    stream.set_read_timeout(Some(Duration::from_millis(300))).expect("a timeout");
    stream.write_all(b"PING\r\n").expect("written");
    let mut reply = [0; 7];
    assert!(stream.read(&mut reply).is_err(), "a paused server answered");
    server.resume();
    stream.set_read_timeout(Some(Duration::from_secs(5))).expect("a timeout");
    stream.read_exact(&mut reply).expect("the resumed server answers");
    assert_eq!(&reply, b"+PONG\r\n");
}

#[test]
fn restart_keeps_the_ports_and_directory() {
    let mut server = RedisServer::builder().unix_socket(true).start();
    server.redis_cli(&["SET", "k", "v"]);
    let (port, first_pid) = (server.port(), server.pid());
    server.restart();
    assert_eq!(server.port(), port);
    assert_ne!(server.pid(), first_pid);
    assert!(!process_exists(first_pid));
    assert_eq!(server.redis_cli(&["PING"]), "PONG");
    assert_eq!(server.redis_cli_via(Transport::Unix, &["PING"]), "PONG");
    assert_eq!(server.redis_cli(&["GET", "k"]), "", "persistence is off");

    server.kill();
    assert!(!server.is_running());
    assert!(TcpStream::connect(server.addr()).is_err());
    server.restart();
    assert!(server.is_running());
    assert_eq!(server.redis_cli(&["PING"]), "PONG");
}

#[test]
fn restart_of_a_paused_server_works() {
    let mut server = RedisServer::start();
    server.pause();
    server.restart();
    assert_eq!(server.redis_cli(&["PING"]), "PONG");
}

#[test]
fn servers_started_in_parallel_get_their_own_ports() {
    let servers: Vec<RedisServer> =
        (0..6).map(|_| thread::spawn(RedisServer::start)).map(|h| h.join().expect("started")).collect();
    let mut ports: Vec<u16> = servers.iter().map(RedisServer::port).collect();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports.len(), servers.len());
    for server in &servers {
        assert_eq!(server.redis_cli(&["PING"]), "PONG");
    }
}

#[test]
#[should_panic(expected = "server did not start")]
fn a_bad_config_fails_with_the_log() {
    RedisServer::builder().config("no-such-directive", "1").start();
}
