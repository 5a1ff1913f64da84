//! [`AsyncClusterClient`]: the Tokio cluster client.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use ferrodis_core::cluster::{Addressing, RefreshReason, Request, SlotMapError, Target, key_slot};
use ferrodis_core::cmd::ResponsePolicy;
use ferrodis_core::error::Delivery;
use ferrodis_core::resp::{Arg, CommandArgs, Frame};
use tokio::sync::OnceCell;

use super::aggregate::combine;
use super::join::join_all;
use super::nodes::{self, ClusterNode};
use super::remap::{Topology, load_topology};
use super::split::Split;
use super::step::{
    After, Step, after, as_reply, asked_reply, cluster_error, is_connection_error, keep_telling, not_served,
    owned, partial, refresh_failed, transaction_request,
};
use super::{ClusterConfig, ClusterRouter, ClusterSlotMap, Map};
use crate::commands::AsyncCommands;
use crate::error::{Error, ErrorKind, Result};
use crate::multiplexed::{MultiplexedConnection, each_reply};
use crate::random::random_word;
use crate::trace::event;
use crate::value::{Cmd, FromValue, Value};

/// A Redis Cluster client for Tokio (redis-py's `redis.asyncio.RedisCluster`): the
/// [`ClusterClient`](crate::ClusterClient)'s routing (slots, `MOVED` and `ASK`, busy
/// replies retried after a backoff, fan-outs combined by the response policy, multi-key
/// commands split by slot) with every [`AsyncCommands`] method, over one
/// [`MultiplexedConnection`] per node.
///
/// Cheap to clone: clones share the slot map and the connections, and any number of tasks
/// send through them at once. The map is behind a lock that is held only to route a request
/// or to take in a reply, never across a network call; a refresh of the map runs on a task
/// of its own, so a node that does not answer slows only the requests that go to it. A
/// request waits for a refresh only when no node the map knows serves its slot.
///
/// Commands of different slots sent by one task at once (a fan-out, a split `MGET`, a
/// pipeline over several nodes) go to their nodes concurrently.
///
/// `WATCH` is refused, nothing sent ([`ErrorKind::Refused`]), as on any
/// [`MultiplexedConnection`]: a watch would hold for every task sharing the node's
/// connection. Atomic pipelines (MULTI/EXEC) work; for a `WATCH`ed transaction use the
/// blocking [`ClusterClient::transaction`](crate::ClusterClient::transaction).
///
/// ```no_run
/// # async fn demo() -> ferrodis_std::Result<()> {
/// use ferrodis_std::{AsyncClusterClient, AsyncCommands};
///
/// let cluster = AsyncClusterClient::open(&["redis://127.0.0.1:7000"]).await?;
/// let () = cluster.set("user:1", "Ada").await?;
/// let names: Vec<Option<String>> = cluster.mget(&["user:1", "user:2"]).await?; // two slots
/// let tasks: Vec<_> = (0..8)
///     .map(|i| {
///         let cluster = cluster.clone();
///         tokio::spawn(async move { cluster.incr::<_, _, i64>(format!("hits:{i}"), 1).await })
///     })
///     .collect();
/// for task in tasks {
///     task.await.expect("task panicked")?;
/// }
/// # let _ = names;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AsyncClusterClient {
    shared: Arc<Shared>,
}

/// A node's connection, opened once by whichever request needs it first.
type Slot = Arc<OnceCell<MultiplexedConnection>>;

/// A node's connections ([`ClusterConfig::connections_per_node`] of them, each opened when
/// its turn first comes), used in turn.
#[derive(Default)]
struct NodeConnections {
    slots: Vec<Slot>,
    turn: usize,
}

struct Shared {
    config: ClusterConfig,
    router: Mutex<Box<ClusterRouter>>,
    connections: Mutex<HashMap<(String, u16), NodeConnections>>,
    /// The node set by [`set_default_node`](AsyncClusterClient::set_default_node).
    default_node: Mutex<Option<(String, u16)>>,
    /// Held while a refresh asks the nodes for the map: one refresh at a time.
    refreshing: tokio::sync::Mutex<()>,
    /// How many refreshes have finished (worked or not).
    refreshes: AtomicU64,
    /// Whether a background refresh is running.
    background: AtomicBool,
    /// The router's clock: time since the client was made.
    started: Instant,
}

impl AsyncClusterClient {
    /// Reads the slot map from the startup nodes (the first that answers) and is ready;
    /// fails when none answers.
    pub async fn new(config: ClusterConfig) -> Result<Self> {
        let router = Box::new(ClusterRouter::new(Map::new(), config.router));
        let shared = Shared {
            config,
            router: Mutex::new(router),
            connections: Mutex::new(HashMap::new()),
            default_node: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(()),
            refreshes: AtomicU64::new(0),
            background: AtomicBool::new(false),
            started: Instant::now(),
        };
        let client = Self { shared: Arc::new(shared) };
        client.refresh().await?;
        Ok(client)
    }

    /// [`new`](Self::new) with [`ClusterConfig::from_urls`].
    pub async fn open(urls: &[&str]) -> Result<Self> {
        Self::new(ClusterConfig::from_urls(urls)?).await
    }

    /// [`new`](Self::new) with [`ClusterConfig::from_url`] (redis-py's
    /// `redis.asyncio.RedisCluster.from_url`): one startup node, the cluster's options in
    /// its query.
    ///
    /// ```no_run
    /// # async fn demo() -> ferrodis_std::Result<()> {
    /// use ferrodis_std::{AsyncClusterClient, AsyncCommands};
    ///
    /// let cluster = AsyncClusterClient::from_url("redis://127.0.0.1:7000?require_full_coverage=false").await?;
    /// let () = cluster.set("user:1", "Ada").await?;
    /// # Ok(()) }
    /// ```
    pub async fn from_url(url: &str) -> Result<Self> {
        Self::new(ClusterConfig::from_url(url)?).await
    }

    /// The settings.
    pub fn config(&self) -> &ClusterConfig {
        &self.shared.config
    }

    /// Hands the slot map as the client knows it now to `f` (the map is behind the
    /// client's lock meanwhile: keep `f` short).
    pub fn with_slot_map<R>(&self, f: impl FnOnce(&ClusterSlotMap) -> R) -> R {
        f(self.router().map())
    }

    /// Every node of the map, primaries and replicas (redis-py's `get_nodes`).
    pub fn nodes(&self) -> Vec<ClusterNode> {
        nodes::nodes(self.router().map())
    }

    /// The primaries that serve slots (redis-py's `get_primaries`).
    pub fn primaries(&self) -> Vec<ClusterNode> {
        nodes::primaries(self.router().map())
    }

    /// The replicas (redis-py's `get_replicas`).
    pub fn replicas(&self) -> Vec<ClusterNode> {
        nodes::replicas(self.router().map())
    }

    /// One node picked at random (redis-py's `get_random_node`); `None` for an empty map.
    pub fn random_node(&self) -> Option<ClusterNode> {
        nodes::random_node(self.router().map())
    }

    /// The node that serves `key`: its slot's primary, or with `replica` one of its
    /// replicas (the first; the primary when it has none). redis-py's `get_node_from_key`.
    pub fn node_for_key(&self, key: impl AsRef<[u8]>, replica: bool) -> Option<ClusterNode> {
        nodes::node_for_key(self.router().map(), key.as_ref(), replica)
    }

    /// The slot of `key` (redis-py's `keyslot`).
    pub fn keyslot(key: impl AsRef<[u8]>) -> u16 {
        key_slot(key.as_ref())
    }

    /// The slot a command goes to by its keys (redis-py's `determine_slot`): `None` for
    /// a command without keys; an error, nothing sent, for keys in several slots or a
    /// command the command table does not know.
    ///
    /// ```
    /// use ferrodis_std::{AsyncClusterClient, cmd};
    ///
    /// let slot = AsyncClusterClient::determine_slot(cmd("MSET").arg("{user1}.name").arg("Ada").arg("{user1}.born").arg(1815))?;
    /// assert_eq!(slot, Some(AsyncClusterClient::keyslot("user1")));
    /// assert_eq!(AsyncClusterClient::determine_slot(&cmd("PING"))?, None);
    /// let apart = AsyncClusterClient::determine_slot(cmd("RENAME").arg("a").arg("b")).unwrap_err();
    /// assert!(apart.to_string().contains("rename"), "{apart}");
    /// # Ok::<(), ferrodis_std::Error>(())
    /// ```
    pub fn determine_slot(cmd: &(impl CommandArgs + ?Sized)) -> Result<Option<u16>> {
        super::determine_slot(cmd)
    }

    /// The node that keyless commands without a tip in the command table (`ECHO`,
    /// `CLUSTER MYID`, `CLIENT ID`) go to (redis-py's `get_default_node`): the one set by
    /// [`set_default_node`](Self::set_default_node) while the map has it and it has not
    /// failed, otherwise the map's first primary. `None` for an empty map.
    pub fn default_node(&self) -> Option<ClusterNode> {
        let chosen = self.chosen_default();
        nodes::default_node(self.router().map(), chosen.as_ref())
    }

    /// Makes the node at `host`:`port` the [`default_node`](Self::default_node) of this
    /// client and its clones (redis-py's `set_default_node`); `false`, and no change,
    /// when the map has no such node. It stays the default across refreshes while the map
    /// has it.
    pub fn set_default_node(&self, host: &str, port: u16) -> bool {
        let known = nodes::has_node(self.router().map(), host, port);
        if known {
            *self.shared.default_node.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                Some((host.to_owned(), port));
        }
        known
    }

    /// The node set as the default, if any.
    fn chosen_default(&self) -> Option<(String, u16)> {
        self.shared.default_node.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Sends `cmd` to the node at `host`:`port` and no other, whatever its keys say
    /// (redis-py's `target_nodes`): no redirect is followed, an error reply is the error.
    pub async fn query_node<T: FromValue>(
        &self,
        host: &str,
        port: u16,
        cmd: &(impl CommandArgs + Sync + ?Sized),
    ) -> Result<T> {
        let conn = self.connection(host, port).await?;
        let result = conn.request_with(cmd, |frame| T::from_frame(&frame)).await;
        if result.as_ref().err().is_some_and(is_connection_error) {
            self.lost(host, port, &conn);
        }
        result?.map_err(Error::from)
    }

    /// Reads the slot map again (`CLUSTER SHARDS`, or `CLUSTER SLOTS` from a server
    /// without it) from the first node that answers: the nodes of the map as it is, then
    /// the startup nodes (the startup nodes only, with
    /// [`dynamic_startup_nodes`](ClusterConfig::dynamic_startup_nodes) off). One refresh
    /// runs at a time: a call that waited for another's takes its result. On failure
    /// ([`ErrorKind::ClusterRefreshFailed`], naming the nodes asked) the map stays as it
    /// was, and a refresh is asked for again after the router's `refresh_retry_gap`.
    pub async fn refresh(&self) -> Result<()> {
        let seen = self.shared.refreshes.load(Ordering::Acquire);
        let _one_at_a_time = self.shared.refreshing.lock().await;
        if self.shared.refreshes.load(Ordering::Acquire) != seen && self.has_map() {
            return Ok(());
        }
        let result = self.load_map().await;
        self.shared.refreshes.fetch_add(1, Ordering::AcqRel);
        result
    }

    /// Asks the candidates in turn and takes the first map.
    async fn load_map(&self) -> Result<()> {
        let candidates = nodes::refresh_candidates(self.router().map(), &self.shared.config);
        let mut last = None;
        for (host, port) in candidates.clone() {
            let loaded = self.load_map_from(&host, port).await;
            match loaded.and_then(|map| self.shared.config.accepts(&map).map(|()| map)) {
                Ok(mut map) => {
                    let mut router = self.router();
                    std::mem::swap(router.map_mut(), &mut *map);
                    router.refreshed(self.now());
                    event!(debug, nodes = router.map().nodes().count(), from = %host, "slot map refreshed");
                    return Ok(());
                }
                Err(e) => {
                    event!(debug, error = %e, node = %host, "slot map refresh failed");
                    keep_telling(&mut last, e);
                }
            }
        }
        self.router().refresh_failed(self.now());
        Err(refresh_failed(last, candidates, !self.shared.config.dynamic_startup_nodes))
    }

    /// The slot map as the node at `host`:`port` sees it.
    async fn load_map_from(&self, host: &str, port: u16) -> Result<Box<Map>> {
        let addressing = Addressing::new(host).tls(self.shared.config.node.tls.is_some());
        let remap = self.shared.config.address_remap.as_ref();
        let conn = self.connection(host, port).await?;
        let mut map = Box::new(Map::new());
        let shards = [Arg::from("CLUSTER"), Arg::from("SHARDS")];
        let from_shards =
            |frame: Frame<'_>| load_topology(&mut map, frame, Topology::Shards, addressing, remap);
        let loaded = match conn.request_with(&shards, from_shards).await {
            Err(e) if e.server_error().is_some() => {
                // Older than 7.0: CLUSTER SLOTS.
                let slots = [Arg::from("CLUSTER"), Arg::from("SLOTS")];
                let from_slots =
                    |frame: Frame<'_>| load_topology(&mut map, frame, Topology::Slots, addressing, remap);
                conn.request_with(&slots, from_slots).await?
            }
            Err(e) => {
                if is_connection_error(&e) {
                    self.lost(host, port, &conn);
                }
                return Err(e);
            }
            Ok(loaded) => loaded,
        };
        loaded.map_err(|e: SlotMapError| Error::new(ErrorKind::Topology(e), Delivery::Answered))?;
        Ok(map)
    }

    /// Whether the map serves any slot.
    fn has_map(&self) -> bool {
        self.router().map().ranges().next().is_some()
    }

    /// Starts a refresh on a task of its own when the router wants one and none runs.
    fn refresh_in_background(&self) {
        if self.router().wants_refresh(self.now()).is_none()
            || self.shared.background.swap(true, Ordering::AcqRel)
        {
            return;
        }
        let client = self.clone();
        tokio::spawn(async move {
            let _ = client.refresh().await;
            client.shared.background.store(false, Ordering::Release);
        });
    }

    fn router(&self) -> MutexGuard<'_, Box<ClusterRouter>> {
        self.shared.router.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn now(&self) -> Duration {
        self.shared.started.elapsed()
    }

    /// A connection to `host`:`port` (the next in turn, with several per node), opened now
    /// if there is none (or the one there closed). Requests to one node wait for one
    /// connect; other nodes' do not.
    async fn connection(&self, host: &str, port: u16) -> Result<MultiplexedConnection> {
        let slot = {
            let mut connections =
                self.shared.connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let node = connections.entry((host.to_owned(), port)).or_default();
            let per_node = self.shared.config.connections_per_node.get();
            node.slots.resize_with(per_node, Slot::default);
            node.turn = (node.turn + 1) % per_node;
            let slot = &mut node.slots[node.turn];
            if slot.get().is_some_and(MultiplexedConnection::is_closed) {
                *slot = Slot::default();
            }
            Arc::clone(slot)
        };
        let config = self.shared.config.node_config(host, port);
        let open = || async {
            let conn = MultiplexedConnection::open(&config).await?;
            // A node that is not what the map says (a failover since) makes it stale.
            let role = conn.request_with(&nodes::ROLE[..], |role| self.router().on_role((host, port), &role));
            nodes::role_checked(role.await)?;
            Ok::<_, crate::Error>(conn)
        };
        let conn = slot.get_or_try_init(open).await?;
        Ok(conn.clone())
    }

    /// `conn`, to `host`:`port`, failed: the map is to be refreshed, and the node's
    /// connections are forgotten once every one opened is closed (one that only timed out
    /// is kept: the multiplexed connection reads and drops the late reply; a closed one
    /// alone is replaced at its next turn).
    fn lost(&self, host: &str, port: u16, conn: &MultiplexedConnection) {
        self.router().want(RefreshReason::NodeLost);
        if conn.is_closed() {
            let mut connections =
                self.shared.connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let key = (host.to_owned(), port);
            if connections.get(&key).is_some_and(|node| {
                node.slots.iter().all(|slot| slot.get().is_none_or(MultiplexedConnection::is_closed))
            }) {
                connections.remove(&key);
            }
        }
    }

    /// Runs `cmd` where its target says and returns its reply (combined, for a fan-out or a
    /// split).
    async fn run<C: CommandArgs + Sync + ?Sized>(&self, cmd: &C) -> Result<Value> {
        let request = self.router().route(cmd).map_err(|e| cluster_error(e, Delivery::NotSent))?;
        match request.target() {
            Target::Slot(_) | Target::AnyNode => self.run_one(cmd, request, None).await,
            Target::AllPrimaries(policy) => {
                let primaries = nodes::addresses(self.router().map(), true);
                self.fan_out(cmd, policy, primaries).await
            }
            Target::AllNodes(policy) => {
                let all = nodes::addresses(self.router().map(), false);
                self.fan_out(cmd, policy, all).await
            }
            Target::Split(policy) => self.split(cmd, policy).await,
        }
    }

    /// The node a request goes to now, without a redirect: the router's pick, or after
    /// one refresh (waited for: no node serves the slot) its pick then.
    async fn node_of(&self, request: &Request) -> Result<(String, u16)> {
        let pick = |client: &Self| {
            let chosen = client.chosen_default();
            nodes::one_node(&mut client.router(), request, chosen.as_ref())
        };
        if let Some(node) = pick(self) {
            return Ok(node);
        }
        let _ = self.refresh().await;
        pick(self).ok_or_else(|| not_served(request))
    }

    /// One request to one node (to `redirect` first, when a redirect came already),
    /// following the router through redirects and retries.
    async fn run_one<C: CommandArgs + Sync + ?Sized>(
        &self,
        cmd: &C,
        mut request: Request,
        mut redirect: Option<(String, u16, bool)>,
    ) -> Result<Value> {
        loop {
            let (host, port, asking) = match redirect.take() {
                Some(to) => to,
                None => {
                    self.refresh_in_background();
                    let (host, port) = self.node_of(&request).await?;
                    (host, port, false)
                }
            };
            let result = match self.connection(&host, port).await {
                Ok(conn) => {
                    let result = send(&conn, cmd, asking).await;
                    if result.as_ref().err().is_some_and(is_connection_error) {
                        self.lost(&host, port, &conn);
                    }
                    result
                }
                Err(e) => {
                    self.router().want(RefreshReason::NodeLost);
                    Err(e)
                }
            };
            let now = self.now();
            let remap = self.shared.config.address_remap.as_ref();
            let next = after(&mut self.router(), &mut request, result, (&host, port), now, remap);
            match next {
                After::Return(result) => return result,
                After::Redirect(host, port, asking) => redirect = Some((host, port, asking)),
                After::Sleep(delay) => {
                    event!(debug, ?delay, "cluster request retried");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    /// `cmd` to each of `nodes` at once, the replies combined by `policy`.
    async fn fan_out<C: CommandArgs + Sync + ?Sized>(
        &self,
        cmd: &C,
        policy: Option<ResponsePolicy>,
        nodes: Vec<(String, u16)>,
    ) -> Result<Value> {
        self.refresh_in_background();
        let sends = nodes.iter().map(|(host, port)| async move {
            let conn = self.connection(host, *port).await?;
            let reply = send(&conn, cmd, false).await;
            if reply.as_ref().err().is_some_and(is_connection_error) {
                self.lost(host, *port, &conn);
            }
            reply
        });
        let mut replies = Vec::with_capacity(nodes.len());
        for reply in join_all(sends.collect()).await {
            replies.push(as_reply(reply)?);
        }
        combine(policy, replies)
    }

    /// A multi-key command split by slot (see [`Split`]): the parts run at once, and their
    /// replies are merged in the caller's key order (`MGET`) or combined by `policy`
    /// (`DEL` summed, `MSET` all succeeded).
    async fn split<C: CommandArgs + ?Sized>(&self, cmd: &C, policy: Option<ResponsePolicy>) -> Result<Value> {
        let split = Split::new(cmd, policy)?;
        let mut parts = Vec::with_capacity(split.len());
        for p in 0..split.len() {
            let part = split.part(p);
            let request = self.router().route(&part[..]).map_err(|e| cluster_error(e, Delivery::NotSent))?;
            parts.push((part, request));
        }
        let runs = parts.iter().map(|(part, request)| self.run_one(&part[..], *request, None));
        let results = join_all(runs.collect()).await;
        let answered = results.iter().any(Result::is_ok);
        let mut replies = Vec::with_capacity(results.len());
        for result in results {
            replies.push(result.map_err(|e| partial(e, answered))?);
        }
        split.merge(replies)
    }

    /// The replies to `commands` as one pipeline over the cluster: the commands of each
    /// node go to it in one batch, the nodes' batches at once; a reply that redirects
    /// (`MOVED`, `ASK`) or says "busy" has its command follow the router on its own;
    /// commands that fan out or split, and those of a node whose connection failed before
    /// they were sent, run one by one after. Every reply comes back in the caller's order
    /// (error replies as [`Value::ServerError`]). A connection that failed after a part
    /// may have run fails the pipeline with an unknown outcome.
    pub(crate) async fn pipeline_values<C: CommandArgs + Sync>(&self, commands: &[C]) -> Result<Vec<Value>> {
        let mut requests = Vec::with_capacity(commands.len());
        for command in commands {
            requests.push(self.router().route(command).map_err(|e| cluster_error(e, Delivery::NotSent))?);
        }
        self.refresh_in_background();
        let chosen = self.chosen_default();
        let (groups, mut one_by_one) = nodes::group_by_node(&mut self.router(), &requests, chosen.as_ref());
        let batches = groups.iter().map(|((host, port), members)| async move {
            let conn = self.connection(host, *port).await?;
            let part: Vec<&C> = members.iter().map(|&i| &commands[i]).collect();
            let replies = match conn.batch(&part, None).await {
                Ok(replies) => replies,
                Err(e) => {
                    if is_connection_error(&e) {
                        self.lost(host, *port, &conn);
                    }
                    return Err(e);
                }
            };
            let mut values = Vec::with_capacity(members.len());
            each_reply(&replies, |_, frame| values.push(Value::from_frame(&frame)))?;
            Ok(values)
        });
        let mut results: Vec<Option<Value>> = vec![None; commands.len()];
        let mut answered_by: Vec<Option<&(String, u16)>> = vec![None; commands.len()];
        for ((address, members), batch) in groups.iter().zip(join_all(batches.collect()).await) {
            match batch {
                Ok(values) => {
                    for (&i, value) in members.iter().zip(values) {
                        results[i] = Some(value);
                        answered_by[i] = Some(address);
                    }
                }
                Err(e) if e.delivery() == Delivery::NotSent => one_by_one.extend(members.iter().copied()),
                Err(e) => return Err(e),
            }
        }
        for i in 0..commands.len() {
            let (Some(Value::ServerError(reply)), Some((host, port))) = (&results[i], answered_by[i]) else {
                continue;
            };
            if !matches!(ferrodis_core::cluster::ClusterErrorReply::parse(reply.text()), Ok(Some(_))) {
                continue;
            }
            let frame = Frame::SimpleError(reply.text());
            let now = self.now();
            let step =
                owned(self.router().on_reply(&mut requests[i], &frame, (host, *port), now, random_word()));
            let redirect = match step {
                Step::Done => continue,
                Step::SendTo(host, port, asking) => Some((host, port, asking)),
                Step::RetryAfter(delay) => {
                    tokio::time::sleep(delay).await;
                    None
                }
                Step::Fail(e) => return Err(cluster_error(e, Delivery::Answered)),
            };
            results[i] = Some(as_reply(self.run_one(&commands[i], requests[i], redirect).await)?);
        }
        one_by_one.sort_unstable();
        for i in one_by_one {
            results[i] = Some(as_reply(self.run(&commands[i]).await)?);
        }
        Ok(results.into_iter().map(|r| r.unwrap_or(Value::Nil)).collect())
    }

    /// The connection a transaction of `commands` runs on: the primary of their one slot.
    /// Keys in several slots are refused before anything is sent.
    pub(crate) async fn transaction_connection<C: CommandArgs>(
        &self,
        commands: &[C],
    ) -> Result<MultiplexedConnection> {
        let request = transaction_request(&self.router(), commands)?;
        self.refresh_in_background();
        let (host, port) = self.node_of(&request).await?;
        self.connection(&host, port).await
    }
}

impl AsyncCommands for AsyncClusterClient {
    async fn query<T: FromValue>(&self, cmd: &Cmd) -> Result<T> {
        Ok(T::from_value(self.run(cmd).await?)?)
    }
}

impl std::fmt::Debug for AsyncClusterClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let connections =
            self.shared.connections.lock().unwrap_or_else(std::sync::PoisonError::into_inner).len();
        f.debug_struct("AsyncClusterClient")
            .field("startup_nodes", &self.shared.config.startup_nodes)
            .field("map", self.router().map())
            .field("connections", &connections)
            .finish()
    }
}

/// Sends `cmd` on `conn`, after `ASKING` when `asking` (the two in one batch, so no other
/// task's request lands between them), and returns its reply; an error reply is
/// [`ErrorKind::Server`].
async fn send<C: CommandArgs + Sync + ?Sized>(
    conn: &MultiplexedConnection,
    cmd: &C,
    asking: bool,
) -> Result<Value> {
    if !asking {
        return conn.request_with(cmd, |frame| Value::from_frame(&frame)).await;
    }
    let mut owned: Vec<Vec<u8>> = Vec::with_capacity(cmd.arg_count());
    cmd.write_args(&mut owned);
    let args: Vec<Arg<'_>> = owned.iter().map(|a| Arg::Bytes(a)).collect();
    let asking: Vec<Arg<'_>> = vec![Arg::from("ASKING")];
    let replies = conn.batch(&[asking, args], None).await?;
    let mut reply = None;
    each_reply(&replies, |index, frame| {
        if index == 1 {
            reply = Some(Value::from_frame(&frame));
        }
    })?;
    asked_reply(reply)
}
