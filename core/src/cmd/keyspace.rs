//! Keys and expiry: `DEL`, `EXISTS`, `EXPIRE`, `TTL`, `SCAN`, ...

use core::marker::PhantomData;

use super::args::{Part, by_parts, fixed, variadic};
use crate::reply::{List, Okay, ReplyType};
use crate::resp::Arg;

variadic! {
    /// `DEL key [key ...]`: how many of the keys were removed.
    ///
    /// ```
    /// use ferrodis_core::cmd;
    /// use ferrodis_core::resp::encode_args;
    ///
    /// let mut buf = [0u8; 32];
    /// let n = encode_args(&mut buf, &cmd::del(&["a", "b"])).unwrap();
    /// assert_eq!(&buf[..n], b"*3\r\n$3\r\nDEL\r\n$1\r\na\r\n$1\r\nb\r\n");
    /// ```
    fn del(; keys: [K]) -> Del<K> ["DEL"] => u64;
    /// `UNLINK key [key ...]`: like `DEL`, reclaiming memory in the background.
    fn unlink(; keys: [K]) -> Unlink<K> ["UNLINK"] => u64;
    /// `EXISTS key [key ...]`: how many of the keys exist (a key named twice counts twice).
    fn exists(; keys: [K]) -> Exists<K> ["EXISTS"] => u64;
    /// `TOUCH key [key ...]`: updates the last access time; how many keys exist.
    fn touch(; keys: [K]) -> Touch<K> ["TOUCH"] => u64;
}

fixed! {
    /// `TYPE key`: `string`, `list`, `set`, `zset`, `hash`, `stream`, or `none`.
    fn key_type(key) -> KeyType ["TYPE"] => &'r str;
    /// `RENAME key newkey`.
    fn rename(key, newkey) -> Rename ["RENAME"] => Okay;
    /// `RENAMENX key newkey`: renames only when `newkey` does not exist; whether it did.
    fn renamenx(key, newkey) -> RenameNx ["RENAMENX"] => bool;
    /// `TTL key`: seconds left to live; -1 without expiry, -2 for a missing key.
    fn ttl(key) -> Ttl ["TTL"] => i64;
    /// `PTTL key`: milliseconds left to live; -1 without expiry, -2 for a missing key.
    fn pttl(key) -> PTtl ["PTTL"] => i64;
    /// `EXPIRETIME key`: the Unix time in seconds at which the key expires; -1, -2 as `TTL`.
    fn expiretime(key) -> ExpireTime ["EXPIRETIME"] => i64;
    /// `PEXPIRETIME key`: as `EXPIRETIME`, in milliseconds.
    fn pexpiretime(key) -> PExpireTime ["PEXPIRETIME"] => i64;
    /// `PERSIST key`: removes the expiry; whether there was one.
    fn persist(key) -> Persist ["PERSIST"] => bool;
    /// `KEYS pattern`: every key matching a glob pattern (blocks the server; prefer
    /// [`scan`]).
    fn keys(pattern) -> Keys ["KEYS"] => List<'r, &'r [u8]>;
    /// `RANDOMKEY`: a random key, `None` when the database is empty.
    fn randomkey() -> RandomKey ["RANDOMKEY"] => Option<&'r [u8]>;
}

/// `EXPIRE`, `PEXPIRE`, `EXPIREAT` or `PEXPIREAT` with an optional condition; see [`expire`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Expire<'a> {
    name: &'static str,
    key: Arg<'a>,
    time: u64,
    condition: Option<&'static str>,
}

/// `EXPIRE key seconds [NX | XX | GT | LT]`: whether the expiry was set (`false` for a
/// missing key or an unmet condition).
///
/// ```
/// use ferrodis_core::cmd;
/// use ferrodis_core::resp::encode_args;
///
/// let mut buf = [0u8; 64];
/// let n = encode_args(&mut buf, &cmd::expire("k", 60).gt()).unwrap();
/// assert_eq!(&buf[..n], b"*4\r\n$6\r\nEXPIRE\r\n$1\r\nk\r\n$2\r\n60\r\n$2\r\nGT\r\n");
/// ```
pub fn expire<'a>(key: impl Into<Arg<'a>>, seconds: u64) -> Expire<'a> {
    Expire { name: "EXPIRE", key: key.into(), time: seconds, condition: None }
}

/// `PEXPIRE key milliseconds [NX | XX | GT | LT]`: as [`expire`], in milliseconds.
pub fn pexpire<'a>(key: impl Into<Arg<'a>>, milliseconds: u64) -> Expire<'a> {
    Expire { name: "PEXPIRE", key: key.into(), time: milliseconds, condition: None }
}

/// `EXPIREAT key unix-time-seconds [NX | XX | GT | LT]`: as [`expire`], at a Unix time.
pub fn expireat<'a>(key: impl Into<Arg<'a>>, unix_seconds: u64) -> Expire<'a> {
    Expire { name: "EXPIREAT", key: key.into(), time: unix_seconds, condition: None }
}

/// `PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]`: as [`expireat`], in
/// milliseconds.
pub fn pexpireat<'a>(key: impl Into<Arg<'a>>, unix_milliseconds: u64) -> Expire<'a> {
    Expire { name: "PEXPIREAT", key: key.into(), time: unix_milliseconds, condition: None }
}

impl Expire<'_> {
    /// `NX`: only when the key has no expiry.
    #[must_use]
    pub fn nx(self) -> Self {
        self.condition("NX")
    }

    /// `XX`: only when the key has an expiry.
    #[must_use]
    pub fn xx(self) -> Self {
        self.condition("XX")
    }

    /// `GT`: only when the new expiry is later than the current one.
    #[must_use]
    pub fn gt(self) -> Self {
        self.condition("GT")
    }

    /// `LT`: only when the new expiry is sooner than the current one.
    #[must_use]
    pub fn lt(self) -> Self {
        self.condition("LT")
    }

    fn condition(mut self, word: &'static str) -> Self {
        self.condition = Some(word);
        self
    }

    fn parts(&self) -> [Part<'_>; 4] {
        [
            Part::One(Arg::from(self.name)),
            Part::One(self.key),
            Part::One(Arg::from(self.time)),
            Part::word(self.condition),
        ]
    }
}

/// `SCAN`, `HSCAN`, `SSCAN` or `ZSCAN` with `MATCH`, `COUNT` and (for `SCAN`) `TYPE`.
///
/// The reply is the next cursor (0 when the iteration is over) and one page `P`: keys or
/// members as a [`List`], a hash's fields and values as a [`Map`](crate::reply::Map), a sorted
/// set's members and scores as [`Scored`](crate::reply::Scored).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scan<'a, P> {
    page: PhantomData<fn() -> P>,
    name: &'static str,
    key: Option<Arg<'a>>,
    cursor: u64,
    pattern: Option<Arg<'a>>,
    count: Option<u64>,
    key_type: Option<Arg<'a>>,
}

/// `SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]`: the next cursor and a page of
/// keys. Start at 0; the iteration is over when the cursor returned is 0.
///
/// ```
/// use ferrodis_core::cmd;
/// use ferrodis_core::resp::encode_args;
///
/// let mut buf = [0u8; 64];
/// let n = encode_args(&mut buf, &cmd::scan(0).pattern("user:*").count(100)).unwrap();
/// assert_eq!(&buf[..n], b"*6\r\n$4\r\nSCAN\r\n$1\r\n0\r\n$5\r\nMATCH\r\n$6\r\nuser:*\r\n$5\r\nCOUNT\r\n$3\r\n100\r\n");
/// ```
pub fn scan<'a>(cursor: u64) -> Scan<'a, List<'static, &'static [u8]>> {
    Scan { page: PhantomData, name: "SCAN", key: None, cursor, pattern: None, count: None, key_type: None }
}

impl<'a, P> Scan<'a, P> {
    /// A scan of the elements of a collection (`HSCAN`, `SSCAN`, `ZSCAN`).
    pub(crate) fn of(name: &'static str, key: Arg<'a>, cursor: u64) -> Self {
        Scan { page: PhantomData, name, key: Some(key), cursor, pattern: None, count: None, key_type: None }
    }

    /// `MATCH pattern`: only names matching a glob pattern.
    #[must_use]
    pub fn pattern(mut self, pattern: impl Into<Arg<'a>>) -> Self {
        self.pattern = Some(pattern.into());
        self
    }

    /// `COUNT count`: a hint of how much work to do per call.
    #[must_use]
    pub fn count(mut self, count: u64) -> Self {
        self.count = Some(count);
        self
    }

    /// `TYPE type`: only keys of one type (`SCAN` only).
    #[must_use]
    pub fn key_type(mut self, key_type: impl Into<Arg<'a>>) -> Self {
        self.key_type = Some(key_type.into());
        self
    }

    pub(crate) fn parts(&self) -> [Part<'_>; 6] {
        [
            Part::One(Arg::from(self.name)),
            self.key.map_or(Part::Skip, Part::One),
            Part::One(Arg::from(self.cursor)),
            Part::opt("MATCH", self.pattern),
            Part::opt("COUNT", self.count),
            Part::opt("TYPE", self.key_type),
        ]
    }
}

by_parts! {
    impl['a] Expire<'a> => bool;
    impl['a, P: ReplyType] Scan<'a, P> => (u64, P::At<'r>);
}
