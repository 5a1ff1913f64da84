//! Finding the keys of any [`CommandArgs`] (a typed builder, a [`Cmd`](crate::cmd::Cmd), an
//! argument array) as it streams its arguments, without holding them: each [`Arg`] is
//! borrowed only for the call that pushes it.
//!
//! The first pass through [`CommandArgs::write_args`] looks the command up from its name
//! (and subcommand) as they go by. Where the key positions follow from the number of
//! arguments alone (`GET`, `MSET`, `OBJECT ENCODING`: nearly every command), it plans them
//! at once and hands each key to the visitor in the same pass. Otherwise (a keyword such
//! as `XREAD`'s `STREAMS`, a `numkeys`, `SORT ... STORE`) the first pass collects the
//! [`Facts`] the shared interpreter asks for, with bounded state per key spec, and a
//! second pass hands over the keys. Which of the two it is, the interpreter itself says:
//! planning is tried with only the count known, and whether it asked for more decides.

use core::cell::Cell;

use super::spec::{self, Facts, KeywordSearch, MigrateKeys, Plan, Resolved, SortStore, Span, count};
use crate::cmd::table::{BeginSearch, CommandFlags, CommandInfo, FindKeys, lookup_top};
use crate::resp::{Arg, ArgSink, CommandArgs};

/// The most key specs one command may have for [`visit_keys`] (the table's most is 3, for
/// `GEORADIUS`; a test checks); a command with more has invalid keys.
pub(crate) const MAX_SPECS: usize = 4;

/// Why [`visit_keys`] found no keys to speak of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeysError {
    /// The command has no arguments at all.
    Empty,
    /// The command table does not have the command, or the container command does not
    /// have the subcommand.
    Unknown,
    /// The command's arity does not allow that many arguments.
    ArgCount(&'static CommandInfo),
    /// The arguments do not fit the command's key specs (a `numkeys` that is not a number
    /// or larger than what follows, for one).
    Invalid(&'static CommandInfo),
}

/// Calls `visit` with the index and the bytes of each key of `command`, in argument order
/// (once each, even where two specs name the same argument), until it returns `false`;
/// returns the command's entry in the table. With `not_keys`, the arguments of
/// [`NOT_KEY`](crate::cmd::KeySpecFlags::NOT_KEY) specs (shard channels) count as keys.
///
/// Keys found as in [`KeyIndices`](super::KeyIndices), and besides the command must be in
/// the table (an unknown subcommand of a container is unknown too), its arity must allow
/// the number of arguments, and the arguments must fit its key specs (a command with
/// mandatory keys must have some, as the server's `COMMAND GETKEYS` requires). On an error `visit`
/// may have been called already. Nothing is allocated; the work is linear in the number
/// of arguments (two passes at most), whatever they say.
pub(crate) fn visit_keys<C: CommandArgs + ?Sized>(
    command: &C,
    not_keys: bool,
    visit: &mut dyn FnMut(usize, &[u8]) -> bool,
) -> Result<&'static CommandInfo, KeysError> {
    visit_keys_from(Stage::Name, command, not_keys, visit)
}

/// [`visit_keys`] for the command `info`, whatever the name says.
#[cfg(test)]
pub(crate) fn visit_keys_as<C: CommandArgs + ?Sized>(
    info: &'static CommandInfo,
    command: &C,
    not_keys: bool,
    visit: &mut dyn FnMut(usize, &[u8]) -> bool,
) -> Result<&'static CommandInfo, KeysError> {
    visit_keys_from(Stage::Given(info), command, not_keys, visit)
}

fn visit_keys_from<C: CommandArgs + ?Sized>(
    stage: Stage,
    command: &C,
    not_keys: bool,
    visit: &mut dyn FnMut(usize, &[u8]) -> bool,
) -> Result<&'static CommandInfo, KeysError> {
    let argc = command.arg_count();
    if argc == 0 {
        return Err(KeysError::Empty);
    }
    let mut survey = Survey { argc, at: 0, not_keys, stage, facts: None, keys: None, visit, going: true };
    command.write_args(&mut survey);
    let info = match survey.stage {
        Stage::Resolved(info) => info,
        Stage::Failed(error) => return Err(error),
        Stage::Name => return Err(KeysError::Empty),
        #[cfg(test)]
        Stage::Given(_) => return Err(KeysError::Empty),
        Stage::Container(info) => return Err(KeysError::ArgCount(info)),
    };
    if survey.at != argc {
        // It wrote another number of arguments than it said: its keys cannot be trusted.
        return Err(KeysError::Invalid(info));
    }
    let keys = match (survey.keys, &survey.facts) {
        (Some(Ok(_)), _) => return Ok(info),
        (Some(Err(Invalid)), _) | (None, None) => return Err(KeysError::Invalid(info)),
        (None, Some(facts)) => {
            KeySpans::plan(info, facts, not_keys).map_err(|Invalid| KeysError::Invalid(info))?
        }
    };
    let mut second = Visiting { at: 0, keys, visit: survey.visit, going: true };
    command.write_args(&mut second);
    Ok(info)
}

/// The arguments do not fit the key specs.
#[derive(Debug, Clone, Copy)]
struct Invalid;

/// The spans of a command's keys, once planned.
#[derive(Debug, Clone, Copy)]
struct KeySpans {
    spans: [Span; MAX_SPECS],
    len: usize,
}

impl KeySpans {
    /// The key spans [`spec::plan`] finds.
    fn plan<F: Facts + ?Sized>(info: &CommandInfo, facts: &F, not_keys: bool) -> Result<KeySpans, Invalid> {
        let mut keys = KeySpans { spans: [Span::EMPTY; MAX_SPECS], len: 0 };
        match spec::plan(info, facts, not_keys) {
            Plan::Specs => {
                let included = info.key_specs.iter().enumerate().filter(|(_, s)| spec::includes(s, not_keys));
                for (index, key_spec) in included {
                    if let Resolved::Keys(span) = spec::resolve(info, index, key_spec, facts) {
                        *keys.spans.get_mut(keys.len).ok_or(Invalid)? = span;
                        keys.len += 1;
                    }
                }
                // As the server's `COMMAND GETKEYS`: a command with keys that finds none
                // (`XREAD` without `STREAMS`) has invalid arguments, unless its keys are
                // optional (`EVAL script 0`).
                if keys.len == 0 && !info.flags.contains(CommandFlags::NO_MANDATORY_KEYS) {
                    return Err(Invalid);
                }
            }
            Plan::Spans(spans) => {
                keys.spans[..2].copy_from_slice(&spans);
                keys.len = 2;
            }
            Plan::NoKeys => {}
            Plan::Invalid => return Err(Invalid),
        }
        Ok(keys)
    }

    /// Whether the argument at `at` is a key, arguments being seen in order (`at` is one
    /// more than the last time).
    #[inline]
    fn take(&mut self, at: usize) -> bool {
        // Every span that names it moves on, so no short cut.
        self.spans[..self.len].iter_mut().fold(false, |hit, span| span.take(at) | hit)
    }
}

/// How far [`Survey`] is in finding the command.
#[derive(Debug, Clone, Copy)]
enum Stage {
    /// Waiting for the name.
    Name,
    /// Waiting for the name, the command already known (tests of specs not in the table).
    #[cfg(test)]
    Given(&'static CommandInfo),
    /// Waiting for the subcommand of this container.
    Container(&'static CommandInfo),
    /// The command is known.
    Resolved(&'static CommandInfo),
    /// Nothing more to learn.
    Failed(KeysError),
}

/// The first pass: finds the command, then either visits its keys or collects the facts
/// the second pass needs.
struct Survey<'v> {
    argc: usize,
    /// The index of the next argument.
    at: usize,
    not_keys: bool,
    stage: Stage,
    /// What the arguments said, when planning needs more than their count.
    facts: Option<StreamFacts>,
    /// The keys, when planned from the count alone.
    keys: Option<Result<KeySpans, Invalid>>,
    visit: &'v mut dyn FnMut(usize, &[u8]) -> bool,
    going: bool,
}

impl Survey<'_> {
    #[inline]
    fn take(&mut self, at: usize, arg: &[u8]) {
        match self.stage {
            Stage::Name => match lookup_top(arg) {
                None => self.stage = Stage::Failed(KeysError::Unknown),
                Some(info) if !info.subcommands.is_empty() && self.argc > 1 => {
                    self.stage = Stage::Container(info)
                }
                Some(info) => self.resolve(info, at, arg),
            },
            #[cfg(test)]
            Stage::Given(info) => self.resolve(info, at, arg),
            Stage::Container(container) => match container.subcommand(arg) {
                Some(info) => self.resolve(info, at, arg),
                None => self.stage = Stage::Failed(KeysError::Unknown),
            },
            Stage::Resolved(_) => self.watch(at, arg),
            Stage::Failed(_) => {}
        }
    }

    /// The command is `info`, known at the argument `at`.
    fn resolve(&mut self, info: &'static CommandInfo, at: usize, arg: &[u8]) {
        if !info.accepts_arg_count(self.argc) {
            self.stage = Stage::Failed(KeysError::ArgCount(info));
            return;
        }
        self.stage = Stage::Resolved(info);
        let probe = CountOnly { argc: self.argc, asked: Cell::new(false) };
        let keys = KeySpans::plan(info, &probe, self.not_keys);
        if probe.asked.get() {
            self.facts = Some(StreamFacts::new(info, self.argc));
        } else {
            self.keys = Some(keys);
        }
        self.watch(at, arg);
    }

    #[inline]
    fn watch(&mut self, at: usize, arg: &[u8]) {
        if let Some(facts) = &mut self.facts {
            facts.offer(at, arg);
        } else if let Some(Ok(keys)) = &mut self.keys
            && keys.take(at)
            && self.going
        {
            self.going = (self.visit)(at, arg);
        }
    }
}

impl ArgSink for Survey<'_> {
    #[inline]
    fn push(&mut self, arg: Arg<'_>) {
        let at = self.at;
        self.at = at.saturating_add(1);
        match arg {
            Arg::Bytes(bytes) => self.take(at, bytes),
            other => other.text(|text| self.take(at, text)),
        }
    }
}

/// The second pass: visits the keys.
struct Visiting<'v> {
    at: usize,
    keys: KeySpans,
    visit: &'v mut dyn FnMut(usize, &[u8]) -> bool,
    going: bool,
}

impl ArgSink for Visiting<'_> {
    #[inline]
    fn push(&mut self, arg: Arg<'_>) {
        let at = self.at;
        self.at = at.saturating_add(1);
        if self.keys.take(at) && self.going {
            self.going = arg.text(|text| (self.visit)(at, text));
        }
    }
}

/// Facts that know the count only, and notice when asked for more.
struct CountOnly {
    argc: usize,
    asked: Cell<bool>,
}

impl CountOnly {
    fn ask<T>(&self) -> Option<T> {
        self.asked.set(true);
        None
    }
}

impl Facts for CountOnly {
    fn arg_count(&self) -> usize {
        self.argc
    }

    fn keyword_at(&self, _spec: usize, _search: &KeywordSearch) -> Option<usize> {
        self.ask()
    }

    fn key_count(&self, _spec: usize, _at: usize) -> Option<i64> {
        self.ask()
    }

    fn sort_store_key(&self) -> Option<usize> {
        self.ask()
    }

    fn migrate_keys(&self) -> Option<(usize, usize)> {
        self.ask()
    }
}

/// What one key spec needs to know, watched as the arguments go by.
#[derive(Debug, Clone, Copy, Default)]
struct SpecWatch {
    /// The spec's keyword search, if it begins at a keyword.
    search: Option<KeywordSearch>,
    /// Where the keyword is (the best match so far).
    keyword_at: Option<usize>,
    /// Where the spec's key count is, relative to its begin point (a `KeyNum` spec).
    key_num_idx: Option<usize>,
    /// Where the key count is, once the begin point is known.
    count_at: Option<usize>,
    /// The count read there.
    count: Option<i64>,
}

/// The [`Facts`] of streamed arguments: what each key spec and each fallback rule of one
/// command needs, collected in one pass with fixed state.
#[derive(Debug, Clone, Copy)]
struct StreamFacts {
    argc: usize,
    specs: [SpecWatch; MAX_SPECS],
    sort: SortStore,
    migrate: MigrateKeys,
}

impl StreamFacts {
    /// Ready to watch the arguments of `info`. A spec past [`MAX_SPECS`] is not watched,
    /// and so does not fit; a negative `key_num_idx` (none in the table) neither, as its
    /// count would come before its begin point.
    fn new(info: &CommandInfo, argc: usize) -> Self {
        let mut specs = [SpecWatch::default(); MAX_SPECS];
        for (watch, spec) in specs.iter_mut().zip(info.key_specs) {
            if let FindKeys::KeyNum { key_num_idx, .. } = spec.find_keys {
                watch.key_num_idx = usize::try_from(key_num_idx).ok();
            }
            match spec.begin_search {
                BeginSearch::Index(begin) => {
                    let begin = usize::try_from(begin).ok();
                    watch.count_at = begin.zip(watch.key_num_idx).and_then(|(b, k)| b.checked_add(k));
                }
                BeginSearch::Keyword { keyword, start_from } => {
                    watch.search = KeywordSearch::new(keyword, start_from, argc);
                }
                BeginSearch::Unknown => {}
            }
        }
        Self { argc, specs, sort: SortStore::new(argc), migrate: MigrateKeys::new(argc) }
    }

    #[inline]
    fn offer(&mut self, at: usize, arg: &[u8]) {
        for watch in &mut self.specs {
            if watch.search.is_some_and(|s| s.matches(at, arg) && s.replaces(watch.keyword_at)) {
                watch.keyword_at = Some(at);
                watch.count_at = watch.key_num_idx.and_then(|k| at.checked_add(1)?.checked_add(k));
                watch.count = None;
            } else if watch.count_at == Some(at) {
                watch.count = count(arg);
            }
        }
        self.sort.offer(at, arg);
        self.migrate.offer(at, arg);
    }
}

impl Facts for StreamFacts {
    fn arg_count(&self) -> usize {
        self.argc
    }

    fn keyword_at(&self, spec: usize, _search: &KeywordSearch) -> Option<usize> {
        self.specs.get(spec)?.keyword_at
    }

    fn key_count(&self, spec: usize, at: usize) -> Option<i64> {
        let watch = self.specs.get(spec)?;
        if watch.count_at == Some(at) { watch.count } else { None }
    }

    fn sort_store_key(&self) -> Option<usize> {
        self.sort.found()
    }

    fn migrate_keys(&self) -> Option<(usize, usize)> {
        self.migrate.found()
    }
}
