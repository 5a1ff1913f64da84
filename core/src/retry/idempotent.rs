//! [`is_safe_to_retry`]: which commands may be sent again when an attempt may have run.

use crate::cmd::lookup_command;

/// Whether the command in `args` (name first, then its arguments) may be sent again after
/// an attempt whose fate is unknown ([`Delivery::Unknown`](crate::Delivery::Unknown)):
/// running it twice has the effect of running it once, and its reply is as true the second
/// time. Mark such a request with [`Retry::mark_idempotent`](super::Retry::mark_idempotent).
///
/// True for the commands the [command table](crate::cmd::lookup) flags `readonly` (`GET`,
/// `MGET`, `EXISTS`, `TTL`, `HGETALL`, `LRANGE`, `SMEMBERS`, `ZRANGE`, `SCAN`, `XRANGE`,
/// `XREAD`, `EVAL_RO`, `FCALL_RO`, ...), and for `PING` and `ECHO`. False for every write
/// and for unknown commands, including the writes that are idempotent in effect (`SET`
/// without `GET`, `NX` or `XX`; `DEL`, `HSET`, `SADD`, `EXPIREAT`): sending them again
/// may overwrite what another client wrote in between, so only the caller can say they
/// are safe. See the [module docs](super) for the list.
///
/// ```
/// use ferrodis_core::retry::is_safe_to_retry;
///
/// assert!(is_safe_to_retry(&["GET", "k"]));
/// assert!(is_safe_to_retry(&["xread", "STREAMS", "s", "0"]));
/// assert!(is_safe_to_retry(&["PING"]));
/// assert!(!is_safe_to_retry(&["INCR", "k"]));
/// assert!(!is_safe_to_retry(&["SET", "k", "v"])); // the caller may mark it
/// assert!(!is_safe_to_retry::<&str>(&[]));
/// ```
pub fn is_safe_to_retry<A: AsRef<[u8]>>(args: &[A]) -> bool {
    let Some(info) = lookup_command(args) else {
        return false;
    };
    info.is_readonly() || matches!(info.name, "ping" | "echo")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_safe_and_writes_are_not() {
        let safe: &[&[&str]] = &[
            &["GET", "k"],
            &["mget", "a", "b"],
            &["EXISTS", "k"],
            &["TTL", "k"],
            &["PTTL", "k"],
            &["HGETALL", "h"],
            &["LRANGE", "l", "0", "-1"],
            &["ZRANGE", "z", "0", "-1"],
            &["SCAN", "0"],
            &["XRANGE", "s", "-", "+"],
            &["XREAD", "BLOCK", "0", "STREAMS", "s", "$"],
            &["EVAL_RO", "return 1", "0"],
            &["FCALL_RO", "f", "0"],
            &["OBJECT", "ENCODING", "k"],
            &["Ping"],
            &["ECHO", "x"],
        ];
        let unsafe_: &[&[&str]] = &[
            &["SET", "k", "v"],
            &["SET", "k", "v", "NX"],
            &["INCR", "k"],
            &["INCRBY", "k", "2"],
            &["APPEND", "k", "x"],
            &["LPUSH", "l", "x"],
            &["RPOP", "l"],
            &["BLPOP", "l", "0"],
            &["SPOP", "s"],
            &["XADD", "s", "*", "f", "v"],
            &["XREADGROUP", "GROUP", "g", "c", "STREAMS", "s", ">"],
            &["GETDEL", "k"],
            &["GETEX", "k", "EX", "10"],
            &["EXPIRE", "k", "10"],
            &["DEL", "k"],
            &["EVAL", "return 1", "0"],
            &["MULTI"],
            &["EXEC"],
            &["PUBLISH", "c", "m"],
            &["NO-SUCH-COMMAND"],
            &[],
        ];
        for args in safe {
            assert!(is_safe_to_retry(args), "{args:?}");
        }
        for args in unsafe_ {
            assert!(!is_safe_to_retry(args), "{args:?}");
        }
    }
}
