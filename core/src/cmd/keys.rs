//! Finding the keys among a command's arguments, the way the server's `COMMAND GETKEYS`
//! does: from the key specs, with the server's own fallbacks where they are incomplete.

use core::fmt;
use core::iter::FusedIterator;

use super::table::{BeginSearch, CommandInfo, FindKeys, KeySpec, KeySpecFlags};

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

/// The indices `next, next + step, ...` up to `last`; empty once `next > last`.
#[derive(Debug, Clone, Copy)]
struct Span {
    next: usize,
    last: usize,
    step: usize,
}

impl Span {
    const EMPTY: Span = Span { next: 1, last: 0, step: 1 };

    /// The single index `at`.
    const fn one(at: usize) -> Span {
        Span { next: at, last: at, step: 1 }
    }

    fn pop(&mut self) -> Option<usize> {
        if self.next > self.last {
            return None;
        }
        let at = self.next;
        // `last < args.len() <= isize::MAX`, so a saturated `next` is past it.
        self.next = self.next.saturating_add(self.step);
        Some(at)
    }
}

/// What one key spec makes of the arguments.
enum Resolved {
    /// These are its keys.
    Keys(Span),
    /// Its keyword is absent: no keys from it, and not an error.
    Absent,
    /// It does not fit the arguments, or cannot be evaluated.
    Invalid,
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

    /// Whether this iteration looks at `spec`.
    fn includes(&self, spec: &KeySpec) -> bool {
        self.not_keys || !spec.flags.contains(KeySpecFlags::NOT_KEY)
    }

    /// Decides how to find the keys: from the specs when they all fit, else by the
    /// fallback rules.
    fn plan(&self) -> State {
        let specs = self.info.key_specs;
        if specs.is_empty() {
            return self.legacy();
        }
        if !specs.iter().any(|spec| self.includes(spec)) {
            return State::Done;
        }
        for spec in specs.iter().filter(|spec| self.includes(spec)) {
            match resolve(spec, self.args) {
                Resolved::Invalid => return self.fallback(),
                Resolved::Keys(_) if spec.flags.contains(KeySpecFlags::INCOMPLETE) => return self.fallback(),
                Resolved::Keys(_) | Resolved::Absent => {}
            }
        }
        State::Specs { next_spec: 0, span: Span::EMPTY }
    }

    /// The legacy first/last/step range, for a command without key specs.
    fn legacy(&self) -> State {
        let info = self.info;
        let argc = len_i64(self.args);
        let first = i64::from(info.first_key);
        let last = if info.last_key < 0 { argc + i64::from(info.last_key) } else { i64::from(info.last_key) };
        let step = i64::from(info.step);
        if first < 1 || step < 1 || last < first || last >= argc {
            return State::Done;
        }
        spans([span(first, last, step), Span::EMPTY])
    }

    /// The server's command-specific rules, for specs that are incomplete, unknown, or do
    /// not fit the arguments. Commands without such a rule have no keys then.
    fn fallback(&self) -> State {
        let args = self.args;
        if args.len() < 2 {
            return State::Done;
        }
        match self.info.name {
            "sort" => {
                let store = sort_store_key(args);
                spans([Span::one(1), store.map_or(Span::EMPTY, Span::one)])
            }
            "sort_ro" => spans([Span::one(1), Span::EMPTY]),
            "migrate" => match migrate_keys(args) {
                Some((first, count)) if count > 0 => {
                    spans([Span { next: first, last: first + count - 1, step: 1 }, Span::EMPTY])
                }
                _ => State::Done,
            },
            _ => State::Done,
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
                        if !self.includes(spec) {
                            continue;
                        }
                        if let Resolved::Keys(span) = resolve(spec, self.args) {
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

const fn spans(spans: [Span; 2]) -> State {
    State::Spans { spans, at: 0 }
}

/// A span from bounds already checked to lie in `1..args.len()`.
fn span(first: i64, last: i64, step: i64) -> Span {
    let index = |n: i64| usize::try_from(n).unwrap_or(usize::MAX);
    Span { next: index(first), last: index(last), step: index(step) }
}

/// `args.len()` as a signed number (a slice never holds more than `isize::MAX` elements).
fn len_i64<A>(args: &[A]) -> i64 {
    i64::try_from(args.len()).unwrap_or(i64::MAX)
}

/// Evaluates one key spec against the arguments, as the server's `getKeysUsingKeySpecs`.
fn resolve<A: AsRef<[u8]>>(spec: &KeySpec, args: &[A]) -> Resolved {
    let argc = len_i64(args);
    let begin = match spec.begin_search {
        BeginSearch::Index(index) => i64::from(index),
        BeginSearch::Keyword { keyword, start_from } => match find_keyword(args, keyword, start_from) {
            Some(at) => at + 1,
            None => return Resolved::Absent,
        },
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
            let at = begin + i64::from(key_num_idx);
            let Some(count) =
                usize::try_from(at).ok().and_then(|at| args.get(at)).and_then(|a| count(a.as_ref()))
            else {
                return Resolved::Invalid;
            };
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

/// The index of `keyword` among `args`, searched as the server does: from `start_from`
/// up to the second-to-last argument when positive, else from `len + start_from` down
/// to index 2.
fn find_keyword<A: AsRef<[u8]>>(args: &[A], keyword: &str, start_from: i16) -> Option<i64> {
    let is_keyword = |at: &usize| args[*at].as_ref().eq_ignore_ascii_case(keyword.as_bytes());
    let found = if start_from > 0 {
        let start = usize::from(start_from.unsigned_abs());
        (start..args.len().saturating_sub(1)).find(is_keyword)
    } else {
        let start = args.len().checked_sub(usize::from(start_from.unsigned_abs()))?;
        if start >= args.len() {
            return None;
        }
        (2..=start).rev().find(is_keyword)
    };
    found.and_then(|at| i64::try_from(at).ok())
}

/// A key count as the server's `string2ll` reads it, if it is not negative: decimal
/// digits, no sign, no leading zero, within `i64`.
fn count(text: &[u8]) -> Option<i64> {
    match text {
        [] => None,
        [b'0', _, ..] => None,
        digits => digits.iter().try_fold(0i64, |n, &d| {
            if d.is_ascii_digit() { n.checked_mul(10)?.checked_add(i64::from(d - b'0')) } else { None }
        }),
    }
}

/// Whether `arg` is `word`, ignoring ASCII case.
fn is<A: AsRef<[u8]>>(arg: &A, word: &str) -> bool {
    arg.as_ref().eq_ignore_ascii_case(word.as_bytes())
}

/// The destination of `SORT key ... STORE dest ...`, as the server's `sortGetKeys` finds
/// it: options are scanned from index 2, `LIMIT` skipping two arguments and `BY` and
/// `GET` one; the last `STORE` wins.
fn sort_store_key<A: AsRef<[u8]>>(args: &[A]) -> Option<usize> {
    let mut store = None;
    let mut i = 2;
    while let Some(arg) = args.get(i) {
        if is(arg, "limit") {
            i += 2;
        } else if is(arg, "get") || is(arg, "by") {
            i += 1;
        } else if is(arg, "store") && i + 1 < args.len() {
            store = Some(i + 1);
        }
        i += 1;
    }
    store
}

/// The first key and the number of keys of `MIGRATE`, as the server's `migrateGetKeys`
/// finds them: the key at index 3, or with the `KEYS` option (and an empty key argument)
/// every argument after `KEYS`. `COPY`, `REPLACE`, `AUTH pw` and `AUTH2 user pw` are
/// skipped while looking for it.
fn migrate_keys<A: AsRef<[u8]>>(args: &[A]) -> Option<(usize, usize)> {
    let key = args.get(3)?;
    let mut i = 6;
    while let Some(arg) = args.get(i) {
        if is(arg, "keys") {
            return if key.as_ref().is_empty() { Some((i + 1, args.len() - i - 1)) } else { None };
        }
        if is(arg, "auth") {
            i += 1;
        } else if is(arg, "auth2") {
            i += 2;
        }
        i += 1;
    }
    Some((3, 1))
}
