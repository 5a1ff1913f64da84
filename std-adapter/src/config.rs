//! Connection settings: every `Redis(...)` parameter of redis-py that means something in
//! Rust, with a builder.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use ferrodis_core::conn::Protocol;
pub use ferrodis_core::url::TlsVersion;

/// Where the server listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A host name or IP address and a TCP port.
    Tcp {
        /// Host name or IP literal (no brackets for IPv6).
        host: String,
        /// TCP port.
        port: u16,
    },
    /// A unix domain socket.
    Unix(PathBuf),
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Address::Tcp { host, port } => write!(f, "{host}:{port}"),
            Address::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// A password. It is never shown: `Debug` and `Display` print `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(password: impl Into<String>) -> Self {
        Self(password.into())
    }

    /// The password itself, for the handshake.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The default limit on waiting for a reply: 10 s.
///
/// A reply takes microseconds to milliseconds; a healthy server takes seconds only when it
/// stalls (a fork for a snapshot of a large dataset, a slow script, `KEYS` over millions of
/// keys), and 10 s is longer than those. It is short enough that a server gone without a
/// reset (power lost, a partition, a black-holed route) is noticed well before the layer
/// above gives up (an HTTP request's 30 s), where redis-py, which has no default, hangs
/// until TCP keepalive notices (minutes to hours). Blocking commands wait their own
/// timeout on top ([`ConnectionConfig::socket_timeout`]).
pub const DEFAULT_SOCKET_TIMEOUT: Duration = Duration::from_secs(10);

/// The default limit on connecting, name resolution and handshake included: 5 s, many
/// round trips on the slowest network a server sits behind, and short enough that a
/// pool or a reconnecting connection moves on from an address that does not answer.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// TCP keepalive settings (redis-py's `socket_keepalive` and `socket_keepalive_options`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Keepalive {
    /// Idle time before the first probe (`TCP_KEEPIDLE`); the system default when `None`.
    pub time: Option<Duration>,
    /// Time between probes (`TCP_KEEPINTVL`).
    pub interval: Option<Duration>,
    /// Unanswered probes before the connection is dropped (`TCP_KEEPCNT`).
    pub retries: Option<u32>,
}

/// How a TLS client checks the server's certificate (redis-py's `ssl_cert_reqs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CertificateCheck {
    /// The certificate must chain to a trusted root and name the host (the default).
    #[default]
    Required,
    /// No check at all: only when asked for explicitly, for tests and private networks.
    Disabled,
}

/// TLS settings for `rediss://` connections (rustls; no OpenSSL).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TlsOptions {
    /// A PEM file of trusted CA certificates (`ssl_ca_certs`); the webpki roots when
    /// neither this nor `ca_pem` is set.
    pub ca_file: Option<PathBuf>,
    /// PEM data of trusted CA certificates (redis-py's `ssl_ca_data`).
    pub ca_pem: Option<Vec<u8>>,
    /// The client certificate chain, PEM, for mutual TLS (`ssl_certfile`).
    pub client_cert_file: Option<PathBuf>,
    /// The client's private key, PEM, for mutual TLS (`ssl_keyfile`).
    pub client_key_file: Option<PathBuf>,
    /// Whether and how the server certificate is checked.
    pub check: CertificateCheck,
    /// Whether the certificate must name the host (`ssl_check_hostname`); default true.
    pub check_hostname: bool,
    /// The name to check instead of the host (SNI and verification).
    pub server_name: Option<String>,
    /// A directory of PEM files of trusted CA certificates (`ssl_ca_path`): every
    /// certificate in its files is trusted, with `ca_file`'s and `ca_pem`'s.
    pub ca_dir: Option<PathBuf>,
    /// The oldest TLS version accepted (`ssl_min_version`). Default TLS 1.2, the oldest
    /// rustls speaks.
    pub min_version: TlsVersion,
    /// The rustls configuration, built at the first connect and shared by clones.
    pub(crate) built: crate::tls_cache::BuiltOnce,
}

impl TlsOptions {
    /// Verified against the webpki roots, host name checked.
    pub fn new() -> Self {
        Self { check_hostname: true, ..Self::default() }
    }
}

/// Everything needed to open a connection.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConnectionConfig {
    /// Where the server listens. Default `localhost:6379`.
    pub address: Address,
    /// TLS (`rediss://`), or `None` for a plain connection.
    pub tls: Option<TlsOptions>,
    /// Database selected after connecting. Default 0.
    pub db: u32,
    /// ACL user name (`None`: the `default` user).
    pub username: Option<String>,
    /// Password for `AUTH`.
    pub password: Option<Password>,
    /// Where the user name and password come from on every connect, overriding
    /// `username` and `password` (see [`CredentialProvider`](crate::CredentialProvider)).
    pub credential_provider: Option<crate::CredentialSource>,
    /// `CLIENT SETNAME` after connecting.
    pub client_name: Option<String>,
    /// `CLIENT SETINFO LIB-NAME`; default `ferrodis`, `None` to skip.
    pub lib_name: Option<String>,
    /// `CLIENT SETINFO LIB-VER`; default this crate's version, `None` to skip.
    pub lib_version: Option<String>,
    /// RESP2 (default) or RESP3.
    pub protocol: Protocol,
    /// Limit on waiting for a reply (redis-py's `socket_timeout`): on a blocking
    /// connection each socket read and write, on a multiplexed one each request from the
    /// call to its reply. Default [`DEFAULT_SOCKET_TIMEOUT`] (10 s); `None` waits forever.
    ///
    /// A blocking command waits its own timeout on top (`BLPOP k 5`: 5 s more; `XREAD
    /// BLOCK 2000`: 2 s more), and one that asks to wait forever (`BLPOP k 0`) has no limit
    /// ([`ferrodis_core::cmd::block_time`]). A request that times out after it was written
    /// fails with [`Delivery::Unknown`](ferrodis_core::error::Delivery::Unknown); the
    /// blocking connection is then closed, as a reply may still come.
    pub socket_timeout: Option<Duration>,
    /// Limit on connecting, handshake included (redis-py's `socket_connect_timeout`), and
    /// on resolving the host name. Default [`DEFAULT_CONNECT_TIMEOUT`] (5 s).
    pub connect_timeout: Duration,
    /// TCP keepalive; on by default with the system's timings.
    pub keepalive: Option<Keepalive>,
    /// Initial read buffer size. Default 16 KiB.
    pub read_buffer_size: usize,
    /// Largest reply the read buffer grows to hold. Default 512 MiB + 64 KiB.
    pub max_reply_size: usize,
    /// Write buffer size: requests are written in chunks of at most this. Default 16 KiB.
    pub write_buffer_size: usize,
    /// Send `READONLY` after connecting, so a cluster replica serves reads (redis-py's
    /// `readonly`); a server without cluster support refuses it and the connection fails.
    /// Default false.
    pub readonly: bool,
    /// Load the server's commands after connecting (`COMMAND LIST`, then `COMMAND INFO` for
    /// those core's static table lacks), for [`Connection::command_table`](crate::Connection::command_table)
    /// on a blocking connection. Default false.
    pub load_command_table: bool,
    /// Run on every new blocking connection right after the handshake, reconnects
    /// included; its error fails the connect.
    pub on_connect: Option<crate::ConnectHook>,
    /// How a blocking connection retries a failed request: it reconnects and sends the
    /// request again only as the policy allows, and only when the request certainly was
    /// not sent (or the failure was a server error reply the policy names), so nothing
    /// runs twice. Default [`RetryPolicy::NEVER`](ferrodis_core::retry::RetryPolicy::NEVER):
    /// the caller sees every failure and calls [`reconnect`](crate::Connection::reconnect).
    pub retry: ferrodis_core::retry::RetryPolicy,
    /// Run on every new multiplexed connection right after the handshake; its error fails
    /// the connect.
    #[cfg(feature = "tokio")]
    pub on_connect_async: Option<crate::AsyncConnectHook>,
    /// Asked for the address at every connect and reconnect of a blocking connection,
    /// instead of [`address`](Self::address), with the role the server must confirm
    /// (Sentinel's [`master_for`](crate::Sentinel::master_for)). A multiplexed connection
    /// refuses a configuration that has one. Default `None`.
    pub resolver: Option<crate::AddressResolver>,
}

impl Default for ConnectionConfig {
    fn default() -> Self {
        Self {
            address: Address::Tcp { host: "localhost".into(), port: 6379 },
            tls: None,
            db: 0,
            username: None,
            password: None,
            credential_provider: None,
            client_name: None,
            lib_name: Some("ferrodis".into()),
            lib_version: Some(env!("CARGO_PKG_VERSION").into()),
            protocol: Protocol::Resp2,
            socket_timeout: Some(DEFAULT_SOCKET_TIMEOUT),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            keepalive: Some(Keepalive::default()),
            read_buffer_size: 16 * 1024,
            max_reply_size: 512 * 1024 * 1024 + 64 * 1024,
            write_buffer_size: 16 * 1024,
            readonly: false,
            load_command_table: false,
            on_connect: None,
            retry: ferrodis_core::retry::RetryPolicy::NEVER,
            #[cfg(feature = "tokio")]
            on_connect_async: None,
            resolver: None,
        }
    }
}

/// Builds a [`ConnectionConfig`] one setting at a time.
///
/// ```
/// use std::time::Duration;
/// use ferrodis_std::{ClientBuilder, Protocol};
///
/// let config = ClientBuilder::new()
///     .host("127.0.0.1")
///     .port(6380)
///     .db(2)
///     .username("app")
///     .password("s3cr3t")
///     .client_name("worker-1")
///     .protocol(Protocol::Resp3)
///     .socket_timeout(Duration::from_secs(2))
///     .config();
/// assert_eq!(config.db, 2);
/// assert!(!format!("{config:?}").contains("s3cr3t"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct ClientBuilder {
    config: ConnectionConfig,
}

impl ClientBuilder {
    /// Defaults: `localhost:6379`, db 0, RESP2.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts from an existing configuration.
    pub fn from_config(config: ConnectionConfig) -> Self {
        Self { config }
    }

    /// The server's host name or IP address (TCP).
    pub fn host(mut self, host: impl Into<String>) -> Self {
        let port = match self.config.address {
            Address::Tcp { port, .. } => port,
            Address::Unix(_) => 6379,
        };
        self.config.address = Address::Tcp { host: host.into(), port };
        self
    }

    /// The server's TCP port.
    pub fn port(mut self, port: u16) -> Self {
        let host = match &self.config.address {
            Address::Tcp { host, .. } => host.clone(),
            Address::Unix(_) => "localhost".into(),
        };
        self.config.address = Address::Tcp { host, port };
        self
    }

    /// Connects to a unix domain socket instead of TCP (redis-py's `unix_socket_path`).
    pub fn unix_socket(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.address = Address::Unix(path.into());
        self
    }

    /// Connects with TLS.
    pub fn tls(mut self, tls: TlsOptions) -> Self {
        self.config.tls = Some(tls);
        self
    }

    /// The database to select.
    pub fn db(mut self, db: u32) -> Self {
        self.config.db = db;
        self
    }

    /// The ACL user.
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.config.username = Some(username.into());
        self
    }

    /// The password.
    pub fn password(mut self, password: impl Into<String>) -> Self {
        self.config.password = Some(Password::new(password));
        self
    }

    /// Asks `provider` for the user name and password on every connect and reconnect,
    /// instead of a fixed [`password`](Self::password) (see
    /// [`CredentialProvider`](crate::CredentialProvider)).
    pub fn credential_provider(mut self, provider: impl crate::CredentialProvider + 'static) -> Self {
        self.config.credential_provider = Some(crate::CredentialSource::new(provider));
        self
    }

    /// Retries failed requests of blocking connections under `policy` (see
    /// [`ConnectionConfig::retry`]); [`ReconnectingConnection`](crate::ReconnectingConnection)
    /// is the multiplexed counterpart.
    ///
    /// ```
    /// use ferrodis_std::ClientBuilder;
    /// use ferrodis_std::core::retry::RetryPolicy;
    ///
    /// let client = ClientBuilder::new().retry(RetryPolicy::DEFAULT.retry_on_timeout(true)).build();
    /// # let _ = client;
    /// ```
    pub fn retry(mut self, policy: ferrodis_core::retry::RetryPolicy) -> Self {
        self.config.retry = policy;
        self
    }

    /// Runs `hook` on every new blocking connection right after its handshake,
    /// reconnects included (redis-py's `redis_connect_func`): to load scripts, set
    /// per-connection options, check the server. Its error fails the connect.
    ///
    /// ```
    /// use ferrodis_std::{ClientBuilder, Commands};
    ///
    /// let client = ClientBuilder::new()
    ///     .on_connect(|conn| conn.query(&ferrodis_std::cmd("CLIENT").with_arg(("NO-EVICT", "on"))))
    ///     .build();
    /// # let _ = client;
    /// ```
    pub fn on_connect(
        mut self,
        hook: impl Fn(&mut crate::Connection) -> crate::Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.config.on_connect = Some(crate::ConnectHook::new(hook));
        self
    }

    /// Runs `hook` with a handle to every new multiplexed connection right after its
    /// handshake. Its error fails the connect.
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub fn on_connect_async<F>(
        mut self,
        hook: impl Fn(crate::MultiplexedConnection) -> F + Send + Sync + 'static,
    ) -> Self
    where
        F: std::future::Future<Output = crate::Result<()>> + Send + 'static,
    {
        self.config.on_connect_async = Some(crate::AsyncConnectHook::new(hook));
        self
    }

    /// `CLIENT SETNAME` after connecting.
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.config.client_name = Some(name.into());
        self
    }

    /// `CLIENT SETINFO LIB-NAME` (`None` to skip).
    pub fn lib_name(mut self, name: Option<String>) -> Self {
        self.config.lib_name = name;
        self
    }

    /// `CLIENT SETINFO LIB-VER` (`None` to skip).
    pub fn lib_version(mut self, version: Option<String>) -> Self {
        self.config.lib_version = version;
        self
    }

    /// RESP2 or RESP3.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.config.protocol = protocol;
        self
    }

    /// Limit on waiting for a reply, or `None` for no limit (see
    /// [`ConnectionConfig::socket_timeout`]). Default 10 s.
    pub fn socket_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.config.socket_timeout = timeout.into();
        self
    }

    /// Limit on connecting, handshake included.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }

    /// TCP keepalive settings, or `None` to turn keepalive off.
    pub fn keepalive(mut self, keepalive: Option<Keepalive>) -> Self {
        self.config.keepalive = keepalive;
        self
    }

    /// Initial read buffer size.
    pub fn read_buffer_size(mut self, bytes: usize) -> Self {
        self.config.read_buffer_size = bytes.max(64);
        self
    }

    /// Largest reply accepted.
    pub fn max_reply_size(mut self, bytes: usize) -> Self {
        self.config.max_reply_size = bytes.max(64);
        self
    }

    /// Write buffer size.
    pub fn write_buffer_size(mut self, bytes: usize) -> Self {
        self.config.write_buffer_size = bytes.max(64);
        self
    }

    /// Sends `READONLY` after connecting, for reads from a cluster replica (see
    /// [`ConnectionConfig::readonly`]).
    pub fn readonly(mut self, readonly: bool) -> Self {
        self.config.readonly = readonly;
        self
    }

    /// Loads the server's commands at connect time (see
    /// [`ConnectionConfig::load_command_table`]).
    pub fn load_command_table(mut self, load: bool) -> Self {
        self.config.load_command_table = load;
        self
    }

    /// The configuration built so far.
    pub fn config(self) -> ConnectionConfig {
        self.config
    }

    /// A [`Client`](crate::Client) with this configuration.
    pub fn build(self) -> crate::Client {
        crate::Client::new(self.config)
    }
}
