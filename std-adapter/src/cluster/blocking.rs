//! [`ClusterClient`]: the blocking cluster client.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ferrodis_core::cluster::{
    Addressing, Health, Next, Node, Request, Role, RouteError, Router, SlotMapError, Target, key_slot,
};
use ferrodis_core::cmd::{ResponsePolicy, key_indices, lookup_command};
use ferrodis_core::error::Delivery;
use ferrodis_core::resp::{Arg, CommandArgs, Frame};

use super::aggregate::combine;
use super::{ClusterConfig, MAX_HOST_BYTES, MAX_NODES, MAX_RANGES, Map};
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
/// in several slots is refused ([`RouteError::CrossSlot`]).
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
    router: Box<Router<MAX_NODES, MAX_RANGES, MAX_HOST_BYTES>>,
    connections: HashMap<(String, u16), Connection>,
    /// The router's clock: time since the client was made.
    started: Instant,
}

impl ClusterClient {
    /// Reads the slot map from the startup nodes (the first that answers) and is ready;
    /// fails when none answers.
    pub fn new(config: ClusterConfig) -> Result<Self> {
        let router = Box::new(Router::new(Map::new(), config.router));
        let mut client = Self { config, router, connections: HashMap::new(), started: Instant::now() };
        client.refresh()?;
        Ok(client)
    }

    /// [`new`](Self::new) with [`ClusterConfig::from_urls`].
    pub fn open(urls: &[&str]) -> Result<Self> {
        Self::new(ClusterConfig::from_urls(urls)?)
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
        self.router.map().nodes().map(ClusterNode::of).collect()
    }

    /// The primaries that serve slots (redis-py's `get_primaries`).
    pub fn primaries(&self) -> Vec<ClusterNode> {
        let mut primaries: Vec<ClusterNode> =
            self.router.map().ranges().map(|(_, n)| ClusterNode::of(n)).collect();
        primaries.sort_by(|a, b| (&a.host, a.port).cmp(&(&b.host, b.port)));
        primaries.dedup_by(|a, b| a.host == b.host && a.port == b.port);
        primaries
    }

    /// The replicas (redis-py's `get_replicas`).
    pub fn replicas(&self) -> Vec<ClusterNode> {
        self.nodes().into_iter().filter(|n| n.role == Role::Replica).collect()
    }

    /// One node picked at random (redis-py's `get_random_node`); `None` for an empty map.
    pub fn random_node(&self) -> Option<ClusterNode> {
        let nodes = self.nodes();
        let pick = usize::try_from(random_word()).unwrap_or_default() % nodes.len().max(1);
        nodes.into_iter().nth(pick)
    }

    /// The node that serves `key`: its slot's primary, or with `replica` one of its
    /// replicas (the first; the primary when it has none). redis-py's `get_node_from_key`.
    pub fn node_for_key(&self, key: impl AsRef<[u8]>, replica: bool) -> Option<ClusterNode> {
        let slot = key_slot(key.as_ref());
        let map = self.router.map();
        let replicas = map.replicas(slot).filter(|n| n.health() != ferrodis_core::cluster::Health::Failed);
        match (replica, replicas.clone().next()) {
            (true, Some(node)) => Some(ClusterNode::of(node)),
            _ => map.primary(slot).map(ClusterNode::of),
        }
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
            self.router.want(ferrodis_core::cluster::RefreshReason::NodeLost);
        }
        result
    }

    /// The slot of `key` (redis-py's `keyslot`).
    pub fn keyslot(key: impl AsRef<[u8]>) -> u16 {
        key_slot(key.as_ref())
    }

    /// Reads the slot map again (`CLUSTER SHARDS`, or `CLUSTER SLOTS` from a server
    /// without it) from the first node that answers: the nodes of the map as it is, then
    /// the startup nodes. On failure the map stays as it was, and the refresh is tried
    /// again before the next request.
    pub fn refresh(&mut self) -> Result<()> {
        let mut candidates: Vec<(String, u16)> = self
            .router
            .map()
            .nodes()
            .filter(|n| n.health() != ferrodis_core::cluster::Health::Failed)
            .map(|n| (n.host().to_owned(), n.port()))
            .collect();
        for node in &self.config.startup_nodes {
            if !candidates.contains(node) {
                candidates.push(node.clone());
            }
        }
        let mut last = None;
        for (host, port) in candidates {
            match self.load_map_from(&host, port) {
                Ok(map) => {
                    *self.router.map_mut() = *map;
                    self.router.refreshed(self.started.elapsed());
                    event!(debug, nodes = self.router.map().nodes().count(), from = %host, "slot map refreshed");
                    return Ok(());
                }
                Err(e) => {
                    event!(debug, error = %e, node = %host, "slot map refresh failed");
                    self.connections.remove(&(host, port));
                    last = Some(e);
                }
            }
        }
        self.router.want(ferrodis_core::cluster::RefreshReason::NodeLost);
        Err(last.unwrap_or_else(|| Error::config("a cluster needs at least one startup node")))
    }

    /// The slot map as the node at `host`:`port` sees it.
    fn load_map_from(&mut self, host: &str, port: u16) -> Result<Box<Map>> {
        let addressing = Addressing::new(host).tls(self.config.node.tls.is_some());
        let conn = self.connection(host, port)?;
        let mut map = Box::new(Map::new());
        let shards = [Arg::from("CLUSTER"), Arg::from("SHARDS")];
        let loaded = match conn.request_with(&shards, |frame| map.load_cluster_shards(frame, &addressing)) {
            Err(e) if e.server_error().is_some() => {
                // Older than 7.0: CLUSTER SLOTS.
                let slots = [Arg::from("CLUSTER"), Arg::from("SLOTS")];
                conn.request_with(&slots, |frame| map.load_cluster_slots(frame, &addressing))?
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
            let conn = Connection::open(&self.config.node_config(host, port))?;
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
                let primaries = self.addresses(true);
                self.fan_out(cmd, policy, primaries)
            }
            Target::AllNodes(policy) => {
                let nodes = self.addresses(false);
                self.fan_out(cmd, policy, nodes)
            }
            Target::Split(policy) => self.split(cmd, policy),
        }
    }

    /// The distinct primaries of the map, or every node.
    fn addresses(&self, primaries_only: bool) -> Vec<(String, u16)> {
        let mut all: Vec<(String, u16)> = if primaries_only {
            self.router.map().ranges().map(|(_, n)| (n.host().to_owned(), n.port())).collect()
        } else {
            self.router.map().nodes().map(|n| (n.host().to_owned(), n.port())).collect()
        };
        all.sort();
        all.dedup();
        all
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
                None => match self.router.node(&request) {
                    Some(node) => (node.host().to_owned(), node.port(), false),
                    None => {
                        // A hole in the map: one refresh, then the slot's node or an error.
                        let _ = self.refresh();
                        match self.router.node(&request) {
                            Some(node) => (node.host().to_owned(), node.port(), false),
                            None => return Err(cluster_error(not_served(&request), Delivery::NotSent)),
                        }
                    }
                },
            };
            let result = self.connection(&host, port).and_then(|conn| send(conn, cmd, asking));
            let next = match &result {
                Ok(_) => return result,
                Err(e) => match e.server_error() {
                    Some(reply) => {
                        let frame = Frame::SimpleError(reply.text());
                        owned(self.router.on_reply(
                            &mut request,
                            &frame,
                            (&host, port),
                            self.started.elapsed(),
                            random_word(),
                        ))
                    }
                    None if is_connection_error(e) => {
                        self.connections.remove(&(host.clone(), port));
                        owned(self.router.on_connection_error(
                            &mut request,
                            e.delivery(),
                            self.started.elapsed(),
                            random_word(),
                        ))
                    }
                    None => return result,
                },
            };
            match next {
                Step::Done => return result,
                Step::SendTo(host, port, asking) => redirect = Some((host, port, asking)),
                Step::RetryAfter(delay) => {
                    event!(debug, ?delay, "cluster request retried");
                    std::thread::sleep(delay);
                }
                // An unknown outcome keeps the connection's own error, which says so.
                Step::Fail(RouteError::OutcomeUnknown) => return result,
                Step::Fail(e) => {
                    let delivery = result.err().map_or(Delivery::Unknown, |e| e.delivery());
                    return Err(cluster_error(e, delivery));
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
                            self.router.want(ferrodis_core::cluster::RefreshReason::NodeLost);
                        }
                        return Err(e);
                    }
                },
            }
        }
        combine(policy, replies)
    }

    /// A multi-key command split by slot: each key with the arguments that follow it up
    /// to the next key (its value, for `MSET`) goes in the part of its slot; the parts run
    /// one after another, and their replies are merged in the caller's key order (`MGET`)
    /// or combined by `policy` (`DEL` summed, `MSET` all succeeded).
    fn split<C: CommandArgs + ?Sized>(&mut self, cmd: &C, policy: Option<ResponsePolicy>) -> Result<Value> {
        let mut args: Vec<Vec<u8>> = Vec::with_capacity(cmd.arg_count());
        cmd.write_args(&mut args);
        let info = lookup_command(&args)
            .ok_or_else(|| cluster_error(RouteError::UnknownCommand, Delivery::NotSent))?;
        let keys: Vec<usize> = key_indices(info, &args).collect();
        let Some(&first) = keys.first() else {
            return Err(cluster_error(RouteError::CrossSlot { command: info.name }, Delivery::NotSent));
        };
        // Each key's group: its index up to the next key's.
        let groups: Vec<std::ops::Range<usize>> = keys
            .iter()
            .enumerate()
            .map(|(k, &at)| at..keys.get(k + 1).copied().unwrap_or(args.len()))
            .collect();
        let mut parts: Vec<(u16, Vec<usize>)> = Vec::new();
        for (g, group) in groups.iter().enumerate() {
            let slot = key_slot(&args[group.start]);
            match parts.iter_mut().find(|(s, _)| *s == slot) {
                Some((_, members)) => members.push(g),
                None => parts.push((slot, vec![g])),
            }
        }
        let mut merged: Vec<Value> = vec![Value::Nil; groups.len()];
        let mut replies = Vec::with_capacity(parts.len());
        for (done, (_, members)) in parts.iter().enumerate() {
            let mut part: Vec<Arg<'_>> = args[..first].iter().map(|a| Arg::Bytes(a)).collect();
            for &g in members {
                part.extend(args[groups[g].clone()].iter().map(|a| Arg::Bytes(a)));
            }
            let request = self.router.route(&part[..]).map_err(|e| cluster_error(e, Delivery::NotSent))?;
            let reply = self.run_one(&part[..], request, None).map_err(|e| partial(e, done))?;
            match (policy, reply) {
                (None, Value::Array(items)) if items.len() == members.len() => {
                    for (&g, item) in members.iter().zip(items) {
                        merged[g] = item;
                    }
                }
                (_, reply) => replies.push(reply),
            }
        }
        if policy.is_none() && replies.is_empty() {
            return Ok(Value::Array(merged));
        }
        combine(policy, replies)
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
        let mut groups: Vec<((String, u16), Vec<usize>)> = Vec::new();
        let mut one_by_one = Vec::new();
        for (i, request) in requests.iter().enumerate() {
            let node = match request.target() {
                Target::Slot(_) | Target::AnyNode => {
                    self.router.node(request).map(|n| (n.host().to_owned(), n.port()))
                }
                _ => None,
            };
            match node {
                Some(address) => match groups.iter_mut().find(|(a, _)| *a == address) {
                    Some((_, members)) => members.push(i),
                    None => groups.push((address, vec![i])),
                },
                None => one_by_one.push(i),
            }
        }
        for ((host, port), members) in groups {
            let part: Vec<&C> = members.iter().map(|&i| &commands[i]).collect();
            let mut got = Vec::with_capacity(members.len());
            let sent = self.connection(&host, port).and_then(|conn| {
                conn.pipeline_args(&part, |k, frame| got.push((k, Value::from_frame(&frame))))
            });
            for (k, value) in got {
                results[members[k]] = Some(value);
                answered_by[members[k]] = Some((host.clone(), port));
            }
            if let Err(e) = sent {
                if is_connection_error(&e) {
                    self.connections.remove(&(host.clone(), port));
                    self.router.want(ferrodis_core::cluster::RefreshReason::NodeLost);
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
        let mut slot = None;
        for command in commands {
            let request = self.router.route(command).map_err(|e| cluster_error(e, Delivery::NotSent))?;
            match (request.target(), slot) {
                (Target::Slot(s), None) => slot = Some((s, request)),
                (Target::Slot(s), Some((first, _))) if s == first => {}
                (Target::Slot(_), Some(_)) | (Target::Split(_), _) => {
                    return Err(cluster_error(RouteError::CrossSlot { command: "MULTI" }, Delivery::NotSent));
                }
                _ => {}
            }
        }
        self.refresh_if_due();
        let Some((_, request)) = slot else {
            return Err(Error::config("a cluster transaction needs a key: its slot picks the node"));
        };
        let (host, port) = match self.router.node(&request) {
            Some(node) => (node.host().to_owned(), node.port()),
            None => return Err(cluster_error(not_served(&request), Delivery::NotSent)),
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
    match reply {
        Some(Value::ServerError(e)) => Err(Error::new(ErrorKind::Server(e), Delivery::Answered)),
        Some(value) => Ok(value),
        None => Err(Error::new(ErrorKind::UnexpectedReply, Delivery::Answered)),
    }
}

/// A node of the cluster, as the client's slot map has it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClusterNode {
    /// The host to connect to.
    pub host: String,
    /// The port.
    pub port: u16,
    /// Primary or replica.
    pub role: Role,
    /// Its health, as the topology reply said.
    pub health: Health,
}

impl ClusterNode {
    fn of(node: Node<'_>) -> Self {
        Self { host: node.host().to_owned(), port: node.port(), role: node.role(), health: node.health() }
    }
}

/// A router decision with its borrows turned owned, so the client can act on it.
enum Step {
    Done,
    SendTo(String, u16, bool),
    RetryAfter(Duration),
    Fail(RouteError),
}

fn owned(next: Next<'_>) -> Step {
    match next {
        Next::Done => Step::Done,
        Next::SendTo { host, port, asking } => Step::SendTo(host.to_owned(), port, asking),
        Next::RetryAfter(delay) => Step::RetryAfter(delay),
        Next::Fail(e) => Step::Fail(e),
    }
}

/// A result with an error reply as a [`Value::ServerError`], as a pipeline collects it.
fn as_reply(result: Result<Value>) -> Result<Value> {
    match result {
        Err(e) if e.server_error().is_some() => match e.into_kind() {
            ErrorKind::Server(reply) => Ok(Value::ServerError(reply)),
            _ => unreachable!("checked to be a server error"),
        },
        other => other,
    }
}

/// Whether `e` means the node's connection is gone (or never came up).
fn is_connection_error(e: &Error) -> bool {
    matches!(e.kind(), ErrorKind::Io(_) | ErrorKind::Closed | ErrorKind::Broken | ErrorKind::Timeout)
}

fn cluster_error(e: RouteError, delivery: Delivery) -> Error {
    Error::new(ErrorKind::Cluster(e), delivery)
}

fn not_served(request: &Request) -> RouteError {
    match request.target() {
        Target::Slot(slot) => RouteError::SlotNotServed { slot },
        _ => RouteError::SlotNotServed { slot: 0 },
    }
}

/// The error of a split command's part after `done` parts ran: what ran stays done.
fn partial(e: Error, done: usize) -> Error {
    if done == 0 {
        return e;
    }
    // Earlier parts were answered: the command as a whole has an unknown outcome.
    match e.delivery() {
        Delivery::NotSent => Error::new(e.into_kind(), Delivery::Unknown),
        _ => e,
    }
}
