//! [`Cmd`]: a builder for any command, module commands included.

use super::ToArg;
use crate::resp::{Arg, CommandArgs, Frame};

/// Any command, built argument by argument into a fixed-capacity array of `N` arguments
/// (the name included). Nothing is allocated; the arguments borrow what they were given.
///
/// This is how commands without a typed builder are sent, and in particular the commands
/// of Redis modules (RedisJSON, RediSearch, RedisBloom, ...): the counterpart of
/// redis-py's `load_external_module`, without registering anything. The reply is a
/// [`Frame`]; choose any other reply type with
/// [`returning`](super::Command::returning). Cluster routing still finds the keys of a
/// module command the server knows, through the command table.
///
/// **Capacity:** [`Cmd::arg`] past `N` arguments does not panic and does not drop the
/// argument silently: the command is marked overflowed ([`Cmd::is_overflowed`]) and then
/// has no arguments at all, so every encoder and connection refuses it with
/// [`EncodeError::EmptyCommand`](crate::EncodeError::EmptyCommand) instead of sending a
/// truncated command. [`Cmd::try_push`] reports the overflow at once instead.
///
/// ```
/// use ferrodis_core::cmd::{Cmd, Command};
/// use ferrodis_core::reply::Okay;
/// use ferrodis_core::resp::encode_args;
///
/// let set = Cmd::<4>::new("JSON.SET").arg("doc").arg("$").arg(r#"{"a":1}"#).returning::<Okay>();
/// let mut buf = [0u8; 64];
/// let n = encode_args(&mut buf, &set).unwrap();
/// assert_eq!(&buf[..n], b"*4\r\n$8\r\nJSON.SET\r\n$3\r\ndoc\r\n$1\r\n$\r\n$7\r\n{\"a\":1}\r\n");
///
/// // With a connection: `let n: i64 = conn.run(&Cmd::<3>::new("INCRBY").arg("k").arg(5).returning::<i64>())?;`
///
/// let too_long = Cmd::<2>::new("DEL").arg("a").arg("b");
/// assert!(too_long.is_overflowed());
/// assert!(encode_args(&mut buf, &too_long).is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Cmd<'a, const N: usize> {
    args: heapless::Vec<Arg<'a>, N>,
    overflowed: bool,
}

impl<'a, const N: usize> Cmd<'a, N> {
    /// The command `name` (such as `"GET"` or `"JSON.SET"`), without arguments yet.
    pub fn new(name: impl Into<Arg<'a>>) -> Self {
        Self { args: heapless::Vec::new(), overflowed: false }.arg(name)
    }

    /// Appends one argument (a string, bytes or a number).
    #[must_use]
    pub fn arg(mut self, arg: impl Into<Arg<'a>>) -> Self {
        if self.args.push(arg.into()).is_err() {
            self.overflowed = true;
        }
        self
    }

    /// Appends every element of `args`.
    #[must_use]
    pub fn args<T: ToArg>(mut self, args: &'a [T]) -> Self {
        for arg in args {
            self = self.arg(arg.to_arg());
        }
        self
    }

    /// Appends one argument in place, or gives it back when the command already has `N`
    /// arguments (the command is left as it was).
    pub fn try_push(&mut self, arg: impl Into<Arg<'a>>) -> Result<(), Arg<'a>> {
        self.args.push(arg.into())
    }

    /// Whether an argument did not fit (then the command encodes as nothing and is
    /// refused, see the type's documentation).
    pub const fn is_overflowed(&self) -> bool {
        self.overflowed
    }

    /// The arguments so far, the name first.
    pub fn as_args(&self) -> &[Arg<'a>] {
        &self.args
    }
}

impl<const N: usize> CommandArgs for Cmd<'_, N> {
    fn arg_count(&self) -> usize {
        if self.overflowed { 0 } else { self.args.len() }
    }

    fn arg(&self, index: usize) -> Arg<'_> {
        self.args.get(index).copied().unwrap_or(Arg::Bytes(&[]))
    }
}

impl<const N: usize> super::Command for Cmd<'_, N> {
    type Reply<'r> = Frame<'r>;
}
