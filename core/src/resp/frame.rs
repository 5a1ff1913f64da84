//! The RESP2 and RESP3 frame types, borrowing from the bytes they were decoded from.

use core::fmt;

use super::Decoded;
use super::decode::Decoder;

/// One RESP2 or RESP3 frame.
///
/// Scalars borrow their bytes from the decoder's input; aggregates are an [`Aggregate`],
/// a validated view that is iterated lazily. Nothing in a frame is allocated.
///
/// Two frames are equal when they say the same thing the same way: doubles compare by
/// their text, and aggregates element by element.
///
/// ```
/// use ferrodis_core::resp::{decode, Decoded, Frame};
///
/// let Decoded::Complete { frame, consumed } = decode(b"*2\r\n$3\r\nfoo\r\n:42\r\n").unwrap() else {
///     panic!("the whole frame is there");
/// };
/// assert_eq!(consumed, 18);
/// let Frame::Array(items) = frame else { panic!("an array") };
/// let mut items = items.iter();
/// assert_eq!(items.next(), Some(Frame::BulkString(b"foo")));
/// assert_eq!(items.next(), Some(Frame::Integer(42)));
/// assert_eq!(items.next(), None);
/// ```
#[derive(Clone, Copy)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Frame<'a> {
    /// `+OK\r\n`: a short, binary-unsafe status line.
    SimpleString(&'a [u8]),
    /// `-ERR message\r\n`: an error reply; the first word is its code.
    SimpleError(&'a [u8]),
    /// `:42\r\n`: a signed 64-bit integer.
    Integer(i64),
    /// `$3\r\nfoo\r\n`: a binary-safe string.
    BulkString(&'a [u8]),
    /// `$-1\r\n`: RESP2's null, as a missing bulk string.
    NullBulkString,
    /// `*2\r\n...`: an ordered list of frames.
    Array(Aggregate<'a>),
    /// `*-1\r\n`: RESP2's null, as a missing array.
    NullArray,
    /// `_\r\n`: RESP3's null.
    Null,
    /// `#t\r\n` or `#f\r\n`.
    Boolean(bool),
    /// `,1.5\r\n`, `,inf\r\n`, `,-inf\r\n`, `,nan\r\n`: the number as written; see
    /// [`Double::value`].
    Double(Double<'a>),
    /// `(3492890328409238509324850943850943825024385\r\n`: the decimal digits, sign included.
    BigNumber(&'a [u8]),
    /// `!21\r\nSYNTAX invalid syntax\r\n`: a binary-safe error reply.
    BulkError(&'a [u8]),
    /// `=15\r\ntxt:Some string\r\n`: a string with a three-letter format such as `txt` or `mkd`.
    VerbatimString {
        /// The format, for example `*b"txt"`.
        format: [u8; 3],
        /// The text after the `xxx:` prefix.
        text: &'a [u8],
    },
    /// `%2\r\n...`: key-value pairs, keys and values alternating.
    Map(Aggregate<'a>),
    /// `~2\r\n...`: an unordered collection of distinct frames.
    Set(Aggregate<'a>),
    /// `|1\r\n...`: out-of-band key-value pairs that describe the frame after them.
    Attribute(Aggregate<'a>),
    /// `>2\r\n...`: an out-of-band message such as pub/sub or invalidation.
    Push(Aggregate<'a>),
    /// `$?\r\n;4\r\nHell\r\n;1\r\no\r\n;0\r\n`: a string sent in parts whose total length
    /// was not known up front. (Streamed aggregates, `*?` ... `.`, decode as ordinary
    /// aggregates.)
    StreamedString(StreamedString<'a>),
}

impl<'a> Frame<'a> {
    /// The frame's type marker byte, such as `b'+'` or `b'*'`.
    pub const fn type_byte(&self) -> u8 {
        match self {
            Self::SimpleString(_) => b'+',
            Self::SimpleError(_) => b'-',
            Self::Integer(_) => b':',
            Self::BulkString(_) | Self::NullBulkString | Self::StreamedString(_) => b'$',
            Self::Array(_) | Self::NullArray => b'*',
            Self::Null => b'_',
            Self::Boolean(_) => b'#',
            Self::Double(_) => b',',
            Self::BigNumber(_) => b'(',
            Self::BulkError(_) => b'!',
            Self::VerbatimString { .. } => b'=',
            Self::Map(_) => b'%',
            Self::Set(_) => b'~',
            Self::Attribute(_) => b'|',
            Self::Push(_) => b'>',
        }
    }

    /// Whether the frame is one of the three nulls (`_`, `$-1`, `*-1`).
    pub const fn is_null(&self) -> bool {
        matches!(self, Self::Null | Self::NullBulkString | Self::NullArray)
    }

    /// Whether the frame is an error reply (simple or bulk).
    pub const fn is_error(&self) -> bool {
        matches!(self, Self::SimpleError(_) | Self::BulkError(_))
    }

    /// The elements of an array, map, set, attribute or push frame.
    #[inline]
    pub const fn as_aggregate(&self) -> Option<&Aggregate<'a>> {
        match self {
            Self::Array(a) | Self::Map(a) | Self::Set(a) | Self::Attribute(a) | Self::Push(a) => Some(a),
            _ => None,
        }
    }
}

/// A RESP3 double as the server wrote it. The decoder checks its syntax; the `f64` is
/// computed by [`Double::value`] when asked for, so firmware that never reads a double
/// links no float parsing.
///
/// ```
/// use ferrodis_core::resp::Double;
///
/// let d = Double::new(b"1.5e3").unwrap();
/// assert_eq!(d.value(), 1500.0);
/// assert_eq!(d.text(), b"1.5e3");
/// assert!(Double::new(b"1.5.0").is_none());
/// assert_eq!(Double::new(b"-inf").unwrap().value(), f64::NEG_INFINITY);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Double<'a> {
    text: &'a [u8],
}

impl<'a> Double<'a> {
    /// The double written as `text` (`1.5`, `-2e10`, `inf`, `-inf`, `nan`), or `None` when
    /// it is not one.
    pub fn new(text: &'a [u8]) -> Option<Self> {
        super::parse::is_double(text).then_some(Self { text })
    }

    /// Wraps text the decoder checked.
    pub(crate) const fn validated(text: &'a [u8]) -> Self {
        Self { text }
    }

    /// The text as written. Two doubles are equal when their texts are.
    pub const fn text(&self) -> &'a [u8] {
        self.text
    }

    /// The value.
    pub fn value(&self) -> f64 {
        super::parse::double_value(self.text)
    }
}

impl fmt::Debug for Double<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Double({})", self.text.escape_ascii())
    }
}

/// Bytes shown as an escaped string, as a reader expects of Redis values.
struct Text<'a>(&'a [u8]);

impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.0.escape_ascii())
    }
}

impl fmt::Debug for Frame<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SimpleString(t) => f.debug_tuple("SimpleString").field(&Text(t)).finish(),
            Self::SimpleError(t) => f.debug_tuple("SimpleError").field(&Text(t)).finish(),
            Self::Integer(n) => f.debug_tuple("Integer").field(n).finish(),
            Self::BulkString(b) => f.debug_tuple("BulkString").field(&Text(b)).finish(),
            Self::NullBulkString => f.write_str("NullBulkString"),
            Self::Array(a) => f.debug_tuple("Array").field(a).finish(),
            Self::NullArray => f.write_str("NullArray"),
            Self::Null => f.write_str("Null"),
            Self::Boolean(b) => f.debug_tuple("Boolean").field(b).finish(),
            Self::Double(d) => {
                f.debug_tuple("Double").field(&format_args!("{}", d.text().escape_ascii())).finish()
            }
            Self::BigNumber(d) => f.debug_tuple("BigNumber").field(&Text(d)).finish(),
            Self::BulkError(t) => f.debug_tuple("BulkError").field(&Text(t)).finish(),
            Self::VerbatimString { format, text } => f
                .debug_struct("VerbatimString")
                .field("format", &Text(format))
                .field("text", &Text(text))
                .finish(),
            Self::Map(a) => f.debug_tuple("Map").field(a).finish(),
            Self::Set(a) => f.debug_tuple("Set").field(a).finish(),
            Self::Attribute(a) => f.debug_tuple("Attribute").field(a).finish(),
            Self::Push(a) => f.debug_tuple("Push").field(a).finish(),
            Self::StreamedString(s) => f.debug_tuple("StreamedString").field(s).finish(),
        }
    }
}

impl PartialEq for Frame<'_> {
    fn eq(&self, other: &Self) -> bool {
        use Frame::*;
        match (self, other) {
            (SimpleString(a), SimpleString(b))
            | (SimpleError(a), SimpleError(b))
            | (BulkString(a), BulkString(b))
            | (BigNumber(a), BigNumber(b))
            | (BulkError(a), BulkError(b)) => a == b,
            (Integer(a), Integer(b)) => a == b,
            (Boolean(a), Boolean(b)) => a == b,
            (Double(a), Double(b)) => a == b,
            (NullBulkString, NullBulkString) | (NullArray, NullArray) | (Null, Null) => true,
            (VerbatimString { format: fa, text: ta }, VerbatimString { format: fb, text: tb }) => {
                fa == fb && ta == tb
            }
            (Array(a), Array(b))
            | (Map(a), Map(b))
            | (Set(a), Set(b))
            | (Attribute(a), Attribute(b))
            | (Push(a), Push(b)) => a == b,
            (StreamedString(a), StreamedString(b)) => a == b,
            _ => false,
        }
    }
}

/// The elements of a decoded aggregate (array, map, set, attribute or push).
///
/// The decoder has already checked every byte of it, so iterating is cheap and cannot fail:
/// each step decodes one element header from the borrowed bytes. Nothing is allocated.
#[derive(Clone, Copy)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Aggregate<'a> {
    body: &'a [u8],
    len: usize,
}

impl<'a> Aggregate<'a> {
    /// Wraps `len` validated elements that fill `body` exactly (decoder use only).
    pub(crate) const fn new(body: &'a [u8], len: usize) -> Self {
        Self { body, len }
    }

    /// The elements `body` holds, back to back, as a decoder accepted them: `len` frames
    /// (attributes before an element not counted). A connection uses it to hand over the
    /// replies of a pipeline, kept as they were received, as one array. Bytes that are not
    /// such frames end the iteration early; they never make it panic.
    ///
    /// ```
    /// use ferrodis_core::resp::{Aggregate, Frame};
    ///
    /// let replies = Aggregate::from_encoded(b"+OK\r\n$1\r\nv\r\n", 2);
    /// assert!(replies.iter().eq([Frame::SimpleString(b"OK"), Frame::BulkString(b"v")]));
    /// ```
    pub const fn from_encoded(body: &'a [u8], len: usize) -> Self {
        Self { body, len }
    }

    /// The number of elements, not counting attributes. A map's keys and values count one
    /// each, so a map of 3 pairs has length 6.
    #[inline]
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the aggregate has no elements.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The encoded elements, exactly as received.
    pub const fn raw(&self) -> &'a [u8] {
        self.body
    }

    /// The elements in order. Attributes that annotate an element are skipped.
    #[inline]
    pub fn iter(&self) -> Elements<'a> {
        Elements { rest: self.body, remaining: self.len, with_attributes: false }
    }

    /// The elements in order, each preceded by the [`Frame::Attribute`]s that annotate it.
    pub fn iter_with_attributes(&self) -> Elements<'a> {
        Elements { rest: self.body, remaining: self.len, with_attributes: true }
    }

    /// The elements taken two at a time, as the key-value pairs of a map or attribute.
    #[inline]
    pub fn pairs(&self) -> Pairs<'a> {
        Pairs { elements: self.iter() }
    }
}

impl<'a> IntoIterator for Aggregate<'a> {
    type Item = Frame<'a>;
    type IntoIter = Elements<'a>;

    fn into_iter(self) -> Elements<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &Aggregate<'a> {
    type Item = Frame<'a>;
    type IntoIter = Elements<'a>;

    fn into_iter(self) -> Elements<'a> {
        self.iter()
    }
}

impl PartialEq for Aggregate<'_> {
    /// Element by element, attributes included. Recursion is bounded by the nesting depth
    /// the decoder accepted.
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter_with_attributes().eq(other.iter_with_attributes())
    }
}

impl fmt::Debug for Aggregate<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter_with_attributes()).finish()
    }
}

/// Iterator over the elements of an [`Aggregate`].
#[derive(Clone, Debug)]
pub struct Elements<'a> {
    rest: &'a [u8],
    remaining: usize,
    with_attributes: bool,
}

impl<'a> Iterator for Elements<'a> {
    type Item = Frame<'a>;

    #[inline]
    fn next(&mut self) -> Option<Frame<'a>> {
        if self.remaining > 0
            && let Some((payload, used)) = super::parse::validated_bulk_at(self.rest)
        {
            self.rest = self.rest.get(used..).unwrap_or_default();
            self.remaining -= 1;
            return Some(Frame::BulkString(payload));
        }
        while self.remaining > 0 {
            // The bytes were validated with limits at most as wide as these; a failure here
            // would mean a bug, and ends the iteration instead of panicking.
            let Ok(Decoded::Complete { frame, consumed }) = Decoder::VALIDATED.decode(self.rest) else {
                self.remaining = 0;
                return None;
            };
            self.rest = self.rest.get(consumed..).unwrap_or_default();
            if let Frame::Attribute(_) = frame {
                if self.with_attributes {
                    return Some(frame);
                }
                continue;
            }
            self.remaining -= 1;
            return Some(frame);
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        if self.with_attributes { (self.remaining, None) } else { (self.remaining, Some(self.remaining)) }
    }
}

/// Iterator over the key-value pairs of a map or attribute.
#[derive(Clone, Debug)]
pub struct Pairs<'a> {
    elements: Elements<'a>,
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (Frame<'a>, Frame<'a>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let key = self.elements.next()?;
        let value = self.elements.next()?;
        Some((key, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.elements.remaining / 2;
        (n, Some(n))
    }
}

/// The parts of a streamed string, validated by the decoder.
///
/// ```
/// use ferrodis_core::resp::{decode, Decoded, Frame};
///
/// let wire = b"$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n";
/// let Ok(Decoded::Complete { frame: Frame::StreamedString(s), .. }) = decode(wire) else { panic!() };
/// assert_eq!(s.len(), 10);
/// let mut text = [0u8; 10];
/// let mut at = 0;
/// for part in s.chunks() {
///     text[at..at + part.len()].copy_from_slice(part);
///     at += part.len();
/// }
/// assert_eq!(&text, b"Hello word");
/// ```
#[derive(Clone, Copy)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct StreamedString<'a> {
    /// Every `;len\r\ndata\r\n` part and the final `;0\r\n`.
    parts: &'a [u8],
}

impl<'a> StreamedString<'a> {
    /// Wraps validated parts (decoder use only).
    pub(crate) const fn new(parts: &'a [u8]) -> Self {
        Self { parts }
    }

    /// Every part with its header, as received.
    pub(crate) const fn parts(&self) -> &'a [u8] {
        self.parts
    }

    /// The parts in order, without their headers.
    pub fn chunks(&self) -> Chunks<'a> {
        Chunks { rest: self.parts }
    }

    /// The total length of the parts.
    pub fn len(&self) -> usize {
        self.chunks().map(<[u8]>::len).sum()
    }

    /// Whether the string is empty.
    pub fn is_empty(&self) -> bool {
        self.chunks().next().is_none()
    }
}

impl PartialEq for StreamedString<'_> {
    /// Equal when the parts join to the same bytes, however they were split.
    fn eq(&self, other: &Self) -> bool {
        self.chunks().flatten().eq(other.chunks().flatten())
    }
}

impl fmt::Debug for StreamedString<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.chunks().map(Text)).finish()
    }
}

/// Iterator over the parts of a [`StreamedString`].
#[derive(Clone, Debug)]
pub struct Chunks<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Chunks<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        // Validated by the decoder; anything unexpected ends the iteration.
        let (_, body) = self.rest.split_first()?;
        let Ok((after, Some(len))) = super::parse::length(body) else {
            self.rest = &[];
            return None;
        };
        if len == 0 {
            self.rest = &[];
            return None;
        }
        let Ok((rest, part)) = super::parse::payload(after, len) else {
            self.rest = &[];
            return None;
        };
        self.rest = rest;
        Some(part)
    }
}
