//! ferrodis: one Redis client for firmware and for servers.
//!
//! This facade re-exports the `#![no_std]` core ([`core`]: RESP2/RESP3 codec, command
//! encoding) and the std adapter ([`std_adapter`]).
//!
//! ```
//! use ferrodis::resp::{encode_command, Arg};
//!
//! let mut buf = [0u8; 64];
//! let n = encode_command(&mut buf, &[Arg::from("PING")]).unwrap();
//! assert_eq!(&buf[..n], b"*1\r\n$4\r\nPING\r\n");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub use ferrodis_core as core;
pub use ferrodis_core::{DecodeError, EncodeError, Error, error, resp};
pub use ferrodis_std as std_adapter;
