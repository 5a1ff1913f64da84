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

/// The nodes of a `SENTINEL REPLICAS` or `SENTINEL SENTINELS` reply that serve, in the
/// reply's order: replicas and sentinels not down (`s_down`, `o_down`, as redis-py's
/// `filter_slaves`) and not `disconnected`. An entry
/// that cannot be read is an error of its own; a reply that is not a list (an error reply
/// for an unknown service) is one for the whole.
///
/// ```
/// use ferrodis_core::resp::{Decoded, decode};
/// use ferrodis_core::sentinel::healthy_nodes;
///
/// let reply = b"*2\r\n\
///     *6\r\n$2\r\nip\r\n$8\r\n10.0.0.2\r\n$4\r\nport\r\n$4\r\n6380\r\n$5\r\nflags\r\n$5\r\nslave\r\n\
///     *6\r\n$2\r\nip\r\n$8\r\n10.0.0.3\r\n$4\r\nport\r\n$4\r\n6381\r\n$5\r\nflags\r\n$12\r\ns_down,slave\r\n";
/// let Ok(Decoded::Complete { frame, .. }) = decode(reply) else { panic!() };
/// let up: Vec<_> = healthy_nodes(&frame).unwrap().map(|n| n.unwrap().port).collect();
/// assert_eq!(up, [6380]);
/// ```
pub fn healthy_nodes<'r>(
    reply: &Frame<'r>,
) -> Result<impl Iterator<Item = Result<NodeState<'r>, StateError>> + 'r, StateError> {
    let (Frame::Array(items) | Frame::Set(items)) = reply else { return Err(StateError::NotAMap) };
    Ok(items.iter().filter_map(|item| match NodeState::parse(item) {
        Ok(node) if node.is_healthy() => Some(Ok(node)),
        Ok(_) => None,
        Err(e) => Some(Err(e)),
    }))
}
