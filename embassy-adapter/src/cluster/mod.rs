//! Redis Cluster on embassy-net: [`ClusterClient`] drives the core's
//! [`Router`] over a fixed set of [`Connection`]s. The router decides where each request
//! goes and what follows each reply (a `MOVED` patches the slot map and the request goes
//! to the new owner; an `ASK` sends `ASKING` first; a busy reply is retried after the
//! backoff it computes); this driver opens the connections, moves the bytes, sleeps the
//! delays and reads `CLUSTER SLOTS` into the slot map when the router asks for a refresh.

mod address;
mod error;

use core::time::Duration;

use embassy_time::{Instant, Timer};
use ferrodis_core::cluster::{AddressRemap, Addressing, Next, NoRemap, Request, Router, SlotMap, Target};
use ferrodis_core::conn::{Buffer, PushHandler};
use ferrodis_core::resp::{Arg, CommandArgs, Frame};
use ferrodis_core::{Delivery, Error, ErrorKind};
use rand_core::RngCore;

pub use address::MAX_HOST;
pub(crate) use address::NodeAddress;
pub use error::{ClusterError, ClusterErrorKind};

use crate::{Connection, NetError, Remote, connect};

/// One of the client's connections and the node it is open to.
struct Link<'a, R, W, P> {
    conn: Connection<'a, R, W, P>,
    /// The node, once connected (and kept while the connection is broken, so the next
    /// request to it reconnects in place).
    node: Option<NodeAddress>,
    /// When it was last used, in the client's turns: the least recent one is reopened to a
    /// node that has none.
    used: u32,
}

/// A Redis Cluster client for firmware: the core's [`Router`] (its slot map in storage of
/// fixed capacity: `NODES` nodes, `RANGES` slot ranges, `HOST_BYTES` bytes of host names)
/// over `CONNS` caller-built [`Connection`]s, each with its own buffers. A node without a
/// connection takes the one used least recently; with as many connections as primaries,
/// none is reopened in steady state.
///
/// Each command goes to one node: the primary of its slot (keys in several slots are
/// refused, as are fan-outs such as `DBSIZE`). Redirects, busy replies and a connection
/// that failed before the request was written are handled as the router says; a request
/// that may have reached a node that then failed is not sent again
/// ([`Delivery::Unknown`]). The slot map is read from `CLUSTER SLOTS` of any node it knows,
/// then of the startup nodes, when the router wants a refresh: `MOVED` replies reached
/// [`reinitialize_steps`](ferrodis_core::cluster::RouterConfig::reinitialize_steps), a
/// node was lost, or the refresh interval passed.
///
/// The connections' [`Config`](crate::Config) applies to every node (handshake, timeouts;
/// the database must be 0, the only one a cluster has); their [`Remote`]s are set by the
/// client. `remap` rewrites the addresses the nodes announce (redis-py's
/// `address_remap`), for nodes behind NAT: any type that implements
/// [`AddressRemap`] for every lifetime, such as [`NoRemap`] or a struct whose hosts are
/// `&'static str`.
///
/// ```no_run
/// # async fn demo(
/// #     rng: &mut impl rand_core::RngCore,
/// #     connection: impl Fn() -> ferrodis_embassy::Connection<'static, &'static mut [u8]>,
/// # ) -> Result<(), ferrodis_embassy::cluster::ClusterError> {
/// use ferrodis_core::cluster::{NoRemap, Router, RouterConfig, SlotMap};
/// use ferrodis_core::resp::Frame;
/// use ferrodis_embassy::cluster::ClusterClient;
///
/// // `connection()` builds a `Connection` over a `Transport` with buffers of its own (see
/// // the crate docs); its `Remote` does not matter, the client sets it.
/// let connections = [connection(), connection(), connection()]; // one per primary
/// // Room for 6 nodes, 16 slot ranges and 96 bytes of host names.
/// let router = Router::new(SlotMap::<6, 16, 96>::new(), RouterConfig::DEFAULT);
/// static STARTUP: [(&str, u16); 2] = [("10.0.0.1", 7000), ("10.0.0.2", 7000)];
/// let mut cluster = ClusterClient::new(router, connections, &STARTUP, NoRemap);
/// cluster.refresh(rng).await?; // the slot map, from the first startup node that answers
/// let set = ["SET".into(), "sensor:7".into(), "21.5".into()];
/// cluster.request_with(&set[..], rng, |_| ()).await?;
/// let strlen = ["STRLEN".into(), "sensor:7".into()];
/// let four = cluster.request_with(&strlen[..], rng, |reply| reply == Frame::Integer(4)).await?;
/// # let _ = four;
/// # Ok(()) }
/// ```
pub struct ClusterClient<
    'a,
    R,
    W,
    const CONNS: usize,
    const NODES: usize,
    const RANGES: usize,
    const HOST_BYTES: usize,
    M = NoRemap,
    P = ferrodis_core::conn::DropPushes,
> {
    router: Router<NODES, RANGES, HOST_BYTES>,
    links: [Link<'a, R, W, P>; CONNS],
    startup: &'a [(&'a str, u16)],
    remap: M,
    started: Instant,
    turn: u32,
}

impl<'a, R, W, P, M, const CONNS: usize, const NODES: usize, const RANGES: usize, const HOST_BYTES: usize>
    ClusterClient<'a, R, W, CONNS, NODES, RANGES, HOST_BYTES, M, P>
where
    R: Buffer,
    W: Buffer,
    P: PushHandler,
    M: for<'r> AddressRemap<'r> + Clone,
{
    /// A client over `connections` (not connected yet; at least one), routing with
    /// `router` (its map usually empty: [`refresh`](Self::refresh) fills it), asking
    /// `startup` (host, port) for the map when no node the map knows answers.
    ///
    /// # Panics
    ///
    /// When `CONNS` is 0.
    pub fn new(
        router: Router<NODES, RANGES, HOST_BYTES>,
        connections: [Connection<'a, R, W, P>; CONNS],
        startup: &'a [(&'a str, u16)],
        remap: M,
    ) -> Self {
        assert!(CONNS > 0, "a cluster client needs at least one connection");
        let links = connections.map(|conn| Link { conn, node: None, used: 0 });
        Self { router, links, startup, remap, started: Instant::now(), turn: 0 }
    }

    /// The router, and through it the slot map.
    pub fn router(&self) -> &Router<NODES, RANGES, HOST_BYTES> {
        &self.router
    }

    /// The slot map.
    pub fn slot_map(&self) -> &SlotMap<NODES, RANGES, HOST_BYTES> {
        self.router.map()
    }

    /// The node each connection is open to (`None`: not open yet), in order.
    pub fn connected_nodes(&self) -> impl Iterator<Item = Option<(&str, u16)>> {
        self.links.iter().map(|link| link.node.as_ref().map(|n| (n.host(), n.port())))
    }

    /// Sends `command` to the node of its slot, follows what the router says of each reply,
    /// and hands the final reply (an error reply that is not about routing included, such
    /// as `WRONGTYPE`: see [`Frame::is_error`]) to `on_reply`, whose result it returns.
    /// `rng` gives the random words of the busy backoff.
    pub async fn request_with<C: CommandArgs + ?Sized, T>(
        &mut self,
        command: &C,
        rng: &mut impl RngCore,
        on_reply: impl FnOnce(Frame<'_>) -> T,
    ) -> Result<T, ClusterError> {
        let mut request = self.router.route(command).map_err(route_error(Delivery::NotSent))?;
        if !matches!(request.target(), Target::Slot(_) | Target::AnyNode) {
            return Err(ClusterError::new(ClusterErrorKind::ManyNodes, Delivery::NotSent));
        }
        let mut redirect: Option<(NodeAddress, bool)> = None;
        let mut delivery = Delivery::NotSent;
        loop {
            self.refresh_if_due(rng).await;
            let (address, asking) = match redirect.take() {
                Some(redirect) => redirect,
                None => (self.node_of(&request, delivery)?, false),
            };
            let now = self.now();
            let reply = match send(
                &mut self.links,
                &mut self.router,
                &mut self.turn,
                &address,
                asking,
                command,
            )
            .await
            {
                Ok(reply) => reply,
                Err(e) => {
                    delivery = e.delivery();
                    let next = self.on_failure(&mut request, e, now, rng).await?;
                    redirect = next;
                    continue;
                }
            };
            let next = self.router.on_reply_remapped(
                &mut request,
                &reply,
                (address.host(), address.port()),
                now,
                rng.next_u32(),
                &self.remap,
            );
            delivery = Delivery::Answered;
            match next {
                Next::Done => return Ok(on_reply(reply)),
                Next::SendTo { host, port, asking } => {
                    let address = NodeAddress::new(host, port).ok_or(too_long(delivery))?;
                    redirect = Some((address, asking));
                }
                Next::RetryAfter(delay) => Timer::after(embassy_delay(delay)).await,
                Next::Fail(e) => return Err(route_error(delivery)(e)),
            }
        }
    }

    /// Reads the slot map from `CLUSTER SLOTS` of the nodes with a connection, then of the
    /// other nodes of the map, then of the startup nodes: the first that answers with a map
    /// that fits gives it. `rng` is not drawn today; it is taken so that a later backoff
    /// between attempts needs no change of signature.
    pub async fn refresh(&mut self, rng: &mut impl RngCore) -> Result<(), ClusterError> {
        let _ = rng;
        let mut last = ClusterError::new(ClusterErrorKind::NoNodeAnswered, Delivery::NotSent);
        let mut k = 0;
        while let Some(candidate) = self.refresh_candidate(k) {
            k += 1;
            let Some(address) = candidate else { continue };
            match self.ask_topology(&address).await {
                Ok(()) => {
                    self.router.refreshed(self.now());
                    return Ok(());
                }
                Err(e) => {
                    warn!("ferrodis: CLUSTER SLOTS from {:?} failed: {:?}", address, e);
                    last = e;
                }
            }
        }
        self.router.refresh_failed(self.now());
        Err(last)
    }

    /// Refreshes the map when the router wants it; a failed refresh is left for later (the
    /// router waits its retry gap before asking again).
    async fn refresh_if_due(&mut self, rng: &mut impl RngCore) {
        if self.router.wants_refresh(self.now()).is_some() {
            let _ = self.refresh(rng).await;
        }
    }

    /// The `k`th node a refresh asks: `None` past the last, `Some(None)` for one to skip
    /// (a connection not open; a node asked already).
    fn refresh_candidate(&self, k: usize) -> Option<Option<NodeAddress>> {
        let linked = |host: &str, port: u16| {
            self.links.iter().any(|l| l.node.as_ref().is_some_and(|n| n.is(host, port)))
        };
        if let Some(link) = self.links.get(k) {
            return Some(link.node.clone());
        }
        let k = k - CONNS;
        let map = self.router.map();
        let in_map = map.nodes().count();
        if let Some(node) = map.nodes().nth(k) {
            let (host, port) = (node.host(), node.port());
            return Some(NodeAddress::new(host, port).filter(|_| !linked(host, port)));
        }
        let &(host, port) = self.startup.get(k - in_map)?;
        let known = linked(host, port) || map.nodes().any(|n| (n.host(), n.port()) == (host, port));
        Some(NodeAddress::new(host, port).filter(|_| !known))
    }

    /// `CLUSTER SLOTS` from `address`, loaded into the map.
    async fn ask_topology(&mut self, address: &NodeAddress) -> Result<(), ClusterError> {
        let slots = [Arg::from("CLUSTER"), Arg::from("SLOTS")];
        let reply = send(&mut self.links, &mut self.router, &mut self.turn, address, false, &slots[..])
            .await
            .map_err(ClusterError::connection)?;
        if reply.is_error() {
            return Err(ClusterError::new(
                ClusterErrorKind::Connection(ErrorKind::UnexpectedReply),
                Delivery::Answered,
            ));
        }
        let addressing = Addressing::new(address.host()).remap(self.remap.clone());
        self.router
            .map_mut()
            .load_cluster_slots(reply, &addressing)
            .map_err(|e| ClusterError::new(ClusterErrorKind::SlotMap(e), Delivery::Answered))
    }

    /// The node `request` goes to now, from the map (refreshed first when no node serves
    /// its slot).
    fn node_of(&mut self, request: &Request, delivery: Delivery) -> Result<NodeAddress, ClusterError> {
        match self.router.node(request) {
            Some(node) => NodeAddress::new(node.host(), node.port()).ok_or(too_long(delivery)),
            None => {
                let slot = match request.target() {
                    Target::Slot(slot) => slot,
                    _ => 0,
                };
                Err(route_error(delivery)(ferrodis_core::cluster::RouteError::SlotNotServed { slot }))
            }
        }
    }

    /// What follows a failure to reach the node or hear back: a retry on the router's
    /// say (`Ok(None)`: ask [`Router::node`] again), or the error for the caller.
    async fn on_failure(
        &mut self,
        request: &mut Request,
        e: Error<NetError>,
        now: Duration,
        rng: &mut impl RngCore,
    ) -> Result<Option<(NodeAddress, bool)>, ClusterError> {
        let next = match e.kind() {
            // The node is slow or stopped: the request has spent its time.
            ErrorKind::Io(NetError::TimedOut) => self.router.on_timeout(),
            ErrorKind::Io(_) | ErrorKind::Closed | ErrorKind::Broken
                if e.delivery() != Delivery::Answered =>
            {
                self.router.on_connection_error(request, e.delivery(), now, rng.next_u32())
            }
            // Answered: a reply too large, a protocol violation after it, ...
            _ => return Err(ClusterError::connection(e)),
        };
        match next {
            Next::RetryAfter(delay) => {
                Timer::after(embassy_delay(delay)).await;
                Ok(None)
            }
            Next::SendTo { host, port, asking } => {
                Ok(Some((NodeAddress::new(host, port).ok_or(too_long(e.delivery()))?, asking)))
            }
            Next::Done | Next::Fail(_) => Err(ClusterError::connection(e)),
        }
    }

    /// The client's clock, for the router.
    fn now(&self) -> Duration {
        Duration::from_micros(self.started.elapsed().as_micros())
    }
}

/// Sends `command` to `address` (after `ASKING` when `asking`) on its connection among
/// `links`, opening one first if it has none, and returns the reply.
async fn send<'l, 'a: 'l, R, W, P, C, const NODES: usize, const RANGES: usize, const HOST_BYTES: usize>(
    links: &'l mut [Link<'a, R, W, P>],
    router: &mut Router<NODES, RANGES, HOST_BYTES>,
    turn: &mut u32,
    address: &NodeAddress,
    asking: bool,
    command: &C,
) -> Result<Frame<'l>, Error<NetError>>
where
    R: Buffer,
    W: Buffer,
    P: PushHandler,
    C: CommandArgs + ?Sized,
{
    let index = open(links, router, turn, address).await?;
    let conn = &mut links[index].conn;
    if asking {
        // Not the command's reply: its failure means the command was not sent.
        let asked = conn.request(&[Arg::from("ASKING")]).await.err();
        if let Some(e) = asked {
            return Err(Error::new(e.kind().clone(), Delivery::NotSent));
        }
    }
    conn.request_args(command).await
}

/// The index of the connection to `address` among `links`: the one open to it (reopened in
/// place if it broke), or the least recently used one, reopened to it.
async fn open<
    R: Buffer,
    W: Buffer,
    P: PushHandler,
    const NODES: usize,
    const RANGES: usize,
    const HOST_BYTES: usize,
>(
    links: &mut [Link<'_, R, W, P>],
    router: &mut Router<NODES, RANGES, HOST_BYTES>,
    turn: &mut u32,
    address: &NodeAddress,
) -> Result<usize, Error<NetError>> {
    *turn = turn.wrapping_add(1);
    let found = links.iter().position(|l| l.node.as_ref() == Some(address));
    // Else a connection never opened, or the least recently used.
    let index = found
        .or_else(|| (0..links.len()).min_by_key(|&i| (links[i].node.is_some(), links[i].used)))
        .unwrap_or_default();
    let link = &mut links[index];
    link.used = *turn;
    if found.is_some() && !link.conn.is_broken() {
        return Ok(index);
    }
    link.node = None;
    let endpoint = link.conn.get_ref().lookup(address.host(), address.port()).await;
    let endpoint = endpoint.map_err(|e| Error::new(ErrorKind::Io(e), Delivery::NotSent))?;
    link.conn.get_mut().set_remote(Remote::Ip(endpoint));
    connect(&mut link.conn).await?;
    // A node that is not what the map says (a failover since) makes the map stale; a
    // server that refuses ROLE leaves the check out.
    let role = link.conn.request_frame(&[Arg::from("ROLE")]).await?;
    router.on_role((address.host(), address.port()), &role);
    link.node = Some(address.clone());
    Ok(index)
}

/// The router's error with the request's `delivery`.
fn route_error(delivery: Delivery) -> impl Fn(ferrodis_core::cluster::RouteError) -> ClusterError {
    move |e| ClusterError::new(ClusterErrorKind::Route(e), delivery)
}

fn too_long(delivery: Delivery) -> ClusterError {
    ClusterError::new(ClusterErrorKind::HostTooLong, delivery)
}

/// A router delay as embassy-time's.
fn embassy_delay(delay: Duration) -> embassy_time::Duration {
    embassy_time::Duration::from_micros(delay.as_micros().try_into().unwrap_or(u64::MAX))
}
