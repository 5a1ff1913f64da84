//! Conversion tests: each table row is a wire frame and what a type makes of it.

use std::vec::Vec;

use super::*;
use crate::error::ServerErrorKind;
use crate::resp::{Decoded, decode};

fn frame(wire: &[u8]) -> Frame<'_> {
    match decode(wire) {
        Ok(Decoded::Complete { frame, consumed }) if consumed == wire.len() => frame,
        other => panic!("{} does not decode whole: {other:?}", wire.escape_ascii()),
    }
}

fn convert<'a, T: FromFrame<'a>>(wire: &'a [u8]) -> Result<T, ReplyError> {
    T::from_frame(frame(wire))
}

/// A table of wire frames and what a conversion makes of them.
type Table<'a, T> = &'a [(&'a [u8], Result<T, ReplyError>)];

const fn unexpected(expected: &'static str, found: u8) -> ReplyError {
    ReplyError::UnexpectedType { expected, found }
}

#[test]
fn bytes_and_text() {
    let bytes: Table<'_, &[u8]> = &[
        (b"$3\r\nfoo\r\n", Ok(b"foo")),
        (b"$0\r\n\r\n", Ok(b"")),
        (b"+OK\r\n", Ok(b"OK")),
        (b"=8\r\ntxt:\xffbin\r\n", Ok(b"\xffbin")),
        (b"(123\r\n", Ok(b"123")),
        (b"$-1\r\n", Err(ReplyError::Null)),
        (b"_\r\n", Err(ReplyError::Null)),
        (b"*-1\r\n", Err(ReplyError::Null)),
        (b":1\r\n", Err(unexpected(expected::TEXT, b':'))),
        (b"*1\r\n$1\r\na\r\n", Err(unexpected(expected::TEXT, b'*'))),
        (b"-ERR boom\r\n", Err(ReplyError::ServerError(ServerErrorKind::Err))),
        (b"!9\r\nNOSCRIPT \r\n", Err(ReplyError::ServerError(ServerErrorKind::NoScript))),
    ];
    for (wire, expected) in bytes {
        assert_eq!(convert::<&[u8]>(wire), *expected, "{}", wire.escape_ascii());
    }
    let text: Table<'_, &str> = &[
        (b"$6\r\nh\xc3\xa9llo\r\n", Ok("héllo")),
        (b"+PONG\r\n", Ok("PONG")),
        (b"=9\r\ntxt:hello\r\n", Ok("hello")),
        (b"$2\r\n\xff\xfe\r\n", Err(ReplyError::InvalidUtf8)),
        (b"#t\r\n", Err(unexpected(expected::TEXT, b'#'))),
    ];
    for (wire, expected) in text {
        assert_eq!(convert::<&str>(wire), *expected, "{}", wire.escape_ascii());
    }
    assert_eq!(convert::<heapless::String<5>>(b"$5\r\nhello\r\n").unwrap(), "hello");
    assert_eq!(convert::<heapless::String<4>>(b"$5\r\nhello\r\n"), Err(ReplyError::Capacity));
}

#[test]
fn integers() {
    let wide: Table<'_, i64> = &[
        (b":42\r\n", Ok(42)),
        (b":-9223372036854775808\r\n", Ok(i64::MIN)),
        (b"$3\r\n-17\r\n", Ok(-17)),
        (b"+7\r\n", Ok(7)),
        (b"(9223372036854775807\r\n", Ok(i64::MAX)),
        (b"(9223372036854775808\r\n", Err(ReplyError::Overflow)),
        (b"$19\r\n9999999999999999999\r\n", Err(ReplyError::Overflow)),
        (b"$3\r\n1.5\r\n", Err(ReplyError::InvalidNumber)),
        (b"$0\r\n\r\n", Err(ReplyError::InvalidNumber)),
        (b"$2\r\n\xff1\r\n", Err(ReplyError::InvalidNumber)),
        (b",1.0\r\n", Err(unexpected(expected::INTEGER, b','))),
        (b"#t\r\n", Err(unexpected(expected::INTEGER, b'#'))),
        (b"_\r\n", Err(ReplyError::Null)),
        (b"-WRONGTYPE x\r\n", Err(ReplyError::ServerError(ServerErrorKind::WrongType))),
    ];
    for (wire, expected) in wide {
        assert_eq!(convert::<i64>(wire), *expected, "{}", wire.escape_ascii());
    }
    assert_eq!(convert::<u8>(b":255\r\n"), Ok(255));
    assert_eq!(convert::<u8>(b":256\r\n"), Err(ReplyError::Overflow));
    assert_eq!(convert::<u64>(b":-1\r\n"), Err(ReplyError::Overflow));
    assert_eq!(convert::<u64>(b"$20\r\n18446744073709551615\r\n"), Ok(u64::MAX));
    assert_eq!(convert::<u32>(b"$2\r\n-1\r\n"), Err(ReplyError::Overflow));
    assert_eq!(convert::<i8>(b":-128\r\n"), Ok(-128));
    assert_eq!(convert::<i16>(b":40000\r\n"), Err(ReplyError::Overflow));
    assert_eq!(convert::<i32>(b":-7\r\n"), Ok(-7));
    assert_eq!(convert::<u16>(b":7\r\n"), Ok(7));
    assert_eq!(convert::<usize>(b":7\r\n"), Ok(7));
    assert_eq!(convert::<isize>(b":-7\r\n"), Ok(-7));
}

#[test]
fn floats() {
    let cases: Table<'_, f64> = &[
        (b",1.5\r\n", Ok(1.5)),
        (b",inf\r\n", Ok(f64::INFINITY)),
        (b",-inf\r\n", Ok(f64::NEG_INFINITY)),
        (b":3\r\n", Ok(3.0)),
        (b"$4\r\n10.5\r\n", Ok(10.5)),
        (b"$3\r\ninf\r\n", Ok(f64::INFINITY)),
        (b"$4\r\n-inf\r\n", Ok(f64::NEG_INFINITY)),
        (b"$19\r\n3.00000000000000000\r\n", Ok(3.0)),
        (b"+1e3\r\n", Ok(1000.0)),
        (b"$3\r\nabc\r\n", Err(ReplyError::InvalidNumber)),
        (b"#f\r\n", Err(unexpected(expected::DOUBLE, b'#'))),
        (b"$-1\r\n", Err(ReplyError::Null)),
    ];
    for (wire, expected) in cases {
        assert_eq!(convert::<f64>(wire), *expected, "{}", wire.escape_ascii());
    }
    assert!(convert::<f64>(b",nan\r\n").unwrap().is_nan());
    assert!(convert::<f64>(b"$3\r\nnan\r\n").unwrap().is_nan());
    assert_eq!(convert::<f32>(b",0.25\r\n"), Ok(0.25));
    assert_eq!(convert::<f32>(b",1e300\r\n"), Err(ReplyError::Overflow));
    assert_eq!(convert::<f32>(b",inf\r\n"), Ok(f32::INFINITY));
}

#[test]
fn flags_unit_and_okay() {
    let flags: Table<'_, bool> = &[
        (b":1\r\n", Ok(true)),
        (b":0\r\n", Ok(false)),
        (b"#t\r\n", Ok(true)),
        (b"#f\r\n", Ok(false)),
        (b"$1\r\n1\r\n", Ok(true)),
        (b"+0\r\n", Ok(false)),
        (b":2\r\n", Err(ReplyError::InvalidNumber)),
        (b"$3\r\nyes\r\n", Err(ReplyError::InvalidNumber)),
        (b",1\r\n", Err(unexpected(expected::BOOLEAN, b','))),
        (b"_\r\n", Err(ReplyError::Null)),
    ];
    for (wire, expected) in flags {
        assert_eq!(convert::<bool>(wire), *expected, "{}", wire.escape_ascii());
    }
    for wire in [&b"+OK\r\n"[..], b":1\r\n", b"_\r\n", b"*0\r\n", b"%0\r\n"] {
        assert_eq!(convert::<()>(wire), Ok(()));
    }
    assert_eq!(convert::<()>(b"-ERR x\r\n"), Err(ReplyError::ServerError(ServerErrorKind::Err)));
    assert_eq!(convert::<Okay>(b"+OK\r\n"), Ok(Okay));
    assert_eq!(convert::<Okay>(b"+QUEUED\r\n"), Err(unexpected(expected::OK, b'+')));
    assert_eq!(convert::<Okay>(b"$2\r\nOK\r\n"), Err(unexpected(expected::OK, b'$')));
    assert_eq!(convert::<Okay>(b"$-1\r\n"), Err(ReplyError::Null));
    assert_eq!(convert::<Option<Okay>>(b"$-1\r\n"), Ok(None));
    assert_eq!(convert::<Option<Okay>>(b"+OK\r\n"), Ok(Some(Okay)));
}

#[test]
fn options_frames_and_aggregates() {
    for null in [&b"_\r\n"[..], b"$-1\r\n", b"*-1\r\n"] {
        assert_eq!(convert::<Option<i64>>(null), Ok(None));
        assert_eq!(convert::<Option<&str>>(null), Ok(None));
    }
    assert_eq!(convert::<Option<i64>>(b":5\r\n"), Ok(Some(5)));
    assert_eq!(convert::<Option<i64>>(b"$1\r\nx\r\n"), Err(ReplyError::InvalidNumber));
    assert_eq!(convert::<Frame<'_>>(b"-ERR x\r\n"), Ok(Frame::SimpleError(b"ERR x")));
    for wire in [&b"*1\r\n:1\r\n"[..], b"%1\r\n:1\r\n:2\r\n", b"~1\r\n:1\r\n", b">1\r\n:1\r\n"] {
        assert_eq!(convert::<Aggregate<'_>>(wire).map(|a| !a.is_empty()), Ok(true));
    }
    assert_eq!(convert::<Aggregate<'_>>(b":1\r\n").unwrap_err(), unexpected(expected::AGGREGATE, b':'));
}

#[test]
fn vectors_and_tuples() {
    let v = convert::<heapless::Vec<i64, 3>>(b"*3\r\n:1\r\n$1\r\n2\r\n:3\r\n").unwrap();
    assert_eq!(v.as_slice(), [1, 2, 3]);
    assert_eq!(convert::<heapless::Vec<i64, 2>>(b"*3\r\n:1\r\n:2\r\n:3\r\n"), Err(ReplyError::Capacity));
    let set = convert::<heapless::Vec<&str, 2>>(b"~2\r\n+a\r\n+b\r\n").unwrap();
    assert_eq!(set.as_slice(), ["a", "b"]);
    assert_eq!(convert::<heapless::Vec<i64, 2>>(b"*1\r\n+x\r\n"), Err(ReplyError::InvalidNumber));
    assert_eq!(convert::<heapless::Vec<i64, 2>>(b"%0\r\n"), Err(unexpected(expected::ARRAY, b'%')));
    assert_eq!(convert::<heapless::Vec<i64, 2>>(b"*-1\r\n"), Err(ReplyError::Null));

    assert_eq!(
        convert::<(i64, i64)>(b"*2\r\n$10\r\n1700000000\r\n$6\r\n123456\r\n"),
        Ok((1_700_000_000, 123_456))
    );
    assert_eq!(convert::<(&str, f64, bool)>(b"*3\r\n+a\r\n,2\r\n#t\r\n"), Ok(("a", 2.0, true)));
    assert_eq!(convert::<(u8, u8, u8, u8)>(b"*4\r\n:1\r\n:2\r\n:3\r\n:4\r\n"), Ok((1, 2, 3, 4)));
    assert_eq!(convert::<(i64, i64)>(b"*3\r\n:1\r\n:2\r\n:3\r\n"), Err(ReplyError::WrongLength));
    assert_eq!(convert::<(i64, i64)>(b"*1\r\n:1\r\n"), Err(ReplyError::WrongLength));
    assert_eq!(convert::<Option<(f64, f64)>>(b"*-1\r\n"), Ok(None));
    // An error nested in an aggregate (an EXEC reply, a script's table).
    assert_eq!(
        convert::<(i64, i64)>(b"*2\r\n:1\r\n-WRONGTYPE x\r\n"),
        Err(ReplyError::ServerError(ServerErrorKind::WrongType)),
    );
}

#[test]
fn lists_are_lazy_and_typed() {
    let list = convert::<List<'_, Option<u32>>>(b"*3\r\n:1\r\n$-1\r\n$2\r\nxx\r\n").unwrap();
    assert_eq!((list.len(), list.is_empty()), (3, false));
    assert_eq!(list.iter().collect::<Vec<_>>(), [Ok(Some(1)), Ok(None), Err(ReplyError::InvalidNumber)]);
    assert_eq!(list.get(1), Some(Ok(None)));
    assert_eq!(list.get(3), None);
    assert_eq!(list.into_iter().size_hint(), (3, Some(3)));
    let set = convert::<List<'_, &str>>(b"~1\r\n+a\r\n").unwrap();
    assert_eq!(set.iter().collect::<Vec<_>>(), [Ok("a")]);
    assert_eq!(convert::<List<'_, i64>>(b"%0\r\n").unwrap_err(), unexpected(expected::ARRAY, b'%'));
    assert!(convert::<List<'_, i64>>(b"*0\r\n").unwrap().is_empty());
}

#[test]
fn maps_from_resp3_maps_and_resp2_flat_arrays() {
    for wire in
        [&b"%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n"[..], b"*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"]
    {
        let map = convert::<Map<'_>>(wire).unwrap();
        assert_eq!(map.len(), 2);
        assert_eq!(map.iter::<&str, i64>().collect::<Vec<_>>(), [Ok(("a", 1)), Ok(("b", 2))]);
        assert_eq!(map.get_as::<i64>("b"), Ok(Some(2)));
        assert_eq!(map.get_as::<i64>("c"), Ok(None));
        assert!(map.get("a").is_some());
        let linear = convert::<heapless::LinearMap<&str, u8, 2>>(wire).unwrap();
        assert_eq!(linear.get("b"), Some(&2));
        assert_eq!(convert::<heapless::LinearMap<&str, u8, 1>>(wire), Err(ReplyError::Capacity));
    }
    assert_eq!(convert::<Map<'_>>(b"*1\r\n+a\r\n"), Err(ReplyError::WrongLength));
    assert_eq!(convert::<Map<'_>>(b"+a\r\n"), Err(unexpected(expected::MAP, b'+')));
    assert!(convert::<Map<'_>>(b"*0\r\n").unwrap().is_empty());
    let map = convert::<Map<'_>>(b"%1\r\n+a\r\n+x\r\n").unwrap();
    assert_eq!(map.get_as::<i64>("a"), Err(ReplyError::InvalidNumber));
}

#[test]
fn scored_members_in_both_protocols() {
    let cases: &[&[u8]] = &[
        b"*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n",
        b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n",
    ];
    for wire in cases {
        let scored = convert::<Scored<'_>>(wire).unwrap();
        assert_eq!(scored.len(), 2);
        assert_eq!(scored.iter().collect::<Vec<_>>(), [Ok((&b"a"[..], 1.0)), Ok((&b"b"[..], 2.5))]);
    }
    // ZPOPMIN without a count in RESP3: one flat pair.
    let single = convert::<Scored<'_>>(b"*2\r\n$1\r\na\r\n,1\r\n").unwrap();
    assert_eq!(single.iter().collect::<Vec<_>>(), [Ok((&b"a"[..], 1.0))]);
    assert!(convert::<Scored<'_>>(b"*0\r\n").unwrap().is_empty());
    assert_eq!(convert::<Scored<'_>>(b"*1\r\n$1\r\na\r\n"), Err(ReplyError::WrongLength));
}

#[test]
fn stream_shapes() {
    let entry = b"*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n";
    let e = convert::<StreamEntry<'_>>(entry).unwrap();
    assert_eq!((e.id, e.fields.get_as::<&str>("f")), (&b"1-0"[..], Ok(Some("v"))));
    let deleted = convert::<StreamEntry<'_>>(b"*2\r\n$3\r\n1-0\r\n*-1\r\n").unwrap();
    assert!(deleted.fields.is_empty());
    assert_eq!(convert::<StreamEntry<'_>>(b"*1\r\n$3\r\n1-0\r\n"), Err(ReplyError::WrongLength));

    let resp2 = b"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n";
    let resp3 = b"%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n";
    for wire in [&resp2[..], resp3] {
        let streams = convert::<Streams<'_>>(wire).unwrap();
        assert_eq!(streams.len(), 1);
        let entries = streams.get("s").unwrap().unwrap();
        let entry = entries.iter().next().unwrap().unwrap();
        assert_eq!(entry.fields.get_as::<&str>("f"), Ok(Some("v")));
        assert_eq!(streams.get("other"), Ok(None));
    }
    assert_eq!(convert::<Option<Streams<'_>>>(b"*-1\r\n"), Ok(None));

    let summary = b"*4\r\n:2\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n2\r\n";
    let s = convert::<PendingSummary<'_>>(summary).unwrap();
    assert_eq!((s.count, s.lowest, s.highest), (2, Some(&b"1-0"[..]), Some(&b"2-0"[..])));
    assert_eq!(s.consumers.iter().collect::<Vec<_>>(), [Ok((&b"c"[..], 2))]);
    let none = convert::<PendingSummary<'_>>(b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n").unwrap();
    assert_eq!((none.count, none.lowest, none.consumers.len()), (0, None, 0));

    let pending = b"*4\r\n$3\r\n1-0\r\n$1\r\nc\r\n:15\r\n:1\r\n";
    let p = convert::<PendingEntry<'_>>(pending).unwrap();
    assert_eq!(p, PendingEntry { id: b"1-0", consumer: b"c", idle_ms: 15, deliveries: 1 });
}

#[test]
fn geo_members() {
    let bare = convert::<GeoMember<'_>>(b"$6\r\nBerlin\r\n").unwrap();
    assert_eq!(bare, GeoMember { name: b"Berlin", distance: None, hash: None, coordinates: None });
    let full =
        b"*4\r\n$6\r\nBerlin\r\n$6\r\n2.5000\r\n:3673983950397063\r\n*2\r\n$4\r\n13.4\r\n$4\r\n52.5\r\n";
    let m = convert::<GeoMember<'_>>(full).unwrap();
    assert_eq!(m.distance, Some(2.5));
    assert_eq!(m.hash, Some(3_673_983_950_397_063));
    assert_eq!(m.coordinates, Some((13.4, 52.5)));
    let coord_only = convert::<GeoMember<'_>>(b"*2\r\n$1\r\na\r\n*2\r\n,1\r\n,2\r\n").unwrap();
    assert_eq!((coord_only.distance, coord_only.coordinates), (None, Some((1.0, 2.0))));
    assert_eq!(convert::<GeoMember<'_>>(b"*0\r\n"), Err(ReplyError::WrongLength));
}

#[test]
fn errors_display_static_texts() {
    use std::string::ToString;
    assert_eq!(ReplyError::Null.to_string(), "null reply where a value is required");
    assert_eq!(unexpected("integer", b'#').to_string(), "unexpected reply type: expected integer, found '#'",);
    assert_eq!(ReplyError::ServerError(ServerErrorKind::NoScript).to_string(), "error reply (NoScript)");
    let e: crate::Error<core::convert::Infallible> = ReplyError::Overflow.into();
    assert_eq!(e.kind(), &crate::ErrorKind::Reply(ReplyError::Overflow));
    assert!(e.connection_usable());
    assert_eq!(e.to_string(), "cannot convert the reply: number out of range for the type asked for");
}
