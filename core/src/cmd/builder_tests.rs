//! The typed builders encode to the exact arguments Redis expects: each table row is a
//! builder and its arguments. Every row is also checked against the command table (the
//! command exists and the argument count fits its arity), so a misspelt name or a
//! missing argument cannot pass.

use std::string::ToString;
use std::vec::Vec;

use super::*;
use crate::resp::{CommandArgs, Decoded, Frame, command_len, decode, encode_args};

/// The RESP encoding of `words` as a command.
fn resp(words: &[&str]) -> Vec<u8> {
    let mut out = std::format!("*{}\r\n", words.len()).into_bytes();
    for w in words {
        out.extend_from_slice(std::format!("${}\r\n{w}\r\n", w.len()).as_bytes());
    }
    out
}

fn check(command: &dyn CommandArgs, words: &[&str]) {
    let expected = resp(words);
    let mut buf = [0u8; 512];
    let n = encode_args(&mut buf, command).unwrap_or_else(|e| panic!("{words:?}: {e}"));
    assert_eq!(buf[..n].escape_ascii().to_string(), expected.escape_ascii().to_string(), "{words:?}");
    assert_eq!(command_len(command), n, "{words:?}");
    assert_eq!(command.arg_count(), words.len(), "{words:?}");

    let Ok(Decoded::Complete { frame: Frame::Array(args), .. }) = decode(&buf[..n]) else { panic!() };
    let args: Vec<&[u8]> =
        args.iter().map(|f| if let Frame::BulkString(b) = f { b } else { panic!() }).collect();
    let info = lookup_command(&args).unwrap_or_else(|| panic!("{words:?} is not in the command table"));
    let arity = usize::from(info.arity.unsigned_abs());
    if info.arity >= 0 {
        assert_eq!(args.len(), arity, "{words:?}: arity of {}", info.name);
    } else {
        assert!(args.len() >= arity, "{words:?}: arity of {}", info.name);
    }
}

#[test]
fn strings_and_counters() {
    let rows: &[(&dyn CommandArgs, &[&str])] = &[
        (&get("k"), &["GET", "k"]),
        (&get(b"\x00k".as_slice()), &["GET", "\0k"]),
        (&getdel("k"), &["GETDEL", "k"]),
        (&getrange("k", 0, -1), &["GETRANGE", "k", "0", "-1"]),
        (&setrange("k", 3, "ab"), &["SETRANGE", "k", "3", "ab"]),
        (&setnx("k", "v"), &["SETNX", "k", "v"]),
        (&setex("k", 10, "v"), &["SETEX", "k", "10", "v"]),
        (&psetex("k", 1500, "v"), &["PSETEX", "k", "1500", "v"]),
        (&append("k", "v"), &["APPEND", "k", "v"]),
        (&strlen("k"), &["STRLEN", "k"]),
        (&incr("k"), &["INCR", "k"]),
        (&decr("k"), &["DECR", "k"]),
        (&incrby("k", -5), &["INCRBY", "k", "-5"]),
        (&decrby("k", 5), &["DECRBY", "k", "5"]),
        (&incrbyfloat("k", 0.5), &["INCRBYFLOAT", "k", "0.5"]),
        (&mget(&["a", "b"]), &["MGET", "a", "b"]),
        (&mset(&[("a", 1), ("b", 2)]), &["MSET", "a", "1", "b", "2"]),
        (&msetnx(&[("a", "x")]), &["MSETNX", "a", "x"]),
        (&set("k", "v"), &["SET", "k", "v"]),
        (&set("k", 42).ex(60).nx(), &["SET", "k", "42", "NX", "EX", "60"]),
        (&set("k", "v").px(1500).xx(), &["SET", "k", "v", "XX", "PX", "1500"]),
        (&set("k", "v").expiry(Expiry::UnixSeconds(9)), &["SET", "k", "v", "EXAT", "9"]),
        (&set("k", "v").expiry(Expiry::UnixMilliseconds(9)), &["SET", "k", "v", "PXAT", "9"]),
        (&set("k", "v").keepttl().get(), &["SET", "k", "v", "GET", "KEEPTTL"]),
        (&set("k", "v").nx().ex(5).get(), &["SET", "k", "v", "NX", "GET", "EX", "5"]),
        (&getex("k"), &["GETEX", "k"]),
        (&getex("k").expiry(Expiry::Seconds(5)), &["GETEX", "k", "EX", "5"]),
        (&getex("k").persist(), &["GETEX", "k", "PERSIST"]),
    ];
    for (command, words) in rows {
        check(*command, words);
    }
}

#[test]
fn keys_and_expiry() {
    let rows: &[(&dyn CommandArgs, &[&str])] = &[
        (&del(&["a", "b"]), &["DEL", "a", "b"]),
        (&del(&[b"a", b"b"]), &["DEL", "a", "b"]),
        (&unlink(&["a"]), &["UNLINK", "a"]),
        (&exists(&["a", "a"]), &["EXISTS", "a", "a"]),
        (&touch(&["a"]), &["TOUCH", "a"]),
        (&key_type("k"), &["TYPE", "k"]),
        (&rename("a", "b"), &["RENAME", "a", "b"]),
        (&renamenx("a", "b"), &["RENAMENX", "a", "b"]),
        (&ttl("k"), &["TTL", "k"]),
        (&pttl("k"), &["PTTL", "k"]),
        (&expiretime("k"), &["EXPIRETIME", "k"]),
        (&pexpiretime("k"), &["PEXPIRETIME", "k"]),
        (&persist("k"), &["PERSIST", "k"]),
        (&keys("user:*"), &["KEYS", "user:*"]),
        (&randomkey(), &["RANDOMKEY"]),
        (&expire("k", 60), &["EXPIRE", "k", "60"]),
        (&expire("k", 60).nx(), &["EXPIRE", "k", "60", "NX"]),
        (&pexpire("k", 1500).xx(), &["PEXPIRE", "k", "1500", "XX"]),
        (&expireat("k", 1_700_000_000).gt(), &["EXPIREAT", "k", "1700000000", "GT"]),
        (&pexpireat("k", 1).lt(), &["PEXPIREAT", "k", "1", "LT"]),
        (&scan(0), &["SCAN", "0"]),
        (
            &scan(17).pattern("a*").count(10).key_type("hash"),
            &["SCAN", "17", "MATCH", "a*", "COUNT", "10", "TYPE", "hash"],
        ),
    ];
    for (command, words) in rows {
        check(*command, words);
    }
}

#[test]
fn hashes_lists_and_sets() {
    let rows: &[(&dyn CommandArgs, &[&str])] = &[
        (&hset("h", &[("f", "v"), ("g", "w")]), &["HSET", "h", "f", "v", "g", "w"]),
        (&hdel("h", &["f"]), &["HDEL", "h", "f"]),
        (&hmget("h", &["f", "g"]), &["HMGET", "h", "f", "g"]),
        (&hget("h", "f"), &["HGET", "h", "f"]),
        (&hgetall("h"), &["HGETALL", "h"]),
        (&hexists("h", "f"), &["HEXISTS", "h", "f"]),
        (&hincrby("h", "f", 2), &["HINCRBY", "h", "f", "2"]),
        (&hincrbyfloat("h", "f", 1.25), &["HINCRBYFLOAT", "h", "f", "1.25"]),
        (&hkeys("h"), &["HKEYS", "h"]),
        (&hvals("h"), &["HVALS", "h"]),
        (&hlen("h"), &["HLEN", "h"]),
        (&hsetnx("h", "f", "v"), &["HSETNX", "h", "f", "v"]),
        (&hstrlen("h", "f"), &["HSTRLEN", "h", "f"]),
        (&hscan("h", 0).pattern("f*").count(5), &["HSCAN", "h", "0", "MATCH", "f*", "COUNT", "5"]),
        (&lpush("l", &[1, 2]), &["LPUSH", "l", "1", "2"]),
        (&rpush("l", &["a"]), &["RPUSH", "l", "a"]),
        (&lpushx("l", &["a"]), &["LPUSHX", "l", "a"]),
        (&rpushx("l", &["a"]), &["RPUSHX", "l", "a"]),
        (&blpop(&["a", "b"], 1.5), &["BLPOP", "a", "b", "1.5"]),
        (&brpop(&["a"], 0.0), &["BRPOP", "a", "0.0"]),
        (&lpop("l"), &["LPOP", "l"]),
        (&rpop("l"), &["RPOP", "l"]),
        (&lpop_count("l", 2), &["LPOP", "l", "2"]),
        (&rpop_count("l", 2), &["RPOP", "l", "2"]),
        (&lrange("l", 0, -1), &["LRANGE", "l", "0", "-1"]),
        (&llen("l"), &["LLEN", "l"]),
        (&lindex("l", -1), &["LINDEX", "l", "-1"]),
        (&lset("l", 0, "x"), &["LSET", "l", "0", "x"]),
        (&lrem("l", -2, "x"), &["LREM", "l", "-2", "x"]),
        (&ltrim("l", 1, 2), &["LTRIM", "l", "1", "2"]),
        (&linsert("l", Position::Before, "p", "x"), &["LINSERT", "l", "BEFORE", "p", "x"]),
        (&linsert("l", Position::After, "p", "x"), &["LINSERT", "l", "AFTER", "p", "x"]),
        (&lmove("a", "b", Side::Left, Side::Right), &["LMOVE", "a", "b", "LEFT", "RIGHT"]),
        (&lpos("l", "x"), &["LPOS", "l", "x"]),
        (&lpos("l", "x").rank(-1).maxlen(10), &["LPOS", "l", "x", "RANK", "-1", "MAXLEN", "10"]),
        (&sadd("s", &["a", "b"]), &["SADD", "s", "a", "b"]),
        (&srem("s", &["a"]), &["SREM", "s", "a"]),
        (&smismember("s", &["a", "z"]), &["SMISMEMBER", "s", "a", "z"]),
        (&sinter(&["s", "t"]), &["SINTER", "s", "t"]),
        (&sunion(&["s", "t"]), &["SUNION", "s", "t"]),
        (&sdiff(&["s", "t"]), &["SDIFF", "s", "t"]),
        (&sinterstore("d", &["s", "t"]), &["SINTERSTORE", "d", "s", "t"]),
        (&sunionstore("d", &["s"]), &["SUNIONSTORE", "d", "s"]),
        (&sdiffstore("d", &["s"]), &["SDIFFSTORE", "d", "s"]),
        (&smembers("s"), &["SMEMBERS", "s"]),
        (&sismember("s", "a"), &["SISMEMBER", "s", "a"]),
        (&scard("s"), &["SCARD", "s"]),
        (&spop("s"), &["SPOP", "s"]),
        (&spop_count("s", 2), &["SPOP", "s", "2"]),
        (&srandmember("s"), &["SRANDMEMBER", "s"]),
        (&srandmember_count("s", -3), &["SRANDMEMBER", "s", "-3"]),
        (&smove("s", "t", "a"), &["SMOVE", "s", "t", "a"]),
        (&sscan("s", 3), &["SSCAN", "s", "3"]),
    ];
    for (command, words) in rows {
        check(*command, words);
    }
}

#[test]
fn sorted_sets() {
    let rows: &[(&dyn CommandArgs, &[&str])] = &[
        (&zadd("z", &[(1.5, "a"), (2.0, "b")]), &["ZADD", "z", "1.5", "a", "2.0", "b"]),
        (&zadd("z", &[(1, "a")]).xx().gt().ch(), &["ZADD", "z", "XX", "GT", "CH", "1", "a"]),
        (&zadd("z", &[(1, "a")]).nx().lt(), &["ZADD", "z", "NX", "LT", "1", "a"]),
        (&zrem("z", &["a"]), &["ZREM", "z", "a"]),
        (&zmscore("z", &["a", "b"]), &["ZMSCORE", "z", "a", "b"]),
        (&zscore("z", "a"), &["ZSCORE", "z", "a"]),
        (&zincrby("z", -1.5, "a"), &["ZINCRBY", "z", "-1.5", "a"]),
        (&zcard("z"), &["ZCARD", "z"]),
        (&zcount("z", "(1", "+inf"), &["ZCOUNT", "z", "(1", "+inf"]),
        (&zcount("z", 1, 2.5), &["ZCOUNT", "z", "1", "2.5"]),
        (&zrank("z", "a"), &["ZRANK", "z", "a"]),
        (&zrevrank("z", "a"), &["ZREVRANK", "z", "a"]),
        (&zremrangebyscore("z", "-inf", 0), &["ZREMRANGEBYSCORE", "z", "-inf", "0"]),
        (&zremrangebyrank("z", 0, 1), &["ZREMRANGEBYRANK", "z", "0", "1"]),
        (&zpopmin("z"), &["ZPOPMIN", "z"]),
        (&zpopmin_count("z", 2), &["ZPOPMIN", "z", "2"]),
        (&zpopmax("z"), &["ZPOPMAX", "z"]),
        (&zpopmax_count("z", 2), &["ZPOPMAX", "z", "2"]),
        (&zrange("z", 0, -1), &["ZRANGE", "z", "0", "-1"]),
        (&zrange("z", 0, -1).withscores(), &["ZRANGE", "z", "0", "-1", "WITHSCORES"]),
        (&zrange("z", "[a", "(c").bylex(), &["ZRANGE", "z", "[a", "(c", "BYLEX"]),
        (
            &zrange("z", 5, 1).byscore().rev().limit(1, 2).withscores(),
            &["ZRANGE", "z", "5", "1", "BYSCORE", "REV", "LIMIT", "1", "2", "WITHSCORES"],
        ),
        (&zunionstore("d", &["a", "b"]), &["ZUNIONSTORE", "d", "2", "a", "b"]),
        (
            &zinterstore("d", &["a", "b"]).weights(&[2, 3]).aggregate(Aggregation::Max),
            &["ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "2", "3", "AGGREGATE", "MAX"],
        ),
        (
            &zunionstore("d", &["a"]).aggregate(Aggregation::Sum),
            &["ZUNIONSTORE", "d", "1", "a", "AGGREGATE", "SUM"],
        ),
        (
            &zinterstore("d", &["a"]).aggregate(Aggregation::Min),
            &["ZINTERSTORE", "d", "1", "a", "AGGREGATE", "MIN"],
        ),
        (&zscan("z", 0).count(1), &["ZSCAN", "z", "0", "COUNT", "1"]),
    ];
    for (command, words) in rows {
        check(*command, words);
    }
}

#[test]
fn streams() {
    let fields = [("f", "v"), ("g", "w")];
    let rows: &[(&dyn CommandArgs, &[&str])] = &[
        (&xadd("s", "*", &fields), &["XADD", "s", "*", "f", "v", "g", "w"]),
        (&xadd("s", "1-1", &[("f", 1)]).nomkstream(), &["XADD", "s", "NOMKSTREAM", "1-1", "f", "1"]),
        (
            &xadd("s", "*", &fields[..1]).trim(Trim::maxlen(10)),
            &["XADD", "s", "MAXLEN", "=", "10", "*", "f", "v"],
        ),
        (
            &xadd("s", "*", &fields[..1]).trim(Trim::minid("5-0").approx().limit(100)).nomkstream(),
            &["XADD", "s", "NOMKSTREAM", "MINID", "~", "5-0", "LIMIT", "100", "*", "f", "v"],
        ),
        (&xtrim("s", Trim::maxlen(0)), &["XTRIM", "s", "MAXLEN", "=", "0"]),
        (&xtrim("s", Trim::maxlen(5).approx().limit(7)), &["XTRIM", "s", "MAXLEN", "~", "5", "LIMIT", "7"]),
        (&xlen("s"), &["XLEN", "s"]),
        (&xdel("s", &["1-0", "2-0"]), &["XDEL", "s", "1-0", "2-0"]),
        (&xrange("s", "-", "+"), &["XRANGE", "s", "-", "+"]),
        (&xrange("s", "(1-0", "+").count(2), &["XRANGE", "s", "(1-0", "+", "COUNT", "2"]),
        (&xrevrange("s", "+", "-").count(1), &["XREVRANGE", "s", "+", "-", "COUNT", "1"]),
        (&xread(&[("s", "0")]), &["XREAD", "STREAMS", "s", "0"]),
        (
            &xread(&[("a", "0-0"), ("b", "$")]).count(5).block(100),
            &["XREAD", "COUNT", "5", "BLOCK", "100", "STREAMS", "a", "b", "0-0", "$"],
        ),
        (&xreadgroup("g", "c", &[("s", ">")]), &["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"]),
        (
            &xreadgroup("g", "c", &[("s", ">"), ("t", "0")]).count(1).block(0).noack(),
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "COUNT",
                "1",
                "BLOCK",
                "0",
                "NOACK",
                "STREAMS",
                "s",
                "t",
                ">",
                "0",
            ],
        ),
        (&xack("s", "g", &["1-0"]), &["XACK", "s", "g", "1-0"]),
        (&xgroup_create("s", "g", "$"), &["XGROUP", "CREATE", "s", "g", "$"]),
        (
            &xgroup_create("s", "g", "0").mkstream().entries_read(3),
            &["XGROUP", "CREATE", "s", "g", "0", "MKSTREAM", "ENTRIESREAD", "3"],
        ),
        (&xgroup_destroy("s", "g"), &["XGROUP", "DESTROY", "s", "g"]),
        (&xgroup_createconsumer("s", "g", "c"), &["XGROUP", "CREATECONSUMER", "s", "g", "c"]),
        (&xgroup_delconsumer("s", "g", "c"), &["XGROUP", "DELCONSUMER", "s", "g", "c"]),
        (&xgroup_setid("s", "g", "$"), &["XGROUP", "SETID", "s", "g", "$"]),
        (&xpending("s", "g"), &["XPENDING", "s", "g"]),
        (&xpending_range("s", "g", "-", "+", 10), &["XPENDING", "s", "g", "-", "+", "10"]),
        (
            &xpending_range("s", "g", "-", "+", 10).idle(500).consumer("c"),
            &["XPENDING", "s", "g", "IDLE", "500", "-", "+", "10", "c"],
        ),
    ];
    for (command, words) in rows {
        check(*command, words);
    }
}

#[test]
fn scripting_bitmaps_hyperloglog_and_geo() {
    let rows: &[(&dyn CommandArgs, &[&str])] = &[
        (&eval("return 1"), &["EVAL", "return 1", "0"]),
        (&eval("return KEYS[1]").keys(&["k"]).args(&[1, 2]), &["EVAL", "return KEYS[1]", "1", "k", "1", "2"]),
        (&evalsha("abc").args(&["x"]), &["EVALSHA", "abc", "0", "x"]),
        (&eval_ro("return 1").keys(&["a", "b"]), &["EVAL_RO", "return 1", "2", "a", "b"]),
        (&evalsha_ro("abc"), &["EVALSHA_RO", "abc", "0"]),
        (&eval("return 1").returning::<i64>(), &["EVAL", "return 1", "0"]),
        (&script_load("return 1"), &["SCRIPT", "LOAD", "return 1"]),
        (&script_exists(&["a", "b"]), &["SCRIPT", "EXISTS", "a", "b"]),
        (&script_flush(), &["SCRIPT", "FLUSH"]),
        (&script_flush().mode(FlushMode::Async), &["SCRIPT", "FLUSH", "ASYNC"]),
        (&setbit("b", 7, true), &["SETBIT", "b", "7", "1"]),
        (&setbit("b", 0, false), &["SETBIT", "b", "0", "0"]),
        (&getbit("b", 7), &["GETBIT", "b", "7"]),
        (&bitcount("b"), &["BITCOUNT", "b"]),
        (&bitcount("b").unit(BitUnit::Bit), &["BITCOUNT", "b"]),
        (&bitcount("b").range(0, -1), &["BITCOUNT", "b", "0", "-1"]),
        (&bitcount("b").range(0, 7).unit(BitUnit::Bit), &["BITCOUNT", "b", "0", "7", "BIT"]),
        (&bitop(BitOp::And, "d", &["a", "b"]), &["BITOP", "AND", "d", "a", "b"]),
        (&bitop(BitOp::Or, "d", &["a"]), &["BITOP", "OR", "d", "a"]),
        (&bitop(BitOp::Xor, "d", &["a"]), &["BITOP", "XOR", "d", "a"]),
        (&bitop(BitOp::Not, "d", &["a"]), &["BITOP", "NOT", "d", "a"]),
        (&bitpos("b", true), &["BITPOS", "b", "1"]),
        (&bitpos("b", false).start(2), &["BITPOS", "b", "0", "2"]),
        (&bitpos("b", true).start(2).unit(BitUnit::Bit), &["BITPOS", "b", "1", "2"]),
        (&bitpos("b", true).range(0, 9).unit(BitUnit::Byte), &["BITPOS", "b", "1", "0", "9", "BYTE"]),
        (&pfadd("h", &["a", "b"]), &["PFADD", "h", "a", "b"]),
        (&pfadd::<&str>("h", &[]), &["PFADD", "h"]),
        (&pfcount(&["h", "i"]), &["PFCOUNT", "h", "i"]),
        (&pfmerge("d", &["h", "i"]), &["PFMERGE", "d", "h", "i"]),
        (
            &geoadd("g", &[(13.4, 52.5, "b"), (2.35, 48.85, "p")]),
            &["GEOADD", "g", "13.4", "52.5", "b", "2.35", "48.85", "p"],
        ),
        (&geoadd("g", &[(1.0, 2.0, "a")]).xx().ch(), &["GEOADD", "g", "XX", "CH", "1.0", "2.0", "a"]),
        (&geoadd("g", &[(1.0, 2.0, "a")]).nx(), &["GEOADD", "g", "NX", "1.0", "2.0", "a"]),
        (&geodist("g", "a", "b"), &["GEODIST", "g", "a", "b"]),
        (&geodist("g", "a", "b").unit(GeoUnit::Kilometers), &["GEODIST", "g", "a", "b", "km"]),
        (&geodist("g", "a", "b").unit(GeoUnit::Miles), &["GEODIST", "g", "a", "b", "mi"]),
        (&geodist("g", "a", "b").unit(GeoUnit::Feet), &["GEODIST", "g", "a", "b", "ft"]),
        (&geopos("g", &["a", "b"]), &["GEOPOS", "g", "a", "b"]),
        (&geohash("g", &["a"]), &["GEOHASH", "g", "a"]),
        (
            &geosearch("g", GeoOrigin::member("b"), GeoShape::Radius(100.0, GeoUnit::Meters)),
            &["GEOSEARCH", "g", "FROMMEMBER", "b", "BYRADIUS", "100.0", "m"],
        ),
        (
            &geosearch("g", GeoOrigin::LonLat(13.4, 52.5), GeoShape::Box(400.0, 300.5, GeoUnit::Kilometers))
                .desc()
                .count_any(3)
                .withcoord()
                .withdist()
                .withhash(),
            &[
                "GEOSEARCH",
                "g",
                "FROMLONLAT",
                "13.4",
                "52.5",
                "BYBOX",
                "400.0",
                "300.5",
                "km",
                "DESC",
                "COUNT",
                "3",
                "ANY",
                "WITHCOORD",
                "WITHDIST",
                "WITHHASH",
            ],
        ),
        (
            &geosearch("g", GeoOrigin::member("b"), GeoShape::Radius(1.0, GeoUnit::Miles)).asc().count(2),
            &["GEOSEARCH", "g", "FROMMEMBER", "b", "BYRADIUS", "1.0", "mi", "ASC", "COUNT", "2"],
        ),
    ];
    for (command, words) in rows {
        check(*command, words);
    }
}

#[test]
fn server_and_connection() {
    let rows: &[(&dyn CommandArgs, &[&str])] = &[
        (&ping(), &["PING"]),
        (&ping().message("hi"), &["PING", "hi"]),
        (&echo("hi"), &["ECHO", "hi"]),
        (&info(), &["INFO"]),
        (&info().section("server"), &["INFO", "server"]),
        (&select(2), &["SELECT", "2"]),
        (&dbsize(), &["DBSIZE"]),
        (&flushdb(), &["FLUSHDB"]),
        (&flushdb().mode(FlushMode::Sync), &["FLUSHDB", "SYNC"]),
        (&flushall().mode(FlushMode::Async), &["FLUSHALL", "ASYNC"]),
        (&time(), &["TIME"]),
        (&client_setname("worker"), &["CLIENT", "SETNAME", "worker"]),
        (&client_getname(), &["CLIENT", "GETNAME"]),
        (&client_id(), &["CLIENT", "ID"]),
        (&client_list(), &["CLIENT", "LIST"]),
        (&client_info(), &["CLIENT", "INFO"]),
        (&client_kill().id(7), &["CLIENT", "KILL", "ID", "7"]),
        (
            &client_kill().addr("1.2.3.4:5").laddr("127.0.0.1:6379").user("u").skipme(false),
            &["CLIENT", "KILL", "ADDR", "1.2.3.4:5", "LADDR", "127.0.0.1:6379", "USER", "u", "SKIPME", "no"],
        ),
        (&client_kill().id(1).skipme(true), &["CLIENT", "KILL", "ID", "1", "SKIPME", "yes"]),
        (&config_get("maxmemory"), &["CONFIG", "GET", "maxmemory"]),
        (&config_set("maxmemory", "10mb"), &["CONFIG", "SET", "maxmemory", "10mb"]),
    ];
    for (command, words) in rows {
        check(*command, words);
    }
}

/// A generic command with room for 8 arguments in 64 bytes.
type Cmd8 = Cmd<FixedArgs<64, 8>>;

#[test]
fn the_generic_builder_sends_any_command() {
    let ids = ["1", "2"];
    let mut cmd = Cmd8::new("OBJECT");
    cmd.arg("ENCODING").arg("k");
    check(&cmd, &["OBJECT", "ENCODING", "k"]);
    check(&Cmd8::new("XACK").with_arg("s").with_arg("g").with_arg(ids), &["XACK", "s", "g", "1", "2"]);
    check(&Cmd8::new("INCRBY").with_arg("k").with_arg(-3i64).returning::<i64>(), &["INCRBY", "k", "-3"]);
    check(&Cmd8::new("SET").arg("k").arg(Some(2.5)).arg(None::<&str>), &["SET", "k", "2.5"]);
    assert_eq!(cmd.args_len(), 3);
    assert_eq!(cmd.get(1), Some(&b"ENCODING"[..]));
    assert!(!cmd.is_overflowed());

    // A module command: unknown to the table, sent all the same.
    let json = Cmd8::new("JSON.GET").with_arg("doc").with_arg("$.a");
    let mut buf = [0u8; 64];
    let n = encode_args(&mut buf, &json).unwrap();
    assert_eq!(&buf[..n], resp(&["JSON.GET", "doc", "$.a"]).as_slice());

    // Past the capacity (arguments or bytes): refused, never truncated.
    let full = Cmd::<FixedArgs<64, 2>>::new("DEL").with_arg("a").with_arg("b");
    assert!(full.is_overflowed());
    assert_eq!(full.arg_count(), 0);
    assert_eq!(encode_args(&mut buf, &full), Err(crate::EncodeError::EmptyCommand));
    let long = Cmd::<FixedArgs<8, 4>>::new("SET").with_arg("key").with_arg("value");
    assert!(long.is_overflowed());
    let mut pushed = Cmd::<FixedArgs<64, 3>>::new("DEL");
    assert!(pushed.try_arg("a").is_ok());
    // Two arguments where one fits: neither is kept.
    assert_eq!(pushed.try_arg(["b", "c"]).map(|c| c.args_len()), Err(Overflow));
    assert!(!pushed.is_overflowed());
    check(&pushed, &["DEL", "a"]);
    assert_eq!(std::format!("{pushed:?}"), r#"Cmd { name: "DEL", args: 2 }"#);

    // Typed wraps any argument array.
    let typed = Typed::<_, Option<&str>>::new([crate::resp::Arg::from("GET"), crate::resp::Arg::from("k")]);
    check(&typed, &["GET", "k"]);
    check(&typed.into_inner(), &["GET", "k"]);
}

#[test]
fn variadic_elements_of_every_kind() {
    let owned: heapless::String<4> = heapless::String::try_from("ab").unwrap();
    let bytes: heapless::Vec<u8, 4> = heapless::Vec::from_slice(b"cd").unwrap();
    check(&del(&[owned]), &["DEL", "ab"]);
    check(&del(&[bytes]), &["DEL", "cd"]);
    check(&del(&[*b"ef"]), &["DEL", "ef"]);
    check(&sadd("s", &[1u16, 2]), &["SADD", "s", "1", "2"]);
    // Bytes are one binary argument, not one number each (as everywhere `ToArgs` is taken).
    check(&sadd("s", b"ab"), &["SADD", "s", "ab"]);
    check(&sadd("s", &[(1, "one"), (2, "two")]), &["SADD", "s", "1", "one", "2", "two"]);
    check(&sadd("s", &[-1i64]), &["SADD", "s", "-1"]);
    check(&sadd("s", &[0.5f32]), &["SADD", "s", "0.5"]);
    check(&sadd("s", &[crate::resp::Arg::from("x")]), &["SADD", "s", "x"]);
    check(&mset(&[(b"k".as_slice(), 1.5)]), &["MSET", "k", "1.5"]);
}
