//! The RESP grammar's terminals as nom streaming parsers.
//!
//! Each parser takes the unconsumed input and returns `nom::Err::Incomplete` when the input
//! ends before the terminal does, so the decoder above it never confuses "not yet" with
//! "wrong". Lengths and integers are parsed with checked arithmetic; nothing here allocates,
//! recurses or indexes out of bounds.

use core::num::NonZeroUsize;

use nom::error::{ErrorKind, ParseError};
use nom::{Err, IResult, Needed};

use crate::error::DecodeError;

/// The nom error type of the RESP grammar: a [`DecodeError`] with no input attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fail(pub(crate) DecodeError);

impl<I> ParseError<I> for Fail {
    fn from_error_kind(_input: I, kind: ErrorKind) -> Self {
        match kind {
            ErrorKind::CrLf => Fail(DecodeError::MissingCrlf),
            _ => Fail(DecodeError::InvalidLine),
        }
    }

    fn append(_input: I, _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

/// A nom result over RESP bytes.
pub(crate) type PResult<'a, O> = IResult<&'a [u8], O, Fail>;

/// Fails the current parse with `error`.
pub(crate) fn fail<'a, O>(error: DecodeError) -> PResult<'a, O> {
    Err(Err::Error(Fail(error)))
}

/// Asks for at least `n` more bytes (`n == 0` is taken as 1).
pub(crate) fn incomplete<'a, O>(n: usize) -> PResult<'a, O> {
    Err(Err::Incomplete(Needed::Size(NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN))))
}

/// The `\r\n` that ends every RESP line.
pub(crate) fn crlf(input: &[u8]) -> PResult<'_, ()> {
    if input == b"\r" {
        // nom asks for the whole tag again; one byte is what is actually missing.
        return incomplete(1);
    }
    let (rest, _) = nom::character::streaming::crlf(input)?;
    Ok((rest, ()))
}

/// A line up to (not including) its CRLF. A lone CR or LF inside the line is an error, so a
/// peer that ends lines with `\n` alone is rejected instead of waited for forever.
pub(crate) fn line(input: &[u8]) -> PResult<'_, &[u8]> {
    match memchr::memchr2(b'\r', b'\n', input) {
        None => incomplete(2),
        Some(at) => {
            let (text, tail) = input.split_at(at);
            let (rest, ()) = crlf(tail).map_err(|e| match e {
                Err::Error(_) => Err::Error(Fail(DecodeError::InvalidLine)),
                other => other,
            })?;
            Ok((rest, text))
        }
    }
}

/// Decimal digits up to CRLF, folded with `step`; at most 20 digits are read.
#[inline(always)]
fn digits_then_crlf<T: Copy>(
    input: &[u8],
    start: T,
    error: DecodeError,
    step: impl Fn(T, u8) -> Option<T>,
) -> PResult<'_, T> {
    let mut value = start;
    let mut i = 0;
    loop {
        let Some(&byte) = input.get(i) else {
            return incomplete(2);
        };
        match byte {
            b'0'..=b'9' => match step(value, byte - b'0') {
                Some(next) => value = next,
                None => return fail(error),
            },
            b'\r' if i > 0 => {
                let (rest, ()) = crlf(&input[i..])
                    .map_err(|e| if let Err::Error(_) = e { Err::Error(Fail(error)) } else { e })?;
                return Ok((rest, value));
            }
            _ => return fail(error),
        }
        i += 1;
    }
}

/// A length field: `-1` (RESP2 null) as `None`, otherwise a decimal `usize`.
///
/// Leading `+`, other negative numbers and values that overflow `usize` are errors.
pub(crate) fn length(input: &[u8]) -> PResult<'_, Option<usize>> {
    if let Some(b'-') = input.first() {
        let rest = &input[1..];
        return match rest.first() {
            None => incomplete(3),
            Some(b'1') => {
                let (rest, ()) = crlf(&rest[1..]).map_err(|e| {
                    if let Err::Error(_) = e { Err::Error(Fail(DecodeError::InvalidLength)) } else { e }
                })?;
                Ok((rest, None))
            }
            Some(_) => fail(DecodeError::InvalidLength),
        };
    }
    let (rest, n) = digits_then_crlf(input, 0usize, DecodeError::InvalidLength, |acc, d| {
        acc.checked_mul(10)?.checked_add(usize::from(d))
    })?;
    Ok((rest, Some(n)))
}

/// The `?` length of a streamed string or aggregate: `Some(rest)` after `?\r\n`, `None`
/// when the length is not `?`.
pub(crate) fn streamed(input: &[u8]) -> Option<PResult<'_, ()>> {
    match input.split_first() {
        Some((b'?', tail)) => Some(crlf(tail).map_err(|e| match e {
            Err::Error(_) => Err::Error(Fail(DecodeError::InvalidLength)),
            other => other,
        })),
        _ => None,
    }
}

/// A signed 64-bit integer (`[+|-]digits`) up to CRLF.
pub(crate) fn integer(input: &[u8]) -> PResult<'_, i64> {
    let (negative, body) = match input.first() {
        Some(b'-') => (true, &input[1..]),
        Some(b'+') => (false, &input[1..]),
        _ => (false, input),
    };
    // Accumulate towards the sign so that i64::MIN parses without overflow.
    if negative {
        digits_then_crlf(body, 0i64, DecodeError::InvalidInteger, |acc, d| {
            acc.checked_mul(10)?.checked_sub(i64::from(d))
        })
    } else {
        digits_then_crlf(body, 0i64, DecodeError::InvalidInteger, |acc, d| {
            acc.checked_mul(10)?.checked_add(i64::from(d))
        })
    }
}

/// Exactly `len` payload bytes followed by CRLF.
pub(crate) fn payload(input: &[u8], len: usize) -> PResult<'_, &[u8]> {
    let total = len.saturating_add(2);
    if input.len() < total {
        return incomplete(total - input.len());
    }
    let (data, tail) = input.split_at(len);
    if &tail[..2] != b"\r\n" {
        return fail(DecodeError::MissingCrlf);
    }
    Ok((&tail[2..], data))
}

/// Whether `text` is an optionally signed, non-empty run of decimal digits.
pub(crate) fn is_decimal(text: &[u8]) -> bool {
    let digits = match text.first() {
        Some(b'-' | b'+') => &text[1..],
        _ => text,
    };
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

/// Parses the text of a RESP3 double: a decimal or exponent number, `inf`, `-inf` or `nan`.
pub(crate) fn double(text: &[u8]) -> Option<f64> {
    // Only the characters a number can use; this keeps `str::parse` from seeing anything
    // exotic and rejects empty text.
    let valid = !text.is_empty()
        && text.len() <= 512
        && text.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !valid {
        return None;
    }
    core::str::from_utf8(text).ok()?.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A length field and what it parses to.
    type LengthCase = (&'static [u8], Result<Option<usize>, DecodeError>);

    #[test]
    fn lengths() {
        let cases: &[LengthCase] = &[
            (b"0\r\n", Ok(Some(0))),
            (b"42\r\n", Ok(Some(42))),
            (b"-1\r\n", Ok(None)),
            (b"-2\r\n", Err(DecodeError::InvalidLength)),
            (b"-0\r\n", Err(DecodeError::InvalidLength)),
            (b"+5\r\n", Err(DecodeError::InvalidLength)),
            (b"\r\n", Err(DecodeError::InvalidLength)),
            (b"1x\r\n", Err(DecodeError::InvalidLength)),
            (b"1\rx", Err(DecodeError::InvalidLength)),
            (b"-1\rx", Err(DecodeError::InvalidLength)),
            (b"99999999999999999999999\r\n", Err(DecodeError::InvalidLength)),
        ];
        for (input, expected) in cases {
            let got = length(input).map(|(_, v)| v).map_err(|e| match e {
                Err::Error(Fail(e)) | Err::Failure(Fail(e)) => e,
                Err::Incomplete(_) => panic!("incomplete for {input:?}"),
            });
            assert_eq!(&got, expected, "input {:?}", core::str::from_utf8(input));
        }
        assert!(matches!(length(b"12"), Err(Err::Incomplete(_))));
        assert!(matches!(length(b"-"), Err(Err::Incomplete(_))));
        assert!(matches!(length(b"-1\r"), Err(Err::Incomplete(_))));
    }

    #[test]
    fn integers() {
        assert_eq!(integer(b"-9223372036854775808\r\n").unwrap().1, i64::MIN);
        assert_eq!(integer(b"9223372036854775807\r\n").unwrap().1, i64::MAX);
        assert_eq!(integer(b"+7\r\n").unwrap().1, 7);
        assert!(matches!(integer(b"9223372036854775808\r\n"), Err(Err::Error(_))));
        assert!(matches!(integer(b"-\r\n"), Err(Err::Error(_))));
        assert!(matches!(integer(b"1 \r\n"), Err(Err::Error(_))));
    }

    #[test]
    fn lines_reject_lone_cr_and_lf() {
        assert_eq!(line(b"OK\r\nrest").unwrap(), (&b"rest"[..], &b"OK"[..]));
        assert!(matches!(line(b"OK\n"), Err(Err::Error(Fail(DecodeError::InvalidLine)))));
        assert!(matches!(line(b"O\rK\r\n"), Err(Err::Error(Fail(DecodeError::InvalidLine)))));
        assert!(matches!(line(b"OK\r"), Err(Err::Incomplete(_))));
        assert!(matches!(line(b"OK"), Err(Err::Incomplete(_))));
    }

    #[test]
    fn doubles() {
        assert_eq!(double(b"1.5"), Some(1.5));
        assert_eq!(double(b"-inf"), Some(f64::NEG_INFINITY));
        assert!(double(b"nan").unwrap().is_nan());
        assert_eq!(double(b"1e3"), Some(1000.0));
        assert_eq!(double(b""), None);
        assert_eq!(double(b"1,5"), None);
        assert_eq!(double(b"abc"), None);
    }
}
