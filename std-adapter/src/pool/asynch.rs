//! [`AsyncConnectionPool`]: multiplexed Tokio connections lent one task at a time, with the
//! blocking pool's rules (opened lazily, reused most recent first, a limit and a wait,
//! health checks, `disconnect(in_use)`).

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use ferrodis_core::error::Delivery;
use ferrodis_core::resp::{Arg, Frame};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::commands::AsyncCommands;
use crate::config::ConnectionConfig;
use crate::error::{Error, ErrorKind, Result};
use crate::multiplexed::MultiplexedConnection;
use crate::url::PoolSettings;
use crate::value::{Cmd, FromValue};

use super::slots::{Checkout, Slots};

/// A pool of [`MultiplexedConnection`]s, each lent to one task at a time: the Tokio
/// counterpart of [`ConnectionPool`](crate::ConnectionPool) (redis-py's asyncio
/// `ConnectionPool` and `BlockingConnectionPool`; redis-rs users reach for bb8 or deadpool
/// for this). Clones share the pool.
///
/// One multiplexed connection already serves many tasks at once; a pool is for what a
/// shared socket does badly: blocking commands (`BLPOP`, `XREAD BLOCK`) that would hold up
/// every request queued behind them, very large replies, or spreading load over several
/// sockets.
///
/// - Connections are opened when [`get_connection`](Self::get_connection) finds none
///   idle, up to [`max_connections`](Self::max_connections) (unbounded by default).
/// - When all are in use, `get_connection` fails at once with
///   [`ErrorKind::PoolExhausted`], or with [`wait`](Self::wait) waits up to that long.
/// - The connection given back most recently is reused first.
/// - A connection whose socket failed, or whose session changed (RESP3 subscriptions), is
///   closed when it comes back, never lent again.
/// - Waiters are served in the order they came: a connection given back goes to the task
///   that has waited longest, never to one that asks after it.
/// - A `get_connection` future dropped while it waits or opens gives its place back.
///
/// ```no_run
/// # async fn demo() -> ferrodis_std::Result<()> {
/// use std::time::Duration;
///
/// use ferrodis_std::{AsyncCommands, AsyncConnectionPool};
///
/// let pool = AsyncConnectionPool::from_url("redis://127.0.0.1/?max_connections=8")?
///     .wait(Duration::from_secs(2));
/// let conn = pool.get_connection().await?;
/// let job: Option<(String, String)> = conn.blpop("jobs", 1.0).await?;
/// drop(conn); // back to the pool
/// let () = pool.set("last-job", job.map(|(_, job)| job)).await?; // the pool as a client
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AsyncConnectionPool {
    shared: Arc<Shared>,
}

struct Shared {
    config: ConnectionConfig,
    settings: PoolSettings,
    state: Mutex<Slots<MultiplexedConnection>>,
    /// With `max_connections`, one permit per connection that may be lent: a task holds
    /// one from before it looks for a connection until it gives the connection back. The
    /// semaphore queues waiters first come, first served, and hands a freed permit to the
    /// first of them, so a task that gives a connection back and asks again at once
    /// cannot overtake the others.
    permits: Option<Arc<Semaphore>>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, Slots<MultiplexedConnection>> {
        // Every change to the state is a single step, so a panic elsewhere left it whole.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A permit to lend one connection: at once or not at all without a wait, else the
    /// first to come free within it. `None` when the pool has no limit.
    async fn permit(&self) -> Result<Option<OwnedSemaphorePermit>> {
        let Some(permits) = &self.permits else { return Ok(None) };
        let max_connections = self.settings.max_connections.unwrap_or_default();
        let exhausted = || Error::new(ErrorKind::PoolExhausted { max_connections }, Delivery::NotSent);
        // A free permit is taken at once, without a timer: the semaphore hands freed
        // permits to its waiters first, so one is free only when nobody waits.
        let permit = match (Arc::clone(permits).try_acquire_owned(), self.settings.wait) {
            (Ok(permit), _) => Some(permit),
            (Err(_), None) => None,
            (Err(_), Some(wait)) => tokio::time::timeout(wait, Arc::clone(permits).acquire_owned())
                .await
                .ok()
                .and_then(|p| p.ok()),
        };
        permit.map(Some).ok_or_else(exhausted)
    }
}

/// A connection counted as open while a `get_connection` future opens or checks it:
/// uncounted again if the future is dropped or the step fails.
struct Opening<'a> {
    shared: &'a Shared,
}

impl Opening<'_> {
    fn keep(self) {
        std::mem::forget(self);
    }
}

impl Drop for Opening<'_> {
    fn drop(&mut self) {
        self.shared.state().forget();
    }
}

impl AsyncConnectionPool {
    settings_methods!(AsyncConnectionPool);

    fn with(config: ConnectionConfig, settings: PoolSettings) -> Self {
        let permits = settings.max_connections.map(|max| Arc::new(Semaphore::new(max)));
        let shared = Shared { config, settings, state: Mutex::default(), permits };
        let pool = Self { shared: Arc::new(shared) };
        super::follow_resolver(&pool.shared.config, &pool.shared, |shared| {
            AsyncConnectionPool { shared }.disconnect(true);
        });
        pool
    }

    /// A connection: an idle one (the most recently returned), else a new one while the
    /// limit allows, else (with [`wait`](Self::wait)) the first to come back in time.
    ///
    /// Fails with [`ErrorKind::PoolExhausted`] (nothing sent) when none is to be had, or
    /// with the error of opening a new one.
    pub async fn get_connection(&self) -> Result<AsyncPooledConnection> {
        let shared = &*self.shared;
        let permit = shared.permit().await?;
        loop {
            let checkout = shared
                .state()
                .checkout(shared.settings.max_connections, shared.settings.health_check_interval);
            match checkout {
                Checkout::Idle { conn, .. } if conn.is_closed() => {
                    drop(conn);
                    shared.state().forget();
                }
                Checkout::Idle { conn, stale: false, generation } => {
                    return Ok(self.lend(conn, generation, permit));
                }
                Checkout::Idle { conn, stale: true, generation } => {
                    let opening = Opening { shared };
                    if self.answers_ping(&conn).await {
                        opening.keep();
                        return Ok(self.lend(conn, generation, permit));
                    }
                    crate::trace::event!(debug, address = %shared.config.address, "health check failed");
                }
                Checkout::Open { generation } => {
                    let opening = Opening { shared };
                    let conn = MultiplexedConnection::open(&shared.config).await?;
                    if shared.state().is_current(generation) {
                        opening.keep();
                        return Ok(self.lend(conn, generation, permit));
                    }
                    // Disconnected while it opened (a failover): perhaps to the old address.
                    drop((conn, opening));
                }
                Checkout::Full => {
                    // Only without a permit: a permit holder always finds a connection
                    // idle or a place to open one (idle ones are given back before their
                    // permit is released).
                    let max_connections = shared.settings.max_connections.unwrap_or_default();
                    return Err(Error::new(ErrorKind::PoolExhausted { max_connections }, Delivery::NotSent));
                }
            }
        }
    }

    async fn answers_ping(&self, conn: &MultiplexedConnection) -> bool {
        let command = [Arg::from("PING")];
        let ping = conn.request_with(&command, |frame| matches!(frame, Frame::SimpleString(b"PONG")));
        tokio::time::timeout(self.shared.config.connect_timeout, ping)
            .await
            .is_ok_and(|pong| pong.unwrap_or(false))
    }

    fn lend(
        &self,
        conn: MultiplexedConnection,
        generation: u64,
        permit: Option<OwnedSemaphorePermit>,
    ) -> AsyncPooledConnection {
        crate::trace::event!(debug, address = %self.shared.config.address, "pool checkout");
        AsyncPooledConnection { conn: Some(conn), pool: Arc::clone(&self.shared), generation, permit }
    }

    /// Closes every idle connection; with `in_use`, also every connection in use when it
    /// comes back. Later [`get_connection`](Self::get_connection)s open new ones.
    pub fn disconnect(&self, in_use: bool) {
        let closed = self.shared.state().disconnect(in_use);
        drop(closed);
    }
}

/// The pool as a client: each command checks a connection out, runs on it and gives it
/// back.
impl AsyncCommands for AsyncConnectionPool {
    async fn query<T: FromValue>(&self, cmd: &Cmd) -> Result<T> {
        self.get_connection().await?.query(cmd).await
    }
}

impl fmt::Debug for AsyncConnectionPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.state();
        let settings = &self.shared.settings;
        f.debug_struct("AsyncConnectionPool")
            .field("address", &self.shared.config.address)
            .field("max_connections", &settings.max_connections)
            .field("wait", &settings.wait)
            .field("health_check_interval", &settings.health_check_interval)
            .field("open", &state.open())
            .field("idle", &state.idle())
            .finish()
    }
}

/// A connection lent by an [`AsyncConnectionPool`]: a [`MultiplexedConnection`] (through
/// `Deref`) that goes back to the pool when dropped, or is closed when its socket failed,
/// its session changed, or the pool was disconnected meanwhile.
pub struct AsyncPooledConnection {
    conn: Option<MultiplexedConnection>,
    pool: Arc<Shared>,
    generation: u64,
    /// Released after the connection is back in the pool, so the task it wakes finds it.
    permit: Option<OwnedSemaphorePermit>,
}

impl AsyncPooledConnection {
    /// Keeps the connection out of the pool for good, freeing its place now.
    pub fn detach(mut self) -> MultiplexedConnection {
        let conn = self.conn.take().expect("a pooled connection holds its connection until dropped");
        self.pool.state().forget();
        conn
    }
}

impl Deref for AsyncPooledConnection {
    type Target = MultiplexedConnection;

    fn deref(&self) -> &MultiplexedConnection {
        self.conn.as_ref().expect("a pooled connection holds its connection until dropped")
    }
}

impl AsyncCommands for AsyncPooledConnection {
    fn query<T: FromValue>(&self, cmd: &Cmd) -> impl Future<Output = Result<T>> + Send {
        MultiplexedConnection::query(self, cmd)
    }
}

impl Drop for AsyncPooledConnection {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        let reusable = conn.is_reusable();
        let closed = self.pool.state().give_back(conn, self.generation, reusable);
        drop(self.permit.take());
        drop(closed);
    }
}

impl fmt::Debug for AsyncPooledConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncPooledConnection").field("generation", &self.generation).finish_non_exhaustive()
    }
}
