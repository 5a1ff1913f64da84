//! Conversions to containers: `Option`, tuples, `heapless` collections, and the lazy
//! [`List`] and [`Map`] views.

use core::fmt;
use core::marker::PhantomData;

use super::{FromFrame, ReplyError, ReplyType, elements, expected, text, unexpected};
use crate::resp::{Aggregate, Elements, Frame, Pairs};

impl<'a, T: FromFrame<'a>> FromFrame<'a> for Option<T> {
    /// `None` for each of the three nulls (`_`, `$-1`, `*-1`), otherwise `T`.
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
        if frame.is_null() { Ok(None) } else { T::from_frame(frame).map(Some) }
    }
}

impl<T: ReplyType> ReplyType for Option<T> {
    type At<'r> = Option<T::At<'r>>;
}

impl<'a> FromFrame<'a> for Aggregate<'a> {
    /// The elements of any aggregate: array, map, set, push or attribute.
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
        frame.as_aggregate().copied().ok_or_else(|| unexpected(&frame, expected::AGGREGATE))
    }
}

impl<'x> ReplyType for Aggregate<'x> {
    type At<'r> = Aggregate<'r>;
}

impl<'a, T: FromFrame<'a>, const N: usize> FromFrame<'a> for heapless::Vec<T, N> {
    /// The elements of an array, set or push, each converted; more than `N` is
    /// [`ReplyError::Capacity`].
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
        let items = elements(&frame)?;
        if items.len() > N {
            return Err(ReplyError::Capacity);
        }
        let mut out = heapless::Vec::new();
        for item in items.iter() {
            out.push(T::from_frame(item)?).map_err(|_| ReplyError::Capacity)?;
        }
        Ok(out)
    }
}

impl<T: ReplyType, const N: usize> ReplyType for heapless::Vec<T, N> {
    type At<'r> = heapless::Vec<T::At<'r>, N>;
}

impl<'a, K: FromFrame<'a> + Eq, V: FromFrame<'a>, const N: usize> FromFrame<'a>
    for heapless::LinearMap<K, V, N>
{
    /// The pairs of a map, or of a flat key-value array (RESP2), each converted; a key
    /// seen twice keeps its last value. More than `N` keys is [`ReplyError::Capacity`].
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
        let map = Map::from_frame(frame)?;
        let mut out = heapless::LinearMap::new();
        for pair in map.iter::<K, V>() {
            let (k, v) = pair?;
            out.insert(k, v).map_err(|_| ReplyError::Capacity)?;
        }
        Ok(out)
    }
}

macro_rules! tuples {
    ($($len:literal => ($($t:ident),+);)+) => {$(
        impl<'a, $($t: FromFrame<'a>),+> FromFrame<'a> for ($($t,)+) {
            /// An array of exactly this many elements, each converted; another length is
            /// [`ReplyError::WrongLength`].
            fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
                let items = elements(&frame)?;
                if items.len() != $len {
                    return Err(ReplyError::WrongLength);
                }
                let mut items = items.iter();
                Ok(($($t::from_frame(items.next().ok_or(ReplyError::WrongLength)?)?,)+))
            }
        }

        impl<$($t: ReplyType),+> ReplyType for ($($t,)+) {
            type At<'r> = ($($t::At<'r>,)+);
        }
    )+};
}
tuples! {
    2 => (A, B);
    3 => (A, B, C);
    4 => (A, B, C, D);
}

/// The elements of an array or set, converted to `T` one by one as they are iterated.
///
/// Nothing is copied or allocated: the list borrows the read buffer, and each step of
/// [`List::iter`] decodes one element and converts it, yielding the conversion's result.
///
/// ```
/// use ferrodis_core::reply::{FromFrame, List};
/// use ferrodis_core::resp::{decode, Decoded};
///
/// let Ok(Decoded::Complete { frame, .. }) = decode(b"*2\r\n$1\r\na\r\n$-1\r\n") else { panic!() };
/// let values = List::<Option<&str>>::from_frame(frame).unwrap();
/// assert_eq!(values.len(), 2);
/// let mut values = values.iter();
/// assert_eq!(values.next(), Some(Ok(Some("a"))));
/// assert_eq!(values.next(), Some(Ok(None)));
/// ```
pub struct List<'a, T> {
    items: Aggregate<'a>,
    item: PhantomData<fn() -> T>,
}

impl<'a, T: FromFrame<'a>> List<'a, T> {
    /// A list over the elements of `items`.
    pub const fn new(items: Aggregate<'a>) -> Self {
        Self { items, item: PhantomData }
    }

    /// The number of elements.
    pub const fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are no elements.
    pub const fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The elements in order, each converted to `T`.
    pub fn iter(&self) -> ListIter<'a, T> {
        ListIter { elements: self.items.iter(), item: PhantomData }
    }

    /// The element at `index` converted, or `None` past the end (a linear scan).
    pub fn get(&self, index: usize) -> Option<Result<T, ReplyError>> {
        self.items.iter().nth(index).map(T::from_frame)
    }

    /// The elements as frames.
    pub const fn aggregate(&self) -> Aggregate<'a> {
        self.items
    }
}

impl<T> Clone for List<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for List<'_, T> {}

impl<T> PartialEq for List<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

impl<T> fmt::Debug for List<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("List").field(&self.items).finish()
    }
}

impl<'a, T: FromFrame<'a>> FromFrame<'a> for List<'a, T> {
    /// An array, set or push; the elements are converted when iterated.
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
        elements(&frame).map(List::new)
    }
}

impl<'a, T: FromFrame<'a>> IntoIterator for List<'a, T> {
    type Item = Result<T, ReplyError>;
    type IntoIter = ListIter<'a, T>;

    fn into_iter(self) -> ListIter<'a, T> {
        self.iter()
    }
}

impl<'x, T: ReplyType> ReplyType for List<'x, T> {
    type At<'r> = List<'r, T::At<'r>>;
}

/// Iterator over a [`List`]: each element converted to `T`.
pub struct ListIter<'a, T> {
    elements: Elements<'a>,
    item: PhantomData<fn() -> T>,
}

impl<'a, T: FromFrame<'a>> Iterator for ListIter<'a, T> {
    type Item = Result<T, ReplyError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.elements.next().map(T::from_frame)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.elements.size_hint()
    }
}

impl<T> Clone for ListIter<'_, T> {
    fn clone(&self) -> Self {
        Self { elements: self.elements.clone(), item: PhantomData }
    }
}

impl<T> fmt::Debug for ListIter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ListIter").field(&self.elements).finish()
    }
}

/// Key-value pairs from a RESP3 map, or from the flat `[key, value, key, value, ...]`
/// array that RESP2 sends for the same reply (`HGETALL`, `CONFIG GET`, `HSCAN`'s page).
///
/// Lazy like [`List`]: [`Map::iter`] converts the pairs as it goes, [`Map::get`] scans
/// for a key.
///
/// ```
/// use ferrodis_core::reply::{FromFrame, Map};
/// use ferrodis_core::resp::{decode, Decoded};
///
/// let Ok(Decoded::Complete { frame, .. }) = decode(b"%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n") else { panic!() };
/// let map = Map::from_frame(frame).unwrap();
/// assert_eq!(map.len(), 2);
/// assert_eq!(map.get_as::<u32>("b"), Ok(Some(2)));
/// assert!(map.iter::<&str, i64>().eq([Ok(("a", 1)), Ok(("b", 2))]));
/// ```
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Map<'a> {
    /// Keys and values alternating.
    items: Aggregate<'a>,
}

impl<'a> Map<'a> {
    /// The number of pairs.
    pub const fn len(&self) -> usize {
        self.items.len() / 2
    }

    /// Whether there are no pairs.
    pub const fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The pairs as frames.
    pub fn pairs(&self) -> Pairs<'a> {
        self.items.pairs()
    }

    /// The pairs in order, keys converted to `K` and values to `V`.
    pub fn iter<K: FromFrame<'a>, V: FromFrame<'a>>(&self) -> MapIter<'a, K, V> {
        MapIter { pairs: self.pairs(), pair: PhantomData }
    }

    /// The value of the first pair whose key is the string `key`.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Option<Frame<'a>> {
        let key = key.as_ref();
        self.pairs().find(|(k, _)| text(k) == Some(key)).map(|(_, v)| v)
    }

    /// [`Map::get`], converted to `V`.
    pub fn get_as<V: FromFrame<'a>>(&self, key: impl AsRef<[u8]>) -> Result<Option<V>, ReplyError> {
        self.get(key).map(V::from_frame).transpose()
    }

    /// Keys and values alternating, as frames.
    pub const fn aggregate(&self) -> Aggregate<'a> {
        self.items
    }
}

impl<'a> FromFrame<'a> for Map<'a> {
    /// A map or attribute, or an array or set of even length read as keys and values
    /// alternating (odd is [`ReplyError::WrongLength`]).
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
        match frame {
            Frame::Map(items) | Frame::Attribute(items) => Ok(Map { items }),
            Frame::Array(items) | Frame::Set(items) if items.len().is_multiple_of(2) => Ok(Map { items }),
            Frame::Array(_) | Frame::Set(_) => Err(ReplyError::WrongLength),
            ref f => Err(unexpected(f, expected::MAP)),
        }
    }
}

impl<'x> ReplyType for Map<'x> {
    type At<'r> = Map<'r>;
}

impl Map<'static> {
    /// A map with no pairs.
    pub(crate) const EMPTY: Map<'static> = Map { items: super::empty() };
}

/// Iterator over a [`Map`]'s pairs, converted.
pub struct MapIter<'a, K, V> {
    pairs: Pairs<'a>,
    pair: PhantomData<fn() -> (K, V)>,
}

impl<'a, K: FromFrame<'a>, V: FromFrame<'a>> Iterator for MapIter<'a, K, V> {
    type Item = Result<(K, V), ReplyError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (k, v) = self.pairs.next()?;
        Some(K::from_frame(k).and_then(|k| Ok((k, V::from_frame(v)?))))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.pairs.size_hint()
    }
}

impl<K, V> Clone for MapIter<'_, K, V> {
    fn clone(&self) -> Self {
        Self { pairs: self.pairs.clone(), pair: PhantomData }
    }
}

impl<K, V> fmt::Debug for MapIter<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MapIter").field(&self.pairs).finish()
    }
}
