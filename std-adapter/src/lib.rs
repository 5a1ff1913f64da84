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
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

mod buffer;
mod client;
mod commands;
mod config;
mod connection;
mod error;
mod multiplexed;
mod tls;
mod transport;
mod url;
pub mod value;

pub use ferrodis_core as core;
pub use ferrodis_core::conn::{Protocol, TransactionOutcome};
pub use ferrodis_core::error::{Delivery, ServerErrorKind};
pub use ferrodis_core::resp::{Arg, Frame};

pub use client::Client;
pub use commands::{
    AsyncCommands, Commands, Direction, ExistenceCheck, Expiry, Pipeline, ScanIter, ScanOptions, ScanStream,
    SetExpiry, SetOptions, StreamMaxlen, StreamReadOptions, pipe,
};
pub use config::{
    Address, CertificateCheck, ClientBuilder, ConnectionConfig, Keepalive, Password, TlsOptions, TlsVersion,
};
pub use connection::Connection;
pub use error::{Error, ErrorKind, Result, ServerError};
pub use multiplexed::MultiplexedConnection;
pub use value::{
    ArgSink, Cmd, ConversionError, ConversionErrorKind, FromValue, InfoDict, ToArgs, Value, cmd,
};
