//! Hashes: `HSET`, `HGET`, `HGETALL`, `HINCRBY`, `HSCAN`, ...

use crate::reply::{List, Map};
use crate::resp::Arg;

use super::args::{fixed, variadic};
use super::keyspace::Scan;

variadic! {
    /// `HSET key field value [field value ...]`: how many fields were added (not counting
    /// the ones updated).
    ///
    /// ```
    /// use ferrodis_core::cmd;
    /// use ferrodis_core::resp::encode_args;
    ///
    /// let mut buf = [0u8; 64];
    /// let n = encode_args(&mut buf, &cmd::hset("user:1", &[("name", "Ada")])).unwrap();
    /// assert_eq!(&buf[..n], b"*4\r\n$4\r\nHSET\r\n$6\r\nuser:1\r\n$4\r\nname\r\n$3\r\nAda\r\n");
    /// ```
    fn hset(key; pairs: [(F, V)]) -> HSet<F, V> ["HSET"] => u64;
    /// `HDEL key field [field ...]`: how many fields were removed.
    fn hdel(key; fields: [F]) -> HDel<F> ["HDEL"] => u64;
    /// `HMGET key field [field ...]`: each field's value, `None` for a missing one.
    fn hmget(key; fields: [F]) -> HMGet<F> ["HMGET"] => List<'r, Option<&'r [u8]>>;
}

fixed! {
    /// `HGET key field`: the field's value, or `None`.
    fn hget(key, field) -> HGet ["HGET"] => Option<&'r [u8]>;
    /// `HGETALL key`: every field and value (a map in RESP3, a flat array in RESP2; the
    /// same [`Map`] either way). Empty for a missing key.
    ///
    /// ```
    /// use ferrodis_core::cmd::{self, Command};
    /// use ferrodis_core::reply::FromFrame;
    /// use ferrodis_core::resp::{decode, Decoded};
    ///
    /// let Ok(Decoded::Complete { frame, .. }) = decode(b"*2\r\n$4\r\nname\r\n$3\r\nAda\r\n") else { panic!() };
    /// fn reply<'r, C: Command>(_: &C, frame: ferrodis_core::resp::Frame<'r>) -> C::Reply<'r> {
    ///     C::Reply::from_frame(frame).unwrap()
    /// }
    /// let user = reply(&cmd::hgetall("user:1"), frame);
    /// assert_eq!(user.get_as::<&str>("name"), Ok(Some("Ada")));
    /// ```
    fn hgetall(key) -> HGetAll ["HGETALL"] => Map<'r>;
    /// `HEXISTS key field`: whether the field exists.
    fn hexists(key, field) -> HExists ["HEXISTS"] => bool;
    /// `HINCRBY key field increment`: the field's value after adding `increment`.
    fn hincrby(key, field, increment: i64) -> HIncrBy ["HINCRBY"] => i64;
    /// `HINCRBYFLOAT key field increment`: the field's value after adding `increment`.
    fn hincrbyfloat(key, field, increment: f64) -> HIncrByFloat ["HINCRBYFLOAT"] => f64;
    /// `HKEYS key`: the field names.
    fn hkeys(key) -> HKeys ["HKEYS"] => List<'r, &'r [u8]>;
    /// `HVALS key`: the values.
    fn hvals(key) -> HVals ["HVALS"] => List<'r, &'r [u8]>;
    /// `HLEN key`: the number of fields.
    fn hlen(key) -> HLen ["HLEN"] => u64;
    /// `HSETNX key field value`: sets the field only when it does not exist; whether it did.
    fn hsetnx(key, field, value) -> HSetNx ["HSETNX"] => bool;
    /// `HSTRLEN key field`: the length of the field's value (0 when missing).
    fn hstrlen(key, field) -> HStrLen ["HSTRLEN"] => u64;
}

/// `HSCAN key cursor [MATCH pattern] [COUNT count]`: the next cursor and a page of fields
/// and values (see [`Scan`]).
pub fn hscan<'a>(key: impl Into<Arg<'a>>, cursor: u64) -> Scan<'a, Map<'static>> {
    Scan::of("HSCAN", key.into(), cursor)
}
