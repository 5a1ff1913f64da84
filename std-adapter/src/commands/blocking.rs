//! [`Commands`]: typed command methods on a blocking connection, and
//! [`Connection::query`].

use std::num::NonZeroUsize;

use super::{SetOptions, StreamMaxlen, build, into_cmd, list, match_tail, scan_command};
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
    pub fn query<T: FromValue>(&mut self, cmd: &Cmd) -> Result<T> {
        self.request_args_with(cmd, |frame| T::from_frame(&frame))?.map_err(Error::from)
    }

    /// Sends `cmd` and returns its reply as an owned [`Value`]: redis-rs's `req_command`.
    pub fn req(&mut self, cmd: &Cmd) -> Result<Value> {
        self.query(cmd)
    }
}

impl Cmd {
    /// Sends this command on `conn` and converts the reply to `T`, as redis-rs's
    /// `cmd("SET").arg("k").arg(1).query(&mut conn)`; the same as
    /// [`Commands::query`].
    ///
    /// ```no_run
    /// use ferrodis_std::{Client, cmd};
    ///
    /// let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
    /// let () = cmd("SET").arg("k").arg(1).query(&mut conn)?;
    /// # Ok::<(), ferrodis_std::Error>(())
    /// ```
    pub fn query<T: FromValue>(&self, conn: &mut impl Commands) -> Result<T> {
        conn.query(self)
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
            self.query(&into_cmd(build::$name($($arg),*)))
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
    fn query<T: FromValue>(&mut self, cmd: &Cmd) -> Result<T>;

    list::for_each_command!(blocking_methods);

    /// `SCAN 0 MATCH pattern`, continued with each returned cursor: an iterator over the
    /// matching keys (each an `RV`). The first `SCAN` is sent here; each later one when
    /// the keys already fetched run out. A failed `SCAN` is yielded as an `Err` and ends
    /// the iteration. Keys may repeat, as `SCAN` promises no more.
    fn scan_match<P: ToArgs, RV: FromValue>(&mut self, pattern: P) -> Result<ScanIter<'_, Self, RV>> {
        ScanIter::start(self, match_tail(pattern))
    }

    /// [`scan_match`](Self::scan_match) over every key.
    fn scan<RV: FromValue>(&mut self) -> Result<ScanIter<'_, Self, RV>> {
        ScanIter::start(self, Vec::new())
    }
}

impl Commands for Connection {
    fn query<T: FromValue>(&mut self, cmd: &Cmd) -> Result<T> {
        Connection::query(self, cmd)
    }
}

/// The keys of [`Commands::scan_match`]: `SCAN` with each cursor until the server returns
/// cursor 0.
pub struct ScanIter<'a, C: Commands + ?Sized, RV> {
    conn: &'a mut C,
    /// The arguments after the cursor (`MATCH pattern`).
    tail: Vec<Vec<u8>>,
    cursor: u64,
    batch: std::vec::IntoIter<RV>,
    /// Whether no more `SCAN` is due: the cursor came back 0, or one failed.
    finished: bool,
}

impl<'a, C: Commands + ?Sized, RV: FromValue> ScanIter<'a, C, RV> {
    /// Sends the first `SCAN`.
    fn start(conn: &'a mut C, tail: Vec<Vec<u8>>) -> Result<Self> {
        let mut iter = ScanIter { conn, tail, cursor: 0, batch: Vec::new().into_iter(), finished: false };
        iter.fetch()?;
        Ok(iter)
    }

    /// Sends the next `SCAN`.
    fn fetch(&mut self) -> Result<()> {
        let reply: Result<(u64, Vec<RV>)> = self.conn.query(&scan_command(self.cursor, &self.tail));
        let (cursor, batch) = reply.inspect_err(|_| self.finished = true)?;
        self.cursor = cursor;
        self.finished = cursor == 0;
        self.batch = batch.into_iter();
        Ok(())
    }
}

impl<C: Commands + ?Sized, RV: FromValue> Iterator for ScanIter<'_, C, RV> {
    type Item = Result<RV>;

    fn next(&mut self) -> Option<Result<RV>> {
        loop {
            if let Some(key) = self.batch.next() {
                return Some(Ok(key));
            }
            if self.finished {
                return None;
            }
            if let Err(e) = self.fetch() {
                return Some(Err(e));
            }
        }
    }
}

impl<C: Commands + ?Sized, RV> std::fmt::Debug for ScanIter<'_, C, RV> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScanIter")
            .field("cursor", &self.cursor)
            .field("buffered", &self.batch.len())
            .field("finished", &self.finished)
            .finish()
    }
}
