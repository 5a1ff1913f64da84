//! Reading a `CLUSTER SLOTS` reply: an array of `[first, last, primary, replica...]`
//! ranges, each node `[endpoint, port, id, metadata]` (the id since Redis 4.0, the
//! metadata since 7.0).

use super::build::{NewNode, node_id, port};
use super::shards::top_level;
use super::{AddressRemap, Addressing, Health, Role, SlotMap, SlotMapError};
use crate::reply::{FromFrame, text};
use crate::resp::Frame;

/// Fills the (empty) `map` from `reply`.
pub(super) fn read<'r, const N: usize, const R: usize, const H: usize, A: AddressRemap<'r>>(
    map: &mut SlotMap<N, R, H>,
    reply: Frame<'_>,
    addressing: &Addressing<'_, A>,
) -> Result<(), SlotMapError> {
    for range in top_level(reply, "CLUSTER SLOTS reply")?.iter() {
        let Frame::Array(range) = range else {
            return Err(SlotMapError::Shape { what: "slot range" });
        };
        if range.len() < 3 {
            return Err(SlotMapError::Shape { what: "slot range" });
        }
        let mut items = range.iter();
        let first = slot_number(items.next())?;
        let last = slot_number(items.next())?;
        let primary = read_node(items.next(), Role::Primary, addressing)?;
        let shard = match map.find_node(primary.host, primary.port) {
            Some((_, shard, Role::Primary)) => shard,
            Some((_, _, Role::Replica)) => return Err(SlotMapError::InconsistentNode),
            None => {
                let shard = map.add_shard()?;
                let index = map.add_node(shard, primary)?;
                map.set_primary(shard, index);
                shard
            }
        };
        for replica in items {
            let replica = read_node(Some(replica), Role::Replica, addressing)?;
            map.add_node(shard, replica)?;
        }
        map.add_range(first, last, shard)?;
    }
    Ok(())
}

fn slot_number(frame: Option<Frame<'_>>) -> Result<i64, SlotMapError> {
    frame.and_then(|frame| i64::from_frame(frame).ok()).ok_or(SlotMapError::Shape { what: "slot number" })
}

/// A node: its endpoint (null or empty when unknown), port, and id when present.
fn read_node<'h, 'r: 'h, A: AddressRemap<'r>>(
    node: Option<Frame<'h>>,
    role: Role,
    addressing: &'h Addressing<'_, A>,
) -> Result<NewNode<'h>, SlotMapError> {
    let Some(Frame::Array(node)) = node else {
        return Err(SlotMapError::Shape { what: "node" });
    };
    let mut fields = node.iter();
    let endpoint = match fields.next() {
        Some(frame) if frame.is_null() => None,
        Some(frame) => {
            let host = text(&frame).ok_or(SlotMapError::Shape { what: "node endpoint" })?;
            Some(core::str::from_utf8(host).map_err(|_| SlotMapError::InvalidHost)?)
        }
        None => return Err(SlotMapError::MissingField { field: "endpoint" }),
    };
    let port = match fields.next() {
        Some(frame) => port(i64::from_frame(frame).map_err(|_| SlotMapError::Shape { what: "node port" })?)?,
        None => return Err(SlotMapError::MissingField { field: "port" }),
    };
    let id = match fields.next() {
        Some(frame) if frame.is_null() => None,
        Some(frame) => Some(node_id(text(&frame).ok_or(SlotMapError::Shape { what: "node id" })?)?),
        None => None,
    };
    let (host, port) = addressing.resolve(endpoint, port);
    Ok(NewNode { host, port, role, health: Health::Unknown, id })
}
