//! Free loopback ports that no other test in this process has been handed.

use std::collections::HashSet;
use std::net::{Ipv4Addr, TcpListener};
use std::sync::{Mutex, PoisonError};

/// Ports handed out so far by this process; never handed out twice.
static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// The offset Redis Cluster adds to a node's port for its cluster bus.
pub(crate) const CLUSTER_BUS_OFFSET: u16 = 10_000;

/// Returns a TCP port on 127.0.0.1 that was free a moment ago.
///
/// The port is found by binding `127.0.0.1:0` and reading the port the kernel chose. A port is
/// never handed out twice in one process, so tests running in parallel threads do not collide.
/// Another process may still take the port before the server binds it; the server starters
/// retry with new ports when that happens.
pub fn free_port() -> u16 {
    reserve(|port| Some(vec![port]))
}

/// Returns a free port `p` for which `p + 10000` (its cluster bus port) is free too.
pub(crate) fn free_cluster_port() -> u16 {
    reserve(|port| {
        let bus = port.checked_add(CLUSTER_BUS_OFFSET)?;
        bindable(bus).then(|| vec![port, bus])
    })
}

/// Asks the kernel for free ports until `ports_for` accepts one and none of the ports it
/// names has been handed out; reserves them all and returns the first.
fn reserve(ports_for: impl Fn(u16) -> Option<Vec<u16>>) -> u16 {
    for _ in 0..1000 {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap_or_else(|err| panic!("cannot bind a port on 127.0.0.1: {err}"));
        let port = listener.local_addr().expect("a bound listener has an address").port();
        drop(listener);
        if let Some(ports) = ports_for(port)
            && claim(&ports)
        {
            return port;
        }
    }
    panic!("no free loopback port found after 1000 tries");
}

/// Marks `ports` handed out, unless one of them already is.
fn claim(ports: &[u16]) -> bool {
    let mut guard = HANDED_OUT.lock().unwrap_or_else(PoisonError::into_inner);
    let set = guard.get_or_insert_with(HashSet::new);
    if ports.iter().any(|port| set.contains(port)) {
        return false;
    }
    set.extend(ports);
    true
}

fn bindable(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_never_handed_out_twice() {
        let ports: Vec<u16> = (0..200).map(|_| free_port()).collect();
        let unique: HashSet<u16> = ports.iter().copied().collect();
        assert_eq!(unique.len(), ports.len());
        assert!(ports.iter().all(|&port| port != 0));
    }

    #[test]
    fn cluster_ports_reserve_their_bus_port() {
        for _ in 0..20 {
            let port = free_cluster_port();
            let bus = port.checked_add(CLUSTER_BUS_OFFSET).expect("the bus port fits in u16");
            assert!(!claim(&[port]) && !claim(&[bus]), "{port} and {bus} are both reserved");
        }
    }
}
