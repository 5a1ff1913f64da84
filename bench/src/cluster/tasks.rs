//! The Tokio rows: one request at a time, pipelines of [`super::DEPTH`], or
//! [`super::DEPTH`] tasks each sending its stripe of the keys through a clone of one
//! client.

use std::sync::Arc;

use super::blocking::check;
use crate::e2e::workload::{Phases, Workload, join_tasks, timed_async, wrong_reply};

const FERRODIS: &str = "ferrodis AsyncClusterClient";
const REDIS_RS: &str = "redis-rs cluster_async";

/// How a ferrodis row sends its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Depth1,
    Pipeline,
    Concurrent,
}

fn f(e: &dyn std::fmt::Display) -> String {
    format!("{FERRODIS}: {e}")
}

fn r(e: &dyn std::fmt::Display) -> String {
    format!("{REDIS_RS}: {e}")
}

/// ferrodis's `AsyncClusterClient` through its typed `AsyncCommands` and `pipe()`.
pub(crate) async fn ferrodis(url: String, w: Arc<Workload>, mode: Mode) -> Result<Phases, String> {
    use ferrodis::AsyncCommands as _;
    let client = ferrodis::AsyncClusterClient::open(&[url.as_str()]).await.map_err(|e| f(&e))?;
    if mode == Mode::Concurrent {
        let set = timed_async(join_tasks(super::DEPTH, |t| {
            let (client, w) = (client.clone(), w.clone());
            async move {
                for i in w.stripe(t, super::DEPTH) {
                    let () = client.set(w.key(i), w.value(i)).await.map_err(|e| f(&e))?;
                }
                Ok(())
            }
        }))
        .await?;
        let get = timed_async(join_tasks(super::DEPTH, |t| {
            let (client, w) = (client.clone(), w.clone());
            async move {
                for i in w.stripe(t, super::DEPTH) {
                    let value: Vec<u8> = client.get(w.key(i)).await.map_err(|e| f(&e))?;
                    if !w.is_value(i, &value) {
                        return Err(wrong_reply(FERRODIS, "GET", i));
                    }
                }
                Ok(())
            }
        }))
        .await?;
        return Ok(Phases { set, get });
    }
    let depth = if mode == Mode::Pipeline { super::DEPTH } else { 1 };
    let set = timed_async(async {
        for batch in w.batches(depth) {
            if depth == 1 {
                let () = client.set(w.key(batch.start), w.value(batch.start)).await.map_err(|e| f(&e))?;
                continue;
            }
            let mut pipe = ferrodis::pipe();
            for i in batch {
                pipe.set(w.key(i), w.value(i)).ignore();
            }
            let () = pipe.query_async(&client).await.map_err(|e| f(&e))?;
        }
        Ok(())
    })
    .await?;
    let get = timed_async(async {
        for batch in w.batches(depth) {
            let values: Vec<Vec<u8>> = if depth == 1 {
                vec![client.get(w.key(batch.start)).await.map_err(|e| f(&e))?]
            } else {
                let mut pipe = ferrodis::pipe();
                for i in batch.clone() {
                    pipe.get(w.key(i));
                }
                pipe.query_async(&client).await.map_err(|e| f(&e))?
            };
            check(FERRODIS, &w, batch, &values)?;
        }
        Ok(())
    })
    .await?;
    Ok(Phases { set, get })
}

/// redis-rs's `cluster_async::ClusterConnection` through its `AsyncCommands`: one request
/// at a time, or from [`super::DEPTH`] tasks when `concurrent`.
pub(crate) async fn redis_rs(url: String, w: Arc<Workload>, concurrent: bool) -> Result<Phases, String> {
    use redis::AsyncCommands as _;
    let client = redis::cluster::ClusterClient::new(vec![url.as_str()]).map_err(|e| r(&e))?;
    let conn = client.get_async_connection().await.map_err(|e| r(&e))?;
    let tasks = if concurrent { super::DEPTH } else { 1 };
    let set = timed_async(join_tasks(tasks, |t| {
        let (mut conn, w) = (conn.clone(), w.clone());
        async move {
            for i in w.stripe(t, tasks) {
                conn.set::<_, _, ()>(w.key(i), w.value(i)).await.map_err(|e| r(&e))?;
            }
            Ok(())
        }
    }))
    .await?;
    let get = timed_async(join_tasks(tasks, |t| {
        let (mut conn, w) = (conn.clone(), w.clone());
        async move {
            for i in w.stripe(t, tasks) {
                let value: Vec<u8> = conn.get(w.key(i)).await.map_err(|e| r(&e))?;
                if !w.is_value(i, &value) {
                    return Err(wrong_reply(REDIS_RS, "GET", i));
                }
            }
            Ok(())
        }
    }))
    .await?;
    Ok(Phases { set, get })
}
