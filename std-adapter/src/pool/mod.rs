//! Connection pools: [`ConnectionPool`] of blocking connections and, with Tokio,
//! [`AsyncConnectionPool`] of multiplexed ones, sharing one set of rules ([`slots`]).

/// The construction and settings methods both pools have, alike but for the pool's name
/// in the examples. The pool has `shared.config`, `shared.settings`, `shared.state()` and
/// a `fn with(ConnectionConfig, PoolSettings) -> Self`.
macro_rules! settings_methods {
    ($pool:ident) => {
        /// A pool of connections opened with `config`: no limit, and no waiting.
        pub fn new(config: ConnectionConfig) -> Self {
            Self::with(config, PoolSettings::default())
        }

        /// The pool a URL describes: its connections' configuration as
        /// [`ConnectionConfig::from_url`] reads it, and redis-py's pool options
        /// `max_connections`, `timeout` (the [`wait`](Self::wait)) and
        /// `health_check_interval` (seconds).
        ///
        /// ```
        #[doc = concat!("use ferrodis_std::", stringify!($pool), ";")]
        ///
        #[doc = concat!("let url = \"redis://cache:6380/2?max_connections=16&timeout=2&health_check_interval=30\";")]
        #[doc = concat!("let pool = ", stringify!($pool), "::from_url(url)?;")]
        /// assert_eq!(pool.config().db, 2);
        /// assert_eq!(pool.open_connections(), 0); // nothing opened yet
        /// # Ok::<(), ferrodis_std::Error>(())
        /// ```
        pub fn from_url(url: &str) -> Result<Self> {
            let (config, settings) = super::from_url(url)?;
            Ok(Self::with(config, settings))
        }

        /// The same pool's configuration with `settings` (a new pool).
        pub(crate) fn rebuilt(self, settings: PoolSettings) -> Self {
            Self::with(self.shared.config.clone(), settings)
        }

        /// At most `max` connections open at once (redis-py's `max_connections`).
        #[must_use]
        pub fn max_connections(self, max: usize) -> Self {
            let settings = PoolSettings { max_connections: Some(max), ..self.shared.settings };
            self.rebuilt(settings)
        }

        /// When all connections are in use, [`get_connection`](Self::get_connection)
        /// waits up to `timeout` for one to come back instead of failing at once (redis-py's
        /// `BlockingConnectionPool`).
        #[must_use]
        pub fn wait(self, timeout: Duration) -> Self {
            let settings = PoolSettings { wait: Some(timeout), ..self.shared.settings };
            self.rebuilt(settings)
        }

        /// A connection idle longer than `interval` is sent a `PING` before it is lent;
        /// one that does not answer is closed and another taken, so the caller never sees
        /// the error (redis-py's `health_check_interval`).
        #[must_use]
        pub fn health_check_interval(self, interval: Duration) -> Self {
            let settings = PoolSettings { health_check_interval: Some(interval), ..self.shared.settings };
            self.rebuilt(settings)
        }

        /// The configuration every connection is opened with.
        pub fn config(&self) -> &ConnectionConfig {
            &self.shared.config
        }

        /// Connections open now (idle, in use, or being opened).
        pub fn open_connections(&self) -> usize {
            self.shared.state().open()
        }

        /// Connections open and not in use.
        pub fn idle_connections(&self) -> usize {
            self.shared.state().idle()
        }
    };
}

#[cfg(feature = "tokio")]
mod asynch;
mod blocking;
mod slots;

#[cfg(feature = "tokio")]
pub use asynch::{AsyncConnectionPool, AsyncPooledConnection};
pub use blocking::{ConnectionPool, PooledConnection};

use std::sync::Arc;

use crate::config::ConnectionConfig;
use crate::error::{Error, Result};
use crate::url::{For, PoolSettings};

/// Has the pool behind `shared` disconnect (its idle connections at once, the ones in use
/// when they come back) whenever `config`'s resolver says the address changed (a
/// failover), for as long as the pool lives: no connection to the old address is lent
/// again.
fn follow_resolver<S: Send + Sync + 'static>(
    config: &ConnectionConfig,
    shared: &Arc<S>,
    disconnect: fn(Arc<S>),
) {
    let Some(resolver) = &config.resolver else { return };
    let pool = Arc::downgrade(shared);
    resolver.on_change(move || pool.upgrade().map(disconnect).is_some());
}

/// A pool's URL: the connections' configuration and the pool's own options.
fn from_url(url: &str) -> Result<(ConnectionConfig, PoolSettings)> {
    let (config, settings, _) = ConnectionConfig::from_url_for(url, For::Pool)?;
    if settings.max_connections == Some(0) {
        return Err(Error::config("URL option 'max_connections' must be at least 1"));
    }
    Ok((config, settings))
}
