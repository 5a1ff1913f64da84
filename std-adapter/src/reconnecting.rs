//! [`ReconnectingConnection`]: a multiplexed connection that replaces its socket when it
//! dies (redis-rs's `ConnectionManager`), retrying each request as its delivery allows.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use ferrodis_core::error::Delivery;
use ferrodis_core::retry::{Backoff, Decision, Delays, RetryPolicy};
use tokio::sync::Notify;

use crate::commands::AsyncCommands;
use crate::config::ConnectionConfig;
use crate::error::{Error, ErrorKind, Result};
use crate::multiplexed::MultiplexedConnection;
use crate::random::random_word;
use crate::trace::event;
use crate::value::{Cmd, FromValue};

/// A handle to one multiplexed connection that is replaced when it dies: the handshake
/// (and the on-connect hook) run again on the new socket, and the handle never gives up,
/// so it works again as soon as the server does. Clones share the connection.
///
/// Each request runs under a [`RetryPolicy`] (3 retries with equal jitter from 100 ms by
/// default): a request that certainly was not sent (the connection was down, or died
/// before its bytes left) goes again after the policy's delay, on the new connection; one
/// that may have reached the server ([`Delivery::Unknown`]) fails with that outcome,
/// unless it was sent with [`query_idempotent`](Self::query_idempotent). After its budget
/// a request fails, while the handle goes on reconnecting (with capped backoff) in the
/// background.
///
/// ```no_run
/// # async fn demo() -> ferrodis_std::Result<()> {
/// use ferrodis_std::{AsyncCommands, Client};
///
/// let conn = Client::open("redis://127.0.0.1/")?.get_reconnecting_connection().await?;
/// let () = conn.set("k", 1).await?;
/// // ... the server restarts ...
/// let n: i64 = conn.get("k").await?; // a new socket, the same handle
/// # let _ = n; Ok(()) }
/// ```
#[derive(Clone)]
pub struct ReconnectingConnection {
    inner: Arc<Inner>,
}

struct Inner {
    config: ConnectionConfig,
    policy: RetryPolicy,
    /// The delays between reconnect attempts: capped, never exhausted.
    reconnect: Backoff,
    link: Mutex<Link>,
    /// Woken when a new connection is up.
    up: Notify,
    /// Counts the times the configuration's resolver said the address changed: a
    /// connection opened while it moved may have gone to the old address and is not used.
    moves: AtomicU64,
}

enum Link {
    /// Shared by the requests on it: taking it costs an atomic increment, where a
    /// [`MultiplexedConnection`] clone takes the connection's lock.
    Up(Arc<MultiplexedConnection>),
    /// Down since the connection of this generation died; a task is reconnecting.
    Down,
}

impl ReconnectingConnection {
    /// Connects (failing when the first connect does) and keeps the connection up from
    /// then on, with [`RetryPolicy::DEFAULT`] for each request.
    pub async fn new(config: ConnectionConfig) -> Result<Self> {
        Self::with_policy(config, RetryPolicy::DEFAULT).await
    }

    /// [`new`](Self::new) with `policy` for each request.
    pub async fn with_policy(config: ConnectionConfig, policy: RetryPolicy) -> Result<Self> {
        let conn = MultiplexedConnection::open(&config).await?;
        let reconnect =
            Backoff::EqualJitter { base: Duration::from_millis(100), cap: Duration::from_secs(5) };
        let inner = Inner {
            config,
            policy,
            reconnect,
            link: Mutex::new(Link::Up(Arc::new(conn))),
            up: Notify::new(),
            moves: AtomicU64::new(0),
        };
        let inner = Arc::new(inner);
        if let Some(resolver) = &inner.config.resolver {
            let (inner, runtime) = (Arc::downgrade(&inner), tokio::runtime::Handle::current());
            resolver.on_change(move || {
                let Some(inner) = inner.upgrade() else { return false };
                let _runtime = runtime.enter();
                Self { inner }.moved();
                true
            });
        }
        Ok(Self { inner })
    }

    /// The address moved (a failover): requests from now on wait for a connection to the
    /// new one; those already sent finish on the old one.
    fn moved(&self) {
        self.inner.moves.fetch_add(1, Ordering::SeqCst);
        let mut link = self.link();
        if matches!(&*link, Link::Down) {
            // The reconnect under way sees the move.
            return;
        }
        *link = Link::Down;
        drop(link);
        event!(info, address = %self.inner.config.address, "address moved: reconnecting");
        tokio::spawn(reconnect(Arc::downgrade(&self.inner)));
    }

    /// Whether the connection is up now (a request would go straight out).
    pub fn is_connected(&self) -> bool {
        matches!(&*self.link(), Link::Up(conn) if !conn.is_closed())
    }

    fn link(&self) -> std::sync::MutexGuard<'_, Link> {
        self.inner.link.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The connection, or `None` while it is being replaced. A connection that died is
    /// found out by the request that fails on it ([`lost`](Self::lost)).
    fn current(&self) -> Option<Arc<MultiplexedConnection>> {
        match &*self.link() {
            Link::Up(conn) => Some(Arc::clone(conn)),
            Link::Down => None,
        }
    }

    /// Starts replacing `conn`, which a request found closed, unless that began already.
    fn lost(&self, conn: &Arc<MultiplexedConnection>) {
        let mut link = self.link();
        if !matches!(&*link, Link::Up(current) if Arc::ptr_eq(current, conn)) {
            return;
        }
        *link = Link::Down;
        drop(link);
        event!(info, address = %self.inner.config.address, "connection lost: reconnecting");
        tokio::spawn(reconnect(Arc::downgrade(&self.inner)));
    }

    /// Sends `cmd` and converts its reply to `T`, retrying as the policy and the
    /// request's delivery allow (see the type's documentation).
    pub async fn query<T: FromValue>(&self, cmd: &Cmd) -> Result<T> {
        self.run(cmd, false).await
    }

    /// [`query`](Self::query) for a command that is safe to run twice (`GET`, `SET` without
    /// options, ... see [`ferrodis_core::retry`]): retried even when it may have reached
    /// the server.
    pub async fn query_idempotent<T: FromValue>(&self, cmd: &Cmd) -> Result<T> {
        self.run(cmd, true).await
    }

    async fn run<T: FromValue>(&self, cmd: &Cmd, idempotent: bool) -> Result<T> {
        let started = Instant::now();
        let mut retry = self.inner.policy.begin(Duration::ZERO);
        if idempotent {
            retry = retry.mark_idempotent();
        }
        loop {
            let e = match self.current() {
                Some(conn) => match conn.query::<T>(cmd).await {
                    Ok(value) => return Ok(value),
                    Err(e) => {
                        if conn.is_closed() {
                            self.lost(&conn);
                        }
                        e
                    }
                },
                None => Error::new(ErrorKind::Closed, Delivery::NotSent),
            };
            match retry.on_failure(e.retry_class(), e.delivery(), started.elapsed(), random_word()) {
                Decision::RetryAfter(delay) => {
                    event!(debug, error = %e, ?delay, "retrying");
                    // A new connection ends the wait early.
                    let _ = tokio::time::timeout(delay, self.inner.up.notified()).await;
                }
                Decision::GiveUp(_) => return Err(e),
            }
        }
    }
}

/// Opens connections until one is up, with capped backoff; stops when every handle is
/// gone.
async fn reconnect(inner: Weak<Inner>) {
    let Some(backoff) = inner.upgrade().map(|inner| inner.reconnect) else { return };
    let mut delays = Delays::new(backoff);
    loop {
        let Some(strong) = inner.upgrade() else { return };
        let moves = strong.moves.load(Ordering::SeqCst);
        match MultiplexedConnection::open(&strong.config).await {
            // Resolved before the address moved: perhaps to the old one.
            Ok(_) if strong.moves.load(Ordering::SeqCst) != moves => {}
            Ok(conn) => {
                *strong.link.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Link::Up(Arc::new(conn));
                event!(info, address = %strong.config.address, attempts = delays.failures() + 1, "reconnected");
                strong.up.notify_waiters();
                return;
            }
            Err(e) => {
                let delay = delays.next_delay(random_word());
                event!(debug, error = %e, ?delay, "reconnect failed");
                let _ = &e;
                drop(strong);
                tokio::time::sleep(delay).await;
            }
        }
    }
}

impl AsyncCommands for ReconnectingConnection {
    fn query<T: FromValue>(&self, cmd: &Cmd) -> impl Future<Output = Result<T>> + Send {
        ReconnectingConnection::query(self, cmd)
    }
}

impl std::fmt::Debug for ReconnectingConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReconnectingConnection")
            .field("address", &self.inner.config.address)
            .field("connected", &self.is_connected())
            .finish()
    }
}
