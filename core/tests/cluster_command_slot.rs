//! `command_slot` agrees with the server: for hand-picked commands, typed builders, and
//! every command of the table twice over (once with arguments that hash apart, once with
//! arguments that share a hash tag), the server's `COMMAND GETKEYS` names the keys, and
//! `key_slot` of those keys must give what `command_slot` gives: their one slot, `CROSSSLOT`
//! exactly when they differ, no slot when there are none, and an error where the server
//! calls the arguments invalid. On `redis-server` or `valkey-server` as
//! `FERRODIS_TEST_SERVER` chooses.

use std::net::TcpStream;
use std::time::Duration;

use embedded_io_adapters::std::FromStd;
use ferrodis_core::cluster::{SlotError, command_slot, key_slot};
use ferrodis_core::cmd::{self, COMMANDS, CommandInfo, KeySpecFlags, Servers, lookup_command, lookup_on};
use ferrodis_core::conn::blocking::Connection;
use ferrodis_core::resp::{Arg, ArgSink, CommandArgs, Frame};
use ferrodis_test_support::RedisServer;

/// What `COMMAND GETKEYS` says of some arguments.
#[derive(Debug, Clone, PartialEq)]
enum ServerKeys {
    Keys(Vec<Vec<u8>>),
    /// `COMMAND GETKEYS` itself needs an argument after the name: `PING` alone cannot be
    /// asked about (the unit tests cover those).
    CannotAsk,
    NoKeyArguments,
    InvalidArguments,
    WrongArgCount,
    UnknownCommand,
}

/// What `command_slot` says.
type Slot = Result<Option<u16>, SlotError>;

/// A command's arguments as it writes them, and its slot.
fn written<C: CommandArgs + ?Sized>(command: &C) -> (Vec<Vec<u8>>, Slot) {
    struct Words(Vec<Vec<u8>>);
    impl ArgSink for Words {
        fn push(&mut self, arg: Arg<'_>) {
            self.0.push(arg.text(<[u8]>::to_vec));
        }
    }
    let mut out = Words(Vec::new());
    command.write_args(&mut out);
    (out.0, command_slot(command))
}

struct Server {
    _server: RedisServer,
    servers: Servers,
    conn: Connection<FromStd<TcpStream>, &'static mut [u8]>,
}

impl Server {
    fn start() -> Server {
        let server = RedisServer::builder().start();
        let kind = server.kind();
        let servers = Servers::from_name(kind.name().as_bytes()).expect("a server the table knows");
        let tcp = TcpStream::connect(server.addr()).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        // The buffers live as long as the test process: one pair per test.
        let (read_buf, write_buf) = (vec![0u8; 64 << 10].leak(), vec![0u8; 64 << 10].leak());
        let conn = Connection::new(FromStd::new(tcp), read_buf, write_buf);
        Server { _server: server, servers, conn }
    }

    fn getkeys(&mut self, args: &[Vec<u8>]) -> ServerKeys {
        let mut request = vec![Arg::from("COMMAND"), Arg::from("GETKEYS")];
        request.extend(args.iter().map(|a| Arg::from(a.as_slice())));
        let frame = self.conn.request_frame(&request).unwrap();
        match frame {
            Frame::SimpleError(text) | Frame::BulkError(text) => {
                let text = String::from_utf8_lossy(text);
                if text.contains("'command|getkeys'") {
                    ServerKeys::CannotAsk
                } else if text.contains("no key arguments") {
                    ServerKeys::NoKeyArguments
                } else if text.contains("number of arguments") {
                    ServerKeys::WrongArgCount
                } else if text.contains("Invalid command") {
                    ServerKeys::UnknownCommand
                } else if text.contains("Invalid arguments") {
                    ServerKeys::InvalidArguments
                } else {
                    panic!("COMMAND GETKEYS {}: {text}", show(args))
                }
            }
            ref other => {
                let items = other.as_aggregate().unwrap_or_else(|| panic!("{other:?}"));
                ServerKeys::Keys(
                    items
                        .iter()
                        .map(|item| match item {
                            Frame::BulkString(key) | Frame::SimpleString(key) => key.to_vec(),
                            other => panic!("a key {other:?}"),
                        })
                        .collect(),
                )
            }
        }
    }
}

fn show(args: &[Vec<u8>]) -> String {
    let args: Vec<String> = args.iter().map(|a| a.escape_ascii().to_string()).collect();
    args.join(" ")
}

/// Whether `ours` is what the server's keys call for; `None` when it is, else the problem.
fn check(args: &[Vec<u8>], server: &ServerKeys, ours: Slot) -> Option<String> {
    let info = lookup_command(args);
    let name = info.map_or("?", |info| info.name);
    let fits = match server {
        ServerKeys::Keys(keys) if keys.is_empty() => match ours {
            Ok(None) => true,
            // `EVAL script two`: the server finds no keys and lets the command fail later.
            Err(SlotError::InvalidKeys { .. }) => info.is_some_and(optional_keys),
            _ => false,
        },
        ServerKeys::Keys(keys) => {
            let first = key_slot(&keys[0]);
            if keys.iter().all(|key| key_slot(key) == first) {
                ours == Ok(Some(first))
            } else {
                ours == Err(SlotError::CrossSlot { command: name })
            }
        }
        ServerKeys::CannotAsk => true,
        ServerKeys::NoKeyArguments => ours == Ok(None),
        ServerKeys::InvalidArguments => {
            matches!(ours, Err(SlotError::InvalidKeys { .. } | SlotError::WrongArgCount { .. }))
        }
        ServerKeys::WrongArgCount => matches!(ours, Err(SlotError::WrongArgCount { .. })),
        ServerKeys::UnknownCommand => ours == Err(SlotError::UnknownCommand),
    };
    (!fits).then(|| format!("{}: the server says {server:?}, command_slot {ours:?}", show(args)))
}

fn optional_keys(info: &CommandInfo) -> bool {
    info.flags.contains(cmd::CommandFlags::NO_MANDATORY_KEYS)
}

/// Whether a cluster routes `info` by arguments that `COMMAND GETKEYS` does not call keys
/// (the shard channels of `SPUBLISH`, `SSUBSCRIBE`, `SUNSUBSCRIBE`).
fn has_shard_channels(info: &CommandInfo) -> bool {
    info.key_specs.iter().any(|spec| spec.flags.contains(KeySpecFlags::NOT_KEY))
}

/// Hand-picked commands: one slot by hash tags, several slots, no keys, subcommands,
/// numbers of keys, keywords, fallback rules, unknown commands, malformed arguments.
const CASES: &[&[&str]] = &[
    &["GET", "foo"],
    &["SET", "foo", "bar", "EX", "10", "GET"],
    &["MSET", "{user1000}.following", "1", "{user1000}.followers", "2"],
    &["MSET", "a", "1", "b", "2"],
    &["MGET", "{t}a", "{t}b", "t"],
    &["MGET", "{}a", "{}b"],
    &["DEL", "a", "a", "a"],
    &["RENAME", "{x}old", "{x}new"],
    &["RENAME", "old", "new"],
    &["EVAL", "return 1", "2", "{k}1", "{k}2", "argv1", "argv2"],
    &["EVAL", "return 1", "2", "k1", "k2"],
    &["EVAL", "return 1", "0"],
    &["EVAL", "return 1", "0", "a", "b"],
    &["EVAL", "return 1", "3", "k"],
    &["EVAL", "return 1", "two", "k"],
    &["FCALL", "f", "1", "k", "a"],
    &["ZUNIONSTORE", "{z}d", "2", "{z}a", "{z}b", "WEIGHTS", "1", "2"],
    &["ZUNIONSTORE", "d", "2", "a", "b"],
    &["ZUNIONSTORE", "d", "0", "a"],
    &["ZUNIONSTORE", "d", "99999999999999999999", "a"],
    &["ZINTERCARD", "2", "{c}a", "{c}b", "LIMIT", "3"],
    &["LMPOP", "2", "{l}a", "{l}b", "LEFT", "COUNT", "2"],
    &["BLMPOP", "0", "2", "a", "b", "LEFT"],
    &["XREAD", "COUNT", "2", "STREAMS", "{s}1", "{s}2", "0", "0"],
    &["XREAD", "BLOCK", "0", "STREAMS", "s1", "s2", "$", "$"],
    &["XREAD", "COUNT", "1", "BLOCK", "0"],
    &["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
    &["OBJECT", "ENCODING", "k"],
    &["OBJECT", "NOSUCH", "k"],
    &["MEMORY", "USAGE", "k", "SAMPLES", "5"],
    &["XINFO", "STREAM", "s", "FULL"],
    &["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
    &["SORT", "{s}k", "BY", "w_*", "LIMIT", "0", "5", "GET", "store", "STORE", "{s}d"],
    &["SORT", "k", "STORE", "d"],
    &["SORT_RO", "k", "BY", "w_*"],
    &["GEORADIUS", "{g}k", "0", "0", "5", "km", "STORE", "{g}d"],
    &["GEORADIUSBYMEMBER", "k", "m", "5", "km", "STOREDIST", "d"],
    &["MIGRATE", "h", "6379", "", "0", "5000", "KEYS", "{m}a", "{m}b"],
    &["MIGRATE", "h", "6379", "", "0", "5000", "KEYS", "a", "b"],
    &["MIGRATE", "h", "6379", "k", "0", "5000"],
    &["BITOP", "AND", "{b}d", "{b}a", "{b}b"],
    &["LCS", "a", "b"],
    &["BLPOP", "a", "b", "0"],
    &["SMOVE", "{s}a", "{s}b", "m"],
    &["PING"],
    &["INFO", "server"],
    &["CONFIG", "GET", "maxmemory"],
    &["CLIENT", "SETNAME", "x"],
    &["DBSIZE"],
    &["PUBLISH", "channel", "message"],
    &["GET"],
    &["NOSUCHCOMMAND", "k"],
    &["JSON.SET", "doc", "$", "1"],
];

#[test]
fn command_slot_matches_command_getkeys() {
    let mut server = Server::start();
    let mut problems = Vec::new();
    let mut checked = 0;

    for &case in CASES {
        let args: Vec<Vec<u8>> = case.iter().map(|a| a.as_bytes().to_vec()).collect();
        let arrayed: Vec<Arg<'_>> = case.iter().map(|&a| Arg::from(a)).collect();
        let reply = server.getkeys(&args);
        problems.extend(check(&args, &reply, command_slot(arrayed.as_slice())));
        checked += 1;
    }

    // Typed builders, as they write themselves out.
    let script = "return 1";
    let typed = [
        written(&cmd::get("foo")),
        written(&cmd::mset(&[("{t}a", 1), ("{t}b", 2)])),
        written(&cmd::mset(&[("a", 1), ("b", 2)])),
        written(&cmd::xread(&[("{s}a", "0"), ("{s}b", "$")]).count(5)),
        written(&cmd::xread(&[("a", "0"), ("b", "0")]).block(0)),
        written(&cmd::eval(script).keys(&["{e}a", "{e}b"]).args(&[1, 2])),
        written(&cmd::eval(script).args(&["a"])),
        written(&cmd::zunionstore("{z}d", &["{z}a", "{z}b"])),
        written(&cmd::zunionstore("d", &["a", "b"])),
        written(&cmd::xgroup_create("s", "g", "$").mkstream()),
        written(&cmd::ping()),
    ];
    for (args, ours) in typed {
        let reply = server.getkeys(&args);
        problems.extend(check(&args, &reply, ours));
        checked += 1;
    }

    // Every command of this server, with the fewest arguments its arity allows and a few
    // more: once all different (multi-key commands cross slots), once all tagged alike.
    let servers = server.servers;
    let all = COMMANDS
        .iter()
        .filter(|info| info.subcommands.is_empty())
        .chain(COMMANDS.iter().flat_map(|c| c.subcommands));
    let mut with_keys = 0;
    let mut crossing = 0;
    for info in all.filter_map(|info| lookup_on(info.name.as_bytes(), servers)) {
        if has_shard_channels(info) {
            continue;
        }
        let least = usize::from(info.arity.unsigned_abs());
        let counts = if info.arity < 0 { vec![least, least + 1, least + 4] } else { vec![least] };
        for count in counts {
            for tag in ["", "{t}"] {
                let mut args: Vec<Vec<u8>> =
                    info.name.split('|').map(|w| w.to_uppercase().into_bytes()).collect();
                let named = args.len();
                args.extend((named..count).map(|i| format!("{tag}a{i}").into_bytes()));
                let arrayed: Vec<Arg<'_>> = args.iter().map(|a| Arg::from(a.as_slice())).collect();
                let reply = server.getkeys(&args);
                let ours = command_slot(arrayed.as_slice());
                with_keys += usize::from(matches!(&reply, ServerKeys::Keys(keys) if !keys.is_empty()));
                crossing += usize::from(matches!(ours, Err(SlotError::CrossSlot { .. })));
                problems.extend(check(&args, &reply, ours));
                checked += 1;
            }
        }
    }
    assert!(problems.is_empty(), "{} of {checked} differ:\n{}", problems.len(), problems.join("\n"));
    // The sweep must prove something (on Redis 7.0: 722 cases with keys, 65 crossing).
    assert!(with_keys > 500 && crossing > 50, "{with_keys} cases with keys, {crossing} crossing slots");
}

#[test]
fn shard_channels_route_by_their_slot() {
    // `COMMAND GETKEYS` does not call them keys, but a cluster routes them by slot.
    for args in [&["SPUBLISH", "news", "hi"][..], &["SSUBSCRIBE", "news"], &["SUNSUBSCRIBE", "news"]] {
        let arrayed: Vec<Arg<'_>> = args.iter().map(|&a| Arg::from(a)).collect();
        assert_eq!(command_slot(arrayed.as_slice()), Ok(Some(key_slot(b"news"))), "{args:?}");
    }
}
