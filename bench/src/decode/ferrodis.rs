//! ferrodis-core's decoder, with and without walking the lazy aggregates.

use std::hint::black_box;

use ferrodis_core::resp::{Decoded, Frame, decode};

use super::{Tally, broken};
use crate::corpus::Corpus;

/// Decodes every frame and walks it to every leaf: the fair comparison with peers that
/// build trees.
pub(super) fn decode_and_walk(corpus: &Corpus) -> Tally {
    let mut walk = Walk::default();
    let frames = each_frame(&corpus.bytes, |frame| walk.frame(&frame));
    black_box(walk.sum);
    Tally { frames, leaves: walk.leaves }
}

/// Decodes every frame and leaves aggregates unread (validated, not iterated).
pub(super) fn decode_only(corpus: &Corpus) -> Tally {
    let frames = each_frame(&corpus.bytes, |frame| {
        black_box(frame);
    });
    Tally { frames, leaves: 0 }
}

/// Decodes `input` frame by frame, handing each frame to `visit`; returns the frame count.
#[inline(always)]
fn each_frame<'a>(input: &'a [u8], mut visit: impl FnMut(Frame<'a>)) -> u64 {
    let mut pos = 0;
    let mut frames = 0;
    while pos < input.len() {
        match decode(&input[pos..]) {
            Ok(Decoded::Complete { frame, consumed }) => {
                visit(frame);
                pos += consumed;
                frames += 1;
            }
            other => broken("ferrodis", pos, &other),
        }
    }
    frames
}

/// Visits every leaf of a frame, summing what it holds so that nothing can be skipped.
#[derive(Debug, Default)]
struct Walk {
    /// Leaves visited.
    leaves: u64,
    /// Lengths and values of the leaves, summed with wrap-around.
    sum: u64,
}

impl Walk {
    /// Adds `frame` and, for an aggregate, every element below it (depth is bounded by the
    /// decoder's nesting limit).
    fn frame(&mut self, frame: &Frame<'_>) {
        let value = match *frame {
            Frame::SimpleString(b)
            | Frame::SimpleError(b)
            | Frame::BulkString(b)
            | Frame::BigNumber(b)
            | Frame::BulkError(b)
            | Frame::VerbatimString { text: b, .. } => b.len() as u64,
            Frame::StreamedString(s) => s.len() as u64,
            Frame::Integer(n) => n as u64,
            Frame::Double(d) => d.value().to_bits(),
            Frame::Boolean(b) => u64::from(b),
            Frame::NullBulkString | Frame::NullArray | Frame::Null => 1,
            Frame::Array(a) | Frame::Map(a) | Frame::Set(a) | Frame::Attribute(a) | Frame::Push(a) => {
                for element in a.iter() {
                    self.frame(&element);
                }
                return;
            }
        };
        self.leaves += 1;
        self.sum = self.sum.wrapping_add(value);
    }
}
