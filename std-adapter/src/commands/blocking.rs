//! [`Commands`]: typed command methods on a blocking connection, and
//! [`Connection::query`].

use std::num::NonZeroUsize;

use super::scan::{ScanCommand, ScanIter};
use super::{Direction, Expiry, ScanOptions, SetOptions, StreamMaxlen, StreamReadOptions, build, list};
use ferrodis_core::resp::CommandArgs;

use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::value::{Cmd, FromValue, ToArgs, Value};

impl Connection {
    /// Sends `cmd` and converts its reply to `T` (any [`FromValue`] type), in one round
    /// trip: redis-rs's `cmd.query(&mut conn)`.
    ///
    /// The arguments go from the [`Cmd`]'s buffer to the socket without another copy, and
    /// the reply converts straight from the read buffer ([`FromValue::from_frame`]). An
    /// error reply is [`ErrorKind::Server`](crate::ErrorKind::Server) with the server's
    /// whole text; a reply that does not convert is
    /// [`ErrorKind::Conversion`](crate::ErrorKind::Conversion). Both leave the connection
    /// usable.
    ///
    /// ```no_run
    /// use ferrodis_std::{Client, cmd};
    ///
    /// let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
    /// let () = conn.query(&cmd("SET").with_arg(("k", 42)))?;
    /// let n: i64 = conn.query(&cmd("GET").with_arg("k"))?;
    /// assert_eq!(n, 42);
    /// # Ok::<(), ferrodis_std::Error>(())
    /// ```
    pub fn query<T: FromValue>(&mut self, cmd: &(impl CommandArgs + ?Sized)) -> Result<T> {
        self.request_with(cmd, |frame| T::from_frame(&frame))?.map_err(Error::from)
    }

    /// Sends `cmd` and returns its reply as an owned [`Value`]: redis-rs's `req_command`.
    pub fn req(&mut self, cmd: &Cmd) -> Result<Value> {
        self.query(cmd)
    }
}

/// Expands the list into [`Commands`] methods.
macro_rules! blocking_methods {
    ($(
        $(#[$attr:meta])*
        fn $name:ident $(<$($gen:ident: $bound:path),* $(,)?>)? ($($arg:ident: $ty:ty),* $(,)?) $body:block
    )*) => {$(
        $(#[$attr])*
        fn $name<$($($gen: $bound,)*)? RV: FromValue>(&mut self, $($arg: $ty),*) -> Result<RV> {
            self.query(&build::$name($($arg),*))
        }
    )*};
}

/// Typed command methods for a blocking connection, as redis-rs's `Commands`: each takes
/// [`ToArgs`] arguments and returns the reply as the [`FromValue`] type the caller picks.
///
/// Implemented for [`Connection`]; another connection type gets every method by
/// implementing [`Commands::query`].
///
/// ```no_run
/// use std::collections::HashMap;
///
/// use ferrodis_std::{Client, Commands};
///
/// let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
/// let () = conn.set("greeting", "hello")?;
/// let greeting: String = conn.get("greeting")?;
/// let missing = conn.get::<_, Option<String>>("nope")?;
/// let hits: i64 = conn.incr("hits", 1)?;
/// conn.hset_multiple::<_, _, _, ()>("user:1", &[("name", "Ada"), ("born", "1815")])?;
/// let user: HashMap<String, String> = conn.hgetall("user:1")?;
/// for key in conn.scan_match::<_, String>("user:*")? {
///     println!("{}", key?);
/// }
/// # Ok::<(), ferrodis_std::Error>(())
/// ```
pub trait Commands {
    /// Sends `cmd` and converts its reply to `T`: the one method an implementation
    /// provides.
    ///
    /// `cmd` is any [`CommandArgs`]: a [`Cmd`], an argument array, a typed builder of
    /// `ferrodis_core::cmd`. The methods below send their arguments as given, without
    /// copying them into a `Cmd` first.
    fn query<T: FromValue>(&mut self, cmd: &(impl CommandArgs + ?Sized)) -> Result<T>;

    list::for_each_command!(blocking_methods);

    /// `SCAN 0 MATCH pattern`, continued with each returned cursor: an iterator over the
    /// matching keys (each an `RV`), with the first page fetched here (see [`ScanIter`]).
    fn scan_match<P: ToArgs, RV: FromValue>(&mut self, pattern: P) -> Result<ScanIter<'_, Self, RV>> {
        ScanIter::start(self, ScanCommand::new("SCAN", (), ("MATCH", pattern)))
    }

    /// [`scan_match`](Self::scan_match) over every key.
    fn scan<RV: FromValue>(&mut self) -> Result<ScanIter<'_, Self, RV>> {
        self.scan_options(ScanOptions::default())
    }

    /// `SCAN` with [`ScanOptions`]: a pattern, a `COUNT` hint, a key `TYPE`.
    fn scan_options<RV: FromValue>(&mut self, options: ScanOptions) -> Result<ScanIter<'_, Self, RV>> {
        ScanIter::start(self, ScanCommand::new("SCAN", (), options))
    }

    /// `HSCAN key`: the fields and values of a hash, as `(field, value)` pairs when `RV`
    /// is a pair.
    fn hscan<K: ToArgs, RV: FromValue>(&mut self, key: K) -> Result<ScanIter<'_, Self, RV>> {
        ScanIter::start(self, ScanCommand::new("HSCAN", key, ()))
    }

    /// `HSCAN key MATCH pattern`: the fields matching `pattern`, with their values.
    fn hscan_match<K: ToArgs, P: ToArgs, RV: FromValue>(
        &mut self,
        key: K,
        pattern: P,
    ) -> Result<ScanIter<'_, Self, RV>> {
        ScanIter::start(self, ScanCommand::new("HSCAN", key, ("MATCH", pattern)))
    }

    /// `SSCAN key`: the members of a set.
    fn sscan<K: ToArgs, RV: FromValue>(&mut self, key: K) -> Result<ScanIter<'_, Self, RV>> {
        ScanIter::start(self, ScanCommand::new("SSCAN", key, ()))
    }

    /// `SSCAN key MATCH pattern`: the members matching `pattern`.
    fn sscan_match<K: ToArgs, P: ToArgs, RV: FromValue>(
        &mut self,
        key: K,
        pattern: P,
    ) -> Result<ScanIter<'_, Self, RV>> {
        ScanIter::start(self, ScanCommand::new("SSCAN", key, ("MATCH", pattern)))
    }

    /// `ZSCAN key`: the members of a sorted set with their scores, as `(member, score)`
    /// pairs when `RV` is a pair.
    fn zscan<K: ToArgs, RV: FromValue>(&mut self, key: K) -> Result<ScanIter<'_, Self, RV>> {
        ScanIter::start(self, ScanCommand::new("ZSCAN", key, ()))
    }

    /// `ZSCAN key MATCH pattern`: the members matching `pattern`, with their scores.
    fn zscan_match<K: ToArgs, P: ToArgs, RV: FromValue>(
        &mut self,
        key: K,
        pattern: P,
    ) -> Result<ScanIter<'_, Self, RV>> {
        ScanIter::start(self, ScanCommand::new("ZSCAN", key, ("MATCH", pattern)))
    }
}

impl Commands for Connection {
    fn query<T: FromValue>(&mut self, cmd: &(impl CommandArgs + ?Sized)) -> Result<T> {
        Connection::query(self, cmd)
    }
}
