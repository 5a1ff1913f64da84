//! [`ToArgs`]: how a value becomes command arguments, written into an
//! [`ArgSink`](crate::resp::ArgSink). The one argument trait of ferrodis: typed builders
//! take it for their variadic arguments, [`Cmd`](super::Cmd) for every argument, and
//! `ferrodis-std`'s command methods for theirs.

#[cfg(feature = "alloc")]
use alloc::{
    borrow::{Cow, ToOwned},
    boxed::Box,
    collections::{BTreeMap, BTreeSet},
    rc::Rc,
    string::String,
    sync::Arc,
    vec::Vec,
};
#[cfg(feature = "std")]
use std::collections::{HashMap, HashSet};

use crate::resp::{Arg, ArgSink};

/// A sink that only counts.
struct Count(usize);

impl ArgSink for Count {
    #[inline]
    fn push(&mut self, _: Arg<'_>) {
        self.0 += 1;
    }
}

#[cfg(feature = "alloc")]
impl ArgSink for Vec<Vec<u8>> {
    fn push(&mut self, arg: Arg<'_>) {
        let mut bytes = Vec::new();
        arg.text(|b| bytes.extend_from_slice(b));
        Vec::push(self, bytes);
    }
}

/// A value that becomes zero or more command arguments: the analog of redis-rs's
/// `ToRedisArgs`.
///
/// | Type | Arguments |
/// |------|-----------|
/// | `str`, `String`, `Cow<str>` | one, its UTF-8 bytes |
/// | `[u8]`, `Vec<u8>`, `[u8; N]` | one, the bytes (binary safe) |
/// | integers, `f32`, `f64` | one, decimal text (`inf`, `-inf` for infinities) |
/// | `bool` | one, `1` or `0` |
/// | `Option<T>` | none for `None`, `T`'s for `Some` |
/// | `()` | none |
/// | `[T]`, `Vec<T>`, `[T; N]`, sets | each element's, in order (`DEL k1 k2`) |
/// | `HashMap`, `BTreeMap` | key, value, key, value, ... (`HSET key f1 v1 f2 v2`) |
/// | tuples up to 12 | each element's, in order |
/// | `&T`, `Box<T>`, `Arc<T>`, `Rc<T>` | `T`'s |
///
/// A sequence of `u8` is one binary argument, not one number per byte: `u8` overrides
/// [`ToArgs::write_slice_args`], the way redis-rs does it.
///
/// ```
/// use ferrodis_core::cmd::ToArgs;
/// use ferrodis_core::resp::{Arg, ArgSink};
///
/// /// Each argument as the text it is sent as (`Vec<Vec<u8>>` is such a sink with the
/// /// `alloc` feature).
/// struct Texts(Vec<String>);
///
/// impl ArgSink for Texts {
///     fn push(&mut self, arg: Arg<'_>) {
///         self.0.push(match arg {
///             Arg::Bytes(b) => b.escape_ascii().to_string(),
///             Arg::Int(n) => n.to_string(),
///             Arg::Uint(n) => n.to_string(),
///             Arg::Float(f) => f.text().escape_ascii().to_string(),
///         });
///     }
/// }
///
/// let mut args = Texts(Vec::new());
/// (["k1", "k2"], 7u8, [1u8, 2], Some(0.5), None::<i32>, true).write_args(&mut args);
/// assert_eq!(args.0, ["k1", "k2", "7", "\\x01\\x02", "0.5", "1"]);
/// assert_eq!([("f1", 1), ("f2", 2)].num_args(), 4);
/// ```
pub trait ToArgs {
    /// Pushes the value's arguments into `out`, in order.
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S);

    /// How many arguments [`ToArgs::write_args`] pushes.
    fn num_args(&self) -> usize {
        let mut count = Count(0);
        self.write_args(&mut count);
        count.0
    }

    /// Hook: pushes the arguments of a slice of `Self`. The default pushes each
    /// element's; `u8` pushes the slice as one binary argument.
    fn write_slice_args<S: ArgSink + ?Sized>(items: &[Self], out: &mut S)
    where
        Self: Sized,
    {
        for item in items {
            item.write_args(out);
        }
    }

    /// Hook: how many arguments [`ToArgs::write_slice_args`] pushes for `items`.
    fn num_slice_args(items: &[Self]) -> usize
    where
        Self: Sized,
    {
        items.iter().map(ToArgs::num_args).sum()
    }
}

/// One argument, as it is.
impl ToArgs for Arg<'_> {
    #[inline]
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        out.push(*self);
    }

    fn num_args(&self) -> usize {
        1
    }
}

impl<const N: usize> ToArgs for heapless::String<N> {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        out.push(Arg::Bytes(self.as_bytes()));
    }

    fn num_args(&self) -> usize {
        1
    }
}

impl<T: ToArgs, const N: usize> ToArgs for heapless::Vec<T, N> {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        T::write_slice_args(self, out);
    }

    fn num_args(&self) -> usize {
        T::num_slice_args(self)
    }
}

impl ToArgs for str {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        out.push(Arg::Bytes(self.as_bytes()));
    }

    fn num_args(&self) -> usize {
        1
    }
}

#[cfg(feature = "alloc")]
impl ToArgs for String {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        out.push(Arg::Bytes(self.as_bytes()));
    }

    fn num_args(&self) -> usize {
        1
    }
}

impl ToArgs for u8 {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        out.push(Arg::from(*self));
    }

    fn num_args(&self) -> usize {
        1
    }

    /// Bytes are one binary argument.
    fn write_slice_args<S: ArgSink + ?Sized>(items: &[Self], out: &mut S) {
        out.push(Arg::Bytes(items));
    }

    fn num_slice_args(_: &[Self]) -> usize {
        1
    }
}

/// Types that are one argument, made by `Arg::from`: numbers, and the option words of
/// core's builders (`BITOP`'s operation, `LINSERT`'s position, ...), so the same enums
/// serve `ferrodis-std`'s command methods.
macro_rules! one_arg {
    ($($t:ty),*) => {$(
        impl ToArgs for $t {
            fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
                out.push(Arg::from(*self));
            }

            fn num_args(&self) -> usize {
                1
            }
        }
    )*};
}
one_arg!(i8, i16, i32, i64, isize, u16, u32, u64, usize, f32, f64);
one_arg!(super::BitOp, super::GeoUnit, super::Side, super::Position);

/// No arguments at all (a scan's options when there are none).
impl ToArgs for () {
    fn write_args<S: ArgSink + ?Sized>(&self, _: &mut S) {}

    fn num_args(&self) -> usize {
        0
    }
}

impl ToArgs for bool {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        out.push(Arg::Bytes(if *self { b"1" } else { b"0" }));
    }

    fn num_args(&self) -> usize {
        1
    }
}

impl<T: ToArgs> ToArgs for [T] {
    #[inline]
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        T::write_slice_args(self, out);
    }

    fn num_args(&self) -> usize {
        T::num_slice_args(self)
    }
}

#[cfg(feature = "alloc")]
impl<T: ToArgs> ToArgs for Vec<T> {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        T::write_slice_args(self, out);
    }

    fn num_args(&self) -> usize {
        T::num_slice_args(self)
    }
}

impl<T: ToArgs, const N: usize> ToArgs for [T; N] {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        T::write_slice_args(self, out);
    }

    fn num_args(&self) -> usize {
        T::num_slice_args(self)
    }
}

impl<T: ToArgs> ToArgs for Option<T> {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        if let Some(value) = self {
            value.write_args(out);
        }
    }

    fn num_args(&self) -> usize {
        self.as_ref().map_or(0, T::num_args)
    }
}

#[cfg(feature = "alloc")]
macro_rules! deref_args {
    ($($p:ident),*) => {$(
        impl<T: ToArgs + ?Sized> ToArgs for $p<T> {
            fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
                (**self).write_args(out);
            }

            fn num_args(&self) -> usize {
                (**self).num_args()
            }
        }
    )*};
}
#[cfg(feature = "alloc")]
deref_args!(Box, Arc, Rc);

impl<T: ToArgs + ?Sized> ToArgs for &T {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        (**self).write_args(out);
    }

    fn num_args(&self) -> usize {
        (**self).num_args()
    }
}

#[cfg(feature = "alloc")]
impl<T: ToArgs + ToOwned + ?Sized> ToArgs for Cow<'_, T> {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        (**self).write_args(out);
    }

    fn num_args(&self) -> usize {
        (**self).num_args()
    }
}

#[cfg(feature = "std")]
impl<K: ToArgs, V: ToArgs, H> ToArgs for HashMap<K, V, H> {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        for (k, v) in self {
            k.write_args(out);
            v.write_args(out);
        }
    }
}

#[cfg(feature = "alloc")]
impl<K: ToArgs, V: ToArgs> ToArgs for BTreeMap<K, V> {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        for (k, v) in self {
            k.write_args(out);
            v.write_args(out);
        }
    }
}

#[cfg(feature = "std")]
impl<T: ToArgs, H> ToArgs for HashSet<T, H> {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        for item in self {
            item.write_args(out);
        }
    }
}

#[cfg(feature = "alloc")]
impl<T: ToArgs> ToArgs for BTreeSet<T> {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        for item in self {
            item.write_args(out);
        }
    }
}

macro_rules! tuple_args {
    ($(($($t:ident $v:ident),+);)+) => {$(
        impl<$($t: ToArgs),+> ToArgs for ($($t,)+) {
            fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
                let ($($v,)+) = self;
                $($v.write_args(out);)+
            }

            fn num_args(&self) -> usize {
                let ($($v,)+) = self;
                0 $(+ $v.num_args())+
            }
        }
    )+};
}

tuple_args! {
    (T1 a);
    (T1 a, T2 b);
    (T1 a, T2 b, T3 c);
    (T1 a, T2 b, T3 c, T4 d);
    (T1 a, T2 b, T3 c, T4 d, T5 e);
    (T1 a, T2 b, T3 c, T4 d, T5 e, T6 f);
    (T1 a, T2 b, T3 c, T4 d, T5 e, T6 f, T7 g);
    (T1 a, T2 b, T3 c, T4 d, T5 e, T6 f, T7 g, T8 h);
    (T1 a, T2 b, T3 c, T4 d, T5 e, T6 f, T7 g, T8 h, T9 i);
    (T1 a, T2 b, T3 c, T4 d, T5 e, T6 f, T7 g, T8 h, T9 i, T10 j);
    (T1 a, T2 b, T3 c, T4 d, T5 e, T6 f, T7 g, T8 h, T9 i, T10 j, T11 k);
    (T1 a, T2 b, T3 c, T4 d, T5 e, T6 f, T7 g, T8 h, T9 i, T10 j, T11 k, T12 l);
}
