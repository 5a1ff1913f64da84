//! `ferrodis-std`: ferrodis on std and Tokio.
//!
//! A [`Client`] holds a [`ConnectionConfig`] (built with [`ClientBuilder`]) and opens
//! blocking [`Connection`]s over TCP or unix sockets. Every protocol step is the no_std
//! core's ([`core`]): this crate adds sockets, timeouts, keepalive and owned errors.
//!
//! ```
//! use ferrodis_std::core::resp::{decode, Decoded, Frame};
//!
//! assert!(matches!(decode(b"+PONG\r\n"), Ok(Decoded::Complete { frame: Frame::SimpleString(b"PONG"), .. })));
//! ```
//!
//! # Features
#![doc = document_features::document_features!()]
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod cluster;
mod command_table;
mod commands;
mod config;
mod connection;
mod credentials;
mod error;
#[cfg(feature = "tokio")]
mod multiplexed;
mod on_connect;
mod pool;
mod random;
#[cfg(feature = "tokio")]
mod reconnecting;
mod resolver;
mod sentinel;
#[cfg_attr(not(feature = "tls"), path = "tls_unavailable.rs")]
mod tls;
// Without TLS nothing is built: the cache sits in TlsOptions unused.
#[cfg_attr(not(feature = "tls"), allow(dead_code))]
mod tls_cache;
mod trace;
mod transport;
mod url;
pub mod value;

/// The traits a program that sends commands imports: `use ferrodis_std::prelude::*;`.
///
/// ```
/// use ferrodis_std::prelude::*;
///
/// fn bump<C: Commands>(conn: &mut C) -> ferrodis_std::Result<i64> {
///     cmd("INCR").with_arg("hits").query(conn)
/// }
/// # let _ = bump::<ferrodis_std::Connection>;
/// ```
pub mod prelude {
    #[cfg(feature = "tokio")]
    pub use crate::AsyncCommands;
    pub use crate::{CmdQuery, Commands, FromValue, ToArgs, cmd};
}

pub use ferrodis_core as core;
pub use ferrodis_core::conn::{Protocol, TransactionOutcome};
pub use ferrodis_core::error::{Delivery, ServerErrorKind};
pub use ferrodis_core::resp::{Arg, Frame};

pub use client::Client;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use cluster::AsyncClusterClient;
pub use cluster::{AddressRemapFn, ClusterClient, ClusterConfig, ClusterNode, ClusterSlotMap};
pub use command_table::{CommandTable, KnownCommand, LoadedCommand};
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use commands::{AsyncCommands, AsyncPipelineConnection, ScanStream};
pub use commands::{
    CmdQuery, Commands, Direction, ExistenceCheck, Expiry, Pipeline, PipelineConnection, ScanIter,
    ScanOptions, SetExpiry, SetOptions, StreamMaxlen, StreamReadOptions, pipe,
};
pub use config::{
    Address, CertificateCheck, ClientBuilder, ConnectionConfig, DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_SOCKET_TIMEOUT, Keepalive, Password, TlsOptions, TlsVersion,
};
pub use connection::Connection;
pub use credentials::{CredentialProvider, CredentialSource, Credentials, CredentialsFile};
pub use error::{Error, ErrorKind, Result, ServerError};
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use multiplexed::MultiplexedConnection;
pub use on_connect::ConnectHook;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use on_connect::{AsyncConnectHook, HookFuture};
#[cfg(feature = "tokio")]
pub use pool::{AsyncConnectionPool, AsyncPooledConnection};
pub use pool::{ConnectionPool, PooledConnection};
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use reconnecting::ReconnectingConnection;
pub use resolver::{AddressResolver, Resolved};
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use sentinel::AsyncSentinel;
pub use sentinel::url::SentinelService;
pub use sentinel::{MAX_SENTINELS, Sentinel, SentinelVerdict};
pub use value::{
    ArgSink, Cmd, ConversionError, ConversionErrorKind, FromValue, InfoDict, ToArgs, Value, cmd,
};
