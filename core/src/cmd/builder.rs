//! [`Cmd`]: a builder for any command, module commands included.

use super::ToArgs;
use super::storage::{ArgStorage, FixedArgs};
use crate::resp::{Arg, ArgSink, CommandArgs, Frame};

/// Any command, built argument by argument from [`ToArgs`] values (which may add several
/// arguments, or none for `None`): the one command builder of ferrodis, as redis-rs's
/// `Cmd`. Each argument is copied into the command's [`ArgStorage`]:
///
/// - [`FixedArgs<BYTES, ARGS>`](FixedArgs) keeps at most `BYTES` bytes in `ARGS`
///   arguments in place, without an allocator (firmware);
/// - with the `alloc` feature, `HeapArgs` grows as needed and keeps a
///   short command in place; `ferrodis-std`'s `Cmd` is `Cmd<HeapArgs>`.
///
/// This is how commands without a typed builder are sent, and in particular the commands
/// of Redis modules (RedisJSON, RediSearch, RedisBloom, ...): the counterpart of
/// redis-py's `load_external_module`, without registering anything. The reply is a
/// [`Frame`]; choose any other reply type with
/// [`returning`](super::Command::returning). Cluster routing still finds the keys of a
/// module command the server knows, through the command table.
///
/// **Capacity:** an argument that does not fit a fixed store does not panic and is not
/// dropped silently: the command is marked overflowed ([`Cmd::is_overflowed`]) and then
/// has no arguments at all, so every encoder and connection refuses it with
/// [`EncodeError::EmptyCommand`](crate::EncodeError::EmptyCommand) instead of sending a
/// truncated command. [`Cmd::try_arg`] reports the overflow at once instead.
///
/// `Debug` shows the command name and the number of arguments, never their contents,
/// which may be passwords (`AUTH`) or large payloads.
///
/// ```
/// use ferrodis_core::cmd::{Cmd, Command, FixedArgs};
/// use ferrodis_core::reply::Okay;
/// use ferrodis_core::resp::encode_args;
///
/// type SmallCmd = Cmd<FixedArgs<64, 4>>;
///
/// let set = SmallCmd::new("JSON.SET").with_arg("doc").with_arg("$").with_arg(r#"{"a":1}"#).returning::<Okay>();
/// let mut buf = [0u8; 64];
/// let n = encode_args(&mut buf, &set).unwrap();
/// assert_eq!(&buf[..n], b"*4\r\n$8\r\nJSON.SET\r\n$3\r\ndoc\r\n$1\r\n$\r\n$7\r\n{\"a\":1}\r\n");
///
/// // Any ToArgs value, in place:
/// let mut del = SmallCmd::new("DEL");
/// del.arg(["a", "b"]).arg(None::<&str>);
/// assert_eq!(del.args().collect::<Vec<_>>(), [&b"DEL"[..], b"a", b"b"]);
/// assert_eq!(format!("{del:?}"), r#"Cmd { name: "DEL", args: 3 }"#);
///
/// // With a connection: `let n: i64 = conn.run(&SmallCmd::new("INCRBY").with_arg("k").with_arg(5).returning::<i64>())?;`
///
/// let too_long = Cmd::<FixedArgs<64, 2>>::new("DEL").with_arg("a").with_arg("b");
/// assert!(too_long.is_overflowed());
/// assert!(encode_args(&mut buf, &too_long).is_err());
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Cmd<S = FixedArgs<128, 8>> {
    args: S,
    overflowed: bool,
}

/// What [`Cmd::try_arg`] says when an argument does not fit the command's store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow;

impl core::fmt::Display for Overflow {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("the argument does not fit the command's fixed capacity")
    }
}

impl core::error::Error for Overflow {}

/// Copies arguments into a store until one does not fit.
struct Appender<'s, S> {
    args: &'s mut S,
    fits: bool,
}

impl<S: ArgStorage> ArgSink for Appender<'_, S> {
    #[inline]
    fn push(&mut self, arg: Arg<'_>) {
        self.fits = self.fits && self.args.push_arg(arg);
    }
}

impl<S: ArgStorage> Cmd<S> {
    /// The command `name` (such as `"GET"` or `"JSON.SET"`), without arguments yet.
    pub fn new(name: impl ToArgs) -> Self {
        let mut cmd = Self::default();
        cmd.arg(name);
        cmd
    }

    /// Appends the arguments of `arg`.
    #[inline]
    pub fn arg(&mut self, arg: impl ToArgs) -> &mut Self {
        if self.try_arg(arg).is_err() {
            self.overflowed = true;
        }
        self
    }

    /// Appends the arguments of `arg`, by value: `let c = Cmd::new("GET").with_arg(key);`.
    #[must_use]
    #[inline]
    pub fn with_arg(mut self, arg: impl ToArgs) -> Self {
        self.arg(arg);
        self
    }

    /// Appends the arguments of `arg`, or leaves the command as it was and says
    /// [`Overflow`] when they do not all fit.
    #[inline]
    pub fn try_arg(&mut self, arg: impl ToArgs) -> Result<&mut Self, Overflow> {
        let before = self.args.arg_count();
        let mut appender = Appender { args: &mut self.args, fits: true };
        arg.write_args(&mut appender);
        if appender.fits {
            Ok(self)
        } else {
            self.args.truncate(before);
            Err(Overflow)
        }
    }

    /// Whether an argument did not fit (then the command encodes as nothing and is
    /// refused, see the type's documentation).
    pub const fn is_overflowed(&self) -> bool {
        self.overflowed
    }

    /// The number of arguments, the name included.
    pub fn args_len(&self) -> usize {
        self.args.arg_count()
    }

    /// The name: the first argument (`None` only for a [`Cmd::default`]).
    pub fn name(&self) -> Option<&[u8]> {
        self.get(0)
    }

    /// The argument at `index` (0 is the name).
    #[inline]
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        self.args.arg_bytes(index)
    }

    /// The arguments in order, the name first.
    pub fn args(&self) -> impl ExactSizeIterator<Item = &[u8]> + DoubleEndedIterator + Clone + '_ {
        (0..self.args.arg_count()).map(|i| self.get(i).unwrap_or_default())
    }
}

impl<S: ArgStorage> CommandArgs for Cmd<S> {
    #[inline]
    fn arg_count(&self) -> usize {
        if self.overflowed { 0 } else { self.args.arg_count() }
    }

    #[inline]
    fn name(&self) -> Option<&[u8]> {
        if self.overflowed { None } else { self.get(0) }
    }

    #[inline]
    fn write_args(&self, out: &mut dyn ArgSink) {
        if !self.overflowed {
            for arg in self.args() {
                out.push(Arg::Bytes(arg));
            }
        }
    }
}

impl<S: ArgStorage> super::Command for Cmd<S> {
    type Reply<'r> = Frame<'r>;
}

impl<S: ArgStorage> core::fmt::Debug for Cmd<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let name = self.name().unwrap_or_default();
        f.debug_struct("Cmd")
            .field("name", &format_args!("\"{}\"", name.escape_ascii()))
            .field("args", &self.args_len())
            .finish()
    }
}
