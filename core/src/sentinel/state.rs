//! [`NodeState`]: one master, replica or sentinel as a sentinel describes it (`SENTINEL
//! MASTER`, `SENTINEL REPLICAS`, `SENTINEL SENTINELS`).

use core::fmt;

use crate::reply::{FromFrame, Map};
use crate::resp::Frame;

/// A node as a sentinel reports it: a RESP2 flat array or a RESP3 map of its fields, of
/// which these are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct NodeState<'a> {
    /// `ip`: the address it announces (a host name when the sentinels resolve them).
    pub host: &'a str,
    /// `port`.
    pub port: u16,
    /// `flags`, comma-separated: `master`, `slave`, `sentinel`, `s_down`, `o_down`,
    /// `disconnected`, `failover_in_progress`, ...
    pub flags: &'a str,
    /// `num-other-sentinels` (masters only): the other sentinels this one knows that watch
    /// the master.
    pub other_sentinels: Option<u32>,
    /// `master-link-status` (replicas only): `ok` or `err`, as of the sentinel's last look.
    pub master_link_ok: Option<bool>,
}

/// Why a sentinel's description of a node could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum StateError {
    /// The reply is not a map (or a flat array of fields).
    NotAMap,
    /// A field the state needs is missing.
    Missing(&'static str),
    /// A field does not hold what it should (a port that is not a number).
    Invalid(&'static str),
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAMap => f.write_str("a sentinel's node state that is not a map"),
            Self::Missing(field) => write!(f, "a sentinel's node state without `{field}`"),
            Self::Invalid(field) => write!(f, "a sentinel's node state with an invalid `{field}`"),
        }
    }
}

impl core::error::Error for StateError {}

impl<'a> NodeState<'a> {
    /// Reads one node's fields.
    ///
    /// ```
    /// use ferrodis_core::resp::{Decoded, decode};
    /// use ferrodis_core::sentinel::NodeState;
    ///
    /// let reply = b"*8\r\n$2\r\nip\r\n$8\r\n10.0.0.1\r\n$4\r\nport\r\n$4\r\n6379\r\n\
    ///     $5\r\nflags\r\n$13\r\ns_down,master\r\n$19\r\nnum-other-sentinels\r\n$1\r\n2\r\n";
    /// let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
    /// let master = NodeState::parse(frame).unwrap();
    /// assert_eq!((master.host, master.port, master.other_sentinels), ("10.0.0.1", 6379, Some(2)));
    /// assert!(master.has_flag("master") && master.has_flag("s_down") && !master.has_flag("o_down"));
    /// ```
    pub fn parse(reply: Frame<'a>) -> Result<Self, StateError> {
        let fields = Map::from_frame(reply).map_err(|_| StateError::NotAMap)?;
        let text = |key: &'static str| match fields.get_as::<&str>(key) {
            Ok(Some(value)) => Ok(value),
            Ok(None) => Err(StateError::Missing(key)),
            Err(_) => Err(StateError::Invalid(key)),
        };
        let port = text("port")?.parse().map_err(|_| StateError::Invalid("port"))?;
        let other_sentinels = match fields.get_as::<u32>("num-other-sentinels") {
            Ok(n) => n,
            Err(_) => return Err(StateError::Invalid("num-other-sentinels")),
        };
        let master_link_ok = fields.get_as::<&str>("master-link-status").ok().flatten().map(|s| s == "ok");
        Ok(Self { host: text("ip")?, port, flags: text("flags")?, other_sentinels, master_link_ok })
    }

    /// Whether `flags` holds `flag`.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.split(',').any(|f| f == flag)
    }

    /// Whether a sentinel or its quorum holds the node for down (`s_down`, `o_down`).
    pub fn is_down(&self) -> bool {
        self.has_flag("s_down") || self.has_flag("o_down")
    }

    /// Whether the node serves: not down and not `disconnected` from the sentinel. A
    /// replica's [`master_link_ok`](Self::master_link_ok) is not asked: a sentinel reads it
    /// from the replica's `INFO` only every 10 s, so it lags behind a link that just came
    /// up (or went down), and a replica without its link still answers reads.
    pub fn is_healthy(&self) -> bool {
        !self.is_down() && !self.has_flag("disconnected")
    }
}
