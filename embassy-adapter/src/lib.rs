//! `ferrodis-embassy`: the ferrodis client over embassy-net TCP sockets, for
//! microcontrollers. `#![no_std]`, no allocator: every buffer is the caller's.
//!
//! A [`Transport`] is an embassy-net [`TcpSocket`](embassy_net::tcp::TcpSocket) with
//! timeouts from `embassy-time` and what it needs to open it again: the server
//! ([`Remote`]: an IP endpoint, or a host name resolved through the stack's DNS) and the
//! [`Config`] (handshake, subscriptions, connect and request timeouts, TCP keep-alive).
//! Wrapped in the core's async connection it is a [`Connection`]; [`connect`] opens it
//! (TCP, then the handshake: `HELLO 3` or `AUTH`, `SELECT`, client name) and
//! [`reconnect`] does the same with exponential backoff and jitter, re-subscribing where
//! the configuration asks for it. Everything else is the core's
//! [`asynch::Connection`](ferrodis_core::conn::asynch::Connection): `request`, `pipeline`,
//! `transaction`, `request_streaming`, ...
//!
//! ```no_run
//! # async fn demo(
//! #     stack: embassy_net::Stack<'_>,
//! #     rng: &mut impl rand_core::RngCore,
//! # ) -> Result<(), ferrodis_core::Error<ferrodis_embassy::NetError>> {
//! use ferrodis_core::conn::{Credentials, Handshake};
//! use ferrodis_embassy::{Backoff, Config, Connection, Remote, Transport, reconnect};
//!
//! let config = Config {
//!     handshake: Handshake {
//!         credentials: Some(Credentials { username: None, password: b"secret" }),
//!         client_name: Some("sensor-7"),
//!         ..Handshake::DEFAULT
//!     },
//!     ..Config::DEFAULT // 5 s to connect, 5 s per request step, TCP keep-alive every 30 s
//! };
//! let (mut socket_rx, mut socket_tx) = ([0u8; 1024], [0u8; 1024]); // embassy-net's TCP buffers
//! let (mut read_buf, mut write_buf) = ([0u8; 512], [0u8; 256]); // the client's
//! let remote = Remote::host("redis.local", 6379);
//! let transport = Transport::new(stack, &mut socket_rx, &mut socket_tx, remote, config);
//! let mut redis = Connection::new(transport, &mut read_buf, &mut write_buf);
//! reconnect(&mut redis, &mut Backoff::DEFAULT, rng).await?; // DNS, TCP, AUTH, CLIENT SETNAME
//! redis.request(&["SET".into(), "temperature".into(), "21".into()]).await?;
//! # Ok(()) }
//! ```
//!
//! Errors are the core's [`Error<NetError>`](ferrodis_core::Error): [`NetError`] keeps
//! embassy-net's own error and maps it to an [`embedded_io::ErrorKind`]. A request whose
//! read times out leaves the connection usable; a reset, a closed socket or a write that
//! timed out leave it broken, and [`connect`] or [`reconnect`] opens it again.
//!
//! Beyond one server, over the core's state machines and caller-built connections:
//! [`cluster`] routes each request to its slot's primary through the core's router, and
//! [`sentinel`] finds a service's master through its sentinels and follows it through a
//! failover (`+switch-master`).
//!
//! # Features
//!
//! `defmt` or `log`, never both:
#![doc = document_features::document_features!()]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(test)]
extern crate std;

mod fmt;

mod backoff;
pub mod cluster;
mod connect;
mod error;
pub mod sentinel;
mod subscribe;
mod transport;

pub use backoff::Backoff;
pub use connect::{connect, reconnect};
pub use error::NetError;
pub use subscribe::Subscriptions;
pub use transport::{Config, Remote, Transport};

/// The core's async connection over a [`Transport`]: `request`, `pipeline`,
/// `transaction`, `request_streaming` and the rest, with the caller's read buffer `R` and
/// write buffer `W`, and push handler `P`.
pub type Connection<'a, R, W = R, P = ferrodis_core::conn::DropPushes> =
    ferrodis_core::conn::asynch::Connection<Transport<'a>, R, W, P>;

/// The core crate, re-exported.
pub use ferrodis_core as core;
