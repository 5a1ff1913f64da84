//! Lists: `LPUSH`, `RPOP`, `LRANGE`, `BLPOP`, `LMOVE`, ...

use super::args::{Part, by_parts, fixed, variadic};
use crate::reply::{List, Okay};
use crate::resp::Arg;

/// An end of a list, for `LMOVE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Side {
    /// `LEFT`: the head.
    Left,
    /// `RIGHT`: the tail.
    Right,
}

impl From<Side> for Arg<'_> {
    fn from(side: Side) -> Self {
        Arg::from(match side {
            Side::Left => "LEFT",
            Side::Right => "RIGHT",
        })
    }
}

/// Where `LINSERT` puts the element, relative to the pivot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Position {
    /// `BEFORE`.
    Before,
    /// `AFTER`.
    After,
}

impl From<Position> for Arg<'_> {
    fn from(position: Position) -> Self {
        Arg::from(match position {
            Position::Before => "BEFORE",
            Position::After => "AFTER",
        })
    }
}

variadic! {
    /// `LPUSH key element [element ...]`: the length after pushing at the head.
    ///
    /// ```
    /// use ferrodis_core::cmd;
    /// use ferrodis_core::resp::encode_args;
    ///
    /// let mut buf = [0u8; 64];
    /// let n = encode_args(&mut buf, &cmd::lpush("jobs", &[1, 2])).unwrap();
    /// assert_eq!(&buf[..n], b"*4\r\n$5\r\nLPUSH\r\n$4\r\njobs\r\n$1\r\n1\r\n$1\r\n2\r\n");
    /// ```
    fn lpush(key; elements: [E]) -> LPush<E> ["LPUSH"] => u64;
    /// `RPUSH key element [element ...]`: the length after pushing at the tail.
    fn rpush(key; elements: [E]) -> RPush<E> ["RPUSH"] => u64;
    /// `LPUSHX key element [element ...]`: as `LPUSH`, only onto an existing list (0 otherwise).
    fn lpushx(key; elements: [E]) -> LPushX<E> ["LPUSHX"] => u64;
    /// `RPUSHX key element [element ...]`: as `RPUSH`, only onto an existing list (0 otherwise).
    fn rpushx(key; elements: [E]) -> RPushX<E> ["RPUSHX"] => u64;
    /// `BLPOP key [key ...] timeout`: the key and the element popped from the head of
    /// the first non-empty list, waiting up to `timeout` seconds (0: forever); `None`
    /// on timeout. Mind the transport's read timeout.
    fn blpop(; keys: [K]; timeout: f64) -> BLPop<K> ["BLPOP"] => Option<(&'r [u8], &'r [u8])>;
    /// `BRPOP key [key ...] timeout`: as `BLPOP`, from the tail.
    fn brpop(; keys: [K]; timeout: f64) -> BRPop<K> ["BRPOP"] => Option<(&'r [u8], &'r [u8])>;
}

fixed! {
    /// `LPOP key`: the head element, or `None` for an empty list.
    fn lpop(key) -> LPop ["LPOP"] => Option<&'r [u8]>;
    /// `RPOP key`: the tail element, or `None` for an empty list.
    fn rpop(key) -> RPop ["RPOP"] => Option<&'r [u8]>;
    /// `LPOP key count`: up to `count` elements from the head; `None` for a missing key.
    fn lpop_count(key, count: u64) -> LPopCount ["LPOP"] => Option<List<'r, &'r [u8]>>;
    /// `RPOP key count`: up to `count` elements from the tail; `None` for a missing key.
    fn rpop_count(key, count: u64) -> RPopCount ["RPOP"] => Option<List<'r, &'r [u8]>>;
    /// `LRANGE key start stop`: the elements between two indices (inclusive; negative
    /// indices count from the end, so `0, -1` is the whole list).
    fn lrange(key, start: i64, stop: i64) -> LRange ["LRANGE"] => List<'r, &'r [u8]>;
    /// `LLEN key`: the length (0 for a missing key).
    fn llen(key) -> LLen ["LLEN"] => u64;
    /// `LINDEX key index`: the element at `index`, or `None` out of range.
    fn lindex(key, index: i64) -> LIndex ["LINDEX"] => Option<&'r [u8]>;
    /// `LSET key index element`: replaces the element at `index`.
    fn lset(key, index: i64, element) -> LSet ["LSET"] => Okay;
    /// `LREM key count element`: removes up to `count` occurrences (from the tail when
    /// negative, all when 0); how many were removed.
    fn lrem(key, count: i64, element) -> LRem ["LREM"] => u64;
    /// `LTRIM key start stop`: keeps only the elements between two indices.
    fn ltrim(key, start: i64, stop: i64) -> LTrim ["LTRIM"] => Okay;
    /// `LINSERT key BEFORE|AFTER pivot element`: the length after inserting, -1 when the
    /// pivot is missing, 0 for a missing key.
    fn linsert(key, position: Position, pivot, element) -> LInsert ["LINSERT"] => i64;
    /// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`: the element moved, or `None`
    /// when the source is empty.
    fn lmove(source, destination, from: Side, to: Side) -> LMove ["LMOVE"] => Option<&'r [u8]>;
}

/// `LPOS key element [RANK rank] [MAXLEN len]`; see [`lpos`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LPos<'a> {
    key: Arg<'a>,
    element: Arg<'a>,
    rank: Option<i64>,
    maxlen: Option<u64>,
}

/// `LPOS key element`: the index of the first match, or `None`.
pub fn lpos<'a>(key: impl Into<Arg<'a>>, element: impl Into<Arg<'a>>) -> LPos<'a> {
    LPos { key: key.into(), element: element.into(), rank: None, maxlen: None }
}

impl LPos<'_> {
    /// `RANK rank`: the `rank`-th match (negative: counting from the tail).
    #[must_use]
    pub fn rank(mut self, rank: i64) -> Self {
        self.rank = Some(rank);
        self
    }

    /// `MAXLEN len`: compare at most `len` elements.
    #[must_use]
    pub fn maxlen(mut self, len: u64) -> Self {
        self.maxlen = Some(len);
        self
    }

    fn parts(&self) -> [Part<'_>; 5] {
        [
            Part::One(Arg::from("LPOS")),
            Part::One(self.key),
            Part::One(self.element),
            Part::opt("RANK", self.rank),
            Part::opt("MAXLEN", self.maxlen),
        ]
    }
}

by_parts! {
    impl['a] LPos<'a> => Option<u64>;
}
