//! The command encoders under test, all encoding `SET key:<i> <16-byte value>`.
//!
//! Fairness: keys and values are formatted once, before any timing, into one contiguous
//! buffer, and every implementation receives the same `&[u8]` key and value; what is timed
//! is building and encoding the command. Each implementation writes each command into a
//! buffer it reuses, as a client does before a socket write: ferrodis into a stack array,
//! redis-rs into a `Vec` via `write_packed_command` (its `Cmd` is built per command with
//! `redis::cmd("SET").arg(key).arg(value)`, as users write it), redis-protocol into a
//! stack array from a borrowed frame, or from an owned frame of `Vec`s (the way a client
//! holding owned frames would).

use std::hint::black_box;

use ferrodis_core::resp::{Arg, encode_command};
use redis_protocol::resp2::{encode, types as resp2};

use crate::e2e::workload::Workload;

/// Room for one encoded command (`SET` plus a short key and a 16-byte value).
const COMMAND_CAPACITY: usize = 128;

/// The keys and values of the commands, each stored once, back to back: the same store
/// the end-to-end workload uses, with a seed of its own.
pub(crate) type Commands = Workload;

/// Formats `n` keys `key:<i>` and `n` random 16-byte values.
pub(crate) fn commands(n: usize) -> Commands {
    Workload::with_seed(n, 0x5E7_C0DE)
}

/// A callback shown each encoded command with its index, for checks.
pub(crate) type See<'a> = &'a mut dyn FnMut(usize, &[u8]);

/// Something that encodes `SET key value` into a buffer it owns.
trait SetEncoder {
    /// A fresh encoder with an empty buffer.
    fn new() -> Self;

    /// Encodes one command; returns its bytes, valid until the next call.
    fn encode(&mut self, key: &[u8], value: &[u8]) -> &[u8];
}

/// Whose code an encoder is, which decides the ratios and goals it enters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// ferrodis: the reference of every ratio.
    Ferrodis,
    /// redis-rs.
    RedisRs,
    /// redis-protocol 6.
    RedisProtocol,
}

/// One command encoder under test.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Encoder {
    /// The name printed in the table.
    pub(crate) name: &'static str,
    /// Whose code it is.
    pub(crate) role: Role,
    /// The timed pass: encodes every command; returns the bytes produced.
    pub(crate) timed: fn(&Commands) -> u64,
    /// The untimed check: encodes every command and hands each to a callback.
    pub(crate) check: fn(&Commands, See<'_>),
}

/// Every encoder, ferrodis first.
pub(crate) fn encoders() -> [Encoder; 4] {
    [
        entry::<Ferrodis>("ferrodis encode_command", Role::Ferrodis),
        entry::<RedisRs>("redis-rs cmd().arg() + write_packed_command", Role::RedisRs),
        entry::<ProtocolBorrowed>("redis-protocol encode_borrowed", Role::RedisProtocol),
        entry::<ProtocolOwned>("redis-protocol encode (owned frame)", Role::RedisProtocol),
    ]
}

/// The table entry for encoder `E`.
fn entry<E: SetEncoder>(name: &'static str, role: Role) -> Encoder {
    Encoder { name, role, timed: pass::<E>, check: check::<E> }
}

/// Encodes every command with `E`, summing the encoded lengths.
fn pass<E: SetEncoder>(commands: &Commands) -> u64 {
    let mut encoder = E::new();
    let mut bytes = 0u64;
    for i in 0..commands.len() {
        let (key, value) = (commands.key(i), commands.value(i));
        let encoded = encoder.encode(key, value);
        bytes += encoded.len() as u64;
        black_box(encoded);
    }
    bytes
}

/// Encodes every command with `E` and shows each result to `see`.
fn check<E: SetEncoder>(commands: &Commands, see: See<'_>) {
    let mut encoder = E::new();
    for i in 0..commands.len() {
        let (key, value) = (commands.key(i), commands.value(i));
        see(i, encoder.encode(key, value));
    }
}

/// ferrodis-core's `encode_command` into a stack buffer.
struct Ferrodis {
    buf: [u8; COMMAND_CAPACITY],
}

impl SetEncoder for Ferrodis {
    fn new() -> Self {
        Self { buf: [0; COMMAND_CAPACITY] }
    }

    #[inline(always)]
    fn encode(&mut self, key: &[u8], value: &[u8]) -> &[u8] {
        match encode_command(&mut self.buf, &[Arg::Bytes(b"SET"), Arg::Bytes(key), Arg::Bytes(value)]) {
            Ok(n) => &self.buf[..n],
            Err(e) => panic!("ferrodis: {e:?}"),
        }
    }
}

/// redis-rs: a `Cmd` per command, packed into a reused `Vec`.
struct RedisRs {
    out: Vec<u8>,
}

impl SetEncoder for RedisRs {
    fn new() -> Self {
        Self { out: Vec::with_capacity(COMMAND_CAPACITY) }
    }

    #[inline(always)]
    fn encode(&mut self, key: &[u8], value: &[u8]) -> &[u8] {
        let mut cmd = redis::cmd("SET");
        cmd.arg(key).arg(value);
        self.out.clear();
        cmd.write_packed_command(&mut self.out);
        &self.out
    }
}

/// redis-protocol: a borrowed RESP2 array of bulk strings, encoded into a stack buffer.
struct ProtocolBorrowed {
    buf: [u8; COMMAND_CAPACITY],
}

impl SetEncoder for ProtocolBorrowed {
    fn new() -> Self {
        Self { buf: [0; COMMAND_CAPACITY] }
    }

    #[inline(always)]
    fn encode(&mut self, key: &[u8], value: &[u8]) -> &[u8] {
        let args = [
            resp2::BorrowedFrame::BulkString(b"SET"),
            resp2::BorrowedFrame::BulkString(key),
            resp2::BorrowedFrame::BulkString(value),
        ];
        match encode::encode_borrowed(&mut self.buf, &resp2::BorrowedFrame::Array(&args), false) {
            Ok(n) => &self.buf[..n],
            Err(e) => panic!("redis-protocol: {e:?}"),
        }
    }
}

/// redis-protocol: an owned RESP2 array (one `Vec` per argument), encoded into a stack buffer.
struct ProtocolOwned {
    buf: [u8; COMMAND_CAPACITY],
}

impl SetEncoder for ProtocolOwned {
    fn new() -> Self {
        Self { buf: [0; COMMAND_CAPACITY] }
    }

    #[inline(always)]
    fn encode(&mut self, key: &[u8], value: &[u8]) -> &[u8] {
        let frame = resp2::OwnedFrame::Array(vec![
            resp2::OwnedFrame::BulkString(b"SET".to_vec()),
            resp2::OwnedFrame::BulkString(key.to_vec()),
            resp2::OwnedFrame::BulkString(value.to_vec()),
        ]);
        match encode::encode(&mut self.buf, &frame, false) {
            Ok(n) => &self.buf[..n],
            Err(e) => panic!("redis-protocol: {e:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_encoder_writes_the_same_bytes() {
        let commands = commands(50);
        let mut reference = Vec::new();
        check::<Ferrodis>(&commands, &mut |_, bytes| reference.push(bytes.to_vec()));
        assert_eq!(reference[7].len(), "*3\r\n$3\r\nSET\r\n$5\r\nkey:7\r\n$16\r\n".len() + 16 + 2);
        assert!(reference[7].starts_with(b"*3\r\n$3\r\nSET\r\n$5\r\nkey:7\r\n$16\r\n"));
        for encoder in encoders() {
            (encoder.check)(&commands, &mut |i, bytes| assert_eq!(bytes, reference[i], "{}", encoder.name));
        }
    }
}
