//! Frames decoded from real wire bytes, converted to [`Value`] and to typed replies (both
//! paths, which must agree); [`ToArgs`] flattening; [`Cmd`] round trips.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::Debug;
use std::rc::Rc;
use std::sync::Arc;

use ferrodis_core::resp::{Arg, AttributeMode, Decoded, Decoder, Frame, Limits, encode_args, encode_command};

use super::*;
use crate::ServerError;

/// The one frame that `wire` holds, decoded with `decoder`.
fn frame_with<'a>(decoder: &Decoder, wire: &'a [u8]) -> Frame<'a> {
    match decoder.decode(wire) {
        Ok(Decoded::Complete { frame, consumed }) if consumed == wire.len() => frame,
        other => panic!("{:?} is not one whole frame: {other:?}", wire.escape_ascii().to_string()),
    }
}

fn frame(wire: &[u8]) -> Frame<'_> {
    frame_with(&Decoder::DEFAULT, wire)
}

fn value(wire: &[u8]) -> Value {
    Value::from_frame(&frame(wire))
}

/// Converts `wire` both ways, checks they agree, and returns the result.
fn convert<T: FromValue + PartialEq + Debug>(wire: &[u8]) -> Result<T, ConversionError> {
    let frame = frame(wire);
    let borrowed = T::from_frame(&frame);
    let owned = T::from_value(Value::from_frame(&frame));
    assert_eq!(
        borrowed,
        owned,
        "from_frame and from_value disagree on {:?}",
        wire.escape_ascii().to_string()
    );
    owned
}

/// What a case expects: a value, or an error of some kind.
type Want<T> = Result<T, ConversionErrorKind>;

/// Checks every `(wire, want)` case for `T`.
fn check<T: FromValue + PartialEq + Debug>(cases: Vec<(&[u8], Want<T>)>) {
    for (wire, want) in cases {
        let got = convert::<T>(wire).map_err(|e| e.kind().clone());
        assert_eq!(got, want, "{} from {:?}", std::any::type_name::<T>(), wire.escape_ascii().to_string());
    }
}

fn server(text: &str) -> ConversionErrorKind {
    ConversionErrorKind::Server(ServerError::new(text.as_bytes()))
}

use ConversionErrorKind::{InvalidNumber, InvalidUtf8, OutOfRange, TypeMismatch};

fn bulk(b: &[u8]) -> Value {
    Value::BulkString(b.to_vec())
}

fn simple(s: &str) -> Value {
    Value::SimpleString(s.to_owned())
}

#[test]
fn every_frame_type_becomes_a_value() {
    let cases: Vec<(&[u8], Value)> = vec![
        (b"+PONG\r\n", simple("PONG")),
        (b"+OK\r\n", Value::Okay),
        (b"+\xff\r\n", simple("\u{fffd}")),
        (b"-ERR unknown command\r\n", Value::ServerError(ServerError::new(b"ERR unknown command"))),
        (b"!21\r\nSYNTAX invalid syntax\r\n", Value::ServerError(ServerError::new(b"SYNTAX invalid syntax"))),
        (b":-42\r\n", Value::Int(-42)),
        (b"$5\r\nhe\x00lo\r\n", bulk(b"he\x00lo")),
        (b"$0\r\n\r\n", bulk(b"")),
        (b"$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n", bulk(b"Hello word")),
        (b"$?\r\n;0\r\n", bulk(b"")),
        (b"$-1\r\n", Value::Nil),
        (b"*-1\r\n", Value::Nil),
        (b"_\r\n", Value::Nil),
        (b"#t\r\n", Value::Boolean(true)),
        (b"#f\r\n", Value::Boolean(false)),
        (b",1.5\r\n", Value::Double(1.5)),
        (b",-inf\r\n", Value::Double(f64::NEG_INFINITY)),
        (
            b"(3492890328409238509324850943850943825024385\r\n",
            Value::BigNumber("3492890328409238509324850943850943825024385".into()),
        ),
        (
            b"=15\r\ntxt:Some string\r\n",
            Value::VerbatimString { format: *b"txt", text: "Some string".into() },
        ),
        (b"*0\r\n", Value::Array(vec![])),
        (
            b"*2\r\n*3\r\n:1\r\n$5\r\nhello\r\n:2\r\n#f\r\n",
            Value::Array(vec![
                Value::Array(vec![Value::Int(1), bulk(b"hello"), Value::Int(2)]),
                Value::Boolean(false),
            ]),
        ),
        (
            b"%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n",
            Value::Map(vec![(simple("first"), Value::Int(1)), (simple("second"), Value::Int(2))]),
        ),
        (
            b"~3\r\n+orange\r\n#t\r\n:100\r\n",
            Value::Set(vec![simple("orange"), Value::Boolean(true), Value::Int(100)]),
        ),
        (
            b">4\r\n+pubsub\r\n+message\r\n+somechannel\r\n+this is the message\r\n",
            Value::Push {
                kind: "pubsub".into(),
                data: vec![simple("message"), simple("somechannel"), simple("this is the message")],
            },
        ),
        (
            b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
            Value::Push { kind: "message".into(), data: vec![bulk(b"ch"), bulk(b"hi")] },
        ),
        (
            b">2\r\n:1\r\n:2\r\n",
            Value::Push { kind: String::new(), data: vec![Value::Int(1), Value::Int(2)] },
        ),
        (b">0\r\n", Value::Push { kind: String::new(), data: vec![] }),
        (
            b"*?\r\n:1\r\n*?\r\n$?\r\n;1\r\nx\r\n;0\r\n.\r\n.\r\n",
            Value::Array(vec![Value::Int(1), Value::Array(vec![bulk(b"x")])]),
        ),
        (b"%?\r\n+a\r\n:1\r\n.\r\n", Value::Map(vec![(simple("a"), Value::Int(1))])),
        (
            b"*3\r\n+OK\r\n-WRONGTYPE no\r\n:1\r\n",
            Value::Array(vec![
                Value::Okay,
                Value::ServerError(ServerError::new(b"WRONGTYPE no")),
                Value::Int(1),
            ]),
        ),
    ];
    for (wire, want) in cases {
        let got = value(wire);
        assert_eq!(got, want, "{:?}", wire.escape_ascii().to_string());
        assert_eq!(Value::from(frame(wire)), want);
        assert_eq!(Value::from(&frame(wire)), want);
        assert_eq!(convert::<Value>(wire), Ok(want));
    }
    let Value::Double(nan) = value(b",nan\r\n") else { panic!("a double") };
    assert!(nan.is_nan());
}

#[test]
fn attributes_wrap_the_element_they_annotate() {
    let wire = b"*3\r\n:1\r\n:2\r\n|1\r\n+ttl\r\n:3600\r\n:3\r\n";
    let annotated = Value::Attribute {
        data: Box::new(Value::Int(3)),
        attributes: vec![(simple("ttl"), Value::Int(3600))],
    };
    assert_eq!(value(wire), Value::Array(vec![Value::Int(1), Value::Int(2), annotated.clone()]));
    // Typed conversions look through them; `Value`s keep them, on both paths.
    assert_eq!(convert::<Vec<i64>>(wire), Ok(vec![1, 2, 3]));
    assert_eq!(convert::<(i64, i64, i64)>(wire), Ok((1, 2, 3)));
    assert_eq!(convert::<Vec<Value>>(wire), Ok(vec![Value::Int(1), Value::Int(2), annotated.clone()]));
    assert_eq!(convert::<(Value, i64, Value)>(wire), Ok((Value::Int(1), 2, annotated.clone())));
    assert_eq!(convert::<BTreeSet<i64>>(wire), Ok(BTreeSet::from([1, 2, 3])));
    assert_eq!(annotated.data(), &Value::Int(3));
    assert_eq!(annotated.clone().into_data(), Value::Int(3));
    assert_eq!(i64::from_value(annotated), Ok(3));

    // Two attributes before one element merge; an attribute may annotate a map value.
    let wire = b"%1\r\n+k\r\n|1\r\n+a\r\n:1\r\n|1\r\n+b\r\n:2\r\n*1\r\n:9\r\n";
    let inner = Value::Attribute {
        data: Box::new(Value::Array(vec![Value::Int(9)])),
        attributes: vec![(simple("a"), Value::Int(1)), (simple("b"), Value::Int(2))],
    };
    assert_eq!(value(wire), Value::Map(vec![(simple("k"), inner.clone())]));
    assert_eq!(
        convert::<BTreeMap<String, Value>>(wire),
        Ok(BTreeMap::from([("k".to_owned(), inner.clone())]))
    );
    assert_eq!(convert::<BTreeMap<String, Vec<i64>>>(wire), Ok(BTreeMap::from([("k".to_owned(), vec![9])])));
    assert_eq!(convert::<Vec<(String, Value)>>(wire), Ok(vec![("k".to_owned(), inner)]));

    // The default decoder skips a top-level attribute; surfaced, it converts alone.
    assert_eq!(value(b"|1\r\n+a\r\n:1\r\n:5\r\n"), Value::Int(5));
    let surfaced = Decoder::DEFAULT.with_attributes(AttributeMode::Surface);
    let lone = frame_with(&surfaced, b"|1\r\n+a\r\n:1\r\n");
    let want =
        Value::Attribute { data: Box::new(Value::Nil), attributes: vec![(simple("a"), Value::Int(1))] };
    assert_eq!(Value::from_frame(&lone), want);
    assert_eq!(Option::<i64>::from_frame(&lone), Ok(None));
    assert_eq!(Option::<i64>::from_value(want), Ok(None));
    assert_eq!(i64::from_frame(&lone).map_err(|e| e.received()), Err("nil"));
}

#[test]
fn nesting_to_the_decoders_ceiling_converts_without_recursion() {
    let depth = ferrodis_core::resp::MAX_DEPTH_CEILING;
    let mut wire = b"*1\r\n".repeat(depth);
    wire.extend_from_slice(b":7\r\n");
    let decoder = Decoder::DEFAULT.with_limits(Limits { max_depth: depth, ..Limits::DEFAULT });
    let mut value = Value::from_frame(&frame_with(&decoder, &wire));
    for _ in 0..depth {
        let Value::Array(mut items) = value else { panic!("an array") };
        assert_eq!(items.len(), 1);
        value = items.remove(0);
    }
    assert_eq!(value, Value::Int(7));
}

#[test]
fn a_large_array_converts_the_same_on_both_paths() {
    let mut wire = b"*10000\r\n".to_vec();
    for i in 0..10_000 {
        wire.extend_from_slice(format!("${}\r\n{i}\r\n", i.to_string().len()).as_bytes());
    }
    let want: Vec<String> = (0..10_000).map(|i| i.to_string()).collect();
    assert_eq!(convert::<Vec<String>>(&wire), Ok(want));
    assert_eq!(convert::<Vec<u32>>(&wire), Ok((0..10_000).collect()));
}

#[test]
fn signed_integers() {
    check::<i64>(vec![
        (b":42\r\n", Ok(42)),
        (b":-9223372036854775808\r\n", Ok(i64::MIN)),
        (b"$3\r\n123\r\n", Ok(123)),
        (b"$4\r\n-123\r\n", Ok(-123)),
        (b"+77\r\n", Ok(77)),
        (b"=7\r\ntxt:-12\r\n", Ok(-12)),
        (b"(123\r\n", Ok(123)),
        (b"$?\r\n;1\r\n1\r\n;1\r\n2\r\n;0\r\n", Ok(12)),
        (b",3\r\n", Ok(3)),
        (b",-3e3\r\n", Ok(-3000)),
        (b"#t\r\n", Ok(1)),
        (b"#f\r\n", Ok(0)),
        (b",3.5\r\n", Err(InvalidNumber)),
        (b",nan\r\n", Err(InvalidNumber)),
        (b",inf\r\n", Err(OutOfRange)),
        (b",1e19\r\n", Err(OutOfRange)),
        (b",1e300\r\n", Err(OutOfRange)),
        (b"$2\r\n1x\r\n", Err(InvalidNumber)),
        (b"$0\r\n\r\n", Err(InvalidNumber)),
        (b"$3\r\n1.5\r\n", Err(InvalidNumber)),
        (b"$2\r\n\xff1\r\n", Err(InvalidNumber)),
        (b"$20\r\n99999999999999999999\r\n", Err(OutOfRange)),
        (b"(123456789012345678901234567890\r\n", Err(OutOfRange)),
        (b"_\r\n", Err(TypeMismatch)),
        (b"$-1\r\n", Err(TypeMismatch)),
        (b"+OK\r\n", Err(TypeMismatch)),
        (b"*1\r\n:1\r\n", Err(TypeMismatch)),
        (b"%0\r\n", Err(TypeMismatch)),
        (b">1\r\n:1\r\n", Err(TypeMismatch)),
        (b"-ERR boom\r\n", Err(server("ERR boom"))),
        (b"!4\r\nBUSY\r\n", Err(server("BUSY"))),
    ]);
    check::<i8>(vec![
        (b":-128\r\n", Ok(-128)),
        (b":128\r\n", Err(OutOfRange)),
        (b"$4\r\n-129\r\n", Err(OutOfRange)),
    ]);
    check::<i16>(vec![(b":-32768\r\n", Ok(i16::MIN)), (b":32768\r\n", Err(OutOfRange))]);
    check::<i32>(vec![(b"$10\r\n2147483647\r\n", Ok(i32::MAX)), (b":2147483648\r\n", Err(OutOfRange))]);
    check::<isize>(vec![(b":-5\r\n", Ok(-5))]);
    check::<i128>(vec![
        (b"(-123456789012345678901234567890\r\n", Ok(-123456789012345678901234567890)),
        (b":-1\r\n", Ok(-1)),
        (b",1e30\r\n", Ok(1_000_000_000_000_000_019_884_624_838_656)),
        (b",1e39\r\n", Err(OutOfRange)),
    ]);
}

#[test]
fn unsigned_integers() {
    check::<u8>(vec![
        (b":255\r\n", Ok(255)),
        (b":256\r\n", Err(OutOfRange)),
        (b":-1\r\n", Err(OutOfRange)),
        (b"$2\r\n-1\r\n", Err(OutOfRange)),
        (b"$3\r\n256\r\n", Err(OutOfRange)),
        (b",255\r\n", Ok(255)),
        (b",-1\r\n", Err(OutOfRange)),
        (b"$1\r\nx\r\n", Err(InvalidNumber)),
    ]);
    check::<u16>(vec![(b":65535\r\n", Ok(u16::MAX)), (b":65536\r\n", Err(OutOfRange))]);
    check::<u32>(vec![(b"+4294967295\r\n", Ok(u32::MAX)), (b":-1\r\n", Err(OutOfRange))]);
    check::<u64>(vec![
        (b"(18446744073709551615\r\n", Ok(u64::MAX)),
        (b"$20\r\n18446744073709551616\r\n", Err(OutOfRange)),
        (b":9223372036854775807\r\n", Ok(i64::MAX as u64)),
    ]);
    check::<usize>(vec![(b":0\r\n", Ok(0)), (b":-3\r\n", Err(OutOfRange))]);
    check::<u128>(vec![(b"(340282366920938463463374607431768211455\r\n", Ok(u128::MAX)), (b"#t\r\n", Ok(1))]);
}

#[test]
fn floats() {
    check::<f64>(vec![
        (b",1.5\r\n", Ok(1.5)),
        (b",inf\r\n", Ok(f64::INFINITY)),
        (b":-3\r\n", Ok(-3.0)),
        (b"$3\r\n2.5\r\n", Ok(2.5)),
        (b"$3\r\ninf\r\n", Ok(f64::INFINITY)),
        (b"$4\r\n-inf\r\n", Ok(f64::NEG_INFINITY)),
        (b"+1e-3\r\n", Ok(0.001)),
        (b"=7\r\ntxt:0.5\r\n", Ok(0.5)),
        (b"(12\r\n", Ok(12.0)),
        (b"$3\r\nabc\r\n", Err(InvalidNumber)),
        (b"$0\r\n\r\n", Err(InvalidNumber)),
        (b"#t\r\n", Err(TypeMismatch)),
        (b"_\r\n", Err(TypeMismatch)),
        (b"+OK\r\n", Err(TypeMismatch)),
        (b"*0\r\n", Err(TypeMismatch)),
        (b"-ERR no\r\n", Err(server("ERR no"))),
    ]);
    check::<f32>(vec![(b",1.5\r\n", Ok(1.5)), (b"$3\r\n0.1\r\n", Ok(0.1)), (b":7\r\n", Ok(7.0))]);
    for wire in [&b",nan\r\n"[..], b"$3\r\nnan\r\n", b"+NaN\r\n"] {
        let f = frame(wire);
        assert!(f64::from_frame(&f).unwrap().is_nan());
        assert!(f64::from_value(Value::from_frame(&f)).unwrap().is_nan());
        assert!(f32::from_frame(&f).unwrap().is_nan());
    }
}

#[test]
fn booleans() {
    check::<bool>(vec![
        (b":1\r\n", Ok(true)),
        (b":0\r\n", Ok(false)),
        (b":2\r\n", Ok(true)),
        (b"#t\r\n", Ok(true)),
        (b"#f\r\n", Ok(false)),
        (b"$1\r\n1\r\n", Ok(true)),
        (b"$1\r\n0\r\n", Ok(false)),
        (b"+1\r\n", Ok(true)),
        (b"+OK\r\n", Ok(true)),
        (b"_\r\n", Ok(false)),
        (b"$-1\r\n", Ok(false)),
        (b"$3\r\nyes\r\n", Err(InvalidNumber)),
        (b",1\r\n", Err(TypeMismatch)),
        (b"(1\r\n", Err(TypeMismatch)),
        (b"*0\r\n", Err(TypeMismatch)),
        (b"-ERR no\r\n", Err(server("ERR no"))),
    ]);
}

#[test]
fn strings() {
    let s = |t: &str| Ok(t.to_owned());
    check::<String>(vec![
        (b"$5\r\nhello\r\n", s("hello")),
        (b"$0\r\n\r\n", s("")),
        (b"+PONG\r\n", s("PONG")),
        (b"+OK\r\n", s("OK")),
        (b"+\xff\r\n", s("\u{fffd}")),
        (b"=15\r\ntxt:Some string\r\n", s("Some string")),
        (b"=6\r\ntxt:\xff\xff\r\n", s("\u{fffd}\u{fffd}")),
        (b"$?\r\n;4\r\nHell\r\n;1\r\no\r\n;0\r\n", s("Hello")),
        (b":42\r\n", s("42")),
        (b",1.5\r\n", s("1.5")),
        (b",3\r\n", s("3")),
        (b",nan\r\n", s("nan")),
        (b",inf\r\n", s("inf")),
        (b",-inf\r\n", s("-inf")),
        (b"(-123\r\n", s("-123")),
        (b"$2\r\n\xff\xfe\r\n", Err(InvalidUtf8)),
        (b"_\r\n", Err(TypeMismatch)),
        (b"#t\r\n", Err(TypeMismatch)),
        (b"*1\r\n+a\r\n", Err(TypeMismatch)),
        (b"%0\r\n", Err(TypeMismatch)),
        (b"-ERR x\r\n", Err(server("ERR x"))),
    ]);
}

#[test]
fn byte_vectors_take_the_bytes_of_a_string() {
    check::<Vec<u8>>(vec![
        (b"$3\r\n\x00\x01\xff\r\n", Ok(vec![0, 1, 255])),
        (b"+abc\r\n", Ok(b"abc".to_vec())),
        (b"+OK\r\n", Ok(b"OK".to_vec())),
        (b"+\xff\r\n", Ok("\u{fffd}".as_bytes().to_vec())),
        (b"=7\r\ntxt:abc\r\n", Ok(b"abc".to_vec())),
        (b"$?\r\n;2\r\nab\r\n;1\r\nc\r\n;0\r\n", Ok(b"abc".to_vec())),
        (b"_\r\n", Ok(vec![])),
        // An array is still one number per element.
        (b"*2\r\n:1\r\n$1\r\n2\r\n", Ok(vec![1, 2])),
        (b"*1\r\n:256\r\n", Err(OutOfRange)),
        (b":5\r\n", Err(TypeMismatch)),
        (b"-ERR no\r\n", Err(server("ERR no"))),
    ]);
    check::<Vec<Vec<u8>>>(vec![(b"*2\r\n$1\r\na\r\n$0\r\n\r\n", Ok(vec![b"a".to_vec(), vec![]]))]);
}

#[test]
fn vectors() {
    let strings = |v: &[&str]| Ok(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    check::<Vec<String>>(vec![
        (b"*2\r\n$1\r\na\r\n+b\r\n", strings(&["a", "b"])),
        (b"~1\r\n+x\r\n", strings(&["x"])),
        (b"*0\r\n", strings(&[])),
        (b"_\r\n", strings(&[])),
        (b"*-1\r\n", strings(&[])),
        // A map flattens, as RESP2 sends it.
        (b"%2\r\n+k\r\n:1\r\n+l\r\n:2\r\n", strings(&["k", "1", "l", "2"])),
        (b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n", strings(&["message", "ch", "hi"])),
        (b"$3\r\none\r\n", strings(&["one"])),
        (b"+PONG\r\n", strings(&["PONG"])),
        (b":1\r\n", Err(TypeMismatch)),
        (b"#t\r\n", Err(TypeMismatch)),
        (b"*2\r\n$1\r\na\r\n*0\r\n", Err(TypeMismatch)),
        (b"*2\r\n$1\r\na\r\n-ERR x\r\n", Err(server("ERR x"))),
        (b"-ERR y\r\n", Err(server("ERR y"))),
    ]);
    check::<Vec<i64>>(vec![
        (b"*3\r\n:1\r\n$1\r\n2\r\n+3\r\n", Ok(vec![1, 2, 3])),
        (b"$1\r\n7\r\n", Ok(vec![7])),
    ]);
    check::<Vec<Option<i64>>>(vec![(b"*3\r\n:1\r\n_\r\n$-1\r\n", Ok(vec![Some(1), None, None]))]);
    check::<Vec<Vec<i64>>>(vec![(b"*2\r\n*1\r\n:1\r\n*0\r\n", Ok(vec![vec![1], vec![]]))]);
    // An EXEC reply keeps each command's error as a value.
    check::<Vec<Value>>(vec![(
        b"*3\r\n+OK\r\n-ERR x\r\n:1\r\n",
        Ok(vec![Value::Okay, Value::ServerError(ServerError::new(b"ERR x")), Value::Int(1)]),
    )]);
    check::<Vec<i64>>(vec![(b"*2\r\n:1\r\n-WRONGTYPE x\r\n", Err(server("WRONGTYPE x")))]);
}

#[test]
fn options_unit_values_and_pointers() {
    check::<Option<i64>>(vec![
        (b"_\r\n", Ok(None)),
        (b"$-1\r\n", Ok(None)),
        (b"*-1\r\n", Ok(None)),
        (b":5\r\n", Ok(Some(5))),
        (b"$1\r\nx\r\n", Err(InvalidNumber)),
        (b"-ERR x\r\n", Err(server("ERR x"))),
    ]);
    check::<Option<String>>(vec![(b"+OK\r\n", Ok(Some("OK".into()))), (b"$-1\r\n", Ok(None))]);
    check::<()>(vec![
        (b":1\r\n", Ok(())),
        (b"_\r\n", Ok(())),
        (b"*2\r\n:1\r\n-ERR inner\r\n", Ok(())),
        (b"+OK\r\n", Ok(())),
        (b"-ERR x\r\n", Err(server("ERR x"))),
        (b"!3\r\nERR\r\n", Err(server("ERR"))),
    ]);
    check::<Value>(vec![(b"-ERR x\r\n", Ok(Value::ServerError(ServerError::new(b"ERR x"))))]);
    check::<Box<i64>>(vec![(b":1\r\n", Ok(Box::new(1))), (b"_\r\n", Err(TypeMismatch))]);
    check::<Arc<String>>(vec![(b"+a\r\n", Ok(Arc::new("a".into())))]);
    check::<Rc<Vec<u8>>>(vec![(b"$1\r\na\r\n", Ok(Rc::new(b"a".to_vec())))]);
}

#[test]
fn maps() {
    let ab = || Ok(HashMap::from([("a".to_owned(), 1), ("b".to_owned(), 2)]));
    let ungroupable = |received| Err(ConversionErrorKind::Ungroupable { group: 2, received });
    check::<HashMap<String, i64>>(vec![
        (b"%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", ab()),
        (b"*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n$1\r\n2\r\n", ab()),
        (b"*2\r\n*2\r\n$1\r\na\r\n:1\r\n*2\r\n$1\r\nb\r\n:2\r\n", ab()),
        (b"*2\r\n%1\r\n$1\r\na\r\n:1\r\n~2\r\n$1\r\nb\r\n:2\r\n", ab()),
        (b"~4\r\n+a\r\n:1\r\n+b\r\n:2\r\n", ab()),
        (b"*0\r\n", Ok(HashMap::new())),
        (b"%0\r\n", Ok(HashMap::new())),
        (b"_\r\n", Ok(HashMap::new())),
        (b"*3\r\n+a\r\n:1\r\n+b\r\n", ungroupable(3)),
        (b"*2\r\n*2\r\n+a\r\n:1\r\n+b\r\n", Err(TypeMismatch)),
        (b"%1\r\n+a\r\n$1\r\nx\r\n", Err(InvalidNumber)),
        (b"%1\r\n+a\r\n-ERR x\r\n", Err(server("ERR x"))),
        (b":1\r\n", Err(TypeMismatch)),
        (b"$1\r\na\r\n", Err(TypeMismatch)),
        (b">2\r\n+a\r\n:1\r\n", Err(TypeMismatch)),
        (b"-ERR y\r\n", Err(server("ERR y"))),
    ]);
    check::<BTreeMap<i64, Option<String>>>(vec![(
        b"*4\r\n:2\r\n_\r\n:1\r\n+x\r\n",
        Ok(BTreeMap::from([(1, Some("x".into())), (2, None)])),
    )]);
    let e = convert::<BTreeMap<String, String>>(b":1\r\n").unwrap_err();
    assert_eq!((e.expected(), e.received()), ("BTreeMap", "integer"));
}

#[test]
fn sets() {
    check::<HashSet<String>>(vec![
        (b"~2\r\n+a\r\n+b\r\n", Ok(HashSet::from(["a".into(), "b".into()]))),
        (b"*3\r\n+a\r\n+b\r\n+a\r\n", Ok(HashSet::from(["a".into(), "b".into()]))),
        (b"_\r\n", Ok(HashSet::new())),
        (b"%1\r\n+a\r\n+b\r\n", Err(TypeMismatch)),
        (b":1\r\n", Err(TypeMismatch)),
        (b"~1\r\n:1\r\n", Ok(HashSet::from(["1".into()]))),
        (b"~1\r\n*0\r\n", Err(TypeMismatch)),
    ]);
    check::<BTreeSet<i64>>(vec![(b"~3\r\n:3\r\n:1\r\n$1\r\n2\r\n", Ok(BTreeSet::from([1, 2, 3])))]);
}

#[test]
fn tuples() {
    let wrong = |expected, received| Err(ConversionErrorKind::WrongLength { expected, received });
    check::<(String, i64)>(vec![
        (b"*2\r\n$1\r\na\r\n:1\r\n", Ok(("a".into(), 1))),
        (b"~2\r\n$1\r\na\r\n:1\r\n", Ok(("a".into(), 1))),
        (b"%1\r\n$1\r\na\r\n:1\r\n", Ok(("a".into(), 1))),
        (b"*3\r\n$1\r\na\r\n:1\r\n:2\r\n", wrong(2, 3)),
        (b"*0\r\n", wrong(2, 0)),
        (b"%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", wrong(2, 4)),
        (b"*2\r\n:1\r\n$1\r\nx\r\n", Err(InvalidNumber)),
        (b":1\r\n", Err(TypeMismatch)),
        (b"_\r\n", Err(TypeMismatch)),
        (b"*2\r\n+a\r\n-ERR x\r\n", Err(server("ERR x"))),
    ]);
    check::<(i64,)>(vec![(b"*1\r\n:1\r\n", Ok((1,))), (b":1\r\n", Err(TypeMismatch))]);
    check::<(String, Option<String>, f64)>(vec![(b"*3\r\n+a\r\n_\r\n,2.5\r\n", Ok(("a".into(), None, 2.5)))]);
    let mut twelve = b"*12\r\n".to_vec();
    (1..=12).for_each(|i| twelve.extend_from_slice(format!(":{i}\r\n").as_bytes()));
    type Twelve = (u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8);
    check::<Twelve>(vec![(&twelve, Ok((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)))]);
}

#[test]
fn vectors_of_tuples_from_flat_arrays_nested_arrays_and_maps() {
    fn ungroupable<T>(group: usize, received: usize) -> Want<T> {
        Err(ConversionErrorKind::Ungroupable { group, received })
    }
    let scores = || Ok(vec![("a".to_owned(), 1.0), ("b".to_owned(), 2.5)]);
    check::<Vec<(String, f64)>>(vec![
        // RESP3 ZRANGE ... WITHSCORES.
        (b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n", scores()),
        // RESP2 ZRANGE ... WITHSCORES.
        (b"*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n", scores()),
        (b"%2\r\n$1\r\na\r\n,1\r\n$1\r\nb\r\n,2.5\r\n", scores()),
        (b"*0\r\n", Ok(vec![])),
        (b"_\r\n", Ok(vec![])),
        (b"*3\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n", ungroupable(2, 3)),
        (b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n$1\r\nb\r\n", Err(TypeMismatch)),
        (b"*2\r\n$1\r\na\r\n$1\r\nx\r\n", Err(InvalidNumber)),
        (b"$1\r\na\r\n", Err(TypeMismatch)),
    ]);
    check::<Vec<(String, i64, bool)>>(vec![
        (
            b"*6\r\n+a\r\n:1\r\n:1\r\n+b\r\n:2\r\n#f\r\n",
            Ok(vec![("a".into(), 1, true), ("b".into(), 2, false)]),
        ),
        (
            b"*2\r\n*3\r\n+a\r\n:1\r\n:1\r\n*3\r\n+b\r\n:2\r\n#f\r\n",
            Ok(vec![("a".into(), 1, true), ("b".into(), 2, false)]),
        ),
        (b"%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n", ungroupable(3, 4)),
        (b"*4\r\n+a\r\n:1\r\n+b\r\n:2\r\n", ungroupable(3, 4)),
    ]);
    check::<Vec<(i64,)>>(vec![(b"*2\r\n:1\r\n:2\r\n", Ok(vec![(1,), (2,)]))]);
}

#[test]
fn conversion_errors_name_types_never_payloads() {
    let e = convert::<i64>(b"$11\r\nsupersecret\r\n").unwrap_err();
    assert_eq!(e.to_string(), "cannot convert a bulk string to i64: not a number");
    assert!(!format!("{e:?}").contains("supersecret"));
    let cases: Vec<(ConversionError, &str)> = vec![
        (convert::<String>(b"*0\r\n").unwrap_err(), "cannot convert an array to String"),
        (convert::<u8>(b":300\r\n").unwrap_err(), "cannot convert an integer to u8: out of range"),
        (
            convert::<String>(b"$1\r\n\xff\r\n").unwrap_err(),
            "cannot convert a bulk string to String: not valid UTF-8",
        ),
        (
            convert::<(i64, i64)>(b"*1\r\n:1\r\n").unwrap_err(),
            "cannot convert an array to tuple: 1 elements for 2",
        ),
        (
            convert::<HashMap<String, String>>(b"*1\r\n+a\r\n").unwrap_err(),
            "cannot convert an array to HashMap: 1 elements are not groups of 2",
        ),
        (
            convert::<i64>(b"-ERR no such key\r\n").unwrap_err(),
            "error reply in place of an i64: ERR no such key",
        ),
    ];
    for (e, text) in cases {
        assert_eq!(e.to_string(), text);
    }
    let e = convert::<i64>(b"-MOVED 3999 127.0.0.1:6381\r\n").unwrap_err();
    assert_eq!(e.server_error().map(ServerError::kind), Some(crate::ServerErrorKind::Moved));
    assert!(std::error::Error::source(&e).is_some());
    assert_eq!(e.into_server_error().map(|s| s.text().to_owned()), Some("MOVED 3999 127.0.0.1:6381".into()));
}

#[test]
fn value_accessors() {
    assert_eq!(bulk(b"ab").as_bytes(), Some(&b"ab"[..]));
    assert_eq!(Value::Okay.as_bytes(), Some(&b"OK"[..]));
    assert_eq!(Value::Int(1).as_bytes(), None);
    assert_eq!(bulk(b"\xff").as_str(), None);
    assert_eq!(simple("x").as_str(), Some("x"));
    assert_eq!(Value::VerbatimString { format: *b"txt", text: "t".into() }.as_str(), Some("t"));
    assert_eq!(Value::Int(5).as_int(), Some(5));
    assert_eq!(bulk(b"5").as_int(), None);
    assert!(Value::Nil.is_nil() && !Value::Int(0).is_nil());
    let error = Value::ServerError(ServerError::new(b"ERR x"));
    assert!(error.is_error());
    assert_eq!(error.server_error().map(ServerError::text), Some(&b"ERR x"[..]));
    assert_eq!(Value::Set(vec![Value::Nil]).as_array(), Some(&[Value::Nil][..]));
    assert_eq!(Value::Array(vec![Value::Nil]).into_array(), Ok(vec![Value::Nil]));
    assert_eq!(Value::Int(1).into_array(), Err(Value::Int(1)));
    assert_eq!(Value::Map(vec![(Value::Nil, Value::Nil)]).into_map(), Ok(vec![(Value::Nil, Value::Nil)]));
    assert_eq!(Value::Map(vec![]).as_map(), Some(&[][..]));
    assert_eq!(Value::Nil.into_map(), Err(Value::Nil));
    assert_eq!(Value::Okay.kind_name(), "simple string");
}

/// The arguments `value` writes, collected.
fn collect(value: &(impl ToArgs + ?Sized)) -> Vec<Vec<u8>> {
    let mut args: Vec<Vec<u8>> = Vec::new();
    value.write_args(&mut args);
    assert_eq!(value.num_args(), args.len());
    args
}

fn texts(args: &[&str]) -> Vec<Vec<u8>> {
    args.iter().map(|a| a.as_bytes().to_vec()).collect()
}

#[test]
fn values_flatten_into_arguments() {
    assert_eq!(collect("key"), texts(&["key"]));
    assert_eq!(collect(&"key".to_owned()), texts(&["key"]));
    assert_eq!(collect(&&&"key"), texts(&["key"]));
    assert_eq!(collect(&std::borrow::Cow::Borrowed("c")), texts(&["c"]));
    assert_eq!(collect(b"\x00\xff".as_slice()), vec![vec![0, 255]]);
    assert_eq!(collect(&vec![1u8, 2]), vec![vec![1, 2]]);
    assert_eq!(collect(&[7u8; 3]), vec![vec![7, 7, 7]]);
    assert_eq!(collect(&Vec::<u8>::new()), vec![vec![]]);
    assert_eq!(collect(&7u8), texts(&["7"]));
    assert_eq!(collect(&i64::MIN), texts(&["-9223372036854775808"]));
    assert_eq!(collect(&u64::MAX), texts(&["18446744073709551615"]));
    assert_eq!(
        collect(&(-3i8, 4u16, -5i32, 6u32, -7isize, 8usize)),
        texts(&["-3", "4", "-5", "6", "-7", "8"])
    );
    assert_eq!(collect(&0.5), texts(&["0.5"]));
    assert_eq!(collect(&1e300), texts(&["1e300"]));
    assert_eq!(collect(&1.5f32), texts(&["1.5"]));
    assert_eq!(collect(&(f64::INFINITY, f64::NEG_INFINITY, f64::NAN)), texts(&["inf", "-inf", "nan"]));
    assert_eq!(collect(&(true, false)), texts(&["1", "0"]));
    assert_eq!(collect(&None::<&str>), texts(&[]));
    assert_eq!(collect(&Some("x")), texts(&["x"]));
    assert_eq!(collect(&vec!["k1", "k2"]), texts(&["k1", "k2"]));
    assert_eq!(collect(["k1", "k2"].as_slice()), texts(&["k1", "k2"]));
    assert_eq!(collect(&[["a", "b"], ["c", "d"]]), texts(&["a", "b", "c", "d"]));
    assert_eq!(collect(&vec![b"ab".to_vec(), vec![]]), vec![b"ab".to_vec(), vec![]]);
    assert_eq!(collect(&vec![("f1", 1), ("f2", 2)]), texts(&["f1", "1", "f2", "2"]));
    assert_eq!(collect(&BTreeMap::from([("b", 2), ("a", 1)])), texts(&["a", "1", "b", "2"]));
    assert_eq!(collect(&HashMap::from([("a", vec![1, 2])])), texts(&["a", "1", "2"]));
    assert_eq!(collect(&BTreeSet::from([3, 1])), texts(&["1", "3"]));
    assert_eq!(collect(&HashSet::from(["only"])), texts(&["only"]));
    assert_eq!(collect(&(Box::new("b"), Arc::new(1), Rc::new(vec![Some(2), None]))), texts(&["b", "1", "2"]));
    assert_eq!(collect(&(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)).len(), 12);
    assert_eq!(collect(&(Some("EX"), Some(10), None::<&str>)), texts(&["EX", "10"]));
}

#[test]
fn numbers_collect_to_the_bytes_the_core_encoder_writes() {
    let numbers = [
        Arg::Int(0),
        Arg::Int(-1),
        Arg::Int(i64::MIN),
        Arg::Uint(u64::MAX),
        Arg::from(0.1),
        Arg::from(-2.5e-10),
        Arg::from(123456789.125),
        Arg::from(f64::from(0.1f32)),
        Arg::from(f64::MAX),
        Arg::from(f64::MIN_POSITIVE),
        Arg::from(-0.0),
        Arg::from(f64::NAN),
    ];
    for number in numbers {
        let mut cmd = Cmd::default();
        cmd.arg(number);
        let mut via_cmd = [0u8; 128];
        let mut direct = [0u8; 128];
        let n = encode_args(&mut via_cmd, &cmd).unwrap();
        let m = encode_command(&mut direct, &[number]).unwrap();
        assert_eq!(via_cmd[..n], direct[..m], "{number:?}");
    }
}

#[test]
fn a_command_encodes_to_the_exact_resp_bytes() {
    let mut set = cmd("SET");
    set.arg("k").arg(42).arg(vec!["a", "b"]);
    let mut buf = [0u8; 128];
    let n = encode_args(&mut buf, &set).unwrap();
    assert_eq!(&buf[..n], b"*5\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n42\r\n$1\r\na\r\n$1\r\nb\r\n");

    let by_value = Cmd::new("SET").with_arg("k").with_arg(42).with_arg(vec!["a", "b"]);
    assert_eq!(by_value, set);
    assert_eq!(set.args_len(), 5);
    assert_eq!(set.name(), Some(&b"SET"[..]));
    assert_eq!(set.get(2), Some(&b"42"[..]));
    assert_eq!(set.get(5), None);
    assert_eq!(set.args().next_back(), Some(&b"b"[..]));
    assert_eq!(set.args().len(), 5);
    assert_eq!(set.args().map(<[u8]>::to_vec).collect::<Vec<_>>(), collect(&("SET", "k", 42, ["a", "b"])));

    let hset = cmd("HSET").with_arg("h").with_arg(BTreeMap::from([("f", b"\r\n\x00".as_slice())]));
    let n = encode_args(&mut buf, &hset).unwrap();
    assert_eq!(&buf[..n], b"*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$3\r\n\r\n\x00\r\n");

    let empty = Cmd::default();
    assert_eq!((empty.args_len(), empty.name(), empty.args().next()), (0, None, None));
    assert_eq!(encode_args(&mut buf, &empty), Err(ferrodis_core::EncodeError::EmptyCommand));
    assert_eq!(cmd("PING").with_arg(None::<&str>).args_len(), 1);
    let mut empty_arg = cmd("ECHO");
    empty_arg.arg("");
    assert_eq!(empty_arg.args().collect::<Vec<_>>(), [&b"ECHO"[..], b""]);
}

#[test]
fn a_command_debug_shows_no_arguments() {
    let auth = cmd("AUTH").with_arg("default").with_arg("hunter2");
    let shown = format!("{auth:?}");
    assert_eq!(shown, r#"Cmd { name: "AUTH", args: 3 }"#);
    assert!(!shown.contains("hunter2"));
}

/// std's conversions parse numbers with core's (one parser): for every text, both accept
/// the same numbers with the same value, and fail with the same reason.
#[test]
fn numbers_convert_exactly_as_core_converts_them() {
    use ferrodis_core::reply::{FromFrame, ReplyError};

    fn same<T>(text: &[u8])
    where
        T: FromValue + for<'a> FromFrame<'a> + Debug,
    {
        let frame = Frame::BulkString(text);
        let ours = <T as FromValue>::from_frame(&frame);
        let owned = T::from_value(Value::from_frame(&frame));
        let core = <T as FromFrame>::from_frame(frame);
        let shown = text.escape_ascii().to_string();
        match (&ours, core) {
            // Compared as shown, so NaN equals NaN.
            (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{shown}"),
            (Err(e), Err(ReplyError::Overflow)) => {
                assert_eq!(e.kind(), &ConversionErrorKind::OutOfRange, "{shown}")
            }
            (Err(e), Err(ReplyError::InvalidNumber)) => {
                assert_eq!(e.kind(), &ConversionErrorKind::InvalidNumber, "{shown}")
            }
            (ours, core) => panic!("{shown}: std {ours:?}, core {core:?}"),
        }
        assert_eq!(format!("{ours:?}"), format!("{owned:?}"), "{shown}: borrowed and owned paths");
    }

    let texts: &[&[u8]] = &[
        b"0",
        b"-0",
        b"+1",
        b"007",
        b" 1",
        b"1 ",
        b"",
        b"x",
        b"0x10",
        b"1_000",
        b"-",
        b"255",
        b"256",
        b"-1",
        b"9223372036854775807",
        b"9223372036854775808",
        b"-9223372036854775808",
        b"-9223372036854775809",
        b"340282366920938463463374607431768211455",
        b"1e3",
        b"1.5",
        b"-2.5e-10",
        b"inf",
        b"-inf",
        b"nan",
        b"Infinity",
        b"1e39",
        b"-1e39",
        b"3.4028235e38",
        b"\xff",
        b"12\x00",
    ];
    for text in texts {
        same::<i64>(text);
        same::<u8>(text);
        same::<u64>(text);
        same::<i128>(text);
        same::<u128>(text);
        same::<f64>(text);
        same::<f32>(text);
    }
}

#[test]
fn core_okay_is_a_reply_type_here_too() {
    use ferrodis_core::reply::Okay;

    assert_eq!(Okay::from_frame(&Frame::SimpleString(b"OK")), Ok(Okay));
    assert_eq!(Okay::from_value(Value::Okay), Ok(Okay));
    let queued = Okay::from_frame(&Frame::SimpleString(b"QUEUED")).unwrap_err();
    assert_eq!((queued.kind(), queued.expected()), (&ConversionErrorKind::TypeMismatch, "Okay"));
    let error = Okay::from_frame(&Frame::SimpleError(b"ERR no")).unwrap_err();
    assert!(error.server_error().is_some());
    assert_eq!(Option::<Okay>::from_frame(&Frame::NullBulkString), Ok(None));
}
