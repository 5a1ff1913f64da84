//! Connection URLs, parsed as redis-py's `Redis.from_url` parses them, borrowing from the
//! input and allocating nothing.
//!
//! Three schemes for one server, as in redis-py, read by [`ConnectionUrl`]:
//!
//! - `redis://[[username]:[password]]@host:port/db`: TCP.
//! - `rediss://[[username]:[password]]@host:port/db`: TLS.
//! - `unix://[[username]:[password]@]/path/to/socket.sock?db=0[&password=password]`: a
//!   unix socket.
//!
//! And two for a service behind Redis Sentinel, read by [`SentinelUrl`] (redis-py has
//! none; this is the form of the `redis-sentinel-url` package, LangChain, RedisVL and
//! Prefect):
//!
//! - `redis+sentinel://[[username]:[password]@]host[:port][,host[:port]...]/service[/db]`:
//!   the sentinels, then the service's name and database.
//! - `rediss+sentinel://...`: the same over TLS, to the sentinels and to the master.
//!
//! See [`SentinelUrl`] for the rules particular to them.
//!
//! The rules, redis-py's unless marked *stricter*:
//!
//! - The user name, password, host, path and every query name and value are
//!   percent-decoded (lazily: see [`Text`]); in the query, `+` is a space. *Stricter:* a
//!   `%` that does not start a two-hex-digit escape is an error, not kept as is.
//! - The host defaults to [`DEFAULT_HOST`] and the port to [`DEFAULT_PORT`] (also when the
//!   port is empty, as in `redis://host:`). An IPv6 host is written in brackets,
//!   `redis://[::1]:6380`, and comes back without them. *Stricter:* port 0 is an error.
//! - The database is the first of: the `db` query option (`redis://host?db=1`), the path
//!   of a `redis://` or `rediss://` URL (`redis://host/1`, a trailing `/` allowed), 0.
//!   *Stricter:* a path that is not a number is an error, not ignored.
//! - An empty user name or password (`redis://:@host`) counts as not given. Credentials in
//!   the userinfo win over `username` and `password` query options.
//! - Query options are cast to their types (see [`Options`]); a name given without a
//!   value (`?db` or `?db=`) counts as not given. *Stricter:* an unknown option, a value
//!   that does not cast, an option given twice, and an option that does not apply to the
//!   scheme are errors naming the option.
//! - A fragment (`#...`) is ignored. *Stricter:* ASCII control characters (a trailing
//!   newline, say) are an error, and a `unix://` URL may not name a host other than
//!   `localhost` (so the easy slip `unix://tmp/redis.sock` is caught).
//!
//! Secrets stay secret: the password is a [`Secret`], which `Debug`, `Display` and
//! `defmt` print as `***`, and no [`UrlError`] carries any text of the URL except the name
//! of an unknown option.

use core::fmt;

mod options;
mod text;

pub use options::{CertReqs, Options, TlsVersion};
pub use text::{Bytes, Secret, Text};

use options::Query;

mod sentinel;

pub use sentinel::{DEFAULT_SENTINEL_PORT, SentinelUrl, Sentinels};

/// The port of a `redis://` or `rediss://` URL that names none.
pub const DEFAULT_PORT: u16 = 6379;

/// The host of a `redis://` or `rediss://` URL that names none, as in `redis://` or
/// `redis://:password@`.
pub const DEFAULT_HOST: &str = "localhost";

/// The scheme of a connection URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Scheme {
    /// `redis://`: plain TCP.
    Redis,
    /// `rediss://`: TLS over TCP.
    Rediss,
    /// `unix://`: a unix domain socket.
    Unix,
    /// `redis+sentinel://`: the sentinels of a service, over TCP ([`SentinelUrl`]).
    RedisSentinel,
    /// `rediss+sentinel://`: the sentinels of a service, over TLS ([`SentinelUrl`]).
    RedissSentinel,
}

impl Scheme {
    /// Every scheme.
    const ALL: [Scheme; 5] =
        [Scheme::Redis, Scheme::Rediss, Scheme::Unix, Scheme::RedisSentinel, Scheme::RedissSentinel];

    /// The scheme as written before `://`, in lower case.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Redis => "redis",
            Self::Rediss => "rediss",
            Self::Unix => "unix",
            Self::RedisSentinel => "redis+sentinel",
            Self::RedissSentinel => "rediss+sentinel",
        }
    }

    /// Whether the scheme names sentinels (`redis+sentinel` or `rediss+sentinel`).
    pub const fn is_sentinel(self) -> bool {
        matches!(self, Self::RedisSentinel | Self::RedissSentinel)
    }

    /// Whether the scheme uses TLS (`rediss` or `rediss+sentinel`).
    pub const fn is_tls(self) -> bool {
        matches!(self, Self::Rediss | Self::RedissSentinel)
    }
}

/// Where a connection URL says to connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Transport<'a> {
    /// `redis://`: plain TCP.
    Tcp {
        /// The host name or IP address (an IPv6 address without its brackets).
        host: Text<'a>,
        /// The port.
        port: u16,
    },
    /// `rediss://`: TLS over TCP.
    Tls {
        /// The host name or IP address (an IPv6 address without its brackets), also the
        /// name the server's certificate is checked against.
        host: Text<'a>,
        /// The port.
        port: u16,
    },
    /// `unix://`: a unix domain socket.
    Unix {
        /// The socket's path.
        path: Text<'a>,
    },
}

/// A parsed `redis://`, `rediss://` or `unix://` URL, borrowing from the input string.
///
/// See the [module documentation](self) for the rules. A `redis+sentinel://` or
/// `rediss+sentinel://` URL is refused with [`UrlError::SentinelScheme`]: it names
/// sentinels, not a server, and [`SentinelUrl`] reads it. `Debug` and `Display` never show
/// the password.
///
/// ```
/// use core::time::Duration;
/// use ferrodis_core::url::{ConnectionUrl, Scheme};
///
/// let url = ConnectionUrl::parse("rediss://app:p%40ss@cache.example.com:6380/2?socket_timeout=0.5")?;
/// assert_eq!(url.scheme(), Scheme::Rediss);
/// assert_eq!(url.host().unwrap(), "cache.example.com");
/// assert_eq!(url.port(), Some(6380));
/// assert_eq!(url.db(), 2);
/// assert_eq!(url.username().unwrap(), "app");
/// assert_eq!(url.options().socket_timeout, Some(Duration::from_millis(500)));
///
/// // The password is decoded into a buffer of yours, and printed by nothing.
/// let password = url.password().unwrap();
/// let mut buf = [0u8; 32];
/// assert_eq!(password.expose().decode_into(&mut buf)?, b"p@ss");
/// assert!(!format!("{url:?}").contains("p%40ss"));
/// assert_eq!(url.to_string(), "rediss://app:***@cache.example.com:6380/2");
///
/// // The forms of redis-py's documentation:
/// let local = ConnectionUrl::parse("redis://localhost:6379/0")?;
/// assert_eq!(local.host().unwrap(), "localhost");
/// assert_eq!((local.port(), local.db()), (Some(6379), 0));
/// let socket = ConnectionUrl::parse("unix:///path/to/socket.sock?db=0&password=password")?;
/// assert_eq!(socket.socket_path().unwrap(), "/path/to/socket.sock");
/// assert_eq!(socket.password().unwrap().expose(), "password");
/// # Ok::<(), ferrodis_core::UrlError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ConnectionUrl<'a> {
    transport: Transport<'a>,
    db: u32,
    username: Option<Text<'a>>,
    password: Option<Secret<'a>>,
    options: Options<'a>,
}

impl<'a> ConnectionUrl<'a> {
    /// Parses a connection URL.
    ///
    /// # Errors
    ///
    /// A [`UrlError`] saying what is wrong; it never holds the password.
    pub fn parse(input: &'a str) -> Result<Self, UrlError> {
        let split = Split::new(input)?;
        let scheme = split.scheme;
        let (host, port) = split_host_port(split.hosts)?;
        let host = Text::component(host).ok_or(UrlError::InvalidEscape(UrlPart::Host))?;

        let (transport, path_db) = match scheme {
            Scheme::Unix => {
                if port.is_some() || !(host.is_empty() || host.raw().eq_ignore_ascii_case("localhost")) {
                    return Err(UrlError::HostOnUnixSocket);
                }
                if split.path.is_empty() {
                    return Err(UrlError::MissingSocketPath);
                }
                let path = Text::component(split.path).ok_or(UrlError::InvalidEscape(UrlPart::Path))?;
                (Transport::Unix { path }, None)
            }
            Scheme::Redis | Scheme::Rediss => {
                let host = if host.is_empty() { Text::plain(DEFAULT_HOST) } else { host };
                let port = match port {
                    None | Some("") => DEFAULT_PORT,
                    Some(port) => parse_port(port)?,
                };
                let transport = match scheme {
                    Scheme::Rediss => Transport::Tls { host, port },
                    _ => Transport::Tcp { host, port },
                };
                (transport, path_db(split.path)?)
            }
            Scheme::RedisSentinel | Scheme::RedissSentinel => return Err(UrlError::SentinelScheme),
        };

        let query = Query::parse(split.query, scheme)?;
        let (username, password) = split.credentials(&query);
        Ok(Self {
            transport,
            db: query.db.or(path_db).unwrap_or(0),
            username,
            password,
            options: query.options,
        })
    }

    /// The scheme (never a sentinel one).
    pub const fn scheme(&self) -> Scheme {
        match self.transport {
            Transport::Tcp { .. } => Scheme::Redis,
            Transport::Tls { .. } => Scheme::Rediss,
            Transport::Unix { .. } => Scheme::Unix,
        }
    }

    /// Where to connect: host and port, or socket path.
    pub const fn transport(&self) -> Transport<'a> {
        self.transport
    }

    /// The host of a `redis://` or `rediss://` URL ([`DEFAULT_HOST`] when it names none);
    /// `None` for a unix socket.
    pub const fn host(&self) -> Option<Text<'a>> {
        match self.transport {
            Transport::Tcp { host, .. } | Transport::Tls { host, .. } => Some(host),
            Transport::Unix { .. } => None,
        }
    }

    /// The port of a `redis://` or `rediss://` URL ([`DEFAULT_PORT`] when it names none);
    /// `None` for a unix socket.
    pub const fn port(&self) -> Option<u16> {
        match self.transport {
            Transport::Tcp { port, .. } | Transport::Tls { port, .. } => Some(port),
            Transport::Unix { .. } => None,
        }
    }

    /// The socket path of a `unix://` URL; `None` for TCP and TLS.
    pub const fn socket_path(&self) -> Option<Text<'a>> {
        match self.transport {
            Transport::Unix { path } => Some(path),
            _ => None,
        }
    }

    /// Whether the connection uses TLS (`rediss://`).
    pub const fn is_tls(&self) -> bool {
        matches!(self.transport, Transport::Tls { .. })
    }

    /// The database to `SELECT`: the `db` option, else the path, else 0.
    pub const fn db(&self) -> u32 {
        self.db
    }

    /// The user name, from the userinfo or else the `username` option.
    pub const fn username(&self) -> Option<Text<'a>> {
        self.username
    }

    /// The password, from the userinfo or else the `password` option.
    pub const fn password(&self) -> Option<Secret<'a>> {
        self.password
    }

    /// The other query options.
    pub const fn options(&self) -> &Options<'a> {
        &self.options
    }
}

impl<'a> TryFrom<&'a str> for ConnectionUrl<'a> {
    type Error = UrlError;

    fn try_from(input: &'a str) -> Result<Self, UrlError> {
        Self::parse(input)
    }
}

/// A URL split as urllib splits it: scheme, userinfo (its escapes checked), the host part
/// (one `host[:port]`, or a sentinel URL's comma-separated list), path and query; the
/// fragment dropped.
struct Split<'a> {
    scheme: Scheme,
    username: Text<'a>,
    password: Text<'a>,
    hosts: &'a str,
    path: &'a str,
    query: &'a str,
}

impl<'a> Split<'a> {
    fn new(input: &'a str) -> Result<Self, UrlError> {
        if input.is_empty() {
            return Err(UrlError::Empty);
        }
        if input.bytes().any(|b| b.is_ascii_control()) {
            return Err(UrlError::ControlCharacter);
        }
        let (scheme, rest) = input.split_once("://").ok_or(UrlError::MissingScheme)?;
        let scheme = parse_scheme(scheme)?;

        // What follows the scheme: authority, path, query and fragment, split as urllib does.
        let rest = rest.split_once('#').map_or(rest, |(rest, _fragment)| rest);
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));

        // The userinfo ends at the last `@`; the password at its first `:`.
        let (userinfo, hosts) = authority.rsplit_once('@').unwrap_or(("", authority));
        let (username, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        let username = Text::component(username).ok_or(UrlError::InvalidEscape(UrlPart::Username))?;
        let password = Text::component(password).ok_or(UrlError::InvalidEscape(UrlPart::Password))?;
        Ok(Self { scheme, username, password, hosts, path, query })
    }

    /// The user name and password: the userinfo's when not empty, else the query's.
    fn credentials(&self, query: &Query<'a>) -> (Option<Text<'a>>, Option<Secret<'a>>) {
        let non_empty = |text: Text<'a>| (!text.is_empty()).then_some(text);
        (
            non_empty(self.username).or(query.username),
            non_empty(self.password).map(Secret::new).or(query.password),
        )
    }
}

/// The URL without its options and with the password as `***`, such as
/// `redis://app:***@localhost:6379/0` or `unix:///tmp/redis.sock?db=1`; fit for logs.
impl fmt::Display for ConnectionUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_scheme_and_userinfo(f, self.scheme(), self.username, self.password.is_some())?;
        match self.transport {
            Transport::Tcp { host, port } | Transport::Tls { host, port } => {
                if host.raw().contains(':') {
                    write!(f, "[{}]:{port}/{}", host.raw(), self.db)
                } else {
                    write!(f, "{}:{port}/{}", host.raw(), self.db)
                }
            }
            Transport::Unix { path } => {
                f.write_str(path.raw())?;
                if self.db != 0 { write!(f, "?db={}", self.db) } else { Ok(()) }
            }
        }
    }
}

/// The scheme, matched without regard to case as urllib does.
fn parse_scheme(scheme: &str) -> Result<Scheme, UrlError> {
    let valid = scheme.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    if !valid {
        return Err(UrlError::MissingScheme);
    }
    Scheme::ALL
        .into_iter()
        .find(|known| scheme.eq_ignore_ascii_case(known.as_str()))
        .ok_or(UrlError::UnknownScheme)
}

/// Splits `host[:port]` or `[ipv6][:port]`; the port is `Some` when a `:` follows the host.
fn split_host_port(host_port: &str) -> Result<(&str, Option<&str>), UrlError> {
    if let Some(bracketed) = host_port.strip_prefix('[') {
        let (address, after) = bracketed.split_once(']').ok_or(UrlError::InvalidHost)?;
        // An IPv6 address, then perhaps a zone (`%25eth0`), checked as an escape later.
        let ip = address.split_once('%').map_or(address, |(ip, _zone)| ip);
        if !ip.contains(':') || !ip.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') {
            return Err(UrlError::InvalidHost);
        }
        match after {
            "" => Ok((address, None)),
            _ => after.strip_prefix(':').map(|port| (address, Some(port))).ok_or(UrlError::InvalidHost),
        }
    } else {
        let (host, port) = match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        };
        if host.contains(['[', ']']) {
            return Err(UrlError::InvalidHost);
        }
        Ok((host, port))
    }
}

/// A port: decimal digits, 1 to 65535.
fn parse_port(port: &str) -> Result<u16, UrlError> {
    let digits = Text::plain(port);
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UrlError::InvalidPort);
    }
    options::uint(digits).and_then(|n| u16::try_from(n).ok()).filter(|&n| n != 0).ok_or(UrlError::InvalidPort)
}

/// The database number in the path of a `redis://` or `rediss://` URL (`/2` or `/2/`), or
/// `None` for an empty path or a lone `/`.
fn path_db(path: &str) -> Result<Option<u32>, UrlError> {
    let db = path.strip_prefix('/').unwrap_or(path);
    let db = db.strip_suffix('/').unwrap_or(db);
    if db.is_empty() {
        return Ok(None);
    }
    let db = Text::component(db).ok_or(UrlError::InvalidEscape(UrlPart::Path))?;
    options::uint(db).and_then(|n| u32::try_from(n).ok()).map(Some).ok_or(UrlError::InvalidDb)
}

/// Writes `scheme://` and the userinfo, `user:***@`, with `***` for a password (if any).
fn write_scheme_and_userinfo(
    f: &mut fmt::Formatter<'_>,
    scheme: Scheme,
    username: Option<Text<'_>>,
    has_password: bool,
) -> fmt::Result {
    write!(f, "{}://", scheme.as_str())?;
    if username.is_some() || has_password {
        if let Some(username) = username {
            write_escaped(f, username.bytes())?;
        }
        if has_password {
            f.write_str(":***")?;
        }
        f.write_str("@")?;
    }
    Ok(())
}

/// Writes `bytes` percent-encoded for a URL's userinfo: everything but ASCII letters,
/// digits and `-._~` as `%XX`.
fn write_escaped(f: &mut fmt::Formatter<'_>, bytes: Bytes<'_>) -> fmt::Result {
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            fmt::Write::write_char(f, char::from(b))?;
        } else {
            write!(f, "%{b:02X}")?;
        }
    }
    Ok(())
}

/// A connection URL could not be parsed, or decoded text did not fit.
///
/// No variant holds text from the URL except [`UnknownOption`](Self::UnknownOption),
/// which holds the unknown option's name, so neither `Debug` nor `Display` can show a
/// password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UrlError {
    /// The URL is an empty string.
    Empty,
    /// The URL does not start with a scheme and `://`.
    MissingScheme,
    /// The scheme is not `redis`, `rediss`, `unix`, `redis+sentinel` or `rediss+sentinel`.
    UnknownScheme,
    /// A `redis+sentinel://` or `rediss+sentinel://` URL was given where one server's URL
    /// is read ([`ConnectionUrl::parse`]): it names sentinels, read it with
    /// [`SentinelUrl::parse`].
    SentinelScheme,
    /// A URL that is not `redis+sentinel://` or `rediss+sentinel://` was given to
    /// [`SentinelUrl::parse`].
    NotSentinelScheme,
    /// A sentinel URL names no service: its path is empty or starts with an empty name
    /// (write `redis+sentinel://host/mymaster`).
    MissingService,
    /// The URL holds an ASCII control character, such as a trailing newline.
    ControlCharacter,
    /// A `%` is not followed by two hex digits.
    InvalidEscape(UrlPart),
    /// The host is malformed: an unclosed `[`, brackets around something that is not an
    /// IPv6 address, text between `]` and the port, or (in a sentinel URL's list of
    /// several hosts) an empty host.
    InvalidHost,
    /// The port is not a number from 1 to 65535.
    InvalidPort,
    /// The path of a `redis://` or `rediss://` URL is not a database number.
    InvalidDb,
    /// A `unix://` URL has no socket path.
    MissingSocketPath,
    /// A `unix://` URL names a host or port (write `unix:///path`, three slashes).
    HostOnUnixSocket,
    /// A query option is not one this parser knows.
    UnknownOption(OptionName),
    /// A query option's value does not cast to the option's type.
    InvalidOption {
        /// The option's name.
        option: &'static str,
    },
    /// A query option is given twice with a value.
    DuplicateOption {
        /// The option's name.
        option: &'static str,
    },
    /// A query option does not apply to the URL's scheme (a TLS option on `redis://`, say).
    OptionNotForScheme {
        /// The option's name.
        option: &'static str,
    },
    /// A buffer for decoded text is too short; `needed` is the decoded length.
    BufferTooSmall {
        /// The decoded text's length in bytes.
        needed: usize,
    },
    /// Decoded text is not UTF-8.
    NotUtf8,
}

impl UrlError {
    /// A static description of the error, usable without formatting machinery.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Empty => "empty URL",
            Self::MissingScheme => {
                "URL does not start with redis://, rediss://, unix:// or redis+sentinel://"
            }
            Self::UnknownScheme => "URL scheme is not redis, rediss, unix, redis+sentinel or rediss+sentinel",
            Self::SentinelScheme => {
                "URL names sentinels (redis+sentinel://), not a server: read it as a sentinel URL"
            }
            Self::NotSentinelScheme => "URL scheme is not redis+sentinel or rediss+sentinel",
            Self::MissingService => "sentinel URL names no service (write redis+sentinel://host/mymaster)",
            Self::ControlCharacter => "control character in URL",
            Self::InvalidEscape(_) => "'%' not followed by two hex digits",
            Self::InvalidHost => "malformed host in URL",
            Self::InvalidPort => "URL port is not a number from 1 to 65535",
            Self::InvalidDb => "URL path is not a database number",
            Self::MissingSocketPath => "unix:// URL without a socket path",
            Self::HostOnUnixSocket => "unix:// URL names a host (write unix:///path)",
            Self::UnknownOption(_) => "unknown URL option",
            Self::InvalidOption { .. } => "invalid value for URL option",
            Self::DuplicateOption { .. } => "URL option given twice",
            Self::OptionNotForScheme { .. } => "URL option does not apply to the scheme",
            Self::BufferTooSmall { .. } => "buffer too small for decoded URL text",
            Self::NotUtf8 => "decoded URL text is not UTF-8",
        }
    }
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.as_str();
        match self {
            Self::InvalidEscape(part) => write!(f, "{text} in the URL's {}", part.as_str()),
            Self::UnknownOption(name) => write!(f, "{text} '{name}'"),
            Self::InvalidOption { option } => {
                write!(f, "{text} '{option}': it takes {}", options::takes(option))
            }
            Self::DuplicateOption { option } | Self::OptionNotForScheme { option } => {
                write!(f, "{text} '{option}'")
            }
            Self::BufferTooSmall { needed } => write!(f, "{text}: {needed} bytes needed"),
            _ => f.write_str(text),
        }
    }
}

impl core::error::Error for UrlError {}

/// The part of a URL that holds a malformed escape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UrlPart {
    /// The user name.
    Username,
    /// The password (whose text is never shown).
    Password,
    /// The host.
    Host,
    /// The path: the database number, the socket path or a sentinel URL's service name.
    Path,
    /// A query option's name.
    Query,
}

impl UrlPart {
    /// The part's name in prose, such as `"user name"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Username => "user name",
            Self::Password => "password",
            Self::Host => "host",
            Self::Path => "path",
            Self::Query => "query",
        }
    }
}

/// The decoded name of an unknown query option, kept inline (no allocation) and cut at
/// [`OptionName::CAPACITY`] bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OptionName {
    bytes: [u8; OptionName::CAPACITY],
    len: u8,
    truncated: bool,
}

impl OptionName {
    /// The most bytes of a name that are kept.
    pub const CAPACITY: usize = 32;

    /// The decoded `name`, cut to the capacity.
    fn new(name: Text<'_>) -> Self {
        let mut this = Self { bytes: [0; Self::CAPACITY], len: 0, truncated: false };
        let mut bytes = name.bytes();
        for (slot, byte) in this.bytes.iter_mut().zip(bytes.by_ref()) {
            *slot = byte;
            this.len += 1;
        }
        this.truncated = bytes.next().is_some();
        this
    }

    /// The name's bytes (its first [`CAPACITY`](Self::CAPACITY) bytes if it was longer).
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }

    /// Whether the name was longer than [`CAPACITY`](Self::CAPACITY) and has been cut.
    pub const fn is_truncated(&self) -> bool {
        self.truncated
    }
}

/// The name, non-UTF-8 bytes as U+FFFD, followed by `...` if it was cut.
impl fmt::Display for OptionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        text::write_lossy(f, self.as_bytes().iter().copied())?;
        if self.truncated { f.write_str("...") } else { Ok(()) }
    }
}

impl fmt::Debug for OptionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OptionName(\"{self}\")")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for OptionName {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "OptionName({=[u8]:a}, truncated: {=bool})", self.as_bytes(), self.truncated)
    }
}

#[cfg(test)]
mod tests;
