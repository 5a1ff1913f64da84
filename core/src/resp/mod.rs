//! The RESP2 and RESP3 codec: frame types, a streaming zero-copy decoder, and encoders for
//! commands and for every frame type.
//!
//! The decoder never allocates and never blocks: hand it the bytes you have, and it
//! returns a [`Frame`] borrowing from them plus the number of bytes it used, or how many
//! more bytes it needs at least. The encoders write into a caller's `&mut [u8]` (reporting
//! the size they needed when it is too short) or into any [`embedded_io::Write`].
//!
//! ```
//! use ferrodis_core::resp::{decode, encode_command, Arg, Decoded, Frame};
//!
//! let mut buf = [0u8; 64];
//! let n = encode_command(&mut buf, &[Arg::from("SET"), Arg::from("counter"), Arg::from(41)]).unwrap();
//! assert_eq!(&buf[..n], b"*3\r\n$3\r\nSET\r\n$7\r\ncounter\r\n$2\r\n41\r\n");
//!
//! match decode(b":42\r\n").unwrap() {
//!     Decoded::Complete { frame, consumed } => {
//!         assert_eq!(frame, Frame::Integer(42));
//!         assert_eq!(consumed, 5);
//!     }
//!     Decoded::Incomplete { needed } => unreachable!("{needed} more bytes"),
//! }
//! ```

pub(crate) mod command;
mod decode;
mod detached;
mod encode;
mod frame;
pub(crate) mod parse;

pub use command::{
    Arg, ArgSink, CommandArgs, Float, command_len, encode_args, encode_command, write_command,
};
pub use decode::{AttributeMode, DecodeState, Decoded, Decoder, Limits, MAX_DEPTH_CEILING, Skipped, decode};
pub use detached::DetachedFrame;
pub use encode::{Encoder, IoOutput, Output, SliceOutput, encode_frame, write_frame};
pub use frame::{Aggregate, Chunks, Double, Elements, Frame, Pairs, StreamedString};
