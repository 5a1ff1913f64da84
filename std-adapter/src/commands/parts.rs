//! [`Parts`]: a command's name and arguments as the values they were given, not yet copied
//! anywhere, so a [`Pipeline`](super::Pipeline) writes them straight into its own buffer.

use crate::value::{ArgSink, ToArgs};
use ferrodis_core::resp::{Arg, CommandArgs};

/// A command not yet copied: its name, then its arguments as given.
pub(super) struct Parts<A> {
    name: &'static str,
    args: A,
}

/// No arguments (yet).
pub(super) struct NoArgs;

impl ToArgs for NoArgs {
    fn write_args<S: ArgSink + ?Sized>(&self, _: &mut S) {}

    fn num_args(&self) -> usize {
        0
    }
}

/// A command named `name`: the same spelling as [`cmd`](crate::cmd), so the command list's
/// bodies build `Parts` where this is in scope.
pub(super) fn cmd(name: &'static str) -> Parts<NoArgs> {
    Parts { name, args: NoArgs }
}

impl<A: ToArgs> Parts<A> {
    /// The command with the arguments of `arg` after its own.
    pub(super) fn with_arg<B: ToArgs>(self, arg: B) -> Parts<(A, B)> {
        Parts { name: self.name, args: (self.args, arg) }
    }
}

impl<A: ToArgs> ToArgs for Parts<A> {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        out.push(Arg::Bytes(self.name.as_bytes()));
        self.args.write_args(out);
    }

    fn num_args(&self) -> usize {
        1 + self.args.num_args()
    }
}

/// A command's parts are sent as they are: a connection encodes them straight into its
/// write buffer, with no [`Cmd`](crate::Cmd) in between.
impl<A: ToArgs> CommandArgs for Parts<A> {
    #[inline]
    fn arg_count(&self) -> usize {
        self.num_args()
    }

    #[inline]
    fn write_args(&self, out: &mut dyn ArgSink) {
        ToArgs::write_args(self, out);
    }

    #[inline]
    fn name(&self) -> Option<&[u8]> {
        Some(self.name.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_push_the_name_then_the_arguments() {
        let parts = cmd("SET").with_arg(("k", 12)).with_arg(None::<&str>).with_arg("EX");
        let mut args: Vec<Vec<u8>> = Vec::new();
        ToArgs::write_args(&parts, &mut args);
        assert_eq!(args, [b"SET".to_vec(), b"k".to_vec(), b"12".to_vec(), b"EX".to_vec()]);
        assert_eq!(parts.num_args(), 4);
        assert_eq!((parts.arg_count(), parts.name()), (4, Some(&b"SET"[..])));
    }
}
