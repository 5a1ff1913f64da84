//! Owned replies and conversions for std users, in the shape redis-rs users know.
//!
//! - [`Value`]: an owned reply tree, built from a borrowed [`Frame`] with
//!   [`Value::from_frame`].
//! - [`FromValue`]: typed replies (`String`, integers, `Vec<T>`, `HashMap<K, V>`, tuples,
//!   `Option<T>`, ...), from a [`Value`] or straight from a borrowed [`Frame`] without
//!   building the tree first. Failures are a [`ConversionError`].
//! - [`InfoDict`]: the reply to `INFO`, field by field.
//! - [`ToArgs`]: how a Rust value becomes command arguments, pushed into an [`ArgSink`]
//!   without allocating for borrowed data (both core's, re-exported). [`Cmd`] (made by
//!   [`cmd`]) is core's command builder with heap storage.
//!
//! ```
//! use ferrodis_std::core::resp::{decode, Decoded};
//! use ferrodis_std::value::{cmd, FromValue, Value};
//!
//! let Decoded::Complete { frame, .. } = decode(b"*2\r\n$5\r\nhello\r\n:42\r\n").unwrap() else { panic!() };
//! let (text, n) = <(String, u8)>::from_frame(&frame).unwrap();
//! assert_eq!((text.as_str(), n), ("hello", 42));
//! assert_eq!(
//!     Value::from_frame(&frame),
//!     Value::Array(vec![Value::BulkString(b"hello".to_vec()), Value::Int(42)]),
//! );
//!
//! let mut del = cmd("DEL");
//! del.arg(&["k1", "k2"]).arg(Some("k3")).arg(None::<&str>);
//! assert_eq!(del.args().collect::<Vec<_>>(), [&b"DEL"[..], b"k1", b"k2", b"k3"]);
//! ```
//!
//! [`Frame`]: ferrodis_core::resp::Frame

mod cmd;
mod collections;
mod error;
mod from_value;
mod info;
mod owned;
mod to_args;

pub use cmd::{Cmd, cmd};
pub use error::{ConversionError, ConversionErrorKind};
pub use from_value::FromValue;
pub use info::InfoDict;
pub use owned::Value;
pub use to_args::{ArgSink, ToArgs};

#[cfg(test)]
mod tests;
