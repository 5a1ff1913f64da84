//! [`ConnectionPool`]: blocking connections, opened lazily, reused most recent first, and
//! never handed on in a state their configuration does not describe.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ferrodis_core::error::Delivery;
use ferrodis_core::resp::CommandArgs;

use crate::commands::Commands;
use crate::config::ConnectionConfig;
use crate::connection::Connection;
use crate::error::{Error, ErrorKind, Result};
use crate::url::{For, PoolSettings};
use crate::value::FromValue;

/// A pool of blocking [`Connection`]s to one server, shareable across threads (clones share
/// the pool): redis-py's `ConnectionPool`, and with [`wait`](Self::wait) its
/// `BlockingConnectionPool`.
///
/// - Connections are opened when [`get_connection`](Self::get_connection) finds none idle, up to
///   [`max_connections`](Self::max_connections) (unbounded by default).
/// - When all are in use, `get` fails at once with [`ErrorKind::PoolExhausted`], or with
///   [`wait`](Self::wait) waits up to that long for one to come back.
/// - The connection given back most recently is reused first, so the others can idle out.
/// - A connection comes back to the pool only as a new one would be: not broken, and with
///   no command since its handshake that changed the session
///   ([`Connection::session_changed`]: `SELECT`, `AUTH`, `WATCH`, `CLIENT SETNAME`,
///   `CLIENT TRACKING`, subscriptions, an open `MULTI`, ...). Any other is closed, so the
///   next user never inherits another's database, watches or reply mode.
///
/// ```no_run
/// use std::time::Duration;
///
/// use ferrodis_std::{Commands, ConnectionConfig, ConnectionPool};
///
/// let pool = ConnectionPool::new(ConnectionConfig::from_url("redis://127.0.0.1/")?)
///     .max_connections(8)
///     .wait(Duration::from_secs(2));
/// let mut conn = pool.get_connection()?;
/// let () = conn.set("greeting", "hello")?;
/// drop(conn); // back to the pool
/// let greeting: String = pool.get_connection()?.get("greeting")?;
/// # let _ = greeting;
/// # Ok::<(), ferrodis_std::Error>(())
/// ```
#[derive(Clone)]
pub struct ConnectionPool {
    shared: Arc<Shared>,
}

struct Shared {
    config: ConnectionConfig,
    max_connections: Option<usize>,
    wait: Option<Duration>,
    /// `PING` a connection idle longer than this before lending it.
    health_check_interval: Option<Duration>,
    state: Mutex<State>,
    /// Signalled when a connection comes back or a place frees up.
    freed: Condvar,
}

#[derive(Default)]
struct State {
    /// Connections not in use, with when each came back, the most recently returned last.
    idle: Vec<(Connection, Instant)>,
    /// Connections open: idle, in use, or being opened.
    open: usize,
    /// Bumped by [`ConnectionPool::disconnect`] with `in_use`: connections checked out
    /// before it are closed when they come back.
    generation: u64,
}

impl ConnectionPool {
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
    /// use ferrodis_std::ConnectionPool;
    ///
    /// let pool = ConnectionPool::from_url("redis://cache:6380/2?max_connections=16&timeout=2&health_check_interval=30")?;
    /// assert_eq!(pool.config().db, 2);
    /// assert_eq!(pool.open_connections(), 0); // nothing opened yet
    /// # Ok::<(), ferrodis_std::Error>(())
    /// ```
    pub fn from_url(url: &str) -> Result<Self> {
        let (config, settings) = ConnectionConfig::from_url_for(url, For::Pool)?;
        if settings.max_connections == Some(0) {
            return Err(Error::config("URL option 'max_connections' must be at least 1"));
        }
        Ok(Self::with(config, settings))
    }

    fn with(config: ConnectionConfig, settings: PoolSettings) -> Self {
        let PoolSettings { max_connections, wait, health_check_interval } = settings;
        let shared = Shared {
            config,
            max_connections,
            wait,
            health_check_interval,
            state: Mutex::default(),
            freed: Condvar::new(),
        };
        Self { shared: Arc::new(shared) }
    }

    fn settings(&self) -> PoolSettings {
        PoolSettings {
            max_connections: self.shared.max_connections,
            wait: self.shared.wait,
            health_check_interval: self.shared.health_check_interval,
        }
    }

    fn rebuilt(self, settings: PoolSettings) -> Self {
        Self::with(self.shared.config.clone(), settings)
    }

    /// At most `max` connections open at once (redis-py's `max_connections`).
    #[must_use]
    pub fn max_connections(self, max: usize) -> Self {
        let settings = PoolSettings { max_connections: Some(max), ..self.settings() };
        self.rebuilt(settings)
    }

    /// When all connections are in use, [`get_connection`](Self::get_connection) waits up to `timeout` for one
    /// to come back instead of failing at once (redis-py's `BlockingConnectionPool`).
    #[must_use]
    pub fn wait(self, timeout: Duration) -> Self {
        let settings = PoolSettings { wait: Some(timeout), ..self.settings() };
        self.rebuilt(settings)
    }

    /// A connection idle longer than `interval` is sent a `PING` before it is lent; one
    /// that does not answer is closed and another taken, so the caller never sees the
    /// error (redis-py's `health_check_interval`).
    #[must_use]
    pub fn health_check_interval(self, interval: Duration) -> Self {
        let settings = PoolSettings { health_check_interval: Some(interval), ..self.settings() };
        self.rebuilt(settings)
    }

    /// The configuration every connection is opened with.
    pub fn config(&self) -> &ConnectionConfig {
        &self.shared.config
    }

    /// Connections open now (idle and in use).
    pub fn open_connections(&self) -> usize {
        self.state().open
    }

    /// Connections open and not in use.
    pub fn idle_connections(&self) -> usize {
        self.state().idle.len()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A thread that panicked while holding the lock left the state consistent: every
        // change to it is a single step.
        self.shared.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A connection: an idle one (the most recently returned), else a new one while the
    /// limit allows, else (with [`wait`](Self::wait)) the first to come back in time.
    ///
    /// Fails with [`ErrorKind::PoolExhausted`] (nothing sent) when none is to be had, or
    /// with the error of opening a new one.
    pub fn get_connection(&self) -> Result<PooledConnection> {
        let deadline = self.shared.wait.map(|wait| Instant::now() + wait);
        let mut state = self.state();
        loop {
            while let Some((mut conn, since)) = state.idle.pop() {
                if conn.is_broken() {
                    state.open -= 1;
                    continue;
                }
                let stale =
                    self.shared.health_check_interval.is_some_and(|interval| since.elapsed() > interval);
                if !stale {
                    return Ok(self.lend(conn, state.generation));
                }
                // The check goes to the server: not under the lock.
                let generation = state.generation;
                drop(state);
                if conn.ping::<String>().is_ok_and(|pong| pong == "PONG") {
                    return Ok(self.lend(conn, generation));
                }
                crate::trace::event!(debug, address = %self.shared.config.address, "health check failed");
                drop(conn);
                state = self.state();
                state.open -= 1;
            }
            if self.shared.max_connections.is_none_or(|max| state.open < max) {
                state.open += 1;
                let generation = state.generation;
                drop(state);
                return match Connection::open(&self.shared.config) {
                    Ok(conn) => Ok(self.lend(conn, generation)),
                    Err(e) => {
                        self.state().open -= 1;
                        self.shared.freed.notify_one();
                        Err(e)
                    }
                };
            }
            let exhausted = || {
                let max_connections = self.shared.max_connections.unwrap_or_default();
                Error::new(ErrorKind::PoolExhausted { max_connections }, Delivery::NotSent)
            };
            let Some(deadline) = deadline else { return Err(exhausted()) };
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(exhausted());
            }
            state = match self.shared.freed.wait_timeout(state, left) {
                Ok((state, _)) => state,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    fn lend(&self, conn: Connection, generation: u64) -> PooledConnection {
        crate::trace::event!(debug, address = %self.shared.config.address, "pool checkout");
        PooledConnection { conn: Some(conn), pool: Arc::clone(&self.shared), generation }
    }

    /// Closes every idle connection; with `in_use`, also every connection in use when it
    /// comes back (redis-py's `disconnect(inuse_connections=True)`). Later
    /// [`get_connection`](Self::get_connection)s open new ones.
    pub fn disconnect(&self, in_use: bool) {
        let closed = {
            let mut state = self.state();
            let idle = std::mem::take(&mut state.idle);
            state.open -= idle.len();
            if in_use {
                state.generation += 1;
            }
            idle
        };
        drop(closed);
        self.shared.freed.notify_all();
    }
}

/// The pool as a client (redis-py's `Redis(connection_pool=pool)`): each command checks a
/// connection out, runs on it and gives it back.
///
/// ```no_run
/// use ferrodis_std::{Commands, ConnectionPool};
///
/// let mut pool = ConnectionPool::from_url("redis://127.0.0.1/?max_connections=4")?;
/// let () = pool.set("k", 1)?;
/// let n: i64 = pool.get_connection()?.get("k")?; // or a connection of one's own
/// # let _ = n;
/// # Ok::<(), ferrodis_std::Error>(())
/// ```
impl Commands for ConnectionPool {
    fn query<T: FromValue>(&mut self, cmd: &(impl CommandArgs + ?Sized)) -> Result<T> {
        self.get_connection()?.query(cmd)
    }
}

impl fmt::Debug for ConnectionPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state();
        f.debug_struct("ConnectionPool")
            .field("address", &self.shared.config.address)
            .field("max_connections", &self.shared.max_connections)
            .field("wait", &self.shared.wait)
            .field("health_check_interval", &self.shared.health_check_interval)
            .field("open", &state.open)
            .field("idle", &state.idle.len())
            .finish()
    }
}

/// A connection lent by a [`ConnectionPool`]: a [`Connection`] (through `Deref`) that
/// goes back to the pool when dropped, or is closed when it is broken, its session was
/// changed, or the pool was disconnected meanwhile.
pub struct PooledConnection {
    conn: Option<Connection>,
    pool: Arc<Shared>,
    generation: u64,
}

impl PooledConnection {
    /// Keeps the connection out of the pool for good: it closes when the returned
    /// connection is dropped, and frees its place in the pool now.
    pub fn detach(mut self) -> Connection {
        let conn = self.conn.take().expect("a pooled connection holds its connection until dropped");
        self.pool.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner).open -= 1;
        self.pool.freed.notify_one();
        conn
    }
}

impl Deref for PooledConnection {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("a pooled connection holds its connection until dropped")
    }
}

impl DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("a pooled connection holds its connection until dropped")
    }
}

impl Commands for PooledConnection {
    fn query<T: FromValue>(&mut self, cmd: &(impl CommandArgs + ?Sized)) -> Result<T> {
        Connection::query(self, cmd)
    }
}

impl Drop for PooledConnection {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        let mut state = self.pool.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let reusable = !conn.is_broken() && !conn.session_changed() && self.generation == state.generation;
        let closed = if reusable {
            state.idle.push((conn, Instant::now()));
            None
        } else {
            state.open -= 1;
            Some(conn)
        };
        drop(state);
        drop(closed);
        self.pool.freed.notify_one();
    }
}

impl fmt::Debug for PooledConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PooledConnection").field("generation", &self.generation).finish_non_exhaustive()
    }
}
