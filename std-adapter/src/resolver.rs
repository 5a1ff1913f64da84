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

/// Asked for the address at every connect and reconnect of a blocking [`Connection`]
/// whose [`ConnectionConfig::resolver`](crate::ConnectionConfig::resolver) it is, instead of
/// the configured address; when it names a role, the connection asks the server's `ROLE`
/// after the handshake and fails with [`ErrorKind::WrongRole`] when the server is
/// something else (a sentinel's stale view of a failover), so nothing is written to it.
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
    resolve: Box<ResolveFn>,
    /// Each returns false once its pool is gone.
    listeners: Mutex<Vec<Box<Listener>>>,
}

/// What an [`AddressResolver`] holds.
type ResolveFn = dyn Fn() -> Result<Resolved> + Send + Sync;

/// A pool's part in [`AddressResolver::changed`]: closes its connections, or says the
/// pool is gone.
type Listener = dyn Fn() -> bool + Send + Sync;

/// An [`AddressResolver`] that may be gone (every configuration holding it dropped).
pub(crate) struct WeakResolver(Weak<Shared>);

impl WeakResolver {
    /// The resolver, while a configuration holds it.
    pub(crate) fn upgrade(&self) -> Option<AddressResolver> {
        self.0.upgrade().map(AddressResolver)
    }
}

impl AddressResolver {
    /// Resolves with `resolve`.
    pub fn new(resolve: impl Fn() -> Result<Resolved> + Send + Sync + 'static) -> Self {
        Self(Arc::new(Shared { resolve: Box::new(resolve), listeners: Mutex::new(Vec::new()) }))
    }

    /// Where to connect now.
    pub fn resolve(&self) -> Result<Resolved> {
        (self.0.resolve)()
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

/// Asks `conn`'s server its `ROLE`, and fails (nothing else sent) when it is not `expected`.
/// A server that refuses `ROLE` (an ACL without it) is taken at its word.
pub(crate) fn check_role(conn: &mut Connection, expected: ServerRole) -> Result<()> {
    let found = match conn.request_with(&crate::cluster::ROLE[..], |reply| ServerRole::of(&reply)) {
        Ok(found) => found,
        Err(e) if matches!(e.kind(), ErrorKind::Server(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    if found == Some(expected) {
        return Ok(());
    }
    let address = conn.config().address.clone();
    Err(Error::new(ErrorKind::WrongRole { address, expected, found }, Delivery::NotSent))
}
