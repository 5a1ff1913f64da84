//! The key-spec interpreter both key finders share: [`KeyIndices`](super::KeyIndices) over an
//! argument slice and [`visit_keys`](super::visit_keys) over streamed arguments.
//!
//! Evaluating a spec needs a few facts about the arguments beyond their count: where a
//! keyword is, the number a `numkeys` argument holds, and for the server's fallback rules
//! the `STORE` of `SORT` and the `KEYS` of `MIGRATE`. [`Facts`] asks for exactly those; a
//! slice answers by looking, a stream by having watched the arguments go by with the
//! push-style searches below ([`KeywordSearch`], [`SortStore`], [`MigrateKeys`]), which
//! the slice uses too. Everything else (the arithmetic of ranges, counts and limits, what
//! is invalid, when to fall back) is written once, here.

use super::super::table::{BeginSearch, CommandFlags, CommandInfo, FindKeys, KeySpec, KeySpecFlags};

/// What [`resolve`] and [`plan`] need to know about the arguments (`args[0]` is the name).
pub(crate) trait Facts {
    /// How many arguments there are.
    fn arg_count(&self) -> usize;

    /// Where `search`, the begin search of the spec at `spec`, finds its keyword.
    fn keyword_at(&self, spec: usize, search: &KeywordSearch) -> Option<usize>;

    /// The key count at `at`, for the spec at `spec` (see [`count`]).
    fn key_count(&self, spec: usize, at: usize) -> Option<i64>;

    /// The destination of `SORT ... STORE dest` (see [`SortStore`]).
    fn sort_store_key(&self) -> Option<usize>;

    /// The first key and the number of keys of `MIGRATE` (see [`MigrateKeys`]).
    fn migrate_keys(&self) -> Option<(usize, usize)>;
}

/// The indices `next, next + step, ...` up to `last`; empty once `next > last`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    next: usize,
    last: usize,
    step: usize,
}

impl Span {
    pub(crate) const EMPTY: Span = Span { next: 1, last: 0, step: 1 };

    /// The single index `at`.
    const fn one(at: usize) -> Span {
        Span { next: at, last: at, step: 1 }
    }

    /// The first index left, removed.
    pub(crate) fn pop(&mut self) -> Option<usize> {
        if self.next > self.last {
            return None;
        }
        let at = self.next;
        // `last < args.len() <= isize::MAX`, so a saturated `next` is past it.
        self.next = self.next.saturating_add(self.step);
        Some(at)
    }

    /// Whether `at` is the next index, which it then removes: for arguments seen in order,
    /// as a stream gives them (no division per argument, as a test of membership would
    /// need).
    #[inline]
    pub(crate) fn take(&mut self, at: usize) -> bool {
        let hit = at == self.next && at <= self.last;
        if hit {
            self.next = self.next.saturating_add(self.step);
        }
        hit
    }
}

/// What one key spec makes of the arguments.
pub(crate) enum Resolved {
    /// These are its keys.
    Keys(Span),
    /// It has no keys here, and that is not an error: its keyword is absent, or its
    /// key count is 0 for a command whose keys are optional (`EVAL script 0`).
    Absent,
    /// It does not fit the arguments, or cannot be evaluated.
    Invalid,
}

/// How to find the keys, decided by [`plan`].
pub(crate) enum Plan {
    /// From each included spec in turn, by [`resolve`] (all of them fit).
    Specs,
    /// These spans, from the legacy range or a fallback rule.
    Spans([Span; 2]),
    /// The command has no keys (in these arguments).
    NoKeys,
    /// The arguments do not fit the command's key specs, and no rule says otherwise.
    Invalid,
}

/// Whether a finder that does (`not_keys`) or does not take [`KeySpecFlags::NOT_KEY`]
/// specs looks at `spec`.
pub(crate) fn includes(spec: &KeySpec, not_keys: bool) -> bool {
    not_keys || !spec.flags.contains(KeySpecFlags::NOT_KEY)
}

/// Decides how to find the keys: from the specs when they all fit, else by the fallback
/// rules.
pub(crate) fn plan<F: Facts + ?Sized>(info: &CommandInfo, facts: &F, not_keys: bool) -> Plan {
    let specs = info.key_specs;
    if specs.is_empty() {
        return legacy(info, facts.arg_count());
    }
    if !specs.iter().any(|spec| includes(spec, not_keys)) {
        return Plan::NoKeys;
    }
    for (index, spec) in specs.iter().enumerate().filter(|(_, spec)| includes(spec, not_keys)) {
        match resolve(info, index, spec, facts) {
            Resolved::Invalid => return fallback(info, facts),
            Resolved::Keys(_) if spec.flags.contains(KeySpecFlags::INCOMPLETE) => {
                return fallback(info, facts);
            }
            Resolved::Keys(_) | Resolved::Absent => {}
        }
    }
    Plan::Specs
}

/// The legacy first/last/step range, for a command without key specs.
fn legacy(info: &CommandInfo, argc: usize) -> Plan {
    let argc = len_i64(argc);
    let first = i64::from(info.first_key);
    let last = if info.last_key < 0 { argc + i64::from(info.last_key) } else { i64::from(info.last_key) };
    let step = i64::from(info.step);
    if first < 1 || step < 1 {
        return Plan::NoKeys;
    }
    if last < first || last >= argc {
        return Plan::Invalid;
    }
    Plan::Spans([span(first, last, step), Span::EMPTY])
}

/// The server's command-specific rules, for specs that are incomplete, unknown, or do not
/// fit the arguments. For commands without such a rule the arguments are invalid.
fn fallback<F: Facts + ?Sized>(info: &CommandInfo, facts: &F) -> Plan {
    if facts.arg_count() < 2 {
        return Plan::Invalid;
    }
    match info.name {
        "sort" => Plan::Spans([Span::one(1), facts.sort_store_key().map_or(Span::EMPTY, Span::one)]),
        "sort_ro" => Plan::Spans([Span::one(1), Span::EMPTY]),
        "migrate" => match facts.migrate_keys() {
            Some((first, count)) if count > 0 => {
                Plan::Spans([Span { next: first, last: first + count - 1, step: 1 }, Span::EMPTY])
            }
            _ => Plan::Invalid,
        },
        _ => Plan::Invalid,
    }
}

/// A span from bounds already checked to lie in `1..argc`.
fn span(first: i64, last: i64, step: i64) -> Span {
    let index = |n: i64| usize::try_from(n).unwrap_or(usize::MAX);
    Span { next: index(first), last: index(last), step: index(step) }
}

/// An argument count as a signed number (never more than `isize::MAX` in a slice; a
/// `CommandArgs` that claims more is clamped, and its spans then fail their bounds).
fn len_i64(argc: usize) -> i64 {
    i64::try_from(argc).unwrap_or(i64::MAX)
}

/// Evaluates the spec at `index` of `info`'s specs, as the server's
/// `getKeysUsingKeySpecs`.
pub(crate) fn resolve<F: Facts + ?Sized>(
    info: &CommandInfo,
    index: usize,
    spec: &KeySpec,
    facts: &F,
) -> Resolved {
    let argc = len_i64(facts.arg_count());
    let begin = match spec.begin_search {
        BeginSearch::Index(at) => i64::from(at),
        BeginSearch::Keyword { keyword, start_from } => {
            let found = KeywordSearch::new(keyword, start_from, facts.arg_count())
                .and_then(|search| facts.keyword_at(index, &search));
            match found {
                Some(at) => len_i64(at) + 1,
                None => return Resolved::Absent,
            }
        }
        BeginSearch::Unknown => return Resolved::Invalid,
    };
    if begin < 1 {
        return Resolved::Invalid;
    }
    let (first, last, step) = match spec.find_keys {
        FindKeys::Range { last_key, key_step, limit } => {
            let (last_key, limit) = (i64::from(last_key), i64::from(limit));
            let last = if last_key >= 0 {
                begin + last_key
            } else if limit == 0 {
                argc + last_key
            } else if limit > 0 {
                begin + ((argc - begin) / limit + last_key)
            } else {
                return Resolved::Invalid;
            };
            (begin, last, i64::from(key_step))
        }
        FindKeys::KeyNum { key_num_idx, first_key, key_step } => {
            let at = usize::try_from(begin + i64::from(key_num_idx)).ok();
            let Some(count) = at.and_then(|at| facts.key_count(index, at)) else {
                return Resolved::Invalid;
            };
            if count == 0 && info.flags.contains(CommandFlags::NO_MANDATORY_KEYS) {
                return Resolved::Absent;
            }
            let first = begin + i64::from(first_key);
            let Some(last) = first.checked_add(count).and_then(|end| end.checked_sub(1)) else {
                return Resolved::Invalid;
            };
            (first, last, i64::from(key_step))
        }
        FindKeys::Unknown => return Resolved::Invalid,
    };
    if first < 1 || step < 1 || last < first || last >= argc {
        return Resolved::Invalid;
    }
    Resolved::Keys(span(first, last, step))
}

/// The search of a [`BeginSearch::Keyword`] over a given number of arguments, as the server
/// does it: from `start_from` up to the second-to-last argument when positive (the first
/// match wins), else from `len + start_from` down to index 2 (the last match wins).
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeywordSearch {
    keyword: &'static str,
    first: usize,
    last: usize,
    backward: bool,
}

impl KeywordSearch {
    /// The search over `argc` arguments; `None` when the range it looks at is empty.
    pub(crate) fn new(keyword: &'static str, start_from: i16, argc: usize) -> Option<Self> {
        let from = usize::from(start_from.unsigned_abs());
        let (first, last, backward) = if start_from > 0 {
            (from, argc.checked_sub(2)?, false)
        } else {
            let start = argc.checked_sub(from)?;
            if start >= argc {
                return None;
            }
            (2, start, true)
        };
        (first <= last).then_some(Self { keyword, first, last, backward })
    }

    /// Whether the argument at `at` is the keyword, in the range searched.
    #[inline]
    pub(crate) fn matches(&self, at: usize, arg: &[u8]) -> bool {
        (self.first..=self.last).contains(&at) && arg.eq_ignore_ascii_case(self.keyword.as_bytes())
    }

    /// Whether a match found later in argument order than `found` takes its place: the
    /// nearest match to the start point wins, which is the last one when searching
    /// backward.
    #[inline]
    pub(crate) fn replaces(&self, found: Option<usize>) -> bool {
        self.backward || found.is_none()
    }

    /// The index of the keyword in `args`.
    pub(crate) fn in_slice<A: AsRef<[u8]>>(&self, args: &[A]) -> Option<usize> {
        let hit = |at: &usize| args.get(*at).is_some_and(|arg| self.matches(*at, arg.as_ref()));
        let mut range = self.first..=self.last;
        if self.backward { range.rev().find(hit) } else { range.find(hit) }
    }
}

/// A key count as the server's `string2ll` reads it, if it is not negative: decimal
/// digits, no sign, no leading zero, within `i64`.
pub(crate) fn count(text: &[u8]) -> Option<i64> {
    match text {
        [] => None,
        [b'0', _, ..] => None,
        digits => digits.iter().try_fold(0i64, |n, &d| {
            if d.is_ascii_digit() { n.checked_mul(10)?.checked_add(i64::from(d - b'0')) } else { None }
        }),
    }
}

/// Whether `arg` is `word`, ignoring ASCII case.
fn is(arg: &[u8], word: &str) -> bool {
    arg.eq_ignore_ascii_case(word.as_bytes())
}

/// Finds the destination of `SORT key ... STORE dest ...` as the server's `sortGetKeys`
/// does, fed the arguments in order: options are scanned from index 2, `LIMIT` skipping
/// two arguments and `BY` and `GET` one; the last `STORE` wins.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SortStore {
    argc: usize,
    next: usize,
    store: Option<usize>,
}

impl SortStore {
    /// The search over `argc` arguments.
    pub(crate) const fn new(argc: usize) -> Self {
        Self { argc, next: 2, store: None }
    }

    /// Takes the argument at `at` (arguments come in order).
    #[inline]
    pub(crate) fn offer(&mut self, at: usize, arg: &[u8]) {
        if at != self.next {
            return;
        }
        let skip = if is(arg, "limit") {
            2
        } else if is(arg, "get") || is(arg, "by") {
            1
        } else {
            if is(arg, "store") && at + 1 < self.argc {
                self.store = Some(at + 1);
            }
            0
        };
        self.next = at.saturating_add(1 + skip);
    }

    /// The destination's index, if there is one.
    pub(crate) const fn found(&self) -> Option<usize> {
        self.store
    }
}

/// Finds the first key and the number of keys of `MIGRATE` as the server's
/// `migrateGetKeys` does, fed the arguments in order: the key at index 3, or with the
/// `KEYS` option (and an empty key argument) every argument after `KEYS`. `COPY`,
/// `REPLACE`, `AUTH pw` and `AUTH2 user pw` are skipped while looking for it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MigrateKeys {
    argc: usize,
    key_is_empty: Option<bool>,
    next: usize,
    keys: Option<Option<(usize, usize)>>,
}

impl MigrateKeys {
    /// The search over `argc` arguments.
    pub(crate) const fn new(argc: usize) -> Self {
        Self { argc, key_is_empty: None, next: 6, keys: None }
    }

    /// Takes the argument at `at` (arguments come in order).
    #[inline]
    pub(crate) fn offer(&mut self, at: usize, arg: &[u8]) {
        if at == 3 {
            self.key_is_empty = Some(arg.is_empty());
        }
        if self.keys.is_some() || at != self.next {
            return;
        }
        if is(arg, "keys") {
            let all_after = (at + 1, self.argc.saturating_sub(at + 1));
            self.keys = Some((self.key_is_empty == Some(true)).then_some(all_after));
            return;
        }
        let skip = if is(arg, "auth") {
            1
        } else if is(arg, "auth2") {
            2
        } else {
            0
        };
        self.next = at.saturating_add(1 + skip);
    }

    /// The first key and the number of keys; `None` when the arguments have no key
    /// argument, or `KEYS` with a key argument that is not empty.
    pub(crate) fn found(&self) -> Option<(usize, usize)> {
        self.key_is_empty?;
        self.keys.unwrap_or(Some((3, 1)))
    }
}

/// The [`Facts`] of an argument slice, found by looking.
pub(crate) struct SliceFacts<'s, A>(pub(crate) &'s [A]);

impl<A: AsRef<[u8]>> Facts for SliceFacts<'_, A> {
    fn arg_count(&self) -> usize {
        self.0.len()
    }

    fn keyword_at(&self, _spec: usize, search: &KeywordSearch) -> Option<usize> {
        search.in_slice(self.0)
    }

    fn key_count(&self, _spec: usize, at: usize) -> Option<i64> {
        count(self.0.get(at)?.as_ref())
    }

    fn sort_store_key(&self) -> Option<usize> {
        let mut search = SortStore::new(self.0.len());
        self.0.iter().enumerate().for_each(|(at, arg)| search.offer(at, arg.as_ref()));
        search.found()
    }

    fn migrate_keys(&self) -> Option<(usize, usize)> {
        let mut search = MigrateKeys::new(self.0.len());
        self.0.iter().enumerate().for_each(|(at, arg)| search.offer(at, arg.as_ref()));
        search.found()
    }
}
