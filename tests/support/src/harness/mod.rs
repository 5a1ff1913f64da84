//! A deterministic in-memory harness for tests of ordering, cancellation and partial I/O:
//! no sockets, no clocks, no threads.
//!
//! - [`pipe`] makes a connection: the [`ClientEnd`] implements the blocking and async
//!   `embedded_io` traits for the code under test; the test plays the server with the
//!   [`ServerEnd`] ([`take_written`](ServerEnd::take_written),
//!   [`deliver`](ServerEnd::deliver), [`close`](ServerEnd::close),
//!   [`counters`](ServerEnd::counters)).
//! - [`Faults`] script what the pipe does wrong: short reads and writes down to 1 byte,
//!   `Interrupted` on a [`Schedule`], async back-pressure, a write cut at an exact byte, or
//!   all of it at random from a seed ([`Faults::chaos`], [`XorShift`]).
//! - [`poll_once`], [`poll_n`] and [`block_on`] poll a future by hand: drop it at each of
//!   its poll points, or drive it to the end without hanging; [`WakeCounter`] checks wakes.
//! - [`MiniRedis`] answers `PING`, `ECHO`, `SET`, `GET`, `INCR`, `DEL` on the server end,
//!   only as many commands as a test allows, and logs what ran; [`Pair`] steps a client
//!   future and a MiniRedis in turn; [`Loopback`] is a transport whose MiniRedis answers
//!   whenever the client reads, for blocking clients.
//! - [`assert_written!`](crate::assert_written) checks what the client wrote, step by step.
//!
//! The harness depends on no ferrodis crate, so ferrodis-core's own unit tests can use it
//! without getting a second copy of core's types.
//!
//! A cancellation test drops a request at every poll point and checks that the server ran
//! it at most once:
//!
//! ```
//! use ferrodis_test_support::harness::{ClientEnd, Faults, Pair};
//!
//! async fn incr(client: &mut ClientEnd) -> Vec<u8> {
//!     use embedded_io_async::{Read, Write};
//!     client.write_all(b"*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n").await.unwrap();
//!     let mut buf = [0; 8];
//!     let n = client.read(&mut buf).await.unwrap();
//!     buf[..n].to_vec()
//! }
//!
//! for polls in 0..8 {
//!     let (mut client, mut pair) = Pair::new();
//!     pair.server.set_faults(Faults::none().pending_writes(1));
//!     let outcome = pair.poll_n(incr(&mut client), polls);
//!     pair.serve();
//!     assert!(pair.redis.count("INCR") <= 1);
//!     if let Ok(reply) = outcome {
//!         assert_eq!(reply, b":1\r\n");
//!     }
//! }
//! ```

mod client;
mod error;
mod faults;
mod loopback;
mod macros;
mod mini_redis;
mod pair;
mod pipe;
mod poll;
mod resp;
mod rng;

pub use client::ClientEnd;
pub use error::PipeError;
pub use faults::{Faults, Schedule};
pub use loopback::{Loopback, LoopbackServer};
pub use mini_redis::{Command, MiniRedis};
pub use pair::Pair;
pub use pipe::{Counters, ServerEnd, pipe};
pub use poll::{DroppedAfter, IDLE_POLL_LIMIT, WakeCounter, block_on, poll_n, poll_once};
pub use rng::XorShift;
