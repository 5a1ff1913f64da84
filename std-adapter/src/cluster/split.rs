//! A multi-key command split by slot (`MGET`, `MSET`, `DEL`, ...): which keys go in which
//! part, each part's arguments, and the parts' replies merged back in the caller's order.
//! The same plan for the blocking and the async client.

use std::ops::Range;

use ferrodis_core::cluster::{RouteError, key_slot};
use ferrodis_core::cmd::{ResponsePolicy, key_indices, lookup_command};
use ferrodis_core::error::Delivery;
use ferrodis_core::resp::{Arg, CommandArgs};

use super::aggregate::combine;
use super::step::cluster_error;
use crate::error::Result;
use crate::value::Value;

/// A command split by slot: each key with the arguments that follow it up to the next key
/// (its value, for `MSET`) is a group; the groups of one slot make a part.
pub(crate) struct Split {
    args: Vec<Vec<u8>>,
    /// The arguments before the first key: the command name.
    head: usize,
    groups: Vec<Range<usize>>,
    /// Each part's groups, in the caller's order.
    parts: Vec<Vec<usize>>,
    policy: Option<ResponsePolicy>,
}

impl Split {
    /// The plan for `cmd`, whose keys the router found in several slots.
    pub(crate) fn new<C: CommandArgs + ?Sized>(cmd: &C, policy: Option<ResponsePolicy>) -> Result<Self> {
        let mut args: Vec<Vec<u8>> = Vec::with_capacity(cmd.arg_count());
        cmd.write_args(&mut args);
        let info = lookup_command(&args)
            .ok_or_else(|| cluster_error(RouteError::UnknownCommand, Delivery::NotSent))?;
        let keys: Vec<usize> = key_indices(info, &args).collect();
        let Some(&head) = keys.first() else {
            return Err(cluster_error(RouteError::CrossSlot { command: info.name }, Delivery::NotSent));
        };
        let groups: Vec<Range<usize>> = keys
            .iter()
            .enumerate()
            .map(|(k, &at)| at..keys.get(k + 1).copied().unwrap_or(args.len()))
            .collect();
        let mut slots: Vec<u16> = Vec::new();
        let mut parts: Vec<Vec<usize>> = Vec::new();
        for (g, group) in groups.iter().enumerate() {
            let slot = key_slot(&args[group.start]);
            match slots.iter().position(|&s| s == slot) {
                Some(p) => parts[p].push(g),
                None => {
                    slots.push(slot);
                    parts.push(vec![g]);
                }
            }
        }
        Ok(Self { args, head, groups, parts, policy })
    }

    /// How many parts (slots) there are.
    pub(crate) fn len(&self) -> usize {
        self.parts.len()
    }

    /// The arguments of part `p`: the command name, then its groups.
    pub(crate) fn part(&self, p: usize) -> Vec<Arg<'_>> {
        let mut part: Vec<Arg<'_>> = self.args[..self.head].iter().map(|a| Arg::Bytes(a)).collect();
        for &g in &self.parts[p] {
            part.extend(self.args[self.groups[g].clone()].iter().map(|a| Arg::Bytes(a)));
        }
        part
    }

    /// The parts' replies, in part order, as the caller's one reply: `MGET`'s values put
    /// back in key order, or the replies combined by the response policy (`DEL` summed,
    /// `MSET` all succeeded).
    pub(crate) fn merge(&self, replies: impl IntoIterator<Item = Value>) -> Result<Value> {
        let mut merged: Vec<Value> = vec![Value::Nil; self.groups.len()];
        let mut combined = Vec::new();
        for (members, reply) in self.parts.iter().zip(replies) {
            match (self.policy, reply) {
                (None, Value::Array(items)) if items.len() == members.len() => {
                    for (&g, item) in members.iter().zip(items) {
                        merged[g] = item;
                    }
                }
                (_, reply) => combined.push(reply),
            }
        }
        if self.policy.is_none() && combined.is_empty() {
            return Ok(Value::Array(merged));
        }
        combine(self.policy, combined)
    }
}
