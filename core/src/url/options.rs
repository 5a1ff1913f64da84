//! The query options of a connection URL (`?socket_timeout=0.5&protocol=3`), each cast to
//! its type.

use core::time::Duration;

use super::text::{Secret, Text};
use super::{Scheme, UrlError};
use crate::conn::Protocol;

/// How a TLS connection checks the server's certificate, from the `ssl_cert_reqs` option
/// (`none`, `optional` or `required`, as Python's `ssl.CERT_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CertReqs {
    /// `none`: any certificate is accepted, or none at all.
    None,
    /// `optional`: a certificate, if the server sends one, must be valid.
    Optional,
    /// `required`: the server must send a valid certificate (the default).
    Required,
}

/// The oldest TLS version a connection accepts, from the `ssl_min_version` option
/// (`TLSv1_2` or `TLSv1_3`, as Python's `ssl.TLSVersion` names them, in any case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum TlsVersion {
    /// TLS 1.2 or newer.
    #[default]
    Tls12,
    /// TLS 1.3 only.
    Tls13,
}

/// The typed query options of a [`ConnectionUrl`](super::ConnectionUrl); `None` for each
/// option the URL does not give (or gives with an empty value, as in `?socket_timeout=`).
///
/// Names and meanings follow redis-py's. Durations are decimal seconds (`0.5`, `10`), as
/// redis-py's floats, but parsed exactly and never negative, infinite or NaN;
/// `health_check_interval` is whole seconds, as redis-py's `int`. Booleans are `true`,
/// `false`, `yes`, `no`, `t`, `f`, `y`, `n`, `1` or `0` in any case. `db`, `username` and
/// `password` are options too but land in the URL itself, not here.
///
/// The TLS options (`ssl_*`) are refused on `redis://`, `redis+sentinel://` and `unix://`
/// URLs, and `socket_keepalive` on `unix://` URLs, as redis-py's connection classes refuse
/// them. The cluster options (`read_from_replicas`, `require_full_coverage`,
/// `reinitialize_steps`, `cluster_error_retry_attempts`, `dynamic_startup_nodes`, those of
/// redis-py's `RedisCluster.from_url`) are refused on `unix://` and sentinel URLs; a driver
/// that is not a cluster client refuses them itself. The sentinel options
/// (`sentinel_username`, `sentinel_password`, `min_other_sentinels`) are refused on every
/// URL but a sentinel one ([`SentinelUrl`](super::SentinelUrl)).
///
/// ```
/// use core::time::Duration;
/// use ferrodis_core::conn::Protocol;
/// use ferrodis_core::url::{CertReqs, ConnectionUrl};
///
/// let url = ConnectionUrl::parse("rediss://cache?socket_timeout=1.5&protocol=3&ssl_cert_reqs=none")?;
/// let options = url.options();
/// assert_eq!(options.socket_timeout, Some(Duration::from_millis(1500)));
/// assert_eq!(options.protocol, Some(Protocol::Resp3));
/// assert_eq!(options.ssl_cert_reqs, Some(CertReqs::None));
/// assert_eq!(options.socket_keepalive, None);
/// # Ok::<(), ferrodis_core::UrlError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub struct Options<'a> {
    /// `socket_timeout`: how long one read or write may take.
    pub socket_timeout: Option<Duration>,
    /// `socket_connect_timeout`: how long connecting may take.
    pub socket_connect_timeout: Option<Duration>,
    /// `socket_keepalive`: TCP keepalive on the socket (TCP and TLS only).
    pub socket_keepalive: Option<bool>,
    /// `retry_on_timeout`: retry a command once after a timeout.
    pub retry_on_timeout: Option<bool>,
    /// `health_check_interval`: `PING` a connection idle this long before using it
    /// (whole seconds).
    pub health_check_interval: Option<Duration>,
    /// `max_connections`: the pool's size (at least 1).
    pub max_connections: Option<u32>,
    /// `timeout`: how long a blocking pool waits for a free connection.
    pub timeout: Option<Duration>,
    /// `readonly`: send `READONLY`, to read from cluster replicas.
    pub readonly: Option<bool>,
    /// `protocol`: RESP2 (`2`) or RESP3 (`3`).
    pub protocol: Option<Protocol>,
    /// `client_name`: the name set with `CLIENT SETNAME`.
    pub client_name: Option<Text<'a>>,
    /// `lib_name`: the library name announced with `CLIENT SETINFO`.
    pub lib_name: Option<Text<'a>>,
    /// `lib_version`: the library version announced with `CLIENT SETINFO`.
    pub lib_version: Option<Text<'a>>,
    /// `ssl_cert_reqs`: how the server's certificate is checked (TLS only).
    pub ssl_cert_reqs: Option<CertReqs>,
    /// `ssl_check_hostname`: whether the certificate must name the host (TLS only).
    pub ssl_check_hostname: Option<bool>,
    /// `ssl_ca_certs`: a file of trusted CA certificates (TLS only).
    pub ssl_ca_certs: Option<Text<'a>>,
    /// `ssl_ca_path`: a directory of trusted CA certificates (TLS only).
    pub ssl_ca_path: Option<Text<'a>>,
    /// `ssl_certfile`: the client certificate file (TLS only).
    pub ssl_certfile: Option<Text<'a>>,
    /// `ssl_keyfile`: the client private key file (TLS only).
    pub ssl_keyfile: Option<Text<'a>>,
    /// `ssl_password`: the password of the client key file (TLS only); never printed.
    pub ssl_password: Option<Secret<'a>>,
    /// `ssl_min_version`: the oldest TLS version accepted (TLS only).
    pub ssl_min_version: Option<TlsVersion>,
    /// `ssl_ciphers`: the cipher suites offered, in OpenSSL's syntax (TLS only).
    pub ssl_ciphers: Option<Text<'a>>,
    /// `socket_read_size`: how many bytes one read asks for (redis-py's `socket_read_size`).
    pub socket_read_size: Option<u32>,
    /// `retry_on_error`: errors after which a command is retried, by name.
    pub retry_on_error: Option<Text<'a>>,
    /// `read_from_replicas`: a cluster client sends reads to replicas too (cluster only:
    /// redis-py's `RedisCluster.from_url`, as are the next four).
    pub read_from_replicas: Option<bool>,
    /// `require_full_coverage`: a cluster client takes a slot map only when every slot is
    /// served.
    pub require_full_coverage: Option<bool>,
    /// `reinitialize_steps`: after this many `MOVED` replies a cluster client reads its
    /// whole slot map again.
    pub reinitialize_steps: Option<u32>,
    /// `cluster_error_retry_attempts`: the most retries of a cluster request after a busy
    /// reply (`TRYAGAIN`, `CLUSTERDOWN`, ...) or a connection that failed before sending.
    pub cluster_error_retry_attempts: Option<u8>,
    /// `dynamic_startup_nodes`: a cluster client's refreshes may ask any node its map
    /// knows, not only the startup nodes.
    pub dynamic_startup_nodes: Option<bool>,
    /// `sentinel_username`: the user name to authenticate to the sentinels with, not the
    /// master's (sentinel URLs only, as are the next two: redis-py's `sentinel_kwargs`).
    pub sentinel_username: Option<Text<'a>>,
    /// `sentinel_password`: the password to authenticate to the sentinels with; never
    /// printed.
    pub sentinel_password: Option<Secret<'a>>,
    /// `min_other_sentinels`: a master is taken only from a sentinel that knows at least
    /// this many others watching it (redis-py's `min_other_sentinels`).
    pub min_other_sentinels: Option<u32>,
}

/// Which schemes an option applies to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Any,
    /// TCP and TLS, sentinel URLs too, not unix sockets.
    Network,
    /// TLS only (`rediss://` and `rediss+sentinel://`).
    Tls,
    /// A cluster's: `redis://` and `rediss://` only.
    Cluster,
    /// A sentinel URL's: `redis+sentinel://` and `rediss+sentinel://` only.
    Sentinel,
}

/// What a duration option takes.
const SECONDS: &str = "decimal seconds, such as 0.5 or 10";
/// What a boolean option takes.
const BOOLEAN: &str = "true or false (also yes/no, t/f, y/n, 1/0)";
/// What a free-text option takes.
const TEXT: &str = "text, with '%' followed by two hex digits";

/// Every option a URL may carry, by its name in the query, with where it applies and what
/// values it takes.
const OPTIONS: &[(&str, Scope, &str)] = &[
    ("db", Scope::Any, "a database number, such as 0"),
    ("username", Scope::Any, TEXT),
    ("password", Scope::Any, TEXT),
    ("socket_timeout", Scope::Any, SECONDS),
    ("socket_connect_timeout", Scope::Any, SECONDS),
    ("socket_keepalive", Scope::Network, BOOLEAN),
    ("socket_read_size", Scope::Any, "a number of bytes, at least 1"),
    ("retry_on_timeout", Scope::Any, BOOLEAN),
    ("retry_on_error", Scope::Any, TEXT),
    ("health_check_interval", Scope::Any, "whole seconds, such as 30"),
    ("max_connections", Scope::Any, "a whole number, at least 1"),
    ("timeout", Scope::Any, SECONDS),
    ("readonly", Scope::Any, BOOLEAN),
    ("protocol", Scope::Any, "2 or 3"),
    ("client_name", Scope::Any, TEXT),
    ("lib_name", Scope::Any, TEXT),
    ("lib_version", Scope::Any, TEXT),
    ("ssl_cert_reqs", Scope::Tls, "none, optional or required"),
    ("ssl_check_hostname", Scope::Tls, BOOLEAN),
    ("ssl_ca_certs", Scope::Tls, TEXT),
    ("ssl_ca_path", Scope::Tls, TEXT),
    ("ssl_certfile", Scope::Tls, TEXT),
    ("ssl_keyfile", Scope::Tls, TEXT),
    ("ssl_password", Scope::Tls, TEXT),
    ("ssl_min_version", Scope::Tls, "TLSv1_2 or TLSv1_3"),
    ("ssl_ciphers", Scope::Tls, TEXT),
    ("read_from_replicas", Scope::Cluster, BOOLEAN),
    ("require_full_coverage", Scope::Cluster, BOOLEAN),
    ("reinitialize_steps", Scope::Cluster, "a whole number, such as 5 (0: on every MOVED)"),
    ("cluster_error_retry_attempts", Scope::Cluster, "a whole number from 0 to 255"),
    ("dynamic_startup_nodes", Scope::Cluster, BOOLEAN),
    ("sentinel_username", Scope::Sentinel, TEXT),
    ("sentinel_password", Scope::Sentinel, TEXT),
    ("min_other_sentinels", Scope::Sentinel, "a whole number, such as 1"),
];

/// What values the known option `option` takes, in words (for error messages).
pub(super) fn takes(option: &str) -> &'static str {
    OPTIONS.iter().find(|(name, ..)| *name == option).map_or(TEXT, |(.., takes)| takes)
}

/// Everything a query sets: the options, and `db`, `username` and `password`, which the
/// URL merges with its path and userinfo.
#[derive(Default)]
pub(super) struct Query<'a> {
    pub(super) db: Option<u32>,
    pub(super) username: Option<Text<'a>>,
    pub(super) password: Option<Secret<'a>>,
    pub(super) options: Options<'a>,
}

impl<'a> Query<'a> {
    /// Parses the text after the `?` (without a fragment) for a URL of `scheme`.
    ///
    /// Pairs are separated by `&`; an empty pair, a name without `=` and an empty value
    /// are skipped, as in redis-py, but the name must still be known.
    pub(super) fn parse(query: &'a str, scheme: Scheme) -> Result<Self, UrlError> {
        let mut parsed = Query::default();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = Text::query(name).ok_or(UrlError::InvalidEscape(super::UrlPart::Query))?;
            let Some(&(option, scope, _)) =
                OPTIONS.iter().find(|(known, ..)| name.eq_bytes(known.as_bytes()))
            else {
                return Err(UrlError::UnknownOption(super::OptionName::new(name)));
            };
            let value = Text::query(value).ok_or(UrlError::InvalidOption { option })?;
            if value.is_empty() {
                continue;
            }
            let applies = match scope {
                Scope::Any => true,
                Scope::Network => scheme != Scheme::Unix,
                Scope::Tls => scheme.is_tls(),
                Scope::Cluster => matches!(scheme, Scheme::Redis | Scheme::Rediss),
                Scope::Sentinel => scheme.is_sentinel(),
            };
            if !applies {
                return Err(UrlError::OptionNotForScheme { option });
            }
            parsed.set(option, value)?;
        }
        Ok(parsed)
    }

    /// Casts `value` for the known option `option` and stores it.
    fn set(&mut self, option: &'static str, value: Text<'a>) -> Result<(), UrlError> {
        /// Stores a value unless the option was given already.
        fn once<T>(slot: &mut Option<T>, value: Option<T>, option: &'static str) -> Result<(), UrlError> {
            let value = value.ok_or(UrlError::InvalidOption { option })?;
            match slot.replace(value) {
                Some(_) => Err(UrlError::DuplicateOption { option }),
                None => Ok(()),
            }
        }
        let o = &mut self.options;
        match option {
            "db" => once(&mut self.db, uint(value).and_then(|n| u32::try_from(n).ok()), option),
            "username" => once(&mut self.username, Some(value), option),
            "password" => once(&mut self.password, Some(Secret::new(value)), option),
            "socket_timeout" => once(&mut o.socket_timeout, seconds(value), option),
            "socket_connect_timeout" => once(&mut o.socket_connect_timeout, seconds(value), option),
            "socket_keepalive" => once(&mut o.socket_keepalive, boolean(value), option),
            "retry_on_timeout" => once(&mut o.retry_on_timeout, boolean(value), option),
            "health_check_interval" => {
                once(&mut o.health_check_interval, uint(value).map(Duration::from_secs), option)
            }
            "max_connections" => once(
                &mut o.max_connections,
                uint(value).and_then(|n| u32::try_from(n).ok()).filter(|&n| n > 0),
                option,
            ),
            "timeout" => once(&mut o.timeout, seconds(value), option),
            "readonly" => once(&mut o.readonly, boolean(value), option),
            "protocol" => once(&mut o.protocol, protocol(value), option),
            "client_name" => once(&mut o.client_name, Some(value), option),
            "lib_name" => once(&mut o.lib_name, Some(value), option),
            "lib_version" => once(&mut o.lib_version, Some(value), option),
            "ssl_cert_reqs" => once(&mut o.ssl_cert_reqs, cert_reqs(value), option),
            "ssl_check_hostname" => once(&mut o.ssl_check_hostname, boolean(value), option),
            "ssl_ca_certs" => once(&mut o.ssl_ca_certs, Some(value), option),
            "ssl_ca_path" => once(&mut o.ssl_ca_path, Some(value), option),
            "ssl_certfile" => once(&mut o.ssl_certfile, Some(value), option),
            "ssl_keyfile" => once(&mut o.ssl_keyfile, Some(value), option),
            "ssl_password" => once(&mut o.ssl_password, Some(Secret::new(value)), option),
            "ssl_min_version" => once(&mut o.ssl_min_version, tls_version(value), option),
            "ssl_ciphers" => once(&mut o.ssl_ciphers, Some(value), option),
            "socket_read_size" => once(
                &mut o.socket_read_size,
                uint(value).and_then(|n| u32::try_from(n).ok()).filter(|&n| n > 0),
                option,
            ),
            "retry_on_error" => once(&mut o.retry_on_error, Some(value), option),
            "read_from_replicas" => once(&mut o.read_from_replicas, boolean(value), option),
            "require_full_coverage" => once(&mut o.require_full_coverage, boolean(value), option),
            "reinitialize_steps" => {
                once(&mut o.reinitialize_steps, uint(value).and_then(|n| u32::try_from(n).ok()), option)
            }
            "cluster_error_retry_attempts" => once(
                &mut o.cluster_error_retry_attempts,
                uint(value).and_then(|n| u8::try_from(n).ok()),
                option,
            ),
            "dynamic_startup_nodes" => once(&mut o.dynamic_startup_nodes, boolean(value), option),
            "sentinel_username" => once(&mut o.sentinel_username, Some(value), option),
            "sentinel_password" => once(&mut o.sentinel_password, Some(Secret::new(value)), option),
            "min_other_sentinels" => {
                once(&mut o.min_other_sentinels, uint(value).and_then(|n| u32::try_from(n).ok()), option)
            }
            _ => Err(UrlError::InvalidOption { option }),
        }
    }
}

/// A non-empty run of decimal digits that fits a `u64`.
pub(super) fn uint(text: Text<'_>) -> Option<u64> {
    let mut bytes = text.bytes().peekable();
    bytes.peek()?;
    bytes.try_fold(0u64, |n, b| n.checked_mul(10)?.checked_add(u64::from(digit(b)?)))
}

/// Decimal seconds, `10`, `0.25`, `.5` or `3.`, exact to the nanosecond (further digits
/// are dropped).
fn seconds(text: Text<'_>) -> Option<Duration> {
    let (mut secs, mut nanos) = (0u64, 0u32);
    let (mut digits, mut fraction_digits, mut in_fraction) = (0, 0, false);
    for b in text.bytes() {
        if b == b'.' && !in_fraction {
            in_fraction = true;
            continue;
        }
        let d = digit(b)?;
        digits += 1;
        if !in_fraction {
            secs = secs.checked_mul(10)?.checked_add(u64::from(d))?;
        } else if fraction_digits < 9 {
            nanos = nanos * 10 + u32::from(d);
            fraction_digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    for _ in fraction_digits..9 {
        nanos *= 10;
    }
    Some(Duration::new(secs, nanos))
}

/// A boolean: `true`/`false`, `yes`/`no`, `t`/`f`, `y`/`n`, `1`/`0`, in any case.
fn boolean(text: Text<'_>) -> Option<bool> {
    match lowercase::<5>(text)?.as_slice() {
        b"true" | b"yes" | b"t" | b"y" | b"1" => Some(true),
        b"false" | b"no" | b"f" | b"n" | b"0" => Some(false),
        _ => None,
    }
}

/// `2` or `3`.
fn protocol(text: Text<'_>) -> Option<Protocol> {
    match uint(text)? {
        2 => Some(Protocol::Resp2),
        3 => Some(Protocol::Resp3),
        _ => None,
    }
}

/// `none`, `optional` or `required`, in any case.
fn cert_reqs(text: Text<'_>) -> Option<CertReqs> {
    match lowercase::<8>(text)?.as_slice() {
        b"none" => Some(CertReqs::None),
        b"optional" => Some(CertReqs::Optional),
        b"required" => Some(CertReqs::Required),
        _ => None,
    }
}

/// `TLSv1_2` or `TLSv1_3`, in any case.
fn tls_version(text: Text<'_>) -> Option<TlsVersion> {
    match lowercase::<7>(text)?.as_slice() {
        b"tlsv1_2" => Some(TlsVersion::Tls12),
        b"tlsv1_3" => Some(TlsVersion::Tls13),
        _ => None,
    }
}

/// The decoded text in ASCII lower case, if it fits `N` bytes.
fn lowercase<const N: usize>(text: Text<'_>) -> Option<heapless::Vec<u8, N>> {
    let mut out = heapless::Vec::new();
    for b in text.bytes() {
        out.push(b.to_ascii_lowercase()).ok()?;
    }
    Some(out)
}

/// The value of one decimal digit.
const fn digit(b: u8) -> Option<u8> {
    if b.is_ascii_digit() { Some(b - b'0') } else { None }
}
