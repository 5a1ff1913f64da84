//! `WATCH`ed transactions on the blocking cluster client: the single-node ones
//! ([`Connection::transaction`], [`Connection::transaction_pipeline`]) run on the primary
//! of the watched keys' slot, a `MOVED` reply to the `WATCH` followed through the router.

use ferrodis_core::cluster::Target;
use ferrodis_core::error::Delivery;

use super::ClusterClient;
use crate::cluster::step::{After, after, is_connection_error, not_served, transaction_request};
use crate::commands::Pipeline;
use crate::connection::Connection;
use crate::error::{Error, Result};
use crate::value::{FromValue, ToArgs, cmd};

impl ClusterClient {
    /// A `WATCH`ed transaction (redis-rs's `redis::transaction`) on the cluster: the
    /// watched keys (one or several) must hash to one slot (a hash tag, `{user1}.a` and
    /// `{user1}.b`, puts them in one); then [`Connection::transaction`] runs on the
    /// connection to that slot's primary, and `func` gets that node's connection (for its
    /// reads) and an empty atomic [`Pipeline`], which it runs with `pipe.query(conn)`;
    /// `Ok(None)` (a watched key changed) starts again from `WATCH`.
    ///
    /// Watched keys in several slots are refused, nothing sent, with
    /// [`RouteError::CrossSlot`](ferrodis_core::cluster::RouteError::CrossSlot), and so is
    /// a pipeline with a command whose keys are in another slot than the watched ones. A
    /// `MOVED` reply to the `WATCH` (the slot moved) is followed to the new owner, at most
    /// the router's `max_redirects` times, and a busy reply retried after its backoff; so
    /// is an `ASK` (the slot migrating, the key gone to the importing node, which takes
    /// only the one command after `ASKING`): the `WATCH` is sent to the slot's owner again
    /// until the migration ends and the `MOVED` that follows it is followed
    /// ([`Request::waiting_out_ask`](ferrodis_core::cluster::Request::waiting_out_ask)),
    /// within the router's busy retries. Once `func` has run, its errors are
    /// returned as they are. The multiplexed connections of the
    /// [`AsyncClusterClient`](crate::AsyncClusterClient) refuse `WATCH`: it has no such
    /// method.
    ///
    /// ```no_run
    /// use ferrodis_std::{ClusterClient, Commands};
    ///
    /// let mut cluster = ClusterClient::open(&["redis://127.0.0.1:7000"])?;
    /// let (balance,): (i64,) = cluster.transaction("{user1}.balance", |conn, pipe| {
    ///     let balance: i64 = conn.get::<_, Option<i64>>("{user1}.balance")?.unwrap_or(0);
    ///     pipe.set("{user1}.balance", balance + 10).ignore().incr("{user1}.deposits", 1).ignore();
    ///     pipe.get("{user1}.balance").query(conn)
    /// })?;
    /// # Ok::<(), ferrodis_std::Error>(())
    /// ```
    pub fn transaction<K, R, F>(&mut self, watched: K, mut func: F) -> Result<R>
    where
        K: ToArgs,
        F: FnMut(&mut Connection, &mut Pipeline) -> Result<Option<R>>,
    {
        self.on_watched_slot(&watched, |conn, slot, called| {
            conn.transaction(&watched, |conn, pipe| {
                *called = true;
                pipe.pin_slot(slot);
                func(conn, pipe)
            })
        })
    }

    /// A `WATCH`ed transaction in redis-py's form (`RedisCluster.transaction(func,
    /// *watches)`): as [`transaction`](Self::transaction), the watched keys in one slot
    /// and [`Connection::transaction_pipeline`] on its primary; `func` reads through the
    /// node's connection and fills the atomic [`Pipeline`], which this method runs in
    /// MULTI/EXEC (again from `WATCH` when a watched key changed), returning the replies not
    /// ignored as a `T`. A command in the pipeline with keys in another slot is refused,
    /// nothing of the pipeline sent.
    ///
    /// ```no_run
    /// use ferrodis_std::{ClusterClient, Commands};
    ///
    /// let mut cluster = ClusterClient::open(&["redis://127.0.0.1:7000"])?;
    /// let (doubled,): (i64,) = cluster.transaction_pipeline(["{n}.a", "{n}.b"], |conn, pipe| {
    ///     let a: i64 = conn.get::<_, Option<i64>>("{n}.a")?.unwrap_or(1);
    ///     pipe.set("{n}.b", a * 2).ignore().get("{n}.b");
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
        self.on_watched_slot(&watched, |conn, slot, called| {
            conn.transaction_pipeline(&watched, |conn, pipe| {
                *called = true;
                pipe.pin_slot(slot);
                func(conn, pipe)
            })
        })
    }

    /// Runs `run` on the connection to the primary of the one slot of `watched`, with that
    /// slot and a flag it sets once the `WATCH` was answered; until then a redirect or a
    /// busy reply to the `WATCH` (or a connection that failed before it) is followed as
    /// the router says, to the new owner or after its delay.
    fn on_watched_slot<R>(
        &mut self,
        watched: &impl ToArgs,
        mut run: impl FnMut(&mut Connection, u16, &mut bool) -> Result<R>,
    ) -> Result<R> {
        let watch = cmd("WATCH").with_arg(watched);
        let mut request = transaction_request(&self.router, std::slice::from_ref(&watch))?.waiting_out_ask();
        let Target::Slot(slot) = request.target() else { return Err(not_served(&request)) };
        let mut redirect = None;
        loop {
            let (host, port) = match redirect.take() {
                Some(to) => to,
                None => {
                    self.refresh_if_due();
                    match self.router.node(&request) {
                        Some(node) => (node.host().to_owned(), node.port()),
                        None => return Err(not_served(&request)),
                    }
                }
            };
            let mut answered = false;
            let result = self.connection(&host, port).and_then(|conn| run(conn, slot, &mut answered));
            let e = match result {
                Ok(value) => return Ok(value),
                Err(e) => e,
            };
            if is_connection_error(&e) {
                self.connections.remove(&(host.clone(), port));
            }
            // After the `WATCH`, an error is `func`'s or the transaction's own.
            if answered {
                return Err(e);
            }
            let remap = self.config.address_remap.as_ref();
            match after(&mut self.router, &mut request, Err(e), (&host, port), self.started.elapsed(), remap)
            {
                After::Return(result) => return Err(result.err().unwrap_or_else(unexpected)),
                After::Redirect(host, port, _) => redirect = Some((host, port)),
                After::Sleep(delay) => std::thread::sleep(delay),
            }
        }
    }
}

/// The error of a `WATCH` the router saw fail but whose result was not an error (never).
fn unexpected() -> Error {
    Error::new(crate::ErrorKind::UnexpectedReply, Delivery::Answered)
}
