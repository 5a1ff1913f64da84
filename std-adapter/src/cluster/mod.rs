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
pub(crate) use nodes::ROLE;
pub use remap::AddressRemapFn;

use std::num::NonZeroUsize;

use ferrodis_core::cluster::{Router, RouterConfig, SlotMap};

use crate::config::{Address, ConnectionConfig};
use crate::error::{Error, ErrorKind, Result};
use crate::url::For;

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
    /// How many connections the [`AsyncClusterClient`] opens to each node (each when its
    /// turn first comes) and spreads the node's requests over, in turn: more than one
    /// keeps a slow reply or a blocking command on one from holding up every request to
    /// that node. Default 1. The blocking [`ClusterClient`] holds one per node (it is not
    /// shared) and refuses more.
    pub connections_per_node: NonZeroUsize,
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
            connections_per_node: NonZeroUsize::MIN,
            dynamic_startup_nodes: true,
        }
    }

    /// The same, with `n` connections to each node on the async client
    /// ([`connections_per_node`](Self::connections_per_node)).
    #[must_use]
    pub fn connections_per_node(self, n: NonZeroUsize) -> Self {
        Self { connections_per_node: n, ..self }
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
    /// every connection's, and its query may also carry the cluster's options, as redis-py's
    /// `RedisCluster.from_url` takes them: `read_from_replicas` and `require_full_coverage`
    /// (booleans), `reinitialize_steps` (a whole number), `cluster_error_retry_attempts`
    /// (0 to 255: the router's [`busy_retries`](RouterConfig::busy_retries)) and
    /// `dynamic_startup_nodes` (a boolean). A bad value says which values the option
    /// takes; a cluster option on a later URL, or an option no URL parser knows, is
    /// refused by name.
    ///
    /// ```
    /// use ferrodis_std::ClusterConfig;
    ///
    /// let config = ClusterConfig::from_urls(&[
    ///     "redis://10.0.0.1:7000?read_from_replicas=true&cluster_error_retry_attempts=3&dynamic_startup_nodes=no",
    ///     "redis://10.0.0.2:7000",
    /// ])?;
    /// assert!(config.router.read_from_replicas && !config.dynamic_startup_nodes);
    /// assert_eq!(config.router.busy_retries, 3);
    /// let bad = ClusterConfig::from_urls(&["redis://10.0.0.1:7000?require_full_coverage=maybe"]).unwrap_err();
    /// assert!(bad.to_string().contains("it takes true or false"), "{bad}");
    /// # Ok::<(), ferrodis_std::Error>(())
    /// ```
    pub fn from_urls(urls: &[&str]) -> Result<Self> {
        let (first, others) =
            urls.split_first().ok_or_else(|| Error::config("a cluster needs at least one startup node"))?;
        let (node, _, cluster) = ConnectionConfig::from_url_for(first, For::Cluster)?;
        let mut nodes = vec![tcp(&node)?];
        for url in others {
            nodes.push(tcp(&ConnectionConfig::from_url_for(url, For::ClusterNode)?.0)?);
        }
        let mut config = Self::new(nodes, node);
        let router = &mut config.router;
        router.read_from_replicas = cluster.read_from_replicas.unwrap_or(router.read_from_replicas);
        router.reinitialize_steps = cluster.reinitialize_steps.unwrap_or(router.reinitialize_steps);
        router.busy_retries = cluster.cluster_error_retry_attempts.unwrap_or(router.busy_retries);
        config.require_full_coverage = cluster.require_full_coverage.unwrap_or(config.require_full_coverage);
        config.dynamic_startup_nodes = cluster.dynamic_startup_nodes.unwrap_or(config.dynamic_startup_nodes);
        Ok(config)
    }

    /// [`from_urls`](Self::from_urls) with one URL (redis-py's `RedisCluster.from_url`).
    pub fn from_url(url: &str) -> Result<Self> {
        Self::from_urls(&[url])
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
        // READONLY lets a replica serve the reads routed to it; the nodes' own `readonly`
        // (a URL's `readonly=yes`) is kept too.
        config.readonly |= self.router.read_from_replicas;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> Result<ClusterConfig> {
        ClusterConfig::from_urls(&[url, "redis://other:7001"])
    }

    #[test]
    fn each_cluster_option_of_the_first_url_is_honoured() {
        let d = config("redis://h:7000").unwrap();
        assert!(!d.router.read_from_replicas && d.require_full_coverage && d.dynamic_startup_nodes);
        assert_eq!((d.router.reinitialize_steps, d.router.busy_retries), (5, 16));

        assert!(config("redis://h:7000?read_from_replicas=yes").unwrap().router.read_from_replicas);
        assert!(!config("redis://h:7000?require_full_coverage=false").unwrap().require_full_coverage);
        assert_eq!(config("redis://h:7000?reinitialize_steps=0").unwrap().router.reinitialize_steps, 0);
        assert_eq!(config("redis://h:7000?cluster_error_retry_attempts=2").unwrap().router.busy_retries, 2);
        assert!(!config("redis://h:7000?dynamic_startup_nodes=0").unwrap().dynamic_startup_nodes);
        // The rest of the query is the nodes' settings.
        let c = config("redis://:pw@h:7000?dynamic_startup_nodes=n&socket_timeout=0.5").unwrap();
        assert_eq!(c.node.socket_timeout, Some(std::time::Duration::from_millis(500)));
        assert_eq!(c.node.password.as_ref().map(|p| p.expose()), Some("pw"));
        assert_eq!(c.startup_nodes, [("h".to_owned(), 7000), ("other".to_owned(), 7001)]);
        assert_eq!(
            ClusterConfig::from_url("redis://h:7000?read_from_replicas=1").unwrap().startup_nodes.len(),
            1
        );
        // Each node connection sends READONLY with either setting, none without.
        let readonly = |url| ClusterConfig::from_url(url).unwrap().node_config("h", 7001).readonly;
        assert!(readonly("redis://h:7000?readonly=yes"));
        assert!(readonly("redis://h:7000?read_from_replicas=yes"));
        assert!(!readonly("redis://h:7000"));
    }

    #[test]
    fn a_bad_value_says_what_the_option_takes() {
        for (query, takes) in [
            ("read_from_replicas=maybe", "true or false"),
            ("require_full_coverage=2", "true or false"),
            ("reinitialize_steps=-1", "a whole number"),
            ("cluster_error_retry_attempts=256", "a whole number from 0 to 255"),
            ("dynamic_startup_nodes=on", "true or false"),
        ] {
            let e = config(&format!("redis://h:7000?{query}")).unwrap_err();
            let option = query.split('=').next().unwrap();
            let text = e.to_string();
            assert!(text.contains(&format!("'{option}': it takes {takes}")), "{query}: {text}");
        }
    }

    #[test]
    fn unknown_and_misplaced_options_are_refused_by_name() {
        let e = config("redis://h:7000?read_from_replica=true").unwrap_err();
        assert!(e.to_string().contains("unknown URL option 'read_from_replica'"), "{e}");
        let e =
            ClusterConfig::from_urls(&["redis://h:7000", "redis://o:7001?reinitialize_steps=1"]).unwrap_err();
        assert!(
            e.to_string()
                .contains("'reinitialize_steps' is not supported: a cluster's options go on its first URL"),
            "{e}"
        );
        let e = ConnectionConfig::from_url("redis://h?read_from_replicas=true").unwrap_err();
        assert!(
            e.to_string().contains("'read_from_replicas' is not supported: it is a cluster client's"),
            "{e}"
        );
        let e = config("redis://h:7000?max_connections=4").unwrap_err();
        assert!(e.to_string().contains("'max_connections' is not supported"), "{e}");
    }
}
