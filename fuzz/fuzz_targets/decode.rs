//! Decodes arbitrary bytes frame after frame with three decoders (attributes skipped,
//! attributes surfaced, tight limits) and checks, for each:
//!
//! - no panic, `consumed` is 1..=input length, `Incomplete { needed }` has `needed >= 1`;
//! - every aggregate walks fully: `iter`, `iter_with_attributes`, `pairs` and `raw` agree
//!   with `len`; a streamed string's chunks agree with its `len`, a double's text passes
//!   `Double::new` and its `value` computes;
//! - every frame re-encodes (growing the buffer to the size `BufferTooSmall` reports) and
//!   decodes back to an equal frame that consumes exactly the encoding.
#![no_main]

use ferrodis_core::EncodeError;
use ferrodis_core::resp::{
    AttributeMode, Decoded, Decoder, Double, Frame, Limits, MAX_DEPTH_CEILING, encode_frame,
};
use libfuzzer_sys::fuzz_target;

/// Small enough that the fuzzer reaches every limit.
const TIGHT: Limits = Limits { max_bulk_len: 16, max_aggregate_len: 4, max_depth: 3 };

/// Re-reads bytes the decoder accepted already: widest limits, attributes surfaced.
const WIDE: Decoder = Decoder::new()
    .with_limits(Limits {
        max_bulk_len: usize::MAX,
        max_aggregate_len: usize::MAX,
        max_depth: MAX_DEPTH_CEILING,
    })
    .with_attributes(AttributeMode::Surface);

fuzz_target!(|data: &[u8]| {
    let surface = Decoder::new().with_attributes(AttributeMode::Surface);
    for decoder in [Decoder::new(), surface, surface.with_limits(TIGHT)] {
        let mut rest = data;
        while !rest.is_empty() {
            match decoder.decode(rest) {
                Err(_) => break,
                Ok(Decoded::Incomplete { needed }) => {
                    assert!(needed >= 1, "Incomplete {{ needed: 0 }}");
                    break;
                }
                Ok(Decoded::Complete { frame, consumed }) => {
                    assert!((1..=rest.len()).contains(&consumed), "consumed {consumed} of {}", rest.len());
                    if decoder == Decoder::new() {
                        assert!(!matches!(frame, Frame::Attribute(_)), "Skip mode returned an attribute");
                    }
                    walk(&frame, 0);
                    round_trip(&decoder, &frame);
                    rest = &rest[consumed..];
                }
            }
        }
    }
});

/// Visits every element of every aggregate; `depth` is bounded by the decoder's ceiling.
fn walk(frame: &Frame<'_>, depth: usize) {
    match frame {
        Frame::Double(d) => {
            assert!(Double::new(d.text()).is_some(), "Double::new refuses a decoded {frame:?}");
            let _ = d.value();
        }
        Frame::StreamedString(s) => {
            let (mut len, mut parts) = (0, 0);
            for chunk in s.chunks() {
                assert!(!chunk.is_empty(), "empty chunk in {frame:?}");
                (len, parts) = (len + chunk.len(), parts + 1);
            }
            assert_eq!((s.len(), s.is_empty()), (len, parts == 0), "len/is_empty of {frame:?}");
        }
        _ => {}
    }
    let Some(aggregate) = frame.as_aggregate() else { return };
    assert!(depth < MAX_DEPTH_CEILING, "aggregate nested deeper than MAX_DEPTH_CEILING");
    let mut elements = 0;
    for element in aggregate.iter_with_attributes() {
        elements += usize::from(!matches!(element, Frame::Attribute(_)));
        walk(&element, depth + 1);
    }
    assert_eq!(elements, aggregate.len(), "iter_with_attributes vs len of {frame:?}");
    assert_eq!(aggregate.iter().count(), aggregate.len(), "iter vs len of {frame:?}");
    if matches!(frame, Frame::Map(_) | Frame::Attribute(_)) {
        assert_eq!(aggregate.len() % 2, 0, "odd map {frame:?}");
        assert_eq!(aggregate.pairs().count(), aggregate.len() / 2, "pairs vs len of {frame:?}");
    }
    // `raw` is exactly the elements, attributes included.
    let (mut raw, mut counted) = (aggregate.raw(), 0);
    while let Ok(Decoded::Complete { frame, consumed }) = WIDE.decode(raw) {
        counted += usize::from(!matches!(frame, Frame::Attribute(_)));
        raw = &raw[consumed..];
    }
    assert!(raw.is_empty() && counted == aggregate.len(), "raw() of {frame:?}");
}

/// Encodes `frame`, decodes the encoding with the same decoder, and compares.
fn round_trip(decoder: &Decoder, frame: &Frame<'_>) {
    let mut buf = vec![0u8; 32];
    let len = match encode_frame(&mut buf, frame) {
        Ok(n) => n,
        Err(EncodeError::BufferTooSmall { needed }) => {
            assert!(needed > buf.len(), "BufferTooSmall {{ needed: {needed} }} for {} bytes", buf.len());
            buf.resize(needed, 0);
            let n = encode_frame(&mut buf, frame).expect("encodes into the size it asked for");
            assert_eq!(n, needed, "BufferTooSmall.needed vs the encoded length");
            n
        }
        Err(e) => panic!("decoded frame does not encode: {e}: {frame:?}"),
    };
    let encoded = &buf[..len];
    match decoder.decode(encoded) {
        Ok(Decoded::Complete { frame: again, consumed }) => {
            assert_eq!(consumed, len, "re-encoding {:?} consumed partly", encoded.escape_ascii().to_string());
            assert_eq!(&again, frame, "round trip through {:?}", encoded.escape_ascii().to_string());
        }
        other => panic!("re-encoding {:?} decodes to {other:?}", encoded.escape_ascii().to_string()),
    }
}
