//! A Redis Cluster of loopback nodes, made with `redis-cli --cluster create`.

use std::net::SocketAddr;
use std::thread;
use std::time::Duration;

use crate::cli;
use crate::kind::ServerKind;
use crate::server::{RedisServer, ServerBuilder, Transport};
use crate::wait::{info_field, wait_until};

/// How long a new cluster may take to agree on its slots and link its replicas.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// A running Redis Cluster: by default 3 masters with 1 replica each, on 127.0.0.1.
///
/// Each node is a [`RedisServer`] with `cluster-enabled yes`; dropping the cluster kills
/// them all. Which nodes are masters is decided by `redis-cli --cluster create` (and may
/// change after a failover): ask [`RedisCluster::masters`].
///
/// ```no_run
/// let cluster = ferrodis_test_support::RedisCluster::start();
/// assert_eq!(cluster.redis_cli(&["SET", "{user}:1", "x"]), "OK");
/// ```
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
}

/// Options for a [`RedisCluster`]; [`ClusterBuilder::start`] starts it.
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `start` is called"]
pub struct ClusterBuilder {
    kind: Option<ServerKind>,
    masters: usize,
    replicas_per_master: usize,
    node_timeout_ms: u64,
    config: Vec<(String, String)>,
}

impl RedisCluster {
    /// Starts 6 nodes and makes them a cluster of 3 masters with 1 replica each, with
    /// `cluster-node-timeout 5000`, and waits until every node says `cluster_state:ok` and
    /// every replica is linked to its master.
    ///
    /// # Panics
    ///
    /// When a binary is missing, a node does not start or the cluster is not ready within
    /// 30 seconds.
    pub fn start() -> RedisCluster {
        RedisCluster::builder().start()
    }

    /// Options for another shape or node timeout.
    pub fn builder() -> ClusterBuilder {
        ClusterBuilder {
            kind: None,
            masters: 3,
            replicas_per_master: 1,
            node_timeout_ms: 5000,
            config: Vec::new(),
        }
    }

    /// Every node, in the order given to `redis-cli --cluster create`.
    pub fn nodes(&self) -> &[RedisServer] {
        &self.nodes
    }

    /// One node, to pause, kill or restart it.
    pub fn node_mut(&mut self, index: usize) -> &mut RedisServer {
        &mut self.nodes[index]
    }

    /// Every node's address, in [`RedisCluster::nodes`] order.
    pub fn addrs(&self) -> Vec<SocketAddr> {
        self.nodes.iter().map(RedisServer::addr).collect()
    }

    /// Every node's `redis://127.0.0.1:<port>` URL, in [`RedisCluster::nodes`] order.
    pub fn urls(&self) -> Vec<String> {
        self.nodes.iter().map(RedisServer::tcp_url).collect()
    }

    /// The indices of the nodes whose `ROLE` is `master` now (nodes that do not answer are
    /// left out).
    pub fn masters(&self) -> Vec<usize> {
        self.indices_with_role("master")
    }

    /// The indices of the nodes whose `ROLE` is `slave` now (nodes that do not answer are
    /// left out).
    pub fn replicas(&self) -> Vec<usize> {
        self.indices_with_role("slave")
    }

    /// Hands `slot`, which must hold no keys, from the primary on `from` to another
    /// primary behind every client's back (`CLUSTER SETSLOT <slot> IMPORTING` on the new
    /// owner, then `NODE <id>` on it and every other primary), and returns the new owner's
    /// port: a client with the old map meets `MOVED`.
    ///
    /// # Panics
    ///
    /// When there is no other primary, or a node refuses the change.
    pub fn move_empty_slot(&self, slot: u16, from: u16) -> u16 {
        let primaries: Vec<&RedisServer> = self.masters().into_iter().map(|i| &self.nodes[i]).collect();
        let to = primaries.iter().find(|n| n.port() != from).expect("another primary");
        let source = primaries.iter().find(|n| n.port() == from).expect("the slot's primary");
        let source_id = source.redis_cli(&["CLUSTER", "MYID"]);
        let slot = slot.to_string();
        // As a resharding does: the target imports, then takes the slot first, which bumps
        // its config epoch above every other. Otherwise a gossip message the source sent
        // while it still held the slot, arriving after the target took it, gives the slot
        // back to the source when the source's epoch is the higher: then each primary names
        // the other, and a client ping-pongs until its redirect limit.
        assert_eq!(to.redis_cli(&["CLUSTER", "SETSLOT", &slot, "IMPORTING", &source_id]), "OK");
        let to = to.port();
        self.assign_slot(slot.parse().expect("a slot number"), to);
        to
    }

    /// Ends a slot's migration to the primary on `to` (importing it): `CLUSTER SETSLOT
    /// <slot> NODE <id>` on that primary first, whose config epoch this bumps, then on every
    /// other primary, as a resharding does.
    ///
    /// # Panics
    ///
    /// When no primary listens on `to`, or a node refuses the change.
    pub fn assign_slot(&self, slot: u16, to: u16) {
        let primaries: Vec<&RedisServer> = self.masters().into_iter().map(|i| &self.nodes[i]).collect();
        let target = primaries.iter().find(|n| n.port() == to).expect("a primary on that port");
        let id = target.redis_cli(&["CLUSTER", "MYID"]);
        let slot = slot.to_string();
        let target_first =
            std::iter::once(*target).chain(primaries.iter().copied().filter(|n| n.port() != to));
        for node in target_first {
            assert_eq!(node.redis_cli(&["CLUSTER", "SETSLOT", &slot, "NODE", &id]), "OK");
        }
    }

    /// Runs `redis-cli -c` (following redirects) with `args` against the first node that
    /// accepts a connection, and returns its stdout, trimmed.
    ///
    /// # Panics
    ///
    /// When no node accepts it, with `redis-cli`'s stderr.
    pub fn redis_cli(&self, args: &[&str]) -> String {
        let mut failures = String::new();
        for node in &self.nodes {
            let mut command = node.cli_command(Transport::Tcp);
            command.arg("-c");
            match cli::try_run(command, args) {
                Ok(stdout) => return stdout,
                Err(failure) => failures.push_str(&failure),
            }
        }
        panic!("no cluster node answered:\n{failures}");
    }

    /// Waits until every running node says `cluster_state:ok` with all 16384 slots served,
    /// knows every node and sees every replica as one, and every replica is linked to its
    /// master: after a restart or a failover, for example. Resume paused nodes first.
    ///
    /// # Panics
    ///
    /// When that does not happen within 30 seconds.
    pub fn wait_until_ok(&mut self) {
        let expected_nodes = self.nodes.len().to_string();
        let running: Vec<usize> = (0..self.nodes.len()).filter(|&i| self.nodes[i].is_running()).collect();
        wait_until(READY_TIMEOUT, "the cluster is ok on every node", || {
            // Every node's view names each replica a replica: right after `--cluster
            // create` one may still show another node's replicas as masters of no slots.
            let replicas = self.replicas().len();
            for &index in &running {
                let nodes =
                    cli::try_run(self.nodes[index].cli_command(Transport::Tcp), &["CLUSTER", "NODES"])?;
                let seen = nodes
                    .lines()
                    .filter(|line| {
                        line.split(' ').nth(2).is_some_and(|flags| flags.split(',').any(|f| f == "slave"))
                    })
                    .count();
                if seen != replicas {
                    return Err(format!("node {index} sees {seen} of the {replicas} replicas:\n{nodes}"));
                }
            }
            for &index in &running {
                let node = &self.nodes[index];
                let info = cli::try_run(node.cli_command(Transport::Tcp), &["CLUSTER", "INFO"])?;
                let state = info_field(&info, "cluster_state");
                let slots_ok = info_field(&info, "cluster_slots_ok");
                let known = info_field(&info, "cluster_known_nodes");
                if state != Some("ok") || slots_ok != Some("16384") || known != Some(expected_nodes.as_str())
                {
                    return Err(format!("node {index} ({}) says:\n{info}", node.addr()));
                }
                let replication = cli::try_run(node.cli_command(Transport::Tcp), &["INFO", "replication"])?;
                if info_field(&replication, "role") == Some("slave")
                    && info_field(&replication, "master_link_status") != Some("up")
                {
                    return Err(format!("replica {index} ({}) is not linked:\n{replication}", node.addr()));
                }
            }
            Ok(())
        });
    }

    fn indices_with_role(&self, role: &str) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| {
                let reply = cli::try_run(self.nodes[i].cli_command(Transport::Tcp), &["ROLE"]);
                reply.is_ok_and(|reply| reply.lines().next() == Some(role))
            })
            .collect()
    }
}

impl ClusterBuilder {
    /// Start this kind of nodes instead of the one [`ServerKind::from_env`] names.
    pub fn server(mut self, kind: ServerKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// How many masters (at least 3, as `redis-cli --cluster create` requires).
    pub fn masters(mut self, masters: usize) -> Self {
        self.masters = masters;
        self
    }

    /// How many replicas each master gets.
    pub fn replicas_per_master(mut self, replicas: usize) -> Self {
        self.replicas_per_master = replicas;
        self
    }

    /// `cluster-node-timeout`: how long a node may be unreachable before it is failed over.
    pub fn node_timeout_ms(mut self, timeout: u64) -> Self {
        self.node_timeout_ms = timeout;
        self
    }

    /// Add a config line to every node, as [`ServerBuilder::config`] does.
    pub fn config(mut self, key: &str, value: &str) -> Self {
        self.config.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Starts the nodes, creates the cluster and waits until it is ready (see
    /// [`RedisCluster::start`]).
    ///
    /// # Panics
    ///
    /// When fewer than 3 masters are asked for, a binary is missing, a node does not start,
    /// `redis-cli --cluster create` fails, or the cluster is not ready within 30 seconds.
    pub fn start(self) -> RedisCluster {
        assert!(self.masters >= 3, "a Redis Cluster needs at least 3 masters, not {}", self.masters);
        let count = self.masters * (1 + self.replicas_per_master);
        let kind = self.kind.unwrap_or_else(ServerKind::from_env);
        let mut node = RedisServer::builder()
            .server(kind)
            .cluster_enabled(true)
            .config("cluster-node-timeout", &self.node_timeout_ms.to_string());
        for (key, value) in &self.config {
            node = node.config(key, value);
        }
        let mut cluster = RedisCluster { nodes: start_all(&node, count) };

        let addrs: Vec<String> = cluster.addrs().iter().map(SocketAddr::to_string).collect();
        let mut create = cli::command();
        create.arg("--cluster").arg("create").args(&addrs);
        create.args(["--cluster-replicas", &self.replicas_per_master.to_string(), "--cluster-yes"]);
        cli::run(create, &[]);
        cluster.wait_until_ok();
        cluster
    }
}

/// Starts `count` nodes in parallel.
fn start_all(node: &ServerBuilder, count: usize) -> Vec<RedisServer> {
    let handles: Vec<_> = (0..count)
        .map(|_| {
            let node = node.clone();
            thread::spawn(move || node.start())
        })
        .collect();
    // A panic in one thread (with the node's log) is raised again here; the nodes that did
    // start are dropped, so killed, on the way out.
    let results: Vec<_> = handles.into_iter().map(thread::JoinHandle::join).collect();
    results
        .into_iter()
        .map(|result| result.unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
        .collect()
}
