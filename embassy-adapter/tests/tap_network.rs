//! ferrodis-embassy on a real network stack: an embassy executor (`platform-std`) runs
//! embassy-net on a Linux TAP device, and the client talks real TCP to a real
//! redis-server, with DNS through the embassy-net stack.
//!
//! Everything happens in a network namespace that the test makes and deletes, so no packet
//! ever leaves it: the test re-runs itself inside the namespace (`ip netns exec`), where it
//! makes `tap0` with 192.168.69.1/24 (the Linux side, where redis-server listens with a
//! password and a tiny DNS responder answers), and the embassy stack takes 192.168.69.2.
//!
//! Then the same stack drives a Redis Cluster of 3 primaries through a slot migration
//! (`tap_cluster`), and finds a master through its sentinels and follows it through a
//! failover (`tap_sentinel`).
//!
//! It needs root, `ip` (iproute2), `redis-server`, `redis-sentinel`, `redis-cli` and
//! `/dev/net/tun`; without one it fails and says how to get it.

use std::cell::RefCell;
use std::net::{Ipv4Addr, SocketAddrV4, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration as StdDuration, Instant as StdInstant};
use std::{env, fs, thread};

use embassy_executor::Executor;
use embassy_net::{Ipv4Address, Ipv4Cidr, Runner, Stack, StackResources, StaticConfigV4};
use embassy_net_tuntap::TunTapDevice;
use embassy_time::{Duration, Instant, with_timeout};
use ferrodis_core::conn::{Credentials, Handshake, Protocol, Received};
use ferrodis_core::resp::{Arg, Frame};
use ferrodis_core::{ErrorKind, ServerErrorKind};
mod tap_cluster;
mod tap_sentinel;

use ferrodis_embassy::{
    Backoff, Config, Connection, NetError, Remote, Subscriptions, Transport, connect, reconnect,
};

/// Set in the environment of the run inside the namespace.
const INNER: &str = "FERRODIS_TAP_INNER";
const TEST_NAME: &str = "embassy_net_over_tap_talks_to_redis";
/// The whole inner run, from namespace setup to the last check.
const INNER_DEADLINE: StdDuration = StdDuration::from_secs(180);

const TAP: &str = "tap0";
const REDIS_IP: [u8; 4] = [192, 168, 69, 1];
const STACK_IP: [u8; 4] = [192, 168, 69, 2];
const REDIS_PORT: u16 = 6379;
const PASSWORD: &str = "tap-test-secret";
/// Resolved by the DNS responder inside the namespace to `REDIS_IP`.
const REDIS_HOST: &str = "redis.ferrodis.test";
const CLIENT_NAME: &str = "ferrodis-tap";
const DB: u32 = 3;

#[test]
fn embassy_net_over_tap_talks_to_redis() {
    if env::var_os(INNER).is_some() {
        inner::run();
    } else {
        outer::run();
    }
}

/// The run outside: prerequisites, the namespace, and the inner run inside it.
mod outer {
    use super::*;

    pub(super) fn run() {
        check_prerequisites();
        let namespace = Namespace::create();
        let exe = env::current_exe().expect("the test binary's path");
        let child = Command::new("ip")
            .args(["netns", "exec", &namespace.name])
            .arg(exe)
            .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
            .env(INNER, "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot run `ip netns exec`");
        let pid = child.id();
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let _ = done_tx.send(child.wait_with_output());
        });
        let output = match done_rx.recv_timeout(INNER_DEADLINE) {
            Ok(output) => output.expect("cannot wait for the inner run"),
            Err(_) => {
                let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
                panic!("the run inside the namespace took longer than {INNER_DEADLINE:?}");
            }
        };
        // Indented, so that the inner harness's own summary lines are not taken for ours.
        let indent = |bytes: &[u8]| {
            String::from_utf8_lossy(bytes).lines().map(|l| format!("  | {l}\n")).collect::<String>()
        };
        let log = format!(
            "--- inner stdout ---\n{}--- inner stderr ---\n{}",
            indent(&output.stdout),
            indent(&output.stderr)
        );
        // Shown by the harness only when this test fails.
        println!("{log}");
        assert!(output.status.success(), "the run inside namespace {} failed:\n{log}", namespace.name);
    }

    /// Fails (never skips) with what is missing and how to get it.
    fn check_prerequisites() {
        let uid = fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("Uid:")).map(str::to_owned))
            .and_then(|l| l.split_whitespace().nth(2).map(str::to_owned));
        assert_eq!(
            uid.as_deref(),
            Some("0"),
            "this test needs root (network namespaces, TAP devices): run it as root, as `cargo xtask test` does in CI"
        );
        require("ip", "iproute2");
        require("redis-server", "redis-server");
        require("redis-sentinel", "redis-sentinel");
        require("redis-cli", "redis-tools");
        assert!(
            Path::new("/dev/net/tun").exists(),
            "/dev/net/tun is missing: load the tun module (`modprobe tun`) or give the container the device"
        );
    }

    /// A network namespace, deleted on drop (with every process still inside it).
    struct Namespace {
        name: String,
    }

    impl Namespace {
        fn create() -> Self {
            let name = format!("ferrodis-tap-{}", std::process::id());
            run_ok("ip", &["netns", "add", &name]);
            Namespace { name }
        }
    }

    impl Drop for Namespace {
        fn drop(&mut self) {
            if let Ok(out) = Command::new("ip").args(["netns", "pids", &self.name]).output() {
                for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                    let _ = Command::new("kill").args(["-KILL", pid]).status();
                }
            }
            let _ = Command::new("ip").args(["netns", "del", &self.name]).status();
        }
    }
}

/// Runs `program args`, panicking when it fails.
fn run_ok(program: &str, args: &[&str]) {
    let status =
        Command::new(program).args(args).status().unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    assert!(status.success(), "`{program} {}` failed: {status}", args.join(" "));
}

/// The full path of `name` on `PATH`, or a failure that names the package to install.
fn require(name: &str, package: &str) -> PathBuf {
    env::var_os("PATH")
        .and_then(|path| env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file()))
        .unwrap_or_else(|| panic!("{name} not found on PATH: install it with `apt-get install -y {package}`"))
}

/// The redis-server inside the namespace: started, stopped, restarted from the scenario.
mod server {
    use super::*;

    static SERVER: Mutex<Option<Server>> = Mutex::new(None);

    struct Server {
        child: Child,
        dir: PathBuf,
    }

    /// Starts redis-server on `REDIS_IP:REDIS_PORT` with a password, and waits until it
    /// accepts connections.
    pub(super) fn start(dir: &Path) {
        let binary = require("redis-server", "redis-server");
        let ip = Ipv4Addr::from(REDIS_IP);
        let log = fs::File::create(dir.join("redis.out")).expect("redis log file");
        let child = Command::new(binary)
            .args(["--bind", &ip.to_string(), "--port", &REDIS_PORT.to_string()])
            .args(["--requirepass", PASSWORD, "--save", "", "--appendonly", "no"])
            .args(["--daemonize", "no", "--loglevel", "warning"])
            .arg("--dir")
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("redis log file"))
            .stderr(log)
            .spawn()
            .expect("cannot start redis-server");
        let deadline = StdInstant::now() + StdDuration::from_secs(10);
        let address = SocketAddrV4::new(ip, REDIS_PORT);
        while TcpStream::connect_timeout(&address.into(), StdDuration::from_millis(200)).is_err() {
            assert!(StdInstant::now() < deadline, "redis-server did not start: see {}", dir.display());
            thread::sleep(StdDuration::from_millis(20));
        }
        *SERVER.lock().unwrap() = Some(Server { child, dir: dir.to_owned() });
    }

    /// Sends `signal` (`STOP`, `CONT`) to the server.
    pub(super) fn signal(signal: &str) {
        let guard = SERVER.lock().unwrap();
        let server = guard.as_ref().expect("redis-server is running");
        run_ok("kill", &[&format!("-{signal}"), &server.child.id().to_string()]);
    }

    /// Kills the server and waits for it to exit.
    pub(super) fn kill() {
        if let Some(mut server) = SERVER.lock().unwrap().take() {
            let _ = server.child.kill();
            let _ = server.child.wait();
        }
    }

    /// Kills the server, and starts it again after `delay` on another thread.
    pub(super) fn restart_after(delay: StdDuration) {
        let dir = SERVER.lock().unwrap().as_ref().expect("redis-server is running").dir.clone();
        kill();
        thread::spawn(move || {
            thread::sleep(delay);
            start(&dir);
        });
    }

    /// Kills the server when dropped: on the way out, panics included.
    pub(super) struct KillOnDrop;

    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            kill();
        }
    }
}

/// A DNS responder on `REDIS_IP:53` that answers `A` queries for `REDIS_HOST` with
/// `REDIS_IP` and every other name with NXDOMAIN: enough for embassy-net's resolver.
mod dns {
    use super::*;

    pub(super) fn spawn(stop: &'static AtomicBool) {
        let socket = UdpSocket::bind((Ipv4Addr::from(REDIS_IP), 53)).expect("cannot bind the DNS responder");
        socket.set_read_timeout(Some(StdDuration::from_millis(100))).unwrap();
        thread::spawn(move || {
            let mut buf = [0u8; 512];
            while !stop.load(Ordering::Relaxed) {
                let Ok((n, peer)) = socket.recv_from(&mut buf) else { continue };
                if let Some(reply) = answer(&buf[..n]) {
                    let _ = socket.send_to(&reply, peer);
                }
            }
        });
    }

    /// The reply to one query, or `None` for what is not a one-question query.
    fn answer(query: &[u8]) -> Option<Vec<u8>> {
        if query.len() < 12 || query[4..6] != [0, 1] {
            return None;
        }
        // The question: labels up to the root, then type and class.
        let mut at = 12;
        let mut labels = Vec::new();
        loop {
            let len = usize::from(*query.get(at)?);
            at += 1;
            if len == 0 {
                break;
            }
            labels.push(String::from_utf8_lossy(query.get(at..at + len)?).to_ascii_lowercase());
            at += len;
        }
        let question = query.get(12..at + 4)?;
        let qtype = query.get(at..at + 2)?;
        let found = labels.join(".") == REDIS_HOST && qtype == [0, 1];
        let mut reply = Vec::new();
        reply.extend_from_slice(&query[..2]); // id
        reply.extend_from_slice(if found { &[0x81, 0x80] } else { &[0x81, 0x83] }); // flags, rcode
        reply.extend_from_slice(&[0, 1, 0, u8::from(found), 0, 0, 0, 0]); // counts
        reply.extend_from_slice(question);
        if found {
            // The name (a pointer to the question's), A, IN, TTL 60, 4 bytes of address.
            reply.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
            reply.extend_from_slice(&REDIS_IP);
        }
        Some(reply)
    }
}

/// The run inside the namespace: the TAP device, the servers, then the executor.
mod inner {
    use super::*;

    static DONE: AtomicBool = AtomicBool::new(false);
    static DNS_STOP: AtomicBool = AtomicBool::new(false);

    pub(super) fn run() {
        run_ok("ip", &["link", "set", "lo", "up"]);
        run_ok("ip", &["tuntap", "add", "dev", TAP, "mode", "tap"]);
        let cidr = format!("{}/24", Ipv4Addr::from(REDIS_IP));
        run_ok("ip", &["addr", "add", &cidr, "dev", TAP]);
        run_ok("ip", &["link", "set", TAP, "up"]);

        let dir = env::temp_dir().join(format!("ferrodis-tap-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("temp dir");
        let _kill_server = server::KillOnDrop;
        server::start(&dir);
        tap_cluster::start();
        tap_sentinel::start();
        dns::spawn(&DNS_STOP);

        let device = TunTapDevice::new(TAP).expect("cannot open the TAP device");
        let mut static_config = StaticConfigV4 {
            address: Ipv4Cidr::new(Ipv4Address::from(STACK_IP), 24),
            gateway: None,
            dns_servers: Default::default(),
        };
        static_config.dns_servers.push(Ipv4Address::from(REDIS_IP)).unwrap();
        let resources = Box::leak(Box::new(StackResources::<8>::new()));
        let (stack, runner) =
            embassy_net::new(device, embassy_net::Config::ipv4_static(static_config), resources, 0x5eed);

        let executor = Box::leak(Box::new(Executor::new()));
        executor.run_until(
            |spawner| {
                spawner.spawn(net_task(runner).unwrap());
                spawner.spawn(scenario_task(stack).unwrap());
            },
            || DONE.load(Ordering::Acquire),
        );
        DNS_STOP.store(true, Ordering::Relaxed);
        tap_cluster::stop();
        tap_sentinel::stop();
        let _ = fs::remove_dir_all(&dir);
    }

    #[embassy_executor::task]
    async fn net_task(mut runner: Runner<'static, TunTapDevice>) -> ! {
        runner.run().await
    }

    #[embassy_executor::task]
    async fn scenario_task(stack: Stack<'static>) {
        stack.wait_config_up().await;
        scenario::run(stack).await;
        DONE.store(true, Ordering::Release);
    }
}

/// What the client does over the link, step by step.
mod scenario {
    use super::*;

    /// The longest one step may take.
    const STEP: Duration = Duration::from_secs(30);
    const REQUEST_TIMEOUT: Duration = Duration::from_millis(800);

    /// Leaked buffers for one connection: socket rx/tx (4 KiB each) and the client's read
    /// and write buffers (2 KiB each).
    struct Buffers {
        socket_rx: &'static mut [u8],
        socket_tx: &'static mut [u8],
        read: &'static mut [u8],
        write: &'static mut [u8],
    }

    fn buffers() -> Buffers {
        let leak = |n: usize| -> &'static mut [u8] { Box::leak(vec![0u8; n].into_boxed_slice()) };
        Buffers { socket_rx: leak(4096), socket_tx: leak(4096), read: leak(2048), write: leak(2048) }
    }

    fn config(
        protocol: Protocol,
        password: &'static str,
        subscriptions: Subscriptions<'static>,
    ) -> Config<'static> {
        Config {
            handshake: Handshake {
                protocol,
                credentials: Some(Credentials { username: None, password: password.as_bytes() }),
                client_name: Some(CLIENT_NAME),
                db: DB,
                ..Handshake::DEFAULT
            },
            subscriptions,
            connect_timeout: Duration::from_secs(2),
            request_timeout: Some(REQUEST_TIMEOUT),
            keep_alive: Some(Duration::from_secs(10)),
        }
    }

    type Conn = Connection<'static, &'static mut [u8]>;

    fn connection(stack: Stack<'static>, remote: Remote<'static>, config: Config<'static>) -> Conn {
        let b = buffers();
        Connection::new(Transport::new(stack, b.socket_rx, b.socket_tx, remote, config), b.read, b.write)
    }

    /// A small xorshift RNG standing in for a hardware one; counts its draws.
    struct TestRng {
        state: u64,
        draws: u32,
    }

    impl rand_core::RngCore for TestRng {
        fn next_u32(&mut self) -> u32 {
            (self.next_u64() >> 32) as u32
        }

        fn next_u64(&mut self) -> u64 {
            self.draws += 1;
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            self.state
        }

        fn fill_bytes(&mut self, dst: &mut [u8]) {
            for chunk in dst.chunks_mut(8) {
                let word = self.next_u64().to_le_bytes();
                chunk.copy_from_slice(&word[..chunk.len()]);
            }
        }
    }

    /// The bytes of a string-like reply.
    fn text<'a>(frame: &Frame<'a>) -> &'a [u8] {
        match *frame {
            Frame::BulkString(t) | Frame::SimpleString(t) | Frame::VerbatimString { text: t, .. } => t,
            ref other => panic!("expected a string reply, got {other:?}"),
        }
    }

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    /// Runs `step` within [`STEP`], naming it in the failure.
    async fn step<T>(name: &str, step: impl Future<Output = T>) -> T {
        println!("step: {name}");
        with_timeout(STEP, step).await.unwrap_or_else(|_| panic!("step `{name}` took longer than {STEP:?}"))
    }

    pub(super) async fn run(stack: Stack<'static>) {
        let mut rng = TestRng { state: 0x9e37_79b9_7f4a_7c15, draws: 0 };
        let mut conn = step("wrong password", wrong_password(stack, &mut rng)).await;
        step("handshake over DNS: HELLO 3 + AUTH + SETNAME + SELECT", handshake(&mut conn)).await;
        step("SET and GET", set_get(&mut conn)).await;
        step("a pipeline of 1000 commands", pipeline(&mut conn)).await;
        step("64 KiB through request_streaming with a 2 KiB buffer", streaming(&mut conn)).await;
        step("a request timeout against a stopped server", stopped_server(&mut conn)).await;
        step("reconnect after a restart, re-subscribing", restart(stack, &mut conn, &mut rng)).await;
        step("a cluster of 3 primaries through a slot migration", tap_cluster::run(stack, &mut rng)).await;
        step("a master through its sentinels, followed through a failover", tap_sentinel::run(stack)).await;
    }

    /// A wrong password fails the handshake with WRONGPASS, and `reconnect` gives up at
    /// once instead of retrying what cannot work. Then the right one goes in.
    async fn wrong_password(stack: Stack<'static>, rng: &mut TestRng) -> Conn {
        let mut conn = connection(
            stack,
            Remote::host(REDIS_HOST, REDIS_PORT),
            config(Protocol::Resp3, "not-the-password", Subscriptions::NONE),
        );
        let mut backoff = Backoff::DEFAULT;
        let draws = rng.draws;
        let e = reconnect(&mut conn, &mut backoff, rng).await.expect_err("a wrong password must fail");
        assert_eq!(e.server_error().map(|s| s.kind()), Some(ServerErrorKind::WrongPass), "{e:?}");
        assert_eq!(rng.draws, draws, "a refused password is not retried");
        assert!(conn.request(&[Arg::from("PING")]).await.is_err(), "the failed connection is closed");
        conn.get_mut().config_mut().handshake.credentials =
            Some(Credentials { username: None, password: PASSWORD.as_bytes() });
        conn
    }

    async fn handshake(conn: &mut Conn) {
        connect(conn).await.expect("connect by host name");
        let remote = conn.get_ref().socket().remote_endpoint().expect("connected");
        assert_eq!(remote.to_string(), format!("{}:{REDIS_PORT}", Ipv4Addr::from(REDIS_IP)));
        assert_handshake_ran(conn).await;
    }

    /// The handshake's effects, seen from the server: RESP3, the name, the database.
    async fn assert_handshake_ran(conn: &mut Conn) {
        let name = conn.request(&["CLIENT".into(), "GETNAME".into()]).await.expect("CLIENT GETNAME");
        assert_eq!(text(&name), CLIENT_NAME.as_bytes());
        let info = conn.request(&["CLIENT".into(), "INFO".into()]).await.expect("CLIENT INFO");
        let info = text(&info);
        // (`lib-name=ferrodis` too on Redis 7.2 and later; older servers refuse CLIENT SETINFO,
        // which the handshake ignores.)
        for expected in
            [&b"resp=3"[..], format!("db={DB}").as_bytes(), format!("name={CLIENT_NAME}").as_bytes()]
        {
            assert!(contains(info, expected), "{} not in {}", expected.escape_ascii(), info.escape_ascii());
        }
    }

    async fn set_get(conn: &mut Conn) {
        let ok = conn.request(&["SET".into(), "greeting".into(), "hello over tap".into()]).await.unwrap();
        assert_eq!(ok, Frame::SimpleString(b"OK"));
        let value = conn.request(&["GET".into(), "greeting".into()]).await.unwrap();
        assert_eq!(value, Frame::BulkString(b"hello over tap"));
    }

    async fn pipeline(conn: &mut Conn) {
        conn.request(&["DEL".into(), "pipelined".into()]).await.unwrap();
        let incr = [Arg::from("INCR"), Arg::from("pipelined")];
        let commands = vec![&incr[..]; 1000];
        let mut seen = 0i64;
        conn.pipeline(&commands, |index, reply| {
            assert_eq!(reply, Frame::Integer(index as i64 + 1), "reply {index}");
            seen += 1;
        })
        .await
        .expect("pipeline");
        assert_eq!(seen, 1000);
        let total = conn.request(&["GET".into(), "pipelined".into()]).await.unwrap();
        assert_eq!(text(&total), b"1000");
    }

    async fn streaming(conn: &mut Conn) {
        let value: Vec<u8> = (0..64 * 1024).map(|i: u32| (i.wrapping_mul(31) % 251) as u8).collect();
        // 64 KiB is far larger than the 2 KiB write buffer: it goes out a full buffer at a time.
        conn.request(&["SET".into(), "big".into(), Arg::Bytes(&value)]).await.expect("SET 64 KiB");
        let mut sink = Sink(Vec::new());
        let len = conn.request_streaming(&["GET".into(), "big".into()], &mut sink).await.expect("GET 64 KiB");
        assert_eq!(len, Some(value.len()));
        assert!(sink.0 == value, "the streamed value differs");
        assert!(!conn.is_broken());
        // The same reply through the 2 KiB read buffer does not fit, and says what it needs.
        // It is read and dropped as it arrives: the connection stays usable, no reconnect.
        let e = conn.request(&["GET".into(), "big".into()]).await.expect_err("64 KiB in 2 KiB");
        assert!(matches!(e.kind(), ErrorKind::ReplyTooLarge { needed } if *needed > 64 * 1024), "{e:?}");
        assert_eq!(e.delivery(), ferrodis_core::Delivery::Answered);
        assert!(e.connection_usable() && !conn.is_broken(), "{e:?}");
        let value = conn.request(&["STRLEN".into(), "big".into()]).await.unwrap();
        assert_eq!(value, Frame::Integer(64 * 1024));
    }

    /// Collects a streamed value.
    struct Sink(Vec<u8>);

    impl embedded_io_async::ErrorType for Sink {
        type Error = core::convert::Infallible;
    }

    impl embedded_io_async::Write for Sink {
        async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
            self.0.extend_from_slice(buf);
            Ok(buf.len())
        }

        async fn flush(&mut self) -> Result<(), Self::Error> {
            Ok(())
        }
    }

    /// SIGSTOP: the request times out after `REQUEST_TIMEOUT` with `TimedOut`, the
    /// connection stays usable, and after SIGCONT the next request gets its own reply.
    async fn stopped_server(conn: &mut Conn) {
        server::signal("STOP");
        let started = Instant::now();
        let e = conn.request(&["GET".into(), "greeting".into()]).await.expect_err("a stopped server");
        let waited = started.elapsed();
        server::signal("CONT");
        assert!(matches!(e.kind(), ErrorKind::Io(NetError::TimedOut)), "{e:?}");
        assert_eq!(embedded_io::Error::kind(&NetError::TimedOut), embedded_io::ErrorKind::TimedOut);
        assert!(waited >= REQUEST_TIMEOUT && waited < REQUEST_TIMEOUT * 4, "waited {waited:?}");
        assert!(!conn.is_broken(), "a read timeout leaves the connection usable");
        assert_eq!(conn.pending_replies(), 1, "the GET's reply is still owed");
        let value = conn.request(&["ECHO".into(), "after the stop".into()]).await.expect("after SIGCONT");
        assert_eq!(value, Frame::BulkString(b"after the stop"));
    }

    static MESSAGES: Mutex<Vec<String>> = Mutex::new(Vec::new());

    /// Records RESP3 messages.
    fn on_push(frame: Frame<'_>) {
        let Frame::Push(items) = frame else { return };
        let parts: Vec<String> =
            items.iter().map(|f| String::from_utf8_lossy(text_or_empty(&f)).into_owned()).collect();
        if let Some("message" | "pmessage") = parts.first().map(String::as_str) {
            MESSAGES.lock().unwrap().push(parts[1..].join(" "));
        }
    }

    /// Whether the engine counted the subscribe and psubscribe confirmations.
    fn subscribed<T, R, W, P, S: ferrodis_core::conn::engine::SlotBuffer>(
        conn: &ferrodis_core::conn::asynch::Connection<T, R, W, P, S>,
    ) -> bool
    where
        T: embedded_io_async::Read + embedded_io_async::Write,
        R: ferrodis_core::conn::Buffer,
        W: ferrodis_core::conn::Buffer,
        P: ferrodis_core::conn::PushHandler,
    {
        let subscriptions = conn.engine().subscriptions();
        (subscriptions.channels, subscriptions.patterns) == (1, 1)
    }

    fn text_or_empty<'a>(frame: &Frame<'a>) -> &'a [u8] {
        match *frame {
            Frame::BulkString(t) | Frame::SimpleString(t) => t,
            _ => b"",
        }
    }

    /// The server is killed and comes back 1.5 s later: the client reconnects with
    /// backoff (the RNG is drawn for each retry), redoes the handshake, and both
    /// subscribers (RESP3 with a push handler, RESP2 in subscribed mode) are subscribed
    /// again.
    async fn restart(stack: Stack<'static>, conn: &mut Conn, rng: &mut TestRng) {
        let remote = Remote::ip(Ipv4Address::from(REDIS_IP), REDIS_PORT);
        let subscriptions = Subscriptions { channels: &["news"], patterns: &["sensor.*"] };
        let mut resp3 = connection(stack, remote, config(Protocol::Resp3, PASSWORD, subscriptions))
            .with_push_handler(on_push as fn(Frame<'_>));
        let mut resp2 = connection(stack, remote, config(Protocol::Resp2, PASSWORD, subscriptions));
        connect(&mut resp3).await.expect("RESP3 subscriber");
        connect(&mut resp2).await.expect("RESP2 subscriber");
        assert!(subscribed(&resp3) && subscribed(&resp2), "subscribe + psubscribe confirmed");

        let subscribers = RefCell::new(Vec::new());
        for round in ["before", "after"] {
            publish_and_check(conn, &mut resp3, &mut resp2, round, &subscribers).await;
            if round == "after" {
                break;
            }
            server::restart_after(StdDuration::from_millis(1500));
            let e = conn.request(&["PING".into()]).await.expect_err("the server is gone");
            assert!(conn.is_broken(), "{e:?}");
            let (draws, started) = (rng.draws, Instant::now());
            let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(800));
            reconnect(conn, &mut backoff, rng).await.expect("reconnect");
            assert!(rng.draws > draws, "the first attempts were refused and retried with backoff");
            assert!(started.elapsed() >= Duration::from_millis(1000), "{:?}", started.elapsed());
            assert_eq!(backoff.attempts(), 0, "reset after the success");
            assert_handshake_ran(conn).await;
            reconnect(&mut resp2, &mut Backoff::DEFAULT.with_max_attempts(5), rng)
                .await
                .expect("RESP2 again");
            reconnect(&mut resp3, &mut Backoff::DEFAULT.with_max_attempts(5), rng)
                .await
                .expect("RESP3 again");
            assert!(subscribed(&resp3) && subscribed(&resp2), "subscribed again");
        }
        assert_eq!(subscribers.borrow().as_slice(), [2, 2, 2, 2]);
    }

    /// PUBLISH to the channel and to the pattern; both subscribers get both messages.
    async fn publish_and_check(
        conn: &mut Conn,
        resp3: &mut Connection<'static, &'static mut [u8], &'static mut [u8], fn(Frame<'_>)>,
        resp2: &mut Conn,
        round: &str,
        subscribers: &RefCell<Vec<i64>>,
    ) {
        MESSAGES.lock().unwrap().clear();
        for channel in ["news", "sensor.temperature"] {
            let payload = format!("{round} {channel}");
            let reached = conn.request(&["PUBLISH".into(), channel.into(), payload.as_str().into()]).await;
            let Ok(Frame::Integer(n)) = reached else { panic!("PUBLISH: {reached:?}") };
            subscribers.borrow_mut().push(n);
        }
        // RESP3: the messages arrive as push frames ahead of the PING's reply.
        let pong = resp3.request(&["PING".into()]).await.expect("PING on the RESP3 subscriber");
        assert_eq!(pong, Frame::SimpleString(b"PONG"));
        assert_eq!(
            *MESSAGES.lock().unwrap(),
            [format!("news {round} news"), format!("sensor.* sensor.temperature {round} sensor.temperature")]
        );
        // RESP2: the messages are push frames the subscribed connection receives.
        let message = resp2.receive().await.expect("RESP2 message");
        let parts: Vec<&[u8]> = match message {
            Received::Push(Frame::Push(items)) => items.iter().map(|f| text_or_empty(&f)).collect(),
            other => panic!("RESP2 message: {other:?}"),
        };
        assert_eq!(parts, [&b"message"[..], b"news", format!("{round} news").as_bytes()]);
        let message = resp2.receive().await.expect("RESP2 pmessage");
        let Received::Push(Frame::Push(items)) = message else { panic!("RESP2 pmessage: {message:?}") };
        assert_eq!(items.iter().next(), Some(Frame::BulkString(b"pmessage")));
    }
}
