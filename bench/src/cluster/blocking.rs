//! The blocking rows: one client, one request at a time or pipelines of
//! [`super::DEPTH`] commands over every node.

use crate::e2e::workload::{Phases, Workload, timed, wrong_reply};

const FERRODIS: &str = "ferrodis ClusterClient";
const REDIS_RS: &str = "redis-rs cluster (sync)";

/// ferrodis's `ClusterClient` through its typed `Commands` and `pipe()`.
pub(crate) fn ferrodis(url: &str, w: &Workload, depth: usize) -> Result<Phases, String> {
    use ferrodis::Commands as _;
    let fail = |e: ferrodis::Error| format!("{FERRODIS}: {e}");
    let mut client = ferrodis::ClusterClient::open(&[url]).map_err(fail)?;
    let set = timed(|| {
        for batch in w.batches(depth) {
            if depth == 1 {
                let () = client.set(w.key(batch.start), w.value(batch.start)).map_err(fail)?;
                continue;
            }
            let mut pipe = ferrodis::pipe();
            for i in batch {
                pipe.set(w.key(i), w.value(i)).ignore();
            }
            let () = pipe.query(&mut client).map_err(fail)?;
        }
        Ok(())
    })?;
    let get = timed(|| {
        for batch in w.batches(depth) {
            let values: Vec<Vec<u8>> = if depth == 1 {
                vec![client.get(w.key(batch.start)).map_err(fail)?]
            } else {
                let mut pipe = ferrodis::pipe();
                for i in batch.clone() {
                    pipe.get(w.key(i));
                }
                pipe.query(&mut client).map_err(fail)?
            };
            check(FERRODIS, w, batch, &values)?;
        }
        Ok(())
    })?;
    Ok(Phases { set, get })
}

/// redis-rs's sync `ClusterConnection` through its `Commands` and `cluster_pipe()`.
pub(crate) fn redis_rs(url: &str, w: &Workload, depth: usize) -> Result<Phases, String> {
    use redis::Commands as _;
    let fail = |e: redis::RedisError| format!("{REDIS_RS}: {e}");
    let mut conn =
        redis::cluster::ClusterClient::new(vec![url]).and_then(|c| c.get_connection()).map_err(fail)?;
    let set = timed(|| {
        for batch in w.batches(depth) {
            if depth == 1 {
                conn.set::<_, _, ()>(w.key(batch.start), w.value(batch.start)).map_err(fail)?;
                continue;
            }
            let mut pipe = redis::cluster::cluster_pipe();
            for i in batch {
                pipe.set(w.key(i), w.value(i)).ignore();
            }
            pipe.query::<()>(&mut conn).map_err(fail)?;
        }
        Ok(())
    })?;
    let get = timed(|| {
        for batch in w.batches(depth) {
            let values: Vec<Vec<u8>> = if depth == 1 {
                vec![conn.get(w.key(batch.start)).map_err(fail)?]
            } else {
                let mut pipe = redis::cluster::cluster_pipe();
                for i in batch.clone() {
                    pipe.get(w.key(i));
                }
                pipe.query(&mut conn).map_err(fail)?
            };
            check(REDIS_RS, w, batch, &values)?;
        }
        Ok(())
    })?;
    Ok(Phases { set, get })
}

/// Checks the values of a batch of GETs.
pub(crate) fn check(
    client: &str,
    w: &Workload,
    batch: std::ops::Range<usize>,
    values: &[Vec<u8>],
) -> Result<(), String> {
    if values.len() != batch.len() {
        return Err(format!("{client}: {} replies to {} GETs", values.len(), batch.len()));
    }
    match batch.zip(values).find(|(i, value)| !w.is_value(*i, value)) {
        Some((i, _)) => Err(wrong_reply(client, "GET", i)),
        None => Ok(()),
    }
}
