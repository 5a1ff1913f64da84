//! Sets: `SADD`, `SMEMBERS`, `SISMEMBER`, `SINTER`, `SSCAN`, ...

use super::args::{fixed, variadic};
use super::keyspace::Scan;
use crate::reply::List;
use crate::resp::Arg;

variadic! {
    /// `SADD key member [member ...]`: how many members were added.
    ///
    /// ```
    /// use ferrodis_core::cmd;
    /// use ferrodis_core::resp::encode_args;
    ///
    /// let mut buf = [0u8; 64];
    /// let n = encode_args(&mut buf, &cmd::sadd("tags", &["a", "b"])).unwrap();
    /// assert_eq!(&buf[..n], b"*4\r\n$4\r\nSADD\r\n$4\r\ntags\r\n$1\r\na\r\n$1\r\nb\r\n");
    /// ```
    fn sadd(key; members: [M]) -> SAdd<M> ["SADD"] => u64;
    /// `SREM key member [member ...]`: how many members were removed.
    fn srem(key; members: [M]) -> SRem<M> ["SREM"] => u64;
    /// `SMISMEMBER key member [member ...]`: whether each member is in the set.
    fn smismember(key; members: [M]) -> SMIsMember<M> ["SMISMEMBER"] => List<'r, bool>;
    /// `SINTER key [key ...]`: the members of every set.
    fn sinter(; keys: [K]) -> SInter<K> ["SINTER"] => List<'r, &'r [u8]>;
    /// `SUNION key [key ...]`: the members of any set.
    fn sunion(; keys: [K]) -> SUnion<K> ["SUNION"] => List<'r, &'r [u8]>;
    /// `SDIFF key [key ...]`: the members of the first set that are in none of the others.
    fn sdiff(; keys: [K]) -> SDiff<K> ["SDIFF"] => List<'r, &'r [u8]>;
    /// `SINTERSTORE destination key [key ...]`: stores `SINTER`; its size.
    fn sinterstore(destination; keys: [K]) -> SInterStore<K> ["SINTERSTORE"] => u64;
    /// `SUNIONSTORE destination key [key ...]`: stores `SUNION`; its size.
    fn sunionstore(destination; keys: [K]) -> SUnionStore<K> ["SUNIONSTORE"] => u64;
    /// `SDIFFSTORE destination key [key ...]`: stores `SDIFF`; its size.
    fn sdiffstore(destination; keys: [K]) -> SDiffStore<K> ["SDIFFSTORE"] => u64;
}

fixed! {
    /// `SMEMBERS key`: every member (a set in RESP3, an array in RESP2).
    fn smembers(key) -> SMembers ["SMEMBERS"] => List<'r, &'r [u8]>;
    /// `SISMEMBER key member`: whether `member` is in the set.
    fn sismember(key, member) -> SIsMember ["SISMEMBER"] => bool;
    /// `SCARD key`: the number of members.
    fn scard(key) -> SCard ["SCARD"] => u64;
    /// `SPOP key`: removes and returns a random member, or `None` for an empty set.
    fn spop(key) -> SPop ["SPOP"] => Option<&'r [u8]>;
    /// `SPOP key count`: removes and returns up to `count` random members.
    fn spop_count(key, count: u64) -> SPopCount ["SPOP"] => List<'r, &'r [u8]>;
    /// `SRANDMEMBER key`: a random member, or `None` for an empty set.
    fn srandmember(key) -> SRandMember ["SRANDMEMBER"] => Option<&'r [u8]>;
    /// `SRANDMEMBER key count`: up to `count` distinct random members (a negative count
    /// allows repeats and returns exactly `-count`).
    fn srandmember_count(key, count: i64) -> SRandMemberCount ["SRANDMEMBER"] => List<'r, &'r [u8]>;
    /// `SMOVE source destination member`: moves a member; whether it was in `source`.
    fn smove(source, destination, member) -> SMove ["SMOVE"] => bool;
}

/// `SSCAN key cursor [MATCH pattern] [COUNT count]`: the next cursor and a page of members
/// (see [`Scan`]).
pub fn sscan<'a>(key: impl Into<Arg<'a>>, cursor: u64) -> Scan<'a, List<'static, &'static [u8]>> {
    Scan::of("SSCAN", key.into(), cursor)
}
