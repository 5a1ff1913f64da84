//! [`NodeAddress`]: a cluster node's host and port, copied out of the slot map or a
//! redirect into storage of its own, so the reply it came from can be dropped.

use core::fmt;

/// The longest node host the cluster client holds: a whole DNS name (253 bytes) fits.
pub const MAX_HOST: usize = 253;

/// A node's host (a name, or an address in text form) and port, owned.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct NodeAddress {
    host: [u8; MAX_HOST],
    len: u8,
    port: u16,
}

impl NodeAddress {
    /// `host`:`port`, or `None` when `host` is longer than [`MAX_HOST`].
    pub(crate) fn new(host: &str, port: u16) -> Option<Self> {
        let mut address = Self { host: [0; MAX_HOST], len: 0, port };
        address.host.get_mut(..host.len())?.copy_from_slice(host.as_bytes());
        address.len = host.len() as u8; // at most MAX_HOST, below 256
        Some(address)
    }

    /// The host.
    pub(crate) fn host(&self) -> &str {
        // Copied from a `&str` whole, so valid UTF-8; the fallback is never taken.
        core::str::from_utf8(&self.host[..usize::from(self.len)]).unwrap_or_default()
    }

    /// The port.
    pub(crate) const fn port(&self) -> u16 {
        self.port
    }

    /// Whether this is `host`:`port`.
    pub(crate) fn is(&self, host: &str, port: u16) -> bool {
        self.port == port && self.host() == host
    }
}

impl fmt::Debug for NodeAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host(), self.port)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for NodeAddress {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=str}:{=u16}", self.host(), self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_a_whole_dns_name_and_refuses_longer() {
        let name = "a".repeat(MAX_HOST);
        let address = NodeAddress::new(&name, 7000).unwrap();
        assert_eq!((address.host(), address.port()), (name.as_str(), 7000));
        assert!(address.is(&name, 7000) && !address.is(&name, 7001) && !address.is("a", 7000));
        assert!(NodeAddress::new(&"a".repeat(MAX_HOST + 1), 7000).is_none());
        assert_eq!(std::format!("{:?}", NodeAddress::new("10.0.0.1", 7000).unwrap()), "10.0.0.1:7000");
    }
}
