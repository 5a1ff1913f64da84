//! Streams: `XADD`, `XRANGE`, `XREAD`, `XREADGROUP`, `XACK`, `XGROUP`, `XPENDING`,
//! `XTRIM`, `XLEN`, `XDEL`.

use super::ToArgs;
use super::args::{Part, by_parts, fixed, variadic};
use crate::reply::{List, Okay, PendingEntry, PendingSummary, StreamEntry, Streams};
use crate::resp::Arg;

variadic! {
    /// `XACK key group id [id ...]`: how many entries were acknowledged.
    fn xack(key, group; ids: [I]) -> XAck<I> ["XACK"] => u64;
    /// `XDEL key id [id ...]`: how many entries were deleted.
    fn xdel(key; ids: [I]) -> XDel<I> ["XDEL"] => u64;
}

fixed! {
    /// `XLEN key`: the number of entries (0 for a missing key).
    fn xlen(key) -> XLen ["XLEN"] => u64;
    /// `XGROUP DESTROY key group`: whether the group existed.
    fn xgroup_destroy(key, group) -> XGroupDestroy ["XGROUP", "DESTROY"] => bool;
    /// `XGROUP CREATECONSUMER key group consumer`: whether the consumer was created.
    fn xgroup_createconsumer(key, group, consumer) -> XGroupCreateConsumer ["XGROUP", "CREATECONSUMER"] => bool;
    /// `XGROUP DELCONSUMER key group consumer`: how many pending entries the consumer had.
    fn xgroup_delconsumer(key, group, consumer) -> XGroupDelConsumer ["XGROUP", "DELCONSUMER"] => u64;
    /// `XGROUP SETID key group id`: moves the group's last-delivered id (`$`: the end).
    fn xgroup_setid(key, group, id) -> XGroupSetId ["XGROUP", "SETID"] => Okay;
    /// `XPENDING key group`: the summary of the group's pending entries.
    fn xpending(key, group) -> XPending ["XPENDING"] => PendingSummary<'r>;
}

/// How `XADD` and `XTRIM` trim a stream: `MAXLEN` or `MINID`, exact (`=`) or
/// approximate (`~`), with an optional `LIMIT` (approximate trimming only).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trim<'a> {
    strategy: &'static str,
    threshold: Arg<'a>,
    approximate: bool,
    limit: Option<u64>,
}

impl<'a> Trim<'a> {
    /// `MAXLEN = len`: keep at most `len` entries.
    pub fn maxlen(len: u64) -> Self {
        Trim { strategy: "MAXLEN", threshold: Arg::from(len), approximate: false, limit: None }
    }

    /// `MINID = id`: drop the entries with an id lower than `id`.
    pub fn minid(id: impl Into<Arg<'a>>) -> Self {
        Trim { strategy: "MINID", threshold: id.into(), approximate: false, limit: None }
    }

    /// `~`: trim only whole macro nodes, which is much cheaper (the stream may keep a few
    /// more entries).
    #[must_use]
    pub fn approx(mut self) -> Self {
        self.approximate = true;
        self
    }

    /// `LIMIT count`: evict at most `count` entries (with [`Trim::approx`] only).
    #[must_use]
    pub fn limit(mut self, count: u64) -> Self {
        self.limit = Some(count);
        self
    }

    fn parts(&self) -> [Part<'a>; 2] {
        let mode = Arg::from(if self.approximate { "~" } else { "=" });
        [Part::Three(Arg::from(self.strategy), mode, self.threshold), Part::opt("LIMIT", self.limit)]
    }
}

/// `XADD key [NOMKSTREAM] [MAXLEN | MINID [= | ~] threshold [LIMIT count]] id field value
/// ...`; see [`xadd`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct XAdd<'a, F, V> {
    key: Arg<'a>,
    id: Arg<'a>,
    fields: &'a [(F, V)],
    trim: Option<Trim<'a>>,
}

/// `XADD key id field value [field value ...]`: the id of the new entry. `id` is usually
/// `"*"` (the server picks one).
///
/// ```
/// use ferrodis_core::cmd::{self, Trim};
/// use ferrodis_core::resp::encode_args;
///
/// let mut buf = [0u8; 128];
/// let add = cmd::xadd("events", "*", &[("kind", "click")]).trim(Trim::maxlen(1000).approx());
/// let n = encode_args(&mut buf, &add).unwrap();
/// assert_eq!(
///     &buf[..n],
///     &b"*8\r\n$4\r\nXADD\r\n$6\r\nevents\r\n$6\r\nMAXLEN\r\n$1\r\n~\r\n$4\r\n1000\r\n\
///        $1\r\n*\r\n$4\r\nkind\r\n$5\r\nclick\r\n"[..],
/// );
/// ```
pub fn xadd<'a, F: ToArgs, V: ToArgs>(
    key: impl Into<Arg<'a>>,
    id: impl Into<Arg<'a>>,
    fields: &'a [(F, V)],
) -> XAdd<'a, F, V> {
    XAdd { key: key.into(), id: id.into(), fields, trim: None }
}

impl<'a, F: ToArgs, V: ToArgs> XAdd<'a, F, V> {
    /// Trims the stream as the entry is added.
    #[must_use]
    pub fn trim(mut self, trim: Trim<'a>) -> Self {
        self.trim = Some(trim);
        self
    }

    /// `NOMKSTREAM`: do not create a missing stream; the reply is then `None`. Call it
    /// last.
    pub fn nomkstream(self) -> XAddNoMkStream<'a, F, V> {
        XAddNoMkStream(self)
    }

    fn parts(&self) -> [Part<'_>; 7] {
        self.parts_with(false)
    }

    fn parts_with(&self, nomkstream: bool) -> [Part<'_>; 7] {
        let [trim, limit] = self.trim.map_or([Part::Skip, Part::Skip], |t| t.parts());
        [
            Part::One(Arg::from("XADD")),
            Part::One(self.key),
            Part::flag(nomkstream, "NOMKSTREAM"),
            trim,
            limit,
            Part::One(self.id),
            Part::List(&self.fields),
        ]
    }
}

/// `XADD key NOMKSTREAM ...`; see [`XAdd::nomkstream`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct XAddNoMkStream<'a, F, V>(XAdd<'a, F, V>);

/// `XTRIM key MAXLEN | MINID [= | ~] threshold [LIMIT count]`; see [`xtrim`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct XTrim<'a> {
    key: Arg<'a>,
    trim: Trim<'a>,
}

/// `XTRIM key MAXLEN | MINID ...`: how many entries were deleted.
pub fn xtrim<'a>(key: impl Into<Arg<'a>>, trim: Trim<'a>) -> XTrim<'a> {
    XTrim { key: key.into(), trim }
}

/// `XRANGE` or `XREVRANGE` with `COUNT`; see [`xrange`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct XRange<'a> {
    name: &'static str,
    key: Arg<'a>,
    from: Arg<'a>,
    to: Arg<'a>,
    count: Option<u64>,
}

/// `XRANGE key start end [COUNT count]`: the entries with ids from `start` to `end`
/// (`"-"` and `"+"` are the ends; `"(id"` excludes `id`).
pub fn xrange<'a>(key: impl Into<Arg<'a>>, start: impl Into<Arg<'a>>, end: impl Into<Arg<'a>>) -> XRange<'a> {
    XRange { name: "XRANGE", key: key.into(), from: start.into(), to: end.into(), count: None }
}

/// `XREVRANGE key end start [COUNT count]`: as [`xrange`], newest first.
pub fn xrevrange<'a>(
    key: impl Into<Arg<'a>>,
    end: impl Into<Arg<'a>>,
    start: impl Into<Arg<'a>>,
) -> XRange<'a> {
    XRange { name: "XREVRANGE", key: key.into(), from: end.into(), to: start.into(), count: None }
}

impl XRange<'_> {
    /// `COUNT count`: at most `count` entries.
    #[must_use]
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    fn parts(&self) -> [Part<'_>; 4] {
        [
            Part::One(Arg::from(self.name)),
            Part::One(self.key),
            Part::Two(self.from, self.to),
            Part::opt("COUNT", self.count),
        ]
    }
}

/// `XREAD [COUNT count] [BLOCK ms] STREAMS key ... id ...`; see [`xread`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct XRead<'a, K, I> {
    streams: &'a [(K, I)],
    count: Option<u64>,
    block: Option<u64>,
}

/// `XREAD STREAMS key ... id ...`: the entries after each `(key, id)` (`"$"`: only new
/// ones), or `None` when a blocking read timed out.
///
/// ```
/// use ferrodis_core::cmd;
/// use ferrodis_core::resp::encode_args;
///
/// let mut buf = [0u8; 128];
/// let n = encode_args(&mut buf, &cmd::xread(&[("a", "0"), ("b", "$")]).count(10)).unwrap();
/// assert_eq!(
///     &buf[..n],
///     &b"*8\r\n$5\r\nXREAD\r\n$5\r\nCOUNT\r\n$2\r\n10\r\n$7\r\nSTREAMS\r\n\
///        $1\r\na\r\n$1\r\nb\r\n$1\r\n0\r\n$1\r\n$\r\n"[..],
/// );
/// ```
pub fn xread<K: ToArgs, I: ToArgs>(streams: &[(K, I)]) -> XRead<'_, K, I> {
    XRead { streams, count: None, block: None }
}

impl<K: ToArgs, I: ToArgs> XRead<'_, K, I> {
    /// `COUNT count`: at most `count` entries per stream.
    #[must_use]
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    /// `BLOCK milliseconds`: wait up to this long for entries (0: forever). Mind the
    /// transport's read timeout.
    #[must_use]
    pub fn block(mut self, milliseconds: u64) -> Self {
        self.block = Some(milliseconds);
        self
    }

    fn parts(&self) -> [Part<'_>; 6] {
        [
            Part::One(Arg::from("XREAD")),
            Part::opt("COUNT", self.count),
            Part::opt("BLOCK", self.block),
            Part::One(Arg::from("STREAMS")),
            Part::Column(&self.streams, false),
            Part::Column(&self.streams, true),
        ]
    }
}

/// `XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key ... id
/// ...`; see [`xreadgroup`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct XReadGroup<'a, K, I> {
    group: Arg<'a>,
    consumer: Arg<'a>,
    streams: &'a [(K, I)],
    count: Option<u64>,
    block: Option<u64>,
    noack: bool,
}

/// `XREADGROUP GROUP group consumer STREAMS key ... id ...`: entries for `consumer` of
/// `group` (`">"`: never delivered ones; an id: this consumer's pending history), or
/// `None` when a blocking read timed out.
pub fn xreadgroup<'a, K: ToArgs, I: ToArgs>(
    group: impl Into<Arg<'a>>,
    consumer: impl Into<Arg<'a>>,
    streams: &'a [(K, I)],
) -> XReadGroup<'a, K, I> {
    XReadGroup {
        group: group.into(),
        consumer: consumer.into(),
        streams,
        count: None,
        block: None,
        noack: false,
    }
}

impl<K: ToArgs, I: ToArgs> XReadGroup<'_, K, I> {
    /// `COUNT count`: at most `count` entries per stream.
    #[must_use]
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    /// `BLOCK milliseconds`: wait up to this long for entries (0: forever).
    #[must_use]
    pub fn block(mut self, milliseconds: u64) -> Self {
        self.block = Some(milliseconds);
        self
    }

    /// `NOACK`: do not add the entries to the pending list.
    #[must_use]
    pub fn noack(mut self) -> Self {
        self.noack = true;
        self
    }

    fn parts(&self) -> [Part<'_>; 8] {
        [
            Part::One(Arg::from("XREADGROUP")),
            Part::Three(Arg::from("GROUP"), self.group, self.consumer),
            Part::opt("COUNT", self.count),
            Part::opt("BLOCK", self.block),
            Part::flag(self.noack, "NOACK"),
            Part::One(Arg::from("STREAMS")),
            Part::Column(&self.streams, false),
            Part::Column(&self.streams, true),
        ]
    }
}

/// `XGROUP CREATE key group id [MKSTREAM] [ENTRIESREAD n]`; see [`xgroup_create`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct XGroupCreate<'a> {
    key: Arg<'a>,
    group: Arg<'a>,
    id: Arg<'a>,
    mkstream: bool,
    entries_read: Option<u64>,
}

/// `XGROUP CREATE key group id`: creates a consumer group that starts after `id` (`"$"`:
/// only new entries, `"0"`: the whole stream). An existing group fails with `BUSYGROUP`.
pub fn xgroup_create<'a>(
    key: impl Into<Arg<'a>>,
    group: impl Into<Arg<'a>>,
    id: impl Into<Arg<'a>>,
) -> XGroupCreate<'a> {
    XGroupCreate { key: key.into(), group: group.into(), id: id.into(), mkstream: false, entries_read: None }
}

impl XGroupCreate<'_> {
    /// `MKSTREAM`: create the stream when it is missing.
    #[must_use]
    pub fn mkstream(mut self) -> Self {
        self.mkstream = true;
        self
    }

    /// `ENTRIESREAD n`: how many entries the group has read already (for lag tracking).
    #[must_use]
    pub fn entries_read(mut self, n: u64) -> Self {
        self.entries_read = Some(n);
        self
    }

    fn parts(&self) -> [Part<'_>; 4] {
        [
            Part::Two(Arg::from("XGROUP"), Arg::from("CREATE")),
            Part::Three(self.key, self.group, self.id),
            Part::flag(self.mkstream, "MKSTREAM"),
            Part::opt("ENTRIESREAD", self.entries_read),
        ]
    }
}

/// `XPENDING key group [IDLE ms] start end count [consumer]`; see [`xpending_range`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct XPendingRange<'a> {
    key: Arg<'a>,
    group: Arg<'a>,
    start: Arg<'a>,
    end: Arg<'a>,
    count: u64,
    idle: Option<u64>,
    consumer: Option<Arg<'a>>,
}

/// `XPENDING key group start end count`: up to `count` pending entries with ids from
/// `start` to `end` (`"-"`, `"+"`).
pub fn xpending_range<'a>(
    key: impl Into<Arg<'a>>,
    group: impl Into<Arg<'a>>,
    start: impl Into<Arg<'a>>,
    end: impl Into<Arg<'a>>,
    count: u64,
) -> XPendingRange<'a> {
    XPendingRange {
        key: key.into(),
        group: group.into(),
        start: start.into(),
        end: end.into(),
        count,
        idle: None,
        consumer: None,
    }
}

impl<'a> XPendingRange<'a> {
    /// `IDLE ms`: only entries idle at least this long.
    #[must_use]
    pub fn idle(mut self, milliseconds: u64) -> Self {
        self.idle = Some(milliseconds);
        self
    }

    /// Only the entries of one consumer.
    #[must_use]
    pub fn consumer(mut self, consumer: impl Into<Arg<'a>>) -> Self {
        self.consumer = Some(consumer.into());
        self
    }

    fn parts(&self) -> [Part<'_>; 5] {
        [
            Part::Three(Arg::from("XPENDING"), self.key, self.group),
            Part::opt("IDLE", self.idle),
            Part::Two(self.start, self.end),
            Part::One(Arg::from(self.count)),
            self.consumer.map_or(Part::Skip, Part::One),
        ]
    }
}

impl<F: ToArgs, V: ToArgs> XAddNoMkStream<'_, F, V> {
    fn parts(&self) -> [Part<'_>; 7] {
        self.0.parts_with(true)
    }
}

impl XTrim<'_> {
    fn parts(&self) -> [Part<'_>; 4] {
        let [trim, limit] = self.trim.parts();
        [Part::One(Arg::from("XTRIM")), Part::One(self.key), trim, limit]
    }
}

by_parts! {
    impl['a, F: ToArgs, V: ToArgs] XAdd<'a, F, V> => &'r [u8];
    impl['a, F: ToArgs, V: ToArgs] XAddNoMkStream<'a, F, V> => Option<&'r [u8]>;
    impl['a] XTrim<'a> => u64;
    impl['a] XRange<'a> => List<'r, StreamEntry<'r>>;
    impl['a, K: ToArgs, I: ToArgs] XRead<'a, K, I> => Option<Streams<'r>>;
    impl['a, K: ToArgs, I: ToArgs] XReadGroup<'a, K, I> => Option<Streams<'r>>;
    impl['a] XGroupCreate<'a> => Okay;
    impl['a] XPendingRange<'a> => List<'r, PendingEntry<'r>>;
}
