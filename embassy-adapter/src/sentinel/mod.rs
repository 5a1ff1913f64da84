//! Redis Sentinel on embassy-net: [`Sentinel`] finds a service's master through the core's
//! [`MasterDiscovery`] and follows its failovers through the sentinels' `+switch-master`
//! events ([`SwitchMaster`]). The core decides which sentinel to ask, which answer to take
//! and what an event says; this driver opens the connections, moves the bytes, rewrites the
//! addresses the sentinels report ([`AddressRemap`]) and checks the master's `ROLE`.
//!
//! Three caller-built [`Connection`]s, each with its own buffers: one to ask the sentinels
//! (owned by the [`Sentinel`], which opens it to each in turn), one to the master (the
//! caller's, opened by [`Sentinel::connect_master`] or [`open_master`]), and a watcher
//! subscribed to `+switch-master` on a sentinel ([`Sentinel::watch_switches`],
//! [`Sentinel::next_switch`]).
//!
//! ```no_run
//! # async fn demo(
//! #     connection: impl Fn() -> ferrodis_embassy::Connection<'static, &'static mut [u8]>,
//! # ) -> Result<(), ferrodis_embassy::sentinel::SentinelError> {
//! use ferrodis_core::cluster::NoRemap;
//! use ferrodis_embassy::sentinel::{Sentinel, open_master};
//!
//! // `connection()` builds a `Connection` over a `Transport` with buffers of its own (see
//! // the crate docs); its `Remote` does not matter, the sentinel client sets it. The
//! // sentinels' connection and the watcher's have database 0 (a sentinel has no other).
//! static SENTINELS: [(&str, u16); 2] = [("10.0.0.1", 26379), ("10.0.0.2", 26379)];
//! let mut sentinel = Sentinel::<_, _, 2>::new(connection(), &SENTINELS, 1, NoRemap);
//! let (mut master, mut watcher) = (connection(), connection());
//! sentinel.connect_master("mymaster", &mut master).await?; // discovery, connect, ROLE
//! master.request(&["SET".into(), "sensor:7".into(), "21.5".into()]).await.ok();
//! sentinel.watch_switches(&mut watcher).await?; // SUBSCRIBE +switch-master
//! loop {
//!     match sentinel.next_switch(&mut watcher, "mymaster").await {
//!         // A failover: the master is elsewhere now.
//!         Ok(new_master) => open_master(&mut master, new_master).await?,
//!         // The watcher's sentinel is gone: a switch may have been missed meanwhile.
//!         Err(_) if watcher.is_broken() => {
//!             sentinel.watch_switches(&mut watcher).await?;
//!             sentinel.connect_master("mymaster", &mut master).await?;
//!         }
//!         Err(_) => {} // the watcher's request timeout passed without an event
//!     }
//! }
//! # }
//! ```

mod error;

use embassy_net::IpEndpoint;
use ferrodis_core::cluster::{AddressRemap, NoRemap};
use ferrodis_core::conn::{Buffer, DropPushes, PushHandler, Received};
use ferrodis_core::reply::ServerRole;
use ferrodis_core::resp::{Arg, Frame};
use ferrodis_core::sentinel::{MasterDiscovery, SWITCH_MASTER_CHANNEL, SentinelOrder, SwitchMaster, Verdict};

pub use error::{SentinelError, SentinelErrorKind};

use crate::cluster::NodeAddress;
use crate::{Connection, Remote, Subscriptions, connect};

/// What [`Sentinel::watch_switches`] subscribes a watcher to, on its connect and on every
/// reconnect after: [`SWITCH_MASTER_CHANNEL`].
pub const SWITCH_SUBSCRIPTIONS: Subscriptions<'static> =
    Subscriptions { channels: &[SWITCH_MASTER_CHANNEL], patterns: &[] };

/// The request that confirms a master.
const ROLE: [Arg<'static>; 1] = [Arg::Bytes(b"ROLE")];

/// The sentinels of a deployment, for firmware: finds a service's master
/// ([`discover_master`](Self::discover_master), [`connect_master`](Self::connect_master))
/// by asking the sentinels at `sentinels` (at most `N`) in the core's [`SentinelOrder`]
/// (the one that answered last first), over one caller-built [`Connection`] that it opens
/// to each in turn, and follows failovers on a watcher connection
/// ([`watch_switches`](Self::watch_switches), [`next_switch`](Self::next_switch)).
///
/// A master is taken from the first sentinel that names a node it holds for the master,
/// not down, and watched by at least `min_other_sentinels` other sentinels (redis-py's
/// `min_other_sentinels`). The address it reports goes through `remap` (as the cluster
/// client's: redis-py's `address_remap`, for a master behind NAT) and is resolved through
/// the stack's DNS (a host in text form needs no server), so every address this returns is
/// an [`IpEndpoint`] to give a [`Transport`](crate::Transport) or [`open_master`].
///
/// The connection's [`Config`](crate::Config) is the sentinels' (their password, not the
/// master's; database 0); its [`Remote`] is set by the client.
pub struct Sentinel<'a, R, W, const N: usize, M = NoRemap, P = DropPushes> {
    conn: Connection<'a, R, W, P>,
    sentinels: &'a [(&'a str, u16)],
    /// The sentinel the connection is open to, while it is usable.
    open: Option<usize>,
    order: SentinelOrder<N>,
    min_other_sentinels: u32,
    /// The last discovery, for its verdicts.
    discovery: MasterDiscovery<N>,
    remap: M,
}

impl<'a, R, W, P, M, const N: usize> Sentinel<'a, R, W, N, M, P>
where
    R: Buffer,
    W: Buffer,
    P: PushHandler,
    M: for<'r> AddressRemap<'r>,
{
    /// A client of the sentinels at `sentinels` (host, port: the first `N` are asked), over
    /// `connection` (not connected yet), taking a master watched by at least
    /// `min_other_sentinels` other sentinels, with the reported addresses rewritten by
    /// `remap` ([`NoRemap`] keeps them).
    pub fn new(
        connection: Connection<'a, R, W, P>,
        sentinels: &'a [(&'a str, u16)],
        min_other_sentinels: u32,
        remap: M,
    ) -> Self {
        let order = SentinelOrder::new(sentinels.len());
        let discovery = MasterDiscovery::new(&order, min_other_sentinels);
        Self { conn: connection, sentinels, open: None, order, min_other_sentinels, discovery, remap }
    }

    /// The sentinels, as configured.
    pub fn sentinels(&self) -> &'a [(&'a str, u16)] {
        self.sentinels
    }

    /// The order the next discovery asks them in (indices into
    /// [`sentinels`](Self::sentinels)).
    pub fn order(&self) -> &SentinelOrder<N> {
        &self.order
    }

    /// What each sentinel said in the last discovery, by its index in
    /// [`sentinels`](Self::sentinels): after [`SentinelErrorKind::MasterNotFound`], why.
    pub fn verdicts(&self) -> impl Iterator<Item = (usize, Verdict)> + '_ {
        self.discovery.verdicts()
    }

    /// The master of `service`: each sentinel in turn is asked `SENTINEL MASTER <service>`
    /// (one that cannot be reached, or does not answer within the connection's timeouts,
    /// is passed over), until one names a master to take; that sentinel is asked first
    /// next time. The address is remapped and resolved. Fails with
    /// [`SentinelErrorKind::MasterNotFound`] when no sentinel names one
    /// ([`verdicts`](Self::verdicts) says why).
    ///
    /// The sentinels' view may be stale during a failover: [`open_master`] checks it.
    pub async fn discover_master(&mut self, service: &str) -> Result<IpEndpoint, SentinelError> {
        let command = MasterDiscovery::<N>::command(service);
        let sentinels = self.sentinels;
        self.discovery = MasterDiscovery::new(&self.order, self.min_other_sentinels);
        while let Some(i) = self.discovery.next() {
            let reply = match sentinels.get(i) {
                Some(&address) => ask(&mut self.conn, &mut self.open, i, address, &command).await,
                None => None,
            };
            let Some(reply) = reply else {
                self.discovery.on_no_answer();
                continue;
            };
            let Some(master) = self.discovery.on_reply(&reply) else { continue };
            let address = remapped(&self.remap, (master.host, master.port))?;
            self.order.promote(i);
            debug!("ferrodis: sentinel {} names {:?} the master of {}", i, address, service);
            return self
                .conn
                .get_ref()
                .lookup(address.host(), address.port())
                .await
                .map_err(SentinelError::net);
        }
        Err(SentinelError::new(SentinelErrorKind::MasterNotFound))
    }

    /// [`discover_master`](Self::discover_master), then [`open_master`] on `master`: the
    /// connection is open to `service`'s master, which said so. Returns its address.
    ///
    /// A [`SentinelErrorKind::WrongRole`] (a sentinel's view not caught up with a
    /// failover) goes away when asked again a little later.
    pub async fn connect_master<R2: Buffer, W2: Buffer, P2: PushHandler>(
        &mut self,
        service: &str,
        master: &mut Connection<'_, R2, W2, P2>,
    ) -> Result<IpEndpoint, SentinelError> {
        let endpoint = self.discover_master(service).await?;
        open_master(master, endpoint).await?;
        Ok(endpoint)
    }

    /// Opens `watcher` to the first sentinel, in the discovery order, that takes a
    /// subscription to `+switch-master`, and returns its index in
    /// [`sentinels`](Self::sentinels). The watcher's subscriptions are set to
    /// [`SWITCH_SUBSCRIPTIONS`], so [`reconnect`](crate::reconnect) subscribes it again;
    /// its other settings are the caller's (the sentinels', as for the [`Sentinel`]'s own
    /// connection).
    ///
    /// Call it again when the watcher broke, then ask for the master again: a switch may
    /// have gone unheard meanwhile.
    pub async fn watch_switches<'w, R2: Buffer, W2: Buffer, P2: PushHandler>(
        &self,
        watcher: &mut Connection<'w, R2, W2, P2>,
    ) -> Result<usize, SentinelError>
    where
        'a: 'w,
    {
        watcher.get_mut().config_mut().subscriptions = SWITCH_SUBSCRIPTIONS;
        for i in self.order.iter() {
            let Some(&(host, port)) = self.sentinels.get(i) else { continue };
            watcher.get_mut().set_remote(Remote::host(host, port));
            match connect(watcher).await {
                Ok(()) => return Ok(i),
                Err(e) => warn!("ferrodis: sentinel {} takes no subscription: {:?}", i, e),
            }
        }
        Err(SentinelError::new(SentinelErrorKind::NoSentinelAnswered))
    }

    /// Waits on `watcher` (subscribed by [`watch_switches`](Self::watch_switches)) for the
    /// next `+switch-master` of `service` and returns the new master's address, remapped
    /// and resolved: open the master's connection to it with [`open_master`]. Events for
    /// other services, and other messages, are passed over.
    ///
    /// Each read is bounded by the watcher's request timeout: when it passes without an
    /// event this fails with `Connection(Io(NetError::TimedOut))` and the watcher stays
    /// usable (call again); with no request timeout it waits until an event comes or the
    /// connection fails (TCP keep-alive notices a sentinel that is gone).
    pub async fn next_switch<R2: Buffer, W2: Buffer, P2: PushHandler>(
        &self,
        watcher: &mut Connection<'_, R2, W2, P2>,
        service: &str,
    ) -> Result<IpEndpoint, SentinelError> {
        let address = loop {
            let received = watcher.receive().await.map_err(|e| SentinelError::connection(&e))?;
            if let Received::Push(frame) = received
                && let Some(switch) = SwitchMaster::of_message(&frame)
                && switch.service == service
            {
                break remapped(&self.remap, switch.new)?;
            }
        };
        info!("ferrodis: {} switched master to {:?}", service, address);
        watcher.get_ref().lookup(address.host(), address.port()).await.map_err(SentinelError::net)
    }
}

/// Opens `master` to `endpoint` (a master's address from [`Sentinel::discover_master`] or
/// [`Sentinel::next_switch`]) with [`connect`] and asks its `ROLE` before anything else is
/// sent: a server that is not a master fails with [`SentinelErrorKind::WrongRole`] and its
/// connection is closed. A server that refuses `ROLE` (an ACL without it) is taken at its
/// word.
pub async fn open_master<R: Buffer, W: Buffer, P: PushHandler>(
    master: &mut Connection<'_, R, W, P>,
    endpoint: IpEndpoint,
) -> Result<(), SentinelError> {
    master.get_mut().set_remote(Remote::Ip(endpoint));
    connect(master).await.map_err(|e| SentinelError::connection(&e))?;
    let found = match master.request_frame(&ROLE).await {
        Ok(reply) if reply.is_error() => return Ok(()),
        Ok(reply) => ServerRole::of(&reply),
        Err(e) => return Err(SentinelError::connection(&e)),
    };
    if found == Some(ServerRole::Primary) {
        return Ok(());
    }
    warn!("ferrodis: {} is not a master: {:?}", endpoint, found);
    master.get_mut().abort();
    Err(SentinelError::new(SentinelErrorKind::WrongRole { found }))
}

/// Sends `command` to sentinel `i` at `address` over `conn` (opened to it first unless it
/// is open to it already) and returns the reply, an error reply included; `None` when the
/// sentinel could not be reached or did not answer.
async fn ask<'c, 'a, R: Buffer, W: Buffer, P: PushHandler>(
    conn: &'c mut Connection<'a, R, W, P>,
    open: &mut Option<usize>,
    i: usize,
    (host, port): (&'a str, u16),
    command: &[Arg<'_>],
) -> Option<Frame<'c>> {
    if *open != Some(i) || conn.is_broken() {
        *open = None;
        conn.get_mut().set_remote(Remote::host(host, port));
        if let Err(e) = connect(conn).await {
            warn!("ferrodis: sentinel {} unreachable: {:?}", i, e);
            return None;
        }
        *open = Some(i);
    }
    match conn.request_frame(command).await {
        Ok(reply) => Some(reply),
        Err(e) => {
            warn!("ferrodis: sentinel {} did not answer: {:?}", i, e);
            // Reopened when asked next, whatever the failure left behind.
            *open = None;
            None
        }
    }
}

/// The address to use for a node reported at `host`:`port`.
fn remapped<M: for<'r> AddressRemap<'r>>(
    remap: &M,
    (host, port): (&str, u16),
) -> Result<NodeAddress, SentinelError> {
    let (remapped, port) = remap.remap(host, port);
    NodeAddress::new(remapped.unwrap_or(host), port).ok_or(SentinelError::new(SentinelErrorKind::HostTooLong))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::MAX_HOST;

    /// The remap of the TAP test: loopback is reached at another address.
    #[derive(Clone, Copy)]
    struct Nat;

    impl<'r> AddressRemap<'r> for Nat {
        fn remap(&self, host: &str, port: u16) -> (Option<&'r str>, u16) {
            if host == "127.0.0.1" { (Some("192.168.69.1"), port + 1000) } else { (None, port) }
        }
    }

    #[test]
    fn reported_addresses_go_through_the_remap() {
        let table: [(&str, u16, &str, u16); 3] = [
            ("127.0.0.1", 6379, "192.168.69.1", 7379),
            ("10.0.0.2", 6380, "10.0.0.2", 6380),
            ("redis.local", 1, "redis.local", 1),
        ];
        for (host, port, to_host, to_port) in table {
            let address = remapped(&Nat, (host, port)).unwrap();
            assert!(address.is(to_host, to_port), "{host}:{port} became {address:?}");
            assert!(remapped(&NoRemap, (host, port)).unwrap().is(host, port));
        }
    }

    #[test]
    fn a_host_too_long_is_an_error_not_a_truncation() {
        let name = "a".repeat(MAX_HOST + 1);
        let e = remapped(&NoRemap, (&name, 6379)).unwrap_err();
        assert_eq!(
            (e.kind(), e.delivery()),
            (&SentinelErrorKind::HostTooLong, ferrodis_core::Delivery::NotSent)
        );
        assert!(remapped(&NoRemap, (&name[1..], 6379)).is_ok());
    }

    #[test]
    fn errors_say_what_and_that_nothing_was_sent() {
        let table = [
            (SentinelError::new(SentinelErrorKind::MasterNotFound), "no sentinel named a master (NotSent)"),
            (
                SentinelError::new(SentinelErrorKind::WrongRole { found: Some(ServerRole::Replica) }),
                "the master named is not one (Some(Replica)) (NotSent)",
            ),
            (SentinelError::net(crate::NetError::TimedOut), "timed out (NotSent)"),
            (
                SentinelError::new(SentinelErrorKind::NoSentinelAnswered),
                "no sentinel took the subscription (NotSent)",
            ),
        ];
        for (error, text) in table {
            assert_eq!(std::format!("{error}"), text);
        }
    }
}
