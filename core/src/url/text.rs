//! Percent-encoded text borrowed from a URL, decoded lazily and without allocating, and
//! [`Secret`], the wrapper that keeps passwords out of `Debug`, `Display` and logs.

use core::fmt::{self, Write as _};
use core::hash::{Hash, Hasher};

use super::UrlError;

/// A piece of a URL (user name, host, socket path, option value, ...) as written, with its
/// percent escapes (`%40` for `@`) still in place.
///
/// The escapes were checked when the URL was parsed, so decoding cannot fail. Nothing is
/// decoded up front: read the decoded bytes with [`bytes`](Self::bytes), copy them into
/// a buffer of yours with [`decode_into`](Self::decode_into), or borrow the text as it
/// is with [`as_str`](Self::as_str) when it holds no escapes. In a query option's value a
/// `+` stands for a space, as in an HTML form (and in redis-py).
///
/// Two texts are equal when their decoded bytes are, and a text equals a `str` or a byte
/// slice holding its decoded bytes.
///
/// ```
/// use ferrodis_core::url::ConnectionUrl;
///
/// let url = ConnectionUrl::parse("redis://app%2Dreader@localhost")?;
/// let user = url.username().unwrap();
/// assert_eq!(user, "app-reader");
/// assert_eq!(user.raw(), "app%2Dreader");
/// assert_eq!(user.as_str(), None); // it needs decoding first
/// assert_eq!(user.len(), 10);
///
/// let mut buf = [0u8; 16];
/// assert_eq!(user.decode_str_into(&mut buf)?, "app-reader");
/// # Ok::<(), ferrodis_core::UrlError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Text<'a> {
    raw: &'a str,
    /// Whether `+` decodes to a space (query option values and names).
    plus_is_space: bool,
}

impl<'a> Text<'a> {
    /// A path, host or userinfo component; `None` when an escape is malformed.
    pub(super) fn component(raw: &'a str) -> Option<Self> {
        valid_escapes(raw).then_some(Self { raw, plus_is_space: false })
    }

    /// A query option name or value, where `+` is a space; `None` when an escape is
    /// malformed.
    pub(super) fn query(raw: &'a str) -> Option<Self> {
        valid_escapes(raw).then_some(Self { raw, plus_is_space: true })
    }

    /// Text that holds no escapes, such as the default host.
    pub(super) const fn plain(raw: &'a str) -> Self {
        Self { raw, plus_is_space: false }
    }

    /// The text exactly as written in the URL, escapes included.
    pub const fn raw(&self) -> &'a str {
        self.raw
    }

    /// Whether decoding changes the text (it holds a `%` escape, or a `+` in a query
    /// option).
    pub fn is_encoded(&self) -> bool {
        self.raw.bytes().any(|b| b == b'%' || (self.plus_is_space && b == b'+'))
    }

    /// The text borrowed as it is, when it needs no decoding; `None` otherwise (then use
    /// [`decode_into`](Self::decode_into) or [`bytes`](Self::bytes)).
    pub fn as_str(&self) -> Option<&'a str> {
        (!self.is_encoded()).then_some(self.raw)
    }

    /// The length of the decoded text in bytes.
    pub fn len(&self) -> usize {
        self.bytes().count()
    }

    /// Whether the text is empty (decoded or not: an escape always yields a byte).
    pub const fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The decoded bytes, one at a time.
    pub fn bytes(&self) -> Bytes<'a> {
        Bytes { rest: self.raw.as_bytes(), plus_is_space: self.plus_is_space }
    }

    /// Whether the decoded text is exactly `other`.
    pub fn eq_bytes(&self, other: &[u8]) -> bool {
        self.bytes().eq(other.iter().copied())
    }

    /// Decodes into the front of `buf` and returns the decoded bytes.
    ///
    /// # Errors
    ///
    /// [`UrlError::BufferTooSmall`] with the decoded length when `buf` is shorter; `buf` is
    /// left untouched then.
    pub fn decode_into<'b>(&self, buf: &'b mut [u8]) -> Result<&'b [u8], UrlError> {
        let needed = self.len();
        let Some(out) = buf.get_mut(..needed) else {
            return Err(UrlError::BufferTooSmall { needed });
        };
        for (slot, byte) in out.iter_mut().zip(self.bytes()) {
            *slot = byte;
        }
        Ok(out)
    }

    /// Decodes into the front of `buf` and returns the decoded text as a `str`.
    ///
    /// # Errors
    ///
    /// [`UrlError::BufferTooSmall`] when `buf` is shorter than the decoded text, and
    /// [`UrlError::NotUtf8`] when the escapes decode to bytes that are not UTF-8.
    pub fn decode_str_into<'b>(&self, buf: &'b mut [u8]) -> Result<&'b str, UrlError> {
        core::str::from_utf8(self.decode_into(buf)?).map_err(|_| UrlError::NotUtf8)
    }
}

impl PartialEq for Text<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes().eq(other.bytes())
    }
}

impl Eq for Text<'_> {}

impl Hash for Text<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        self.bytes().for_each(|b| state.write_u8(b));
    }
}

impl PartialEq<str> for Text<'_> {
    fn eq(&self, other: &str) -> bool {
        self.eq_bytes(other.as_bytes())
    }
}

impl PartialEq<&str> for Text<'_> {
    fn eq(&self, other: &&str) -> bool {
        self.eq_bytes(other.as_bytes())
    }
}

impl PartialEq<[u8]> for Text<'_> {
    fn eq(&self, other: &[u8]) -> bool {
        self.eq_bytes(other)
    }
}

impl PartialEq<&[u8]> for Text<'_> {
    fn eq(&self, other: &&[u8]) -> bool {
        self.eq_bytes(other)
    }
}

/// The text as written in the URL, escapes included, in quotes.
impl fmt::Debug for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.raw, f)
    }
}

/// The decoded text; bytes that are not UTF-8 show as U+FFFD.
impl fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_str() {
            Some(s) => f.write_str(s),
            None => write_lossy(f, self.bytes()),
        }
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Text<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "{=str}", self.raw)
    }
}

/// The decoded bytes of a [`Text`], from [`Text::bytes`].
#[derive(Debug, Clone)]
pub struct Bytes<'a> {
    rest: &'a [u8],
    plus_is_space: bool,
}

impl Iterator for Bytes<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        let (&first, rest) = self.rest.split_first()?;
        if let (b'%', [hi, lo, tail @ ..]) = (first, rest)
            && let (Some(hi), Some(lo)) = (hex(*hi), hex(*lo))
        {
            self.rest = tail;
            return Some(hi << 4 | lo);
        }
        self.rest = rest;
        // A malformed escape cannot reach here (texts are checked when made); if it did,
        // the `%` would stand for itself.
        Some(if first == b'+' && self.plus_is_space { b' ' } else { first })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.rest.len().div_ceil(3), Some(self.rest.len()))
    }
}

impl core::iter::FusedIterator for Bytes<'_> {}

/// A password (or other credential) from a URL. `Debug`, `Display` and `defmt` print
/// `***`; reach the text itself only through [`expose`](Self::expose).
///
/// ```
/// use ferrodis_core::url::ConnectionUrl;
///
/// let url = ConnectionUrl::parse("redis://app:s3cr3t@localhost")?;
/// let password = url.password().unwrap();
/// assert_eq!(format!("{password} {password:?}"), "*** ***");
/// assert_eq!(password.expose(), "s3cr3t");
/// # Ok::<(), ferrodis_core::UrlError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Secret<'a>(Text<'a>);

impl<'a> Secret<'a> {
    /// Wraps `text`.
    pub(super) const fn new(text: Text<'a>) -> Self {
        Self(text)
    }

    /// The secret text itself. Keep it out of logs.
    pub const fn expose(&self) -> Text<'a> {
        self.0
    }
}

impl fmt::Debug for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for Secret<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "***")
    }
}

/// Whether every `%` in `raw` starts a two-hex-digit escape.
fn valid_escapes(raw: &str) -> bool {
    let mut rest = raw.as_bytes();
    while let Some(i) = rest.iter().position(|&b| b == b'%') {
        match rest.get(i + 1..) {
            Some([hi, lo, tail @ ..]) if hex(*hi).is_some() && hex(*lo).is_some() => rest = tail,
            _ => return false,
        }
    }
    true
}

/// The value of one hex digit.
const fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Writes `bytes` as UTF-8, each invalid sequence replaced by U+FFFD, without a buffer
/// longer than one character.
pub(super) fn write_lossy(f: &mut fmt::Formatter<'_>, bytes: impl Iterator<Item = u8>) -> fmt::Result {
    let mut char_buf = [0u8; 4];
    let (mut len, mut width) = (0, 0);
    for byte in bytes {
        if len > 0 && byte & 0xC0 != 0x80 {
            // The sequence ended early.
            f.write_char(char::REPLACEMENT_CHARACTER)?;
            len = 0;
        }
        if len == 0 {
            width = match byte {
                0x00..=0x7F => 1,
                0xC2..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF4 => 4,
                _ => {
                    f.write_char(char::REPLACEMENT_CHARACTER)?;
                    continue;
                }
            };
        }
        if let Some(slot) = char_buf.get_mut(len) {
            *slot = byte;
        }
        len += 1;
        if len == width {
            match char_buf.get(..len).map(core::str::from_utf8) {
                Some(Ok(s)) => f.write_str(s)?,
                _ => f.write_char(char::REPLACEMENT_CHARACTER)?,
            }
            len = 0;
        }
    }
    if len > 0 {
        f.write_char(char::REPLACEMENT_CHARACTER)?;
    }
    Ok(())
}
