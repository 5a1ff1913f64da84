//! Strings and counters: `GET`, `SET`, `INCR`, `MGET`, ...

use super::args::{Part, by_parts, fixed, variadic};
use crate::reply::{List, Okay};
use crate::resp::Arg;

fixed! {
    /// `GET key`: the value, or `None` when the key does not exist.
    ///
    /// ```
    /// use ferrodis_core::cmd;
    /// use ferrodis_core::resp::encode_args;
    ///
    /// let mut buf = [0u8; 32];
    /// let n = encode_args(&mut buf, &cmd::get("greeting")).unwrap();
    /// assert_eq!(&buf[..n], b"*2\r\n$3\r\nGET\r\n$8\r\ngreeting\r\n");
    /// // conn.run(&cmd::get("greeting"))? is an Option<&[u8]>.
    /// ```
    fn get(key) -> Get ["GET"] => Option<&'r [u8]>;
    /// `GETDEL key`: the value, deleting the key; `None` when it does not exist.
    fn getdel(key) -> GetDel ["GETDEL"] => Option<&'r [u8]>;
    /// `GETRANGE key start end`: the substring between two byte offsets (inclusive;
    /// negative offsets count from the end).
    fn getrange(key, start: i64, end: i64) -> GetRange ["GETRANGE"] => &'r [u8];
    /// `SETRANGE key offset value`: overwrites part of the value; the new length.
    fn setrange(key, offset: u64, value) -> SetRange ["SETRANGE"] => u64;
    /// `SETNX key value`: sets the key only when it does not exist; whether it did.
    fn setnx(key, value) -> SetNx ["SETNX"] => bool;
    /// `SETEX key seconds value`: sets the value with a time to live in seconds.
    fn setex(key, seconds: u64, value) -> SetEx ["SETEX"] => Okay;
    /// `PSETEX key milliseconds value`: sets the value with a time to live in milliseconds.
    fn psetex(key, milliseconds: u64, value) -> PSetEx ["PSETEX"] => Okay;
    /// `APPEND key value`: the length after appending.
    fn append(key, value) -> Append ["APPEND"] => u64;
    /// `STRLEN key`: the length of the value (0 for a missing key).
    fn strlen(key) -> StrLen ["STRLEN"] => u64;
    /// `INCR key`: the value after adding 1.
    ///
    /// ```
    /// use ferrodis_core::cmd::{self, Command};
    /// use ferrodis_core::reply::FromFrame;
    /// use ferrodis_core::resp::Frame;
    ///
    /// // The reply type of `INCR` is `i64`.
    /// fn reply<'r, C: Command>(_: &C, frame: Frame<'r>) -> C::Reply<'r> {
    ///     C::Reply::from_frame(frame).unwrap()
    /// }
    /// assert_eq!(reply(&cmd::incr("hits"), Frame::Integer(1)), 1);
    /// ```
    fn incr(key) -> Incr ["INCR"] => i64;
    /// `DECR key`: the value after subtracting 1.
    fn decr(key) -> Decr ["DECR"] => i64;
    /// `INCRBY key increment`: the value after adding `increment`.
    fn incrby(key, increment: i64) -> IncrBy ["INCRBY"] => i64;
    /// `DECRBY key decrement`: the value after subtracting `decrement`.
    fn decrby(key, decrement: i64) -> DecrBy ["DECRBY"] => i64;
    /// `INCRBYFLOAT key increment`: the value after adding `increment`.
    fn incrbyfloat(key, increment: f64) -> IncrByFloat ["INCRBYFLOAT"] => f64;
}

variadic! {
    /// `MGET key [key ...]`: each key's value, `None` for a missing key.
    ///
    /// ```
    /// use ferrodis_core::cmd;
    /// use ferrodis_core::resp::encode_args;
    ///
    /// let mut buf = [0u8; 32];
    /// let n = encode_args(&mut buf, &cmd::mget(&["a", "b"])).unwrap();
    /// assert_eq!(&buf[..n], b"*3\r\n$4\r\nMGET\r\n$1\r\na\r\n$1\r\nb\r\n");
    /// ```
    fn mget(; keys: [K]) -> MGet<K> ["MGET"] => List<'r, Option<&'r [u8]>>;
    /// `MSET key value [key value ...]`: sets every pair.
    ///
    /// ```
    /// use ferrodis_core::cmd;
    /// use ferrodis_core::resp::encode_args;
    ///
    /// let mut buf = [0u8; 64];
    /// let n = encode_args(&mut buf, &cmd::mset(&[("a", 1), ("b", 2)])).unwrap();
    /// assert_eq!(&buf[..n], b"*5\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n");
    /// ```
    fn mset(; pairs: [(K, V)]) -> MSet<K, V> ["MSET"] => Okay;
    /// `MSETNX key value [key value ...]`: sets every pair only when none of the keys
    /// exists; whether it did.
    fn msetnx(; pairs: [(K, V)]) -> MSetNx<K, V> ["MSETNX"] => bool;
}

/// A time to live or expiry time for `SET` and `GETEX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Expiry {
    /// `EX seconds`.
    Seconds(u64),
    /// `PX milliseconds`.
    Milliseconds(u64),
    /// `EXAT unix-time-seconds`.
    UnixSeconds(u64),
    /// `PXAT unix-time-milliseconds`.
    UnixMilliseconds(u64),
}

impl Expiry {
    fn part(expiry: Option<Expiry>) -> Part<'static> {
        match expiry {
            None => Part::Skip,
            Some(Expiry::Seconds(n)) => Part::Two(Arg::from("EX"), Arg::from(n)),
            Some(Expiry::Milliseconds(n)) => Part::Two(Arg::from("PX"), Arg::from(n)),
            Some(Expiry::UnixSeconds(n)) => Part::Two(Arg::from("EXAT"), Arg::from(n)),
            Some(Expiry::UnixMilliseconds(n)) => Part::Two(Arg::from("PXAT"), Arg::from(n)),
        }
    }
}

/// `SET key value [NX | XX] [GET] [EX | PX | EXAT | PXAT | KEEPTTL]`; see [`set`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Set<'a> {
    key: Arg<'a>,
    value: Arg<'a>,
    condition: Option<&'static str>,
    expiry: Option<Expiry>,
    keep_ttl: bool,
}

/// `SET key value`, with options: `Some(Okay)`, or `None` when an `NX` or `XX` condition
/// stopped it. [`Set::get`] asks for the old value instead.
///
/// ```
/// use ferrodis_core::cmd;
/// use ferrodis_core::resp::encode_args;
///
/// let mut buf = [0u8; 64];
/// let n = encode_args(&mut buf, &cmd::set("k", "v").ex(60).nx()).unwrap();
/// assert_eq!(&buf[..n], b"*6\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n$2\r\nNX\r\n$2\r\nEX\r\n$2\r\n60\r\n");
/// ```
pub fn set<'a>(key: impl Into<Arg<'a>>, value: impl Into<Arg<'a>>) -> Set<'a> {
    Set { key: key.into(), value: value.into(), condition: None, expiry: None, keep_ttl: false }
}

impl<'a> Set<'a> {
    /// `EX seconds`: expire after `seconds`.
    #[must_use]
    pub fn ex(self, seconds: u64) -> Self {
        self.expiry(Expiry::Seconds(seconds))
    }

    /// `PX milliseconds`: expire after `milliseconds`.
    #[must_use]
    pub fn px(self, milliseconds: u64) -> Self {
        self.expiry(Expiry::Milliseconds(milliseconds))
    }

    /// `EXAT`, `PXAT`, `EX` or `PX`, as given.
    #[must_use]
    pub fn expiry(mut self, expiry: Expiry) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// `KEEPTTL`: keep the key's current time to live.
    #[must_use]
    pub fn keepttl(mut self) -> Self {
        self.keep_ttl = true;
        self
    }

    /// `NX`: only set a key that does not exist.
    #[must_use]
    pub fn nx(mut self) -> Self {
        self.condition = Some("NX");
        self
    }

    /// `XX`: only set a key that exists.
    #[must_use]
    pub fn xx(mut self) -> Self {
        self.condition = Some("XX");
        self
    }

    /// `GET`: reply with the old value (`None` when there was none) instead of `OK`.
    /// Call it last.
    pub fn get(self) -> SetGet<'a> {
        SetGet(self)
    }

    fn parts(&self) -> [Part<'_>; 6] {
        [
            Part::One(Arg::from("SET")),
            Part::One(self.key),
            Part::One(self.value),
            Part::word(self.condition),
            Expiry::part(self.expiry),
            Part::flag(self.keep_ttl, "KEEPTTL"),
        ]
    }
}

/// `SET ... GET`; see [`Set::get`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SetGet<'a>(Set<'a>);

impl SetGet<'_> {
    fn parts(&self) -> [Part<'_>; 7] {
        let [a, b, c, d, e, f] = self.0.parts();
        [a, b, c, d, Part::One(Arg::from("GET")), e, f]
    }
}

/// `GETEX key [EX | PX | EXAT | PXAT | PERSIST]`; see [`getex`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GetEx<'a> {
    key: Arg<'a>,
    expiry: Option<Expiry>,
    persist: bool,
}

/// `GETEX key`: the value (`None` for a missing key), setting or removing its expiry.
pub fn getex<'a>(key: impl Into<Arg<'a>>) -> GetEx<'a> {
    GetEx { key: key.into(), expiry: None, persist: false }
}

impl GetEx<'_> {
    /// `EX`, `PX`, `EXAT` or `PXAT`.
    #[must_use]
    pub fn expiry(mut self, expiry: Expiry) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// `PERSIST`: remove the key's time to live.
    #[must_use]
    pub fn persist(mut self) -> Self {
        self.persist = true;
        self
    }

    fn parts(&self) -> [Part<'_>; 4] {
        [
            Part::One(Arg::from("GETEX")),
            Part::One(self.key),
            Expiry::part(self.expiry),
            Part::flag(self.persist, "PERSIST"),
        ]
    }
}

by_parts! {
    impl['a] Set<'a> => Option<Okay>;
    impl['a] SetGet<'a> => Option<&'r [u8]>;
    impl['a] GetEx<'a> => Option<&'r [u8]>;
}
