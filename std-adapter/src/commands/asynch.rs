//! [`AsyncCommands`]: typed command methods on the multiplexed connection, and
//! [`MultiplexedConnection::query`].

use std::future::Future;
use std::num::NonZeroUsize;

use super::scan::ScanCommand;
use super::scan_stream::ScanStream;
use super::{
    Direction, Expiry, ScanOptions, SetOptions, StreamMaxlen, StreamReadOptions, build, into_cmd, list,
};
use crate::error::{Error, Result};
use crate::multiplexed::MultiplexedConnection;
use crate::value::{Cmd, FromValue, ToArgs, Value};

impl MultiplexedConnection {
    /// Sends `cmd` and converts its reply to `T` (any [`FromValue`] type):
    /// redis-rs's `cmd.query_async(&mut conn)`.
    ///
    /// The arguments are encoded from the [`Cmd`]'s buffer without another copy, and the
    /// reply converts straight from the reply bytes ([`FromValue::from_frame`]). An error
    /// reply is [`ErrorKind::Server`](crate::ErrorKind::Server) with the server's whole
    /// text; a reply that does not convert is
    /// [`ErrorKind::Conversion`](crate::ErrorKind::Conversion).
    ///
    /// ```no_run
    /// # async fn demo() -> ferrodis_std::Result<()> {
    /// use ferrodis_std::{Client, cmd};
    ///
    /// let conn = Client::open("redis://127.0.0.1/")?.get_multiplexed_connection().await?;
    /// let hits: i64 = conn.query(&cmd("INCR").with_arg("hits")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn query<T: FromValue>(&self, cmd: &Cmd) -> Result<T> {
        self.request_with(cmd, |frame| T::from_frame(&frame)).await?.map_err(Error::from)
    }

    /// Sends `cmd` and returns its reply as an owned [`Value`].
    pub async fn req(&self, cmd: &Cmd) -> Result<Value> {
        self.query(cmd).await
    }
}

/// Expands the list into [`AsyncCommands`] methods. The command is built before the
/// future, so the future holds the [`Cmd`] and not the arguments.
macro_rules! async_methods {
    ($(
        $(#[$attr:meta])*
        fn $name:ident $(<$($gen:ident: $bound:path),* $(,)?>)? ($($arg:ident: $ty:ty),* $(,)?) $body:block
    )*) => {$(
        $(#[$attr])*
        fn $name<$($($gen: $bound,)*)? RV: FromValue>(
            &self,
            $($arg: $ty),*
        ) -> impl Future<Output = Result<RV>> + Send {
            let cmd = into_cmd(build::$name($($arg),*));
            async move { self.query(&cmd).await }
        }
    )*};
}

/// Typed command methods for the multiplexed Tokio connection, as redis-rs's
/// `AsyncCommands`: the same methods as [`Commands`](super::Commands), each returning a
/// `Send` future of the reply as the [`FromValue`] type the caller picks.
///
/// Implemented for [`MultiplexedConnection`] (methods take `&self`, so clones of one
/// connection serve many tasks); another connection type gets every method by implementing
/// [`AsyncCommands::query`].
///
/// ```no_run
/// # async fn demo() -> ferrodis_std::Result<()> {
/// use ferrodis_std::{AsyncCommands, Client};
///
/// let conn = Client::open("redis://127.0.0.1/")?.get_multiplexed_connection().await?;
/// let () = conn.set("greeting", "hello").await?;
/// let greeting: String = conn.get("greeting").await?;
/// let missing = conn.get::<_, Option<String>>("nope").await?;
/// let tasks: Vec<_> = (0..8)
///     .map(|_| {
///         let conn = conn.clone();
///         tokio::spawn(async move { conn.incr::<_, _, i64>("hits", 1).await })
///     })
///     .collect();
/// for task in tasks {
///     task.await.expect("task panicked")?;
/// }
/// # Ok(()) }
/// ```
pub trait AsyncCommands: Sync {
    /// Sends `cmd` and converts its reply to `T`: the one method an implementation
    /// provides.
    fn query<T: FromValue>(&self, cmd: &Cmd) -> impl Future<Output = Result<T>> + Send;

    list::for_each_command!(async_methods);

    /// `SCAN 0 MATCH pattern`, continued with each returned cursor: a stream of the
    /// matching keys (each an `RV`), fetched a page at a time (see [`ScanStream`]).
    ///
    /// ```no_run
    /// # async fn demo() -> ferrodis_std::Result<()> {
    /// use ferrodis_std::{AsyncCommands, Client};
    ///
    /// let conn = Client::open("redis://127.0.0.1/")?.get_multiplexed_connection().await?;
    /// let mut keys = conn.scan_match::<_, String>("user:*");
    /// while let Some(key) = keys.next_item().await {
    ///     println!("{}", key?);
    /// }
    /// # Ok(()) }
    /// ```
    fn scan_match<P: ToArgs, RV: FromValue + Send + 'static>(&self, pattern: P) -> ScanStream<'_, Self, RV> {
        ScanStream::new(self, ScanCommand::new("SCAN", (), ("MATCH", pattern)))
    }

    /// [`scan_match`](Self::scan_match) over every key.
    fn scan<RV: FromValue + Send + 'static>(&self) -> ScanStream<'_, Self, RV> {
        ScanStream::new(self, ScanCommand::new("SCAN", (), ()))
    }

    /// `SCAN` with [`ScanOptions`]: a pattern, a `COUNT` hint, a key `TYPE`.
    fn scan_options<RV: FromValue + Send + 'static>(&self, options: ScanOptions) -> ScanStream<'_, Self, RV> {
        ScanStream::new(self, ScanCommand::new("SCAN", (), options))
    }

    /// `HSCAN key`: the fields and values of a hash, as `(field, value)` pairs when `RV`
    /// is a pair.
    fn hscan<K: ToArgs, RV: FromValue + Send + 'static>(&self, key: K) -> ScanStream<'_, Self, RV> {
        ScanStream::new(self, ScanCommand::new("HSCAN", key, ()))
    }

    /// `HSCAN key MATCH pattern`: the fields matching `pattern`, with their values.
    fn hscan_match<K: ToArgs, P: ToArgs, RV: FromValue + Send + 'static>(
        &self,
        key: K,
        pattern: P,
    ) -> ScanStream<'_, Self, RV> {
        ScanStream::new(self, ScanCommand::new("HSCAN", key, ("MATCH", pattern)))
    }

    /// `SSCAN key`: the members of a set.
    fn sscan<K: ToArgs, RV: FromValue + Send + 'static>(&self, key: K) -> ScanStream<'_, Self, RV> {
        ScanStream::new(self, ScanCommand::new("SSCAN", key, ()))
    }

    /// `SSCAN key MATCH pattern`: the members matching `pattern`.
    fn sscan_match<K: ToArgs, P: ToArgs, RV: FromValue + Send + 'static>(
        &self,
        key: K,
        pattern: P,
    ) -> ScanStream<'_, Self, RV> {
        ScanStream::new(self, ScanCommand::new("SSCAN", key, ("MATCH", pattern)))
    }

    /// `ZSCAN key`: the members of a sorted set with their scores, as `(member, score)`
    /// pairs when `RV` is a pair.
    fn zscan<K: ToArgs, RV: FromValue + Send + 'static>(&self, key: K) -> ScanStream<'_, Self, RV> {
        ScanStream::new(self, ScanCommand::new("ZSCAN", key, ()))
    }

    /// `ZSCAN key MATCH pattern`: the members matching `pattern`, with their scores.
    fn zscan_match<K: ToArgs, P: ToArgs, RV: FromValue + Send + 'static>(
        &self,
        key: K,
        pattern: P,
    ) -> ScanStream<'_, Self, RV> {
        ScanStream::new(self, ScanCommand::new("ZSCAN", key, ("MATCH", pattern)))
    }
}

impl AsyncCommands for MultiplexedConnection {
    fn query<T: FromValue>(&self, cmd: &Cmd) -> impl Future<Output = Result<T>> + Send {
        MultiplexedConnection::query(self, cmd)
    }
}
