//! A master with replicas, watched by sentinel processes (`redis-sentinel`, or
//! `valkey-server --sentinel`), all on loopback ports.

use std::fmt::Write as _;
use std::fs;
use std::io::{BufRead, BufReader, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::cli;
use crate::kind::ServerKind;
use crate::port::free_port;
use crate::process::Process;
use crate::server::{RedisServer, quote, quote_str};
use crate::wait::wait_until;

/// The name the sentinels monitor the master under.
pub const MASTER_NAME: &str = "mymaster";

/// How long replicas and sentinels may take to find each other, and a failover to finish.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// How many times a sentinel is started on a new port when another process took its port.
const START_ATTEMPTS: usize = 5;

/// A running master, its replicas, and the sentinels that watch it as [`MASTER_NAME`]:
/// by default 2 replicas and 3 sentinels with quorum 2, `down-after-milliseconds 1000` and
/// `failover-timeout 5000`.
///
/// Dropping the group kills every process. `master` and `replicas` are named after the roles
/// they started with; after a failover, ask the sentinels ([`SentinelGroup::master_addr`]).
///
/// ```no_run
/// let group = ferrodis_test_support::SentinelGroup::start();
/// assert_eq!(group.master_addr(), group.master().addr());
/// ```
#[derive(Debug)]
pub struct SentinelGroup {
    // Sentinels go first, so they do not fail the master over while the group is dropped.
    sentinels: Vec<Sentinel>,
    master: RedisServer,
    replicas: Vec<RedisServer>,
}

/// Options for a [`SentinelGroup`]; [`SentinelBuilder::start`] starts it.
#[derive(Clone, Debug)]
#[must_use = "a builder does nothing until `start` is called"]
pub struct SentinelBuilder {
    kind: Option<ServerKind>,
    replicas: usize,
    sentinels: usize,
    quorum: usize,
    down_after_ms: u64,
    failover_timeout_ms: u64,
    password: Option<String>,
    sentinel_password: Option<String>,
}

/// One running sentinel on 127.0.0.1, in its own temporary directory; killed on drop.
#[derive(Debug)]
pub struct Sentinel {
    // Dropped first: the process is killed before its directory is removed.
    process: Process,
    kind: ServerKind,
    port: u16,
    /// What it requires (`requirepass`), when [`SentinelBuilder::sentinel_password`] set it.
    password: Option<String>,
    dir: TempDir,
}

impl SentinelGroup {
    /// Starts a master, 2 replicas and 3 sentinels, and waits until the replicas are linked
    /// and every sentinel knows the master, both replicas and the other sentinels.
    ///
    /// # Panics
    ///
    /// When a binary is missing, a process does not start, or the group is not ready within
    /// 30 seconds.
    pub fn start() -> SentinelGroup {
        SentinelGroup::builder().start()
    }

    /// Options for other counts, timings or a password.
    pub fn builder() -> SentinelBuilder {
        SentinelBuilder {
            kind: None,
            replicas: 2,
            sentinels: 3,
            quorum: 2,
            down_after_ms: 1000,
            failover_timeout_ms: 5000,
            password: None,
            sentinel_password: None,
        }
    }

    /// The name the sentinels monitor the master under: [`MASTER_NAME`].
    pub fn master_name(&self) -> &'static str {
        MASTER_NAME
    }

    /// The server started as master.
    pub fn master(&self) -> &RedisServer {
        &self.master
    }

    /// The server started as master, to pause, kill or restart it.
    pub fn master_mut(&mut self) -> &mut RedisServer {
        &mut self.master
    }

    /// The servers started as replicas.
    pub fn replicas(&self) -> &[RedisServer] {
        &self.replicas
    }

    /// One server started as replica, to pause, kill or restart it.
    pub fn replica_mut(&mut self, index: usize) -> &mut RedisServer {
        &mut self.replicas[index]
    }

    /// The sentinels.
    pub fn sentinels(&self) -> &[Sentinel] {
        &self.sentinels
    }

    /// One sentinel, to pause, kill or restart it.
    pub fn sentinel_mut(&mut self, index: usize) -> &mut Sentinel {
        &mut self.sentinels[index]
    }

    /// Every sentinel's address.
    pub fn sentinel_addrs(&self) -> Vec<SocketAddr> {
        self.sentinels.iter().map(Sentinel::addr).collect()
    }

    /// The master's address according to the first sentinel that answers
    /// (`SENTINEL GET-MASTER-ADDR-BY-NAME`).
    ///
    /// # Panics
    ///
    /// When no sentinel answers with an address.
    pub fn master_addr(&self) -> SocketAddr {
        let mut failures = String::new();
        for sentinel in &self.sentinels {
            match sentinel.try_master_addr() {
                Ok(addr) => return addr,
                Err(failure) => failures.push_str(&failure),
            }
        }
        panic!("no sentinel knows the master:\n{failures}");
    }

    /// Waits until every running sentinel names a master other than `old` (after the old
    /// master was killed or paused, for example) and returns it.
    ///
    /// # Panics
    ///
    /// When that does not happen within 30 seconds.
    pub fn wait_for_new_master(&mut self, old: SocketAddr) -> SocketAddr {
        let running: Vec<usize> =
            (0..self.sentinels.len()).filter(|&i| self.sentinels[i].is_running()).collect();
        let mut new = None;
        wait_until(READY_TIMEOUT, &format!("the sentinels name a master other than {old}"), || {
            let addrs = running
                .iter()
                .map(|&i| self.sentinels[i].try_master_addr())
                .collect::<Result<Vec<_>, _>>()?;
            match addrs.split_first() {
                Some((&first, rest)) if first != old && rest.iter().all(|&addr| addr == first) => {
                    new = Some(first);
                    Ok(())
                }
                _ => Err(format!("they name {addrs:?}")),
            }
        });
        new.expect("set when the wait succeeded")
    }
}

impl SentinelBuilder {
    /// Start this kind of servers and sentinels instead of the one [`ServerKind::from_env`]
    /// names.
    pub fn server(mut self, kind: ServerKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// How many replicas the master gets.
    pub fn replicas(mut self, replicas: usize) -> Self {
        self.replicas = replicas;
        self
    }

    /// How many sentinels watch the master.
    pub fn sentinels(mut self, sentinels: usize) -> Self {
        self.sentinels = sentinels;
        self
    }

    /// How many sentinels must agree that the master is down.
    pub fn quorum(mut self, quorum: usize) -> Self {
        self.quorum = quorum;
        self
    }

    /// `sentinel down-after-milliseconds`: how long the master may not answer.
    pub fn down_after_ms(mut self, ms: u64) -> Self {
        self.down_after_ms = ms;
        self
    }

    /// `sentinel failover-timeout`.
    pub fn failover_timeout_ms(mut self, ms: u64) -> Self {
        self.failover_timeout_ms = ms;
        self
    }

    /// Require this password on the master and replicas (`requirepass`, `masterauth`); the
    /// sentinels are given it (`sentinel auth-pass`) but do not require one themselves.
    pub fn password(mut self, password: &str) -> Self {
        self.password = Some(password.to_owned());
        self
    }

    /// Require this password on the sentinels themselves (`requirepass` in their config), and
    /// have them give it to each other (`sentinel sentinel-pass`; without it they would give
    /// `requirepass`), as a deployment whose sentinels are not open to everyone does. Independent of [`password`](Self::password),
    /// the master's and replicas'. [`Sentinel::redis_cli`] and the group's own checks
    /// authenticate with it.
    pub fn sentinel_password(mut self, password: &str) -> Self {
        self.sentinel_password = Some(password.to_owned());
        self
    }

    /// Starts the master, the replicas and then the sentinels, and waits until they know
    /// each other (see [`SentinelGroup::start`]).
    ///
    /// # Panics
    ///
    /// When a binary is missing, a process does not start, or the group is not ready within
    /// 30 seconds.
    pub fn start(self) -> SentinelGroup {
        let kind = self.kind.unwrap_or_else(ServerKind::from_env);
        let mut data_node = RedisServer::builder().server(kind);
        if let Some(password) = &self.password {
            data_node = data_node.password(password).config("masterauth", &quote_str(password));
        }
        let master = data_node.clone().start();
        let replica = data_node.config("replicaof", &format!("127.0.0.1 {}", master.port()));
        let replicas: Vec<RedisServer> = (0..self.replicas).map(|_| replica.clone().start()).collect();
        wait_until(READY_TIMEOUT, "the master sees every replica online", || {
            let info = master.redis_cli(&["INFO", "replication"]);
            let online = info.lines().filter(|line| line.contains("state=online")).count();
            if online == self.replicas { Ok(()) } else { Err(info) }
        });

        let sentinels = (0..self.sentinels).map(|_| self.start_sentinel(kind, master.port())).collect();
        let group = SentinelGroup { sentinels, master, replicas };
        let others = (self.sentinels - 1).to_string();
        let replicas = self.replicas.to_string();
        for (index, sentinel) in group.sentinels.iter().enumerate() {
            wait_until(READY_TIMEOUT, &format!("sentinel {index} knows the whole group"), || {
                let reply = cli::try_run(sentinel.cli_command(), &["SENTINEL", "MASTER", MASTER_NAME])?;
                let fields: Vec<&str> = reply.lines().collect();
                let field =
                    |name: &str| fields.chunks(2).find(|pair| pair[0] == name).and_then(|pair| pair.get(1));
                let ready = field("flags") == Some(&"master")
                    && field("num-slaves") == Some(&replicas.as_str())
                    && field("num-other-sentinels") == Some(&others.as_str());
                if ready { Ok(()) } else { Err(reply) }
            });
        }
        group
    }

    fn start_sentinel(&self, kind: ServerKind, master_port: u16) -> Sentinel {
        let program = kind.sentinel();
        let dir = tempfile::Builder::new()
            .prefix("ferrodis-sentinel-")
            .tempdir()
            .unwrap_or_else(|err| panic!("cannot create a temp dir: {err}"));
        let mut attempt = 1;
        loop {
            let port = free_port();
            let config = dir.path().join("sentinel.conf");
            let text = self.sentinel_config(dir.path(), port, master_port);
            fs::write(&config, text).unwrap_or_else(|err| panic!("cannot write {}: {err}", config.display()));
            match Process::start(program.clone(), config, dir.path(), port) {
                Ok(process) => {
                    let password = self.sentinel_password.clone();
                    return Sentinel { process, kind, port, password, dir };
                }
                Err(failure) if failure.port_taken() && attempt < START_ATTEMPTS => attempt += 1,
                Err(failure) => failure.panic(&format!("{kind} sentinel")),
            }
        }
    }

    fn sentinel_config(&self, dir: &Path, port: u16, master_port: u16) -> String {
        let mut text = String::new();
        let mut line = |line: &str| {
            let _ = writeln!(text, "{line}");
        };
        line(&format!("port {port}"));
        line("bind 127.0.0.1 -::1");
        line("daemonize no");
        line(&format!("dir {}", quote(dir)));
        line(&format!("logfile {}", quote(&dir.join("redis.log"))));
        line(&format!("sentinel monitor {MASTER_NAME} 127.0.0.1 {master_port} {}", self.quorum));
        line(&format!("sentinel down-after-milliseconds {MASTER_NAME} {}", self.down_after_ms));
        line(&format!("sentinel failover-timeout {MASTER_NAME} {}", self.failover_timeout_ms));
        if let Some(password) = &self.password {
            line(&format!("sentinel auth-pass {MASTER_NAME} {}", quote_str(password)));
        }
        if let Some(password) = &self.sentinel_password {
            line(&format!("requirepass {}", quote_str(password)));
            line(&format!("sentinel sentinel-pass {}", quote_str(password)));
        }
        text
    }
}

impl Sentinel {
    /// Which server this sentinel is: `redis-sentinel` or `valkey-server --sentinel`.
    pub fn kind(&self) -> ServerKind {
        self.kind
    }

    /// The sentinel's port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:`[`port`](Self::port).
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port))
    }

    /// The sentinel's directory (its config, which it rewrites, and its log).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The process id of the running sentinel.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// The last lines of the sentinel's log file and of its stdout and stderr.
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// Runs `redis-cli` with `args` against the sentinel and returns its stdout, trimmed.
    ///
    /// # Panics
    ///
    /// When `redis-cli` fails, with its stderr.
    pub fn redis_cli(&self, args: &[&str]) -> String {
        cli::run(self.cli_command(), args)
    }

    /// A `redis-cli` command that reaches the sentinel, without the command's own arguments.
    /// It authenticates with the sentinel's password, when it has one.
    pub fn cli_command(&self) -> Command {
        let mut command = cli::command();
        command.args(["-h", "127.0.0.1", "-p"]).arg(self.port.to_string());
        if let Some(password) = &self.password {
            command.args(["--no-auth-warning", "--pass", password]);
        }
        command
    }

    /// The password the sentinel requires, when
    /// [`SentinelBuilder::sentinel_password`] set one.
    pub fn password(&self) -> Option<&str> {
        self.password.as_deref()
    }

    /// Subscribes to the sentinel's `+switch-master` channel and returns each announcement
    /// with the moment it was read: the payload as the sentinel sent it
    /// (`<service> <old host> <old port> <new host> <new port>`). The subscription is
    /// confirmed before this returns, so a failover started afterwards is heard.
    ///
    /// A thread of its own reads the subscription over a plain socket (not the client under
    /// test) and stamps each message as soon as it arrives; it ends when the sentinel's
    /// connection closes (the sentinel is killed, or the group dropped), or at the first
    /// announcement after the receiver was dropped.
    ///
    /// # Panics
    ///
    /// When the sentinel does not confirm the subscription within 5 seconds.
    pub fn switch_master_events(&self) -> Receiver<(Instant, String)> {
        let fail = |what: &str, err: &dyn std::fmt::Display| -> ! {
            panic!("subscribing to +switch-master on sentinel {}: {what}: {err}", self.addr())
        };
        let stream = TcpStream::connect(self.addr()).unwrap_or_else(|err| fail("connect", &err));
        let mut writer = stream.try_clone().unwrap_or_else(|err| fail("clone the socket", &err));
        let mut reader = BufReader::new(stream);
        let _ = reader.get_ref().set_read_timeout(Some(Duration::from_secs(5)));
        if let Some(password) = &self.password {
            let auth = resp_command(&["AUTH", password]);
            writer.write_all(&auth).unwrap_or_else(|err| fail("send AUTH", &err));
            let reply = read_resp(&mut reader).unwrap_or_else(|err| fail("read the AUTH reply", &err));
            assert_eq!(reply, ["OK"], "AUTH on sentinel {}", self.addr());
        }
        writer
            .write_all(&resp_command(&["SUBSCRIBE", "+switch-master"]))
            .unwrap_or_else(|err| fail("send SUBSCRIBE", &err));
        let confirmed = read_resp(&mut reader).unwrap_or_else(|err| fail("read the SUBSCRIBE reply", &err));
        assert_eq!(confirmed.first().map(String::as_str), Some("subscribe"), "{confirmed:?}");
        let _ = reader.get_ref().set_read_timeout(None);
        let (events, received) = mpsc::channel();
        thread::spawn(move || {
            while let Ok(message) = read_resp(&mut reader) {
                let at = Instant::now();
                if let [kind, _, payload] = &message[..]
                    && kind == "message"
                    && events.send((at, payload.clone())).is_err()
                {
                    return;
                }
            }
        });
        received
    }

    /// Whether the sentinel process has not exited.
    pub fn is_running(&mut self) -> bool {
        self.process.is_running()
    }

    /// Freezes the sentinel with `SIGSTOP`; [`Sentinel::resume`] undoes it.
    pub fn pause(&self) {
        self.process.signal("STOP");
    }

    /// Lets a sentinel frozen by [`Sentinel::pause`] run again (`SIGCONT`).
    pub fn resume(&self) {
        self.process.signal("CONT");
    }

    /// Kills the sentinel (`SIGKILL`), keeping its port and directory for
    /// [`Sentinel::restart`].
    pub fn kill(&mut self) {
        self.process.kill();
    }

    /// Stops the sentinel (`SIGTERM`) unless it already exited, and starts it again with the
    /// config it last saved (so it remembers the group), on the same port.
    ///
    /// # Panics
    ///
    /// When it does not come back within 10 seconds.
    pub fn restart(&mut self) {
        self.process.terminate();
        if let Err(failure) = self.process.respawn() {
            failure.panic(&format!("restarted {} sentinel", self.kind));
        }
    }

    fn try_master_addr(&self) -> Result<SocketAddr, String> {
        let reply = cli::try_run(self.cli_command(), &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME])?;
        let mut lines = reply.lines();
        let (Some(host), Some(port)) = (lines.next(), lines.next()) else {
            return Err(format!("sentinel {} has no master address: {reply:?}", self.addr()));
        };
        format!("{host}:{port}").parse().map_err(|err| format!("sentinel {}: {reply:?}: {err}", self.addr()))
    }
}

/// `args` as a RESP command.
fn resp_command(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n{arg}\r\n", arg.len()).as_bytes());
    }
    out
}

/// One reply of a subscription or a simple command, flattened to its strings: an array of
/// bulk strings and integers (a pub/sub message) or one simple string (`+OK`). Anything
/// else (an error reply) is an error.
fn read_resp(reader: &mut impl BufRead) -> std::io::Result<Vec<String>> {
    let invalid = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    let head = read_line(reader)?;
    let count = match head.split_at_checked(1) {
        Some(("+", text)) => return Ok(vec![text.to_owned()]),
        Some(("*", count)) => count.parse::<usize>().map_err(|_| invalid(head.clone()))?,
        _ => return Err(invalid(head)),
    };
    let mut items = Vec::new();
    for _ in 0..count {
        let item = read_line(reader)?;
        match item.split_at_checked(1) {
            Some((":", n)) => items.push(n.to_owned()),
            Some(("$", len)) => {
                let len: usize = len.parse().map_err(|_| invalid(item.clone()))?;
                let mut data = vec![0; len + 2];
                reader.read_exact(&mut data)?;
                data.truncate(len);
                items.push(String::from_utf8_lossy(&data).into_owned());
            }
            _ => return Err(invalid(item)),
        }
    }
    Ok(items)
}

/// One line of a reply, without its CRLF; the end of the stream is an error.
fn read_line(reader: &mut impl BufRead) -> std::io::Result<String> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
