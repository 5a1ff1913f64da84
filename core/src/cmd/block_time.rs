//! How long a blocking command may keep the server from answering, read from its own
//! timeout argument, so a driver's response deadline can wait that long on top.
//!
//! Each blocking command names its timeout in its own place and unit: the last argument,
//! in seconds (`BLPOP`, `BRPOP`, `BRPOPLPUSH`, `BLMOVE`, `BZPOPMIN`, `BZPOPMAX`), the first
//! one, in seconds (`BLMPOP`, `BZMPOP`), the last one, in milliseconds (`WAIT`,
//! `WAITAOF`), or the one after `BLOCK`, in milliseconds (`XREAD`, `XREADGROUP`, which do
//! not block without it). Zero means "forever" for all of them.

use core::time::Duration;

use crate::resp::{Arg, ArgSink, CommandArgs};

/// How long a blocking command may wait before the server answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockTime {
    /// Until the awaited data comes (a timeout of 0).
    Forever,
    /// At most this long.
    AtMost(Duration),
}

/// Where a blocking command keeps its timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The last argument, in seconds (a decimal fraction allowed).
    LastSeconds,
    /// The first argument after the name, in seconds.
    FirstSeconds,
    /// The last argument, in milliseconds.
    LastMillis,
    /// The argument after `BLOCK`, in milliseconds.
    AfterBlock,
}

/// The blocking commands of the command table (flag `blocking`) and where each keeps its
/// timeout.
const BLOCKING: [(&[u8], Place); 12] = [
    (b"BLPOP", Place::LastSeconds),
    (b"BRPOP", Place::LastSeconds),
    (b"BRPOPLPUSH", Place::LastSeconds),
    (b"BLMOVE", Place::LastSeconds),
    (b"BZPOPMIN", Place::LastSeconds),
    (b"BZPOPMAX", Place::LastSeconds),
    (b"BLMPOP", Place::FirstSeconds),
    (b"BZMPOP", Place::FirstSeconds),
    (b"WAIT", Place::LastMillis),
    (b"WAITAOF", Place::LastMillis),
    (b"XREAD", Place::AfterBlock),
    (b"XREADGROUP", Place::AfterBlock),
];

/// How long `command` may block the connection before its reply comes: `None` for a
/// command that does not block (most), or an `XREAD` without `BLOCK`. A timeout argument
/// that is not a number is the server's to refuse at once, so it counts as no wait.
///
/// Cheap for the commands that do not block: their name is told apart by its first byte.
///
/// ```
/// use core::time::Duration;
/// use ferrodis_core::cmd::{BlockTime, block_time};
/// use ferrodis_core::resp::Arg;
///
/// assert_eq!(block_time(&["GET", "k"].map(Arg::from)), None);
/// assert_eq!(block_time(&["BLPOP", "a", "b", "1.5"].map(Arg::from)), Some(BlockTime::AtMost(Duration::from_millis(1500))));
/// assert_eq!(block_time(&["BLPOP", "a", "0"].map(Arg::from)), Some(BlockTime::Forever));
/// assert_eq!(block_time(&["XREAD", "BLOCK", "250", "STREAMS", "s", "$"].map(Arg::from)), Some(BlockTime::AtMost(Duration::from_millis(250))));
/// assert_eq!(block_time(&["XREAD", "STREAMS", "s", "0"].map(Arg::from)), None);
/// ```
pub fn block_time<C: CommandArgs + ?Sized>(command: &C) -> Option<BlockTime> {
    if let Some(name) = command.name()
        && !may_name_blocking(name)
    {
        return None;
    }
    let mut reader = Reader { count: command.arg_count(), ..Reader::default() };
    command.write_args(&mut reader);
    match (reader.place, reader.timeout) {
        (None, _) => None,
        (Some(Place::AfterBlock), None) => None,
        (Some(_), None) => Some(BlockTime::AtMost(Duration::ZERO)),
        (Some(_), Some(Timeout::Millis(0))) => Some(BlockTime::Forever),
        (Some(_), Some(Timeout::Millis(ms))) => Some(BlockTime::AtMost(Duration::from_millis(ms))),
        (Some(_), Some(Timeout::NotANumber)) => Some(BlockTime::AtMost(Duration::ZERO)),
    }
}

/// How long a batch of `commands` may block, one after the other: the sum of their waits,
/// forever when one waits forever, `None` when none blocks.
///
/// ```
/// use core::time::Duration;
/// use ferrodis_core::cmd::{BlockTime, batch_block_time};
/// use ferrodis_core::resp::Arg;
///
/// let a = ["BLPOP", "a", "1"].map(Arg::from);
/// let b = ["BLPOP", "b", "0.5"].map(Arg::from);
/// let get = ["GET", "k"].map(Arg::from);
/// let pipeline: [&[Arg<'_>]; 3] = [&a, &get, &b];
/// assert_eq!(batch_block_time(pipeline), Some(BlockTime::AtMost(Duration::from_millis(1500))));
/// assert_eq!(batch_block_time([&get[..]]), None);
/// ```
pub fn batch_block_time<'c, C: CommandArgs + ?Sized + 'c>(
    commands: impl IntoIterator<Item = &'c C>,
) -> Option<BlockTime> {
    commands.into_iter().filter_map(|c| block_time(c)).reduce(|a, b| match (a, b) {
        (BlockTime::AtMost(a), BlockTime::AtMost(b)) => BlockTime::AtMost(a.saturating_add(b)),
        _ => BlockTime::Forever,
    })
}

/// The limit on waiting for a request's reply, given the driver's response `timeout` and
/// how long the request may `block`: the timeout with the command's own wait on top, and
/// none for a command that waits forever (`BLPOP k 0`) or without a timeout.
///
/// ```
/// use core::time::Duration;
/// use ferrodis_core::cmd::{BlockTime, response_limit};
///
/// let s = Duration::from_secs;
/// assert_eq!(response_limit(Some(s(10)), None), Some(s(10)));
/// assert_eq!(response_limit(Some(s(10)), Some(BlockTime::AtMost(s(5)))), Some(s(15)));
/// assert_eq!(response_limit(Some(s(10)), Some(BlockTime::Forever)), None);
/// assert_eq!(response_limit(None, None), None);
/// ```
pub fn response_limit(timeout: Option<Duration>, block: Option<BlockTime>) -> Option<Duration> {
    match (timeout, block) {
        (None, _) | (Some(_), Some(BlockTime::Forever)) => None,
        (Some(timeout), None) => Some(timeout),
        (Some(timeout), Some(BlockTime::AtMost(wait))) => timeout.checked_add(wait),
    }
}

/// Whether a command named `name` may be one of [`BLOCKING`]: they all begin with `B`,
/// `W` or `X`.
#[inline]
fn may_name_blocking(name: &[u8]) -> bool {
    matches!(name.first(), Some(b'B' | b'b' | b'W' | b'w' | b'X' | b'x'))
}

/// A timeout argument as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timeout {
    Millis(u64),
    NotANumber,
}

/// Reads the name, then only the argument where that command keeps its timeout.
#[derive(Default)]
struct Reader {
    count: usize,
    seen: usize,
    place: Option<Place>,
    /// The previous argument was `BLOCK` (for `XREAD`).
    after_block: bool,
    /// `STREAMS` came: what follows are names and ids.
    in_streams: bool,
    timeout: Option<Timeout>,
}

impl ArgSink for Reader {
    fn push(&mut self, arg: Arg<'_>) {
        let index = self.seen;
        self.seen += 1;
        if index == 0 {
            self.place = arg.text(|name| {
                if !may_name_blocking(name) {
                    return None;
                }
                BLOCKING.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, place)| *place)
            });
            return;
        }
        let last = index + 1 == self.count;
        match self.place {
            Some(Place::LastSeconds) if last => self.timeout = Some(arg.text(seconds)),
            Some(Place::FirstSeconds) if index == 1 => self.timeout = Some(arg.text(seconds)),
            Some(Place::LastMillis) if last => self.timeout = Some(arg.text(millis)),
            Some(Place::AfterBlock) if !self.in_streams => {
                if self.after_block {
                    self.timeout = Some(arg.text(millis));
                }
                self.after_block = arg.text(|a| a.eq_ignore_ascii_case(b"BLOCK"));
                self.in_streams = arg.text(|a| a.eq_ignore_ascii_case(b"STREAMS"));
            }
            _ => {}
        }
    }
}

/// Whole milliseconds in `text`, a non-negative integer.
fn millis(text: &[u8]) -> Timeout {
    match whole(text) {
        Some(ms) => Timeout::Millis(ms),
        None => Timeout::NotANumber,
    }
}

/// `text` as seconds (`5`, `0.25`, `1.5e0` is not taken) in milliseconds, rounded up so a
/// wait of 0.0001 s is not "forever".
fn seconds(text: &[u8]) -> Timeout {
    let (int, frac) = match text.iter().position(|&b| b == b'.') {
        Some(dot) => (&text[..dot], &text[dot + 1..]),
        None => (text, &[][..]),
    };
    let int = if int.is_empty() && !frac.is_empty() { Some(0) } else { whole(int) };
    let (Some(int), true) = (int, frac.iter().all(u8::is_ascii_digit)) else {
        return Timeout::NotANumber;
    };
    // The first three digits are milliseconds; any further non-zero digit rounds up.
    let mut ms = 0u64;
    for i in 0..3 {
        ms = ms * 10 + u64::from(frac.get(i).map_or(0, |d| d - b'0'));
    }
    let rest = frac.get(3..).unwrap_or(&[]);
    if rest.iter().any(|&d| d != b'0') {
        ms += 1;
    }
    Timeout::Millis(int.saturating_mul(1000).saturating_add(ms))
}

/// A non-negative decimal integer, saturating at `u64::MAX`.
fn whole(text: &[u8]) -> Option<u64> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0u64, |n, d| n.saturating_mul(10).saturating_add(u64::from(d - b'0'))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::COMMANDS;
    use crate::resp::Arg;

    fn at_most(ms: u64) -> Option<BlockTime> {
        Some(BlockTime::AtMost(Duration::from_millis(ms)))
    }

    #[test]
    fn each_command_reads_its_own_place_and_unit() {
        assert_eq!(block_time(&["BRPOP", "a", "2"].map(Arg::from)), at_most(2000));
        assert_eq!(block_time(&["brpoplpush", "a", "b", "0.5"].map(Arg::from)), at_most(500));
        assert_eq!(block_time(&["BLMOVE", "a", "b", "LEFT", "RIGHT", "3"].map(Arg::from)), at_most(3000));
        assert_eq!(block_time(&["BZPOPMAX", "z", ".25"].map(Arg::from)), at_most(250));
        assert_eq!(
            block_time(&["BLMPOP", "1.5", "2", "a", "b", "LEFT", "COUNT", "9"].map(Arg::from)),
            at_most(1500)
        );
        assert_eq!(block_time(&["BZMPOP", "0", "1", "z", "MIN"].map(Arg::from)), Some(BlockTime::Forever));
        assert_eq!(block_time(&["WAIT", "1", "100"].map(Arg::from)), at_most(100));
        assert_eq!(block_time(&["WAITAOF", "1", "0", "0"].map(Arg::from)), Some(BlockTime::Forever));
        assert_eq!(
            block_time(
                &["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", ">"]
                    .map(Arg::from)
            ),
            Some(BlockTime::Forever)
        );
    }

    #[test]
    fn xread_blocks_only_with_block_and_a_stream_named_block_is_a_name() {
        assert_eq!(block_time(&["XREAD", "COUNT", "5", "STREAMS", "BLOCK", "0"].map(Arg::from)), None);
        assert_eq!(block_time(&["XREAD", "STREAMS", "s", "0"].map(Arg::from)), None);
    }

    #[test]
    fn numbers_of_every_argument_kind_and_odd_text() {
        let typed = [Arg::from("BLPOP"), Arg::from("k"), Arg::from(2u64)];
        assert_eq!(block_time(&typed[..]), at_most(2000));
        let float = [Arg::from("BLPOP"), Arg::from("k"), Arg::from(0.1f64)];
        assert_eq!(block_time(&float[..]), at_most(100));
        assert_eq!(block_time(&["BLPOP", "k", "0.0001"].map(Arg::from)), at_most(1));
        assert_eq!(block_time(&["BLPOP", "k", "0.000"].map(Arg::from)), Some(BlockTime::Forever));
        assert_eq!(block_time(&["BLPOP", "k", "soon"].map(Arg::from)), at_most(0));
        assert_eq!(block_time(&["BLPOP", "k", "-1"].map(Arg::from)), at_most(0));
        assert_eq!(block_time(&["BLPOP", "k", "1."].map(Arg::from)), at_most(1000));
        assert_eq!(block_time(&["BLPOP", "k", "."].map(Arg::from)), at_most(0));
        assert_eq!(block_time(&["BLPOP", "k", "99999999999999999999999"].map(Arg::from)), at_most(u64::MAX));
        assert_eq!(block_time(&["BLPOP"].map(Arg::from)), at_most(0));
        assert_eq!(block_time::<[Arg<'_>]>(&[][..]), None);
        assert_eq!(block_time(&["BITCOUNT", "k"].map(Arg::from)), None);
    }

    /// Every command the table flags `blocking` is read here, except those whose wait is
    /// not a reply's (subscriptions and `MONITOR` stream; they are the engine's modes).
    #[test]
    fn every_blocking_command_of_the_table_is_known() {
        let mut known = 0;
        for info in COMMANDS.iter().filter(|c| c.is_blocking()) {
            if BLOCKING.iter().any(|(n, _)| n.eq_ignore_ascii_case(info.name.as_bytes())) {
                known += 1;
                continue;
            }
            let streams = matches!(info.name, "monitor" | "sync" | "psync");
            assert!(streams, "{} blocks: where is its timeout?", info.name);
        }
        assert_eq!(known, BLOCKING.len());
    }
}
