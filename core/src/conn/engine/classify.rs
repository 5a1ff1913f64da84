//! What a command does to the replies a connection owes, read from its name and
//! arguments when it is queued, and the queue-time modes that follow from it.
//!
//! Most commands are answered with exactly one reply. The few that are not are the ones
//! the command table flags `pubsub` and that subscribe or unsubscribe (confirmations,
//! one per channel), `MONITOR` (a stream of what the server runs), `CLIENT REPLY`
//! (turns replies off, or skips one), `RESET` and `HELLO` (which change the protocol), and
//! the replication commands (`SYNC`, `PSYNC`), which turn the connection into a
//! replication stream and are refused.

use crate::resp::{Arg, ArgSink, CommandArgs};

use super::slots::Channels;

/// What a command is, as far as reply accounting goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Command {
    /// One reply.
    Plain,
    /// `SUBSCRIBE`/`PSUBSCRIBE`/`SSUBSCRIBE` with this many names (at least one).
    Subscribe(Channels, u32),
    /// `UNSUBSCRIBE`/`PUNSUBSCRIBE`/`SUNSUBSCRIBE` with this many names; 0 means all.
    Unsubscribe(Channels, u32),
    /// `MONITOR`.
    Monitor,
    /// `RESET`.
    Reset,
    /// `HELLO 2` or `HELLO 3` (`true` for RESP3).
    Hello(bool),
    /// `CLIENT REPLY ON|OFF|SKIP`.
    ClientReply(Replies),
    /// `MULTI`.
    Multi,
    /// `EXEC` or `DISCARD`.
    EndMulti,
    /// `SYNC` or `PSYNC`.
    Replication,
}

/// `CLIENT REPLY`'s three settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Replies {
    On,
    Off,
    Skip,
}

/// The names of the commands that are not [`Command::Plain`], and what each is before its
/// arguments are looked at.
const NAMES: [(&[u8], Name); 15] = [
    (b"EXEC", Name::EndMulti),
    (b"SYNC", Name::Replication),
    (b"RESET", Name::Reset),
    (b"MULTI", Name::Multi),
    (b"PSYNC", Name::Replication),
    (b"HELLO", Name::Hello),
    (b"CLIENT", Name::Client),
    (b"MONITOR", Name::Monitor),
    (b"DISCARD", Name::EndMulti),
    (b"SUBSCRIBE", Name::Subscribe(Channels::Channel)),
    (b"PSUBSCRIBE", Name::Subscribe(Channels::Pattern)),
    (b"SSUBSCRIBE", Name::Subscribe(Channels::Shard)),
    (b"UNSUBSCRIBE", Name::Unsubscribe(Channels::Channel)),
    (b"PUNSUBSCRIBE", Name::Unsubscribe(Channels::Pattern)),
    (b"SUNSUBSCRIBE", Name::Unsubscribe(Channels::Shard)),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Name {
    EndMulti,
    Replication,
    Reset,
    Multi,
    Hello,
    Client,
    Monitor,
    Subscribe(Channels),
    Unsubscribe(Channels),
}

impl Command {
    /// Reads `command`. Cheap for ordinary commands: a name of another length than the
    /// special ones is told apart at once, and a table lookup settles the rest.
    #[inline]
    pub(super) fn of<C: CommandArgs + ?Sized>(command: &C) -> Command {
        let head = Head::of(command);
        let Some(name) = head.word(0) else { return Command::Plain };
        if !(4..=12).contains(&name.len()) {
            return Command::Plain;
        }
        Self::named(name, &head, command.arg_count())
    }

    #[inline(never)]
    fn named(name: &[u8], head: &Head, count: usize) -> Command {
        let found = NAMES
            .iter()
            .find(|(n, _)| n.len() == name.len() && n.eq_ignore_ascii_case(name))
            .map(|(_, k)| *k);
        let names = (count.saturating_sub(1)) as u32;
        match found {
            None => Command::Plain,
            Some(Name::EndMulti) => Command::EndMulti,
            Some(Name::Replication) => Command::Replication,
            Some(Name::Reset) => Command::Reset,
            Some(Name::Multi) => Command::Multi,
            Some(Name::Monitor) => Command::Monitor,
            Some(Name::Hello) => match head.word(1) {
                Some(b"3") => Command::Hello(true),
                Some(b"2") => Command::Hello(false),
                _ => Command::Plain,
            },
            Some(Name::Client) if count == 3 => client(head),
            Some(Name::Client) => Command::Plain,
            Some(Name::Subscribe(of)) if names > 0 => Command::Subscribe(of, names),
            Some(Name::Subscribe(_)) => Command::Plain,
            Some(Name::Unsubscribe(of)) => Command::Unsubscribe(of, names),
        }
    }

    /// Whether it changes what later commands are answered with (so it cannot go in a
    /// batch, where the engine counts one reply per command).
    pub(super) const fn is_special(self) -> bool {
        !matches!(self, Command::Plain | Command::Multi | Command::EndMulti)
    }
}

/// `CLIENT <sub> <arg>`: `CLIENT REPLY ON|OFF|SKIP`, or any other subcommand.
fn client(head: &Head) -> Command {
    let (Some(sub), Some(setting)) = (head.word(1), head.word(2)) else {
        return Command::Plain;
    };
    if !sub.eq_ignore_ascii_case(b"REPLY") {
        return Command::Plain;
    }
    match setting {
        s if s.eq_ignore_ascii_case(b"ON") => Command::ClientReply(Replies::On),
        s if s.eq_ignore_ascii_case(b"OFF") => Command::ClientReply(Replies::Off),
        s if s.eq_ignore_ascii_case(b"SKIP") => Command::ClientReply(Replies::Skip),
        _ => Command::Plain,
    }
}

/// The longest word the engine reads among a command's first arguments (`PUNSUBSCRIBE`).
const WORD: usize = 12;

/// A command's first three arguments as far as the engine reads them: each as the text it
/// is sent as when it is at most [`WORD`] bytes long (a longer one is no word the engine
/// knows). Every argument goes through the sink, the rest unread.
#[derive(Default)]
pub(super) struct Head {
    words: [([u8; WORD], u8); 3],
    /// How many of `words` were seen, each `u8::MAX` long when it is too long.
    seen: usize,
}

impl Head {
    /// The head of `command`.
    #[inline]
    pub(super) fn of<C: CommandArgs + ?Sized>(command: &C) -> Head {
        let mut head = Head::default();
        command.write_args(&mut head);
        head
    }

    /// Argument `index` (at most 2) as text, when it is there and short.
    pub(super) fn word(&self, index: usize) -> Option<&[u8]> {
        let (text, len) = self.words.get(index).filter(|_| index < self.seen)?;
        text.get(..usize::from(*len))
    }
}

impl ArgSink for Head {
    #[inline]
    fn push(&mut self, arg: Arg<'_>) {
        if let Some((text, len)) = self.words.get_mut(self.seen) {
            arg.text(|bytes| match text.get_mut(..bytes.len()) {
                Some(dst) => {
                    dst.copy_from_slice(bytes);
                    *len = bytes.len() as u8;
                }
                None => *len = u8::MAX,
            });
            self.seen += 1;
        }
    }
}

/// What the server will do with the next command, known when it is queued (commands run
/// in the order they are queued): whether replies are on, off, or skip one command, and
/// whether a `MULTI` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Mode {
    pub(super) replies: u8,
    pub(super) in_multi: bool,
}

impl Mode {
    const ON: u8 = 0;
    const OFF: u8 = 1;
    const SKIP: u8 = 2;

    /// Whether the next command is answered.
    pub(super) const fn answers(self) -> bool {
        self.replies == Self::ON
    }

    /// The mode after a command of kind `command` (answered or not, as `self` says).
    pub(super) fn after(self, command: Command) -> Mode {
        let replies = match (command, self.replies) {
            (Command::ClientReply(Replies::On), _) => Self::ON,
            (Command::ClientReply(Replies::Off), _) => Self::OFF,
            (Command::ClientReply(Replies::Skip), Self::OFF) => Self::OFF,
            (Command::ClientReply(Replies::Skip), _) => Self::SKIP,
            (Command::Reset, _) => Self::ON,
            // The skipped command has gone by.
            (_, Self::SKIP) => Self::ON,
            (_, replies) => replies,
        };
        let in_multi = match command {
            Command::Multi => true,
            Command::EndMulti | Command::Reset => false,
            _ => self.in_multi,
        };
        Mode { replies, in_multi }
    }

    /// The mode as one byte, to keep in a slot.
    pub(super) const fn to_byte(self) -> u8 {
        self.replies | if self.in_multi { 4 } else { 0 }
    }

    pub(super) const fn from_byte(byte: u8) -> Mode {
        Mode { replies: byte & 3, in_multi: byte & 4 != 0 }
    }
}

/// How many replies a command of kind `command` gets when queued in `mode`.
pub(super) const fn replies(command: Command, mode: Mode) -> u32 {
    match command {
        // `CLIENT REPLY ON` is answered even when replies were off; `OFF` and `SKIP` never.
        Command::ClientReply(Replies::On) => 1,
        Command::ClientReply(_) => 0,
        _ if !mode.answers() => 0,
        Command::Subscribe(_, names) => names,
        Command::Unsubscribe(_, 0) => 1,
        Command::Unsubscribe(_, names) => names,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::{COMMANDS, CommandInfo};

    fn of(args: &[&str]) -> Command {
        let args: std::vec::Vec<Arg<'_>> = args.iter().map(|a| Arg::from(*a)).collect();
        Command::of(args.as_slice())
    }

    #[test]
    fn commands_are_read_from_name_and_arguments() {
        let cases: &[(&[&str], Command)] = &[
            (&["GET", "k"], Command::Plain),
            (&["subscribe", "a", "b"], Command::Subscribe(Channels::Channel, 2)),
            (&["SUBSCRIBE"], Command::Plain),
            (&["PSUBSCRIBE", "p*"], Command::Subscribe(Channels::Pattern, 1)),
            (&["SSUBSCRIBE", "s"], Command::Subscribe(Channels::Shard, 1)),
            (&["UNSUBSCRIBE"], Command::Unsubscribe(Channels::Channel, 0)),
            (&["PUNSUBSCRIBE", "p*", "q*"], Command::Unsubscribe(Channels::Pattern, 2)),
            (&["SUNSUBSCRIBE"], Command::Unsubscribe(Channels::Shard, 0)),
            (&["MONITOR"], Command::Monitor),
            (&["reset"], Command::Reset),
            (&["HELLO", "3", "AUTH", "u", "p"], Command::Hello(true)),
            (&["HELLO"], Command::Plain),
            (&["CLIENT", "REPLY", "skip"], Command::ClientReply(Replies::Skip)),
            (&["CLIENT", "REPLY", "OFF"], Command::ClientReply(Replies::Off)),
            (&["CLIENT", "REPLY", "maybe"], Command::Plain),
            (&["CLIENT", "SETNAME", "x"], Command::Plain),
            (&["MULTI"], Command::Multi),
            (&["EXEC"], Command::EndMulti),
            (&["DISCARD"], Command::EndMulti),
            (&["PSYNC", "?", "-1"], Command::Replication),
            (&["PUBLISH", "a", "b"], Command::Plain),
        ];
        for (args, want) in cases {
            assert_eq!(of(args), *want, "{args:?}");
        }
    }

    /// Every command the generated table flags `pubsub` is either one the engine counts
    /// confirmations for, or one answered with a single reply (`PUBLISH`, `PUBSUB ...`).
    #[test]
    fn the_command_tables_pubsub_commands_are_all_accounted_for() {
        fn check(info: &CommandInfo) {
            if info.is_pubsub() && info.subcommands.is_empty() {
                let name = info.name.replace('|', " ");
                let mut args: std::vec::Vec<&str> = name.split(' ').collect();
                args.push("x");
                let kind = of(&args);
                let single = matches!(info.name, "publish" | "spublish") || info.name.starts_with("pubsub|");
                match kind {
                    Command::Subscribe(..) | Command::Unsubscribe(..) => assert!(!single, "{}", info.name),
                    Command::Plain => assert!(single, "{} is not accounted for", info.name),
                    other => panic!("{}: {other:?}", info.name),
                }
            }
            for sub in info.subcommands {
                check(sub);
            }
        }
        for info in COMMANDS {
            check(info);
        }
    }

    #[test]
    fn client_reply_skip_silences_the_next_command_only() {
        let on = Mode::default();
        let skip = on.after(Command::ClientReply(Replies::Skip));
        assert_eq!(replies(Command::ClientReply(Replies::Skip), on), 0);
        assert_eq!(replies(Command::Plain, skip), 0);
        let after = skip.after(Command::Plain);
        assert_eq!(replies(Command::Plain, after), 1);
        let off = on.after(Command::ClientReply(Replies::Off));
        assert_eq!(replies(Command::Plain, off.after(Command::Plain)), 0);
        assert_eq!(replies(Command::ClientReply(Replies::On), off), 1);
        assert_eq!(Mode::from_byte(skip.to_byte()), skip);
    }
}
