//! What every typed builder shares: the [`Command`] trait (arguments plus a reply type),
//! and the crate's internal plumbing that turns a builder's fields into arguments.

use core::marker::PhantomData;

use super::ToArgs;
use crate::reply::{FromFrame, ReplyType};
use crate::resp::{Arg, ArgSink, CommandArgs};

/// A command with a known reply type: the arguments (see [`CommandArgs`]) and what the
/// reply converts to. A connection's `run` sends the command and returns the reply as
/// [`Command::Reply`].
///
/// Every builder of this module implements it; [`Cmd`](super::Cmd) covers any other
/// command, module commands included.
///
/// ```
/// use ferrodis_core::cmd::{self, Command};
/// use ferrodis_core::reply::FromFrame;
/// use ferrodis_core::resp::Frame;
///
/// fn reply_of<'r, C: Command>(_: &C, frame: Frame<'r>) -> C::Reply<'r> {
///     C::Reply::from_frame(frame).unwrap()
/// }
/// assert_eq!(reply_of(&cmd::incr("hits"), Frame::Integer(7)), 7i64);
/// assert_eq!(reply_of(&cmd::get("k"), Frame::NullBulkString), None);
/// ```
///
/// With a connection, `run` sends a command and converts its reply:
///
/// ```
/// # use ferrodis_test_support::harness::Loopback;
/// use ferrodis_core::cmd;
/// use ferrodis_core::conn::blocking::Connection;
///
/// # let (transport, _server) = Loopback::new(); // a transport with a tiny server behind it
/// let (mut rx, mut tx) = ([0u8; 512], [0u8; 256]);
/// let mut conn = Connection::new(transport, &mut rx, &mut tx);
/// conn.run(&cmd::set("greeting", "hello"))?;
/// let greeting: Option<&[u8]> = conn.run(&cmd::get("greeting"))?;
/// assert_eq!(greeting, Some(&b"hello"[..]));
/// let hits: i64 = conn.run(&cmd::incr("hits"))?;
/// assert_eq!(hits, 1);
/// # Ok::<(), ferrodis_core::Error<ferrodis_test_support::harness::PipeError>>(())
/// ```
pub trait Command: CommandArgs {
    /// The reply, borrowing from the connection's read buffer for `'r`.
    type Reply<'r>: FromFrame<'r>;

    /// The same command with another reply type, for example the value of `GET` as
    /// text, or the result of a module command or script.
    ///
    /// ```
    /// use ferrodis_core::cmd::{self, Command, Cmd, FixedArgs};
    ///
    /// let get = cmd::get("greeting").returning::<Option<&str>>();
    /// let json = Cmd::<FixedArgs<64, 4>>::new("JSON.GET").with_arg("doc").with_arg("$.a").returning::<Option<&str>>();
    /// # let _ = (get, json);
    /// ```
    fn returning<R: ReplyType>(self) -> Typed<Self, R>
    where
        Self: Sized,
    {
        Typed::new(self)
    }
}

impl<C: Command + ?Sized> Command for &C {
    type Reply<'r> = C::Reply<'r>;
}

impl<C: Command + ?Sized> Command for &mut C {
    type Reply<'r> = C::Reply<'r>;
}

/// Any [`CommandArgs`] (a builder, an argument array) with the reply type `R`, named
/// without its lifetime (see [`ReplyType`]).
///
/// ```
/// use ferrodis_core::cmd::Typed;
/// use ferrodis_core::resp::Arg;
///
/// let incr = Typed::<_, i64>::new([Arg::from("INCR"), Arg::from("hits")]);
/// # let _ = incr;
/// ```
pub struct Typed<C, R> {
    args: C,
    reply: PhantomData<fn() -> R>,
}

impl<C: CommandArgs, R: ReplyType> Typed<C, R> {
    /// `args`, replying `R`.
    pub const fn new(args: C) -> Self {
        Self { args, reply: PhantomData }
    }

    /// The arguments.
    pub fn into_inner(self) -> C {
        self.args
    }
}

impl<C: Clone, R> Clone for Typed<C, R> {
    fn clone(&self) -> Self {
        Self { args: self.args.clone(), reply: PhantomData }
    }
}

impl<C: Copy, R> Copy for Typed<C, R> {}

impl<C: core::fmt::Debug, R> core::fmt::Debug for Typed<C, R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Typed").field(&self.args).finish()
    }
}

impl<C: CommandArgs, R> CommandArgs for Typed<C, R> {
    fn arg_count(&self) -> usize {
        self.args.arg_count()
    }

    fn write_args(&self, out: &mut dyn ArgSink) {
        self.args.write_args(out);
    }

    #[inline]
    fn name(&self) -> Option<&[u8]> {
        self.args.name()
    }

    #[inline]
    fn as_args(&self) -> Option<&[Arg<'_>]> {
        self.args.as_args()
    }
}

impl<C: CommandArgs, R: ReplyType> Command for Typed<C, R> {
    type Reply<'r> = R::At<'r>;
}

/// A variadic run of arguments, object-safe: any [`ToArgs`] value (a slice of keys, of
/// pairs, of triples).
pub(crate) trait Run {
    /// How many arguments the run is.
    fn run_len(&self) -> usize;

    /// Writes the run's arguments.
    fn write_run(&self, out: &mut dyn ArgSink);
}

impl<T: ToArgs + ?Sized> Run for T {
    fn run_len(&self) -> usize {
        self.num_args()
    }

    fn write_run(&self, out: &mut dyn ArgSink) {
        self.write_args(out);
    }
}

/// One column of a slice of pairs (`XREAD`'s keys, then its ids).
pub(crate) trait Column {
    /// The number of rows.
    fn rows(&self) -> usize;

    /// Writes every row's first (`second == false`) or second element.
    fn write_column(&self, second: bool, out: &mut dyn ArgSink);
}

impl<A: ToArgs, B: ToArgs> Column for &[(A, B)] {
    fn rows(&self) -> usize {
        self.len()
    }

    fn write_column(&self, second: bool, out: &mut dyn ArgSink) {
        for (a, b) in self.iter() {
            if second { b.write_args(out) } else { a.write_args(out) }
        }
    }
}

/// A piece of a builder's arguments: nothing (an option not set), one to three
/// arguments, a variadic run, or one column of a slice of pairs.
#[derive(Clone, Copy)]
pub(crate) enum Part<'s> {
    Skip,
    One(Arg<'s>),
    Two(Arg<'s>, Arg<'s>),
    Three(Arg<'s>, Arg<'s>, Arg<'s>),
    List(&'s dyn Run),
    Column(&'s dyn Column, bool),
}

impl<'s> Part<'s> {
    /// `word` when `on`.
    pub(crate) fn flag(on: bool, word: &'static str) -> Self {
        if on { Part::One(Arg::from(word)) } else { Part::Skip }
    }

    /// `word value` when `value` is set.
    pub(crate) fn opt(word: &'static str, value: Option<impl Into<Arg<'s>>>) -> Self {
        match value {
            Some(v) => Part::Two(Arg::from(word), v.into()),
            None => Part::Skip,
        }
    }

    /// A static word when set (an enum option such as `NX` or `ASYNC`).
    pub(crate) fn word(word: Option<&'static str>) -> Self {
        word.map_or(Part::Skip, |w| Part::One(Arg::from(w)))
    }

    fn len(&self) -> usize {
        match self {
            Part::Skip => 0,
            Part::One(_) => 1,
            Part::Two(..) => 2,
            Part::Three(..) => 3,
            Part::List(l) => l.run_len(),
            Part::Column(c, _) => c.rows(),
        }
    }

    fn write(&self, out: &mut dyn ArgSink) {
        match *self {
            Part::Skip => {}
            Part::One(a) => out.push(a),
            Part::Two(a, b) => {
                out.push(a);
                out.push(b);
            }
            Part::Three(a, b, c) => {
                out.push(a);
                out.push(b);
                out.push(c);
            }
            Part::List(l) => l.write_run(out),
            Part::Column(c, second) => c.write_column(second, out),
        }
    }
}

/// The number of arguments in `parts`.
pub(crate) fn parts_len(parts: &[Part<'_>]) -> usize {
    parts.iter().map(Part::len).sum()
}

/// The name of a builder made of `parts`: its first part, when that is one argument.
#[inline]
pub(crate) fn parts_name<'s>(parts: &[Part<'s>]) -> Option<&'s [u8]> {
    match parts.first() {
        Some(Part::One(Arg::Bytes(name))) => Some(name),
        _ => None,
    }
}

/// Writes every argument of `parts`.
pub(crate) fn write_parts(parts: &[Part<'_>], out: &mut dyn ArgSink) {
    for part in parts {
        part.write(out);
    }
}

/// Implements [`CommandArgs`] (from an inherent `fn parts(&self) -> [Part<'_>; N]`) and
/// [`Command`] for a hand-written builder.
macro_rules! by_parts {
    ($(impl[$($gen:tt)*] $ty:ty => $reply:ty;)+) => {$(
        impl<$($gen)*> $crate::resp::CommandArgs for $ty {
            fn arg_count(&self) -> usize {
                $crate::cmd::args::parts_len(&self.parts())
            }

            fn write_args(&self, out: &mut dyn $crate::resp::ArgSink) {
                $crate::cmd::args::write_parts(&self.parts(), out)
            }

            #[inline]
            fn name(&self) -> Option<&[u8]> {
                $crate::cmd::args::parts_name(&self.parts())
            }
        }

        impl<$($gen)*> $crate::cmd::Command for $ty {
            type Reply<'r> = $reply;
        }
    )+};
}
pub(crate) use by_parts;

/// The type of a fixed argument: as written, or any `Into<Arg>`.
macro_rules! arg_type {
    () => { impl Into<$crate::resp::Arg<'a>> };
    ($t:ty) => { $t };
}
pub(crate) use arg_type;

/// Builders whose arguments are the command's name and fixed arguments, stored as an
/// array of [`Arg`]s.
///
/// `fn name(param, typed: u64) -> Type ["WORD", "SUBWORD"] => Reply;` defines the struct,
/// its constructor, and its `CommandArgs` and `Command` impls.
macro_rules! fixed {
    ($(
        $(#[$doc:meta])*
        fn $fn:ident($($p:ident $(: $t:ty)?),*) -> $name:ident [$w0:literal $(, $w:literal)*] => $reply:ty;
    )+) => {$(
        #[doc = concat!("The `", $w0, $(" ", $w,)* "` command: see [`", stringify!($fn), "`].")]
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct $name<'a> {
            args: [$crate::resp::Arg<'a>; 1 $(+ { let _ = $w; 1 })* $(+ { let $p = 1; $p })*],
        }

        $(#[$doc])*
        pub fn $fn<'a>($($p: $crate::cmd::args::arg_type!($($t)?)),*) -> $name<'a> {
            $name { args: [$crate::resp::Arg::from($w0), $($crate::resp::Arg::from($w),)* $($p.into(),)*] }
        }

        impl $crate::resp::CommandArgs for $name<'_> {
            fn arg_count(&self) -> usize {
                self.args.len()
            }

            fn write_args(&self, out: &mut dyn $crate::resp::ArgSink) {
                $crate::resp::CommandArgs::write_args(&self.args, out)
            }

            #[inline]
            fn name(&self) -> Option<&[u8]> {
                $crate::resp::CommandArgs::name(&self.args)
            }

            #[inline]
            fn as_args(&self) -> Option<&[$crate::resp::Arg<'_>]> {
                Some(&self.args)
            }
        }

        impl $crate::cmd::Command for $name<'_> {
            type Reply<'r> = $reply;
        }
    )+};
}
pub(crate) use fixed;

/// Builders with fixed arguments, then a variadic run (a slice of [`ToArgs`] values:
/// keys, pairs, triples), then optionally more fixed arguments.
///
/// `fn name(key; members: [M]) -> Type<M> ["WORD"] => Reply;`, or with
/// `fn name(; keys: [K]; timeout: f64)` for arguments after the run.
macro_rules! variadic {
    ($(
        $(#[$doc:meta])*
        fn $fn:ident($($p:ident $(: $t:ty)?),*; $list:ident: [$elem:ty] $(; $($q:ident $(: $u:ty)?),*)?)
            -> $name:ident<$($g:ident),+> [$w0:literal $(, $w:literal)*] => $reply:ty;
    )+) => {$(
        #[doc = concat!("The `", $w0, $(" ", $w,)* "` command: see [`", stringify!($fn), "`].")]
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub struct $name<'a, $($g),+> {
            head: [$crate::resp::Arg<'a>; 1 $(+ { let _ = $w; 1 })* $(+ { let $p = 1; $p })*],
            list: &'a [$elem],
            tail: [$crate::resp::Arg<'a>; 0 $($(+ { let $q = 1; $q })*)?],
        }

        $(#[$doc])*
        pub fn $fn<'a, $($g),+>(
            $($p: $crate::cmd::args::arg_type!($($t)?),)*
            $list: &'a [$elem]
            $(, $($q: $crate::cmd::args::arg_type!($($u)?)),*)?
        ) -> $name<'a, $($g),+>
        where
            [$elem]: $crate::cmd::ToArgs,
        {
            $name {
                head: [$crate::resp::Arg::from($w0), $($crate::resp::Arg::from($w),)* $($p.into(),)*],
                list: $list,
                tail: [$($($q.into(),)*)?],
            }
        }

        impl<$($g),+> $crate::resp::CommandArgs for $name<'_, $($g),+>
        where
            [$elem]: $crate::cmd::ToArgs,
        {
            fn arg_count(&self) -> usize {
                self.head.len() + $crate::cmd::ToArgs::num_args(self.list) + self.tail.len()
            }

            #[inline]
            fn name(&self) -> Option<&[u8]> {
                $crate::resp::CommandArgs::name(&self.head)
            }

            fn write_args(&self, out: &mut dyn $crate::resp::ArgSink) {
                for arg in &self.head {
                    out.push(*arg);
                }
                $crate::cmd::ToArgs::write_args(self.list, out);
                for arg in &self.tail {
                    out.push(*arg);
                }
            }
        }

        impl<$($g),+> $crate::cmd::Command for $name<'_, $($g),+>
        where
            [$elem]: $crate::cmd::ToArgs,
        {
            type Reply<'r> = $reply;
        }
    )+};
}
pub(crate) use variadic;
