//! Conversions to scalars: bytes, text, numbers, flags, `+OK`.

use core::num::IntErrorKind;

use super::{FromFrame, ReplyError, ReplyType, expected, text, unexpected};
use crate::resp::Frame;

impl<'a> FromFrame<'a> for Frame<'a> {
    /// The frame itself, error replies included.
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
        Ok(frame)
    }
}

impl<'x> ReplyType for Frame<'x> {
    type At<'r> = Frame<'r>;
}

impl<'a> FromFrame<'a> for &'a [u8] {
    /// A bulk, simple or verbatim string (the text after `xxx:`); big numbers give their
    /// digits.
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
        match frame {
            Frame::BigNumber(digits) => Ok(digits),
            ref f => text(f).ok_or_else(|| unexpected(f, expected::TEXT)),
        }
    }
}

impl ReplyType for &[u8] {
    type At<'r> = &'r [u8];
}

impl<'a> FromFrame<'a> for &'a str {
    /// As `&[u8]`, checked to be UTF-8.
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
        let bytes = <&[u8]>::from_frame(frame)?;
        core::str::from_utf8(bytes).map_err(|_| ReplyError::InvalidUtf8)
    }
}

impl ReplyType for &str {
    type At<'r> = &'r str;
}

impl<const N: usize> FromFrame<'_> for heapless::String<N> {
    /// As `&str`, copied; longer than `N` bytes is [`ReplyError::Capacity`].
    fn from_frame(frame: Frame<'_>) -> Result<Self, ReplyError> {
        let text = <&str>::from_frame(frame)?;
        let mut s = heapless::String::new();
        s.push_str(text).map_err(|_| ReplyError::Capacity)?;
        Ok(s)
    }
}

/// The bytes of a string or big number that should hold a number, as `str`.
fn numeric_text<'a>(frame: &Frame<'a>, expected: &'static str) -> Result<&'a str, ReplyError> {
    let bytes = match *frame {
        Frame::BigNumber(digits) => digits,
        ref f => text(f).ok_or_else(|| unexpected(f, expected))?,
    };
    core::str::from_utf8(bytes).map_err(|_| ReplyError::InvalidNumber)
}

macro_rules! integers {
    ($($t:ty),*) => {$(
        impl FromFrame<'_> for $t {
            /// An integer reply, or a string or big number holding a decimal integer;
            /// out of range is [`ReplyError::Overflow`].
            fn from_frame(frame: Frame<'_>) -> Result<Self, ReplyError> {
                if let Frame::Integer(n) = frame {
                    return <$t>::try_from(n).map_err(|_| ReplyError::Overflow);
                }
                let text = numeric_text(&frame, expected::INTEGER)?;
                text.parse::<$t>().map_err(|e| match e.kind() {
                    IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => ReplyError::Overflow,
                    // A negative number for an unsigned type.
                    _ if text.parse::<i128>().is_ok() => ReplyError::Overflow,
                    _ => ReplyError::InvalidNumber,
                })
            }
        }
    )*};
}
integers!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

impl FromFrame<'_> for f64 {
    /// A double, an integer, or a string or big number holding a decimal number
    /// (`inf`, `-inf` and `nan` included).
    fn from_frame(frame: Frame<'_>) -> Result<Self, ReplyError> {
        match frame {
            Frame::Double(d) => Ok(d.value()),
            Frame::Integer(n) => Ok(n as f64),
            ref f => numeric_text(f, expected::DOUBLE)?.parse().map_err(|_| ReplyError::InvalidNumber),
        }
    }
}

impl FromFrame<'_> for f32 {
    /// As `f64`; a finite value beyond `f32`'s range is [`ReplyError::Overflow`].
    fn from_frame(frame: Frame<'_>) -> Result<Self, ReplyError> {
        let wide = f64::from_frame(frame)?;
        let narrow = wide as f32;
        if narrow.is_infinite() && wide.is_finite() { Err(ReplyError::Overflow) } else { Ok(narrow) }
    }
}

impl FromFrame<'_> for bool {
    /// A RESP3 boolean, or the integer (or numeric string) 0 or 1; other numbers are
    /// [`ReplyError::InvalidNumber`].
    fn from_frame(frame: Frame<'_>) -> Result<Self, ReplyError> {
        let n = match frame {
            Frame::Boolean(b) => return Ok(b),
            Frame::Integer(n) => n,
            ref f => match text(f) {
                Some(b"0") => 0,
                Some(b"1") => 1,
                Some(_) => return Err(ReplyError::InvalidNumber),
                None => return Err(unexpected(f, expected::BOOLEAN)),
            },
        };
        match n {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(ReplyError::InvalidNumber),
        }
    }
}

impl FromFrame<'_> for () {
    /// Any reply that is not an error reply, ignored.
    fn from_frame(frame: Frame<'_>) -> Result<Self, ReplyError> {
        if frame.is_error() { Err(unexpected(&frame, "")) } else { Ok(()) }
    }
}

/// The `+OK` status reply, as `SET`, `RENAME` or `FLUSHDB` send it.
///
/// Anything else, `+QUEUED` included, is an error; ask for `Option<Okay>` where the
/// command may answer null instead (`SET ... NX`).
///
/// ```
/// use ferrodis_core::reply::{FromFrame, Okay};
/// use ferrodis_core::resp::Frame;
///
/// assert_eq!(Okay::from_frame(Frame::SimpleString(b"OK")), Ok(Okay));
/// assert!(Okay::from_frame(Frame::SimpleString(b"QUEUED")).is_err());
/// assert_eq!(<Option<Okay>>::from_frame(Frame::NullBulkString), Ok(None));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Okay;

impl FromFrame<'_> for Okay {
    fn from_frame(frame: Frame<'_>) -> Result<Self, ReplyError> {
        match frame {
            Frame::SimpleString(b"OK") => Ok(Okay),
            Frame::SimpleString(_) => Err(ReplyError::UnexpectedType { expected: expected::OK, found: b'+' }),
            ref f => Err(unexpected(f, expected::OK)),
        }
    }
}

macro_rules! owned_reply_types {
    ($($t:ty),*) => {$(
        impl ReplyType for $t {
            type At<'r> = $t;
        }
    )*};
}
owned_reply_types!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64, bool, (), Okay);

impl<const N: usize> ReplyType for heapless::String<N> {
    type At<'r> = heapless::String<N>;
}
