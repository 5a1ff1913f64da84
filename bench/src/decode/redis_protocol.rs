//! redis-protocol 6's decoders: the range decoder (frames of offsets into the input), the
//! owned decoder (frames of `Vec`s) and the `Bytes` decoder (frames of shared slices, the
//! one fred uses), for RESP2 and RESP3.

use std::hint::black_box;

use redis_protocol::{resp2, resp3};

use super::{Decoder, Role, Tally, broken};
use crate::corpus::{Corpus, Protocol};

/// The three decoders for `protocol`.
pub(super) fn decoders(protocol: Protocol) -> [Decoder; 3] {
    match protocol {
        Protocol::Resp2 => [
            Decoder {
                name: "redis-protocol resp2 decode_range",
                role: Role::RedisProtocol,
                timed: resp2_range::<false>,
                census: resp2_range::<true>,
            },
            Decoder {
                name: "redis-protocol resp2 decode (owned)",
                role: Role::RedisProtocol,
                timed: resp2_owned::<false>,
                census: resp2_owned::<true>,
            },
            Decoder {
                name: "redis-protocol resp2 decode_bytes",
                role: Role::RedisProtocol,
                timed: resp2_bytes::<false>,
                census: resp2_bytes::<true>,
            },
        ],
        Protocol::Resp3 => [
            Decoder {
                name: "redis-protocol resp3 decode_range",
                role: Role::RedisProtocol,
                timed: resp3_range::<false>,
                census: resp3_range::<true>,
            },
            Decoder {
                name: "redis-protocol resp3 decode (owned)",
                role: Role::RedisProtocol,
                timed: resp3_owned::<false>,
                census: resp3_owned::<true>,
            },
            Decoder {
                name: "redis-protocol resp3 decode_bytes",
                role: Role::RedisProtocol,
                timed: resp3_bytes::<false>,
                census: resp3_bytes::<true>,
            },
        ],
    }
}

/// Drives `step` (decode at an offset: the frame and the bytes it used, `Ok(None)` when
/// incomplete) over `len` bytes. With `CENSUS` the leaves are counted, otherwise each frame
/// is only handed to `black_box` and dropped, the tree having been built by the decoder.
#[inline(always)]
fn stream<const CENSUS: bool, F, E: std::fmt::Debug>(
    name: &str,
    len: usize,
    mut step: impl FnMut(usize) -> Result<Option<(F, usize)>, E>,
    leaves: impl Fn(&F) -> u64,
) -> Tally {
    let mut tally = Tally::default();
    let mut pos = 0;
    while pos < len {
        match step(pos) {
            Ok(Some((frame, used))) => {
                // Timed runs visit every leaf too, as ferrodis's decode + walk does:
                // a decoded reply is only worth something once it is read.
                tally.leaves += leaves(&frame);
                black_box(&frame);
                pos += used;
                tally.frames += 1;
            }
            Ok(None) => broken(name, pos, &"incomplete frame"),
            Err(e) => broken(name, pos, &e),
        }
    }
    tally
}

/// RESP2, range frames: offsets into the corpus, `Vec`s for arrays.
fn resp2_range<const CENSUS: bool>(corpus: &Corpus) -> Tally {
    let input = &corpus.bytes[..];
    stream::<CENSUS, _, _>(
        "redis-protocol resp2 decode_range",
        input.len(),
        |pos| resp2::decode::decode_range(&input[pos..]),
        resp2_range_leaves,
    )
}

/// RESP2, owned frames: every string copied into a `Vec`.
fn resp2_owned<const CENSUS: bool>(corpus: &Corpus) -> Tally {
    let input = &corpus.bytes[..];
    stream::<CENSUS, _, _>(
        "redis-protocol resp2 decode",
        input.len(),
        |pos| resp2::decode::decode(&input[pos..]),
        resp2_owned_leaves,
    )
}

/// RESP2, `Bytes` frames: slices sharing the corpus's `Bytes`.
fn resp2_bytes<const CENSUS: bool>(corpus: &Corpus) -> Tally {
    let input = &corpus.shared;
    stream::<CENSUS, _, _>(
        "redis-protocol resp2 decode_bytes",
        input.len(),
        |pos| resp2::decode::decode_bytes(&input.slice(pos..)),
        resp2_bytes_leaves,
    )
}

/// RESP3 (complete frames), range frames: maps and sets in hash tables.
fn resp3_range<const CENSUS: bool>(corpus: &Corpus) -> Tally {
    let input = &corpus.bytes[..];
    stream::<CENSUS, _, _>(
        "redis-protocol resp3 decode_range",
        input.len(),
        |pos| resp3::decode::complete::decode_range(&input[pos..]),
        resp3_range_leaves,
    )
}

/// RESP3 (complete frames), owned frames.
fn resp3_owned<const CENSUS: bool>(corpus: &Corpus) -> Tally {
    let input = &corpus.bytes[..];
    stream::<CENSUS, _, _>(
        "redis-protocol resp3 decode",
        input.len(),
        |pos| resp3::decode::complete::decode(&input[pos..]),
        resp3_owned_leaves,
    )
}

/// RESP3 (complete frames), `Bytes` frames.
fn resp3_bytes<const CENSUS: bool>(corpus: &Corpus) -> Tally {
    let input = &corpus.shared;
    stream::<CENSUS, _, _>(
        "redis-protocol resp3 decode_bytes",
        input.len(),
        |pos| resp3::decode::complete::decode_bytes(&input.slice(pos..)),
        resp3_bytes_leaves,
    )
}

/// Leaf counters for the three RESP2 frame types, which share their variant names.
macro_rules! resp2_leaves {
    ($($name:ident: $($frame:ident)::+;)*) => {$(
        fn $name(frame: &$($frame)::+) -> u64 {
            match frame {
                $($frame)::+::Array(elements) => elements.iter().map($name).sum(),
                _ => 1,
            }
        }
    )*};
}

resp2_leaves! {
    resp2_range_leaves: resp2::types::RangeFrame;
    resp2_owned_leaves: resp2::types::OwnedFrame;
    resp2_bytes_leaves: resp2::types::BytesFrame;
}

/// Leaf counters for the three RESP3 frame types, which share their variant names.
macro_rules! resp3_leaves {
    ($($name:ident: $($frame:ident)::+;)*) => {$(
        fn $name(frame: &$($frame)::+) -> u64 {
            match frame {
                $($frame)::+::Array { data, .. } | $($frame)::+::Push { data, .. } => data.iter().map($name).sum(),
                $($frame)::+::Set { data, .. } => data.iter().map($name).sum(),
                $($frame)::+::Map { data, .. } => data.iter().map(|(k, v)| $name(k) + $name(v)).sum(),
                _ => 1,
            }
        }
    )*};
}

resp3_leaves! {
    resp3_range_leaves: resp3::types::RangeFrame;
    resp3_owned_leaves: resp3::types::OwnedFrame;
    resp3_bytes_leaves: resp3::types::BytesFrame;
}
