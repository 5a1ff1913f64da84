//! [`FromValue`] for collections: `Vec<T>`, maps, sets and tuples.
//!
//! Each has a borrowed fast path over the frame's elements; when an element carries RESP3
//! attributes, it gives way to the [`Value`] path, which keeps them for the [`Value`]s it
//! makes, so both paths always agree.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, Hash};
use std::iter;

use ferrodis_core::resp::{Aggregate, Frame};

use super::error::{ConversionError, ConversionErrorKind};
use super::from_value::{
    FromValue, Plain, Scalar, frame_is_group, is_group, next_value, owned_elements, prepare,
};
use super::owned::{Value, frame_kind_name};

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        match prepare(value, "Vec")? {
            Value::Nil => Ok(Vec::new()),
            Value::Array(items) | Value::Set(items) => T::from_values(items),
            Value::Map(pairs) => T::from_pairs(pairs),
            Value::Push { kind, data } => {
                let kind = (!kind.is_empty()).then(|| Value::BulkString(kind.into_bytes()));
                T::from_values(kind.into_iter().chain(data).collect())
            }
            text @ (Value::BulkString(_)
            | Value::SimpleString(_)
            | Value::VerbatimString { .. }
            | Value::Okay) => T::from_string_value(text),
            other => Err(ConversionError::mismatch("Vec", other.kind_name())),
        }
    }

    fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
        match frame {
            Frame::Null | Frame::NullBulkString | Frame::NullArray => Ok(Vec::new()),
            Frame::Array(items) | Frame::Set(items) => T::from_frames(items),
            Frame::Map(pairs) => T::from_frame_pairs(pairs),
            Frame::BulkString(_) | Frame::SimpleString(_) | Frame::VerbatimString { .. }
                if Scalar::of_frame(frame).is_some() =>
            {
                T::from_string_frame(frame)
            }
            _ => Self::from_value(Value::from_frame(frame)),
        }
    }
}

/// Fills a map from a map, a flat array of keys and values, or an array of pairs.
fn collect_pairs<K, V, C>(value: Value, expected: &'static str) -> Result<C, ConversionError>
where
    K: FromValue,
    V: FromValue,
    C: Default + Extend<(K, V)>,
{
    let mut out = C::default();
    let mut add = |k, v| -> Result<(), ConversionError> {
        out.extend(iter::once((K::from_value(k)?, V::from_value(v)?)));
        Ok(())
    };
    match prepare(value, expected)? {
        Value::Nil => {}
        Value::Map(pairs) => pairs.into_iter().try_for_each(|(k, v)| add(k, v))?,
        Value::Array(items) | Value::Set(items) if items.iter().all(|item| is_group(item, 2)) => {
            for item in items {
                let (k, v) = <(Value, Value)>::from_value(item)?;
                add(k, v)?;
            }
        }
        Value::Array(items) | Value::Set(items) if items.len().is_multiple_of(2) => {
            let mut items = items.into_iter();
            while let (Some(k), Some(v)) = (items.next(), items.next()) {
                add(k, v)?;
            }
        }
        other @ (Value::Array(_) | Value::Set(_)) => {
            let received = other.as_array().map_or(0, <[Value]>::len);
            let kind = ConversionErrorKind::Ungroupable { group: 2, received };
            return Err(ConversionError::new(kind, expected, other.kind_name()));
        }
        other => return Err(ConversionError::mismatch(expected, other.kind_name())),
    }
    Ok(out)
}

/// [`collect_pairs`] for a borrowed frame.
fn collect_frame_pairs<K, V, C>(frame: &Frame<'_>, expected: &'static str) -> Result<C, ConversionError>
where
    K: FromValue,
    V: FromValue,
    C: Default + Extend<(K, V)>,
{
    let mut out = C::default();
    let mut add = |k: &Frame<'_>, v: &Frame<'_>| -> Result<(), ConversionError> {
        out.extend(iter::once((K::from_frame(k)?, V::from_frame(v)?)));
        Ok(())
    };
    let annotated = match frame {
        Frame::Null | Frame::NullBulkString | Frame::NullArray => false,
        Frame::Map(map) => {
            let mut elements = Plain::new(map);
            while let (Some(k), Some(v)) = (elements.next(), elements.next()) {
                add(&k, &v)?;
            }
            elements.annotated
        }
        Frame::Array(items) | Frame::Set(items) if Plain::new(items).all(|item| frame_is_group(&item, 2)) => {
            let mut elements = Plain::new(items);
            let mut annotated = false;
            for item in &mut elements {
                let Some(pair) = item.as_aggregate() else { continue };
                let mut pair = Plain::new(pair);
                add(&pair.next_or_nil(), &pair.next_or_nil())?;
                annotated |= pair.annotated;
            }
            annotated || elements.annotated
        }
        Frame::Array(items) | Frame::Set(items) if items.len().is_multiple_of(2) => {
            let mut elements = Plain::new(items);
            while let (Some(k), Some(v)) = (elements.next(), elements.next()) {
                add(&k, &v)?;
            }
            elements.annotated
        }
        _ => true,
    };
    if annotated { collect_pairs(Value::from_frame(frame), expected) } else { Ok(out) }
}

/// Fills a set from an array or set.
fn collect_items<T, C>(value: Value, expected: &'static str) -> Result<C, ConversionError>
where
    T: FromValue,
    C: Default + Extend<T>,
{
    let mut out = C::default();
    match prepare(value, expected)? {
        Value::Nil => {}
        Value::Array(items) | Value::Set(items) => {
            for item in items {
                out.extend(iter::once(T::from_value(item)?));
            }
        }
        other => return Err(ConversionError::mismatch(expected, other.kind_name())),
    }
    Ok(out)
}

/// [`collect_items`] for a borrowed frame.
fn collect_frame_items<T, C>(frame: &Frame<'_>, expected: &'static str) -> Result<C, ConversionError>
where
    T: FromValue,
    C: Default + Extend<T>,
{
    let mut out = C::default();
    let annotated = match frame {
        Frame::Null | Frame::NullBulkString | Frame::NullArray => false,
        Frame::Array(items) | Frame::Set(items) => {
            let mut elements = Plain::new(items);
            for item in &mut elements {
                out.extend(iter::once(T::from_frame(&item)?));
            }
            elements.annotated
        }
        _ => true,
    };
    if annotated { collect_items(Value::from_frame(frame), expected) } else { Ok(out) }
}

impl<K, V, S> FromValue for HashMap<K, V, S>
where
    K: FromValue + Eq + Hash,
    V: FromValue,
    S: BuildHasher + Default,
{
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        collect_pairs(value, "HashMap")
    }

    fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
        collect_frame_pairs(frame, "HashMap")
    }
}

impl<K: FromValue + Ord, V: FromValue> FromValue for BTreeMap<K, V> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        collect_pairs(value, "BTreeMap")
    }

    fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
        collect_frame_pairs(frame, "BTreeMap")
    }
}

impl<T, S> FromValue for HashSet<T, S>
where
    T: FromValue + Eq + Hash,
    S: BuildHasher + Default,
{
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        collect_items(value, "HashSet")
    }

    fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
        collect_frame_items(frame, "HashSet")
    }
}

impl<T: FromValue + Ord> FromValue for BTreeSet<T> {
    fn from_value(value: Value) -> Result<Self, ConversionError> {
        collect_items(value, "BTreeSet")
    }

    fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
        collect_frame_items(frame, "BTreeSet")
    }
}

/// How many groups of `arity` a sequence of `len` elements makes, when it divides evenly.
fn groups(len: usize, arity: usize) -> Option<usize> {
    len.is_multiple_of(arity).then(|| len / arity)
}

fn wrong_length(arity: usize, received: usize, kind: &'static str) -> ConversionError {
    ConversionError::new(ConversionErrorKind::WrongLength { expected: arity, received }, "tuple", kind)
}

fn ungroupable(arity: usize, received: usize, kind: &'static str) -> ConversionError {
    ConversionError::new(ConversionErrorKind::Ungroupable { group: arity, received }, "tuple", kind)
}

macro_rules! tuple_impls {
    ($($n:literal => ($($t:ident),+);)+) => {$(
        impl<$($t: FromValue),+> FromValue for ($($t,)+) {
            fn from_value(value: Value) -> Result<Self, ConversionError> {
                let received = value.data().kind_name();
                match prepare(value, "tuple")? {
                    Value::Array(items) | Value::Set(items) => {
                        if items.len() != $n {
                            return Err(wrong_length($n, items.len(), received));
                        }
                        let mut items = items.into_iter();
                        Ok(($($t::from_value(next_value(&mut items))?,)+))
                    }
                    Value::Map(pairs) => {
                        if pairs.len().saturating_mul(2) != $n {
                            return Err(wrong_length($n, pairs.len().saturating_mul(2), received));
                        }
                        let mut items = pairs.into_iter().flat_map(|(k, v)| [k, v]);
                        Ok(($($t::from_value(next_value(&mut items))?,)+))
                    }
                    other => Err(ConversionError::mismatch("tuple", other.kind_name())),
                }
            }

            fn from_frame(frame: &Frame<'_>) -> Result<Self, ConversionError> {
                let (Frame::Array(items) | Frame::Set(items) | Frame::Map(items)) = frame else {
                    return Self::from_value(Value::from_frame(frame));
                };
                if items.len() != $n {
                    return Err(wrong_length($n, items.len(), frame_kind_name(frame)));
                }
                let mut elements = Plain::new(items);
                let tuple = ($($t::from_frame(&elements.next_or_nil())?,)+);
                if elements.annotated { Self::from_value(Value::from_frame(frame)) } else { Ok(tuple) }
            }

            /// Each element when every one is an aggregate of the tuple's arity (as RESP3
            /// `ZRANGE ... WITHSCORES` sends), else the flat array cut into tuples.
            fn from_values(items: Vec<Value>) -> Result<Vec<Self>, ConversionError> {
                if items.iter().all(|item| is_group(item, $n)) {
                    return items.into_iter().map(Self::from_value).collect();
                }
                let Some(count) = groups(items.len(), $n) else {
                    return Err(ungroupable($n, items.len(), "array"));
                };
                let mut items = items.into_iter();
                (0..count)
                    .map(|_| -> Result<Self, ConversionError> {
                        Ok(($($t::from_value(next_value(&mut items))?,)+))
                    })
                    .collect()
            }

            fn from_frames(items: &Aggregate<'_>) -> Result<Vec<Self>, ConversionError> {
                if Plain::new(items).all(|item| frame_is_group(&item, $n)) {
                    let mut elements = Plain::new(items);
                    let tuples = (&mut elements).map(|f| Self::from_frame(&f)).collect::<Result<Vec<_>, _>>()?;
                    return if elements.annotated { Self::from_values(owned_elements(items)) } else { Ok(tuples) };
                }
                let Some(count) = groups(items.len(), $n) else {
                    return Err(ungroupable($n, items.len(), "array"));
                };
                let mut elements = Plain::new(items);
                let tuples = (0..count)
                    .map(|_| -> Result<Self, ConversionError> {
                        Ok(($($t::from_frame(&elements.next_or_nil())?,)+))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if elements.annotated { Self::from_values(owned_elements(items)) } else { Ok(tuples) }
            }

            /// The map's keys and values, flattened and cut into tuples.
            fn from_pairs(pairs: Vec<(Value, Value)>) -> Result<Vec<Self>, ConversionError> {
                let len = pairs.len().saturating_mul(2);
                let Some(count) = groups(len, $n) else {
                    return Err(ungroupable($n, len, "map"));
                };
                let mut items = pairs.into_iter().flat_map(|(k, v)| [k, v]);
                (0..count)
                    .map(|_| -> Result<Self, ConversionError> {
                        Ok(($($t::from_value(next_value(&mut items))?,)+))
                    })
                    .collect()
            }

            fn from_frame_pairs(map: &Aggregate<'_>) -> Result<Vec<Self>, ConversionError> {
                let Some(count) = groups(map.len(), $n) else {
                    return Err(ungroupable($n, map.len(), "map"));
                };
                let mut elements = Plain::new(map);
                let tuples = (0..count)
                    .map(|_| -> Result<Self, ConversionError> {
                        Ok(($($t::from_frame(&elements.next_or_nil())?,)+))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if elements.annotated {
                    match Value::from_frame(&Frame::Map(*map)) {
                        Value::Map(pairs) => Self::from_pairs(pairs),
                        _ => Ok(Vec::new()),
                    }
                } else {
                    Ok(tuples)
                }
            }
        }
    )+};
}

tuple_impls! {
    1 => (T1);
    2 => (T1, T2);
    3 => (T1, T2, T3);
    4 => (T1, T2, T3, T4);
    5 => (T1, T2, T3, T4, T5);
    6 => (T1, T2, T3, T4, T5, T6);
    7 => (T1, T2, T3, T4, T5, T6, T7);
    8 => (T1, T2, T3, T4, T5, T6, T7, T8);
    9 => (T1, T2, T3, T4, T5, T6, T7, T8, T9);
    10 => (T1, T2, T3, T4, T5, T6, T7, T8, T9, T10);
    11 => (T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11);
    12 => (T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12);
}
