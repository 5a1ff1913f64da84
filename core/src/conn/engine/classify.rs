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
const NAMES: [(&[u8], Name); 20] = [
    (b"AUTH", Name::State),
    (b"QUIT", Name::State),
    (b"WATCH", Name::State),
    (b"SELECT", Name::State),
    (b"UNWATCH", Name::State),
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
    /// `AUTH`, `QUIT`, `WATCH`, `UNWATCH`, `SELECT`: one reply, but they change the
    /// connection's state for later requests.
    State,
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
    /// Reads `command`. Cheap for ordinary commands: one pass over the arguments, and a
    /// name of another length than the special ones is told apart at once.
    #[inline]
    pub(super) fn of<C: CommandArgs + ?Sized>(command: &C) -> Command {
        Classified::of(command).kind
    }

    /// Whether it changes what later commands are answered with (so it cannot go in a
    /// batch, where the engine counts one reply per command).
    pub(super) const fn is_special(self) -> bool {
        !matches!(self, Command::Plain | Command::Multi | Command::EndMulti)
    }
}

/// What the engine reads from a command when it is queued, in one pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Classified {
    /// What it does to the replies.
    pub(super) kind: Command,
    /// Whether an ordinary command changes the connection's state for later requests
    /// (`AUTH`, `QUIT`, `WATCH`, `UNWATCH`, `SELECT`).
    pub(super) changes_state: bool,
    /// Whether it changes the session ([`Engine::session_changed`](super::Engine::session_changed)):
    /// those, and `CLIENT TRACKING`, `CLIENT SETNAME`, ... (which a shared connection
    /// still takes).
    pub(super) changes_session: bool,
}

impl Classified {
    /// Classifies `command`.
    #[inline]
    pub(super) fn of<C: CommandArgs + ?Sized>(command: &C) -> Classified {
        // The name at hand: only HELLO and CLIENT need their arguments read.
        if let Some(name) = command.name() {
            let name = if (4..=12).contains(&name.len()) { lookup(name) } else { None };
            if name.is_none() {
                return Classified { kind: Command::Plain, changes_state: false, changes_session: false };
            }
            if !matches!(name, Some(Name::Hello | Name::Client)) {
                return Classifier { name, ..Classifier::default() }.finish(command.arg_count());
            }
        }
        let mut sink = Classifier::default();
        command.write_args(&mut sink);
        sink.finish(command.arg_count())
    }
}

/// A sink that reads the name as it goes by (only a name of 4 to 12 bytes can be a special
/// one), and the first two arguments of `HELLO` and `CLIENT`; the rest goes by unread.
#[derive(Default)]
struct Classifier {
    seen: u8,
    name: Option<Name>,
    /// `HELLO`'s protocol version: `Some(true)` for 3.
    hello: Option<bool>,
    /// `CLIENT REPLY`'s first word seen.
    client_reply: bool,
    /// A `CLIENT` subcommand that changes the session (`TRACKING`, `SETNAME`, ...).
    client_state: bool,
    setting: Option<Replies>,
}

impl ArgSink for Classifier {
    #[inline]
    fn push(&mut self, arg: Arg<'_>) {
        match (self.seen, arg) {
            (0, Arg::Bytes(name)) if (4..=12).contains(&name.len()) => self.name = lookup(name),
            (1, arg) if self.name == Some(Name::Hello) => {
                self.hello = match arg {
                    Arg::Bytes(b"3") | Arg::Int(3) | Arg::Uint(3) => Some(true),
                    Arg::Bytes(b"2") | Arg::Int(2) | Arg::Uint(2) => Some(false),
                    _ => None,
                }
            }
            (1, Arg::Bytes(sub)) if self.name == Some(Name::Client) => {
                self.client_reply = sub.eq_ignore_ascii_case(b"REPLY");
                self.client_state = CLIENT_STATE.iter().any(|word| sub.eq_ignore_ascii_case(word));
            }
            (2, Arg::Bytes(setting)) if self.client_reply => {
                self.setting = match setting {
                    s if s.eq_ignore_ascii_case(b"ON") => Some(Replies::On),
                    s if s.eq_ignore_ascii_case(b"OFF") => Some(Replies::Off),
                    s if s.eq_ignore_ascii_case(b"SKIP") => Some(Replies::Skip),
                    _ => None,
                }
            }
            _ => {}
        }
        self.seen = self.seen.saturating_add(1);
    }
}

/// The `CLIENT` subcommands that change the session for later requests (`CLIENT REPLY`
/// is a kind of its own).
const CLIENT_STATE: [&[u8]; 6] = [b"TRACKING", b"SETNAME", b"SETINFO", b"NO-EVICT", b"NO-TOUCH", b"CACHING"];

/// The special command named `name`, if it is one.
#[inline(never)]
fn lookup(name: &[u8]) -> Option<Name> {
    NAMES.iter().find(|(n, _)| n.len() == name.len() && n.eq_ignore_ascii_case(name)).map(|(_, k)| *k)
}

impl Classifier {
    fn finish(self, count: usize) -> Classified {
        let names = (count.saturating_sub(1)) as u32;
        let kind = match self.name {
            None | Some(Name::State) => Command::Plain,
            Some(Name::EndMulti) => Command::EndMulti,
            Some(Name::Replication) => Command::Replication,
            Some(Name::Reset) => Command::Reset,
            Some(Name::Multi) => Command::Multi,
            Some(Name::Monitor) => Command::Monitor,
            Some(Name::Hello) => self.hello.map_or(Command::Plain, Command::Hello),
            Some(Name::Client) => match self.setting {
                Some(setting) if count == 3 => Command::ClientReply(setting),
                _ => Command::Plain,
            },
            Some(Name::Subscribe(of)) if names > 0 => Command::Subscribe(of, names),
            Some(Name::Subscribe(_)) => Command::Plain,
            Some(Name::Unsubscribe(of)) => Command::Unsubscribe(of, names),
        };
        let changes_state = self.name == Some(Name::State);
        Classified { kind, changes_state, changes_session: changes_state || self.client_state }
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
