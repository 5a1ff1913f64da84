//! The replicas and the sentinels of a service, as a sentinel lists them (`SENTINEL
//! REPLICAS`, `SENTINEL SENTINELS`).

use super::state::{NodeState, StateError};
use crate::resp::{Arg, Frame};

/// `SENTINEL REPLICAS <service>`: the replicas a sentinel knows, with their state.
pub fn replicas_command(service: &str) -> [Arg<'_>; 3] {
    [Arg::from("SENTINEL"), Arg::from("REPLICAS"), Arg::from(service)]
}

/// `SENTINEL SENTINELS <service>`: the other sentinels watching the service.
pub fn sentinels_command(service: &str) -> [Arg<'_>; 3] {
    [Arg::from("SENTINEL"), Arg::from("SENTINELS"), Arg::from(service)]
}

/// The replicas of a `SENTINEL REPLICAS` reply that serve, in the reply's order: not down
/// (`s_down`, `o_down`, as redis-py's `filter_slaves`) and not `disconnected` from the
/// sentinel. An entry that cannot be read is an error of its own; a reply that is not a
/// list (an error reply for an unknown service) is one for the whole.
///
/// ```
/// use ferrodis_core::resp::{Decoded, decode};
/// use ferrodis_core::sentinel::serving_replicas;
///
/// let reply = b"*2\r\n\
///     *6\r\n$2\r\nip\r\n$8\r\n10.0.0.2\r\n$4\r\nport\r\n$4\r\n6380\r\n$5\r\nflags\r\n$5\r\nslave\r\n\
///     *6\r\n$2\r\nip\r\n$8\r\n10.0.0.3\r\n$4\r\nport\r\n$4\r\n6381\r\n$5\r\nflags\r\n$12\r\ns_down,slave\r\n";
/// let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
/// let up: Vec<_> = serving_replicas(&frame).unwrap().map(|n| n.unwrap().port).collect();
/// assert_eq!(up, [6380]);
/// ```
pub fn serving_replicas<'r>(
    reply: &Frame<'r>,
) -> Result<impl Iterator<Item = Result<NodeState<'r>, StateError>> + 'r, StateError> {
    nodes(reply, NodeState::is_healthy)
}

/// The sentinels of a `SENTINEL SENTINELS` reply that are not down, in the reply's order.
/// One flagged `disconnected` is kept: the sentinel asked has no link to it at the moment
/// (as right after it learnt of it), which says nothing of whether it serves.
pub fn known_sentinels<'r>(
    reply: &Frame<'r>,
) -> Result<impl Iterator<Item = Result<NodeState<'r>, StateError>> + 'r, StateError> {
    nodes(reply, |node| !node.is_down())
}

/// The entries of a listing that `keep` keeps, each read as a [`NodeState`].
fn nodes<'r>(
    reply: &Frame<'r>,
    keep: fn(&NodeState<'r>) -> bool,
) -> Result<impl Iterator<Item = Result<NodeState<'r>, StateError>> + 'r, StateError> {
    let (Frame::Array(items) | Frame::Set(items)) = reply else { return Err(StateError::NotAMap) };
    Ok(items.iter().filter_map(move |item| match NodeState::parse(item) {
        Ok(node) if keep(&node) => Some(Ok(node)),
        Ok(_) => None,
        Err(e) => Some(Err(e)),
    }))
}
