//! Test vectors from the RESP2 protocol page and the RESP3 specification, split at every
//! byte boundary; hostile input; and an encode/decode round trip property.

use std::boxed::Box;
use std::string::{String, ToString};
use std::vec;
use std::vec::Vec;

use proptest::prelude::*;

use super::*;
use crate::resp::{Encoder, SliceOutput, encode_frame};

/// The expected shape of a decoded frame, written out by hand.
#[derive(Debug, Clone)]
enum Want {
    Simple(&'static [u8]),
    Error(&'static [u8]),
    Int(i64),
    Bulk(&'static [u8]),
    NullBulk,
    NullArray,
    Null,
    Bool(bool),
    Double(f64),
    Big(&'static [u8]),
    BulkError(&'static [u8]),
    Verbatim(&'static [u8; 3], &'static [u8]),
    Array(&'static [Want]),
    Map(&'static [Want]),
    Set(&'static [Want]),
    Attribute(&'static [Want]),
    Push(&'static [Want]),
    Streamed(&'static [&'static [u8]]),
}

use Want::*;

/// Whether `frame` is `want`, aggregates compared with their attributes.
fn is(frame: &Frame<'_>, want: &Want) -> bool {
    let elements = |a: &Aggregate<'_>, w: &[Want]| {
        a.iter_with_attributes().count() == w.len() && a.iter_with_attributes().zip(w).all(|(f, w)| is(&f, w))
    };
    match (frame, want) {
        (Frame::SimpleString(a), Simple(b))
        | (Frame::SimpleError(a), Error(b))
        | (Frame::BulkString(a), Bulk(b))
        | (Frame::BigNumber(a), Big(b))
        | (Frame::BulkError(a), BulkError(b)) => a == b,
        (Frame::Integer(a), Int(b)) => a == b,
        (Frame::Boolean(a), Bool(b)) => a == b,
        (Frame::Double(a), Double(b)) => a.value() == *b || (a.value().is_nan() && b.is_nan()),
        (Frame::NullBulkString, NullBulk) | (Frame::NullArray, NullArray) | (Frame::Null, Null) => true,
        (Frame::VerbatimString { format, text }, Verbatim(f, t)) => format == *f && text == t,
        (Frame::Array(a), Array(w))
        | (Frame::Map(a), Map(w))
        | (Frame::Set(a), Set(w))
        | (Frame::Attribute(a), Attribute(w))
        | (Frame::Push(a), Push(w)) => elements(a, w),
        (Frame::StreamedString(s), Streamed(parts)) => s.chunks().eq(parts.iter().copied()),
        _ => false,
    }
}

/// RESP2 protocol page examples.
const RESP2: &[(&[u8], Want)] = &[
    (b"+OK\r\n", Simple(b"OK")),
    (b"-Error message\r\n", Error(b"Error message")),
    (b"-ERR unknown command 'asdf'\r\n", Error(b"ERR unknown command 'asdf'")),
    (
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
        Error(b"WRONGTYPE Operation against a key holding the wrong kind of value"),
    ),
    (b":0\r\n", Int(0)),
    (b":1000\r\n", Int(1000)),
    (b":-1000\r\n", Int(-1000)),
    (b"$5\r\nhello\r\n", Bulk(b"hello")),
    (b"$0\r\n\r\n", Bulk(b"")),
    (b"$-1\r\n", NullBulk),
    (b"*0\r\n", Array(&[])),
    (b"*2\r\n$5\r\nhello\r\n$5\r\nworld\r\n", Array(&[Bulk(b"hello"), Bulk(b"world")])),
    (b"*3\r\n:1\r\n:2\r\n:3\r\n", Array(&[Int(1), Int(2), Int(3)])),
    (
        b"*5\r\n:1\r\n:2\r\n:3\r\n:4\r\n$5\r\nhello\r\n",
        Array(&[Int(1), Int(2), Int(3), Int(4), Bulk(b"hello")]),
    ),
    (b"*-1\r\n", NullArray),
    (
        b"*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Hello\r\n-World\r\n",
        Array(&[Array(&[Int(1), Int(2), Int(3)]), Array(&[Simple(b"Hello"), Error(b"World")])]),
    ),
    (b"*3\r\n$5\r\nhello\r\n$-1\r\n$5\r\nworld\r\n", Array(&[Bulk(b"hello"), NullBulk, Bulk(b"world")])),
    (b"$8\r\nbin\r\n\x00\xff!\r\n", Bulk(b"bin\r\n\x00\xff!")),
];

/// RESP3 specification examples (attributes decoded in surface mode).
const RESP3: &[(&[u8], Want)] = &[
    (b"$11\r\nhello world\r\n", Bulk(b"hello world")),
    (b"+hello world\r\n", Simple(b"hello world")),
    (b"-ERR this is the error description\r\n", Error(b"ERR this is the error description")),
    (b":1234\r\n", Int(1234)),
    (b"_\r\n", Null),
    (b",1.23\r\n", Double(1.23)),
    (b",10\r\n", Double(10.0)),
    (b",inf\r\n", Double(f64::INFINITY)),
    (b",-inf\r\n", Double(f64::NEG_INFINITY)),
    (b",nan\r\n", Double(f64::NAN)),
    (b",1.5e3\r\n", Double(1500.0)),
    (b"#t\r\n", Bool(true)),
    (b"#f\r\n", Bool(false)),
    (b"!21\r\nSYNTAX invalid syntax\r\n", BulkError(b"SYNTAX invalid syntax")),
    (b"=15\r\ntxt:Some string\r\n", Verbatim(b"txt", b"Some string")),
    (
        b"(3492890328409238509324850943850943825024385\r\n",
        Big(b"3492890328409238509324850943850943825024385"),
    ),
    (
        b"(-3492890328409238509324850943850943825024385\r\n",
        Big(b"-3492890328409238509324850943850943825024385"),
    ),
    (b"*3\r\n:1\r\n:2\r\n:3\r\n", Array(&[Int(1), Int(2), Int(3)])),
    (
        b"*2\r\n*3\r\n:1\r\n$5\r\nhello\r\n:2\r\n#f\r\n",
        Array(&[Array(&[Int(1), Bulk(b"hello"), Int(2)]), Bool(false)]),
    ),
    (b"%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n", Map(&[Simple(b"first"), Int(1), Simple(b"second"), Int(2)])),
    (
        b"~5\r\n+orange\r\n+apple\r\n#t\r\n:100\r\n:999\r\n",
        Set(&[Simple(b"orange"), Simple(b"apple"), Bool(true), Int(100), Int(999)]),
    ),
    (
        b"|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n",
        Attribute(&[
            Simple(b"key-popularity"),
            Map(&[Bulk(b"a"), Double(0.1923), Bulk(b"b"), Double(0.0012)]),
        ]),
    ),
    (
        b"*3\r\n:1\r\n:2\r\n|1\r\n+ttl\r\n:3600\r\n:3\r\n",
        Array(&[Int(1), Int(2), Attribute(&[Simple(b"ttl"), Int(3600)]), Int(3)]),
    ),
    (
        b">4\r\n+pubsub\r\n+message\r\n+somechannel\r\n+this is the message\r\n",
        Push(&[
            Simple(b"pubsub"),
            Simple(b"message"),
            Simple(b"somechannel"),
            Simple(b"this is the message"),
        ]),
    ),
    (b"$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n", Streamed(&[b"Hell", b"o wor", b"d"])),
    (b"$?\r\n;0\r\n", Streamed(&[])),
    (b"*?\r\n:1\r\n:2\r\n:3\r\n.\r\n", Array(&[Int(1), Int(2), Int(3)])),
    (b"~?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n", Set(&[Simple(b"a"), Int(1), Simple(b"b"), Int(2)])),
    (b"%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n", Map(&[Simple(b"a"), Int(1), Simple(b"b"), Int(2)])),
    (b"*?\r\n.\r\n", Array(&[])),
    (
        b"*2\r\n*?\r\n:1\r\n*?\r\n$?\r\n;1\r\nx\r\n;0\r\n.\r\n.\r\n:2\r\n",
        Array(&[Array(&[Int(1), Array(&[Streamed(&[b"x"])])]), Int(2)]),
    ),
    (b"%0\r\n", Map(&[])),
    (b"~0\r\n", Set(&[])),
    (b">0\r\n", Push(&[])),
];

const SURFACE: Decoder = Decoder::DEFAULT.with_attributes(AttributeMode::Surface);

fn complete(decoder: &Decoder, wire: &[u8]) -> (Frame<'static>, usize) {
    let wire: &'static [u8] = Vec::leak(wire.to_vec());
    match decoder.decode(wire) {
        Ok(Decoded::Complete { frame, consumed }) => (frame, consumed),
        other => panic!("{:?}: expected a complete frame, got {other:?}", wire.escape_ascii().to_string()),
    }
}

#[test]
fn spec_vectors_decode_to_the_expected_frames() {
    for (wire, want) in RESP2.iter().chain(RESP3) {
        let (frame, consumed) = complete(&SURFACE, wire);
        assert_eq!(consumed, wire.len(), "{}", wire.escape_ascii());
        assert!(is(&frame, want), "{}: got {frame:?}, want {want:?}", wire.escape_ascii());
    }
}

#[test]
fn every_split_is_incomplete_with_an_honest_lower_bound() {
    for (wire, _) in RESP2.iter().chain(RESP3) {
        let whole = complete(&SURFACE, wire).0;
        for cut in 0..wire.len() {
            match SURFACE.decode(&wire[..cut]) {
                Ok(Decoded::Incomplete { needed }) => {
                    assert!(needed >= 1);
                    assert!(
                        cut + needed <= wire.len(),
                        "{} cut at {cut}: needed {needed}",
                        wire.escape_ascii()
                    );
                }
                other => panic!("{} cut at {cut}: {other:?}", wire.escape_ascii()),
            }
        }
        // Appending the rest in a second step gives the very same frame.
        assert_eq!(complete(&SURFACE, wire).0, whole);
    }
}

#[test]
fn attributes_are_skipped_or_surfaced_never_taken_for_the_reply() {
    let wire = b"|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n";
    let attribute_len = 57;

    let (frame, consumed) = complete(&Decoder::DEFAULT, wire);
    assert_eq!(consumed, wire.len());
    assert!(is(&frame, &Array(&[Int(2039123), Int(9543892)])), "{frame:?}");

    let (frame, consumed) = complete(&SURFACE, wire);
    assert_eq!(consumed, attribute_len);
    assert!(matches!(frame, Frame::Attribute(a) if a.len() == 2));
    let (frame, _) = complete(&SURFACE, &wire[consumed..]);
    assert!(is(&frame, &Array(&[Int(2039123), Int(9543892)])));

    // Inside an aggregate, attributes do not count as elements.
    let (frame, _) = complete(&Decoder::DEFAULT, b"*3\r\n:1\r\n:2\r\n|1\r\n+ttl\r\n:3600\r\n:3\r\n");
    let items = frame.as_aggregate().unwrap();
    assert_eq!(items.len(), 3);
    assert!(items.iter().eq([Frame::Integer(1), Frame::Integer(2), Frame::Integer(3)]));

    // An empty attribute before a scalar, and attributes on attributes.
    assert_eq!(complete(&Decoder::DEFAULT, b"|0\r\n:7\r\n"), (Frame::Integer(7), 8));
    assert_eq!(complete(&Decoder::DEFAULT, b"|1\r\n+a\r\n|0\r\n:1\r\n:7\r\n").0, Frame::Integer(7));
}

#[test]
fn maps_iterate_as_pairs() {
    let (frame, _) = complete(&Decoder::DEFAULT, b"%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n");
    let Frame::Map(map) = frame else { panic!("{frame:?}") };
    let pairs: Vec<_> = map.pairs().collect();
    assert_eq!(
        pairs,
        [
            (Frame::SimpleString(b"first"), Frame::Integer(1)),
            (Frame::SimpleString(b"second"), Frame::Integer(2)),
        ]
    );
}

#[test]
fn several_frames_in_one_buffer_decode_one_at_a_time() {
    let wire = b"+OK\r\n:1\r\n*1\r\n$1\r\na\r\n_\r\n";
    let mut rest = &wire[..];
    let mut frames = Vec::new();
    while !rest.is_empty() {
        let Decoded::Complete { frame, consumed } = decode(rest).unwrap() else { panic!() };
        frames.push(frame);
        rest = &rest[consumed..];
    }
    assert_eq!(frames.len(), 4);
    assert_eq!(frames[3], Frame::Null);
}

/// Inputs no server should send, each with the error it must produce.
const HOSTILE: &[(&[u8], DecodeError)] = &[
    (b"$536870913\r\n", DecodeError::BulkTooLong),
    (b"$9223372036854775808\r\n", DecodeError::BulkTooLong),
    (b"$99999999999999999999999999\r\n", DecodeError::InvalidLength),
    (b"*99999999999999999999999999\r\n", DecodeError::InvalidLength),
    (b"$-2\r\n", DecodeError::InvalidLength),
    (b"*-5\r\n", DecodeError::InvalidLength),
    (b"%-1\r\n", DecodeError::InvalidLength),
    (b"!-1\r\n", DecodeError::InvalidLength),
    (b"$abc\r\n", DecodeError::InvalidLength),
    (b"$\r\n", DecodeError::InvalidLength),
    (b"$ 3\r\n", DecodeError::InvalidLength),
    (b"$3\nfoo\r\n", DecodeError::InvalidLength),
    (b"$3\r\nfooXY", DecodeError::MissingCrlf),
    (b"$3\r\nfoo\n\r", DecodeError::MissingCrlf),
    (b"+OK\n", DecodeError::InvalidLine),
    (b"+OK\rX\n", DecodeError::InvalidLine),
    (b"+O\nK\r\n", DecodeError::InvalidLine),
    (b":12\n", DecodeError::InvalidInteger),
    (b":\r\n", DecodeError::InvalidInteger),
    (b":9223372036854775808\r\n", DecodeError::InvalidInteger),
    (b":1.5\r\n", DecodeError::InvalidInteger),
    (b"#x\r\n", DecodeError::InvalidBoolean),
    (b"#tt\r\n", DecodeError::InvalidBoolean),
    (b"_x\r\n", DecodeError::InvalidNull),
    (b",\r\n", DecodeError::InvalidDouble),
    (b",1,5\r\n", DecodeError::InvalidDouble),
    (b",one\r\n", DecodeError::InvalidDouble),
    (b"(12a\r\n", DecodeError::InvalidBigNumber),
    (b"(\r\n", DecodeError::InvalidBigNumber),
    (b"=3\r\ntxt\r\n", DecodeError::InvalidVerbatim),
    (b"=4\r\ntxt-\r\n", DecodeError::InvalidVerbatim),
    (b"*1099511627776\r\n", DecodeError::AggregateTooLong),
    (b"%1099511627776\r\n", DecodeError::AggregateTooLong),
    (b"%9223372036854775808\r\n", DecodeError::AggregateTooLong),
    (b"@\r\n", DecodeError::UnknownType(b'@')),
    (b"\r\n", DecodeError::UnknownType(b'\r')),
    (b"*2\r\n:1\r\nX\r\n", DecodeError::UnknownType(b'X')),
    (b"*1\r\n+OK\n", DecodeError::InvalidLine),
    (b".\r\n", DecodeError::UnexpectedEnd),
    (b"*1\r\n.\r\n", DecodeError::UnexpectedEnd),
    (b"%?\r\n+a\r\n.\r\n", DecodeError::UnexpectedEnd),
    (b">?\r\n", DecodeError::InvalidLength),
    (b"|?\r\n", DecodeError::InvalidLength),
    (b"*?x\r\n", DecodeError::InvalidLength),
    (b"$?\r\n+x\r\n", DecodeError::InvalidChunk),
    (b"$?\r\n;-1\r\n", DecodeError::InvalidLength),
    (b"$?\r\n;2\r\nabc\r\n", DecodeError::MissingCrlf),
    (b"$?\r\n;536870913\r\n", DecodeError::BulkTooLong),
];

#[test]
fn hostile_input_is_an_error_value() {
    for (wire, error) in HOSTILE {
        assert_eq!(decode(wire), Err(*error), "{}", wire.escape_ascii());
    }
}

#[test]
fn nesting_beyond_the_limit_is_refused_without_recursion() {
    let mut deep = b"*1\r\n".repeat(100_000);
    assert_eq!(decode(&deep), Err(DecodeError::TooDeep));
    deep.extend_from_slice(b":1\r\n");
    assert_eq!(decode(&deep), Err(DecodeError::TooDeep));
    let deep_maps = b"%1\r\n+k\r\n".repeat(100_000);
    assert_eq!(decode(&deep_maps), Err(DecodeError::TooDeep));
    let deep_attributes = b"|1\r\n+k\r\n".repeat(100_000);
    assert_eq!(decode(&deep_attributes), Err(DecodeError::TooDeep));

    // Exactly at the limit is fine.
    let mut ok = b"*1\r\n".repeat(32);
    ok.extend_from_slice(b":1\r\n");
    assert!(matches!(decode(&ok), Ok(Decoded::Complete { consumed, .. }) if consumed == ok.len()));
    ok.splice(0..0, b"*1\r\n".iter().copied());
    assert_eq!(decode(&ok), Err(DecodeError::TooDeep));
}

#[test]
fn configured_limits_are_enforced() {
    let strict = Decoder::new().with_limits(Limits { max_bulk_len: 4, max_aggregate_len: 2, max_depth: 1 });
    assert!(matches!(strict.decode(b"$4\r\nfour\r\n"), Ok(Decoded::Complete { .. })));
    assert_eq!(strict.decode(b"$5\r\nfive!\r\n"), Err(DecodeError::BulkTooLong));
    assert_eq!(strict.decode(b"=9\r\ntxt:hello\r\n"), Err(DecodeError::BulkTooLong));
    assert_eq!(strict.decode(b"*3\r\n"), Err(DecodeError::AggregateTooLong));
    assert_eq!(strict.decode(b"%3\r\n"), Err(DecodeError::AggregateTooLong));
    assert!(matches!(strict.decode(b"%2\r\n:1\r\n:2\r\n:3\r\n:4\r\n"), Ok(Decoded::Complete { .. })));
    assert_eq!(strict.decode(b"*1\r\n*1\r\n:1\r\n"), Err(DecodeError::TooDeep));
    assert_eq!(strict.decode(b"*?\r\n:1\r\n:2\r\n:3\r\n"), Err(DecodeError::AggregateTooLong));
    assert!(matches!(strict.decode(b"%?\r\n:1\r\n:2\r\n:3\r\n:4\r\n.\r\n"), Ok(Decoded::Complete { .. })));
    assert_eq!(strict.decode(b"%?\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n"), Err(DecodeError::AggregateTooLong));
    assert_eq!(strict.decode(b"$?\r\n;3\r\nabc\r\n;2\r\nde\r\n;0\r\n"), Err(DecodeError::BulkTooLong));
}

#[test]
fn a_huge_declared_aggregate_is_only_a_number() {
    // 2^31 - 1 elements is within the default limit: the decoder asks for more bytes
    // without reserving anything.
    let Ok(Decoded::Incomplete { needed }) = decode(b"*2147483647\r\n:1\r\n") else { panic!() };
    assert!(needed >= 3 * 2_147_483_646);
}

/// An owned frame tree, the input of the round-trip property.
#[derive(Debug, Clone)]
enum Tree {
    Simple(Vec<u8>),
    Error(Vec<u8>),
    Int(i64),
    Bulk(Vec<u8>),
    NullBulk,
    NullArray,
    Null,
    Bool(bool),
    Double(f64),
    Big(Vec<u8>),
    BulkError(Vec<u8>),
    Verbatim([u8; 3], Vec<u8>),
    Aggregate(u8, Vec<Tree>),
    Attributed(Vec<Tree>, Box<Tree>),
    Streamed(Vec<Vec<u8>>),
}

fn encode_tree<O: crate::resp::Output>(enc: &mut Encoder<'_, O>, tree: &Tree) -> Result<(), O::Error> {
    match tree {
        Tree::Simple(t) => enc.simple_string(t),
        Tree::Error(t) => enc.simple_error(t),
        Tree::Int(n) => enc.integer(*n),
        Tree::Bulk(b) => enc.bulk_string(b),
        Tree::NullBulk => enc.null_bulk_string(),
        Tree::NullArray => enc.null_array(),
        Tree::Null => enc.null(),
        Tree::Bool(b) => enc.boolean(*b),
        Tree::Double(d) => enc.double(*d),
        Tree::Big(d) => enc.big_number(d),
        Tree::BulkError(m) => enc.bulk_error(m),
        Tree::Verbatim(f, t) => enc.verbatim_string(*f, t),
        Tree::Aggregate(kind, items) => {
            let pairs = items.len() / 2;
            match kind {
                b'%' => enc.map_header(pairs)?,
                b'~' => enc.set_header(items.len())?,
                b'>' => enc.push_header(items.len())?,
                _ => enc.array_header(items.len())?,
            }
            items.iter().try_for_each(|t| encode_tree(enc, t))
        }
        Tree::Streamed(parts) => {
            enc.streamed_string_header()?;
            parts.iter().try_for_each(|p| enc.chunk(p))?;
            enc.end_of_chunks()
        }
        Tree::Attributed(attrs, inner) => {
            enc.attribute_header(attrs.len() / 2)?;
            attrs.iter().try_for_each(|t| encode_tree(enc, t))?;
            encode_tree(enc, inner)
        }
    }
}

/// Whether `frames` (an iterator with attributes) starts with what `tree` describes.
fn tree_matches<'a>(frames: &mut impl Iterator<Item = Frame<'a>>, tree: &Tree) -> bool {
    let Some(frame) = frames.next() else { return false };
    let list = |a: &Aggregate<'a>, items: &[Tree]| {
        let mut inner = a.iter_with_attributes();
        items.iter().all(|t| tree_matches(&mut inner, t)) && inner.next().is_none()
    };
    match (&frame, tree) {
        (Frame::Attribute(a), Tree::Attributed(attrs, inner)) => {
            list(a, attrs) && tree_matches(frames, inner)
        }
        (Frame::SimpleString(a), Tree::Simple(b))
        | (Frame::SimpleError(a), Tree::Error(b))
        | (Frame::BulkString(a), Tree::Bulk(b))
        | (Frame::BigNumber(a), Tree::Big(b))
        | (Frame::BulkError(a), Tree::BulkError(b)) => a == b,
        (Frame::Integer(a), Tree::Int(b)) => a == b,
        (Frame::Boolean(a), Tree::Bool(b)) => a == b,
        (Frame::Double(a), Tree::Double(b)) => {
            a.value().to_bits() == b.to_bits() || (a.value().is_nan() && b.is_nan())
        }
        (Frame::NullBulkString, Tree::NullBulk)
        | (Frame::NullArray, Tree::NullArray)
        | (Frame::Null, Tree::Null) => true,
        (Frame::VerbatimString { format, text }, Tree::Verbatim(f, t)) => format == f && text == t,
        (Frame::StreamedString(s), Tree::Streamed(parts)) => s.chunks().eq(parts.iter().map(Vec::as_slice)),
        (Frame::Array(a), Tree::Aggregate(b'*', items))
        | (Frame::Map(a), Tree::Aggregate(b'%', items))
        | (Frame::Set(a), Tree::Aggregate(b'~', items))
        | (Frame::Push(a), Tree::Aggregate(b'>', items)) => list(a, items),
        _ => false,
    }
}

fn line_text() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>().prop_filter("no CR/LF", |b| *b != b'\r' && *b != b'\n'), 0..24)
}

fn big_number() -> impl Strategy<Value = Vec<u8>> {
    ("[+-]?[0-9]{1,60}").prop_map(String::into_bytes)
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![
        line_text().prop_map(Tree::Simple),
        line_text().prop_map(Tree::Error),
        any::<i64>().prop_map(Tree::Int),
        proptest::collection::vec(any::<u8>(), 0..64).prop_map(Tree::Bulk),
        Just(Tree::NullBulk),
        Just(Tree::NullArray),
        Just(Tree::Null),
        any::<bool>().prop_map(Tree::Bool),
        any::<f64>().prop_map(Tree::Double),
        prop_oneof![Just(f64::INFINITY), Just(f64::NEG_INFINITY), Just(f64::NAN), Just(-0.0)]
            .prop_map(Tree::Double),
        big_number().prop_map(Tree::Big),
        proptest::collection::vec(any::<u8>(), 0..32).prop_map(Tree::BulkError),
        (any::<[u8; 3]>(), proptest::collection::vec(any::<u8>(), 0..32))
            .prop_map(|(f, t)| Tree::Verbatim(f, t)),
        proptest::collection::vec(proptest::collection::vec(any::<u8>(), 1..8), 0..4)
            .prop_map(Tree::Streamed),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            (prop_oneof![Just(b'*'), Just(b'~'), Just(b'>')], proptest::collection::vec(inner.clone(), 0..8))
                .prop_map(|(k, items)| Tree::Aggregate(k, items)),
            proptest::collection::vec((inner.clone(), inner.clone()), 0..4).prop_map(
                |pairs| Tree::Aggregate(b'%', pairs.into_iter().flat_map(|(k, v)| [k, v]).collect())
            ),
            (proptest::collection::vec((inner.clone(), inner.clone()), 0..3), inner).prop_map(
                |(pairs, t)| {
                    Tree::Attributed(pairs.into_iter().flat_map(|(k, v)| [k, v]).collect(), Box::new(t))
                }
            ),
        ]
    })
}

fn encode_whole(tree: &Tree) -> Vec<u8> {
    let mut buf = std::vec![0u8; 64];
    loop {
        let mut out = SliceOutput::new(&mut buf);
        encode_tree(&mut Encoder::new(&mut out), tree).unwrap();
        match out.finish() {
            Ok(n) => {
                buf.truncate(n);
                return buf;
            }
            Err(EncodeError::BufferTooSmall { needed }) => buf.resize(needed, 0),
            Err(e) => panic!("{e}"),
        }
    }
}

use crate::error::EncodeError;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_decode_returns_the_frame(tree in tree()) {
        let wire = encode_whole(&tree);
        // Surface mode returns a leading attribute first, then the frame it annotates.
        let mut frames = Vec::new();
        let mut rest = &wire[..];
        while !rest.is_empty() {
            match SURFACE.decode(rest) {
                Ok(Decoded::Complete { frame, consumed }) => {
                    frames.push(frame);
                    rest = &rest[consumed..];
                }
                other => panic!("{other:?} for {}", wire.escape_ascii()),
            }
        }
        prop_assert!(tree_matches(&mut frames.iter().copied(), &tree), "{frames:?} vs {tree:?}");

        // Re-encoding each decoded frame gives back the same bytes.
        let mut again = Vec::new();
        for frame in &frames {
            let mut buf = std::vec![0u8; wire.len()];
            let n = encode_frame(&mut buf, frame).unwrap();
            again.extend_from_slice(&buf[..n]);
        }
        prop_assert_eq!(&again, &wire);

        // Skip mode hands out the annotated frame only, having consumed everything.
        match decode(&wire) {
            Ok(Decoded::Complete { frame, consumed }) => {
                prop_assert_eq!(consumed, wire.len());
                prop_assert_eq!(Some(&frame), frames.last());
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        match SURFACE.decode(&bytes) {
            Ok(Decoded::Complete { consumed, frame }) => {
                prop_assert!(consumed <= bytes.len());
                if let Some(a) = frame.as_aggregate() { prop_assert!(a.iter_with_attributes().count() >= a.len()); }
            }
            Ok(Decoded::Incomplete { needed }) => prop_assert!(needed >= 1),
            Err(_) => {}
        }
    }
}

mod resumable;
