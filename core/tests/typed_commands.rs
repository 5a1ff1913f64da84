//! Typed command builders against a real redis-server, in RESP2 and in RESP3: every
//! family (strings, keys, hashes, lists, sets, sorted sets, streams, scripting, bitmaps,
//! HyperLogLog, geo, server and connection, the generic builder) is run through the
//! blocking core connection and its typed replies checked, so a reply shape that differs
//! between the protocols (maps, sets, doubles, verbatim strings) cannot go unnoticed.

use std::collections::BTreeSet;
use std::net::TcpStream;
use std::time::Duration;

use embedded_io_adapters::std::FromStd;
use ferrodis_core::cmd::{
    self, Aggregation, BitOp, BitUnit, Cmd, Command, FixedArgs, FlushMode, GeoOrigin, GeoShape, GeoUnit,
    Position, Side, Trim,
};
use ferrodis_core::conn::blocking::Connection;
use ferrodis_core::conn::{Handshake, Protocol};
use ferrodis_core::reply::{Okay, ReplyError};
use ferrodis_core::resp::Frame;
use ferrodis_core::{Delivery, EncodeError, ErrorKind, ServerErrorKind};
use ferrodis_test_support::RedisServer;

type Conn<'b> = Connection<FromStd<TcpStream>, &'b mut [u8]>;

fn connect<'b>(server: &RedisServer, protocol: Protocol, rx: &'b mut [u8], tx: &'b mut [u8]) -> Conn<'b> {
    let tcp = TcpStream::connect(server.addr()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut conn = Connection::new(FromStd::new(tcp), rx, tx);
    conn.handshake(&Handshake { protocol, ..Handshake::DEFAULT }).unwrap();
    conn
}

/// Runs `test` against a fresh server, once over RESP2 and once over RESP3, on an empty
/// database each time.
fn in_both_protocols(test: impl Fn(&mut Conn<'_>, Protocol)) {
    let server = RedisServer::start();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let (mut rx, mut tx) = (vec![0u8; 64 * 1024], vec![0u8; 8 * 1024]);
        let mut conn = connect(&server, protocol, &mut rx, &mut tx);
        assert_eq!(conn.run(&cmd::flushall()).unwrap(), Okay);
        test(&mut conn, protocol);
    }
}

/// The elements of a list reply, owned.
fn texts<'a>(items: impl IntoIterator<Item = Result<&'a [u8], ReplyError>>) -> Vec<String> {
    items.into_iter().map(|b| String::from_utf8(b.unwrap().to_vec()).unwrap()).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn strings_and_counters() {
    in_both_protocols(|conn, _| {
        assert_eq!(conn.run(&cmd::set("k", "v")).unwrap(), Some(Okay));
        assert_eq!(conn.run(&cmd::set("k", "w").nx()).unwrap(), None);
        assert_eq!(conn.run(&cmd::set("missing", "w").xx()).unwrap(), None);
        assert_eq!(conn.run(&cmd::set("k", "w").xx().get()).unwrap(), Some(&b"v"[..]));
        assert_eq!(conn.run(&cmd::get("k")).unwrap(), Some(&b"w"[..]));
        assert_eq!(conn.run(&cmd::get("k").returning::<Option<&str>>()).unwrap(), Some("w"));
        assert_eq!(conn.run(&cmd::get("missing")).unwrap(), None);
        assert_eq!(conn.run(&cmd::set("t", "v").ex(100)).unwrap(), Some(Okay));
        assert!((1..=100).contains(&conn.run(&cmd::ttl("t")).unwrap()));
        assert_eq!(conn.run(&cmd::set("t", "x").keepttl()).unwrap(), Some(Okay));
        assert!(conn.run(&cmd::ttl("t")).unwrap() > 0);
        assert_eq!(conn.run(&cmd::getex("t").persist()).unwrap(), Some(&b"x"[..]));
        assert_eq!(conn.run(&cmd::ttl("t")).unwrap(), -1);
        assert_eq!(
            conn.run(&cmd::getex("t").expiry(cmd::Expiry::Milliseconds(50_000))).unwrap(),
            Some(&b"x"[..])
        );
        assert!(conn.run(&cmd::pttl("t")).unwrap() > 1000);
        assert_eq!(conn.run(&cmd::getdel("t")).unwrap(), Some(&b"x"[..]));
        assert_eq!(conn.run(&cmd::getdel("t")).unwrap(), None);

        assert_eq!(conn.run(&cmd::incr("n")).unwrap(), 1);
        assert_eq!(conn.run(&cmd::incrby("n", 41)).unwrap(), 42);
        assert_eq!(conn.run(&cmd::decrby("n", 2)).unwrap(), 40);
        assert_eq!(conn.run(&cmd::decr("n")).unwrap(), 39);
        assert_eq!(conn.run(&cmd::get("n").returning::<Option<u8>>()).unwrap(), Some(39));
        assert_eq!(conn.run(&cmd::incrbyfloat("f", 1.5)).unwrap(), 1.5);
        assert_eq!(conn.run(&cmd::incrbyfloat("f", 1.5)).unwrap(), 3.0);

        assert_eq!(conn.run(&cmd::append("s", "Hello")).unwrap(), 5);
        assert_eq!(conn.run(&cmd::append("s", " World")).unwrap(), 11);
        assert_eq!(conn.run(&cmd::strlen("s")).unwrap(), 11);
        assert_eq!(conn.run(&cmd::getrange("s", 0, 4)).unwrap(), b"Hello");
        assert_eq!(conn.run(&cmd::setrange("s", 6, "Redis")).unwrap(), 11);
        assert_eq!(conn.run(&cmd::get("s").returning::<Option<&str>>()).unwrap(), Some("Hello Redis"));
        assert!(conn.run(&cmd::setnx("nx", "1")).unwrap());
        assert!(!conn.run(&cmd::setnx("nx", "2")).unwrap());
        assert_eq!(conn.run(&cmd::setex("e", 100, "v")).unwrap(), Okay);
        assert_eq!(conn.run(&cmd::psetex("p", 100_000, "v")).unwrap(), Okay);
        assert!(conn.run(&cmd::pttl("p")).unwrap() > 1000);

        assert_eq!(conn.run(&cmd::mset(&[("a", "1"), ("b", "2")])).unwrap(), Okay);
        let values = conn.run(&cmd::mget(&["a", "nope", "b"])).unwrap();
        assert!(values.iter().eq([Ok(Some(&b"1"[..])), Ok(None), Ok(Some(&b"2"[..]))]));
        assert!(!conn.run(&cmd::msetnx(&[("a", "x"), ("c", "y")])).unwrap());
        assert!(conn.run(&cmd::msetnx(&[("c", "x"), ("d", "y")])).unwrap());
    });
}

#[test]
fn keys_and_expiry() {
    in_both_protocols(|conn, _| {
        assert_eq!(conn.run(&cmd::mset(&[("a", 1), ("b", 2), ("c", 3)])).unwrap(), Okay);
        assert_eq!(conn.run(&cmd::exists(&["a", "b", "nope", "a"])).unwrap(), 3);
        assert_eq!(conn.run(&cmd::touch(&["a", "nope"])).unwrap(), 1);
        assert_eq!(conn.run(&cmd::key_type("a")).unwrap(), "string");
        assert_eq!(conn.run(&cmd::key_type("nope")).unwrap(), "none");
        assert_eq!(conn.run(&cmd::rename("a", "a2")).unwrap(), Okay);
        assert!(!conn.run(&cmd::renamenx("a2", "b")).unwrap());
        assert!(conn.run(&cmd::renamenx("a2", "a")).unwrap());

        assert!(!conn.run(&cmd::expire("nope", 100)).unwrap());
        assert!(conn.run(&cmd::expire("a", 100).nx()).unwrap());
        assert!(!conn.run(&cmd::expire("a", 200).nx()).unwrap());
        assert!(conn.run(&cmd::expire("a", 200).gt()).unwrap());
        assert!(!conn.run(&cmd::expire("a", 50).gt()).unwrap());
        assert!(conn.run(&cmd::expire("a", 50).lt()).unwrap());
        assert!(conn.run(&cmd::pexpire("a", 60_000).xx()).unwrap());
        assert!((59..=60).contains(&conn.run(&cmd::ttl("a")).unwrap()));
        let (now, _) = conn.run(&cmd::time()).unwrap();
        let at = u64::try_from(now).unwrap() + 1000;
        assert!(conn.run(&cmd::expireat("b", at)).unwrap());
        assert_eq!(conn.run(&cmd::expiretime("b")).unwrap(), i64::try_from(at).unwrap());
        assert!(conn.run(&cmd::pexpireat("c", at * 1000)).unwrap());
        assert_eq!(conn.run(&cmd::pexpiretime("c")).unwrap(), i64::try_from(at * 1000).unwrap());
        assert!(conn.run(&cmd::persist("c")).unwrap());
        assert!(!conn.run(&cmd::persist("c")).unwrap());
        assert_eq!(conn.run(&cmd::ttl("c")).unwrap(), -1);
        assert_eq!(conn.run(&cmd::ttl("nope")).unwrap(), -2);
        assert_eq!(conn.run(&cmd::pttl("nope")).unwrap(), -2);

        assert_eq!(sorted(texts(conn.run(&cmd::keys("*")).unwrap())), ["a", "b", "c"]);
        assert!(conn.run(&cmd::randomkey()).unwrap().is_some());

        for i in 0..30 {
            let key = format!("user:{i}");
            conn.run(&cmd::set(key.as_str(), i)).unwrap();
        }
        conn.run(&cmd::hset("user:h", &[("f", "v")])).unwrap();
        let mut seen = BTreeSet::new();
        let mut cursor = 0;
        loop {
            let (next, page) =
                conn.run(&cmd::scan(cursor).pattern("user:*").count(7).key_type("string")).unwrap();
            seen.extend(texts(page));
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(seen.len(), 30);
        assert!(!seen.contains("user:h"));

        assert_eq!(conn.run(&cmd::del(&["a", "b", "nope"])).unwrap(), 2);
        assert_eq!(conn.run(&cmd::unlink(&["c"])).unwrap(), 1);
    });
}

#[test]
fn hashes() {
    in_both_protocols(|conn, protocol| {
        assert_eq!(conn.run(&cmd::hset("h", &[("name", "Ada"), ("age", "36")])).unwrap(), 2);
        assert_eq!(conn.run(&cmd::hset("h", &[("age", "37")])).unwrap(), 0);
        assert_eq!(conn.run(&cmd::hget("h", "name")).unwrap(), Some(&b"Ada"[..]));
        assert_eq!(conn.run(&cmd::hget("h", "nope")).unwrap(), None);
        let values = conn.run(&cmd::hmget("h", &["name", "nope"])).unwrap();
        assert!(values.iter().eq([Ok(Some(&b"Ada"[..])), Ok(None)]));
        // The two protocols really differ here: a flat array in RESP2, a map in RESP3.
        let raw = conn.run(&cmd::hgetall("h").returning::<Frame<'_>>()).unwrap();
        assert_eq!(raw.type_byte(), if protocol == Protocol::Resp3 { b'%' } else { b'*' });
        let all = conn.run(&cmd::hgetall("h")).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all.get_as::<&str>("name"), Ok(Some("Ada")));
        assert_eq!(all.get_as::<u32>("age"), Ok(Some(37)));
        assert!(conn.run(&cmd::hgetall("nope")).unwrap().is_empty());
        assert!(conn.run(&cmd::hexists("h", "name")).unwrap());
        assert!(!conn.run(&cmd::hexists("h", "nope")).unwrap());
        assert_eq!(conn.run(&cmd::hincrby("h", "age", 3)).unwrap(), 40);
        assert_eq!(conn.run(&cmd::hincrbyfloat("h", "score", 0.25)).unwrap(), 0.25);
        assert_eq!(sorted(texts(conn.run(&cmd::hkeys("h")).unwrap())), ["age", "name", "score"]);
        assert_eq!(sorted(texts(conn.run(&cmd::hvals("h")).unwrap())), ["0.25", "40", "Ada"]);
        assert_eq!(conn.run(&cmd::hlen("h")).unwrap(), 3);
        assert!(!conn.run(&cmd::hsetnx("h", "name", "Bob")).unwrap());
        assert!(conn.run(&cmd::hsetnx("h", "city", "London")).unwrap());
        assert_eq!(conn.run(&cmd::hstrlen("h", "city")).unwrap(), 6);
        let (cursor, page) = conn.run(&cmd::hscan("h", 0).pattern("c*").count(100)).unwrap();
        assert_eq!(cursor, 0);
        assert_eq!(page.iter::<&str, &str>().collect::<Vec<_>>(), [Ok(("city", "London"))]);
        assert_eq!(conn.run(&cmd::hdel("h", &["city", "nope"])).unwrap(), 1);
    });
}

#[test]
fn lists() {
    in_both_protocols(|conn, _| {
        assert_eq!(conn.run(&cmd::lpushx("l", &["x"])).unwrap(), 0);
        assert_eq!(conn.run(&cmd::rpush("l", &["b", "c"])).unwrap(), 2);
        assert_eq!(conn.run(&cmd::lpush("l", &["a"])).unwrap(), 3);
        assert_eq!(conn.run(&cmd::rpushx("l", &[1, 2])).unwrap(), 5);
        assert_eq!(texts(conn.run(&cmd::lrange("l", 0, -1)).unwrap()), ["a", "b", "c", "1", "2"]);
        assert_eq!(conn.run(&cmd::llen("l")).unwrap(), 5);
        assert_eq!(conn.run(&cmd::lindex("l", -1)).unwrap(), Some(&b"2"[..]));
        assert_eq!(conn.run(&cmd::lindex("l", 99)).unwrap(), None);
        assert_eq!(conn.run(&cmd::lset("l", 0, "A")).unwrap(), Okay);
        assert_eq!(conn.run(&cmd::linsert("l", Position::After, "A", "b")).unwrap(), 6);
        assert_eq!(conn.run(&cmd::linsert("l", Position::Before, "nope", "x")).unwrap(), -1);
        assert_eq!(conn.run(&cmd::lpos("l", "b")).unwrap(), Some(1));
        assert_eq!(conn.run(&cmd::lpos("l", "b").rank(2)).unwrap(), Some(2));
        assert_eq!(conn.run(&cmd::lpos("l", "b").rank(1).maxlen(1)).unwrap(), None);
        assert_eq!(conn.run(&cmd::lrem("l", 0, "b")).unwrap(), 2);
        assert_eq!(conn.run(&cmd::ltrim("l", 0, 2)).unwrap(), Okay);
        assert_eq!(texts(conn.run(&cmd::lrange("l", 0, -1)).unwrap()), ["A", "c", "1"]);
        assert_eq!(conn.run(&cmd::lmove("l", "m", Side::Left, Side::Right)).unwrap(), Some(&b"A"[..]));
        assert_eq!(conn.run(&cmd::lmove("nope", "m", Side::Left, Side::Right)).unwrap(), None);
        assert_eq!(conn.run(&cmd::lpop("l")).unwrap(), Some(&b"c"[..]));
        assert_eq!(conn.run(&cmd::rpop("l")).unwrap(), Some(&b"1"[..]));
        assert_eq!(conn.run(&cmd::rpop("l")).unwrap(), None);
        assert_eq!(conn.run(&cmd::rpush("l", &["x", "y", "z"])).unwrap(), 3);
        assert_eq!(texts(conn.run(&cmd::lpop_count("l", 2)).unwrap().unwrap()), ["x", "y"]);
        assert_eq!(texts(conn.run(&cmd::rpop_count("l", 5)).unwrap().unwrap()), ["z"]);
        assert!(conn.run(&cmd::lpop_count("l", 2)).unwrap().is_none());
        assert_eq!(conn.run(&cmd::rpush("q", &["job"])).unwrap(), 1);
        assert_eq!(conn.run(&cmd::blpop(&["empty", "q"], 1.0)).unwrap(), Some((&b"q"[..], &b"job"[..])));
        assert_eq!(conn.run(&cmd::rpush("q", &["j2"])).unwrap(), 1);
        assert_eq!(conn.run(&cmd::brpop(&["q"], 1.0)).unwrap(), Some((&b"q"[..], &b"j2"[..])));
        assert_eq!(conn.run(&cmd::blpop(&["q"], 0.05)).unwrap(), None);
        assert_eq!(conn.run(&cmd::brpop(&["q"], 0.05)).unwrap(), None);
    });
}

#[test]
fn sets() {
    in_both_protocols(|conn, _| {
        assert_eq!(conn.run(&cmd::sadd("s", &["a", "b", "c", "a"])).unwrap(), 3);
        assert_eq!(conn.run(&cmd::sadd("t", &["b", "c", "d"])).unwrap(), 3);
        assert_eq!(sorted(texts(conn.run(&cmd::smembers("s")).unwrap())), ["a", "b", "c"]);
        assert!(conn.run(&cmd::sismember("s", "a")).unwrap());
        assert!(!conn.run(&cmd::sismember("s", "z")).unwrap());
        assert!(conn.run(&cmd::smismember("s", &["a", "z"])).unwrap().iter().eq([Ok(true), Ok(false)]));
        assert_eq!(conn.run(&cmd::scard("s")).unwrap(), 3);
        assert_eq!(sorted(texts(conn.run(&cmd::sinter(&["s", "t"])).unwrap())), ["b", "c"]);
        assert_eq!(sorted(texts(conn.run(&cmd::sunion(&["s", "t"])).unwrap())), ["a", "b", "c", "d"]);
        assert_eq!(texts(conn.run(&cmd::sdiff(&["s", "t"])).unwrap()), ["a"]);
        assert_eq!(conn.run(&cmd::sinterstore("i", &["s", "t"])).unwrap(), 2);
        assert_eq!(conn.run(&cmd::sunionstore("u", &["s", "t"])).unwrap(), 4);
        assert_eq!(conn.run(&cmd::sdiffstore("d", &["s", "t"])).unwrap(), 1);
        assert!(conn.run(&cmd::smove("s", "t", "a")).unwrap());
        assert!(!conn.run(&cmd::smove("s", "t", "a")).unwrap());
        assert_eq!(conn.run(&cmd::srem("t", &["a", "z"])).unwrap(), 1);
        assert!(conn.run(&cmd::srandmember("s")).unwrap().is_some());
        assert_eq!(conn.run(&cmd::srandmember_count("s", 5)).unwrap().len(), 2);
        assert_eq!(conn.run(&cmd::srandmember_count("s", -5)).unwrap().len(), 5);
        assert_eq!(conn.run(&cmd::srandmember("nope")).unwrap(), None);
        let (cursor, page) = conn.run(&cmd::sscan("u", 0).count(100)).unwrap();
        assert_eq!((cursor, sorted(texts(page))), (0, vec!["a".into(), "b".into(), "c".into(), "d".into()]));
        assert!(conn.run(&cmd::spop("s")).unwrap().is_some());
        assert_eq!(conn.run(&cmd::spop_count("s", 5)).unwrap().len(), 1);
        assert_eq!(conn.run(&cmd::spop("s")).unwrap(), None);
        assert!(conn.run(&cmd::spop_count("s", 5)).unwrap().is_empty());
    });
}

#[test]
fn sorted_sets() {
    in_both_protocols(|conn, protocol| {
        assert_eq!(conn.run(&cmd::zadd("z", &[(1.0, "a"), (2.0, "b"), (3.5, "c")])).unwrap(), 3);
        assert_eq!(conn.run(&cmd::zadd("z", &[(9, "a")]).nx()).unwrap(), 0);
        assert_eq!(conn.run(&cmd::zadd("z", &[(0, "a")]).xx().gt().ch()).unwrap(), 0);
        assert_eq!(conn.run(&cmd::zadd("z", &[(0.5, "a")]).xx().lt().ch()).unwrap(), 1);
        assert_eq!(conn.run(&cmd::zscore("z", "a")).unwrap(), Some(0.5));
        let raw = conn.run(&cmd::zscore("z", "a").returning::<Frame<'_>>()).unwrap();
        assert_eq!(raw.type_byte(), if protocol == Protocol::Resp3 { b',' } else { b'$' });
        assert_eq!(conn.run(&cmd::zscore("z", "nope")).unwrap(), None);
        assert_eq!(conn.run(&cmd::zincrby("z", 1.0, "a")).unwrap(), 1.5);
        assert_eq!(conn.run(&cmd::zcard("z")).unwrap(), 3);
        assert_eq!(conn.run(&cmd::zcount("z", "(1.5", "+inf")).unwrap(), 2);
        assert_eq!(conn.run(&cmd::zrank("z", "b")).unwrap(), Some(1));
        assert_eq!(conn.run(&cmd::zrevrank("z", "b")).unwrap(), Some(1));
        assert_eq!(conn.run(&cmd::zrank("z", "nope")).unwrap(), None);
        assert_eq!(texts(conn.run(&cmd::zrange("z", 0, -1)).unwrap()), ["a", "b", "c"]);
        let scored = conn.run(&cmd::zrange("z", 0, -1).withscores()).unwrap();
        assert!(scored.iter().eq([Ok((&b"a"[..], 1.5)), Ok((&b"b"[..], 2.0)), Ok((&b"c"[..], 3.5))]));
        let top =
            conn.run(&cmd::zrange("z", "+inf", "(1.5").byscore().rev().limit(0, 1).withscores()).unwrap();
        assert!(top.iter().eq([Ok((&b"c"[..], 3.5))]));
        assert_eq!(texts(conn.run(&cmd::zrange("z", "[b", "+").bylex()).unwrap()), ["b", "c"]);
        let scores = conn.run(&cmd::zmscore("z", &["a", "nope"])).unwrap();
        assert!(scores.iter().eq([Ok(Some(1.5)), Ok(None)]));
        let (cursor, page) = conn.run(&cmd::zscan("z", 0)).unwrap();
        assert_eq!((cursor, page.len()), (0, 3));
        assert!(page.iter().any(|m| m == Ok((&b"c"[..], 3.5))));

        assert_eq!(conn.run(&cmd::zadd("y", &[(10, "a"), (20, "d")])).unwrap(), 2);
        assert_eq!(conn.run(&cmd::zunionstore("u", &["z", "y"])).unwrap(), 4);
        assert_eq!(conn.run(&cmd::zscore("u", "a")).unwrap(), Some(11.5));
        let weighted = cmd::zinterstore("i", &["z", "y"]).weights(&[2.0, 1.0]).aggregate(Aggregation::Max);
        assert_eq!(conn.run(&weighted).unwrap(), 1);
        assert_eq!(conn.run(&cmd::zscore("i", "a")).unwrap(), Some(10.0));

        let min = conn.run(&cmd::zpopmin("z")).unwrap();
        assert!(min.iter().eq([Ok((&b"a"[..], 1.5))]));
        let max = conn.run(&cmd::zpopmax_count("z", 5)).unwrap();
        assert!(max.iter().eq([Ok((&b"c"[..], 3.5)), Ok((&b"b"[..], 2.0))]));
        assert!(conn.run(&cmd::zpopmax("z")).unwrap().is_empty());
        assert_eq!(conn.run(&cmd::zpopmin_count("u", 2)).unwrap().len(), 2);
        assert_eq!(conn.run(&cmd::zrem("u", &["c", "d", "nope"])).unwrap(), 1);
        assert_eq!(conn.run(&cmd::zadd("r", &[(1, "a"), (2, "b"), (3, "c")])).unwrap(), 3);
        assert_eq!(conn.run(&cmd::zremrangebyscore("r", "-inf", 1)).unwrap(), 1);
        assert_eq!(conn.run(&cmd::zremrangebyrank("r", 0, 0)).unwrap(), 1);
        assert_eq!(conn.run(&cmd::zcard("r")).unwrap(), 1);
    });
}

#[test]
fn streams() {
    in_both_protocols(|conn, _| {
        assert_eq!(conn.run(&cmd::xadd("s", "1-1", &[("f", "v1")])).unwrap(), b"1-1");
        assert_eq!(conn.run(&cmd::xadd("s", "2-1", &[("f", "v2"), ("g", "w")])).unwrap(), b"2-1");
        let id = conn.run(&cmd::xadd("s", "*", &[("f", 3)])).unwrap();
        assert!(id.contains(&b'-'));
        assert_eq!(conn.run(&cmd::xadd("nope", "*", &[("f", 1)]).nomkstream()).unwrap(), None);
        assert!(conn.run(&cmd::xadd("s", "*", &[("f", 4)]).nomkstream()).unwrap().is_some());
        assert_eq!(conn.run(&cmd::xlen("s")).unwrap(), 4);

        let all = conn.run(&cmd::xrange("s", "-", "+")).unwrap();
        assert_eq!(all.len(), 4);
        let first = all.iter().next().unwrap().unwrap();
        assert_eq!((first.id, first.fields.get_as::<&str>("f")), (&b"1-1"[..], Ok(Some("v1"))));
        let second = conn.run(&cmd::xrange("s", "(1-1", "+").count(1)).unwrap().get(0).unwrap().unwrap();
        assert_eq!((second.id, second.fields.len()), (&b"2-1"[..], 2));
        let last = conn.run(&cmd::xrevrange("s", "+", "-").count(1)).unwrap().get(0).unwrap().unwrap();
        assert_eq!(last.fields.get_as::<u32>("f"), Ok(Some(4)));

        let read = conn.run(&cmd::xread(&[("s", "2-1"), ("nope", "0")]).count(1)).unwrap().unwrap();
        assert_eq!(read.len(), 1);
        let entries = read.get("s").unwrap().unwrap();
        assert_eq!(entries.get(0).unwrap().unwrap().fields.get_as::<u32>("f"), Ok(Some(3)));
        assert_eq!(conn.run(&cmd::xread(&[("s", "$")]).block(50)).unwrap(), None);

        assert_eq!(conn.run(&cmd::xgroup_create("s", "g", "0")).unwrap(), Okay);
        let again = conn.run(&cmd::xgroup_create("s", "g", "0")).unwrap_err();
        assert_eq!(again.server_error().map(|e| e.kind()), Some(ServerErrorKind::BusyGroup));
        assert_eq!(again.delivery(), Delivery::Answered);
        assert_eq!(conn.run(&cmd::xgroup_create("new", "g", "$").mkstream()).unwrap(), Okay);
        assert!(conn.run(&cmd::xgroup_createconsumer("s", "g", "alice")).unwrap());
        assert!(!conn.run(&cmd::xgroup_createconsumer("s", "g", "alice")).unwrap());

        let got = conn.run(&cmd::xreadgroup("g", "alice", &[("s", ">")]).count(2)).unwrap().unwrap();
        let (key, entries) = got.iter().next().unwrap().unwrap();
        assert_eq!((key, entries.len()), (&b"s"[..], 2));
        let got = conn.run(&cmd::xreadgroup("g", "bob", &[("s", ">")]).count(1).noack()).unwrap().unwrap();
        assert_eq!(got.get("s").unwrap().unwrap().len(), 1);
        assert_eq!(conn.run(&cmd::xreadgroup("g", "bob", &[("new", ">")]).block(50)).unwrap(), None);
        let history = conn.run(&cmd::xreadgroup("g", "alice", &[("s", "0")])).unwrap().unwrap();
        assert_eq!(history.get("s").unwrap().unwrap().len(), 2);

        let summary = conn.run(&cmd::xpending("s", "g")).unwrap();
        assert_eq!(
            (summary.count, summary.lowest, summary.highest),
            (2, Some(&b"1-1"[..]), Some(&b"2-1"[..]))
        );
        assert!(summary.consumers.iter().eq([Ok((&b"alice"[..], 2))]));
        let pending = conn.run(&cmd::xpending_range("s", "g", "-", "+", 10).consumer("alice")).unwrap();
        let entry = pending.get(1).unwrap().unwrap();
        assert_eq!((entry.id, entry.consumer, entry.deliveries), (&b"2-1"[..], &b"alice"[..], 2));
        assert_eq!(conn.run(&cmd::xpending_range("s", "g", "-", "+", 10).idle(3_600_000)).unwrap().len(), 0);
        assert_eq!(conn.run(&cmd::xack("s", "g", &["1-1", "2-1", "9-9"])).unwrap(), 2);
        let empty = conn.run(&cmd::xpending("s", "g")).unwrap();
        assert_eq!((empty.count, empty.lowest, empty.consumers.len()), (0, None, 0));

        assert_eq!(conn.run(&cmd::xgroup_delconsumer("s", "g", "alice")).unwrap(), 0);
        assert_eq!(conn.run(&cmd::xgroup_setid("s", "g", "$")).unwrap(), Okay);
        assert!(conn.run(&cmd::xgroup_destroy("s", "g")).unwrap());
        assert!(!conn.run(&cmd::xgroup_destroy("s", "g")).unwrap());
        assert_eq!(conn.run(&cmd::xdel("s", &["1-1", "9-9"])).unwrap(), 1);
        assert_eq!(conn.run(&cmd::xtrim("s", Trim::maxlen(1))).unwrap(), 2);
        assert_eq!(conn.run(&cmd::xtrim("s", Trim::minid("0-1").approx().limit(10))).unwrap(), 0);
        assert!(conn.run(&cmd::xadd("s", "*", &[("f", 5)]).trim(Trim::maxlen(1))).unwrap().len() > 2);
        assert_eq!(conn.run(&cmd::xlen("s")).unwrap(), 1);
    });
}

#[test]
fn scripting() {
    in_both_protocols(|conn, _| {
        let incr = cmd::eval("return redis.call('INCRBY', KEYS[1], ARGV[1])").keys(&["n"]).args(&[5]);
        assert_eq!(conn.run(&incr.returning::<i64>()).unwrap(), 5);
        assert_eq!(conn.run(&incr).unwrap(), Frame::Integer(10));
        let table = cmd::eval("return {KEYS[1], ARGV[1], 3}").keys(&["k"]).args(&["v"]);
        assert_eq!(conn.run(&table.returning::<(&str, &str, i64)>()).unwrap(), ("k", "v", 3));
        assert_eq!(
            conn.run(&cmd::eval_ro("return redis.call('GET', KEYS[1])").keys(&["n"]).returning::<u32>())
                .unwrap(),
            10
        );

        let sha = conn.run(&cmd::script_load("return ARGV[1] + 1")).unwrap().to_owned();
        assert_eq!(sha.len(), 40);
        assert_eq!(conn.run(&cmd::evalsha(sha.as_str()).args(&[41]).returning::<i64>()).unwrap(), 42);
        assert_eq!(conn.run(&cmd::evalsha_ro(sha.as_str()).args(&[1]).returning::<i64>()).unwrap(), 2);
        let known = conn
            .run(&cmd::script_exists(&[sha.as_str(), "0000000000000000000000000000000000000000"]))
            .unwrap();
        assert!(known.iter().eq([Ok(true), Ok(false)]));
        assert_eq!(conn.run(&cmd::script_flush().mode(FlushMode::Sync)).unwrap(), Okay);
        assert_eq!(conn.run(&cmd::script_flush()).unwrap(), Okay);
        let gone = conn.run(&cmd::evalsha(sha.as_str())).unwrap_err();
        assert_eq!(gone.server_error().map(|e| e.kind()), Some(ServerErrorKind::NoScript));
    });
}

#[test]
fn bitmaps_and_hyperloglog() {
    in_both_protocols(|conn, _| {
        assert!(!conn.run(&cmd::setbit("b", 7, true)).unwrap());
        assert!(conn.run(&cmd::setbit("b", 7, true)).unwrap());
        assert!(!conn.run(&cmd::setbit("b", 9, true)).unwrap());
        assert!(conn.run(&cmd::getbit("b", 7)).unwrap());
        assert!(!conn.run(&cmd::getbit("b", 100)).unwrap());
        assert_eq!(conn.run(&cmd::bitcount("b")).unwrap(), 2);
        assert_eq!(conn.run(&cmd::bitcount("b").range(0, 0)).unwrap(), 1);
        assert_eq!(conn.run(&cmd::bitcount("b").range(8, 15).unit(BitUnit::Bit)).unwrap(), 1);
        assert_eq!(conn.run(&cmd::bitpos("b", true)).unwrap(), 7);
        assert_eq!(conn.run(&cmd::bitpos("b", true).start(1)).unwrap(), 9);
        assert_eq!(conn.run(&cmd::bitpos("b", true).range(8, 15).unit(BitUnit::Bit)).unwrap(), 9);
        assert_eq!(conn.run(&cmd::bitpos("b", false)).unwrap(), 0);
        assert!(!conn.run(&cmd::setbit("c", 7, true)).unwrap());
        assert_eq!(conn.run(&cmd::bitop(BitOp::And, "and", &["b", "c"])).unwrap(), 2);
        assert_eq!(conn.run(&cmd::bitcount("and")).unwrap(), 1);
        assert_eq!(conn.run(&cmd::bitop(BitOp::Not, "not", &["c"])).unwrap(), 1);
        assert_eq!(conn.run(&cmd::bitcount("not")).unwrap(), 7);

        assert!(conn.run(&cmd::pfadd("h", &["a", "b", "c"])).unwrap());
        assert!(!conn.run(&cmd::pfadd("h", &["a"])).unwrap());
        assert!(conn.run(&cmd::pfadd("i", &["c", "d"])).unwrap());
        assert_eq!(conn.run(&cmd::pfcount(&["h"])).unwrap(), 3);
        assert_eq!(conn.run(&cmd::pfcount(&["h", "i"])).unwrap(), 4);
        assert_eq!(conn.run(&cmd::pfmerge("m", &["h", "i"])).unwrap(), Okay);
        assert_eq!(conn.run(&cmd::pfcount(&["m"])).unwrap(), 4);
    });
}

#[test]
fn geo() {
    in_both_protocols(|conn, _| {
        let cities = [(13.361389, 38.115556, "Palermo"), (15.087269, 37.502669, "Catania")];
        assert_eq!(conn.run(&cmd::geoadd("g", &cities)).unwrap(), 2);
        assert_eq!(conn.run(&cmd::geoadd("g", &[(13.5, 38.0, "Palermo")]).nx()).unwrap(), 0);
        assert_eq!(conn.run(&cmd::geoadd("g", &[(13.361389, 38.115556, "Palermo")]).xx().ch()).unwrap(), 0);
        let km =
            conn.run(&cmd::geodist("g", "Palermo", "Catania").unit(GeoUnit::Kilometers)).unwrap().unwrap();
        assert!((km - 166.2742).abs() < 0.01, "{km}");
        let m = conn.run(&cmd::geodist("g", "Palermo", "Catania")).unwrap().unwrap();
        assert!((m - 166_274.15).abs() < 1.0, "{m}");
        assert_eq!(conn.run(&cmd::geodist("g", "Palermo", "nope")).unwrap(), None);
        let positions = conn.run(&cmd::geopos("g", &["Palermo", "nope"])).unwrap();
        let mut positions = positions.iter();
        let (lon, lat) = positions.next().unwrap().unwrap().unwrap();
        assert!((lon - 13.361389).abs() < 1e-5 && (lat - 38.115556).abs() < 1e-5);
        assert_eq!(positions.next(), Some(Ok(None)));
        let hashes = conn.run(&cmd::geohash("g", &["Palermo", "nope"])).unwrap();
        assert!(hashes.iter().eq([Ok(Some("sqc8b49rny0")), Ok(None)]));

        let near =
            cmd::geosearch("g", GeoOrigin::LonLat(15.0, 37.0), GeoShape::Radius(200.0, GeoUnit::Kilometers))
                .asc()
                .withdist()
                .withcoord()
                .withhash();
        let found = conn.run(&near).unwrap();
        let members: Vec<_> = found.iter().map(Result::unwrap).collect();
        assert_eq!(members.len(), 2);
        assert_eq!(members[0].name, b"Catania");
        assert!((members[0].distance.unwrap() - 56.4413).abs() < 0.01);
        assert!(members[0].hash.is_some() && members[0].coordinates.is_some());
        let names = cmd::geosearch(
            "g",
            GeoOrigin::member("Palermo"),
            GeoShape::Box(400.0, 400.0, GeoUnit::Kilometers),
        )
        .desc()
        .count(1);
        let found = conn.run(&names).unwrap();
        let only = found.get(0).unwrap().unwrap();
        assert_eq!((found.len(), only.name, only.distance), (1, &b"Catania"[..], None));
        let any = cmd::geosearch("g", GeoOrigin::member("Palermo"), GeoShape::Radius(500.0, GeoUnit::Miles))
            .count_any(1);
        assert_eq!(conn.run(&any).unwrap().len(), 1);
        let feet = cmd::geosearch("g", GeoOrigin::member("Palermo"), GeoShape::Radius(10.0, GeoUnit::Feet))
            .withdist();
        assert_eq!(conn.run(&feet).unwrap().get(0).unwrap().unwrap().distance, Some(0.0));
    });
}

#[test]
fn server_and_connection() {
    let server = RedisServer::start();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let (mut rx, mut tx) = (vec![0u8; 64 * 1024], vec![0u8; 8 * 1024]);
        let mut conn = connect(&server, protocol, &mut rx, &mut tx);
        assert_eq!(conn.run(&cmd::flushall().mode(FlushMode::Sync)).unwrap(), Okay);
        assert_eq!(conn.run(&cmd::ping()).unwrap(), b"PONG");
        assert_eq!(conn.run(&cmd::ping().message("hi")).unwrap(), b"hi");
        assert_eq!(conn.run(&cmd::echo("hello")).unwrap(), b"hello");
        assert!(conn.run(&cmd::info().section("server")).unwrap().contains("redis_version:"));
        assert!(conn.run(&cmd::info()).unwrap().contains("# Keyspace"));
        assert_eq!(conn.run(&cmd::select(1)).unwrap(), Okay);
        assert_eq!(conn.run(&cmd::set("k", "v")).unwrap(), Some(Okay));
        assert_eq!(conn.run(&cmd::dbsize()).unwrap(), 1);
        assert_eq!(conn.run(&cmd::flushdb().mode(FlushMode::Async)).unwrap(), Okay);
        assert_eq!(conn.run(&cmd::dbsize()).unwrap(), 0);
        assert_eq!(conn.run(&cmd::select(0)).unwrap(), Okay);
        assert_eq!(conn.run(&cmd::flushdb()).unwrap(), Okay);
        let (secs, micros) = conn.run(&cmd::time()).unwrap();
        assert!(secs > 1_600_000_000 && (0..1_000_000).contains(&micros));

        assert_eq!(conn.run(&cmd::client_getname()).unwrap(), None);
        assert_eq!(conn.run(&cmd::client_setname("typed")).unwrap(), Okay);
        assert_eq!(conn.run(&cmd::client_getname()).unwrap(), Some(&b"typed"[..]));
        let id = conn.run(&cmd::client_id()).unwrap();
        assert!(conn.run(&cmd::client_list()).unwrap().contains("name=typed"));
        assert!(conn.run(&cmd::client_info()).unwrap().contains(&format!("id={id} ")));

        let (mut rx2, mut tx2) = (vec![0u8; 4096], vec![0u8; 1024]);
        let mut other = connect(&server, protocol, &mut rx2, &mut tx2);
        let other_id = other.run(&cmd::client_id()).unwrap();
        assert_eq!(conn.run(&cmd::client_kill().id(other_id)).unwrap(), 1);
        assert_eq!(conn.run(&cmd::client_kill().id(id)).unwrap(), 0, "SKIPME yes is the default");
        assert!(other.run(&cmd::ping()).is_err());

        let config = conn.run(&cmd::config_get("maxmemory*")).unwrap();
        assert!(config.len() >= 3);
        assert_eq!(config.get_as::<u64>("maxmemory"), Ok(Some(0)));
        assert_eq!(conn.run(&cmd::config_set("maxmemory-samples", 7)).unwrap(), Okay);
        let samples = conn.run(&cmd::config_get("maxmemory-samples")).unwrap();
        assert_eq!(samples.get_as::<u8>("maxmemory-samples"), Ok(Some(7)));
        assert_eq!(conn.run(&cmd::config_set("maxmemory-samples", 5)).unwrap(), Okay);
    }
}

#[test]
fn generic_builder_errors_and_conversions() {
    in_both_protocols(|conn, _| {
        // Any command, with the reply type of the caller's choice (as for a module command).
        assert_eq!(
            conn.run(&Cmd::<FixedArgs<32, 3>>::new("SET").arg("n").arg(7)).unwrap(),
            Frame::SimpleString(b"OK")
        );
        let encoding =
            Cmd::<FixedArgs<32, 3>>::new("OBJECT").with_arg("ENCODING").with_arg("n").returning::<&str>();
        assert_eq!(conn.run(&encoding).unwrap(), "int");
        let keys = ["n", "nope"];
        assert_eq!(
            conn.run(&Cmd::<FixedArgs<32, 4>>::new("EXISTS").with_arg(keys).returning::<u64>()).unwrap(),
            1
        );
        let many = conn.run(
            &Cmd::<FixedArgs<32, 4>>::new("MGET").with_arg(keys).returning::<heapless::Vec<Option<i64>, 2>>(),
        );
        assert_eq!(many.unwrap().as_slice(), [Some(7), None]);

        // An unknown (module) command is the server's error, not a client failure.
        let module = conn.run(
            &Cmd::<FixedArgs<32, 4>>::new("JSON.GET")
                .with_arg("doc")
                .with_arg("$")
                .returning::<Option<&str>>(),
        );
        let module = module.unwrap_err();
        assert_eq!(module.server_error().map(|e| e.kind()), Some(ServerErrorKind::Err));
        assert!(module.connection_usable());

        // A command that overflowed its capacity is never sent.
        let overflowed = conn.run(&Cmd::<FixedArgs<32, 2>>::new("DEL").arg("a").arg("b")).unwrap_err();
        assert!(matches!(overflowed.kind(), ErrorKind::Encode(EncodeError::EmptyCommand)));
        assert_eq!(overflowed.delivery(), Delivery::NotSent);

        // A reply of another shape than asked for: a conversion error; the connection goes on.
        assert_eq!(conn.run(&cmd::set("s", "text")).unwrap(), Some(Okay));
        let wrong = conn.run(&cmd::get("s").returning::<Option<i64>>()).unwrap_err();
        assert!(matches!(wrong.kind(), ErrorKind::Reply(ReplyError::InvalidNumber)));
        assert_eq!(wrong.delivery(), Delivery::Answered);
        assert!(wrong.connection_usable());
        let small = conn.run(&cmd::get("s").returning::<Option<heapless::String<2>>>()).unwrap_err();
        assert!(matches!(small.kind(), ErrorKind::Reply(ReplyError::Capacity)));
        let null = conn.run(&cmd::get("nope").returning::<&[u8]>()).unwrap_err();
        assert!(matches!(null.kind(), ErrorKind::Reply(ReplyError::Null)));
        let wrongtype = conn.run(&cmd::lpush("s", &["x"])).unwrap_err();
        assert_eq!(wrongtype.server_error().map(|e| e.kind()), Some(ServerErrorKind::WrongType));
        assert_eq!(conn.run(&cmd::ping()).unwrap(), b"PONG");

        // The typed reply of a builder, for a reply read some other way.
        let frame = conn.request(&["INCR".into(), "n".into()]).unwrap();
        let n: <cmd::Incr<'_> as Command>::Reply<'_> =
            ferrodis_core::reply::FromFrame::from_frame(frame).unwrap();
        assert_eq!(n, 8);
    });
}
