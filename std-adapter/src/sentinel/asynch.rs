//! [`AsyncSentinel`]: the Tokio counterpart of [`Sentinel`](super::Sentinel), asking the
//! sentinels over multiplexed connections through the same core state machines, and its
//! pools and reconnecting connection that follow a failover.

use std::fmt;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use ferrodis_core::conn::Protocol;
use ferrodis_core::error::Delivery;
use ferrodis_core::reply::ServerRole;
use ferrodis_core::resp::{Arg, CommandArgs, Frame};
use ferrodis_core::sentinel::{
    MasterDiscovery, SWITCH_MASTER_CHANNEL, SentinelOrder, SwitchMaster, replicas_command, sentinels_command,
};
use tokio::sync::mpsc;

use super::pools::{WATCH_TICK, replica_turn};
use super::{Deployment, MAX_SENTINELS, listed_nodes};
use crate::cluster::AddressRemapFn;
use crate::config::{Address, ConnectionConfig};
use crate::error::{Error, ErrorKind, Result};
use crate::multiplexed::MultiplexedConnection;
use crate::pool::AsyncConnectionPool;
use crate::reconnecting::ReconnectingConnection;
use crate::resolver::{AddressResolver, Resolved, WeakResolver};
use crate::value::{FromValue, Value};

/// The sentinels of a deployment, asked from Tokio tasks: [`Sentinel`](crate::Sentinel)'s
/// methods as `async fn`s, over one multiplexed connection to each sentinel that clones
/// share (so concurrent discoveries do not queue behind one another).
///
/// [`master_for`](Self::master_for) and [`replica_for`](Self::replica_for) make
/// [`AsyncConnectionPool`]s, and [`reconnecting_master_for`](Self::reconnecting_master_for)
/// a [`ReconnectingConnection`], whose connections go where the sentinels say and that a
/// task of their own moves to the new master when a sentinel announces `+switch-master`.
///
/// ```no_run
/// # async fn demo() -> ferrodis_std::Result<()> {
/// use ferrodis_std::{AsyncCommands, AsyncSentinel, ConnectionConfig};
///
/// let sentinel = AsyncSentinel::new([("10.0.0.1".to_string(), 26379)], 0, ConnectionConfig::default());
/// let (host, port) = sentinel.discover_master("mymaster").await?;
/// let master = sentinel.reconnecting_master_for("mymaster", ConnectionConfig::default()).await?;
/// let () = master.set("greeting", "hello").await?;
/// # let _ = (host, port); Ok(()) }
/// ```
#[derive(Clone)]
pub struct AsyncSentinel(Arc<Shared>);

/// What clones of an [`AsyncSentinel`] share.
struct Shared {
    deployment: Deployment,
    order: Mutex<SentinelOrder<MAX_SENTINELS>>,
    /// By sentinel: the connection to it, once one was opened and while it lives.
    connections: Mutex<Vec<Option<MultiplexedConnection>>>,
}

impl AsyncSentinel {
    /// The sentinels at `sentinels` (at most [`MAX_SENTINELS`]), with `config` as their
    /// connection settings, taking a master only from a sentinel that knows at least
    /// `min_other_sentinels` others: as [`Sentinel::new`](crate::Sentinel::new).
    pub fn new(
        sentinels: impl IntoIterator<Item = (String, u16)>,
        min_other_sentinels: u32,
        config: ConnectionConfig,
    ) -> Self {
        Self::of(Deployment::new(sentinels, min_other_sentinels, config))
    }

    fn of(deployment: Deployment) -> Self {
        let count = deployment.sentinels.len();
        let order = Mutex::new(SentinelOrder::new(count));
        let connections = Mutex::new((0..count).map(|_| None).collect());
        Self(Arc::new(Shared { deployment, order, connections }))
    }

    /// The master's reported host replaced by `host`: as
    /// [`Sentinel::force_master_ip`](crate::Sentinel::force_master_ip).
    #[must_use]
    pub fn force_master_ip(self, host: impl Into<String>) -> Self {
        let mut deployment = self.0.deployment.clone();
        deployment.addressing.force_master_ip = Some(host.into());
        Self::of(deployment)
    }

    /// Every reported address rewritten by `remap`: as
    /// [`Sentinel::address_remap`](crate::Sentinel::address_remap).
    #[must_use]
    pub fn address_remap(self, remap: AddressRemapFn) -> Self {
        let mut deployment = self.0.deployment.clone();
        deployment.addressing.remap = Some(remap);
        Self::of(deployment)
    }

    /// The sentinels, as configured.
    pub fn sentinels(&self) -> &[(String, u16)] {
        &self.0.deployment.sentinels
    }

    /// The master of `service`, or [`ErrorKind::MasterNotFound`] saying what each sentinel
    /// said: as [`Sentinel::discover_master`](crate::Sentinel::discover_master).
    pub async fn discover_master(&self, service: &str) -> Result<(String, u16)> {
        let deployment = &self.0.deployment;
        let order = *lock(&self.0.order);
        let mut discovery = deployment.discovery(&order, service);
        let command = MasterDiscovery::<MAX_SENTINELS>::command(service);
        while let Some(i) = discovery.next() {
            match self.ask(i, &command, |reply| discovery.on_reply(i, &reply)).await {
                Ok(Some(master)) => {
                    lock(&self.0.order).promote(i);
                    return Ok(deployment.addressing.apply(master, true));
                }
                Ok(None) => {}
                Err(e) => discovery.on_failure(i, &e),
            }
        }
        Err(deployment.master_not_found(service, discovery))
    }

    /// The replicas of `service` that serve: as
    /// [`Sentinel::discover_replicas`](crate::Sentinel::discover_replicas).
    pub async fn discover_replicas(&self, service: &str) -> Result<Vec<(String, u16)>> {
        let replicas = self.first_listing(&replicas_command(service), false).await;
        let addressing = &self.0.deployment.addressing;
        Ok(replicas.into_iter().map(|replica| addressing.apply(replica, false)).collect())
    }

    /// The other sentinels watching `service` that are not down: as
    /// [`Sentinel::discover_sentinels`](crate::Sentinel::discover_sentinels).
    pub async fn discover_sentinels(&self, service: &str) -> Result<Vec<(String, u16)>> {
        Ok(self.first_listing(&sentinels_command(service), true).await)
    }

    /// Sends `cmd` to every sentinel (one after the other) and returns each one's reply
    /// in the configured order, an error reply as an [`ErrorKind::Server`] error; with
    /// `once`, to one chosen at random only: as
    /// [`Sentinel::execute_command`](crate::Sentinel::execute_command).
    pub async fn execute_command<T: FromValue>(
        &self,
        cmd: &(impl CommandArgs + Sync + ?Sized),
        once: bool,
    ) -> Vec<Result<T>> {
        let mut replies = Vec::new();
        for i in self.0.deployment.addressees(once) {
            let reply = match self.connection(i).await {
                Ok(conn) => conn.request_with(cmd, |reply| Value::from_frame(&reply)).await,
                Err(e) => Err(e),
            };
            replies.push(reply.and_then(|value| Ok(T::from_value(value)?)));
        }
        replies
    }

    /// The nodes a listing command names, from the first sentinel that answers it; none
    /// when none does.
    async fn first_listing(&self, command: &[Arg<'_>], sentinels: bool) -> Vec<(String, u16)> {
        let order = *lock(&self.0.order);
        for i in order.iter() {
            if let Ok(Ok(nodes)) = self.ask(i, command, |reply| listed_nodes(reply, sentinels)).await {
                return nodes;
            }
        }
        Vec::new()
    }

    /// Sends `command` to sentinel `i` and hands its reply (an error reply too) to `f`.
    async fn ask<T>(&self, i: usize, command: &[Arg<'_>], f: impl FnOnce(Frame<'_>) -> T) -> Result<T> {
        let conn = self.connection(i).await?;
        let (mut f, mut out) = (Some(f), None);
        conn.pipeline_with(&[command], |_, reply| out = f.take().map(|f| f(reply))).await?;
        out.ok_or_else(|| Error::new(ErrorKind::UnexpectedReply, Delivery::Answered))
    }

    /// The connection to sentinel `i`: the kept one while it lives, else a new one (kept
    /// for the next request).
    async fn connection(&self, i: usize) -> Result<MultiplexedConnection> {
        let kept = lock(&self.0.connections)[i].clone();
        if let Some(conn) = kept.filter(|conn| !conn.is_closed()) {
            return Ok(conn);
        }
        let conn = MultiplexedConnection::open(&self.0.deployment.sentinel_config(i)).await?;
        lock(&self.0.connections)[i] = Some(conn.clone());
        Ok(conn)
    }

    /// A pool of connections to `service`'s master, each asking the sentinels where it is
    /// and checking its `ROLE`: as [`Sentinel::master_for`](crate::Sentinel::master_for),
    /// with Tokio tasks (on the runtime this is called on, one per sentinel) listening to
    /// `+switch-master` and closing every connection to the old master at the first
    /// announcement that it changed.
    ///
    /// Call it within a Tokio runtime; outside one there is no task to listen, and the pool
    /// follows the master through each new connection's `ROLE` check only.
    pub fn master_for(&self, service: &str, config: ConnectionConfig) -> AsyncConnectionPool {
        AsyncConnectionPool::new(ConnectionConfig { resolver: Some(self.master_resolver(service)), ..config })
    }

    /// One multiplexed connection to `service`'s master that is replaced when it dies
    /// and moved to the new master when a sentinel announces `+switch-master` (the
    /// requests already sent finish on the old one, later ones wait for the new one):
    /// a [`ReconnectingConnection`] whose every connect asks the sentinels. Fails when the
    /// first connect does.
    pub async fn reconnecting_master_for(
        &self,
        service: &str,
        config: ConnectionConfig,
    ) -> Result<ReconnectingConnection> {
        let config = ConnectionConfig { resolver: Some(self.master_resolver(service)), ..config };
        ReconnectingConnection::new(config).await
    }

    /// A pool of connections to `service`'s replicas, in turn, each checking it is one,
    /// and to the master when none serves: as
    /// [`Sentinel::replica_for`](crate::Sentinel::replica_for).
    pub fn replica_for(&self, service: &str, config: ConnectionConfig) -> AsyncConnectionPool {
        let (sentinel, name) = (self.clone(), service.to_owned());
        let turn = Arc::new(AtomicUsize::new(0));
        let resolver = AddressResolver::new_async(move || {
            let (sentinel, name, turn) = (sentinel.clone(), name.clone(), Arc::clone(&turn));
            async move {
                let replicas = sentinel.discover_replicas(&name).await?;
                let ((host, port), role) = match replica_turn(replicas, &turn) {
                    Some(replica) => (replica, ServerRole::Replica),
                    None => (sentinel.discover_master(&name).await?, ServerRole::Primary),
                };
                Ok(Resolved { address: Address::Tcp { host, port }, role: Some(role) })
            }
        });
        AsyncConnectionPool::new(ConnectionConfig { resolver: Some(resolver), ..config })
    }

    /// The resolver of `service`'s master, with its switch listener started.
    fn master_resolver(&self, service: &str) -> AddressResolver {
        let (sentinel, name) = (self.clone(), service.to_owned());
        let resolver = AddressResolver::new_async(move || {
            let (sentinel, name) = (sentinel.clone(), name.clone());
            async move {
                let (host, port) = sentinel.discover_master(&name).await?;
                Ok(Resolved { address: Address::Tcp { host, port }, role: Some(ServerRole::Primary) })
            }
        });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            for i in 0..self.sentinels().len() {
                runtime.spawn(watch_switches(self.clone(), i, service.to_owned(), resolver.downgrade()));
            }
        } else {
            crate::trace::event!(warn, "no Tokio runtime: +switch-master is not listened to");
        }
        resolver
    }

    /// A connection to sentinel `i`, subscribed to `+switch-master` (over RESP3, so the
    /// messages come as push frames), and the services whose master switched as they are
    /// announced.
    async fn switch_events(
        &self,
        i: usize,
    ) -> Option<(MultiplexedConnection, mpsc::UnboundedReceiver<String>)> {
        let config = ConnectionConfig { protocol: Protocol::Resp3, ..self.0.deployment.sentinel_config(i) };
        let (events, received) = mpsc::unbounded_channel();
        let replaced = Arc::clone(&self.0.deployment.replaced);
        let push = Box::new(move |frame: Frame<'_>| {
            if let Some(switch) = SwitchMaster::of_message(&frame) {
                // Before the pools hear of it: their next connections ask again.
                replaced.record(&switch);
                let _ = events.send(switch.service.to_owned());
            }
        });
        let conn = MultiplexedConnection::open_with(&config, Some(push)).await.ok()?;
        let subscribe = [Arg::from("SUBSCRIBE"), Arg::from(SWITCH_MASTER_CHANNEL)];
        conn.request_with(&subscribe[..], |_| ()).await.ok()?;
        Some((conn, received))
    }
}

/// Tells `resolver`'s pools and connections ([`AddressResolver::changed`]) when
/// sentinel `i` announces that `service`'s master switched, until nothing holds the
/// resolver; as the blocking watchers (one task per sentinel: the first announcement is
/// the one to act on), also once it has a connection again after losing one, when a
/// switch may have gone unheard.
async fn watch_switches(sentinel: AsyncSentinel, i: usize, service: String, resolver: WeakResolver) {
    // Every connection to the sentinel but the first follows a time nothing was heard.
    let mut first = true;
    while resolver.upgrade().is_some() {
        let Some((events, mut switched)) = sentinel.switch_events(i).await else {
            tokio::time::sleep(WATCH_TICK).await;
            continue;
        };
        match resolver.upgrade() {
            Some(live) if !first => live.changed(),
            Some(_) => {}
            None => return,
        }
        first = false;
        loop {
            let heard = tokio::time::timeout(WATCH_TICK, switched.recv()).await;
            let Some(live) = resolver.upgrade() else { return };
            match heard {
                Ok(Some(of)) if of == service => live.changed(),
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) if events.is_closed() => break,
                Err(_) => {}
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The same sentinels, settings and addressing, asked from Tokio tasks over connections
/// of its own.
impl From<&super::Sentinel> for AsyncSentinel {
    fn from(sentinel: &super::Sentinel) -> Self {
        Self::of(sentinel.0.deployment.clone())
    }
}

impl fmt::Debug for AsyncSentinel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncSentinel")
            .field("sentinels", &self.0.deployment.sentinels)
            .field("min_other_sentinels", &self.0.deployment.min_other_sentinels)
            .field("order", &lock(&self.0.order).iter().collect::<Vec<_>>())
            .finish()
    }
}
