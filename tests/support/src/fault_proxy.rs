//! [`FaultProxy`]: a TCP proxy on loopback in front of a real server that, on command,
//! refuses new connections, closes the ones it carries, closes a reply after N bytes, or
//! delays what it forwards. Threads only, so it needs no runtime; every thread ends when
//! the proxy is dropped.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the proxy does to the traffic it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    /// Forwards everything both ways.
    #[default]
    None,
    /// Closes every connection it carries now, and each new one as soon as it is accepted,
    /// before a byte goes through: to a client, the server is unreachable.
    Refuse,
    /// Forwards requests, and closes a connection when its replies reach `n` bytes since
    /// the fault was set, forwarding only those: a reply cut at byte `n`, or (with 0) a
    /// request that reached the server and whose reply never comes.
    CloseAfter(usize),
    /// Holds every chunk this long before forwarding it, both ways.
    Delay(Duration),
}

/// How often the forwarding threads look at the fault and the stop flag.
const TICK: Duration = Duration::from_millis(10);

/// A fault proxy for one upstream server, listening on a free loopback port.
///
/// ```no_run
/// use ferrodis_test_support::{Fault, FaultProxy, RedisServer};
///
/// let server = RedisServer::start();
/// let proxy = FaultProxy::start(server.addr());
/// // ... connect a client to proxy.addr() ...
/// proxy.set(Fault::Refuse); // the server is gone, as far as the client can tell
/// proxy.set(Fault::None); // and back
/// ```
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

struct Shared {
    upstream: SocketAddr,
    fault: Mutex<Fault>,
    /// Bumped by every [`FaultProxy::set`], so each connection counts reply bytes (for
    /// [`Fault::CloseAfter`]) from the moment the fault was set.
    epoch: AtomicUsize,
    stop: AtomicBool,
    accepted: AtomicUsize,
    links: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    fn fault(&self) -> Fault {
        *lock(&self.fault)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream`, faultless.
    pub fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind a loopback port for the fault proxy");
        listener.set_nonblocking(true).expect("a non-blocking listener");
        let addr = listener.local_addr().expect("the proxy's address");
        let shared = Arc::new(Shared {
            upstream,
            fault: Mutex::new(Fault::None),
            epoch: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            accepted: AtomicUsize::new(0),
            links: Mutex::new(Vec::new()),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || accept_loop(&listener, &shared))
        };
        FaultProxy { addr, shared, acceptor: Some(acceptor) }
    }

    /// Where clients connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The proxy's host, `127.0.0.1`.
    pub fn host(&self) -> String {
        self.addr.ip().to_string()
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Sets the fault for every connection, carried or new, from now on.
    pub fn set(&self, fault: Fault) {
        *lock(&self.shared.fault) = fault;
        self.shared.epoch.fetch_add(1, Ordering::SeqCst);
    }

    /// Connections accepted so far (refused ones included).
    pub fn accepted(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        for link in std::mem::take(&mut *lock(&self.shared.links)) {
            let _ = link.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((client, _)) => {
                shared.accepted.fetch_add(1, Ordering::SeqCst);
                if shared.fault() == Fault::Refuse {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(shared.upstream) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                let link = {
                    let shared = Arc::clone(shared);
                    std::thread::spawn(move || carry(client, server, &shared))
                };
                lock(&shared.links).push(link);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(TICK),
            Err(_) => std::thread::sleep(TICK),
        }
    }
}

/// Carries one connection: requests on a thread of their own, replies on this one, until
/// either side closes, a fault closes it, or the proxy stops.
fn carry(client: TcpStream, server: TcpStream, shared: &Arc<Shared>) {
    let closed = Arc::new(AtomicBool::new(false));
    let requests = {
        let (from, to) = (client.try_clone(), server.try_clone());
        let (shared, closed) = (Arc::clone(shared), Arc::clone(&closed));
        std::thread::spawn(move || {
            if let (Ok(from), Ok(to)) = (from, to) {
                pump(from, to, &shared, &closed, false);
            }
        })
    };
    pump(server, client, shared, &closed, true);
    let _ = requests.join();
}

/// Copies `from` to `to` under the fault, counting bytes when these are `replies`.
fn pump(mut from: TcpStream, mut to: TcpStream, shared: &Shared, closed: &AtomicBool, replies: bool) {
    let _ = from.set_read_timeout(Some(TICK));
    let mut buf = [0u8; 16 * 1024];
    let (mut epoch, mut since_set) = (shared.epoch.load(Ordering::SeqCst), 0usize);
    let close = |from: &TcpStream, to: &TcpStream| {
        closed.store(true, Ordering::SeqCst);
        let _ = from.shutdown(Shutdown::Both);
        let _ = to.shutdown(Shutdown::Both);
    };
    loop {
        if shared.stop.load(Ordering::SeqCst) || closed.load(Ordering::SeqCst) {
            close(&from, &to);
            return;
        }
        let now = shared.epoch.load(Ordering::SeqCst);
        if now != epoch {
            (epoch, since_set) = (now, 0);
        }
        let fault = shared.fault();
        if fault == Fault::Refuse {
            close(&from, &to);
            return;
        }
        let n = match from.read(&mut buf) {
            Ok(0) => {
                close(&from, &to);
                return;
            }
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(_) => {
                close(&from, &to);
                return;
            }
        };
        let mut chunk = &buf[..n];
        match shared.fault() {
            Fault::Delay(delay) => std::thread::sleep(delay),
            Fault::CloseAfter(limit) if replies => {
                let room = limit.saturating_sub(since_set);
                if chunk.len() >= room {
                    chunk = &chunk[..room];
                    let _ = to.write_all(chunk);
                    close(&from, &to);
                    return;
                }
            }
            _ => {}
        }
        since_set += chunk.len();
        if to.write_all(chunk).is_err() {
            close(&from, &to);
            return;
        }
    }
}
