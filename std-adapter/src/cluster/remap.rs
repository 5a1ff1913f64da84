//! [`AddressRemapFn`], redis-py's `address_remap` on the std cluster clients, and the two
//! places it applies: the addresses of a topology reply as the slot map is built, and the
//! address a redirect names.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use ferrodis_core::cluster::{AddressRemap, Addressing, Redirect, SlotMapError};
use ferrodis_core::resp::Frame;

use super::Map;

/// Rewrites the addresses the cluster's nodes announce into the ones to connect to
/// (redis-py's `address_remap`): for a client that reaches the cluster through NAT, port
/// forwarding, a proxy or a container network, where the announced addresses are not
/// reachable. It is given each announced host and port and returns the pair to use; it
/// applies to every node of every slot map the client loads and to every `MOVED` and `ASK`.
///
/// ```
/// use ferrodis_std::{AddressRemapFn, ClusterConfig};
///
/// // The nodes announce 10.0.0.x:7000; here they are reached on local ports 17000 + x.
/// let remap = AddressRemapFn::new(|host, port| match host.strip_prefix("10.0.0.") {
///     Some(x) => ("127.0.0.1".to_owned(), 17000 + x.parse::<u16>().unwrap_or(0)),
///     None => (host.to_owned(), port),
/// });
/// assert_eq!(remap.apply("10.0.0.3", 7000), ("127.0.0.1".to_owned(), 17003));
/// let config = ClusterConfig::from_urls(&["redis://127.0.0.1:17001"])?.address_remap(remap);
/// assert!(config.address_remap.is_some());
/// # Ok::<(), ferrodis_std::Error>(())
/// ```
#[derive(Clone)]
pub struct AddressRemapFn(Arc<RemapFn>);

/// The function inside an [`AddressRemapFn`].
type RemapFn = dyn Fn(&str, u16) -> (String, u16) + Send + Sync;

impl AddressRemapFn {
    /// The remap that `remap` computes.
    pub fn new(remap: impl Fn(&str, u16) -> (String, u16) + Send + Sync + 'static) -> Self {
        Self(Arc::new(remap))
    }

    /// The address to connect to for the node announced as `host`:`port`.
    pub fn apply(&self, host: &str, port: u16) -> (String, u16) {
        (self.0)(host, port)
    }
}

impl fmt::Debug for AddressRemapFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AddressRemapFn(..)")
    }
}

/// Which topology command a reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Topology {
    /// `CLUSTER SHARDS` (7.0 and later).
    Shards,
    /// `CLUSTER SLOTS`.
    Slots,
}

/// Loads `reply` into `map`, its addresses read by `addressing` and then, when there is
/// one, passed through `remap`.
///
/// Core copies a remapped host into the map from a borrow, so the remap's owned answers
/// are worked out first: one pass records the addresses the reply names, the remap runs
/// once for each, and a second pass builds the map from that table.
pub(crate) fn load_topology(
    map: &mut Map,
    reply: Frame<'_>,
    topology: Topology,
    addressing: Addressing<'_>,
    remap: Option<&AddressRemapFn>,
) -> Result<(), SlotMapError> {
    let Some(remap) = remap else {
        return load(map, reply, topology, &addressing);
    };
    let announced = RefCell::new(Vec::new());
    let record = |host: &str, port: u16| {
        announced.borrow_mut().push((host.to_owned(), port));
        (None, port)
    };
    load(map, reply, topology, &addressing.remap(record))?;
    let table: HashMap<(String, u16), (String, u16)> = announced
        .into_inner()
        .into_iter()
        .map(|(host, port)| {
            let to = remap.apply(&host, port);
            ((host, port), to)
        })
        .collect();
    let lookup = |host: &str, port: u16| match table.get(&(host.to_owned(), port)) {
        Some((to, to_port)) => (Some(to.as_str()), *to_port),
        None => (None, port),
    };
    load(map, reply, topology, &addressing.remap(lookup))
}

fn load<'r, R: AddressRemap<'r>>(
    map: &mut Map,
    reply: Frame<'_>,
    topology: Topology,
    addressing: &Addressing<'_, R>,
) -> Result<(), SlotMapError> {
    match topology {
        Topology::Shards => map.load_cluster_shards(reply, addressing),
        Topology::Slots => map.load_cluster_slots(reply, addressing),
    }
}

/// The remapped address of the redirect in `text` (an error reply's text), for
/// [`Router::on_reply_remapped`](ferrodis_core::cluster::Router::on_reply_remapped);
/// `None` when there is no remap or `text` is no redirect. A redirect without a host
/// names `from`'s.
pub(crate) fn redirect_target(
    remap: Option<&AddressRemapFn>,
    text: &[u8],
    from: &str,
) -> Option<(String, u16)> {
    let redirect = Redirect::parse(text).ok()?;
    Some(remap?.apply(redirect.host().unwrap_or(from), redirect.port()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrodis_core::resp::{Decoded, decode};

    fn frame(wire: &[u8]) -> Frame<'_> {
        match decode(wire) {
            Ok(Decoded::Complete { frame, .. }) => frame,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_node_of_a_topology_reply_is_remapped_once() {
        // Two shards, each a primary and a replica, announced on 10.0.0.x.
        let wire = b"*2\r\n\
            *4\r\n:0\r\n:8191\r\n*2\r\n$8\r\n10.0.0.1\r\n:7000\r\n*2\r\n$8\r\n10.0.0.2\r\n:7000\r\n\
            *4\r\n:8192\r\n:16383\r\n*2\r\n$8\r\n10.0.0.3\r\n:7000\r\n*2\r\n$8\r\n10.0.0.4\r\n:7000\r\n";
        let calls = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = Arc::clone(&calls);
        let remap = AddressRemapFn::new(move |host, port| {
            seen.lock().unwrap().push(host.to_owned());
            let x: u16 = host.rsplit('.').next().unwrap().parse().unwrap();
            ("localhost".to_owned(), port + 10000 + x)
        });
        let mut map = Map::new();
        let addressing = Addressing::new("127.0.0.1");
        load_topology(&mut map, frame(wire), Topology::Slots, addressing, Some(&remap)).unwrap();
        let nodes: Vec<(String, u16)> = map.nodes().map(|n| (n.host().to_owned(), n.port())).collect();
        assert_eq!(nodes.len(), 4);
        assert!(nodes.iter().all(|(host, _)| host == "localhost"), "{nodes:?}");
        let mut ports: Vec<u16> = nodes.iter().map(|(_, port)| *port).collect();
        ports.sort_unstable();
        assert_eq!(ports, [17001, 17002, 17003, 17004]);
        assert_eq!(map.primary(0).map(|n| n.port()), Some(17001));
        assert_eq!(map.primary(16383).map(|n| n.port()), Some(17003));
        assert_eq!(calls.lock().unwrap().len(), 4);

        // Without a remap the announced addresses stay.
        load_topology(&mut map, frame(wire), Topology::Slots, addressing, None).unwrap();
        assert_eq!(map.primary(0).map(|n| (n.host().to_owned(), n.port())), Some(("10.0.0.1".into(), 7000)));
    }

    #[test]
    fn a_redirect_target_is_remapped_and_a_hostless_one_names_the_node_that_answered() {
        let remap = AddressRemapFn::new(|host, port| (format!("via-{host}"), port + 1));
        let moved = redirect_target(Some(&remap), b"MOVED 12182 10.0.0.7:7001", "127.0.0.1");
        assert_eq!(moved, Some(("via-10.0.0.7".to_owned(), 7002)));
        let hostless = redirect_target(Some(&remap), b"ASK 1 :7005", "127.0.0.1");
        assert_eq!(hostless, Some(("via-127.0.0.1".to_owned(), 7006)));
        assert_eq!(redirect_target(Some(&remap), b"TRYAGAIN later", "127.0.0.1"), None);
        assert_eq!(redirect_target(None, b"MOVED 1 10.0.0.7:7001", "127.0.0.1"), None);
        assert_eq!(format!("{remap:?}"), "AddressRemapFn(..)");
    }
}
