//! [`ClusterClient`]: the blocking cluster client.

mod watch;

use std::collections::HashMap;
use std::time::Instant;

use ferrodis_core::cluster::{Addressing, RefreshReason, Request, SlotMapError, Target, key_slot};
use ferrodis_core::cmd::ResponsePolicy;
use ferrodis_core::error::Delivery;
use ferrodis_core::resp::{Arg, CommandArgs, Frame};

use super::aggregate::combine;
use super::nodes::{self, ClusterNode};
use super::remap::{Topology, load_topology};
use super::split::Split;
use super::step::{
    After, Step, after, as_reply, asked_reply, cluster_error, is_connection_error, is_uncovered,
    keep_telling, not_served, owned, partial, refresh_failed, transaction_request,
};
use super::{ClusterConfig, ClusterRouter, Map};
use crate::commands::Commands;
use crate::connection::Connection;
use crate::error::{Error, ErrorKind, Result};
use crate::random::random_word;
use crate::trace::event;
use crate::value::{FromValue, Value};

/// A blocking Redis Cluster client (redis-py's `RedisCluster`): every [`Commands`]
/// method, each request sent to the node that serves its keys' slot, with `MOVED` and
/// `ASK` followed, busy replies retried after a backoff, and the slot map refreshed from
/// any node it knows when redirects, a lost node or the refresh interval ask for it.
///
/// Commands without keys go where the command table's tips say: to every primary
/// (`DBSIZE`, `KEYS`, `FLUSHALL`, `PING`), to every node (`CONFIG SET`), or to one node
/// (`ECHO`); their replies are combined by the response policy (`DBSIZE` summed, `KEYS`
/// concatenated). Multi-key commands whose keys are in several slots (`MGET`, `MSET`,
/// `DEL`, `EXISTS`, `UNLINK`, `TOUCH`) are split by slot, one request per slot, and
/// merged in the caller's order; such an `MSET` is not atomic. Any other command with keys
/// in several slots is refused ([`RouteError::CrossSlot`](ferrodis_core::cluster::RouteError::CrossSlot)).
///
/// Connections to the nodes are opened when first needed, one per node, with the
/// settings of [`ClusterConfig::node`].
///
/// ```no_run
/// use ferrodis_std::{ClusterClient, Commands};
///
/// let mut cluster = ClusterClient::open(&["redis://127.0.0.1:7000", "redis://127.0.0.1:7001"])?;
/// let () = cluster.set("user:1", "Ada")?;
/// let names: Vec<Option<String>> = cluster.mget(&["user:1", "user:2"])?; // two slots
/// let keys: usize = cluster.dbsize()?; // summed over the primaries
/// # let _ = (names, keys);
/// # Ok::<(), ferrodis_std::Error>(())
/// ```
pub struct ClusterClient {
    config: ClusterConfig,
    router: Box<ClusterRouter>,
    connections: HashMap<(String, u16), Connection>,
    /// The node set by [`set_default_node`](ClusterClient::set_default_node).
    default_node: Option<(String, u16)>,
    /// The router's clock: time since the client was made.
    started: Instant,
}

impl ClusterClient {
    /// Reads the slot map from the startup nodes (the first that answers) and is ready;
    /// fails when none answers.
    pub fn new(config: ClusterConfig) -> Result<Self> {
        if config.connections_per_node.get() > 1 {
            return Err(Error::config(
                "the blocking ClusterClient holds one connection per node; \
                 connections_per_node above 1 is for AsyncClusterClient",
            ));
        }
        let router = Box::new(ClusterRouter::new(Map::new(), config.router));
        let mut client =
            Self { config, router, connections: HashMap::new(), default_node: None, started: Instant::now() };
        client.refresh()?;
        Ok(client)
    }

    /// [`new`](Self::new) with [`ClusterConfig::from_urls`].
    pub fn open(urls: &[&str]) -> Result<Self> {
        Self::new(ClusterConfig::from_urls(urls)?)
    }

    /// [`new`](Self::new) with [`ClusterConfig::from_url`] (redis-py's
    /// `RedisCluster.from_url`): one startup node, the cluster's options in its query.
    ///
    /// ```no_run
    /// use ferrodis_std::{ClusterClient, Commands};
    ///
    /// let mut cluster = ClusterClient::from_url("redis://127.0.0.1:7000?read_from_replicas=true")?;
    /// let name: Option<String> = cluster.get("user:1")?; // from a replica or the primary
    /// # let _ = name;
    /// # Ok::<(), ferrodis_std::Error>(())
    /// ```
    pub fn from_url(url: &str) -> Result<Self> {
        Self::new(ClusterConfig::from_url(url)?)
    }

    /// The settings.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// The slot map as the client knows it now.
    pub fn slot_map(&self) -> &Map {
        self.router.map()
    }

    /// Every node of the map, primaries and replicas (redis-py's `get_nodes`).
    pub fn nodes(&self) -> Vec<ClusterNode> {
        nodes::nodes(self.router.map())
    }

    /// The primaries that serve slots (redis-py's `get_primaries`).
    pub fn primaries(&self) -> Vec<ClusterNode> {
        nodes::primaries(self.router.map())
    }

    /// The replicas (redis-py's `get_replicas`).
    pub fn replicas(&self) -> Vec<ClusterNode> {
        nodes::replicas(self.router.map())
    }

    /// One node picked at random (redis-py's `get_random_node`); `None` for an empty map.
    pub fn random_node(&self) -> Option<ClusterNode> {
        nodes::random_node(self.router.map())
    }

    /// The node that serves `key`: its slot's primary, or with `replica` one of its
    /// replicas (the first; the primary when it has none). redis-py's `get_node_from_key`.
    pub fn node_for_key(&self, key: impl AsRef<[u8]>, replica: bool) -> Option<ClusterNode> {
        nodes::node_for_key(self.router.map(), key.as_ref(), replica)
    }

    /// The node that keyless commands without a tip in the command table (`ECHO`,
    /// `CLUSTER MYID`, `CLIENT ID`) go to (redis-py's `get_default_node`): the one set by
    /// [`set_default_node`](Self::set_default_node) while the map has it and it has not
    /// failed, otherwise the map's first primary. `None` for an empty map.
    pub fn default_node(&self) -> Option<ClusterNode> {
        nodes::default_node(self.router.map(), self.default_node.as_ref())
    }

    /// Makes the node at `host`:`port` the [`default_node`](Self::default_node)
    /// (redis-py's `set_default_node`); `false`, and no change, when the map has no such
    /// node. It stays the default across refreshes while the map has it.
    pub fn set_default_node(&mut self, host: &str, port: u16) -> bool {
        let known = nodes::has_node(self.router.map(), host, port);
        if known {
            self.default_node = Some((host.to_owned(), port));
        }
        known
    }

    /// Sends `cmd` to the node at `host`:`port` and no other, whatever its keys say
    /// (redis-py's `target_nodes`): no redirect is followed, an error reply is the error.
    pub fn query_node<T: FromValue>(
        &mut self,
        host: &str,
        port: u16,
        cmd: &(impl CommandArgs + ?Sized),
    ) -> Result<T> {
        let result = self.connection(host, port).and_then(|conn| conn.query(cmd));
        if result.as_ref().err().is_some_and(is_connection_error) {
            self.connections.remove(&(host.to_owned(), port));
            self.router.want(RefreshReason::NodeLost);
        }
        result
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
    /// use ferrodis_std::{ClusterClient, cmd};
    ///
    /// let slot = ClusterClient::determine_slot(cmd("MSET").arg("{user1}.name").arg("Ada").arg("{user1}.born").arg(1815))?;
    /// assert_eq!(slot, Some(ClusterClient::keyslot("user1")));
    /// assert_eq!(ClusterClient::determine_slot(&cmd("PING"))?, None);
    /// let apart = ClusterClient::determine_slot(cmd("RENAME").arg("a").arg("b")).unwrap_err();
    /// assert!(apart.to_string().contains("rename"), "{apart}");
    /// # Ok::<(), ferrodis_std::Error>(())
    /// ```
    pub fn determine_slot(cmd: &(impl CommandArgs + ?Sized)) -> Result<Option<u16>> {
        super::determine_slot(cmd)
    }

    /// Reads the slot map again (`CLUSTER SHARDS`, or `CLUSTER SLOTS` from a server
    /// without it) from the first node that answers: the nodes of the map as it is, then
    /// the startup nodes (the startup nodes only, with
    /// [`dynamic_startup_nodes`](ClusterConfig::dynamic_startup_nodes) off). On failure
    /// ([`ErrorKind::ClusterRefreshFailed`], naming the nodes asked) the map stays as it
    /// was, and the refresh is tried again, after the router's `refresh_retry_gap`.
    pub fn refresh(&mut self) -> Result<()> {
        let candidates = nodes::refresh_candidates(self.router.map(), &self.config);
        let mut last = None;
        for (host, port) in candidates.clone() {
            match self.load_map_from(&host, port).and_then(|map| self.config.accepts(&map).map(|()| map)) {
                Ok(map) => {
                    *self.router.map_mut() = *map;
                    self.router.refreshed(self.started.elapsed());
                    event!(debug, nodes = self.router.map().nodes().count(), from = %host, "slot map refreshed");
                    return Ok(());
                }
                Err(e) => {
                    event!(debug, error = %e, node = %host, "slot map refresh failed");
                    if !is_uncovered(&e) {
                        self.connections.remove(&(host, port));
                    }
                    keep_telling(&mut last, e);
                }
            }
        }
        self.router.refresh_failed(self.started.elapsed());
        Err(refresh_failed(last, candidates, !self.config.dynamic_startup_nodes))
    }

    /// The slot map as the node at `host`:`port` sees it.
    fn load_map_from(&mut self, host: &str, port: u16) -> Result<Box<Map>> {
        let addressing = Addressing::new(host).tls(self.config.node.tls.is_some());
        let remap = self.config.address_remap.clone();
        let conn = self.connection(host, port)?;
        let mut map = Box::new(Map::new());
        let mut load =
            |frame: Frame<'_>, topology| load_topology(&mut map, frame, topology, addressing, remap.as_ref());
        let shards = [Arg::from("CLUSTER"), Arg::from("SHARDS")];
        let loaded = match conn.request_with(&shards, |frame| load(frame, Topology::Shards)) {
            Err(e) if e.server_error().is_some() => {
                // Older than 7.0: CLUSTER SLOTS.
                let slots = [Arg::from("CLUSTER"), Arg::from("SLOTS")];
                conn.request_with(&slots, |frame| load(frame, Topology::Slots))?
            }
            other => other?,
        };
        loaded.map_err(|e: SlotMapError| Error::new(ErrorKind::Topology(e), Delivery::Answered))?;
        Ok(map)
    }

    /// The connection to `host`:`port`, opened now if there is none (or the one there
    /// broke).
    fn connection(&mut self, host: &str, port: u16) -> Result<&mut Connection> {
        let key = (host.to_owned(), port);
        if self.connections.get(&key).is_some_and(Connection::is_broken) {
            self.connections.remove(&key);
        }
        if !self.connections.contains_key(&key) {
            let mut conn = Connection::open(&self.config.node_config(host, port))?;
            // A node that is not what the map says (a failover since) makes it stale.
            let router = &mut self.router;
            nodes::role_checked(
                conn.request_with(&nodes::ROLE[..], |role| router.on_role((host, port), &role)),
            )?;
            self.connections.insert(key.clone(), conn);
        }
        Ok(self.connections.get_mut(&key).expect("inserted above"))
    }

    /// Refreshes the map when the router wants it; a failed refresh is left for later.
    fn refresh_if_due(&mut self) {
        if self.router.wants_refresh(self.started.elapsed()).is_some() {
            let _ = self.refresh();
        }
    }

    /// Runs `cmd` where its target says and returns its reply (combined, for a fan-out or a
    /// split).
    fn run<C: CommandArgs + ?Sized>(&mut self, cmd: &C) -> Result<Value> {
        let request = self.router.route(cmd).map_err(|e| cluster_error(e, Delivery::NotSent))?;
        match request.target() {
            Target::Slot(_) | Target::AnyNode => self.run_one(cmd, request, None),
            Target::AllPrimaries(policy) => {
                let primaries = nodes::addresses(self.router.map(), true);
                self.fan_out(cmd, policy, primaries)
            }
            Target::AllNodes(policy) => {
                let all = nodes::addresses(self.router.map(), false);
                self.fan_out(cmd, policy, all)
            }
            Target::Split(policy) => self.split(cmd, policy),
        }
    }

    /// One request to one node (to `redirect` first, when a redirect came already),
    /// following the router through redirects and retries.
    fn run_one<C: CommandArgs + ?Sized>(
        &mut self,
        cmd: &C,
        mut request: Request,
        mut redirect: Option<(String, u16, bool)>,
    ) -> Result<Value> {
        loop {
            if redirect.is_none() {
                self.refresh_if_due();
            }
            let (host, port, asking) = match redirect.take() {
                Some(to) => to,
                None => match nodes::one_node(&mut self.router, &request, self.default_node.as_ref()) {
                    Some((host, port)) => (host, port, false),
                    None => {
                        // A hole in the map: one refresh, then the slot's node or an error.
                        let _ = self.refresh();
                        match nodes::one_node(&mut self.router, &request, self.default_node.as_ref()) {
                            Some((host, port)) => (host, port, false),
                            None => return Err(not_served(&request)),
                        }
                    }
                },
            };
            let result = self.connection(&host, port).and_then(|conn| send(conn, cmd, asking));
            if result.as_ref().err().is_some_and(is_connection_error) {
                self.connections.remove(&(host.clone(), port));
            }
            let remap = self.config.address_remap.as_ref();
            match after(&mut self.router, &mut request, result, (&host, port), self.started.elapsed(), remap)
            {
                After::Return(result) => return result,
                After::Redirect(host, port, asking) => redirect = Some((host, port, asking)),
                After::Sleep(delay) => {
                    event!(debug, ?delay, "cluster request retried");
                    std::thread::sleep(delay);
                }
            }
        }
    }

    /// `cmd` to each of `nodes`, the replies combined by `policy`.
    fn fan_out<C: CommandArgs + ?Sized>(
        &mut self,
        cmd: &C,
        policy: Option<ResponsePolicy>,
        nodes: Vec<(String, u16)>,
    ) -> Result<Value> {
        self.refresh_if_due();
        let mut replies = Vec::with_capacity(nodes.len());
        for (host, port) in nodes {
            let reply = self.connection(&host, port).and_then(|conn| send(conn, cmd, false));
            match reply {
                Ok(value) => replies.push(value),
                Err(e) => match e.server_error() {
                    Some(reply) => replies.push(Value::ServerError(reply.clone())),
                    None => {
                        if is_connection_error(&e) {
                            self.connections.remove(&(host, port));
                            self.router.want(RefreshReason::NodeLost);
                        }
                        return Err(e);
                    }
                },
            }
        }
        combine(policy, replies)
    }

    /// A multi-key command split by slot (see [`Split`]): the parts run one after
    /// another, and their replies are merged in the caller's key order (`MGET`) or
    /// combined by `policy` (`DEL` summed, `MSET` all succeeded).
    fn split<C: CommandArgs + ?Sized>(&mut self, cmd: &C, policy: Option<ResponsePolicy>) -> Result<Value> {
        let split = Split::new(cmd, policy)?;
        let mut replies = Vec::with_capacity(split.len());
        for p in 0..split.len() {
            let part = split.part(p);
            let request = self.router.route(&part[..]).map_err(|e| cluster_error(e, Delivery::NotSent))?;
            replies.push(self.run_one(&part[..], request, None).map_err(|e| partial(e, p > 0))?);
        }
        split.merge(replies)
    }
}

impl ClusterClient {
    /// The replies to `commands` as one pipeline over the cluster: the commands of each
    /// node go to it in one write; a reply that redirects (`MOVED`, `ASK`) or says "busy"
    /// has its command follow the router on its own; commands that fan out or split, and
    /// those of a node whose connection failed before they were sent, run one by one
    /// after. Every reply comes back in the caller's order (error replies as
    /// [`Value::ServerError`]); commands on different nodes run in no set order relative to
    /// each other. A connection that failed after a part may have run fails the pipeline
    /// with an unknown outcome.
    pub(crate) fn pipeline_values<C: CommandArgs>(&mut self, commands: &[C]) -> Result<Vec<Value>> {
        let mut requests = Vec::with_capacity(commands.len());
        for command in commands {
            requests.push(self.router.route(command).map_err(|e| cluster_error(e, Delivery::NotSent))?);
        }
        self.refresh_if_due();
        let mut results: Vec<Option<Value>> = vec![None; commands.len()];
        let mut answered_by: Vec<Option<(String, u16)>> = vec![None; commands.len()];
        let (groups, mut one_by_one) =
            nodes::group_by_node(&mut self.router, &requests, self.default_node.as_ref());
        // Every node's part is written before any reply is read, so the nodes work on
        // them at once.
        let mut written = Vec::with_capacity(groups.len());
        for ((host, port), members) in groups {
            let part: Vec<&C> = members.iter().map(|&i| &commands[i]).collect();
            let sent = self.connection(&host, port).and_then(|conn| conn.pipeline_write(&part));
            written.push(((host, port), members, sent));
        }
        for ((host, port), members, sent) in written {
            let mut got = Vec::with_capacity(members.len());
            let sent =
                sent.and_then(|written| match (written, self.connections.get_mut(&(host.clone(), port))) {
                    (Some(written), Some(conn)) => {
                        conn.pipeline_replies(written, |k, frame| got.push((k, Value::from_frame(&frame))))
                    }
                    (None, _) => Ok(()),
                    (Some(_), None) => Err(Error::new(ErrorKind::Broken, Delivery::Unknown)),
                });
            for (k, value) in got {
                results[members[k]] = Some(value);
                answered_by[members[k]] = Some((host.clone(), port));
            }
            if let Err(e) = sent {
                if is_connection_error(&e) {
                    self.connections.remove(&(host.clone(), port));
                    self.router.want(RefreshReason::NodeLost);
                }
                if e.delivery() != Delivery::NotSent {
                    return Err(e);
                }
                one_by_one.extend(members.iter().copied().filter(|&i| results[i].is_none()));
            }
        }
        for i in 0..commands.len() {
            let Some(Value::ServerError(reply)) = &results[i] else { continue };
            if !matches!(ferrodis_core::cluster::ClusterErrorReply::parse(reply.text()), Ok(Some(_))) {
                continue;
            }
            let (host, port) = answered_by[i].clone().unwrap_or_default();
            let frame = Frame::SimpleError(reply.text());
            let now = self.started.elapsed();
            let step =
                owned(self.router.on_reply(&mut requests[i], &frame, (&host, port), now, random_word()));
            let redirect = match step {
                Step::Done => continue,
                Step::SendTo(host, port, asking) => Some((host, port, asking)),
                Step::RetryAfter(delay) => {
                    std::thread::sleep(delay);
                    None
                }
                Step::Fail(e) => return Err(cluster_error(e, Delivery::Answered)),
            };
            results[i] = Some(as_reply(self.run_one(&commands[i], requests[i], redirect))?);
        }
        one_by_one.sort_unstable();
        for i in one_by_one {
            results[i] = Some(as_reply(self.run(&commands[i]))?);
        }
        Ok(results.into_iter().map(|r| r.unwrap_or(Value::Nil)).collect())
    }

    /// The connection a transaction (`MULTI` ... `EXEC`, `pipe().atomic()`) of `commands`
    /// runs on: the primary of their one slot. Keys in several slots are refused before
    /// anything is sent.
    pub(crate) fn transaction_connection<C: CommandArgs>(
        &mut self,
        commands: &[C],
    ) -> Result<&mut Connection> {
        let request = transaction_request(&self.router, commands)?;
        self.refresh_if_due();
        let (host, port) = match self.router.node(&request) {
            Some(node) => (node.host().to_owned(), node.port()),
            None => return Err(not_served(&request)),
        };
        self.connection(&host, port)
    }
}

impl Commands for ClusterClient {
    fn query<T: FromValue>(&mut self, cmd: &(impl CommandArgs + ?Sized)) -> Result<T> {
        Ok(T::from_value(self.run(cmd)?)?)
    }
}

impl std::fmt::Debug for ClusterClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterClient")
            .field("startup_nodes", &self.config.startup_nodes)
            .field("map", self.router.map())
            .field("connections", &self.connections.len())
            .finish()
    }
}

/// Sends `cmd` on `conn`, after `ASKING` when `asking`, and returns its reply; an error
/// reply is [`ErrorKind::Server`].
fn send<C: CommandArgs + ?Sized>(conn: &mut Connection, cmd: &C, asking: bool) -> Result<Value> {
    if !asking {
        return conn.query(cmd);
    }
    let mut owned: Vec<Vec<u8>> = Vec::with_capacity(cmd.arg_count());
    cmd.write_args(&mut owned);
    let args: Vec<Arg<'_>> = owned.iter().map(|a| Arg::Bytes(a)).collect();
    let asking = [Arg::from("ASKING")];
    let mut reply = None;
    conn.pipeline_args::<[Arg<'_>]>(&[&asking[..], &args[..]], |index, frame| {
        if index == 1 {
            reply = Some(Value::from_frame(&frame));
        }
    })?;
    asked_reply(reply)
}
