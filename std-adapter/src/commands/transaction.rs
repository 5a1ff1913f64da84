//! Optimistic transactions on a blocking connection: `WATCH`, read, queue, MULTI/EXEC,
//! and again from the start when a watched key changed.

use super::pipeline::Pipeline;
use crate::connection::Connection;
use crate::error::Result;
use crate::value::{FromValue, ToArgs, Value, cmd};

impl Connection {
    /// A `WATCH`ed transaction, exactly as redis-rs's `redis::transaction`: `WATCH`es
    /// `watched` (one key or several), then calls `func` with this connection (for reads)
    /// and an empty atomic [`Pipeline`]. `func` queues the writes and runs the pipeline
    /// with `pipe.query(conn)`, asking for an `Option<...>`: `Ok(None)` means a watched key
    /// changed (EXEC ran nothing), and the whole sequence starts again; `Ok(Some(r))` ends
    /// it with `r`. On an error the keys are `UNWATCH`ed and the error returned.
    ///
    /// There is no retry limit, as in redis-rs: under constant contention it keeps trying.
    ///
    /// ```no_run
    /// use ferrodis_std::{Client, Commands};
    ///
    /// let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
    /// let (balance,): (i64,) = conn.transaction("balance", |conn, pipe| {
    ///     let balance: i64 = conn.get::<_, Option<i64>>("balance")?.unwrap_or(0);
    ///     pipe.set("balance", balance + 10).ignore().get("balance").query(conn)
    /// })?;
    /// # Ok::<(), ferrodis_std::Error>(())
    /// ```
    pub fn transaction<K, R, F>(&mut self, watched: K, mut func: F) -> Result<R>
    where
        K: ToArgs,
        F: FnMut(&mut Connection, &mut Pipeline) -> Result<Option<R>>,
    {
        loop {
            self.query::<()>(&cmd("WATCH").with_arg(&watched))?;
            let mut pipe = Pipeline::new();
            pipe.atomic();
            match func(self, &mut pipe) {
                Ok(None) => continue,
                Ok(Some(result)) => {
                    // EXEC clears the watch; this covers a `func` that did not run one.
                    self.query::<()>(&cmd("UNWATCH"))?;
                    return Ok(result);
                }
                Err(e) => return Err(self.unwatch_after(e)),
            }
        }
    }

    /// A `WATCH`ed transaction in redis-py's form (`r.transaction(func, *watches)`):
    /// `WATCH`es `watched`, then calls `func` with this connection (for reads) and an empty
    /// atomic [`Pipeline`] to fill; this method runs the pipeline in MULTI/EXEC, starts
    /// again from `WATCH` when a watched key changed, and returns the replies not ignored
    /// as a `T` (a tuple, a `Vec`, [`Value`], ...). On an error the keys are `UNWATCH`ed
    /// and the error returned.
    ///
    /// ```no_run
    /// use ferrodis_std::{Client, Commands};
    ///
    /// let mut conn = Client::open("redis://127.0.0.1/")?.get_connection()?;
    /// let (doubled,): (i64,) = conn.transaction_pipeline("n", |conn, pipe| {
    ///     let n: i64 = conn.get::<_, Option<i64>>("n")?.unwrap_or(1);
    ///     pipe.set("n", n * 2).ignore().get("n");
    ///     Ok(())
    /// })?;
    /// # Ok::<(), ferrodis_std::Error>(())
    /// ```
    pub fn transaction_pipeline<K, T, F>(&mut self, watched: K, mut func: F) -> Result<T>
    where
        K: ToArgs,
        T: FromValue,
        F: FnMut(&mut Connection, &mut Pipeline) -> Result<()>,
    {
        loop {
            self.query::<()>(&cmd("WATCH").with_arg(&watched))?;
            let mut pipe = Pipeline::new();
            pipe.atomic();
            if let Err(e) = func(self, &mut pipe) {
                return Err(self.unwatch_after(e));
            }
            match pipe.execute(self) {
                Ok(None) => continue,
                Ok(Some(replies)) => return Ok(T::from_value(Value::Array(replies))?),
                Err(e) => return Err(self.unwatch_after(e)),
            }
        }
    }

    /// Clears the watch after `error` (best effort: a broken connection has no watch
    /// left to clear) and returns `error`.
    fn unwatch_after(&mut self, error: crate::Error) -> crate::Error {
        if !self.is_broken() {
            let _ = self.query::<()>(&cmd("UNWATCH"));
        }
        error
    }
}
