//! `ferrodis-embassy`: ferrodis over embassy-net sockets, for microcontrollers.
//!
//! `#![no_std]` and allocation-free. For now it re-exports the core codec; the embassy-net
//! socket binding arrives with the firmware issue.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs, unreachable_pub)]

pub use ferrodis_core as core;
