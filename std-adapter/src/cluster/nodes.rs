//! [`ClusterNode`], and the node queries both cluster clients answer from their slot map
//! (redis-py's `get_nodes`, `get_primaries`, `get_replicas`, `get_node_from_key`).

use ferrodis_core::cluster::{Health, Node, Request, Role, Target, key_slot};

use super::Map;
use crate::random::random_word;

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
    pub(crate) fn of(node: Node<'_>) -> Self {
        Self { host: node.host().to_owned(), port: node.port(), role: node.role(), health: node.health() }
    }
}

/// Every node of `map`, primaries and replicas.
pub(crate) fn nodes(map: &Map) -> Vec<ClusterNode> {
    map.nodes().map(ClusterNode::of).collect()
}

/// The primaries that serve slots, each once, ordered by address.
pub(crate) fn primaries(map: &Map) -> Vec<ClusterNode> {
    let mut primaries: Vec<ClusterNode> = map.ranges().map(|(_, n)| ClusterNode::of(n)).collect();
    primaries.sort_by(|a, b| (&a.host, a.port).cmp(&(&b.host, b.port)));
    primaries.dedup_by(|a, b| a.host == b.host && a.port == b.port);
    primaries
}

/// The replicas.
pub(crate) fn replicas(map: &Map) -> Vec<ClusterNode> {
    nodes(map).into_iter().filter(|n| n.role == Role::Replica).collect()
}

/// One node picked at random; `None` for an empty map.
pub(crate) fn random_node(map: &Map) -> Option<ClusterNode> {
    let nodes = nodes(map);
    let pick = usize::try_from(random_word()).unwrap_or_default() % nodes.len().max(1);
    nodes.into_iter().nth(pick)
}

/// The node that serves `key`: its slot's primary, or with `replica` its first replica
/// that has not failed (the primary when it has none).
pub(crate) fn node_for_key(map: &Map, key: &[u8], replica: bool) -> Option<ClusterNode> {
    let slot = key_slot(key);
    let mut replicas = map.replicas(slot).filter(|n| n.health() != Health::Failed);
    match (replica, replicas.next()) {
        (true, Some(node)) => Some(ClusterNode::of(node)),
        _ => map.primary(slot).map(ClusterNode::of),
    }
}

/// The node keyless commands without a tip go to (redis-py's `get_default_node`): the one
/// set as the default when the map has it and it has not failed, otherwise the map's
/// first primary.
pub(crate) fn default_node(map: &Map, chosen: Option<&(String, u16)>) -> Option<ClusterNode> {
    let set = chosen.and_then(|(host, port)| {
        map.nodes().find(|n| n.host() == host && n.port() == *port && n.health() != Health::Failed)
    });
    set.or_else(|| map.ranges().next().map(|(_, node)| node)).map(ClusterNode::of)
}

/// Whether `map` has a node at `host`:`port` (what `set_default_node` accepts).
pub(crate) fn has_node(map: &Map, host: &str, port: u16) -> bool {
    map.nodes().any(|n| n.host() == host && n.port() == port)
}

/// Where a request for one node goes now: a keyless one ([`Target::AnyNode`]) to the
/// [`default_node`], any other where the router says; `None` when no node serves it.
pub(crate) fn one_node(
    router: &mut super::ClusterRouter,
    request: &Request,
    default: Option<&(String, u16)>,
) -> Option<(String, u16)> {
    if request.target() == Target::AnyNode {
        return default_node(router.map(), default).map(|n| (n.host, n.port));
    }
    router.node(request).map(|n| (n.host().to_owned(), n.port()))
}

/// The addresses a refresh asks, in order: with
/// [`dynamic_startup_nodes`](super::ClusterConfig::dynamic_startup_nodes) the map's nodes
/// that have not failed, then the startup nodes it does not hold; without, the startup
/// nodes only.
pub(crate) fn refresh_candidates(map: &Map, config: &super::ClusterConfig) -> Vec<(String, u16)> {
    let mut candidates: Vec<(String, u16)> = match config.dynamic_startup_nodes {
        true => map
            .nodes()
            .filter(|n| n.health() != Health::Failed)
            .map(|n| (n.host().to_owned(), n.port()))
            .collect(),
        false => Vec::new(),
    };
    for node in &config.startup_nodes {
        if !candidates.contains(node) {
            candidates.push(node.clone());
        }
    }
    candidates
}

/// The distinct primaries of the map, or every node.
pub(crate) fn addresses(map: &Map, primaries_only: bool) -> Vec<(String, u16)> {
    let mut all: Vec<(String, u16)> = if primaries_only {
        map.ranges().map(|(_, n)| (n.host().to_owned(), n.port())).collect()
    } else {
        map.nodes().map(|n| (n.host().to_owned(), n.port())).collect()
    };
    all.sort();
    all.dedup();
    all
}

/// Whether a request for `target` goes to one node ([`Router::node`] says which).
///
/// [`Router::node`]: ferrodis_core::cluster::Router::node
pub(crate) fn is_single(target: Target) -> bool {
    matches!(target, Target::Slot(_) | Target::AnyNode)
}

/// A node's address and the indices of the pipeline's commands that go to it.
pub(crate) type NodeGroup = ((String, u16), Vec<usize>);

/// A pipeline's requests grouped by the node each goes to, in order of first use, and
/// those that go to several nodes (or to none the map knows), which run one by one.
pub(crate) fn group_by_node(
    router: &mut super::ClusterRouter,
    requests: &[Request],
    default: Option<&(String, u16)>,
) -> (Vec<NodeGroup>, Vec<usize>) {
    let mut groups: Vec<NodeGroup> = Vec::new();
    let mut one_by_one = Vec::new();
    for (i, request) in requests.iter().enumerate() {
        let node = match is_single(request.target()) {
            true => one_node(router, request, default),
            false => None,
        };
        match node {
            Some(address) => match groups.iter_mut().find(|(a, _)| *a == address) {
                Some((_, members)) => members.push(i),
                None => groups.push((address, vec![i])),
            },
            None => one_by_one.push(i),
        }
    }
    (groups, one_by_one)
}

/// `ROLE`, sent on every new node connection (see [`Router::on_role`](ferrodis_core::cluster::Router::on_role)).
pub(crate) const ROLE: [ferrodis_core::resp::Arg<'static>; 1] = [ferrodis_core::resp::Arg::Bytes(b"ROLE")];

/// The result of the `ROLE` check on a new connection: an error reply (a server or an ACL
/// that refuses `ROLE`) leaves the check out; any other error fails the connection.
pub(crate) fn role_checked(result: crate::Result<bool>) -> crate::Result<()> {
    match result {
        Ok(_) => Ok(()),
        Err(e) if matches!(e.kind(), crate::ErrorKind::Server(_)) => Ok(()),
        Err(e) => Err(e),
    }
}
