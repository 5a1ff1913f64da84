//! Geospatial indexes: `GEOADD`, `GEODIST`, `GEOPOS`, `GEOHASH`, `GEOSEARCH`.

use super::ToArgs;
use super::args::{Part, by_parts, variadic};
use crate::reply::{GeoMember, List};
use crate::resp::Arg;
use crate::resp::ArgSink;

/// A distance unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum GeoUnit {
    /// `m`: meters (the default).
    #[default]
    Meters,
    /// `km`: kilometers.
    Kilometers,
    /// `ft`: feet.
    Feet,
    /// `mi`: miles.
    Miles,
}

impl From<GeoUnit> for Arg<'_> {
    fn from(unit: GeoUnit) -> Self {
        Arg::from(match unit {
            GeoUnit::Meters => "m",
            GeoUnit::Kilometers => "km",
            GeoUnit::Feet => "ft",
            GeoUnit::Miles => "mi",
        })
    }
}

variadic! {
    /// `GEOPOS key member [member ...]`: each member's `(longitude, latitude)`, `None`
    /// for a missing one.
    fn geopos(key; members: [M]) -> GeoPos<M> ["GEOPOS"] => List<'r, Option<(f64, f64)>>;
    /// `GEOHASH key member [member ...]`: each member's 11-character geohash, `None` for a
    /// missing one.
    fn geohash(key; members: [M]) -> GeoHash<M> ["GEOHASH"] => List<'r, Option<&'r str>>;
}

/// `GEOADD key [NX | XX] [CH] longitude latitude member ...`; see [`geoadd`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoAdd<'a, M> {
    key: Arg<'a>,
    members: &'a [(f64, f64, M)],
    condition: Option<&'static str>,
    changed: bool,
}

/// `GEOADD key longitude latitude member [...]`: how many members were added (with
/// [`GeoAdd::ch`], added or moved).
///
/// ```
/// use ferrodis_core::cmd;
/// use ferrodis_core::resp::encode_args;
///
/// let mut buf = [0u8; 128];
/// let n = encode_args(&mut buf, &cmd::geoadd("cities", &[(13.4, 52.5, "Berlin")])).unwrap();
/// assert_eq!(&buf[..n], b"*5\r\n$6\r\nGEOADD\r\n$6\r\ncities\r\n$4\r\n13.4\r\n$4\r\n52.5\r\n$6\r\nBerlin\r\n");
/// ```
pub fn geoadd<'a, M: ToArgs>(key: impl Into<Arg<'a>>, members: &'a [(f64, f64, M)]) -> GeoAdd<'a, M> {
    GeoAdd { key: key.into(), members, condition: None, changed: false }
}

impl<M: ToArgs> GeoAdd<'_, M> {
    /// `NX`: only add new members.
    #[must_use]
    pub fn nx(mut self) -> Self {
        self.condition = Some("NX");
        self
    }

    /// `XX`: only move existing members.
    #[must_use]
    pub fn xx(mut self) -> Self {
        self.condition = Some("XX");
        self
    }

    /// `CH`: count moved members too.
    #[must_use]
    pub fn ch(mut self) -> Self {
        self.changed = true;
        self
    }

    fn parts(&self) -> [Part<'_>; 4] {
        [
            Part::Two(Arg::from("GEOADD"), self.key),
            Part::word(self.condition),
            Part::flag(self.changed, "CH"),
            Part::List(&self.members),
        ]
    }
}

/// `GEODIST key member1 member2 [unit]`; see [`geodist`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoDist<'a> {
    key: Arg<'a>,
    member1: Arg<'a>,
    member2: Arg<'a>,
    unit: Option<GeoUnit>,
}

/// `GEODIST key member1 member2`: the distance in meters (or [`GeoDist::unit`]), `None`
/// when a member is missing.
pub fn geodist<'a>(
    key: impl Into<Arg<'a>>,
    member1: impl Into<Arg<'a>>,
    member2: impl Into<Arg<'a>>,
) -> GeoDist<'a> {
    GeoDist { key: key.into(), member1: member1.into(), member2: member2.into(), unit: None }
}

impl GeoDist<'_> {
    /// The unit of the distance.
    #[must_use]
    pub fn unit(mut self, unit: GeoUnit) -> Self {
        self.unit = Some(unit);
        self
    }

    fn parts(&self) -> [Part<'_>; 2] {
        let tail = match self.unit {
            Some(unit) => Part::Two(self.member2, Arg::from(unit)),
            None => Part::One(self.member2),
        };
        [Part::Three(Arg::from("GEODIST"), self.key, self.member1), tail]
    }
}

/// The center of a `GEOSEARCH`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GeoOrigin<'a> {
    /// `FROMMEMBER member`: the position of a member of the index.
    Member(Arg<'a>),
    /// `FROMLONLAT longitude latitude`.
    LonLat(f64, f64),
}

impl<'a> GeoOrigin<'a> {
    /// `FROMMEMBER member`.
    pub fn member(member: impl Into<Arg<'a>>) -> Self {
        GeoOrigin::Member(member.into())
    }
}

/// `FROMMEMBER member` or `FROMLONLAT longitude latitude`.
impl ToArgs for GeoOrigin<'_> {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        match *self {
            GeoOrigin::Member(member) => {
                out.push(Arg::from("FROMMEMBER"));
                out.push(member);
            }
            GeoOrigin::LonLat(lon, lat) => {
                out.push(Arg::from("FROMLONLAT"));
                out.push(Arg::from(lon));
                out.push(Arg::from(lat));
            }
        }
    }
}

/// The area of a `GEOSEARCH`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GeoShape {
    /// `BYRADIUS radius unit`: a circle.
    Radius(f64, GeoUnit),
    /// `BYBOX width height unit`: an axis-aligned rectangle.
    Box(f64, f64, GeoUnit),
}

/// `BYRADIUS radius unit` or `BYBOX width height unit`.
impl ToArgs for GeoShape {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        match *self {
            GeoShape::Radius(radius, unit) => {
                out.push(Arg::from("BYRADIUS"));
                out.push(Arg::from(radius));
                out.push(Arg::from(unit));
            }
            GeoShape::Box(width, height, unit) => {
                out.push(Arg::from("BYBOX"));
                out.push(Arg::from(width));
                out.push(Arg::from(height));
                out.push(Arg::from(unit));
            }
        }
    }
}

/// `GEOSEARCH key FROMMEMBER | FROMLONLAT BYRADIUS | BYBOX [ASC | DESC] [COUNT n [ANY]]
/// [WITHCOORD] [WITHDIST] [WITHHASH]`; see [`geosearch`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoSearch<'a> {
    key: Arg<'a>,
    origin: GeoOrigin<'a>,
    shape: GeoShape,
    order: Option<&'static str>,
    count: Option<(u64, bool)>,
    with_coord: bool,
    with_dist: bool,
    with_hash: bool,
}

/// `GEOSEARCH key origin shape`: the members inside the shape around the origin, each a
/// [`GeoMember`] with what the `with...` options asked for.
///
/// ```
/// use ferrodis_core::cmd::{self, GeoOrigin, GeoShape, GeoUnit};
/// use ferrodis_core::resp::encode_args;
///
/// let near = cmd::geosearch("cities", GeoOrigin::LonLat(13.4, 52.5), GeoShape::Radius(300.0, GeoUnit::Kilometers))
///     .asc()
///     .count(5)
///     .withdist();
/// let mut buf = [0u8; 160];
/// let n = encode_args(&mut buf, &near).unwrap();
/// assert!(buf[..n].starts_with(b"*12\r\n$9\r\nGEOSEARCH\r\n$6\r\ncities\r\n$10\r\nFROMLONLAT\r\n"));
/// ```
pub fn geosearch<'a>(key: impl Into<Arg<'a>>, origin: GeoOrigin<'a>, shape: GeoShape) -> GeoSearch<'a> {
    GeoSearch {
        key: key.into(),
        origin,
        shape,
        order: None,
        count: None,
        with_coord: false,
        with_dist: false,
        with_hash: false,
    }
}

impl GeoSearch<'_> {
    /// `ASC`: nearest first.
    #[must_use]
    pub fn asc(mut self) -> Self {
        self.order = Some("ASC");
        self
    }

    /// `DESC`: farthest first.
    #[must_use]
    pub fn desc(mut self) -> Self {
        self.order = Some("DESC");
        self
    }

    /// `COUNT count`: at most `count` members.
    #[must_use]
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some((count, false));
        self
    }

    /// `COUNT count ANY`: stop as soon as `count` members are found (not the nearest).
    #[must_use]
    pub fn count_any(mut self, count: u64) -> Self {
        self.count = Some((count, true));
        self
    }

    /// `WITHCOORD`: each member's coordinates.
    #[must_use]
    pub fn withcoord(mut self) -> Self {
        self.with_coord = true;
        self
    }

    /// `WITHDIST`: each member's distance from the origin, in the shape's unit.
    #[must_use]
    pub fn withdist(mut self) -> Self {
        self.with_dist = true;
        self
    }

    /// `WITHHASH`: each member's raw geohash.
    #[must_use]
    pub fn withhash(mut self) -> Self {
        self.with_hash = true;
        self
    }

    fn parts(&self) -> [Part<'_>; 10] {
        [
            Part::Two(Arg::from("GEOSEARCH"), self.key),
            Part::List(&self.origin),
            Part::List(&self.shape),
            Part::Skip,
            Part::word(self.order),
            self.count.map_or(Part::Skip, |(n, _)| Part::Two(Arg::from("COUNT"), Arg::from(n))),
            Part::flag(self.count.is_some_and(|(_, any)| any), "ANY"),
            Part::flag(self.with_coord, "WITHCOORD"),
            Part::flag(self.with_dist, "WITHDIST"),
            Part::flag(self.with_hash, "WITHHASH"),
        ]
    }
}

by_parts! {
    impl['a, M: ToArgs] GeoAdd<'a, M> => u64;
    impl['a] GeoDist<'a> => Option<f64>;
    impl['a] GeoSearch<'a> => List<'r, GeoMember<'r>>;
}
