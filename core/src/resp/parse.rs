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

/// The `\r\n` that ends every RESP line. (nom's `crlf` combinator costs several times
/// as much on this hottest of paths, so the terminal is matched directly.)
#[inline(always)]
pub(crate) fn crlf(input: &[u8]) -> PResult<'_, ()> {
    match input {
        [b'\r', b'\n', rest @ ..] => Ok((rest, ())),
        [] => incomplete(2),
        [b'\r'] => incomplete(1),
        _ => fail(DecodeError::MissingCrlf),
    }
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

/// Digits that always fit a `usize` (and an `i64`) without an overflow check.
const SAFE_DIGITS: usize = if usize::BITS >= 64 { 18 } else { 9 };

/// The end of a run of digits that was not followed by CRLF: more input, or `error`.
#[cold]
fn after_digits<T>(tail: &[u8], error: DecodeError) -> PResult<'_, T> {
    match tail {
        [] => incomplete(2),
        [b'\r'] => incomplete(1),
        _ => fail(error),
    }
}

/// Decimal digits (at least one) up to CRLF as an unsigned value, with overflow checks
/// only past the digits that cannot overflow.
#[inline(always)]
fn unsigned(input: &[u8], error: DecodeError) -> PResult<'_, u64> {
    let mut value: u64 = 0;
    let mut i = 0;
    while let Some(&byte) = input.get(i) {
        let digit = byte.wrapping_sub(b'0');
        if digit >= 10 {
            break;
        }
        if i >= SAFE_DIGITS {
            return unsigned_checked(input, i, value, error);
        }
        value = value * 10 + u64::from(digit);
        i += 1;
    }
    if i == 0 {
        return if input.is_empty() { incomplete(3) } else { fail(error) };
    }
    match input.get(i..i + 2) {
        Some(b"\r\n") => Ok((&input[i + 2..], value)),
        _ => after_digits(&input[i..], error),
    }
}

/// [`unsigned`] past its first `i` digits (worth `value`), checking every step.
#[inline(never)]
fn unsigned_checked(input: &[u8], mut i: usize, mut value: u64, error: DecodeError) -> PResult<'_, u64> {
    while let Some(&byte) = input.get(i) {
        let digit = byte.wrapping_sub(b'0');
        if digit >= 10 {
            break;
        }
        value = match value.checked_mul(10).and_then(|v| v.checked_add(u64::from(digit))) {
            Some(v) => v,
            None => return fail(error),
        };
        i += 1;
    }
    match input.get(i..i + 2) {
        Some(b"\r\n") => Ok((&input[i + 2..], value)),
        _ => after_digits(&input[i..], error),
    }
}

/// A length field: `-1` (RESP2 null) as `None`, otherwise a decimal `usize`.
///
/// Leading `+`, other negative numbers and values that overflow `usize` are errors.
#[inline(always)]
pub(crate) fn length(input: &[u8]) -> PResult<'_, Option<usize>> {
    if let Some(b'-') = input.first() {
        return null_length(input);
    }
    let (rest, n) = unsigned(input, DecodeError::InvalidLength)?;
    match usize::try_from(n) {
        Ok(n) => Ok((rest, Some(n))),
        Err(_) => fail(DecodeError::InvalidLength),
    }
}

/// The `-1` of a RESP2 null; any other negative length is an error.
#[cold]
fn null_length(input: &[u8]) -> PResult<'_, Option<usize>> {
    match input {
        [b'-'] => incomplete(3),
        [b'-', b'1', tail @ ..] => {
            let (rest, ()) = crlf(tail).map_err(|e| match e {
                Err::Error(_) => Err::Error(Fail(DecodeError::InvalidLength)),
                other => other,
            })?;
            Ok((rest, None))
        }
        _ => fail(DecodeError::InvalidLength),
    }
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
#[inline(always)]
pub(crate) fn integer(input: &[u8]) -> PResult<'_, i64> {
    let (negative, body) = match input {
        [b'-', body @ ..] => (true, body),
        [b'+', body @ ..] => (false, body),
        _ => (false, input),
    };
    if body.is_empty() {
        return incomplete(3);
    }
    let (rest, magnitude) = unsigned(body, DecodeError::InvalidInteger)?;
    let value = if negative {
        // i64::MIN's magnitude is one more than i64::MAX.
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    };
    match value {
        Some(v) => Ok((rest, v)),
        None => fail(DecodeError::InvalidInteger),
    }
}

/// A whole, well-formed bulk string (`$<len>\r\n<payload>\r\n`, `len <= max`) at the start
/// of `input`: its payload and encoded length. `None` for anything else (another type, a
/// partial frame, an error), which the general decoder then handles precisely. This is
/// the hot path of arrays of bulk strings, both when validating and when iterating.
#[inline(always)]
pub(crate) fn bulk_at(input: &[u8], max: usize) -> Option<(&[u8], usize)> {
    let [b'$', tail @ ..] = input else { return None };
    let mut len = 0usize;
    let mut i = 0;
    loop {
        let digit = tail.get(i)?.wrapping_sub(b'0');
        if digit >= 10 {
            break;
        }
        if i >= SAFE_DIGITS {
            return None;
        }
        len = len * 10 + usize::from(digit);
        i += 1;
    }
    if i == 0 || len > max {
        return None;
    }
    let body = tail.get(i..)?;
    let [b'\r', b'\n', body @ ..] = body else { return None };
    let payload = body.get(..len)?;
    if body.get(len..len + 2)? != b"\r\n" {
        return None;
    }
    Some((payload, 1 + i + 2 + len + 2))
}

/// [`bulk_at`] for bytes the decoder validated already: the CRLFs are not looked at again
/// (a wrong guess could only give a wrong slice, never read out of bounds).
#[inline(always)]
pub(crate) fn validated_bulk_at(input: &[u8]) -> Option<(&[u8], usize)> {
    let [b'$', tail @ ..] = input else { return None };
    let mut len = 0usize;
    let mut i = 0;
    loop {
        let digit = tail.get(i)?.wrapping_sub(b'0');
        if digit >= 10 {
            break;
        }
        if i >= SAFE_DIGITS {
            return None;
        }
        len = len * 10 + usize::from(digit);
        i += 1;
    }
    if i == 0 {
        return None;
    }
    let start = i + 2;
    let payload = tail.get(start..start + len)?;
    Some((payload, 1 + start + len + 2))
}

/// Exactly `len` payload bytes followed by CRLF.
#[inline(always)]
pub(crate) fn payload(input: &[u8], len: usize) -> PResult<'_, &[u8]> {
    let total = len.saturating_add(2);
    match input.get(len..total) {
        Some(b"\r\n") => Ok((&input[total..], &input[..len])),
        Some(_) => fail(DecodeError::MissingCrlf),
        None => incomplete(total - input.len()),
    }
}

/// Whether `text` is an optionally signed, non-empty run of decimal digits.
pub(crate) fn is_decimal(text: &[u8]) -> bool {
    let digits = match text.first() {
        Some(b'-' | b'+') => &text[1..],
        _ => text,
    };
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

/// Whether `text` is a RESP3 double: `[+|-]digits[.digits][(e|E)[+|-]digits]`, `inf`,
/// `-inf` or `nan` (the last three in any case). Checking the syntax is all the decoder
/// does; the value is computed only when asked for ([`double_value`]), so a program that
/// never reads a double links no float parsing.
pub(crate) fn is_double(text: &[u8]) -> bool {
    let unsigned = match text {
        [b'+' | b'-', rest @ ..] => rest,
        _ => text,
    };
    if unsigned.eq_ignore_ascii_case(b"inf") || unsigned.eq_ignore_ascii_case(b"nan") {
        return true;
    }
    let digits = |t: &[u8]| t.iter().take_while(|b| b.is_ascii_digit()).count();
    let whole = digits(unsigned);
    let mut rest = &unsigned[whole..];
    let mut fraction = 0;
    if let [b'.', tail @ ..] = rest {
        fraction = digits(tail);
        rest = &tail[fraction..];
    }
    if whole + fraction == 0 {
        return false;
    }
    if let [b'e' | b'E', tail @ ..] = rest {
        let tail = match tail {
            [b'+' | b'-', t @ ..] => t,
            t => t,
        };
        let exponent = digits(tail);
        return exponent > 0 && exponent == tail.len();
    }
    rest.is_empty()
}

/// The value of text that [`is_double`] accepted (NaN for anything else).
pub(crate) fn double_value(text: &[u8]) -> f64 {
    core::str::from_utf8(text).ok().and_then(|t| t.parse::<f64>().ok()).unwrap_or(f64::NAN)
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
        for good in
            [&b"1.5"[..], b"-inf", b"inf", b"+inf", b"nan", b"NaN", b"1e3", b"-1.5E-7", b"10", b".5", b"5."]
        {
            assert!(is_double(good), "{}", good.escape_ascii());
        }
        for bad in [&b""[..], b"1,5", b"abc", b"1e", b"e5", b".", b"-", b"1.2.3", b"infinity", b"1e+", b" 1"]
        {
            assert!(!is_double(bad), "{}", bad.escape_ascii());
        }
        assert_eq!(double_value(b"1.5"), 1.5);
        assert_eq!(double_value(b"-inf"), f64::NEG_INFINITY);
        assert!(double_value(b"nan").is_nan());
        assert_eq!(double_value(b"1e3"), 1000.0);
    }
}
