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
use crate::url::PoolSettings;
use crate::value::FromValue;

use super::slots::{Checkout, Slots};

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
    settings: PoolSettings,
    state: Mutex<Slots<Connection>>,
    /// Signalled when a connection comes back or a place frees up.
    freed: Condvar,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, Slots<Connection>> {
        // A thread that panicked while holding the lock left the state consistent: every
        // change to it is a single step.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl ConnectionPool {
    settings_methods!(ConnectionPool);

    fn with(config: ConnectionConfig, settings: PoolSettings) -> Self {
        let shared = Shared { config, settings, state: Mutex::default(), freed: Condvar::new() };
        let pool = Self { shared: Arc::new(shared) };
        super::follow_resolver(&pool.shared.config, &pool.shared, |shared| {
            ConnectionPool { shared }.disconnect(true)
        });
        pool
    }

    fn state(&self) -> MutexGuard<'_, Slots<Connection>> {
        self.shared.state()
    }

    /// A connection: an idle one (the most recently returned), else a new one while the
    /// limit allows, else (with [`wait`](Self::wait)) the first to come back in time.
    ///
    /// Fails with [`ErrorKind::PoolExhausted`] (nothing sent) when none is to be had, or
    /// with the error of opening a new one.
    pub fn get_connection(&self) -> Result<PooledConnection> {
        let deadline = self.shared.settings.wait.map(|wait| Instant::now() + wait);
        let mut state = self.state();
        loop {
            match state
                .checkout(self.shared.settings.max_connections, self.shared.settings.health_check_interval)
            {
                Checkout::Idle { conn, .. } if conn.is_broken() => state.forget(),
                Checkout::Idle { conn, stale: false, generation } => return Ok(self.lend(conn, generation)),
                Checkout::Idle { mut conn, stale: true, generation } => {
                    // The check goes to the server: not under the lock.
                    drop(state);
                    if conn.ping::<String>().is_ok_and(|pong| pong == "PONG") {
                        return Ok(self.lend(conn, generation));
                    }
                    crate::trace::event!(debug, address = %self.shared.config.address, "health check failed");
                    drop(conn);
                    state = self.state();
                    state.forget();
                }
                Checkout::Open { generation } => {
                    drop(state);
                    let conn = match Connection::open(&self.shared.config) {
                        Ok(conn) => conn,
                        Err(e) => {
                            self.state().forget();
                            self.shared.freed.notify_one();
                            return Err(e);
                        }
                    };
                    if self.state().is_current(generation) {
                        return Ok(self.lend(conn, generation));
                    }
                    // Disconnected while it opened (a failover): perhaps to the old address.
                    drop(conn);
                    state = self.state();
                    state.forget();
                }
                Checkout::Full => {
                    let exhausted = || {
                        let max_connections = self.shared.settings.max_connections.unwrap_or_default();
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
        let closed = self.state().disconnect(in_use);
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
            .field("max_connections", &self.shared.settings.max_connections)
            .field("wait", &self.shared.settings.wait)
            .field("health_check_interval", &self.shared.settings.health_check_interval)
            .field("open", &state.open())
            .field("idle", &state.idle())
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
        self.pool.state().forget();
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
        let reusable = !conn.is_broken() && !conn.session_changed();
        let closed = self.pool.state().give_back(conn, self.generation, reusable);
        drop(closed);
        self.pool.freed.notify_one();
    }
}

impl fmt::Debug for PooledConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PooledConnection").field("generation", &self.generation).finish_non_exhaustive()
    }
}
