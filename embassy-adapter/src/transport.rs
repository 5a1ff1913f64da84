//! [`Transport`]: an embassy-net [`TcpSocket`] with timeouts, and what it takes to open it
//! again ([`Remote`], [`Config`]).

use core::fmt;
use core::future::Future;

use embassy_net::dns::DnsQueryType;
use embassy_net::tcp::{State, TcpSocket};
use embassy_net::{IpAddress, IpEndpoint, Stack, dns};
use embassy_time::{Duration, with_timeout};
use ferrodis_core::conn::Handshake;

use crate::NetError;
use crate::subscribe::Subscriptions;

/// Where the Redis server is: an IP endpoint, or a host name resolved through the
/// embassy-net stack's DNS servers at every connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Remote<'a> {
    /// An address and port.
    Ip(IpEndpoint),
    /// A host name (or an address in text form) and port.
    Host {
        /// The name, looked up with an `A` query.
        name: &'a str,
        /// The TCP port.
        port: u16,
    },
}

impl<'a> Remote<'a> {
    /// The server at `address:port`.
    pub fn ip(address: impl Into<IpAddress>, port: u16) -> Self {
        Remote::Ip(IpEndpoint::new(address.into(), port))
    }

    /// The server at `name:port`, resolved through DNS at every connect.
    pub const fn host(name: &'a str, port: u16) -> Self {
        Remote::Host { name, port }
    }
}

impl From<IpEndpoint> for Remote<'_> {
    fn from(endpoint: IpEndpoint) -> Self {
        Remote::Ip(endpoint)
    }
}

impl fmt::Display for Remote<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Remote::Ip(endpoint) => write!(f, "{endpoint}"),
            Remote::Host { name, port } => write!(f, "{name}:{port}"),
        }
    }
}

/// How a connection is opened, and reopened by [`reconnect`](crate::reconnect).
///
/// ```
/// use embassy_time::Duration;
/// use ferrodis_core::conn::{Credentials, Handshake, Protocol};
/// use ferrodis_embassy::{Config, Subscriptions};
///
/// let config = Config {
///     handshake: Handshake {
///         protocol: Protocol::Resp3,
///         credentials: Some(Credentials { username: None, password: b"secret" }),
///         client_name: Some("sensor-7"),
///         db: 2,
///         ..Handshake::DEFAULT
///     },
///     subscriptions: Subscriptions { channels: &["commands"], patterns: &[] },
///     request_timeout: Some(Duration::from_secs(2)),
///     ..Config::DEFAULT
/// };
/// # let _ = config;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config<'a> {
    /// What every (re)connect sends first: `HELLO 3` or `AUTH`, the client name, `SELECT`.
    pub handshake: Handshake<'a>,
    /// Channels and patterns subscribed to after every (re)connect.
    pub subscriptions: Subscriptions<'a>,
    /// The longest the DNS lookup may take, and then the TCP connect.
    pub connect_timeout: Duration,
    /// The longest any one read, write or flush of a request may wait for the server
    /// (`None`: no limit). A read that times out leaves the connection usable: the late
    /// reply is read and dropped by the next request.
    pub request_timeout: Option<Duration>,
    /// TCP keep-alive interval on an idle connection (`None`: off). With it on, a server
    /// that stops answering for three intervals resets the connection.
    pub keep_alive: Option<Duration>,
}

impl Config<'_> {
    /// [`Handshake::DEFAULT`], no subscriptions, 5 s to connect, 5 s per request step,
    /// keep-alive every 30 s.
    pub const DEFAULT: Config<'static> = Config {
        handshake: Handshake::DEFAULT,
        subscriptions: Subscriptions::NONE,
        connect_timeout: Duration::from_secs(5),
        request_timeout: Some(Duration::from_secs(5)),
        keep_alive: Some(Duration::from_secs(30)),
    };
}

impl Default for Config<'_> {
    fn default() -> Self {
        Config::DEFAULT
    }
}

/// How long a reset socket may take to send its RST before it is reused.
const ABORT_FLUSH: Duration = Duration::from_millis(200);

/// An embassy-net TCP socket as a ferrodis transport: every read, write and flush is
/// bounded by [`Config::request_timeout`], and [`connect`](crate::connect) can open it
/// again (a fresh DNS lookup, a fresh TCP connection) in the same caller-provided socket
/// buffers.
///
/// Its error type is [`NetError`].
pub struct Transport<'a> {
    socket: TcpSocket<'a>,
    stack: Stack<'a>,
    remote: Remote<'a>,
    config: Config<'a>,
}

impl<'a> Transport<'a> {
    /// A transport over a new, unconnected socket on `stack` with the caller's socket
    /// buffers (`rx` and `tx` of embassy-net's [`TcpSocket::new`]). Wrap it in a
    /// [`Connection`](crate::Connection) and open it with [`connect`](crate::connect).
    pub fn new(
        stack: Stack<'a>,
        socket_rx: &'a mut [u8],
        socket_tx: &'a mut [u8],
        remote: Remote<'a>,
        config: Config<'a>,
    ) -> Self {
        Self { socket: TcpSocket::new(stack, socket_rx, socket_tx), stack, remote, config }
    }

    /// The server it connects to.
    pub fn remote(&self) -> Remote<'a> {
        self.remote
    }

    /// Changes the server used by the next [`connect`](crate::connect) (after a failover,
    /// say).
    pub fn set_remote(&mut self, remote: Remote<'a>) {
        self.remote = remote;
    }

    /// The configuration.
    pub fn config(&self) -> &Config<'a> {
        &self.config
    }

    /// The configuration, to change before the next [`connect`](crate::connect) (timeouts
    /// apply at once).
    pub fn config_mut(&mut self) -> &mut Config<'a> {
        &mut self.config
    }

    /// The socket, for its state and endpoints.
    pub fn socket(&self) -> &TcpSocket<'a> {
        &self.socket
    }

    /// Resets the TCP connection (the RST goes out with the stack's next poll), so every
    /// later operation fails until the next [`connect`](crate::connect).
    pub(crate) fn abort(&mut self) {
        self.socket.abort();
    }

    /// Resets the socket if it is in use, resolves the server and connects.
    pub(crate) async fn open(&mut self) -> Result<IpEndpoint, NetError> {
        let Config { connect_timeout, keep_alive, .. } = self.config;
        let socket = &mut self.socket;
        if socket.state() != State::Closed {
            socket.abort();
            // Let the RST go out, so the server drops its side; bounded, as it may be gone.
            let _ = with_timeout(ABORT_FLUSH, socket.flush()).await;
        }
        let endpoint = match self.remote {
            Remote::Ip(endpoint) => endpoint,
            Remote::Host { name, port } => lookup(self.stack, connect_timeout, name, port).await?,
        };
        // The socket's own timeout closes it when keep-alives go unanswered.
        socket.set_timeout(keep_alive.map(|interval| interval * 3));
        socket.set_keep_alive(keep_alive);
        // Requests are written whole (a pipeline in one write): no reason to hold them back.
        socket.set_nagle_enabled(false);
        match with_timeout(connect_timeout, socket.connect(endpoint)).await {
            Ok(Ok(())) => Ok(endpoint),
            Ok(Err(e)) => Err(e.into()),
            Err(_) => {
                socket.abort();
                Err(NetError::TimedOut)
            }
        }
    }

    /// `name` (a host name, or an address in text form) through the stack's DNS, within the
    /// connect timeout, with `port`.
    pub(crate) async fn lookup(&self, name: &str, port: u16) -> Result<IpEndpoint, NetError> {
        let query = self.stack.dns_query(name, DnsQueryType::A);
        let addresses =
            with_timeout(self.config.connect_timeout, query).await.map_err(|_| NetError::TimedOut)??;
        let address = addresses.first().copied().ok_or(NetError::Dns(dns::Error::Failed))?;
        Ok(IpEndpoint::new(address, port))
    }

    /// Runs one socket operation within the request timeout.
    async fn timed<T>(
        limit: Option<Duration>,
        operation: impl Future<Output = Result<T, embassy_net::tcp::Error>>,
    ) -> Result<T, NetError> {
        match limit {
            Some(limit) => with_timeout(limit, operation).await.map_err(|_| NetError::TimedOut)?,
            None => operation.await,
        }
        .map_err(NetError::Socket)
    }
}

/// `name` (a host name, or an address in text form) through `stack`'s DNS, within
/// `timeout`, with `port`.
async fn lookup(stack: Stack<'_>, timeout: Duration, name: &str, port: u16) -> Result<IpEndpoint, NetError> {
    let addresses = with_timeout(timeout, stack.dns_query(name, DnsQueryType::A))
        .await
        .map_err(|_| NetError::TimedOut)??;
    let address = addresses.first().copied().ok_or(NetError::Dns(dns::Error::Failed))?;
    Ok(IpEndpoint::new(address, port))
}

impl fmt::Debug for Transport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("remote", &self.remote)
            .field("state", &self.socket.state())
            .field("config", &self.config)
            .finish()
    }
}

/// The `embedded-io` traits, for [`Transport`] and its error (the table on [`NetError`]).
mod embedded_io_impls {
    use super::*;
    use embassy_net::tcp;

    impl embedded_io::Error for NetError {
        fn kind(&self) -> embedded_io::ErrorKind {
            use embedded_io::ErrorKind as K;
            match self {
                Self::Socket(tcp::Error::ConnectionReset) => K::ConnectionReset,
                Self::Connect(tcp::ConnectError::ConnectionReset) => K::ConnectionRefused,
                Self::Connect(tcp::ConnectError::TimedOut) | Self::TimedOut => K::TimedOut,
                Self::Connect(tcp::ConnectError::NoRoute) => K::NotConnected,
                Self::Connect(tcp::ConnectError::InvalidState) => K::Other,
                Self::Dns(dns::Error::InvalidName | dns::Error::NameTooLong) => K::InvalidInput,
                Self::Dns(dns::Error::Failed) => K::NotFound,
            }
        }
    }

    impl embedded_io_async::ErrorType for Transport<'_> {
        type Error = NetError;
    }

    impl embedded_io_async::Read for Transport<'_> {
        async fn read(&mut self, buf: &mut [u8]) -> Result<usize, NetError> {
            let limit = self.config.request_timeout;
            Self::timed(limit, self.socket.read(buf)).await
        }
    }

    impl embedded_io_async::Write for Transport<'_> {
        async fn write(&mut self, buf: &[u8]) -> Result<usize, NetError> {
            let limit = self.config.request_timeout;
            Self::timed(limit, self.socket.write(buf)).await
        }

        async fn flush(&mut self) -> Result<(), NetError> {
            let limit = self.config.request_timeout;
            Self::timed(limit, self.socket.flush()).await
        }
    }
}
