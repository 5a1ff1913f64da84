//! Blocking transports (TCP, unix socket) as `embedded_io` streams for the core shells.

use std::io::{self, Read as _, Write as _};
use std::net::{TcpStream, ToSocketAddrs};
#[cfg(unix)]
use std::os::unix::net::UnixStream;
use std::time::Duration;

use crate::config::{Address, ConnectionConfig, Keepalive};

/// A connected socket.
#[derive(Debug)]
pub(crate) enum Stream {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(UnixStream),
}

impl Stream {
    /// Connects to `config.address` within `config.connect_timeout`, trying each
    /// resolved address in turn.
    pub(crate) fn connect(config: &ConnectionConfig) -> io::Result<Stream> {
        match &config.address {
            Address::Tcp { host, port } => {
                let mut last = io::Error::new(io::ErrorKind::NotFound, "host name resolved to no address");
                for addr in (host.as_str(), *port).to_socket_addrs()? {
                    match TcpStream::connect_timeout(&addr, config.connect_timeout) {
                        Ok(tcp) => {
                            tcp.set_nodelay(true)?;
                            if let Some(keepalive) = config.keepalive {
                                set_keepalive(&tcp, keepalive)?;
                            }
                            return Ok(Stream::Tcp(tcp));
                        }
                        Err(e) => last = e,
                    }
                }
                Err(last)
            }
            #[cfg(unix)]
            Address::Unix(path) => Ok(Stream::Unix(UnixStream::connect(path)?)),
            #[cfg(not(unix))]
            Address::Unix(_) => Err(io::Error::new(io::ErrorKind::Unsupported, "unix sockets need a unix system")),
        }
    }

    /// Limits every read and write to `timeout` (`None`: wait forever).
    pub(crate) fn set_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => {
                s.set_read_timeout(timeout)?;
                s.set_write_timeout(timeout)
            }
            #[cfg(unix)]
            Stream::Unix(s) => {
                s.set_read_timeout(timeout)?;
                s.set_write_timeout(timeout)
            }
        }
    }
}

fn set_keepalive(tcp: &TcpStream, keepalive: Keepalive) -> io::Result<()> {
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
            #[cfg(unix)]
            Stream::Unix(s) => s.write(buf),
        }
        .map_err(timeout_as_timed_out)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
