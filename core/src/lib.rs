//! `ferrodis-core`: everything about talking to Redis that is not I/O.
//!
//! - [`resp`]: the RESP2/RESP3 codec (zero-copy streaming decoder, command and frame
//!   encoders).
//! - [`conn`]: the connection engine, as pure logic (handshake, pipelines, transactions,
//!   push frames, streaming reads) under two thin shells, blocking over `embedded_io` and
//!   async over `embedded_io_async`.
//! - [`cmd`]: typed command builders, the generic [`cmd::Cmd`] builder for any command, and
//!   the command table generated from a real server (flags, key positions).
//! - [`reply`]: borrowing conversions of replies (`&str`, `&[u8]`, numbers, `Option`,
//!   heapless containers, maps, scored members, stream entries).
//! - [`cluster`]: Redis Cluster's key slots, redirects and slot map.
//! - [`sentinel`]: Redis Sentinel's master discovery, replica and sentinel listings and
//!   failover events.
//! - [`url`]: `redis://`, `rediss://` and `unix://` URLs as redis-py reads them, and
//!   `redis+sentinel://` ones.
//! - [`error`]: one small error enum per layer.
//!
//! The crate is `#![no_std]` and needs no allocator; it builds for bare-metal targets such
//! as `thumbv7em-none-eabihf`. Buffers are always the caller's: fixed slices and arrays, or
//! with the `alloc` feature heap buffers that grow up to a limit
//! (`conn::GrowableBuffer`).
//!
//! ```
//! use ferrodis_core::resp::{decode, Decoded, Frame};
//!
//! let reply = b"%1\r\n+server\r\n+redis\r\n";
//! let Decoded::Complete { frame: Frame::Map(map), .. } = decode(reply).unwrap() else { panic!() };
//! let (key, value) = map.pairs().next().unwrap();
//! assert_eq!((key, value), (Frame::SimpleString(b"server"), Frame::SimpleString(b"redis")));
//! ```
//!
//! # Features
#![doc = document_features::document_features!()]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(test, feature = "alloc"))]
extern crate alloc;
#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod cluster;
pub mod cmd;
pub mod conn;
pub mod error;
pub mod reply;
pub mod resp;
pub mod retry;
pub mod sentinel;
pub mod url;

pub use error::{
    DecodeError, Delivery, EncodeError, Error, ErrorKind, ServerError, ServerErrorKind, WriteError,
};
pub use url::UrlError;
