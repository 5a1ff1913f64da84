//! A client future and a [`MiniRedis`] stepped in turn over one pipe, in the manner of
//! quinn-proto's `Pair`.

use core::future::Future;

use super::client::ClientEnd;
use super::mini_redis::MiniRedis;
use super::pipe::{ServerEnd, pipe};
use super::poll::{DroppedAfter, drive};

/// The server half of a test: a pipe's [`ServerEnd`] with a [`MiniRedis`] answering on it.
/// [`run`](Self::run) and [`poll_n`](Self::poll_n) poll the client's future, and whenever
/// it is pending let the MiniRedis answer what the client wrote, so replies arrive only
/// between polls and in the order a real server would send them.
///
/// Both fields are public: set faults with `pair.server`, limit and inspect the server
/// with `pair.redis`.
///
/// ```
/// use ferrodis_test_support::harness::Pair;
///
/// let (mut client, mut pair) = Pair::new();
/// let reply = pair.run(async {
///     embedded_io_async::Write::write_all(&mut client, b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n").await.unwrap();
///     let mut buf = [0; 8];
///     let n = embedded_io_async::Read::read(&mut client, &mut buf).await.unwrap();
///     buf[..n].to_vec()
/// });
/// assert_eq!(reply, b":1\r\n");
/// assert_eq!(pair.redis.count("INCR"), 1);
/// ```
#[derive(Debug)]
pub struct Pair {
    /// The pipe's server end: faults, counters, and raw `deliver` for what MiniRedis
    /// would not send.
    pub server: ServerEnd,
    /// The server model answering on it.
    pub redis: MiniRedis,
}

impl Pair {
    /// A new pipe with a fresh [`MiniRedis`] on its server end; the [`ClientEnd`] is for
    /// the code under test.
    pub fn new() -> (ClientEnd, Pair) {
        let (client, server) = pipe();
        (client, Pair { server, redis: MiniRedis::new() })
    }

    /// One server step: the MiniRedis answers the complete commands written so far
    /// (within its limit). Returns how many it answered. For blocking clients, call it
    /// between sending and receiving.
    pub fn serve(&mut self) -> usize {
        self.redis.serve(&self.server)
    }

    /// Drives `fut` to completion, serving after each `Pending` poll.
    ///
    /// # Panics
    ///
    /// As [`block_on`](super::block_on) does: when the client is pending and nothing woke
    /// it even after the server's step (it waits for a reply that
    /// [`answer_only`](MiniRedis::answer_only) holds back, say).
    pub fn run<F: Future>(&mut self, fut: F) -> F::Output {
        match drive(
            fut,
            None,
            || {
                self.serve();
            },
            "Pair::run",
        ) {
            Ok(output) => output,
            Err(_) => unreachable!("Pair::run has no poll limit"),
        }
    }

    /// Polls `fut` at most `n` times, serving after each `Pending` poll, and drops it
    /// unfinished after that, as [`poll_n`](super::poll_n) does.
    pub fn poll_n<F: Future>(&mut self, fut: F, n: usize) -> Result<F::Output, DroppedAfter> {
        drive(
            fut,
            Some(n),
            || {
                self.serve();
            },
            "Pair::poll_n",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Pair;
    use crate::harness::{ClientEnd, Faults, PipeError};
    use embedded_io_async::{Read, Write};

    const INCR: &[u8] = b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n";

    /// Writes INCR, then reads until a whole `:n\r\n` reply is in; retries `Interrupted`.
    async fn incr(client: &mut ClientEnd) -> Vec<u8> {
        let mut at = 0;
        while at < INCR.len() {
            match client.write(&INCR[at..]).await {
                Ok(n) => at += n,
                Err(e) => assert_eq!(e, PipeError::Interrupted),
            }
        }
        let mut reply = Vec::new();
        let mut buf = [0; 8];
        while !reply.ends_with(b"\r\n") {
            match client.read(&mut buf).await {
                Ok(n) => reply.extend_from_slice(&buf[..n]),
                Err(e) => assert_eq!(e, PipeError::Interrupted),
            }
        }
        reply
    }

    #[test]
    fn run_alternates_client_and_server_under_chaos() {
        let (mut client, mut pair) = Pair::new();
        pair.server.set_faults(Faults::chaos(3).random_steps(2));
        for i in 1..=20 {
            assert_eq!(pair.run(incr(&mut client)), format!(":{i}\r\n").into_bytes());
        }
        assert_eq!(pair.redis.count("INCR"), 20);
    }

    #[test]
    fn dropping_at_each_poll_point_runs_the_command_once_if_it_was_all_written() {
        // 6 write steps of at most 4 bytes, each pending once, then a read pending once for
        // the reply: 7 poll points, and the 8th poll finishes.
        let poll_points = INCR.len().div_ceil(4) + 1;
        for n in 0..=poll_points + 1 {
            let (mut client, mut pair) = Pair::new();
            pair.server.set_faults(Faults::none().max_write(4).pending_writes(1));
            let done = pair.poll_n(incr(&mut client), n);
            pair.serve();
            let all_written = pair.server.counters().bytes_written == INCR.len();
            assert_eq!(pair.redis.count("INCR"), usize::from(all_written), "dropped after {n} polls");
            match done {
                Ok(reply) => assert_eq!((n, reply.as_slice()), (poll_points + 1, &b":1\r\n"[..])),
                Err(dropped) => assert!(dropped.polls == n && n <= poll_points, "dropped after {n} polls"),
            }
        }
    }

    #[test]
    #[should_panic(expected = "Pair::run: the future is pending after poll")]
    fn run_fails_loudly_when_the_reply_is_held() {
        let (mut client, mut pair) = Pair::new();
        pair.redis.answer_only(0);
        pair.run(incr(&mut client));
    }
}
