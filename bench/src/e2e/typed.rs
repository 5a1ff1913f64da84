//! The passes of a redis-rs-style typed API, written once for the two clients that have
//! one: redis-rs, and ferrodis, whose `Commands`, `AsyncCommands` and `pipe()` follow
//! redis-rs's. Each pass is what a user of that API writes: `set::<_, _, ()>(key, value)`
//! and `get::<_, Vec<u8>>(key)` one request at a time, `pipe()` with `.set(..)` or
//! `.get(..)` per command and `.query(&mut conn)` (or `.query_async`) per batch.
//!
//! [`typed_passes!`] expands, in the module that invokes it, to
//!
//! - `sync(url: &str, w: &Workload, depth: usize) -> Result<Phases, String>`: one pass
//!   of the blocking connection at pipeline depth `depth`;
//! - `multiplexed(url: String, w: Arc<Workload>, mode: Mode) -> Result<Phases, String>`:
//!   one pass of the multiplexed Tokio connection in `mode`, run inside a Tokio task;
//!
//! each on a new connection, every reply checked.

/// Expands to the `sync` and `multiplexed` passes of one client's typed API (see the
/// module docs). `client` is the crate; `sync` and `multiplexed` are the row names that
/// errors start with; `connection` is the multiplexed connection's type and
/// `connect_multiplexed` the `Client` method that opens it.
macro_rules! typed_passes {
    (
        client: $client:ident,
        error: $error:ty,
        sync: $sync:expr,
        multiplexed: $multiplexed:expr,
        connection: $connection:ty,
        connect_multiplexed: $connect:ident $(,)?
    ) => {
        use std::ops::Range;
        use std::sync::Arc;

        use $client::{AsyncCommands as _, Commands as _};
        use $crate::e2e::workload::{Mode, Phases, Workload, join_tasks, timed, timed_async, wrong_reply};

        /// A pipeline of `SET key value` for the keys of `batch`.
        fn set_pipeline(w: &Workload, batch: Range<usize>) -> $client::Pipeline {
            let mut pipe = $client::pipe();
            for i in batch {
                pipe.set(w.key(i), w.value(i));
            }
            pipe
        }

        /// A pipeline of `GET key` for the keys of `batch`.
        fn get_pipeline(w: &Workload, batch: Range<usize>) -> $client::Pipeline {
            let mut pipe = $client::pipe();
            for i in batch {
                pipe.get(w.key(i));
            }
            pipe
        }

        /// The index of the first of `values` (the replies to `batch`) that is wrong.
        fn first_wrong(w: &Workload, batch: Range<usize>, values: &[Vec<u8>]) -> Option<usize> {
            if values.len() != batch.len() {
                return Some(batch.start);
            }
            batch.zip(values).find(|(i, v)| !w.is_value(*i, v)).map(|(i, _)| i)
        }

        /// One pass of the blocking connection at pipeline depth `depth` on a new connection.
        pub(crate) fn sync(url: &str, w: &Workload, depth: usize) -> Result<Phases, String> {
            let fail = |e: $error| format!("{}: {e}", $sync);
            let mut conn = $client::Client::open(url).and_then(|c| c.get_connection()).map_err(fail)?;
            let n = w.len();
            if depth == 1 {
                let set = timed(|| {
                    for i in 0..n {
                        conn.set::<_, _, ()>(w.key(i), w.value(i)).map_err(fail)?;
                    }
                    Ok(())
                })?;
                let get = timed(|| {
                    for i in 0..n {
                        let value: Vec<u8> = conn.get(w.key(i)).map_err(fail)?;
                        if !w.is_value(i, &value) {
                            return Err(wrong_reply($sync, "GET", i));
                        }
                    }
                    Ok(())
                })?;
                return Ok(Phases { set, get });
            }
            let set = timed(|| {
                for batch in w.batches(depth) {
                    set_pipeline(w, batch).query::<()>(&mut conn).map_err(fail)?;
                }
                Ok(())
            })?;
            let get = timed(|| {
                for batch in w.batches(depth) {
                    let values: Vec<Vec<u8>> =
                        get_pipeline(w, batch.clone()).query(&mut conn).map_err(fail)?;
                    if let Some(i) = first_wrong(w, batch, &values) {
                        return Err(wrong_reply($sync, "GET", i));
                    }
                }
                Ok(())
            })?;
            Ok(Phases { set, get })
        }

        /// A failed request of the multiplexed connection, as the pass's error.
        fn multiplexed_error(e: $error) -> String {
            format!("{}: {e}", $multiplexed)
        }

        /// What a phase sends for each key.
        #[derive(Debug, Clone, Copy)]
        enum Request {
            /// `SET key:<i> <value i>`.
            Set,
            /// `GET key:<i>`, the reply checked.
            Get,
        }

        /// `request` on `conn` for each `i` of `indices`, one request at a time.
        #[allow(unused_mut, reason = "redis-rs's methods take `&mut self`, ferrodis's `&self`")]
        async fn one_at_a_time(
            mut conn: $connection,
            w: Arc<Workload>,
            request: Request,
            indices: impl Iterator<Item = usize>,
        ) -> Result<(), String> {
            for i in indices {
                match request {
                    Request::Set => {
                        conn.set::<_, _, ()>(w.key(i), w.value(i)).await.map_err(multiplexed_error)?
                    }
                    Request::Get => {
                        let value: Vec<u8> = conn.get(w.key(i)).await.map_err(multiplexed_error)?;
                        if !w.is_value(i, &value) {
                            return Err(wrong_reply($multiplexed, "GET", i));
                        }
                    }
                }
            }
            Ok(())
        }

        /// One pass of the multiplexed connection in `mode` on a new connection; runs inside
        /// a Tokio task.
        pub(crate) async fn multiplexed(url: String, w: Arc<Workload>, mode: Mode) -> Result<Phases, String> {
            let client = $client::Client::open(url.as_str()).map_err(multiplexed_error)?;
            let mut conn = client.$connect().await.map_err(multiplexed_error)?;
            let n = w.len();
            let (set, get) = match mode {
                Mode::Depth(1) => (
                    timed_async(one_at_a_time(conn.clone(), w.clone(), Request::Set, 0..n)).await?,
                    timed_async(one_at_a_time(conn.clone(), w.clone(), Request::Get, 0..n)).await?,
                ),
                Mode::Depth(depth) => {
                    let set = timed_async(async {
                        for batch in w.batches(depth) {
                            set_pipeline(&w, batch)
                                .query_async::<()>(&mut conn)
                                .await
                                .map_err(multiplexed_error)?;
                        }
                        Ok(())
                    })
                    .await?;
                    let get = timed_async(async {
                        for batch in w.batches(depth) {
                            let values: Vec<Vec<u8>> = get_pipeline(&w, batch.clone())
                                .query_async(&mut conn)
                                .await
                                .map_err(multiplexed_error)?;
                            if let Some(i) = first_wrong(&w, batch, &values) {
                                return Err(wrong_reply($multiplexed, "GET", i));
                            }
                        }
                        Ok(())
                    })
                    .await?;
                    (set, get)
                }
                Mode::Concurrent(tasks) => {
                    let task =
                        |request, t| one_at_a_time(conn.clone(), w.clone(), request, w.stripe(t, tasks));
                    (
                        timed_async(join_tasks(tasks, |t| task(Request::Set, t))).await?,
                        timed_async(join_tasks(tasks, |t| task(Request::Get, t))).await?,
                    )
                }
            };
            Ok(Phases { set, get })
        }
    };
}

pub(crate) use typed_passes;
