//! Feeds a byte stream to the decoder in fragments, the way a connection receives it, and
//! checks that it yields the same frames, then the same error or final `Incomplete`, as
//! decoding the whole stream frame after frame. Also checks that `Incomplete { needed }`
//! is a lower bound: the frame that completes later is at least that much longer; that
//! `decode_resumable`, carrying its state from fragment to fragment, gives exactly what
//! `decode` gives at every step; and that `skip`, fed the same fragments and dropping what
//! it skipped, ends each complete frame exactly where it ends.
//!
//! Input: byte 0 picks the decoder (bit 0: surface attributes, bit 1: tight limits) and,
//! in its high nibble, how many fragment-size bytes follow; the sizes are used in a cycle
//! (0 counts as 1, no sizes means one byte at a time). The rest is the stream.
#![no_main]

use ferrodis_core::resp::{AttributeMode, DecodeState, Decoded, Decoder, Limits, Skipped};
use libfuzzer_sys::fuzz_target;

/// Small enough that the fuzzer reaches every limit.
const TIGHT: Limits = Limits { max_bulk_len: 16, max_aggregate_len: 4, max_depth: 3 };

fuzz_target!(|data: &[u8]| {
    let Some((&header, rest)) = data.split_first() else { return };
    let (sizes, stream) = rest.split_at(usize::from(header >> 4).min(rest.len()));
    let mut decoder = Decoder::new();
    if header & 1 != 0 {
        decoder = decoder.with_attributes(AttributeMode::Surface);
    }
    if header & 2 != 0 {
        decoder = decoder.with_limits(TIGHT);
    }

    // The reference: the whole stream at once, frame after frame.
    let mut expected = Vec::new();
    let mut pos = 0;
    while pos < stream.len() {
        let step = decoder.decode(&stream[pos..]);
        expected.push(step);
        match step {
            Ok(Decoded::Complete { consumed, .. }) if consumed > 0 => pos += consumed,
            _ => break,
        }
    }

    // The connection: append a fragment, decode the unconsumed bytes, repeat.
    let (mut buf, mut start, mut fed, mut next) = (Vec::new(), 0, 0, 0);
    let mut fragments = 0;
    let mut state = DecodeState::new();
    loop {
        let pending = &buf[start..];
        let got = (!pending.is_empty()).then(|| decoder.decode(pending));
        if !pending.is_empty() {
            let resumed = decoder.decode_resumable(pending, &mut state);
            assert_eq!(Some(resumed), got, "decode_resumable after {fragments} fragments");
        }
        let at_end = fed == stream.len();
        match got {
            None if at_end => break,
            None => {}
            Some(Ok(Decoded::Complete { consumed, .. })) => {
                assert!(consumed > 0, "Complete {{ consumed: 0 }}");
                assert_eq!(got.as_ref(), expected.get(next), "frame {next} after {fragments} fragments");
                (start, next) = (start + consumed, next + 1);
                continue;
            }
            Some(Ok(Decoded::Incomplete { needed })) if !at_end => {
                assert!(needed >= 1, "Incomplete {{ needed: 0 }}");
                if let Some(Ok(Decoded::Complete { consumed, .. })) = expected.get(next) {
                    assert!(
                        pending.len() + needed <= *consumed,
                        "{:?} asked for {needed} more bytes, but its frame ends {} bytes later",
                        pending.escape_ascii().to_string(),
                        consumed - pending.len(),
                    );
                }
            }
            // An error, or an `Incomplete` with nothing left to feed: the stream ends here.
            Some(_) => {
                assert_eq!(got.as_ref(), expected.get(next), "end, frame {next} after {fragments} fragments");
                next += 1;
                break;
            }
        }
        let size = sizes.get(fragments % sizes.len().max(1)).map_or(1, |&s| usize::from(s.max(1)));
        let end = (fed + size).min(stream.len());
        buf.extend_from_slice(&stream[fed..end]);
        (fed, fragments) = (end, fragments + 1);
    }
    assert_eq!(next, expected.len(), "the whole stream decodes to more frames");

    // Skipping: each complete frame, fed in the same fragments, ends where it ends.
    let (mut buf, mut fed, mut fragments) = (Vec::new(), 0, 0);
    let mut state = DecodeState::new();
    let mut skipped = 0;
    for step in &expected {
        let Ok(Decoded::Complete { consumed, .. }) = *step else { break };
        loop {
            if !buf.is_empty() {
                match decoder.skip(&buf, &mut state) {
                    Ok(Skipped::Done { consumed: last }) => {
                        assert_eq!(skipped + last, consumed, "skip ended a frame elsewhere");
                        buf.drain(..last);
                        skipped = 0;
                        break;
                    }
                    Ok(Skipped::More { consumed: n }) => {
                        skipped += n;
                        buf.drain(..n);
                        assert!(skipped < consumed, "skip went past the end of a frame");
                    }
                    Err(e) => panic!("skip failed on a frame decode completes: {e:?}"),
                }
            }
            assert!(fed < stream.len(), "the stream ended inside a complete frame");
            let size = sizes.get(fragments % sizes.len().max(1)).map_or(1, |&s| usize::from(s.max(1)));
            let end = (fed + size).min(stream.len());
            buf.extend_from_slice(&stream[fed..end]);
            (fed, fragments) = (end, fragments + 1);
        }
    }
});
