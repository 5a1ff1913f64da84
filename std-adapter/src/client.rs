//! The client: a connection configuration that opens connections.

use std::sync::Arc;

use crate::config::{ClientBuilder, ConnectionConfig};
use crate::connection::Connection;
use crate::error::Result;
#[cfg(feature = "tokio")]
use crate::multiplexed::MultiplexedConnection;

/// Opens connections to one Redis server. Cheap to clone.
///
/// ```no_run
/// use ferrodis_std::Client;
///
/// let client = Client::builder().host("127.0.0.1").port(6379).build();
/// let mut conn = client.get_connection()?;
/// # Ok::<(), ferrodis_std::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    config: Arc<ConnectionConfig>,
}

impl Client {
    /// A client with `config`.
    pub fn new(config: ConnectionConfig) -> Self {
        Self { config: Arc::new(config) }
    }

    /// A client for the server a `redis://`, `rediss://` or `unix://` URL names (see
    /// [`ConnectionConfig::from_url`]).
    pub fn open(url: &str) -> Result<Self> {
        Ok(Self::new(ConnectionConfig::from_url(url)?))
    }

    /// A builder with every connection setting.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// The configuration.
    pub fn config(&self) -> &ConnectionConfig {
        &self.config
    }

    /// Opens a blocking connection (connect and handshake).
    pub fn get_connection(&self) -> Result<Connection> {
        Connection::open(&self.config)
    }

    /// A multiplexed connection that replaces its socket when it dies and retries each
    /// request as its delivery allows (see [`ReconnectingConnection`](crate::ReconnectingConnection)).
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub async fn get_reconnecting_connection(&self) -> Result<crate::ReconnectingConnection> {
        crate::ReconnectingConnection::new((*self.config).clone()).await
    }

    /// Opens a multiplexed Tokio connection, shared by cloning (connect and handshake;
    /// its socket tasks run on the current runtime).
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub async fn get_multiplexed_connection(&self) -> Result<MultiplexedConnection> {
        MultiplexedConnection::open(&self.config).await
    }

    /// [`get_multiplexed_connection`](Self::get_multiplexed_connection), with push frames
    /// (pub/sub messages on RESP3, invalidations) handed to `push` as they arrive. It runs
    /// on the connection's socket task: keep it quick, and do not use the connection from
    /// it (send what it gets on through a channel).
    ///
    /// ```no_run
    /// # async fn demo() -> ferrodis_std::Result<()> {
    /// use ferrodis_std::{Client, Protocol, Value};
    ///
    /// let (tx, mut messages) = tokio::sync::mpsc::unbounded_channel();
    /// let client = Client::builder().host("127.0.0.1").protocol(Protocol::Resp3).build();
    /// let conn = client
    ///     .get_multiplexed_connection_with_push(move |frame| {
    ///         let _ = tx.send(Value::from_frame(&frame));
    ///     })
    ///     .await?;
    /// conn.request_with(&["SUBSCRIBE".into(), "news".into()], |_| ()).await?;
    /// let confirmation_or_message = messages.recv().await;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub async fn get_multiplexed_connection_with_push(
        &self,
        push: impl FnMut(ferrodis_core::resp::Frame<'_>) + Send + 'static,
    ) -> Result<MultiplexedConnection> {
        MultiplexedConnection::open_with(&self.config, Some(Box::new(push))).await
    }
}
