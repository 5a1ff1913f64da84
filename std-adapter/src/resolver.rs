//! [`AddressResolver`]: where a connection goes, asked again at every connect and
//! reconnect, and the role the server there must confirm (`ROLE`) before the connection
//! is used. Sentinel's [`master_for`](crate::Sentinel::master_for) and
//! [`replica_for`](crate::Sentinel::replica_for) are built on it.

use std::fmt;
use std::sync::{Arc, Mutex, Weak};

use ferrodis_core::error::Delivery;
use ferrodis_core::reply::ServerRole;

use crate::config::Address;
use crate::connection::Connection;
use crate::error::{Error, ErrorKind, Result};

/// Where to connect now, and what the server there must say it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The address to connect to.
    pub address: Address,
    /// The role its `ROLE` must name (`None`: not checked).
    pub role: Option<ServerRole>,
}

/// Asked for the address at every connect and reconnect of a connection (blocking or
/// multiplexed) whose [`ConnectionConfig::resolver`](crate::ConnectionConfig::resolver) it
/// is, instead of the configured address; when it names a role, the connection asks the
/// server's `ROLE` after the handshake and fails with [`ErrorKind::WrongRole`] when the
/// server is something else (a sentinel's stale view of a failover), so nothing is written
/// to it.
///
/// A resolver made with [`new`](Self::new) blocks; a Tokio connection runs it on Tokio's
/// blocking threads. One made with `new_async` (feature `tokio`) is for Tokio connections
/// and pools only: a blocking connection refuses it.
///
/// ```
/// use ferrodis_std::{Address, AddressResolver, Resolved};
///
/// let resolver = AddressResolver::new(|| Ok(Resolved { address: Address::Tcp { host: "10.0.0.7".into(), port: 6379 }, role: None }));
/// # let _ = resolver;
/// ```
#[derive(Clone)]
pub struct AddressResolver(Arc<Shared>);

/// What clones of an [`AddressResolver`] share: the function, and the pools to tell when
/// its answer changes.
struct Shared {
    resolve: Resolve,
    /// Each returns false once its pool is gone.
    listeners: Mutex<Vec<Box<Listener>>>,
}

/// What an [`AddressResolver`] runs.
enum Resolve {
    Blocking(Box<dyn Fn() -> Result<Resolved> + Send + Sync>),
    #[cfg(feature = "tokio")]
    Async(Box<AsyncResolveFn>),
}

/// What an asynchronous [`AddressResolver`] runs.
#[cfg(feature = "tokio")]
type AsyncResolveFn =
    dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Resolved>> + Send>> + Send + Sync;

/// A pool's part in [`AddressResolver::changed`]: closes its connections, or says the
/// pool is gone.
type Listener = dyn Fn() -> bool + Send + Sync;

/// An [`AddressResolver`] that may be gone (every configuration holding it dropped).
#[derive(Clone)]
pub(crate) struct WeakResolver(Weak<Shared>);

impl WeakResolver {
    /// The resolver, while a configuration holds it.
    pub(crate) fn upgrade(&self) -> Option<AddressResolver> {
        self.0.upgrade().map(AddressResolver)
    }
}

impl AddressResolver {
    /// Resolves with `resolve`, which may block.
    pub fn new(resolve: impl Fn() -> Result<Resolved> + Send + Sync + 'static) -> Self {
        Self::with(Resolve::Blocking(Box::new(resolve)))
    }

    /// Resolves with the future `resolve` makes, for Tokio connections and pools
    /// ([`AsyncSentinel`](crate::AsyncSentinel)'s are made so).
    ///
    /// ```
    /// use ferrodis_std::{Address, AddressResolver, Resolved};
    ///
    /// let resolver = AddressResolver::new_async(|| async {
    ///     Ok(Resolved { address: Address::Tcp { host: "10.0.0.7".into(), port: 6379 }, role: None })
    /// });
    /// # let _ = resolver;
    /// ```
    #[cfg(feature = "tokio")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
    pub fn new_async<F>(resolve: impl Fn() -> F + Send + Sync + 'static) -> Self
    where
        F: std::future::Future<Output = Result<Resolved>> + Send + 'static,
    {
        Self::with(Resolve::Async(Box::new(move || Box::pin(resolve()))))
    }

    fn with(resolve: Resolve) -> Self {
        Self(Arc::new(Shared { resolve, listeners: Mutex::new(Vec::new()) }))
    }

    /// Where to connect now. An asynchronous resolver cannot answer here: its error says
    /// so.
    pub fn resolve(&self) -> Result<Resolved> {
        match &self.0.resolve {
            Resolve::Blocking(resolve) => resolve(),
            #[cfg(feature = "tokio")]
            Resolve::Async(_) => Err(Error::config(
                "an asynchronous address resolver (AsyncSentinel's) is for Tokio connections and pools",
            )),
        }
    }

    /// Where to connect now, asked without blocking the Tokio runtime: a blocking resolver
    /// runs on Tokio's blocking threads.
    #[cfg(feature = "tokio")]
    pub(crate) async fn resolve_async(&self) -> Result<Resolved> {
        match &self.0.resolve {
            Resolve::Async(resolve) => resolve().await,
            Resolve::Blocking(_) => {
                let resolver = self.clone();
                tokio::task::spawn_blocking(move || resolver.resolve())
                    .await
                    .unwrap_or_else(|_| Err(Error::config("the address resolver panicked")))
            }
        }
    }

    /// The answer changed (a failover): every pool whose configuration holds this resolver
    /// closes its idle connections at once, and each one in use when it comes back, so the
    /// next connections resolve again.
    pub fn changed(&self) {
        self.listeners().retain(|listener| listener());
    }

    /// Runs `listener` on every [`changed`](Self::changed) until it returns false.
    pub(crate) fn on_change(&self, listener: impl Fn() -> bool + Send + Sync + 'static) {
        self.listeners().push(Box::new(listener));
    }

    pub(crate) fn downgrade(&self) -> WeakResolver {
        WeakResolver(Arc::downgrade(&self.0))
    }

    fn listeners(&self) -> std::sync::MutexGuard<'_, Vec<Box<Listener>>> {
        self.0.listeners.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl fmt::Debug for AddressResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AddressResolver(..)")
    }
}

impl PartialEq for AddressResolver {
    /// The same resolver (one cloned from the other).
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// How many times in all a connect asks its resolver when the server named has another
/// role than the one asked for ([`ErrorKind::WrongRole`]).
pub(crate) const ROLE_ATTEMPTS: u32 = 3;

/// Whether a connect that failed with `e` on its `attempts`-th resolution asks the
/// resolver again.
pub(crate) fn may_resolve_again(e: &Error, attempts: u32) -> bool {
    matches!(e.kind(), ErrorKind::WrongRole { .. }) && attempts < ROLE_ATTEMPTS
}

/// Asks `conn`'s server its `ROLE`, and fails (nothing else sent) when it is not `expected`.
/// A server that refuses `ROLE` (an ACL without it) is taken at its word.
pub(crate) fn check_role(conn: &mut Connection, expected: ServerRole) -> Result<()> {
    let found = conn.request_with(&crate::cluster::ROLE[..], |reply| ServerRole::of(&reply));
    let address = conn.config().address.clone();
    role_verdict(found, expected, address)
}

/// [`check_role`] on a multiplexed connection to `address`.
#[cfg(feature = "tokio")]
pub(crate) async fn check_role_async(
    conn: &crate::MultiplexedConnection,
    expected: ServerRole,
    address: &Address,
) -> Result<()> {
    let found = conn.request_with(&crate::cluster::ROLE[..], |reply| ServerRole::of(&reply)).await;
    role_verdict(found, expected, address.clone())
}

/// The resolver a connection opened through `resolver` tells when its server answers
/// `READONLY` ([`on_error`]): one that must be the primary, so that reply means a failover
/// happened (one the sentinels' event did not announce, or not yet).
pub(crate) fn followed(
    resolver: Option<&AddressResolver>,
    role: Option<ServerRole>,
) -> Option<AddressResolver> {
    resolver.filter(|_| role == Some(ServerRole::Primary)).cloned()
}

/// Tells `followed` ([`AddressResolver::changed`]: its pools close their connections, the
/// next ones resolve again) when `e` is a `READONLY` reply from what was the primary.
pub(crate) fn on_error(followed: Option<&AddressResolver>, e: &Error) {
    if let Some(resolver) = followed
        && e.server_kind() == Some(ferrodis_core::error::ServerErrorKind::ReadOnly)
    {
        crate::trace::event!(info, "READONLY from the primary: resolving again");
        resolver.changed();
    }
}

/// What the `ROLE` reply `found` means for a connection that must be `expected`.
fn role_verdict(found: Result<Option<ServerRole>>, expected: ServerRole, address: Address) -> Result<()> {
    let found = match found {
        Ok(found) => found,
        Err(e) if matches!(e.kind(), ErrorKind::Server(_)) => return Ok(()),
        // Part of connecting: whatever the caller meant to send has not gone out.
        Err(e) => return Err(Error::new(e.into_kind(), Delivery::NotSent)),
    };
    if found == Some(expected) {
        return Ok(());
    }
    Err(Error::new(ErrorKind::WrongRole { address, expected, found }, Delivery::NotSent))
}
