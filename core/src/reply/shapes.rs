//! Command-specific reply shapes that read the same from RESP2 and RESP3: sorted-set
//! members with scores, stream entries and reads, pending-entry summaries, geo results.

use super::{FromFrame, List, Map, ReplyError, ReplyType, elements, empty, expected, unexpected};
use crate::resp::{Aggregate, Elements, Frame};

/// Sorted-set members with their scores (`ZRANGE ... WITHSCORES`, `ZPOPMIN`, ...).
///
/// RESP2 sends a flat `[member, score, member, score, ...]` array of strings; RESP3 sends
/// `[[member, score], ...]` with double scores (and a single flat pair for `ZPOPMIN`
/// without a count). Both read as `(member, score)` pairs.
///
/// ```
/// use ferrodis_core::reply::{FromFrame, Scored};
/// use ferrodis_core::resp::{decode, Decoded};
///
/// let resp2 = b"*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n";
/// let resp3 = b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n";
/// for wire in [&resp2[..], resp3] {
///     let Ok(Decoded::Complete { frame, .. }) = decode(wire) else { panic!() };
///     let scored = Scored::from_frame(frame).unwrap();
///     assert_eq!(scored.len(), 2);
///     assert!(scored.iter().eq([Ok((&b"a"[..], 1.0)), Ok((&b"b"[..], 2.5))]));
/// }
/// ```
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Scored<'a> {
    items: Aggregate<'a>,
    nested: bool,
}

impl<'a> Scored<'a> {
    /// The number of members.
    pub const fn len(&self) -> usize {
        if self.nested { self.items.len() } else { self.items.len() / 2 }
    }

    /// Whether there are no members.
    pub const fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The `(member, score)` pairs in order.
    pub fn iter(&self) -> ScoredIter<'a> {
        ScoredIter { elements: self.items.iter(), nested: self.nested }
    }
}

impl<'a> FromFrame<'a> for Scored<'a> {
    /// A flat array of even length, or an array of `[member, score]` arrays.
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
        let items = elements(&frame)?;
        let nested = items.iter().next().is_some_and(|first| first.as_aggregate().is_some());
        if !nested && !items.len().is_multiple_of(2) {
            return Err(ReplyError::WrongLength);
        }
        Ok(Scored { items, nested })
    }
}

impl<'a> IntoIterator for Scored<'a> {
    type Item = Result<(&'a [u8], f64), ReplyError>;
    type IntoIter = ScoredIter<'a>;

    fn into_iter(self) -> ScoredIter<'a> {
        self.iter()
    }
}

impl<'x> ReplyType for Scored<'x> {
    type At<'r> = Scored<'r>;
}

/// Iterator over a [`Scored`] reply's `(member, score)` pairs.
#[derive(Clone, Debug)]
pub struct ScoredIter<'a> {
    elements: Elements<'a>,
    nested: bool,
}

impl<'a> Iterator for ScoredIter<'a> {
    type Item = Result<(&'a [u8], f64), ReplyError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.nested {
            return self.elements.next().map(<(&[u8], f64)>::from_frame);
        }
        let member = self.elements.next()?;
        let score = self.elements.next()?;
        Some(<&[u8]>::from_frame(member).and_then(|m| Ok((m, f64::from_frame(score)?))))
    }
}

/// One stream entry: its id and its field-value pairs (`XRANGE`, `XREAD`, ...).
///
/// An entry that was deleted while still pending (in `XREADGROUP`'s history) comes with
/// a null instead of fields; its `fields` are empty.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct StreamEntry<'a> {
    /// The entry id, such as `b"1700000000000-0"`.
    pub id: &'a [u8],
    /// The fields and values.
    pub fields: Map<'a>,
}

impl<'a> FromFrame<'a> for StreamEntry<'a> {
    /// A `[id, [field, value, ...]]` array.
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
        let (id, fields) = <(&[u8], Option<Map<'a>>)>::from_frame(frame)?;
        Ok(StreamEntry { id, fields: fields.unwrap_or(Map::EMPTY) })
    }
}

impl<'x> ReplyType for StreamEntry<'x> {
    type At<'r> = StreamEntry<'r>;
}

/// The reply of `XREAD` and `XREADGROUP`: for each stream that had entries, its key and
/// the entries. RESP2 sends `[[key, entries], ...]`, RESP3 a map; both read the same.
///
/// ```
/// use ferrodis_core::reply::{FromFrame, Streams};
/// use ferrodis_core::resp::{decode, Decoded};
///
/// let wire = b"%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n";
/// let Ok(Decoded::Complete { frame, .. }) = decode(wire) else { panic!() };
/// let streams = Streams::from_frame(frame).unwrap();
/// let (key, entries) = streams.iter().next().unwrap().unwrap();
/// assert_eq!(key, b"s");
/// let entry = entries.iter().next().unwrap().unwrap();
/// assert_eq!((entry.id, entry.fields.get_as::<&str>("f")), (&b"1-0"[..], Ok(Some("v"))));
/// ```
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Streams<'a> {
    items: Aggregate<'a>,
    map: bool,
}

impl<'a> Streams<'a> {
    /// The number of streams.
    pub const fn len(&self) -> usize {
        if self.map { self.items.len() / 2 } else { self.items.len() }
    }

    /// Whether no stream is present.
    pub const fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The streams in order: each key with its entries.
    pub fn iter(&self) -> StreamsIter<'a> {
        StreamsIter { elements: self.items.iter(), map: self.map }
    }

    /// The entries of the stream `key`, if it is present.
    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Option<List<'a, StreamEntry<'a>>>, ReplyError> {
        for stream in self.iter() {
            let (k, entries) = stream?;
            if k == key.as_ref() {
                return Ok(Some(entries));
            }
        }
        Ok(None)
    }
}

impl<'a> FromFrame<'a> for Streams<'a> {
    /// A map of keys to entries (RESP3) or an array of `[key, entries]` arrays (RESP2).
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
        match frame {
            Frame::Map(items) => Ok(Streams { items, map: true }),
            Frame::Array(items) => Ok(Streams { items, map: false }),
            ref f => Err(unexpected(f, expected::MAP)),
        }
    }
}

impl<'a> IntoIterator for Streams<'a> {
    type Item = Result<(&'a [u8], List<'a, StreamEntry<'a>>), ReplyError>;
    type IntoIter = StreamsIter<'a>;

    fn into_iter(self) -> StreamsIter<'a> {
        self.iter()
    }
}

impl<'x> ReplyType for Streams<'x> {
    type At<'r> = Streams<'r>;
}

/// Iterator over a [`Streams`] reply.
#[derive(Clone, Debug)]
pub struct StreamsIter<'a> {
    elements: Elements<'a>,
    map: bool,
}

impl<'a> Iterator for StreamsIter<'a> {
    type Item = Result<(&'a [u8], List<'a, StreamEntry<'a>>), ReplyError>;

    fn next(&mut self) -> Option<Self::Item> {
        if !self.map {
            return self.elements.next().map(<(&[u8], List<'a, StreamEntry<'a>>)>::from_frame);
        }
        let key = self.elements.next()?;
        let entries = self.elements.next()?;
        Some(<&[u8]>::from_frame(key).and_then(|k| Ok((k, List::from_frame(entries)?))))
    }
}

/// The summary form of `XPENDING key group`.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct PendingSummary<'a> {
    /// How many entries are pending.
    pub count: u64,
    /// The smallest pending id (`None` when nothing is pending).
    pub lowest: Option<&'a [u8]>,
    /// The greatest pending id (`None` when nothing is pending).
    pub highest: Option<&'a [u8]>,
    /// Each consumer with pending entries, and how many it has.
    pub consumers: List<'a, (&'a [u8], u64)>,
}

impl<'a> FromFrame<'a> for PendingSummary<'a> {
    /// A `[count, lowest, highest, [[consumer, count], ...]]` array.
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
        let (count, lowest, highest, consumers) = FromFrame::from_frame(frame)?;
        let consumers: Option<List<'a, (&'a [u8], u64)>> = consumers;
        Ok(PendingSummary { count, lowest, highest, consumers: consumers.unwrap_or(List::new(empty())) })
    }
}

impl<'x> ReplyType for PendingSummary<'x> {
    type At<'r> = PendingSummary<'r>;
}

/// One entry of the extended form of `XPENDING`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PendingEntry<'a> {
    /// The entry id.
    pub id: &'a [u8],
    /// The consumer that owns it.
    pub consumer: &'a [u8],
    /// Milliseconds since it was last delivered.
    pub idle_ms: u64,
    /// How many times it was delivered.
    pub deliveries: u64,
}

impl<'a> FromFrame<'a> for PendingEntry<'a> {
    /// A `[id, consumer, idle, deliveries]` array.
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
        let (id, consumer, idle_ms, deliveries) = FromFrame::from_frame(frame)?;
        Ok(PendingEntry { id, consumer, idle_ms, deliveries })
    }
}

impl<'x> ReplyType for PendingEntry<'x> {
    type At<'r> = PendingEntry<'r>;
}

/// One result of `GEOSEARCH` (or `GEORADIUS`): the member, with what `WITHDIST`,
/// `WITHHASH` and `WITHCOORD` asked for.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct GeoMember<'a> {
    /// The member.
    pub name: &'a [u8],
    /// The distance from the center, in the query's unit (`WITHDIST`).
    pub distance: Option<f64>,
    /// The raw geohash (`WITHHASH`).
    pub hash: Option<u64>,
    /// `(longitude, latitude)` (`WITHCOORD`).
    pub coordinates: Option<(f64, f64)>,
}

impl<'a> FromFrame<'a> for GeoMember<'a> {
    /// A bare member name, or `[name, distance?, hash?, [lon, lat]?]`.
    fn from_frame(frame: Frame<'a>) -> Result<Self, ReplyError> {
        let Some(items) = frame.as_aggregate() else {
            let name = <&[u8]>::from_frame(frame)?;
            return Ok(GeoMember { name, distance: None, hash: None, coordinates: None });
        };
        let mut items = items.iter();
        let name = <&[u8]>::from_frame(items.next().ok_or(ReplyError::WrongLength)?)?;
        let mut member = GeoMember { name, distance: None, hash: None, coordinates: None };
        for item in items {
            match item {
                Frame::Integer(_) => member.hash = Some(u64::from_frame(item)?),
                f if f.as_aggregate().is_some() => member.coordinates = Some(FromFrame::from_frame(f)?),
                f => member.distance = Some(f64::from_frame(f)?),
            }
        }
        Ok(member)
    }
}

impl<'x> ReplyType for GeoMember<'x> {
    type At<'r> = GeoMember<'r>;
}
