//! Hooks that run on every new connection right after its handshake (redis-py's
//! `redis_connect_func`): [`ConnectHook`] for blocking connections and
//! [`AsyncConnectHook`] for multiplexed ones.

use std::fmt;
#[cfg(feature = "tokio")]
use std::future::Future;
#[cfg(feature = "tokio")]
use std::pin::Pin;
use std::sync::Arc;

use crate::connection::Connection;
use crate::error::Result;

/// User code run on every new blocking [`Connection`] right after its handshake,
/// reconnects included; its error fails the connect (the connection is closed). Set with
/// [`ClientBuilder::on_connect`](crate::ClientBuilder::on_connect).
#[derive(Clone)]
pub struct ConnectHook(Arc<BlockingHook>);

/// What a [`ConnectHook`] holds.
type BlockingHook = dyn Fn(&mut Connection) -> Result<()> + Send + Sync;

impl ConnectHook {
    /// Wraps `hook`.
    pub fn new(hook: impl Fn(&mut Connection) -> Result<()> + Send + Sync + 'static) -> Self {
        Self(Arc::new(hook))
    }

    pub(crate) fn run(&self, conn: &mut Connection) -> Result<()> {
        (self.0)(conn)
    }
}

/// The future an [`AsyncConnectHook`] returns.
#[cfg(feature = "tokio")]
pub type HookFuture = Pin<Box<dyn Future<Output = Result<()>> + Send>>;

/// User code run on every new [`MultiplexedConnection`](crate::MultiplexedConnection)
/// right after its handshake (it gets a handle to the connection); its error fails the
/// connect. Set with [`ClientBuilder::on_connect_async`](crate::ClientBuilder::on_connect_async).
#[cfg(feature = "tokio")]
#[derive(Clone)]
pub struct AsyncConnectHook(Arc<AsyncHook>);

/// What an [`AsyncConnectHook`] holds.
#[cfg(feature = "tokio")]
type AsyncHook = dyn Fn(crate::MultiplexedConnection) -> HookFuture + Send + Sync;

#[cfg(feature = "tokio")]
impl AsyncConnectHook {
    /// Wraps `hook`.
    pub fn new<F>(hook: impl Fn(crate::MultiplexedConnection) -> F + Send + Sync + 'static) -> Self
    where
        F: Future<Output = Result<()>> + Send + 'static,
    {
        Self(Arc::new(move |conn| Box::pin(hook(conn))))
    }

    pub(crate) async fn run(&self, conn: crate::MultiplexedConnection) -> Result<()> {
        (self.0)(conn).await
    }
}

macro_rules! opaque {
    ($($t:ty),*) => {$(
        /// Equal only to itself (the same hook); shown without its contents.
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                Arc::ptr_eq(&self.0, &other.0)
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($t), "(..)"))
            }
        }
    )*};
}
opaque!(ConnectHook);
#[cfg(feature = "tokio")]
opaque!(AsyncConnectHook);
