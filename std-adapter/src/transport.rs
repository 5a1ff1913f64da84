//! Blocking transports (TCP, TLS over TCP, unix socket) as `embedded_io` streams for the core shells.

use std::io::{self, Read as _, Write as _};
use std::net::{TcpStream, ToSocketAddrs};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use crate::config::{Address, ConnectionConfig, Keepalive};
use crate::error::Error;
use crate::tls;
use crate::trace::{self, event};

/// A connected socket.
#[derive(Debug)]
pub(crate) enum Stream {
    Tcp(TcpStream),
    #[cfg(feature = "tls")]
    Tls(Box<tls::TlsStream>),
    #[cfg(unix)]
    Unix(UnixStream),
}

impl Stream {
    /// Connects to `config.address` within `config.connect_timeout`, trying each
    /// resolved address in turn, and runs the TLS handshake when `config.tls` is set.
    pub(crate) fn connect(config: &ConnectionConfig) -> Result<Stream, Error> {
        let connected = Self::connect_to(config);
        match &connected {
            Ok(_) => event!(debug, "connected"),
            Err(e) => trace::failed("connect", e),
        }
        connected
    }

    fn connect_to(config: &ConnectionConfig) -> Result<Stream, Error> {
        match (&config.address, &config.tls) {
            (Address::Tcp { host, port }, None) => Ok(Stream::Tcp(connect_tcp(host, *port, config)?)),
            #[cfg(feature = "tls")]
            (Address::Tcp { host, port }, Some(options)) => {
                let deadline = Instant::now() + config.connect_timeout;
                let (client, name) = tls::setup(options, host)?;
                let tcp = connect_tcp(host, *port, config)?;
                Ok(Stream::Tls(Box::new(tls::handshake(tcp, client, name, deadline)?)))
            }
            #[cfg(not(feature = "tls"))]
            (Address::Tcp { .. }, Some(_)) => Err(tls::unavailable()),
            (Address::Unix(_), Some(_)) => Err(Error::config("TLS over a unix socket is not supported")),
            #[cfg(unix)]
            (Address::Unix(path), None) => Ok(Stream::Unix(UnixStream::connect(path)?)),
            #[cfg(not(unix))]
            (Address::Unix(_), None) => {
                Err(io::Error::new(io::ErrorKind::Unsupported, "unix sockets need a unix system").into())
            }
        }
    }

    /// Closes both directions; the peer sees end of stream.
    pub(crate) fn shutdown(&self) {
        let _ = match self {
            Stream::Tcp(s) => s.shutdown(std::net::Shutdown::Both),
            // `close_notify` is sent on drop: it needs `&mut`.
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.sock.shutdown(std::net::Shutdown::Both),
            #[cfg(unix)]
            Stream::Unix(s) => s.shutdown(std::net::Shutdown::Both),
        };
    }

    /// Limits every read and write to `timeout` (`None`: wait forever).
    pub(crate) fn set_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => {
                s.set_read_timeout(timeout)?;
                s.set_write_timeout(timeout)
            }
            #[cfg(feature = "tls")]
            Stream::Tls(s) => {
                s.sock.set_read_timeout(timeout)?;
                s.sock.set_write_timeout(timeout)
            }
            #[cfg(unix)]
            Stream::Unix(s) => {
                s.set_read_timeout(timeout)?;
                s.set_write_timeout(timeout)
            }
        }
    }
}

#[cfg(feature = "tls")]
impl Drop for Stream {
    fn drop(&mut self) {
        if let Stream::Tls(s) = self {
            tls::close(s);
        }
    }
}

/// A TCP connection to `host:port` with `config`'s socket options.
/// Connects to `host:port`: name resolution and every address tried share one deadline,
/// `config.connect_timeout` from now.
fn connect_tcp(host: &str, port: u16, config: &ConnectionConfig) -> io::Result<TcpStream> {
    let deadline = Instant::now() + config.connect_timeout;
    let mut last = io::Error::new(io::ErrorKind::NotFound, "host name resolved to no address");
    for addr in resolve(host, port, deadline)? {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "connecting took longer than the connect timeout",
            ));
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(tcp) => {
                tcp.set_nodelay(true)?;
                if let Some(keepalive) = config.keepalive {
                    set_keepalive(&tcp, keepalive)?;
                }
                return Ok(tcp);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// The addresses of `host:port`, resolved by `deadline`. An IP address needs no lookup; a
/// name is looked up on a thread of its own (the system resolver cannot be given a
/// timeout), and a lookup still running at the deadline is left to finish unread.
fn resolve(host: &str, port: u16, deadline: Instant) -> io::Result<Vec<std::net::SocketAddr>> {
    if let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>() {
        return Ok(vec![std::net::SocketAddr::new(ip, port)]);
    }
    let left = deadline.saturating_duration_since(Instant::now());
    let timed_out = || {
        io::Error::new(
            io::ErrorKind::TimedOut,
            "resolving the host name took longer than the connect timeout",
        )
    };
    if left.is_zero() {
        return Err(timed_out());
    }
    let (found, answer) = std::sync::mpsc::channel();
    let name = host.to_owned();
    std::thread::Builder::new().name("ferrodis-resolve".into()).spawn(move || {
        let _ = found.send((name.as_str(), port).to_socket_addrs().map(Iterator::collect));
    })?;
    match answer.recv_timeout(left) {
        Ok(addresses) => addresses,
        Err(_) => Err(timed_out()),
    }
}

/// Turns TCP keepalive on for any TCP socket (std or Tokio) with the given timings.
pub(crate) fn set_keepalive<S: std::os::fd::AsFd>(tcp: &S, keepalive: Keepalive) -> io::Result<()> {
    let mut params = socket2::TcpKeepalive::new();
    if let Some(time) = keepalive.time {
        params = params.with_time(time);
    }
    if let Some(interval) = keepalive.interval {
        params = params.with_interval(interval);
    }
    #[cfg(any(target_os = "linux", target_os = "macos", target_os = "freebsd"))]
    if let Some(retries) = keepalive.retries {
        params = params.with_retries(retries);
    }
    socket2::SockRef::from(tcp).set_tcp_keepalive(&params)
}

/// A socket timeout shows as `WouldBlock` on some systems and `TimedOut` on others; the
/// core shells know it as `TimedOut`, which leaves the connection usable.
fn timeout_as_timed_out(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::WouldBlock { io::Error::new(io::ErrorKind::TimedOut, e) } else { e }
}

impl embedded_io::ErrorType for Stream {
    type Error = io::Error;
}

impl embedded_io::Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            // A peer that closes without `close_notify` ends the stream like TCP would;
            // RESP framing catches a reply cut short.
            #[cfg(feature = "tls")]
            Stream::Tls(s) => match s.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
                other => other,
            },
            #[cfg(unix)]
            Stream::Unix(s) => s.read(buf),
        }
        .map_err(timeout_as_timed_out)
    }
}

impl embedded_io::Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.write(buf),
            #[cfg(unix)]
            Stream::Unix(s) => s.write(buf),
        }
        .map_err(timeout_as_timed_out)
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            // Writes rustls could not pass on yet.
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.flush().map_err(timeout_as_timed_out),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_is_bounded_by_the_deadline_and_addresses_need_none() {
        let now = Instant::now();
        let literal = resolve("127.0.0.1", 6379, now).unwrap();
        assert_eq!(
            literal,
            ["127.0.0.1:6379".parse().unwrap()],
            "an address needs no lookup, even past the deadline"
        );
        assert_eq!(resolve("[::1]", 1, now).unwrap(), ["[::1]:1".parse().unwrap()]);
        let late = resolve("localhost", 6379, now).unwrap_err();
        assert_eq!(late.kind(), io::ErrorKind::TimedOut, "{late}");
        let found = resolve("localhost", 6379, Instant::now() + Duration::from_secs(5)).unwrap();
        assert!(found.iter().all(|a| a.ip().is_loopback() && a.port() == 6379), "{found:?}");
    }
}
