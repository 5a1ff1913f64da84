//! The hash slot of a whole command: the one slot all its keys hash to, found from the
//! command table's key specs for any [`CommandArgs`] without holding its arguments.

use core::fmt;

use super::key_slot;
use crate::cmd::{KeysError, visit_keys};
use crate::resp::CommandArgs;

/// Why a command has no slot: its keys hash to several, or its keys cannot be found.
///
/// Each variant that knows the command names it as the command table does (lower case,
/// `container|sub` for a subcommand: `"mset"`, `"object|encoding"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum SlotError {
    /// The keys hash to more than one slot: a cluster refuses the command with
    /// `CROSSSLOT`. Hash tags (`{user1}.a`, `{user1}.b`) put keys in one slot.
    CrossSlot {
        /// The command.
        command: &'static str,
    },
    /// The command has no arguments (an overflowed [`Cmd`](crate::cmd::Cmd), for one).
    EmptyCommand,
    /// The command table has no such command, or no such subcommand of a container
    /// command (`OBJECT NOSUCH`): a module command, a misspelling, or a command newer
    /// than the table. Which node can run it cannot be known from its name.
    UnknownCommand,
    /// The command's arity does not allow this number of arguments.
    WrongArgCount {
        /// The command.
        command: &'static str,
    },
    /// The arguments do not fit the command's key specs: a `numkeys` that is not a
    /// number, or larger than the arguments that follow it, for example.
    InvalidKeys {
        /// The command.
        command: &'static str,
    },
}

impl SlotError {
    /// The command's name in the table, if the error knows it.
    pub const fn command(&self) -> Option<&'static str> {
        match *self {
            Self::CrossSlot { command } | Self::WrongArgCount { command } | Self::InvalidKeys { command } => {
                Some(command)
            }
            Self::EmptyCommand | Self::UnknownCommand => None,
        }
    }
}

impl fmt::Display for SlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CrossSlot { command } => {
                write!(f, "CROSSSLOT the keys of `{command}` hash to different slots")
            }
            Self::EmptyCommand => f.write_str("a command without arguments has no slot"),
            Self::UnknownCommand => {
                f.write_str("the command is not in the command table: its keys are unknown")
            }
            Self::WrongArgCount { command } => write!(f, "wrong number of arguments for `{command}`"),
            Self::InvalidKeys { command } => {
                write!(f, "the arguments of `{command}` do not fit its key specs")
            }
        }
    }
}

impl core::error::Error for SlotError {}

impl From<KeysError> for SlotError {
    fn from(error: KeysError) -> Self {
        match error {
            KeysError::Empty => Self::EmptyCommand,
            KeysError::Unknown => Self::UnknownCommand,
            KeysError::ArgCount(info) => Self::WrongArgCount { command: info.name },
            KeysError::Invalid(info) => Self::InvalidKeys { command: info.name },
        }
    }
}

/// The slot of `command`: `Ok(Some(slot))` when all its keys hash to `slot`, `Ok(None)`
/// when it has no keys (`PING`, `INFO`, `EVAL script 0`: any node can run it, or its
/// command table tips say which).
///
/// The keys are where the server's `COMMAND GETKEYS` finds them (see
/// [`KeyIndices`](crate::cmd::KeyIndices)), and the shard channels of `SPUBLISH` and
/// `SSUBSCRIBE` count as keys, as a cluster routes them by slot too. Takes any
/// [`CommandArgs`]: typed builders, [`Cmd`](crate::cmd::Cmd), argument arrays. It copies
/// nothing and allocates nothing: each key is hashed as the command writes it out, in
/// one pass through its arguments, or two when a key position depends on a later argument
/// (a `numkeys`, `XREAD`'s `STREAMS`).
///
/// # Errors
///
/// [`SlotError::CrossSlot`] when the keys disagree, and the other [`SlotError`]s when the
/// keys cannot be found: an unknown command, a wrong number of arguments, arguments that
/// do not fit the key specs. Never a panic, and the work is linear in the number of
/// arguments whatever they say.
///
/// ```
/// use ferrodis_core::cluster::{command_slot, key_slot, SlotError};
/// use ferrodis_core::cmd;
///
/// assert_eq!(command_slot(&cmd::get("foo")), Ok(Some(key_slot(b"foo"))));
/// let same = cmd::mset(&[("{user1}.name", "Ada"), ("{user1}.born", "1815")]);
/// assert_eq!(command_slot(&same), Ok(Some(key_slot(b"user1"))));
/// let apart = cmd::mset(&[("name", "Ada"), ("born", "1815")]);
/// assert_eq!(command_slot(&apart), Err(SlotError::CrossSlot { command: "mset" }));
/// assert_eq!(command_slot(&cmd::ping()), Ok(None));
/// ```
pub fn command_slot<C: CommandArgs + ?Sized>(command: &C) -> Result<Option<u16>, SlotError> {
    let mut slot = None;
    let mut cross = false;
    let info = visit_keys(command, true, &mut |_, key| {
        let this = key_slot(key);
        cross = slot.is_some_and(|slot| slot != this);
        slot = Some(this);
        !cross
    })?;
    if cross { Err(SlotError::CrossSlot { command: info.name }) } else { Ok(slot) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::{self, Cmd, FixedArgs};
    use crate::resp::Arg;

    type SmallCmd = Cmd<FixedArgs<256, 16>>;

    /// What `command_slot` says.
    type Slot = Result<Option<u16>, SlotError>;

    fn slot(key: &str) -> Slot {
        Ok(Some(key_slot(key.as_bytes())))
    }

    fn cross(command: &'static str) -> Slot {
        Err(SlotError::CrossSlot { command })
    }

    /// The slot of `args` given three ways: as `[Arg]`, as a `Cmd`, and (its streaming
    /// path exercised alone) as a `CommandArgs` that gives no slice and no name hints.
    fn of(args: &[&str]) -> Slot {
        struct Streamed<'a>(&'a [&'a str]);
        impl CommandArgs for Streamed<'_> {
            fn arg_count(&self) -> usize {
                self.0.len()
            }
            fn write_args(&self, out: &mut dyn crate::resp::ArgSink) {
                self.0.iter().for_each(|a| out.push(Arg::from(*a)));
            }
        }
        let array: std::vec::Vec<Arg<'_>> = args.iter().map(|a| Arg::from(*a)).collect();
        let mut built = SmallCmd::default();
        args.iter().for_each(|a| {
            built.arg(*a);
        });
        let from_array = command_slot(array.as_slice());
        assert_eq!(command_slot(&built), from_array, "{args:?} as a Cmd");
        assert_eq!(command_slot(&Streamed(args)), from_array, "{args:?} streamed");
        from_array
    }

    #[test]
    fn typed_builders() {
        assert_eq!(command_slot(&cmd::get("foo")), slot("foo"));
        assert_eq!(command_slot(&cmd::set("foo", "v").ex(60)), slot("foo"));
        assert_eq!(command_slot(&cmd::mset(&[("{t}a", 1), ("{t}b", 2), ("t", 3)])), slot("t"));
        assert_eq!(command_slot(&cmd::mset(&[("a", 1), ("b", 2)])), cross("mset"));
        assert_eq!(command_slot(&cmd::mset(&[("a", 1), ("a", 2)])), slot("a"));
        assert_eq!(command_slot(&cmd::mget(&["{u}1", "{u}2", "{u}3"])), slot("u"));
        assert_eq!(command_slot(&cmd::del(&["a", "b"])), cross("del"));

        let xread = cmd::xread(&[("{s}1", "0"), ("{s}2", "$")]).count(10).block(5);
        assert_eq!(command_slot(&xread), slot("s"));
        // The ids come after the keys and are not hashed.
        assert_eq!(command_slot(&cmd::xread(&[("s", "0-1"), ("{s}", "0-2")])), slot("s"));
        assert_eq!(command_slot(&cmd::xread(&[("a", "0"), ("b", "0")])), cross("xread"));

        let script = "return redis.call('GET', KEYS[1])";
        assert_eq!(command_slot(&cmd::eval(script)), Ok(None));
        let eval = cmd::eval(script).keys(&["{k}1", "{k}2"]).args(&["other", "slots"]);
        assert_eq!(command_slot(&eval), slot("k"));
        assert_eq!(command_slot(&cmd::evalsha("abc").keys(&["a", "b"])), cross("evalsha"));
        assert_eq!(command_slot(&cmd::eval(script).args(&["a", "b"])), Ok(None));

        assert_eq!(command_slot(&cmd::zunionstore("{z}dst", &["{z}a", "{z}b"])), slot("z"));
        assert_eq!(command_slot(&cmd::zunionstore("dst", &["dst"])), slot("dst"));
        assert_eq!(command_slot(&cmd::zunionstore("dst", &["a"])), cross("zunionstore"));
        assert_eq!(command_slot(&cmd::sunionstore("{x}d", &["{x}a"])), slot("x"));
    }

    #[test]
    fn generic_commands_and_argument_arrays() {
        let del = SmallCmd::new("DEL").with_arg(["{a}1", "{a}2"]);
        assert_eq!(command_slot(&del), slot("a"));
        assert_eq!(command_slot(&SmallCmd::new("del").with_arg("x").with_arg("y")), cross("del"));
        let overflowed = Cmd::<FixedArgs<8, 2>>::new("DEL").with_arg("a").with_arg("b");
        assert_eq!(command_slot(&overflowed), Err(SlotError::EmptyCommand));
        assert_eq!(command_slot(&SmallCmd::default()), Err(SlotError::EmptyCommand));
        assert_eq!(command_slot::<[Arg<'_>]>(&[]), Err(SlotError::EmptyCommand));

        // Numbers as numbers: a numkeys, and a key that is a number.
        let eval = [Arg::from("EVAL"), Arg::from("s"), Arg::from(2u8), Arg::from(7i64), Arg::from("7")];
        assert_eq!(command_slot(&eval), slot("7"));
        assert_eq!(command_slot(&[Arg::from("GET"), Arg::from(1.5)]), slot("1.5"));
        assert_eq!(command_slot(&[Arg::from("EXPIRE"), Arg::from("k"), Arg::from(60)]), slot("k"));
        // Through a reference, as connections take them.
        let get = cmd::get("k");
        assert_eq!(command_slot(&&get), slot("k"));
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn heap_commands() {
        let mut mset = Cmd::<cmd::HeapArgs>::new("MSET");
        for i in 0..100 {
            mset.arg(std::format!("{{tag}}{i}")).arg(i);
        }
        assert_eq!(command_slot(&mset), slot("tag"));
        assert_eq!(command_slot(&mset.clone().with_arg("other").with_arg(1)), cross("mset"));
    }

    #[test]
    fn hash_tags_make_multi_key_commands_one_slot() {
        assert_eq!(of(&["MSET", "{user1000}.following", "1", "{user1000}.followers", "2"]), slot("user1000"));
        assert_eq!(of(&["SINTERSTORE", "{g}d", "{g}a", "{g}b"]), slot("g"));
        assert_eq!(of(&["RENAME", "{x}old", "{x}new"]), slot("x"));
        assert_eq!(of(&["BLMOVE", "{q}a", "{q}b", "LEFT", "RIGHT", "0"]), slot("q"));
        assert_eq!(of(&["LMPOP", "2", "{l}a", "{l}b", "LEFT"]), slot("l"));
        // An empty tag hashes the whole key.
        assert_eq!(of(&["MGET", "{}a", "{}b"]), cross("mget"));
    }

    #[test]
    fn cross_slot_names_the_command() {
        let cases: &[(&[&str], &str)] = &[
            (&["MSET", "a", "1", "b", "2"], "mset"),
            (&["mget", "a", "b"], "mget"),
            (&["RENAME", "a", "b"], "rename"),
            (&["SMOVE", "a", "b", "m"], "smove"),
            (&["ZINTERCARD", "2", "a", "b"], "zintercard"),
            (&["SORT", "a", "STORE", "b"], "sort"),
            (&["GEORADIUS", "a", "0", "0", "5", "km", "STORE", "b"], "georadius"),
            (&["MIGRATE", "h", "1", "", "0", "5", "KEYS", "a", "b"], "migrate"),
            (&["SSUBSCRIBE", "a", "b"], "ssubscribe"),
            (&["EVAL_RO", "s", "2", "a", "b"], "eval_ro"),
        ];
        for &(args, command) in cases {
            assert_eq!(of(args), cross(command), "{args:?}");
            let error = of(args).unwrap_err();
            assert_eq!(error.command(), Some(command));
            let text = std::format!("{error}");
            assert!(text.starts_with("CROSSSLOT") && text.contains(command), "{text}");
        }
    }

    #[test]
    fn keyless_commands_go_anywhere() {
        assert_eq!(command_slot(&cmd::ping()), Ok(None));
        assert_eq!(command_slot(&cmd::info()), Ok(None));
        assert_eq!(command_slot(&cmd::config_get("maxmemory")), Ok(None));
        for args in [
            &["PING"][..],
            &["INFO", "server"],
            &["DBSIZE"],
            &["CLIENT", "SETNAME", "x"],
            &["EVAL", "return 1", "0"],
            &["FCALL", "f", "0", "a"],
            &["PUBLISH", "channel", "message"],
            &["SCRIPT", "LOAD", "return 1"],
        ] {
            assert_eq!(of(args), Ok(None), "{args:?}");
        }
    }

    #[test]
    fn subcommands_with_keys() {
        assert_eq!(of(&["OBJECT", "ENCODING", "k"]), slot("k"));
        assert_eq!(of(&["object", "freq", "k"]), slot("k"));
        assert_eq!(of(&["MEMORY", "USAGE", "k", "SAMPLES", "5"]), slot("k"));
        assert_eq!(of(&["XINFO", "STREAM", "s"]), slot("s"));
        assert_eq!(of(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]), slot("s"));
        assert_eq!(command_slot(&cmd::xgroup_create("s", "g", "$").mkstream()), slot("s"));
        assert_eq!(of(&["XINFO", "GROUPS", "s"]), slot("s"));
    }

    #[test]
    fn shard_channels_route_like_keys() {
        assert_eq!(of(&["SPUBLISH", "news", "hello"]), slot("news"));
        assert_eq!(of(&["SSUBSCRIBE", "{n}a", "{n}b"]), slot("n"));
    }

    #[test]
    fn unknown_and_module_commands() {
        assert_eq!(of(&["JSON.SET", "doc", "$", "1"]), Err(SlotError::UnknownCommand));
        assert_eq!(of(&["NOSUCH"]), Err(SlotError::UnknownCommand));
        assert_eq!(of(&["OBJECT", "NOSUCH", "k"]), Err(SlotError::UnknownCommand));
        // The `container|sub` form is a table name, not a command the server runs.
        assert_eq!(of(&["object|encoding", "k"]), Err(SlotError::UnknownCommand));
        assert_eq!(of(&[""]), Err(SlotError::UnknownCommand));
    }

    #[test]
    fn malformed_arguments_are_errors() {
        let invalid = |command| Err(SlotError::InvalidKeys { command });
        let count = |command| Err(SlotError::WrongArgCount { command });
        let cases: &[(&[&str], Slot)] = &[
            (&["GET"], count("get")),
            (&["GET", "a", "b"], count("get")),
            (&["MSET", "a"], count("mset")),
            (&["OBJECT"], count("object")),
            (&["OBJECT", "ENCODING"], count("object|encoding")),
            // numkeys missing, not a number, negative, larger than the arguments, huge.
            (&["EVAL", "s"], count("eval")),
            (&["EVAL", "s", "two", "k"], invalid("eval")),
            (&["EVAL", "s", "-1", "k"], invalid("eval")),
            (&["EVAL", "s", "01", "k"], invalid("eval")),
            (&["EVAL", "s", "", "k"], invalid("eval")),
            (&["EVAL", "s", "3", "k"], invalid("eval")),
            (&["EVAL", "s", "9223372036854775807", "k"], invalid("eval")),
            (&["EVAL", "s", "99999999999999999999", "k"], invalid("eval")),
            (&["ZUNIONSTORE", "d", "0", "a"], invalid("zunionstore")),
            (&["ZUNIONSTORE", "d", "5", "a", "b"], invalid("zunionstore")),
            (&["ZUNIONSTORE", "d", "18446744073709551615", "a"], invalid("zunionstore")),
            (&["LMPOP", "9", "a", "LEFT"], invalid("lmpop")),
            // A keyword that is missing, or with nothing after it.
            (&["XREAD", "COUNT", "1", "STREAMS"], invalid("xread")),
            (&["XREAD", "COUNT", "1", "BLOCK", "0"], invalid("xread")),
            (&["MIGRATE", "h", "1", "k", "0", "5", "KEYS", "a"], invalid("migrate")),
        ];
        for (args, want) in cases {
            assert_eq!(&of(args), want, "{args:?}");
        }
    }

    #[test]
    fn huge_commands_take_linear_work() {
        // A numkeys that claims more keys than a usize holds, over many arguments: found
        // invalid after one pass, nothing allocated.
        let mut args = std::vec![Arg::from("EVAL"), Arg::from("s"), Arg::from(u64::MAX)];
        args.extend((0..10_000).map(|_| Arg::from("{k}")));
        assert_eq!(command_slot(args.as_slice()), Err(SlotError::InvalidKeys { command: "eval" }));
        args[2] = Arg::from(9_998u64);
        assert_eq!(command_slot(args.as_slice()), slot("k"));
    }

    #[test]
    fn a_command_that_miscounts_its_arguments_is_refused() {
        struct Liar;
        impl CommandArgs for Liar {
            fn arg_count(&self) -> usize {
                2
            }
            fn write_args(&self, out: &mut dyn crate::resp::ArgSink) {
                out.push(Arg::from("GET"));
                out.push(Arg::from("k"));
                out.push(Arg::from("more"));
            }
        }
        assert_eq!(command_slot(&Liar), Err(SlotError::InvalidKeys { command: "get" }));
    }
}
