//! The decoders under test, each as a function that decodes a whole corpus frame by frame
//! (decode at an offset, advance by the bytes consumed), the way a client drains its read
//! buffer.
//!
//! Fairness: peers build a full tree (vectors of frames, ranges or owned copies) inside
//! their decode call. ferrodis's aggregates are lazy, so its timed pass also walks every
//! frame recursively and touches every leaf (summing lengths and values into a
//! [`std::hint::black_box`]ed accumulator); that is the work a caller does to read the reply.
//! A ferrodis "decode only" row, which skips the walk, is printed for information and never
//! used in a ratio.

mod ferrodis;
mod redis_protocol;
mod redis_rs;

use crate::corpus::{Corpus, Protocol};

/// What one pass over a corpus found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Tally {
    /// Top-level frames decoded.
    pub(crate) frames: u64,
    /// Leaves visited; 0 when the pass does not count them.
    pub(crate) leaves: u64,
}

/// Whose code an implementation is, which decides the ratios and goals it enters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// ferrodis, measured fairly: the reference of every ratio.
    Ferrodis,
    /// ferrodis measured in a way peers cannot be compared with (information only).
    FerrodisInfo,
    /// A redis-protocol 6 decoder.
    RedisProtocol,
    /// redis-rs's parser.
    RedisRs,
}

/// One decoder under test.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decoder {
    /// The name printed in the table.
    pub(crate) name: &'static str,
    /// Whose code it is.
    pub(crate) role: Role,
    /// The timed pass: decodes the whole corpus and returns its tally.
    pub(crate) timed: fn(&Corpus) -> Tally,
    /// The untimed check pass: like `timed`, but always counts leaves.
    pub(crate) census: fn(&Corpus) -> Tally,
}

/// Every decoder that reads `protocol`, ferrodis first.
pub(crate) fn decoders(protocol: Protocol) -> Vec<Decoder> {
    let mut list = vec![
        Decoder {
            name: "ferrodis decode + walk",
            role: Role::Ferrodis,
            timed: ferrodis::decode_and_walk,
            census: ferrodis::decode_and_walk,
        },
        Decoder {
            name: "ferrodis decode only (lazy)",
            role: Role::FerrodisInfo,
            timed: ferrodis::decode_only,
            census: ferrodis::decode_and_walk,
        },
    ];
    list.extend(redis_protocol::decoders(protocol));
    list.push(Decoder {
        name: "redis-rs Parser",
        role: Role::RedisRs,
        timed: redis_rs::parse::<false>,
        census: redis_rs::parse::<true>,
    });
    list
}

/// Stops the benchmark: an implementation failed on a corpus every implementation must read.
#[cold]
#[inline(never)]
fn broken(implementation: &str, offset: usize, problem: &dyn std::fmt::Debug) -> ! {
    panic!("{implementation} failed at corpus offset {offset}: {problem:?}")
}
