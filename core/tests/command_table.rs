//! The checked-in command table is what real servers say, for each server it was made from
//! (redis-server 7.0.15 and valkey-server 9.1.2, whatever `FERRODIS_TEST_SERVER` says):
//! every command and subcommand of the server's `COMMAND` reply (name, arity, flags,
//! first/last/step, ACL categories, tips, key specs) is in the table, marked as that
//! server's, with the values that server gives (`lookup_on`), and no other entry is marked
//! as that server's; and `key_indices` finds the same keys as the server's `COMMAND GETKEYS`.
//!
//! Each test starts its own server on a free loopback port. When a server is another
//! version than the table's, regenerate the table with `cargo xtask gen-commands`.

use std::collections::BTreeSet;
use std::net::TcpStream;
use std::time::Duration;

use embedded_io_adapters::std::FromStd;
use ferrodis_core::cmd::{
    AclCategories, BeginSearch, COMMANDS, CommandFlags, FindKeys, KeySpec, KeySpecFlags, SERVER_VERSIONS,
    Servers, key_indices, lookup, lookup_command, lookup_on,
};
use ferrodis_core::conn::blocking::Connection;
use ferrodis_core::resp::{Arg, Frame};
use ferrodis_test_support::{RedisServer, ServerKind};

/// A reply, owned.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    Int(i64),
    List(Vec<Value>),
    Error(String),
    Null,
}

impl Value {
    fn from_frame(frame: &Frame<'_>) -> Value {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        match *frame {
            Frame::SimpleString(b) | Frame::BulkString(b) => Value::Text(text(b)),
            Frame::VerbatimString { text: b, .. } => Value::Text(text(b)),
            Frame::SimpleError(b) | Frame::BulkError(b) => Value::Error(text(b)),
            Frame::Integer(n) => Value::Int(n),
            Frame::Null | Frame::NullBulkString | Frame::NullArray => Value::Null,
            ref other => match other.as_aggregate() {
                // Maps become lists of alternating keys and values, as in RESP2.
                Some(items) => Value::List(items.iter().map(|item| Value::from_frame(&item)).collect()),
                None => panic!("unexpected reply {other:?}"),
            },
        }
    }

    fn text(&self) -> &str {
        match self {
            Value::Text(text) => text,
            other => panic!("expected a string, got {other:?}"),
        }
    }

    fn int(&self) -> i64 {
        match self {
            Value::Int(n) => *n,
            other => panic!("expected an integer, got {other:?}"),
        }
    }

    fn list(&self) -> &[Value] {
        match self {
            Value::List(items) => items,
            other => panic!("expected a list, got {other:?}"),
        }
    }

    fn texts(&self) -> Vec<String> {
        self.list().iter().map(|v| v.text().to_owned()).collect()
    }

    /// The value after the key `name` in a map sent as alternating keys and values.
    fn field(&self, name: &str) -> &Value {
        let items = self.list();
        let at = items.chunks(2).position(|pair| pair[0].text() == name);
        at.map(|at| &items[2 * at + 1]).unwrap_or_else(|| panic!("no `{name}` in {self:?}"))
    }
}

/// One server of `kind` and core's blocking connection to it, over RESP2.
struct Conn {
    server: RedisServer,
    /// The table's name for the server.
    servers: Servers,
    conn: Connection<FromStd<TcpStream>, &'static mut [u8]>,
}

impl Conn {
    fn start(kind: ServerKind) -> Conn {
        let server = RedisServer::builder().server(kind).start();
        let servers = Servers::from_name(kind.name().as_bytes())
            .unwrap_or_else(|| panic!("the table's Servers has no `{}`", kind.name()));
        let stream = TcpStream::connect(server.addr()).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        // Valkey 9.1's whole `COMMAND` reply is about 200 KiB. (The buffers live as long as
        // the test process: one pair per test.)
        let (read_buf, write_buf) = (vec![0; 4 << 20].leak(), vec![0; 4096].leak());
        let conn = Connection::new(FromStd::new(stream), read_buf, write_buf);
        Conn { server, servers, conn }
    }

    /// The reply to `args`, an error reply included.
    fn request<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Value {
        let args: Vec<Arg<'_>> = args.iter().map(|a| Arg::from(a.as_ref())).collect();
        let kind = self.server.kind();
        let frame = self.conn.request_frame(&args).unwrap_or_else(|e| panic!("{args:?} on {kind}: {e}"));
        Value::from_frame(&frame)
    }
}

/// The server's flag names in a set, as the table's flags give them.
fn names<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    names.into_iter().map(str::to_owned).collect()
}

/// Every difference between one `COMMAND` entry of the server `servers` and the table.
fn compare(entry: &Value, servers: Servers, problems: &mut Vec<String>) {
    let fields = entry.list();
    let name = fields[0].text();
    let (Some(main), Some(info)) = (lookup(name.as_bytes()), lookup_on(name.as_bytes(), servers)) else {
        problems.push(format!("{name}: missing from the table, or not marked {servers:?}"));
        return;
    };
    let mut check = |what: &str, server: String, table: String| {
        if server != table {
            problems.push(format!("{name}: {what}: the server says {server}, the table {table}"));
        }
    };
    check("name", name.to_owned(), info.name.to_owned());
    check("arity", fields[1].int().to_string(), info.arity.to_string());
    check("flags", format!("{:?}", names(fields[2].texts().iter().map(String::as_str))), {
        format!("{:?}", names(info.flags.names()))
    });
    for (field, what, value) in
        [(3, "first key", info.first_key), (4, "last key", info.last_key), (5, "step", info.step)]
    {
        check(what, fields[field].int().to_string(), value.to_string());
    }
    let acl: Vec<String> = fields[6].texts().iter().map(|c| c.trim_start_matches('@').to_owned()).collect();
    check(
        "ACL categories",
        format!("{:?}", names(acl.iter().map(String::as_str))),
        format!("{:?}", names(info.acl_categories.names())),
    );
    check("tips", format!("{:?}", fields[7].texts()), format!("{:?}", info.tips));
    let specs: Vec<String> = fields[8].list().iter().map(server_spec).collect();
    let table_specs: Vec<String> = info.key_specs.iter().map(table_spec).collect();
    check("key specs", format!("{specs:#?}"), format!("{table_specs:#?}"));

    // The subcommands are in the main entry, each marked with its servers.
    let subcommands = fields[9].list();
    let ours = main.subcommands.iter().filter(|sub| sub.servers.contains(servers)).count();
    check("subcommand count", subcommands.len().to_string(), ours.to_string());
    for sub in subcommands {
        compare(sub, servers, problems);
    }
}

/// A server key spec in one canonical line.
fn server_spec(spec: &Value) -> String {
    let flags = names(spec.field("flags").texts().iter().map(String::as_str));
    let begin = spec.field("begin_search");
    let begin = match begin.field("type").text() {
        "index" => format!("index {}", begin.field("spec").field("index").int()),
        "keyword" => {
            let s = begin.field("spec");
            format!("keyword {} from {}", s.field("keyword").text(), s.field("startfrom").int())
        }
        other => other.to_owned(),
    };
    let find = spec.field("find_keys");
    let find = match find.field("type").text() {
        "range" => {
            let s = find.field("spec");
            let [last, step, limit] = ["lastkey", "keystep", "limit"].map(|f| s.field(f).int());
            format!("range last {last} step {step} limit {limit}")
        }
        "keynum" => {
            let s = find.field("spec");
            let [idx, first, step] = ["keynumidx", "firstkey", "keystep"].map(|f| s.field(f).int());
            format!("keynum at {idx} first {first} step {step}")
        }
        other => other.to_owned(),
    };
    format!("{flags:?} {begin}; {find}")
}

/// A table key spec in the same line as [`server_spec`].
fn table_spec(spec: &KeySpec) -> String {
    let flags = names(spec.flags.names());
    let begin = match spec.begin_search {
        BeginSearch::Index(i) => format!("index {i}"),
        BeginSearch::Keyword { keyword, start_from } => format!("keyword {keyword} from {start_from}"),
        BeginSearch::Unknown => "unknown".to_owned(),
        _ => "unhandled".to_owned(),
    };
    let find = match spec.find_keys {
        FindKeys::Range { last_key, key_step, limit } => {
            format!("range last {last_key} step {key_step} limit {limit}")
        }
        FindKeys::KeyNum { key_num_idx, first_key, key_step } => {
            format!("keynum at {key_num_idx} first {first_key} step {key_step}")
        }
        FindKeys::Unknown => "unknown".to_owned(),
        _ => "unhandled".to_owned(),
    };
    format!("{flags:?} {begin}; {find}")
}

/// Commands whose keys are found by keyword, count or fallback rule, with argument
/// values chosen so that a key name says where it is.
const KEY_CASES: &[&[&str]] = &[
    &["GET", "k"],
    &["SET", "k", "v", "GET"],
    &["MSET", "a", "1", "b", "2"],
    &["DEL", "a", "b", "c"],
    &["EVAL", "return 1", "2", "k1", "k2", "a1"],
    &["EVAL", "return 1", "0"],
    &["EVAL", "s", "two", "k"],
    &["EVAL", "s", "-1", "k"],
    &["EVAL", "s", "3", "k"],
    &["EVALSHA", "abc", "1", "k", "a"],
    &["EVAL_RO", "s", "1", "k", "a"],
    &["FCALL", "f", "1", "k", "a"],
    &["XREAD", "COUNT", "2", "STREAMS", "s1", "s2", "0", "0"],
    &["XREAD", "BLOCK", "0", "streams", "s", "$"],
    &["XREAD", "STREAMS", "a", "b", "c"],
    &["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", "0"],
    &["ZUNIONSTORE", "dst", "2", "a", "b", "WEIGHTS", "1", "2"],
    &["ZUNIONSTORE", "dst", "0", "a"],
    &["ZINTERCARD", "2", "a", "b", "LIMIT", "3"],
    &["ZDIFF", "2", "a", "b", "WITHSCORES"],
    &["SINTERCARD", "1", "a"],
    &["LMPOP", "2", "a", "b", "LEFT"],
    &["BLMPOP", "0", "2", "a", "b", "LEFT"],
    &["BZMPOP", "0", "1", "a", "MIN"],
    &["BLPOP", "a", "b", "0"],
    &["OBJECT", "ENCODING", "k"],
    &["MEMORY", "USAGE", "k", "SAMPLES", "5"],
    &["XINFO", "STREAM", "s"],
    &["XGROUP", "CREATE", "s", "g", "$"],
    &["CLIENT", "SETNAME", "x"],
    &["MIGRATE", "h", "6379", "", "0", "5000", "KEYS", "a", "b"],
    &["MIGRATE", "h", "6379", "", "0", "5000", "COPY", "AUTH", "keys", "KEYS", "a"],
    &["MIGRATE", "h", "6379", "", "0", "5000", "AUTH2", "u", "keys", "KEYS", "a"],
    &["MIGRATE", "h", "6379", "k", "0", "5000"],
    &["MIGRATE", "h", "6379", "k", "0", "5000", "KEYS", "a"],
    &["SORT", "k"],
    &["SORT", "k", "BY", "w_*", "LIMIT", "0", "5", "GET", "store", "STORE", "d"],
    &["SORT", "k", "STORE", "d1", "STORE", "d2"],
    &["SORT_RO", "k", "BY", "w_*"],
    &["GEORADIUS", "k", "0", "0", "5", "km", "STORE", "d"],
    &["GEORADIUSBYMEMBER", "k", "m", "5", "km", "STOREDIST", "d"],
    &["SPUBLISH", "chan", "msg"],
    &["SSUBSCRIBE", "chan"],
    &["BITFIELD", "k", "GET", "u8", "0"],
    &["BITFIELD_RO", "k", "GET", "u8", "0"],
    &["LCS", "a", "b"],
    &["BITOP", "AND", "dst", "a", "b"],
    &["PFCOUNT", "a", "b"],
    &["RENAME", "a", "b"],
    &["SMOVE", "a", "b", "m"],
    &["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"],
    &["WATCH", "a", "b"],
];

/// The keys the server's `COMMAND GETKEYS` finds (none when it says there are none, or
/// that the arguments are invalid).
fn server_keys(conn: &mut Conn, args: &[&str]) -> Vec<String> {
    let mut request = vec!["COMMAND", "GETKEYS"];
    request.extend_from_slice(args);
    match conn.request(&request) {
        Value::List(keys) => keys.iter().map(|k| k.text().to_owned()).collect(),
        Value::Error(_) => Vec::new(),
        other => panic!("COMMAND GETKEYS {args:?}: {other:?}"),
    }
}

/// The keys `key_indices` finds, by name, with the description of the server `servers`
/// (the same key positions as the main table's, or the test of that server fails).
fn our_keys(args: &[&str], servers: Servers) -> Vec<String> {
    let main = lookup_command(args).map(|info| key_indices(info, args).map(|i| args[i].to_owned()).collect());
    let info = lookup_command(args).and_then(|info| lookup_on(info.name.as_bytes(), servers));
    let theirs = info.map(|info| key_indices(info, args).map(|i| args[i].to_owned()).collect::<Vec<_>>());
    assert_eq!(
        main.as_ref(),
        theirs.as_ref(),
        "{args:?}: the main table and {servers:?}'s description differ"
    );
    theirs.unwrap_or_default()
}

/// Argument lists for every command the server `servers` has, each argument unique: the
/// smallest count its arity allows, and a few more for variadic commands.
fn sweep_cases(servers: Servers) -> Vec<Vec<String>> {
    let mut cases = Vec::new();
    let all = COMMANDS.iter().flat_map(|c| std::iter::once(c).chain(c.subcommands));
    let all = all.filter(|info| info.servers.contains(servers));
    let all = all.filter_map(|info| lookup_on(info.name.as_bytes(), servers));
    for info in
        all.filter(|info| lookup(info.name.as_bytes()).is_some_and(|main| main.subcommands.is_empty()))
    {
        let prefix: Vec<String> = info.name.split('|').map(str::to_uppercase).collect();
        let least = usize::from(info.arity.unsigned_abs());
        let counts = if info.arity < 0 { vec![least, least + 1, least + 4] } else { vec![least] };
        for count in counts {
            let mut args = prefix.clone();
            args.extend((args.len()..count).map(|i| format!("a{i}")));
            cases.push(args);
        }
    }
    cases
}

#[test]
fn command_table_matches_redis() {
    command_table_matches(ServerKind::Redis);
}

#[test]
fn command_table_matches_valkey() {
    command_table_matches(ServerKind::Valkey);
}

#[test]
fn key_positions_match_command_getkeys_on_redis() {
    key_positions_match_command_getkeys(ServerKind::Redis);
}

#[test]
fn key_positions_match_command_getkeys_on_valkey() {
    key_positions_match_command_getkeys(ServerKind::Valkey);
}

fn command_table_matches(kind: ServerKind) {
    let mut conn = Conn::start(kind);
    let servers = conn.servers;
    let mut problems = Vec::new();

    let info = conn.request(&["INFO", "server"]);
    let field = |name: &str| info.text().lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(':'));
    let version = field("valkey_version").or_else(|| field("redis_version")).unwrap().trim().to_owned();
    let table_version = SERVER_VERSIONS.iter().find(|(s, _)| *s == servers).map(|(_, v)| *v);
    if table_version != Some(version.as_str()) {
        problems.push(format!(
            "the table is from {kind} {table_version:?} but this one is {version}: \
             run `cargo xtask gen-commands` (differences follow)"
        ));
    }

    let reply = conn.request(&["COMMAND"]);
    let entries = reply.list();
    let mut server_names = BTreeSet::new();
    for entry in entries {
        compare(entry, servers, &mut problems);
        server_names.insert(entry.list()[0].text());
        server_names.extend(entry.list()[9].list().iter().map(|sub| sub.list()[0].text()));
    }
    for info in COMMANDS.iter().flat_map(|c| std::iter::once(c).chain(c.subcommands)) {
        if info.servers.contains(servers) && !server_names.contains(info.name) {
            problems.push(format!("{}: marked {servers:?} in the table, unknown to {kind}", info.name));
        }
    }
    assert!(problems.is_empty(), "{kind}: {} differences:\n{}", problems.len(), problems.join("\n"));

    // Flags sanity: the names the table knows are the server's names.
    assert!(CommandFlags::from_name(b"movablekeys").is_some());
    assert!(KeySpecFlags::from_name(b"not_key").is_some());
    assert!(AclCategories::from_name(b"sortedset").is_some());
}

fn key_positions_match_command_getkeys(kind: ServerKind) {
    let mut conn = Conn::start(kind);
    let servers = conn.servers;
    let mut problems = Vec::new();

    for &args in KEY_CASES {
        let (server, ours) = (server_keys(&mut conn, args), our_keys(args, servers));
        if server != ours {
            problems.push(format!("{args:?}: {kind} finds {server:?}, key_indices {ours:?}"));
        }
    }
    let sweep = sweep_cases(servers);
    let mut with_keys = 0;
    for args in &sweep {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (server, ours) = (server_keys(&mut conn, &args), our_keys(&args, servers));
        with_keys += usize::from(!server.is_empty());
        if server != ours {
            problems.push(format!("{args:?}: {kind} finds {server:?}, key_indices {ours:?}"));
        }
    }
    // Most of the sweep must find keys, or it proves little (707 cases, 361 with keys on
    // Redis 7.0).
    assert!(with_keys > sweep.len() / 3, "only {with_keys} of {} sweep cases have keys", sweep.len());
    assert!(problems.is_empty(), "{kind}: {} differences:\n{}", problems.len(), problems.join("\n"));
}
