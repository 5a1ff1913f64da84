//! A scripted stand-in for a server, for what a real Redis never sends: malformed,
//! truncated or deliberately slow replies. Each accepted connection runs the script on its
//! own thread; the listener and every connection end when the `FakeServer` is dropped.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A loopback listener whose connections are handled by a script.
pub struct FakeServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    streams: Arc<Mutex<Vec<TcpStream>>>,
    acceptor: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// Listens on a free loopback port and runs `script` on every connection.
    pub fn start(script: impl Fn(FakeConnection) -> io::Result<()> + Send + Sync + 'static) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let addr = listener.local_addr().expect("listener address");
        let stop = Arc::new(AtomicBool::new(false));
        let streams = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(script);
        let acceptor = {
            let (stop, streams) = (stop.clone(), streams.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Acquire) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            stream.set_nonblocking(false).ok();
                            if let Ok(copy) = stream.try_clone() {
                                streams.lock().unwrap_or_else(|p| p.into_inner()).push(copy);
                            }
                            let script = script.clone();
                            std::thread::spawn(move || {
                                let _ = script(FakeConnection::new(stream));
                            });
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(2));
                        }
                        Err(_) => break,
                    }
                }
            })
        };
        FakeServer { addr, stop, streams, acceptor: Some(acceptor) }
    }

    /// The loopback port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `127.0.0.1:port`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        for s in self.streams.lock().unwrap_or_else(|p| p.into_inner()).drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// One accepted connection: read requests, write whatever bytes the script wants.
pub struct FakeConnection {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl FakeConnection {
    fn new(stream: TcpStream) -> Self {
        stream.set_nodelay(true).ok();
        let writer = stream.try_clone().expect("clone the accepted stream");
        Self { reader: BufReader::new(stream), writer }
    }

    /// Reads one request (a RESP array of bulk strings) and returns its arguments;
    /// `None` when the client closed the connection.
    pub fn read_request(&mut self) -> io::Result<Option<Vec<Vec<u8>>>> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let count: usize =
            line.trim_end().strip_prefix('*').and_then(|n| n.parse().ok()).ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, format!("not a request: {line:?}"))
            })?;
        let mut args = Vec::with_capacity(count.min(64));
        for _ in 0..count {
            line.clear();
            self.reader.read_line(&mut line)?;
            let len: usize = line
                .trim_end()
                .strip_prefix('$')
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "not a bulk argument"))?;
            let mut arg = vec![0; len + 2];
            self.reader.read_exact(&mut arg)?;
            arg.truncate(len);
            args.push(arg);
        }
        Ok(Some(args))
    }

    /// Writes raw bytes (flushed at once).
    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.writer.write_all(bytes)?;
        self.writer.flush()
    }

    /// Closes the connection.
    pub fn close(self) {
        let _ = self.writer.shutdown(Shutdown::Both);
    }
}
