//! Every typed command method of `Commands` (blocking) and `AsyncCommands` (multiplexed)
//! against a real redis-server, in RESP2 and RESP3, with the replies converted to the
//! types users ask for: `String`, `i64`, `Option<String>`, `Vec<String>`,
//! `HashMap<String, String>`, tuples, `f64` scores and `bool`.

use std::collections::{HashMap, HashSet};
use std::num::NonZeroUsize;

use ferrodis::{
    AsyncCommands, Client, ClientBuilder, CmdQuery, Commands, ConversionErrorKind, Direction, ErrorKind,
    ExistenceCheck, Expiry, InfoDict, Protocol, ScanOptions, ServerErrorKind, SetExpiry, SetOptions,
    StreamMaxlen, StreamReadOptions, Value, cmd,
};
use ferrodis_test_support::RedisServer;

fn client(server: &RedisServer, protocol: Protocol) -> Client {
    ClientBuilder::new().host(server.host()).port(server.port()).protocol(protocol).build()
}

fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items
}

/// Runs every command method of the list on `$c`, checking each typed reply. `$aw` is
/// `.await` for [`AsyncCommands`] and nothing for [`Commands`]: the calls read the same.
macro_rules! every_command {
    ($c:ident; $($aw:tt)*) => {{
        let () = $c.flushdb() $($aw)* .unwrap();

        // Strings and keys.
        let () = $c.set("s", "hello") $($aw)* .unwrap();
        assert_eq!($c.get::<_, String>("s") $($aw)* .unwrap(), "hello");
        assert_eq!($c.get::<_, Option<String>>("missing") $($aw)* .unwrap(), None);
        let () = $c.mset(&[("a", 1), ("b", 2)]) $($aw)* .unwrap();
        let got: Vec<Option<i64>> = $c.mget(&["a", "b", "missing"]) $($aw)* .unwrap();
        assert_eq!(got, [Some(1), Some(2), None]);
        // `get` of several keys is MGET, as in redis-rs.
        assert_eq!($c.get::<_, Vec<i64>>(&["a", "b"]) $($aw)* .unwrap(), [1, 2]);
        let () = $c.set_ex("ex", "v", 100) $($aw)* .unwrap();
        let ttl: i64 = $c.ttl("ex") $($aw)* .unwrap();
        assert!((1..=100).contains(&ttl), "{ttl}");
        assert!(!$c.set_nx::<_, _, bool>("s", "other") $($aw)* .unwrap());
        assert!($c.set_nx::<_, _, bool>("nx", "v") $($aw)* .unwrap());

        let options = SetOptions::default().get(true).with_expiration(SetExpiry::PX(100_000));
        let old: Option<String> = $c.set_options("s", "world", options) $($aw)* .unwrap();
        assert_eq!(old.as_deref(), Some("hello"));
        let pttl: i64 = $c.pttl("s") $($aw)* .unwrap();
        assert!((1..=100_000).contains(&pttl), "{pttl}");
        let options = SetOptions::default().conditional_set(ExistenceCheck::NX);
        let refused: Option<String> = $c.set_options("s", "x", options) $($aw)* .unwrap();
        assert_eq!(refused, None);
        let options =
            SetOptions::default().conditional_set(ExistenceCheck::XX).with_expiration(SetExpiry::KEEPTTL);
        let done: Option<String> = $c.set_options("s", "kept", options) $($aw)* .unwrap();
        assert_eq!(done.as_deref(), Some("OK"));
        assert!($c.pttl::<_, i64>("s") $($aw)* .unwrap() > 0, "KEEPTTL kept the expiry");
        let options = SetOptions::default().with_expiration(SetExpiry::EXAT(4_000_000_000));
        let () = $c.set_options("at", 1, options) $($aw)* .unwrap();
        assert!($c.ttl::<_, i64>("at") $($aw)* .unwrap() > 1_000_000);
        let options = SetOptions::default().with_expiration(SetExpiry::PXAT(4_000_000_000_000));
        let () = $c.set_options("at", 1, options) $($aw)* .unwrap();
        assert!($c.pttl::<_, i64>("at") $($aw)* .unwrap() > 1_000_000_000);

        assert_eq!($c.getset::<_, _, Option<String>>("s", "new") $($aw)* .unwrap().as_deref(), Some("kept"));
        assert_eq!($c.get_del::<_, Option<String>>("s") $($aw)* .unwrap().as_deref(), Some("new"));
        assert!(!$c.exists::<_, bool>("s") $($aw)* .unwrap());
        assert_eq!($c.get_del::<_, Option<String>>("s") $($aw)* .unwrap(), None);
        assert_eq!($c.exists::<_, i64>(&["a", "b", "missing"]) $($aw)* .unwrap(), 2);
        assert_eq!($c.del::<_, i64>(&["a", "b", "missing"]) $($aw)* .unwrap(), 2);

        let () = $c.set("k", "v") $($aw)* .unwrap();
        assert!($c.expire::<_, bool>("k", 100) $($aw)* .unwrap());
        assert!(!$c.expire::<_, bool>("missing", 100) $($aw)* .unwrap());
        assert!($c.pexpire::<_, bool>("k", 50_000) $($aw)* .unwrap());
        assert!((1..=50).contains(&$c.ttl::<_, i64>("k") $($aw)* .unwrap()));
        assert!($c.expire_at::<_, bool>("k", 4_000_000_000) $($aw)* .unwrap());
        assert!($c.pexpire_at::<_, bool>("k", 4_000_000_000_000) $($aw)* .unwrap());
        assert!($c.persist::<_, bool>("k") $($aw)* .unwrap());
        assert_eq!($c.ttl::<_, i64>("k") $($aw)* .unwrap(), -1);
        assert_eq!($c.pttl::<_, i64>("missing") $($aw)* .unwrap(), -2);
        let () = $c.rename("k", "k2") $($aw)* .unwrap();
        assert_eq!($c.key_type::<_, String>("k2") $($aw)* .unwrap(), "string");
        assert_eq!($c.key_type::<_, String>("missing") $($aw)* .unwrap(), "none");
        assert_eq!(sorted($c.keys("k*") $($aw)* .unwrap()), ["k2"]);

        assert_eq!($c.incr::<_, _, i64>("n", 5) $($aw)* .unwrap(), 5);
        assert_eq!($c.incr::<_, _, i64>("n", -2) $($aw)* .unwrap(), 3);
        assert_eq!($c.incr::<_, _, f64>("n", 1.5) $($aw)* .unwrap(), 4.5);
        assert_eq!($c.decr::<_, _, i64>("m", 3) $($aw)* .unwrap(), -3);
        assert_eq!($c.append::<_, _, i64>("ap", "ab") $($aw)* .unwrap(), 2);
        assert_eq!($c.append::<_, _, i64>("ap", "cd") $($aw)* .unwrap(), 4);
        assert_eq!($c.strlen::<_, i64>("ap") $($aw)* .unwrap(), 4);
        assert_eq!($c.strlen::<_, i64>("missing") $($aw)* .unwrap(), 0);

        // Hashes.
        assert_eq!($c.hset::<_, _, _, i64>("h", "f1", "v1") $($aw)* .unwrap(), 1);
        assert_eq!($c.hset_multiple::<_, _, _, i64>("h", &[("f2", "v2"), ("f3", "3")]) $($aw)* .unwrap(), 2);
        assert_eq!($c.hget::<_, _, String>("h", "f1") $($aw)* .unwrap(), "v1");
        assert_eq!($c.hget::<_, _, Option<String>>("h", "nope") $($aw)* .unwrap(), None);
        assert_eq!($c.hget::<_, _, Vec<String>>("h", &["f1", "f2"]) $($aw)* .unwrap(), ["v1", "v2"]);
        let fields: Vec<Option<String>> = $c.hmget("h", &["f1", "nope"]) $($aw)* .unwrap();
        assert_eq!(fields, [Some("v1".to_owned()), None]);
        let all: HashMap<String, String> = $c.hgetall("h") $($aw)* .unwrap();
        let want: HashMap<String, String> =
            [("f1", "v1"), ("f2", "v2"), ("f3", "3")].map(|(f, v)| (f.to_owned(), v.to_owned())).into();
        assert_eq!(all, want);
        let mut pairs: Vec<(String, String)> = $c.hgetall("h") $($aw)* .unwrap();
        pairs.sort();
        assert_eq!(pairs[0], ("f1".to_owned(), "v1".to_owned()));
        assert!($c.hexists::<_, _, bool>("h", "f1") $($aw)* .unwrap());
        assert!(!$c.hexists::<_, _, bool>("h", "nope") $($aw)* .unwrap());
        assert_eq!($c.hincr::<_, _, _, i64>("h", "f3", 2) $($aw)* .unwrap(), 5);
        assert_eq!($c.hincr::<_, _, _, f64>("h", "f3", 0.5) $($aw)* .unwrap(), 5.5);
        assert_eq!(sorted($c.hkeys("h") $($aw)* .unwrap()), ["f1", "f2", "f3"]);
        assert_eq!(sorted($c.hvals("h") $($aw)* .unwrap()), ["5.5", "v1", "v2"]);
        assert_eq!($c.hlen::<_, i64>("h") $($aw)* .unwrap(), 3);
        assert_eq!($c.hdel::<_, _, i64>("h", &["f1", "nope"]) $($aw)* .unwrap(), 1);
        assert_eq!($c.hlen::<_, usize>("h") $($aw)* .unwrap(), 2);

        // Lists.
        assert_eq!($c.rpush::<_, _, i64>("l", &["a", "b", "c", "d"]) $($aw)* .unwrap(), 4);
        assert_eq!($c.lpush::<_, _, i64>("l", "z") $($aw)* .unwrap(), 5);
        assert_eq!($c.lrange::<_, Vec<String>>("l", 0, -1) $($aw)* .unwrap(), ["z", "a", "b", "c", "d"]);
        assert_eq!($c.llen::<_, i64>("l") $($aw)* .unwrap(), 5);
        assert_eq!($c.lindex::<_, Option<String>>("l", 1) $($aw)* .unwrap().as_deref(), Some("a"));
        assert_eq!($c.lindex::<_, Option<String>>("l", 99) $($aw)* .unwrap(), None);
        assert_eq!($c.lpop::<_, String>("l", None) $($aw)* .unwrap(), "z");
        assert_eq!($c.rpop::<_, Vec<String>>("l", NonZeroUsize::new(2)) $($aw)* .unwrap(), ["d", "c"]);
        assert_eq!($c.lpop::<_, Option<String>>("missing", None) $($aw)* .unwrap(), None);
        assert_eq!($c.rpush::<_, _, i64>("l", &["a", "x", "a"]) $($aw)* .unwrap(), 5);
        assert_eq!($c.lrem::<_, _, i64>("l", 0, "a") $($aw)* .unwrap(), 3);
        let () = $c.ltrim("l", 0, 0) $($aw)* .unwrap();
        assert_eq!($c.lrange::<_, Vec<String>>("l", 0, -1) $($aw)* .unwrap(), ["b"]);
        let popped: Option<(String, String)> = $c.blpop("l", 0.1) $($aw)* .unwrap();
        assert_eq!(popped, Some(("l".to_owned(), "b".to_owned())));
        let popped: Option<(String, String)> = $c.blpop(&["empty1", "empty2"], 0.1) $($aw)* .unwrap();
        assert_eq!(popped, None);
        let () = $c.rpush("l2", &["first", "last"]) $($aw)* .unwrap();
        let popped: (String, String) = $c.brpop(&["empty", "l2"], 0.0) $($aw)* .unwrap();
        assert_eq!(popped, ("l2".to_owned(), "last".to_owned()));

        // Sets.
        assert_eq!($c.sadd::<_, _, i64>("s1", &["a", "b", "c"]) $($aw)* .unwrap(), 3);
        assert_eq!($c.srem::<_, _, i64>("s1", "c") $($aw)* .unwrap(), 1);
        let members: HashSet<String> = $c.smembers("s1") $($aw)* .unwrap();
        assert_eq!(members, HashSet::from(["a".to_owned(), "b".to_owned()]));
        assert!($c.sismember::<_, _, bool>("s1", "a") $($aw)* .unwrap());
        assert!(!$c.sismember::<_, _, bool>("s1", "c") $($aw)* .unwrap());
        assert_eq!($c.scard::<_, i64>("s1") $($aw)* .unwrap(), 2);
        let () = $c.sadd("s2", &["b", "x"]) $($aw)* .unwrap();
        assert_eq!($c.sinter::<_, Vec<String>>(&["s1", "s2"]) $($aw)* .unwrap(), ["b"]);
        assert_eq!(sorted($c.sunion(&["s1", "s2"]) $($aw)* .unwrap()), ["a", "b", "x"]);

        // Sorted sets.
        assert_eq!($c.zadd::<_, _, _, i64>("z", "one", 1) $($aw)* .unwrap(), 1);
        let added: i64 = $c.zadd_multiple("z", &[(2.5, "two"), (3.0, "three")]) $($aw)* .unwrap();
        assert_eq!(added, 2);
        assert_eq!($c.zcard::<_, i64>("z") $($aw)* .unwrap(), 3);
        assert_eq!($c.zrange::<_, Vec<String>>("z", 0, -1) $($aw)* .unwrap(), ["one", "two", "three"]);
        let scored: Vec<(String, f64)> = $c.zrange_withscores("z", 0, 1) $($aw)* .unwrap();
        assert_eq!(scored, [("one".to_owned(), 1.0), ("two".to_owned(), 2.5)]);
        assert_eq!($c.zrevrange::<_, Vec<String>>("z", 0, 0) $($aw)* .unwrap(), ["three"]);
        let scored: Vec<(String, f64)> = $c.zrevrange_withscores("z", 0, 0) $($aw)* .unwrap();
        assert_eq!(scored, [("three".to_owned(), 3.0)]);
        let above_one: Vec<String> = $c.zrangebyscore("z", "(1", "+inf") $($aw)* .unwrap();
        assert_eq!(above_one, ["two", "three"]);
        assert_eq!($c.zscore::<_, _, Option<f64>>("z", "two") $($aw)* .unwrap(), Some(2.5));
        assert_eq!($c.zscore::<_, _, Option<f64>>("z", "nope") $($aw)* .unwrap(), None);
        assert_eq!($c.zincr::<_, _, _, f64>("z", "one", 10) $($aw)* .unwrap(), 11.0);
        assert_eq!($c.zrank::<_, _, Option<i64>>("z", "one") $($aw)* .unwrap(), Some(2));
        assert_eq!($c.zrank::<_, _, Option<i64>>("z", "nope") $($aw)* .unwrap(), None);
        assert_eq!($c.zrem::<_, _, i64>("z", &["one", "nope"]) $($aw)* .unwrap(), 1);

        // Keys, lists and strings added with the streams.
        let () = $c.set("gx", "v") $($aw)* .unwrap();
        assert_eq!($c.getex::<_, String>("gx", Expiry::EX(100)) $($aw)* .unwrap(), "v");
        assert!($c.ttl::<_, i64>("gx") $($aw)* .unwrap() > 0);
        assert_eq!($c.getex::<_, String>("gx", Expiry::PERSIST) $($aw)* .unwrap(), "v");
        assert_eq!($c.ttl::<_, i64>("gx") $($aw)* .unwrap(), -1);
        assert!($c.copy::<_, _, bool>("gx", "gy", false) $($aw)* .unwrap());
        assert!(!$c.copy::<_, _, bool>("gx", "gy", false) $($aw)* .unwrap());
        assert!($c.copy::<_, _, bool>("gx", "gy", true) $($aw)* .unwrap());
        assert_eq!($c.unlink::<_, i64>(&["gx", "gy", "nope"]) $($aw)* .unwrap(), 2);
        let () = $c.rpush("from", &["a", "b"]) $($aw)* .unwrap();
        let moved: String = $c.lmove("from", "to", Direction::Left, Direction::Right) $($aw)* .unwrap();
        assert_eq!(moved, "a");
        let moved: String = $c.blmove("from", "to", Direction::Right, Direction::Left, 0.1) $($aw)* .unwrap();
        assert_eq!(moved, "b");
        assert_eq!($c.lrange::<_, Vec<String>>("to", 0, -1) $($aw)* .unwrap(), ["b", "a"]);
        let none: Option<String> = $c.blmove("from", "to", Direction::Left, Direction::Left, 0.05) $($aw)* .unwrap();
        assert_eq!(none, None);

        // Pub/sub and HyperLogLog.
        assert_eq!($c.publish::<_, _, i64>("channel", "hi") $($aw)* .unwrap(), 0);
        assert!($c.pfadd::<_, _, bool>("hll", &["a", "b", "c", "a"]) $($aw)* .unwrap());
        assert!(!$c.pfadd::<_, _, bool>("hll", "a") $($aw)* .unwrap());
        assert_eq!($c.pfcount::<_, i64>("hll") $($aw)* .unwrap(), 3);

        // Streams.
        for (id, value) in [("1-1", "x"), ("1-2", "y"), ("1-3", "z")] {
            let added: String = $c.xadd("st", id, &[("f", value), ("g", "1")]) $($aw)* .unwrap();
            assert_eq!(added, id);
        }
        let auto: String = $c.xadd("st", "*", &[("f", "auto")]) $($aw)* .unwrap();
        assert!(auto.contains('-'), "{auto}");
        assert_eq!($c.xlen::<_, i64>("st") $($aw)* .unwrap(), 4);
        let entries: Vec<(String, HashMap<String, String>)> = $c.xrange("st", "1-2", "1-3") $($aw)* .unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].0, "1-2");
        assert_eq!(entries[0].1["f"], "y");
        let every: Vec<(String, Vec<(String, String)>)> = $c.xrange_all("st") $($aw)* .unwrap();
        assert_eq!(every.len(), 4);
        assert_eq!(every[3].1, [("f".to_owned(), "auto".to_owned())]);
        assert_eq!($c.xdel::<_, _, i64>("st", &["1-1", "9-9"]) $($aw)* .unwrap(), 1);
        assert_eq!($c.xtrim::<_, i64>("st", StreamMaxlen::Equals(1)) $($aw)* .unwrap(), 2);
        assert_eq!($c.xtrim::<_, i64>("st", StreamMaxlen::Approx(10)) $($aw)* .unwrap(), 0);
        assert_eq!($c.xlen::<_, i64>("st") $($aw)* .unwrap(), 1);
        let id: String = $c.xadd_maxlen("st", StreamMaxlen::Equals(2), "*", &[("f", "a")]) $($aw)* .unwrap();
        let _: String = $c.xadd_maxlen("st", StreamMaxlen::Equals(2), "*", &[("f", "b")]) $($aw)* .unwrap();
        assert_eq!($c.xlen::<_, i64>("st") $($aw)* .unwrap(), 2);
        type Entries = Vec<(String, Vec<(String, HashMap<String, String>)>)>;
        let read: Entries = $c.xread(&["st"], &[&id]) $($aw)* .unwrap();
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].0, "st");
        assert_eq!(read[0].1.len(), 1);
        assert_eq!(read[0].1[0].1["f"], "b");
        let nothing: Option<Entries> = $c.xread(&["st"], &["$"]) $($aw)* .unwrap();
        assert_eq!(nothing, None);
        let () = $c.xgroup_create("st", "workers", "0") $($aw)* .unwrap();
        let () = $c.xgroup_create_mkstream("st-new", "workers", "$") $($aw)* .unwrap();
        let options = StreamReadOptions::default().group("workers", "w-1").count(1);
        let read: Entries = $c.xread_options(&["st"], &[">"], &options) $($aw)* .unwrap();
        assert_eq!(read[0].1.len(), 1);
        let first = read[0].1[0].0.clone();
        let claimed: (String, Vec<(String, HashMap<String, String>)>, Vec<String>) =
            $c.xautoclaim("st", "workers", "w-2", 0, "0-0", Some(10)) $($aw)* .unwrap();
        let claimed_ids: Vec<String> = claimed.1.iter().map(|(id, _)| id.clone()).collect();
        assert_eq!(claimed_ids, std::slice::from_ref(&first));
        assert_eq!($c.xack::<_, _, _, i64>("st", "workers", &[&first]) $($aw)* .unwrap(), 1);
        assert_eq!($c.xack::<_, _, _, i64>("st", "workers", &[&first]) $($aw)* .unwrap(), 0);

        // Scripting.
        let script = "return {KEYS[1], KEYS[2], ARGV[1]}";
        let out: Vec<String> = $c.eval(script, &["k1", "k2"], "arg") $($aw)* .unwrap();
        assert_eq!(out, ["k1", "k2", "arg"]);
        let sha: String = $c.script_load(script) $($aw)* .unwrap();
        assert_eq!(sha.len(), 40);
        let out: Vec<String> = $c.evalsha(&sha, ("a", "b"), 7) $($aw)* .unwrap();
        assert_eq!(out, ["a", "b", "7"]);
        let e = $c.evalsha::<_, _, _, Value>("0".repeat(40), "k", "a") $($aw)* .unwrap_err();
        assert_eq!(e.server_kind(), Some(ServerErrorKind::NoScript), "{e}");

        // Server and connection.
        assert_eq!($c.ping::<String>() $($aw)* .unwrap(), "PONG");
        assert_eq!($c.echo::<_, String>("hi there") $($aw)* .unwrap(), "hi there");
        assert!($c.dbsize::<i64>() $($aw)* .unwrap() > 5);
        let info: String = $c.info("server") $($aw)* .unwrap();
        assert!(info.contains("redis_version:"), "{info}");
        let info: InfoDict = $c.info("default") $($aw)* .unwrap();
        assert!(info.get::<String>("redis_version").is_some_and(|v| v.contains('.')), "{info:?}");
        assert_eq!(info.section_of("used_memory"), Some("Memory"));
        assert!(info.get::<u64>("used_memory").is_some_and(|bytes| bytes > 0));
        let keyspace = info.fields_of("db0").expect("db0 holds keys");
        assert!(keyspace["keys"].parse::<u64>().unwrap() > 5, "{keyspace:?}");
        let (seconds, micros): (u64, u64) = $c.time() $($aw)* .unwrap();
        assert!(seconds > 1_600_000_000 && micros < 1_000_000);
        assert_eq!($c.client_getname::<Option<String>>() $($aw)* .unwrap(), None);
        let () = $c.client_setname("ferrodis-commands") $($aw)* .unwrap();
        let name: Option<String> = $c.client_getname() $($aw)* .unwrap();
        assert_eq!(name.as_deref(), Some("ferrodis-commands"));
        let () = $c.config_set("slowlog-max-len", 200) $($aw)* .unwrap();
        let config: HashMap<String, String> = $c.config_get("slowlog-max-len") $($aw)* .unwrap();
        assert_eq!(config["slowlog-max-len"], "200");
        let () = $c.config_set("slowlog-max-len", 128) $($aw)* .unwrap();

        // The commands that came with core's builders.
        let () = $c.pset_ex("px", "v", 100_000) $($aw)* .unwrap();
        assert!((1..=100_000).contains(&$c.pttl::<_, i64>("px") $($aw)* .unwrap()));
        assert!($c.mset_nx::<_, bool>(&[("n1", 1), ("n2", 2)]) $($aw)* .unwrap());
        assert!(!$c.mset_nx::<_, bool>(&[("n2", 3), ("n3", 3)]) $($aw)* .unwrap());
        let () = $c.set("r", "Hello World") $($aw)* .unwrap();
        assert_eq!($c.getrange::<_, String>("r", 0, 4) $($aw)* .unwrap(), "Hello");
        assert_eq!($c.setrange::<_, _, i64>("r", 6, "Redis") $($aw)* .unwrap(), 11);
        assert_eq!($c.get::<_, String>("r") $($aw)* .unwrap(), "Hello Redis");
        assert!(!$c.getbit::<_, bool>("r", 0) $($aw)* .unwrap());
        assert!($c.getbit::<_, bool>("r", 1) $($aw)* .unwrap());
        let () = $c.set("b1", "a") $($aw)* .unwrap();
        let () = $c.set("b2", "c") $($aw)* .unwrap();
        let op = ferrodis::core::cmd::BitOp::And;
        assert_eq!($c.bit_op::<_, _, i64>(op, "band", &["b1", "b2"]) $($aw)* .unwrap(), 1);
        assert_eq!($c.get::<_, String>("band") $($aw)* .unwrap(), "a");
        assert!($c.rename_nx::<_, _, bool>("b1", "b3") $($aw)* .unwrap());
        assert!(!$c.rename_nx::<_, _, bool>("b2", "b3") $($aw)* .unwrap());
        assert_eq!($c.touch::<_, i64>(&["b2", "b3", "missing"]) $($aw)* .unwrap(), 2);
        let () = $c.expire_at("b2", 4_000_000_000) $($aw)* .unwrap();
        assert_eq!($c.expire_time::<_, i64>("b2") $($aw)* .unwrap(), 4_000_000_000);
        assert_eq!($c.pexpire_time::<_, i64>("b2") $($aw)* .unwrap(), 4_000_000_000_000);
        assert_eq!($c.expire_time::<_, i64>("missing") $($aw)* .unwrap(), -2);
        assert!($c.random_key::<Option<String>>() $($aw)* .unwrap().is_some());
        assert!($c.hset_nx::<_, _, _, bool>("hn", "f", "value") $($aw)* .unwrap());
        assert!(!$c.hset_nx::<_, _, _, bool>("hn", "f", "other") $($aw)* .unwrap());
        assert_eq!($c.hstrlen::<_, _, i64>("hn", "f") $($aw)* .unwrap(), 5);
        assert_eq!($c.lpush_exists::<_, _, i64>("lx", "a") $($aw)* .unwrap(), 0);
        let () = $c.rpush("lx", &["b", "d"]) $($aw)* .unwrap();
        assert_eq!($c.lpush_exists::<_, _, i64>("lx", "a") $($aw)* .unwrap(), 3);
        assert_eq!($c.rpush_exists::<_, _, i64>("lx", "e") $($aw)* .unwrap(), 4);
        assert_eq!($c.linsert_before::<_, _, _, i64>("lx", "d", "c") $($aw)* .unwrap(), 5);
        assert_eq!($c.linsert_after::<_, _, _, i64>("lx", "e", "f") $($aw)* .unwrap(), 6);
        assert_eq!($c.linsert_after::<_, _, _, i64>("lx", "zz", "f") $($aw)* .unwrap(), -1);
        let () = $c.lset("lx", 0, "A") $($aw)* .unwrap();
        let list: Vec<String> = $c.lrange("lx", 0, -1) $($aw)* .unwrap();
        assert_eq!(list, ["A", "b", "c", "d", "e", "f"]);
        let () = $c.sadd("s1", &["a", "b", "c"]) $($aw)* .unwrap();
        let () = $c.sadd("s2", &["b", "x"]) $($aw)* .unwrap();
        assert_eq!($c.smismember::<_, _, Vec<bool>>("s1", &["a", "x"]) $($aw)* .unwrap(), [true, false]);
        assert_eq!(sorted($c.sdiff(&["s1", "s2"]) $($aw)* .unwrap()), ["a", "c"]);
        assert_eq!($c.sdiffstore::<_, _, i64>("sd", &["s1", "s2"]) $($aw)* .unwrap(), 2);
        assert_eq!($c.sinterstore::<_, _, i64>("si", &["s1", "s2"]) $($aw)* .unwrap(), 1);
        assert_eq!($c.sunionstore::<_, _, i64>("su", &["s1", "s2"]) $($aw)* .unwrap(), 4);
        assert!($c.smove::<_, _, _, bool>("s2", "s1", "x") $($aw)* .unwrap());
        let member: Option<String> = $c.srandmember("s1") $($aw)* .unwrap();
        assert!(member.is_some());
        assert_eq!($c.srandmember_multiple::<_, Vec<String>>("s1", -6) $($aw)* .unwrap().len(), 6);
        let popped: Option<String> = $c.spop("sd") $($aw)* .unwrap();
        assert!(matches!(popped.as_deref(), Some("a" | "c")));
        assert_eq!($c.spop_count::<_, Vec<String>>("su", 10) $($aw)* .unwrap().len(), 4);
        let () = $c.zadd_multiple("zs", &[(1.0, "a"), (2.0, "b"), (3.0, "c"), (4.0, "d")]) $($aw)* .unwrap();
        assert_eq!($c.zcount::<_, _, _, i64>("zs", "(1", "+inf") $($aw)* .unwrap(), 3);
        let scores: Vec<Option<f64>> = $c.zscore_multiple("zs", &["a", "missing"]) $($aw)* .unwrap();
        assert_eq!(scores, [Some(1.0), None]);
        assert_eq!($c.zrevrank::<_, _, Option<i64>>("zs", "d") $($aw)* .unwrap(), Some(0));
        assert_eq!($c.zpopmin::<_, Vec<(String, f64)>>("zs", 1) $($aw)* .unwrap(), [("a".to_owned(), 1.0)]);
        assert_eq!($c.zpopmax::<_, Vec<(String, f64)>>("zs", 1) $($aw)* .unwrap(), [("d".to_owned(), 4.0)]);
        assert_eq!($c.zrembyscore::<_, _, _, i64>("zs", 2, 2) $($aw)* .unwrap(), 1);
        assert_eq!($c.zremrangebyrank::<_, i64>("zs", 0, -1) $($aw)* .unwrap(), 1);
        let () = $c.pfadd("h1", "a") $($aw)* .unwrap();
        let () = $c.pfadd("h2", "b") $($aw)* .unwrap();
        let () = $c.pfmerge("h3", &["h1", "h2"]) $($aw)* .unwrap();
        assert_eq!($c.pfcount::<_, i64>("h3") $($aw)* .unwrap(), 2);
        let () = $c.geo_add("g", &[(13.361389, 38.115556, "Palermo")]) $($aw)* .unwrap();
        let pos: Vec<Option<(f64, f64)>> = $c.geo_pos("g", &["Palermo", "missing"]) $($aw)* .unwrap();
        assert!(matches!(pos.as_slice(), [Some((lon, _)), None] if (lon - 13.361389).abs() < 1e-4));
        let hashes: Vec<Option<String>> = $c.geo_hash("g", &["Palermo"]) $($aw)* .unwrap();
        assert_eq!(hashes, [Some("sqc8b49rny0".to_owned())]);
        let () = $c.xgroup_create_mkstream("xs", "g1", "$") $($aw)* .unwrap();
        assert!($c.xgroup_createconsumer::<_, _, _, bool>("xs", "g1", "c1") $($aw)* .unwrap());
        let () = $c.xgroup_setid("xs", "g1", "0") $($aw)* .unwrap();
        let pending: (i64, Option<String>, Option<String>, Option<Vec<(String, String)>>) =
            $c.xpending("xs", "g1") $($aw)* .unwrap();
        assert_eq!(pending.0, 0);
        assert_eq!($c.xgroup_delconsumer::<_, _, _, i64>("xs", "g1", "c1") $($aw)* .unwrap(), 0);
        assert!($c.xgroup_destroy::<_, _, bool>("xs", "g1") $($aw)* .unwrap());
        let sha: String = $c.script_load("return 1") $($aw)* .unwrap();
        assert_eq!($c.script_exists::<_, Vec<bool>>(&[sha.as_str(), "0000"]) $($aw)* .unwrap(), [true, false]);
        let () = $c.script_flush() $($aw)* .unwrap();
        assert_eq!($c.script_exists::<_, Vec<bool>>(&[sha.as_str()]) $($aw)* .unwrap(), [false]);
        let id: i64 = $c.client_id() $($aw)* .unwrap();
        assert!($c.client_info::<String>() $($aw)* .unwrap().contains(&format!("id={id} ")));
        assert!($c.client_list::<String>() $($aw)* .unwrap().contains(&format!("id={id} ")));

        assert_eq!($c.setbit::<_, i64>("bits", 7, true) $($aw)* .unwrap(), 0);
        assert_eq!($c.setbit::<_, i64>("bits", 9, true) $($aw)* .unwrap(), 0);
        assert_eq!($c.bitcount::<_, i64>("bits") $($aw)* .unwrap(), 2);
        assert_eq!($c.bitcount_range::<_, i64>("bits", 1, 1) $($aw)* .unwrap(), 1);
        assert_eq!($c.bitpos::<_, i64>("bits", true) $($aw)* .unwrap(), 7);
        assert_eq!($c.lpos::<_, _, Option<i64>>("lx", "c") $($aw)* .unwrap(), Some(2));
        assert_eq!($c.lpos::<_, _, Option<i64>>("lx", "zz") $($aw)* .unwrap(), None);
        let () = $c.zadd_multiple("za", &[(1.0, "a"), (2.0, "b")]) $($aw)* .unwrap();
        let () = $c.zadd_multiple("zb", &[(10.0, "b"), (20.0, "c")]) $($aw)* .unwrap();
        assert_eq!($c.zinterstore::<_, _, i64>("zi", &["za", "zb"]) $($aw)* .unwrap(), 1);
        assert_eq!($c.zscore::<_, _, f64>("zi", "b") $($aw)* .unwrap(), 12.0);
        assert_eq!($c.zunionstore::<_, _, i64>("zu", &["za", "zb"]) $($aw)* .unwrap(), 3);
        let () = $c.geo_add("g", &[(15.087269, 37.502669, "Catania")]) $($aw)* .unwrap();
        let km: Option<f64> =
            $c.geo_dist("g", "Palermo", "Catania", ferrodis::core::cmd::GeoUnit::Kilometers) $($aw)* .unwrap();
        assert!(km.is_some_and(|d| (d - 166.27).abs() < 0.1), "{km:?}");
        let origin = ferrodis::core::cmd::GeoOrigin::LonLat(15.0, 37.0);
        let shape = ferrodis::core::cmd::GeoShape::Radius(200.0, ferrodis::core::cmd::GeoUnit::Kilometers);
        let near: Vec<String> = $c.geo_search("g", origin, shape) $($aw)* .unwrap();
        assert_eq!(sorted(near), ["Catania", "Palermo"]);
        let first: String = $c.xadd("xr", "*", &[("n", 1)]) $($aw)* .unwrap();
        let second: String = $c.xadd("xr", "*", &[("n", 2)]) $($aw)* .unwrap();
        let newest: Vec<(String, Vec<(String, i64)>)> = $c.xrevrange("xr", "+", "-") $($aw)* .unwrap();
        assert_eq!(newest.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(), [second.clone(), first.clone()]);
        let () = $c.xgroup_create("xr", "g2", "0") $($aw)* .unwrap();
        let read: Value = $c.xread_options(&["xr"], &[">"], &StreamReadOptions::default().group("g2", "c2")) $($aw)* .unwrap();
        assert!(matches!(read, Value::Array(_) | Value::Map(_)), "{read:?}");
        let entries: Vec<(String, String, i64, i64)> = $c.xpending_count("xr", "g2", "-", "+", 10) $($aw)* .unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!((entries[0].0.as_str(), entries[0].1.as_str(), entries[0].3), (first.as_str(), "c2", 1));
        assert_eq!($c.eval_ro::<_, _, _, String>("return redis.call('GET', KEYS[1])", "r", ()) $($aw)* .unwrap(), "Hello Redis");
        let sha: String = $c.script_load("return ARGV[1]") $($aw)* .unwrap();
        assert_eq!($c.evalsha_ro::<_, _, _, String>(sha.as_str(), (), "x") $($aw)* .unwrap(), "x");
        assert_eq!($c.client_kill_id::<i64>(u64::MAX) $($aw)* .unwrap_err().server_kind(), Some(ServerErrorKind::Err));

        // Errors: a server error keeps its kind and text; a conversion failure says so;
        // the connection stays usable after both.
        let () = $c.set("text", "not a number") $($aw)* .unwrap();
        let e = $c.incr::<_, _, i64>("text", 1) $($aw)* .unwrap_err();
        assert_eq!(e.server_kind(), Some(ServerErrorKind::Err), "{e}");
        assert!(e.to_string().contains("not an integer"), "{e}");
        let e = $c.lpush::<_, _, i64>("text", "x") $($aw)* .unwrap_err();
        assert_eq!(e.server_kind(), Some(ServerErrorKind::WrongType), "{e}");
        let e = $c.get::<_, i64>("text") $($aw)* .unwrap_err();
        match e.kind() {
            ErrorKind::Conversion(c) => assert_eq!(c.kind(), &ConversionErrorKind::InvalidNumber),
            other => panic!("{other:?}"),
        }
        let e = $c.get::<_, String>("missing") $($aw)* .unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Conversion(_)), "{e}");

        // `query` and `req` with a hand-built command.
        assert_eq!($c.query::<String>(&cmd("GET").with_arg("text")) $($aw)* .unwrap(), "not a number");
        let value = $c.req(&cmd("STRLEN").with_arg("text")) $($aw)* .unwrap();
        assert_eq!(value, Value::Int(12));

        let () = $c.flushall() $($aw)* .unwrap();
        assert_eq!($c.dbsize::<i64>() $($aw)* .unwrap(), 0);
    }};
}

#[test]
fn every_command_on_a_blocking_connection_in_resp2_and_resp3() {
    let server = RedisServer::start();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let mut conn = client(&server, protocol).get_connection().unwrap();
        every_command!(conn;);
    }
}

#[test]
fn every_command_on_a_multiplexed_connection_in_resp2_and_resp3() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        for protocol in [Protocol::Resp2, Protocol::Resp3] {
            let conn = client(&server, protocol).get_multiplexed_connection().await.unwrap();
            every_command!(conn; .await);
        }
    });
}

/// Keys for the scan tests: enough that SCAN needs several cursors.
fn scan_keys() -> Vec<(String, usize)> {
    (0..300).map(|i| (format!("user:{i}"), i)).collect()
}

#[test]
fn scan_match_iterates_every_cursor_on_a_blocking_connection() {
    let server = RedisServer::start();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let mut conn = client(&server, protocol).get_connection().unwrap();
        let () = conn.flushdb().unwrap();
        let () = conn.mset(&scan_keys()).unwrap();
        let () = conn.set("other", 1).unwrap();
        let mut iter = conn.scan_match::<_, String>("user:*").unwrap();
        let keys: HashSet<String> = iter.by_ref().collect::<Result<_, _>>().unwrap();
        assert_eq!(keys.len(), 300);
        assert!(keys.contains("user:299") && !keys.contains("other"));
        assert!(iter.next().is_none(), "the iterator is fused");
        let every: HashSet<String> = conn.scan::<String>().unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(every.len(), 301);
        assert_eq!(conn.scan_match::<_, String>("nothing:*").unwrap().count(), 0);
        // The scans of one key: a hash's pairs, a set's members, a sorted set's scored members.
        let fields: Vec<(String, usize)> = (0..200).map(|i| (format!("f{i}"), i)).collect();
        let () = conn.hset_multiple("h", &fields).unwrap();
        let pairs: HashMap<String, usize> = conn.hscan("h").unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(pairs.len(), 200);
        assert_eq!(pairs["f199"], 199);
        let matched: Vec<(String, usize)> =
            conn.hscan_match("h", "f1?").unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(matched.len(), 10);
        let members: Vec<String> = (0..200).map(|i| format!("m{i}")).collect();
        let () = conn.sadd("s", &members).unwrap();
        let got: HashSet<String> = conn.sscan("s").unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!(got.len(), 200);
        assert_eq!(conn.sscan_match::<_, _, String>("s", "m19?").unwrap().count(), 10);
        let scored: Vec<(f64, String)> = (0..200).map(|i| (f64::from(i), format!("z{i}"))).collect();
        let () = conn.zadd_multiple("zs", &scored).unwrap();
        let got: HashMap<String, f64> = conn.zscan("zs").unwrap().collect::<Result<_, _>>().unwrap();
        assert_eq!((got.len(), got["z150"]), (200, 150.0));
        assert_eq!(conn.zscan_match::<_, _, (String, f64)>("zs", "z1??").unwrap().count(), 100);
        let hashes: Vec<String> = conn
            .scan_options(ScanOptions::default().with_type("hash"))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(hashes, ["h"]);
        // The connection is in step afterwards.
        assert_eq!(conn.get::<_, i64>("other").unwrap(), 1);
    }
}

#[test]
fn a_scan_reply_that_does_not_convert_is_an_error() {
    let server = RedisServer::start();
    let mut conn = client(&server, Protocol::Resp2).get_connection().unwrap();
    let () = conn.mset(&scan_keys()).unwrap();
    // Each key is a string, not an i64: the first page fails to convert.
    let e = conn.scan_match::<_, i64>("user:*").map(|_| ()).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Conversion(_)), "{e}");
}

#[test]
fn scan_match_collects_every_cursor_on_a_multiplexed_connection() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        for protocol in [Protocol::Resp2, Protocol::Resp3] {
            let conn = client(&server, protocol).get_multiplexed_connection().await.unwrap();
            let () = conn.flushdb().await.unwrap();
            let () = conn.mset(&scan_keys()).await.unwrap();
            let () = conn.set("other", 1).await.unwrap();
            let mut keys = HashSet::new();
            let mut stream = conn.scan_match::<_, String>("user:*");
            while let Some(key) = stream.next_item().await {
                keys.insert(key.unwrap());
            }
            assert_eq!(keys.len(), 300);
            assert!(!keys.contains("other"));
            assert!(stream.next_item().await.is_none(), "the stream is fused");
            // As a `Stream`, with the options SCAN takes.
            let strings = ScanOptions::default().with_pattern("*").with_count(50).with_type("string");
            let every: Vec<String> =
                futures_util::StreamExt::collect::<Vec<_>>(conn.scan_options::<String>(strings))
                    .await
                    .into_iter()
                    .collect::<Result<_, _>>()
                    .unwrap();
            assert!(every.len() >= 301, "{}", every.len());
            let () = conn.hset("h", "f", 1).await.unwrap();
            let hashes: Vec<String> = futures_util::StreamExt::collect::<Vec<_>>(
                conn.scan_options::<String>(ScanOptions::default().with_type("hash")),
            )
            .await
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
            assert_eq!(hashes, ["h"]);
        }
    });
}

#[test]
fn concurrent_tasks_share_one_multiplexed_connection() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let conn = client(&server, Protocol::Resp3).get_multiplexed_connection().await.unwrap();
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let conn = conn.clone();
                tokio::spawn(async move {
                    for _ in 0..50 {
                        conn.incr::<_, _, i64>("hits", 1).await?;
                    }
                    conn.set::<_, _, ()>(format!("task:{i}"), i).await?;
                    conn.get::<_, i64>(format!("task:{i}")).await
                })
            })
            .collect();
        for (i, task) in tasks.into_iter().enumerate() {
            assert_eq!(task.await.unwrap().unwrap(), i as i64);
        }
        assert_eq!(conn.get::<_, i64>("hits").await.unwrap(), 16 * 50);
    });
}

#[test]
fn a_cmd_queries_itself_as_in_redis_rs() {
    let server = RedisServer::start();
    let mut conn = client(&server, Protocol::Resp3).get_connection().unwrap();
    let () = cmd("SET").arg("k").arg(41).query(&mut conn).unwrap();
    let n: i64 = cmd("INCR").arg("k").query(&mut conn).unwrap();
    assert_eq!(n, 42);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let conn = client(&server, Protocol::Resp2).get_multiplexed_connection().await.unwrap();
        let n: i64 = cmd("INCR").arg("k").query_async(&conn).await.unwrap();
        assert_eq!(n, 43);
        let e = cmd("NOSUCHCOMMAND").query_async::<Value>(&conn).await.unwrap_err();
        assert_eq!(e.server_kind(), Some(ServerErrorKind::Err), "{e}");
    });
}
