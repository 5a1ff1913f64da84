//! Sorted sets: `ZADD`, `ZRANGE`, `ZSCORE`, `ZINCRBY`, `ZPOPMIN`, `ZUNIONSTORE`, ...

use super::ToArgs;
use super::args::{Part, by_parts, fixed, variadic};
use super::keyspace::Scan;
use crate::reply::{List, Scored};
use crate::resp::Arg;

variadic! {
    /// `ZREM key member [member ...]`: how many members were removed.
    fn zrem(key; members: [M]) -> ZRem<M> ["ZREM"] => u64;
    /// `ZMSCORE key member [member ...]`: each member's score, `None` for a missing one.
    fn zmscore(key; members: [M]) -> ZMScore<M> ["ZMSCORE"] => List<'r, Option<f64>>;
}

fixed! {
    /// `ZSCORE key member`: the member's score, or `None`.
    fn zscore(key, member) -> ZScore ["ZSCORE"] => Option<f64>;
    /// `ZINCRBY key increment member`: the member's score after adding `increment`.
    fn zincrby(key, increment: f64, member) -> ZIncrBy ["ZINCRBY"] => f64;
    /// `ZCARD key`: the number of members.
    fn zcard(key) -> ZCard ["ZCARD"] => u64;
    /// `ZCOUNT key min max`: how many scores lie between `min` and `max` (numbers, or
    /// `"(1.5"` for exclusive bounds, `"-inf"`, `"+inf"`).
    fn zcount(key, min, max) -> ZCount ["ZCOUNT"] => u64;
    /// `ZRANK key member`: the member's rank by ascending score, or `None`.
    fn zrank(key, member) -> ZRank ["ZRANK"] => Option<u64>;
    /// `ZREVRANK key member`: the member's rank by descending score, or `None`.
    fn zrevrank(key, member) -> ZRevRank ["ZREVRANK"] => Option<u64>;
    /// `ZREMRANGEBYSCORE key min max`: removes the members scored between `min` and
    /// `max`; how many.
    fn zremrangebyscore(key, min, max) -> ZRemRangeByScore ["ZREMRANGEBYSCORE"] => u64;
    /// `ZREMRANGEBYRANK key start stop`: removes the members ranked between `start` and
    /// `stop`; how many.
    fn zremrangebyrank(key, start: i64, stop: i64) -> ZRemRangeByRank ["ZREMRANGEBYRANK"] => u64;
    /// `ZPOPMIN key`: removes and returns the lowest-scored member (none for an empty set).
    fn zpopmin(key) -> ZPopMin ["ZPOPMIN"] => Scored<'r>;
    /// `ZPOPMIN key count`: removes and returns up to `count` lowest-scored members.
    fn zpopmin_count(key, count: u64) -> ZPopMinCount ["ZPOPMIN"] => Scored<'r>;
    /// `ZPOPMAX key`: removes and returns the highest-scored member.
    fn zpopmax(key) -> ZPopMax ["ZPOPMAX"] => Scored<'r>;
    /// `ZPOPMAX key count`: removes and returns up to `count` highest-scored members.
    fn zpopmax_count(key, count: u64) -> ZPopMaxCount ["ZPOPMAX"] => Scored<'r>;
}

/// `ZADD key [NX | XX] [GT | LT] [CH] score member [score member ...]`; see [`zadd`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZAdd<'a, S, M> {
    key: Arg<'a>,
    members: &'a [(S, M)],
    condition: Option<&'static str>,
    comparison: Option<&'static str>,
    changed: bool,
}

/// `ZADD key score member [score member ...]`: how many members were added (with
/// [`ZAdd::ch`], added or changed).
///
/// ```
/// use ferrodis_core::cmd;
/// use ferrodis_core::resp::encode_args;
///
/// let mut buf = [0u8; 64];
/// let n = encode_args(&mut buf, &cmd::zadd("board", &[(10.5, "ada")]).nx()).unwrap();
/// assert_eq!(&buf[..n], b"*5\r\n$4\r\nZADD\r\n$5\r\nboard\r\n$2\r\nNX\r\n$4\r\n10.5\r\n$3\r\nada\r\n");
/// ```
pub fn zadd<'a, S: ToArgs, M: ToArgs>(key: impl Into<Arg<'a>>, members: &'a [(S, M)]) -> ZAdd<'a, S, M> {
    ZAdd { key: key.into(), members, condition: None, comparison: None, changed: false }
}

impl<S: ToArgs, M: ToArgs> ZAdd<'_, S, M> {
    /// `NX`: only add new members.
    #[must_use]
    pub fn nx(mut self) -> Self {
        self.condition = Some("NX");
        self
    }

    /// `XX`: only update existing members.
    #[must_use]
    pub fn xx(mut self) -> Self {
        self.condition = Some("XX");
        self
    }

    /// `GT`: only update a score to a greater one.
    #[must_use]
    pub fn gt(mut self) -> Self {
        self.comparison = Some("GT");
        self
    }

    /// `LT`: only update a score to a lesser one.
    #[must_use]
    pub fn lt(mut self) -> Self {
        self.comparison = Some("LT");
        self
    }

    /// `CH`: count changed scores too.
    #[must_use]
    pub fn ch(mut self) -> Self {
        self.changed = true;
        self
    }

    fn parts(&self) -> [Part<'_>; 6] {
        [
            Part::One(Arg::from("ZADD")),
            Part::One(self.key),
            Part::word(self.condition),
            Part::word(self.comparison),
            Part::flag(self.changed, "CH"),
            Part::List(&self.members),
        ]
    }
}

/// `ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count]`; see [`zrange`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZRange<'a> {
    key: Arg<'a>,
    start: Arg<'a>,
    stop: Arg<'a>,
    by: Option<&'static str>,
    rev: bool,
    limit: Option<(i64, i64)>,
}

/// `ZRANGE key start stop`: the members between two ranks (or scores with
/// [`ZRange::byscore`], or names with [`ZRange::bylex`]). [`ZRange::withscores`] asks
/// for the scores too.
///
/// ```
/// use ferrodis_core::cmd;
/// use ferrodis_core::resp::encode_args;
///
/// let mut buf = [0u8; 128];
/// let top = cmd::zrange("board", "+inf", "-inf").byscore().rev().limit(0, 3).withscores();
/// let n = encode_args(&mut buf, &top).unwrap();
/// assert_eq!(
///     &buf[..n],
///     &b"*10\r\n$6\r\nZRANGE\r\n$5\r\nboard\r\n$4\r\n+inf\r\n$4\r\n-inf\r\n$7\r\nBYSCORE\r\n$3\r\nREV\r\n\
///        $5\r\nLIMIT\r\n$1\r\n0\r\n$1\r\n3\r\n$10\r\nWITHSCORES\r\n"[..],
/// );
/// ```
pub fn zrange<'a>(
    key: impl Into<Arg<'a>>,
    start: impl Into<Arg<'a>>,
    stop: impl Into<Arg<'a>>,
) -> ZRange<'a> {
    ZRange { key: key.into(), start: start.into(), stop: stop.into(), by: None, rev: false, limit: None }
}

impl<'a> ZRange<'a> {
    /// `BYSCORE`: `start` and `stop` are scores (`"(1"` for exclusive, `"-inf"`, `"+inf"`).
    #[must_use]
    pub fn byscore(mut self) -> Self {
        self.by = Some("BYSCORE");
        self
    }

    /// `BYLEX`: `start` and `stop` are names (`"[a"`, `"(a"`, `"-"`, `"+"`).
    #[must_use]
    pub fn bylex(mut self) -> Self {
        self.by = Some("BYLEX");
        self
    }

    /// `REV`: descending order (then `start` is the higher bound).
    #[must_use]
    pub fn rev(mut self) -> Self {
        self.rev = true;
        self
    }

    /// `LIMIT offset count`: a page of the result (with `BYSCORE` or `BYLEX`).
    #[must_use]
    pub fn limit(mut self, offset: i64, count: i64) -> Self {
        self.limit = Some((offset, count));
        self
    }

    /// `WITHSCORES`: the members with their scores.
    pub fn withscores(self) -> ZRangeWithScores<'a> {
        ZRangeWithScores(self)
    }

    fn parts(&self) -> [Part<'_>; 7] {
        [
            Part::One(Arg::from("ZRANGE")),
            Part::One(self.key),
            Part::Two(self.start, self.stop),
            Part::word(self.by),
            Part::flag(self.rev, "REV"),
            self.limit
                .map_or(Part::Skip, |(o, c)| Part::Three(Arg::from("LIMIT"), Arg::from(o), Arg::from(c))),
            Part::Skip,
        ]
    }
}

/// `ZRANGE ... WITHSCORES`; see [`ZRange::withscores`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZRangeWithScores<'a>(ZRange<'a>);

impl ZRangeWithScores<'_> {
    fn parts(&self) -> [Part<'_>; 7] {
        let mut parts = self.0.parts();
        parts[6] = Part::One(Arg::from("WITHSCORES"));
        parts
    }
}

/// How `ZUNIONSTORE` and `ZINTERSTORE` combine the scores of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Aggregation {
    /// `SUM` (the default).
    Sum,
    /// `MIN`.
    Min,
    /// `MAX`.
    Max,
}

impl Aggregation {
    const fn word(self) -> &'static str {
        match self {
            Aggregation::Sum => "SUM",
            Aggregation::Min => "MIN",
            Aggregation::Max => "MAX",
        }
    }
}

/// `ZUNIONSTORE` or `ZINTERSTORE` with weights and aggregation; see [`zunionstore`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZStore<'a, K, W> {
    name: &'static str,
    destination: Arg<'a>,
    keys: &'a [K],
    weights: &'a [W],
    aggregate: Option<Aggregation>,
}

/// `ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE ...]`: the
/// size of the stored union. `numkeys` is counted for you.
pub fn zunionstore<'a, K: ToArgs>(destination: impl Into<Arg<'a>>, keys: &'a [K]) -> ZStore<'a, K, f64> {
    ZStore { name: "ZUNIONSTORE", destination: destination.into(), keys, weights: &[], aggregate: None }
}

/// `ZINTERSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE ...]`: the
/// size of the stored intersection.
pub fn zinterstore<'a, K: ToArgs>(destination: impl Into<Arg<'a>>, keys: &'a [K]) -> ZStore<'a, K, f64> {
    ZStore { name: "ZINTERSTORE", destination: destination.into(), keys, weights: &[], aggregate: None }
}

impl<'a, K: ToArgs, W: ToArgs> ZStore<'a, K, W> {
    /// `WEIGHTS weight ...`: one multiplier per key.
    pub fn weights<V: ToArgs>(self, weights: &'a [V]) -> ZStore<'a, K, V> {
        ZStore {
            name: self.name,
            destination: self.destination,
            keys: self.keys,
            weights,
            aggregate: self.aggregate,
        }
    }

    /// `AGGREGATE SUM | MIN | MAX`.
    #[must_use]
    pub fn aggregate(mut self, aggregate: Aggregation) -> Self {
        self.aggregate = Some(aggregate);
        self
    }

    fn parts(&self) -> [Part<'_>; 7] {
        [
            Part::One(Arg::from(self.name)),
            Part::One(self.destination),
            Part::One(Arg::from(self.keys.len())),
            Part::List(&self.keys),
            Part::flag(!self.weights.is_empty(), "WEIGHTS"),
            Part::List(&self.weights),
            Part::opt("AGGREGATE", self.aggregate.map(Aggregation::word)),
        ]
    }
}

/// `ZSCAN key cursor [MATCH pattern] [COUNT count]`: the next cursor and a page of
/// members with scores (see [`Scan`]).
pub fn zscan<'a>(key: impl Into<Arg<'a>>, cursor: u64) -> Scan<'a, Scored<'static>> {
    Scan::of("ZSCAN", key.into(), cursor)
}

by_parts! {
    impl['a, S: ToArgs, M: ToArgs] ZAdd<'a, S, M> => u64;
    impl['a] ZRange<'a> => List<'r, &'r [u8]>;
    impl['a] ZRangeWithScores<'a> => Scored<'r>;
    impl['a, K: ToArgs, W: ToArgs] ZStore<'a, K, W> => u64;
}
