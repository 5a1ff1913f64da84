//! Resumable decoding and skipping: the same frames as one-shot decoding however the bytes
//! are split, each byte read once, and long frames dropped as they arrive.

use std::vec::Vec;

use proptest::prelude::*;

use super::{RESP2, RESP3, SURFACE, Tree, complete, encode_whole, tree};
use crate::resp::{DecodeState, Decoded, Decoder, Frame, Skipped};

/// Decodes `wire` fed in the pieces `cuts` marks, with one state; returns the frame and
/// how many bytes the calls had to look at beyond where the state resumed.
fn resumed(decoder: &Decoder, wire: &'static [u8], cuts: &[usize]) -> (Frame<'static>, usize, usize) {
    let mut state = DecodeState::new();
    let mut looked_at = 0;
    for &cut in cuts.iter().chain(core::iter::once(&wire.len())) {
        looked_at += cut - state.position();
        match decoder.decode_resumable(&wire[..cut], &mut state) {
            Ok(Decoded::Complete { frame, consumed }) => {
                assert!(state.is_idle());
                return (frame, consumed, looked_at);
            }
            Ok(Decoded::Incomplete { needed }) => {
                assert!(cut + needed <= wire.len(), "{} at {cut}: needed {needed}", wire.escape_ascii());
            }
            Err(e) => panic!("{} at {cut}: {e}", wire.escape_ascii()),
        }
    }
    panic!("{}: never complete", wire.escape_ascii())
}

/// Skips `wire` fed in the pieces `cuts` marks, dropping what each step says can go;
/// returns the bytes skipped in all.
fn skipped(decoder: &Decoder, wire: &[u8], cuts: &[usize]) -> usize {
    let mut state = DecodeState::new();
    let mut dropped = 0;
    for &cut in cuts.iter().chain(core::iter::once(&wire.len())) {
        if cut < dropped {
            continue;
        }
        match decoder.skip(&wire[dropped..cut], &mut state) {
            Ok(Skipped::Done { consumed }) => return dropped + consumed,
            Ok(Skipped::More { consumed }) => dropped += consumed,
            Err(e) => panic!("{} at {cut}: {e}", wire.escape_ascii()),
        }
    }
    panic!("{}: never done", wire.escape_ascii())
}

#[test]
fn every_byte_by_byte_feed_gives_the_one_shot_frame() {
    for (wire, _) in RESP2.iter().chain(RESP3) {
        let wire: &'static [u8] = Vec::leak(wire.to_vec());
        let whole = complete(&SURFACE, wire);
        let cuts: Vec<usize> = (1..wire.len()).collect();
        let (frame, consumed, _) = resumed(&SURFACE, wire, &cuts);
        assert_eq!((frame, consumed), whole, "{}", wire.escape_ascii());
        assert_eq!(skipped(&SURFACE, wire, &cuts), wire.len(), "{}", wire.escape_ascii());
    }
}

/// `*n\r\n:0\r\n:1\r\n...`, fed one byte at a time: the bytes looked at.
fn integers_byte_by_byte(n: usize) -> usize {
    let mut wire = std::format!("*{n}\r\n").into_bytes();
    for i in 0..n {
        wire.extend_from_slice(std::format!(":{}\r\n", i % 100_000).as_bytes());
    }
    let wire: &'static [u8] = Vec::leak(wire);
    let cuts: Vec<usize> = (1..wire.len()).collect();
    let (frame, consumed, looked_at) = resumed(&Decoder::DEFAULT, wire, &cuts);
    assert_eq!(consumed, wire.len());
    assert_eq!(frame.as_aggregate().map(|a| a.len()), Some(n));
    // Each call looks at the bytes since the last element boundary, so an element of L
    // bytes costs about L^2 / 2 in one-byte steps, whatever came before it. Decoding from
    // the start every time would look at about wire.len()^2 / 2 bytes.
    assert!(looked_at <= 8 * wire.len(), "{looked_at} bytes looked at for {} bytes", wire.len());
    looked_at
}

#[test]
fn a_hundred_thousand_elements_in_one_byte_steps_are_read_in_linear_time() {
    let once = integers_byte_by_byte(100_000);
    let twice = integers_byte_by_byte(200_000);
    // Twice the elements (of the same sizes), twice the work.
    assert!(twice <= once * 2 + once / 8, "100 000 elements: {once}, 200 000: {twice}");
}

#[test]
fn a_long_string_is_skipped_in_pieces_and_its_crlf_checked() {
    let mut wire = b"*2\r\n$100000\r\n".to_vec();
    wire.extend(std::iter::repeat_n(b'x', 100_000));
    wire.extend_from_slice(b"\r\n:7\r\n");
    let cuts: Vec<usize> = (1..wire.len()).step_by(997).collect();
    assert_eq!(skipped(&Decoder::DEFAULT, &wire, &cuts), wire.len());

    let mut state = DecodeState::new();
    assert_eq!(Decoder::DEFAULT.skip(b"$3\r\nab", &mut state), Ok(Skipped::More { consumed: 6 }));
    assert_eq!(Decoder::DEFAULT.skip(b"cXY", &mut state), Err(crate::DecodeError::MissingCrlf));
    assert!(state.is_idle());
}

#[test]
fn skipping_takes_over_an_unfinished_decode() {
    let wire = b"*3\r\n$1\r\na\r\n$5\r\nhello\r\n:1\r\n";
    let mut state = DecodeState::new();
    assert!(matches!(
        Decoder::DEFAULT.decode_resumable(&wire[..14], &mut state),
        Ok(Decoded::Incomplete { .. })
    ));
    assert_eq!(state.position(), 11);
    let Ok(Skipped::More { consumed }) = Decoder::DEFAULT.skip(&wire[..14], &mut state) else { panic!() };
    assert_eq!(
        Decoder::DEFAULT.skip(&wire[consumed..], &mut state),
        Ok(Skipped::Done { consumed: wire.len() - consumed })
    );
}

#[test]
fn skipping_keeps_the_limits() {
    let mut state = DecodeState::new();
    assert_eq!(Decoder::DEFAULT.skip(b"$536870913\r\n", &mut state), Err(crate::DecodeError::BulkTooLong));
    let deep = b"*1\r\n".repeat(100);
    assert_eq!(Decoder::DEFAULT.skip(&deep, &mut state), Err(crate::DecodeError::TooDeep));
    assert_eq!(Decoder::DEFAULT.skip(b"=2\r\nab\r\n", &mut state), Err(crate::DecodeError::InvalidVerbatim));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn any_split_decodes_and_skips_like_one_shot(tree in tree(), seed in any::<u64>()) {
        let wire: &'static [u8] = Vec::leak(encode_whole(&tree));
        let mut cuts = Vec::new();
        let mut rng = seed | 1;
        let mut at = 0;
        while at < wire.len() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            at += 1 + (rng % 7) as usize;
            if at < wire.len() {
                cuts.push(at);
            }
        }
        let whole = complete(&Decoder::DEFAULT, wire);
        let (frame, consumed, _) = resumed(&Decoder::DEFAULT, wire, &cuts);
        prop_assert_eq!((frame, consumed), whole);
        prop_assert_eq!(skipped(&Decoder::DEFAULT, wire, &cuts), wire.len());
        let _: &Tree = &tree;
    }
}
