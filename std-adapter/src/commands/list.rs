//! The command list: every typed command method, written once.
//!
//! [`for_each_command!`] hands the whole list to a callback macro, which turns each entry
//! into one kind of method: a builder (`build`), a blocking [`Commands`] method, an
//! [`AsyncCommands`] method, and a [`Pipeline`] method that queues the command. An entry
//! is a doc comment, the signature redis-rs gives the method (without the reply type
//! `RV`, which each callback adds where it applies) and a block that builds the command
//! with `cmd(name).with_arg(...)`.
//!
//! Types named in signatures must be in scope where a callback expands; bodies expand in
//! `build` only, where `cmd` makes the name and arguments as given (`Parts`), which the
//! pipeline copies into its buffer and the connections into a [`Cmd`].
//!
//! [`Commands`]: super::Commands
//! [`AsyncCommands`]: super::AsyncCommands
//! [`Pipeline`]: super::Pipeline
//! [`Cmd`]: crate::Cmd

/// Calls `$callback! { ... }` with every command entry.
macro_rules! for_each_command {
    ($callback:ident) => {
        $callback! {
            // Strings and keys.

            /// `GET key`: the value of `key`, nil when missing (`MGET` when `key` is several keys).
            fn get<K: ToArgs>(key: K) {
                cmd(if key.num_args() > 1 { "MGET" } else { "GET" }).with_arg(key)
            }

            /// `MGET key [key ...]`: the values of `keys`, nil for each missing one.
            fn mget<K: ToArgs>(keys: K) {
                cmd("MGET").with_arg(keys)
            }

            /// `SET key value`: sets `key` to `value` (`OK`).
            fn set<K: ToArgs, V: ToArgs>(key: K, value: V) {
                cmd("SET").with_arg((key, value))
            }

            /// `SETEX key seconds value`: sets `key` to `value`, expiring in `seconds`.
            fn set_ex<K: ToArgs, V: ToArgs>(key: K, value: V, seconds: u64) {
                cmd("SETEX").with_arg((key, seconds, value))
            }

            /// `SETNX key value`: sets `key` only if it does not exist (`true` if it was set).
            fn set_nx<K: ToArgs, V: ToArgs>(key: K, value: V) {
                cmd("SETNX").with_arg((key, value))
            }

            /// `SET key value [NX|XX] [GET] [EX|PX|EXAT|PXAT|KEEPTTL]`, as [`SetOptions`] says.
            fn set_options<K: ToArgs, V: ToArgs>(key: K, value: V, options: SetOptions) {
                cmd("SET").with_arg((key, value, options))
            }

            /// `GETSET key value`: sets `key` and returns its old value (nil when missing).
            fn getset<K: ToArgs, V: ToArgs>(key: K, value: V) {
                cmd("GETSET").with_arg((key, value))
            }

            /// `GETEX key EX|PX|EXAT|PXAT|PERSIST`: the value of `key` (nil when missing), setting
            /// or removing its expiry.
            fn getex<K: ToArgs>(key: K, expiry: Expiry) {
                cmd("GETEX").with_arg((key, expiry))
            }

            /// `UNLINK key [key ...]`: deletes keys, freeing their memory in the background (the
            /// number deleted).
            fn unlink<K: ToArgs>(key: K) {
                cmd("UNLINK").with_arg(key)
            }

            /// `COPY source destination [REPLACE]`: copies a key (`true` if it was copied; without
            /// `replace`, not over an existing destination).
            fn copy<S: ToArgs, D: ToArgs>(source: S, destination: D, replace: bool) {
                cmd("COPY").with_arg((source, destination, replace.then_some("REPLACE")))
            }

            /// `GETDEL key`: deletes `key` and returns its value (nil when missing).
            fn get_del<K: ToArgs>(key: K) {
                cmd("GETDEL").with_arg(key)
            }

            /// `MSET key value [key value ...]`: sets every key of `items`.
            fn mset<K: ToArgs, V: ToArgs>(items: &[(K, V)]) {
                cmd("MSET").with_arg(items)
            }

            /// `DEL key [key ...]`: deletes keys (the number deleted).
            fn del<K: ToArgs>(key: K) {
                cmd("DEL").with_arg(key)
            }

            /// `EXISTS key [key ...]`: whether `key` exists (the number of keys that exist).
            fn exists<K: ToArgs>(key: K) {
                cmd("EXISTS").with_arg(key)
            }

            /// `EXPIRE key seconds`: sets a time to live (`true` if the key exists).
            fn expire<K: ToArgs>(key: K, seconds: i64) {
                cmd("EXPIRE").with_arg((key, seconds))
            }

            /// `PEXPIRE key milliseconds`: sets a time to live in milliseconds.
            fn pexpire<K: ToArgs>(key: K, ms: i64) {
                cmd("PEXPIRE").with_arg((key, ms))
            }

            /// `EXPIREAT key unix-seconds`: expires `key` at a UNIX time.
            fn expire_at<K: ToArgs>(key: K, ts: i64) {
                cmd("EXPIREAT").with_arg((key, ts))
            }

            /// `PEXPIREAT key unix-milliseconds`: expires `key` at a UNIX time in milliseconds.
            fn pexpire_at<K: ToArgs>(key: K, ts: i64) {
                cmd("PEXPIREAT").with_arg((key, ts))
            }

            /// `TTL key`: seconds left to live (-1 without expiry, -2 when missing).
            fn ttl<K: ToArgs>(key: K) {
                cmd("TTL").with_arg(key)
            }

            /// `PTTL key`: milliseconds left to live (-1 without expiry, -2 when missing).
            fn pttl<K: ToArgs>(key: K) {
                cmd("PTTL").with_arg(key)
            }

            /// `PERSIST key`: removes the expiry (`true` if there was one).
            fn persist<K: ToArgs>(key: K) {
                cmd("PERSIST").with_arg(key)
            }

            /// `RENAME key newkey`: renames a key.
            fn rename<K: ToArgs, N: ToArgs>(key: K, new_key: N) {
                cmd("RENAME").with_arg((key, new_key))
            }

            /// `TYPE key`: the type of the value (`string`, `list`, ..., `none`).
            fn key_type<K: ToArgs>(key: K) {
                cmd("TYPE").with_arg(key)
            }

            /// `KEYS pattern`: every key matching `pattern` (prefer `scan_match` on big databases).
            fn keys<K: ToArgs>(pattern: K) {
                cmd("KEYS").with_arg(pattern)
            }

            /// `INCRBY key delta` (`INCRBYFLOAT` for a float `delta`): the new value.
            fn incr<K: ToArgs, V: ToArgs>(key: K, delta: V) {
                cmd(if is_float(&delta) { "INCRBYFLOAT" } else { "INCRBY" }).with_arg((key, delta))
            }

            /// `DECRBY key delta`: the new value.
            fn decr<K: ToArgs, V: ToArgs>(key: K, delta: V) {
                cmd("DECRBY").with_arg((key, delta))
            }

            /// `APPEND key value`: the new length.
            fn append<K: ToArgs, V: ToArgs>(key: K, value: V) {
                cmd("APPEND").with_arg((key, value))
            }

            /// `STRLEN key`: the length of the value (0 when missing).
            fn strlen<K: ToArgs>(key: K) {
                cmd("STRLEN").with_arg(key)
            }

            // Hashes.

            /// `HSET key field value`: sets one field (the number of fields added).
            fn hset<K: ToArgs, F: ToArgs, V: ToArgs>(key: K, field: F, value: V) {
                cmd("HSET").with_arg((key, field, value))
            }

            /// `HSET key field value [field value ...]`: sets every field of `items`.
            fn hset_multiple<K: ToArgs, F: ToArgs, V: ToArgs>(key: K, items: &[(F, V)]) {
                cmd("HSET").with_arg((key, items))
            }

            /// `HGET key field`: one field, nil when missing (`HMGET` when `field` is several).
            fn hget<K: ToArgs, F: ToArgs>(key: K, field: F) {
                cmd(if field.num_args() > 1 { "HMGET" } else { "HGET" }).with_arg((key, field))
            }

            /// `HMGET key field [field ...]`: several fields, nil for each missing one.
            fn hmget<K: ToArgs, F: ToArgs>(key: K, fields: F) {
                cmd("HMGET").with_arg((key, fields))
            }

            /// `HGETALL key`: every field and value (a `HashMap` or a `Vec` of pairs).
            fn hgetall<K: ToArgs>(key: K) {
                cmd("HGETALL").with_arg(key)
            }

            /// `HDEL key field [field ...]`: deletes fields (the number deleted).
            fn hdel<K: ToArgs, F: ToArgs>(key: K, field: F) {
                cmd("HDEL").with_arg((key, field))
            }

            /// `HEXISTS key field`: whether the field exists.
            fn hexists<K: ToArgs, F: ToArgs>(key: K, field: F) {
                cmd("HEXISTS").with_arg((key, field))
            }

            /// `HINCRBY key field delta` (`HINCRBYFLOAT` for a float `delta`): the new value.
            fn hincr<K: ToArgs, F: ToArgs, D: ToArgs>(key: K, field: F, delta: D) {
                cmd(if is_float(&delta) { "HINCRBYFLOAT" } else { "HINCRBY" }).with_arg((key, field, delta))
            }

            /// `HKEYS key`: every field name.
            fn hkeys<K: ToArgs>(key: K) {
                cmd("HKEYS").with_arg(key)
            }

            /// `HVALS key`: every value.
            fn hvals<K: ToArgs>(key: K) {
                cmd("HVALS").with_arg(key)
            }

            /// `HLEN key`: the number of fields.
            fn hlen<K: ToArgs>(key: K) {
                cmd("HLEN").with_arg(key)
            }

            // Lists.

            /// `LPUSH key element [element ...]`: pushes at the head (the new length).
            fn lpush<K: ToArgs, V: ToArgs>(key: K, value: V) {
                cmd("LPUSH").with_arg((key, value))
            }

            /// `RPUSH key element [element ...]`: pushes at the tail (the new length).
            fn rpush<K: ToArgs, V: ToArgs>(key: K, value: V) {
                cmd("RPUSH").with_arg((key, value))
            }

            /// `LPOP key [count]`: pops from the head (one element, or up to `count` of them).
            fn lpop<K: ToArgs>(key: K, count: Option<NonZeroUsize>) {
                cmd("LPOP").with_arg((key, count.map(NonZeroUsize::get)))
            }

            /// `RPOP key [count]`: pops from the tail (one element, or up to `count` of them).
            fn rpop<K: ToArgs>(key: K, count: Option<NonZeroUsize>) {
                cmd("RPOP").with_arg((key, count.map(NonZeroUsize::get)))
            }

            /// `LRANGE key start stop`: the elements from `start` to `stop` (inclusive; negative counts
            /// from the end).
            fn lrange<K: ToArgs>(key: K, start: isize, stop: isize) {
                cmd("LRANGE").with_arg((key, start, stop))
            }

            /// `LLEN key`: the length of the list.
            fn llen<K: ToArgs>(key: K) {
                cmd("LLEN").with_arg(key)
            }

            /// `LREM key count element`: removes `count` occurrences (all for 0; from the tail when
            /// negative).
            fn lrem<K: ToArgs, V: ToArgs>(key: K, count: isize, value: V) {
                cmd("LREM").with_arg((key, count, value))
            }

            /// `LTRIM key start stop`: keeps only the elements from `start` to `stop`.
            fn ltrim<K: ToArgs>(key: K, start: isize, stop: isize) {
                cmd("LTRIM").with_arg((key, start, stop))
            }

            /// `LINDEX key index`: the element at `index`, nil when out of range.
            fn lindex<K: ToArgs>(key: K, index: isize) {
                cmd("LINDEX").with_arg((key, index))
            }

            /// `LMOVE source destination LEFT|RIGHT LEFT|RIGHT`: moves an element from one end of
            /// `source` to one end of `destination` (the element, nil when `source` is empty).
            fn lmove<S: ToArgs, D: ToArgs>(source: S, destination: D, from: Direction, to: Direction) {
                cmd("LMOVE").with_arg((source, destination, from, to))
            }

            /// `BLMOVE ... timeout`: [`lmove`](Self::lmove), waiting up to `timeout` seconds for an
            /// element (0: forever); nil on timeout.
            fn blmove<S: ToArgs, D: ToArgs>(source: S, destination: D, from: Direction, to: Direction, timeout: f64) {
                cmd("BLMOVE").with_arg((source, destination, from, to, timeout))
            }

            /// `BLPOP key [key ...] timeout`: pops from the head of the first non-empty list, waiting up
            /// to `timeout` seconds (0: forever); `(key, element)`, or nil on timeout.
            fn blpop<K: ToArgs>(key: K, timeout: f64) {
                cmd("BLPOP").with_arg((key, timeout))
            }

            /// `BRPOP key [key ...] timeout`: pops from the tail of the first non-empty list, waiting up
            /// to `timeout` seconds (0: forever); `(key, element)`, or nil on timeout.
            fn brpop<K: ToArgs>(key: K, timeout: f64) {
                cmd("BRPOP").with_arg((key, timeout))
            }

            // Sets.

            /// `SADD key member [member ...]`: adds members (the number added).
            fn sadd<K: ToArgs, M: ToArgs>(key: K, member: M) {
                cmd("SADD").with_arg((key, member))
            }

            /// `SREM key member [member ...]`: removes members (the number removed).
            fn srem<K: ToArgs, M: ToArgs>(key: K, member: M) {
                cmd("SREM").with_arg((key, member))
            }

            /// `SMEMBERS key`: every member (a `HashSet` or a `Vec`).
            fn smembers<K: ToArgs>(key: K) {
                cmd("SMEMBERS").with_arg(key)
            }

            /// `SISMEMBER key member`: whether `member` is in the set.
            fn sismember<K: ToArgs, M: ToArgs>(key: K, member: M) {
                cmd("SISMEMBER").with_arg((key, member))
            }

            /// `SCARD key`: the number of members.
            fn scard<K: ToArgs>(key: K) {
                cmd("SCARD").with_arg(key)
            }

            /// `SINTER key [key ...]`: the members in every set.
            fn sinter<K: ToArgs>(keys: K) {
                cmd("SINTER").with_arg(keys)
            }

            /// `SUNION key [key ...]`: the members in any set.
            fn sunion<K: ToArgs>(keys: K) {
                cmd("SUNION").with_arg(keys)
            }

            // Sorted sets.

            /// `ZADD key score member`: adds or updates one member (the number added).
            fn zadd<K: ToArgs, S: ToArgs, M: ToArgs>(key: K, member: M, score: S) {
                cmd("ZADD").with_arg((key, score, member))
            }

            /// `ZADD key score member [score member ...]`: adds or updates every `(score, member)`.
            fn zadd_multiple<K: ToArgs, S: ToArgs, M: ToArgs>(key: K, items: &[(S, M)]) {
                cmd("ZADD").with_arg((key, items))
            }

            /// `ZREM key member [member ...]`: removes members (the number removed).
            fn zrem<K: ToArgs, M: ToArgs>(key: K, members: M) {
                cmd("ZREM").with_arg((key, members))
            }

            /// `ZRANGE key start stop`: members by rank, lowest score first.
            fn zrange<K: ToArgs>(key: K, start: isize, stop: isize) {
                cmd("ZRANGE").with_arg((key, start, stop))
            }

            /// `ZRANGE key start stop WITHSCORES`: `(member, score)` pairs by rank, lowest score first.
            fn zrange_withscores<K: ToArgs>(key: K, start: isize, stop: isize) {
                cmd("ZRANGE").with_arg((key, start, stop, "WITHSCORES"))
            }

            /// `ZREVRANGE key start stop`: members by rank, highest score first.
            fn zrevrange<K: ToArgs>(key: K, start: isize, stop: isize) {
                cmd("ZREVRANGE").with_arg((key, start, stop))
            }

            /// `ZREVRANGE key start stop WITHSCORES`: `(member, score)` pairs, highest score first.
            fn zrevrange_withscores<K: ToArgs>(key: K, start: isize, stop: isize) {
                cmd("ZREVRANGE").with_arg((key, start, stop, "WITHSCORES"))
            }

            /// `ZRANGEBYSCORE key min max`: members with scores in `min..=max` (`"-inf"`, `"(1"` work).
            fn zrangebyscore<K: ToArgs, M: ToArgs, MM: ToArgs>(key: K, min: M, max: MM) {
                cmd("ZRANGEBYSCORE").with_arg((key, min, max))
            }

            /// `ZSCORE key member`: the member's score, nil when missing.
            fn zscore<K: ToArgs, M: ToArgs>(key: K, member: M) {
                cmd("ZSCORE").with_arg((key, member))
            }

            /// `ZCARD key`: the number of members.
            fn zcard<K: ToArgs>(key: K) {
                cmd("ZCARD").with_arg(key)
            }

            /// `ZINCRBY key delta member`: the member's new score.
            fn zincr<K: ToArgs, M: ToArgs, D: ToArgs>(key: K, member: M, delta: D) {
                cmd("ZINCRBY").with_arg((key, delta, member))
            }

            /// `ZRANK key member`: the member's rank, lowest score first; nil when missing.
            fn zrank<K: ToArgs, M: ToArgs>(key: K, member: M) {
                cmd("ZRANK").with_arg((key, member))
            }

            // Pub/sub and HyperLogLog.

            /// `PUBLISH channel message`: the number of subscribers that received it.
            fn publish<K: ToArgs, E: ToArgs>(channel: K, message: E) {
                cmd("PUBLISH").with_arg((channel, message))
            }

            /// `PFADD key element [element ...]`: adds to a HyperLogLog (`true` if it changed).
            fn pfadd<K: ToArgs, E: ToArgs>(key: K, element: E) {
                cmd("PFADD").with_arg((key, element))
            }

            /// `PFCOUNT key [key ...]`: the approximate number of distinct elements.
            fn pfcount<K: ToArgs>(key: K) {
                cmd("PFCOUNT").with_arg(key)
            }

            // Streams.

            /// `XADD key id field value [field value ...]`: appends an entry (its id; `"*"` makes one).
            fn xadd<K: ToArgs, ID: ToArgs, F: ToArgs, V: ToArgs>(key: K, id: ID, items: &[(F, V)]) {
                cmd("XADD").with_arg((key, id, items))
            }

            /// `XLEN key`: the number of entries.
            fn xlen<K: ToArgs>(key: K) {
                cmd("XLEN").with_arg(key)
            }

            /// `XRANGE key start end`: entries as `(id, fields)` pairs, such as
            /// `Vec<(String, HashMap<String, String>)>`.
            fn xrange<K: ToArgs, S: ToArgs, E: ToArgs>(key: K, start: S, end: E) {
                cmd("XRANGE").with_arg((key, start, end))
            }

            /// `XRANGE key - +`: every entry.
            fn xrange_all<K: ToArgs>(key: K) {
                cmd("XRANGE").with_arg((key, "-", "+"))
            }

            /// `XDEL key id [id ...]`: deletes entries (the number deleted).
            fn xdel<K: ToArgs, ID: ToArgs>(key: K, ids: &[ID]) {
                cmd("XDEL").with_arg((key, ids))
            }

            /// `XADD key MAXLEN [=|~] count id field value [...]`: appends an entry and trims the
            /// stream in the same command (the new entry's id).
            fn xadd_maxlen<K: ToArgs, ID: ToArgs, F: ToArgs, V: ToArgs>(
                key: K,
                maxlen: StreamMaxlen,
                id: ID,
                items: &[(F, V)],
            ) {
                cmd("XADD").with_arg((key, maxlen, id, items))
            }

            /// `XREAD STREAMS key [key ...] id [id ...]`: the entries after each id, per stream,
            /// such as `Vec<(String, Vec<(String, HashMap<String, String>)>)>`; nil when none.
            fn xread<K: ToArgs, ID: ToArgs>(keys: &[K], ids: &[ID]) {
                cmd("XREAD").with_arg(("STREAMS", keys, ids))
            }

            /// `XREAD` with [`StreamReadOptions`] (`COUNT`, `BLOCK`), or `XREADGROUP` when they
            /// name a group (`GROUP group consumer`, `NOACK`); ids as `">"` read new entries.
            fn xread_options<K: ToArgs, ID: ToArgs>(keys: &[K], ids: &[ID], options: &StreamReadOptions) {
                cmd(if options.has_group() { "XREADGROUP" } else { "XREAD" }).with_arg((options, "STREAMS", keys, ids))
            }

            /// `XGROUP CREATE key group id`: creates a consumer group starting after `id`
            /// (`"$"`: new entries only).
            fn xgroup_create<K: ToArgs, G: ToArgs, ID: ToArgs>(key: K, group: G, id: ID) {
                cmd("XGROUP").with_arg(("CREATE", key, group, id))
            }

            /// `XGROUP CREATE key group id MKSTREAM`: the same, creating the stream if missing.
            fn xgroup_create_mkstream<K: ToArgs, G: ToArgs, ID: ToArgs>(key: K, group: G, id: ID) {
                cmd("XGROUP").with_arg(("CREATE", key, group, id, "MKSTREAM"))
            }

            /// `XACK key group id [id ...]`: acknowledges entries (the number acknowledged).
            fn xack<K: ToArgs, G: ToArgs, ID: ToArgs>(key: K, group: G, ids: &[ID]) {
                cmd("XACK").with_arg((key, group, ids))
            }

            /// `XAUTOCLAIM key group consumer min-idle-time start [COUNT count]`: claims entries
            /// pending longer than `min_idle_ms` for `consumer`, as
            /// `(next start id, claimed entries, deleted ids)`.
            fn xautoclaim<K: ToArgs, G: ToArgs, C: ToArgs, S: ToArgs>(
                key: K,
                group: G,
                consumer: C,
                min_idle_ms: u64,
                start: S,
                count: Option<usize>,
            ) {
                cmd("XAUTOCLAIM").with_arg((key, group, consumer, min_idle_ms, start, count.map(|n| ("COUNT", n))))
            }

            /// `XTRIM key MAXLEN [=|~] count`: trims the stream (the number of entries removed).
            fn xtrim<K: ToArgs>(key: K, maxlen: StreamMaxlen) {
                cmd("XTRIM").with_arg((key, maxlen))
            }

            // Scripting.

            /// `EVAL script numkeys key [key ...] arg [arg ...]`: runs a Lua script.
            fn eval<S: ToArgs, K: ToArgs, A: ToArgs>(script: S, keys: K, args: A) {
                let numkeys = keys.num_args();
                cmd("EVAL").with_arg((script, numkeys, keys, args))
            }

            /// `EVALSHA sha1 numkeys key [key ...] arg [arg ...]`: runs a loaded script (a `NOSCRIPT`
            /// error when the server does not know it).
            fn evalsha<S: ToArgs, K: ToArgs, A: ToArgs>(sha1: S, keys: K, args: A) {
                let numkeys = keys.num_args();
                cmd("EVALSHA").with_arg((sha1, numkeys, keys, args))
            }

            /// `SCRIPT LOAD script`: loads a script and returns its SHA1 for `evalsha`.
            fn script_load<S: ToArgs>(script: S) {
                cmd("SCRIPT").with_arg(("LOAD", script))
            }

            // Server and connection.

            /// `PING`: `PONG`.
            fn ping() {
                cmd("PING")
            }

            /// `ECHO message`: the message.
            fn echo<M: ToArgs>(message: M) {
                cmd("ECHO").with_arg(message)
            }

            /// `DBSIZE`: the number of keys in the selected database.
            fn dbsize() {
                cmd("DBSIZE")
            }

            /// `FLUSHDB`: deletes every key of the selected database.
            fn flushdb() {
                cmd("FLUSHDB")
            }

            /// `FLUSHALL`: deletes every key of every database.
            fn flushall() {
                cmd("FLUSHALL")
            }

            /// `INFO section`: server information as text (`"default"`, `"all"`, `"memory"`, ...).
            fn info<S: ToArgs>(section: S) {
                cmd("INFO").with_arg(section)
            }

            /// `TIME`: the server's clock as `(unix seconds, microseconds)`.
            fn time() {
                cmd("TIME")
            }

            /// `CLIENT SETNAME name`: names this connection.
            fn client_setname<N: ToArgs>(name: N) {
                cmd("CLIENT").with_arg(("SETNAME", name))
            }

            /// `CLIENT GETNAME`: this connection's name, nil when unnamed.
            fn client_getname() {
                cmd("CLIENT").with_arg("GETNAME")
            }

            /// `CONFIG GET parameter`: matching parameters and values (a `HashMap`).
            fn config_get<P: ToArgs>(parameter: P) {
                cmd("CONFIG").with_arg(("GET", parameter))
            }

            /// `CONFIG SET parameter value`: changes a server setting.
            fn config_set<P: ToArgs, V: ToArgs>(parameter: P, value: V) {
                cmd("CONFIG").with_arg(("SET", parameter, value))
            }
            // The rest of core's typed builders, named as redis-rs names them where it has
            // them (`tests/command_methods_cover_core.rs` checks that none is missing).

            /// `PSETEX key milliseconds value`: sets `key` to `value`, expiring in `ms`.
            fn pset_ex<K: ToArgs, V: ToArgs>(key: K, value: V, ms: u64) {
                cmd("PSETEX").with_arg((key, ms, value))
            }

            /// `MSETNX key value [key value ...]`: sets every pair only if no key exists (`true` if set).
            fn mset_nx<P: ToArgs>(pairs: P) {
                cmd("MSETNX").with_arg(pairs)
            }

            /// `GETRANGE key start end`: the substring between two offsets (inclusive, negative from the end).
            fn getrange<K: ToArgs>(key: K, from: i64, to: i64) {
                cmd("GETRANGE").with_arg((key, from, to))
            }

            /// `SETRANGE key offset value`: overwrites part of the string; its length after.
            fn setrange<K: ToArgs, V: ToArgs>(key: K, offset: u64, value: V) {
                cmd("SETRANGE").with_arg((key, offset, value))
            }

            /// `GETBIT key offset`: the bit at `offset` (0 past the end).
            fn getbit<K: ToArgs>(key: K, offset: u64) {
                cmd("GETBIT").with_arg((key, offset))
            }

            /// `BITOP operation destkey key [key ...]`: the size of the string stored.
            fn bit_op<D: ToArgs, K: ToArgs>(operation: ferrodis_core::cmd::BitOp, destination: D, keys: K) {
                cmd("BITOP").with_arg((operation, destination, keys))
            }

            /// `RENAMENX key newkey`: renames only if `newkey` does not exist (`true` if renamed).
            fn rename_nx<K: ToArgs, N: ToArgs>(key: K, new_key: N) {
                cmd("RENAMENX").with_arg((key, new_key))
            }

            /// `TOUCH key [key ...]`: how many of `keys` exist (their access time updated).
            fn touch<K: ToArgs>(keys: K) {
                cmd("TOUCH").with_arg(keys)
            }

            /// `EXPIRETIME key`: the absolute Unix time (seconds) `key` expires at; -1 without, -2 missing.
            fn expire_time<K: ToArgs>(key: K) {
                cmd("EXPIRETIME").with_arg(key)
            }

            /// `PEXPIRETIME key`: as [`expire_time`](Self::expire_time), in milliseconds.
            fn pexpire_time<K: ToArgs>(key: K) {
                cmd("PEXPIRETIME").with_arg(key)
            }

            /// `RANDOMKEY`: a random key, nil when the database is empty.
            fn random_key() {
                cmd("RANDOMKEY")
            }

            /// `HSETNX key field value`: sets the field only if it does not exist (`true` if set).
            fn hset_nx<K: ToArgs, F: ToArgs, V: ToArgs>(key: K, field: F, value: V) {
                cmd("HSETNX").with_arg((key, field, value))
            }

            /// `HSTRLEN key field`: the length of the field's value (0 when missing).
            fn hstrlen<K: ToArgs, F: ToArgs>(key: K, field: F) {
                cmd("HSTRLEN").with_arg((key, field))
            }

            /// `LPUSHX key element [element ...]`: pushes only if the list exists; its length after.
            fn lpush_exists<K: ToArgs, V: ToArgs>(key: K, value: V) {
                cmd("LPUSHX").with_arg((key, value))
            }

            /// `RPUSHX key element [element ...]`: as [`lpush_exists`](Self::lpush_exists), at the tail.
            fn rpush_exists<K: ToArgs, V: ToArgs>(key: K, value: V) {
                cmd("RPUSHX").with_arg((key, value))
            }

            /// `LSET key index element`: sets the element at `index`.
            fn lset<K: ToArgs, V: ToArgs>(key: K, index: i64, value: V) {
                cmd("LSET").with_arg((key, index, value))
            }

            /// `LINSERT key BEFORE pivot element`: the length after, -1 when `pivot` is missing.
            fn linsert_before<K: ToArgs, P: ToArgs, V: ToArgs>(key: K, pivot: P, value: V) {
                cmd("LINSERT").with_arg((key, ferrodis_core::cmd::Position::Before, pivot, value))
            }

            /// `LINSERT key AFTER pivot element`: as [`linsert_before`](Self::linsert_before), after it.
            fn linsert_after<K: ToArgs, P: ToArgs, V: ToArgs>(key: K, pivot: P, value: V) {
                cmd("LINSERT").with_arg((key, ferrodis_core::cmd::Position::After, pivot, value))
            }

            /// `SMISMEMBER key member [member ...]`: whether each of `members` is in the set.
            fn smismember<K: ToArgs, M: ToArgs>(key: K, members: M) {
                cmd("SMISMEMBER").with_arg((key, members))
            }

            /// `SMOVE source destination member`: moves `member` (`true` if it was in `source`).
            fn smove<S: ToArgs, D: ToArgs, M: ToArgs>(source: S, destination: D, member: M) {
                cmd("SMOVE").with_arg((source, destination, member))
            }

            /// `SPOP key`: removes and returns a random member (nil when empty).
            fn spop<K: ToArgs>(key: K) {
                cmd("SPOP").with_arg(key)
            }

            /// `SPOP key count`: removes and returns up to `count` random members.
            fn spop_count<K: ToArgs>(key: K, count: u64) {
                cmd("SPOP").with_arg((key, count))
            }

            /// `SRANDMEMBER key`: a random member (nil when empty).
            fn srandmember<K: ToArgs>(key: K) {
                cmd("SRANDMEMBER").with_arg(key)
            }

            /// `SRANDMEMBER key count`: up to `count` distinct members (negative: `-count`, repeats allowed).
            fn srandmember_multiple<K: ToArgs>(key: K, count: i64) {
                cmd("SRANDMEMBER").with_arg((key, count))
            }

            /// `SDIFF key [key ...]`: the members of the first set in none of the others.
            fn sdiff<K: ToArgs>(keys: K) {
                cmd("SDIFF").with_arg(keys)
            }

            /// `SDIFFSTORE destination key [key ...]`: stores [`sdiff`](Self::sdiff); its size.
            fn sdiffstore<D: ToArgs, K: ToArgs>(destination: D, keys: K) {
                cmd("SDIFFSTORE").with_arg((destination, keys))
            }

            /// `SINTERSTORE destination key [key ...]`: stores the intersection; its size.
            fn sinterstore<D: ToArgs, K: ToArgs>(destination: D, keys: K) {
                cmd("SINTERSTORE").with_arg((destination, keys))
            }

            /// `SUNIONSTORE destination key [key ...]`: stores the union; its size.
            fn sunionstore<D: ToArgs, K: ToArgs>(destination: D, keys: K) {
                cmd("SUNIONSTORE").with_arg((destination, keys))
            }

            /// `ZCOUNT key min max`: how many members score within the range (`-inf`, `(1` and so on).
            fn zcount<K: ToArgs, MIN: ToArgs, MAX: ToArgs>(key: K, min: MIN, max: MAX) {
                cmd("ZCOUNT").with_arg((key, min, max))
            }

            /// `ZMSCORE key member [member ...]`: each member's score, nil for missing ones.
            fn zscore_multiple<K: ToArgs, M: ToArgs>(key: K, members: M) {
                cmd("ZMSCORE").with_arg((key, members))
            }

            /// `ZREVRANK key member`: the member's rank from the highest score (nil when missing).
            fn zrevrank<K: ToArgs, M: ToArgs>(key: K, member: M) {
                cmd("ZREVRANK").with_arg((key, member))
            }

            /// `ZREMRANGEBYSCORE key min max`: removes the members scoring within the range; how many.
            fn zrembyscore<K: ToArgs, MIN: ToArgs, MAX: ToArgs>(key: K, min: MIN, max: MAX) {
                cmd("ZREMRANGEBYSCORE").with_arg((key, min, max))
            }

            /// `ZREMRANGEBYRANK key start stop`: removes the members ranked within the range; how many.
            fn zremrangebyrank<K: ToArgs>(key: K, start: i64, stop: i64) {
                cmd("ZREMRANGEBYRANK").with_arg((key, start, stop))
            }

            /// `ZPOPMIN key count`: removes and returns up to `count` lowest-scored members with scores.
            fn zpopmin<K: ToArgs>(key: K, count: u64) {
                cmd("ZPOPMIN").with_arg((key, count))
            }

            /// `ZPOPMAX key count`: removes and returns up to `count` highest-scored members with scores.
            fn zpopmax<K: ToArgs>(key: K, count: u64) {
                cmd("ZPOPMAX").with_arg((key, count))
            }

            /// `PFMERGE destkey sourcekey [sourcekey ...]`: merges HyperLogLogs into `destination`.
            fn pfmerge<D: ToArgs, K: ToArgs>(destination: D, sources: K) {
                cmd("PFMERGE").with_arg((destination, sources))
            }

            /// `GEOPOS key member [member ...]`: each member's `(longitude, latitude)`, nil for missing ones.
            fn geo_pos<K: ToArgs, M: ToArgs>(key: K, members: M) {
                cmd("GEOPOS").with_arg((key, members))
            }

            /// `GEOHASH key member [member ...]`: each member's geohash string, nil for missing ones.
            fn geo_hash<K: ToArgs, M: ToArgs>(key: K, members: M) {
                cmd("GEOHASH").with_arg((key, members))
            }

            /// `XPENDING key group`: the group's pending entries in summary (count, first and last id, per consumer).
            fn xpending<K: ToArgs, G: ToArgs>(key: K, group: G) {
                cmd("XPENDING").with_arg((key, group))
            }

            /// `XGROUP DESTROY key group`: deletes the consumer group (`true` if it existed).
            fn xgroup_destroy<K: ToArgs, G: ToArgs>(key: K, group: G) {
                cmd("XGROUP").with_arg(("DESTROY", key, group))
            }

            /// `XGROUP SETID key group id`: moves the group's last-delivered id.
            fn xgroup_setid<K: ToArgs, G: ToArgs, ID: ToArgs>(key: K, group: G, id: ID) {
                cmd("XGROUP").with_arg(("SETID", key, group, id))
            }

            /// `XGROUP CREATECONSUMER key group consumer`: `true` if the consumer was created.
            fn xgroup_createconsumer<K: ToArgs, G: ToArgs, C: ToArgs>(key: K, group: G, consumer: C) {
                cmd("XGROUP").with_arg(("CREATECONSUMER", key, group, consumer))
            }

            /// `XGROUP DELCONSUMER key group consumer`: how many pending entries the consumer had.
            fn xgroup_delconsumer<K: ToArgs, G: ToArgs, C: ToArgs>(key: K, group: G, consumer: C) {
                cmd("XGROUP").with_arg(("DELCONSUMER", key, group, consumer))
            }

            /// `SCRIPT EXISTS sha1 [sha1 ...]`: whether each script is in the server's cache.
            fn script_exists<D: ToArgs>(digests: D) {
                cmd("SCRIPT").with_arg(("EXISTS", digests))
            }

            /// `SCRIPT FLUSH`: empties the server's script cache.
            fn script_flush() {
                cmd("SCRIPT").with_arg("FLUSH")
            }

            /// `CLIENT ID`: this connection's id.
            fn client_id() {
                cmd("CLIENT").with_arg("ID")
            }

            /// `CLIENT INFO`: this connection's line of `CLIENT LIST`.
            fn client_info() {
                cmd("CLIENT").with_arg("INFO")
            }

            /// `CLIENT LIST`: every connection to the server, one line each.
            fn client_list() {
                cmd("CLIENT").with_arg("LIST")
            }
            /// `SETBIT key offset 1|0`: sets the bit at `offset`; the bit it had.
            fn setbit<K: ToArgs>(key: K, offset: u64, value: bool) {
                cmd("SETBIT").with_arg((key, offset, value))
            }

            /// `BITCOUNT key`: how many bits are set.
            fn bitcount<K: ToArgs>(key: K) {
                cmd("BITCOUNT").with_arg(key)
            }

            /// `BITCOUNT key start end`: how many bits are set in the byte range.
            fn bitcount_range<K: ToArgs>(key: K, start: i64, end: i64) {
                cmd("BITCOUNT").with_arg((key, start, end))
            }

            /// `BITPOS key 1|0`: the position of the first bit set (or clear), -1 when none.
            fn bitpos<K: ToArgs>(key: K, bit: bool) {
                cmd("BITPOS").with_arg((key, bit))
            }

            /// `LPOS key element`: the index of the first `element`, nil when missing.
            fn lpos<K: ToArgs, V: ToArgs>(key: K, value: V) {
                cmd("LPOS").with_arg((key, value))
            }

            /// `ZINTERSTORE destination numkeys key [key ...]`: stores the intersection; its size.
            fn zinterstore<D: ToArgs, K: ToArgs>(destination: D, keys: K) {
                let numkeys = keys.num_args();
                cmd("ZINTERSTORE").with_arg((destination, numkeys, keys))
            }

            /// `ZUNIONSTORE destination numkeys key [key ...]`: stores the union; its size.
            fn zunionstore<D: ToArgs, K: ToArgs>(destination: D, keys: K) {
                let numkeys = keys.num_args();
                cmd("ZUNIONSTORE").with_arg((destination, numkeys, keys))
            }

            /// `GEOADD key longitude latitude member [...]`: how many members were added.
            fn geo_add<K: ToArgs, M: ToArgs>(key: K, members: &[(f64, f64, M)]) {
                cmd("GEOADD").with_arg((key, members))
            }

            /// `GEODIST key member1 member2 unit`: the distance, nil when a member is missing.
            fn geo_dist<K: ToArgs, M1: ToArgs, M2: ToArgs>(
                key: K,
                member1: M1,
                member2: M2,
                unit: ferrodis_core::cmd::GeoUnit,
            ) {
                cmd("GEODIST").with_arg((key, member1, member2, unit))
            }

            /// `GEOSEARCH key origin shape`: the members inside the shape around the origin.
            fn geo_search<K: ToArgs>(
                key: K,
                origin: ferrodis_core::cmd::GeoOrigin<'_>,
                shape: ferrodis_core::cmd::GeoShape,
            ) {
                cmd("GEOSEARCH").with_arg((key, origin, shape))
            }

            /// `XREVRANGE key end start`: the entries from `end` down to `start`.
            fn xrevrange<K: ToArgs, E: ToArgs, S: ToArgs>(key: K, end: E, start: S) {
                cmd("XREVRANGE").with_arg((key, end, start))
            }

            /// `XPENDING key group start end count`: up to `count` pending entries, each
            /// `(id, consumer, idle ms, deliveries)`.
            fn xpending_count<K: ToArgs, G: ToArgs, S: ToArgs, E: ToArgs>(
                key: K,
                group: G,
                start: S,
                end: E,
                count: u64,
            ) {
                cmd("XPENDING").with_arg((key, group, start, end, count))
            }

            /// `EVAL_RO script numkeys key [key ...] arg [arg ...]`: a read-only script.
            fn eval_ro<S: ToArgs, K: ToArgs, A: ToArgs>(script: S, keys: K, args: A) {
                let numkeys = keys.num_args();
                cmd("EVAL_RO").with_arg((script, numkeys, keys, args))
            }

            /// `EVALSHA_RO sha1 numkeys key [key ...] arg [arg ...]`: a read-only cached script.
            fn evalsha_ro<S: ToArgs, K: ToArgs, A: ToArgs>(sha1: S, keys: K, args: A) {
                let numkeys = keys.num_args();
                cmd("EVALSHA_RO").with_arg((sha1, numkeys, keys, args))
            }

            /// `CLIENT KILL ID id`: closes the connection with this id (how many were closed).
            fn client_kill_id(id: u64) {
                cmd("CLIENT").with_arg(("KILL", "ID", id))
            }
        }
    };
}

pub(super) use for_each_command;
