//! `cargo xtask gen-commands`: writes `core/src/cmd/generated.rs` from a real server.
//!
//! It starts its own redis-server on a free loopback port with a temporary folder, reads
//! `INFO server` (for the version) and `COMMAND`, decodes the replies with ferrodis-core's
//! own decoder, and renders every command and subcommand as a static table sorted by name
//! (so `ferrodis_core::cmd::lookup` can binary-search it). The text goes through rustfmt
//! with the repository's `rustfmt.toml`, so the checked-in file is already formatted.
//!
//! Flag, key-spec and ACL-category names the core types do not know stop the generator
//! with a message saying where to add them; the table is never written half-understood.
//!
//! `--check` renders the table and compares it with the checked-in file instead of writing.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use ferrodis_core::cmd::{AclCategories, CommandFlags, KeySpecFlags};
use ferrodis_core::resp::{Arg, Decoded, Frame, command_len, decode, encode_command};

/// Where the table goes, from the repository root.
const OUTPUT: &str = "core/src/cmd/generated.rs";

/// Runs `cargo xtask gen-commands` with the arguments after the subcommand.
pub(crate) fn run(args: &[String]) -> Result<(), String> {
    let mut check = false;
    let mut program = "redis-server".to_owned();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--redis-server" => program = args.next().ok_or("--redis-server needs a path")?.clone(),
            other => return Err(format!("unknown option `{other}` for `gen-commands`")),
        }
    }

    let (version, commands) = {
        let server = Server::start(&program)?;
        let mut conn = Conn::connect(server.port)?;
        let version = conn.request(&["INFO", "server"], server_version)?;
        let commands =
            conn.request(&["COMMAND"], |reply| items(&reply)?.iter().map(parse_command).collect())?;
        (version, commands)
    };
    let commands = sorted(commands, None)?;
    let source = rustfmt(&render(&version, &commands)?)?;

    let path = root().join(OUTPUT);
    let subcommands: usize = commands.iter().map(|c| c.subcommands.len()).sum();
    let summary = format!(
        "{} commands, {subcommands} subcommands from redis-server {version} ({} bytes)",
        commands.len(),
        source.len()
    );
    if check {
        let current = fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        if current != source {
            return Err(format!(
                "{OUTPUT} differs from what redis-server {version} reports: run `cargo xtask gen-commands`"
            ));
        }
        println!("gen-commands: {OUTPUT} is up to date: {summary}");
    } else {
        fs::write(&path, &source).map_err(|e| format!("writing {}: {e}", path.display()))?;
        println!("gen-commands: wrote {OUTPUT}: {summary}");
    }
    Ok(())
}

/// The repository root: the folder above `xtask/`.
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new("."))
}

/// A redis-server of our own, killed (and its folder removed) on drop.
struct Server {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Server {
    /// Starts `program` on a free loopback port, without persistence, and waits until it
    /// accepts connections.
    fn start(program: &str) -> Result<Self, String> {
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .and_then(|listener| listener.local_addr())
            .map_err(|e| format!("finding a free port: {e}"))?
            .port();
        let dir = std::env::temp_dir().join(format!("ferrodis-gen-commands-{}-{port}", std::process::id()));
        fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        let log = fs::File::create(dir.join("redis.log")).map_err(|e| format!("creating the log: {e}"))?;
        let spawned = Command::new(program)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(e) => {
                let _ = fs::remove_dir_all(&dir);
                return Err(if e.kind() == io::ErrorKind::NotFound {
                    format!("{program} not found: install it with `apt-get install redis-server`")
                } else {
                    format!("starting {program}: {e}")
                });
            }
        };
        let mut server = Server { child, dir, port };
        server.wait_ready()?;
        Ok(server)
    }

    /// Polls the port until the server accepts a connection, for at most 10 seconds.
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default();
                return Err(format!("redis-server exited ({status}) before accepting connections:\n{log}"));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("redis-server did not accept connections on port {} in 10 s", self.port));
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// One connection, one request at a time.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    fn connect(port: u16) -> Result<Self, String> {
        let stream =
            TcpStream::connect((Ipv4Addr::LOCALHOST, port)).map_err(|e| format!("connecting: {e}"))?;
        stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
        Ok(Conn { stream, buf: Vec::new() })
    }

    /// Sends `args` and hands the decoded reply to `parse`; an error reply is an error.
    fn request<T>(
        &mut self,
        args: &[&str],
        parse: impl FnOnce(Frame<'_>) -> Result<T, String>,
    ) -> Result<T, String> {
        let args: Vec<Arg<'_>> = args.iter().map(|&a| Arg::from(a)).collect();
        let mut out = vec![0; command_len(args.as_slice())];
        encode_command(&mut out, &args).map_err(|e| format!("encoding {args:?}: {e}"))?;
        self.stream.write_all(&out).map_err(|e| format!("sending {args:?}: {e}"))?;
        self.buf.clear();
        let mut chunk = vec![0; 64 * 1024];
        loop {
            match decode(&self.buf).map_err(|e| format!("decoding the reply to {args:?}: {e}"))? {
                Decoded::Complete { frame, .. } if frame.is_error() => {
                    return Err(format!("{args:?} failed: {}", text(&frame).unwrap_or_default()));
                }
                Decoded::Complete { frame, .. } => return parse(frame),
                Decoded::Incomplete { .. } => {}
            }
            let n =
                self.stream.read(&mut chunk).map_err(|e| format!("reading the reply to {args:?}: {e}"))?;
            if n == 0 {
                return Err(format!("the server closed the connection while replying to {args:?}"));
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

/// One command as `COMMAND` describes it, names as the server spells them.
#[derive(Debug)]
struct Cmd {
    name: String,
    arity: i64,
    flags: Vec<String>,
    first_key: i64,
    last_key: i64,
    step: i64,
    acl_categories: Vec<String>,
    tips: Vec<String>,
    key_specs: Vec<Spec>,
    subcommands: Vec<Cmd>,
}

#[derive(Debug)]
struct Spec {
    flags: Vec<String>,
    begin_search: Begin,
    find_keys: Find,
}

#[derive(Debug)]
enum Begin {
    Index(i64),
    Keyword(String, i64),
    Unknown,
}

#[derive(Debug)]
enum Find {
    Range { last_key: i64, key_step: i64, limit: i64 },
    KeyNum { key_num_idx: i64, first_key: i64, key_step: i64 },
    Unknown,
}

/// `redis_version` from the `INFO server` text.
fn server_version(reply: Frame<'_>) -> Result<String, String> {
    let info = text(&reply)?;
    info.lines()
        .find_map(|line| line.strip_prefix("redis_version:"))
        .map(|v| v.trim().to_owned())
        .ok_or_else(|| "INFO server has no redis_version line".to_owned())
}

/// One element of the `COMMAND` reply: name, arity, flags, first key, last key, step,
/// ACL categories, tips, key specs, subcommands (Redis 7 adds the last four).
fn parse_command(frame: &Frame<'_>) -> Result<Cmd, String> {
    let fields = items(frame)?;
    let [name, arity, flags, first, last, step, acl, tips, specs, subs, ..] = fields.as_slice() else {
        return Err(format!(
            "a COMMAND entry with {} fields, not 10 (Redis 7 or later needed)",
            fields.len()
        ));
    };
    let name = text(name)?;
    let context = |e: String| format!("{name}: {e}");
    Ok(Cmd {
        arity: int(arity).map_err(context)?,
        flags: texts(flags).map_err(context)?,
        first_key: int(first).map_err(context)?,
        last_key: int(last).map_err(context)?,
        step: int(step).map_err(context)?,
        acl_categories: texts(acl).map_err(context)?,
        tips: texts(tips).map_err(context)?,
        key_specs: items(specs)?.iter().map(parse_spec).collect::<Result<_, _>>().map_err(context)?,
        subcommands: items(subs)?.iter().map(parse_command).collect::<Result<_, _>>()?,
        name,
    })
}

/// One key spec: a map (an array of pairs in RESP2) of `flags`, `begin_search`,
/// `find_keys` and an optional `notes`, which is documentation and left out.
fn parse_spec(frame: &Frame<'_>) -> Result<Spec, String> {
    let (mut flags, mut begin_search, mut find_keys) = (None, None, None);
    for (key, value) in fields(frame)? {
        match key.as_str() {
            "flags" => flags = Some(texts(&value)?),
            "begin_search" => begin_search = Some(parse_begin(&value)?),
            "find_keys" => find_keys = Some(parse_find(&value)?),
            "notes" => {}
            other => return Err(format!("unknown key spec field `{other}`")),
        }
    }
    Ok(Spec {
        flags: flags.ok_or("a key spec without flags")?,
        begin_search: begin_search.ok_or("a key spec without begin_search")?,
        find_keys: find_keys.ok_or("a key spec without find_keys")?,
    })
}

/// `type` and `spec` of a `begin_search` or `find_keys`, the spec's fields by name.
fn typed<'a>(frame: &Frame<'a>) -> Result<(String, Vec<(String, Frame<'a>)>), String> {
    let mut kind = None;
    let mut spec = Vec::new();
    for (key, value) in fields(frame)? {
        match key.as_str() {
            "type" => kind = Some(text(&value)?),
            "spec" => spec = fields(&value)?,
            other => return Err(format!("unknown key spec part `{other}`")),
        }
    }
    Ok((kind.ok_or("a key spec part without a type")?, spec))
}

/// The integer field `name` of a key spec part.
fn field(spec: &[(String, Frame<'_>)], name: &str) -> Result<i64, String> {
    let (_, value) = spec.iter().find(|(key, _)| key == name).ok_or(format!("no `{name}` in a key spec"))?;
    int(value)
}

fn parse_begin(frame: &Frame<'_>) -> Result<Begin, String> {
    let (kind, spec) = typed(frame)?;
    Ok(match kind.as_str() {
        "index" => Begin::Index(field(&spec, "index")?),
        "keyword" => {
            let (_, keyword) =
                spec.iter().find(|(key, _)| key == "keyword").ok_or("no `keyword` in a key spec")?;
            Begin::Keyword(text(keyword)?, field(&spec, "startfrom")?)
        }
        "unknown" => Begin::Unknown,
        other => return Err(format!("unknown begin_search type `{other}`: add it to BeginSearch")),
    })
}

fn parse_find(frame: &Frame<'_>) -> Result<Find, String> {
    let (kind, spec) = typed(frame)?;
    Ok(match kind.as_str() {
        "range" => Find::Range {
            last_key: field(&spec, "lastkey")?,
            key_step: field(&spec, "keystep")?,
            limit: field(&spec, "limit")?,
        },
        "keynum" => Find::KeyNum {
            key_num_idx: field(&spec, "keynumidx")?,
            first_key: field(&spec, "firstkey")?,
            key_step: field(&spec, "keystep")?,
        },
        "unknown" => Find::Unknown,
        other => return Err(format!("unknown find_keys type `{other}`: add it to FindKeys")),
    })
}

fn text(frame: &Frame<'_>) -> Result<String, String> {
    let bytes = match *frame {
        Frame::SimpleString(b) | Frame::BulkString(b) | Frame::SimpleError(b) | Frame::BulkError(b) => b,
        Frame::VerbatimString { text, .. } => text,
        ref other => return Err(format!("expected a string, got {other:?}")),
    };
    String::from_utf8(bytes.to_vec()).map_err(|_| format!("not UTF-8: {bytes:?}"))
}

fn int(frame: &Frame<'_>) -> Result<i64, String> {
    match *frame {
        Frame::Integer(n) => Ok(n),
        ref other => Err(format!("expected an integer, got {other:?}")),
    }
}

/// The elements of an array or set.
fn items<'a>(frame: &Frame<'a>) -> Result<Vec<Frame<'a>>, String> {
    match frame {
        Frame::Array(items) | Frame::Set(items) => Ok(items.iter().collect()),
        other => Err(format!("expected an array, got {other:?}")),
    }
}

fn texts(frame: &Frame<'_>) -> Result<Vec<String>, String> {
    items(frame)?.iter().map(text).collect()
}

/// The pairs of a map, or of an array of alternating names and values (RESP2's maps).
fn fields<'a>(frame: &Frame<'a>) -> Result<Vec<(String, Frame<'a>)>, String> {
    match frame {
        Frame::Map(items) | Frame::Array(items) if items.len() % 2 == 0 => {
            items.pairs().map(|(key, value)| Ok((text(&key)?, value))).collect()
        }
        other => Err(format!("expected a map, got {other:?}")),
    }
}

/// Sorts commands and subcommands by name and checks what the lookups rely on: unique
/// lower-case names, each subcommand named `container|sub`.
fn sorted(mut commands: Vec<Cmd>, container: Option<&str>) -> Result<Vec<Cmd>, String> {
    commands.sort_by(|a, b| a.name.cmp(&b.name));
    for pair in commands.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(format!("`{}` is listed twice", pair[0].name));
        }
    }
    for command in &mut commands {
        let name = command.name.as_str();
        let own = match container {
            Some(container) => name.strip_prefix(container).and_then(|rest| rest.strip_prefix('|')),
            None => Some(name),
        };
        if !own.is_some_and(|own| {
            !own.is_empty() && !own.contains('|') && !own.bytes().any(|b| b.is_ascii_uppercase())
        }) {
            return Err(match container {
                Some(container) => {
                    format!("subcommand `{name}` of `{container}` is not `{container}|<lower case>`")
                }
                None => format!("command name `{name}` is not lower case without `|`"),
            });
        }
        let subcommands = std::mem::take(&mut command.subcommands);
        command.subcommands = sorted(subcommands, Some(&command.name))?;
    }
    Ok(commands)
}

/// The Rust source of the table.
fn render(version: &str, commands: &[Cmd]) -> Result<String, String> {
    let mut out = String::new();
    let _ = write!(
        out,
        "//! GENERATED by `cargo xtask gen-commands` from redis-server {version}: do not edit.
//!
//! The server's `COMMAND` reply as a static table, sorted by name for binary search (see
//! `table.rs` for the types). `core/tests/command_table.rs` compares it with a running
//! server; `cargo xtask gen-commands --check` tells whether it is current.

use super::table::AclCategories as A;
use super::table::CommandFlags as F;
use super::table::KeySpecFlags as K;
use super::table::{{BeginSearch, CommandInfo, FindKeys, KeySpec}};

/// The version of the redis-server whose `COMMAND` reply [`COMMANDS`] is.
pub const SERVER_VERSION: &str = {version:?};

/// Every command of that server with its subcommands, sorted by name.
pub static COMMANDS: &[CommandInfo] = &[
"
    );
    for command in commands {
        render_command(&mut out, command)?;
    }
    out.push_str("];\n");
    Ok(out)
}

fn render_command(out: &mut String, c: &Cmd) -> Result<(), String> {
    let context = |e: String| format!("{}: {e}", c.name);
    let flags = idents(&c.flags, "F", "CommandFlags", |n| CommandFlags::from_name(n.as_bytes()).is_some())
        .map_err(context)?;
    let acl =
        c.acl_categories.iter().map(|a| a.strip_prefix('@').unwrap_or(a).to_owned()).collect::<Vec<_>>();
    let acl = idents(&acl, "A", "AclCategories", |n| AclCategories::from_name(n.as_bytes()).is_some())
        .map_err(context)?;
    let _ = write!(
        out,
        "CommandInfo {{ name: {:?}, arity: {}, flags: {flags}, first_key: {}, last_key: {}, step: {}, \
         acl_categories: {acl}, tips: &{:?}, key_specs: &[",
        c.name,
        small(c.arity).map_err(context)?,
        small(c.first_key).map_err(context)?,
        small(c.last_key).map_err(context)?,
        small(c.step).map_err(context)?,
        c.tips,
    );
    for spec in &c.key_specs {
        let flags =
            idents(&spec.flags, "K", "KeySpecFlags", |n| KeySpecFlags::from_name(n.as_bytes()).is_some())
                .map_err(context)?;
        let begin = match &spec.begin_search {
            Begin::Index(i) => format!("BeginSearch::Index({})", small(*i).map_err(context)?),
            Begin::Keyword(keyword, start) => format!(
                "BeginSearch::Keyword {{ keyword: {keyword:?}, start_from: {} }}",
                small(*start).map_err(context)?
            ),
            Begin::Unknown => "BeginSearch::Unknown".to_owned(),
        };
        let find = match spec.find_keys {
            Find::Range { last_key, key_step, limit } => format!(
                "FindKeys::Range {{ last_key: {}, key_step: {}, limit: {} }}",
                small(last_key).map_err(context)?,
                small(key_step).map_err(context)?,
                small(limit).map_err(context)?
            ),
            Find::KeyNum { key_num_idx, first_key, key_step } => format!(
                "FindKeys::KeyNum {{ key_num_idx: {}, first_key: {}, key_step: {} }}",
                small(key_num_idx).map_err(context)?,
                small(first_key).map_err(context)?,
                small(key_step).map_err(context)?
            ),
            Find::Unknown => "FindKeys::Unknown".to_owned(),
        };
        let _ = write!(out, "KeySpec {{ flags: {flags}, begin_search: {begin}, find_keys: {find} }},");
    }
    out.push_str("], subcommands: &[");
    for sub in &c.subcommands {
        render_command(out, sub)?;
    }
    out.push_str("] },\n");
    Ok(())
}

/// `Alias::of(&[Alias::NAME, ...])` for flags the core type knows (checked with `known`).
fn idents(names: &[String], alias: &str, ty: &str, known: impl Fn(&str) -> bool) -> Result<String, String> {
    let mut consts = Vec::new();
    for name in names {
        if !known(name) {
            return Err(format!(
                "the server reports `{name}`, which {ty} does not know: add it to core/src/cmd/table.rs"
            ));
        }
        // The constants are the server's names in upper case, but for this one.
        let ident = if name == "movablekeys" { "MOVABLE_KEYS".to_owned() } else { name.to_uppercase() };
        consts.push(format!("{alias}::{ident}"));
    }
    Ok(if consts.is_empty() {
        format!("{alias}::EMPTY")
    } else {
        format!("{alias}::of(&[{}])", consts.join(", "))
    })
}

/// A number that must fit the table's `i16` fields.
fn small(n: i64) -> Result<i16, String> {
    i16::try_from(n).map_err(|_| format!("{n} does not fit the table's i16 fields"))
}

/// Formats Rust source with rustfmt and the repository's `rustfmt.toml`.
fn rustfmt(source: &str) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--config-path"])
        .arg(root().join("rustfmt.toml"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting rustfmt (rustup component add rustfmt): {e}"))?;
    let mut stdin = child.stdin.take().ok_or("rustfmt has no stdin")?;
    let input = source.to_owned();
    let writer = thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().map_err(|e| format!("running rustfmt: {e}"))?;
    writer.join().map_err(|_| "feeding rustfmt panicked")?.map_err(|e| format!("feeding rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!("rustfmt failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    String::from_utf8(output.stdout).map_err(|_| "rustfmt wrote non-UTF-8".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `COMMAND INFO xread` from redis-server 7.0.15, as RESP2 sends it.
    const XREAD: &[u8] = b"*10\r\n$5\r\nxread\r\n:-4\r\n*3\r\n+readonly\r\n+blocking\r\n+movablekeys\r\n\
        :0\r\n:0\r\n:0\r\n*4\r\n+@read\r\n+@stream\r\n+@slow\r\n+@blocking\r\n*0\r\n*1\r\n*6\r\n\
        $5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n\
        $4\r\nspec\r\n*4\r\n$7\r\nkeyword\r\n$7\r\nSTREAMS\r\n$9\r\nstartfrom\r\n:1\r\n\
        $9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n\
        $7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:2\r\n*0\r\n";

    fn xread() -> Cmd {
        let Ok(Decoded::Complete { frame, consumed }) = decode(XREAD) else { panic!("a whole frame") };
        assert_eq!(consumed, XREAD.len());
        parse_command(&frame).unwrap()
    }

    #[test]
    fn parses_and_renders_an_entry() {
        let cmd = xread();
        assert_eq!(
            (cmd.name.as_str(), cmd.arity, cmd.flags.len(), cmd.acl_categories.len()),
            ("xread", -4, 3, 4)
        );
        let mut out = String::new();
        render_command(&mut out, &cmd).unwrap();
        assert!(out.contains("flags: F::of(&[F::READONLY, F::BLOCKING, F::MOVABLE_KEYS])"), "{out}");
        assert!(out.contains("BeginSearch::Keyword { keyword: \"STREAMS\", start_from: 1 }"), "{out}");
        assert!(out.contains("FindKeys::Range { last_key: -1, key_step: 1, limit: 2 }"), "{out}");
        assert!(out.contains("tips: &[]") && out.contains("subcommands: &[]"), "{out}");
    }

    #[test]
    fn refuses_what_the_core_types_do_not_know() {
        let mut cmd = xread();
        cmd.flags.push("teleports".to_owned());
        let err = render_command(&mut String::new(), &cmd).unwrap_err();
        assert!(err.contains("`teleports`") && err.contains("CommandFlags"), "{err}");
        let mut cmd = xread();
        cmd.arity = 40_000;
        assert!(render_command(&mut String::new(), &cmd).is_err());
    }

    #[test]
    fn sorts_and_checks_names() {
        let named = |name: &str, subs: Vec<Cmd>| Cmd { name: name.to_owned(), subcommands: subs, ..xread() };
        let sorted = sorted(
            vec![named("b", vec![]), named("a", vec![named("a|y", vec![]), named("a|x", vec![])])],
            None,
        )
        .unwrap();
        let names: Vec<&str> = sorted.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(sorted[0].subcommands[0].name, "a|x");
        assert!(super::sorted(vec![named("A", vec![])], None).is_err());
        assert!(super::sorted(vec![named("a", vec![]), named("a", vec![])], None).is_err());
        assert!(super::sorted(vec![named("a", vec![named("b|x", vec![])])], None).is_err());
    }
}
