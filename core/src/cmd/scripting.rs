//! Scripting: `EVAL`, `EVALSHA` (and their `_RO` variants), `SCRIPT LOAD`,
//! `SCRIPT EXISTS`, `SCRIPT FLUSH`.

use super::ToArgs;
use super::args::{Part, by_parts, fixed, variadic};
use super::server::FlushMode;
use crate::reply::{List, Okay};
use crate::resp::{Arg, Frame};

fixed! {
    /// `SCRIPT LOAD script`: caches a script; its SHA1 digest, for [`evalsha`].
    fn script_load(script) -> ScriptLoad ["SCRIPT", "LOAD"] => &'r str;
}

variadic! {
    /// `SCRIPT EXISTS sha1 [sha1 ...]`: whether each script is cached.
    fn script_exists(; digests: [D]) -> ScriptExists<D> ["SCRIPT", "EXISTS"] => List<'r, bool>;
}

/// `EVAL`, `EVALSHA`, `EVAL_RO` or `EVALSHA_RO`: a script, its keys and its arguments;
/// see [`eval`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Eval<'a, K, A> {
    name: &'static str,
    script: Arg<'a>,
    keys: &'a [K],
    args: &'a [A],
}

/// `EVAL script numkeys key ... arg ...`: runs a Lua script; `numkeys` is counted for
/// you. The reply is whatever the script returns, as a [`Frame`]; name the type you
/// expect with [`returning`](super::Command::returning).
///
/// ```
/// use ferrodis_core::cmd::{self, Command};
/// use ferrodis_core::resp::encode_args;
///
/// let script = cmd::eval("return redis.call('INCRBY', KEYS[1], ARGV[1])").keys(&["n"]).args(&[5]);
/// let typed = script.returning::<i64>();
/// let mut buf = [0u8; 128];
/// let n = encode_args(&mut buf, &typed).unwrap();
/// assert!(buf[..n].ends_with(b"$1\r\n1\r\n$1\r\nn\r\n$1\r\n5\r\n"));
/// ```
pub fn eval<'a>(script: impl Into<Arg<'a>>) -> Eval<'a, &'static str, &'static str> {
    Eval { name: "EVAL", script: script.into(), keys: &[], args: &[] }
}

/// `EVALSHA sha1 numkeys key ... arg ...`: runs a script cached by [`script_load`]; an
/// unknown digest fails with `NOSCRIPT`.
pub fn evalsha<'a>(sha1: impl Into<Arg<'a>>) -> Eval<'a, &'static str, &'static str> {
    Eval { name: "EVALSHA", script: sha1.into(), keys: &[], args: &[] }
}

/// `EVAL_RO`: as [`eval`], for a read-only script (may run on replicas).
pub fn eval_ro<'a>(script: impl Into<Arg<'a>>) -> Eval<'a, &'static str, &'static str> {
    Eval { name: "EVAL_RO", script: script.into(), keys: &[], args: &[] }
}

/// `EVALSHA_RO`: as [`evalsha`], for a read-only script.
pub fn evalsha_ro<'a>(sha1: impl Into<Arg<'a>>) -> Eval<'a, &'static str, &'static str> {
    Eval { name: "EVALSHA_RO", script: sha1.into(), keys: &[], args: &[] }
}

impl<'a, K: ToArgs, A: ToArgs> Eval<'a, K, A> {
    /// The keys the script touches (`KEYS[1]`, ...).
    pub fn keys<L: ToArgs>(self, keys: &'a [L]) -> Eval<'a, L, A> {
        Eval { name: self.name, script: self.script, keys, args: self.args }
    }

    /// The other arguments (`ARGV[1]`, ...).
    pub fn args<L: ToArgs>(self, args: &'a [L]) -> Eval<'a, K, L> {
        Eval { name: self.name, script: self.script, keys: self.keys, args }
    }

    fn parts(&self) -> [Part<'_>; 5] {
        [
            Part::One(Arg::from(self.name)),
            Part::One(self.script),
            Part::One(Arg::from(self.keys.len())),
            Part::List(&self.keys),
            Part::List(&self.args),
        ]
    }
}

/// `SCRIPT FLUSH [ASYNC | SYNC]`; see [`script_flush`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScriptFlush {
    mode: Option<FlushMode>,
}

/// `SCRIPT FLUSH`: empties the script cache.
pub fn script_flush() -> ScriptFlush {
    ScriptFlush { mode: None }
}

impl ScriptFlush {
    /// `ASYNC` or `SYNC`.
    #[must_use]
    pub fn mode(mut self, mode: FlushMode) -> Self {
        self.mode = Some(mode);
        self
    }

    fn parts(&self) -> [Part<'_>; 2] {
        [Part::Two(Arg::from("SCRIPT"), Arg::from("FLUSH")), Part::word(FlushMode::word(self.mode))]
    }
}

by_parts! {
    impl['a, K: ToArgs, A: ToArgs] Eval<'a, K, A> => Frame<'r>;
    impl[] ScriptFlush => Okay;
}
