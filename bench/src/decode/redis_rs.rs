//! redis-rs's reply parser, driven the way its synchronous connection drives it: one
//! [`redis::Parser`] reading value after value from a byte stream (it copies the stream
//! into its own buffer in 8 KiB reads, as it would from a socket).

use std::hint::black_box;

use redis::Value;

use super::{Tally, broken};
use crate::corpus::Corpus;

/// Parses `corpus.frames` values from the corpus. The parser reports no byte offsets, so
/// the census pass checks instead that the stream is exhausted afterwards.
pub(super) fn parse<const CENSUS: bool>(corpus: &Corpus) -> Tally {
    let mut reader: &[u8] = &corpus.bytes;
    let mut parser = redis::Parser::new();
    let mut tally = Tally::default();
    for _ in 0..corpus.frames {
        let value = match parser.parse_value(&mut reader) {
            Ok(value) => value,
            Err(e) => broken("redis-rs", corpus.len() - reader.len(), &e),
        };
        // Timed runs visit every leaf too, as ferrodis's decode + walk does.
        tally.leaves += leaves(&value);
        black_box(&value);
        tally.frames += 1;
    }
    if CENSUS && (!reader.is_empty() || parser.parse_value(&mut reader).is_ok()) {
        broken("redis-rs", corpus.len() - reader.len(), &"bytes left after the last frame");
    }
    tally
}

/// Leaves below and including `value`. A push frame's kind (its first element, which
/// redis-rs moves out of the data) counts as one leaf; an attribute counts only the value
/// it annotates, as ferrodis skips attributes by default.
fn leaves(value: &Value) -> u64 {
    match value {
        Value::Array(items) | Value::Set(items) => items.iter().map(leaves).sum(),
        Value::Map(pairs) => pairs.iter().map(|(k, v)| leaves(k) + leaves(v)).sum(),
        Value::Push { data, .. } => 1 + data.iter().map(leaves).sum::<u64>(),
        Value::Attribute { data, .. } => leaves(data),
        _ => 1,
    }
}
