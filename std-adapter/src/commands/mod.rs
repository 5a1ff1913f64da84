//! The redis-rs-style command layer: typed command methods on connections ([`Commands`],
//! [`AsyncCommands`]), pipelines and transactions ([`Pipeline`], [`pipe`],
//! [`Connection::transaction`](crate::Connection::transaction)).
//!
//! Every command method comes from one list (`list.rs`), expanded four times: into
//! builders (`build`), the blocking trait, the async trait and the pipeline.
//!
//! A method's arguments are [`ToArgs`] values and its reply any [`FromValue`] type, chosen
//! by the caller as in redis-rs: `conn.get::<_, Option<String>>("k")`, or
//! `let n: i64 = conn.incr("hits", 1)?;`.

#[cfg(feature = "tokio")]
mod asynch;
mod blocking;
mod list;
mod options;
mod parts;
mod pipeline;
mod query;
mod queued;
mod scan;
#[cfg(feature = "tokio")]
mod scan_stream;
mod transaction;

use std::num::NonZeroUsize;

use ferrodis_core::resp::{Arg, CommandArgs};

use crate::value::{ArgSink, ToArgs};

#[cfg(feature = "tokio")]
pub use asynch::AsyncCommands;
pub use blocking::Commands;
pub use options::{Direction, Expiry, ScanOptions, StreamReadOptions};
#[cfg(feature = "tokio")]
pub use pipeline::AsyncPipelineConnection;
pub use pipeline::{Pipeline, PipelineConnection, pipe};
pub use query::CmdQuery;
pub use scan::ScanIter;
#[cfg(feature = "tokio")]
pub use scan_stream::ScanStream;

/// A sink that only notes whether a float argument went by.
struct FloatProbe(bool);

impl ArgSink for FloatProbe {
    fn push(&mut self, arg: Arg<'_>) {
        self.0 |= matches!(arg, Arg::Float(_));
    }
}

/// The [`Cmd`](crate::Cmd) of a command from [`build`], for a future that owns its command.
#[cfg(any(feature = "tokio", test))]
fn into_cmd(command: impl ToArgs) -> crate::value::Cmd {
    let mut cmd = crate::value::Cmd::default();
    cmd.arg(command);
    cmd
}

/// Whether `value` is a float, so `incr` sends `INCRBYFLOAT` as redis-rs does.
fn is_float<V: ToArgs + ?Sized>(value: &V) -> bool {
    let mut probe = FloatProbe(false);
    value.write_args(&mut probe);
    probe.0
}

/// The builders, one per entry of the list. The list's bodies call `cmd`, which here is
/// [`parts::cmd`]: a builder returns the command's name and arguments as given
/// ([`Parts`](parts::Parts)), so a pipeline copies them once, into its own buffer, and a
/// connection into a [`Cmd`] ([`into_cmd`]).
mod build {
    use super::parts::cmd;
    use super::*;

    macro_rules! builders {
        ($(
            $(#[$attr:meta])*
            fn $name:ident $(<$($gen:ident: $bound:path),* $(,)?>)?
                ($($arg:ident: $ty:ty),* $(,)?) $body:block
        )*) => {$(
            pub(super) fn $name $(<$($gen: $bound),*>)? ($($arg: $ty),*) -> impl ToArgs + CommandArgs $body
        )*};
    }

    list::for_each_command!(builders);
}

/// Whether `SET` writes only when the key is missing (`NX`) or only when it exists (`XX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::upper_case_acronyms)]
pub enum ExistenceCheck {
    /// `NX`: only when the key does not exist.
    NX,
    /// `XX`: only when the key exists.
    XX,
}

/// The expiry `SET` gives the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::upper_case_acronyms)]
pub enum SetExpiry {
    /// `EX seconds`.
    EX(u64),
    /// `PX milliseconds`.
    PX(u64),
    /// `EXAT unix-seconds`.
    EXAT(u64),
    /// `PXAT unix-milliseconds`.
    PXAT(u64),
    /// `KEEPTTL`: keep the time to live the key had.
    KEEPTTL,
}

/// The options of `SET` for [`Commands::set_options`], built as in redis-rs.
///
/// With [`SetOptions::get`] the reply is the old value (nil when there was none);
/// otherwise `OK`, or nil when `NX`/`XX` prevented the write.
///
/// ```
/// use ferrodis_std::{ExistenceCheck, SetExpiry, SetOptions, ToArgs};
///
/// let options = SetOptions::default()
///     .conditional_set(ExistenceCheck::NX)
///     .get(true)
///     .with_expiration(SetExpiry::EX(60));
/// let mut args: Vec<Vec<u8>> = Vec::new();
/// options.write_args(&mut args);
/// assert_eq!(args, [&b"NX"[..], b"GET", b"EX", b"60"]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetOptions {
    condition: Option<ExistenceCheck>,
    get: bool,
    expiration: Option<SetExpiry>,
}

impl SetOptions {
    /// Writes only when the key is missing (`NX`) or only when it exists (`XX`).
    #[must_use]
    pub fn conditional_set(mut self, condition: ExistenceCheck) -> Self {
        self.condition = Some(condition);
        self
    }

    /// Returns the old value (`GET`).
    #[must_use]
    pub fn get(mut self, get: bool) -> Self {
        self.get = get;
        self
    }

    /// Sets an expiry (`EX`, `PX`, `EXAT`, `PXAT`) or keeps the current one (`KEEPTTL`).
    #[must_use]
    pub fn with_expiration(mut self, expiration: SetExpiry) -> Self {
        self.expiration = Some(expiration);
        self
    }
}

impl ToArgs for SetOptions {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        match self.condition {
            Some(ExistenceCheck::NX) => out.push(Arg::from("NX")),
            Some(ExistenceCheck::XX) => out.push(Arg::from("XX")),
            None => {}
        }
        if self.get {
            out.push(Arg::from("GET"));
        }
        let (name, amount) = match self.expiration {
            Some(SetExpiry::EX(n)) => ("EX", Some(n)),
            Some(SetExpiry::PX(n)) => ("PX", Some(n)),
            Some(SetExpiry::EXAT(n)) => ("EXAT", Some(n)),
            Some(SetExpiry::PXAT(n)) => ("PXAT", Some(n)),
            Some(SetExpiry::KEEPTTL) => ("KEEPTTL", None),
            None => return,
        };
        out.push(Arg::from(name));
        if let Some(n) = amount {
            out.push(Arg::from(n));
        }
    }
}

/// How [`Commands::xtrim`] trims a stream: `MAXLEN = count` (exactly) or `MAXLEN ~ count`
/// (at least `count` kept, trimmed only in whole macro nodes, which is cheaper).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamMaxlen {
    /// `MAXLEN = count`.
    Equals(usize),
    /// `MAXLEN ~ count`.
    Approx(usize),
}

impl ToArgs for StreamMaxlen {
    fn write_args<S: ArgSink + ?Sized>(&self, out: &mut S) {
        let (mark, count) = match *self {
            StreamMaxlen::Equals(n) => ("=", n),
            StreamMaxlen::Approx(n) => ("~", n),
        };
        out.push(Arg::from("MAXLEN"));
        out.push(Arg::from(mark));
        out.push(Arg::from(count));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{Cmd, cmd};

    fn wire(cmd: &Cmd) -> Vec<&[u8]> {
        cmd.args().collect()
    }

    #[test]
    fn builders_put_arguments_where_redis_wants_them() {
        let cases: Vec<(Cmd, &[&[u8]])> = vec![
            (into_cmd(build::get("k")), &[b"GET", b"k"]),
            (into_cmd(build::get(["a", "b"])), &[b"MGET", b"a", b"b"]),
            (into_cmd(build::set_ex("k", "v", 10)), &[b"SETEX", b"k", b"10", b"v"]),
            (into_cmd(build::incr("n", 2)), &[b"INCRBY", b"n", b"2"]),
            (into_cmd(build::incr("n", 0.5)), &[b"INCRBYFLOAT", b"n", b"0.5"]),
            (into_cmd(build::hincr("h", "f", 1.5f32)), &[b"HINCRBYFLOAT", b"h", b"f", b"1.5"]),
            (into_cmd(build::hget("h", ["f", "g"])), &[b"HMGET", b"h", b"f", b"g"]),
            (into_cmd(build::lpop("l", None)), &[b"LPOP", b"l"]),
            (into_cmd(build::lpop("l", NonZeroUsize::new(3))), &[b"LPOP", b"l", b"3"]),
            (into_cmd(build::blpop("l", 0.25)), &[b"BLPOP", b"l", b"0.25"]),
            (into_cmd(build::zadd("z", "m", 1.5)), &[b"ZADD", b"z", b"1.5", b"m"]),
            (into_cmd(build::zincr("z", "m", 2)), &[b"ZINCRBY", b"z", b"2", b"m"]),
            (into_cmd(build::mset(&[("a", 1), ("b", 2)])), &[b"MSET", b"a", b"1", b"b", b"2"]),
            (
                into_cmd(build::eval("return 1", ["k1", "k2"], 7)),
                &[b"EVAL", b"return 1", b"2", b"k1", b"k2", b"7"],
            ),
            (
                into_cmd(build::xtrim("s", StreamMaxlen::Approx(10))),
                &[b"XTRIM", b"s", b"MAXLEN", b"~", b"10"],
            ),
            (
                into_cmd(build::set_options(
                    "k",
                    "v",
                    SetOptions::default().with_expiration(SetExpiry::KEEPTTL),
                )),
                &[b"SET", b"k", b"v", b"KEEPTTL"],
            ),
            (
                into_cmd(build::set_options(
                    "k",
                    "v",
                    SetOptions::default()
                        .conditional_set(ExistenceCheck::XX)
                        .with_expiration(SetExpiry::PXAT(5)),
                )),
                &[b"SET", b"k", b"v", b"XX", b"PXAT", b"5"],
            ),
            (into_cmd(build::ping()), &[b"PING"]),
            (into_cmd(build::client_getname()), &[b"CLIENT", b"GETNAME"]),
            (
                scan::ScanCommand::new("SCAN", (), ("MATCH", "user:*")).at(17),
                &[b"SCAN", b"17", b"MATCH", b"user:*"],
            ),
            (scan::ScanCommand::new("SCAN", (), ()).at(0), &[b"SCAN", b"0"]),
            (
                scan::ScanCommand::new("HSCAN", "h", ScanOptions::default().with_count(5)).at(3),
                &[b"HSCAN", b"h", b"3", b"COUNT", b"5"],
            ),
            (into_cmd(build::getex("k", Expiry::PX(5))), &[b"GETEX", b"k", b"PX", b"5"]),
            (into_cmd(build::copy("a", "b", true)), &[b"COPY", b"a", b"b", b"REPLACE"]),
            (into_cmd(build::copy("a", "b", false)), &[b"COPY", b"a", b"b"]),
            (
                into_cmd(build::lmove("a", "b", Direction::Left, Direction::Right)),
                &[b"LMOVE", b"a", b"b", b"LEFT", b"RIGHT"],
            ),
            (
                into_cmd(build::xread_options(
                    &["s1", "s2"],
                    &[">", ">"],
                    &StreamReadOptions::default().group("g", "c").count(2),
                )),
                &[b"XREADGROUP", b"GROUP", b"g", b"c", b"COUNT", b"2", b"STREAMS", b"s1", b"s2", b">", b">"],
            ),
            (
                into_cmd(build::xautoclaim("s", "g", "c", 100, "0-0", Some(10))),
                &[b"XAUTOCLAIM", b"s", b"g", b"c", b"100", b"0-0", b"COUNT", b"10"],
            ),
        ];
        for (cmd, want) in &cases {
            assert_eq!(wire(cmd), *want, "{cmd:?}");
        }
    }

    #[test]
    fn a_cmd_encodes_from_its_own_buffer() {
        let set = cmd("SET").with_arg(("k", 42, b"\r\n".as_slice()));
        let mut buf = [0u8; 64];
        let n = ferrodis_core::resp::encode_args(&mut buf, &set).unwrap();
        assert_eq!(&buf[..n], b"*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n42\r\n$2\r\n\r\n\r\n");
        assert_eq!(set.args_len(), 4);
        assert_eq!(
            ferrodis_core::resp::encode_args(&mut buf, &Cmd::default()),
            Err(ferrodis_core::EncodeError::EmptyCommand)
        );
    }
}
