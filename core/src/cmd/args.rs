//! What every typed builder shares: the [`Command`] trait (arguments plus a reply type),
//! [`ToArg`] and [`ArgList`] for variadic arguments, and the crate's internal plumbing
//! that turns a builder's fields into arguments by index.

use core::marker::PhantomData;

use crate::reply::{FromFrame, ReplyType};
use crate::resp::{Arg, CommandArgs};

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
    /// use ferrodis_core::cmd::{self, Command, Cmd};
    ///
    /// let get = cmd::get("greeting").returning::<Option<&str>>();
    /// let json = Cmd::<4>::new("JSON.GET").arg("doc").arg("$.a").returning::<Option<&str>>();
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

    fn arg(&self, index: usize) -> Arg<'_> {
        self.args.arg(index)
    }
}

impl<C: CommandArgs, R: ReplyType> Command for Typed<C, R> {
    type Reply<'r> = R::At<'r>;
}

/// A value that is one command argument: strings, bytes, numbers. The elements of
/// variadic arguments (`cmd::del(&["a", "b"])`, `cmd::sadd("s", &[1, 2])`) implement it.
///
/// ```
/// use ferrodis_core::cmd::ToArg;
/// use ferrodis_core::resp::Arg;
///
/// assert_eq!("key".to_arg(), Arg::Bytes(b"key"));
/// assert_eq!(7u8.to_arg(), Arg::Uint(7));
/// assert_eq!(b"raw".to_arg(), Arg::Bytes(b"raw"));
/// ```
pub trait ToArg {
    /// The argument.
    fn to_arg(&self) -> Arg<'_>;
}

impl ToArg for str {
    fn to_arg(&self) -> Arg<'_> {
        Arg::Bytes(self.as_bytes())
    }
}

impl ToArg for [u8] {
    fn to_arg(&self) -> Arg<'_> {
        Arg::Bytes(self)
    }
}

impl<const N: usize> ToArg for [u8; N] {
    fn to_arg(&self) -> Arg<'_> {
        Arg::Bytes(self)
    }
}

impl<const N: usize> ToArg for heapless::String<N> {
    fn to_arg(&self) -> Arg<'_> {
        Arg::Bytes(self.as_bytes())
    }
}

impl<const N: usize> ToArg for heapless::Vec<u8, N> {
    fn to_arg(&self) -> Arg<'_> {
        Arg::Bytes(self)
    }
}

#[cfg(feature = "alloc")]
impl ToArg for alloc::string::String {
    fn to_arg(&self) -> Arg<'_> {
        Arg::Bytes(self.as_bytes())
    }
}

#[cfg(feature = "alloc")]
impl ToArg for alloc::vec::Vec<u8> {
    fn to_arg(&self) -> Arg<'_> {
        Arg::Bytes(self)
    }
}

impl ToArg for Arg<'_> {
    fn to_arg(&self) -> Arg<'_> {
        *self
    }
}

impl<T: ToArg + ?Sized> ToArg for &T {
    fn to_arg(&self) -> Arg<'_> {
        (**self).to_arg()
    }
}

macro_rules! number_args {
    ($($t:ty),*) => {$(
        impl ToArg for $t {
            fn to_arg(&self) -> Arg<'_> {
                Arg::from(*self)
            }
        }
    )*};
}
number_args!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64);

/// A run of arguments of a variadic command: a slice of [`ToArg`] values (one argument
/// each), of pairs (two each: `MSET`'s keys and values, `ZADD`'s scores and members) or
/// of triples (three each: `GEOADD`'s longitude, latitude and member).
pub trait ArgList {
    /// How many arguments the run is.
    fn arg_len(&self) -> usize;

    /// The argument at `index < arg_len()`.
    fn arg_at(&self, index: usize) -> Arg<'_>;
}

/// The empty argument, for an index past the end (never reached by the encoders).
const NONE: Arg<'static> = Arg::Bytes(&[]);

impl<T: ToArg> ArgList for [T] {
    fn arg_len(&self) -> usize {
        self.len()
    }

    fn arg_at(&self, index: usize) -> Arg<'_> {
        self.get(index).map_or(NONE, T::to_arg)
    }
}

impl<A: ToArg, B: ToArg> ArgList for [(A, B)] {
    fn arg_len(&self) -> usize {
        self.len() * 2
    }

    fn arg_at(&self, index: usize) -> Arg<'_> {
        match self.get(index / 2) {
            Some((a, _)) if index.is_multiple_of(2) => a.to_arg(),
            Some((_, b)) => b.to_arg(),
            None => NONE,
        }
    }
}

impl<A: ToArg, B: ToArg, C: ToArg> ArgList for [(A, B, C)] {
    fn arg_len(&self) -> usize {
        self.len() * 3
    }

    fn arg_at(&self, index: usize) -> Arg<'_> {
        match (self.get(index / 3), index % 3) {
            (Some((a, _, _)), 0) => a.to_arg(),
            (Some((_, b, _)), 1) => b.to_arg(),
            (Some((_, _, c)), _) => c.to_arg(),
            (None, _) => NONE,
        }
    }
}

impl<L: ArgList + ?Sized> ArgList for &L {
    fn arg_len(&self) -> usize {
        (**self).arg_len()
    }

    fn arg_at(&self, index: usize) -> Arg<'_> {
        (**self).arg_at(index)
    }
}

/// One column of a slice of pairs (`XREAD`'s keys, then its ids).
pub(crate) trait Column {
    /// The number of rows.
    fn rows(&self) -> usize;

    /// Row `row`'s first (`second == false`) or second element.
    fn cell(&self, row: usize, second: bool) -> Arg<'_>;
}

impl<A: ToArg, B: ToArg> Column for &[(A, B)] {
    fn rows(&self) -> usize {
        self.len()
    }

    fn cell(&self, row: usize, second: bool) -> Arg<'_> {
        match self.get(row) {
            Some((a, _)) if !second => a.to_arg(),
            Some((_, b)) => b.to_arg(),
            None => NONE,
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
    List(&'s dyn ArgList),
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
            Part::List(l) => l.arg_len(),
            Part::Column(c, _) => c.rows(),
        }
    }

    fn get(&self, index: usize) -> Arg<'s> {
        match (*self, index) {
            (Part::One(a) | Part::Two(a, _) | Part::Three(a, _, _), 0) => a,
            (Part::Two(_, b) | Part::Three(_, b, _), 1) => b,
            (Part::Three(_, _, c), 2) => c,
            (Part::List(l), i) => l.arg_at(i),
            (Part::Column(c, second), i) => c.cell(i, second),
            _ => NONE,
        }
    }
}

/// The number of arguments in `parts`.
pub(crate) fn parts_len(parts: &[Part<'_>]) -> usize {
    parts.iter().map(Part::len).sum()
}

/// The argument at `index` of `parts`.
pub(crate) fn parts_arg<'s>(parts: &[Part<'s>], mut index: usize) -> Arg<'s> {
    for part in parts {
        let len = part.len();
        if index < len {
            return part.get(index);
        }
        index -= len;
    }
    NONE
}

/// Implements [`CommandArgs`] (from an inherent `fn parts(&self) -> [Part<'_>; N]`) and
/// [`Command`] for a hand-written builder.
macro_rules! by_parts {
    ($(impl[$($gen:tt)*] $ty:ty => $reply:ty;)+) => {$(
        impl<$($gen)*> $crate::resp::CommandArgs for $ty {
            fn arg_count(&self) -> usize {
                $crate::cmd::args::parts_len(&self.parts())
            }

            fn arg(&self, index: usize) -> $crate::resp::Arg<'_> {
                $crate::cmd::args::parts_arg(&self.parts(), index)
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

            fn arg(&self, index: usize) -> $crate::resp::Arg<'_> {
                self.args.get(index).copied().unwrap_or($crate::resp::Arg::Bytes(&[]))
            }
        }

        impl $crate::cmd::Command for $name<'_> {
            type Reply<'r> = $reply;
        }
    )+};
}
pub(crate) use fixed;

/// Builders with fixed arguments, then a variadic run (a slice of [`ToArg`] values,
/// pairs or triples), then optionally more fixed arguments.
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
            [$elem]: $crate::cmd::ArgList,
        {
            $name {
                head: [$crate::resp::Arg::from($w0), $($crate::resp::Arg::from($w),)* $($p.into(),)*],
                list: $list,
                tail: [$($($q.into(),)*)?],
            }
        }

        impl<$($g),+> $crate::resp::CommandArgs for $name<'_, $($g),+>
        where
            [$elem]: $crate::cmd::ArgList,
        {
            fn arg_count(&self) -> usize {
                self.head.len() + $crate::cmd::ArgList::arg_len(self.list) + self.tail.len()
            }

            fn arg(&self, index: usize) -> $crate::resp::Arg<'_> {
                let listed = $crate::cmd::ArgList::arg_len(self.list);
                match index.checked_sub(self.head.len()) {
                    None => self.head[index],
                    Some(i) if i < listed => $crate::cmd::ArgList::arg_at(self.list, i),
                    Some(i) => self.tail.get(i - listed).copied().unwrap_or($crate::resp::Arg::Bytes(&[])),
                }
            }
        }

        impl<$($g),+> $crate::cmd::Command for $name<'_, $($g),+>
        where
            [$elem]: $crate::cmd::ArgList,
        {
            type Reply<'r> = $reply;
        }
    )+};
}
pub(crate) use variadic;
