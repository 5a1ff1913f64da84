//! Finding the keys among a command's arguments, the way the server's `COMMAND GETKEYS`
//! does: from the key specs, with the server's own fallbacks where they are incomplete.
//!
//! Two finders share one interpreter of the specs (`spec.rs`): [`KeyIndices`] over an
//! argument slice, and `visit_keys` (`stream.rs`) over any
//! [`CommandArgs`](crate::resp::CommandArgs) as it streams its arguments, which
//! [`command_slot`](crate::cluster::command_slot) uses.

use core::fmt;
use core::iter::FusedIterator;

mod spec;
mod stream;

use spec::{Plan, Resolved, SliceFacts, Span};
pub(crate) use stream::{KeysError, visit_keys};
#[cfg(test)]
pub(crate) use stream::{MAX_SPECS, visit_keys_as};

use super::table::CommandInfo;
#[cfg(doc)]
use super::table::{KeySpec, KeySpecFlags};

/// The indices of the keys in a command's arguments (`args[0]` is the command name), in
/// the order the server's `COMMAND GETKEYS` gives them.
///
/// The positions come from the command's [`KeySpec`]s:
///
/// - a begin search by index or by keyword (`STREAMS` for `XREAD`, `KEYS` for `MIGRATE`),
/// - then a range (negative last keys count from the end, `limit` takes a share of the
///   remaining arguments) or a count read from the arguments (`EVAL`'s `numkeys`).
///
/// As in the server, a spec whose keyword is missing finds no keys, and a spec that does
/// not fit the arguments (a `numkeys` that is not a number, negative or larger than what
/// follows, a range past the end) means the arguments are invalid and no key is returned.
/// Where the specs are incomplete or unknown (`SORT ... STORE`, `MIGRATE ... KEYS`), the
/// server's command-specific rules are applied instead. Specs marked
/// [`KeySpecFlags::NOT_KEY`] (the shard channel of `SPUBLISH`) are skipped unless
/// [`KeyIndices::including_not_keys`] asks for them. A command without key specs uses
/// its legacy first/last/step.
///
/// The iterator allocates nothing, never panics and always ends: every index it yields is
/// smaller than `args.len()`, in increasing order within one spec.
///
/// ```
/// use ferrodis_core::cmd::{key_indices, lookup};
///
/// let eval = lookup(b"eval").unwrap();
/// let args = ["EVAL", "return 1", "2", "k1", "k2", "arg"];
/// assert!(key_indices(eval, &args).eq([3, 4]));
/// // A numkeys that is not a number finds nothing rather than guessing.
/// assert_eq!(key_indices(eval, &["EVAL", "s", "two", "k1"]).count(), 0);
/// ```
#[derive(Clone)]
#[must_use = "an iterator does nothing unless consumed"]
pub struct KeyIndices<'a, A> {
    info: &'a CommandInfo,
    args: &'a [A],
    not_keys: bool,
    state: State,
}

/// Where the iteration is.
#[derive(Debug, Clone, Copy)]
enum State {
    /// Nothing resolved yet.
    Start,
    /// Yielding `span`, from the spec before `next_spec`.
    Specs { next_spec: usize, span: Span },
    /// Yielding spans computed by a fallback rule.
    Spans { spans: [Span; 2], at: usize },
    /// Finished.
    Done,
}

impl<'a, A: AsRef<[u8]>> KeyIndices<'a, A> {
    /// The keys of `args` (command name first) for the command `info`.
    pub fn new(info: &'a CommandInfo, args: &'a [A]) -> Self {
        Self { info, args, not_keys: false, state: State::Start }
    }

    /// Also yields the positions that specs flagged [`KeySpecFlags::NOT_KEY`] describe:
    /// arguments that are not keys but are hashed like keys for cluster routing, such as
    /// the shard channels of `SPUBLISH` and `SSUBSCRIBE`.
    ///
    /// ```
    /// use ferrodis_core::cmd::{key_indices, lookup};
    ///
    /// let spublish = lookup(b"spublish").unwrap();
    /// let args = ["SPUBLISH", "channel", "message"];
    /// assert_eq!(key_indices(spublish, &args).count(), 0);
    /// assert!(key_indices(spublish, &args).including_not_keys().eq([1]));
    /// ```
    pub fn including_not_keys(mut self) -> Self {
        self.not_keys = true;
        self
    }

    /// Decides how to find the keys; see [`spec::plan`].
    fn plan(&self) -> State {
        match spec::plan(self.info, &SliceFacts(self.args), self.not_keys) {
            Plan::Specs => State::Specs { next_spec: 0, span: Span::EMPTY },
            Plan::Spans(spans) => State::Spans { spans, at: 0 },
            Plan::NoKeys | Plan::Invalid => State::Done,
        }
    }
}

impl<A: AsRef<[u8]>> Iterator for KeyIndices<'_, A> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        loop {
            match &mut self.state {
                State::Start => self.state = self.plan(),
                State::Specs { next_spec, span } => {
                    if let Some(at) = span.pop() {
                        return Some(at);
                    }
                    let specs = self.info.key_specs;
                    let mut index = *next_spec;
                    self.state = State::Done;
                    while let Some(spec) = specs.get(index) {
                        index += 1;
                        if !spec::includes(spec, self.not_keys) {
                            continue;
                        }
                        if let Resolved::Keys(span) =
                            spec::resolve(self.info, index - 1, spec, &SliceFacts(self.args))
                        {
                            self.state = State::Specs { next_spec: index, span };
                            break;
                        }
                    }
                }
                State::Spans { spans, at } => match spans.get_mut(*at) {
                    Some(span) => match span.pop() {
                        Some(index) => return Some(index),
                        None => *at += 1,
                    },
                    None => self.state = State::Done,
                },
                State::Done => return None,
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.state {
            State::Done => (0, Some(0)),
            // Two specs may name the same argument, so the count is not bounded by the
            // number of arguments in general.
            _ => (0, None),
        }
    }
}

impl<A: AsRef<[u8]>> FusedIterator for KeyIndices<'_, A> {}

impl<A> fmt::Debug for KeyIndices<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyIndices")
            .field("command", &self.info.name)
            .field("args", &self.args.len())
            .field("not_keys", &self.not_keys)
            .field("state", &self.state)
            .finish()
    }
}
