//! TLS with rustls against a real `redis-server` whose certificates are generated at test
//! time: a verified round trip, a wrong CA and a host name mismatch rejected, verification
//! off only when asked for, and mutual TLS. Every case runs on the blocking [`Connection`]
//! and on the Tokio [`MultiplexedConnection`].
//!
//! [`Connection`]: ferrodis_std::Connection
//! [`MultiplexedConnection`]: ferrodis_std::MultiplexedConnection

use std::path::Path;
use std::time::Duration;

use ferrodis_std::{
    Address, CertificateCheck, Client, ClientBuilder, ConnectionConfig, Error, ErrorKind, Frame, TlsOptions,
    TlsVersion,
};
use ferrodis_test_support::{MISMATCHED_HOST, RedisServer, TlsFiles};

/// Both connection kinds: the blocking one, then the multiplexed one.
const KINDS: [Kind; 2] = [Kind::Blocking, Kind::Multiplexed];

#[derive(Clone, Copy, Debug)]
enum Kind {
    Blocking,
    Multiplexed,
}

/// Connects with `config` the `kind` way and runs `SET` then `GET`.
fn round_trip(kind: Kind, config: &ConnectionConfig) -> Result<(), Error> {
    let client = Client::new(config.clone());
    let set = ["SET".into(), "tls:key".into(), "over tls".into()];
    let get = ["GET".into(), "tls:key".into()];
    let is_value = |frame: Frame<'_>| frame == Frame::BulkString(b"over tls");
    let got = match kind {
        Kind::Blocking => {
            let mut conn = client.get_connection()?;
            conn.request_with(&set, |_| ())?;
            conn.request_with(&get, is_value)?
        }
        Kind::Multiplexed => {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime.block_on(async {
                let conn = client.get_multiplexed_connection().await?;
                conn.request_with(&set, |_| ()).await?;
                conn.request_with(&get, is_value).await
            })?
        }
    };
    assert!(got, "{kind:?}: GET did not return the value SET stored");
    Ok(())
}

/// A round trip that must fail with a TLS error mentioning all of `words`.
fn expect_tls_error(kind: Kind, config: &ConnectionConfig, words: &[&str]) {
    match round_trip(kind, config) {
        Ok(()) => panic!("{kind:?}: connected although it must not"),
        Err(e) => match e.kind() {
            ErrorKind::Tls(message) => {
                for word in words {
                    assert!(message.contains(word), "{kind:?}: {message:?} does not mention {word:?}");
                }
                assert!(e.to_string().starts_with("TLS error"), "{e}");
            }
            other => panic!("{kind:?}: expected a TLS error, got {other:?} ({e})"),
        },
    }
}

/// TLS to the server's TLS port at `host`.
fn config(server: &RedisServer, host: &str, tls: TlsOptions) -> ConnectionConfig {
    let port = server.tls_port().expect("a TLS server");
    ClientBuilder::new().host(host).port(port).tls(tls).connect_timeout(Duration::from_secs(10)).config()
}

/// Verification against `ca`, host name checked.
fn trusting(ca: &Path) -> TlsOptions {
    let mut tls = TlsOptions::new();
    tls.ca_file = Some(ca.to_path_buf());
    tls
}

fn files(server: &RedisServer) -> &TlsFiles {
    server.tls().expect("a TLS server")
}

#[test]
fn a_verified_tls_connection_round_trips() {
    let server = RedisServer::builder().tls(true).start();
    let ca = &files(&server).ca;
    for kind in KINDS {
        round_trip(kind, &config(&server, "localhost", trusting(ca.path()))).unwrap();
        // The certificate names the IP address too: an IP literal is checked as one.
        round_trip(kind, &config(&server, "127.0.0.1", trusting(ca.path()))).unwrap();
        // The CA as PEM data instead of a file.
        let mut tls = TlsOptions::new();
        tls.ca_pem = Some(ca.pem().as_bytes().to_vec());
        round_trip(kind, &config(&server, "localhost", tls)).unwrap();
    }
}

#[test]
fn large_values_and_timeouts_keep_the_tls_stream_in_step() {
    let server = RedisServer::builder().tls(true).start();
    let mut config = config(&server, "localhost", trusting(files(&server).ca.path()));
    config.socket_timeout = Some(Duration::from_millis(200));
    let mut conn = Client::new(config.clone()).get_connection().unwrap();
    // Many TLS records each way.
    let big = vec![b'x'; 3 << 20];
    conn.request_with(&["SET".into(), "tls:big".into(), big.as_slice().into()], |_| ()).unwrap();
    let same =
        conn.request_with(&["GET".into(), "tls:big".into()], |f| f == Frame::BulkString(&big)).unwrap();
    assert!(same);
    // A read that times out inside rustls leaves the stream usable: the late reply is
    // read and dropped, and the next request gets its own. (A slow command not flagged
    // blocking: a blocking one waits its own timeout on top of the socket timeout.)
    let e = conn.request_with(&["DEBUG".into(), "SLEEP".into(), "1".into()], |_| ()).unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    conn.set_socket_timeout(Some(Duration::from_secs(5))).unwrap();
    let pong = conn.request_with(&["PING".into()], |f| f == Frame::SimpleString(b"PONG")).unwrap();
    assert!(pong);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let conn = Client::new(config).get_multiplexed_connection().await.unwrap();
        let (set, get) =
            (["SET".into(), "tls:big2".into(), big.as_slice().into()], ["GET".into(), "tls:big".into()]);
        let set = conn.request_with(&set, |_| ());
        let get = conn.request_with(&get, |f| f == Frame::BulkString(&big));
        let (set, get) = tokio::join!(set, get);
        set.unwrap();
        assert!(get.unwrap());
    });
}

#[test]
fn a_rediss_url_with_ssl_ca_certs_round_trips() {
    let server = RedisServer::builder().tls(true).start();
    let url = format!("{}?ssl_ca_certs={}", server.tls_url().unwrap(), files(&server).ca.path().display());
    let config = ConnectionConfig::from_url(&url).unwrap();
    for kind in KINDS {
        round_trip(kind, &config).unwrap_or_else(|e| panic!("{kind:?} with {url}: {e}"));
    }
}

#[test]
fn a_rediss_url_with_ssl_ca_path_and_ssl_min_version_round_trips() {
    let server = RedisServer::builder().tls(true).start();
    // A CA directory as OpenSSL's `CApath`: the CA's file, and a file that holds no
    // certificate (a key), which is passed over.
    let dir = server.dir().join("ca-dir");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(files(&server).ca.path(), dir.join("ca.pem")).unwrap();
    std::fs::copy(files(&server).client.key.path(), dir.join("not-a-certificate.pem")).unwrap();
    let url = format!("{}?ssl_ca_path={}&ssl_min_version=TLSv1_3", server.tls_url().unwrap(), dir.display());
    let config = ConnectionConfig::from_url(&url).unwrap();
    assert_eq!(config.tls.as_ref().map(|tls| tls.min_version), Some(TlsVersion::Tls13));
    for kind in KINDS {
        round_trip(kind, &config).unwrap_or_else(|e| panic!("{kind:?} with {url}: {e}"));
    }

    // A server that speaks TLS 1.2 at most is refused by a client that asks for 1.3, and
    // still accepted by default.
    let mut plain = Client::new(ClientBuilder::new().host("localhost").port(server.port()).config())
        .get_connection()
        .unwrap();
    let tls_1_2 = ["CONFIG".into(), "SET".into(), "tls-protocols".into(), "TLSv1.2".into()];
    plain.request_with(&tls_1_2, |_| ()).unwrap();
    expect_tls_error(Kind::Blocking, &config, &["ProtocolVersion"]);
    expect_tls_error(Kind::Multiplexed, &config, &["ProtocolVersion"]);
    let mut tls_1_2_ok = trusting(files(&server).ca.path());
    tls_1_2_ok.min_version = TlsVersion::Tls12;
    round_trip(Kind::Blocking, &config_for(&server, tls_1_2_ok)).unwrap();

    // A directory of the other CA's certificate only: the server is not trusted.
    let other = server.dir().join("other-ca-dir");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::copy(files(&server).other_ca.path(), other.join("ca.pem")).unwrap();
    let mut tls = TlsOptions::new();
    tls.ca_dir = Some(other);
    expect_tls_error(Kind::Blocking, &config_for(&server, tls), &["UnknownIssuer"]);

    // A directory without any certificate says so.
    let empty = server.dir().join("empty-ca-dir");
    std::fs::create_dir_all(&empty).unwrap();
    let mut tls = TlsOptions::new();
    tls.ca_dir = Some(empty);
    let e = round_trip(Kind::Blocking, &config_for(&server, tls)).unwrap_err();
    assert!(e.to_string().contains("holds no PEM certificate"), "{e}");
}

/// TLS to the server's TLS port on `localhost`.
fn config_for(server: &RedisServer, tls: TlsOptions) -> ConnectionConfig {
    config(server, "localhost", tls)
}

#[test]
fn a_certificate_from_an_unknown_ca_is_rejected() {
    let server = RedisServer::builder().tls(true).start();
    let other_ca = files(&server).other_ca.path();
    for kind in KINDS {
        expect_tls_error(
            kind,
            &config(&server, "localhost", trusting(other_ca)),
            &["certificate", "UnknownIssuer"],
        );
        // The default roots (webpki) do not know the test CA either.
        expect_tls_error(
            kind,
            &config(&server, "localhost", TlsOptions::new()),
            &["certificate", "UnknownIssuer"],
        );
        // Skipping only the host name check still verifies the chain.
        let mut tls = trusting(other_ca);
        tls.check_hostname = false;
        expect_tls_error(kind, &config(&server, "localhost", tls), &["UnknownIssuer"]);
    }
}

#[test]
fn a_certificate_for_another_host_is_rejected() {
    let server = RedisServer::builder().tls_hostname_mismatch(true).start();
    let ca = files(&server).ca.path();
    for kind in KINDS {
        expect_tls_error(
            kind,
            &config(&server, "localhost", trusting(ca)),
            &["not valid for name", "localhost"],
        );
        expect_tls_error(kind, &config(&server, "127.0.0.1", trusting(ca)), &["not valid for name"]);
        // Asking for the name the certificate holds works (SNI and verification).
        let mut tls = trusting(ca);
        tls.server_name = Some(MISMATCHED_HOST.into());
        round_trip(kind, &config(&server, "localhost", tls)).unwrap();
        // So does turning the host name check off, explicitly: the chain is still verified.
        let mut tls = trusting(ca);
        tls.check_hostname = false;
        round_trip(kind, &config(&server, "localhost", tls)).unwrap();
    }
}

#[test]
fn verification_is_off_only_when_asked_for() {
    let server = RedisServer::builder().tls_hostname_mismatch(true).start();
    let base = server.tls_url().unwrap();
    for kind in KINDS {
        // Neither a trusted CA nor the right name, and nothing asked: refused.
        let strict = ConnectionConfig::from_url(&base).unwrap();
        expect_tls_error(kind, &strict, &["certificate"]);
        let optional = ConnectionConfig::from_url(&format!("{base}?ssl_cert_reqs=optional")).unwrap();
        expect_tls_error(kind, &optional, &["certificate"]);
        // `ssl_cert_reqs=none` turns verification off.
        let lax = ConnectionConfig::from_url(&format!("{base}?ssl_cert_reqs=none")).unwrap();
        assert_eq!(lax.tls.as_ref().map(|t| t.check), Some(CertificateCheck::Disabled));
        round_trip(kind, &lax).unwrap();
        // As does `CertificateCheck::Disabled` in the options.
        let mut tls = TlsOptions::new();
        tls.check = CertificateCheck::Disabled;
        round_trip(kind, &config(&server, "localhost", tls)).unwrap();
    }
}

#[test]
fn mutual_tls_needs_the_client_certificate() {
    let server = RedisServer::builder().tls_auth_clients(true).start();
    let files = files(&server);
    for kind in KINDS {
        // No client certificate: the server refuses (during the handshake under TLS 1.2,
        // with an alert right after it under TLS 1.3).
        let e = round_trip(kind, &config(&server, "localhost", trusting(files.ca.path()))).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Tls(m) if m.contains("alert")), "{kind:?}: {e:?}");
        // A certificate from another CA: refused too.
        let mut tls = trusting(files.ca.path());
        tls.client_cert_file = Some(files.other_client.cert.path().into());
        tls.client_key_file = Some(files.other_client.key.path().into());
        let e = round_trip(kind, &config(&server, "localhost", tls)).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Tls(m) if m.contains("alert")), "{kind:?}: {e:?}");
        // The client certificate the server's CA signed: accepted.
        let mut tls = trusting(files.ca.path());
        tls.client_cert_file = Some(files.client.cert.path().into());
        tls.client_key_file = Some(files.client.key.path().into());
        round_trip(kind, &config(&server, "localhost", tls)).unwrap();
    }
    // The URL form: `ssl_certfile` and `ssl_keyfile`.
    let url = format!(
        "{}?ssl_ca_certs={}&ssl_certfile={}&ssl_keyfile={}",
        server.tls_url().unwrap(),
        files.ca.path().display(),
        files.client.cert.path().display(),
        files.client.key.path().display(),
    );
    for kind in KINDS {
        round_trip(kind, &ConnectionConfig::from_url(&url).unwrap()).unwrap();
    }
}

#[test]
fn tls_over_a_unix_socket_is_a_configuration_error() {
    let mut config = ClientBuilder::new().tls(TlsOptions::new()).config();
    config.address = Address::Unix(std::env::temp_dir().join("ferrodis-no-such.sock"));
    for kind in KINDS {
        let e = round_trip(kind, &config).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidConfig(_)), "{kind:?}: {e:?}");
    }
}

#[test]
fn a_silent_server_times_the_handshake_out() {
    // Accepts TCP connections and never says a word.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held =
        std::thread::spawn(move || listener.incoming().take(2).filter_map(Result::ok).collect::<Vec<_>>());
    let mut config = ClientBuilder::new().host("127.0.0.1").port(port).tls(TlsOptions::new()).config();
    config.connect_timeout = Duration::from_millis(300);
    for kind in KINDS {
        let started = std::time::Instant::now();
        let e = round_trip(kind, &config).unwrap_err();
        assert!(e.is_timeout(), "{kind:?}: {e:?}");
        assert!(started.elapsed() < Duration::from_secs(3), "{kind:?}: took {:?}", started.elapsed());
    }
    drop(held.join());
}
