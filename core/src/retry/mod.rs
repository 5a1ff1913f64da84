//! Retrying failed requests, as pure logic: the [`Backoff`] strategies and their
//! [`Delays`], and the [`RetryPolicy`] whose [`Retry`] state machine says, for each failed
//! attempt, "send again after this delay" or "give up" ([`Decision`]).
//!
//! Nothing here reads a clock, draws a random number or sleeps: the caller passes `now`
//! (its monotonic clock as a [`Duration`](core::time::Duration) since any fixed origin) and
//! a random `u32` from its RNG in, and sleeps the delay it gets back. The std clients and
//! `ferrodis-embassy`'s reconnect loop drive the same code.
//!
//! ```
//! use core::time::Duration;
//! use ferrodis_core::retry::{is_safe_to_retry, Backoff, Decision, RetryPolicy};
//! use ferrodis_core::{Delivery, Error, ErrorKind};
//! use embedded_io::ErrorKind as Io;
//!
//! let ms = Duration::from_millis;
//! let policy = RetryPolicy::new(Backoff::FullJitter { base: ms(20), cap: ms(1000) }, 2).retry_on_timeout(true);
//! let args = ["MGET", "a", "b"];
//! let mut retry = policy.begin(Duration::ZERO);
//! if is_safe_to_retry(&args) {
//!     retry = retry.mark_idempotent();
//! }
//! // Two attempts time out after the request was written, a third one succeeds.
//! let (mut now, mut sent) = (Duration::ZERO, 1);
//! let result: Result<&str, Error<Io>> = loop {
//!     let attempt = if sent < 3 { Err(Error::new(ErrorKind::Io(Io::TimedOut), Delivery::Unknown)) } else { Ok("a, b") };
//!     let Err(e) = attempt else { break attempt };
//!     match retry.on_error(&e, now, 0x8000_0000 /* from the RNG */) {
//!         Decision::RetryAfter(delay) => now += delay, // sleep, then send again
//!         Decision::GiveUp(_) => break Err(e),
//!     }
//!     sent += 1;
//! };
//! assert_eq!(result, Ok("a, b"));
//! assert_eq!((retry.failures(), now), (2, ms(30))); // 10 ms, then 20 ms
//! ```
//!
//! # What is retried
//!
//! A policy retries the [`ErrorClass`]es of its [`RetryOn`] set: connection errors by
//! default, timeouts with [`retry_on_timeout`](RetryPolicy::retry_on_timeout), and error
//! replies of the kinds given to [`retry_on_error`](RetryPolicy::retry_on_error) (such as
//! [`RetryOn::UNAVAILABLE`]: `LOADING`, `BUSY`, `TRYAGAIN`, `CLUSTERDOWN`, `MASTERDOWN`).
//! What another attempt cannot fix (an unencodable request, a protocol violation, a reply
//! that does not fit or convert) is never retried. Then the failure's
//! [`Delivery`](crate::Delivery) decides:
//!
//! - [`NotSent`](crate::Delivery::NotSent): nothing reached the server; sent again.
//! - [`Answered`](crate::Delivery::Answered): the server refused the command with an error
//!   reply and did not run it; sent again if the policy retries that kind. (A script
//!   that raises such an error itself after writing is the exception: do not choose the
//!   kinds your scripts raise.)
//! - [`Unknown`](crate::Delivery::Unknown): the request was written and the connection
//!   failed or timed out before the reply; the server may have run it. Sent again **only
//!   if the caller marked it idempotent** ([`Retry::mark_idempotent`]).
//!
//! # Which commands are safe to send twice
//!
//! [`is_safe_to_retry`] says which commands may be marked idempotent without a second
//! thought: those the command table flags `readonly`, and `PING` and `ECHO`.
//!
//! | | commands |
//! |---|---|
//! | safe: read only | `GET`, `MGET`, `GETRANGE`, `STRLEN`, `EXISTS`, `TYPE`, `TTL`, `PTTL`, `EXPIRETIME`, `DUMP`, `KEYS`, `SCAN`, `DBSIZE`, `RANDOMKEY`, `HGET`, `HMGET`, `HGETALL`, `HKEYS`, `HVALS`, `HLEN`, `HEXISTS`, `HSCAN`, `LRANGE`, `LINDEX`, `LLEN`, `LPOS`, `SMEMBERS`, `SISMEMBER`, `SCARD`, `SINTER`, `SUNION`, `SDIFF`, `SSCAN`, `ZRANGE`, `ZSCORE`, `ZRANK`, `ZCARD`, `ZCOUNT`, `ZSCAN`, `XRANGE`, `XREVRANGE`, `XLEN`, `XREAD`, `XPENDING`, `XINFO`, `GEOPOS`, `GEODIST`, `GEOSEARCH`, `BITCOUNT`, `GETBIT`, `PFCOUNT`, `SORT_RO`, `EVAL_RO`, `EVALSHA_RO`, `FCALL_RO`, `OBJECT ENCODING`, `MEMORY USAGE`, ... (every `readonly` command) |
//! | safe: no data | `PING`, `ECHO` |
//! | idempotent in effect, the caller's call | `SET` without `GET`, `NX` or `XX` (with `EX` the expiry restarts); `MSET`, `DEL`, `UNLINK`, `HSET`, `HDEL`, `SADD`, `SREM`, `ZADD` without `INCR`, `ZREM`, `LSET`, `SETRANGE`, `EXPIREAT`, `PEXPIREAT`, `PERSIST`, `PFADD`: the same state after two runs as after one, but a second run can undo another client's write made in between, and a reply can change (`SADD` counts 1, then 0) |
//! | never | counters (`INCR`, `INCRBY`, `DECR`, `HINCRBY`, `ZINCRBY`, `INCRBYFLOAT`), appends and pushes (`APPEND`, `LPUSH`, `RPUSH`, `XADD` with `*`), pops and moves (`LPOP`, `RPOP`, `BLPOP`, `LMOVE`, `SPOP`, `GETDEL`, `XREADGROUP`), relative expiry (`EXPIRE`, `GETEX`), conditional writes (`SET NX`, `SETNX`, `RENAME`), `PUBLISH`, `EVAL`, `FCALL`, `MULTI`/`EXEC` |
//!
//! A pipeline or transaction is safe to send again only if every command in it is.

mod backoff;
mod class;
mod idempotent;
mod policy;

pub use backoff::{Backoff, Delays};
pub use class::{ErrorClass, RetryOn};
pub use idempotent::is_safe_to_retry;
pub use policy::{Decision, GiveUpReason, Retry, RetryPolicy};
