//! Command encoding: a command is an array of bulk strings.

use super::encode::{IoOutput, Output};
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

impl Arg<'_> {
    /// Calls `f` with the bytes this argument is sent as: its own bytes, or a number's
    /// decimal text exactly as the encoders write it.
    ///
    /// ```
    /// use ferrodis_core::resp::Arg;
    ///
    /// assert_eq!(Arg::from(-42i32).text(|t| t.to_vec()), b"-42");
    /// assert_eq!(Arg::from("k").text(<[u8]>::len), 1);
    /// ```
    #[inline]
    pub fn text<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Arg::Bytes(bytes) => f(bytes),
            Arg::Int(n) => f(itoa::Buffer::new().format(*n).as_bytes()),
            Arg::Uint(n) => f(itoa::Buffer::new().format(*n).as_bytes()),
            Arg::Float(float) => f(float.text()),
        }
    }
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

/// Where a command's arguments go, one at a time: an encoder, a counter, an owned command
/// buffer. Each [`Arg`] is borrowed only for the call, so a sink copies (or encodes) it at
/// once; borrowed data is never allocated on its own.
///
/// [`CommandArgs`] and [`ToArgs`](crate::cmd::ToArgs) write into sinks.
///
/// ```
/// use ferrodis_core::resp::{Arg, ArgSink};
/// use ferrodis_core::cmd::ToArgs;
///
/// /// Counts the bytes the arguments take.
/// struct Size(usize);
///
/// impl ArgSink for Size {
///     fn push(&mut self, arg: Arg<'_>) {
///         self.0 += match arg {
///             Arg::Bytes(b) => b.len(),
///             _ => 8,
///         };
///     }
/// }
///
/// let mut size = Size(0);
/// ("key", b"value".as_slice()).write_args(&mut size);
/// assert_eq!(size.0, 8);
/// ```
pub trait ArgSink {
    /// Takes one argument.
    fn push(&mut self, arg: Arg<'_>);
}

impl<S: ArgSink + ?Sized> ArgSink for &mut S {
    #[inline]
    fn push(&mut self, arg: Arg<'_>) {
        (**self).push(arg);
    }
}

/// A command's arguments, name first, written in order into an [`ArgSink`]: a slice or
/// array of [`Arg`]s, a typed command builder, a [`Cmd`](crate::cmd::Cmd). Encoders and
/// connections take any of them.
///
/// `arg_count` must be the number of arguments `write_args` writes (the encoders write it
/// ahead of them, as RESP's array header).
///
/// ```
/// use ferrodis_core::resp::{Arg, ArgSink, CommandArgs, encode_args};
///
/// /// `INCRBY key by`, without an argument array.
/// struct IncrBy<'a>(&'a str, i64);
///
/// impl CommandArgs for IncrBy<'_> {
///     fn arg_count(&self) -> usize {
///         3
///     }
///     fn write_args(&self, out: &mut dyn ArgSink) {
///         out.push(Arg::from("INCRBY"));
///         out.push(Arg::from(self.0));
///         out.push(Arg::from(self.1));
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

    /// Writes every argument into `out`, the name first.
    fn write_args(&self, out: &mut dyn ArgSink);

    /// The first argument (the command's name) when it is bytes at hand without writing
    /// the arguments out. An optimisation only: `None` (the default) makes a reader write
    /// the arguments out, which is always right; an implementation that returns a name
    /// returns the one `write_args` writes first.
    #[inline]
    fn name(&self) -> Option<&[u8]> {
        None
    }

    /// The arguments as one slice when they are held as one (an argument array, a typed
    /// builder with fixed arguments): another optimisation, which lets an encoder go over
    /// them without a call per argument. `None` (the default) is always right.
    #[inline]
    fn as_args(&self) -> Option<&[Arg<'_>]> {
        None
    }
}

impl CommandArgs for [Arg<'_>] {
    fn arg_count(&self) -> usize {
        self.len()
    }

    fn write_args(&self, out: &mut dyn ArgSink) {
        for arg in self {
            out.push(*arg);
        }
    }

    #[inline]
    fn name(&self) -> Option<&[u8]> {
        match self.first() {
            Some(Arg::Bytes(name)) => Some(name),
            _ => None,
        }
    }

    #[inline]
    fn as_args(&self) -> Option<&[Arg<'_>]> {
        Some(self)
    }
}

/// Argument arrays and vectors are their slice.
macro_rules! as_slice_args {
    ($(impl[$($gen:tt)*] $ty:ty;)+) => {$(
        impl<$($gen)*> CommandArgs for $ty {
            fn arg_count(&self) -> usize {
                self.len()
            }

            fn write_args(&self, out: &mut dyn ArgSink) {
                self.as_slice().write_args(out);
            }

            #[inline]
            fn name(&self) -> Option<&[u8]> {
                self.as_slice().name()
            }

            #[inline]
            fn as_args(&self) -> Option<&[Arg<'_>]> {
                Some(self.as_slice())
            }
        }
    )+};
}
as_slice_args! {
    impl[const N: usize] [Arg<'_>; N];
}
#[cfg(feature = "alloc")]
as_slice_args! {
    impl[] alloc::vec::Vec<Arg<'_>>;
}

impl<C: CommandArgs + ?Sized> CommandArgs for &C {
    fn arg_count(&self) -> usize {
        (**self).arg_count()
    }

    fn write_args(&self, out: &mut dyn ArgSink) {
        (**self).write_args(out);
    }

    #[inline]
    fn name(&self) -> Option<&[u8]> {
        (**self).name()
    }

    #[inline]
    fn as_args(&self) -> Option<&[Arg<'_>]> {
        (**self).as_args()
    }
}

/// What a builder chained in place gives (`conn.run(&Cmd::new("GET").arg("k"))`).
impl<C: CommandArgs + ?Sized> CommandArgs for &mut C {
    fn arg_count(&self) -> usize {
        (**self).arg_count()
    }

    fn write_args(&self, out: &mut dyn ArgSink) {
        (**self).write_args(out);
    }

    #[inline]
    fn name(&self) -> Option<&[u8]> {
        (**self).name()
    }

    #[inline]
    fn as_args(&self) -> Option<&[Arg<'_>]> {
        (**self).as_args()
    }
}

/// A sink that encodes each argument as a bulk string into an [`Output`], keeping the
/// first error (and writing nothing after it).
struct Encoding<'o, O: Output> {
    out: &'o mut O,
    failed: Option<O::Error>,
}

impl<O: Output> ArgSink for Encoding<'_, O> {
    #[inline]
    fn push(&mut self, arg: Arg<'_>) {
        if self.failed.is_none() {
            let mut digits = itoa::Buffer::new();
            if let Err(e) = bulk(self.out, arg_bytes(&arg, &mut digits)) {
                self.failed = Some(e);
            }
        }
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
    let mut sink = Encoding { out, failed: None };
    args.write_args(&mut sink);
    sink.failed.map_or(Ok(()), Err)
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
    match encode_fitting(out, args) {
        Some(n) => Ok(n),
        None if args.arg_count() == 0 => Err(EncodeError::EmptyCommand),
        None => Err(EncodeError::BufferTooSmall { needed: command_len(args) }),
    }
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
    if let Some(slice) = args.as_args() {
        for arg in slice {
            let mut digits = itoa::Buffer::new();
            at = bulk_fitting(out, at, arg_bytes(arg, &mut digits))?;
        }
        return Some(at);
    }
    let mut sink = Fitting { out, at: Some(at) };
    args.write_args(&mut sink);
    sink.at
}

/// A sink that encodes each argument at `out[at..]`; `at` becomes `None` once one does not
/// fit.
struct Fitting<'o> {
    out: &'o mut [u8],
    at: Option<usize>,
}

impl ArgSink for Fitting<'_> {
    #[inline]
    fn push(&mut self, arg: Arg<'_>) {
        if let Some(at) = self.at {
            let mut digits = itoa::Buffer::new();
            self.at = bulk_fitting(self.out, at, arg_bytes(&arg, &mut digits));
        }
    }
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

/// The encoded length of the command `args`, for sizing a buffer up front (0 for a
/// command without a name, which no encoder writes).
pub fn command_len<C: CommandArgs + ?Sized>(args: &C) -> usize {
    let count = args.arg_count();
    if count == 0 {
        return 0;
    }
    let mut length = Length(header_len(count));
    args.write_args(&mut length);
    length.0
}

/// The length of `<marker><n>\r\n`.
fn header_len(n: usize) -> usize {
    let mut digits = 1;
    let mut rest = n / 10;
    while rest > 0 {
        digits += 1;
        rest /= 10;
    }
    1 + digits + 2
}

/// A sink that adds up the encoded length of each argument.
struct Length(usize);

impl ArgSink for Length {
    fn push(&mut self, arg: Arg<'_>) {
        let len = arg.text(<[u8]>::len);
        self.0 = self.0.saturating_add(header_len(len)).saturating_add(len).saturating_add(2);
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
            let mut output = crate::resp::SliceOutput::new(&mut general);
            command(&mut output, &args).unwrap();
            assert_eq!(output.finish(), Ok(n));
            assert_eq!(fast[..n], general[..n], "{len}");
            assert_eq!(command_len(&args), n, "{len}");
            let short = encode_args(&mut fast[..n - 1], &args);
            assert_eq!(short, Err(EncodeError::BufferTooSmall { needed: n }), "{len}");
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
