//! The sentinel part of the TAP test: a master, one replica and two sentinels on the Linux
//! side of the namespace, and `ferrodis_embassy::sentinel` on the embassy-net stack finding
//! the master through the sentinels, then following a failover (`SENTINEL FAILOVER`) by its
//! `+switch-master` event. The group is made over loopback, so the sentinels report
//! 127.0.0.1; the embassy stack reaches every process at 192.168.69.1, so the client
//! rewrites the addresses the sentinels report (`AddressRemap`), as firmware behind NAT
//! would.
//!
//! The test support's `SentinelGroup` binds loopback only (its sentinel config is fixed),
//! so the group is started here: the data nodes through `RedisServer::builder` with the
//! TAP address bound, the sentinels as `redis-sentinel` processes with a config of their
//! own.

use std::fs;
use std::net::{Ipv4Addr, SocketAddrV4, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration as StdDuration, Instant as StdInstant};

use embassy_net::{IpEndpoint, Ipv4Address, Stack};
use embassy_time::{Duration, Instant};
use ferrodis_core::ErrorKind;
use ferrodis_core::cluster::AddressRemap;
use ferrodis_core::conn::{Handshake, Protocol};
use ferrodis_core::reply::ServerRole;
use ferrodis_core::resp::{Arg, Frame};
use ferrodis_core::sentinel::Verdict;
use ferrodis_embassy::sentinel::{Sentinel, SentinelErrorKind, open_master};
use ferrodis_embassy::{Config, Connection, NetError, Remote, Subscriptions, Transport, connect};
use ferrodis_test_support::{RedisServer, ServerKind, free_port};

use crate::{REDIS_IP, require};

/// The service the sentinels watch.
const SERVICE: &str = "tap-master";
/// Where the embassy stack reaches every process of the group.
const TAP_HOST: &str = "192.168.69.1";
/// How long the group may take to be ready (replica linked, sentinels know each other).
const READY: StdDuration = StdDuration::from_secs(30);

static GROUP: Mutex<Option<Group>> = Mutex::new(None);

/// The master, its replica and the sentinels; every process is killed on drop.
struct Group {
    // Sentinels first, so they do not fail the master over while the group is dropped.
    sentinels: Vec<SentinelProcess>,
    master: RedisServer,
    replica: RedisServer,
}

/// One `redis-sentinel` on 127.0.0.1 and the TAP address.
struct SentinelProcess {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for SentinelProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Starts the master and its replica (listening on loopback and the TAP address, protected
/// mode off as there is no password), then two sentinels watching the master with a
/// 1 s down-after and a 5 s failover timeout, and waits until the group is whole.
pub(crate) fn start() {
    assert_eq!(TAP_HOST.parse::<Ipv4Addr>().unwrap(), Ipv4Addr::from(REDIS_IP));
    let started = StdInstant::now();
    let node = RedisServer::builder()
        .server(ServerKind::Redis)
        .config("bind", &format!("127.0.0.1 {TAP_HOST}"))
        .config("protected-mode", "no");
    let master = node.clone().start();
    let replica = node.config("replicaof", &format!("127.0.0.1 {}", master.port())).start();
    wait_until("the replica is linked", || {
        let info = master.redis_cli(&["INFO", "replication"]);
        info.contains("state=online").then_some(()).ok_or(info)
    });
    let sentinels: Vec<SentinelProcess> = (0..2).map(|i| start_sentinel(i, master.port())).collect();
    for sentinel in &sentinels {
        wait_until(&format!("sentinel {} knows the group", sentinel.port), || {
            let state = sentinel_cli(sentinel.port, &["SENTINEL", "MASTER", SERVICE]);
            let replicas = sentinel_cli(sentinel.port, &["SENTINEL", "REPLICAS", SERVICE]);
            let field = |reply: &str, name: &str| {
                let lines: Vec<&str> = reply.lines().collect();
                lines
                    .chunks(2)
                    .find(|pair| pair[0] == name)
                    .and_then(|pair| pair.get(1).map(|v| v.to_string()))
            };
            let ready = field(&state, "flags").as_deref() == Some("master")
                && field(&state, "num-other-sentinels").as_deref() == Some("1")
                && field(&replicas, "flags").as_deref() == Some("slave");
            ready.then_some(()).ok_or(format!("{state}\n{replicas}"))
        });
    }
    println!("sentinel group ready in {} ms", started.elapsed().as_millis());
    *GROUP.lock().unwrap() = Some(Group { sentinels, master, replica });
}

/// Stops every process of the group.
pub(crate) fn stop() {
    GROUP.lock().unwrap().take();
}

fn start_sentinel(index: usize, master_port: u16) -> SentinelProcess {
    let dir = std::env::temp_dir().join(format!("ferrodis-tap-sentinel-{}-{index}", std::process::id()));
    fs::create_dir_all(&dir).expect("sentinel dir");
    let port = free_port();
    let config = dir.join("sentinel.conf");
    let text = [
        format!("port {port}"),
        format!("bind 127.0.0.1 {TAP_HOST}"),
        "protected-mode no".to_owned(),
        "daemonize no".to_owned(),
        format!("dir {}", dir.display()),
        format!("logfile {}", dir.join("sentinel.log").display()),
        format!("sentinel monitor {SERVICE} 127.0.0.1 {master_port} 1"),
        format!("sentinel down-after-milliseconds {SERVICE} 1000"),
        format!("sentinel failover-timeout {SERVICE} 5000"),
    ]
    .join("\n");
    fs::write(&config, text).expect("sentinel config");
    let child = Command::new(require("redis-sentinel", "redis-sentinel"))
        .arg(&config)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start redis-sentinel");
    let sentinel = SentinelProcess { child, port, dir };
    let address = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
    wait_until(&format!("sentinel {port} listens"), || {
        TcpStream::connect_timeout(&address.into(), StdDuration::from_millis(200))
            .map(drop)
            .map_err(|e| format!("{e}; see {}", sentinel.dir.display()))
    });
    sentinel
}

/// `redis-cli` against the sentinel on `port`: its output, or its error.
fn sentinel_cli(port: u16, args: &[&str]) -> String {
    let out = Command::new(require("redis-cli", "redis-tools"))
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .output()
        .expect("cannot run redis-cli");
    String::from_utf8_lossy(if out.status.success() { &out.stdout } else { &out.stderr }).trim().to_owned()
}

/// Polls `check` until it passes, for at most [`READY`].
fn wait_until(what: &str, mut check: impl FnMut() -> Result<(), String>) {
    let deadline = StdInstant::now() + READY;
    loop {
        match check() {
            Ok(()) => return,
            Err(last) if StdInstant::now() > deadline => {
                panic!("{what}: not within {READY:?}; last:\n{last}")
            }
            Err(_) => thread::sleep(StdDuration::from_millis(50)),
        }
    }
}

/// Runs `f` on the group.
fn with_group<T>(f: impl FnOnce(&Group) -> T) -> T {
    f(GROUP.lock().unwrap().as_ref().expect("the sentinel group is running"))
}

/// The address remap: what the sentinels report on loopback is reached over the TAP link.
#[derive(Debug, Clone, Copy)]
struct LoopbackOverTap;

impl<'r> AddressRemap<'r> for LoopbackOverTap {
    fn remap(&self, host: &str, port: u16) -> (Option<&'r str>, u16) {
        let tap = host == Ipv4Addr::LOCALHOST.to_string();
        (tap.then_some(TAP_HOST), port)
    }
}

type Conn = Connection<'static, &'static mut [u8]>;

/// A connection with leaked buffers (4 KiB socket rx/tx, 2 KiB read and write), short
/// timeouts, speaking `protocol`; its remote is set by whoever opens it.
fn connection(stack: Stack<'static>, protocol: Protocol) -> Conn {
    let leak = |n: usize| -> &'static mut [u8] { Box::leak(vec![0u8; n].into_boxed_slice()) };
    let config = Config {
        handshake: Handshake { protocol, client_name: Some("ferrodis-tap-sentinel"), ..Handshake::DEFAULT },
        subscriptions: Subscriptions::NONE,
        connect_timeout: Duration::from_secs(2),
        request_timeout: Some(Duration::from_millis(800)),
        keep_alive: Some(Duration::from_secs(10)),
    };
    let unset = Remote::host("unset.invalid", 0);
    Connection::new(Transport::new(stack, leak(4096), leak(4096), unset, config), leak(2048), leak(2048))
}

/// The TAP address with `port`.
fn over_tap(port: u16) -> IpEndpoint {
    IpEndpoint::new(Ipv4Address::from(REDIS_IP).into(), port)
}

/// A string-like reply as text.
fn text(frame: &Frame<'_>) -> String {
    match *frame {
        Frame::BulkString(t) | Frame::SimpleString(t) => String::from_utf8_lossy(t).into_owned(),
        ref other => format!("{other:?}"),
    }
}

async fn command(conn: &mut Conn, args: &[&str]) -> String {
    let args: Vec<Arg<'_>> = args.iter().map(|a| Arg::from(*a)).collect();
    let reply = conn.request(&args).await.unwrap_or_else(|e| panic!("{args:?}: {e}"));
    text(&reply)
}

/// The master through the sentinels (the first listed cannot be reached and is passed
/// over), SET and GET on it; the replica refused as a master by its ROLE; then
/// `SENTINEL FAILOVER`, the `+switch-master` heard on the watcher, and the master's
/// connection opened again to the new master (remapped), which says it is one, holds the
/// data and takes writes.
pub(crate) async fn run(stack: Stack<'static>) {
    let started = Instant::now();
    let (master_port, replica_port, sentinel_ports) = with_group(|g| {
        (g.master.port(), g.replica.port(), g.sentinels.iter().map(|s| s.port).collect::<Vec<_>>())
    });
    // Port 1 on the TAP address: refused at once.
    let sentinels: &'static [(&'static str, u16)] = Box::leak(
        vec![(TAP_HOST, 1), (TAP_HOST, sentinel_ports[0]), (TAP_HOST, sentinel_ports[1])].into_boxed_slice(),
    );
    let mut sentinel =
        Sentinel::<_, _, 3, _>::new(connection(stack, Protocol::Resp3), sentinels, 1, LoopbackOverTap);

    let mut master = connection(stack, Protocol::Resp3);
    let found = sentinel.connect_master(SERVICE, &mut master).await.expect("the master through a sentinel");
    assert_eq!(found, over_tap(master_port), "the reported 127.0.0.1 is remapped");
    let verdicts: Vec<(usize, Verdict)> = sentinel.verdicts().collect();
    assert_eq!(verdicts, [(0, Verdict::NoAnswer), (1, Verdict::Accepted), (2, Verdict::NotAsked)]);
    assert_eq!(sentinel.order().iter().collect::<Vec<_>>(), [1, 0, 2], "the one that answered goes first");
    assert_eq!(command(&mut master, &["SET", "sentinel:greeting", "before the failover"]).await, "OK");
    assert_eq!(command(&mut master, &["GET", "sentinel:greeting"]).await, "before the failover");

    let mut probe = connection(stack, Protocol::Resp2);
    let e = open_master(&mut probe, over_tap(replica_port)).await.expect_err("a replica is no master");
    assert_eq!(e.kind(), &SentinelErrorKind::WrongRole { found: Some(ServerRole::Replica) });
    println!("  discovered {found} and checked it in {} ms", started.elapsed().as_millis());

    // RESP2: the watcher is in subscribed mode.
    let mut watcher = connection(stack, Protocol::Resp2);
    assert_eq!(sentinel.watch_switches(&mut watcher).await.expect("subscribed on a sentinel"), 1);
    let mut admin = connection(stack, Protocol::Resp2);
    admin.get_mut().set_remote(Remote::Ip(over_tap(sentinel_ports[1])));
    connect(&mut admin).await.expect("a sentinel");
    let failover = Instant::now();
    assert_eq!(command(&mut admin, &["SENTINEL", "FAILOVER", SERVICE]).await, "OK");
    let (new_master, timeouts) = next_switch(&sentinel, &mut watcher).await;
    let switched_after = failover.elapsed();
    assert_eq!(new_master, over_tap(replica_port), "the replica was promoted, its address remapped");

    open_master(&mut master, new_master).await.expect("the new master says it is one");
    let role = master.request(&[Arg::from("ROLE")]).await.expect("ROLE");
    assert_eq!(ServerRole::of(&role), Some(ServerRole::Primary));
    assert_eq!(command(&mut master, &["GET", "sentinel:greeting"]).await, "before the failover");
    assert_eq!(command(&mut master, &["SET", "sentinel:after", "written after"]).await, "OK");
    assert_eq!(command(&mut master, &["GET", "sentinel:after"]).await, "written after");
    let remote = master.get_ref().socket().remote_endpoint().expect("connected");
    assert_eq!(remote, over_tap(replica_port));
    // Seen from the servers: the write went to the promoted replica, which is a master now.
    let (role, after) =
        with_group(|g| (g.replica.redis_cli(&["ROLE"]), g.replica.redis_cli(&["GET", "sentinel:after"])));
    assert!(role.starts_with("master"), "{role}");
    assert_eq!(after, "written after");
    println!(
        "  +switch-master {} ms after SENTINEL FAILOVER ({timeouts} read timeouts while waiting); step {} ms",
        switched_after.as_millis(),
        started.elapsed().as_millis()
    );
}

/// The next switch on `watcher`, with how many of its reads timed out (each leaves it
/// usable) before the event came.
async fn next_switch(
    sentinel: &Sentinel<'static, &'static mut [u8], &'static mut [u8], 3, LoopbackOverTap>,
    watcher: &mut Conn,
) -> (IpEndpoint, u32) {
    let mut timeouts = 0;
    loop {
        match sentinel.next_switch(watcher, SERVICE).await {
            Ok(endpoint) => return (endpoint, timeouts),
            Err(e) if e.kind() == &SentinelErrorKind::Connection(ErrorKind::Io(NetError::TimedOut)) => {
                assert!(!watcher.is_broken(), "a read timeout leaves the watcher usable");
                timeouts += 1;
            }
            Err(e) => panic!("waiting for +switch-master: {e}"),
        }
    }
}
