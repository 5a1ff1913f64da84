//! redis-rs 1.x, the way its users write it: the sync `Connection` and the Tokio
//! `MultiplexedConnection` with the typed `Commands` / `AsyncCommands` methods
//! (`set::<_, _, ()>`, `get::<_, Vec<u8>>`) and `redis::pipe()` for pipelines, all with
//! redis-rs's default settings.

use std::sync::Arc;

use redis::{AsyncCommands, Commands, RedisError};

use super::workload::{Mode, Phases, Workload, join_tasks, timed, timed_async, wrong_reply};

/// The name of the sync rows.
pub(crate) const SYNC: &str = "redis-rs sync";
/// The name of the multiplexed rows.
pub(crate) const MULTIPLEXED: &str = "redis-rs multiplexed";

/// A pipeline of `SET key value` for the keys of `batch`.
fn set_pipeline(w: &Workload, batch: std::ops::Range<usize>) -> redis::Pipeline {
    let mut pipe = redis::pipe();
    for i in batch {
        pipe.set(w.key(i), w.value(i));
    }
    pipe
}

/// A pipeline of `GET key` for the keys of `batch`.
fn get_pipeline(w: &Workload, batch: std::ops::Range<usize>) -> redis::Pipeline {
    let mut pipe = redis::pipe();
    for i in batch {
        pipe.get(w.key(i));
    }
    pipe
}

/// The index of the first of `values` (the replies to `batch`) that is wrong.
fn first_wrong(w: &Workload, batch: std::ops::Range<usize>, values: &[Vec<u8>]) -> Option<usize> {
    if values.len() != batch.len() {
        return Some(batch.start);
    }
    batch.zip(values).find(|(i, v)| !w.is_value(*i, v)).map(|(i, _)| i)
}

/// One pass of the sync connection at pipeline depth `depth` on a new connection.
pub(crate) fn sync(url: &str, w: &Workload, depth: usize) -> Result<Phases, String> {
    let fail = |e: RedisError| format!("{SYNC}: {e}");
    let mut conn = redis::Client::open(url).and_then(|c| c.get_connection()).map_err(fail)?;
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
                    return Err(wrong_reply(SYNC, "GET", i));
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
            let values: Vec<Vec<u8>> = get_pipeline(w, batch.clone()).query(&mut conn).map_err(fail)?;
            if let Some(i) = first_wrong(w, batch, &values) {
                return Err(wrong_reply(SYNC, "GET", i));
            }
        }
        Ok(())
    })?;
    Ok(Phases { set, get })
}

/// One pass of the multiplexed connection in `mode` on a new connection; runs inside a
/// Tokio task.
pub(crate) async fn multiplexed(url: String, w: Arc<Workload>, mode: Mode) -> Result<Phases, String> {
    let fail = |e: RedisError| format!("{MULTIPLEXED}: {e}");
    let client = redis::Client::open(url.as_str()).map_err(fail)?;
    let mut conn = client.get_multiplexed_async_connection().await.map_err(fail)?;
    let n = w.len();
    match mode {
        Mode::Depth(1) => {
            let set = timed_async(async {
                for i in 0..n {
                    conn.set::<_, _, ()>(w.key(i), w.value(i)).await.map_err(fail)?;
                }
                Ok(())
            })
            .await?;
            let get = timed_async(async {
                for i in 0..n {
                    let value: Vec<u8> = conn.get(w.key(i)).await.map_err(fail)?;
                    if !w.is_value(i, &value) {
                        return Err(wrong_reply(MULTIPLEXED, "GET", i));
                    }
                }
                Ok(())
            })
            .await?;
            Ok(Phases { set, get })
        }
        Mode::Depth(depth) => {
            let set = timed_async(async {
                for batch in w.batches(depth) {
                    set_pipeline(&w, batch).query_async::<()>(&mut conn).await.map_err(fail)?;
                }
                Ok(())
            })
            .await?;
            let get = timed_async(async {
                for batch in w.batches(depth) {
                    let values: Vec<Vec<u8>> =
                        get_pipeline(&w, batch.clone()).query_async(&mut conn).await.map_err(fail)?;
                    if let Some(i) = first_wrong(&w, batch, &values) {
                        return Err(wrong_reply(MULTIPLEXED, "GET", i));
                    }
                }
                Ok(())
            })
            .await?;
            Ok(Phases { set, get })
        }
        Mode::Concurrent(tasks) => {
            let set = timed_async(join_tasks(tasks, |task| {
                let (mut conn, w) = (conn.clone(), w.clone());
                async move {
                    for i in w.stripe(task, tasks) {
                        conn.set::<_, _, ()>(w.key(i), w.value(i)).await.map_err(fail)?;
                    }
                    Ok(())
                }
            }))
            .await?;
            let get = timed_async(join_tasks(tasks, |task| {
                let (mut conn, w) = (conn.clone(), w.clone());
                async move {
                    for i in w.stripe(task, tasks) {
                        let value: Vec<u8> = conn.get(w.key(i)).await.map_err(fail)?;
                        if !w.is_value(i, &value) {
                            return Err(wrong_reply(MULTIPLEXED, "GET", i));
                        }
                    }
                    Ok(())
                }
            }))
            .await?;
            Ok(Phases { set, get })
        }
    }
}
