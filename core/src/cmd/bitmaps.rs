//! Bitmaps: `SETBIT`, `GETBIT`, `BITCOUNT`, `BITOP`, `BITPOS`.

use super::args::{Part, by_parts, fixed, variadic};
use crate::resp::Arg;

/// The unit of `BITCOUNT` and `BITPOS` ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BitUnit {
    /// `BYTE` (the default).
    Byte,
    /// `BIT`.
    Bit,
}

impl BitUnit {
    const fn word(unit: Option<BitUnit>) -> Option<&'static str> {
        match unit {
            Some(BitUnit::Byte) => Some("BYTE"),
            Some(BitUnit::Bit) => Some("BIT"),
            None => None,
        }
    }
}

/// The operation of `BITOP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BitOp {
    /// `AND`.
    And,
    /// `OR`.
    Or,
    /// `XOR`.
    Xor,
    /// `NOT` (one source key).
    Not,
}

impl From<BitOp> for Arg<'_> {
    fn from(op: BitOp) -> Self {
        Arg::from(match op {
            BitOp::And => "AND",
            BitOp::Or => "OR",
            BitOp::Xor => "XOR",
            BitOp::Not => "NOT",
        })
    }
}

fixed! {
    /// `GETBIT key offset`: the bit at `offset` (0 past the end).
    fn getbit(key, offset: u64) -> GetBit ["GETBIT"] => bool;
}

variadic! {
    /// `BITOP AND|OR|XOR|NOT destkey key [key ...]`: stores the result; its length in bytes.
    fn bitop(operation: BitOp, destkey; keys: [K]) -> BitOpStore<K> ["BITOP"] => u64;
}

/// `SETBIT key offset value`; see [`setbit`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SetBit<'a> {
    key: Arg<'a>,
    offset: u64,
    value: bool,
}

/// `SETBIT key offset 0|1`: the bit's previous value.
///
/// ```
/// use ferrodis_core::cmd;
/// use ferrodis_core::resp::encode_args;
///
/// let mut buf = [0u8; 64];
/// let n = encode_args(&mut buf, &cmd::setbit("seen", 7, true)).unwrap();
/// assert_eq!(&buf[..n], b"*4\r\n$6\r\nSETBIT\r\n$4\r\nseen\r\n$1\r\n7\r\n$1\r\n1\r\n");
/// ```
pub fn setbit<'a>(key: impl Into<Arg<'a>>, offset: u64, value: bool) -> SetBit<'a> {
    SetBit { key: key.into(), offset, value }
}

impl SetBit<'_> {
    fn parts(&self) -> [Part<'_>; 2] {
        [
            Part::Two(Arg::from("SETBIT"), self.key),
            Part::Two(Arg::from(self.offset), Arg::from(u8::from(self.value))),
        ]
    }
}

/// `BITCOUNT key [start end [BYTE | BIT]]`; see [`bitcount`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BitCount<'a> {
    key: Arg<'a>,
    range: Option<(i64, i64)>,
    unit: Option<BitUnit>,
}

/// `BITCOUNT key`: the number of set bits.
pub fn bitcount<'a>(key: impl Into<Arg<'a>>) -> BitCount<'a> {
    BitCount { key: key.into(), range: None, unit: None }
}

impl BitCount<'_> {
    /// Only between two offsets (inclusive; negative counts from the end), in bytes
    /// unless [`BitCount::unit`] says bits.
    #[must_use]
    pub fn range(mut self, start: i64, end: i64) -> Self {
        self.range = Some((start, end));
        self
    }

    /// `BYTE` or `BIT` offsets (with a range only).
    #[must_use]
    pub fn unit(mut self, unit: BitUnit) -> Self {
        self.unit = Some(unit);
        self
    }

    fn parts(&self) -> [Part<'_>; 3] {
        let range = self.range.map_or(Part::Skip, |(s, e)| Part::Two(Arg::from(s), Arg::from(e)));
        let unit = if self.range.is_some() { BitUnit::word(self.unit) } else { None };
        [Part::Two(Arg::from("BITCOUNT"), self.key), range, Part::word(unit)]
    }
}

/// `BITPOS key bit [start [end [BYTE | BIT]]]`; see [`bitpos`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BitPos<'a> {
    key: Arg<'a>,
    bit: bool,
    start: Option<i64>,
    end: Option<i64>,
    unit: Option<BitUnit>,
}

/// `BITPOS key 0|1`: the position of the first bit set to `bit`, or -1.
pub fn bitpos<'a>(key: impl Into<Arg<'a>>, bit: bool) -> BitPos<'a> {
    BitPos { key: key.into(), bit, start: None, end: None, unit: None }
}

impl BitPos<'_> {
    /// Search from `start` (a byte offset unless [`BitPos::unit`] says bits).
    #[must_use]
    pub fn start(mut self, start: i64) -> Self {
        self.start = Some(start);
        self
    }

    /// Search between `start` and `end` (inclusive).
    #[must_use]
    pub fn range(mut self, start: i64, end: i64) -> Self {
        self.start = Some(start);
        self.end = Some(end);
        self
    }

    /// `BYTE` or `BIT` offsets (with a range only).
    #[must_use]
    pub fn unit(mut self, unit: BitUnit) -> Self {
        self.unit = Some(unit);
        self
    }

    fn parts(&self) -> [Part<'_>; 5] {
        let start = self.start.map_or(Part::Skip, |s| Part::One(Arg::from(s)));
        let end = match (self.start, self.end) {
            (Some(_), Some(e)) => Part::One(Arg::from(e)),
            _ => Part::Skip,
        };
        let unit = if matches!(end, Part::One(_)) { BitUnit::word(self.unit) } else { None };
        [
            Part::Two(Arg::from("BITPOS"), self.key),
            Part::One(Arg::from(u8::from(self.bit))),
            start,
            end,
            Part::word(unit),
        ]
    }
}

by_parts! {
    impl['a] SetBit<'a> => bool;
    impl['a] BitCount<'a> => u64;
    impl['a] BitPos<'a> => i64;
}
