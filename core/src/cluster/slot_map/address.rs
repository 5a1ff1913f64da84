//! How the node addresses of a topology reply become the addresses in a slot map: the
//! stand-in for an unknown endpoint, the TLS port, and the caller's `address_remap`.

/// Rewrites each node address of a topology reply as the slot map is built: redis-py's
/// `address_remap`, for clients that reach the cluster through NAT, port forwarding or a
/// proxy, where the addresses the nodes announce are not the ones to connect to.
///
/// It returns the port to use and the host to use, or `None` to keep the announced host.
/// The host returned is copied into the map, so it may borrow from anything that outlives
/// the build (`'r`): a `&'static str`, a table of the caller's. Any closure
/// `Fn(&str, u16) -> (Option<&str>, u16)` is one (name the parameters' types, `|host: &str,
/// port: u16|`, so that it takes a host of any lifetime).
///
/// ```
/// use ferrodis_core::cluster::AddressRemap;
///
/// // Every node is reached through a local tunnel, 10000 ports up.
/// let tunnel = |_host: &str, port: u16| (Some("127.0.0.1"), port + 10000);
/// assert_eq!(tunnel.remap("10.0.0.5", 6379), (Some("127.0.0.1"), 16379));
///
/// // A table of announced host to reachable host, the others kept.
/// let table = [(String::from("10.0.0.5"), String::from("redis-0.example.test"))];
/// let lookup = |host: &str, port: u16| {
///     (table.iter().find(|(from, _)| from == host).map(|(_, to)| to.as_str()), port)
/// };
/// assert_eq!(lookup.remap("10.0.0.5", 6379), (Some("redis-0.example.test"), 6379));
/// assert_eq!(lookup.remap("10.0.0.6", 6379), (None, 6379));
/// ```
pub trait AddressRemap<'r> {
    /// The address to use for the node the reply names `host`:`port`: the host (`None`
    /// for `host` itself) and the port.
    fn remap(&self, host: &str, port: u16) -> (Option<&'r str>, u16);
}

impl<'r, F: Fn(&str, u16) -> (Option<&'r str>, u16)> AddressRemap<'r> for F {
    fn remap(&self, host: &str, port: u16) -> (Option<&'r str>, u16) {
        self(host, port)
    }
}

/// The [`AddressRemap`] that keeps every address as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NoRemap;

impl<'r> AddressRemap<'r> for NoRemap {
    fn remap(&self, _host: &str, port: u16) -> (Option<&'r str>, u16) {
        (None, port)
    }
}

/// How a topology reply's node addresses are read into a [`SlotMap`](super::SlotMap).
///
/// - `queried_host` stands in for the endpoint of a node that has none: `CLUSTER SLOTS`
///   sends a null endpoint and `CLUSTER SHARDS` an empty one when the nodes are configured
///   with `cluster-preferred-endpoint-type unknown-endpoint` (nodes behind a load balancer
///   they do not know the address of), and the specification says to use the host the
///   command was sent to, with the port the reply gives. An endpoint of `?` (a node told to
///   announce a hostname it was not given) is kept as it is: it names no reachable host,
///   and connecting to it fails, unless the remap rewrites it.
/// - `tls`: take each node's `tls-port` from `CLUSTER SHARDS` (when it has one) instead of
///   its `port`. `CLUSTER SLOTS` already answers with the port of the connection's kind.
/// - `remap`: applied to every address after that (see [`AddressRemap`]).
///
/// ```
/// use ferrodis_core::cluster::{Addressing, NoRemap};
///
/// let plain = Addressing::new("10.0.0.1");
/// assert_eq!((plain.queried_host, plain.tls, plain.remap), ("10.0.0.1", false, NoRemap));
///
/// let tunnelled = Addressing::new("localhost").tls(true).remap(|_: &str, port: u16| (Some("127.0.0.1"), port));
/// assert!(tunnelled.tls);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Addressing<'q, R = NoRemap> {
    /// The host the topology command was sent to.
    pub queried_host: &'q str,
    /// Whether the client connects with TLS (take `tls-port` from `CLUSTER SHARDS`).
    pub tls: bool,
    /// Applied to every node address.
    pub remap: R,
}

impl<'q> Addressing<'q> {
    /// Plain TCP to the addresses as the reply gives them, `queried_host` for the nodes
    /// whose endpoint is unknown.
    pub const fn new(queried_host: &'q str) -> Self {
        Self { queried_host, tls: false, remap: NoRemap }
    }
}

impl<'q, R> Addressing<'q, R> {
    /// The same, taking the TLS ports when `on`.
    #[must_use]
    pub fn tls(self, on: bool) -> Self {
        Self { tls: on, ..self }
    }

    /// The same, with every address passed through `remap`.
    #[must_use]
    pub fn remap<'r, S: AddressRemap<'r>>(self, remap: S) -> Addressing<'q, S> {
        Addressing { queried_host: self.queried_host, tls: self.tls, remap }
    }

    /// The address to store for a node the reply names `endpoint` (`None` or empty when
    /// unknown) and `port`.
    pub(super) fn resolve<'h, 'r: 'h>(&'h self, endpoint: Option<&'h str>, port: u16) -> (&'h str, u16)
    where
        R: AddressRemap<'r>,
    {
        let host = endpoint.filter(|host| !host.is_empty()).unwrap_or(self.queried_host);
        let (remapped, port) = self.remap.remap(host, port);
        (remapped.unwrap_or(host), port)
    }
}
