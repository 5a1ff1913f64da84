//! Opening the socket of a multiplexed connection: TCP (with TLS when configured) or a unix
//! socket, then the I/O task over its two halves.

use crate::config::{Address, ConnectionConfig};
use crate::error::{Error, Result};
use crate::trace::event;

use super::{MultiplexedConnection, PushCallback};

/// Connects to `config.address`, runs the TLS handshake when `config.tls` is set, and
/// starts the I/O task; the Redis handshake is the caller's.
pub(super) async fn socket(
    config: &ConnectionConfig,
    push: Option<PushCallback>,
) -> Result<MultiplexedConnection> {
    match &config.address {
        Address::Tcp { host, port } => {
            #[cfg(feature = "tls")]
            let tls = config.tls.as_ref().map(|tls| crate::tls::setup(tls, host)).transpose()?;
            #[cfg(not(feature = "tls"))]
            if config.tls.is_some() {
                return Err(crate::tls::unavailable());
            }
            let tcp = tokio::net::TcpStream::connect((host.as_str(), *port)).await?;
            tcp.set_nodelay(true)?;
            if let Some(keepalive) = config.keepalive {
                crate::transport::set_keepalive(&tcp, keepalive)?;
            }
            event!(debug, "connected");
            #[cfg(feature = "tls")]
            if let Some((client, name)) = tls {
                let tls = crate::trace::in_span!(
                    tokio_rustls::TlsConnector::from(client).connect(name.clone(), tcp),
                    "tls_handshake",
                    server_name = %name.to_str()
                )
                .await
                .map_err(crate::tls::handshake_error)
                .inspect_err(|e| crate::trace::failed("TLS handshake", e))?;
                crate::tls::established(tls.get_ref().1);
                let (r, w) = tokio::io::split(tls);
                return Ok(MultiplexedConnection::start(r, w, config, push));
            }
            let (r, w) = tcp.into_split();
            Ok(MultiplexedConnection::start(r, w, config, push))
        }
        #[cfg(unix)]
        Address::Unix(_) if config.tls.is_some() => {
            Err(Error::config("TLS over a unix socket is not supported"))
        }
        #[cfg(unix)]
        Address::Unix(path) => {
            let (r, w) = tokio::net::UnixStream::connect(path).await?.into_split();
            event!(debug, "connected");
            Ok(MultiplexedConnection::start(r, w, config, push))
        }
        #[cfg(not(unix))]
        Address::Unix(_) => Err(Error::config("unix sockets need a unix system")),
    }
}
