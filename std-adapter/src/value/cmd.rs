//! [`Cmd`]: one command's arguments, built from [`ToArgs`] values.

use std::fmt;

use super::inline::Inline;
use ferrodis_core::resp::Arg;

use super::to_args::{ArgSink, ToArgs, extend_with_arg};

/// One command: its name and arguments, kept back to back in one buffer.
///
/// Build it like redis-rs's `Cmd`: [`cmd`] (or [`Cmd::new`]) with the name, then
/// [`Cmd::arg`] for each [`ToArgs`] value (which may add several arguments, or none for
/// `None`). [`Cmd::to_arg_vec`] gives the arguments the core encoder takes.
///
/// `Debug` shows the command name and the number of arguments, never their contents,
/// which may be passwords (`AUTH`) or large payloads.
///
/// ```
/// use ferrodis_std::core::resp::encode_command;
/// use ferrodis_std::value::cmd;
///
/// let mut set = cmd("SET");
/// set.arg("counter").arg(41).arg(Some("KEEPTTL"));
/// assert_eq!(set.args_len(), 4);
///
/// let mut wire = [0u8; 64];
/// let n = encode_command(&mut wire, &set.to_arg_vec()).unwrap();
/// assert_eq!(&wire[..n], b"*4\r\n$3\r\nSET\r\n$7\r\ncounter\r\n$2\r\n41\r\n$7\r\nKEEPTTL\r\n");
///
/// // By value, for a command kept in a variable:
/// let get = cmd("GET").with_arg("counter");
/// assert_eq!(format!("{get:?}"), r#"Cmd { name: "GET", args: 2 }"#);
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Cmd {
    /// Every argument's bytes, back to back (inline for a small command).
    buf: Inline<u8, INLINE_BYTES>,
    /// Where each argument ends in `buf`.
    ends: Inline<u32, INLINE_ARGS>,
}

/// Bytes of arguments a command keeps without allocating.
const INLINE_BYTES: usize = 64;
/// Arguments a command keeps without allocating.
const INLINE_ARGS: usize = 6;

/// A command named `name`, as redis-rs's `redis::cmd`; the same as [`Cmd::new`].
pub fn cmd(name: &str) -> Cmd {
    Cmd::new(name)
}

impl Cmd {
    /// A command named `name` (such as `"SET"` or `"CLIENT"`), without arguments yet.
    pub fn new(name: &str) -> Self {
        let mut cmd = Self::default();
        cmd.push(Arg::Bytes(name.as_bytes()));
        cmd
    }

    /// Appends the arguments of `arg`.
    pub fn arg<T: ToArgs>(&mut self, arg: T) -> &mut Self {
        arg.write_args(self);
        self
    }

    /// Appends the arguments of `arg`, by value: `let c = cmd("GET").with_arg(key);`.
    #[must_use]
    pub fn with_arg<T: ToArgs>(mut self, arg: T) -> Self {
        arg.write_args(&mut self);
        self
    }

    /// The number of arguments, the name included.
    pub fn args_len(&self) -> usize {
        self.ends.len()
    }

    /// The name: the first argument (`None` only for a [`Cmd::default`]).
    pub fn name(&self) -> Option<&[u8]> {
        self.get(0)
    }

    /// The argument at `index` (0 is the name).
    #[inline]
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        let ends = self.ends.as_slice();
        let end = *ends.get(index)? as usize;
        let start = match index.checked_sub(1) {
            Some(previous) => ends[previous] as usize,
            None => 0,
        };
        self.buf.as_slice().get(start..end)
    }

    /// The arguments in order, the name first.
    pub fn args(&self) -> impl ExactSizeIterator<Item = &[u8]> + DoubleEndedIterator + Clone + '_ {
        (0..self.ends.len()).map(|i| self.get(i).unwrap_or_default())
    }

    /// The arguments as the core encoder takes them (`encode_command`, `write_command`,
    /// `command_segments`).
    pub fn to_arg_vec(&self) -> Vec<Arg<'_>> {
        self.args().map(Arg::Bytes).collect()
    }
}

impl ArgSink for Cmd {
    fn push(&mut self, arg: Arg<'_>) {
        extend_with_arg(&mut self.buf, arg);
        // A command over 4 GiB is refused by any server long before this would wrap.
        self.ends.push(self.buf.len() as u32);
    }
}

impl fmt::Debug for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name().unwrap_or_default();
        f.debug_struct("Cmd")
            .field("name", &format_args!("\"{}\"", name.escape_ascii()))
            .field("args", &self.args_len())
            .finish()
    }
}
