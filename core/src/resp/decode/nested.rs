//! Aggregates (and skipped attributes) in one pass with an explicit, fixed-size stack
//! instead of recursion, so nesting costs no call stack and is cut off at
//! [`Limits::max_depth`](super::Limits::max_depth).
//!
//! The stack lives in a [`DecodeState`], so a frame that arrives in pieces is decoded
//! where the last call stopped instead of from its first byte: the work for a reply is
//! linear in its size however it is split. The same loop can also *skip* a frame, dropping
//! its bytes as they arrive (for a reply too large for the read buffer).

use nom::Err;

use super::super::frame::{Aggregate, Frame};
use super::super::parse::{self, Fail};
use super::{Decoded, Decoder, Element, MAX_DEPTH_CEILING, aggregate_frame, needed_bytes};
use crate::error::DecodeError;

/// Where the decoding of a frame that is not complete yet stopped: the open aggregates and
/// the position of the first element not decoded yet. Give the same state back with the
/// same bytes plus what arrived since ([`Decoder::decode_resumable`]), and the decoder
/// carries on from there.
///
/// ```
/// use ferrodis_core::resp::{DecodeState, Decoded, Decoder, Frame};
///
/// let wire = b"*3\r\n:1\r\n:2\r\n:3\r\n";
/// let mut state = DecodeState::new();
/// let decoder = Decoder::new();
/// assert!(matches!(decoder.decode_resumable(&wire[..10], &mut state), Ok(Decoded::Incomplete { .. })));
/// assert_eq!(state.position(), 8); // `*3\r\n:1\r\n` is done and will not be read again
/// let Ok(Decoded::Complete { frame: Frame::Array(items), consumed }) = decoder.decode_resumable(wire, &mut state)
/// else {
///     panic!("whole")
/// };
/// assert_eq!((items.len(), consumed), (3, wire.len()));
/// assert_eq!(state.position(), 0); // ready for the next frame
/// ```
#[derive(Clone, Debug)]
pub struct DecodeState {
    /// Bytes from the start of the frame that belong to decoded elements and headers.
    pos: usize,
    /// `counts[d]`: for a counted aggregate open at depth `d`, the elements it still
    /// expects; for a streamed one (`*?`), the elements it has had so far. Its length is
    /// the depth.
    counts: heapless::Vec<usize, MAX_DEPTH_CEILING>,
    /// Bit `d` set: the aggregate open at depth `d` is an attribute (neither it nor its
    /// elements count towards its parent) / is streamed / is a map.
    attribute_levels: u64,
    streamed_levels: u64,
    map_levels: u64,
    /// The top-level aggregate: its type byte, element count and where its body starts.
    top: (u8, usize, usize),
    /// While skipping: bytes of a length-prefixed string still to drop, its CRLF included.
    skip_left: usize,
}

impl Default for DecodeState {
    fn default() -> Self {
        Self::new()
    }
}

impl DecodeState {
    /// The state of a frame not begun yet.
    pub const fn new() -> Self {
        Self {
            pos: 0,
            counts: heapless::Vec::new(),
            attribute_levels: 0,
            streamed_levels: 0,
            map_levels: 0,
            top: (0, 0, 0),
            skip_left: 0,
        }
    }

    /// Bytes from the start of the frame that are decoded already and will not be read
    /// again (0 when no frame is under way).
    pub const fn position(&self) -> usize {
        self.pos
    }

    /// Whether no frame is under way.
    pub fn is_idle(&self) -> bool {
        self.pos == 0 && self.counts.is_empty() && self.skip_left == 0
    }

    /// Forgets the frame under way.
    pub fn clear(&mut self) {
        self.pos = 0;
        self.counts.clear();
        self.skip_left = 0;
    }
}

/// The outcome of one [`Decoder::skip`] step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Skipped {
    /// The frame ended; its last `consumed` bytes were at the start of this input.
    Done {
        /// Bytes of this input that belonged to the frame.
        consumed: usize,
    },
    /// The frame goes on; the first `consumed` bytes of this input were skipped and can be
    /// dropped. Call again with what follows them.
    More {
        /// Bytes of this input that can be dropped.
        consumed: usize,
    },
}

/// One step of the loop: the frame, or where it stopped.
enum Step<'a> {
    Complete(Frame<'a>, usize),
    Incomplete(usize),
    /// Skip mode: this many bytes can be dropped, the frame goes on.
    Skipped(usize),
}

impl Decoder {
    /// Decodes the frame at the start of `input`, resuming where `state` says an earlier
    /// call on a shorter prefix of the same bytes stopped.
    ///
    /// The result is the one [`Decoder::decode`] gives for `input`, but each byte of an
    /// aggregate is read once however many calls the frame takes. After
    /// [`Decoded::Complete`] or an error, `state` is ready for the next frame; after
    /// [`Decoded::Incomplete`], call again with the same frame start and more bytes.
    #[inline]
    pub fn decode_resumable<'a>(
        &self,
        input: &'a [u8],
        state: &mut DecodeState,
    ) -> Result<Decoded<'a>, DecodeError> {
        if state.is_idle() {
            if let Some((payload, used)) = super::super::parse::bulk_at(input, self.limits.max_bulk_len) {
                return Ok(Decoded::Complete { frame: Frame::BulkString(payload), consumed: used });
            }
            match self.scalar(input) {
                Some(Ok(decoded)) => return Ok(decoded),
                Some(Err(e)) => return Err(e),
                None => {}
            }
        }
        match self.nested(input, state, false) {
            Ok(Step::Complete(frame, consumed)) => {
                state.clear();
                Ok(Decoded::Complete { frame, consumed })
            }
            Ok(Step::Incomplete(needed)) => Ok(Decoded::Incomplete { needed }),
            // Skip mode only.
            Ok(Step::Skipped(_)) => Ok(Decoded::Incomplete { needed: 1 }),
            Err(e) => {
                state.clear();
                Err(e)
            }
        }
    }

    /// Skips the frame at the start of `input` without needing all of it at once: bulk
    /// strings (and bulk errors and verbatim strings) of any length, and aggregates of any
    /// size, are checked as they arrive and their bytes may be dropped as soon as they are
    /// read. A line (`+`, `-`, `:`, ...) must arrive whole.
    ///
    /// `state` carries the frame across calls; it may come from an unfinished
    /// [`Decoder::decode_resumable`] of the same frame, which the skip then finishes.
    ///
    /// ```
    /// use ferrodis_core::resp::{DecodeState, Decoder, Skipped};
    ///
    /// let decoder = Decoder::new();
    /// let mut state = DecodeState::new();
    /// // A 10-byte string of which 4 bytes arrived: all 8 bytes can go.
    /// assert_eq!(decoder.skip(b"$10\r\n012", &mut state), Ok(Skipped::More { consumed: 8 }));
    /// assert_eq!(decoder.skip(b"3456789\r\n+OK\r\n", &mut state), Ok(Skipped::Done { consumed: 9 }));
    /// ```
    pub fn skip(&self, input: &[u8], state: &mut DecodeState) -> Result<Skipped, DecodeError> {
        match self.nested(input, state, true) {
            Ok(Step::Complete(_, consumed)) => {
                state.clear();
                Ok(Skipped::Done { consumed })
            }
            Ok(Step::Skipped(consumed) | Step::Incomplete(consumed)) => Ok(Skipped::More { consumed }),
            Err(e) => {
                state.clear();
                Err(e)
            }
        }
    }

    /// [`Decoder::decode`] for input that starts with an aggregate or a skipped attribute.
    #[inline(never)]
    pub(super) fn decode_nested<'a>(&self, input: &'a [u8]) -> Result<Decoded<'a>, DecodeError> {
        let mut state = DecodeState::new();
        match self.nested(input, &mut state, false)? {
            Step::Complete(frame, consumed) => Ok(Decoded::Complete { frame, consumed }),
            Step::Incomplete(needed) => Ok(Decoded::Incomplete { needed }),
            Step::Skipped(_) => Ok(Decoded::Incomplete { needed: 1 }),
        }
    }

    /// The loop over elements, from `state.pos` on. In skip mode (`skip`), bytes are
    /// reported as droppable at every element boundary and long strings are dropped as
    /// they arrive; the frame it ends with is meaningless. (A flag, not a type parameter:
    /// one copy of the loop keeps firmware small, and the flag costs a predicted branch.)
    #[inline(never)]
    fn nested<'a>(
        &self,
        input: &'a [u8],
        state: &mut DecodeState,
        skip: bool,
    ) -> Result<Step<'a>, DecodeError> {
        let max_depth = self.limits.max_depth.min(MAX_DEPTH_CEILING);
        let DecodeState {
            pos: saved_pos,
            counts,
            attribute_levels,
            streamed_levels,
            map_levels,
            top,
            skip_left,
        } = state;
        let mut pos = *saved_pos;

        // Leaves the loop at an element boundary with the frame unfinished.
        macro_rules! pause {
            ($needed:expr) => {{
                if skip {
                    // The caller drops what was skipped; the next input starts after it.
                    *saved_pos = 0;
                    top.2 = 0;
                    return Ok(Step::Skipped(pos));
                }
                *saved_pos = pos;
                return Ok(Step::Incomplete($needed));
            }};
        }

        loop {
            let element = if skip && *skip_left > 0 {
                // The payload of a long string, then its CRLF, byte by byte.
                let payload = (*skip_left - 2.min(*skip_left)).min(input.len() - pos);
                pos += payload;
                *skip_left -= payload;
                while *skip_left > 0 && *skip_left <= 2 {
                    let expected = if *skip_left == 2 { b'\r' } else { b'\n' };
                    match input.get(pos) {
                        Some(&byte) if byte == expected => {
                            pos += 1;
                            *skip_left -= 1;
                        }
                        Some(_) => return Err(DecodeError::MissingCrlf),
                        None => break,
                    }
                }
                if *skip_left > 0 {
                    pause!(0);
                }
                Element::Scalar(Frame::NullBulkString)
            } else {
                // Runs of bulk strings in a counted aggregate, the commonest shape of a
                // large reply, take a tight loop. The last element of the aggregate is left
                // to the general path below, which closes the aggregate.
                if let Some(level) = counts.len().checked_sub(1)
                    && *streamed_levels & (1 << level) == 0
                {
                    let left = &mut counts[level];
                    while *left > 1 {
                        match parse::bulk_at(&input[pos..], self.limits.max_bulk_len) {
                            Some((_, used)) => {
                                pos += used;
                                *left -= 1;
                            }
                            None => break,
                        }
                    }
                }
                if skip && let Some((header, len)) = self.long_string(&input[pos..])? {
                    // Too long to wait for: drop it as it comes.
                    pos += header;
                    *skip_left = len + 2;
                    continue;
                }
                match self.element(&input[pos..]) {
                    Ok((after, element)) => {
                        pos = input.len() - after.len();
                        element
                    }
                    Err(Err::Incomplete(needed)) => {
                        // Every element a counted aggregate still owes is at least 3 bytes.
                        let owed: usize = (0..counts.len())
                            .filter(|&d| *streamed_levels & (1 << d) == 0)
                            .map(|d| counts[d].saturating_sub(1))
                            .sum();
                        pause!(needed_bytes(needed).saturating_add(owed.saturating_mul(3)));
                    }
                    Err(Err::Error(Fail(e)) | Err::Failure(Fail(e))) => return Err(e),
                }
            };

            let depth = counts.len();
            match element {
                Element::Open { kind, count } => {
                    if depth >= max_depth {
                        return Err(DecodeError::TooDeep);
                    }
                    let bit = 1u64 << depth;
                    let set = |mask: &mut u64, on: bool| if on { *mask |= bit } else { *mask &= !bit };
                    set(attribute_levels, kind == b'|');
                    set(streamed_levels, count.is_none());
                    set(map_levels, kind == b'%');
                    // Cannot fail: depth < max_depth <= the capacity.
                    let _ = counts.push(count.unwrap_or(0));
                    if depth == 0 {
                        *top = (kind, count.unwrap_or(0), pos);
                    }
                    continue;
                }
                Element::Scalar(frame) => {
                    let is_attribute = matches!(frame, Frame::Attribute(_));
                    if depth == 0 {
                        if is_attribute && self.attributes == super::AttributeMode::Skip {
                            continue;
                        }
                        return Ok(Step::Complete(frame, pos));
                    }
                    if is_attribute {
                        // An empty attribute annotates the next element; it is not one.
                        continue;
                    }
                }
                Element::End => {
                    let Some(level) = depth.checked_sub(1) else {
                        return Err(DecodeError::UnexpectedEnd);
                    };
                    let bit = 1u64 << level;
                    let seen = counts[level];
                    if *streamed_levels & bit == 0 || (*map_levels & bit != 0 && !seen.is_multiple_of(2)) {
                        return Err(DecodeError::UnexpectedEnd);
                    }
                    counts.truncate(level);
                    if level == 0 {
                        let (kind, _, body_start) = *top;
                        // The body stops before the 3-byte end marker.
                        let body = input.get(body_start..pos - 3).unwrap_or_default();
                        return Ok(Step::Complete(aggregate_frame(kind, Aggregate::new(body, seen)), pos));
                    }
                }
            }

            // An element is complete: close every aggregate it finishes.
            while let Some(level) = counts.len().checked_sub(1) {
                let bit = 1u64 << level;
                if *streamed_levels & bit != 0 {
                    counts[level] += 1;
                    let limit = if *map_levels & bit != 0 {
                        self.limits.max_aggregate_len.saturating_mul(2)
                    } else {
                        self.limits.max_aggregate_len
                    };
                    if counts[level] > limit {
                        return Err(DecodeError::AggregateTooLong);
                    }
                    break;
                }
                counts[level] -= 1;
                if counts[level] > 0 {
                    break;
                }
                counts.truncate(level);
                let closed_attribute = *attribute_levels & bit != 0;
                if level == 0 {
                    if closed_attribute && self.attributes == super::AttributeMode::Skip {
                        break;
                    }
                    let (kind, count, body_start) = *top;
                    let body = input.get(body_start..pos).unwrap_or_default();
                    return Ok(Step::Complete(aggregate_frame(kind, Aggregate::new(body, count)), pos));
                }
                if closed_attribute {
                    break;
                }
            }
        }
    }

    /// In skip mode: a bulk string, bulk error or verbatim string whose header is here but
    /// whose payload is not all here yet, as (header length, payload length).
    fn long_string(&self, input: &[u8]) -> Result<Option<(usize, usize)>, DecodeError> {
        let Some((&(b'$' | b'!' | b'='), body)) = input.split_first() else { return Ok(None) };
        if body.first() == Some(&b'?') {
            return Ok(None);
        }
        let (rest, len) = match parse::length(body) {
            Ok((rest, Some(len))) => (rest, len),
            // Null, incomplete or invalid: the general path says which.
            _ => return Ok(None),
        };
        if len > self.limits.max_bulk_len {
            return Err(DecodeError::BulkTooLong);
        }
        if input[0] == b'=' && len < 4 {
            return Err(DecodeError::InvalidVerbatim);
        }
        if rest.len() >= len.saturating_add(2) {
            return Ok(None);
        }
        Ok(Some((input.len() - rest.len(), len)))
    }
}
