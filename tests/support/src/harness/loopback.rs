//! [`Loopback`]: a client transport with a [`MiniRedis`] behind it that answers whenever the
//! client reads, so blocking clients (and doc examples) need no server thread.

use std::sync::{Arc, Mutex, MutexGuard};

use super::client::ClientEnd;
use super::error::PipeError;
use super::faults::Faults;
use super::mini_redis::MiniRedis;
use super::pipe::{Counters, ServerEnd, pipe};

/// A transport for the code under test, like [`ClientEnd`], whose server is a
/// [`MiniRedis`] that answers what the client wrote each time the client reads and
/// nothing is waiting to be read. Inspect and steer the server through the
/// [`LoopbackServer`] that [`Loopback::new`] returns with it.
///
/// ```
/// use embedded_io::{Read, Write};
/// use ferrodis_test_support::harness::Loopback;
///
/// let (mut client, server) = Loopback::new();
/// client.write_all(b"*1\r\n$4\r\nPING\r\n").unwrap();
/// let mut buf = [0; 16];
/// let n = client.read(&mut buf).unwrap();
/// assert_eq!(&buf[..n], b"+PONG\r\n");
/// assert_eq!(server.redis().count("PING"), 1);
/// ```
#[derive(Debug)]
pub struct Loopback {
    client: ClientEnd,
    server: Arc<Mutex<(ServerEnd, MiniRedis)>>,
}

/// The server side of a [`Loopback`]: its [`MiniRedis`], faults and counters.
#[derive(Debug, Clone)]
pub struct LoopbackServer {
    server: Arc<Mutex<(ServerEnd, MiniRedis)>>,
}

impl Loopback {
    /// A loopback transport and a handle on its server.
    pub fn new() -> (Loopback, LoopbackServer) {
        let (client, end) = pipe();
        let server = Arc::new(Mutex::new((end, MiniRedis::new())));
        (Loopback { client, server: server.clone() }, LoopbackServer { server })
    }

    /// Lets the MiniRedis answer when nothing is waiting to be read.
    fn serve(&self) {
        let mut guard = lock(&self.server);
        let (end, redis) = &mut *guard;
        if end.unread() == 0 {
            redis.serve(end);
        }
    }
}

impl LoopbackServer {
    /// The MiniRedis, for its log and its answering limit.
    pub fn redis(&self) -> impl std::ops::DerefMut<Target = MiniRedis> + '_ {
        Redis(lock(&self.server))
    }

    /// Sets the pipe's faults (see [`ServerEnd::set_faults`]).
    pub fn set_faults(&self, faults: Faults) {
        lock(&self.server).0.set_faults(faults);
    }

    /// The pipe's counters.
    pub fn counters(&self) -> Counters {
        lock(&self.server).0.counters()
    }

    /// Delivers bytes of the test's own (what a MiniRedis would not send).
    pub fn deliver(&self, bytes: impl AsRef<[u8]>) {
        lock(&self.server).0.deliver(bytes);
    }

    /// Closes the connection: the client reads end of stream.
    pub fn close(&self) {
        lock(&self.server).0.close();
    }
}

/// The MiniRedis inside a locked loopback server.
struct Redis<'a>(MutexGuard<'a, (ServerEnd, MiniRedis)>);

impl std::ops::Deref for Redis<'_> {
    type Target = MiniRedis;

    fn deref(&self) -> &MiniRedis {
        &self.0.1
    }
}

impl std::ops::DerefMut for Redis<'_> {
    fn deref_mut(&mut self) -> &mut MiniRedis {
        &mut self.0.1
    }
}

fn lock(server: &Mutex<(ServerEnd, MiniRedis)>) -> MutexGuard<'_, (ServerEnd, MiniRedis)> {
    server.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl embedded_io::ErrorType for Loopback {
    type Error = PipeError;
}

impl embedded_io::Read for Loopback {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, PipeError> {
        self.serve();
        embedded_io::Read::read(&mut self.client, buf)
    }
}

impl embedded_io::Write for Loopback {
    fn write(&mut self, buf: &[u8]) -> Result<usize, PipeError> {
        embedded_io::Write::write(&mut self.client, buf)
    }

    fn flush(&mut self) -> Result<(), PipeError> {
        embedded_io::Write::flush(&mut self.client)
    }
}

impl embedded_io_async::Read for Loopback {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, PipeError> {
        self.serve();
        embedded_io_async::Read::read(&mut self.client, buf).await
    }
}

impl embedded_io_async::Write for Loopback {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, PipeError> {
        embedded_io_async::Write::write(&mut self.client, buf).await
    }

    async fn flush(&mut self) -> Result<(), PipeError> {
        embedded_io_async::Write::flush(&mut self.client).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn async_reads_are_answered_too() {
        let (mut client, server) = Loopback::new();
        let reply = super::super::block_on(async {
            embedded_io_async::Write::write_all(&mut client, b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n")
                .await
                .unwrap();
            let mut buf = [0; 8];
            let n = embedded_io_async::Read::read(&mut client, &mut buf).await.unwrap();
            buf[..n].to_vec()
        });
        assert_eq!(reply, b":1\r\n");
        assert_eq!(server.redis().count("INCR"), 1);
    }
}
