//! [`Queued`]: a pipeline's commands, every argument of every command back to back in one
//! buffer, and [`QueuedCommand`], one of them as the encoder reads it.

use std::fmt;

use ferrodis_core::resp::{Arg, CommandArgs};

use crate::value::{ArgSink, Cmd, ToArgs};

/// The commands of a pipeline: one buffer of argument bytes, where each argument ends,
/// and where each command's arguments end. Queuing a command copies its arguments once
/// and allocates only when a buffer grows.
#[derive(Clone, Default, PartialEq, Eq)]
pub(super) struct Queued {
    /// Every argument's bytes, back to back.
    bytes: Vec<u8>,
    /// Where each argument ends in `bytes`.
    ends: Vec<u32>,
    /// One per command.
    commands: Vec<Entry>,
}

/// Where a command's arguments end in `ends`, and whether its reply is left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    args_end: u32,
    ignore: bool,
}

impl Queued {
    /// Queues the command `command` writes (its name first).
    pub(super) fn push(&mut self, command: &impl ToArgs) {
        self.start();
        command.write_args(&mut Appender(self));
    }

    /// Queues a copy of `cmd`.
    pub(super) fn push_cmd(&mut self, cmd: &Cmd) {
        self.start();
        for arg in cmd.args() {
            self.append(Arg::Bytes(arg));
        }
    }

    /// Adds the arguments of `arg` to the last command (or, with none queued, starts a
    /// command whose name is `arg`).
    pub(super) fn append_to_last(&mut self, arg: &impl ToArgs) {
        if self.commands.is_empty() {
            self.start();
        }
        arg.write_args(&mut Appender(self));
    }

    /// Leaves the last command's reply out of the results.
    pub(super) fn ignore_last(&mut self) {
        if let Some(last) = self.commands.last_mut() {
            last.ignore = true;
        }
    }

    pub(super) fn len(&self) -> usize {
        self.commands.len()
    }

    pub(super) fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
        self.commands.clear();
    }

    /// Whether the reply to command `index` is left out.
    pub(super) fn is_ignored(&self, index: usize) -> bool {
        self.commands.get(index).is_some_and(|e| e.ignore)
    }

    /// Whether any reply is left out.
    #[cfg(any(test, feature = "tokio"))]
    pub(super) fn any_ignored(&self) -> bool {
        self.commands.iter().any(|e| e.ignore)
    }

    /// The commands, as the encoder reads them.
    pub(super) fn commands(&self) -> Vec<QueuedCommand<'_>> {
        let mut first_arg = 0usize;
        self.commands
            .iter()
            .map(|entry| {
                let args_end = entry.args_end as usize;
                let command = QueuedCommand {
                    bytes: &self.bytes,
                    start: match first_arg.checked_sub(1) {
                        Some(previous) => self.ends[previous],
                        None => 0,
                    },
                    ends: &self.ends[first_arg..args_end],
                };
                first_arg = args_end;
                command
            })
            .collect()
    }

    fn start(&mut self) {
        if self.commands.capacity() == 0 {
            // Room for a short pipeline at once, rather than a growth step per few commands.
            self.commands.reserve(16);
            self.ends.reserve(64);
            self.bytes.reserve(512);
        }
        self.commands.push(Entry { args_end: self.ends.len() as u32, ignore: false });
    }

    fn append(&mut self, arg: Arg<'_>) {
        arg.text(|text| self.bytes.extend_from_slice(text));
        // A pipeline over 4 GiB is refused by any server long before this would wrap.
        self.ends.push(self.bytes.len() as u32);
        if let Some(last) = self.commands.last_mut() {
            last.args_end = self.ends.len() as u32;
        }
    }
}

/// Appends arguments to the last command.
struct Appender<'q>(&'q mut Queued);

impl ArgSink for Appender<'_> {
    #[inline]
    fn push(&mut self, arg: Arg<'_>) {
        self.0.append(arg);
    }
}

/// `Debug` names each command and counts its arguments, never showing their contents.
impl fmt::Debug for Queued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (command, entry) in self.commands().iter().zip(&self.commands) {
            let name = command.get(0).unwrap_or_default();
            list.entry(&format_args!(
                "{}({} args{})",
                name.escape_ascii(),
                command.ends.len(),
                if entry.ignore { ", ignored" } else { "" }
            ));
        }
        list.finish()
    }
}

/// One queued command: its arguments in the pipeline's buffer.
#[derive(Debug, Clone, Copy)]
pub(super) struct QueuedCommand<'q> {
    bytes: &'q [u8],
    /// Where its first argument starts in `bytes`.
    start: u32,
    /// Where each of its arguments ends in `bytes`.
    ends: &'q [u32],
}

impl QueuedCommand<'_> {
    #[inline]
    fn get(&self, index: usize) -> Option<&[u8]> {
        let end = *self.ends.get(index)? as usize;
        let start = match index.checked_sub(1) {
            Some(previous) => self.ends[previous],
            None => self.start,
        };
        self.bytes.get(start as usize..end)
    }
}

impl CommandArgs for QueuedCommand<'_> {
    #[inline]
    fn arg_count(&self) -> usize {
        self.ends.len()
    }

    #[inline]
    fn name(&self) -> Option<&[u8]> {
        self.get(0)
    }

    #[inline]
    fn write_args(&self, out: &mut dyn ArgSink) {
        for index in 0..self.ends.len() {
            out.push(Arg::Bytes(self.get(index).unwrap_or_default()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::cmd;

    fn args<'a>(command: &'a QueuedCommand<'a>) -> Vec<&'a [u8]> {
        (0..command.arg_count()).map(|i| command.get(i).unwrap()).collect()
    }

    #[test]
    fn commands_keep_their_own_arguments() {
        let mut queued = Queued::default();
        queued.push(&("SET", "k", 12));
        queued.push_cmd(&cmd("GET").with_arg("k"));
        queued.ignore_last();
        queued.append_to_last(&"extra");
        queued.push(&"PING");
        let commands = queued.commands();
        assert_eq!(commands.len(), 3);
        assert_eq!(args(&commands[0]), [&b"SET"[..], b"k", b"12"]);
        assert_eq!(args(&commands[1]), [&b"GET"[..], b"k", b"extra"]);
        assert_eq!(args(&commands[2]), [&b"PING"[..]]);
        assert!(queued.is_ignored(1) && !queued.is_ignored(0) && queued.any_ignored());
        assert_eq!(format!("{queued:?}"), "[SET(3 args), GET(3 args, ignored), PING(1 args)]");
    }

    #[test]
    fn an_argument_on_an_empty_queue_starts_a_command() {
        let mut queued = Queued::default();
        queued.append_to_last(&"PING");
        queued.append_to_last(&"hello");
        assert_eq!(args(&queued.commands()[0]), [&b"PING"[..], b"hello"]);
        queued.clear();
        assert_eq!(queued.len(), 0);
        assert!(queued.commands().is_empty());
    }
}
