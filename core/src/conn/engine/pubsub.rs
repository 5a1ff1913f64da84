//! Pub/sub as far as the engine goes: which frames are messages and which are
//! subscription confirmations, and how many subscriptions the connection has, from the
//! counts in the confirmations.

use crate::resp::{Aggregate, Frame};

use super::slots::Channels;

/// What a pub/sub frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PubSub {
    /// A message (`message`, `pmessage`, `smessage`) or any other push frame.
    Message,
    /// A subscription change of kind `of` (`subscribe` when `subscribed`), with the count
    /// the server reports after it.
    Confirmation { of: Channels, subscribed: bool, count: u32 },
}

/// What the first element of a pub/sub frame says: `None` for a message, else the kind of
/// subscription it confirms and whether it subscribes.
type Confirms = Option<(Channels, bool)>;

/// The first element of each pub/sub frame, and what it says.
const KINDS: [(&[u8], Confirms); 9] = [
    (b"message", None),
    (b"pmessage", None),
    (b"smessage", None),
    (b"subscribe", Some((Channels::Channel, true))),
    (b"psubscribe", Some((Channels::Pattern, true))),
    (b"ssubscribe", Some((Channels::Shard, true))),
    (b"unsubscribe", Some((Channels::Channel, false))),
    (b"punsubscribe", Some((Channels::Pattern, false))),
    (b"sunsubscribe", Some((Channels::Shard, false))),
];

impl PubSub {
    /// The kind of a push frame (RESP3), or of an array that may be one (RESP2).
    pub(super) fn of(items: &Aggregate<'_>) -> Option<PubSub> {
        let mut iter = items.iter();
        let (Frame::BulkString(kind) | Frame::SimpleString(kind)) = iter.next()? else { return None };
        let (_, confirms) = KINDS.iter().find(|(k, _)| *k == kind)?;
        let Some((of, subscribed)) = *confirms else { return Some(PubSub::Message) };
        let _channel = iter.next()?;
        let Frame::Integer(count) = iter.next()? else { return None };
        Some(PubSub::Confirmation { of, subscribed, count: u32::try_from(count).unwrap_or(u32::MAX) })
    }
}

/// How many channels, patterns and shard channels a connection is subscribed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Subscriptions {
    /// Channels (`SUBSCRIBE`).
    pub channels: u32,
    /// Patterns (`PSUBSCRIBE`).
    pub patterns: u32,
    /// Shard channels (`SSUBSCRIBE`).
    pub shards: u32,
}

impl Subscriptions {
    /// Whether there are none: a RESP2 connection is in subscribed mode otherwise.
    pub const fn is_empty(&self) -> bool {
        self.channels == 0 && self.patterns == 0 && self.shards == 0
    }

    /// The subscriptions of kind `of`.
    pub const fn of(&self, of: Channels) -> u32 {
        match of {
            Channels::Channel => self.channels,
            Channels::Pattern => self.patterns,
            Channels::Shard => self.shards,
        }
    }

    /// Takes in a confirmation's count: for channels and patterns the server counts both
    /// together, for shard channels alone.
    pub(super) fn update(&mut self, of: Channels, count: u32) {
        match of {
            Channels::Channel => self.channels = count.saturating_sub(self.patterns),
            Channels::Pattern => self.patterns = count.saturating_sub(self.channels),
            Channels::Shard => self.shards = count,
        }
    }
}

/// Whether a simple string is a line of `MONITOR` output: `<seconds>.<micros> [<db> ...`.
pub(super) fn is_monitor_line(text: &[u8]) -> bool {
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let whole = digits(text);
    if whole == 0 || text.get(whole) != Some(&b'.') {
        return false;
    }
    let rest = &text[whole + 1..];
    let fraction = digits(rest);
    fraction > 0 && rest[fraction..].starts_with(b" [")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resp::{Decoded, decode};

    fn kind(wire: &[u8]) -> Option<PubSub> {
        let Ok(Decoded::Complete { frame, .. }) = decode(wire) else { panic!() };
        PubSub::of(frame.as_aggregate().unwrap())
    }

    #[test]
    fn confirmations_and_messages_are_told_apart() {
        assert_eq!(
            kind(b">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n"),
            Some(PubSub::Confirmation { of: Channels::Channel, subscribed: true, count: 1 })
        );
        assert_eq!(
            kind(b"*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n"),
            Some(PubSub::Confirmation { of: Channels::Channel, subscribed: false, count: 0 })
        );
        assert_eq!(kind(b">3\r\n$7\r\nmessage\r\n$1\r\na\r\n$2\r\nhi\r\n"), Some(PubSub::Message));
        assert_eq!(kind(b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"), None);
        assert_eq!(kind(b"*2\r\n$9\r\nsubscribe\r\n$1\r\na\r\n"), None, "no count: not a confirmation");
    }

    #[test]
    fn counts_follow_the_servers_totals() {
        let mut subs = Subscriptions::default();
        subs.update(Channels::Channel, 1); // subscribe a
        subs.update(Channels::Channel, 2); // subscribe b
        subs.update(Channels::Pattern, 3); // psubscribe p*
        subs.update(Channels::Shard, 1); // ssubscribe s
        assert_eq!(subs, Subscriptions { channels: 2, patterns: 1, shards: 1 });
        subs.update(Channels::Channel, 2); // unsubscribe a
        subs.update(Channels::Channel, 1); // unsubscribe b
        assert_eq!(subs.of(Channels::Channel), 0);
        assert_eq!(subs.of(Channels::Pattern), 1);
    }

    #[test]
    fn monitor_lines_are_recognised() {
        assert!(is_monitor_line(b"1796157437.277922 [0 127.0.0.1:35294] \"SET\" \"k\" \"v\""));
        assert!(!is_monitor_line(b"OK"));
        assert!(!is_monitor_line(b"PONG"));
        assert!(!is_monitor_line(b"12345"));
    }
}
