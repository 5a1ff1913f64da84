//! The client: a connection configuration that opens connections.

use std::sync::Arc;

use crate::config::{ClientBuilder, ConnectionConfig};
use crate::connection::Connection;
use crate::error::Result;
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

    /// Opens a multiplexed Tokio connection, shared by cloning (connect and handshake;
    /// its socket tasks run on the current runtime).
    pub async fn get_multiplexed_connection(&self) -> Result<MultiplexedConnection> {
        MultiplexedConnection::open(&self.config).await
    }
}
