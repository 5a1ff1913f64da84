//! The cluster router: the routing state machine over a slot map (see [`Router`]).

use core::fmt;
use core::time::Duration;

use super::slot_map::{AddressRemap, Health, NoRemap, Node, Role, SlotMap};
use super::{ClusterErrorReply, RedirectError, RedirectKind, key_slot};
use crate::cmd::{CommandInfo, KeysError, RequestPolicy, ResponsePolicy, visit_keys};
use crate::error::{Delivery, ServerErrorKind};
use crate::reply::ServerRole;
use crate::resp::{CommandArgs, Frame};
use crate::retry::Backoff;

#[cfg(test)]
mod simulation;
#[cfg(test)]
mod tests;

/// The router's settings: the routing options of redis-py's `RedisCluster`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct RouterConfig {
    /// Send commands that only read (by the command table's flags) to a healthy replica
    /// of the slot's shard or its primary, spread evenly; writes always go to the
    /// primary. The driver sends `READONLY` on replica connections. Default false.
    pub read_from_replicas: bool,
    /// After this many `MOVED` replies since the last refresh, ask for a refresh of the
    /// whole map (redis-py's `reinitialize_steps`; each `MOVED` also patches its slot at
    /// once). 0 asks on every `MOVED`. Default 5.
    pub reinitialize_steps: u32,
    /// The most redirects (`MOVED` and `ASK`) one request follows before it fails
    /// ([`RouteError::TooManyRedirects`]; redis-py's `RedisClusterRequestTTL`). Default 16.
    pub max_redirects: u8,
    /// The most retries of one request after a busy reply (`TRYAGAIN`, `CLUSTERDOWN`,
    /// `MASTERDOWN`, `LOADING`, `READONLY`) or a connection that failed before sending
    /// (redis-py's `cluster_error_retry_attempts`). Default 16.
    pub busy_retries: u8,
    /// How long after its first such failure a request is still retried, whatever the
    /// count: long enough for a replica to take over from a primary that died (the
    /// cluster's `cluster-node-timeout` and an election). Default 20 s, past the 15 s
    /// default node timeout.
    pub retry_budget: Duration,
    /// The delay before each of those retries. Default equal jitter from 100 ms, capped
    /// at 2 s, so clients that were refused together come back apart.
    pub busy_backoff: Backoff,
    /// Refresh the map this often even without redirects (`None`: only when something
    /// asks for it). Default 60 s.
    pub refresh_interval: Option<Duration>,
    /// After a refresh that no node answered ([`Router::refresh_failed`]), how long the
    /// router waits before it asks for another, so a cluster that is unreachable is not
    /// asked again on every request. Default 500 ms.
    pub refresh_retry_gap: Duration,
}

impl RouterConfig {
    /// The defaults (see each field).
    pub const DEFAULT: RouterConfig = RouterConfig {
        read_from_replicas: false,
        reinitialize_steps: 5,
        max_redirects: 16,
        busy_retries: 16,
        retry_budget: Duration::from_secs(20),
        busy_backoff: Backoff::EqualJitter { base: Duration::from_millis(100), cap: Duration::from_secs(2) },
        refresh_interval: Some(Duration::from_secs(60)),
        refresh_retry_gap: Duration::from_millis(500),
    };
}

impl Default for RouterConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Where a request goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Target {
    /// The node serving this slot ([`Router::node`]).
    Slot(u16),
    /// Any one node: a command without keys and without a request policy (`PING`,
    /// `INFO`, `CLUSTER SHARDS`). [`Router::node`] names the first primary of the map.
    AnyNode,
    /// Every primary, the replies combined by the response policy (`DBSIZE`, `KEYS`,
    /// `FLUSHALL`, `SCRIPT LOAD`).
    AllPrimaries(Option<ResponsePolicy>),
    /// Every node, replicas too (`CONFIG SET`, `FUNCTION LOAD`).
    AllNodes(Option<ResponsePolicy>),
    /// The keys are in several slots and the command may be split into one part per slot
    /// (`MGET`, `MSET`, `DEL`, `EXISTS`: request policy `multi_shard`); the driver splits
    /// it, routes each part, and combines the replies by the response policy.
    Split(Option<ResponsePolicy>),
}

/// One request on its way: its target and what it met so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Request {
    target: Target,
    readonly: bool,
    idempotent: bool,
    redirects: u8,
    busy: u8,
    last_delay: Duration,
    /// When it first failed with a busy reply or a connection error, on the driver's clock.
    first_failure: Option<Duration>,
    /// An `ASK` is waited out instead of followed ([`Request::waiting_out_ask`]).
    waits_out_ask: bool,
}

impl Request {
    /// Where it goes.
    pub const fn target(&self) -> Target {
        self.target
    }

    /// Whether the command only reads (it may go to a replica).
    pub const fn is_readonly(&self) -> bool {
        self.readonly
    }

    /// Marks the request safe to run twice (the caller's word: see
    /// [`crate::retry`]), so one whose outcome is unknown after a connection error is
    /// sent again instead of failing.
    #[must_use]
    pub const fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// Marks a request that begins a session on its node (`WATCH`, for the transaction
    /// that follows on the same connection), which an `ASK` cannot serve: the importing
    /// node takes only the one command after `ASKING`, and the transaction's later commands
    /// would be sent back. An `ASK` reply to it is a busy reply instead: retried on the
    /// slot's owner after the busy backoff (within [`busy_retries`](RouterConfig::busy_retries)
    /// and the [`retry_budget`](RouterConfig::retry_budget)) until the migration ends
    /// and the owner answers it, or redirects it with `MOVED`.
    #[must_use]
    pub const fn waiting_out_ask(mut self) -> Self {
        self.waits_out_ask = true;
        self
    }

    /// The redirects followed so far.
    pub const fn redirects(&self) -> u8 {
        self.redirects
    }

    /// The retries after busy replies or failed sends so far.
    pub const fn retries(&self) -> u8 {
        self.busy
    }
}

/// What to do after a reply or a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Next<'r> {
    /// The reply is the request's answer (an error reply that is not about routing, such
    /// as `WRONGTYPE` or `CROSSSLOT`, included): hand it to the caller.
    Done,
    /// Send the request to `host`:`port` (a connection to it may have to be opened),
    /// with `ASKING` first when `asking`. `host` borrows the reply, or the node that
    /// answered when the redirect left the host out.
    SendTo {
        /// The host.
        host: &'r str,
        /// The port.
        port: u16,
        /// Whether `ASKING` goes first (an `ASK` redirect, for this one attempt).
        asking: bool,
    },
    /// Send the request again after this delay, to [`Router::node`] then (the map may be
    /// refreshed meanwhile).
    RetryAfter(Duration),
    /// The request fails.
    Fail(RouteError),
}

/// Why a request cannot be routed, or failed on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum RouteError {
    /// The command's keys are in several slots and it cannot be split.
    CrossSlot {
        /// The command.
        command: &'static str,
    },
    /// The command table does not know the command, so its keys are unknown.
    UnknownCommand,
    /// The command has no arguments.
    EmptyCommand,
    /// The arguments do not fit the command (its arity or its key specs).
    InvalidArguments {
        /// The command.
        command: &'static str,
    },
    /// No node serves the slot (the map has a hole: a shard lost, or the map is empty).
    /// The router wants a refresh.
    SlotNotServed {
        /// The slot.
        slot: u16,
    },
    /// [`max_redirects`](RouterConfig::max_redirects) redirects were followed.
    TooManyRedirects,
    /// The busy replies or failed sends went on past
    /// [`busy_retries`](RouterConfig::busy_retries) or the
    /// [`retry_budget`](RouterConfig::retry_budget); `last` is the last server error
    /// kind, `None` when it was a connection error.
    Unavailable {
        /// The last busy reply's kind.
        last: Option<ServerErrorKind>,
    },
    /// A connection error after the request may have reached the server: it is not sent
    /// again unless marked [`idempotent`](Request::idempotent).
    OutcomeUnknown,
    /// The node did not answer within the request's timeout: the request has spent its
    /// time and is not sent again (redis-py's `retry_on_timeout=False`). The driver's own
    /// timeout error says whether it was sent.
    TimedOut,
    /// A `MOVED` or `ASK` reply that does not parse.
    InvalidRedirect(RedirectError),
}

impl RouteError {
    /// A static description.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::CrossSlot { .. } => "the command's keys hash to different slots",
            Self::UnknownCommand => "the command is not in the command table: its keys are unknown",
            Self::EmptyCommand => "a command without arguments",
            Self::InvalidArguments { .. } => "the arguments do not fit the command",
            Self::SlotNotServed { .. } => "no node serves the slot",
            Self::TooManyRedirects => "too many redirects",
            Self::Unavailable { .. } => "the cluster stayed unavailable through every retry",
            Self::OutcomeUnknown => "the connection failed after the request may have reached the server",
            Self::TimedOut => "the node did not answer within the timeout",
            Self::InvalidRedirect(_) => "a redirect reply that does not parse",
        }
    }
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CrossSlot { command } | Self::InvalidArguments { command } => {
                write!(f, "{} (`{command}`)", self.as_str())
            }
            Self::SlotNotServed { slot } => write!(f, "{} ({slot})", self.as_str()),
            Self::Unavailable { last: Some(kind) } => write!(f, "{} (last: {kind:?})", self.as_str()),
            Self::InvalidRedirect(e) => write!(f, "{}: {e}", self.as_str()),
            _ => f.write_str(self.as_str()),
        }
    }
}

impl core::error::Error for RouteError {}

/// Why the router wants the map refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum RefreshReason {
    /// [`reinitialize_steps`](RouterConfig::reinitialize_steps) `MOVED` replies came, or
    /// one the map could not hold.
    Redirects,
    /// A reply said the map is wrong: `CLUSTERDOWN`, `READONLY`, or a slot no node serves.
    Topology,
    /// A connection to a node failed.
    NodeLost,
    /// [`refresh_interval`](RouterConfig::refresh_interval) passed.
    Interval,
}

/// The cluster router, over a [`SlotMap`] of fixed capacity: a state machine in the
/// engine's style that says, per request, where to send it, and, per reply, what happens
/// next. It owns the slot map, counts the
/// redirects that ask for a refresh of it, and computes the backoff of busy replies from
/// the caller's random word; it has no socket, no clock and no allocator.
///
/// A driver (the cluster clients of `ferrodis-std`, or firmware) does the I/O:
///
/// 1. [`Router::route`] reads a command once (its slot from the command table's key
///    specs, whether it only reads, its request policy) into a [`Request`].
/// 2. [`Router::node`] names the node to send it to now (the slot's primary, or with
///    [`read_from_replicas`](RouterConfig::read_from_replicas) a healthy replica for a
///    command that only reads), or [`Request::target`] says it goes to every primary or
///    every node.
/// 3. Each reply goes to [`Router::on_reply`], each failure to send or to hear back to
///    [`Router::on_connection_error`]: [`Next`] says the request is done, goes to another
///    node (`MOVED`, `ASK` with `ASKING` first), is retried after a delay (`TRYAGAIN`,
///    `CLUSTERDOWN`, `LOADING`, `READONLY`, a connection that failed before sending), or
///    fails with a [`RouteError`] that says why.
/// 4. When [`Router::wants_refresh`] says so (redirects reached
///    [`reinitialize_steps`](RouterConfig::reinitialize_steps), a node was lost, the
///    interval passed), the driver reads `CLUSTER SHARDS` from any node it knows into
///    [`Router::map_mut`] and calls [`Router::refreshed`]. Requests go on meanwhile, on
///    the map as it is.
///
/// ```
/// use core::time::Duration;
/// use ferrodis_core::cluster::{Addressing, Next, Router, RouterConfig, SlotMap, key_slot};
/// use ferrodis_core::resp::{Arg, Frame, decode, Decoded};
///
/// // A map of one shard on a:1; then slot 12182 ("foo") moves to a:2.
/// let reply = b"*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n$1\r\na\r\n:1\r\n";
/// let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
/// let map = SlotMap::<4, 8, 8>::from_cluster_slots(frame, &Addressing::new("a")).unwrap();
/// let mut router = Router::new(map, RouterConfig::DEFAULT);
///
/// let get = [Arg::from("GET"), Arg::from("foo")];
/// let mut request = router.route(&get[..]).unwrap();
/// assert_eq!(router.node(&request).map(|n| n.port()), Some(1));
///
/// let moved = Frame::SimpleError(b"MOVED 12182 a:2");
/// assert_eq!(router.on_reply(&mut request, &moved, ("a", 1), Duration::ZERO, 0), Next::SendTo { host: "a", port: 2, asking: false });
/// assert_eq!(router.node(&request).map(|n| n.port()), Some(2), "the map learnt the move");
/// assert_eq!(router.on_reply(&mut request, &Frame::BulkString(b"bar"), ("a", 2), Duration::ZERO, 0), Next::Done);
/// assert_eq!(key_slot(b"foo"), 12182);
/// ```
#[derive(Debug, Clone)]
pub struct Router<const NODES: usize, const RANGES: usize, const HOST_BYTES: usize> {
    map: SlotMap<NODES, RANGES, HOST_BYTES>,
    config: RouterConfig,
    moved: u32,
    wanted: Option<RefreshReason>,
    /// When the map was last refreshed, on the driver's clock.
    refreshed_at: Option<Duration>,
    /// No refresh is asked for before this, after one failed.
    quiet_until: Option<Duration>,
    /// Turns, so reads spread over a shard's nodes.
    spread: u32,
}

impl<const NODES: usize, const RANGES: usize, const HOST_BYTES: usize> Router<NODES, RANGES, HOST_BYTES> {
    /// A router over `map` (read by the driver from `CLUSTER SHARDS` of a startup node).
    pub const fn new(map: SlotMap<NODES, RANGES, HOST_BYTES>, config: RouterConfig) -> Self {
        Self { map, config, moved: 0, wanted: None, refreshed_at: None, quiet_until: None, spread: 0 }
    }

    /// The settings.
    pub const fn config(&self) -> &RouterConfig {
        &self.config
    }

    /// The slot map.
    pub const fn map(&self) -> &SlotMap<NODES, RANGES, HOST_BYTES> {
        &self.map
    }

    /// The slot map, to load a refresh into (then call [`refreshed`](Self::refreshed)).
    pub fn map_mut(&mut self) -> &mut SlotMap<NODES, RANGES, HOST_BYTES> {
        &mut self.map
    }

    /// Reads `command` into a request: its slot (all its keys must agree, unless its
    /// request policy lets it be split), whether it only reads, where it goes.
    pub fn route<C: CommandArgs + ?Sized>(&self, command: &C) -> Result<Request, RouteError> {
        let mut slot = None;
        let mut cross = false;
        let info = visit_keys(command, true, &mut |_, key| {
            let this = key_slot(key);
            cross |= slot.is_some_and(|slot| slot != this);
            slot = Some(this);
            true
        })
        .map_err(route_error)?;
        let target = target(info, slot, cross)?;
        let readonly = info.is_readonly();
        Ok(Request {
            target,
            readonly,
            idempotent: false,
            redirects: 0,
            busy: 0,
            last_delay: Duration::ZERO,
            first_failure: None,
            waits_out_ask: false,
        })
    }

    /// The node to send `request` to now: for a slot, its primary, or with
    /// [`read_from_replicas`](RouterConfig::read_from_replicas) and a command that only
    /// reads, the primary or a replica that is not failed, in turn; for any
    /// node, the first primary. `None` for the fan-out targets (the driver sends to every
    /// node of [`SlotMap::nodes`] or every primary of [`SlotMap::ranges`]) and when no node
    /// serves the slot ([`RouteError::SlotNotServed`] and a refresh are due then).
    pub fn node(&mut self, request: &Request) -> Option<Node<'_>> {
        let slot = match request.target {
            Target::Slot(slot) => slot,
            Target::AnyNode => return self.map.ranges().next().map(|(_, node)| node),
            _ => return None,
        };
        if self.map.primary(slot).is_none() {
            self.want(RefreshReason::Topology);
            return None;
        }
        // A replica said to be loading is tried too: Redis 7.0 says so of every replica
        // that has had no write yet, and one that is loading answers LOADING, which is
        // retried, on the next node in turn.
        let serving = |node: &Node<'_>| node.health() != Health::Failed;
        let turn = if self.config.read_from_replicas && request.readonly {
            let replicas = self.map.replicas(slot).filter(serving).count() as u32;
            let turn = self.spread % (replicas + 1);
            self.spread = self.spread.wrapping_add(1);
            turn
        } else {
            0
        };
        match turn.checked_sub(1) {
            None => self.map.primary(slot),
            Some(k) => self.map.replicas(slot).filter(serving).nth(k as usize),
        }
    }

    /// What follows `reply`, which `from` (the node the request went to) sent at `now`
    /// (the driver's clock): done, a redirect to follow, a retry after a delay (computed
    /// from `random`, a uniformly random word of the caller's RNG), or a failure.
    pub fn on_reply<'r>(
        &mut self,
        request: &mut Request,
        reply: &Frame<'r>,
        from: (&'r str, u16),
        now: Duration,
        random: u32,
    ) -> Next<'r> {
        self.on_reply_remapped(request, reply, from, now, random, &NoRemap)
    }

    /// [`on_reply`](Self::on_reply) for a client with an address remap (redis-py's
    /// `address_remap`, the one its slot maps are built with): the address a `MOVED` or
    /// `ASK` names passes through `remap` before the map is patched and the request is
    /// sent there, as the addresses of a topology reply do (and, as there, a redirect
    /// without a host, `MOVED 3999 :7001`, names `from`'s host, with the port it gives,
    /// before the remap).
    ///
    /// ```
    /// use core::time::Duration;
    /// use ferrodis_core::cluster::{Addressing, Next, Router, RouterConfig, SlotMap, key_slot};
    /// use ferrodis_core::resp::{Arg, Frame, decode, Decoded};
    ///
    /// // One shard, reached through a tunnel 10000 ports up.
    /// let tunnel = |_: &str, port: u16| (Some("127.0.0.1"), port + 10000);
    /// let reply = b"*1\r\n*3\r\n:0\r\n:16383\r\n*2\r\n$8\r\n10.0.0.1\r\n:7000\r\n";
    /// let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
    /// let map = SlotMap::<4, 8, 16>::from_cluster_slots(frame, &Addressing::new("a").remap(tunnel)).unwrap();
    /// let mut router = Router::new(map, RouterConfig::DEFAULT);
    ///
    /// let get = [Arg::from("GET"), Arg::from("foo")];
    /// let mut request = router.route(&get[..]).unwrap();
    /// let moved = Frame::SimpleError(b"MOVED 12182 10.0.0.2:7001");
    /// let next = router.on_reply_remapped(&mut request, &moved, ("127.0.0.1", 17000), Duration::ZERO, 0, &tunnel);
    /// assert_eq!(next, Next::SendTo { host: "127.0.0.1", port: 17001, asking: false });
    /// assert_eq!(router.map().primary(key_slot(b"foo")).map(|n| (n.host(), n.port())), Some(("127.0.0.1", 17001)));
    /// ```
    pub fn on_reply_remapped<'r, R: AddressRemap<'r>>(
        &mut self,
        request: &mut Request,
        reply: &Frame<'r>,
        from: (&'r str, u16),
        now: Duration,
        random: u32,
        remap: &R,
    ) -> Next<'r> {
        let cluster_error = match ClusterErrorReply::of_frame(reply) {
            Ok(Some(e)) => e,
            Ok(None) => return Next::Done,
            Err(e) => return Next::Fail(RouteError::InvalidRedirect(e)),
        };
        match cluster_error {
            ClusterErrorReply::Redirect(redirect)
                if redirect.kind() == RedirectKind::Ask && request.waits_out_ask =>
            {
                self.retry(request, Some(ServerErrorKind::Ask), now, random)
            }
            ClusterErrorReply::Redirect(redirect) => {
                request.redirects = request.redirects.saturating_add(1);
                if request.redirects > self.config.max_redirects {
                    return Next::Fail(RouteError::TooManyRedirects);
                }
                let host = redirect.host().unwrap_or(from.0);
                let (remapped, port) = remap.remap(host, redirect.port());
                let host = remapped.unwrap_or(host);
                let asking = redirect.kind() == RedirectKind::Ask;
                if !asking {
                    self.moved = self.moved.saturating_add(1);
                    let patched = self.map.apply_moved(redirect.slot(), host, port);
                    if patched.is_err() || self.moved >= self.config.reinitialize_steps {
                        self.want(RefreshReason::Redirects);
                    }
                    if let Target::Slot(slot) = &mut request.target {
                        *slot = redirect.slot();
                    }
                }
                Next::SendTo { host, port, asking }
            }
            ClusterErrorReply::Unavailable(kind) => {
                if kind == ServerErrorKind::ClusterDown {
                    self.want(RefreshReason::Topology);
                }
                self.retry(request, Some(kind), now, random)
            }
            ClusterErrorReply::NotPrimary => {
                // The write reached a replica, which refused it: nothing ran.
                self.want(RefreshReason::Topology);
                self.retry(request, Some(ServerErrorKind::ReadOnly), now, random)
            }
            ClusterErrorReply::CrossSlot => Next::Done,
        }
    }

    /// What follows a failure, at `now`, to send `request` or to hear back: the node's
    /// connection is gone, so a refresh is due; a request that certainly was not sent (or
    /// is [`idempotent`](Request::idempotent)) is retried after a delay, within
    /// [`busy_retries`](RouterConfig::busy_retries) and the
    /// [`retry_budget`](RouterConfig::retry_budget); any other fails with
    /// [`RouteError::OutcomeUnknown`].
    pub fn on_connection_error(
        &mut self,
        request: &mut Request,
        delivery: Delivery,
        now: Duration,
        random: u32,
    ) -> Next<'static> {
        self.want(RefreshReason::NodeLost);
        match delivery {
            Delivery::NotSent => self.retry(request, None, now, random),
            _ if request.idempotent => self.retry(request, None, now, random),
            _ => Next::Fail(RouteError::OutcomeUnknown),
        }
    }

    /// What follows a request's timeout (its node did not answer in time, whether or not
    /// the request was written): the request fails with [`RouteError::TimedOut`], since a
    /// retry would wait past the caller's limit, and a refresh is due, in case the node is
    /// gone for good. A node that is only slow or stopped keeps its slots.
    pub fn on_timeout(&mut self) -> Next<'static> {
        self.want(RefreshReason::NodeLost);
        Next::Fail(RouteError::TimedOut)
    }

    /// What a node says its role is, in `reply` to `ROLE` (which a driver sends on every new
    /// connection, after the handshake): when the map holds `host`:`port` with the other
    /// role (a primary that a failover demoted, a replica promoted), the map is stale and a
    /// refresh is wanted ([`RefreshReason::Topology`]), before a `MOVED` would tell. Returns
    /// whether the node agreed with the map; a node the map does not hold, or a reply that
    /// is not a `ROLE` reply (an error reply from a server that refuses it), agrees.
    ///
    /// ```
    /// use ferrodis_core::cluster::{Addressing, RefreshReason, Router, RouterConfig, SlotMap};
    /// use ferrodis_core::resp::{Frame, decode, Decoded};
    /// use core::time::Duration;
    ///
    /// // One shard: a:1, and its replica a:2.
    /// let reply = b"*1\r\n*4\r\n:0\r\n:16383\r\n*2\r\n$1\r\na\r\n:1\r\n*2\r\n$1\r\na\r\n:2\r\n";
    /// let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
    /// let mut router = Router::new(SlotMap::<4, 8, 8>::from_cluster_slots(frame, &Addressing::new("a")).unwrap(), RouterConfig::DEFAULT);
    /// router.refreshed(Duration::ZERO);
    ///
    /// let Ok(Decoded::Complete { frame: demoted, .. }) = decode(b"*5\r\n$5\r\nslave\r\n$1\r\na\r\n:2\r\n$9\r\nconnected\r\n:0\r\n") else { panic!() };
    /// assert!(!router.on_role(("a", 1), &demoted), "a:1 is the map's primary");
    /// assert_eq!(router.wants_refresh(Duration::ZERO), Some(RefreshReason::Topology));
    /// ```
    pub fn on_role(&mut self, node: (&str, u16), reply: &Frame<'_>) -> bool {
        let said = match ServerRole::of(reply) {
            Some(ServerRole::Primary) => Role::Primary,
            Some(ServerRole::Replica) => Role::Replica,
            Some(ServerRole::Sentinel) | None => return true,
        };
        let held = self.map.nodes().find(|n| (n.host(), n.port()) == node).map(|n| n.role());
        if held.is_some_and(|role| role != said) {
            self.want(RefreshReason::Topology);
            return false;
        }
        true
    }

    /// Why the map should be refreshed now, if it should: something asked for it, or
    /// `now` (the driver's clock) is past the refresh interval.
    /// Within [`refresh_retry_gap`](RouterConfig::refresh_retry_gap) of a failed refresh
    /// the answer is `None`, whatever asked.
    pub fn wants_refresh(&self, now: Duration) -> Option<RefreshReason> {
        if self.quiet_until.is_some_and(|until| now < until) {
            return None;
        }
        if self.wanted.is_some() {
            return self.wanted;
        }
        let interval = self.config.refresh_interval?;
        match self.refreshed_at {
            Some(at) if now.saturating_sub(at) < interval => None,
            Some(_) => Some(RefreshReason::Interval),
            None => None,
        }
    }

    /// The driver loaded a new map into [`map_mut`](Self::map_mut) at `now`: the
    /// redirect count starts again.
    pub fn refreshed(&mut self, now: Duration) {
        self.wanted = None;
        self.moved = 0;
        self.refreshed_at = Some(now);
        self.quiet_until = None;
    }

    /// The driver asked every node it knows for the map at `now` and none answered: the
    /// refresh stays wanted, and is asked for again after
    /// [`refresh_retry_gap`](RouterConfig::refresh_retry_gap).
    pub fn refresh_failed(&mut self, now: Duration) {
        self.want(RefreshReason::NodeLost);
        self.quiet_until = now.checked_add(self.config.refresh_retry_gap);
    }

    /// A refresh failed: it is still wanted (for `reason`, unless one is wanted already).
    pub fn want(&mut self, reason: RefreshReason) {
        self.wanted.get_or_insert(reason);
    }

    fn retry(
        &mut self,
        request: &mut Request,
        kind: Option<ServerErrorKind>,
        now: Duration,
        random: u32,
    ) -> Next<'static> {
        request.busy = request.busy.saturating_add(1);
        let first = *request.first_failure.get_or_insert(now);
        if request.busy > self.config.busy_retries || now.saturating_sub(first) >= self.config.retry_budget {
            return Next::Fail(RouteError::Unavailable { last: kind });
        }
        let delay = self.config.busy_backoff.delay(u32::from(request.busy), request.last_delay, random);
        request.last_delay = delay;
        Next::RetryAfter(delay)
    }
}

/// The target of a command of the table entry `info` whose keys hash to `slot` (the last
/// one seen) and disagree when `cross`.
fn target(info: &'static CommandInfo, slot: Option<u16>, cross: bool) -> Result<Target, RouteError> {
    let response = info.response_policy();
    match (info.request_policy(), slot, cross) {
        (Some(RequestPolicy::MultiShard), Some(_), true) => Ok(Target::Split(response)),
        (_, Some(_), true) => Err(RouteError::CrossSlot { command: info.name }),
        (_, Some(slot), false) => Ok(Target::Slot(slot)),
        (Some(RequestPolicy::AllShards), None, _) => Ok(Target::AllPrimaries(response)),
        (Some(RequestPolicy::AllNodes), None, _) => Ok(Target::AllNodes(response)),
        (_, None, _) => Ok(Target::AnyNode),
    }
}

impl From<super::SlotError> for RouteError {
    /// [`command_slot`](super::command_slot)'s refusal as the router's (which says the
    /// same of the same command).
    fn from(e: super::SlotError) -> Self {
        use super::SlotError;
        match e {
            SlotError::CrossSlot { command } => RouteError::CrossSlot { command },
            SlotError::EmptyCommand => RouteError::EmptyCommand,
            SlotError::UnknownCommand => RouteError::UnknownCommand,
            SlotError::WrongArgCount { command } | SlotError::InvalidKeys { command } => {
                RouteError::InvalidArguments { command }
            }
        }
    }
}

fn route_error(e: KeysError) -> RouteError {
    match e {
        KeysError::Empty => RouteError::EmptyCommand,
        KeysError::Unknown => RouteError::UnknownCommand,
        KeysError::ArgCount(info) | KeysError::Invalid(info) => {
            RouteError::InvalidArguments { command: info.name }
        }
    }
}
