//! ferrodis: one Redis client for firmware and for servers.
//!
//! This facade is what a std or Tokio application depends on. It re-exports the client of
//! [`ferrodis_std`] ([`Client`], [`Connection`], [`MultiplexedConnection`], ...) at the top
//! and the `#![no_std]` core as [`core`] (RESP codec, command encoding, connection engine,
//! URL parser), so firmware and server code share one vocabulary.
//!
//! ```
//! use ferrodis::resp::{encode_command, Arg};
//!
//! let mut buf = [0u8; 64];
//! let n = encode_command(&mut buf, &[Arg::from("PING")]).unwrap();
//! assert_eq!(&buf[..n], b"*1\r\n$4\r\nPING\r\n");
//! ```
//!
//! ```no_run
//! let client = ferrodis::Client::open("redis://127.0.0.1:6379/0")?;
//! let mut conn = client.get_connection()?;
//! conn.request_with(&["SET".into(), "greeting".into(), "hello".into()], |_| ())?;
//! # Ok::<(), ferrodis::Error>(())
//! ```
//!
//! # Features
#![doc = document_features::document_features!()]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs, unreachable_pub)]

pub mod migrating;

pub use ferrodis_core as core;
pub use ferrodis_core::{resp, url};
pub use ferrodis_std::*;
