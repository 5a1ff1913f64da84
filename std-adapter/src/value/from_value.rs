//! [`FromValue`]: typed replies, from an owned [`Value`] or straight from a borrowed
//! [`Frame`].

use std::rc::Rc;
use std::str;
use std::sync::Arc;

use ferrodis_core::reply::{FromFrame, ReplyError};
use ferrodis_core::resp::{Aggregate, Elements, Frame};

use super::error::{ConversionError, ConversionErrorKind};
use super::owned::{Value, frame_kind_name};

/// A type that a reply converts to: the analog of redis-rs's `FromRedisValue`.
///
/// [`FromValue::from_value`] converts an owned [`Value`]; [`FromValue::from_frame`]
/// converts a borrowed [`Frame`] and, for the types of this crate, does so without
/// building a [`Value`] first (a `Vec<String>` from an array copies each string once).
/// Both give the same result for the same reply.
///
/// The conversions follow redis-rs:
///
/// | Type | Accepts |
/// |------|---------|
/// | [`Value`] | anything, unchanged |
/// | `String` | bulk, simple and verbatim strings (UTF-8 checked), `+OK`, integers, doubles, big numbers |
/// | integers (`i8`..`i128`, `u8`..`u128`, `isize`, `usize`) | integers, numeric strings, big numbers, integral doubles, booleans (0/1); out of range is an error |
/// | `f32`, `f64` | doubles, integers, numeric strings (`inf`, `-inf`, `nan` included), big numbers |
/// | `bool` | integers (non-zero is true), booleans, `"1"`/`"0"`, `+OK` (true), nil (false) |
/// | `()` | anything but an error reply |
/// | `Option<T>` | nil as `None`, anything else as `T` |
/// | `Vec<T>` | arrays, sets and push messages element by element; maps flattened (key, value, key, ...); nil as empty; a string as one element |
/// | `Vec<u8>` | the bytes of a bulk, simple or verbatim string (binary data, not an array of numbers) |
/// | `Vec<(K, V)>` (tuples of any arity) | flat arrays cut into tuples (RESP2 `HGETALL`), arrays of arrays (RESP3 `ZRANGE ... WITHSCORES`), maps |
/// | `HashMap`, `BTreeMap` | maps, flat arrays of keys and values, arrays of pairs, nil as empty |
/// | `HashSet`, `BTreeSet` | arrays and sets, nil as empty |
/// | tuples up to 12 | arrays and sets of exactly that length, maps of half of it |
/// | `Box<T>`, `Arc<T>`, `Rc<T>` | what `T` accepts |
///
/// **One conversion story.** A borrowed reply (`&str`, `&[u8]`, numbers, heapless
/// containers, stream entries) is core's [`FromFrame`]: what a typed builder run with
/// [`Connection::run`](crate::Connection::run) returns, borrowing the read buffer, no
/// copy. An owned reply is `FromValue`, made from the frame without a [`Value`] in between
/// where it can. Numbers are parsed once, by core's conversions, so `"12"` is the same
/// number (and `"1e39"` the same overflow for `f32`) on both; `FromValue` adds only what
/// redis-rs users expect on top (booleans and integral doubles as integers, `+OK` and nil
/// as booleans). Core's [`Okay`](ferrodis_core::reply::Okay) is a `FromValue` too.
///
/// Every conversion looks through RESP3 attributes, and an error reply (such as one
/// command's error inside the reply to `EXEC`) converts to an error of kind
/// [`ConversionErrorKind::Server`], except for [`Value`] itself.
///
/// ```
/// use std::collections::HashMap;
///
/// use ferrodis_std::core::resp::{decode, Decoded};
/// use ferrodis_std::value::FromValue;
///
/// // RESP2 HGETALL: a flat array of fields and values.
/// let wire = b"*4\r\n$4\r\nname\r\n$3\r\nAda\r\n$4\r\nborn\r\n$4\r\n1815\r\n";
/// let Decoded::Complete { frame, .. } = decode(wire).unwrap() else { panic!() };
/// let fields = HashMap::<String, String>::from_frame(&frame).unwrap();
/// assert_eq!(fields["born"], "1815");
/// let pairs = Vec::<(String, u32)>::from_frame(&frame);
/// assert!(pairs.is_err()); // "Ada" is not a number
/// ```
///
/// # The `Vec` hooks
///
/// Besides the two conversions, the trait has hooks with default bodies that say how a
/// `Vec<Self>` is made; implementations rarely override them. This is how, without
/// specialization, `Vec<u8>` takes the bytes of a string (`u8` overrides
/// [`FromValue::from_string_value`]) and `Vec<(K, V)>` groups a flat array (tuples override
/// [`FromValue::from_values`] and [`FromValue::from_pairs`]), as redis-rs does.
pub trait FromValue: Sized {
    /// Converts an owned reply.
    fn from_value(value: Value) -> Result<Self, ConversionError>;

    /// Converts a borrowed frame. The default builds a [`Value`] and calls
    /// [`FromValue::from_value`]; override it only with a conversion that gives the same
    /// result.
    fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
        Self::from_value(Value::from_frame(frame))
    }

    /// Hook: the `Vec<Self>` of the elements of an array, set or push message.
    fn from_values(items: Vec<Value>) -> Result<Vec<Self>, ConversionError> {
        items.into_iter().map(Self::from_value).collect()
    }

    /// Hook: [`FromValue::from_values`] for the elements of a borrowed array or set.
    fn from_frames(items: &Aggregate<'_>) -> Result<Vec<Self>, ConversionError> {
        let mut elements = Plain::new(items);
        let converted = (&mut elements).map(|f| Self::from_frame(&f)).collect::<Result<Vec<_>, _>>()?;
        if elements.annotated { Self::from_values(owned_elements(items)) } else { Ok(converted) }
    }

    /// Hook: the `Vec<Self>` of a map's pairs. The default flattens them (key, value, key,
    /// ...), so a reply converts the same whether it came as a RESP3 map or as a RESP2
    /// flat array.
    fn from_pairs(pairs: Vec<(Value, Value)>) -> Result<Vec<Self>, ConversionError> {
        Self::from_values(pairs.into_iter().flat_map(|(k, v)| [k, v]).collect())
    }

    /// Hook: [`FromValue::from_pairs`] for a borrowed map (its keys and values alternate).
    fn from_frame_pairs(map: &Aggregate<'_>) -> Result<Vec<Self>, ConversionError> {
        Self::from_frames(map)
    }

    /// Hook: the `Vec<Self>` of a bulk, simple or verbatim string (or `+OK`). The default
    /// makes one element; `u8` takes the bytes.
    fn from_string_value(text: Value) -> Result<Vec<Self>, ConversionError> {
        Self::from_value(text).map(|one| vec![one])
    }

    /// Hook: [`FromValue::from_string_value`] for a borrowed bulk, simple or verbatim
    /// string.
    fn from_string_frame(text: &Frame<'_>) -> Result<Vec<Self>, ConversionError> {
        Self::from_frame(text).map(|one| vec![one])
    }
}

/// The elements of an aggregate without the attributes that annotate them, noting
/// whether there were any: then a fast path must give way to the [`Value`] path, which
/// keeps them for the [`Value`]s it makes.
pub(super) struct Plain<'a> {
    elements: Elements<'a>,
    /// Whether an attribute was skipped.
    pub(super) annotated: bool,
}

impl<'a> Plain<'a> {
    pub(super) fn new(aggregate: &Aggregate<'a>) -> Self {
        Self { elements: aggregate.iter_with_attributes(), annotated: false }
    }

    /// The next element; `Nil` past the end (callers check the length first).
    pub(super) fn next_or_nil(&mut self) -> Frame<'a> {
        self.next().unwrap_or(Frame::Null)
    }
}

impl<'a> Iterator for Plain<'a> {
    type Item = Frame<'a>;

    fn next(&mut self) -> Option<Frame<'a>> {
        loop {
            match self.elements.next()? {
                Frame::Attribute(_) => self.annotated = true,
                frame => return Some(frame),
            }
        }
    }
}

/// The elements of an aggregate as owned values (attributes kept).
pub(super) fn owned_elements(aggregate: &Aggregate<'_>) -> Vec<Value> {
    match Value::from_frame(&Frame::Array(*aggregate)) {
        Value::Array(items) => items,
        _ => Vec::new(),
    }
}

/// The value without attributes; an error reply becomes the error.
pub(super) fn prepare(value: Value, expected: &'static str) -> Result<Value, ConversionError> {
    match value.into_data() {
        Value::ServerError(e) => Err(ConversionError::server(e, expected)),
        value => Ok(value),
    }
}

/// The next of a known number of values (callers check the length first).
pub(super) fn next_value(items: &mut impl Iterator<Item = Value>) -> Value {
    items.next().unwrap_or(Value::Nil)
}

/// Whether `value` is an aggregate of `n` elements (a map's keys and values counted).
pub(super) fn is_group(value: &Value, n: usize) -> bool {
    match value.data() {
        Value::Array(items) | Value::Set(items) => items.len() == n,
        Value::Map(pairs) => pairs.len().saturating_mul(2) == n,
        _ => false,
    }
}

/// [`is_group`] for a frame.
pub(super) fn frame_is_group(frame: &Frame<'_>, n: usize) -> bool {
    matches!(frame, Frame::Array(a) | Frame::Set(a) | Frame::Map(a) if a.len() == n)
}

/// A scalar reply, borrowed from a [`Value`] or a [`Frame`]: what the scalar conversions
/// share, so both paths convert the same way.
#[derive(Clone, Copy)]
pub(super) enum Scalar<'a> {
    Nil,
    Int(i64),
    Double(f64),
    Boolean(bool),
    Okay,
    /// A bulk, simple or verbatim string.
    Text(&'a [u8]),
    BigNumber(&'a [u8]),
}

impl<'a> Scalar<'a> {
    fn of_value(value: &'a Value) -> Option<Self> {
        Some(match value {
            Value::Nil => Scalar::Nil,
            Value::Int(n) => Scalar::Int(*n),
            Value::Double(d) => Scalar::Double(*d),
            Value::Boolean(b) => Scalar::Boolean(*b),
            Value::Okay => Scalar::Okay,
            Value::BulkString(b) => Scalar::Text(b),
            Value::SimpleString(s) | Value::VerbatimString { text: s, .. } => Scalar::Text(s.as_bytes()),
            Value::BigNumber(s) => Scalar::BigNumber(s.as_bytes()),
            _ => return None,
        })
    }

    /// The scalar of a frame, or `None` when only the [`Value`] path converts it the same
    /// way: aggregates, errors, streamed strings, and simple or verbatim strings that are
    /// not UTF-8 (a [`Value`] holds those with replacement characters).
    pub(super) fn of_frame(frame: &Frame<'a>) -> Option<Self> {
        Some(match *frame {
            Frame::Null | Frame::NullBulkString | Frame::NullArray => Scalar::Nil,
            Frame::Integer(n) => Scalar::Int(n),
            Frame::Double(d) => Scalar::Double(d.value()),
            Frame::Boolean(b) => Scalar::Boolean(b),
            Frame::SimpleString(b"OK") => Scalar::Okay,
            Frame::BulkString(b) => Scalar::Text(b),
            Frame::SimpleString(t) | Frame::VerbatimString { text: t, .. } if str::from_utf8(t).is_ok() => {
                Scalar::Text(t)
            }
            Frame::BigNumber(digits) => Scalar::BigNumber(digits),
            _ => return None,
        })
    }
}

/// What a scalar conversion is told: the type asked for and the type received.
#[derive(Clone, Copy)]
struct Names {
    expected: &'static str,
    received: &'static str,
}

impl Names {
    fn error(self, kind: ConversionErrorKind) -> ConversionError {
        ConversionError::new(kind, self.expected, self.received)
    }

    fn mismatch(self) -> ConversionError {
        self.error(ConversionErrorKind::TypeMismatch)
    }

    /// Core's conversion failure as this crate's.
    fn reply_error(self, e: ReplyError) -> ConversionError {
        self.error(match e {
            ReplyError::Overflow => ConversionErrorKind::OutOfRange,
            ReplyError::InvalidUtf8 => ConversionErrorKind::InvalidUtf8,
            ReplyError::InvalidNumber => ConversionErrorKind::InvalidNumber,
            _ => ConversionErrorKind::TypeMismatch,
        })
    }
}

/// Converts an owned scalar with `convert`.
fn scalar_value<T>(
    value: Value,
    expected: &'static str,
    convert: impl FnOnce(Scalar<'_>, Names) -> Result<T, ConversionError>,
) -> Result<T, ConversionError> {
    let value = prepare(value, expected)?;
    let names = Names { expected, received: value.kind_name() };
    match Scalar::of_value(&value) {
        Some(scalar) => convert(scalar, names),
        None => Err(names.mismatch()),
    }
}

/// Converts a borrowed scalar with `convert`, or anything else through the [`Value`] path.
fn scalar_frame<T: FromValue>(
    frame: &Frame<'_>,
    expected: &'static str,
    convert: impl FnOnce(Scalar<'_>, Names) -> Result<T, ConversionError>,
) -> Result<T, ConversionError> {
    match Scalar::of_frame(frame) {
        Some(scalar) => convert(scalar, Names { expected, received: frame_kind_name(frame) }),
        None => T::from_value(Value::from_frame(frame)),
    }
}

/// A number from text, by core's conversion of a string reply (numbers are parsed in one
/// place, `ferrodis_core::reply`), with core's failure as this crate's kind.
fn parse_number<T: for<'a> FromFrame<'a>>(text: &[u8], names: Names) -> Result<T, ConversionError> {
    T::from_frame(Frame::BulkString(text)).map_err(|e| names.reply_error(e))
}

/// An integer reply as `T`, by core's conversion.
fn from_integer<T: for<'a> FromFrame<'a>>(n: i64, names: Names) -> Result<T, ConversionError> {
    T::from_frame(Frame::Integer(n)).map_err(|e| names.reply_error(e))
}

/// What core's scalar conversions do, and what redis-rs's rules add on top: booleans as
/// 0 and 1, and integral doubles.
fn to_int<T>(scalar: Scalar<'_>, names: Names) -> Result<T, ConversionError>
where
    T: TryFrom<i128> + for<'a> FromFrame<'a>,
{
    let out_of_range = || names.error(ConversionErrorKind::OutOfRange);
    match scalar {
        Scalar::Int(n) => from_integer(n, names),
        Scalar::Boolean(b) => from_integer(i64::from(b), names),
        Scalar::Double(d) if d.is_infinite() => Err(out_of_range()),
        // NaN and fractions are not integers.
        Scalar::Double(d) if d.fract() != 0.0 => Err(names.error(ConversionErrorKind::InvalidNumber)),
        // |d| < 2^127, so the cast is exact.
        Scalar::Double(d) if d.abs() < 1.7e38 => T::try_from(d as i128).map_err(|_| out_of_range()),
        Scalar::Double(_) => Err(out_of_range()),
        Scalar::Text(t) | Scalar::BigNumber(t) => parse_number(t, names),
        Scalar::Nil | Scalar::Okay => Err(names.mismatch()),
    }
}

macro_rules! int_impls {
    ($($t:ident),*) => {$(
        impl FromValue for $t {
            fn from_value(value: Value) -> Result<Self, ConversionError> {
                scalar_value(value, stringify!($t), to_int)
            }

            fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
                scalar_frame(frame, stringify!($t), to_int)
            }
        }
    )*};
}
int_impls!(i8, i16, i32, i64, i128, isize, u16, u32, u64, u128, usize);

impl FromValue for u8 {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        scalar_value(value, "u8", to_int)
    }

    fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
        scalar_frame(frame, "u8", to_int)
    }

    /// The bytes of the string: `Vec<u8>` is binary data.
    fn from_string_value(text: Value) -> Result<Vec<Self>, ConversionError> {
        match text {
            Value::BulkString(bytes) => Ok(bytes),
            Value::SimpleString(s) | Value::VerbatimString { text: s, .. } => Ok(s.into_bytes()),
            other => Ok(other.as_bytes().unwrap_or_default().to_vec()),
        }
    }

    /// The bytes of the string: `Vec<u8>` is binary data.
    fn from_string_frame(text: &Frame<'_>) -> Result<Vec<Self>, ConversionError> {
        match Scalar::of_frame(text) {
            Some(Scalar::Text(bytes)) => Ok(bytes.to_vec()),
            Some(Scalar::Okay) => Ok(b"OK".to_vec()),
            _ => Self::from_string_value(Value::from_frame(text)),
        }
    }
}

/// The float types, for one conversion over both.
trait Float: for<'a> FromFrame<'a> {
    fn from_f64(d: f64) -> Self;
}

impl Float for f64 {
    fn from_f64(d: f64) -> Self {
        d
    }
}

impl Float for f32 {
    fn from_f64(d: f64) -> Self {
        d as f32
    }
}

fn to_float<T: Float>(scalar: Scalar<'_>, names: Names) -> Result<T, ConversionError> {
    match scalar {
        Scalar::Double(d) => Ok(T::from_f64(d)),
        Scalar::Int(n) => from_integer(n, names),
        // Core's parser takes `inf`, `-inf`, `nan` and `infinity` in any case, as Redis does.
        Scalar::Text(t) | Scalar::BigNumber(t) => parse_number(t, names),
        Scalar::Nil | Scalar::Okay | Scalar::Boolean(_) => Err(names.mismatch()),
    }
}

macro_rules! float_impls {
    ($($t:ident),*) => {$(
        impl FromValue for $t {
            fn from_value(value: Value) -> Result<Self, ConversionError> {
                scalar_value(value, stringify!($t), to_float)
            }

            fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
                scalar_frame(frame, stringify!($t), to_float)
            }
        }
    )*};
}
float_impls!(f32, f64);

fn to_bool(scalar: Scalar<'_>, names: Names) -> Result<bool, ConversionError> {
    match scalar {
        Scalar::Nil => Ok(false),
        Scalar::Int(n) => Ok(n != 0),
        Scalar::Boolean(b) => Ok(b),
        Scalar::Okay => Ok(true),
        Scalar::Text(b"1") => Ok(true),
        Scalar::Text(b"0") => Ok(false),
        Scalar::Text(_) => Err(names.error(ConversionErrorKind::InvalidNumber)),
        Scalar::Double(_) | Scalar::BigNumber(_) => Err(names.mismatch()),
    }
}

impl FromValue for bool {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        scalar_value(value, "bool", to_bool)
    }

    fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
        scalar_frame(frame, "bool", to_bool)
    }
}

/// A double as Redis writes it: `inf`, `-inf`, `nan`, or the shortest exact decimal.
fn double_text(d: f64) -> String {
    if d.is_nan() { "nan".to_owned() } else { d.to_string() }
}

fn to_string(scalar: Scalar<'_>, names: Names) -> Result<String, ConversionError> {
    match scalar {
        Scalar::Text(t) => {
            str::from_utf8(t).map(str::to_owned).map_err(|_| names.error(ConversionErrorKind::InvalidUtf8))
        }
        Scalar::BigNumber(digits) => Ok(String::from_utf8_lossy(digits).into_owned()),
        Scalar::Okay => Ok("OK".to_owned()),
        Scalar::Int(n) => Ok(n.to_string()),
        Scalar::Double(d) => Ok(double_text(d)),
        Scalar::Nil | Scalar::Boolean(_) => Err(names.mismatch()),
    }
}

impl FromValue for String {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match prepare(value, "String")? {
            // Owned text moves into the result without a copy.
            Value::BulkString(bytes) => String::from_utf8(bytes)
                .map_err(|_| ConversionError::new(ConversionErrorKind::InvalidUtf8, "String", "bulk string")),
            Value::SimpleString(s) | Value::VerbatimString { text: s, .. } | Value::BigNumber(s) => Ok(s),
            other => scalar_value(other, "String", to_string),
        }
    }

    fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
        scalar_frame(frame, "String", to_string)
    }
}

/// Core's `+OK`: `let _: Okay = conn.set("k", 1)?;` checks the reply is `+OK`, as
/// core's typed builders do.
impl FromValue for ferrodis_core::reply::Okay {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match prepare(value, "Okay")? {
            Value::Okay => Ok(ferrodis_core::reply::Okay),
            other => Err(ConversionError::new(ConversionErrorKind::TypeMismatch, "Okay", other.kind_name())),
        }
    }

    fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
        match <ferrodis_core::reply::Okay as FromFrame>::from_frame(*frame) {
            Ok(okay) => Ok(okay),
            Err(_) => Self::from_value(Value::from_frame(frame)),
        }
    }
}

impl FromValue for Value {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        Ok(value)
    }

    fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
        Ok(Value::from_frame(frame))
    }

    /// The elements with their attributes.
    fn from_frames(items: &Aggregate<'_>) -> Result<Vec<Self>, ConversionError> {
        Ok(owned_elements(items))
    }
}

impl FromValue for () {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        prepare(value, "()").map(drop)
    }

    fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
        if frame.is_error() { Self::from_value(Value::from_frame(frame)) } else { Ok(()) }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match value.into_data() {
            Value::Nil => Ok(None),
            value => T::from_value(value).map(Some),
        }
    }

    fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
        match frame {
            Frame::Null | Frame::NullBulkString | Frame::NullArray => Ok(None),
            Frame::Attribute(_) => Self::from_value(Value::from_frame(frame)),
            _ => T::from_frame(frame).map(Some),
        }
    }
}

macro_rules! pointer_impls {
    ($($p:ident),*) => {$(
        impl<T: FromValue> FromValue for $p<T> {
            fn from_value(value: Value) -> Result<Self, ConversionError> {
                T::from_value(value).map($p::new)
            }

            fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
                T::from_frame(frame).map($p::new)
            }
        }
    )*};
}
pointer_impls!(Box, Arc, Rc);
