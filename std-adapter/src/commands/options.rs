//! The option types of the command methods added for streams, lists, keys and scans:
//! [`Expiry`] (`GETEX`), [`Direction`] (`LMOVE`), [`StreamReadOptions`] (`XREAD`,
//! `XREADGROUP`) and [`ScanOptions`] (`SCAN`, `HSCAN`, `SSCAN`, `ZSCAN`), each written as
//! the arguments Redis expects, in redis-rs's names.

use ferrodis_core::resp::Arg;

use crate::value::{ArgSink, ToArgs};

/// The expiry `GETEX` gives a key (redis-rs's `Expiry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::upper_case_acronyms)]
pub enum Expiry {
    /// `EX seconds`.
    EX(u64),
    /// `PX milliseconds`.
    PX(u64),
    /// `EXAT unix-seconds`.
    EXAT(u64),
    /// `PXAT unix-milliseconds`.
    PXAT(u64),
    /// `PERSIST`: remove the time to live.
    PERSIST,
}

impl ToArgs for Expiry {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        let (word, amount) = match *self {
            Expiry::EX(n) => ("EX", Some(n)),
            Expiry::PX(n) => ("PX", Some(n)),
            Expiry::EXAT(n) => ("EXAT", Some(n)),
            Expiry::PXAT(n) => ("PXAT", Some(n)),
            Expiry::PERSIST => ("PERSIST", None),
        };
        out.push(Arg::from(word));
        if let Some(n) = amount {
            out.push(Arg::from(n));
        }
    }
}

/// An end of a list, for `LMOVE` and `BLMOVE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `LEFT`: the head.
    Left,
    /// `RIGHT`: the tail.
    Right,
}

impl ToArgs for Direction {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        out.push(Arg::from(match self {
            Direction::Left => "LEFT",
            Direction::Right => "RIGHT",
        }));
    }
}

/// The options of `XREAD` and `XREADGROUP` (redis-rs's `StreamReadOptions`): how many
/// entries per stream, how long to block, and for `XREADGROUP` the group and consumer.
///
/// ```
/// use ferrodis_std::{StreamReadOptions, ToArgs};
///
/// let options = StreamReadOptions::default().group("workers", "w-1").count(10).block(500).noack();
/// let mut args: Vec<Vec<u8>> = Vec::new();
/// options.write_args(&mut args);
/// assert_eq!(args, [&b"GROUP"[..], b"workers", b"w-1", b"COUNT", b"10", b"BLOCK", b"500", b"NOACK"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamReadOptions {
    group: Option<(Vec<u8>, Vec<u8>)>,
    count: Option<usize>,
    block_ms: Option<u64>,
    noack: bool,
}

impl StreamReadOptions {
    /// At most `count` entries per stream (`COUNT`).
    #[must_use]
    pub fn count(mut self, count: usize) -> Self {
        self.count = Some(count);
        self
    }

    /// Waits up to `milliseconds` for an entry when there is none (`BLOCK`; 0 waits
    /// forever). A blocking read holds up a multiplexed connection: give it its own.
    #[must_use]
    pub fn block(mut self, milliseconds: u64) -> Self {
        self.block_ms = Some(milliseconds);
        self
    }

    /// Reads as `consumer` of consumer group `group` (`GROUP`, for `XREADGROUP`).
    #[must_use]
    pub fn group(mut self, group: impl AsRef<[u8]>, consumer: impl AsRef<[u8]>) -> Self {
        self.group = Some((group.as_ref().to_vec(), consumer.as_ref().to_vec()));
        self
    }

    /// Does not add the entries read to the group's pending list (`NOACK`).
    #[must_use]
    pub fn noack(mut self) -> Self {
        self.noack = true;
        self
    }

    /// Whether the options name a group, so the command is `XREADGROUP`.
    pub(super) fn has_group(&self) -> bool {
        self.group.is_some()
    }
}

impl ToArgs for StreamReadOptions {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        if let Some((group, consumer)) = &self.group {
            out.push(Arg::from("GROUP"));
            out.push(Arg::Bytes(group));
            out.push(Arg::Bytes(consumer));
        }
        if let Some(count) = self.count {
            out.push(Arg::from("COUNT"));
            out.push(Arg::from(count));
        }
        if let Some(ms) = self.block_ms {
            out.push(Arg::from("BLOCK"));
            out.push(Arg::from(ms));
        }
        if self.noack {
            out.push(Arg::from("NOACK"));
        }
    }
}

/// The options of a scan (redis-rs's `ScanOptions`): a `MATCH` pattern, a `COUNT` hint
/// and, for `SCAN` only, a key `TYPE`.
///
/// ```
/// use ferrodis_std::{ScanOptions, ToArgs};
///
/// let options = ScanOptions::default().with_pattern("user:*").with_count(100).with_type("hash");
/// let mut args: Vec<Vec<u8>> = Vec::new();
/// options.write_args(&mut args);
/// assert_eq!(args, [&b"MATCH"[..], b"user:*", b"COUNT", b"100", b"TYPE", b"hash"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanOptions {
    pattern: Option<Vec<u8>>,
    count: Option<usize>,
    key_type: Option<Vec<u8>>,
}

impl ScanOptions {
    /// Only what matches the glob-style `pattern` (`MATCH`).
    #[must_use]
    pub fn with_pattern(mut self, pattern: impl AsRef<[u8]>) -> Self {
        self.pattern = Some(pattern.as_ref().to_vec());
        self
    }

    /// About `count` elements per round trip (`COUNT`, a hint to the server).
    #[must_use]
    pub fn with_count(mut self, count: usize) -> Self {
        self.count = Some(count);
        self
    }

    /// Only keys of type `key_type`, such as `"string"` or `"hash"` (`TYPE`, `SCAN` only).
    #[must_use]
    pub fn with_type(mut self, key_type: impl AsRef<[u8]>) -> Self {
        self.key_type = Some(key_type.as_ref().to_vec());
        self
    }
}

impl ToArgs for ScanOptions {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        if let Some(pattern) = &self.pattern {
            out.push(Arg::from("MATCH"));
            out.push(Arg::Bytes(pattern));
        }
        if let Some(count) = self.count {
            out.push(Arg::from("COUNT"));
            out.push(Arg::from(count));
        }
        if let Some(key_type) = &self.key_type {
            out.push(Arg::from("TYPE"));
            out.push(Arg::Bytes(key_type));
        }
    }
}
