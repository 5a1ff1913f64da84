//! A table of URLs (every form in redis-py's documentation, the corner cases of urllib's
//! splitting, and each error), secrecy checks for passwords, and properties over arbitrary
//! input.

use core::time::Duration;
use std::format;
use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

use proptest::prelude::*;

use super::*;
use crate::conn::Protocol;

/// Where a case should connect.
#[derive(Debug, Clone, Copy)]
enum At {
    Tcp(&'static str, u16),
    Tls(&'static str, u16),
    Unix(&'static str),
}

/// The expected result of a successful parse: where to connect (`At` for a
/// [`ConnectionUrl`], `Listed` for a [`SentinelUrl`]) and the rest.
#[derive(Debug, Clone)]
struct Want<A = At> {
    at: A,
    db: u32,
    user: Option<&'static str>,
    pass: Option<&'static str>,
    options: Options<'static>,
}

impl<A> Want<A> {
    fn db(self, db: u32) -> Self {
        Self { db, ..self }
    }
    fn user(self, user: &'static str) -> Self {
        Self { user: Some(user), ..self }
    }
    fn pass(self, pass: &'static str) -> Self {
        Self { pass: Some(pass), ..self }
    }
    fn options(self, options: Options<'static>) -> Self {
        Self { options, ..self }
    }
}

fn want(at: At) -> Result<Want, UrlError> {
    Ok(Want { at, db: 0, user: None, pass: None, options: Options::default() })
}
fn tcp(host: &'static str, port: u16) -> Want {
    want(At::Tcp(host, port)).unwrap()
}
fn tls(host: &'static str, port: u16) -> Want {
    want(At::Tls(host, port)).unwrap()
}
fn unix(path: &'static str) -> Want {
    want(At::Unix(path)).unwrap()
}
fn text(raw: &'static str) -> Text<'static> {
    Text::component(raw).unwrap()
}
fn secs(secs: u64, nanos: u32) -> Option<Duration> {
    Some(Duration::new(secs, nanos))
}
const fn invalid(option: &'static str) -> UrlError {
    UrlError::InvalidOption { option }
}
const fn not_for_scheme(option: &'static str) -> UrlError {
    UrlError::OptionNotForScheme { option }
}
fn unknown(name: &'static str) -> UrlError {
    UrlError::UnknownOption(OptionName::new(text(name)))
}

/// Every case: the URL and what parsing it gives.
fn table() -> Vec<(&'static str, Result<Want, UrlError>)> {
    use UrlError::*;
    let d = Options::default;
    vec![
        // The forms in redis-py's `from_url` documentation.
        (
            "redis://username:password@localhost:6379/0",
            Ok(tcp("localhost", 6379).user("username").pass("password")),
        ),
        ("redis://:password@localhost:6379/0", Ok(tcp("localhost", 6379).pass("password"))),
        ("redis://username@localhost:6379/0", Ok(tcp("localhost", 6379).user("username"))),
        ("redis://localhost:6379/0", Ok(tcp("localhost", 6379))),
        (
            "rediss://username:password@localhost:6379/0",
            Ok(tls("localhost", 6379).user("username").pass("password")),
        ),
        ("rediss://:password@localhost:6379/0", Ok(tls("localhost", 6379).pass("password"))),
        ("rediss://localhost:6379/0", Ok(tls("localhost", 6379))),
        ("unix:///path/to/socket.sock?db=0", Ok(unix("/path/to/socket.sock"))),
        ("unix://username@/path/to/socket.sock?db=0", Ok(unix("/path/to/socket.sock").user("username"))),
        (
            "unix:///path/to/socket.sock?db=0&password=password",
            Ok(unix("/path/to/socket.sock").pass("password")),
        ),
        (
            "unix://username@/path/to/socket.sock?db=0&password=password",
            Ok(unix("/path/to/socket.sock").user("username").pass("password")),
        ),
        ("redis://localhost?db=0", Ok(tcp("localhost", 6379))),
        ("redis://localhost/0", Ok(tcp("localhost", 6379))),
        // Defaults and empty parts.
        ("redis://", Ok(tcp("localhost", 6379))),
        ("rediss://", Ok(tls("localhost", 6379))),
        ("redis://@", Ok(tcp("localhost", 6379))),
        ("redis://:@", Ok(tcp("localhost", 6379))),
        ("redis://u:@h", Ok(tcp("h", 6379).user("u"))),
        ("redis://h", Ok(tcp("h", 6379))),
        ("redis://h:", Ok(tcp("h", 6379))),
        ("redis://h:6380", Ok(tcp("h", 6380))),
        ("redis://h:06379", Ok(tcp("h", 6379))),
        ("redis://h:65535", Ok(tcp("h", 65535))),
        ("redis://h/", Ok(tcp("h", 6379))),
        ("redis://h//", Ok(tcp("h", 6379))),
        ("redis://h/7", Ok(tcp("h", 6379).db(7))),
        ("redis://h/7/", Ok(tcp("h", 6379).db(7))),
        ("redis://h/%37", Ok(tcp("h", 6379).db(7))),
        ("redis://h/4294967295", Ok(tcp("h", 6379).db(u32::MAX))),
        ("redis://h?", Ok(tcp("h", 6379))),
        ("redis://h?&&", Ok(tcp("h", 6379))),
        ("redis://h?db", Ok(tcp("h", 6379))),
        ("redis://h/4?db=", Ok(tcp("h", 6379).db(4))),
        ("redis://h/4?db", Ok(tcp("h", 6379).db(4))),
        ("redis://h#fragment", Ok(tcp("h", 6379))),
        ("redis://h/3#fragment?db=9", Ok(tcp("h", 6379).db(3))),
        ("REDIS://H", Ok(tcp("H", 6379))),
        ("Rediss://h", Ok(tls("h", 6379))),
        // The db: query first, then path, then 0.
        ("redis://localhost/0?db=5", Ok(tcp("localhost", 6379).db(5))),
        ("redis://h/1?db=0", Ok(tcp("h", 6379))),
        ("redis://h?d%62=4", Ok(tcp("h", 6379).db(4))),
        ("unix:///s?db=3", Ok(unix("/s").db(3))),
        // IPv6.
        ("redis://[::1]:6380/2", Ok(tcp("::1", 6380).db(2))),
        ("redis://[::1]", Ok(tcp("::1", 6379))),
        ("rediss://u:p@[2001:db8::7]:7000", Ok(tls("2001:db8::7", 7000).user("u").pass("p"))),
        ("redis://[::ffff:192.0.2.1]:", Ok(tcp("::ffff:192.0.2.1", 6379))),
        ("redis://[fe80::1%25eth0]:7000", Ok(tcp("fe80::1%eth0", 7000))),
        // Userinfo: percent-decoding and urllib's splitting (last `@`, first `:`).
        ("redis://u:p%40ss%3Aword@h", Ok(tcp("h", 6379).user("u").pass("p@ss:word"))),
        ("redis://u:p:q@h", Ok(tcp("h", 6379).user("u").pass("p:q"))),
        ("redis://u:p@ss@h", Ok(tcp("h", 6379).user("u").pass("p@ss"))),
        ("redis://us%65r:pa%23ss@h/1", Ok(tcp("h", 6379).user("user").pass("pa#ss").db(1))),
        ("redis://u+1:p+1@h", Ok(tcp("h", 6379).user("u+1").pass("p+1"))),
        ("redis://%F0%9F%94%91:%F0%9F%94%92@h", Ok(tcp("h", 6379).user("🔑").pass("🔒"))),
        ("redis://my%2Dhost", Ok(tcp("my-host", 6379))),
        // Credentials from the query; the userinfo wins.
        ("redis://h?username=q&password=qp", Ok(tcp("h", 6379).user("q").pass("qp"))),
        ("redis://u:p@h?username=q&password=qp", Ok(tcp("h", 6379).user("u").pass("p"))),
        ("redis://u@h?password=qp", Ok(tcp("h", 6379).user("u").pass("qp"))),
        ("unix:///tmp/redis.sock?db=3&password=p%40ss", Ok(unix("/tmp/redis.sock").db(3).pass("p@ss"))),
        ("unix:///s?password=a+b%2Bc", Ok(unix("/s").pass("a b+c"))),
        ("unix://u:p@/s", Ok(unix("/s").user("u").pass("p"))),
        // Unix sockets.
        ("unix://user@/path.sock", Ok(unix("/path.sock").user("user"))),
        ("unix://localhost/tmp/r.sock", Ok(unix("/tmp/r.sock"))),
        ("unix:///tmp/my%20redis.sock", Ok(unix("/tmp/my redis.sock"))),
        ("unix:///tmp/a+b.sock", Ok(unix("/tmp/a+b.sock"))),
        ("unix:///", Ok(unix("/"))),
        // Options.
        (
            "redis://h?socket_timeout=0.5&socket_connect_timeout=2&socket_keepalive=Yes&retry_on_timeout=False\
             &health_check_interval=30&max_connections=10&timeout=.25&readonly=T&protocol=3\
             &client_name=my+app&lib_name=x&lib_version=1.0",
            Ok(tcp("h", 6379).options(Options {
                socket_timeout: secs(0, 500_000_000),
                socket_connect_timeout: secs(2, 0),
                socket_keepalive: Some(true),
                retry_on_timeout: Some(false),
                health_check_interval: secs(30, 0),
                max_connections: Some(10),
                timeout: secs(0, 250_000_000),
                readonly: Some(true),
                protocol: Some(Protocol::Resp3),
                client_name: Some(text("my app")),
                lib_name: Some(text("x")),
                lib_version: Some(text("1.0")),
                ..d()
            })),
        ),
        (
            "rediss://h?ssl_cert_reqs=Required&ssl_check_hostname=n&ssl_ca_certs=/etc/ca.pem\
             &ssl_ca_path=/etc/certs&ssl_certfile=c.pem&ssl_keyfile=k%2Epem&ssl_password=kp",
            Ok(tls("h", 6379).options(Options {
                ssl_cert_reqs: Some(CertReqs::Required),
                ssl_check_hostname: Some(false),
                ssl_ca_certs: Some(text("/etc/ca.pem")),
                ssl_ca_path: Some(text("/etc/certs")),
                ssl_certfile: Some(text("c.pem")),
                ssl_keyfile: Some(text("k.pem")),
                ssl_password: Some(Secret::new(text("kp"))),
                ..d()
            })),
        ),
        (
            "rediss://h?ssl_cert_reqs=none",
            Ok(tls("h", 6379).options(Options { ssl_cert_reqs: Some(CertReqs::None), ..d() })),
        ),
        (
            "rediss://h?ssl_cert_reqs=OPTIONAL",
            Ok(tls("h", 6379).options(Options { ssl_cert_reqs: Some(CertReqs::Optional), ..d() })),
        ),
        (
            "redis://h?socket_timeout=1.1234567891&timeout=3.",
            Ok(tcp("h", 6379).options(Options {
                socket_timeout: secs(1, 123_456_789),
                timeout: secs(3, 0),
                ..d()
            })),
        ),
        (
            "redis://h?protocol=2",
            Ok(tcp("h", 6379).options(Options { protocol: Some(Protocol::Resp2), ..d() })),
        ),
        (
            "redis://h?readonly=no&retry_on_timeout=1&socket_keepalive=0",
            Ok(tcp("h", 6379).options(Options {
                readonly: Some(false),
                retry_on_timeout: Some(true),
                socket_keepalive: Some(false),
                ..d()
            })),
        ),
        ("redis://h?socket_timeout=&readonly=", Ok(tcp("h", 6379))),
        (
            "unix:///s?socket_timeout=0&client_name=c",
            Ok(unix("/s").options(Options {
                socket_timeout: secs(0, 0),
                client_name: Some(text("c")),
                ..d()
            })),
        ),
        // Errors: the scheme.
        ("", Err(Empty)),
        ("%", Err(MissingScheme)),
        ("localhost:6379", Err(MissingScheme)),
        ("redis:localhost", Err(MissingScheme)),
        ("redis:/localhost", Err(MissingScheme)),
        ("://localhost", Err(MissingScheme)),
        ("re dis://localhost", Err(MissingScheme)),
        ("http://localhost", Err(UnknownScheme)),
        ("redis+sentinel://localhost/mymaster", Err(SentinelScheme)),
        ("REDISS+Sentinel://h/m", Err(SentinelScheme)),
        ("redis+cluster://localhost", Err(UnknownScheme)),
        ("redis-sentinel://localhost#mymaster", Err(UnknownScheme)),
        ("redis://h\n", Err(ControlCharacter)),
        ("redis://h\t/0", Err(ControlCharacter)),
        // Errors: host and port.
        ("redis://h:notaport", Err(InvalidPort)),
        ("redis://h:65536", Err(InvalidPort)),
        ("redis://h:0", Err(InvalidPort)),
        ("redis://h:-1", Err(InvalidPort)),
        ("redis://h:+1", Err(InvalidPort)),
        ("redis://h:1:2", Err(InvalidPort)),
        ("redis://h:99999999999999999999999", Err(InvalidPort)),
        ("redis://[::1", Err(InvalidHost)),
        ("redis://[::1]x", Err(InvalidHost)),
        ("redis://[::1]x:6379", Err(InvalidHost)),
        ("redis://[localhost]", Err(InvalidHost)),
        ("redis://[]", Err(InvalidHost)),
        ("redis://h]", Err(InvalidHost)),
        ("redis://a[b", Err(InvalidHost)),
        // Errors: the path.
        ("redis://h/abc", Err(InvalidDb)),
        ("redis://h/-1", Err(InvalidDb)),
        ("redis://h/+1", Err(InvalidDb)),
        ("redis://h/1/2", Err(InvalidDb)),
        ("redis://h/4294967296", Err(InvalidDb)),
        ("redis://h/abc?db=1", Err(InvalidDb)),
        ("unix://", Err(MissingSocketPath)),
        ("unix://?db=1", Err(MissingSocketPath)),
        ("unix://user@", Err(MissingSocketPath)),
        ("unix://tmp/redis.sock", Err(HostOnUnixSocket)),
        ("unix://localhost:6379/x", Err(HostOnUnixSocket)),
        ("unix://[::1]/x", Err(HostOnUnixSocket)),
        // Errors: percent escapes.
        ("redis://u%4:p@h", Err(InvalidEscape(UrlPart::Username))),
        ("redis://u:p%zz@h", Err(InvalidEscape(UrlPart::Password))),
        ("redis://u:p%@h", Err(InvalidEscape(UrlPart::Password))),
        ("redis://h%/0", Err(InvalidEscape(UrlPart::Host))),
        ("redis://[fe80::1%eth0]", Err(InvalidEscape(UrlPart::Host))),
        ("redis://h/%", Err(InvalidEscape(UrlPart::Path))),
        ("unix:///tmp/%4", Err(InvalidEscape(UrlPart::Path))),
        ("redis://h?d%zz=1", Err(InvalidEscape(UrlPart::Query))),
        ("redis://h?db=%zz", Err(invalid("db"))),
        ("unix:///s?password=%", Err(invalid("password"))),
        // Errors: options.
        ("redis://h?foo=1", Err(unknown("foo"))),
        ("redis://h?foo", Err(unknown("foo"))),
        ("redis://h?DB=1", Err(unknown("DB"))),
        ("redis://h?f%6Fo=1", Err(unknown("foo"))),
        ("redis://h?decode_responses=True", Err(unknown("decode_responses"))),
        ("redis://h?db=abc", Err(invalid("db"))),
        ("redis://h?db=-1", Err(invalid("db"))),
        ("redis://h?db=1.0", Err(invalid("db"))),
        ("redis://h?db=4294967296", Err(invalid("db"))),
        (
            "redis://h?read_from_replicas=yes&require_full_coverage=0&reinitialize_steps=0\
             &cluster_error_retry_attempts=255&dynamic_startup_nodes=False",
            Ok(tcp("h", 6379).options(Options {
                read_from_replicas: Some(true),
                require_full_coverage: Some(false),
                reinitialize_steps: Some(0),
                cluster_error_retry_attempts: Some(255),
                dynamic_startup_nodes: Some(false),
                ..d()
            })),
        ),
        ("redis://h?read_from_replicas=sometimes", Err(invalid("read_from_replicas"))),
        ("redis://h?reinitialize_steps=-1", Err(invalid("reinitialize_steps"))),
        ("redis://h?cluster_error_retry_attempts=256", Err(invalid("cluster_error_retry_attempts"))),
        ("unix:///s?dynamic_startup_nodes=no", Err(not_for_scheme("dynamic_startup_nodes"))),
        ("redis://h?socket_timeout=-1", Err(invalid("socket_timeout"))),
        ("redis://h?socket_timeout=nan", Err(invalid("socket_timeout"))),
        ("redis://h?socket_timeout=inf", Err(invalid("socket_timeout"))),
        ("redis://h?socket_timeout=1e3", Err(invalid("socket_timeout"))),
        ("redis://h?socket_timeout=.", Err(invalid("socket_timeout"))),
        ("redis://h?socket_timeout=1.2.3", Err(invalid("socket_timeout"))),
        ("redis://h?socket_timeout=99999999999999999999", Err(invalid("socket_timeout"))),
        ("redis://h?socket_connect_timeout=1s", Err(invalid("socket_connect_timeout"))),
        ("redis://h?socket_keepalive=maybe", Err(invalid("socket_keepalive"))),
        ("redis://h?retry_on_timeout=truee", Err(invalid("retry_on_timeout"))),
        ("redis://h?readonly=2", Err(invalid("readonly"))),
        ("redis://h?protocol=4", Err(invalid("protocol"))),
        ("redis://h?protocol=resp3", Err(invalid("protocol"))),
        ("redis://h?max_connections=0", Err(invalid("max_connections"))),
        ("redis://h?max_connections=-5", Err(invalid("max_connections"))),
        ("redis://h?health_check_interval=1.5", Err(invalid("health_check_interval"))),
        ("redis://h?timeout=x", Err(invalid("timeout"))),
        ("rediss://h?ssl_cert_reqs=sometimes", Err(invalid("ssl_cert_reqs"))),
        ("rediss://h?ssl_check_hostname=perhaps", Err(invalid("ssl_check_hostname"))),
        ("redis://h?db=1&db=2", Err(DuplicateOption { option: "db" })),
        ("redis://h?client_name=a&client_name=b", Err(DuplicateOption { option: "client_name" })),
        ("redis://h?ssl_cert_reqs=none", Err(not_for_scheme("ssl_cert_reqs"))),
        ("unix:///s?ssl_ca_certs=/ca.pem", Err(not_for_scheme("ssl_ca_certs"))),
        ("unix:///s?socket_keepalive=yes", Err(not_for_scheme("socket_keepalive"))),
        ("redis://h?sentinel_password=p", Err(not_for_scheme("sentinel_password"))),
        ("rediss://h?min_other_sentinels=1", Err(not_for_scheme("min_other_sentinels"))),
        ("unix:///s?sentinel_username=u", Err(not_for_scheme("sentinel_username"))),
    ]
}

/// Whether `got` is what `want` describes; the reason if not.
fn compare(got: &ConnectionUrl<'_>, want: &Want) -> Result<(), String> {
    let at_ok = match (got.transport(), want.at) {
        (Transport::Tcp { host, port }, At::Tcp(h, p)) | (Transport::Tls { host, port }, At::Tls(h, p)) => {
            host == h && port == p
        }
        (Transport::Unix { path }, At::Unix(p)) => path == p,
        _ => false,
    };
    let user_ok = match (got.username(), want.user) {
        (Some(got), Some(want)) => got == want,
        (got, want) => got.is_none() && want.is_none(),
    };
    let pass_ok = match (got.password(), want.pass) {
        (Some(got), Some(want)) => got.expose() == want,
        (got, want) => got.is_none() && want.is_none(),
    };
    let ok = at_ok && user_ok && pass_ok && got.db() == want.db && *got.options() == want.options;
    // The password is shown here, only in the test's own failure message.
    let password = got.password().map(|p| p.expose().to_string());
    if ok { Ok(()) } else { Err(format!("got {got:?} (password {password:?}), want {want:?}")) }
}

/// Parses every URL of `table` with `parse` and checks each result with `compare`; fails
/// listing every case that went wrong.
fn check_table<'a, T: core::fmt::Debug, W: core::fmt::Debug>(
    table: &[(&'a str, Result<W, UrlError>)],
    parse: impl Fn(&'a str) -> Result<T, UrlError>,
    compare: impl Fn(&T, &W) -> Result<(), String>,
) {
    let mut failures = Vec::new();
    for (url, want) in table {
        let outcome = match (&parse(url), want) {
            (Ok(got), Ok(want)) => compare(got, want),
            (Err(got), Err(want)) if got == want => Ok(()),
            (Err(got), _) => Err(format!("got error {got:?}, want {want:?}")),
            (Ok(got), Err(want)) => Err(format!("got {got:?}, want error {want:?}")),
        };
        if let Err(why) = outcome {
            failures.push(format!("{url:?}: {why}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        table.len(),
        failures.join("\n")
    );
}

#[test]
fn the_table_has_every_case() {
    let table = table();
    assert!(table.len() >= 40, "{} cases", table.len());
    check_table(&table, ConnectionUrl::parse, compare);
}

#[test]
fn accessors_agree_with_the_transport() {
    let url = ConnectionUrl::parse("rediss://[::1]:7000/3").unwrap();
    assert_eq!(url.scheme(), Scheme::Rediss);
    assert!(url.is_tls());
    assert_eq!(url.host().unwrap(), "::1");
    assert_eq!(url.port(), Some(7000));
    assert_eq!(url.socket_path(), None);

    let url = ConnectionUrl::try_from("unix:///run/redis.sock").unwrap();
    assert_eq!(url.scheme(), Scheme::Unix);
    assert!(!url.is_tls());
    assert_eq!((url.host(), url.port()), (None, None));
    assert_eq!(url.socket_path().unwrap(), "/run/redis.sock");
}

#[test]
fn display_redacts_the_password_and_round_trips() {
    for (url, shown) in [
        ("redis://u:s3cr3t@host", "redis://u:***@host:6379/0"),
        ("redis://:s3cr3t@host/2", "redis://:***@host:6379/2"),
        ("redis://", "redis://localhost:6379/0"),
        ("rediss://[::1]:6380/1?ssl_cert_reqs=none", "rediss://[::1]:6380/1"),
        ("redis://us%65r@h", "redis://user@h:6379/0"),
        ("unix:///tmp/redis.sock?db=3&password=s3cr3t", "unix://:***@/tmp/redis.sock?db=3"),
        ("unix:///tmp/redis.sock?username=a+b", "unix://a%20b@/tmp/redis.sock"),
        ("unix://localhost/s", "unix:///s"),
    ] {
        let parsed = ConnectionUrl::parse(url).unwrap();
        assert_eq!(parsed.to_string(), shown, "{url}");
        let again = ConnectionUrl::parse(shown).unwrap();
        assert_eq!(
            (again.transport(), again.db(), again.username()),
            (parsed.transport(), parsed.db(), parsed.username())
        );
    }
}

/// URLs holding the password `s3cr3t`, valid and not.
const SECRET_URLS: &[&str] = &[
    "redis://u:s3cr3t@host",
    "rediss://u:s3cr3t@host:6380/1?ssl_password=s3cr3t",
    "unix:///s?password=s3cr3t",
    "unix://u:s3cr3t@/s?db=1",
    "redis://u:s3cr3t@host:notaport",
    "redis://u:s3cr3t@host:1:2",
    "redis://u:s3cr3t@host/abc",
    "redis://u:s3cr3t@[::1",
    "redis://u:s3cr3t@[s3cr3t]",
    "redis://u:s3cr3t%zz@host",
    "redis://u:s3cr3t#@host",
    "redis://u:s3cr3t?@host",
    "redis://u:s3cr3t/@host",
    "http://u:s3cr3t@host",
    "u:s3cr3t@host",
    "s3cr3t://host",
    "redis://u:s3cr3t@host?foo=1",
    "redis://u:s3cr3t@host?db=x",
    "redis://u:s3cr3t@host?ssl_cert_reqs=none",
    "redis://u:s3cr3t@host\n",
    "unix://u:s3cr3t@host/x",
    "unix://u:s3cr3t@",
    "unix:///s?password=s3cr3t&password=s3cr3t",
    "unix:///s?password=s3cr3t%",
    "rediss://h?ssl_password=s3cr3t%zz",
    "redis://h?ssl_password=s3cr3t",
];

#[test]
fn the_password_is_in_no_debug_display_or_error() {
    for url in SECRET_URLS {
        let shown = match ConnectionUrl::parse(url) {
            Ok(parsed) => {
                let password = parsed.password().or(parsed.options().ssl_password).unwrap();
                assert_eq!(password.expose(), "s3cr3t", "{url:?}");
                format!(
                    "{parsed:?} {parsed} {parsed:#?} {password} {password:?} {:?} {:?}",
                    parsed.options(),
                    parsed.options().ssl_password
                )
            }
            Err(e) => format!("{e} {e:?} {e:#?} {}", e.as_str()),
        };
        assert!(!shown.contains("s3cr3t"), "{url:?} shows its password: {shown}");
    }
}

#[test]
fn text_decodes_lazily_and_into_buffers() {
    let t = Text::component("p%40ss%3Aword").unwrap();
    assert!(t.is_encoded());
    assert_eq!(t.as_str(), None);
    assert_eq!(t.raw(), "p%40ss%3Aword");
    assert_eq!(t.len(), 9);
    assert!(t.bytes().eq(b"p@ss:word".iter().copied()));
    assert!(t.eq_bytes(b"p@ss:word"));
    assert_eq!(t, "p@ss:word");
    assert_eq!(t, b"p@ss:word".as_slice());
    assert_eq!(t.to_string(), "p@ss:word");
    assert_eq!(format!("{t:?}"), "\"p%40ss%3Aword\"");

    let mut short = [0u8; 8];
    assert_eq!(t.decode_into(&mut short), Err(UrlError::BufferTooSmall { needed: 9 }));
    assert_eq!(short, [0; 8], "a short buffer is left alone");
    let mut buf = [0u8; 16];
    assert_eq!(t.decode_into(&mut buf).unwrap(), b"p@ss:word");
    assert_eq!(t.decode_str_into(&mut buf).unwrap(), "p@ss:word");

    let plain = Text::component("localhost").unwrap();
    assert!(!plain.is_encoded());
    assert_eq!(plain.as_str(), Some("localhost"));

    let form = Text::query("a+b").unwrap();
    assert!(form.is_encoded());
    assert_eq!(form, "a b");
    assert_eq!(Text::component("a+b").unwrap(), "a+b");
    assert_eq!(Text::component("a%2b").unwrap(), Text::query("a%2B").unwrap());

    let binary = Text::component("%FF%C3%A9%E2%82").unwrap();
    assert_eq!(binary.len(), 5);
    assert_eq!(binary.to_string(), "\u{FFFD}é\u{FFFD}");
    assert_eq!(binary.decode_str_into(&mut buf), Err(UrlError::NotUtf8));

    for bad in ["%", "%4", "%zz", "a%g0", "%%41"] {
        assert!(Text::component(bad).is_none(), "{bad}");
    }
    assert!(Text::component("").unwrap().is_empty());
}

#[test]
fn equal_texts_hash_alike() {
    use core::hash::{Hash, Hasher};
    use std::collections::hash_map::DefaultHasher;
    let hash = |t: Text<'_>| {
        let mut h = DefaultHasher::new();
        t.hash(&mut h);
        h.finish()
    };
    assert_eq!(hash(text("aA")), hash(text("a%41")));
    assert_eq!(hash(Text::query("a+").unwrap()), hash(text("a%20")));
}

#[test]
fn errors_name_what_is_wrong() {
    let message = |url| ConnectionUrl::parse(url).unwrap_err().to_string();
    assert_eq!(message("redis://h?foo=1"), "unknown URL option 'foo'");
    assert_eq!(
        message("redis://h?db=x"),
        "invalid value for URL option 'db': it takes a database number, such as 0"
    );
    assert_eq!(
        message("redis://h?protocol=resp3"),
        "invalid value for URL option 'protocol': it takes 2 or 3"
    );
    assert_eq!(
        message("redis://h?socket_timeout=-1"),
        "invalid value for URL option 'socket_timeout': it takes decimal seconds, such as 0.5 or 10"
    );
    assert_eq!(
        message("rediss://h?ssl_cert_reqs=maybe"),
        "invalid value for URL option 'ssl_cert_reqs': it takes none, optional or required"
    );
    assert_eq!(
        message("rediss://h?ssl_min_version=TLSv1"),
        "invalid value for URL option 'ssl_min_version': it takes TLSv1_2 or TLSv1_3"
    );
    assert_eq!(
        message("redis://h?cluster_error_retry_attempts=300"),
        "invalid value for URL option 'cluster_error_retry_attempts': it takes a whole number from 0 to 255"
    );
    assert_eq!(message("redis://h?db=1&db=1"), "URL option given twice 'db'");
    assert_eq!(message("redis://h?ssl_keyfile=k"), "URL option does not apply to the scheme 'ssl_keyfile'");
    assert_eq!(message("redis://u:p%zz@h"), "'%' not followed by two hex digits in the URL's password");
    assert_eq!(message("redis://h:x"), "URL port is not a number from 1 to 65535");
    assert_eq!(
        UrlError::BufferTooSmall { needed: 9 }.to_string(),
        "buffer too small for decoded URL text: 9 bytes needed"
    );

    let long = "redis://h?a_very_long_option_name_that_goes_on_and_on=1";
    let Err(UrlError::UnknownOption(name)) = ConnectionUrl::parse(long) else { panic!() };
    assert!(name.is_truncated());
    assert_eq!(name.as_bytes(), b"a_very_long_option_name_that_goe");
    assert_eq!(name.to_string(), "a_very_long_option_name_that_goe...");
    assert_eq!(format!("{name:?}"), "OptionName(\"a_very_long_option_name_that_goe...\")");
}

#[test]
fn weird_input_does_not_panic() {
    for url in [
        "redis://@",
        "redis://:@",
        "redis://[::1",
        "redis://h:",
        "unix://",
        "redis://h?",
        "redis://h?&&",
        "redis://h?db",
        "%",
        "redis://[",
        "redis://]",
        "redis://[]:",
        "redis://[:",
        "redis://@@@",
        "redis://:::",
        "redis://?=",
        "redis://?=&=",
        "redis://?db==",
        "unix://@",
        "unix://:@/",
        "redis://%",
        "redis://h/%2",
        "redis://h?%",
        "redis://h?a=%",
        "rediss://[::1]:",
        "redis://é:1",
        "redis://h/é",
        "unix:///é?db=é",
        "redis://h?socket_timeout=.5.",
        "://",
        ":",
        "redis:",
        "redis:/",
        "redis://#",
        "redis://?#",
    ] {
        let _ = ConnectionUrl::parse(url);
    }
}

/// Where a sentinel URL's case should connect.
#[derive(Debug, Clone)]
struct Listed {
    tls: bool,
    sentinels: Vec<(&'static str, u16)>,
    service: &'static str,
}

type SentinelWant = Want<Listed>;

impl SentinelWant {
    fn tls(mut self) -> Self {
        self.at.tls = true;
        self
    }
}

fn sentinels(sentinels: &[(&'static str, u16)], service: &'static str) -> SentinelWant {
    let at = Listed { tls: false, sentinels: sentinels.to_vec(), service };
    Want { at, db: 0, user: None, pass: None, options: Options::default() }
}

/// Every sentinel URL case: the URL and what [`SentinelUrl::parse`] gives.
fn sentinel_table() -> Vec<(&'static str, Result<SentinelWant, UrlError>)> {
    use UrlError::*;
    let d = Options::default;
    let s = sentinels;
    vec![
        // The forms of redis-sentinel-url, RedisVL and Prefect.
        ("redis+sentinel://localhost:26379/mymaster", Ok(s(&[("localhost", 26379)], "mymaster"))),
        (
            "redis+sentinel://:password@host:26379,host2:26380/mymaster/0",
            Ok(s(&[("host", 26379), ("host2", 26380)], "mymaster").pass("password")),
        ),
        (
            "redis+sentinel://username:password@host1:26379,host2:26379/mymaster/1",
            Ok(s(&[("host1", 26379), ("host2", 26379)], "mymaster").user("username").pass("password").db(1)),
        ),
        (
            "rediss+sentinel://s1:26379,s2:26379/mymaster",
            Ok(s(&[("s1", 26379), ("s2", 26379)], "mymaster").tls()),
        ),
        // Default port and host.
        ("redis+sentinel://s1/m", Ok(s(&[("s1", 26379)], "m"))),
        ("redis+sentinel://s1:/m", Ok(s(&[("s1", 26379)], "m"))),
        ("redis+sentinel://s1,s2:1,s3/m", Ok(s(&[("s1", 26379), ("s2", 1), ("s3", 26379)], "m"))),
        ("redis+sentinel:///m", Ok(s(&[("localhost", 26379)], "m"))),
        ("redis+sentinel://:26380/m", Ok(s(&[("localhost", 26380)], "m"))),
        ("redis+sentinel://u:p@/m", Ok(s(&[("localhost", 26379)], "m").user("u").pass("p"))),
        ("REDIS+SENTINEL://S1/M", Ok(s(&[("S1", 26379)], "M"))),
        ("Rediss+Sentinel://h/m", Ok(s(&[("h", 26379)], "m").tls())),
        ("redis+sentinel://h,h/m", Ok(s(&[("h", 26379), ("h", 26379)], "m"))),
        // IPv6 hosts, in brackets.
        ("redis+sentinel://[::1]/m", Ok(s(&[("::1", 26379)], "m"))),
        (
            "redis+sentinel://[::1]:26380,[2001:db8::7],127.0.0.1:26381/m",
            Ok(s(&[("::1", 26380), ("2001:db8::7", 26379), ("127.0.0.1", 26381)], "m")),
        ),
        ("redis+sentinel://[fe80::1%25eth0]:7000/m", Ok(s(&[("fe80::1%eth0", 7000)], "m"))),
        // The service and the database.
        ("redis+sentinel://h/m/", Ok(s(&[("h", 26379)], "m"))),
        ("redis+sentinel://h/m/7", Ok(s(&[("h", 26379)], "m").db(7))),
        ("redis+sentinel://h/m/7/", Ok(s(&[("h", 26379)], "m").db(7))),
        ("redis+sentinel://h/m//", Ok(s(&[("h", 26379)], "m"))),
        ("redis+sentinel://h/m/4294967295", Ok(s(&[("h", 26379)], "m").db(u32::MAX))),
        ("redis+sentinel://h/m/1?db=5", Ok(s(&[("h", 26379)], "m").db(5))),
        ("redis+sentinel://h/my%20master", Ok(s(&[("h", 26379)], "my master"))),
        ("redis+sentinel://h/a%2Fb/2", Ok(s(&[("h", 26379)], "a/b").db(2))),
        ("redis+sentinel://h/m+1", Ok(s(&[("h", 26379)], "m+1"))),
        ("redis+sentinel://h/m#frag", Ok(s(&[("h", 26379)], "m"))),
        ("redis+sentinel://h/m/3#/4?db=9", Ok(s(&[("h", 26379)], "m").db(3))),
        // Credentials: the master's, userinfo first; the sentinels' from the query.
        ("redis+sentinel://u:p%40ss@h/m", Ok(s(&[("h", 26379)], "m").user("u").pass("p@ss"))),
        ("redis+sentinel://u@h/m?password=qp", Ok(s(&[("h", 26379)], "m").user("u").pass("qp"))),
        ("redis+sentinel://u:p@h/m?username=q&password=qp", Ok(s(&[("h", 26379)], "m").user("u").pass("p"))),
        (
            "redis+sentinel://u:p@ss@h1,h2/m",
            Ok(s(&[("h1", 26379), ("h2", 26379)], "m").user("u").pass("p@ss")),
        ),
        (
            "redis+sentinel://:mp@h/m?sentinel_username=su&sentinel_password=s%40p&min_other_sentinels=2",
            Ok(s(&[("h", 26379)], "m").pass("mp").options(Options {
                sentinel_username: Some(text("su")),
                sentinel_password: Some(Secret::new(text("s@p"))),
                min_other_sentinels: Some(2),
                ..d()
            })),
        ),
        // The master connection's options.
        (
            "redis+sentinel://h/m?socket_timeout=0.5&protocol=3&max_connections=4&socket_keepalive=no",
            Ok(s(&[("h", 26379)], "m").options(Options {
                socket_timeout: secs(0, 500_000_000),
                protocol: Some(Protocol::Resp3),
                max_connections: Some(4),
                socket_keepalive: Some(false),
                ..d()
            })),
        ),
        (
            "rediss+sentinel://h/m?ssl_cert_reqs=none&ssl_ca_certs=/ca.pem",
            Ok(s(&[("h", 26379)], "m").tls().options(Options {
                ssl_cert_reqs: Some(CertReqs::None),
                ssl_ca_certs: Some(text("/ca.pem")),
                ..d()
            })),
        ),
        ("redis+sentinel://h/m?min_other_sentinels=", Ok(s(&[("h", 26379)], "m"))),
        // Errors: the scheme.
        ("", Err(Empty)),
        ("redis+sentinel:h/m", Err(MissingScheme)),
        ("redis://h/m", Err(NotSentinelScheme)),
        ("rediss://h", Err(NotSentinelScheme)),
        ("unix:///s", Err(NotSentinelScheme)),
        ("redis-sentinel://h1,h2#mymaster", Err(UnknownScheme)),
        ("sentinel://h/m", Err(UnknownScheme)),
        ("redis+sentinel://h/m\n", Err(ControlCharacter)),
        // Errors: the hosts.
        ("redis+sentinel://h1,,h2/m", Err(InvalidHost)),
        ("redis+sentinel://h1,/m", Err(InvalidHost)),
        ("redis+sentinel://,h1/m", Err(InvalidHost)),
        ("redis+sentinel://,/m", Err(InvalidHost)),
        ("redis+sentinel://h1,:26380/m", Err(InvalidHost)),
        ("redis+sentinel://[::1/m", Err(InvalidHost)),
        ("redis+sentinel://[::1,h2]/m", Err(InvalidHost)),
        ("redis+sentinel://[::1]x,h/m", Err(InvalidHost)),
        ("redis+sentinel://[h2]/m", Err(InvalidHost)),
        ("redis+sentinel://h1,h]2/m", Err(InvalidHost)),
        ("redis+sentinel://h1:0/m", Err(InvalidPort)),
        ("redis+sentinel://h1,h2:65536/m", Err(InvalidPort)),
        ("redis+sentinel://h1:x,h2/m", Err(InvalidPort)),
        ("redis+sentinel://h1:1:2/m", Err(InvalidPort)),
        ("redis+sentinel://h1,h%zz/m", Err(InvalidEscape(UrlPart::Host))),
        // Errors: the service and the database.
        ("redis+sentinel://h", Err(MissingService)),
        ("redis+sentinel://h/", Err(MissingService)),
        ("redis+sentinel://h//1", Err(MissingService)),
        ("redis+sentinel://h?db=1", Err(MissingService)),
        ("redis+sentinel://h/m/abc", Err(InvalidDb)),
        ("redis+sentinel://h/m/1/2", Err(InvalidDb)),
        ("redis+sentinel://h/m/-1", Err(InvalidDb)),
        ("redis+sentinel://h/m/4294967296", Err(InvalidDb)),
        ("redis+sentinel://h/m%zz", Err(InvalidEscape(UrlPart::Path))),
        ("redis+sentinel://h/m/%", Err(InvalidEscape(UrlPart::Path))),
        // Errors: userinfo and options.
        ("redis+sentinel://u:p%@h/m", Err(InvalidEscape(UrlPart::Password))),
        ("redis+sentinel://h/m?foo=1", Err(unknown("foo"))),
        ("redis+sentinel://h/m?min_other_sentinels=-1", Err(invalid("min_other_sentinels"))),
        ("redis+sentinel://h/m?min_other_sentinels=4294967296", Err(invalid("min_other_sentinels"))),
        ("redis+sentinel://h/m?sentinel_password=%", Err(invalid("sentinel_password"))),
        (
            "redis+sentinel://h/m?sentinel_password=a&sentinel_password=b",
            Err(DuplicateOption { option: "sentinel_password" }),
        ),
        ("redis+sentinel://h/m?ssl_cert_reqs=none", Err(not_for_scheme("ssl_cert_reqs"))),
        ("redis+sentinel://h/m?read_from_replicas=yes", Err(not_for_scheme("read_from_replicas"))),
        ("rediss+sentinel://h/m?reinitialize_steps=1", Err(not_for_scheme("reinitialize_steps"))),
    ]
}

/// Whether `got` is what `want` describes; the reason if not.
fn compare_sentinel(got: &SentinelUrl<'_>, want: &SentinelWant) -> Result<(), String> {
    let listed: Vec<(String, u16)> = got.sentinels().map(|(h, p)| (h.to_string(), p)).collect();
    let wanted: Vec<(String, u16)> = want.at.sentinels.iter().map(|&(h, p)| (h.to_string(), p)).collect();
    let user_ok = got.username().map(|u| u.to_string()).as_deref() == want.user;
    let pass_ok = got.password().map(|p| p.expose().to_string()).as_deref() == want.pass;
    let ok = got.is_tls() == want.at.tls
        && listed == wanted
        && got.sentinels().len() == want.at.sentinels.len()
        && got.service() == want.at.service
        && got.db() == want.db
        && user_ok
        && pass_ok
        && *got.options() == want.options;
    if ok { Ok(()) } else { Err(format!("got {got:?} listing {listed:?}, want {want:?}")) }
}

#[test]
fn the_sentinel_table_has_every_case() {
    check_table(&sentinel_table(), SentinelUrl::parse, compare_sentinel);
}

#[test]
fn every_sentinel_url_is_refused_as_one_server_and_every_server_url_as_sentinels() {
    for (url, want) in sentinel_table() {
        if want.is_ok() {
            assert_eq!(ConnectionUrl::parse(url), Err(UrlError::SentinelScheme), "{url:?}");
        }
    }
    for (url, want) in table() {
        if want.is_ok() {
            assert_eq!(SentinelUrl::parse(url), Err(UrlError::NotSentinelScheme), "{url:?}");
        }
    }
}

#[test]
fn a_sentinel_url_displays_without_passwords_and_round_trips() {
    for (url, shown) in [
        ("redis+sentinel://h/m", "redis+sentinel://h:26379/m/0"),
        (
            "rediss+sentinel://u:s3cr3t@[::1]:26380,h2/my%20m/3?sentinel_password=s3cr3t",
            "rediss+sentinel://u:***@[::1]:26380,h2:26379/my%20m/3",
        ),
        ("redis+sentinel:///m?password=s3cr3t&db=2", "redis+sentinel://:***@localhost:26379/m/2"),
        ("redis+sentinel://us%65r@h/m", "redis+sentinel://user@h:26379/m/0"),
    ] {
        let parsed = SentinelUrl::parse(url).unwrap();
        assert_eq!(parsed.to_string(), shown, "{url}");
        let again = SentinelUrl::parse(shown).unwrap();
        assert!(again.sentinels().eq(parsed.sentinels()), "{url}");
        assert_eq!(
            (again.service(), again.db(), again.username(), again.is_tls()),
            (parsed.service(), parsed.db(), parsed.username(), parsed.is_tls())
        );
    }
    let url = SentinelUrl::try_from("rediss+sentinel://h/m").unwrap();
    assert_eq!(url.scheme(), Scheme::RedissSentinel);
    assert!(url.scheme().is_sentinel() && url.scheme().is_tls());
    assert_eq!(SentinelUrl::parse("redis+sentinel://h/m").unwrap().scheme(), Scheme::RedisSentinel);
}

#[test]
fn a_sentinel_url_holds_its_passwords_in_no_debug_display_or_error() {
    for url in [
        "redis+sentinel://u:s3cr3t@h1,h2/m",
        "redis+sentinel://h/m?sentinel_password=s3cr3t",
        "rediss+sentinel://h/m?password=s3cr3t&ssl_password=s3cr3t",
        "redis+sentinel://u:s3cr3t@h1,,h2/m",
        "redis+sentinel://u:s3cr3t@h1:x/m",
        "redis+sentinel://u:s3cr3t@h1",
        "redis+sentinel://u:s3cr3t@h/m/x",
        "redis+sentinel://u:s3cr3t@[s3cr3t]/m",
        "redis+sentinel://h/m?sentinel_password=s3cr3t%zz",
        "redis+sentinel://h/m?sentinel_password=s3cr3t&sentinel_password=s3cr3t",
        "redis+sentinel://u:s3cr3t@h/m?ssl_password=s3cr3t",
    ] {
        let shown = match SentinelUrl::parse(url) {
            Ok(parsed) => format!("{parsed:?} {parsed} {parsed:#?} {:?}", parsed.options()),
            Err(e) => format!("{e} {e:?} {}", e.as_str()),
        };
        assert!(!shown.contains("s3cr3t"), "{url:?} shows its password: {shown}");
    }
    let message = |url| SentinelUrl::parse(url).unwrap_err().to_string();
    assert_eq!(
        message("redis+sentinel://h"),
        "sentinel URL names no service (write redis+sentinel://host/mymaster)"
    );
    assert_eq!(message("redis://h/m"), "URL scheme is not redis+sentinel or rediss+sentinel");
    assert_eq!(
        message("redis+sentinel://h/m?min_other_sentinels=x"),
        "invalid value for URL option 'min_other_sentinels': it takes a whole number, such as 1"
    );
    assert_eq!(
        ConnectionUrl::parse("redis+sentinel://h/m").unwrap_err().to_string(),
        "URL names sentinels (redis+sentinel://), not a server: read it as a sentinel URL"
    );
}

#[test]
fn the_sentinel_list_is_an_exact_size_iterator() {
    let url = SentinelUrl::parse("redis+sentinel://a,b:2,[::1]:3/m").unwrap();
    let mut list = url.sentinels();
    assert_eq!(list.len(), 3);
    assert_eq!(list.next().map(|(h, p)| (h.to_string(), p)), Some(("a".into(), 26379)));
    assert_eq!(list.len(), 2);
    assert_eq!(list.nth(1).map(|(h, p)| (h.to_string(), p)), Some(("::1".into(), 3)));
    assert_eq!((list.len(), list.next(), list.next()), (0, None, None));
}

/// Percent-encodes every byte of `s` but ASCII letters and digits.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn any_string_parses_or_errs_without_panicking(
        url in prop_oneof![
            any::<String>(),
            "(redis|rediss|unix|REDIS)://[a-z0-9:@%/?&=\\[\\]#.+_ -]{0,40}",
            "redis://[a-z]{0,3}(:[0-9]{0,6})?(/[0-9]{0,11})?\\?(db|socket_timeout|protocol|readonly)=[0-9a-z.%+-]{0,12}",
        ]
    ) {
        if let Ok(parsed) = ConnectionUrl::parse(&url) {
            // Whatever parses prints, and what it prints parses to the same place.
            let shown = parsed.to_string();
            let again = ConnectionUrl::parse(&shown).unwrap();
            prop_assert_eq!(again.transport(), parsed.transport());
            prop_assert_eq!(again.db(), parsed.db());
            prop_assert_eq!(again.username(), parsed.username());
            let _ = format!("{parsed:?}");
        }
    }

    #[test]
    fn any_sentinel_url_parses_or_errs_without_panicking(
        url in prop_oneof![
            any::<String>(),
            "(redis|rediss)\\+sentinel://[a-z0-9:@%/?&=\\[\\],#.+_ -]{0,40}",
            "redis\\+sentinel://([a-z]{0,3}(:[0-9]{0,6})?,){0,3}[a-z]{0,3}(/[a-z%0-9]{0,4}(/[0-9]{0,11})?)?",
        ]
    ) {
        if let Ok(parsed) = SentinelUrl::parse(&url) {
            prop_assert!(parsed.sentinels().len() >= 1);
            prop_assert_eq!(parsed.sentinels().count(), parsed.sentinels().len());
            prop_assert!(!parsed.service().is_empty());
            // Whatever parses prints, and what it prints parses to the same place.
            let shown = parsed.to_string();
            let again = SentinelUrl::parse(&shown).unwrap();
            prop_assert!(again.sentinels().eq(parsed.sentinels()));
            prop_assert_eq!(again.service(), parsed.service());
            prop_assert_eq!(again.db(), parsed.db());
            prop_assert_eq!(again.username(), parsed.username());
            let _ = format!("{parsed:?}");
        }
    }

    #[test]
    fn encoded_parts_decode_to_themselves(
        user in "\\PC{1,12}",
        pass in "\\PC{1,12}",
        host in "[a-z][a-z0-9.-]{0,20}",
        port in 1u16..,
        db in any::<u32>(),
        name in "\\PC{1,12}",
    ) {
        let url = format!(
            "rediss://{}:{}@{host}:{port}/{db}?client_name={}",
            encode(&user),
            encode(&pass),
            encode(&name)
        );
        let parsed = ConnectionUrl::parse(&url).unwrap();
        prop_assert_eq!(parsed.username().unwrap(), user.as_str());
        prop_assert_eq!(parsed.password().unwrap().expose(), pass.as_str());
        prop_assert_eq!(parsed.host().unwrap(), host.as_str());
        prop_assert_eq!(parsed.port(), Some(port));
        prop_assert_eq!(parsed.db(), db);
        prop_assert_eq!(parsed.options().client_name.unwrap(), name.as_str());
        let mut buf = [0u8; 64];
        prop_assert_eq!(parsed.username().unwrap().decode_str_into(&mut buf).unwrap(), user.as_str());
    }

    #[test]
    fn decoding_agrees_with_itself(raw in "([a-zA-Z0-9+]|%[0-9a-fA-F]{2}){0,24}") {
        let t = Text::query(&raw).unwrap();
        let mut buf = [0u8; 24];
        let decoded = t.decode_into(&mut buf).unwrap();
        prop_assert_eq!(decoded.len(), t.len());
        prop_assert!(t.bytes().eq(decoded.iter().copied()));
        prop_assert!(t.eq_bytes(decoded));
        prop_assert_eq!(t.as_str().is_some(), !t.is_encoded());
        let mut short = [0u8; 24];
        if let Some(shorter) = t.len().checked_sub(1) {
            prop_assert_eq!(
                t.decode_into(&mut short[..shorter]),
                Err(UrlError::BufferTooSmall { needed: t.len() })
            );
        }
    }
}
