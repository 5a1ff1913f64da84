//! Redis Cluster clients: core's [`Router`](ferrodis_core::cluster::Router) driven over
//! connections to each node. The router decides where each request goes and what follows
//! each reply; the clients here open the connections, move the bytes, sleep the delays it
//! computes and load the slot map when it asks for a refresh.

mod aggregate;
#[cfg(feature = "tokio")]
mod asynch;
mod blocking;
#[cfg(feature = "tokio")]
mod join;
mod nodes;
mod remap;
mod split;
mod step;

#[cfg(feature = "tokio")]
pub use asynch::AsyncClusterClient;
pub use blocking::ClusterClient;
pub use nodes::ClusterNode;
pub use remap::AddressRemapFn;

use ferrodis_core::cluster::{Router, RouterConfig, SlotMap};

use crate::config::{Address, ConnectionConfig};
use crate::error::{Error, ErrorKind, Result};

/// Nodes a cluster client's slot map holds: primaries and replicas together.
pub(crate) const MAX_NODES: usize = 512;
/// Slot ranges the map holds: every slot on its own, whatever migrations did.
pub(crate) const MAX_RANGES: usize = 16384;
/// Bytes of host names the map holds (each distinct host once).
pub(crate) const MAX_HOST_BYTES: usize = 32 * 1024;

/// The slot map of a std cluster client: up to 512 nodes, every slot in a range of its
/// own, 32 KiB of host names (on the heap: about 160 KiB).
pub type ClusterSlotMap = SlotMap<MAX_NODES, MAX_RANGES, MAX_HOST_BYTES>;

pub(crate) type Map = ClusterSlotMap;

/// The router of a std cluster client, over a [`ClusterSlotMap`].
pub(crate) type ClusterRouter = Router<MAX_NODES, MAX_RANGES, MAX_HOST_BYTES>;

/// What a cluster client connects to and how (redis-py's `RedisCluster` parameters).
///
/// ```
/// use ferrodis_std::ClusterConfig;
///
/// let config = ClusterConfig::from_urls(&["redis://:secret@10.0.0.1:7000", "redis://10.0.0.2:7000"])?;
/// assert_eq!(config.startup_nodes, [("10.0.0.1".to_string(), 7000), ("10.0.0.2".to_string(), 7000)]);
/// assert_eq!(config.node.password.as_ref().map(|p| p.expose()), Some("secret"));
/// # Ok::<(), ferrodis_std::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// The nodes asked for the slot map first (any node of the cluster will do); later
    /// refreshes ask every node the map knows too, unless
    /// [`dynamic_startup_nodes`](Self::dynamic_startup_nodes) is off.
    pub startup_nodes: Vec<(String, u16)>,
    /// The settings of every node connection (credentials, TLS, timeouts, protocol,
    /// client name); its address is replaced by each node's, its database is 0 (a cluster
    /// has only that one), and its retry policy is the router's.
    pub node: ConnectionConfig,
    /// Routing: `read_from_replicas`, `reinitialize_steps`, redirect and retry bounds,
    /// the busy backoff and the refresh interval.
    pub router: RouterConfig,
    /// redis-py's `require_full_coverage`, on by default: a slot map is taken only when
    /// every slot has a primary that has not failed; otherwise the refresh asks the next
    /// node, and when none has such a map it fails with
    /// [`ErrorKind::SlotsNotCovered`](crate::ErrorKind::SlotsNotCovered), naming the
    /// slots, and the client keeps the map it had (a new client is not made). Off, any map
    /// is taken and a request for a slot without a node fails on its own.
    pub require_full_coverage: bool,
    /// redis-py's `address_remap`: the addresses the nodes announce rewritten into the
    /// ones to connect to, for every node of every map and every redirect. `None` keeps
    /// them.
    pub address_remap: Option<AddressRemapFn>,
    /// redis-py's `dynamic_startup_nodes`, on by default: a refresh asks the nodes of the
    /// map first (those that have not failed), then the startup nodes it does not hold.
    /// Off, it asks the startup nodes only, as behind a load balancer or a DNS name whose
    /// nodes announce addresses the client must not use; when none of them gives a map the
    /// refresh fails ([`ErrorKind::ClusterRefreshFailed`](crate::ErrorKind::ClusterRefreshFailed)
    /// says only the startup nodes were asked).
    pub dynamic_startup_nodes: bool,
}

impl ClusterConfig {
    /// Startup nodes on TCP with `node` as every connection's settings.
    pub fn new(startup_nodes: impl IntoIterator<Item = (String, u16)>, node: ConnectionConfig) -> Self {
        Self {
            startup_nodes: startup_nodes.into_iter().collect(),
            node,
            router: RouterConfig::DEFAULT,
            require_full_coverage: true,
            address_remap: None,
            dynamic_startup_nodes: true,
        }
    }

    /// The same, with [`require_full_coverage`](Self::require_full_coverage) on or off.
    #[must_use]
    pub fn require_full_coverage(self, on: bool) -> Self {
        Self { require_full_coverage: on, ..self }
    }

    /// The same, with [`dynamic_startup_nodes`](Self::dynamic_startup_nodes) on or off.
    #[must_use]
    pub fn dynamic_startup_nodes(self, on: bool) -> Self {
        Self { dynamic_startup_nodes: on, ..self }
    }

    /// The same, with every announced address rewritten by `remap`
    /// ([`address_remap`](Self::address_remap)).
    #[must_use]
    pub fn address_remap(self, remap: AddressRemapFn) -> Self {
        Self { address_remap: Some(remap), ..self }
    }

    /// Startup nodes from `redis://` or `rediss://` URLs; the first URL's settings are
    /// every connection's.
    pub fn from_urls(urls: &[&str]) -> Result<Self> {
        let mut configs = urls.iter().map(|url| ConnectionConfig::from_url(url));
        let first =
            configs.next().ok_or_else(|| Error::config("a cluster needs at least one startup node"))??;
        let mut nodes = vec![tcp(&first)?];
        for config in configs {
            nodes.push(tcp(&config?)?);
        }
        Ok(Self::new(nodes, first))
    }

    /// Whether a refresh may take `map` as the cluster's; otherwise the error that says
    /// which slots it leaves without a node.
    pub(crate) fn accepts(&self, map: &Map) -> Result<()> {
        let uncovered: Vec<_> = map.uncovered_slots().collect();
        if !self.require_full_coverage || uncovered.is_empty() {
            return Ok(());
        }
        Err(Error::new(ErrorKind::SlotsNotCovered(uncovered), ferrodis_core::error::Delivery::Answered))
    }

    /// The settings of the connection to `host`:`port`.
    pub(crate) fn node_config(&self, host: &str, port: u16) -> ConnectionConfig {
        let mut config = self.node.clone();
        config.address = Address::Tcp { host: host.to_owned(), port };
        config.db = 0;
        config.retry = ferrodis_core::retry::RetryPolicy::NEVER;
        config.readonly = self.router.read_from_replicas;
        config
    }
}

/// The one slot of `cmd`'s keys, `None` for a command without keys; keys in several
/// slots (or a command the table does not know) refused as the router refuses them.
pub(crate) fn determine_slot<C: ferrodis_core::resp::CommandArgs + ?Sized>(cmd: &C) -> Result<Option<u16>> {
    ferrodis_core::cluster::command_slot(cmd)
        .map_err(|e| Error::new(ErrorKind::Cluster(e.into()), ferrodis_core::error::Delivery::NotSent))
}

/// Refuses, nothing sent, the commands of a transaction pinned to `slot` (a `WATCH`ed one)
/// when one has keys in another slot, as a transaction of keys in several slots is refused.
pub(crate) fn check_slot<C: ferrodis_core::resp::CommandArgs>(commands: &[C], slot: u16) -> Result<()> {
    for command in commands {
        if determine_slot(command)?.is_some_and(|s| s != slot) {
            let e = ferrodis_core::cluster::RouteError::CrossSlot { command: "MULTI" };
            return Err(Error::new(ErrorKind::Cluster(e), ferrodis_core::error::Delivery::NotSent));
        }
    }
    Ok(())
}

/// The TCP address of `config`: a cluster has no unix socket nodes.
fn tcp(config: &ConnectionConfig) -> Result<(String, u16)> {
    match &config.address {
        Address::Tcp { host, port } => Ok((host.clone(), *port)),
        Address::Unix(_) => Err(Error::config("a cluster node is reached over TCP, not a unix socket")),
    }
}
