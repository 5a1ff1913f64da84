//! A write cancelled at every byte offset of a two-command pipeline never makes the server
//! run a command twice: the core's async connection over a real socket that takes one byte
//! per write and yields between writes, its pipeline future dropped after each number of
//! polls, then the connection used again. Each `INCR` of a round counts a key of its own,
//! so a command written twice shows as a counter of 2.

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;

use ferrodis::core::conn::Handshake;
use ferrodis::core::conn::asynch::Connection;
use ferrodis::core::resp::{Arg, Frame, command_len};
use ferrodis::core::{Delivery, ErrorKind};
use ferrodis_test_support::RedisServer;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A socket whose writes take one byte each, with a yield to the runtime before each, so a
/// future writing a request can be dropped after any byte. Counts the bytes written.
struct Trickle {
    tcp: TcpStream,
    written: Arc<AtomicUsize>,
    trickle: bool,
}

#[derive(Debug)]
struct IoError(std::io::Error);

impl std::fmt::Display for IoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for IoError {}

impl embedded_io::Error for IoError {
    fn kind(&self) -> embedded_io::ErrorKind {
        embedded_io::ErrorKind::Other
    }
}

impl embedded_io_async::ErrorType for Trickle {
    type Error = IoError;
}

impl embedded_io_async::Read for Trickle {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, IoError> {
        poll_fn(|cx| {
            let mut read = ReadBuf::new(buf);
            match Pin::new(&mut self.tcp).poll_read(cx, &mut read) {
                Poll::Ready(Ok(())) => Poll::Ready(Ok(read.filled().len())),
                Poll::Ready(Err(e)) => Poll::Ready(Err(IoError(e))),
                Poll::Pending => Poll::Pending,
            }
        })
        .await
    }
}

impl embedded_io_async::Write for Trickle {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, IoError> {
        let buf = if self.trickle {
            tokio::task::yield_now().await;
            &buf[..buf.len().min(1)]
        } else {
            buf
        };
        let n = poll_fn(|cx| Pin::new(&mut self.tcp).poll_write(cx, buf)).await.map_err(IoError)?;
        self.written.fetch_add(n, Ordering::SeqCst);
        Ok(n)
    }

    async fn flush(&mut self) -> Result<(), IoError> {
        Ok(())
    }
}

/// Polls `fut` at most `polls` times, yielding to the runtime in between; drops it
/// unfinished after that.
async fn poll_at_most<F: Future>(fut: F, polls: usize) -> Option<F::Output> {
    let mut fut = pin!(fut);
    for _ in 0..polls {
        if let Poll::Ready(out) = poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx))).await {
            return Some(out);
        }
        tokio::task::yield_now().await;
    }
    None
}

async fn connect(server: &RedisServer, written: &Arc<AtomicUsize>) -> Trickle {
    let tcp = TcpStream::connect(server.addr()).await.unwrap();
    tcp.set_nodelay(true).unwrap();
    Trickle { tcp, written: written.clone(), trickle: false }
}

#[test]
fn a_write_cut_at_any_byte_never_runs_a_command_twice() {
    let server = RedisServer::start();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let written = Arc::new(AtomicUsize::new(0));
        let (mut rx, mut tx) = (vec![0u8; 512], vec![0u8; 512]);
        let mut conn = Connection::new(connect(&server, &written).await, &mut rx[..], &mut tx[..]);
        conn.handshake(&Handshake::DEFAULT).await.unwrap();
        let mut cut_at = Vec::new();
        for round in 0.. {
            // Keys of one width, so every round's pipeline has the same length: rounds go
            // on until the replies come back within the polls allowed, which on a loaded
            // machine can take many rounds past the last byte offset.
            let (a, b, c) = (format!("a{round:06}"), format!("b{round:06}"), format!("c{round:06}"));
            let incr_a = [Arg::from("INCR"), Arg::from(a.as_str())];
            let incr_b = [Arg::from("INCR"), Arg::from(b.as_str())];
            let total = command_len(&incr_a) + command_len(&incr_b);

            conn.get_mut().trickle = true;
            written.store(0, Ordering::SeqCst);
            let commands = [&incr_a[..], &incr_b[..]];
            let pipeline = conn.pipeline(&commands, |_, _| ());
            let finished = poll_at_most(pipeline, round + 1).await.is_some();
            let cut = written.load(Ordering::SeqCst);
            conn.get_mut().trickle = false;
            cut_at.push(cut);

            // The connection is used again: it must not write the pipeline a second time.
            let incr_c = [Arg::from("INCR"), Arg::from(c.as_str())];
            match conn.request(&incr_c).await {
                Ok(reply) => assert_eq!(reply, Frame::Integer(1), "round {round}: INCR c got another reply"),
                Err(e) => {
                    // A write cut midway breaks the connection; nothing of INCR c was sent.
                    assert!(matches!(e.kind(), ErrorKind::Broken), "round {round}: {e}");
                    assert_eq!(e.delivery(), Delivery::NotSent, "round {round}");
                    let fresh = connect(&server, &written).await;
                    conn.replace_transport(fresh);
                    conn.handshake(&Handshake::DEFAULT).await.unwrap();
                    assert_eq!(conn.request(&incr_c).await.unwrap(), Frame::Integer(1));
                }
            }
            for key in [&a, &b] {
                let count = server.redis_cli(&["GET", key]);
                assert!(
                    count.is_empty() || count == "1",
                    "round {round}, cut after {cut} of {total} bytes: {key} = {count}"
                );
            }
            if finished {
                assert_eq!(cut, total);
                break;
            }
        }
        // Every byte offset of the pipeline was a cut point.
        let total = cut_at.last().copied().unwrap_or_default();
        for offset in 0..total {
            assert!(cut_at.contains(&offset), "no round cut the write after {offset} bytes: {cut_at:?}");
        }
    });
}
