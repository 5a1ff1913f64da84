//! `ferrodis-std`: the std and Tokio side of ferrodis.
//!
//! For now it re-exports the codec of [`ferrodis_core`]; the blocking and Tokio clients
//! arrive on top of it.
//!
//! ```
//! use ferrodis_std::core::resp::{decode, Decoded, Frame};
//!
//! assert!(matches!(decode(b"+PONG\r\n"), Ok(Decoded::Complete { frame: Frame::SimpleString(b"PONG"), .. })));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub use ferrodis_core as core;
