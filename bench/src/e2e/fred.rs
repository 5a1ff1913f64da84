//! fred 10 on Tokio, the way its users write it: one `Client` (one connection, fred's
//! default settings: RESP2, no command timeout, its router task feeding up to
//! `max_feed_count` = 200 frames into the socket before each flush, which is its automatic
//! pipelining), the typed `KeysInterface` methods (`set::<(), _, _>`, `get::<Bytes, _>`:
//! `Bytes` is fred's cheapest owned reply) and `client.pipeline()` for pipelines.

use std::sync::Arc;

use bytes::Bytes;
use fred::prelude::{Builder, ClientLike, Config, Error, KeysInterface};

use super::workload::{Mode, Phases, Workload, join_tasks, timed_async, wrong_reply};

/// The name of the rows.
pub(crate) const NAME: &str = "fred";

/// One pass of one fred client in `mode`, on a new connection; runs inside a Tokio task.
pub(crate) async fn run(url: String, w: Arc<Workload>, mode: Mode) -> Result<Phases, String> {
    let fail = |e: Error| format!("{NAME}: {e}");
    let client = Builder::from_config(Config::from_url(&url).map_err(fail)?).build().map_err(fail)?;
    let connection = client.init().await.map_err(fail)?;
    let n = w.len();
    let phases = match mode {
        Mode::Depth(1) => {
            let set = timed_async(async {
                for i in 0..n {
                    client.set::<(), _, _>(w.key(i), w.value(i), None, None, false).await.map_err(fail)?;
                }
                Ok(())
            })
            .await?;
            let get = timed_async(async {
                for i in 0..n {
                    let value: Bytes = client.get(w.key(i)).await.map_err(fail)?;
                    if !w.is_value(i, &value) {
                        return Err(wrong_reply(NAME, "GET", i));
                    }
                }
                Ok(())
            })
            .await?;
            Phases { set, get }
        }
        Mode::Depth(depth) => {
            let set = timed_async(async {
                for batch in w.batches(depth) {
                    let pipeline = client.pipeline();
                    for i in batch {
                        pipeline
                            .set::<(), _, _>(w.key(i), w.value(i), None, None, false)
                            .await
                            .map_err(fail)?;
                    }
                    pipeline.all::<()>().await.map_err(fail)?;
                }
                Ok(())
            })
            .await?;
            let get = timed_async(async {
                for batch in w.batches(depth) {
                    let pipeline = client.pipeline();
                    for i in batch.clone() {
                        pipeline.get::<(), _>(w.key(i)).await.map_err(fail)?;
                    }
                    let values: Vec<Bytes> = pipeline.all().await.map_err(fail)?;
                    if values.len() != batch.len() {
                        return Err(wrong_reply(NAME, "GET", batch.start));
                    }
                    if let Some((i, _)) = batch.zip(&values).find(|(i, v)| !w.is_value(*i, v)) {
                        return Err(wrong_reply(NAME, "GET", i));
                    }
                }
                Ok(())
            })
            .await?;
            Phases { set, get }
        }
        Mode::Concurrent(tasks) => {
            let set = timed_async(join_tasks(tasks, |task| {
                let (client, w) = (client.clone(), w.clone());
                async move {
                    for i in w.stripe(task, tasks) {
                        client
                            .set::<(), _, _>(w.key(i), w.value(i), None, None, false)
                            .await
                            .map_err(fail)?;
                    }
                    Ok(())
                }
            }))
            .await?;
            let get = timed_async(join_tasks(tasks, |task| {
                let (client, w) = (client.clone(), w.clone());
                async move {
                    for i in w.stripe(task, tasks) {
                        let value: Bytes = client.get(w.key(i)).await.map_err(fail)?;
                        if !w.is_value(i, &value) {
                            return Err(wrong_reply(NAME, "GET", i));
                        }
                    }
                    Ok(())
                }
            }))
            .await?;
            Phases { set, get }
        }
    };
    client.quit().await.map_err(fail)?;
    let _ = connection.await;
    Ok(phases)
}
