//! Reading a `CLUSTER SHARDS` reply: an array of shards, each a map (a flat key-value
//! array in RESP2) of `slots` (range bounds, two by two) and `nodes` (a map per node).

use super::build::{NewNode, node_id, port};
use super::{AddressRemap, Addressing, Health, Role, SlotMap, SlotMapError};
use crate::error::ServerErrorKind;
use crate::reply::{FromFrame, Map, text};
use crate::resp::{Aggregate, Frame};

/// Fills the (empty) `map` from `reply`.
pub(super) fn read<'r, const N: usize, const R: usize, const H: usize, A: AddressRemap<'r>>(
    map: &mut SlotMap<N, R, H>,
    reply: Frame<'_>,
    addressing: &Addressing<'_, A>,
) -> Result<(), SlotMapError> {
    for shard in top_level(reply, "CLUSTER SHARDS reply")?.iter() {
        read_shard(map, shard, addressing)?;
    }
    Ok(())
}

/// The elements of a topology reply's top-level array, or the error it is.
pub(super) fn top_level<'a>(reply: Frame<'a>, what: &'static str) -> Result<Aggregate<'a>, SlotMapError> {
    match reply {
        Frame::Array(shards) => Ok(shards),
        Frame::SimpleError(text) | Frame::BulkError(text) => {
            Err(SlotMapError::ErrorReply(ServerErrorKind::of(text)))
        }
        _ => Err(SlotMapError::Shape { what }),
    }
}

fn read_shard<'r, const N: usize, const R: usize, const H: usize, A: AddressRemap<'r>>(
    map: &mut SlotMap<N, R, H>,
    shard: Frame<'_>,
    addressing: &Addressing<'_, A>,
) -> Result<(), SlotMapError> {
    let fields = Map::from_frame(shard).map_err(|_| SlotMapError::Shape { what: "shard" })?;
    let (mut slots, mut nodes) = (None, None);
    for (key, value) in fields.pairs() {
        match text(&key) {
            Some(b"slots") => slots = Some(value),
            Some(b"nodes") => nodes = Some(value),
            Some(_) => {}
            None => return Err(SlotMapError::Shape { what: "shard field name" }),
        }
    }
    let slots = array(slots.ok_or(SlotMapError::Shape { what: "shard without slots" })?, "shard slots")?;
    let nodes = array(nodes.ok_or(SlotMapError::Shape { what: "shard without nodes" })?, "shard nodes")?;

    let index = map.add_shard()?;
    // The serving primary: the master that is not failed, else the first master.
    let (mut healthy, mut failed) = (None, None);
    for node in nodes.iter() {
        let node = read_node(node, addressing)?;
        let added = map.add_node(index, node)?;
        match (node.role, node.health) {
            (Role::Replica, _) => {}
            (Role::Primary, Health::Failed) => failed = failed.or(Some(added)),
            (Role::Primary, _) if healthy.is_some_and(|h| h != added) => {
                return Err(SlotMapError::SeveralPrimaries);
            }
            (Role::Primary, _) => healthy = Some(added),
        }
    }
    if let Some(primary) = healthy.or(failed) {
        map.set_primary(index, primary);
    }

    if !slots.len().is_multiple_of(2) {
        return Err(SlotMapError::Shape { what: "shard slots" });
    }
    let mut bounds = slots.iter();
    while let (Some(first), Some(last)) = (bounds.next(), bounds.next()) {
        let first = i64::from_frame(first).map_err(|_| SlotMapError::Shape { what: "slot number" })?;
        let last = i64::from_frame(last).map_err(|_| SlotMapError::Shape { what: "slot number" })?;
        map.add_range(first, last, index)?;
    }
    Ok(())
}

/// A node's fields, its address resolved.
fn read_node<'h, 'r: 'h, A: AddressRemap<'r>>(
    node: Frame<'h>,
    addressing: &'h Addressing<'_, A>,
) -> Result<NewNode<'h>, SlotMapError> {
    let fields = Map::from_frame(node).map_err(|_| SlotMapError::Shape { what: "node" })?;
    let (mut id, mut tcp_port, mut tls_port, mut endpoint, mut role, mut health) =
        (None, None, None, None, None, Health::Unknown);
    for (key, value) in fields.pairs() {
        let Some(key) = text(&key) else {
            return Err(SlotMapError::Shape { what: "node field name" });
        };
        match key {
            b"id" => id = Some(node_id(field_text(&value, "node id")?)?),
            b"port" => tcp_port = Some(port(integer(value, "node port")?)?),
            b"tls-port" => tls_port = Some(port(integer(value, "node tls-port")?)?),
            b"endpoint" if value.is_null() => endpoint = Some(""),
            b"endpoint" => {
                let host = field_text(&value, "node endpoint")?;
                endpoint = Some(core::str::from_utf8(host).map_err(|_| SlotMapError::InvalidHost)?);
            }
            b"role" => {
                role = Some(match field_text(&value, "node role")? {
                    b"master" => Role::Primary,
                    b"replica" | b"slave" => Role::Replica,
                    _ => return Err(SlotMapError::UnknownRole),
                });
            }
            b"health" => {
                health = match field_text(&value, "node health")? {
                    b"online" => Health::Online,
                    b"loading" => Health::Loading,
                    b"fail" | b"failed" => Health::Failed,
                    _ => Health::Unknown,
                };
            }
            _ => {}
        }
    }
    let endpoint = endpoint.ok_or(SlotMapError::MissingField { field: "endpoint" })?;
    let port = match (addressing.tls, tls_port, tcp_port) {
        (true, Some(port), _) | (_, _, Some(port)) => port,
        _ => return Err(SlotMapError::MissingField { field: "port" }),
    };
    let role = role.ok_or(SlotMapError::MissingField { field: "role" })?;
    let (host, port) = addressing.resolve(Some(endpoint), port);
    Ok(NewNode { host, port, role, health, id })
}

fn array<'a>(frame: Frame<'a>, what: &'static str) -> Result<Aggregate<'a>, SlotMapError> {
    match frame {
        Frame::Array(items) => Ok(items),
        _ => Err(SlotMapError::Shape { what }),
    }
}

fn field_text<'a>(frame: &Frame<'a>, what: &'static str) -> Result<&'a [u8], SlotMapError> {
    text(frame).ok_or(SlotMapError::Shape { what })
}

fn integer(frame: Frame<'_>, what: &'static str) -> Result<i64, SlotMapError> {
    i64::from_frame(frame).map_err(|_| SlotMapError::Shape { what })
}
