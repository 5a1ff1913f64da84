//! Command encoding: a command is an array of bulk strings.

use super::encode::{IoOutput, Output, SliceOutput};
use crate::error::{EncodeError, WriteError};

/// One command argument. Integers are formatted as decimal text on the fly, floats when
/// the argument is made ([`Float`]), without allocation; bytes and strings are sent as
/// they are.
///
/// ```
/// use ferrodis_core::resp::Arg;
///
/// let args = [Arg::from("EXPIRE"), Arg::from(b"key".as_slice()), Arg::from(60u32)];
/// assert_eq!(args[2], Arg::Uint(60));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Arg<'a> {
    /// Raw bytes (binary safe).
    Bytes(&'a [u8]),
    /// A signed integer, sent as decimal text.
    Int(i64),
    /// An unsigned integer, sent as decimal text.
    Uint(u64),
    /// A float, sent in its shortest exact decimal form (`inf`, `-inf` for infinities).
    Float(Float),
}

/// A float argument as the text it is sent as: its shortest exact decimal form (`0.1`,
/// `1e300`), or `inf`, `-inf`, `nan`. The text is made when the float is, so a program that
/// never sends a float links no float formatting (which matters on firmware).
///
/// ```
/// use ferrodis_core::resp::{Arg, Float};
///
/// assert_eq!(Float::new(0.5).text(), b"0.5");
/// assert_eq!(Float::new(f64::NEG_INFINITY).text(), b"-inf");
/// assert_eq!(Arg::from(2.5f32), Arg::Float(Float::new(2.5)));
/// ```
#[derive(Clone, Copy)]
pub struct Float {
    text: [u8; 24],
    len: u8,
}

impl Float {
    /// `value` as its text.
    pub fn new(value: f64) -> Float {
        let mut digits = ryu::Buffer::new();
        let text = float_text(&mut digits, value);
        let mut out = Float { text: [0; 24], len: text.len() as u8 };
        out.text[..text.len()].copy_from_slice(text);
        out
    }

    /// The text sent.
    pub fn text(&self) -> &[u8] {
        &self.text[..usize::from(self.len)]
    }
}

impl PartialEq for Float {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text()
    }
}

impl core::fmt::Debug for Float {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", self.text().escape_ascii())
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Float {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=[u8]:a}", self.text())
    }
}

impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(b: &'a [u8]) -> Self {
        Arg::Bytes(b)
    }
}

impl<'a, const N: usize> From<&'a [u8; N]> for Arg<'a> {
    fn from(b: &'a [u8; N]) -> Self {
        Arg::Bytes(b)
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Bytes(s.as_bytes())
    }
}

macro_rules! int_args {
    ($variant:ident as $wide:ty: $($t:ty),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(n: $t) -> Self {
                Arg::$variant(<$wide>::from(n))
            }
        }
    )*};
}
int_args!(Int as i64: i8, i16, i32, i64);
int_args!(Uint as u64: u8, u16, u32, u64);

impl From<f64> for Arg<'_> {
    fn from(f: f64) -> Self {
        Arg::Float(Float::new(f))
    }
}

impl From<f32> for Arg<'_> {
    fn from(f: f32) -> Self {
        Arg::Float(Float::new(f64::from(f)))
    }
}

impl From<usize> for Arg<'_> {
    fn from(n: usize) -> Self {
        // usize is at most 64 bits on every supported target.
        Arg::Uint(n as u64)
    }
}

impl From<isize> for Arg<'_> {
    fn from(n: isize) -> Self {
        Arg::Int(n as i64)
    }
}

/// The bytes an argument puts on the wire: its own, or its number's text, formatted in
/// `digits`.
#[inline(always)]
fn arg_bytes<'a>(arg: &'a Arg<'_>, digits: &'a mut itoa::Buffer) -> &'a [u8] {
    match arg {
        Arg::Bytes(b) => b,
        Arg::Int(n) => digits.format(*n).as_bytes(),
        Arg::Uint(n) => digits.format(*n).as_bytes(),
        Arg::Float(f) => f.text(),
    }
}

/// Writes `$len\r\n<bytes>\r\n`.
#[inline(always)]
fn bulk<O: Output>(out: &mut O, bytes: &[u8]) -> Result<(), O::Error> {
    let mut len = itoa::Buffer::new();
    out.put(b"$")?;
    out.put(len.format(bytes.len()).as_bytes())?;
    out.put(b"\r\n")?;
    out.put(bytes)?;
    out.put(b"\r\n")
}

/// A command's arguments, name first, readable by position: a slice or array of
/// [`Arg`]s, or a typed command builder. Encoders and connections take any of them.
///
/// ```
/// use ferrodis_core::resp::{Arg, CommandArgs, encode_args};
///
/// /// `INCRBY key by`, without an argument array.
/// struct IncrBy<'a>(&'a str, i64);
///
/// impl CommandArgs for IncrBy<'_> {
///     fn arg_count(&self) -> usize {
///         3
///     }
///     fn arg(&self, index: usize) -> Arg<'_> {
///         match index {
///             0 => Arg::from("INCRBY"),
///             1 => Arg::from(self.0),
///             _ => Arg::from(self.1),
///         }
///     }
/// }
///
/// let mut buf = [0u8; 64];
/// let n = encode_args(&mut buf, &IncrBy("hits", 2)).unwrap();
/// assert_eq!(&buf[..n], b"*3\r\n$6\r\nINCRBY\r\n$4\r\nhits\r\n$1\r\n2\r\n");
/// ```
pub trait CommandArgs {
    /// How many arguments there are, the name included.
    fn arg_count(&self) -> usize;

    /// The argument at `index` (0 is the command name), for `index < arg_count()`.
    fn arg(&self, index: usize) -> Arg<'_>;
}

impl CommandArgs for [Arg<'_>] {
    fn arg_count(&self) -> usize {
        self.len()
    }

    fn arg(&self, index: usize) -> Arg<'_> {
        self.get(index).copied().unwrap_or(Arg::Bytes(&[]))
    }
}

impl<const N: usize> CommandArgs for [Arg<'_>; N] {
    fn arg_count(&self) -> usize {
        N
    }

    fn arg(&self, index: usize) -> Arg<'_> {
        self.get(index).copied().unwrap_or(Arg::Bytes(&[]))
    }
}

impl<C: CommandArgs + ?Sized> CommandArgs for &C {
    fn arg_count(&self) -> usize {
        (**self).arg_count()
    }

    fn arg(&self, index: usize) -> Arg<'_> {
        (**self).arg(index)
    }
}

/// Encodes the command `args` into any [`Output`].
pub(crate) fn command<O: Output, C: CommandArgs + ?Sized>(out: &mut O, args: &C) -> Result<(), O::Error> {
    let count = args.arg_count();
    if count == 0 {
        return Err(EncodeError::EmptyCommand.into());
    }
    let mut digits = itoa::Buffer::new();
    out.put(b"*")?;
    out.put(digits.format(count).as_bytes())?;
    out.put(b"\r\n")?;
    for index in 0..count {
        let arg = args.arg(index);
        let mut digits = itoa::Buffer::new();
        bulk(out, arg_bytes(&arg, &mut digits))?;
    }
    Ok(())
}

/// One piece of an encoded command: a short header or number formatted in place, or an
/// argument's own bytes. See [`command_segments`].
#[derive(Debug, Clone)]
pub enum Segment<'a> {
    /// Formatted text (`*3\r\n`, `$5\r\n`, a number argument with its header).
    Inline(heapless::Vec<u8, 48>),
    /// Bytes borrowed from an argument, or a CRLF.
    Borrowed(&'a [u8]),
}

impl core::ops::Deref for Segment<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Segment::Inline(v) => v,
            Segment::Borrowed(b) => b,
        }
    }
}

/// The encoding of a command as a sequence of byte pieces, for writing a command of any
/// size to a transport without a buffer that holds it whole.
///
/// ```
/// use ferrodis_core::resp::{command_segments, Arg};
///
/// let args = [Arg::from("SET"), Arg::from("k"), Arg::from(12)];
/// let wire: Vec<u8> = command_segments(&args).flat_map(|s| s.to_vec()).collect();
/// assert_eq!(wire, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n12\r\n");
/// ```
pub fn command_segments<'a, C: CommandArgs + ?Sized>(args: &'a C) -> impl Iterator<Item = Segment<'a>> + 'a {
    let header = {
        let mut v = heapless::Vec::new();
        let mut n = itoa::Buffer::new();
        let _ = v.push(b'*');
        let _ = v.extend_from_slice(n.format(args.arg_count()).as_bytes());
        let _ = v.extend_from_slice(b"\r\n");
        Segment::Inline(v)
    };
    core::iter::once(header).chain((0..args.arg_count()).flat_map(move |index| {
        let arg = args.arg(index);
        let mut inline: heapless::Vec<u8, 48> = heapless::Vec::new();
        let borrowed: &'a [u8] = match arg {
            Arg::Bytes(b) => b,
            _ => &[],
        };
        let mut text = [0u8; 32];
        let text_len = match arg {
            Arg::Bytes(b) => b.len(),
            Arg::Int(n) => copy(&mut text, itoa::Buffer::new().format(n).as_bytes()),
            Arg::Uint(n) => copy(&mut text, itoa::Buffer::new().format(n).as_bytes()),
            Arg::Float(f) => copy(&mut text, f.text()),
        };
        let mut n = itoa::Buffer::new();
        let _ = inline.push(b'$');
        let _ = inline.extend_from_slice(n.format(text_len).as_bytes());
        let _ = inline.extend_from_slice(b"\r\n");
        if !matches!(arg, Arg::Bytes(_)) {
            let _ = inline.extend_from_slice(&text[..text_len]);
        }
        [Segment::Inline(inline), Segment::Borrowed(borrowed), Segment::Borrowed(b"\r\n")]
    }))
}

/// Copies `src` into `dst`, returning its length.
fn copy(dst: &mut [u8; 32], src: &[u8]) -> usize {
    let n = src.len().min(dst.len());
    dst[..n].copy_from_slice(&src[..n]);
    n
}

/// A float argument's text: `inf`, `-inf`, `nan`, or its shortest exact decimal form.
fn float_text(digits: &mut ryu::Buffer, f: f64) -> &[u8] {
    if f.is_nan() {
        b"nan"
    } else if f.is_infinite() {
        if f > 0.0 { b"inf" } else { b"-inf" }
    } else {
        digits.format_finite(f).as_bytes()
    }
}

/// Encodes the command `args` (name first) at the start of `out`; returns its length, or
/// [`EncodeError::BufferTooSmall`] with the length it needs.
///
/// ```
/// use ferrodis_core::resp::{encode_command, Arg};
/// use ferrodis_core::EncodeError;
///
/// let mut buf = [0u8; 32];
/// let n = encode_command(&mut buf, &["GET".into(), "k".into()]).unwrap();
/// assert_eq!(&buf[..n], b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
/// assert_eq!(
///     encode_command(&mut buf[..8], &[Arg::from("PING")]),
///     Err(EncodeError::BufferTooSmall { needed: 14 }),
/// );
/// ```
pub fn encode_command(out: &mut [u8], args: &[Arg<'_>]) -> Result<usize, EncodeError> {
    encode_args(out, args)
}

/// [`encode_command`] for any [`CommandArgs`], such as a typed command builder.
#[inline]
pub fn encode_args<C: CommandArgs + ?Sized>(out: &mut [u8], args: &C) -> Result<usize, EncodeError> {
    if let Some(n) = encode_fitting(out, args) {
        return Ok(n);
    }
    // Empty, or it does not fit: the general path says which, and what it needs.
    let mut output = SliceOutput::new(out);
    command(&mut output, args)?;
    output.finish()
}

/// The encoding of `args` at the start of `out` in one pass, room checked once per
/// argument; `None` when it does not fit (or has no name).
#[inline]
fn encode_fitting<C: CommandArgs + ?Sized>(out: &mut [u8], args: &C) -> Option<usize> {
    let count = args.arg_count();
    if count == 0 {
        return None;
    }
    let mut at = header(out, 0, b'*', count)?;
    for index in 0..count {
        let arg = args.arg(index);
        let mut digits = itoa::Buffer::new();
        at = bulk_fitting(out, at, arg_bytes(&arg, &mut digits))?;
    }
    Some(at)
}

/// `$len\r\n<bytes>\r\n` at `out[at..]`; the position after it.
#[inline(always)]
fn bulk_fitting(out: &mut [u8], at: usize, bytes: &[u8]) -> Option<usize> {
    let at = header(out, at, b'$', bytes.len())?;
    let end = at.checked_add(bytes.len())?;
    out.get_mut(at..end)?.copy_from_slice(bytes);
    let crlf = out.get_mut(end..end + 2)?;
    crlf.copy_from_slice(b"\r\n");
    Some(end + 2)
}

/// `<marker><n>\r\n` at `out[at..]`; the position after it. Lengths under 1000 (nearly
/// all of them) are written digit by digit, the rest through `itoa`.
#[inline(always)]
fn header(out: &mut [u8], at: usize, marker: u8, n: usize) -> Option<usize> {
    let digit = |d: usize| b'0' + (d % 10) as u8;
    let end = match n {
        0..=9 => {
            let dst = out.get_mut(at..at + 4)?;
            dst.copy_from_slice(&[marker, digit(n), b'\r', b'\n']);
            at + 4
        }
        10..=99 => {
            let dst = out.get_mut(at..at + 5)?;
            dst.copy_from_slice(&[marker, digit(n / 10), digit(n), b'\r', b'\n']);
            at + 5
        }
        100..=999 => {
            let dst = out.get_mut(at..at + 6)?;
            dst.copy_from_slice(&[marker, digit(n / 100), digit(n / 10), digit(n), b'\r', b'\n']);
            at + 6
        }
        _ => {
            let mut digits = itoa::Buffer::new();
            let text = digits.format(n).as_bytes();
            let end = at + 1 + text.len() + 2;
            let dst = out.get_mut(at..end)?;
            dst[0] = marker;
            dst[1..1 + text.len()].copy_from_slice(text);
            dst[1 + text.len()..].copy_from_slice(b"\r\n");
            end
        }
    };
    Some(end)
}

/// Writes the command `args` (name first) to `writer`, without flushing.
pub fn write_command<W: embedded_io::Write>(
    writer: &mut W,
    args: &[Arg<'_>],
) -> Result<(), WriteError<W::Error>> {
    command(&mut IoOutput(writer), args)
}

/// The encoded length of the command `args`, for sizing a buffer up front.
pub fn command_len<C: CommandArgs + ?Sized>(args: &C) -> usize {
    let mut output = SliceOutput::new(&mut []);
    match command(&mut output, args) {
        Ok(()) => match output.finish() {
            Ok(n) | Err(EncodeError::BufferTooSmall { needed: n }) => n,
            Err(_) => 0,
        },
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_of_every_kind_become_bulk_strings() {
        let cases: &[(&[Arg<'_>], &[u8])] = &[
            (&[Arg::from("PING")], b"*1\r\n$4\r\nPING\r\n"),
            (
                &[Arg::from("SET"), Arg::from(b"k\r\n"), Arg::from(b"".as_slice())],
                b"*3\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$0\r\n\r\n",
            ),
            (
                &[Arg::from("INCRBY"), Arg::from("n"), Arg::from(i64::MIN)],
                b"*3\r\n$6\r\nINCRBY\r\n$1\r\nn\r\n$20\r\n-9223372036854775808\r\n",
            ),
            (&[Arg::from(u64::MAX)], b"*1\r\n$20\r\n18446744073709551615\r\n"),
            (
                &[Arg::from(0.5f64), Arg::from(f64::INFINITY), Arg::from(f64::NEG_INFINITY)],
                b"*3\r\n$3\r\n0.5\r\n$3\r\ninf\r\n$4\r\n-inf\r\n",
            ),
            (&[Arg::from(1e300)], b"*1\r\n$5\r\n1e300\r\n"),
            (
                &[Arg::from(3u8), Arg::from(-3i8), Arg::from(7usize)],
                b"*3\r\n$1\r\n3\r\n$2\r\n-3\r\n$1\r\n7\r\n",
            ),
        ];
        for (args, wire) in cases {
            let mut buf = [0u8; 128];
            let n = encode_command(&mut buf, args).unwrap();
            assert_eq!(&buf[..n], *wire, "{args:?}");
            assert_eq!(command_len(args), n);
            let mut writer: &mut [u8] = &mut [0u8; 128];
            write_command(&mut writer, args).unwrap();
        }
    }

    #[test]
    fn the_one_pass_encoder_writes_what_the_general_one_does() {
        for len in [0usize, 1, 9, 10, 99, 100, 999, 1000, 12_345] {
            let value = std::vec![b'x'; len];
            let args = [Arg::from("SET"), Arg::Bytes(&value), Arg::from(-7), Arg::from(len), Arg::from(0.25)];
            let mut fast = std::vec![0u8; len + 128];
            let n = encode_args(&mut fast, &args).unwrap();
            let mut general = std::vec![0u8; len + 128];
            let mut output = SliceOutput::new(&mut general);
            command(&mut output, &args).unwrap();
            assert_eq!(output.finish(), Ok(n));
            assert_eq!(fast[..n], general[..n], "{len}");
        }
    }

    #[test]
    fn a_command_needs_a_name() {
        assert_eq!(encode_command(&mut [0u8; 8], &[]), Err(EncodeError::EmptyCommand));
        assert_eq!(command_len(&[]), 0);
    }

    #[test]
    fn a_short_buffer_reports_the_size_it_needed_and_an_exact_one_is_enough() {
        let args = [Arg::from("SET"), Arg::from("key:1"), Arg::from([7u8; 16].as_slice())];
        let needed = command_len(&args);
        for len in 0..needed {
            let mut buf = [0u8; 64];
            assert_eq!(encode_command(&mut buf[..len], &args), Err(EncodeError::BufferTooSmall { needed }));
        }
        assert_eq!(encode_command(&mut [0u8; 64][..needed], &args), Ok(needed));
    }
}
