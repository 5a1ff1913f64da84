//! The checked-in command table is what a real redis-server says: every command and
//! subcommand of its `COMMAND` reply (name, arity, flags, first/last/step, ACL categories,
//! tips, key specs) is in the table with the same values, and nothing else is; and
//! `key_indices` finds the same keys as the server's `COMMAND GETKEYS`.
//!
//! The test starts its own redis-server on a free loopback port. When the server is
//! another version than the table's, regenerate the table with `cargo xtask gen-commands`.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use ferrodis_core::cmd::{
    AclCategories, BeginSearch, COMMANDS, CommandFlags, CommandInfo, FindKeys, KeySpec, KeySpecFlags,
    SERVER_VERSION, key_indices, lookup, lookup_command,
};
use ferrodis_core::resp::{Arg, Decoded, Frame, command_len, decode, encode_command};

/// A redis-server of our own on a free loopback port, killed on drop.
struct Server {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Server {
    fn start() -> Server {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("ferrodis-command-table-{}-{port}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let spawned = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) => {
                let _ = fs::remove_dir_all(&dir);
                if e.kind() == io::ErrorKind::NotFound {
                    panic!("redis-server not found: install it with `apt-get install redis-server`")
                }
                panic!("starting redis-server: {e}")
            }
        };
        let mut server = Server { child, dir, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("redis-server exited ({status}) before accepting connections");
            }
            assert!(Instant::now() < deadline, "redis-server did not accept connections in 10 s");
            thread::sleep(Duration::from_millis(20));
        }
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

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

struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    fn connect(server: &Server) -> Conn {
        let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, server.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        Conn { stream, buf: Vec::new() }
    }

    fn request<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Value {
        let args: Vec<Arg<'_>> = args.iter().map(|a| Arg::from(a.as_ref())).collect();
        let mut out = vec![0; command_len(args.as_slice())];
        encode_command(&mut out, &args).unwrap();
        self.stream.write_all(&out).unwrap();
        self.buf.clear();
        let mut chunk = [0; 16 * 1024];
        loop {
            if let Decoded::Complete { frame, .. } = decode(&self.buf).unwrap() {
                return Value::from_frame(&frame);
            }
            let n = self.stream.read(&mut chunk).unwrap();
            assert!(n > 0, "the server closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

/// The server's flag names in a set, as the table's flags give them.
fn names<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    names.into_iter().map(str::to_owned).collect()
}

/// Every difference between one `COMMAND` entry and the table's `info`.
fn compare(entry: &Value, info: &CommandInfo, problems: &mut Vec<String>) {
    let fields = entry.list();
    let name = fields[0].text();
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

    let subcommands = fields[9].list();
    check("subcommand count", subcommands.len().to_string(), info.subcommands.len().to_string());
    for sub in subcommands {
        let sub_name = sub.list()[0].text();
        match lookup(sub_name.as_bytes()) {
            Some(sub_info) => compare(sub, sub_info, problems),
            None => problems.push(format!("{sub_name}: missing from the table")),
        }
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

/// The keys `key_indices` finds, by name.
fn our_keys(args: &[&str]) -> Vec<String> {
    match lookup_command(args) {
        Some(info) => key_indices(info, args).map(|i| args[i].to_owned()).collect(),
        None => Vec::new(),
    }
}

/// Argument lists for every command in the table, each argument unique: the smallest
/// count the arity allows, and a few more for variadic commands.
fn sweep_cases() -> Vec<Vec<String>> {
    let mut cases = Vec::new();
    let all = COMMANDS.iter().flat_map(|c| std::iter::once(c).chain(c.subcommands));
    for info in all.filter(|info| info.subcommands.is_empty()) {
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
fn command_table_matches_the_server() {
    let server = Server::start();
    let mut conn = Conn::connect(&server);
    let mut problems = Vec::new();

    let info = conn.request(&["INFO", "server"]);
    let version =
        info.text().lines().find_map(|l| l.strip_prefix("redis_version:")).unwrap().trim().to_owned();
    if version != SERVER_VERSION {
        problems.push(format!(
            "the table is from redis-server {SERVER_VERSION} but this one is {version}: \
             run `cargo xtask gen-commands` (differences follow)"
        ));
    }

    let reply = conn.request(&["COMMAND"]);
    let entries = reply.list();
    for entry in entries {
        let name = entry.list()[0].text();
        match lookup(name.as_bytes()) {
            Some(info) => compare(entry, info, &mut problems),
            None => problems.push(format!("{name}: missing from the table")),
        }
    }
    let server_names: BTreeSet<&str> = entries.iter().map(|e| e.list()[0].text()).collect();
    for info in COMMANDS {
        if !server_names.contains(info.name) {
            problems.push(format!("{}: in the table, unknown to the server", info.name));
        }
    }
    assert!(problems.is_empty(), "{} differences:\n{}", problems.len(), problems.join("\n"));

    // Flags sanity: the names the table knows are the server's names.
    assert!(CommandFlags::from_name(b"movablekeys").is_some());
    assert!(KeySpecFlags::from_name(b"not_key").is_some());
    assert!(AclCategories::from_name(b"sortedset").is_some());
}

#[test]
fn key_positions_match_command_getkeys() {
    let server = Server::start();
    let mut conn = Conn::connect(&server);
    let mut problems = Vec::new();

    for &args in KEY_CASES {
        let (server, ours) = (server_keys(&mut conn, args), our_keys(args));
        if server != ours {
            problems.push(format!("{args:?}: the server finds {server:?}, key_indices {ours:?}"));
        }
    }
    let sweep = sweep_cases();
    let mut with_keys = 0;
    for args in &sweep {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (server, ours) = (server_keys(&mut conn, &args), our_keys(&args));
        with_keys += usize::from(!server.is_empty());
        if server != ours {
            problems.push(format!("{args:?}: the server finds {server:?}, key_indices {ours:?}"));
        }
    }
    // Most of the sweep must find keys, or it proves little (707 cases, 361 with keys on 7.0).
    assert!(with_keys > sweep.len() / 3, "only {with_keys} of {} sweep cases have keys", sweep.len());
    assert!(problems.is_empty(), "{} differences:\n{}", problems.len(), problems.join("\n"));
}
